//! What the eviction subresource and the disruption controller share of a
//! PodDisruptionBudget's status (upstream's component-helpers `apps/poddisruptionbudget`):
//! the `DisruptionAllowed` condition and when a pod counts as healthy.

use serde_json::{json, Value};

pub const DISRUPTION_ALLOWED: &str = "DisruptionAllowed";
pub const SUFFICIENT_PODS: &str = "SufficientPods";
pub const INSUFFICIENT_PODS: &str = "InsufficientPods";
pub const SYNC_FAILED: &str = "SyncFailed";

/// apimachinery's `meta.SetStatusCondition` on a JSON condition list: the transition time
/// moves only when the status changes.
pub fn set_status_condition(conditions: &mut Vec<Value>, mut condition: Value, now: &str) {
    let type_ = condition.get("type").cloned().unwrap_or(Value::Null);
    match conditions.iter_mut().find(|c| c.get("type") == Some(&type_)) {
        Some(existing) => {
            if existing.get("status") != condition.get("status") {
                existing["status"] = condition["status"].take();
                existing["lastTransitionTime"] = json!(now);
            }
            for key in ["reason", "message", "observedGeneration"] {
                existing[key] = condition.get(key).cloned().unwrap_or(json!(""));
            }
        }
        None => {
            condition["lastTransitionTime"] = json!(now);
            conditions.push(condition);
        }
    }
}

/// `UpdateDisruptionAllowedCondition`: True/SufficientPods while disruptions are allowed,
/// else False/InsufficientPods, at the status' observedGeneration.
pub fn update_disruption_allowed_condition(status: &mut Value, now: &str) {
    let allowed = status.get("disruptionsAllowed").and_then(Value::as_i64).unwrap_or(0) > 0;
    let observed = status.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
    let (state, reason) = if allowed { ("True", SUFFICIENT_PODS) } else { ("False", INSUFFICIENT_PODS) };
    set_condition(status, state, reason, "", observed, now);
}

/// Sets the DisruptionAllowed condition of `status` (a JSON PodDisruptionBudgetStatus).
pub fn set_condition(status: &mut Value, state: &str, reason: &str, message: &str, observed: i64, now: &str) {
    let mut conditions: Vec<Value> = status.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    let condition = json!({"type": DISRUPTION_ALLOWED, "status": state, "reason": reason, "message": message,
        "observedGeneration": observed});
    set_status_condition(&mut conditions, condition, now);
    status["conditions"] = Value::Array(conditions);
}

/// `ConditionsAreUpToDate`: the condition is there and says what disruptionsAllowed says.
pub fn conditions_are_up_to_date(status: &Value, generation: i64) -> bool {
    let Some(condition) = status
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(DISRUPTION_ALLOWED)))
    else {
        return false;
    };
    if status.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0) != generation {
        return false;
    }
    let allowed = status.get("disruptionsAllowed").and_then(Value::as_i64).unwrap_or(0) > 0;
    let text = |key: &str| condition.get(key).and_then(Value::as_str).unwrap_or_default();
    if allowed {
        text("status") == "True" && text("reason") == SUFFICIENT_PODS
    } else {
        text("status") == "False" && text("reason") == INSUFFICIENT_PODS
    }
}

/// `podutil.IsPodReady` of a pod as JSON: its Ready condition is True.
pub fn is_pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|conditions| {
        conditions.iter().any(|c| {
            c.get("type").and_then(Value::as_str) == Some("Ready")
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_condition_follows_disruptions_allowed_and_moves_its_time_only_on_change() {
        let mut status = json!({"disruptionsAllowed": 1, "observedGeneration": 2});
        update_disruption_allowed_condition(&mut status, "t1");
        assert_eq!(
            status["conditions"],
            json!([{"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods", "message": "",
                "observedGeneration": 2, "lastTransitionTime": "t1"}])
        );
        assert!(conditions_are_up_to_date(&status, 2));
        assert!(!conditions_are_up_to_date(&status, 3));
        update_disruption_allowed_condition(&mut status, "t2");
        assert_eq!(status["conditions"][0]["lastTransitionTime"], "t1");
        status["disruptionsAllowed"] = json!(0);
        assert!(!conditions_are_up_to_date(&status, 2));
        update_disruption_allowed_condition(&mut status, "t3");
        assert_eq!(status["conditions"][0]["reason"], "InsufficientPods");
        assert_eq!(status["conditions"][0]["lastTransitionTime"], "t3");
    }
}
