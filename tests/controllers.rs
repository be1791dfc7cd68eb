//! The controller-manager against a real `kctl server`, driven by the real kubectl: the
//! replicaset and replication controllers, the garbage collector, and leader election
//! (also of the scheduler, across two control planes on one etcd).
//! No scheduler is assumed, so tests look at Pod objects, never at them running.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(30);

/// The notes' ReplicaSet (testdata/notes).
const REPLICASET: &str = include_str!("../testdata/notes/replicaset.yml");

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

    // Expectations: exactly one creation per replica, even with the watch a step behind.
    let creations = |server: &TestServer| {
        let events: Value =
            serde_json::from_str(&server.kubectl_ok(&["get", "events", "-o", "json"])).unwrap_or_default();
        let items = events["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter(|e| e["reason"] == "SuccessfulCreate" && e["involvedObject"]["name"] == "nginx-replicaset")
            .map(|e| e["count"].as_i64().unwrap_or(1))
            .sum::<i64>()
    };
    assert!(eventually(WAIT, || creations(&server) == 3));
    assert_eq!(pods(&server, "app=nginx").len(), 3);

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
    let name = "  name: nginx-replicaset\n";
    REPLICASET.replacen(name, &format!("{name}  finalizers: [{finalizer}]\n"), 1)
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

/// Custom resources take part in garbage collection both ways: the collector learns their
/// kind from discovery once the CRD is established.
#[test]
fn garbage_collector_collects_custom_resources_and_their_dependents() {
    let server = TestServer::start();
    let crd = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/crd/crontab-crd.yaml");
    server.kubectl_ok(&["apply", "-f", crd]);
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", "crd/crontabs.stable.example.com"]);
    let uid = |kind: &str, name: &str| server.kubectl_ok(&["get", kind, name, "-o", "jsonpath={.metadata.uid}"]);
    let exists = |kind: &str, name: &str| server.kubectl(&["get", kind, name]).status.success();

    // A CronTab owned by a ConfigMap goes with it.
    apply(&server, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owner\n");
    let owner = uid("configmap", "owner");
    apply(
        &server,
        &format!(
            "apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: owned
  ownerReferences:
  - {{apiVersion: v1, kind: ConfigMap, name: owner, uid: {owner}}}
spec:
  cronSpec: '* * * * */5'
"
        ),
    );
    assert!(exists("crontab", "owned"));
    server.kubectl_ok(&["delete", "configmap", "owner"]);
    assert!(eventually(WAIT, || !exists("crontab", "owned")), "the CronTab outlived its ConfigMap");

    // A ConfigMap owned by a CronTab goes with it.
    apply(
        &server,
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: boss\nspec:\n  cronSpec: '* * * * */5'\n",
    );
    let boss = uid("crontab", "boss");
    apply(
        &server,
        &format!(
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: minion
  ownerReferences:
  - {{apiVersion: stable.example.com/v1, kind: CronTab, name: boss, uid: {boss}}}
"
        ),
    );
    assert!(exists("configmap", "minion"));
    server.kubectl_ok(&["delete", "crontab", "boss"]);
    assert!(eventually(WAIT, || !exists("configmap", "minion")), "the ConfigMap outlived its CronTab");
}

mod leader_election {
    use super::*;
    use k8s_openapi::api::coordination::v1::Lease;
    use kctl::machinery::leaderelection::{run_with_lease, LeaseConfig};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    fn config(identity: &str) -> LeaseConfig {
        LeaseConfig {
            namespace: "default".into(),
            name: "test-election".into(),
            identity: identity.into(),
            lease_duration: Duration::from_secs(3),
            renew_deadline: Duration::from_secs(2),
            retry_period: Duration::from_millis(300),
        }
    }

    /// Starts a candidate whose work raises `acting` while it runs and lowers it when dropped.
    fn candidate(client: kube::Client, identity: &str) -> (tokio::task::JoinHandle<()>, Arc<AtomicBool>) {
        struct Lower(Arc<AtomicBool>);
        impl Drop for Lower {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        let acting = Arc::new(AtomicBool::new(false));
        let flag = acting.clone();
        let task = tokio::spawn(run_with_lease(client, config(identity), move || {
            let flag = flag.clone();
            async move {
                flag.store(true, Ordering::SeqCst);
                let _lower = Lower(flag);
                std::future::pending::<()>().await
            }
        }));
        (task, acting)
    }

    async fn until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if check() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    async fn lease(api: &kube::Api<Lease>) -> Option<Lease> {
        api.get_opt("test-election").await.ok().flatten()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_the_lease_holder_acts_and_a_follower_takes_over() {
        let server = tokio::task::spawn_blocking(|| TestServer::start_with(&["--apiserver-only"])).await.unwrap();
        let client = server.client().await;
        let api: kube::Api<Lease> = kube::Api::namespaced(client.clone(), "default");

        let (first, first_acting) = candidate(client.clone(), "first");
        assert!(until(WAIT, || first_acting.load(Ordering::SeqCst)).await, "the first candidate never led");
        let (second, second_acting) = candidate(client.clone(), "second");

        // Watch the holder renew several times while the second candidate keeps trying.
        let mut renewals = std::collections::HashSet::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        while renewals.len() < 5 && tokio::time::Instant::now() < deadline {
            if let Some(spec) = lease(&api).await.and_then(|l| l.spec) {
                assert_eq!(spec.holder_identity.as_deref(), Some("first"));
                renewals.insert(format!("{:?}", spec.renew_time));
            }
            assert!(!second_acting.load(Ordering::SeqCst), "the second candidate acted while the first led");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(renewals.len() >= 5, "the holder did not renew its lease");
        assert!(first_acting.load(Ordering::SeqCst));

        // The leader vanishes without a word: the follower takes over once the lease runs out.
        first.abort();
        let _ = first.await;
        assert!(until(WAIT, || second_acting.load(Ordering::SeqCst)).await, "the second candidate never took over");
        let spec = lease(&api).await.and_then(|l| l.spec).expect("lease");
        assert_eq!(spec.holder_identity.as_deref(), Some("second"));
        assert_eq!(spec.lease_transitions, Some(1));
        second.abort();
    }

    #[test]
    fn the_controller_manager_holds_its_lease() {
        let server = TestServer::start();
        assert!(eventually(WAIT, || {
            let holder = server.kubectl(&[
                "get",
                "lease",
                "-n",
                "kube-system",
                "kube-controller-manager",
                "-o",
                "jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds}",
            ]);
            let text = support::stdout(&holder);
            text.contains('_') && text.ends_with(" 15")
        }));
    }

    /// The holders of the controller-manager's and the scheduler's leases, as `server` sees
    /// them: `kube-controller-manager=ID kube-scheduler=ID`.
    fn holders(server: &TestServer) -> String {
        let output = server.kubectl(&[
            "get",
            "lease",
            "-n",
            "kube-system",
            "kube-controller-manager",
            "kube-scheduler",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.spec.holderIdentity} {end}",
        ]);
        support::stdout(&output).trim().to_string()
    }

    /// The one identity holding both leases, if one does.
    fn sole_leader(server: &TestServer) -> Option<String> {
        let text = holders(server);
        let (manager, scheduler) = text.split_once(' ')?;
        let manager = manager.strip_prefix("kube-controller-manager=")?;
        (!manager.is_empty() && scheduler.strip_prefix("kube-scheduler=") == Some(manager)).then(|| manager.to_string())
    }

    /// Two `kctl server`s on one real etcd: one leads both the controller-manager and the
    /// scheduler; once it is killed, the other takes both leases and schedules. Processes
    /// are killed on drop, so also when an assertion fails.
    #[test]
    fn two_control_planes_on_one_etcd_elect_one_leader_and_fail_over() {
        use kctl::store::etcd_server::{EtcdServer, EtcdServerError};
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let etcd = match runtime.block_on(EtcdServer::start(&dir.path().join("etcd"))) {
            Ok(etcd) => etcd,
            Err(EtcdServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
                eprintln!("skipped: {}", EtcdServerError::NotInstalled);
                return;
            }
            Err(err) => panic!("etcd: {err}"),
        };
        let endpoint = etcd.endpoint();
        let first = TestServer::start_with(&["--etcd-servers", &endpoint]);
        let mut leader = None;
        assert!(eventually(WAIT, || {
            leader = sole_leader(&first);
            leader.is_some()
        }));
        let leader = leader.unwrap_or_default();

        // The second control plane (with the only node) follows: for longer than a lease
        // lasts, the first keeps both leases, as either apiserver tells.
        let second = TestServer::start_with(&["--etcd-servers", &endpoint, "--hollow-nodes", "1"]);
        second.kubectl_ok(&["run", "before", "--image=nginx"]);
        let deadline = std::time::Instant::now() + Duration::from_secs(17);
        while std::time::Instant::now() < deadline {
            assert_eq!(sole_leader(&first).as_deref(), Some(leader.as_str()), "{}", holders(&first));
            assert_eq!(sole_leader(&second).as_deref(), Some(leader.as_str()), "{}", holders(&second));
            std::thread::sleep(Duration::from_millis(500));
        }
        let node = second.kubectl_ok(&["get", "pod", "before", "-o", "jsonpath={.spec.nodeName}"]);
        assert_eq!(node, "hollow-node-1", "the leader schedules");

        // The leader dies without a word: the second takes both leases once they run out.
        drop(first);
        let mut now_leading = None;
        let took_over = eventually(Duration::from_secs(40), || {
            now_leading = sole_leader(&second).filter(|id| *id != leader);
            now_leading.is_some()
        });
        assert!(took_over, "no takeover: {}", holders(&second));
        let transitions = second.kubectl_ok(&[
            "get",
            "lease",
            "-n",
            "kube-system",
            "kube-scheduler",
            "-o",
            "jsonpath={.spec.leaseTransitions}",
        ]);
        assert_eq!(transitions, "1");
        second.kubectl_ok(&["run", "after", "--image=nginx"]);
        let mut seen = String::new();
        let running = eventually(WAIT, || {
            seen = support::stdout(&second.kubectl(&[
                "get",
                "pod",
                "after",
                "-o",
                "jsonpath={.spec.nodeName} {.status.phase}",
            ]));
            seen == "hollow-node-1 Running"
        });
        assert!(running, "the new leader did not schedule: {seen}");
        drop(second);
        drop(etcd);
    }
}

#[test]
fn deleting_a_deployment_deletes_its_replicasets_then_their_pods() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "deployment", "web", "--image=nginx", "--replicas=0"]);
    let uid = server.kubectl_ok(&["get", "deployment", "web", "-o", "jsonpath={.metadata.uid}"]);
    // A ReplicaSet owned by the Deployment, as the deployment controller would make it.
    let manifest = format!(
        "\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-owned
  ownerReferences:
  - apiVersion: apps/v1
    kind: Deployment
    name: web
    uid: {uid}
    controller: true
    blockOwnerDeletion: true
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-owned
  template:
    metadata:
      labels:
        app: web-owned
    spec:
      containers:
      - name: nginx
        image: nginx
"
    );
    apply(&server, &manifest);
    wait_for_owned_pods(&server, "app=web-owned", "ReplicaSet/web-owned", 2);
    server.kubectl_ok(&["delete", "deployment", "web"]);
    assert!(eventually(WAIT, || {
        !server.kubectl(&["get", "rs", "web-owned"]).status.success() && pods(&server, "app=web-owned").is_empty()
    }));
}

#[test]
fn failed_creations_are_reported_and_cleared() {
    let server = TestServer::start();
    // The apiserver refuses this finalizer on a pod, though it keeps it in a template.
    let broken = REPLICASET.replacen(
        "    metadata:\n      labels:\n",
        "    metadata:\n      finalizers: [\"Not Valid!\"]\n      labels:\n",
        1,
    );
    apply(&server, &broken);
    let condition = |server: &TestServer| {
        server.kubectl_ok(&[
            "get",
            "rs",
            "nginx-replicaset",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"ReplicaFailure\")].reason}",
        ])
    };
    assert!(eventually(WAIT, || condition(&server) == "FailedCreate"));
    assert!(eventually(WAIT, || {
        let describe = server.kubectl_ok(&["describe", "rs", "nginx-replicaset"]);
        describe.contains("FailedCreate") && describe.contains("Error creating:")
    }));
    // Fixed: pods are created and the condition goes.
    apply(&server, REPLICASET);
    wait_for_owned_pods(&server, "app=nginx", "ReplicaSet/nginx-replicaset", 3);
    assert!(eventually(WAIT, || condition(&server).is_empty()));
}
