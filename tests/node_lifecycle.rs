//! The node lifecycle controller against a real `kctl server` with two hollow nodes and a
//! third Node whose Lease nobody renews: it goes NotReady (conditions Unknown), gets the
//! unreachable taints, its pods are evicted once their default toleration (here the
//! 2 s `--pod-eviction-timeout`) ends and the ReplicaSet recreates them on the hollow
//! nodes (marked DisruptionTarget first); when its heartbeats come back the taints go.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::{watcher, WatchStreamExt};

use chrono::{SecondsFormat, Utc};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{json, Value};
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);
const SILENT: &str = "silent-node";

const REPLICASET: &str = "\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
";

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a kubelet posts: Ready with a fresh heartbeat, and room for pods.
fn ready_status() -> Value {
    let resources = json!({"cpu": "4", "memory": "16Gi", "pods": "110"});
    json!({"status": {"capacity": resources, "allocatable": resources, "conditions": [
        {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
         "lastHeartbeatTime": now(), "lastTransitionTime": now()}]}})
}

async fn renew_lease(leases: &Api<Lease>) {
    let renew = json!({"spec": {"renewTime": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)}});
    leases.patch(SILENT, &PatchParams::default(), &Patch::Merge(renew)).await.expect("renew the lease");
}

fn node_json(server: &TestServer, name: &str) -> Value {
    serde_json::from_slice(&server.kubectl(&["get", "node", name, "-o", "json"]).stdout).unwrap_or_default()
}

fn taint_keys(node: &Value) -> Vec<String> {
    node["spec"]["taints"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| format!("{}:{}", t["key"].as_str().unwrap_or(""), t["effect"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

fn web_pods(server: &TestServer) -> Vec<Value> {
    let output = server.kubectl(&["get", "pods", "-l", "app=web", "-o", "json"]);
    let list: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    list["items"].as_array().cloned().unwrap_or_default()
}

fn node_of(pod: &Value) -> &str {
    pod["spec"]["nodeName"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_nodes_are_tainted_and_their_pods_move() {
    let server = TestServer::start_with(&[
        "--hollow-nodes",
        "2",
        "--node-monitor-grace-period",
        "4s",
        "--pod-eviction-timeout",
        "2s",
    ]);
    let client = server.client().await;
    let nodes: Api<Node> = Api::all(client.clone());
    let leases: Api<Lease> = Api::namespaced(client.clone(), "kube-node-lease");
    assert!(eventually(WAIT, || server.kubectl_ok(&["get", "nodes"]).matches(" Ready ").count() == 2));

    // A third node, alive for now; the hollow ones are cordoned so the pods land on it.
    let node: Node = serde_json::from_value(json!({"metadata": {"name": SILENT,
        "labels": {"kubernetes.io/hostname": SILENT}}, "spec": {}}))
    .unwrap();
    nodes.create(&PostParams::default(), &node).await.expect("create the node");
    nodes.patch_status(SILENT, &PatchParams::default(), &Patch::Merge(ready_status())).await.expect("node status");
    let lease: Lease = serde_json::from_value(json!({"metadata": {"name": SILENT, "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": SILENT, "leaseDurationSeconds": 40,
                 "renewTime": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)}}))
    .unwrap();
    leases.create(&PostParams::default(), &lease).await.expect("create the lease");
    // Its "kubelet" renews the lease until the pods are placed, however slow the machine.
    let heartbeat = {
        let leases = leases.clone();
        tokio::spawn(async move {
            loop {
                renew_lease(&leases).await;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };
    server.kubectl_ok(&["cordon", "hollow-node-1", "hollow-node-2"]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(REPLICASET));
    assert!(
        eventually(WAIT, || {
            let pods = web_pods(&server);
            pods.len() == 2 && pods.iter().all(|p| node_of(p) == SILENT)
        }),
        "{:?}",
        web_pods(&server)
    );
    let tolerations = web_pods(&server)[0]["spec"]["tolerations"].clone();
    assert!(
        tolerations.as_array().is_some_and(|t| t
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["tolerationSeconds"] == 2)),
        "the default toleration follows --pod-eviction-timeout: {tolerations}"
    );
    let first_pods: Vec<String> = web_pods(&server).iter().map(|p| p["metadata"]["name"].to_string()).collect();
    heartbeat.abort();
    // Watches for the DisruptionTarget condition evicted pods get just before they go.
    let disrupted = Arc::new(AtomicBool::new(false));
    let watching = {
        let (pods, disrupted) = (Api::<Pod>::default_namespaced(client.clone()), disrupted.clone());
        tokio::spawn(async move {
            let events =
                watcher(pods, watcher::Config::default().labels("app=web")).default_backoff().applied_objects();
            let mut events = std::pin::pin!(events);
            while let Some(Ok(pod)) = events.next().await {
                let conditions = pod.status.and_then(|s| s.conditions).unwrap_or_default();
                if conditions
                    .iter()
                    .any(|c| c.type_ == "DisruptionTarget" && c.reason.as_deref() == Some("DeletionByTaintManager"))
                {
                    disrupted.store(true, Ordering::SeqCst);
                }
            }
        })
    };
    server.kubectl_ok(&["uncordon", "hollow-node-1", "hollow-node-2"]);

    // Nobody renews the lease: NotReady, Unknown conditions, unreachable taints.
    assert!(
        eventually(WAIT, || server
            .kubectl_ok(&["get", "nodes"])
            .lines()
            .any(|l| l.starts_with(SILENT) && l.contains("NotReady"))),
        "{}",
        server.kubectl_ok(&["get", "nodes"])
    );
    let silent = node_json(&server, SILENT);
    let ready = silent["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready").cloned())
        .unwrap_or_default();
    assert_eq!(ready["status"], "Unknown");
    assert_eq!(ready["reason"], "NodeStatusUnknown");
    assert_eq!(ready["message"], "Kubelet stopped posting node status.");
    assert!(eventually(WAIT, || {
        let keys = taint_keys(&node_json(&server, SILENT));
        keys.contains(&"node.kubernetes.io/unreachable:NoExecute".to_string())
            && keys.contains(&"node.kubernetes.io/unreachable:NoSchedule".to_string())
    }));
    let taints = node_json(&server, SILENT)["spec"]["taints"].clone();
    assert!(taints.as_array().is_some_and(|t| t.iter().all(|t| t["timeAdded"].is_string())), "{taints}");
    let described = server.kubectl_ok(&["describe", "node", SILENT]);
    assert!(described.contains("node.kubernetes.io/unreachable:NoExecute"), "{described}");

    // The pods go after their 2 s toleration and come back on the hollow nodes.
    assert!(
        eventually(WAIT, || {
            let pods = web_pods(&server);
            pods.len() == 2
                && pods.iter().all(|p| node_of(p).starts_with("hollow-node-"))
                && pods.iter().all(|p| !first_pods.contains(&p["metadata"]["name"].to_string()))
        }),
        "{:?}",
        web_pods(&server)
    );
    assert!(eventually(WAIT, || disrupted.load(Ordering::SeqCst)), "no pod was marked DisruptionTarget");
    watching.abort();
    let events = server.kubectl_ok(&["get", "events"]);
    assert!(
        events.contains("TaintManagerEviction") && events.contains("Marking for deletion Pod default/web-"),
        "{events}"
    );
    assert!(events.contains("NodeNotReady"), "{events}");
    // The hollow nodes, whose leases are renewed, stay Ready and untainted.
    for hollow in ["hollow-node-1", "hollow-node-2"] {
        assert!(taint_keys(&node_json(&server, hollow)).is_empty(), "{hollow} was tainted");
    }

    // Heartbeats again (lease and status, as a kubelet does): the taints go.
    renew_lease(&leases).await;
    nodes.patch_status(SILENT, &PatchParams::default(), &Patch::Merge(ready_status())).await.expect("node status");
    let healed = eventually(WAIT, || taint_keys(&node_json(&server, SILENT)).is_empty());
    assert!(healed, "{:?}", taint_keys(&node_json(&server, SILENT)));
    assert!(server.kubectl_ok(&["get", "nodes"]).lines().any(|l| l.starts_with(SILENT) && l.contains(" Ready ")));

    // A hollow kubelet corrects a Ready condition someone else changed, as a kubelet does.
    let unknown = json!({"status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
        "message": "Kubelet stopped posting node status.", "lastHeartbeatTime": now(), "lastTransitionTime": now()}]}});
    nodes.patch_status("hollow-node-1", &PatchParams::default(), &Patch::Merge(unknown)).await.expect("mark unknown");
    assert!(
        eventually(WAIT, || server
            .kubectl_ok(&["get", "nodes"])
            .lines()
            .any(|l| l.starts_with("hollow-node-1 ") && l.contains(" Ready "))),
        "{}",
        server.kubectl_ok(&["get", "nodes"])
    );
}
