//! One reconcile of one job: count its pods, decide (a pure `plan`), create or delete
//! pods, write status, record events, and schedule the next look (deadline, TTL).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::Value;

use super::conditions::{self, condition, is_true};
use super::pods::{self, Counts};
use super::status::{self, Wanted};
use super::{indexed, ttl, Context, Error};
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::replicaset::owner_key;
use crate::controllers::replicaset::pods::{from_template, owner_reference, pods_to_delete};
use crate::controllers::slow_start::Creator;
use crate::machinery::record::reference_to;

/// At most this many creations or deletions per sync (upstream's burst).
const BURST: usize = 500;
/// How often a job is looked at without any event.
const RESYNC: Duration = Duration::from_secs(300);

/// An event to record once the status that explains it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub warning: bool,
    pub reason: String,
    pub message: String,
}

fn note(warning: bool, reason: &str, message: &str) -> Note {
    Note { warning, reason: reason.into(), message: message.into() }
}

/// What one sync should do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub status: Wanted,
    pub create: usize,
    /// Indexed jobs: the completion index of each pod to create.
    pub indexes: Vec<i32>,
    pub delete: Vec<Arc<CachedPod>>,
    pub notes: Vec<Note>,
    /// When the active deadline passes, if it is still ahead.
    pub deadline_in: Option<Duration>,
    /// When failed pods may be replaced, if creation waits for the retry backoff.
    pub backoff_in: Option<Duration>,
}

/// The job's spec values the controller reads, with upstream's defaults.
struct Spec {
    completions: Option<i32>,
    parallelism: i32,
    backoff_limit: i32,
    active_deadline: Option<i64>,
    suspend: bool,
    restart_on_failure: bool,
    /// Indexed completion mode (which requires completions).
    indexed: bool,
}

fn spec_of(job: &Job) -> Spec {
    let spec = job.spec.as_ref();
    Spec {
        completions: spec.and_then(|s| s.completions),
        parallelism: spec.and_then(|s| s.parallelism).unwrap_or(1).max(0),
        backoff_limit: spec.and_then(|s| s.backoff_limit).unwrap_or(6),
        active_deadline: spec.and_then(|s| s.active_deadline_seconds),
        suspend: spec.and_then(|s| s.suspend).unwrap_or(false),
        restart_on_failure: spec.and_then(|s| s.template.spec.as_ref()).and_then(|s| s.restart_policy.as_deref())
            == Some("OnFailure"),
        indexed: spec.and_then(|s| s.completion_mode.as_deref()) == Some("Indexed")
            && spec.and_then(|s| s.completions).is_some(),
    }
}

/// Decides what the job needs, from its pods, at `now`.
pub fn plan(job: &Job, counts: &Counts, now: DateTime<Utc>) -> Plan {
    let spec = spec_of(job);
    let current = job.status.clone().unwrap_or_default();
    let mut conditions: Vec<Value> = status::current(job)["conditions"].as_array().cloned().unwrap_or_default();
    let active = counts.active.len();
    let mut status = Wanted {
        active,
        ready: counts.ready,
        terminating: counts.terminating,
        // Finished pods may be deleted by anyone; what was counted stays counted.
        succeeded: counts.succeeded.max(current.succeeded.unwrap_or(0)),
        failed: counts.failed.max(current.failed.unwrap_or(0)),
        start_time: current.start_time.as_ref().map(|t| t.0),
        completion_time: current.completion_time.as_ref().map(|t| t.0),
        conditions: Vec::new(),
        completed_indexes: None,
    };
    // Indexed: what counts is which indexes succeeded, not how many pods did.
    let mut done = BTreeSet::new();
    if spec.indexed {
        let completions = spec.completions.unwrap_or(0);
        done = indexed::parse_ranges(current.completed_indexes.as_deref().unwrap_or_default());
        done.extend(counts.succeeded_indexes.iter().copied());
        done.retain(|i| *i < completions);
        status.succeeded = done.len() as i32;
        status.completed_indexes = Some(indexed::format_ranges(&done));
    }
    let mut plan = Plan {
        status: status.clone(),
        create: 0,
        indexes: Vec::new(),
        delete: Vec::new(),
        notes: Vec::new(),
        deadline_in: None,
        backoff_in: None,
    };
    let all_active = || counts.active.clone();

    if is_true(&conditions, conditions::COMPLETE) || is_true(&conditions, conditions::FAILED) {
        // A failed job's stragglers still go.
        if is_true(&conditions, conditions::FAILED) {
            plan.delete = all_active();
        }
        status.conditions = conditions;
        plan.status = status;
        return plan;
    }

    // Suspension: pods go, the clock stops; resuming starts it again.
    if spec.suspend && !is_true(&conditions, conditions::SUSPENDED) {
        conditions::set(
            &mut conditions,
            condition(conditions::SUSPENDED, true, ("JobSuspended", "Job suspended"), now),
        );
        plan.notes.push(note(false, "Suspended", "Job suspended"));
    } else if !spec.suspend && is_true(&conditions, conditions::SUSPENDED) {
        conditions::set(&mut conditions, condition(conditions::SUSPENDED, false, ("JobResumed", "Job resumed"), now));
        plan.notes.push(note(false, "Resumed", "Job resumed"));
        status.start_time = Some(now);
    }
    if !spec.suspend && status.start_time.is_none() {
        status.start_time = Some(now);
    }

    let failures = status.failed + if spec.restart_on_failure { counts.restarts } else { 0 };
    let deadline_left = match (spec.active_deadline, status.start_time) {
        (Some(seconds), Some(start)) if !spec.suspend => Some(start + chrono::Duration::seconds(seconds) - now),
        _ => None,
    };
    let failure = if let Some(target) = conditions::find(&conditions, conditions::FAILURE_TARGET) {
        Some(conditions::reason_of(target))
    } else if failures > spec.backoff_limit {
        Some(pair(conditions::BACKOFF_LIMIT_EXCEEDED))
    } else if deadline_left.is_some_and(|left| left <= chrono::Duration::zero()) {
        Some(pair(conditions::DEADLINE_EXCEEDED))
    } else {
        None
    };
    if let Some((reason, message)) = failure {
        // 1.32's order: FailureTarget at once, Failed when no pod is left running.
        let target = condition(conditions::FAILURE_TARGET, true, (&reason, &message), now);
        conditions::set(&mut conditions, target);
        plan.delete = all_active();
        if active == 0 && counts.terminating == 0 {
            conditions::set(&mut conditions, condition(conditions::FAILED, true, (&reason, &message), now));
            plan.notes.push(note(true, &reason, &message));
        }
        status.conditions = conditions;
        plan.status = status;
        return plan;
    }

    let complete = match spec.completions {
        Some(completions) => status.succeeded >= completions,
        // Without completions, one success is enough once the others are done.
        None => status.succeeded > 0 && active == 0,
    };
    if complete || is_true(&conditions, conditions::SUCCESS_CRITERIA_MET) {
        conditions::set(
            &mut conditions,
            condition(conditions::SUCCESS_CRITERIA_MET, true, conditions::COMPLETIONS_REACHED, now),
        );
        plan.delete = all_active();
        if active == 0 && counts.terminating == 0 {
            conditions::set(
                &mut conditions,
                condition(conditions::COMPLETE, true, conditions::COMPLETIONS_REACHED, now),
            );
            status.completion_time = Some(now);
            plan.notes.push(note(false, "Completed", "Job completed"));
        }
        status.conditions = conditions;
        plan.status = status;
        return plan;
    }

    if spec.suspend {
        plan.delete = all_active();
    } else {
        let want = match spec.completions {
            Some(completions) => (completions - status.succeeded).clamp(0, spec.parallelism),
            None if status.succeeded > 0 => active as i32,
            None => spec.parallelism,
        } as usize;
        if spec.indexed {
            // A pod running an index that already succeeded is a duplicate.
            let (duplicates, running): (Vec<_>, Vec<_>) = counts
                .active
                .iter()
                .cloned()
                .partition(|p| indexed::index_of(&p.metadata).is_none_or(|i| done.contains(&i)));
            let running_indexes: BTreeSet<i32> =
                running.iter().filter_map(|p| indexed::index_of(&p.metadata)).collect();
            let missing = want.saturating_sub(running.len()).min(BURST);
            plan.indexes = indexed::to_create(spec.completions.unwrap_or(0), &done, &running_indexes, missing);
            plan.create = plan.indexes.len();
            plan.delete = duplicates;
            if running.len() > want {
                plan.delete.extend(pods_to_delete(&running, (running.len() - want).min(BURST)));
            }
        } else if active < want {
            plan.create = (want - active).min(BURST);
        } else if active > want {
            plan.delete = pods_to_delete(&counts.active, (active - want).min(BURST));
        }
        plan.deadline_in = deadline_left.and_then(|left| left.to_std().ok());
        if plan.create > 0 {
            if let Some(wait) = counts.retry_backoff(now) {
                plan.create = 0;
                plan.indexes.clear();
                plan.backoff_in = Some(wait);
            }
        }
    }
    status.conditions = conditions;
    plan.status = status;
    plan
}

fn pair((reason, message): (&str, &str)) -> (String, String) {
    (reason.to_string(), message.to_string())
}

fn event_target(job: &Job) -> ObjectReference {
    reference_to("batch/v1", "Job", job.namespace().as_deref(), &job.name_any(), job.uid().as_deref())
}

pub async fn reconcile(job: Arc<Job>, ctx: Arc<Context>) -> Result<Action, Error> {
    // The pod cache must have listed once, or every pod would look missing.
    if ctx.pods.wait_until_ready().now_or_never().is_none() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let name = job.name_any();
    let namespace = job.namespace().ok_or_else(|| Error::NoNamespace(name.clone()))?;
    let key = owner_key(&namespace, &name);
    // The watch may lag behind our own status writes: decide on the current object.
    let api: Api<Job> = Api::namespaced(ctx.client.clone(), &namespace);
    let Some(job) = api.get_opt(&name).await? else { return Ok(Action::await_change()) };
    if job.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let satisfied =
        ctx.expectations.satisfied(&key, |uid| ctx.pods.find(|p| p.metadata.uid.as_deref() == Some(uid)).is_some());
    let uid = job.uid().unwrap_or_default();
    let owned: Vec<Arc<CachedPod>> = ctx
        .pods
        .state()
        .into_iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(namespace.as_str()))
        .filter(|p| pods::job_of(p).is_some_and(|r| r.uid == uid))
        .collect();
    let counts = pods::count(&owned);
    let now = Utc::now();
    let plan = plan(&job, &counts, now);

    let mut manage_error = None;
    if satisfied {
        if plan.create > 0 {
            manage_error = create_pods(&job, &ctx, &key, &plan).await.err();
        }
        if !plan.delete.is_empty() {
            manage_error = delete_pods(&job, &ctx, &key, &plan.delete).await.err().or(manage_error);
        }
    }
    status::update(&job, &ctx, &plan.status).await?;
    let target = event_target(&job);
    for note in &plan.notes {
        let kind = if note.warning { "Warning" } else { "Normal" };
        ctx.recorder.record(&target, kind, &note.reason, &note.message);
    }
    if let Some(err) = manage_error {
        return Err(err);
    }

    let mut next = RESYNC;
    for left in [plan.deadline_in, plan.backoff_in].into_iter().flatten() {
        next = next.min(left + Duration::from_millis(100));
    }
    if let Some(finished) = conditions::finished_at(&plan.status.conditions) {
        match ttl::expires_in(&job, finished.unwrap_or(now), now) {
            Some(left) if left.is_zero() => ttl::delete_expired(&job, &ctx).await?,
            Some(left) => next = next.min(left),
            None => {}
        }
    }
    if !satisfied {
        next = next.min(Duration::from_secs(5));
    }
    Ok(Action::requeue(next))
}

/// The pods a plan creates: copies of the template, each stamped with its index when the
/// job is Indexed.
fn new_pods(job: &Job, plan: &Plan) -> Result<Vec<Pod>, Error> {
    let name = job.name_any();
    let namespace = job.namespace().unwrap_or_default();
    let template = job.spec.as_ref().map(|s| &s.template).ok_or_else(|| Error::NoTemplate(name.clone()))?;
    let reference = owner_reference("batch/v1", "Job", &name, &job.uid().unwrap_or_default());
    let pod = from_template(template, &namespace, reference);
    if plan.indexes.is_empty() {
        return Ok(vec![pod; plan.create]);
    }
    Ok(plan
        .indexes
        .iter()
        .map(|index| {
            let mut pod = pod.clone();
            indexed::stamp(&mut pod, &name, *index);
            pod
        })
        .collect())
}

/// Creates the plan's pods with upstream's slow start.
async fn create_pods(job: &Job, ctx: &Context, key: &str, plan: &Plan) -> Result<(), Error> {
    let pods = new_pods(job, plan)?;
    let creator = Creator {
        api: Api::namespaced(ctx.client.clone(), &job.namespace().unwrap_or_default()),
        recorder: &ctx.recorder,
        target: event_target(job),
        expectations: &ctx.expectations,
        key,
    };
    creator.create(&pods).await.map_err(Error::Create)
}

async fn delete_pods(job: &Job, ctx: &Context, key: &str, victims: &[Arc<CachedPod>]) -> Result<(), Error> {
    let deleter = Creator {
        api: Api::namespaced(ctx.client.clone(), &job.namespace().unwrap_or_default()),
        recorder: &ctx.recorder,
        target: event_target(job),
        expectations: &ctx.expectations,
        key,
    };
    deleter.delete(victims).await.map_err(Error::Delete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(spec: Value, status: Value) -> Job {
        let mut full = json!({"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}});
        if let (Some(base), Some(extra)) = (full.as_object_mut(), spec.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(json!({"metadata": {"name": "j", "namespace": "default", "uid": "u"},
            "spec": full, "status": status}))
        .unwrap()
    }

    fn pods_in(phases: &[&str]) -> Counts {
        let pods: Vec<Arc<CachedPod>> = phases
            .iter()
            .enumerate()
            .map(|(i, phase)| {
                Arc::new(
                    serde_json::from_value(json!({"metadata": {"name": format!("p{i}")}, "status": {"phase": phase}}))
                        .unwrap(),
                )
            })
            .collect();
        pods::count(&pods)
    }

    fn types(plan: &Plan) -> Vec<String> {
        plan.status.conditions.iter().map(|c| c["type"].as_str().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn a_new_job_starts_parallelism_pods_up_to_completions() {
        let plan = plan(&job(json!({"completions": 5, "parallelism": 2}), json!({})), &pods_in(&[]), Utc::now());
        assert_eq!(plan.create, 2);
        assert!(plan.status.start_time.is_some());
        let plan =
            plan_of(json!({"completions": 5, "parallelism": 3}), &["Succeeded", "Succeeded", "Succeeded", "Running"]);
        assert_eq!((plan.create, plan.status.succeeded, plan.status.active), (1, 3, 1));
    }

    fn plan_of(spec: Value, phases: &[&str]) -> Plan {
        plan(&job(spec, json!({"startTime": "2026-01-01T00:00:00Z"})), &pods_in(phases), Utc::now())
    }

    #[test]
    fn reaching_completions_completes_the_job() {
        let plan = plan_of(json!({"completions": 2, "parallelism": 1}), &["Succeeded", "Succeeded"]);
        assert_eq!(types(&plan), ["SuccessCriteriaMet", "Complete"]);
        assert_eq!(plan.status.conditions[1]["reason"], "CompletionsReached");
        assert!(plan.status.completion_time.is_some());
        assert_eq!(plan.notes, [note(false, "Completed", "Job completed")]);
    }

    #[test]
    fn too_many_failures_fail_the_job_once_pods_are_gone() {
        let spec = json!({"completions": 1, "parallelism": 1, "backoffLimit": 1});
        let plan = plan_of(spec.clone(), &["Failed", "Failed", "Running"]);
        assert_eq!(types(&plan), ["FailureTarget"]);
        assert_eq!(plan.delete.len(), 1);
        let plan = plan_of(spec, &["Failed", "Failed"]);
        assert_eq!(types(&plan), ["FailureTarget", "Failed"]);
        assert_eq!(plan.status.conditions[1]["reason"], "BackoffLimitExceeded");
        assert!(plan.status.completion_time.is_none());
        assert!(plan.notes[0].warning);
    }

    #[test]
    fn the_active_deadline_fails_the_job() {
        let late = plan_of(json!({"completions": 1, "parallelism": 1, "activeDeadlineSeconds": 5}), &[]);
        assert_eq!(late.status.conditions[1]["reason"], "DeadlineExceeded");
        let fresh = plan(&job(json!({"activeDeadlineSeconds": 60}), json!({})), &pods_in(&[]), Utc::now());
        assert!(fresh.deadline_in.is_some_and(|d| d > Duration::from_secs(50)));
    }

    #[test]
    fn indexed_jobs_run_missing_indexes_and_complete_when_all_succeeded() {
        let spec = json!({"completions": 3, "parallelism": 2, "completionMode": "Indexed"});
        let started = json!({"startTime": "2026-01-01T00:00:00Z", "completedIndexes": "1"});
        let first = plan(&job(spec.clone(), started), &pods_in(&[]), Utc::now());
        assert_eq!((first.indexes.clone(), first.status.succeeded), (vec![0, 2], 1));
        assert_eq!(first.status.completed_indexes.as_deref(), Some("1"));
        let done = json!({"startTime": "2026-01-01T00:00:00Z", "completedIndexes": "0-2"});
        let last = plan(&job(spec, done), &pods_in(&[]), Utc::now());
        assert_eq!(types(&last), ["SuccessCriteriaMet", "Complete"]);
    }

    #[test]
    fn a_suspended_job_deletes_its_pods_and_says_so() {
        let plan = plan_of(json!({"completions": 1, "parallelism": 1, "suspend": true}), &["Running"]);
        assert_eq!(types(&plan), ["Suspended"]);
        assert_eq!((plan.delete.len(), plan.create), (1, 0));
    }
}
