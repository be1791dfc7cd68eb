//! The DaemonSet controller (apps/v1), after upstream's `pkg/controller/daemon`: one pod
//! per eligible node (nodeSelector, required node affinity, taints against the template's
//! tolerations plus the default DaemonSet ones), created with a node affinity naming the
//! node and bound by the scheduler; pods leave nodes that no longer qualify or are gone;
//! RollingUpdate (maxUnavailable, maxSurge) or OnDelete over ControllerRevisions; status
//! as `rollout status` reads it.
//!
//! Wiring as the job controller: reflectors of DaemonSets and nodes and the shared pod
//! cache feed kube-runtime's `applier`; a pod wakes its DaemonSet, a node whose labels,
//! taints or schedulability changed (or that came or went) wakes every DaemonSet.

mod nodes;
mod plan;
mod sync;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Node;
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use parking_lot::Mutex;

use super::expectations::Expectations;
use super::informer::Change;
use super::replicaset::owner_key;
use super::replicaset::pods::controller_ref;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::record::EventRecorder;

pub use nodes::{default_tolerations, placement, Placement};

/// The event source, as upstream names it.
pub const COMPONENT: &str = "daemonset-controller";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to create pods: {0}")]
    Create(#[source] kube::Error),
    #[error("failed to delete pods: {0}")]
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
    pub nodes: Store<Node>,
    pub expectations: Expectations,
    pub recorder: EventRecorder,
    failures: super::retry::Failures,
}

/// The controlling DaemonSet of a pod.
fn daemon_set_of(pod: &CachedPod) -> Option<ObjectRef<DaemonSet>> {
    let owner = controller_ref(pod).filter(|r| r.kind == "DaemonSet" && r.api_version == "apps/v1")?;
    Some(ObjectRef::new(&owner.name).within(&pod.namespace().unwrap_or_default()))
}

fn observe(ctx: &Context, change: &Change<CachedPod>) {
    match change {
        Change::Applied { object: pod, previous } => {
            if previous.is_none() {
                if let Some(ds) = daemon_set_of(pod) {
                    ctx.expectations
                        .creation_observed(&owner_key(ds.namespace.as_deref().unwrap_or_default(), &ds.name));
                }
            }
            if pod.metadata.deletion_timestamp.is_some() {
                ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default());
            }
        }
        Change::Deleted { object: pod } => ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default()),
    }
}

/// What of a node decides where daemon pods go.
type NodeShape = (BTreeMap<String, String>, String, bool);

fn shape(node: &Node) -> NodeShape {
    let spec = node.spec.as_ref();
    let taints = spec.and_then(|s| s.taints.as_ref()).map(|t| serde_json::to_string(t).unwrap_or_default());
    (
        node.metadata.labels.clone().unwrap_or_default(),
        taints.unwrap_or_default(),
        spec.and_then(|s| s.unschedulable).unwrap_or(false),
    )
}

/// Runs the DaemonSet controller until the task is dropped.
pub async fn run(client: Client, pods: Store<CachedPod>, pod_changes: super::PodChanges) {
    let (daemon_sets, ds_writer) = reflector::store::<DaemonSet>();
    let (nodes, node_writer) = reflector::store::<Node>();
    let ctx = Arc::new(Context {
        client: client.clone(),
        pods,
        nodes,
        expectations: Expectations::new(),
        recorder: EventRecorder::new(client.clone(), COMPONENT),
        failures: Default::default(),
    });

    let forget = ctx.clone();
    let ds_events = watcher(Api::<DaemonSet>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .inspect_ok(move |event| {
            if let watcher::Event::Delete(ds) = event {
                forget.expectations.forget(&owner_key(&ds.namespace().unwrap_or_default(), &ds.name_any()));
            }
        });
    let ds_triggers = trigger_self(reflector::reflector(ds_writer, ds_events).applied_objects(), ());

    let observer = ctx.clone();
    let touched = pod_changes.map(move |change| {
        observe(&observer, &change);
        Ok::<_, watcher::Error>(change.object().clone())
    });
    let pod_triggers = trigger_with(touched, |pod: Arc<CachedPod>| daemon_set_of(&pod));

    // A node matters when it appears, goes, or changes what placement reads.
    let shapes: Arc<Mutex<HashMap<String, NodeShape>>> = Arc::default();
    let node_events = watcher(Api::<Node>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .modify(super::forget_managed_fields);
    let changed_nodes = reflector::reflector(node_writer, node_events).try_filter_map(move |event| {
        let mut shapes = shapes.lock();
        let changed = match &event {
            watcher::Event::Apply(node) | watcher::Event::InitApply(node) => {
                shapes.insert(node.name_any(), shape(node)).is_none_or(|old| old != shape(node))
            }
            watcher::Event::Delete(node) => shapes.remove(&node.name_any()).is_some() || true,
            watcher::Event::InitDone => true,
            watcher::Event::Init => false,
        };
        futures::future::ready(Ok(changed.then_some(())))
    });
    let all = daemon_sets.clone();
    let node_triggers = trigger_with(changed_nodes, move |()| {
        all.state().iter().map(|ds| ObjectRef::from_obj(ds.as_ref())).collect::<Vec<_>>()
    });

    controller::applier(
        |ds, ctx| {
            Box::pin(async move {
                let key = owner_key(&ds.namespace().unwrap_or_default(), &ds.name_any());
                let result = match tokio::spawn(sync::reconcile(ds, ctx.clone())).await {
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
        daemon_sets,
        stream::select_all([ds_triggers.boxed(), pod_triggers.boxed(), node_triggers.boxed()]),
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
fn error_policy(ds: Arc<DaemonSet>, err: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.failures.failed(owner_key(&ds.namespace().unwrap_or_default(), &ds.name_any()));
    tracing::debug!(%err, component = COMPONENT, ?delay, "will retry");
    Action::requeue(delay)
}
