//! Validation of custom resources against their version's structural schema
//! (openAPIV3Schema), with the causes worded as apiextensions-apiserver words them: the
//! kube-openapi message converted to a field error (`Required value`, `Unsupported
//! value`, `Too long`, `Too many`, else `Invalid value: V: PATH in body ...`).

use serde_json::{Map, Value};

use crate::registry::strategy::Cause;

/// Everything wrong with `object` under `schema`. The root's apiVersion, kind and
/// metadata are the server's business and are not checked here.
pub fn validate(schema: &Value, object: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    if let (Some(properties), Some(fields)) = (schema.get("properties").and_then(Value::as_object), object.as_object())
    {
        for (name, value) in fields {
            if matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if let Some(sub) = properties.get(name) {
                check(sub, value, name, &mut causes);
            }
        }
        required(schema, fields, "", &mut causes);
    }
    causes
}

/// Go's `%v`-ish rendering of a value in `Invalid value: …` (strings quoted).
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn invalid(path: &str, value: &Value, detail: String) -> Cause {
    Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {}: {detail}", shown(value)),
        field: path.into(),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn flag(schema: &Value, name: &str) -> bool {
    schema.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn required(schema: &Value, fields: &Map<String, Value>, path: &str, causes: &mut Vec<Cause>) {
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if fields.get(name).is_none_or(Value::is_null) {
            let field = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            causes.push(Cause { reason: "FieldValueRequired".into(), message: "Required value".into(), field });
        }
    }
}

fn check(schema: &Value, value: &Value, path: &str, causes: &mut Vec<Cause>) {
    if value.is_null() {
        if !flag(schema, "nullable") && schema.get("type").is_some() {
            let detail = format!("{path} in body must be of type {}: \"null\"", schema["type"].as_str().unwrap_or(""));
            causes.push(Cause {
                reason: "FieldValueTypeInvalid".into(),
                message: format!("Invalid value: \"null\": {detail}"),
                field: path.into(),
            });
        }
        return;
    }
    let actual = json_type(value);
    if flag(schema, "x-kubernetes-int-or-string") {
        if !matches!(actual, "integer" | "string") {
            let detail = format!("{path} in body must be of type integer,string: {actual:?}");
            causes.push(Cause {
                reason: "FieldValueTypeInvalid".into(),
                message: format!("Invalid value: {actual:?}: {detail}"),
                field: path.into(),
            });
            return;
        }
    } else if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        let fits = expected == actual || (expected == "number" && actual == "integer");
        if !fits {
            let detail = format!("{path} in body must be of type {expected}: {actual:?}");
            causes.push(Cause {
                reason: "FieldValueTypeInvalid".into(),
                message: format!("Invalid value: {actual:?}: {detail}"),
                field: path.into(),
            });
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let listed: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
            causes.push(Cause {
                reason: "FieldValueNotSupported".into(),
                message: format!("Unsupported value: {}: supported values: {}", shown(value), listed.join(", ")),
                field: path.into(),
            });
        }
    }
    match value {
        Value::String(text) => check_string(schema, text, value, path, causes),
        Value::Number(number) => check_number(schema, number.as_f64().unwrap_or(0.0), value, path, causes),
        Value::Array(items) => check_array(schema, items, value, path, causes),
        Value::Object(fields) => check_object(schema, fields, path, causes),
        _ => {}
    }
}

fn check_string(schema: &Value, text: &str, value: &Value, path: &str, causes: &mut Vec<Cause>) {
    let length = text.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64).filter(|max| length > *max) {
        let bytes = if max == 1 { "byte" } else { "bytes" };
        causes.push(Cause {
            reason: "FieldValueTooLong".into(),
            message: format!("Too long: may not be more than {max} {bytes}"),
            field: path.into(),
        });
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64).filter(|min| length < *min) {
        causes.push(invalid(path, value, format!("{path} in body should be at least {min} chars long")));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        // Patterns were checked when the CRD was admitted; one regex cannot compile here
        // only if it uses syntax Go accepts and Rust does not, which is then not enforced.
        if regex::Regex::new(pattern).is_ok_and(|re| !re.is_match(text)) {
            causes.push(invalid(path, value, format!("{path} in body should match '{pattern}'")));
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        if !format_matches(format, text) {
            causes.push(Cause {
                reason: "FieldValueTypeInvalid".into(),
                message: format!("Invalid value: {text:?}: {path} in body must be of type {format}: {text:?}"),
                field: path.into(),
            });
        }
    }
}

/// The formats kube-openapi checks (unknown formats pass, as upstream).
fn format_matches(format: &str, text: &str) -> bool {
    match format {
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => uuid::Uuid::parse_str(text).is_ok(),
        "byte" => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(text).is_ok()
        }
        "hostname" => {
            !text.is_empty()
                && text.len() <= 253
                && text
                    .split('.')
                    .all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        }
        _ => true,
    }
}

fn check_number(schema: &Value, number: f64, value: &Value, path: &str, causes: &mut Vec<Cause>) {
    let bound = |name: &str| schema.get(name).and_then(Value::as_f64);
    let shown_bound = |name: &str| schema.get(name).map(Value::to_string).unwrap_or_default();
    if let Some(max) = bound("maximum") {
        if flag(schema, "exclusiveMaximum") && number >= max {
            causes.push(invalid(path, value, format!("{path} in body should be less than {}", shown_bound("maximum"))));
        } else if number > max {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be less than or equal to {}", shown_bound("maximum")),
            ));
        }
    }
    if let Some(min) = bound("minimum") {
        if flag(schema, "exclusiveMinimum") && number <= min {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be greater than {}", shown_bound("minimum")),
            ));
        } else if number < min {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be greater than or equal to {}", shown_bound("minimum")),
            ));
        }
    }
    if let Some(multiple) = bound("multipleOf").filter(|m| *m > 0.0) {
        if (number / multiple).fract().abs() > f64::EPSILON {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be a multiple of {}", shown_bound("multipleOf")),
            ));
        }
    }
}

fn check_array(schema: &Value, items: &[Value], value: &Value, path: &str, causes: &mut Vec<Cause>) {
    let count = items.len() as u64;
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64).filter(|max| count > *max) {
        causes.push(Cause {
            reason: "FieldValueTooMany".into(),
            message: format!("Too many: {count}: must have at most {max} items"),
            field: path.into(),
        });
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64).filter(|min| count < *min) {
        causes.push(invalid(path, value, format!("{path} in body should have at least {min} items")));
    }
    match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    causes.push(duplicate(&format!("{path}[{i}]"), item));
                }
            }
        }
        Some("map") => {
            let keys: Vec<&str> = schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let key_of =
                |item: &Value| keys.iter().map(|k| item.get(*k).cloned().unwrap_or(Value::Null)).collect::<Vec<_>>();
            for (i, item) in items.iter().enumerate() {
                let key = key_of(item);
                if items[..i].iter().any(|earlier| key_of(earlier) == key) {
                    let shown: Map<String, Value> = keys.iter().zip(key).map(|(k, v)| (k.to_string(), v)).collect();
                    causes.push(duplicate(&format!("{path}[{i}]"), &Value::Object(shown)));
                }
            }
        }
        _ => {}
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{path}[{i}]"), causes);
        }
    }
}

fn duplicate(path: &str, value: &Value) -> Cause {
    Cause {
        reason: "FieldValueDuplicate".into(),
        message: format!("Duplicate value: {}", shown(value)),
        field: path.into(),
    }
}

fn check_object(schema: &Value, fields: &Map<String, Value>, path: &str, causes: &mut Vec<Cause>) {
    if flag(schema, "x-kubernetes-embedded-resource") {
        for name in ["apiVersion", "kind"] {
            if fields.get(name).and_then(Value::as_str).is_none_or(str::is_empty) {
                causes.push(Cause {
                    reason: "FieldValueRequired".into(),
                    message: "Required value".into(),
                    field: format!("{path}.{name}"),
                });
            }
        }
    }
    let count = fields.len() as u64;
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64).filter(|max| count > *max) {
        causes.push(Cause {
            reason: "FieldValueTooMany".into(),
            message: format!("Too many: {count}: must have at most {max} items"),
            field: path.into(),
        });
    }
    if let Some(min) = schema.get("minProperties").and_then(Value::as_u64).filter(|min| count < *min) {
        causes.push(invalid(
            path,
            &Value::Object(fields.clone()),
            format!("{path} in body should have at least {min} properties"),
        ));
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    for (name, value) in fields {
        let child = format!("{path}.{name}");
        if let Some(sub) = properties.and_then(|p| p.get(name)) {
            check(sub, value, &child, causes);
        } else if let Some(sub) = additional {
            check(sub, value, &child, causes);
        }
    }
    required(schema, fields, path, causes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["cronSpec"], "properties": {
            "cronSpec": {"type": "string", "pattern": "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
            "image": {"type": "string", "maxLength": 5},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "port": {"x-kubernetes-int-or-string": true},
            "tags": {"type": "array", "maxItems": 2, "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "when": {"type": "string", "format": "date-time"}}}}})
    }

    fn messages(object: Value) -> Vec<String> {
        validate(&schema(), &object).into_iter().map(|c| format!("{}: {}", c.field, c.message)).collect()
    }

    #[test]
    fn causes_read_like_upstream() {
        assert_eq!(messages(json!({"spec": {"cronSpec": "* * * * */5", "replicas": 3}})), Vec::<String>::new());
        assert_eq!(
            messages(json!({"spec": {"replicas": 20, "image": "toolong", "mode": "c", "port": true}})),
            [
                "spec.image: Too long: may not be more than 5 bytes",
                "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"",
                "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
                "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
                "spec.cronSpec: Required value",
            ]
        );
        assert_eq!(
            messages(json!({"spec": {"cronSpec": "x", "replicas": "3", "tags": ["a", "a", "b"], "when": "now"}})),
            [
                "spec.cronSpec: Invalid value: \"x\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
                "spec.tags: Too many: 3: must have at most 2 items",
                "spec.tags[1]: Duplicate value: \"a\"",
                "spec.when: Invalid value: \"now\": spec.when in body must be of type date-time: \"now\"",
            ]
        );
    }
}
