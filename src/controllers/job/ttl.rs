//! `ttlSecondsAfterFinished`: a finished job is deleted (background propagation, so the
//! garbage collector takes its pods) once that many seconds passed since it finished —
//! upstream's ttl-after-finished controller, run from the job's own reconcile.

use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, DeleteParams, Preconditions, PropagationPolicy};
use kube::ResourceExt;

use super::{Context, Error};

/// How long until the finished job expires (zero: now); `None` without a TTL.
pub fn expires_in(job: &Job, finished: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    let ttl = job.spec.as_ref()?.ttl_seconds_after_finished?;
    let expiry = finished + chrono::Duration::seconds(i64::from(ttl.max(0)));
    Some((expiry - now).to_std().unwrap_or(Duration::ZERO))
}

/// Deletes the job, guarded by its uid so a new job of the same name is never hit.
pub async fn delete_expired(job: &Job, ctx: &Context) -> Result<(), Error> {
    let api: Api<Job> = Api::namespaced(ctx.client.clone(), &job.namespace().unwrap_or_default());
    let params = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Background),
        preconditions: Some(Preconditions { uid: job.uid(), resource_version: None }),
        ..Default::default()
    };
    match api.delete(&job.name_any(), &params).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if matches!(status.code, 404 | 409) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expiry_counts_from_the_finish() {
        let job: Job = serde_json::from_value(json!({"metadata": {"name": "j"},
            "spec": {"ttlSecondsAfterFinished": 10, "template": {}}}))
        .unwrap();
        let finished = Utc::now();
        assert_eq!(expires_in(&job, finished, finished + chrono::Duration::seconds(4)), Some(Duration::from_secs(6)));
        assert_eq!(expires_in(&job, finished, finished + chrono::Duration::seconds(11)), Some(Duration::ZERO));
        let forever: Job =
            serde_json::from_value(json!({"metadata": {"name": "j"}, "spec": {"template": {}}})).unwrap();
        assert_eq!(expires_in(&forever, finished, finished), None);
    }
}
