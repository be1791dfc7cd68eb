//! The replicaset and replicationcontroller controllers: one implementation for both
//! kinds (they differ only in how the selector is written). Keeps `replicas` pods that
//! match the selector: adopts orphans, releases pods that stopped matching, creates
//! missing pods from the template, deletes surplus ones, and writes status.
//!
//! Wiring: a reflector of the owners and one of the pods feed kube-runtime's `applier`
//! (the engine under `Controller`) — pods map to their controller, orphans to every owner
//! whose selector matches. Triggers flow after the reflector wrote them, so a reconcile
//! always sees at least the state that triggered it.

pub(crate) mod pods;
mod status;
mod sync;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};
use k8s_openapi::NamespaceResourceScope;
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, Resource, ResourceExt};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::batch_period::BatchPeriod;
use super::expectations::Expectations;
use super::informer::Change;
use super::PodChanges;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::labels::Selector;
use crate::machinery::record::EventRecorder;

/// How long a pod that someone else released from an owner is left alone by that owner:
/// the apiserver orphans dependents just before it deletes the owner, and re-adopting them
/// in between would hand them to the garbage collector.
const RELEASE_GRACE: Duration = Duration::from_secs(5);

/// The least time between two syncs of one owner (see `BatchPeriod`): short enough that
/// nobody waits on it, long enough that a burst of pod changes costs a few syncs.
const SYNC_BATCH_PERIOD: Duration = Duration::from_millis(100);

/// What the two kinds have in common, as the controller sees it.
pub trait ReplicaOwner:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + DeserializeOwned
    + Serialize
    + Debug
    + Send
    + Sync
    + 'static
{
    /// The event source, as upstream names it.
    const COMPONENT: &'static str;
    /// The selector; `None` when it is empty (selects nothing rather than everything).
    fn selector(&self) -> Option<Selector>;
    fn replicas(&self) -> i32;
    fn min_ready_seconds(&self) -> i32;
    fn template(&self) -> Option<&PodTemplateSpec>;
    /// The current status as JSON (both kinds share its fields).
    fn status_json(&self) -> serde_json::Value;
}

fn non_empty(selector: Selector) -> Option<Selector> {
    (!selector.is_empty()).then_some(selector)
}

impl ReplicaOwner for ReplicaSet {
    const COMPONENT: &'static str = "replicaset-controller";

    fn selector(&self) -> Option<Selector> {
        Selector::from_label_selector(Some(&self.spec.as_ref()?.selector)).ok().and_then(non_empty)
    }

    fn replicas(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
    }

    fn min_ready_seconds(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0)
    }

    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref()?.template.as_ref()
    }

    fn status_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.status).unwrap_or_default()
    }
}

impl ReplicaOwner for ReplicationController {
    const COMPONENT: &'static str = "replication-controller";

    fn selector(&self) -> Option<Selector> {
        let spec = self.spec.as_ref()?;
        // As upstream's defaulting: an RC without a selector selects its template's labels.
        let labels = match spec.selector.as_ref().filter(|s| !s.is_empty()) {
            Some(selector) => selector,
            None => spec.template.as_ref()?.metadata.as_ref()?.labels.as_ref()?,
        };
        non_empty(Selector::from_set(labels))
    }

    fn replicas(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
    }

    fn min_ready_seconds(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0)
    }

    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref()?.template.as_ref()
    }

    fn status_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.status).unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} has no namespace")]
    NoNamespace(String),
    #[error("{0} has no pod template")]
    NoTemplate(String),
    #[error("failed to create pods: {0}")]
    Create(#[source] kube::Error),
    #[error("failed to delete pods: {0}")]
    Delete(#[source] kube::Error),
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("could not encode a status patch: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("reconcile task failed: {0}")]
    Task(String),
}

/// What every reconcile of one controller shares.
pub struct Context<K: ReplicaOwner> {
    pub client: Client,
    pub owners: Store<K>,
    pub pods: Store<CachedPod>,
    pub expectations: Expectations,
    pub recorder: EventRecorder,
    batch: BatchPeriod,
    /// (owner uid, pod uid) → when someone else released the pod from that owner.
    released: Mutex<HashMap<(String, String), Instant>>,
    /// Consecutive failed reconciles per owner (`namespace/name`), for the retry backoff.
    failures: Mutex<HashMap<String, u32>>,
}

impl<K: ReplicaOwner> Context<K> {
    /// Whether `pod_uid` was released from `owner_uid` by someone else a moment ago, and
    /// if so how long to leave it alone.
    fn release_grace(&self, owner_uid: &str, pod_uid: &str) -> Option<Duration> {
        let mut released = self.released.lock();
        released.retain(|_, at| at.elapsed() < RELEASE_GRACE);
        let at = released.get(&(owner_uid.to_string(), pod_uid.to_string()))?;
        Some(RELEASE_GRACE.saturating_sub(at.elapsed()))
    }
}

/// `namespace/name`: the expectations key of an owner.
pub fn owner_key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// The controller reference of a pod when it is of kind `K`.
fn controller_of_kind<K: ReplicaOwner>(
    pod: &CachedPod,
) -> Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference> {
    pods::controller_ref(pod).filter(|r| r.kind == K::kind(&()) && r.api_version == K::api_version(&()))
}

/// Notes what a pod change means for expectations and releases; `previous` is the
/// version the shared cache held before it.
fn observe<K: ReplicaOwner>(ctx: &Context<K>, change: &Change<CachedPod>) {
    match change {
        Change::Applied { object: pod, previous } => {
            let namespace = pod.namespace().unwrap_or_default();
            if previous.is_none() {
                if let Some(owner) = controller_of_kind::<K>(pod) {
                    ctx.expectations.creation_observed(&owner_key(&namespace, &owner.name));
                }
            }
            if pod.metadata.deletion_timestamp.is_some() {
                ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default());
            }
            let was_owned = previous.as_deref().and_then(controller_of_kind::<K>).map(|r| r.uid.clone());
            if let (Some(owner_uid), None) = (was_owned, pods::controller_ref(pod)) {
                ctx.released.lock().insert((owner_uid, pod.uid().unwrap_or_default()), Instant::now());
            }
        }
        Change::Deleted { object: pod } => ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default()),
    }
}

/// The owners a pod event should wake: its controller, or for an orphan every owner in
/// its namespace whose selector matches it.
fn owners_of<K: ReplicaOwner>(owners: &Store<K>, pod: &CachedPod) -> Vec<ObjectRef<K>> {
    let namespace = pod.namespace().unwrap_or_default();
    if let Some(reference) = pods::controller_ref(pod) {
        if reference.kind == K::kind(&()) && reference.api_version == K::api_version(&()) {
            return vec![ObjectRef::new(&reference.name).within(&namespace)];
        }
        return Vec::new();
    }
    let labels = pod.labels();
    owners
        .state()
        .iter()
        .filter(|o| o.namespace().as_deref() == Some(namespace.as_str()))
        .filter(|o| o.selector().is_some_and(|s| s.matches(labels)))
        .map(|o| ObjectRef::from_obj(o.as_ref()))
        .collect()
}

/// Runs the controller for kind `K` until the task is dropped, over the controller-
/// manager's shared pod cache and its changes.
pub async fn run<K: ReplicaOwner>(client: Client, pods: Store<CachedPod>, pod_changes: PodChanges) {
    let (owners, owner_writer) = reflector::store::<K>();
    let ctx = Arc::new(Context::<K> {
        client: client.clone(),
        owners: owners.clone(),
        pods,
        expectations: Expectations::new(),
        recorder: EventRecorder::new(client.clone(), K::COMPONENT),
        batch: BatchPeriod::new(SYNC_BATCH_PERIOD),
        released: Mutex::new(HashMap::new()),
        failures: Mutex::new(HashMap::new()),
    });

    let owner_events = watcher(Api::<K>::all(client.clone()), watcher::Config::default()).default_backoff();
    let forget = ctx.clone();
    let owner_events = owner_events.inspect_ok(move |event| {
        if let watcher::Event::Delete(owner) = event {
            let key = owner_key(&owner.namespace().unwrap_or_default(), &owner.name_any());
            forget.expectations.forget(&key);
            forget.batch.forget(&key);
        }
    });
    let owner_triggers = trigger_self(reflector::reflector(owner_writer, owner_events).applied_objects(), ());

    let observer = ctx.clone();
    let touched = pod_changes.map(move |change| {
        observe(&observer, &change);
        Ok::<_, watcher::Error>(change.object().clone())
    });
    let mapper_owners = owners.clone();
    let pod_triggers = trigger_with(touched, move |pod: Arc<CachedPod>| owners_of(&mapper_owners, &pod));

    let queue = stream::select(owner_triggers, pod_triggers);
    controller::applier(
        |owner, ctx| {
            // Its own task, as `Controller::run` does, so a slow reconcile never holds up
            // the watches.
            Box::pin(async move {
                let key = owner_key(&owner.namespace().unwrap_or_default(), &owner.name_any());
                let wait = ctx.batch.wait(&key);
                let owner = if wait.is_zero() {
                    owner
                } else {
                    tokio::time::sleep(wait).await;
                    // What changed while waiting is in the cache, the owner too.
                    match ctx.owners.get(&ObjectRef::from_obj(owner.as_ref())) {
                        Some(owner) => owner,
                        None => return Ok(Action::await_change()),
                    }
                };
                let result = match tokio::spawn(sync::reconcile(owner, ctx.clone())).await {
                    Ok(result) => result,
                    Err(err) => Err(Error::Task(err.to_string())),
                };
                if result.is_ok() {
                    ctx.failures.lock().remove(&key);
                }
                result
            })
        },
        error_policy,
        ctx,
        owners,
        queue,
        controller::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, component = K::COMPONENT, "reconcile failed");
        }
    })
    .await;
}

/// Retries with a per-owner exponential backoff (100 ms doubling up to a minute), as
/// upstream's rate-limited work queue does, so a broken template does not spin.
fn error_policy<K: ReplicaOwner>(owner: Arc<K>, err: &Error, ctx: Arc<Context<K>>) -> Action {
    let key = owner_key(&owner.namespace().unwrap_or_default(), &owner.name_any());
    let mut failures = ctx.failures.lock();
    let count = failures.entry(key).or_insert(0);
    *count = count.saturating_add(1);
    let delay = retry_delay(*count);
    tracing::debug!(%err, component = K::COMPONENT, ?delay, "will retry");
    Action::requeue(delay)
}

pub(crate) fn retry_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(10);
    (Duration::from_millis(100) * 2u32.pow(doublings)).min(Duration::from_secs(60))
}

/// The replicaset controller (apps/v1 ReplicaSet).
pub async fn run_replicasets(client: Client, pods: Store<CachedPod>, pod_changes: PodChanges) {
    run::<ReplicaSet>(client, pods, pod_changes).await
}

/// The replication controller (core/v1 ReplicationController).
pub async fn run_replication_controllers(client: Client, pods: Store<CachedPod>, pod_changes: PodChanges) {
    run::<ReplicationController>(client, pods, pod_changes).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn replication_controller_without_selector_selects_its_template_labels() {
        let rc: ReplicationController = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}}}
        }))
        .unwrap();
        let selector = rc.selector().unwrap();
        assert!(selector.matches(&BTreeMap::from([("app".to_string(), "web".to_string())])));
        assert!(!selector.matches(&BTreeMap::new()));
    }

    #[test]
    fn retries_back_off_up_to_a_minute() {
        assert_eq!(retry_delay(1), Duration::from_millis(100));
        assert_eq!(retry_delay(3), Duration::from_millis(400));
        assert_eq!(retry_delay(100), Duration::from_secs(60));
    }

    #[test]
    fn empty_selector_selects_nothing() {
        let rs: ReplicaSet = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {}}
        }))
        .unwrap();
        assert!(rs.selector().is_none());
    }
}
