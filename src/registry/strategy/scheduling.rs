//! The strategy of scheduling.k8s.io: PriorityClass (`pkg/apis/scheduling/validation`,
//! `pkg/registry/scheduling/priorityclass/strategy.go`), and the system classes every cluster
//! has (`pkg/apis/scheduling/v1/helpers.go`).

use serde_json::{json, Value};

use super::field::{go_json, quote, set_default, Errs};
use super::Strategy;
use crate::registry::tables;

/// Names with this prefix are reserved for [`SYSTEM_PRIORITY_CLASSES`].
pub const SYSTEM_PRIORITY_CLASS_PREFIX: &str = "system-";
/// Upstream's `HighestUserDefinablePriority`.
pub const HIGHEST_USER_DEFINABLE_PRIORITY: i64 = 1_000_000_000;
/// Upstream's `SystemCriticalPriority`.
const SYSTEM_CRITICAL_PRIORITY: i64 = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;

/// One class the apiserver creates at bootstrap: name, value, description.
pub struct SystemPriorityClass {
    pub name: &'static str,
    pub value: i64,
    pub description: &'static str,
}

/// Upstream's `SystemPriorityClasses()`, in its order.
pub const SYSTEM_PRIORITY_CLASSES: &[SystemPriorityClass] = &[
    SystemPriorityClass {
        name: "system-node-critical",
        value: SYSTEM_CRITICAL_PRIORITY + 1000,
        description: "Used for system critical pods that must not be moved from their current node.",
    },
    SystemPriorityClass {
        name: "system-cluster-critical",
        value: SYSTEM_CRITICAL_PRIORITY,
        description:
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    },
];

impl SystemPriorityClass {
    /// The object as upstream's bootstrap creates it.
    pub fn object(&self) -> Value {
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": self.name},
            "value": self.value, "description": self.description})
    }
}

/// Whether `name` is one of the system classes (which may not be deleted).
pub fn is_system_priority_class(name: &str) -> bool {
    SYSTEM_PRIORITY_CLASSES.iter().any(|class| class.name == name)
}

pub(crate) static PRIORITY_CLASS: Strategy = Strategy {
    defaulter: default_priority_class,
    tracks_generation: true,
    validator: validate_priority_class,
    update_validator: Some(validate_priority_class_update),
    printer: &tables::more_kinds::PRIORITY_CLASS,
    ..Strategy::DEFAULT
};

/// `SetDefaults_PriorityClass`.
fn default_priority_class(object: &mut Value) {
    if let Some(root) = object.as_object_mut() {
        set_default(root, "preemptionPolicy", json!("PreemptLowerPriority"));
    }
}

/// `IsKnownSystemPriorityClass`'s error, or None when the class is one of the system classes.
fn unknown_system_class(name: &str, value: i64, global_default: bool) -> Option<String> {
    let Some(class) = SYSTEM_PRIORITY_CLASSES.iter().find(|class| class.name == name) else {
        return Some(format!("{name} is not a known system priority class"));
    };
    if class.value != value {
        return Some(format!("value of {} PriorityClass must be {}", class.name, class.value));
    }
    if global_default {
        return Some(format!("globalDefault of {} PriorityClass must be false", class.name));
    }
    None
}

/// `ValidatePriorityClass` beyond ObjectMeta.
fn validate_priority_class(e: &mut Errs, pc: &Value) {
    let name = pc.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let value = e.int(pc, "value", "value").unwrap_or(0);
    let global_default = e.bool(pc, "globalDefault", "globalDefault").unwrap_or(false);
    if name.starts_with(SYSTEM_PRIORITY_CLASS_PREFIX) {
        if let Some(err) = unknown_system_class(name, value, global_default) {
            e.forbidden(
                "metadata.name",
                &format!(
                    "priority class names with '{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: {err}"
                ),
            );
        }
    } else if value > HIGHEST_USER_DEFINABLE_PRIORITY {
        e.forbidden(
            "value",
            &format!("maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"),
        );
    }
    e.str(pc, "description", "description");
    if pc.get("preemptionPolicy").is_some_and(|p| !p.is_null()) {
        validate_preemption_policy(e, pc, "preemptionPolicy");
    }
}

/// `ValidatePreemptionPolicy` of `parent.preemptionPolicy` at `path`.
pub(crate) fn validate_preemption_policy(e: &mut Errs, parent: &Value, path: &str) {
    match e.str(parent, "preemptionPolicy", path) {
        Some("PreemptLowerPriority" | "Never") | None => {}
        Some("") => e.required(path, ""),
        Some(other) => e.not_supported(path, &quote(other), &["PreemptLowerPriority", "Never"]),
    }
}

/// `ValidatePriorityClassUpdate`: value and preemptionPolicy may not change (and nothing else
/// is checked, as upstream).
fn validate_priority_class_update(e: &mut Errs, new: &Value, old: &Value) {
    let value = |pc: &Value| pc.get("value").and_then(Value::as_i64).unwrap_or(0);
    if value(new) != value(old) {
        e.forbidden("value", "may not be changed in an update.");
    }
    let policy = |pc: &Value| pc.get("preemptionPolicy").cloned().unwrap_or(Value::Null);
    if policy(new) != policy(old) {
        e.invalid("preemptionPolicy", &go_json(&policy(new)), "field is immutable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn created(pc: Value) -> Vec<(String, String)> {
        let mut pc = pc;
        default_priority_class(&mut pc);
        errs(|e| validate_priority_class(e, &pc))
    }

    #[test]
    fn preemption_policy_defaults_to_preempt_lower_priority() {
        let mut pc = json!({"metadata": {"name": "high"}, "value": 1000});
        default_priority_class(&mut pc);
        assert_eq!(pc["preemptionPolicy"], "PreemptLowerPriority");
        assert!(created(pc).is_empty());
    }

    #[test]
    fn system_prefix_is_reserved() {
        let causes = created(json!({"metadata": {"name": "system-mine"}, "value": 10}));
        assert_eq!(
            causes,
            vec![(
                "metadata.name".to_string(),
                "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class".to_string()
            )]
        );
        let causes = created(json!({"metadata": {"name": "system-node-critical"}, "value": 10}));
        assert!(causes[0].1.ends_with("error: value of system-node-critical PriorityClass must be 2000001000"));
        for class in SYSTEM_PRIORITY_CLASSES {
            assert!(created(class.object()).is_empty(), "{}", class.name);
        }
    }

    #[test]
    fn user_values_are_capped_and_policies_checked() {
        let causes =
            created(json!({"metadata": {"name": "x"}, "value": 1_000_000_001, "preemptionPolicy": "Sometimes"}));
        assert_eq!(
            causes,
            vec![
                (
                    "value".to_string(),
                    "Forbidden: maximum allowed value of a user defined priority is 1000000000".to_string()
                ),
                (
                    "preemptionPolicy".to_string(),
                    "Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn value_and_preemption_policy_are_immutable() {
        let old = json!({"metadata": {"name": "x"}, "value": 1, "preemptionPolicy": "PreemptLowerPriority"});
        let new = json!({"metadata": {"name": "x"}, "value": 2, "preemptionPolicy": "Never"});
        assert_eq!(
            errs(|e| validate_priority_class_update(e, &new, &old)),
            vec![
                ("value".to_string(), "Forbidden: may not be changed in an update.".to_string()),
                ("preemptionPolicy".to_string(), "Invalid value: \"Never\": field is immutable".to_string()),
            ]
        );
    }
}
