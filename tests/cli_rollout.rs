//! `kctl rollout` and `kctl set image` against a `kctl server` running the apiserver
//! alone, with the real kubectl v1.32 as the reference. The ReplicaSets and the
//! deployment status are written here the way the deployment controller would, so
//! history, undo and status are deterministic.

mod cli_common;
mod support;

use cli_common::{same_as_kubectl, same_change_as_kubectl, same_usage_error_as_kubectl, start_static};
use support::TestServer;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {deployment.kubernetes.io/revision: "2"}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.17"}
      - {name: sidecar, image: busybox, command: [sleep, "3600"]}
"#;

/// One ReplicaSet of the deployment as the controller makes it.
fn replica_set(uid: &str, revision: u32, image: &str, cause: Option<&str>) -> String {
    let cause = cause.map(|c| format!(", kubernetes.io/change-cause: \"{c}\"")).unwrap_or_default();
    format!(
        r#"apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-rev{revision}
  labels: {{app: web, pod-template-hash: "h{revision}"}}
  annotations: {{deployment.kubernetes.io/revision: "{revision}"{cause}}}
  ownerReferences:
  - {{apiVersion: apps/v1, kind: Deployment, name: web, uid: "{uid}", controller: true, blockOwnerDeletion: true}}
spec:
  replicas: 0
  selector: {{matchLabels: {{app: web, pod-template-hash: "h{revision}"}}}}
  template:
    metadata: {{labels: {{app: web, pod-template-hash: "h{revision}"}}}}
    spec:
      containers:
      - {{name: nginx, image: "{image}"}}
      - {{name: sidecar, image: busybox, command: [sleep, "3600"]}}
"#
    )
}

/// A deployment at revision 2 (nginx:1.17) with revision 1 (nginx:1.16) in its history,
/// and a status saying 1 of 3 replicas are updated.
fn rollout_fixture() -> TestServer {
    let server = start_static();
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(DEPLOYMENT));
    assert!(out.status.success(), "deployment: {}", support::stderr(&out));
    let uid = server.kubectl_ok(&["get", "deploy", "web", "-o", "jsonpath={.metadata.uid}"]);
    let sets = format!(
        "{}---\n{}",
        replica_set(&uid, 1, "nginx:1.16", None),
        replica_set(&uid, 2, "nginx:1.17", Some("kubectl set image deployment/web nginx=nginx:1.17"))
    );
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&sets));
    assert!(out.status.success(), "replica sets: {}", support::stderr(&out));
    set_status(
        &server,
        r#"{"status":{"observedGeneration":1,"replicas":3,"updatedReplicas":1,"availableReplicas":0}}"#,
    );
    server
}

fn set_status(server: &TestServer, patch: &str) {
    server.kubectl_ok(&["patch", "deployment", "web", "--subresource=status", "--type=merge", "-p", patch]);
}

#[test]
fn history_matches_kubectl() {
    let server = rollout_fixture();
    for args in [
        &["rollout", "history", "deployment/web"][..],
        &["rollout", "history", "deploy", "web"],
        &["rollout", "history", "deployment/web", "--revision=1"],
        &["rollout", "history", "deployment/web", "--revision=2"],
        &["rollout", "history", "deployment/web", "--revision=7"],
        &["rollout", "history", "deployment/nope"],
    ] {
        same_as_kubectl(&server, args);
    }
}

#[test]
fn status_waits_and_times_out_like_kubectl() {
    let server = rollout_fixture();
    same_as_kubectl(&server, &["rollout", "status", "deployment/web", "--timeout=2s"]);
    same_as_kubectl(&server, &["rollout", "status", "deployment/web", "--watch=false"]);
    set_status(&server, r#"{"status":{"updatedReplicas":3,"availableReplicas":2}}"#);
    same_as_kubectl(&server, &["rollout", "status", "deploy/web", "--timeout=2s"]);
    set_status(&server, r#"{"status":{"availableReplicas":3}}"#);
    same_as_kubectl(&server, &["rollout", "status", "deployment/web"]);
    set_status(
        &server,
        r#"{"status":{"availableReplicas":1,"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"stuck"}]}}"#,
    );
    same_as_kubectl(&server, &["rollout", "status", "deploy", "web"]);
    same_as_kubectl(&server, &["rollout", "status", "deployment/nope"]);
}

/// `--timeout` is a Go duration: a bad or overflowing one is a usage error in cobra's
/// words (never a panic).
#[test]
fn status_refuses_bad_timeouts_as_kubectl() {
    for value in ["100000000000000000000s", "2562048h", "abc", "5", "1h-1m"] {
        same_usage_error_as_kubectl(&["rollout", "status", "deployment/web", &format!("--timeout={value}")]);
    }
}

#[test]
fn undo_matches_kubectl() {
    same_change_as_kubectl(rollout_fixture, &["rollout", "undo", "deployment/web"], &["deploy/web"]);
    same_change_as_kubectl(rollout_fixture, &["rollout", "undo", "deployment/web", "--to-revision=1"], &["deploy/web"]);
    same_change_as_kubectl(rollout_fixture, &["rollout", "undo", "deployment/web", "--to-revision=2"], &["deploy/web"]);
    same_change_as_kubectl(rollout_fixture, &["rollout", "undo", "deployment/web", "--to-revision=9"], &["deploy/web"]);
}

#[test]
fn pause_resume_restart_match_kubectl() {
    same_change_as_kubectl(rollout_fixture, &["rollout", "pause", "deployment/web"], &["deploy/web"]);
    same_change_as_kubectl(rollout_fixture, &["rollout", "resume", "deployment/web"], &["deploy/web"]);
    let paused = || {
        let server = rollout_fixture();
        server.kubectl_ok(&["rollout", "pause", "deployment/web"]);
        server
    };
    same_change_as_kubectl(paused, &["rollout", "pause", "deployment/web"], &["deploy/web"]);
    same_change_as_kubectl(paused, &["rollout", "resume", "deployment/web"], &["deploy/web"]);
    same_change_as_kubectl(paused, &["rollout", "undo", "deployment/web"], &["deploy/web"]);
    same_change_as_kubectl(paused, &["rollout", "restart", "deployment/web"], &["deploy/web"]);
    // The restart time is masked; the annotation's presence is what is compared.
    same_change_as_kubectl(rollout_fixture, &["rollout", "restart", "deployment/web"], &["deploy/web"]);
}

#[test]
fn set_image_matches_kubectl() {
    for args in [
        &["set", "image", "deployment/web", "nginx=nginx:1.18"][..],
        &["set", "image", "deployment", "web", "nginx=nginx:1.18", "sidecar=busybox:1.36"],
        &["set", "image", "deployment/web", "*=alpine"],
        &["set", "image", "deployment/web", "nginx=nginx:1.17"],
        &["set", "image", "deployment/web", "nope=nginx"],
        &["set", "image", "deployment/nope", "nginx=nginx"],
        &["set", "image", "deployment/web"],
    ] {
        same_change_as_kubectl(rollout_fixture, args, &["deploy/web"]);
    }
}
