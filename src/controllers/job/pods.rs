//! A job's pods as the controller counts them: which job controls a pod, and how many
//! are active, ready, terminating, succeeded or failed.

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::controllers::replicaset::pods::{controller_ref, is_ready};

/// The controller reference of a pod when a Job controls it.
pub fn job_of(pod: &Pod) -> Option<&OwnerReference> {
    controller_ref(pod).filter(|r| r.kind == "Job" && r.api_version == "batch/v1")
}

fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

/// The pods of one job, by what they count toward.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub active: Vec<Arc<Pod>>,
    pub ready: i32,
    pub terminating: i32,
    pub succeeded: i32,
    pub failed: i32,
    /// Container restarts of active pods (what `backoffLimit` counts with OnFailure).
    pub restarts: i32,
    /// Completion indexes of succeeded pods (Indexed jobs).
    pub succeeded_indexes: BTreeSet<i32>,
}

pub fn count(pods: &[Arc<Pod>]) -> Counts {
    let mut counts = Counts::default();
    for pod in pods {
        match phase(pod) {
            "Succeeded" => {
                counts.succeeded += 1;
                counts.succeeded_indexes.extend(super::indexed::index_of(pod));
            }
            "Failed" => counts.failed += 1,
            _ if pod.metadata.deletion_timestamp.is_some() => counts.terminating += 1,
            _ => {
                if is_ready(pod) {
                    counts.ready += 1;
                }
                counts.restarts += pod
                    .status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .map(|c| c.iter().map(|c| c.restart_count).sum::<i32>())
                    .unwrap_or(0);
                counts.active.push(pod.clone());
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: serde_json::Value, deleting: bool) -> Arc<Pod> {
        let mut value = json!({"metadata": {"name": "p"}, "status": status});
        if deleting {
            value["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        Arc::new(serde_json::from_value(value).unwrap())
    }

    #[test]
    fn pods_are_counted_by_phase() {
        let ready = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "c", "image": "x", "imageID": "", "ready": true, "restartCount": 2}]});
        let pods = [
            pod(json!({"phase": "Succeeded"}), false),
            pod(json!({"phase": "Failed"}), false),
            pod(json!({"phase": "Failed"}), true),
            pod(ready, false),
            pod(json!({"phase": "Pending"}), false),
            pod(json!({"phase": "Running"}), true),
        ];
        let counts = count(&pods);
        assert_eq!((counts.succeeded, counts.failed, counts.terminating), (1, 2, 1));
        assert_eq!((counts.active.len(), counts.ready, counts.restarts), (2, 1, 2));
    }
}
