//! `kctl apply` against a real `kctl server` (apiserver only), with the real kubectl v1.32
//! as the reference: kubectl works in one namespace, kctl in another, with the same
//! files; outputs and the objects left behind must match.

mod cli_common;
mod support;

use cli_common::mutate::{both, same, same_objects, start, OURS};
use support::stdout;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        env: [{name: A, value: \"1\"}, {name: B, value: \"2\"}]
        ports: [{containerPort: 80}]
      - name: sidecar
        image: busybox
";

/// The deployment with the image and replicas changed, a label, an env var and the
/// sidecar container removed from the file.
const DEPLOYMENT_CHANGED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
        env: [{name: B, value: \"2\"}]
        ports: [{containerPort: 80}]
";

const MULTI: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {k: v}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
";

#[test]
fn create_unchanged_and_configured_match_kubectl() {
    let server = start();
    server.write("deploy.yaml", DEPLOYMENT);
    server.write("changed.yaml", DEPLOYMENT_CHANGED);
    let out = both(&server, &["apply", "-f", "deploy.yaml"], None);
    assert_eq!(stdout(&out), "deployment.apps/web created\n");
    same_objects(&server, "deployment", "web");
    let out = both(&server, &["apply", "-f", "deploy.yaml"], None);
    assert_eq!(stdout(&out), "deployment.apps/web unchanged\n");
    let out = both(&server, &["apply", "-f", "changed.yaml"], None);
    assert_eq!(stdout(&out), "deployment.apps/web configured\n");
    same_objects(&server, "deployment", "web");
    let kept = cli_common::mutate::object(&server, "deployment", "web", OURS).expect("deployment");
    assert_eq!(kept["metadata"]["labels"], serde_json::json!({"app": "web"}), "removed label is gone");
    assert_eq!(kept["spec"]["template"]["spec"]["containers"].as_array().map(Vec::len), Some(1));
    both(&server, &["apply", "-f", "changed.yaml"], None);
}

#[test]
fn multiple_documents_directories_and_stdin_match_kubectl() {
    let server = start();
    server.write("multi.yaml", MULTI);
    both(&server, &["apply", "-f", "multi.yaml"], None);
    same_objects(&server, "configmap", "one");
    same_objects(&server, "service", "svc");
    std::fs::create_dir_all(server.dir.path().join("dir/sub")).expect("dir");
    server.write("dir/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"1\"}\n");
    server.write("dir/b.json", r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}"#);
    server.write("dir/notes.txt", "not a manifest");
    server.write("dir/sub/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    both(&server, &["apply", "-f", "dir"], None);
    both(&server, &["apply", "-R", "-f", "dir"], None);
    same_objects(&server, "configmap", "c");
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\ndata: {k: v}\n";
    both(&server, &["apply", "-f", "-"], Some(input));
    same_objects(&server, "configmap", "piped");
    both(&server, &["apply", "-f", "-", "-o", "name"], Some(input));
}

#[test]
fn server_side_apply_and_its_conflicts_match_kubectl() {
    let server = start();
    server.write("deploy.yaml", DEPLOYMENT);
    server.write("changed.yaml", DEPLOYMENT_CHANGED);
    both(&server, &["apply", "--server-side", "-f", "deploy.yaml"], None);
    same_objects(&server, "deployment", "web");
    server.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {k: v}\n");
    server.write("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {k: w}\n");
    both(&server, &["apply", "-f", "cm.yaml"], None);
    let out = both(&server, &["apply", "--server-side", "-f", "cm2.yaml"], None);
    assert_eq!(out.status.code(), Some(1));
    both(&server, &["apply", "--server-side", "--force-conflicts", "-f", "cm2.yaml"], None);
    same_objects(&server, "configmap", "owned");
}

#[test]
fn applying_over_a_created_object_warns_and_patches_as_kubectl() {
    let server = start();
    server.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {k: v, j: w}\n");
    server.write("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {k: changed}\n");
    both(&server, &["create", "-f", "cm.yaml"], None);
    both(&server, &["apply", "-f", "cm2.yaml"], None);
    same_objects(&server, "configmap", "plain");
}

#[test]
fn dry_runs_change_nothing_as_kubectl() {
    let server = start();
    server.write("deploy.yaml", DEPLOYMENT);
    both(&server, &["apply", "-f", "deploy.yaml", "--dry-run=client"], None);
    both(&server, &["apply", "-f", "deploy.yaml", "--dry-run=server"], None);
    same_objects(&server, "deployment", "web");
    assert!(cli_common::mutate::object(&server, "deployment", "web", OURS).is_none());
}

#[test]
fn errors_read_as_kubectl() {
    let server = start();
    server.write(
        "syntax.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n data: x\n",
    );
    both(&server, &["apply", "-f", "syntax.yaml"], None);
    same_objects(&server, "configmap", "ok");
    server.write("widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
    both(&server, &["apply", "--validate=false", "-f", "widget.yaml"], None);
    server.write("invalid.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inv\n  labels: {a: \"<b>\"}\n");
    both(&server, &["apply", "-f", "invalid.yaml"], None);
    server.write("elsewhere.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: missing}\n");
    same(&server, &["apply", "-f", "elsewhere.yaml"]);
    same(&server, &["apply", "-f", "nope.yaml"]);
    same(&server, &["apply"]);
}
