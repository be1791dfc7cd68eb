//! The job controller (batch/v1 Job): runs pods from the template until `completions`
//! of them succeeded (at most `parallelism` at once), gives up after `backoffLimit`
//! failures or `activeDeadlineSeconds`, deletes its pods while suspended, writes status
//! and the SuccessCriteriaMet/Complete or FailureTarget/Failed conditions, and deletes
//! finished jobs once their `ttlSecondsAfterFinished` passed (upstream's separate
//! ttl-after-finished controller, folded in here).
//!
//! Indexed jobs give each pod a completion index and complete when every index succeeded.
//!
//! Wiring as the replicaset controller: reflectors of jobs and pods feed kube-runtime's
//! `applier`; a pod wakes the job that controls it. Counting is the pre-1.26 way (finished
//! pods are counted while they exist, never below what status already says) rather than
//! through the `batch.kubernetes.io/job-tracking` finalizer.

mod conditions;
mod indexed;
mod pods;
mod status;
mod sync;
mod ttl;

use std::sync::Arc;

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::batch::v1::Job;
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};

use super::expectations::Expectations;
use super::informer::Change;
use super::replicaset::owner_key;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::record::EventRecorder;

/// The event source, as upstream names it.
pub const COMPONENT: &str = "job-controller";

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

/// What every reconcile shares.
pub struct Context {
    pub client: Client,
    pub pods: Store<CachedPod>,
    pub expectations: Expectations,
    pub recorder: EventRecorder,
    /// Consecutive failed reconciles per job (`namespace/name`), for the retry backoff.
    failures: super::retry::Failures,
}

/// Notes what a pod change means for expectations; `previous` is the version the shared
/// cache held before it.
fn observe(ctx: &Context, change: &Change<CachedPod>) {
    match change {
        Change::Applied { object: pod, previous } => {
            if previous.is_none() {
                if let Some(job) = pods::job_of(pod) {
                    ctx.expectations.creation_observed(&owner_key(&pod.namespace().unwrap_or_default(), &job.name));
                }
            }
            if pod.metadata.deletion_timestamp.is_some() {
                ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default());
            }
        }
        Change::Deleted { object: pod } => ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default()),
    }
}

/// Runs the job controller until the task is dropped, over the controller-manager's
/// shared pod cache and its changes.
pub async fn run(client: Client, pods: Store<CachedPod>, pod_changes: super::PodChanges) {
    let (jobs, job_writer) = reflector::store::<Job>();
    let ctx = Arc::new(Context {
        client: client.clone(),
        pods,
        expectations: Expectations::new(),
        recorder: EventRecorder::new(client.clone(), COMPONENT),
        failures: Default::default(),
    });

    let forget = ctx.clone();
    let job_events = watcher(Api::<Job>::all(client.clone()), watcher::Config::default()).default_backoff().inspect_ok(
        move |event| {
            if let watcher::Event::Delete(job) = event {
                forget.expectations.forget(&owner_key(&job.namespace().unwrap_or_default(), &job.name_any()));
            }
        },
    );
    let job_triggers = trigger_self(reflector::reflector(job_writer, job_events).applied_objects(), ());

    let observer = ctx.clone();
    let touched = pod_changes.map(move |change| {
        observe(&observer, &change);
        Ok::<_, watcher::Error>(change.object().clone())
    });
    let pod_triggers = trigger_with(touched, |pod: Arc<CachedPod>| {
        let namespace = pod.namespace().unwrap_or_default();
        pods::job_of(&pod).map(|job| ObjectRef::<Job>::new(&job.name).within(&namespace))
    });

    controller::applier(
        |job, ctx| {
            // Its own task, so a slow reconcile never holds up the watches.
            Box::pin(async move {
                let key = owner_key(&job.namespace().unwrap_or_default(), &job.name_any());
                let result = match tokio::spawn(sync::reconcile(job, ctx.clone())).await {
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
        jobs,
        stream::select(job_triggers, pod_triggers),
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
fn error_policy(job: Arc<Job>, err: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.failures.failed(owner_key(&job.namespace().unwrap_or_default(), &job.name_any()));
    tracing::debug!(%err, component = COMPONENT, ?delay, "will retry");
    Action::requeue(delay)
}
