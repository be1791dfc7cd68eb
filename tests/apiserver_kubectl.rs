//! The apiserver driven by the real kubectl (v1.32) with the kubeconfig `kctl server`
//! writes: what a user types must work unchanged.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{stderr, stdout, TestServer};

#[test]
fn run_get_describe_delete_a_pod() {
    let server = TestServer::start();
    assert_eq!(server.kubectl_ok(&["run", "nginx", "--image=nginx", "--port=80"]).trim(), "pod/nginx created");
    let table = server.kubectl_ok(&["get", "pods"]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.contains("nginx"), "{table}");
    let name = server.kubectl_ok(&["get", "pods", "-o", "name"]);
    assert_eq!(name.trim(), "pod/nginx");
    let json: serde_json::Value =
        serde_json::from_str(&server.kubectl_ok(&["get", "pod", "nginx", "-o", "json"])).unwrap();
    assert_eq!(json["spec"]["containers"][0]["image"], "nginx");
    assert_eq!(json["metadata"]["labels"]["run"], "nginx");
    assert_eq!(json["status"]["phase"], "Pending");
    let yaml = server.kubectl_ok(&["get", "pod", "nginx", "-o", "yaml"]);
    assert!(yaml.contains("kind: Pod"), "{yaml}");
    let wide = server.kubectl_ok(&["get", "pods", "-o", "wide"]);
    assert!(wide.lines().next().unwrap_or_default().starts_with("NAME"), "{wide}");
    let described = server.kubectl_ok(&["describe", "pod", "nginx"]);
    assert!(described.contains("Name:") && described.contains("nginx"), "{described}");
    assert!(described.contains("Events:"), "{described}");
    assert_eq!(server.kubectl_ok(&["delete", "pod", "nginx"]).trim(), "pod \"nginx\" deleted");
    let missing = server.kubectl(&["get", "pod", "nginx"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr(&missing).trim(), "Error from server (NotFound): pods \"nginx\" not found");
}

#[test]
fn get_watch_sees_a_later_change() {
    let server = TestServer::start();
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n"));
    let mut watch = Command::new("kubectl")
        // (Not the namespace's own `kube-root-ca.crt`.)
        .args(["get", "configmaps", "-w", "--field-selector", "metadata.name!=kube-root-ca.crt"])
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", server.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = || rx.recv_timeout(Duration::from_secs(10));
    let header = next_line().expect("a header line");
    assert!(header.starts_with("NAME"), "{header}");
    let first = next_line().expect("the existing configmap");
    assert!(first.starts_with("first"), "{first}");
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n"));
    let later = next_line();
    let _ = watch.kill();
    let _ = watch.wait();
    let later = later.expect("the watch shows the new configmap");
    assert!(later.starts_with("second"), "{later}");
}

#[test]
fn discovery_api_resources_and_get_all() {
    let server = TestServer::start();
    let resources = server.kubectl_ok(&["api-resources"]);
    for expected in ["pods", "deployments", "replicasets", "jobs", "leases", "namespaces", "nodes"] {
        assert!(resources.lines().any(|l| l.starts_with(expected)), "{expected} missing in:\n{resources}");
    }
    let all = server.kubectl_ok(&["get", "all"]);
    assert!(all.contains("service/kubernetes"), "{all}");
    let namespaces = server.kubectl_ok(&["get", "ns", "-o", "name"]);
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        assert!(namespaces.contains(&format!("namespace/{ns}")), "{namespaces}");
    }
    let versions = server.kubectl_ok(&["api-versions"]);
    assert!(versions.contains("apps/v1") && versions.contains("coordination.k8s.io/v1"), "{versions}");
}

#[test]
fn verbose_logging_shows_requests() {
    let server = TestServer::start();
    let output = server.kubectl(&["get", "pods", "--v=8"]);
    assert!(output.status.success());
    let log = stderr(&output);
    assert!(
        log.contains("GET https://127.0.0.1:") && log.contains("/api/v1/namespaces/default/pods?limit=500"),
        "{log}"
    );
    assert!(log.contains("Response Status: 200 OK"), "{log}");
}

#[test]
fn labels_and_field_selectors_filter_lists() {
    let server = TestServer::start();
    server.kubectl_ok(&["run", "a", "--image=busybox", "--labels=app=web,tier=front"]);
    server.kubectl_ok(&["run", "b", "--image=busybox", "--labels=app=web,tier=back"]);
    server.kubectl_ok(&["run", "c", "--image=busybox", "--labels=app=db"]);
    let names = |args: &[&str]| {
        let mut all = vec!["get", "pods", "-o", "name"];
        all.extend_from_slice(args);
        server.kubectl_ok(&all).split_whitespace().map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(names(&["-l", "app=web"]), ["pod/a", "pod/b"]);
    assert_eq!(names(&["-l", "tier in (back),app"]), ["pod/b"]);
    assert_eq!(names(&["-l", "app!=web"]), ["pod/c"]);
    assert_eq!(names(&["--field-selector", "metadata.name=c"]), ["pod/c"]);
    assert_eq!(names(&["--field-selector", "status.phase=Pending", "-l", "!tier"]), ["pod/c"]);
    let bad = server.kubectl(&["get", "pods", "--field-selector", "spec.bogus=1"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("field label not supported: spec.bogus"), "{}", stderr(&bad));
}

#[test]
fn requests_without_a_valid_certificate_are_unauthorized() {
    let server = TestServer::start();
    let url = server.server_url();
    // No credential we accept (kubectl would prompt for a password with none at all).
    let anonymous = server.write(
        "anonymous.yaml",
        &format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: not-a-credential\n"
        ),
    );
    let output = support::kubectl_with(&anonymous, server.dir.path(), &["get", "pods"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error: You must be logged in to the server"), "{}", stderr(&output));
    // A certificate from another CA.
    let foreign_dir = tempfile::tempdir().unwrap();
    let foreign = kctl::machinery::pki::Pki::load_or_create(foreign_dir.path()).unwrap();
    let client = foreign.issue_client("mallory", &["system:masters"]).unwrap();
    let mut config = kctl::machinery::kubeconfig::single("foreign", &url, foreign.ca_cert_pem(), &client);
    if let Some(cluster) = config.clusters[0].cluster.as_mut() {
        cluster.certificate_authority_data = None;
        cluster.insecure_skip_tls_verify = Some(true);
    }
    let path = server.dir.path().join("foreign.yaml");
    kctl::machinery::kubeconfig::write(&path, &config).unwrap();
    let output = support::kubectl_with(&path, server.dir.path(), &["get", "pods"], None);
    assert_eq!(output.status.code(), Some(1), "{}{}", stdout(&output), stderr(&output));
    assert!(stderr(&output).contains("error: You must be logged in to the server"), "{}", stderr(&output));
    // Health and version stay public.
    assert!(support::kubectl_with(&anonymous, server.dir.path(), &["get", "--raw", "/healthz"], None).status.success());
}

#[test]
fn delete_with_cascade_orphan_keeps_the_dependents() {
    let server = TestServer::start();
    server.kubectl_stdin(
        &["create", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owner\ndata:\n  a: b\n"),
    );
    let uid = server.kubectl_ok(&["get", "configmap", "owner", "-o", "jsonpath={.metadata.uid}"]);
    let dependent = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dependent\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: owner\n    uid: {uid}\ndata:\n  x: \"z\"\n"
    );
    server.kubectl_stdin(&["create", "-f", "-"], Some(&dependent));
    assert_eq!(
        server.kubectl_ok(&["delete", "configmap", "owner", "--cascade=orphan"]).trim(),
        "configmap \"owner\" deleted"
    );
    let refs = server.kubectl_ok(&["get", "configmap", "dependent", "-o", "jsonpath={.metadata.ownerReferences}"]);
    assert_eq!(refs.trim(), "", "the dependent was released");
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    team: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        ports:
        - containerPort: 80
";

#[test]
fn apply_creates_then_reconfigures_and_removes_dropped_fields() {
    let server = TestServer::start();
    let pod =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
    let file = server.write("manifest.yml", &format!("{pod}---\n{DEPLOYMENT}"));
    let path = file.to_str().unwrap();
    let created = server.kubectl_ok(&["apply", "-f", path]);
    assert_eq!(created, "pod/solo created\ndeployment.apps/nginx-deployment created\n");
    assert_eq!(
        server.kubectl_ok(&["apply", "-f", path]),
        "pod/solo unchanged\ndeployment.apps/nginx-deployment unchanged\n"
    );

    let edited = DEPLOYMENT.replace("nginx:latest", "nginx:1.17").replace("  labels:\n    team: web\n", "");
    server.write("manifest.yml", &edited);
    assert_eq!(server.kubectl_ok(&["apply", "-f", path]), "deployment.apps/nginx-deployment configured\n");
    let live: serde_json::Value =
        serde_json::from_str(&server.kubectl_ok(&["get", "deploy", "nginx-deployment", "-o", "json"])).unwrap();
    assert_eq!(live["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.17");
    assert!(live["metadata"]["labels"].get("team").is_none(), "a field removed from the file is removed: {live}");
    assert_eq!(live["metadata"]["generation"], 2);
    // Defaults as upstream shows them.
    assert_eq!(live["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
    // Defaulted from `:latest` at creation; like upstream, a later image change keeps it.
    assert_eq!(live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");
}

#[test]
fn server_side_apply_reports_conflicts_and_forces() {
    let server = TestServer::start();
    let file = server.write("deployment.yml", DEPLOYMENT);
    let path = file.to_str().unwrap();
    assert_eq!(
        server.kubectl_ok(&["apply", "--server-side", "-f", path]),
        "deployment.apps/nginx-deployment serverside-applied\n"
    );
    server.kubectl_ok(&["set", "image", "deployment/nginx-deployment", "nginx=nginx:1.18"]);
    let conflict = server.kubectl(&["apply", "--server-side", "-f", path]);
    assert_eq!(conflict.status.code(), Some(1));
    assert!(
        stderr(&conflict).contains("Apply failed with 1 conflict: conflict with \"kubectl-set\""),
        "{}",
        stderr(&conflict)
    );
    server.kubectl_ok(&["apply", "--server-side", "--force-conflicts", "-f", path]);
    let image = server.kubectl_ok(&[
        "get",
        "deploy",
        "nginx-deployment",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "nginx:latest");
}

#[test]
fn patch_of_each_type() {
    let server = TestServer::start();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let get = |path: &str| server.kubectl_ok(&["get", "deploy", "nginx-deployment", "-o", &format!("jsonpath={path}")]);
    let patch = |kind: &str, body: &str| {
        server.kubectl_ok(&["patch", "deployment", "nginx-deployment", "--type", kind, "-p", body]);
    };
    patch(
        "strategic",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"A","value":"1"}]}]}}}}"#,
    );
    assert_eq!(get("{.spec.template.spec.containers[0].env[0].value}"), "1");
    assert_eq!(get("{.spec.template.spec.containers[0].image}"), "nginx:latest", "strategic merge keeps the rest");
    patch("merge", r#"{"spec":{"replicas":5}}"#);
    assert_eq!(get("{.spec.replicas}"), "5");
    patch("json", r#"[{"op":"replace","path":"/spec/replicas","value":2}]"#);
    assert_eq!(get("{.spec.replicas}"), "2");
    let failed = server.kubectl(&[
        "patch",
        "deployment",
        "nginx-deployment",
        "--type",
        "json",
        "-p",
        r#"[{"op":"test","path":"/spec/replicas","value":9}]"#,
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        server.kubectl_ok(&["scale", "deployment/nginx-deployment", "--replicas=4"]).trim(),
        "deployment.apps/nginx-deployment scaled"
    );
    assert_eq!(get("{.spec.replicas}"), "4");
}

#[test]
fn invalid_objects_are_refused_with_upstream_messages() {
    let server = TestServer::start();
    // The notes' ReplicaSet: its template has no labels.
    let replicaset = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: myapp-rs\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      name: mypod\n  template:\n    metadata:\n      name: mypod\n    spec:\n      containers:\n        - name: mypod\n          image: nginx\n";
    let output = server.kubectl_stdin(&["apply", "-f", "-"], Some(replicaset));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim(),
        "The ReplicaSet \"myapp-rs\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"
    );
    // The notes' pod manifest with a typo: strict field validation.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n    - name: nginx\n      image: nginx\n      ports:\n        - containerPorts: 80\n";
    let output = server.kubectl_stdin(&["apply", "-f", "-"], Some(pod));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("strict decoding error: unknown field \"spec.containers[0].ports[0].containerPorts\""),
        "{}",
        stderr(&output)
    );
    let missing = server.kubectl(&["get", "pods"]);
    assert_eq!(stderr(&missing).trim(), "No resources found in default namespace.", "nothing was stored");
}

#[test]
fn describe_shows_events_and_explain_shows_the_schema() {
    let server = TestServer::start();
    server.kubectl_ok(&["run", "nginx", "--image=nginx"]);
    let uid = server.kubectl_ok(&["get", "pod", "nginx", "-o", "jsonpath={.metadata.uid}"]);
    let event = format!(
        "apiVersion: v1\nkind: Event\nmetadata:\n  name: nginx.1\ninvolvedObject:\n  kind: Pod\n  name: nginx\n  namespace: default\n  uid: {uid}\nreason: Scheduled\nmessage: Successfully assigned default/nginx to node-1\ntype: Normal\nsource:\n  component: default-scheduler\ncount: 1\n"
    );
    server.kubectl_stdin(&["create", "-f", "-"], Some(&event));
    let described = server.kubectl_ok(&["describe", "pod", "nginx"]);
    assert!(
        described.contains("Scheduled") && described.contains("Successfully assigned default/nginx to node-1"),
        "{described}"
    );
    let explained = server.kubectl_ok(&["explain", "pod.spec.containers.ports"]);
    assert!(explained.contains("containerPort") && explained.contains("<integer>"), "{explained}");
    let events = server.kubectl_ok(&["get", "events"]);
    assert!(events.contains("pod/nginx") && events.contains("Scheduled"), "{events}");
}

#[test]
fn kubectl_create_generators_send_protobuf_and_work() {
    let server = TestServer::start();
    assert_eq!(
        server.kubectl_ok(&["create", "configmap", "cfg", "--from-literal=a=b"]).trim(),
        "configmap/cfg created"
    );
    assert_eq!(
        server.kubectl_ok(&["create", "secret", "generic", "s", "--from-literal=p=q"]).trim(),
        "secret/s created"
    );
    assert_eq!(server.kubectl_ok(&["create", "namespace", "team"]).trim(), "namespace/team created");
    assert_eq!(
        server.kubectl_ok(&["create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", "team"]).trim(),
        "deployment.apps/web created"
    );
    assert_eq!(server.kubectl_ok(&["get", "configmap", "cfg", "-o", "jsonpath={.data.a}"]), "b");
    assert_eq!(server.kubectl_ok(&["get", "secret", "s", "-o", "jsonpath={.data.p}"]), "cQ==");
    assert_eq!(server.kubectl_ok(&["get", "deploy", "web", "-n", "team", "-o", "jsonpath={.spec.replicas}"]), "2");
    let in_missing = server.kubectl(&["create", "configmap", "x", "-n", "nowhere"]);
    assert_eq!(stderr(&in_missing).trim(), "error: failed to create configmap: namespaces \"nowhere\" not found");
}
