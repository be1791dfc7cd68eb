//! What one sync of a StatefulSet does, decided without I/O, after upstream's
//! `stateful_set_control.go`: missing ordinals are created (in order, each waiting for the
//! one before to be Ready, under OrderedReady; all at once under Parallel), failed pods
//! replaced, ordinals past `replicas` removed from the highest down, and a rolling update
//! replaces pods at or above the partition from the highest ordinal, at most
//! `maxUnavailable` unavailable at a time.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::identity::revision;
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::replicaset::pods::availability;

/// The settings a plan reads.
#[derive(Debug, Clone)]
pub struct Settings {
    pub replicas: i32,
    pub ordered: bool,
    pub rolling: bool,
    pub partition: i32,
    pub max_unavailable: i32,
    pub min_ready: i32,
    pub update_revision: String,
}

#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Ordinals to create, each with whether it takes the update revision.
    pub create: Vec<(i32, bool)>,
    pub delete: Vec<Arc<CachedPod>>,
    /// Ordinals scaled away (their claims go under `whenScaled: Delete`).
    pub condemned: Vec<i32>,
}

fn phase(pod: &CachedPod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

fn finished(pod: &CachedPod) -> bool {
    matches!(phase(pod), "Failed" | "Succeeded")
}

fn terminating(pod: &CachedPod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// Running, Ready and available for minReadySeconds.
pub fn healthy(pod: &CachedPod, min_ready: i32, now: DateTime<Utc>) -> bool {
    phase(pod) == "Running" && !terminating(pod) && availability(pod, min_ready, now).is_ok()
}

/// Upstream's `newVersionedStatefulSetPod`: pods below the partition keep the current revision.
fn takes_update(settings: &Settings, ordinal: i32) -> bool {
    if !settings.rolling {
        return true;
    }
    ordinal >= settings.partition.max(0)
}

pub fn plan(pods: &BTreeMap<i32, Arc<CachedPod>>, settings: &Settings, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    let healthy = |pod: &CachedPod| healthy(pod, settings.min_ready, now);
    let mut blocked = false;
    for ordinal in 0..settings.replicas.max(0) {
        match pods.get(&ordinal) {
            None => {
                plan.create.push((ordinal, takes_update(settings, ordinal)));
                blocked |= settings.ordered;
            }
            Some(pod) if finished(pod) && !terminating(pod) => {
                plan.delete.push(pod.clone());
                blocked |= settings.ordered;
            }
            Some(pod) if !healthy(pod) => blocked |= settings.ordered,
            Some(_) => {}
        }
        if blocked {
            return plan;
        }
    }
    let condemned: Vec<&Arc<CachedPod>> = pods.range(settings.replicas.max(0)..).map(|(_, p)| p).rev().collect();
    for pod in &condemned {
        if terminating(pod) {
            if settings.ordered {
                return plan;
            }
            continue;
        }
        plan.delete.push((*pod).clone());
        if let Some((ordinal, _)) = pods.iter().find(|(_, p)| Arc::ptr_eq(p, pod)) {
            plan.condemned.push(*ordinal);
        }
        if settings.ordered {
            return plan;
        }
    }
    if !plan.create.is_empty() || !plan.delete.is_empty() || !settings.rolling {
        return plan;
    }
    // The rolling update, from the highest ordinal down to the partition.
    let live = 0..settings.replicas.max(0);
    let mut unavailable = live.clone().filter(|o| pods.get(o).is_none_or(|p| !healthy(p))).count() as i32;
    for ordinal in live.rev().filter(|o| *o >= settings.partition.max(0)) {
        let Some(pod) = pods.get(&ordinal) else { continue };
        if revision(pod) == Some(settings.update_revision.as_str()) || terminating(pod) {
            continue;
        }
        if unavailable >= settings.max_unavailable.max(1) {
            break;
        }
        if healthy(pod) {
            unavailable += 1;
        }
        plan.delete.push(pod.clone());
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::history::HASH_LABEL;
    use serde_json::json;

    fn pod(ordinal: i32, revision: &str, ready: bool) -> (i32, Arc<CachedPod>) {
        let status = if ready {
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
        } else {
            json!({"phase": "Pending"})
        };
        let pod = serde_json::from_value(json!({"metadata": {"name": format!("web-{ordinal}"),
            "labels": {HASH_LABEL: revision}}, "status": status}))
        .unwrap();
        (ordinal, Arc::new(pod))
    }

    fn settings(replicas: i32, ordered: bool) -> Settings {
        Settings {
            replicas,
            ordered,
            rolling: true,
            partition: 0,
            max_unavailable: 1,
            min_ready: 0,
            update_revision: "r1".into(),
        }
    }

    fn names(pods: &[Arc<CachedPod>]) -> Vec<String> {
        pods.iter().map(|p| p.metadata.name.clone().unwrap_or_default()).collect()
    }

    #[test]
    fn ordered_ready_creates_one_ordinal_after_the_last_is_ready() {
        let now = Utc::now();
        assert_eq!(plan(&BTreeMap::new(), &settings(3, true), now).create, [(0, true)]);
        let starting = BTreeMap::from([pod(0, "r1", false)]);
        assert!(plan(&starting, &settings(3, true), now).create.is_empty());
        let ready = BTreeMap::from([pod(0, "r1", true)]);
        assert_eq!(plan(&ready, &settings(3, true), now).create, [(1, true)]);
        assert_eq!(plan(&BTreeMap::new(), &settings(3, false), now).create.len(), 3);
    }

    #[test]
    fn scale_down_removes_the_highest_ordinal_first() {
        let pods = BTreeMap::from([pod(0, "r1", true), pod(1, "r1", true), pod(2, "r1", true)]);
        let plan = plan(&pods, &settings(1, true), Utc::now());
        assert_eq!(names(&plan.delete), ["web-2"]);
        assert_eq!(plan.condemned, [2]);
    }

    #[test]
    fn rolling_update_stops_at_the_partition() {
        let pods = BTreeMap::from([pod(0, "r1", true), pod(1, "r1", true), pod(2, "r1", true)]);
        let mut s = settings(3, true);
        s.update_revision = "r2".into();
        s.partition = 2;
        assert_eq!(names(&plan(&pods, &s, Utc::now()).delete), ["web-2"]);
        let updated = BTreeMap::from([pod(0, "r1", true), pod(1, "r1", true), pod(2, "r2", true)]);
        assert!(plan(&updated, &s, Utc::now()).delete.is_empty());
        assert_eq!(plan(&BTreeMap::from([pod(0, "r1", true)]), &s, Utc::now()).create, [(1, false)]);
    }
}
