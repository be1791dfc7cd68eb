//! `metav1.LabelSelector`: validation (`ValidateLabelSelector`) and Go's `%#v` rendering used
//! in "field is immutable" messages (conversion to a matcher is machinery's `labels`).

use serde_json::{Map, Value};

use super::field::{child, go_string_map, index, quote, Errs};
use super::meta::validate_labels;
use crate::machinery::validation::is_qualified_name;

/// `ValidateLabelSelector` at `path` (e.g. `spec.selector`).
pub(crate) fn validate_label_selector(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    let Some(sel) = e.obj(parent, key, path) else { return };
    let sel = Value::Object(sel.clone());
    let exprs_path = child(path, "matchExpressions");
    if let Some(exprs) = e.arr(&sel, "matchExpressions", &exprs_path) {
        for (i, expr) in exprs.iter().enumerate() {
            let p = index(&exprs_path, i);
            if !expr.is_object() {
                e.wrong_type(&p, expr, "object");
                continue;
            }
            let op = e.str(expr, "operator", &child(&p, "operator")).unwrap_or("");
            let n_values = e.arr(expr, "values", &child(&p, "values")).map_or(0, Vec::len);
            match op {
                "In" | "NotIn" => {
                    if n_values == 0 {
                        e.required(&child(&p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
                    }
                }
                "Exists" | "DoesNotExist" => {
                    if n_values > 0 {
                        e.forbidden(
                            &child(&p, "values"),
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                        );
                    }
                }
                _ => e.invalid(&child(&p, "operator"), &quote(op), "not a valid selector operator"),
            }
            let k = e.str(expr, "key", &child(&p, "key")).unwrap_or("");
            for msg in is_qualified_name(k) {
                e.invalid(&child(&p, "key"), &quote(k), &msg);
            }
        }
    }
    validate_labels(e, &sel, "matchLabels", &child(path, "matchLabels"));
}

/// Whether the selector object has neither matchLabels nor matchExpressions entries.
pub(crate) fn is_empty_selector(sel: &Value) -> bool {
    let n_labels = sel.get("matchLabels").and_then(Value::as_object).map_or(0, Map::len);
    let n_exprs = sel.get("matchExpressions").and_then(Value::as_array).map_or(0, Vec::len);
    n_labels + n_exprs == 0
}

/// Go's `%#v` of a `metav1.LabelSelector`.
pub(crate) fn go_label_selector(sel: &Value) -> String {
    let labels = go_string_map(sel.get("matchLabels").and_then(Value::as_object));
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(exprs) => {
            let items: Vec<String> = exprs
                .iter()
                .map(|x| {
                    let values = match x.get("values").and_then(Value::as_array) {
                        None => "[]string(nil)".to_string(),
                        Some(vs) => format!(
                            "[]string{{{}}}",
                            vs.iter().map(|v| quote(v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                        quote(x.get("key").and_then(Value::as_str).unwrap_or("")),
                        quote(x.get("operator").and_then(Value::as_str).unwrap_or(""))
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_operator_is_reported() {
        let mut e = Errs::default();
        let obj = json!({"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}});
        validate_label_selector(&mut e, &obj, "selector", "spec.selector");
        assert_eq!(e.causes[0].field, "spec.selector.matchExpressions[0].operator");
        assert_eq!(e.causes[0].message, "Invalid value: \"Near\": not a valid selector operator");
    }

    #[test]
    fn go_rendering_of_selector() {
        assert_eq!(
            go_label_selector(&json!({"matchLabels": {"app": "b"}})),
            r#"v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"#
        );
    }
}
