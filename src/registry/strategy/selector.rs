//! `metav1.LabelSelector`: validation (`ValidateLabelSelector`), conversion to a matcher
//! (`LabelSelectorAsSelector`, including its "empty selects everything, nil selects nothing"
//! rule) and Go's `%#v` rendering used in "field is immutable" messages.

use serde_json::{Map, Value};

use super::field::{child, go_string_map, index, quote, Errs};
use super::meta::validate_labels;
use crate::machinery::validation::{is_label_value, is_qualified_name};

/// What a selector selects, after conversion.
#[derive(Debug)]
pub(crate) enum Selector {
    /// A nil selector: `labels.Nothing()`.
    Nothing,
    /// An empty selector: `labels.Everything()`.
    Everything,
    Requirements(Vec<(String, String, Vec<String>)>),
}

impl Selector {
    /// Whether the selector is `Everything` (upstream's `selector.Empty()`).
    pub fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        match self {
            Selector::Nothing => false,
            Selector::Everything => true,
            Selector::Requirements(reqs) => reqs.iter().all(|(key, op, values)| match op.as_str() {
                "In" => get(key).is_some_and(|v| values.iter().any(|x| x == v)),
                "NotIn" => get(key).is_none_or(|v| !values.iter().any(|x| x == v)),
                "Exists" => get(key).is_some(),
                "DoesNotExist" => get(key).is_none(),
                _ => false,
            }),
        }
    }
}

/// `LabelSelectorAsSelector`: Err when an operator is unknown or a key/value is invalid.
pub(crate) fn as_selector(sel: Option<&Value>) -> Result<Selector, ()> {
    let Some(sel) = sel.filter(|v| !v.is_null()) else { return Ok(Selector::Nothing) };
    let sel = sel.as_object().ok_or(())?;
    let mut reqs = Vec::new();
    match sel.get("matchLabels") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let v = v.as_str().ok_or(())?;
                if !is_qualified_name(k).is_empty() || !is_label_value(v).is_empty() {
                    return Err(());
                }
                reqs.push((k.clone(), "In".to_string(), vec![v.to_string()]));
            }
        }
        Some(_) => return Err(()),
    }
    match sel.get("matchExpressions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(exprs)) => {
            for expr in exprs {
                let key = expr.get("key").and_then(Value::as_str).ok_or(())?;
                let op = expr.get("operator").and_then(Value::as_str).ok_or(())?;
                let values: Vec<String> = match expr.get("values") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(vs)) => {
                        vs.iter().map(|v| v.as_str().map(str::to_string).ok_or(())).collect::<Result<_, _>>()?
                    }
                    Some(_) => return Err(()),
                };
                match op {
                    "In" | "NotIn" if values.is_empty() => return Err(()),
                    "Exists" | "DoesNotExist" if !values.is_empty() => return Err(()),
                    "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                    _ => return Err(()),
                }
                reqs.push((key.to_string(), op.to_string(), values));
            }
        }
        Some(_) => return Err(()),
    }
    if reqs.is_empty() {
        Ok(Selector::Everything)
    } else {
        Ok(Selector::Requirements(reqs))
    }
}

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
    fn nil_selects_nothing_and_empty_selects_everything() {
        assert!(!as_selector(None).unwrap().matches(None));
        assert!(as_selector(Some(&json!({}))).unwrap().is_empty());
    }

    #[test]
    fn match_labels_and_expressions() {
        let sel = json!({"matchLabels": {"app": "x"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]});
        let s = as_selector(Some(&sel)).unwrap();
        assert!(s.matches(json!({"app": "x", "tier": "web"}).as_object()));
        assert!(!s.matches(json!({"app": "x", "tier": "db"}).as_object()));
        assert!(!s.matches(None));
    }

    #[test]
    fn bad_operator_is_reported() {
        let mut e = Errs::default();
        let obj = json!({"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}});
        validate_label_selector(&mut e, &obj, "selector", "spec.selector");
        assert_eq!(e.causes[0].field, "spec.selector.matchExpressions[0].operator");
        assert_eq!(e.causes[0].message, "Invalid value: \"Near\": not a valid selector operator");
        assert!(as_selector(obj.get("selector")).is_err());
    }

    #[test]
    fn go_rendering_of_selector() {
        assert_eq!(
            go_label_selector(&json!({"matchLabels": {"app": "b"}})),
            r#"v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"#
        );
    }
}
