//! The job status the controller writes (through `jobs/status`, only when it changed):
//! counts, times, conditions and an empty `uncountedTerminatedPods`, as 1.32 shows them.

use chrono::{DateTime, Utc};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, Patch, PatchParams};
use kube::ResourceExt;
use serde_json::{json, Map, Value};

use super::conditions::timestamp;
use super::{Context, Error};

/// What the status should say.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub active: usize,
    pub ready: i32,
    pub terminating: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub start_time: Option<DateTime<Utc>>,
    pub completion_time: Option<DateTime<Utc>>,
    pub conditions: Vec<Value>,
    /// Indexed jobs: the succeeded indexes as ranges (`0-2,4`).
    pub completed_indexes: Option<String>,
}

impl Wanted {
    /// As Go serializes it: zero counts omitted except the pointer fields `ready` and
    /// `terminating`.
    pub fn to_json(&self) -> Value {
        let mut status = Map::new();
        if !self.conditions.is_empty() {
            status.insert("conditions".into(), Value::Array(self.conditions.clone()));
        }
        if let Some(start) = self.start_time {
            status.insert("startTime".into(), json!(timestamp(start)));
        }
        if let Some(done) = self.completion_time {
            status.insert("completionTime".into(), json!(timestamp(done)));
        }
        for (field, value) in [
            ("active", self.active as i64),
            ("succeeded", i64::from(self.succeeded)),
            ("failed", i64::from(self.failed)),
        ] {
            if value != 0 {
                status.insert(field.into(), json!(value));
            }
        }
        if let Some(indexes) = self.completed_indexes.as_ref().filter(|i| !i.is_empty()) {
            status.insert("completedIndexes".into(), json!(indexes));
        }
        status.insert("ready".into(), json!(self.ready));
        status.insert("terminating".into(), json!(self.terminating));
        status.insert("uncountedTerminatedPods".into(), json!({}));
        Value::Object(status)
    }
}

/// The job's status as JSON (`{}` when it has none).
pub fn current(job: &Job) -> Value {
    job.status.as_ref().and_then(|s| serde_json::to_value(s).ok()).unwrap_or_else(|| json!({}))
}

/// The merge patch from `current` to `wanted`: fields no longer wanted become nulls.
fn patch_for(current: &Value, wanted: &Value) -> Value {
    let mut patch = wanted.as_object().cloned().unwrap_or_default();
    for key in current.as_object().into_iter().flat_map(|c| c.keys()) {
        patch.entry(key.clone()).or_insert(Value::Null);
    }
    json!({ "status": patch })
}

/// Writes the status when it differs from the job's.
pub async fn update(job: &Job, ctx: &Context, wanted: &Wanted) -> Result<(), Error> {
    let current = current(job);
    let wanted = wanted.to_json();
    if current == wanted {
        return Ok(());
    }
    let api: Api<Job> = Api::namespaced(ctx.client.clone(), &job.namespace().unwrap_or_default());
    match api.patch_status(&job.name_any(), &PatchParams::default(), &Patch::Merge(patch_for(&current, &wanted))).await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_serializes_as_go_does() {
        let wanted = Wanted {
            active: 0,
            ready: 0,
            terminating: 0,
            succeeded: 1,
            failed: 0,
            start_time: None,
            completion_time: None,
            conditions: Vec::new(),
            completed_indexes: None,
        };
        assert_eq!(
            wanted.to_json(),
            json!({"succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}})
        );
        let patch = patch_for(&json!({"active": 1, "ready": 1}), &wanted.to_json());
        assert_eq!(patch["status"]["active"], Value::Null);
        assert_eq!(patch["status"]["succeeded"], 1);
    }

    #[test]
    fn a_typed_status_round_trips_to_the_same_json() {
        let wanted = Wanted {
            active: 2,
            ready: 1,
            terminating: 0,
            succeeded: 0,
            failed: 3,
            start_time: Some(Utc::now()),
            completion_time: None,
            conditions: vec![super::super::conditions::condition(
                "FailureTarget",
                true,
                super::super::conditions::BACKOFF_LIMIT_EXCEEDED,
                Utc::now(),
            )],
            completed_indexes: Some("0-1,3".into()),
        };
        let job: Job = serde_json::from_value(json!({"metadata": {"name": "j"}, "status": wanted.to_json()})).unwrap();
        assert_eq!(current(&job), wanted.to_json());
    }
}
