//! The deployment controller: rolls a Deployment's pod template out through ReplicaSets named
//! `<deployment>-<pod-template-hash>`, as upstream's `pkg/controller/deployment/` does and as
//! `kubectl rollout status|history|undo` reads it. One file per concern, as upstream:
//! `sync.rs` (the shared machinery: ReplicaSets, revisions, scaling, status, cleanup),
//! `rolling.rs`, `recreate.rs`, `progress.rs` (progress deadline) and `util.rs`.
//!
//! It is an API client only. Each reconcile reads the Deployment, its ReplicaSets and (for
//! Recreate) its Pods fresh from the apiserver, so a decision is never taken on a cache that
//! lags behind our own previous write.

mod progress;
mod recreate;
mod rolling;
mod sync;
pub mod util;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{watcher, Controller};
use kube::{Api, Client, ResourceExt};

use super::events::EventRecorder;

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
    pub clock: Arc<dyn Clock>,
}

/// How often a deployment is looked at again without any event (upstream's resync is longer;
/// ours is short because a missed watch event would otherwise stall a rollout).
const RESYNC: Duration = Duration::from_secs(30);

/// Runs the deployment controller until the task is dropped.
pub async fn run(client: Client) {
    run_with_clock(client, Arc::new(SystemClock)).await
}

pub async fn run_with_clock(client: Client, clock: Arc<dyn Clock>) {
    let context = Arc::new(Context {
        recorder: EventRecorder::new(client.clone(), "deployment-controller"),
        client: client.clone(),
        clock,
    });
    let deployments = Api::<Deployment>::all(client.clone());
    let replica_sets = Api::<ReplicaSet>::all(client.clone());
    let pods = Api::<Pod>::all(client);
    Controller::new(deployments, watcher::Config::default())
        .owns(replica_sets, watcher::Config::default())
        // Recreate waits for old pods to be gone; a pod's owner is a ReplicaSet named
        // `<deployment>-<hash>`, so the deployment's name is the RS name without its hash.
        .watches(pods, watcher::Config::default(), |pod: Pod| {
            let namespace = pod.namespace()?;
            let owner = pod.owner_references().iter().find(|o| o.controller == Some(true) && o.kind == "ReplicaSet")?;
            let (deployment, _hash) = owner.name.rsplit_once('-')?;
            Some(ObjectRef::<Deployment>::new(deployment).within(&namespace))
        })
        .run(reconcile, error_policy, context)
        .for_each(|result| async move {
            if let Err(err) = result {
                tracing::debug!(%err, "deployment reconcile");
            }
        })
        .await;
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
