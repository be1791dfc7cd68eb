//! Container `resources`: `ValidateResourceRequirements`' requests-versus-limits rules over
//! machinery's quantities.

use serde_json::Value;

use super::field::{child, quote, Errs};
use crate::machinery::quantity::{Quantity, QuantityError};

/// A quantity as the API carries it (a string, or a bare JSON number).
pub(crate) fn parse_quantity(v: &Value) -> Result<Quantity, QuantityError> {
    match v {
        Value::String(text) => Quantity::parse(text.trim()),
        Value::Number(n) => Quantity::parse(&n.to_string()),
        _ => Err(QuantityError::Format),
    }
}

/// How a quantity is echoed back in messages (the user's text; upstream prints the canonical form).
fn shown(v: &Value) -> String {
    match v {
        Value::String(st) => quote(st),
        other => quote(&other.to_string()),
    }
}

/// Whether requests may differ from limits (hugepages and extended resources may not).
fn overcommit_allowed(name: &str) -> bool {
    !name.starts_with("hugepages-") && (!name.contains('/') || name.starts_with("kubernetes.io/"))
}

/// `ValidateResourceRequirements` for one container's `resources` at `path`.
pub(crate) fn validate_resources(e: &mut Errs, c: &Value, path: &str) {
    let Some(resources) = e.obj(c, "resources", path) else { return };
    let resources = Value::Object(resources.clone());
    let lim_path = child(path, "limits");
    let req_path = child(path, "requests");
    let limits = e.obj(&resources, "limits", &lim_path).cloned().unwrap_or_default();
    let requests = e.obj(&resources, "requests", &req_path).cloned().unwrap_or_default();
    for (name, q) in &limits {
        let p = format!("{lim_path}[{name}]");
        match parse_quantity(q) {
            Err(err) => e.invalid(&p, &shown(q), &err.to_string()),
            Ok(v) if v.is_negative() => e.invalid(&p, &shown(q), "must be greater than or equal to 0"),
            _ => {}
        }
    }
    for (name, q) in &requests {
        let p = format!("{req_path}[{name}]");
        let value = match parse_quantity(q) {
            Ok(value) => value,
            Err(err) => {
                e.invalid(&p, &shown(q), &err.to_string());
                continue;
            }
        };
        if value.is_negative() {
            e.invalid(&p, &shown(q), "must be greater than or equal to 0");
        }
        let Some(limit_q) = limits.get(name) else { continue };
        let Ok(limit) = parse_quantity(limit_q) else { continue };
        let limit_text = limit_q.as_str().map(str::to_string).unwrap_or_else(|| limit_q.to_string());
        if value != limit && !overcommit_allowed(name) {
            e.invalid(&req_path, &shown(q), &format!("must be equal to {name} limit of {limit_text}"));
        } else if value > limit {
            e.invalid(&req_path, &shown(q), &format!("must be less than or equal to {name} limit of {limit_text}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_parse_as_strings_or_numbers() {
        assert_eq!(parse_quantity(&json!("500m")), Quantity::parse("0.5"));
        assert_eq!(parse_quantity(&json!(" 1Gi ")), Quantity::parse("1Gi"), "trimmed as upstream's UnmarshalJSON");
        assert_eq!(parse_quantity(&json!(2)), Quantity::parse("2"));
        assert_eq!(parse_quantity(&json!(0.5)), Quantity::parse("500m"));
        assert_eq!(parse_quantity(&json!("1Qi")), Err(QuantityError::Format));
        assert_eq!(parse_quantity(&json!(true)), Err(QuantityError::Format));
    }

    #[test]
    fn requests_may_not_exceed_limits() {
        let mut e = Errs::default();
        let c = json!({"resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}});
        validate_resources(&mut e, &c, "spec.containers[0].resources");
        assert_eq!(e.causes[0].field, "spec.containers[0].resources.requests");
        assert_eq!(e.causes[0].message, "Invalid value: \"2\": must be less than or equal to cpu limit of 1");
    }

    #[test]
    fn unparseable_quantities_are_reported() {
        let mut e = Errs::default();
        validate_resources(&mut e, &json!({"resources": {"limits": {"memory": "lots"}}}), "r");
        assert_eq!(e.causes[0].field, "r.limits[memory]");
        assert!(e.causes[0].message.starts_with("Invalid value: \"lots\": quantities must match"));
        let mut e = Errs::default();
        validate_resources(&mut e, &json!({"resources": {"requests": {"cpu": "1mi"}}}), "r");
        assert_eq!(e.causes[0].message, "Invalid value: \"1mi\": unable to parse quantity's suffix");
    }
}
