//! The deployment controller against a real `kctl server`, driven by the real kubectl.
//! The server runs with `--apiserver-only`; the test starts the deployment controller
//! in-process and a tiny fake replicaset controller that reports every ReplicaSet's pods as
//! ready and available at once, except those of the image `nignx:latest` (the notes' typo),
//! which never become ready.

mod support;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Event;
use kube::api::{ListParams, PostParams};
use kube::{Api, Client, ResourceExt};
use support::{stderr, stdout, TestServer};
use tokio::task::JoinHandle;

const NAME: &str = "nginx-deployment";
const BROKEN_IMAGE: &str = "nignx:latest";

/// The notes' deployment, plus the knobs a test needs.
fn manifest(extra_spec: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  replicas: 3
{extra_spec}  selector:
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
"#
    )
}

struct Cluster {
    server: TestServer,
    client: Client,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Cluster {
    async fn start() -> Cluster {
        let server = TestServer::start_with(&["--apiserver-only"]);
        let client = server.client().await;
        let tasks = vec![
            tokio::spawn(kctl::controllers::deployment::run(client.clone())),
            tokio::spawn(fake_replicaset_controller(client.clone())),
        ];
        Cluster { server, client, tasks }
    }

    fn kubectl_ok(&self, args: &[&str]) -> String {
        self.server.kubectl_ok(args)
    }

    fn apply(&self, text: &str) {
        let path = self.server.write("deployment.yaml", text);
        self.kubectl_ok(&["apply", "-f", path.to_str().expect("utf-8 path")]);
    }

    async fn deployment(&self) -> Deployment {
        Api::<Deployment>::namespaced(self.client.clone(), "default").get(NAME).await.expect("get deployment")
    }

    /// ReplicaSets by revision.
    async fn replica_sets(&self) -> BTreeMap<i64, ReplicaSet> {
        let api = Api::<ReplicaSet>::namespaced(self.client.clone(), "default");
        let list = api.list(&ListParams::default()).await.expect("list replica sets");
        list.items.into_iter().map(|rs| (revision(&rs), rs)).collect()
    }

    async fn events(&self) -> Vec<String> {
        let api = Api::<Event>::namespaced(self.client.clone(), "default");
        let list = api.list(&ListParams::default()).await.expect("list events");
        list.items.into_iter().filter_map(|e| e.message).collect()
    }

    /// Waits until the controller has seen the latest spec and the rollout is complete.
    async fn wait_complete(&self) {
        let done = eventually(Duration::from_secs(30), || async {
            let d = self.deployment().await;
            let status = d.status.clone().unwrap_or_default();
            let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            status.observed_generation >= d.metadata.generation
                && status.updated_replicas == Some(want)
                && status.available_replicas == Some(want)
                && status.replicas == Some(want)
        })
        .await;
        assert!(done, "rollout did not complete: {:?}", self.deployment().await.status);
    }
}

fn revision(rs: &ReplicaSet) -> i64 {
    annotation(rs, "deployment.kubernetes.io/revision").and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn annotation<'a>(rs: &'a ReplicaSet, key: &str) -> Option<&'a str> {
    rs.metadata.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn ready_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

fn image(rs: &ReplicaSet) -> String {
    let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    let containers = template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()).unwrap_or_default();
    containers.first().and_then(|c| c.image.clone()).unwrap_or_default()
}

/// Polls `check` every 100 ms until it holds or `timeout` passes.
async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Stands in for the replicaset controller and kubelets: every ReplicaSet reports
/// `spec.replicas` pods, all ready and available unless its image is the broken one.
async fn fake_replicaset_controller(client: Client) {
    let api = Api::<ReplicaSet>::all(client.clone());
    loop {
        if let Ok(list) = api.list(&ListParams::default()).await {
            for rs in list.items {
                let want = spec_replicas(&rs);
                let ready = if image(&rs) == BROKEN_IMAGE { 0 } else { want };
                let status = ReplicaSetStatus {
                    replicas: want,
                    fully_labeled_replicas: Some(want),
                    ready_replicas: Some(ready),
                    available_replicas: Some(ready),
                    observed_generation: rs.metadata.generation,
                    conditions: None,
                };
                let current = rs.status.clone().unwrap_or_default();
                let same = current.replicas == status.replicas
                    && current.ready_replicas.unwrap_or(0) == ready
                    && current.available_replicas.unwrap_or(0) == ready
                    && current.observed_generation == status.observed_generation;
                if same {
                    continue;
                }
                let mut copy = rs.clone();
                copy.status = Some(status);
                let namespaced = Api::<ReplicaSet>::namespaced(client.clone(), &rs.namespace().unwrap_or_default());
                if let Ok(body) = serde_json::to_vec(&copy) {
                    let _ = namespaced.replace_status(&rs.name_any(), &PostParams::default(), body).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollout_stall_and_undo_as_kubectl_sees_them() {
    let cluster = Cluster::start().await;
    cluster.apply(&manifest("  progressDeadlineSeconds: 5\n"));
    cluster.wait_complete().await;

    // One ReplicaSet named after the template hash, revision 1, carrying the hash label.
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.len(), 1, "{rss:?}");
    let first = rss[&1].clone();
    let hash = first.labels().get("pod-template-hash").cloned().expect("pod-template-hash label");
    assert_eq!(first.name_any(), format!("{NAME}-{hash}"));
    assert!(hash.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)), "{hash}");
    let selector = first.spec.as_ref().and_then(|s| s.selector.match_labels.clone()).unwrap_or_default();
    assert_eq!(selector.get("pod-template-hash"), Some(&hash));
    let owner = &first.owner_references()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str(), owner.controller), ("Deployment", NAME, Some(true)));
    assert_eq!(annotation(&first, "deployment.kubernetes.io/desired-replicas"), Some("3"));
    assert_eq!(annotation(&first, "deployment.kubernetes.io/max-replicas"), Some("4"));
    let ready = cluster.kubectl_ok(&["get", "deploy", NAME, "--no-headers"]);
    assert!(ready.split_whitespace().nth(1) == Some("3/3"), "{ready}");
    let status = cluster.kubectl_ok(&["rollout", "status", &format!("deployment/{NAME}"), "--timeout=20s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let events = cluster.events().await;
    let scaled_up = format!("Scaled up replica set {NAME}-{hash} from 0 to 3");
    assert!(events.contains(&scaled_up), "{events:?}");

    // A new image: revision 2, the old ReplicaSet scaled to zero.
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), "nginx=nginx:1.17"]);
    cluster.wait_complete().await;
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!((spec_replicas(&rss[&1]), spec_replicas(&rss[&2])), (0, 3));
    assert_eq!(image(&rss[&2]), "nginx:1.17");
    let history = cluster.kubectl_ok(&["rollout", "history", &format!("deployment/{NAME}")]);
    assert_eq!(
        history,
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    );
    let annotations = cluster.deployment().await.metadata.annotations.unwrap_or_default();
    assert_eq!(annotations.get("deployment.kubernetes.io/revision").map(String::as_str), Some("2"));

    // The typo: one surge pod that never becomes ready; the old pods stay.
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), &format!("nginx={BROKEN_IMAGE}")]);
    let stalled = eventually(Duration::from_secs(15), || async {
        let rss = cluster.replica_sets().await;
        rss.get(&3).is_some_and(|rs| spec_replicas(rs) == 1)
    })
    .await;
    assert!(stalled, "{:?}", cluster.replica_sets().await);
    let output = cluster.server.kubectl(&["rollout", "status", &format!("deployment/{NAME}"), "--timeout=3s"]);
    assert_eq!(output.status.code(), Some(1), "{}{}", stdout(&output), stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("timed out waiting for the condition") || err.contains("exceeded its progress deadline"),
        "{err}"
    );
    let timed_out = eventually(Duration::from_secs(20), || async {
        let d = cluster.deployment().await;
        let conditions = d.status.and_then(|s| s.conditions).unwrap_or_default();
        conditions.iter().any(|c| {
            c.type_ == "Progressing" && c.status == "False" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
        })
    })
    .await;
    assert!(timed_out, "{:?}", cluster.deployment().await.status);
    let rss = cluster.replica_sets().await;
    assert_eq!((spec_replicas(&rss[&2]), ready_replicas(&rss[&2])), (3, 3), "old pods must stay");
    assert_eq!((spec_replicas(&rss[&3]), ready_replicas(&rss[&3])), (1, 0));
    let output = cluster.server.kubectl(&["rollout", "status", &format!("deployment/{NAME}"), "--timeout=3s"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("exceeded its progress deadline"), "{}", stderr(&output));

    // Undo: back to nginx:1.17, whose ReplicaSet becomes revision 4 and remembers 2.
    cluster.kubectl_ok(&["rollout", "undo", &format!("deployment/{NAME}")]);
    let status = cluster.kubectl_ok(&["rollout", "status", &format!("deployment/{NAME}"), "--timeout=30s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    cluster.wait_complete().await;
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.keys().copied().collect::<Vec<_>>(), vec![1, 3, 4]);
    assert_eq!(image(&rss[&4]), "nginx:1.17");
    assert_eq!(annotation(&rss[&4], "deployment.kubernetes.io/revision-history"), Some("2"));
    assert_eq!((spec_replicas(&rss[&3]), spec_replicas(&rss[&4])), (0, 3));
    let history = cluster.kubectl_ok(&["rollout", "history", &format!("deployment/{NAME}")]);
    assert_eq!(
        history,
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n1         <none>\n3         <none>\n4         <none>\n\n"
    );
    let d = cluster.deployment().await;
    let conditions = d.status.and_then(|s| s.conditions).unwrap_or_default();
    let reasons: Vec<_> = conditions.iter().map(|c| (c.type_.as_str(), c.reason.as_deref().unwrap_or(""))).collect();
    assert!(reasons.contains(&("Available", "MinimumReplicasAvailable")), "{reasons:?}");
    assert!(reasons.contains(&("Progressing", "NewReplicaSetAvailable")), "{reasons:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaling_the_deployment_scales_its_replica_set() {
    let cluster = Cluster::start().await;
    cluster.apply(&manifest(""));
    cluster.wait_complete().await;
    let name = cluster.replica_sets().await[&1].name_any();

    cluster.kubectl_ok(&["scale", &format!("deployment/{NAME}"), "--replicas=5"]);
    cluster.wait_complete().await;
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.len(), 1);
    assert_eq!(spec_replicas(&rss[&1]), 5);
    assert_eq!(annotation(&rss[&1], "deployment.kubernetes.io/desired-replicas"), Some("5"));
    let ready = cluster.kubectl_ok(&["get", "deploy", NAME, "--no-headers"]);
    assert!(ready.split_whitespace().nth(1) == Some("5/5"), "{ready}");

    cluster.kubectl_ok(&["scale", &format!("deployment/{NAME}"), "--replicas=2"]);
    cluster.wait_complete().await;
    assert_eq!(spec_replicas(&cluster.replica_sets().await[&1]), 2);
    let events = cluster.events().await;
    assert!(events.contains(&format!("Scaled up replica set {name} from 3 to 5")), "{events:?}");
    assert!(events.contains(&format!("Scaled down replica set {name} from 5 to 2")), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_deployment_scales_but_does_not_roll_out() {
    let cluster = Cluster::start().await;
    cluster.apply(&manifest(""));
    cluster.wait_complete().await;
    cluster.kubectl_ok(&["rollout", "pause", &format!("deployment/{NAME}")]);
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), "nginx=nginx:1.17"]);
    cluster.kubectl_ok(&["scale", &format!("deployment/{NAME}"), "--replicas=4"]);
    // Once the controller has observed the latest generation, it has decided.
    let observed = eventually(Duration::from_secs(15), || async {
        let d = cluster.deployment().await;
        let paused_reason = d
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.reason.as_deref() == Some("DeploymentPaused")));
        let rss = cluster.replica_sets().await;
        d.status.and_then(|s| s.observed_generation) == d.metadata.generation
            && paused_reason
            && rss.get(&1).is_some_and(|rs| spec_replicas(rs) == 4)
    })
    .await;
    assert!(observed, "{:?}", cluster.deployment().await.status);
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.len(), 1, "no new ReplicaSet while paused");
    assert_eq!(image(&rss[&1]), "nginx:latest");

    cluster.kubectl_ok(&["rollout", "resume", &format!("deployment/{NAME}")]);
    cluster.wait_complete().await;
    let rss = cluster.replica_sets().await;
    assert_eq!(rss.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!((spec_replicas(&rss[&1]), spec_replicas(&rss[&2])), (0, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_change_cause_and_revision_history_limit() {
    let cluster = Cluster::start().await;
    let base = manifest("  revisionHistoryLimit: 1\n");
    cluster.apply(&base);
    cluster.wait_complete().await;
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), "nginx=nginx:1.17"]);
    cluster.wait_complete().await;
    // `rollout restart` changes a template annotation: a new ReplicaSet like any other change.
    cluster.kubectl_ok(&["rollout", "restart", &format!("deployment/{NAME}")]);
    cluster.wait_complete().await;
    let restarted = cluster.replica_sets().await;
    let template = restarted.get(&3).and_then(|rs| rs.spec.as_ref()).and_then(|s| s.template.clone());
    let annotations = template.and_then(|t| t.metadata).and_then(|m| m.annotations).unwrap_or_default();
    assert!(annotations.contains_key("kubectl.kubernetes.io/restartedAt"), "{restarted:?}");
    // The deployment's change-cause is copied onto the ReplicaSet that kubectl lists.
    let annotated = base.replace("image: nginx:latest", "image: nginx:1.20").replace(
        "  name: nginx-deployment\n",
        "  name: nginx-deployment\n  annotations:\n    kubernetes.io/change-cause: upgrade to 1.20\n",
    );
    cluster.apply(&annotated);
    cluster.wait_complete().await;
    let pruned = eventually(Duration::from_secs(15), || async {
        cluster.replica_sets().await.keys().copied().collect::<Vec<_>>() == vec![3, 4]
    })
    .await;
    assert!(pruned, "{:?}", cluster.replica_sets().await.keys().collect::<Vec<_>>());
    let history = cluster.kubectl_ok(&["rollout", "history", &format!("deployment/{NAME}")]);
    assert_eq!(
        history,
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n3         <none>\n4         upgrade to 1.20\n\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_scales_old_to_zero_before_the_new_one() {
    let cluster = Cluster::start().await;
    cluster.apply(&manifest("  strategy:\n    type: Recreate\n"));
    cluster.wait_complete().await;
    let old = cluster.replica_sets().await[&1].name_any();
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), "nginx=nginx:1.17"]);
    cluster.wait_complete().await;
    let rss = cluster.replica_sets().await;
    assert_eq!((spec_replicas(&rss[&1]), spec_replicas(&rss[&2])), (0, 3));
    let new = rss[&2].name_any();
    let events = cluster.events().await;
    // The new ReplicaSet is created at full size only after the old one went to zero.
    assert!(events.contains(&format!("Scaled down replica set {old} from 3 to 0")), "{events:?}");
    assert!(events.contains(&format!("Scaled up replica set {new} from 0 to 3")), "{events:?}");
    let old_rs = &rss[&1];
    let new_rs = &rss[&2];
    assert!(old_rs.metadata.creation_timestamp <= new_rs.metadata.creation_timestamp);
    let status = cluster.kubectl_ok(&["rollout", "status", &format!("deployment/{NAME}"), "--timeout=20s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deprecated_rollback_annotation_rolls_back_server_side() {
    let cluster = Cluster::start().await;
    cluster.apply(&manifest(""));
    cluster.wait_complete().await;
    cluster.kubectl_ok(&["set", "image", &format!("deployment/{NAME}"), "nginx=nginx:1.17"]);
    cluster.wait_complete().await;
    cluster.kubectl_ok(&["annotate", "deployment", NAME, "deprecated.deployment.rollback.to=1"]);
    let rolled_back = eventually(Duration::from_secs(15), || async {
        let rss = cluster.replica_sets().await;
        rss.get(&3).is_some_and(|rs| image(rs) == "nginx:latest" && spec_replicas(rs) == 3)
    })
    .await;
    assert!(rolled_back, "{:?}", cluster.replica_sets().await);
    cluster.wait_complete().await;
    let d = cluster.deployment().await;
    let annotations = d.metadata.annotations.clone().unwrap_or_default();
    assert!(!annotations.contains_key("deprecated.deployment.rollback.to"), "{annotations:?}");
    let rss = cluster.replica_sets().await;
    assert_eq!(annotation(&rss[&3], "deployment.kubernetes.io/revision-history"), Some("1"));
    let events = cluster.events().await;
    assert!(events.contains(&format!("Rolled back deployment \"{NAME}\" to revision 1")), "{events:?}");
}
