//! Taints and tolerations as upstream's component-helpers (scheduling/corev1): the one
//! matching rule the scheduler and the node lifecycle controller share.

use k8s_openapi::api::core::v1::{Taint, Toleration};

/// Does `toleration` tolerate `taint` (upstream's ToleratesTaint)?
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or_default();
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or_default();
    let operator = toleration.operator.as_deref().unwrap_or("Equal");
    if key.is_empty() {
        // An empty key with Exists matches every taint.
        return operator == "Exists";
    }
    if key != taint.key {
        return false;
    }
    match operator {
        "Exists" => true,
        "Equal" | "" => toleration.value.as_deref().unwrap_or_default() == taint.value.as_deref().unwrap_or_default(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn toleration(value: serde_json::Value) -> Toleration {
        serde_json::from_value(value).unwrap()
    }

    fn taint(key: &str, value: Option<&str>, effect: &str) -> Taint {
        Taint { key: key.into(), value: value.map(str::to_string), effect: effect.into(), time_added: None }
    }

    #[test]
    fn toleration_matching_follows_operator_key_and_effect() {
        let t = taint("k", Some("v"), "NoSchedule");
        assert!(tolerates(&toleration(json!({"key": "k", "value": "v"})), &t));
        assert!(!tolerates(&toleration(json!({"key": "k", "value": "w"})), &t));
        assert!(tolerates(&toleration(json!({"key": "k", "operator": "Exists"})), &t));
        assert!(tolerates(&toleration(json!({"operator": "Exists"})), &t));
        assert!(!tolerates(&toleration(json!({"key": "k", "value": "v", "effect": "NoExecute"})), &t));
    }
}
