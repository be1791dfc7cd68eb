//! Validation of custom resources against their version's structural schema
//! (openAPIV3Schema), with the causes worded and ordered as apiextensions-apiserver gives
//! them: first the kube-openapi schema's (the message converted to a field error:
//! `Required value`, `Unsupported value`, `Too long`, `Too many`, else `Invalid value: V:
//! PATH in body ...`), then those of embedded resources (apiVersion, kind, metadata), then
//! the list-type set/map invariants (`Duplicate value`).

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::registry::strategy::Cause;

/// The causes of one validation, kept apart by the upstream validator that finds them.
#[derive(Default)]
struct Found {
    schema: Vec<Cause>,
    embedded: Vec<Cause>,
    lists: Vec<Cause>,
}

/// Everything wrong with `object` under `schema`. The root's apiVersion, kind and
/// metadata are the server's business and are not checked here.
pub fn validate(schema: &Value, object: &Value) -> Vec<Cause> {
    let mut found = Found::default();
    if let (Some(properties), Some(fields)) = (schema.get("properties").and_then(Value::as_object), object.as_object())
    {
        for (name, value) in fields {
            if matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if let Some(sub) = properties.get(name) {
                check(sub, value, name, &mut found);
            }
        }
        required(schema, fields, "", &mut found.schema);
    }
    let Found { mut schema, embedded, lists } = found;
    schema.extend(embedded);
    schema.extend(lists);
    schema
}

/// Go's `%v` of a float64: the shortest form, with an exponent from 1e+06 (or below 1e-04).
fn go_float(number: f64) -> String {
    if number == 0.0 || !number.is_finite() {
        return number.to_string();
    }
    let scientific = format!("{number:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        return number.to_string();
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

fn go_number(number: &serde_json::Number) -> String {
    match number.as_i64() {
        Some(integer) => integer.to_string(),
        None => number.as_u64().map_or_else(|| go_float(number.as_f64().unwrap_or(0.0)), |n| n.to_string()),
    }
}

/// Go's `%#v` of a decoded JSON value, as inside a `map[string]interface {}`.
fn go_syntax(value: &Value) -> String {
    match value {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_syntax).collect();
            format!("[]interface {{}}{{{}}}", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map.iter().map(|(k, v)| format!("{k:?}:{}", go_syntax(v))).collect();
            format!("map[string]interface {{}}{{{}}}", entries.join(", "))
        }
    }
}

/// A bad value as apimachinery's field errors print it: numbers and booleans with `%v`,
/// strings quoted, anything else in Go syntax.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "\"null\"".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => format!("{s:?}"),
        other => go_syntax(other),
    }
}

fn invalid(path: &str, value: &Value, detail: String) -> Cause {
    Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {}: {detail}", shown(value)),
        field: path.into(),
    }
}

fn type_invalid(path: &str, actual: &str, expected: &str) -> Cause {
    Cause {
        reason: "FieldValueTypeInvalid".into(),
        message: format!("Invalid value: {actual:?}: {path} in body must be of type {expected}: {actual:?}"),
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

fn check(schema: &Value, value: &Value, path: &str, found: &mut Found) {
    if value.is_null() {
        // kube-openapi: null is a value of any type only where the schema says nullable.
        if !flag(schema, "nullable") {
            if let Some(expected) = schema.get("type").and_then(Value::as_str) {
                found.schema.push(type_invalid(path, "null", expected));
            }
        }
        return;
    }
    let actual = json_type(value);
    if flag(schema, "x-kubernetes-int-or-string") {
        if !matches!(actual, "integer" | "string") {
            found.schema.push(type_invalid(path, actual, "integer,string"));
            return;
        }
    } else if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        let fits = expected == actual || (expected == "number" && actual == "integer");
        if !fits {
            found.schema.push(type_invalid(path, actual, expected));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let listed: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
            found.schema.push(Cause {
                reason: "FieldValueNotSupported".into(),
                message: format!("Unsupported value: {}: supported values: {}", shown(value), listed.join(", ")),
                field: path.into(),
            });
        }
    }
    match value {
        Value::String(text) => check_string(schema, text, value, path, &mut found.schema),
        Value::Number(number) => check_number(schema, number, value, path, &mut found.schema),
        Value::Array(items) => check_array(schema, items, path, found),
        Value::Object(fields) => check_object(schema, fields, path, found),
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
            causes.push(type_invalid(path, text, format));
        }
    }
}

fn uuid_pattern(version: Option<char>) -> &'static regex::Regex {
    static PATTERNS: OnceLock<[regex::Regex; 4]> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        // strfmt's patterns: hyphens optional, any case; versions 4 and 5 fix the variant.
        let compile = |third: &str, fourth: &str| {
            let pattern = format!("(?i)^[0-9a-f]{{8}}-?[0-9a-f]{{4}}-?{third}-?{fourth}-?[0-9a-f]{{12}}$");
            regex::Regex::new(&pattern).expect("the UUID patterns compile")
        };
        [
            compile("[0-9a-f]{4}", "[0-9a-f]{4}"),
            compile("3[0-9a-f]{3}", "[0-9a-f]{4}"),
            compile("4[0-9a-f]{3}", "[89ab][0-9a-f]{3}"),
            compile("5[0-9a-f]{3}", "[89ab][0-9a-f]{3}"),
        ]
    });
    match version {
        Some('3') => &patterns[1],
        Some('4') => &patterns[2],
        Some('5') => &patterns[3],
        _ => &patterns[0],
    }
}

/// govalidator's IsBase64: padded standard base64, at least one quantum.
fn base64_pattern() -> &'static regex::Regex {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$")
            .expect("the base64 pattern compiles")
    })
}

/// The string formats apiextensions keeps and kube-openapi checks. Format names are
/// compared without dashes (`date-time` is `datetime`), as go-openapi normalizes them.
/// Formats it strips or does not check pass, as upstream: among them `int32`/`int64` on
/// integers and `float`/`double` on numbers, which Kubernetes 1.32 does not enforce.
/// The rest follow strfmt's checks (Go's `mail.ParseAddress`, `url.ParseRequestURI`,
/// `net.ParseCIDR`, `net.ParseMAC`, govalidator's ISBN, credit card and colour patterns)
/// closely but not byte for byte.
fn format_matches(format: &str, text: &str) -> bool {
    match format.replace('-', "").as_str() {
        "email" => pattern(r#"^(?:[^<>@]*<[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+>|[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+)$"#)
            .is_match(text.trim()),
        "uri" => {
            !text.is_empty()
                && !text.bytes().any(|b| b < 0x20 || b == 0x7f)
                && (text.starts_with('/') || pattern(r"^[A-Za-z][A-Za-z0-9+.-]*:").is_match(text))
        }
        "cidr" => text.split_once('/').is_some_and(|(ip, bits)| {
            let max = match (ip.parse::<std::net::Ipv4Addr>(), ip.parse::<std::net::Ipv6Addr>()) {
                (Ok(_), _) => 32,
                (_, Ok(_)) => 128,
                _ => return false,
            };
            !bits.is_empty() && bits.len() <= 3 && bits.bytes().all(|b| b.is_ascii_digit()) && bits.parse::<u32>().is_ok_and(|b| b <= max)
        }),
        "mac" => pattern(
            r"^(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){7}|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){19}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){3}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){9})$",
        )
        .is_match(text),
        "hexcolor" => pattern(r"^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$").is_match(text),
        "rgbcolor" => {
            let byte = r"(?:0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])";
            pattern(&format!(r"^rgb\(\s*{byte}\s*,\s*{byte}\s*,\s*{byte}\s*\)$")).is_match(text)
        }
        "ssn" => pattern(r"^\d{3}[- ]?\d{2}[- ]?\d{4}$").is_match(text),
        "isbn" => is_isbn10(text) || is_isbn13(text),
        "isbn10" => is_isbn10(text),
        "isbn13" => is_isbn13(text),
        "creditcard" => {
            let digits: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
            (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && luhn(&digits)
        }
        "duration" => is_duration(text),
        "datetime" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => uuid_pattern(None).is_match(text),
        "uuid3" => uuid_pattern(Some('3')).is_match(text),
        "uuid4" => uuid_pattern(Some('4')).is_match(text),
        "uuid5" => uuid_pattern(Some('5')).is_match(text),
        "byte" => base64_pattern().is_match(text),
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

/// A compiled pattern, kept for the next check.
fn pattern(source: &str) -> regex::Regex {
    static CACHE: OnceLock<parking_lot::Mutex<std::collections::HashMap<String, regex::Regex>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock();
    cache
        .entry(source.to_string())
        .or_insert_with(|| regex::Regex::new(source).expect("the format patterns compile"))
        .clone()
}

fn isbn_digits(text: &str) -> Vec<char> {
    text.chars().filter(|c| *c != '-' && *c != ' ').collect()
}

fn is_isbn10(text: &str) -> bool {
    let digits = isbn_digits(text);
    let valid = digits.len() == 10
        && digits[..9].iter().all(char::is_ascii_digit)
        && (digits[9].is_ascii_digit() || digits[9] == 'X');
    valid && {
        let sum: u32 = digits.iter().enumerate().map(|(i, c)| (i as u32 + 1) * c.to_digit(10).unwrap_or(10)).sum();
        sum % 11 == 0
    }
}

fn is_isbn13(text: &str) -> bool {
    let digits = isbn_digits(text);
    digits.len() == 13 && digits.iter().all(char::is_ascii_digit) && {
        let sum: u32 =
            digits.iter().enumerate().map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 }).sum();
        sum % 10 == 0
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// strfmt's durations: Go's (`1h30m`, `-1.5s`), or numbers with unit words (`3 days`).
fn is_duration(text: &str) -> bool {
    let go = r"^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$";
    if text == "0" || pattern(go).is_match(text) {
        return true;
    }
    const UNITS: &[&str] = &[
        "ns",
        "us",
        "µs",
        "ms",
        "s",
        "m",
        "h",
        "d",
        "w",
        "nanosecond",
        "nanoseconds",
        "microsecond",
        "microseconds",
        "millisecond",
        "milliseconds",
        "second",
        "seconds",
        "sec",
        "secs",
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "hr",
        "hrs",
        "day",
        "days",
        "week",
        "weeks",
        "wk",
        "wks",
    ];
    let matcher = pattern(r"(\d+)\s*([A-Za-zµ]+)");
    let mut found = false;
    for unit in matcher.captures_iter(text).filter_map(|c| c.get(2)) {
        if !UNITS.contains(&unit.as_str()) {
            return false;
        }
        found = true;
    }
    found
}

fn check_number(schema: &Value, number: &serde_json::Number, value: &Value, path: &str, causes: &mut Vec<Cause>) {
    let data = number.as_f64().unwrap_or(0.0);
    let bound = |name: &str| schema.get(name).and_then(Value::as_f64);
    // kube-openapi compares integers as int64 and prints the bound the same way.
    let integer = number.is_i64() || number.is_u64();
    let shown_bound = |bound: f64| if integer { (bound as i64).to_string() } else { go_float(bound) };
    if let Some(max) = bound("maximum") {
        if flag(schema, "exclusiveMaximum") && data >= max {
            causes.push(invalid(path, value, format!("{path} in body should be less than {}", shown_bound(max))));
        } else if data > max {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be less than or equal to {}", shown_bound(max)),
            ));
        }
    }
    if let Some(min) = bound("minimum") {
        if flag(schema, "exclusiveMinimum") && data <= min {
            causes.push(invalid(path, value, format!("{path} in body should be greater than {}", shown_bound(min))));
        } else if data < min {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be greater than or equal to {}", shown_bound(min)),
            ));
        }
    }
    if let Some(multiple) = bound("multipleOf").filter(|m| *m > 0.0) {
        if (data / multiple).fract().abs() > f64::EPSILON {
            causes.push(invalid(
                path,
                value,
                format!("{path} in body should be a multiple of {}", shown_bound(multiple)),
            ));
        }
    }
}

fn check_array(schema: &Value, items: &[Value], path: &str, found: &mut Found) {
    let count = items.len() as u64;
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64).filter(|max| count > *max) {
        found.schema.push(Cause {
            reason: "FieldValueTooMany".into(),
            message: format!("Too many: {count}: must have at most {max} items"),
            field: path.into(),
        });
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64).filter(|min| count < *min) {
        // kube-openapi reports the number of items as the bad value.
        found.schema.push(invalid(
            path,
            &Value::from(count),
            format!("{path} in body should have at least {min} items"),
        ));
    }
    match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    found.lists.push(duplicate(&format!("{path}[{i}]"), item));
                }
            }
        }
        Some("map") => check_list_map(schema, items, path, &mut found.lists),
        _ => {}
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{path}[{i}]"), found);
        }
    }
}

/// A list-type map: entries are objects, unique by their map keys; an entry's key is the
/// keys it has (structurallisttype's validateListMap).
fn check_list_map(schema: &Value, items: &[Value], path: &str, causes: &mut Vec<Cause>) {
    if let Some((i, item)) = items.iter().enumerate().find(|(_, item)| !item.is_object() && !item.is_null()) {
        let detail = "must be an object for an array of list-type map".to_string();
        causes.push(invalid(&format!("{path}[{i}]"), item, detail));
        return;
    }
    let keys: Vec<&str> = schema
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let key_of = |item: &Value| -> Map<String, Value> {
        keys.iter().filter_map(|k| Some((k.to_string(), item.get(*k)?.clone()))).collect()
    };
    let all: Vec<Map<String, Value>> = items.iter().map(key_of).collect();
    for (i, key) in all.iter().enumerate() {
        if all[..i].contains(key) {
            causes.push(duplicate(&format!("{path}[{i}]"), &Value::Object(key.clone())));
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

fn check_object(schema: &Value, fields: &Map<String, Value>, path: &str, found: &mut Found) {
    if flag(schema, "x-kubernetes-embedded-resource") {
        found.embedded.extend(crate::registry::strategy::validate_embedded_resource(fields, path));
    }
    let count = fields.len() as u64;
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64).filter(|max| count > *max) {
        found.schema.push(Cause {
            reason: "FieldValueTooMany".into(),
            message: format!("Too many: {count}: must have at most {max} items"),
            field: path.into(),
        });
    }
    if let Some(min) = schema.get("minProperties").and_then(Value::as_u64).filter(|min| count < *min) {
        // kube-openapi (as vendored by 1.32) reports the minimum as the bad value.
        found.schema.push(invalid(
            path,
            &Value::from(min),
            format!("{path} in body should have at least {min} properties"),
        ));
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    for (name, value) in fields {
        let child = format!("{path}.{name}");
        if let Some(sub) = properties.and_then(|p| p.get(name)) {
            check(sub, value, &child, found);
        } else if let Some(sub) = additional {
            check(sub, value, &child, found);
        }
    }
    required(schema, fields, path, &mut found.schema);
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
                "spec.when: Invalid value: \"now\": spec.when in body must be of type date-time: \"now\"",
                // List invariants are checked after the schema, as upstream.
                "spec.tags[1]: Duplicate value: \"a\"",
            ]
        );
    }
}

#[cfg(test)]
mod keyword_tests {
    use super::*;
    use serde_json::json;

    fn causes(spec_schema: Value, spec: Value) -> Vec<String> {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": spec_schema}}});
        validate(&schema, &json!({"spec": spec})).into_iter().map(|c| format!("{}: {}", c.field, c.message)).collect()
    }

    #[test]
    fn lower_bounds_and_nullable_read_like_upstream() {
        let schema = json!({
            "replicas": {"type": "integer", "minimum": 1},
            "ratio": {"type": "number", "minimum": 0.5, "maximum": 1000000},
            "name": {"type": "string", "minLength": 3},
            "tags": {"type": "array", "minItems": 2, "items": {"type": "string"}},
            "note": {"type": "string", "nullable": true},
            "other": {"type": "string"}});
        assert!(
            causes(schema.clone(), json!({"replicas": 1, "name": "abc", "tags": ["a", "b"], "note": null})).is_empty()
        );
        assert_eq!(
            causes(schema.clone(), json!({"replicas": 0, "name": "ab", "tags": ["a"], "note": null, "other": null})),
            [
                "spec.name: Invalid value: \"ab\": spec.name in body should be at least 3 chars long",
                "spec.other: Invalid value: \"null\": spec.other in body must be of type string: \"null\"",
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
                "spec.tags: Invalid value: 1: spec.tags in body should have at least 2 items",
            ]
        );
        // Bounds of float values print as Go's %v prints a float64.
        assert_eq!(
            causes(schema.clone(), json!({"ratio": 0.25})),
            ["spec.ratio: Invalid value: 0.25: spec.ratio in body should be greater than or equal to 0.5"]
        );
        assert_eq!(
            causes(schema, json!({"ratio": 2000000.5})),
            ["spec.ratio: Invalid value: 2.0000005e+06: spec.ratio in body should be less than or equal to 1e+06"]
        );
    }

    #[test]
    fn go_floats_switch_to_exponents_where_go_does() {
        assert_eq!(
            [1e6, 123456.0, 1.5, 0.0001, 0.00001, -2.5e7].map(go_float),
            ["1e+06", "123456", "1.5", "0.0001", "1e-05", "-2.5e+07"]
        );
    }

    #[test]
    fn list_map_keys_must_be_unique() {
        let ports = |keys: Value| {
            json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys,
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "protocol": {"type": "string"},
                    "port": {"type": "integer"}}}}})
        };
        assert_eq!(
            causes(
                ports(json!(["name"])),
                json!({"ports": [{"name": "a", "port": 1}, {"name": "a", "port": 2}, {"port": 3}, {"port": 4}]})
            ),
            [
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}",
                "spec.ports[3]: Duplicate value: map[string]interface {}{}",
            ]
        );
        assert_eq!(
            causes(
                ports(json!(["name", "protocol"])),
                json!({"ports": [{"name": "a", "protocol": "TCP"}, {"name": "a", "protocol": "UDP"}, {"name": "a", "protocol": "TCP", "port": 80}]})
            ),
            ["spec.ports[2]: Duplicate value: map[string]interface {}{\"name\":\"a\", \"protocol\":\"TCP\"}"]
        );
        // Schema errors come before the list invariants, wherever they are.
        assert_eq!(
            causes(ports(json!(["name"])), json!({"ports": [{"name": "a"}, {"name": "a", "port": "x"}]})),
            [
                "spec.ports[1].port: Invalid value: \"string\": spec.ports[1].port in body must be of type integer: \"string\"",
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}",
            ]
        );
        let free = json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": {"x-kubernetes-preserve-unknown-fields": true}}});
        assert_eq!(
            causes(free, json!({"ports": [{"name": "a"}, "b"]})),
            ["spec.ports[1]: Invalid value: \"b\": must be an object for an array of list-type map",]
        );
    }

    #[test]
    fn embedded_resources_need_type_meta_and_valid_metadata() {
        let schema = json!({"template": {"type": "object", "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true}});
        assert!(causes(
            schema.clone(),
            json!({"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}})
        )
        .is_empty());
        assert_eq!(
            causes(schema.clone(), json!({"template": {"spec": {}}})),
            ["spec.template.apiVersion: Required value", "spec.template.kind: Required value"]
        );
        let found = causes(
            schema.clone(),
            json!({"template": {"apiVersion": "a/b/c", "kind": "Not A Kind",
                "metadata": {"name": "a/b", "namespace": "Bad_NS", "labels": {"bad key": "x"}}}}),
        );
        let expected_starts = [
            "spec.template.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
            "spec.template.kind: Invalid value: \"Not A Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of",
            "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
            "spec.template.metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of",
            "spec.template.metadata.labels: Invalid value: \"bad key\": name part must consist of",
        ];
        assert_eq!(found.len(), expected_starts.len(), "{found:#?}");
        for (cause, start) in found.iter().zip(expected_starts) {
            assert!(cause.starts_with(start), "{cause:?} should start with {start:?}");
        }
        assert_eq!(
            causes(schema, json!({"template": {"apiVersion": 1, "kind": "", "metadata": "x"}})),
            [
                "spec.template.apiVersion: Invalid value: 1: must be a string",
                "spec.template.kind: Required value",
                "spec.template.metadata: Invalid value: \"x\": invalid metadata: expected object, got string",
            ]
        );
    }

    #[test]
    fn strfmt_formats_accept_and_reject_as_upstream() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("email", &["a@b", "jane@example.com", "Jane <jane@example.com>"], &["anything", "a@", "@b", "a b@c"]),
            (
                "uri",
                &["https://example.com/x?y=1", "/path", "mailto:jane@example.com"],
                &["", "relative/path", "ht tp:"],
            ),
            ("cidr", &["10.0.0.0/8", "fd00::/64"], &["10.0.0.0", "10.0.0.0/33", "x/8"]),
            (
                "mac",
                &["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"],
                &["00:1a:2b:3c:4d", "zz:1a:2b:3c:4d:5e"],
            ),
            ("hexcolor", &["#fff", "00ff00"], &["#ffff", "red"]),
            ("rgbcolor", &["rgb(0, 128, 255)"], &["rgb(256,0,0)", "rgb(1,2)"]),
            ("ssn", &["123-45-6789", "123456789"], &["12-345-6789"]),
            ("isbn10", &["0-306-40615-2"], &["0-306-40615-3"]),
            ("isbn13", &["978-0-306-40615-7"], &["978-0-306-40615-8"]),
            ("creditcard", &["4111 1111 1111 1111"], &["4111 1111 1111 1112", "abcd"]),
            ("duration", &["1h30m", "-1.5s", "3 days", "1 week 2 days"], &["soon", "3 fortnights", "1x"]),
        ];
        for (format, good, bad) in cases {
            for text in *good {
                assert!(format_matches(format, text), "{format}: {text:?} is valid");
            }
            for text in *bad {
                assert!(!format_matches(format, text), "{format}: {text:?} is invalid");
            }
        }
    }

    #[test]
    fn string_formats_are_checked_as_kube_openapi_checks_them() {
        let schema = json!({
            "id": {"type": "string", "format": "uuid"},
            "id4": {"type": "string", "format": "uuid4"},
            "blob": {"type": "string", "format": "byte"},
            "at": {"type": "string", "format": "datetime"},
            "small": {"type": "integer", "format": "int32"},
            "mail": {"type": "string", "format": "email"}});
        let fine = json!({"id": "A987FBC9-4BED-3078-CF07-9141BA07C9F3", "id4": "a987fbc94bed4078bf079141ba07c9f3",
            "blob": "aGVsbG8=", "at": "2024-01-02T03:04:05Z",
            // Kubernetes 1.32 keeps int32 in the schema but never enforces it.
            "small": 1_099_511_627_776u64, "mail": "Jane <jane@example.com>"});
        assert!(causes(schema.clone(), fine).is_empty());
        assert_eq!(
            causes(
                schema,
                json!({"id": "urn:uuid:a987fbc9-4bed-3078-cf07-9141ba07c9f3", "id4": "a987fbc9-4bed-3078-cf07-9141ba07c9f3",
                    "blob": "hello!", "at": "yesterday"})
            ),
            [
                "spec.at: Invalid value: \"yesterday\": spec.at in body must be of type datetime: \"yesterday\"",
                "spec.blob: Invalid value: \"hello!\": spec.blob in body must be of type byte: \"hello!\"",
                "spec.id: Invalid value: \"urn:uuid:a987fbc9-4bed-3078-cf07-9141ba07c9f3\": spec.id in body must be of type uuid: \"urn:uuid:a987fbc9-4bed-3078-cf07-9141ba07c9f3\"",
                "spec.id4: Invalid value: \"a987fbc9-4bed-3078-cf07-9141ba07c9f3\": spec.id4 in body must be of type uuid4: \"a987fbc9-4bed-3078-cf07-9141ba07c9f3\"",
            ]
        );
    }
}
