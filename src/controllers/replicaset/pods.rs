//! Pods as a replica controller sees them: active or not, ready and available, who
//! controls them, which go first when scaling down, and new pods from a template.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::controllers::cached_pod::CachedPod;

/// The owner reference that marks a pod's controller.
pub fn controller_ref(pod: &CachedPod) -> Option<&OwnerReference> {
    pod.metadata.owner_references.as_ref()?.iter().find(|r| r.controller == Some(true))
}

fn phase(pod: &CachedPod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

/// Counted toward replicas: not finished and not being deleted.
pub fn is_active(pod: &CachedPod) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && pod.metadata.deletion_timestamp.is_none()
}

/// When the pod's Ready condition became true, if it is true.
fn ready_since(pod: &CachedPod) -> Option<Option<DateTime<Utc>>> {
    let conditions = pod.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(ready.last_transition_time.as_ref().map(|t| t.0))
}

pub fn is_ready(pod: &CachedPod) -> bool {
    ready_since(pod).is_some()
}

/// Ready for at least `min_ready_seconds`; else how long until it will be (if ready).
pub fn availability(
    pod: &CachedPod,
    min_ready_seconds: i32,
    now: DateTime<Utc>,
) -> Result<(), Option<chrono::Duration>> {
    let Some(since) = ready_since(pod) else { return Err(None) };
    if min_ready_seconds <= 0 {
        return Ok(());
    }
    let Some(since) = since else { return Ok(()) };
    let available_at = since + chrono::Duration::seconds(i64::from(min_ready_seconds));
    if available_at <= now {
        Ok(())
    } else {
        Err(Some(available_at - now))
    }
}

/// The pods to delete first when scaling down, as upstream ranks them: unscheduled before
/// scheduled, pending before unknown before running, not ready before ready, more pods of
/// this owner on the same node first, ready for less time first, more restarts first,
/// newer first.
pub fn pods_to_delete(pods: &[std::sync::Arc<CachedPod>], count: usize) -> Vec<std::sync::Arc<CachedPod>> {
    let mut per_node: HashMap<&str, usize> = HashMap::new();
    for pod in pods {
        if let Some(node) = node_name(pod) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    let mut ranked: Vec<_> = pods.iter().collect();
    ranked.sort_by_key(|pod| {
        let phase_rank = match phase(pod) {
            "Pending" => 0,
            "Unknown" => 1,
            _ => 2,
        };
        let ready = ready_since(pod);
        let restarts: i32 = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map(|c| c.iter().map(|c| c.restart_count).sum())
            .unwrap_or(0);
        let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
        (
            node_name(pod).is_some(),
            phase_rank,
            ready.is_some(),
            Reverse(node_name(pod).and_then(|n| per_node.get(n).copied()).unwrap_or(0)),
            Reverse(ready.flatten()),
            Reverse(restarts),
            Reverse(created),
        )
    });
    ranked.into_iter().take(count).cloned().collect()
}

fn node_name(pod: &CachedPod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref().filter(|n| !n.is_empty())
}

/// A new pod for `owner` from its template: generated name `<owner>-xxxxx`, the
/// template's labels, annotations and spec, and a controller reference.
pub fn from_template(template: &PodTemplateSpec, namespace: &str, owner: OwnerReference) -> Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name)),
            namespace: Some(namespace.to_string()),
            labels: meta.labels,
            annotations: meta.annotations,
            finalizers: meta.finalizers,
            owner_references: Some(vec![owner]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// The reference a controller puts on the pods it controls.
pub fn owner_reference(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        uid: uid.to_string(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Whether every label of the template is on the pod (`fullyLabeledReplicas`).
pub fn fully_labeled(pod: &CachedPod, template: Option<&PodTemplateSpec>) -> bool {
    let wanted = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref());
    let Some(wanted) = wanted else { return true };
    let labels = pod.metadata.labels.as_ref();
    wanted.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    fn pod(name: &str, extra: serde_json::Value) -> Arc<CachedPod> {
        let mut value = json!({"metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"}});
        if let (Some(base), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        Arc::new(serde_json::from_value(value).unwrap())
    }

    #[test]
    fn unscheduled_and_not_ready_pods_go_first() {
        let running = pod(
            "running",
            json!({"spec": {"nodeName": "n1", "containers": []},
                   "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        let unscheduled = pod("unscheduled", json!({}));
        let scheduled = pod("scheduled", json!({"spec": {"nodeName": "n1", "containers": []}}));
        let order = pods_to_delete(&[running, scheduled, unscheduled], 3);
        let names: Vec<_> = order.iter().map(|p| p.metadata.name.clone().unwrap()).collect();
        assert_eq!(names, ["unscheduled", "scheduled", "running"]);
    }

    #[test]
    fn newer_pods_go_first_when_otherwise_equal() {
        let old = pod("old", json!({}));
        let new = pod("new", json!({"metadata": {"name": "new", "creationTimestamp": "2026-02-01T00:00:00Z"}}));
        let order = pods_to_delete(&[old, new], 1);
        assert_eq!(order[0].metadata.name.as_deref(), Some("new"));
    }

    #[test]
    fn availability_waits_for_min_ready_seconds() {
        let ready = pod(
            "p",
            json!({"status": {"conditions": [{"type": "Ready", "status": "True",
                                               "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}),
        );
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(availability(&ready, 0, at("2026-01-01T00:00:01Z")).is_ok());
        assert_eq!(availability(&ready, 10, at("2026-01-01T00:00:04Z")), Err(Some(chrono::Duration::seconds(6))));
        assert!(availability(&ready, 10, at("2026-01-01T00:00:10Z")).is_ok());
        assert_eq!(availability(&pod("q", json!({})), 0, at("2026-01-01T00:00:10Z")), Err(None));
    }

    #[test]
    fn finished_and_deleting_pods_are_not_active() {
        assert!(is_active(&pod("a", json!({}))));
        assert!(!is_active(&pod("b", json!({"status": {"phase": "Succeeded"}}))));
        assert!(!is_active(&pod("c", json!({"metadata": {"name": "c", "deletionTimestamp": "2026-01-01T00:00:00Z"}}))));
    }
}
