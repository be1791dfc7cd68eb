//! The DaemonSet controller on `kctl server --hollow-nodes 3`, driven by the real kubectl
//! and by kctl's rollout verbs (whose output must be kubectl's): one pod per eligible
//! node and none on the tainted one, a new node gets a pod and a removed one loses it,
//! a rolling update replaces one node at a time, and undo brings the old template back.

mod cli_common;
mod support;

use std::time::Duration;

use cli_common::{kctl, mask};
use serde_json::Value;
use support::{eventually, stdout, TestServer};

const WAIT: Duration = Duration::from_secs(30);
const FAILING: &str = "nignx:latest";

const DAEMON_SET: &str = "\
apiVersion: apps/v1
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
      - {name: agent, image: busybox}
";

fn start() -> TestServer {
    TestServer::start_with(&["--hollow-nodes", "3", "--hollow-failing-images", FAILING])
}

fn json(server: &TestServer, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&server.kubectl_ok(&all)).unwrap_or_default()
}

/// (node the pod targets, image, ready) of each live daemon pod, sorted.
fn daemon_pods(server: &TestServer) -> Vec<(String, String, bool)> {
    let list = json(server, &["get", "pods", "-l", "app=agent"]);
    let mut pods: Vec<(String, String, bool)> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            let node = p["spec"]["nodeName"].as_str().map(str::to_string).unwrap_or_else(|| {
                let terms = &p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
                terms["nodeSelectorTerms"][0]["matchFields"][0]["values"][0].as_str().unwrap_or_default().to_string()
            });
            let image = p["spec"]["containers"][0]["image"].as_str().unwrap_or_default().to_string();
            let ready = p["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            (node, image, ready)
        })
        .collect();
    pods.sort();
    pods
}

fn on(nodes: &[&str], image: &str) -> Vec<(String, String, bool)> {
    nodes.iter().map(|n| (n.to_string(), image.to_string(), true)).collect()
}

fn wait_for_pods(server: &TestServer, want: &[(String, String, bool)]) {
    let mut last = Vec::new();
    let settled = eventually(WAIT, || {
        last = daemon_pods(server);
        last == want
    });
    assert!(settled, "wanted {want:?}, found {last:?}");
}

fn apply(server: &TestServer, manifest: &str) {
    server.kubectl_stdin(&["apply", "-f", "-"], Some(manifest));
}

#[test]
fn daemon_pods_land_on_each_eligible_node_and_follow_nodes() {
    let server = start();
    assert!(eventually(WAIT, || server.kubectl(&["get", "node", "hollow-node-3"]).status.success()));
    server.kubectl_ok(&["taint", "node", "hollow-node-3", "node-role.kubernetes.io/control-plane:NoSchedule"]);
    apply(&server, DAEMON_SET);
    wait_for_pods(&server, &on(&["hollow-node-1", "hollow-node-2"], "busybox"));

    // Both rollout status implementations read the status as done.
    let status = server.kubectl_ok(&["rollout", "status", "ds/agent", "--timeout=30s"]);
    assert_eq!(status, "daemon set \"agent\" successfully rolled out\n");
    let ours = kctl(&server, &["rollout", "status", "ds/agent", "--timeout=30s"]);
    assert_eq!(stdout(&ours), status);
    let ds = json(&server, &["get", "ds", "agent"]);
    for field in ["desiredNumberScheduled", "currentNumberScheduled", "numberReady", "updatedNumberScheduled"] {
        assert_eq!(ds["status"][field], 2, "{field}: {}", ds["status"]);
    }
    assert_eq!(ds["status"]["numberMisscheduled"], 0);
    for args in [&["get", "ds", "-o", "wide"][..], &["describe", "ds", "agent"]] {
        let expected = mask(&server.kubectl_ok(args));
        assert_eq!(mask(&stdout(&kctl(&server, args))), expected, "{args:?}");
    }

    // Daemon pods tolerate what upstream's controller adds.
    let pod = &json(&server, &["get", "pods", "-l", "app=agent"])["items"][0];
    let tolerations: Vec<&str> =
        pod["spec"]["tolerations"].as_array().into_iter().flatten().filter_map(|t| t["key"].as_str()).collect();
    assert!(tolerations.contains(&"node.kubernetes.io/unschedulable"), "{tolerations:?}");
    assert!(pod["metadata"]["labels"]["controller-revision-hash"].is_string());

    // Untainting the node lets a pod on; a new node gets one; a deleted node loses it.
    server.kubectl_ok(&["taint", "node", "hollow-node-3", "node-role.kubernetes.io/control-plane:NoSchedule-"]);
    wait_for_pods(&server, &on(&["hollow-node-1", "hollow-node-2", "hollow-node-3"], "busybox"));
    apply(&server, "apiVersion: v1\nkind: Node\nmetadata:\n  name: extra-node\n");
    assert!(eventually(WAIT, || daemon_pods(&server).iter().any(|(node, _, _)| node == "extra-node")));
    server.kubectl_ok(&["delete", "node", "extra-node"]);
    wait_for_pods(&server, &on(&["hollow-node-1", "hollow-node-2", "hollow-node-3"], "busybox"));

    // A label selector narrows the nodes; pods on the others go.
    server.kubectl_ok(&["label", "node", "hollow-node-1", "agent=yes"]);
    server.kubectl_ok(&[
        "patch",
        "ds",
        "agent",
        "-p",
        r#"{"spec":{"template":{"spec":{"nodeSelector":{"agent":"yes"}}}}}"#,
    ]);
    wait_for_pods(&server, &on(&["hollow-node-1"], "busybox"));
}

#[test]
fn rolling_update_replaces_one_node_at_a_time_and_undo_restores_the_template() {
    let server = start();
    apply(&server, DAEMON_SET);
    let all = ["hollow-node-1", "hollow-node-2", "hollow-node-3"];
    wait_for_pods(&server, &on(&all, "busybox"));

    // A new image that never becomes ready: maxUnavailable 1 lets exactly one node go.
    server.kubectl_ok(&["set", "image", "ds/agent", &format!("agent={FAILING}")]);
    let mut last = Vec::new();
    let one_replaced = eventually(WAIT, || {
        last = daemon_pods(&server);
        last.iter().filter(|(_, image, _)| image == FAILING).count() == 1 && last.len() == 3
    });
    assert!(one_replaced, "{last:?}");
    let ds = json(&server, &["get", "ds", "agent"]);
    assert_eq!(ds["status"]["updatedNumberScheduled"], 1, "{}", ds["status"]);
    assert_eq!(ds["status"]["numberAvailable"], 2, "{}", ds["status"]);
    let waiting = kctl(&server, &["rollout", "status", "ds/agent", "--watch=false"]);
    assert_eq!(
        stdout(&waiting),
        "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...\n"
    );
    let old = daemon_pods(&server);
    assert_eq!(old.iter().filter(|(_, image, ready)| image == "busybox" && *ready).count(), 2, "{old:?}");

    // History lists both revisions, as kubectl prints it.
    let history = server.kubectl_ok(&["rollout", "history", "ds/agent"]);
    assert_eq!(history, "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n");
    assert_eq!(stdout(&kctl(&server, &["rollout", "history", "ds/agent"])), history);
    let revision = server.kubectl_ok(&["rollout", "history", "ds/agent", "--revision=1"]);
    assert_eq!(stdout(&kctl(&server, &["rollout", "history", "ds/agent", "--revision=1"])), revision);
    assert!(revision.contains("busybox"), "{revision}");

    // Undo (kctl's) puts the old template back and every node runs it again.
    let undo = kctl(&server, &["rollout", "undo", "ds/agent"]);
    assert_eq!(stdout(&undo), "daemonset.apps/agent rolled back\n", "{}", support::stderr(&undo));
    wait_for_pods(&server, &on(&all, "busybox"));
    let revisions = json(&server, &["get", "controllerrevisions", "-l", "app=agent"]);
    let mut numbers: Vec<i64> =
        revisions["items"].as_array().into_iter().flatten().filter_map(|r| r["revision"].as_i64()).collect();
    numbers.sort();
    assert_eq!(numbers, [2, 3], "the old revision comes back as the newest");
    let again = server.kubectl_ok(&["rollout", "undo", "ds/agent", "--to-revision=3"]);
    assert_eq!(again, "daemonset.apps/agent skipped rollback (current template already matches revision 3)\n");
    let ours = kctl(&server, &["rollout", "undo", "ds/agent", "--to-revision=3"]);
    assert_eq!(stdout(&ours), again);

    // A healthy update goes through to the end.
    server.kubectl_ok(&["set", "image", "ds/agent", "agent=busybox:2"]);
    let done = server.kubectl_ok(&["rollout", "status", "ds/agent", "--timeout=60s"]);
    assert!(done.ends_with("daemon set \"agent\" successfully rolled out\n"), "{done}");
    wait_for_pods(&server, &on(&all, "busybox:2"));

    // Daemon sets cannot be paused: kubectl's error, kubectl's exit code.
    let ours = kctl(&server, &["rollout", "pause", "ds/agent"]);
    let theirs = server.kubectl(&["rollout", "pause", "ds/agent"]);
    assert_eq!((ours.status.code(), support::stderr(&ours)), (theirs.status.code(), support::stderr(&theirs)));
}

#[test]
fn surge_starts_the_new_pod_before_the_old_one_goes() {
    let server = start();
    let manifest = DAEMON_SET.replace(
        "spec:\n  selector:",
        "spec:\n  updateStrategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n  selector:",
    );
    apply(&server, &manifest);
    let all = ["hollow-node-1", "hollow-node-2", "hollow-node-3"];
    wait_for_pods(&server, &on(&all, "busybox"));
    server.kubectl_ok(&["set", "image", "ds/agent", &format!("agent={FAILING}")]);
    let mut last = Vec::new();
    let surged = eventually(WAIT, || {
        last = daemon_pods(&server);
        last.len() == 4 && last.iter().filter(|(_, image, _)| image == FAILING).count() == 1
    });
    assert!(surged, "one node runs old and new side by side: {last:?}");
    assert_eq!(last.iter().filter(|(_, image, ready)| image == "busybox" && *ready).count(), 3);
}
