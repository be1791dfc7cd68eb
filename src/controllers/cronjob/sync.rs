//! One CronJob's sync (upstream's `syncCronJob`, `cleanupFinishedJobs` and the schedule
//! arithmetic of `utils.go`).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::json;

use super::schedule::{self, Schedule};
use super::{Context, Error};
use crate::machinery::record::reference_to;

/// The annotation a job carries with the time it was scheduled for.
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// Upstream wakes a little after the scheduled time (nextScheduleDelta).
const NEXT_SCHEDULE_DELTA: TimeDelta = TimeDelta::milliseconds(100);

/// More missed times than this earns a TooManyMissedTimes warning.
const MANY_MISSED: i64 = 100;

fn finished(job: &Job) -> Option<&'static str> {
    let conditions = job.status.as_ref().and_then(|s| s.conditions.as_ref())?;
    conditions.iter().find_map(|c| match (c.type_.as_str(), c.status.as_str()) {
        ("Complete", "True") => Some("Complete"),
        ("Failed", "True") => Some("Failed"),
        _ => None,
    })
}

fn controlled_by(job: &Job, uid: &str) -> bool {
    job.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid)
}

/// `mostRecentScheduleTime`: (earliest time considered, the latest activation not after
/// `now`, how many were missed).
fn most_recent(
    cron_job: &CronJob,
    now: DateTime<Utc>,
    schedule: &Schedule,
    with_deadline: bool,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>, i64), String> {
    let created = cron_job.metadata.creation_timestamp.as_ref().map_or(now, |t| t.0);
    let mut earliest = cron_job.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map_or(created, |t| t.0);
    let deadline = cron_job.spec.as_ref().and_then(|s| s.starting_deadline_seconds);
    if let (true, Some(seconds)) = (with_deadline, deadline) {
        earliest = earliest.max(now - TimeDelta::seconds(seconds));
    }
    let Some(t1) = schedule.next(earliest) else { return Ok((earliest, None, 0)) };
    if now < t1 {
        return Ok((earliest, None, 0));
    }
    let Some(t2) = schedule.next(t1) else { return Ok((earliest, Some(t1), 0)) };
    if now < t2 {
        return Ok((earliest, Some(t1), 0));
    }
    let between = (t2 - t1).num_seconds();
    if between < 1 {
        return Err("time difference between two schedules is less than 1 second".into());
    }
    let missed = (now - t1).num_seconds() / between + 1;
    let mut recent = None;
    let mut t = schedule.next(t1 + TimeDelta::seconds((missed - 2) * between));
    while let Some(at) = t.filter(|at| *at <= now) {
        recent = Some(at);
        t = schedule.next(at);
    }
    Ok((earliest, recent, missed))
}

/// `nextScheduleTimeDuration`: how long (on the controller's clock) until the next run.
fn until_next(cron_job: &CronJob, now: DateTime<Utc>, schedule: &Schedule) -> TimeDelta {
    let from = match most_recent(cron_job, now, schedule, false) {
        Err(_) => now,
        Ok((_, Some(recent), _)) => recent,
        Ok((earliest, None, 0)) => earliest,
        Ok((_, None, _)) => now,
    };
    schedule.next(from).map_or(TimeDelta::hours(1), |next| next + NEXT_SCHEDULE_DELTA - now)
}

fn job_reference(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        namespace: job.metadata.namespace.clone(),
        name: job.metadata.name.clone(),
        uid: job.metadata.uid.clone(),
        resource_version: job.metadata.resource_version.clone(),
        ..Default::default()
    }
}

/// `getJobFromTemplate2`.
fn job_for(cron_job: &CronJob, scheduled: DateTime<Utc>, zone: Tz) -> Job {
    let template = cron_job.spec.as_ref().map(|s| s.job_template.clone()).unwrap_or_default();
    let metadata = template.metadata.unwrap_or_default();
    let mut annotations = metadata.annotations.unwrap_or_default();
    annotations.insert(
        SCHEDULED_TIMESTAMP.into(),
        scheduled.with_timezone(&zone).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    let mut job = Job::default();
    job.metadata.name = Some(format!("{}-{}", cron_job.name_any(), scheduled.timestamp().div_euclid(60)));
    job.metadata.namespace = cron_job.namespace();
    job.metadata.labels = metadata.labels;
    job.metadata.annotations = Some(annotations);
    job.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        name: cron_job.name_any(),
        uid: cron_job.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    job.spec = template.spec;
    job
}

pub async fn reconcile(cron_job: Arc<CronJob>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = cron_job.namespace().unwrap_or_default();
    let uid = cron_job.metadata.uid.clone().unwrap_or_default();
    let jobs: Vec<Arc<Job>> = ctx
        .jobs
        .state()
        .into_iter()
        .filter(|job| job.namespace().as_deref() == Some(namespace.as_str()) && controlled_by(job, &uid))
        .collect();
    let mut updated = (*cron_job).clone();
    let old_status = serde_json::to_value(&cron_job.status)?;
    let requeue = sync(&mut updated, &jobs, &ctx).await?;
    cleanup_finished(&mut updated, &jobs, &ctx).await;
    let status = updated.status.clone().unwrap_or_default();
    if serde_json::to_value(&updated.status)? != old_status {
        let active = status.active.as_ref().filter(|a| !a.is_empty());
        let patch = json!({"status": {"active": active, "lastScheduleTime": status.last_schedule_time,
            "lastSuccessfulTime": status.last_successful_time}});
        Api::<CronJob>::namespaced(ctx.client.clone(), &namespace)
            .patch_status(&cron_job.name_any(), &PatchParams::default(), &Patch::Merge(patch))
            .await?;
    }
    Ok(match requeue {
        Some(delta) => Action::requeue(ctx.clock.real(delta)),
        None => Action::await_change(),
    })
}

fn active(cron_job: &mut CronJob) -> &mut Vec<ObjectReference> {
    cron_job.status.get_or_insert_with(Default::default).active.get_or_insert_with(Vec::new)
}

fn in_active(cron_job: &CronJob, uid: &str) -> bool {
    let list = cron_job.status.as_ref().and_then(|s| s.active.as_ref());
    list.is_some_and(|a| a.iter().any(|r| r.uid.as_deref() == Some(uid)))
}

/// `syncCronJob`: the status updated in place; when to look again.
async fn sync(cron_job: &mut CronJob, jobs: &[Arc<Job>], ctx: &Context) -> Result<Option<TimeDelta>, Error> {
    let namespace = cron_job.namespace().unwrap_or_default();
    let reference =
        reference_to("batch/v1", "CronJob", Some(&namespace), &cron_job.name_any(), cron_job.metadata.uid.as_deref());
    let now = ctx.clock.now();
    for job in jobs {
        let job_uid = job.metadata.uid.clone().unwrap_or_default();
        let found = in_active(cron_job, &job_uid);
        match finished(job) {
            None if !found => {
                let message = format!("Saw a job that the controller did not create or forgot: {}", job.name_any());
                ctx.recorder.warning(&reference, "UnexpectedJob", &message);
            }
            None => {}
            Some(condition) => {
                if found {
                    active(cron_job).retain(|r| r.uid.as_deref() != Some(job_uid.as_str()));
                    let message = format!("Saw completed job: {}, condition: {condition}", job.name_any());
                    ctx.recorder.normal(&reference, "SawCompletedJob", &message);
                }
                let completed = job.status.as_ref().and_then(|s| s.completion_time.clone());
                if let (Some(completed), "Complete") = (completed, condition) {
                    let status = cron_job.status.get_or_insert_with(Default::default);
                    if status.last_successful_time.as_ref().is_none_or(|t| completed.0 > t.0) {
                        status.last_successful_time = Some(completed);
                    }
                }
            }
        }
    }
    let api = Api::<Job>::namespaced(ctx.client.clone(), &namespace);
    let listed: Vec<ObjectReference> = active(cron_job).clone();
    for entry in listed {
        let uid = entry.uid.clone().unwrap_or_default();
        if jobs.iter().any(|j| j.metadata.uid.as_deref() == Some(uid.as_str())) {
            continue;
        }
        let name = entry.name.clone().unwrap_or_default();
        if api.get_opt(&name).await?.is_none() {
            ctx.recorder.normal(&reference, "MissingJob", &format!("Active job went missing: {name}"));
            active(cron_job).retain(|r| r.uid.as_deref() != Some(uid.as_str()));
        }
    }
    if cron_job.metadata.deletion_timestamp.is_some() {
        return Ok(None);
    }
    let spec = cron_job.spec.clone().unwrap_or_default();
    let zone: Tz = match spec.time_zone.as_deref() {
        None => Tz::UTC,
        Some(name) => match name.parse() {
            Ok(zone) => zone,
            Err(_) => {
                let message = format!("invalid timeZone: {name:?}: unknown time zone {name}");
                ctx.recorder.warning(&reference, "UnknownTimeZone", &message);
                return Ok(None);
            }
        },
    };
    if spec.suspend == Some(true) {
        return Ok(None);
    }
    if spec.schedule.contains("TZ") && spec.time_zone.is_none() {
        let message = format!("CRON_TZ or TZ used in schedule {:?} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details", spec.schedule);
        ctx.recorder.warning(&reference, "UnsupportedSchedule", &message);
    }
    let schedule = match schedule::parse(&spec.schedule, zone) {
        Ok(schedule) => schedule,
        Err(err) => {
            let message = format!("unparseable schedule: {:?} : {err}", spec.schedule);
            ctx.recorder.warning(&reference, "UnparseableSchedule", &message);
            return Ok(None);
        }
    };
    let scheduled = match most_recent(cron_job, now, &schedule, true) {
        Err(err) => {
            let message = format!("invalid schedule: {} : {err}", spec.schedule);
            ctx.recorder.warning(&reference, "InvalidSchedule", &message);
            return Ok(None);
        }
        Ok((_, None, _)) => return Ok(Some(until_next(cron_job, now, &schedule))),
        Ok((_, Some(at), missed)) => {
            if missed > MANY_MISSED {
                let message =
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";
                ctx.recorder.warning(&reference, "TooManyMissedTimes", message);
            }
            at
        }
    };
    if spec.starting_deadline_seconds.is_some_and(|seconds| scheduled + TimeDelta::seconds(seconds) < now) {
        let when = scheduled.format("%a, %d %b %Y %H:%M:%S %z");
        ctx.recorder.warning(&reference, "MissSchedule", &format!("Missed scheduled time to start a job: {when}"));
        return Ok(Some(until_next(cron_job, now, &schedule)));
    }
    let name = format!("{}-{}", cron_job.name_any(), scheduled.timestamp().div_euclid(60));
    let last = cron_job.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(|t| t.0);
    let listed = cron_job.status.as_ref().and_then(|s| s.active.as_ref());
    if listed.is_some_and(|a| a.iter().any(|r| r.name.as_deref() == Some(name.as_str()))) || last == Some(scheduled) {
        return Ok(Some(until_next(cron_job, now, &schedule)));
    }
    let running = cron_job.status.as_ref().and_then(|s| s.active.as_ref()).is_some_and(|a| !a.is_empty());
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    if policy == "Forbid" && running {
        let message = "Not starting job because prior execution is running and concurrency policy is Forbid";
        ctx.recorder.normal(&reference, "JobAlreadyActive", message);
        return Ok(Some(until_next(cron_job, now, &schedule)));
    }
    if policy == "Replace" {
        for entry in active(cron_job).clone() {
            let name = entry.name.clone().unwrap_or_default();
            let Some(job) = api.get_opt(&name).await? else {
                ctx.recorder.warning(&reference, "FailedGet", &format!("Get job: jobs.batch {name:?} not found"));
                return Err(Error::Replace(format!("{namespace}/{name}")));
            };
            if !delete_job(cron_job, &job, ctx, &reference).await {
                return Err(Error::Replace(format!("{namespace}/{name}")));
            }
        }
    }
    let wanted = job_for(cron_job, scheduled, zone);
    let created = match api.create(&PostParams::default(), &wanted).await {
        Ok(job) => {
            ctx.recorder.normal(&reference, "SuccessfulCreate", &format!("Created job {}", job.name_any()));
            job
        }
        Err(kube::Error::Api(status)) if status.code == 409 && status.reason == "AlreadyExists" => {
            let job = api.get(&name).await?;
            let uid = cron_job.metadata.uid.clone().unwrap_or_default();
            if !controlled_by(&job, &uid) || in_active(cron_job, job.metadata.uid.as_deref().unwrap_or_default()) {
                return Ok(None);
            }
            job
        }
        Err(err) => {
            ctx.recorder.warning(&reference, "FailedCreate", &format!("Error creating job: {err}"));
            return Err(err.into());
        }
    };
    active(cron_job).push(job_reference(&created));
    cron_job.status.get_or_insert_with(Default::default).last_schedule_time = Some(Time(scheduled));
    Ok(Some(until_next(cron_job, now, &schedule)))
}

/// `deleteJob`: background deletion, the job dropped from the active list.
async fn delete_job(cron_job: &mut CronJob, job: &Job, ctx: &Context, reference: &ObjectReference) -> bool {
    let api = Api::<Job>::namespaced(ctx.client.clone(), &job.namespace().unwrap_or_default());
    if let Err(err) = api.delete(&job.name_any(), &DeleteParams::background()).await {
        ctx.recorder.warning(reference, "FailedDelete", &format!("Deleted job: {err}"));
        return false;
    }
    let uid = job.metadata.uid.clone().unwrap_or_default();
    active(cron_job).retain(|r| r.uid.as_deref() != Some(uid.as_str()));
    ctx.recorder.normal(reference, "SuccessfulDelete", &format!("Deleted job {}", job.name_any()));
    true
}

/// `cleanupFinishedJobs`: the oldest finished jobs beyond each history limit go.
async fn cleanup_finished(cron_job: &mut CronJob, jobs: &[Arc<Job>], ctx: &Context) {
    let spec = cron_job.spec.clone().unwrap_or_default();
    let reference = reference_to(
        "batch/v1",
        "CronJob",
        cron_job.namespace().as_deref(),
        &cron_job.name_any(),
        cron_job.metadata.uid.as_deref(),
    );
    for (condition, limit) in
        [("Complete", spec.successful_jobs_history_limit), ("Failed", spec.failed_jobs_history_limit)]
    {
        let Some(limit) = limit else { continue };
        let mut done: Vec<&Arc<Job>> = jobs.iter().filter(|j| finished(j) == Some(condition)).collect();
        let excess = done.len().saturating_sub(limit.max(0) as usize);
        // Oldest start first; never-started last; ties by name.
        done.sort_by(|a, b| {
            let start = |j: &Job| j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0);
            match (start(a), start(b)) {
                (Some(x), Some(y)) if x != y => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                _ => a.name_any().cmp(&b.name_any()),
            }
        });
        for job in done.into_iter().take(excess) {
            delete_job(cron_job, job, ctx, &reference).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron_job(schedule: &str, created: &str, last: Option<&str>, deadline: Option<i64>) -> CronJob {
        serde_json::from_value(json!({
            "metadata": {"name": "hello", "namespace": "default", "uid": "u", "creationTimestamp": created},
            "spec": {"schedule": schedule, "startingDeadlineSeconds": deadline,
                "jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": {"spec": {"containers": []}}}}},
            "status": {"lastScheduleTime": last}
        }))
        .unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_most_recent_time_counts_what_was_missed() {
        let every_minute = schedule::parse("* * * * *", Tz::UTC).unwrap();
        let cj = cron_job("* * * * *", "2026-01-01T00:00:30Z", None, None);
        assert_eq!(most_recent(&cj, at("2026-01-01T00:00:50Z"), &every_minute, true).unwrap().1, None);
        let (_, recent, missed) = most_recent(&cj, at("2026-01-01T00:05:10Z"), &every_minute, true).unwrap();
        assert_eq!((recent, missed), (Some(at("2026-01-01T00:05:00Z")), 5));
        // Days of missed minutes are many; a deadline looks only that far back.
        let (_, _, missed) = most_recent(&cj, at("2026-01-02T00:00:10Z"), &every_minute, true).unwrap();
        assert!(missed > MANY_MISSED);
        let late = cron_job("* * * * *", "2026-01-01T00:00:30Z", None, Some(90));
        let (_, recent, missed) = most_recent(&late, at("2026-01-02T00:00:10Z"), &every_minute, true).unwrap();
        assert_eq!((recent, missed), (Some(at("2026-01-02T00:00:00Z")), 2));
        let next = until_next(&cj, at("2026-01-01T00:05:10Z"), &every_minute);
        assert_eq!(next, TimeDelta::seconds(50) + NEXT_SCHEDULE_DELTA);
    }

    #[test]
    fn jobs_are_named_by_minutes_since_the_epoch_and_carry_the_scheduled_time() {
        let cj = cron_job("* * * * *", "2026-01-01T00:00:30Z", None, None);
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let job = job_for(&cj, at("2026-01-01T00:05:00Z"), berlin);
        assert_eq!(
            job.metadata.name.as_deref(),
            Some(format!("hello-{}", at("2026-01-01T00:05:00Z").timestamp() / 60).as_str())
        );
        assert_eq!(job.metadata.annotations.unwrap()[SCHEDULED_TIMESTAMP], "2026-01-01T01:05:00+01:00");
        assert_eq!(job.metadata.labels.unwrap()["a"], "b");
        let owner = &job.metadata.owner_references.unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.controller, owner.block_owner_deletion),
            ("CronJob", Some(true), Some(true))
        );
    }
}
