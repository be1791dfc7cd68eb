//! The strategy of node.k8s.io/v1: RuntimeClass (`pkg/apis/node/validation`): a DNS-label
//! handler that may not change, the pod overhead as container limits, and scheduling
//! constraints.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::field::{go_json, index, quote, s, Errs};
use super::meta::validate_labels;
use super::pod::validate_tolerations;
use super::resources::validate_resources;
use super::Strategy;
use crate::machinery::validation::is_dns1123_label;
use crate::registry::tables;

pub(crate) static RUNTIME_CLASS: Strategy = Strategy {
    validator: validate_runtime_class,
    update_validator: Some(validate_runtime_class_update),
    printer: &tables::more_kinds::RUNTIME_CLASS,
    ..Strategy::DEFAULT
};

/// `ValidateRuntimeClass` beyond ObjectMeta.
fn validate_runtime_class(e: &mut Errs, class: &Value) {
    let handler = e.str(class, "handler", "handler").unwrap_or("");
    for msg in is_dns1123_label(handler) {
        e.invalid("handler", &quote(handler), &msg);
    }
    if let Some(overhead) = e.obj(class, "overhead", "overhead") {
        // Upstream reuses the container check with the fixed overhead as limits.
        let as_container = json!({"resources": {"limits": overhead.get("podFixed").cloned().unwrap_or(Value::Null)}});
        validate_resources(e, &as_container, "overhead");
    }
    if let Some(scheduling) = e.obj(class, "scheduling", "scheduling").map(|m| Value::Object(m.clone())) {
        validate_labels(e, &scheduling, "nodeSelector", "scheduling.nodeSelector");
        // Upstream names the list twice in its element paths.
        validate_tolerations(e, &scheduling, "scheduling.tolerations.tolerations");
        let tolerations = scheduling.get("tolerations").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut seen = HashSet::new();
        for (i, toleration) in tolerations.iter().enumerate() {
            let key =
                (s(toleration, "key"), s(toleration, "operator"), s(toleration, "value"), s(toleration, "effect"));
            if !seen.insert(key) {
                e.duplicate(&index("scheduling.tolerations", i), &go_toleration(toleration));
            }
        }
    }
}

/// Go's `%#v` of a `core.Toleration`.
fn go_toleration(t: &Value) -> String {
    let seconds = match t.get("tolerationSeconds").and_then(Value::as_i64) {
        Some(_) => "(*int64)(0xc000010000)".to_string(),
        None => "(*int64)(nil)".to_string(),
    };
    format!(
        "core.Toleration{{Key:{}, Operator:{}, Value:{}, Effect:{}, TolerationSeconds:{seconds}}}",
        quote(s(t, "key")),
        quote(s(t, "operator")),
        quote(s(t, "value")),
        quote(s(t, "effect"))
    )
}

/// `ValidateRuntimeClassUpdate`: only the handler is checked, and may not change.
fn validate_runtime_class_update(e: &mut Errs, new: &Value, old: &Value) {
    let handler = |class: &Value| class.get("handler").cloned().unwrap_or(json!(""));
    if handler(new) != handler(old) {
        e.invalid("handler", &go_json(&handler(new)), "field is immutable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    #[test]
    fn a_runtime_class_with_overhead_and_scheduling_is_valid() {
        let class = json!({"metadata": {"name": "gvisor"}, "handler": "runsc",
            "overhead": {"podFixed": {"cpu": "250m", "memory": "64Mi"}},
            "scheduling": {"nodeSelector": {"runtime": "gvisor"}, "tolerations": [{"key": "runtime", "operator": "Exists"}]}});
        assert!(errs(|e| validate_runtime_class(e, &class)).is_empty());
    }

    #[test]
    fn handler_is_a_required_dns_label() {
        let causes = errs(|e| validate_runtime_class(e, &json!({"metadata": {"name": "x"}})));
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].0, "handler");
        assert!(causes[0].1.starts_with("Invalid value: \"\": a lowercase RFC 1123 label must consist"));
    }

    #[test]
    fn overhead_and_duplicate_tolerations_are_reported() {
        let class = json!({"handler": "runc", "overhead": {"podFixed": {"cpu": "-1"}},
            "scheduling": {"tolerations": [{"key": "a", "value": "b"}, {"key": "a", "value": "b"}]}});
        let causes = errs(|e| validate_runtime_class(e, &class));
        assert_eq!(
            causes[0],
            (
                "overhead.limits[cpu]".to_string(),
                "Invalid value: \"-1\": must be greater than or equal to 0".to_string()
            )
        );
        assert_eq!(causes[1].0, "scheduling.tolerations[1]");
        assert!(causes[1].1.starts_with("Duplicate value: core.Toleration{Key:\"a\", Operator:\"\", Value:\"b\""));
    }

    #[test]
    fn handler_is_immutable() {
        let old = json!({"handler": "runc"});
        assert_eq!(
            errs(|e| validate_runtime_class_update(e, &json!({"handler": "runsc"}), &old)),
            vec![("handler".to_string(), "Invalid value: \"runsc\": field is immutable".to_string())]
        );
    }
}
