//! Taint-based eviction (upstream's taint-eviction-controller): a pod on a node with
//! NoExecute taints is deleted once it no longer tolerates them — at once when some
//! taint is not tolerated at all, else when the shortest `tolerationSeconds` since the
//! taint's `timeAdded` ran out.

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Taint, Toleration};

use crate::controllers::cached_pod::CachedPod;

// One toleration rule for the scheduler's taint filter and for eviction.
use crate::machinery::taints::tolerates;

/// When the pod must go: `None` never (nothing to evict for, or tolerated forever),
/// `Some(t)` at `t` (in the past for "now").
pub fn evict_at(pod: &CachedPod, taints: &[Taint], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tolerations: &[Toleration] = pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default();
    let mut at: Option<DateTime<Utc>> = None;
    for taint in taints.iter().filter(|t| t.effect == "NoExecute") {
        let matching: Vec<&Toleration> = tolerations.iter().filter(|t| tolerates(t, taint)).collect();
        if matching.is_empty() {
            return Some(now);
        }
        // A matching toleration without tolerationSeconds tolerates forever.
        if matching.iter().any(|t| t.toleration_seconds.is_none()) {
            continue;
        }
        let seconds = matching.iter().filter_map(|t| t.toleration_seconds).min().unwrap_or(0).max(0);
        let since = taint.time_added.as_ref().map(|t| t.0).unwrap_or(now);
        let deadline = since + chrono::Duration::seconds(seconds);
        at = Some(at.map_or(deadline, |a| a.min(deadline)));
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn taint(added: &str) -> Taint {
        serde_json::from_value(
            json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": added}),
        )
        .unwrap()
    }

    fn pod(tolerations: serde_json::Value) -> CachedPod {
        serde_json::from_value(
            json!({"metadata": {"name": "p"}, "spec": {"containers": [], "tolerations": tolerations}}),
        )
        .unwrap()
    }

    #[test]
    fn eviction_waits_for_the_shortest_matching_toleration() {
        let now = Utc::now();
        let added = "2026-01-01T00:00:00Z";
        let since = DateTime::parse_from_rfc3339(added).unwrap().with_timezone(&Utc);
        let tolerating = pod(json!([
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30},
            {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}
        ]));
        assert_eq!(evict_at(&tolerating, &[taint(added)], now), Some(since + chrono::Duration::seconds(10)));
        assert_eq!(evict_at(&pod(json!([])), &[taint(added)], now), Some(now));
        assert_eq!(evict_at(&pod(json!([{"operator": "Exists"}])), &[taint(added)], now), None);
        let other_key = pod(json!([{"key": "x", "operator": "Exists"}]));
        assert_eq!(evict_at(&other_key, &[taint(added)], now), Some(now));
        assert_eq!(evict_at(&pod(json!([])), &[], now), None);
    }
}
