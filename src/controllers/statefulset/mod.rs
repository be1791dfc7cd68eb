//! The StatefulSet controller (apps/v1), after upstream's `pkg/controller/statefulset`:
//! pods with stable names `<set>-<ordinal>`, hostnames and the governing Service as
//! subdomain; OrderedReady or Parallel pod management; claims from volumeClaimTemplates
//! kept or deleted per `persistentVolumeClaimRetentionPolicy`; RollingUpdate (partition,
//! maxUnavailable) or OnDelete over ControllerRevisions; minReadySeconds; status.
//!
//! Wiring as the job controller: a reflector of StatefulSets and the shared pod cache
//! feed kube-runtime's `applier`; a pod wakes the set that controls it.

mod identity;
mod plan;
mod sync;

use std::sync::Arc;

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};

use super::expectations::Expectations;
use super::informer::Change;
use super::replicaset::owner_key;
use super::replicaset::pods::controller_ref;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::record::EventRecorder;

pub use identity::{POD_INDEX_LABEL, POD_NAME_LABEL};

/// The event source, as upstream names it.
pub const COMPONENT: &str = "statefulset-controller";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to create: {0}")]
    Create(#[source] kube::Error),
    #[error("failed to delete: {0}")]
    Delete(#[source] kube::Error),
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error(transparent)]
    History(#[from] super::history::Error),
    #[error("invalid selector: {0}")]
    Selector(String),
    #[error("invalid rolling update value: {0}")]
    IntOrPercent(String),
    #[error("reconcile task failed: {0}")]
    Task(String),
}

/// What every reconcile shares.
pub struct Context {
    pub client: Client,
    pub pods: Store<CachedPod>,
    pub expectations: Expectations,
    pub recorder: EventRecorder,
    failures: super::retry::Failures,
}

fn stateful_set_of(pod: &CachedPod) -> Option<ObjectRef<StatefulSet>> {
    let owner = controller_ref(pod).filter(|r| r.kind == "StatefulSet" && r.api_version == "apps/v1")?;
    Some(ObjectRef::new(&owner.name).within(&pod.namespace().unwrap_or_default()))
}

fn observe(ctx: &Context, change: &Change<CachedPod>) {
    match change {
        Change::Applied { object: pod, previous } => {
            if previous.is_none() {
                if let Some(set) = stateful_set_of(pod) {
                    let key = owner_key(set.namespace.as_deref().unwrap_or_default(), &set.name);
                    ctx.expectations.creation_observed(&key);
                }
            }
            if pod.metadata.deletion_timestamp.is_some() {
                ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default());
            }
        }
        Change::Deleted { object: pod } => ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default()),
    }
}

/// Runs the StatefulSet controller until the task is dropped.
pub async fn run(client: Client, pods: Store<CachedPod>, pod_changes: super::PodChanges) {
    let (sets, set_writer) = reflector::store::<StatefulSet>();
    let ctx = Arc::new(Context {
        client: client.clone(),
        pods,
        expectations: Expectations::new(),
        recorder: EventRecorder::new(client.clone(), COMPONENT),
        failures: Default::default(),
    });

    let forget = ctx.clone();
    let set_events = watcher(Api::<StatefulSet>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .inspect_ok(move |event| {
            if let watcher::Event::Delete(set) = event {
                forget.expectations.forget(&owner_key(&set.namespace().unwrap_or_default(), &set.name_any()));
            }
        });
    let set_triggers = trigger_self(reflector::reflector(set_writer, set_events).applied_objects(), ());

    let observer = ctx.clone();
    let touched = pod_changes.map(move |change| {
        observe(&observer, &change);
        Ok::<_, watcher::Error>(change.object().clone())
    });
    let pod_triggers = trigger_with(touched, |pod: Arc<CachedPod>| stateful_set_of(&pod));

    controller::applier(
        |set, ctx| {
            Box::pin(async move {
                let key = owner_key(&set.namespace().unwrap_or_default(), &set.name_any());
                let result = match tokio::spawn(sync::reconcile(set, ctx.clone())).await {
                    Ok(result) => result,
                    Err(err) => Err(Error::Task(err.to_string())),
                };
                if result.is_ok() {
                    ctx.failures.succeeded(&key);
                }
                result
            })
        },
        error_policy,
        ctx,
        sets,
        stream::select(set_triggers, pod_triggers),
        controller::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, component = COMPONENT, "reconcile failed");
        }
    })
    .await;
}

/// Retries with the per-object backoff.
fn error_policy(set: Arc<StatefulSet>, err: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.failures.failed(owner_key(&set.namespace().unwrap_or_default(), &set.name_any()));
    tracing::debug!(%err, component = COMPONENT, ?delay, "will retry");
    Action::requeue(delay)
}
