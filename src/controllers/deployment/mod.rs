//! The deployment controller: rolls a Deployment's pod template out through ReplicaSets named
//! `<deployment>-<pod-template-hash>`, as upstream's `pkg/controller/deployment/` does and as
//! `kubectl rollout status|history|undo` reads it. One file per concern, as upstream:
//! `sync.rs` (the shared machinery: ReplicaSets, revisions, scaling, status, cleanup),
//! `rolling.rs`, `recreate.rs`, `rollback.rs`, `progress.rs` (progress deadline) and `util.rs`.
//!
//! It is an API client only: ReplicaSets come from a reflector store; writes carry the
//! resourceVersion they were computed from, so a decision taken on a stale view fails with a
//! conflict and is retried instead of undoing someone else's change.

mod progress;
mod recreate;
mod rollback;
mod rolling;
mod sync;
pub mod util;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::ApiResource;
use kube::runtime::controller::{trigger_owners, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{reflector, store::Writer, ObjectRef, Store};
use kube::runtime::{applier, watcher, WatchStreamExt};
use kube::{Api, Client, ResourceExt};

use super::metadata_only::MetadataOnly;
use crate::machinery::record::EventRecorder;

/// Errors of one reconcile; every one is retried by the error policy.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("API request failed: {0}")]
    Api(#[source] kube::Error),
    #[error("invalid value {0:?}: want an integer or a percentage")]
    InvalidIntOrPercent(String),
    #[error("replica set {0} exists with another template (hash collision); collision count raised")]
    HashCollision(String),
    #[error("deployment has no namespace")]
    NoNamespace,
    #[error("encoding the deployment status: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("invalid label selector: {0}")]
    Selector(#[source] crate::machinery::labels::SelectorError),
}

impl From<kube::Error> for Error {
    fn from(err: kube::Error) -> Self {
        Error::Api(err)
    }
}

/// The controller's notion of now, injectable so progress-deadline logic is testable.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What every reconcile shares.
pub struct Context {
    pub client: Client,
    pub recorder: EventRecorder,
    /// Every ReplicaSet, kept by a reflector.
    pub replica_sets: Store<ReplicaSet>,
    pub clock: Arc<dyn Clock>,
}

/// How often a deployment is looked at again without any event (upstream's resync is longer;
/// ours is short because a missed watch event would otherwise stall a rollout).
const RESYNC: Duration = Duration::from_secs(30);

/// Runs the deployment controller until the task is dropped.
pub async fn run(client: Client) {
    run_with_clock(client, Arc::new(SystemClock)).await
}

/// kube-rs's `applier` fed by reflectors (the `Controller` builder can't yet share a store
/// with its triggers in kube 1.1 without unstable features): Deployments trigger themselves,
/// ReplicaSet changes trigger their owning Deployment *after* the ReplicaSet store has them,
/// so a reconcile never reads a store older than the event that caused it. Pod changes
/// (Recreate waits for old pods to be gone) trigger the Deployment owning the pod's RS.
pub async fn run_with_clock(client: Client, clock: Arc<dyn Clock>) {
    let deployment_writer = Writer::<Deployment>::default();
    let deployment_store = deployment_writer.as_reader();
    let rs_writer = Writer::<ReplicaSet>::default();
    let replica_sets = rs_writer.as_reader();
    let context = Arc::new(Context {
        recorder: EventRecorder::new(client.clone(), "deployment-controller"),
        client: client.clone(),
        replica_sets: replica_sets.clone(),
        clock,
    });
    let config = watcher::Config::default();
    let deployments =
        reflector(deployment_writer, watcher(Api::<Deployment>::all(client.clone()), config.clone()).default_backoff())
            .applied_objects();
    let rs_events =
        reflector(rs_writer, watcher(Api::<ReplicaSet>::all(client.clone()), config.clone()).default_backoff())
            .touched_objects();
    // Only deletions, as upstream: a Recreate rollout waits for the old pods to be gone.
    let pods: Api<MetadataOnly> = Api::all_with(client, &ApiResource::erase::<Pod>(&()));
    let deleted_pods = watcher(pods, config).default_backoff().try_filter_map(|event| async move {
        Ok(match event {
            watcher::Event::Delete(pod) => Some(pod),
            _ => None,
        })
    });
    let pod_triggers = trigger_with(deleted_pods, move |pod: MetadataOnly| deployment_of_pod(&pod, &replica_sets));
    let queue = futures::stream::select_all([
        trigger_self(deployments, ()).boxed(),
        trigger_owners(rs_events, (), ()).boxed(),
        pod_triggers.boxed(),
    ]);
    applier(
        |deployment, context| Box::pin(reconcile(deployment, context)),
        error_policy,
        context,
        deployment_store,
        queue,
        kube::runtime::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, "deployment reconcile");
        }
    })
    .await;
}

/// The Deployment controlling the ReplicaSet that controls this pod.
fn deployment_of_pod(pod: &MetadataOnly, replica_sets: &Store<ReplicaSet>) -> Option<ObjectRef<Deployment>> {
    let namespace = pod.namespace()?;
    let owner = pod.owner_references().iter().find(|o| o.controller == Some(true) && o.kind == "ReplicaSet")?;
    let rs = replica_sets.get(&ObjectRef::new(&owner.name).within(&namespace))?;
    let deployment = rs.owner_references().iter().find(|o| o.controller == Some(true) && o.kind == "Deployment")?;
    Some(ObjectRef::new(&deployment.name).within(&namespace))
}

async fn reconcile(deployment: Arc<Deployment>, context: Arc<Context>) -> Result<Action, Error> {
    let namespace = deployment.namespace().ok_or(Error::NoNamespace)?;
    let api: Api<Deployment> = Api::namespaced(context.client.clone(), &namespace);
    // The watch cache may lag behind our own status writes; read the current object.
    let Some(current) = api.get_opt(&deployment.name_any()).await? else {
        return Ok(Action::await_change());
    };
    let mut sync = sync::DeploymentSync::new(&context, current, &namespace);
    sync.sync_deployment().await?;
    Ok(Action::requeue(sync.requeue.unwrap_or(RESYNC).min(RESYNC)))
}

fn error_policy(_deployment: Arc<Deployment>, err: &Error, _context: Arc<Context>) -> Action {
    match err {
        // Someone wrote in between (usually the replicaset controller's status): retry soon.
        Error::Api(kube::Error::Api(status)) if status.code == 409 => Action::requeue(Duration::from_millis(200)),
        _ => {
            tracing::info!(%err, "deployment sync failed");
            Action::requeue(Duration::from_secs(2))
        }
    }
}
