//! The controller-manager against a real `kctl server`, driven by the real kubectl: the
//! replicaset and replication controllers, the garbage collector, and leader election.
//! No scheduler is assumed, so tests look at Pod objects, never at them running.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(30);

const REPLICASET: &str = "\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: nginx-replicaset
  labels:
    app: nginx
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

const REPLICATION_CONTROLLER: &str = "\
apiVersion: v1
kind: ReplicationController
metadata:
  name: myapp-rc
spec:
  replicas: 3
  template:
    metadata:
      name: mypod
      labels:
        app: fronted
    spec:
      containers:
        - name: mypod
          image: nginx
";

/// Pods matching `selector` that are not being deleted.
fn pods(server: &TestServer, selector: &str) -> Vec<Value> {
    let output = server.kubectl(&["get", "pods", "-l", selector, "-o", "json"]);
    if !output.status.success() {
        return Vec::new();
    }
    let list: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
        .collect()
}

fn name(object: &Value) -> String {
    object["metadata"]["name"].as_str().unwrap_or_default().to_string()
}

fn controller_name(pod: &Value) -> Option<String> {
    pod["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)
        .map(|r| format!("{}/{}", r["kind"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default()))
}

fn apply(server: &TestServer, manifest: &str) {
    let path = server.write("manifest.yaml", manifest);
    server.kubectl_ok(&["apply", "-f", path.to_str().expect("utf-8 path")]);
}

/// Waits until exactly `count` pods match and all are controlled by `owner`.
fn wait_for_owned_pods(server: &TestServer, selector: &str, owner: &str, count: usize) -> Vec<Value> {
    let mut last = Vec::new();
    let settled = eventually(WAIT, || {
        last = pods(server, selector);
        last.len() == count && last.iter().all(|p| controller_name(p).as_deref() == Some(owner))
    });
    assert!(
        settled,
        "expected {count} pods of {owner}, found {:?}",
        last.iter().map(|p| (name(p), controller_name(p))).collect::<Vec<_>>()
    );
    last
}

#[test]
fn replicaset_creates_replaces_and_trims_pods() {
    let server = TestServer::start();
    apply(&server, REPLICASET);
    let first = wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    for pod in &first {
        assert!(name(pod).starts_with("nginx-replicaset-"), "{}", name(pod));
        let reference = &pod["metadata"]["ownerReferences"][0];
        assert_eq!(reference["blockOwnerDeletion"], true);
        assert_eq!(reference["apiVersion"], "apps/v1");
    }

    // Events as upstream words them, shown by describe.
    assert!(eventually(WAIT, || {
        let describe = server.kubectl_ok(&["describe", "rs", "nginx-replicaset"]);
        describe.contains("SuccessfulCreate") && describe.contains(&format!("Created pod: {}", name(&first[0])))
    }));

    // Status follows the pods.
    assert!(eventually(WAIT, || {
        server.kubectl_ok(&["get", "rs", "nginx-replicaset", "-o", "jsonpath={.status.replicas}"]) == "3"
    }));

    // A deleted pod is replaced.
    let victim = name(&first[0]);
    server.kubectl_ok(&["delete", "pod", &victim, "--wait=false"]);
    let replaced = wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    assert!(replaced.iter().all(|p| name(p) != victim));

    // A hand-made pod with the same label is one too many: the count goes back to 3.
    server.kubectl_ok(&["run", "nginx-pod", "--image=nginx", "--labels=app=nginx"]);
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    assert!(eventually(WAIT, || {
        let describe = server.kubectl_ok(&["describe", "rs", "nginx-replicaset"]);
        describe.contains("SuccessfulDelete") && describe.contains("Deleted pod: ")
    }));

    // Scaling down deletes the surplus.
    server.kubectl_ok(&["scale", "rs/nginx-replicaset", "--replicas=1"]);
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 1);
    assert!(eventually(WAIT, || {
        server.kubectl_ok(&["get", "rs", "nginx-replicaset", "-o", "jsonpath={.status.replicas}"]) == "1"
    }));
}

#[test]
fn replicaset_releases_pods_that_stop_matching() {
    let server = TestServer::start();
    apply(&server, REPLICASET);
    let first = wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    let relabelled = name(&first[0]);
    server.kubectl_ok(&["label", "pod", &relabelled, "app=debug", "--overwrite"]);
    // Released (no owner any more) and replaced.
    assert!(eventually(WAIT, || {
        pods(&server, "app=debug").iter().any(|p| name(p) == relabelled && controller_name(p).is_none())
    }));
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
}

#[test]
fn replication_controller_keeps_its_pods() {
    let server = TestServer::start();
    apply(&server, REPLICATION_CONTROLLER);
    let first = wait_for_owned_pods(&server, "app=fronted", "ReplicationController/myapp-rc", 3);
    let victim = name(&first[0]);
    server.kubectl_ok(&["delete", "pod", &victim, "--wait=false"]);
    let replaced = wait_for_owned_pods(&server, "app=fronted", "ReplicationController/myapp-rc", 3);
    assert!(replaced.iter().all(|p| name(p) != victim));
    server.kubectl_ok(&["scale", "rc/myapp-rc", "--replicas=1"]);
    wait_for_owned_pods(&server, "app=fronted", "ReplicationController/myapp-rc", 1);
    assert!(eventually(WAIT, || {
        let describe = server.kubectl_ok(&["describe", "rc", "myapp-rc"]);
        describe.contains("SuccessfulCreate") && describe.contains("SuccessfulDelete")
    }));
}

fn replicaset_with_finalizer(finalizer: &str) -> String {
    REPLICASET.replacen("  labels:\n    app: nginx\n", &format!("  finalizers: [{finalizer}]\n"), 1)
}

fn replicaset_exists(server: &TestServer) -> bool {
    server.kubectl(&["get", "rs", "nginx-replicaset"]).status.success()
}

#[test]
fn garbage_collector_cascades_deletion() {
    let server = TestServer::start();

    // Background (kubectl's default): the owner goes at once, the collector removes its pods.
    apply(&server, REPLICASET);
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    server.kubectl_ok(&["delete", "rs", "nginx-replicaset"]);
    assert!(eventually(WAIT, || pods(&server, "app=nginx").is_empty()), "pods outlived their replicaset");

    // Foreground: the pods go, then the owner.
    apply(&server, REPLICASET);
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    server.kubectl_ok(&["delete", "rs", "nginx-replicaset", "--cascade=foreground"]);
    assert!(eventually(WAIT, || pods(&server, "app=nginx").is_empty() && !replicaset_exists(&server)));

    // Orphan: the owner goes, its pods stay, without a reference to it.
    apply(&server, REPLICASET);
    let orphans = wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    server.kubectl_ok(&["delete", "rs", "nginx-replicaset", "--cascade=orphan"]);
    assert!(eventually(WAIT, || !replicaset_exists(&server)));
    let kept = wait_for_owned_pods_none(&server, "app=nginx", 3);
    let mut before: Vec<_> = orphans.iter().map(name).collect();
    let mut after: Vec<_> = kept.iter().map(name).collect();
    before.sort();
    after.sort();
    assert_eq!(before, after);
}

/// Waits until exactly `count` pods match and none has a controller.
fn wait_for_owned_pods_none(server: &TestServer, selector: &str, count: usize) -> Vec<Value> {
    let mut last = Vec::new();
    let settled = eventually(WAIT, || {
        last = pods(server, selector);
        last.len() == count && last.iter().all(|p| p.pointer("/metadata/ownerReferences").is_none())
    });
    assert!(settled, "expected {count} orphaned pods, found {:?}", last.iter().map(name).collect::<Vec<_>>());
    last
}

#[test]
fn garbage_collector_honours_finalizers_set_by_other_clients() {
    let server = TestServer::start();

    // An owner carrying foregroundDeletion itself: deleted plainly, it still waits for its pods.
    apply(&server, &replicaset_with_finalizer("foregroundDeletion"));
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    server.kubectl_ok(&["delete", "rs", "nginx-replicaset", "--wait=false"]);
    assert!(eventually(WAIT, || pods(&server, "app=nginx").is_empty() && !replicaset_exists(&server)));

    // An owner carrying orphan: its pods are released, then it goes.
    apply(&server, &replicaset_with_finalizer("orphan"));
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    server.kubectl_ok(&["delete", "rs", "nginx-replicaset", "--wait=false"]);
    assert!(eventually(WAIT, || !replicaset_exists(&server)));
    wait_for_owned_pods_none(&server, "app=nginx", 3);
}

#[test]
fn garbage_collector_deletes_objects_whose_owner_never_existed() {
    let server = TestServer::start();
    let manifest = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: dangling
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: nobody
    uid: 00000000-0000-0000-0000-000000000000
";
    apply(&server, manifest);
    assert!(eventually(WAIT, || !server.kubectl(&["get", "configmap", "dangling"]).status.success()));
}
