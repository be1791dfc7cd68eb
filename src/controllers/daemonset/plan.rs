//! What one sync of a DaemonSet does, decided without I/O: which nodes get a pod, which
//! pods go (upstream's `manage` / `podsShouldBeOnNode`), and the rolling update's
//! replacements within maxUnavailable and maxSurge (upstream's `rollingUpdate`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::nodes::Placement;
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::history::HASH_LABEL;
use crate::controllers::replicaset::pods::availability;

/// One node (or a node that is gone, with `placement` all false) and the daemon pods on it.
#[derive(Debug, Clone)]
pub struct NodePods {
    pub node: String,
    pub placement: Placement,
    /// Pods not being deleted and not finished.
    pub pods: Vec<Arc<CachedPod>>,
    /// Pods that failed: they are deleted and replaced.
    pub failed: Vec<Arc<CachedPod>>,
}

#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Nodes to put a new pod on.
    pub create: Vec<String>,
    pub delete: Vec<Arc<CachedPod>>,
}

pub fn is_updated(pod: &CachedPod, hash: &str) -> bool {
    pod.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL)).map(String::as_str) == Some(hash)
}

fn created(pod: &CachedPod) -> Option<DateTime<Utc>> {
    pod.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

fn oldest(pods: &[&Arc<CachedPod>]) -> Option<Arc<CachedPod>> {
    pods.iter().min_by_key(|p| (created(p), p.metadata.name.clone())).map(|p| Arc::clone(p))
}

/// Creations and deletions that make each node hold what it should: one pod where the
/// DaemonSet belongs, none where it must not continue. With surge, a node may hold one old
/// and one new pod while the new one becomes available.
pub fn manage(nodes: &[NodePods], hash: &str, surge: bool, min_ready: i32, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    for node in nodes {
        plan.delete.extend(node.failed.iter().cloned());
        if !node.placement.should_continue {
            plan.delete.extend(node.pods.iter().cloned());
            continue;
        }
        if node.pods.is_empty() {
            if node.placement.should_run {
                plan.create.push(node.node.clone());
            }
            continue;
        }
        let keep: Vec<Arc<CachedPod>> = if surge {
            let (new, old): (Vec<_>, Vec<_>) = node.pods.iter().partition(|p| is_updated(p, hash));
            let newest = oldest(&new);
            let new_available = newest.as_ref().is_some_and(|p| availability(p, min_ready, now).is_ok());
            // An available new pod replaces the old one.
            let old_kept = if new_available { None } else { oldest(&old) };
            newest.into_iter().chain(old_kept).collect()
        } else {
            oldest(&node.pods.iter().collect::<Vec<_>>()).into_iter().collect()
        };
        plan.delete.extend(node.pods.iter().filter(|p| !keep.iter().any(|k| Arc::ptr_eq(k, p))).cloned());
    }
    plan
}

/// The new and the old pod of a node; None when it has two of either (manage cleans up).
fn split(pods: &[Arc<CachedPod>], hash: &str) -> Option<(Option<Arc<CachedPod>>, Option<Arc<CachedPod>>)> {
    let (mut new, mut old) = (None, None);
    for pod in pods {
        let slot = if is_updated(pod, hash) { &mut new } else { &mut old };
        if slot.is_some() {
            return None;
        }
        *slot = Some(pod.clone());
    }
    Some((new, old))
}

/// The old pods to delete (and, with surge, the nodes to put a new pod on beside the old)
/// so that at most `max_unavailable` nodes lack an available pod, or at most `max_surge`
/// nodes run two.
pub fn rolling_update(
    nodes: &[NodePods],
    hash: &str,
    max_surge: i32,
    max_unavailable: i32,
    min_ready: i32,
    now: DateTime<Utc>,
) -> Plan {
    let available = |pod: &CachedPod| availability(pod, min_ready, now).is_ok();
    let mut plan = Plan::default();
    let with_pods = nodes.iter().filter(|n| n.placement.should_run && !n.pods.is_empty());
    if max_surge == 0 {
        let mut unavailable = 0;
        let mut candidates = Vec::new();
        for node in with_pods {
            match split(&node.pods, hash) {
                None | Some((Some(_), Some(_))) => unavailable += 1,
                Some((Some(new), None)) => {
                    if !available(&new) {
                        unavailable += 1;
                    }
                }
                Some((None, Some(old))) => {
                    if !available(&old) {
                        // Already unavailable: replacing it costs nothing.
                        plan.delete.push(old);
                    } else {
                        candidates.push(old);
                    }
                }
                Some((None, None)) => {}
            }
        }
        let room = usize::try_from(max_unavailable - unavailable).unwrap_or(0).min(candidates.len());
        plan.delete.extend(candidates.into_iter().take(room));
        return plan;
    }
    let mut surging = 0;
    let mut candidates = Vec::new();
    for node in with_pods {
        match split(&node.pods, hash) {
            None => surging += 1,
            Some((_, None)) => {}
            Some((None, Some(old))) => {
                if available(&old) {
                    candidates.push(node.node.clone());
                } else {
                    plan.create.push(node.node.clone());
                }
            }
            Some((Some(new), Some(old))) => {
                if available(&new) {
                    plan.delete.push(old);
                } else {
                    surging += 1;
                }
            }
        }
    }
    let room = usize::try_from(max_surge - surging).unwrap_or(0).min(candidates.len());
    plan.create.extend(candidates.into_iter().take(room));
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, hash: &str, ready: bool) -> Arc<CachedPod> {
        let status = if ready {
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
        } else {
            json!({"phase": "Pending"})
        };
        Arc::new(
            serde_json::from_value(json!({"metadata": {"name": name, "labels": {HASH_LABEL: hash},
                "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": status}))
            .unwrap(),
        )
    }

    fn node(name: &str, pods: Vec<Arc<CachedPod>>) -> NodePods {
        NodePods {
            node: name.into(),
            placement: Placement { should_run: true, should_continue: true },
            pods,
            failed: vec![],
        }
    }

    #[test]
    fn empty_eligible_nodes_get_a_pod_and_ineligible_ones_lose_theirs() {
        let mut gone = node("gone", vec![pod("p", "h", true)]);
        gone.placement = Placement { should_run: false, should_continue: false };
        let mut tainted = node("tainted", vec![]);
        tainted.placement = Placement { should_run: false, should_continue: true };
        let plan = manage(&[node("a", vec![]), gone, tainted], "h", false, 0, Utc::now());
        assert_eq!(plan.create, ["a"]);
        assert_eq!(plan.delete.len(), 1);
    }

    #[test]
    fn one_ready_old_pod_at_a_time_is_replaced() {
        let nodes = [node("a", vec![pod("a", "old", true)]), node("b", vec![pod("b", "old", true)]), node("c", vec![])];
        let plan = rolling_update(&nodes, "new", 0, 1, 0, Utc::now());
        assert_eq!(plan.delete.len(), 1);
        // A new pod not yet ready uses up the budget.
        let nodes = [node("a", vec![pod("a", "new", false)]), node("b", vec![pod("b", "old", true)])];
        assert!(rolling_update(&nodes, "new", 0, 1, 0, Utc::now()).delete.is_empty());
        // An old pod that is not ready goes at once.
        let nodes = [node("a", vec![pod("a", "new", false)]), node("b", vec![pod("b", "old", false)])];
        assert_eq!(rolling_update(&nodes, "new", 0, 1, 0, Utc::now()).delete.len(), 1);
    }

    #[test]
    fn surge_starts_new_pods_beside_old_and_drops_old_once_available() {
        let nodes = [node("a", vec![pod("a", "old", true)]), node("b", vec![pod("b", "old", true)])];
        let plan = rolling_update(&nodes, "new", 1, 0, 0, Utc::now());
        assert_eq!((plan.create.len(), plan.delete.len()), (1, 0));
        let nodes = [node("a", vec![pod("a1", "old", true), pod("a2", "new", true)])];
        let plan = rolling_update(&nodes, "new", 1, 0, 0, Utc::now());
        assert_eq!(plan.delete[0].metadata.name.as_deref(), Some("a1"));
    }
}
