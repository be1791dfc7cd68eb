//! A job's pods as the controller counts them: which job controls a pod, and how many
//! are active, ready, terminating, succeeded or failed.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::controllers::cached_pod::CachedPod;
use crate::controllers::replicaset::pods::{controller_ref, is_ready};

/// The controller reference of a pod when a Job controls it.
pub fn job_of(pod: &CachedPod) -> Option<&OwnerReference> {
    controller_ref(pod).filter(|r| r.kind == "Job" && r.api_version == "batch/v1")
}

fn phase(pod: &CachedPod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

/// The pods of one job, by what they count toward.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub active: Vec<Arc<CachedPod>>,
    pub ready: i32,
    pub terminating: i32,
    pub succeeded: i32,
    pub failed: i32,
    /// Container restarts of active pods (what `backoffLimit` counts with OnFailure).
    pub restarts: i32,
    /// Completion indexes of succeeded pods (Indexed jobs).
    pub succeeded_indexes: BTreeSet<i32>,
    /// When failed pods finished, and when the last success did (for the retry backoff).
    pub failed_at: Vec<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// Upstream's pod failure backoff: the first retry waits 10 s, each further failure
/// since the last success doubles it, up to 6 minutes.
const BACKOFF_BASE: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(360);

impl Counts {
    /// How long until a failed pod may be replaced, if that is still ahead.
    pub fn retry_backoff(&self, now: DateTime<Utc>) -> Option<Duration> {
        let recent: Vec<DateTime<Utc>> =
            self.failed_at.iter().copied().filter(|at| self.last_success_at.is_none_or(|s| *at > s)).collect();
        let last = recent.iter().max()?;
        let doublings = u32::try_from(recent.len().saturating_sub(1)).unwrap_or(u32::MAX).min(10);
        let delay = (BACKOFF_BASE * 2u32.pow(doublings)).min(BACKOFF_MAX);
        let ready_at = *last + chrono::Duration::from_std(delay).ok()?;
        (ready_at - now).to_std().ok().filter(|left| !left.is_zero())
    }
}

/// When the pod finished: its containers' latest finishedAt, else its Ready condition's
/// last transition.
fn finished_at(pod: &CachedPod) -> Option<DateTime<Utc>> {
    let status = pod.status.as_ref()?;
    let containers = status.container_statuses.iter().flatten();
    let finished =
        containers.filter_map(|c| c.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref()).map(|t| t.0).max();
    finished.or_else(|| {
        let ready = status.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")?;
        ready.last_transition_time.as_ref().map(|t| t.0)
    })
}

pub fn count(pods: &[Arc<CachedPod>]) -> Counts {
    let mut counts = Counts::default();
    for pod in pods {
        match phase(pod) {
            "Succeeded" => {
                counts.succeeded += 1;
                counts.succeeded_indexes.extend(super::indexed::index_of(&pod.metadata));
                counts.last_success_at = counts.last_success_at.max(finished_at(pod));
            }
            "Failed" => {
                counts.failed += 1;
                counts.failed_at.extend(finished_at(pod));
            }
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

    fn pod(status: serde_json::Value, deleting: bool) -> Arc<CachedPod> {
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

    #[test]
    fn failed_pods_are_replaced_after_a_doubling_backoff() {
        let failed = |at: &str| {
            pod(
                json!({"phase": "Failed", "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": at}]}),
                false,
            )
        };
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let one = count(&[failed("2026-01-01T00:00:00Z")]);
        assert_eq!(one.retry_backoff(at("2026-01-01T00:00:04Z")), Some(Duration::from_secs(6)));
        assert_eq!(one.retry_backoff(at("2026-01-01T00:00:10Z")), None);
        let two = count(&[failed("2026-01-01T00:00:00Z"), failed("2026-01-01T00:00:05Z")]);
        assert_eq!(two.retry_backoff(at("2026-01-01T00:00:15Z")), Some(Duration::from_secs(10)));
        let succeeded_since = count(&[
            failed("2026-01-01T00:00:00Z"),
            pod(
                json!({"phase": "Succeeded", "conditions": [{"type": "Ready", "status": "False",
                "lastTransitionTime": "2026-01-01T00:00:01Z"}]}),
                false,
            ),
        ]);
        assert_eq!(succeeded_since.retry_backoff(at("2026-01-01T00:00:02Z")), None);
    }
}
