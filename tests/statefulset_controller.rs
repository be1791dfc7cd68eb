//! The StatefulSet controller on `kctl server --hollow-nodes 2`, driven by the real kubectl
//! and kctl's verbs: ordinal pods in order (OrderedReady waits for Ready; Parallel does
//! not), claims from templates kept on scale-down, a deleted pod comes back with its name
//! and claim, scale-down from the highest ordinal, and a partitioned rolling update.

mod cli_common;
mod support;

use std::time::Duration;

use cli_common::{kctl, mask};
use serde_json::Value;
use support::{eventually, stdout, TestServer};

const WAIT: Duration = Duration::from_secs(30);
const FAILING: &str = "nignx:latest";

fn manifest(policy: &str, image: &str) -> String {
    format!(
        "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 3
  podManagementPolicy: {policy}
  selector:
    matchLabels: {{app: nginx}}
  template:
    metadata:
      labels: {{app: nginx}}
    spec:
      containers:
      - {{name: nginx, image: \"{image}\"}}
  volumeClaimTemplates:
  - metadata: {{name: www}}
    spec:
      storageClassName: hollow
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 1Gi}}}}
"
    )
}

/// Claims of a WaitForFirstConsumer class bind their pod to a node at once (the scheduler
/// marks the claims' selected node; no provisioner runs on hollow nodes, and binding
/// claims is not the StatefulSet controller's business).
const STORAGE_CLASS: &str = "\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hollow
provisioner: example.com/none
volumeBindingMode: WaitForFirstConsumer
";

fn start() -> TestServer {
    let server = TestServer::start_with(&["--hollow-nodes", "2", "--hollow-failing-images", FAILING]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(STORAGE_CLASS));
    server
}

fn json(server: &TestServer, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&server.kubectl_ok(&all)).unwrap_or_default()
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

/// Live pods of the set: (name, image, ready).
fn pods(server: &TestServer) -> Vec<(String, String, bool)> {
    let mut pods: Vec<(String, String, bool)> = items(&json(server, &["get", "pods", "-l", "app=nginx"]))
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            let ready = p["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            (
                p["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                p["spec"]["containers"][0]["image"].as_str().unwrap_or_default().to_string(),
                ready,
            )
        })
        .collect();
    pods.sort();
    pods
}

fn ready(names: &[&str], image: &str) -> Vec<(String, String, bool)> {
    names.iter().map(|n| (n.to_string(), image.to_string(), true)).collect()
}

fn wait_for(server: &TestServer, want: &[(String, String, bool)]) {
    let mut last = Vec::new();
    let settled = eventually(WAIT, || {
        last = pods(server);
        last == want
    });
    assert!(settled, "wanted {want:?}, found {last:?}");
}

fn claims(server: &TestServer) -> Vec<String> {
    let mut names: Vec<String> = items(&json(server, &["get", "pvc"]))
        .iter()
        .filter_map(|c| c["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn waiting_reason(server: &TestServer, pod: &str) -> String {
    let pod = json(server, &["get", "pod", pod]);
    pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn ordered_ready_waits_for_each_pod_and_parallel_does_not() {
    let server = start();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&manifest("OrderedReady", FAILING)));
    assert!(eventually(WAIT, || !waiting_reason(&server, "web-0").is_empty()), "web-0 never tried to start");
    assert_eq!(pods(&server).len(), 1, "OrderedReady made more than web-0 while it was not Ready");
    server.kubectl_ok(&["delete", "sts", "web"]);
    assert!(eventually(WAIT, || pods(&server).is_empty()));

    let parallel = manifest("Parallel", FAILING).replace("name: web\n", "name: web\n  namespace: default\n");
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&parallel));
    let mut last = Vec::new();
    let all = eventually(WAIT, || {
        last = pods(&server);
        last.len() == 3
    });
    assert!(all, "Parallel should start every ordinal at once: {last:?}");
}

#[test]
fn stable_identity_claims_scale_down_and_partitioned_update() {
    let server = start();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&manifest("OrderedReady", "nginx")));
    wait_for(&server, &ready(&["web-0", "web-1", "web-2"], "nginx"));
    assert_eq!(claims(&server), ["www-web-0", "www-web-1", "www-web-2"]);
    let pod = json(&server, &["get", "pod", "web-1"]);
    assert_eq!(pod["spec"]["hostname"], "web-1");
    assert_eq!(pod["spec"]["subdomain"], "nginx");
    assert_eq!(pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "web-1");
    assert_eq!(pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "1");
    let volume = pod["spec"]["volumes"].as_array().into_iter().flatten().find(|v| v["name"] == "www").cloned();
    assert_eq!(volume.unwrap_or_default()["persistentVolumeClaim"]["claimName"], "www-web-1");
    let set = json(&server, &["get", "sts", "web"]);
    let revision = set["status"]["updateRevision"].as_str().unwrap_or_default().to_string();
    assert_eq!(pod["metadata"]["labels"]["controller-revision-hash"], revision.as_str());
    assert_eq!(set["status"]["currentRevision"], revision.as_str());
    for field in ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"] {
        assert_eq!(set["status"][field], 3, "{field}: {}", set["status"]);
    }
    let status = server.kubectl_ok(&["rollout", "status", "sts/web", "--timeout=30s"]);
    assert_eq!(stdout(&kctl(&server, &["rollout", "status", "sts/web", "--timeout=30s"])), status);
    assert_eq!(status, "partitioned roll out complete: 3 new pods have been updated...\n");
    for args in [&["get", "sts", "-o", "wide"][..], &["describe", "sts", "web"]] {
        let expected = mask(&server.kubectl_ok(args));
        assert_eq!(mask(&stdout(&kctl(&server, args))), expected, "{args:?}");
    }

    // A deleted pod comes back under its name, with its claim.
    let uid = pod["metadata"]["uid"].clone();
    server.kubectl_ok(&["delete", "pod", "web-1", "--wait=false"]);
    assert!(eventually(WAIT, || {
        let again = json(&server, &["get", "pods", "-l", "statefulset.kubernetes.io/pod-name=web-1"]);
        items(&again)
            .first()
            .is_some_and(|p| p["metadata"]["uid"] != uid && p["metadata"]["deletionTimestamp"].is_null())
    }));
    wait_for(&server, &ready(&["web-0", "web-1", "web-2"], "nginx"));

    // A partitioned update only touches ordinals at or above the partition.
    server.kubectl_ok(&[
        "patch",
        "sts",
        "web",
        "-p",
        r#"{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}"#,
    ]);
    server.kubectl_ok(&["set", "image", "sts/web", "nginx=nginx:2"]);
    wait_for(&server, &[ready(&["web-0", "web-1"], "nginx"), ready(&["web-2"], "nginx:2")].concat());
    let partitioned = server.kubectl_ok(&["rollout", "status", "sts/web", "--timeout=30s"]);
    assert_eq!(partitioned, "partitioned roll out complete: 1 new pods have been updated...\n");
    assert_eq!(stdout(&kctl(&server, &["rollout", "status", "sts/web", "--timeout=30s"])), partitioned);
    let history = server.kubectl_ok(&["rollout", "history", "sts/web"]);
    assert_eq!(stdout(&kctl(&server, &["rollout", "history", "sts/web"])), history);
    assert!(history.contains("\n1 ") && history.contains("\n2 "), "{history}");

    // Undo with kctl puts web-2 back on the old template.
    let undo = kctl(&server, &["rollout", "undo", "sts/web"]);
    assert_eq!(stdout(&undo), "statefulset.apps/web rolled back\n", "{}", support::stderr(&undo));
    wait_for(&server, &ready(&["web-0", "web-1", "web-2"], "nginx"));

    // kctl scale: the highest ordinals go first; their claims stay (Retain).
    let scaled = kctl(&server, &["scale", "sts", "web", "--replicas=1"]);
    assert_eq!(stdout(&scaled), "statefulset.apps/web scaled\n", "{}", support::stderr(&scaled));
    wait_for(&server, &ready(&["web-0"], "nginx"));
    assert_eq!(claims(&server), ["www-web-0", "www-web-1", "www-web-2"]);
}

#[test]
fn claims_go_on_scale_down_when_the_policy_says_delete() {
    let server = start();
    let manifest = manifest("Parallel", "nginx").replace(
        "  serviceName: nginx\n",
        "  serviceName: nginx\n  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Retain}\n",
    );
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    wait_for(&server, &ready(&["web-0", "web-1", "web-2"], "nginx"));
    server.kubectl_ok(&["scale", "sts", "web", "--replicas=2"]);
    wait_for(&server, &ready(&["web-0", "web-1"], "nginx"));
    let mut last = Vec::new();
    assert!(
        eventually(WAIT, || {
            last = claims(&server);
            last == ["www-web-0", "www-web-1"]
        }),
        "{last:?}"
    );
}
