//! Status of a replica owner: counts of its pods, observedGeneration and the
//! ReplicaFailure condition — written through the status subresource, only when changed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use kube::api::{Api, Patch, PatchParams};
use kube::ResourceExt;
use serde_json::{json, Map, Value};

use super::{pods, Context, Error, ReplicaOwner};
use crate::controllers::cached_pod::CachedPod;

/// Integer fields Go omits when zero.
const COUNTS: &[&str] = &["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"];

/// The status the owner should have, and when a pod will become available (minReadySeconds).
pub fn compute<K: ReplicaOwner>(
    owner: &K,
    owned: &[Arc<CachedPod>],
    failure: Option<(&Error, i64)>,
    now: DateTime<Utc>,
) -> (Value, Option<Duration>) {
    let template = owner.template();
    let min_ready = owner.min_ready_seconds();
    // One pass: an owner's pods are thousands of scattered objects, each visit a cache miss.
    let (mut fully_labeled, mut ready, mut available) = (0, 0, 0);
    let mut next_check: Option<Duration> = None;
    for pod in owned {
        fully_labeled += usize::from(pods::fully_labeled(pod, template));
        ready += usize::from(pods::is_ready(pod));
        match pods::availability(pod, min_ready, now) {
            Ok(()) => available += 1,
            Err(Some(wait)) => {
                let wait = wait.to_std().unwrap_or_default() + Duration::from_millis(100);
                next_check = Some(next_check.map_or(wait, |n| n.min(wait)));
            }
            Err(None) => {}
        }
    }
    let mut status = Map::new();
    status.insert("replicas".into(), json!(owned.len()));
    status.insert("fullyLabeledReplicas".into(), json!(fully_labeled));
    status.insert("readyReplicas".into(), json!(ready));
    status.insert("availableReplicas".into(), json!(available));
    status.insert("observedGeneration".into(), json!(owner.meta().generation.unwrap_or(0)));

    let current = owner.status_json();
    let mut conditions: Vec<Value> = current.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    let has_failure = conditions.iter().any(|c| c["type"] == "ReplicaFailure");
    match failure {
        Some((err, diff)) if !has_failure => {
            let reason = if diff < 0 { "FailedCreate" } else { "FailedDelete" };
            conditions.push(json!({
                "type": "ReplicaFailure",
                "status": "True",
                "lastTransitionTime": now.to_rfc3339_opts(SecondsFormat::Secs, true),
                "reason": reason,
                "message": err.to_string(),
            }));
        }
        None if has_failure => conditions.retain(|c| c["type"] != "ReplicaFailure"),
        _ => {}
    }
    if !conditions.is_empty() {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    (Value::Object(status), next_check)
}

/// `{"a": 0}` and `{}` are the same status to Go; compare them so.
fn normalized(status: &Value) -> Value {
    let mut map = status.as_object().cloned().unwrap_or_default();
    let omitted = |k: &str, v: &Value| v.is_null() || (COUNTS.contains(&k) && v.as_i64() == Some(0));
    map.retain(|k, v| !omitted(k, v));
    if !map.contains_key("replicas") {
        map.insert("replicas".into(), json!(0));
    }
    Value::Object(map)
}

/// The merge patch that turns `current` into `wanted`: zero counts and absent
/// conditions become nulls, so they are removed as Go would omit them.
fn patch_for(current: &Value, wanted: &Value) -> Value {
    let mut patch = normalized(wanted).as_object().cloned().unwrap_or_default();
    if let Some(current) = current.as_object() {
        for key in current.keys() {
            if !patch.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    json!({ "status": patch })
}

/// Writes the status when it changed; returns when to look again for availability.
pub async fn update<K: ReplicaOwner>(
    owner: &K,
    ctx: &Context<K>,
    owned: &[Arc<CachedPod>],
    failure: Option<(&Error, i64)>,
) -> Result<Option<Duration>, Error> {
    let (wanted, next_check) = compute(owner, owned, failure, Utc::now());
    let current = owner.status_json();
    if normalized(&current) != normalized(&wanted) {
        let api: Api<K> = Api::namespaced(ctx.client.clone(), &owner.namespace().unwrap_or_default());
        let patch = patch_for(&current, &wanted);
        match api.patch_status(&owner.name_any(), &PatchParams::default(), &Patch::Merge(patch)).await {
            Ok(_) => {}
            // Deleted meanwhile: nothing to report on.
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(next_check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;

    fn replicaset(status: Value) -> ReplicaSet {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "generation": 2},
            "spec": {"replicas": 2, "minReadySeconds": 0, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web", "tier": "front"}}}},
            "status": status,
        }))
        .unwrap()
    }

    fn pod(labels: Value, ready: bool) -> Arc<CachedPod> {
        let status = if ready { "True" } else { "False" };
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": "p", "labels": labels},
                "status": {"conditions": [{"type": "Ready", "status": status}]},
            }))
            .unwrap(),
        )
    }

    #[test]
    fn counts_ready_available_and_fully_labeled_pods() {
        let rs = replicaset(json!({"replicas": 0}));
        let pods = [pod(json!({"app": "web", "tier": "front"}), true), pod(json!({"app": "web"}), false)];
        let (status, next) = compute(&rs, &pods, None, Utc::now());
        assert_eq!(
            status,
            json!({"replicas": 2, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                   "observedGeneration": 2})
        );
        assert_eq!(next, None);
    }

    #[test]
    fn unchanged_status_needs_no_write() {
        let rs = replicaset(json!({"replicas": 0, "observedGeneration": 2}));
        let (status, _) = compute(&rs, &[], None, Utc::now());
        assert_eq!(normalized(&rs.status_json()), normalized(&status));
    }

    #[test]
    fn create_failure_sets_and_success_clears_replica_failure() {
        let rs = replicaset(json!({"replicas": 0}));
        let err = Error::NoTemplate("web".into());
        let (status, _) = compute(&rs, &[], Some((&err, -2)), Utc::now());
        assert_eq!(status["conditions"][0]["reason"], "FailedCreate");
        let failed = replicaset(status);
        let (cleared, _) = compute(&failed, &[], None, Utc::now());
        assert!(cleared.get("conditions").is_none());
        assert_eq!(patch_for(&failed.status_json(), &cleared)["status"]["conditions"], Value::Null);
    }
}
