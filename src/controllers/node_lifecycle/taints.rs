//! The taints the node lifecycle controller owns, derived from the Ready condition as
//! upstream does: Unknown → `node.kubernetes.io/unreachable`, False →
//! `node.kubernetes.io/not-ready`, each with NoSchedule (keeps new pods away) and
//! NoExecute (evicts pods after their toleration); True → neither.

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::{Node, Taint};
use serde_json::{json, Value};

pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";

fn owned(taint: &Taint) -> bool {
    (taint.key == UNREACHABLE || taint.key == NOT_READY)
        && (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
}

/// The node's taints as they should be for this Ready status; `None` when unchanged.
pub fn wanted(node: &Node, ready: Option<&str>, now: DateTime<Utc>) -> Option<Vec<Value>> {
    let current: Vec<Taint> = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
    let key = match ready {
        Some("Unknown") => Some(UNREACHABLE),
        Some("False") => Some(NOT_READY),
        _ => None,
    };
    let keep = |t: &Taint| !owned(t) || Some(t.key.as_str()) == key;
    let mut taints: Vec<Value> =
        current.iter().filter(|t| keep(t)).filter_map(|t| serde_json::to_value(t).ok()).collect();
    let mut changed = taints.len() != current.len();
    if let Some(key) = key {
        for effect in ["NoSchedule", "NoExecute"] {
            if !current.iter().any(|t| t.key == key && t.effect == effect) {
                let added = now.to_rfc3339_opts(SecondsFormat::Secs, true);
                taints.push(json!({"key": key, "effect": effect, "timeAdded": added}));
                changed = true;
            }
        }
    }
    changed.then_some(taints)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(taints: Value) -> Node {
        serde_json::from_value(json!({"metadata": {"name": "n"}, "spec": {"taints": taints}})).unwrap()
    }

    #[test]
    fn unknown_nodes_are_tainted_unreachable_and_healed_nodes_untainted() {
        let other = json!({"key": "dedicated", "value": "x", "effect": "NoSchedule"});
        let taints = wanted(&node(json!([other])), Some("Unknown"), Utc::now()).unwrap();
        let keys: Vec<String> = taints.iter().map(|t| format!("{}:{}", t["key"], t["effect"])).collect();
        assert_eq!(
            keys,
            [
                "\"dedicated\":\"NoSchedule\"",
                "\"node.kubernetes.io/unreachable\":\"NoSchedule\"",
                "\"node.kubernetes.io/unreachable\":\"NoExecute\""
            ]
        );
        assert!(taints[2]["timeAdded"].is_string());
        let tainted = node(json!(taints));
        assert!(wanted(&tainted, Some("Unknown"), Utc::now()).is_none());
        assert_eq!(wanted(&tainted, Some("True"), Utc::now()).unwrap().len(), 1);
        assert_eq!(wanted(&tainted, Some("False"), Utc::now()).unwrap()[1]["key"], NOT_READY);
    }
}
