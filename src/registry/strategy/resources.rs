//! Container `resources`: resource quantities (`resource.Quantity` parsing, enough to compare
//! values) and `ValidateResourceRequirements`' requests-versus-limits rules.

use serde_json::Value;

use super::field::{child, quote, Errs};

const QUANTITY_REGEX_MSG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// The numeric value of a quantity (`500m`, `1Gi`, `1e3`, `2`), or None when it does not parse.
pub(crate) fn parse_quantity(v: &Value) -> Option<f64> {
    let st = match v {
        Value::Number(n) => return n.as_f64(),
        Value::String(st) => st.trim(),
        _ => return None,
    };
    let split = st.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(st.len());
    let (number, suffix) = st.split_at(split);
    if number.is_empty() || number.chars().filter(|c| *c == '.').count() > 1 || number[1..].contains(['+', '-']) {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp if exp.starts_with(['e', 'E']) => 10f64.powi(exp[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(base * factor)
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
            None => e.invalid(&p, &shown(q), QUANTITY_REGEX_MSG),
            Some(v) if v < 0.0 => e.invalid(&p, &shown(q), "must be greater than or equal to 0"),
            _ => {}
        }
    }
    for (name, q) in &requests {
        let p = format!("{req_path}[{name}]");
        let Some(value) = parse_quantity(q) else {
            e.invalid(&p, &shown(q), QUANTITY_REGEX_MSG);
            continue;
        };
        if value < 0.0 {
            e.invalid(&p, &shown(q), "must be greater than or equal to 0");
        }
        let Some(limit_q) = limits.get(name) else { continue };
        let Some(limit) = parse_quantity(limit_q) else { continue };
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
    fn quantities_parse_with_suffixes() {
        assert_eq!(parse_quantity(&json!("500m")), Some(0.5));
        assert_eq!(parse_quantity(&json!("1Gi")), Some(1073741824.0));
        assert_eq!(parse_quantity(&json!("1e3")), Some(1000.0));
        assert_eq!(parse_quantity(&json!(2)), Some(2.0));
        assert_eq!(parse_quantity(&json!("abc")), None);
        assert_eq!(parse_quantity(&json!("1Qi")), None);
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
    }
}
