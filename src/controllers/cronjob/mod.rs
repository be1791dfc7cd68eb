//! The CronJob controller (batch/v1, upstream's `cronjob_controllerv2.go`): at each time
//! the schedule names (in `timeZone`, else UTC) it creates a Job `<cronjob>-<minutes since
//! the epoch>` from the template — unless suspended, past `startingDeadlineSeconds`, or
//! (Forbid) one is still active; Replace deletes the active ones first — keeps
//! `status.active`, `lastScheduleTime` and `lastSuccessfulTime`, and deletes the oldest
//! finished jobs beyond the history limits.
//!
//! Its clock is injectable: `KCTL_CRONJOB_CLOCK_SPEED=N` (tests) makes its time run N
//! times as fast from the moment it starts, so a `* * * * *` schedule fires every 60/N s.

mod clock;
pub mod schedule;
mod sync;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{stream, StreamExt};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use parking_lot::Mutex;

pub use clock::Clock;

use super::replicaset::owner_key;
use crate::machinery::record::EventRecorder;

/// The event source, as upstream names it.
pub const COMPONENT: &str = "cronjob-controller";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("could not encode: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("could not replace job {0}")]
    Replace(String),
    #[error("reconcile task failed: {0}")]
    Task(String),
}

pub struct Context {
    pub client: Client,
    pub jobs: Store<Job>,
    pub recorder: EventRecorder,
    pub clock: Clock,
    failures: Mutex<HashMap<String, u32>>,
}

/// The CronJob controlling `job`, if any.
fn cron_job_of(job: &Job) -> Option<ObjectRef<CronJob>> {
    let owner = job.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true))?;
    (owner.kind == "CronJob" && owner.api_version.starts_with("batch/"))
        .then(|| ObjectRef::new(&owner.name).within(&job.namespace().unwrap_or_default()))
}

/// Runs the controller until the task is dropped.
pub async fn run(client: Client) {
    let (cron_jobs, cron_writer) = reflector::store::<CronJob>();
    let (jobs, job_writer) = reflector::store::<Job>();
    let ctx = Arc::new(Context {
        client: client.clone(),
        jobs,
        recorder: EventRecorder::new(client.clone(), COMPONENT),
        clock: Clock::from_env(),
        failures: Mutex::new(HashMap::new()),
    });
    let cron_events = watcher(Api::<CronJob>::all(client.clone()), watcher::Config::default()).default_backoff();
    let cron_triggers = trigger_self(reflector::reflector(cron_writer, cron_events).applied_objects(), ());
    let job_events = watcher(Api::<Job>::all(client.clone()), watcher::Config::default()).default_backoff();
    let job_triggers =
        trigger_with(reflector::reflector(job_writer, job_events).touched_objects(), |job: Job| cron_job_of(&job));
    controller::applier(
        |cron_job, ctx| {
            Box::pin(async move {
                let key = owner_key(&cron_job.namespace().unwrap_or_default(), &cron_job.name_any());
                let result = match tokio::spawn(sync::reconcile(cron_job, ctx.clone())).await {
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
        cron_jobs,
        stream::select(cron_triggers, job_triggers),
        controller::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, component = COMPONENT, "reconcile failed");
        }
    })
    .await;
}

fn error_policy(cron_job: Arc<CronJob>, err: &Error, ctx: Arc<Context>) -> Action {
    let key = owner_key(&cron_job.namespace().unwrap_or_default(), &cron_job.name_any());
    let mut failures = ctx.failures.lock();
    let count = failures.entry(key).or_insert(0);
    *count = count.saturating_add(1);
    let doublings = count.saturating_sub(1).min(10);
    let delay = (Duration::from_millis(100) * 2u32.pow(doublings)).min(Duration::from_secs(60));
    tracing::debug!(%err, component = COMPONENT, ?delay, "will retry");
    Action::requeue(delay)
}
