//! `kctl cluster` end to end on Docker: kind's config in, one container per node named as
//! kind names them, the real kubectl against the merged kubeconfig. Every test uses its
//! own cluster name and a guard that removes the cluster's containers, volumes and network
//! by label even when the test fails; waits are deadlines, and KUBECONFIG is a temp file.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::kind::{Guard, NODE_LABEL, POD_LABEL};
use support::{eventually, stderr, stdout};

use support::docker::{busybox_image, docker, http_get, BUSYBOX as IMAGE};
const TIMEOUT: Duration = Duration::from_secs(120);
const NOTES_CONFIG: &str = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n  - role: worker\n";

/// `kubectl get nodes` rows as (name, status, roles), once `want` nodes are all Ready.
fn ready_nodes(cluster: &Guard, want: usize) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let ready = eventually(TIMEOUT, || {
        let output = cluster.kubectl(&["get", "nodes", "--no-headers"]);
        rows = stdout(&output)
            .lines()
            .map(|line| {
                let cells: Vec<&str> = line.split_whitespace().collect();
                (cells[0].to_string(), cells[1].to_string(), cells[2].to_string())
            })
            .collect();
        rows.len() == want && rows.iter().all(|(_, status, _)| status == "Ready")
    });
    assert!(ready, "nodes not all Ready: {rows:?}");
    rows
}

const NOTES_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
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
        image: IMAGE
        command: ["sh", "-c", "echo serving on port 80; exec busybox httpd -f -p 80"]
        ports:
        - containerPort: 80
"#;

#[test]
fn the_notes_three_node_cluster_runs_the_notes_deployment_on_its_workers() {
    busybox_image();
    let cluster = Guard::new("notes");
    let config = cluster.write("clusters.yml", NOTES_CONFIG);
    let created = cluster.create(Some(&config));
    let context = format!("kind-{}", cluster.name);
    assert!(stdout(&created).contains(&format!("Set kubectl context to \"{context}\"")), "{}", stdout(&created));
    assert!(stdout(&created).contains(&format!("kubectl cluster-info --context {context}")));
    let (control_plane, worker, worker2) = (
        format!("{}-control-plane", cluster.name),
        format!("{}-worker", cluster.name),
        format!("{}-worker2", cluster.name),
    );
    assert_eq!(cluster.containers(NODE_LABEL), vec![control_plane.clone(), worker.clone(), worker2.clone()]);
    assert_eq!(cluster.kubectl_ok(&["config", "current-context"]).trim(), context);

    let nodes = ready_nodes(&cluster, 3);
    let roles: Vec<(&str, &str)> = nodes.iter().map(|(n, _, r)| (n.as_str(), r.as_str())).collect();
    assert_eq!(
        roles,
        vec![(control_plane.as_str(), "control-plane"), (worker.as_str(), "<none>"), (worker2.as_str(), "<none>")]
    );

    let manifest = cluster.write("deployment.yml", &NOTES_DEPLOYMENT.replace("IMAGE", IMAGE));
    cluster.kubectl_ok(&["apply", "-f", &manifest.display().to_string()]);
    let mut available = String::new();
    let rolled_out = eventually(TIMEOUT, || {
        available = stdout(&cluster.kubectl(&[
            "get",
            "deployment",
            "nginx-deployment",
            "-o",
            "jsonpath={.status.availableReplicas}/{.status.replicas}",
        ]));
        available == "3/3"
    });
    assert!(
        rolled_out,
        "deployment is {available}; pods: {}",
        stdout(&cluster.kubectl(&["get", "pods", "-o", "wide"]))
    );

    let pods = cluster.kubectl_ok(&[
        "get",
        "pods",
        "-l",
        "app=nginx",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{\"\\n\"}{end}",
    ]);
    let pods: Vec<Vec<&str>> = pods.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(pods.len(), 3, "{pods:?}");
    for pod in &pods {
        // The control plane is tainted NoSchedule, as kind's.
        assert!(pod[1] == worker || pod[1] == worker2, "pod {} landed on {}", pod[0], pod[1]);
    }
    let taints = cluster.kubectl_ok(&["get", "node", &control_plane, "-o", "jsonpath={.spec.taints[*].key}"]);
    assert_eq!(taints, "node-role.kubernetes.io/control-plane");
    // Pods are sibling containers on the host's engine, labelled with cluster and node.
    assert!(cluster.containers(POD_LABEL).len() >= 6, "{:?}", cluster.containers(POD_LABEL));

    let (pod, ip) = (pods[0][0], pods[0][2]);
    let mut logs = String::new();
    let logged = eventually(TIMEOUT, || {
        logs = stdout(&cluster.kubectl(&["logs", pod]));
        logs.contains("serving on port 80")
    });
    assert!(logged, "kubectl logs {pod}: {logs:?}");
    let mut answer = None;
    let answered = eventually(TIMEOUT, || {
        answer = http_get(ip, 80);
        answer.as_deref().is_some_and(|a| a.starts_with("HTTP/1."))
    });
    assert!(answered, "pod IP {ip} did not answer HTTP: {answer:?}");
}

#[test]
fn the_default_single_node_cluster_runs_pods_on_its_control_plane() {
    busybox_image();
    let cluster = Guard::new("single");
    cluster.create(None);
    let nodes = ready_nodes(&cluster, 1);
    let node = format!("{}-control-plane", cluster.name);
    assert_eq!(nodes[0].0, node);
    // As kind: with no workers the control plane keeps its role label, not its taint.
    assert_eq!(nodes[0].2, "control-plane");
    assert_eq!(cluster.kubectl_ok(&["get", "node", &node, "-o", "jsonpath={.spec.taints}"]), "");
    cluster.kctl_ok(&["run", "web", &format!("--image={IMAGE}"), "--command", "--", "sleep", "3600"]);
    let mut placed = String::new();
    let running = eventually(TIMEOUT, || {
        placed = stdout(&cluster.kubectl(&["get", "pod", "web", "-o", "jsonpath={.status.phase} {.spec.nodeName}"]));
        placed == format!("Running {node}")
    });
    assert!(running, "pod web is {placed:?}: {}", stdout(&cluster.kubectl(&["describe", "pod", "web"])));
}

/// `make demo` (scripts/demo) on a cluster and kubeconfig of the test's own, with the
/// test's kctl: the notes' cluster, their deployment's 3 pods Running on the workers, the
/// page one serves, and what to try next.
#[test]
fn the_demo_runs_the_notes_deployment_on_the_notes_cluster() {
    /// Removes the demo's stand-in web image on drop, if the demo built it.
    struct WebImage(bool);
    impl Drop for WebImage {
        fn drop(&mut self) {
            if self.0 {
                let _ = Command::new("docker").args(["rmi", "nginx:latest"]).output();
            }
        }
    }
    let present = Command::new("docker").args(["image", "inspect", "nginx:latest"]).output();
    let had_web_image = present.is_ok_and(|o| o.status.success());
    // Dropped after the cluster's guard (declared later), once no pod uses the image.
    let _web_image = WebImage(!had_web_image);
    let cluster = Guard::new("demo");
    let output = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo"))
        .env("KCTL_DEMO_NAME", &cluster.name)
        .env("KCTL", env!("CARGO_BIN_EXE_kctl"))
        .env("KUBECONFIG", cluster.kubeconfig())
        .env("HOME", cluster.home.path())
        .env_remove("KIND_CLUSTER_NAME")
        .output()
        .expect("run scripts/demo");
    let (out, err) = (stdout(&output), stderr(&output));
    assert!(output.status.success(), "scripts/demo failed:\n{out}{err}");
    for expected in [
        "3/3 nginx pods Running on the workers",
        "$ kctl get nodes -o wide",
        "$ kctl get deploy,rs,pods -o wide",
        "kctl rollout undo deployment/nginx-deployment",
        &format!("kctl cluster delete --name {}", cluster.name),
    ] {
        assert!(out.contains(expected), "the demo did not print {expected:?}:\n{out}{err}");
    }
    if !had_web_image {
        assert!(out.contains("<h1>Hello from pod nginx-deployment-"), "no page shown:\n{out}");
    }

    let pods = cluster.kubectl_ok(&[
        "get",
        "pods",
        "-l",
        "app=nginx",
        "-o",
        "jsonpath={range .items[*]}{.status.phase} {.spec.nodeName}{\"\\n\"}{end}",
    ]);
    let workers = [format!("{}-worker", cluster.name), format!("{}-worker2", cluster.name)];
    let pods: Vec<(&str, &str)> = pods.lines().filter_map(|l| l.split_once(' ')).collect();
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(pods.iter().all(|(phase, node)| *phase == "Running" && workers.iter().any(|w| w == node)), "{pods:?}");

    cluster.kctl_ok(&["cluster", "delete", "--name", &cluster.name]);
    assert!(cluster.containers(NODE_LABEL).is_empty(), "{:?}", cluster.containers(NODE_LABEL));
    assert!(cluster.containers(POD_LABEL).is_empty(), "{:?}", cluster.containers(POD_LABEL));
}

#[test]
fn delete_removes_nodes_pods_network_and_kubeconfig_entries() {
    busybox_image();
    let cluster = Guard::new("delete");
    let config = cluster.write(
        "clusters.yml",
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n",
    );
    cluster.create(Some(&config));
    ready_nodes(&cluster, 2);
    cluster.kubectl_ok(&["run", "web", &format!("--image={IMAGE}"), "--command", "--", "sleep", "3600"]);
    let running = eventually(TIMEOUT, || {
        stdout(&cluster.kubectl(&["get", "pod", "web", "-o", "jsonpath={.status.phase}"])) == "Running"
    });
    assert!(running, "pod web did not run");
    assert!(!cluster.containers(POD_LABEL).is_empty());
    assert_eq!(cluster.networks().len(), 1);
    let listed = stdout(&cluster.kctl_ok(&["cluster", "list"]));
    assert!(listed.lines().any(|l| l == cluster.name), "{listed}");
    let nodes = stdout(&cluster.kctl_ok(&["cluster", "get", "nodes", "--name", &cluster.name]));
    assert_eq!(
        nodes.lines().collect::<Vec<_>>(),
        [format!("{}-control-plane", cluster.name), format!("{}-worker", cluster.name)]
    );
    let kubeconfig = stdout(&cluster.kctl_ok(&["cluster", "get", "kubeconfig", "--name", &cluster.name]));
    assert!(kubeconfig.contains(&format!("name: kind-{}", cluster.name)) && kubeconfig.contains("https://127.0.0.1:"));

    let deleted = cluster.kctl_ok(&["cluster", "delete", "-n", &cluster.name]);
    assert!(stderr(&deleted).contains(&format!("Deleting cluster \"{}\" ...", cluster.name)), "{}", stderr(&deleted));
    assert!(cluster.containers(NODE_LABEL).is_empty(), "{:?}", cluster.containers(NODE_LABEL));
    assert!(cluster.containers(POD_LABEL).is_empty(), "{:?}", cluster.containers(POD_LABEL));
    assert!(cluster.networks().is_empty());
    let config = std::fs::read_to_string(cluster.kubeconfig()).expect("kubeconfig");
    assert!(!config.contains(&format!("kind-{}", cluster.name)), "{config}");
    let listed = stdout(&cluster.kctl_ok(&["cluster", "list"]));
    assert!(!listed.lines().any(|l| l == cluster.name), "{listed}");
}

#[test]
fn creating_a_cluster_whose_name_exists_fails_and_leaves_it_alone() {
    let cluster = Guard::new("twice");
    cluster.create(None);
    let before = cluster.containers(NODE_LABEL);
    assert_eq!(before, vec![format!("{}-control-plane", cluster.name)]);
    let again = cluster.kctl(&["cluster", "create", "--name", &cluster.name]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains(&format!(
            "ERROR: failed to create cluster: node(s) already exist for a cluster with the name \"{}\"",
            cluster.name
        )),
        "{}",
        stderr(&again)
    );
    assert_eq!(cluster.containers(NODE_LABEL), before);
    // Still serving: one Ready control-plane node.
    let nodes = ready_nodes(&cluster, 1);
    assert_eq!(nodes[0].2, "control-plane");
}

#[test]
fn an_invalid_config_lists_every_problem_and_makes_nothing() {
    let cluster = Guard::new("invalid");
    let config = cluster.write(
        "clusters.yml",
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  apiServerPort: 99999\nnodes:\n- role: master\n",
    );
    let output =
        cluster.kctl(&["cluster", "create", "--name", &cluster.name, "--config", &config.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.starts_with("ERROR: failed to create cluster: invalid cluster config:"), "{text}");
    for problem in [
        "invalid apiServerPort: invalid port number: 99999",
        "invalid configuration for node 0: \"master\" is not a valid node role",
        "must have at least one control-plane node",
    ] {
        assert!(text.contains(problem), "{text} lacks {problem}");
    }
    assert!(cluster.containers(NODE_LABEL).is_empty());
}

#[test]
fn a_failed_create_removes_what_it_made() {
    // The configured API port is taken, so the control plane cannot start.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().unwrap().port();
    let cluster = Guard::new("fails");
    let config = cluster.write(
        "clusters.yml",
        &format!("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  apiServerPort: {port}\n"),
    );
    let output =
        cluster.kctl(&["cluster", "create", "--name", &cluster.name, "--config", &config.display().to_string()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("ERROR: failed to create cluster:"), "{}", stderr(&output));
    assert!(stderr(&output).contains(" ✗ Starting control-plane"), "{}", stderr(&output));
    assert!(cluster.containers(NODE_LABEL).is_empty(), "{:?}", cluster.containers(NODE_LABEL));
    assert!(cluster.networks().is_empty());
    drop(taken);
}

const AGENT_DAEMON_SET: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: IMAGE
        command: ["sh", "-c", "exec sleep 3600"]
"#;

#[test]
fn a_daemon_set_runs_on_both_workers_and_not_on_the_control_plane() {
    busybox_image();
    let cluster = Guard::new("daemonset");
    let config = cluster.write("clusters.yml", NOTES_CONFIG);
    cluster.create(Some(&config));
    ready_nodes(&cluster, 3);
    let manifest = cluster.write("daemonset.yml", &AGENT_DAEMON_SET.replace("IMAGE", IMAGE));
    cluster.kubectl_ok(&["apply", "-f", &manifest.display().to_string()]);

    let status = cluster.kubectl(&["rollout", "status", "daemonset/agent", "--timeout=120s"]);
    assert!(
        status.status.success(),
        "rollout status: {}{}; pods: {}",
        stdout(&status),
        stderr(&status),
        stdout(&cluster.kubectl(&["get", "pods", "-o", "wide"]))
    );
    assert!(stdout(&status).ends_with("daemon set \"agent\" successfully rolled out\n"), "{}", stdout(&status));
    let ours = cluster.kctl_ok(&["rollout", "status", "daemonset/agent"]);
    assert_eq!(stdout(&ours), "daemon set \"agent\" successfully rolled out\n");

    let nodes = cluster.kubectl_ok(&[
        "get",
        "pods",
        "-l",
        "app=agent",
        "-o",
        "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{\"\\n\"}{end}",
    ]);
    let mut nodes: Vec<&str> = nodes.lines().collect();
    nodes.sort();
    let want = [format!("{}-worker Running", cluster.name), format!("{}-worker2 Running", cluster.name)];
    assert_eq!(nodes, want, "one running pod per worker, none on the tainted control plane");
    let desired = cluster.kubectl_ok(&["get", "ds", "agent", "-o", "jsonpath={.status.desiredNumberScheduled}"]);
    assert_eq!(desired, "2");
}

#[test]
fn a_stopped_worker_stops_its_pods_and_a_restarted_one_runs_them_again_never_twice() {
    busybox_image();
    let cluster = Guard::new("stop");
    let config = cluster.write(
        "kind.yml",
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n",
    );
    cluster.create(Some(&config));
    ready_nodes(&cluster, 2);
    cluster.kubectl_ok(&["run", "sleeper", &format!("--image={IMAGE}"), "--command", "--", "sleep", "3600"]);
    let phase = || cluster.kubectl_ok(&["get", "pod", "sleeper", "-o", "jsonpath={.status.phase}"]);
    assert!(eventually(TIMEOUT, || phase() == "Running"), "{}", phase());
    let pod_filter = "label=kctl.io/pod=sleeper".to_string();
    let cluster_filter = cluster.label(POD_LABEL);
    let running = || {
        let args = ["ps", "-q", "--filter", &cluster_filter, "--filter", &pod_filter];
        docker(&args).split_whitespace().count()
    };
    assert_eq!(running(), 2, "the sandbox and the container run");

    let worker = format!("{}-worker", cluster.name);
    docker(&["stop", &worker]);
    assert_eq!(running(), 0, "the node's pods stopped with it");

    docker(&["start", &worker]);
    ready_nodes(&cluster, 2);
    // The kubelet is back and runs the pod again: one sandbox and one container.
    let restarts =
        || cluster.kubectl_ok(&["get", "pod", "sleeper", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"]);
    assert!(eventually(TIMEOUT, || restarts() == "1" && phase() == "Running"), "{} {}", phase(), restarts());
    assert_eq!(running(), 2, "never two containers for one pod");
}
