//! Upstream's `field.ErrorList` over JSON: causes with apimachinery's message bodies
//! (`Required value`, `Invalid value: "x": detail`, …), typed getters that turn a wrong JSON
//! type into a cause instead of a panic, Go `%q`/`%#v` renderings of bad values, and the small
//! mutable helpers the defaulters share.

use serde_json::{Map, Value};

use super::Cause;

/// Collected causes, in the order upstream's validators append them.
#[derive(Debug, Default)]
pub(crate) struct Errs {
    pub causes: Vec<Cause>,
}

fn with_detail(head: String, detail: &str) -> String {
    if detail.is_empty() {
        head
    } else {
        format!("{head}: {detail}")
    }
}

impl Errs {
    fn push(&mut self, reason: &str, field: &str, message: String) {
        self.causes.push(Cause { reason: reason.to_string(), message, field: field.to_string() });
    }

    /// `field.Required`: `Required value[: detail]`.
    pub fn required(&mut self, field: &str, detail: &str) {
        self.push("FieldValueRequired", field, with_detail("Required value".into(), detail));
    }

    /// `field.Invalid`; `value` is already rendered the way Go prints it (see [`quote`]).
    pub fn invalid(&mut self, field: &str, value: &str, detail: &str) {
        self.push("FieldValueInvalid", field, with_detail(format!("Invalid value: {value}"), detail));
    }

    /// `field.NotSupported`: `Unsupported value: "x": supported values: "a", "b"`.
    pub fn not_supported(&mut self, field: &str, value: &str, valid: &[&str]) {
        let list: Vec<String> = valid.iter().map(|v| quote(v)).collect();
        let detail = if list.is_empty() { String::new() } else { format!("supported values: {}", list.join(", ")) };
        self.push("FieldValueNotSupported", field, with_detail(format!("Unsupported value: {value}"), &detail));
    }

    /// `field.Duplicate`: `Duplicate value: "x"`.
    pub fn duplicate(&mut self, field: &str, value: &str) {
        self.push("FieldValueDuplicate", field, format!("Duplicate value: {value}"));
    }

    /// `field.Forbidden`: `Forbidden: detail`.
    pub fn forbidden(&mut self, field: &str, detail: &str) {
        self.push("FieldValueForbidden", field, with_detail("Forbidden".into(), detail));
    }

    /// `field.NotFound`: `Not found: "x"`.
    pub fn not_found(&mut self, field: &str, value: &str) {
        self.push("FieldValueNotFound", field, format!("Not found: {value}"));
    }

    /// `field.TooMany`: `Too many: N: must have at most M items`.
    pub fn too_many(&mut self, field: &str, actual: usize, max: usize) {
        self.push("FieldValueTooMany", field, format!("Too many: {actual}: must have at most {max} items"));
    }

    /// `field.TooLong`: `Too long: may not be more than N bytes`.
    pub fn too_long(&mut self, field: &str, max: usize) {
        let unit = if max == 1 { "byte" } else { "bytes" };
        self.push("FieldValueTooLong", field, format!("Too long: may not be more than {max} {unit}"));
    }

    /// A field of the wrong JSON type: upstream would fail to decode it; we report it at its path.
    pub fn wrong_type(&mut self, field: &str, value: &Value, expected: &str) {
        self.push(
            "FieldValueTypeInvalid",
            field,
            format!("Invalid value: {}: must be of type {expected}", go_json(value)),
        );
    }

    /// `parent[key]` as an object; None when absent or null, a cause when of another type.
    pub fn obj<'a>(&mut self, parent: &'a Value, key: &str, path: &str) -> Option<&'a Map<String, Value>> {
        match parent.get(key)? {
            Value::Null => None,
            Value::Object(m) => Some(m),
            other => {
                self.wrong_type(path, other, "object");
                None
            }
        }
    }

    /// `parent[key]` as an array; None when absent or null, a cause when of another type.
    pub fn arr<'a>(&mut self, parent: &'a Value, key: &str, path: &str) -> Option<&'a Vec<Value>> {
        match parent.get(key)? {
            Value::Null => None,
            Value::Array(a) => Some(a),
            other => {
                self.wrong_type(path, other, "array");
                None
            }
        }
    }

    /// `parent[key]` as a string; None when absent or null, a cause when of another type.
    pub fn str<'a>(&mut self, parent: &'a Value, key: &str, path: &str) -> Option<&'a str> {
        match parent.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(path, other, "string");
                None
            }
        }
    }

    /// `parent[key]` as an integer; None when absent or null, a cause when of another type.
    pub fn int(&mut self, parent: &Value, key: &str, path: &str) -> Option<i64> {
        match parent.get(key)? {
            Value::Null => None,
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e18) => {
                n.as_f64().map(|f| f as i64)
            }
            other => {
                self.wrong_type(path, other, "integer");
                None
            }
        }
    }

    /// `parent[key]` as a boolean; None when absent or null, a cause when of another type.
    pub fn bool(&mut self, parent: &Value, key: &str, path: &str) -> Option<bool> {
        match parent.get(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(path, other, "boolean");
                None
            }
        }
    }

    /// A `map[string]string` field (labels, selectors); wrong-typed entries are reported.
    pub fn string_map<'a>(&mut self, parent: &'a Value, key: &str, path: &str) -> Option<Vec<(&'a str, &'a str)>> {
        let m = self.obj(parent, key, path)?;
        let mut out = Vec::new();
        for (k, v) in m {
            match v {
                Value::String(s) => out.push((k.as_str(), s.as_str())),
                other => self.wrong_type(&format!("{path}[{k}]"), other, "string"),
            }
        }
        Some(out)
    }
}

/// `parent.child` as upstream's `field.Path` prints it.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `parent[i]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Go's `%q` of a string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of a `map[string]string`: `map[string]string(nil)` when absent, keys sorted.
pub(crate) fn go_string_map(m: Option<&Map<String, Value>>) -> String {
    let Some(m) = m else { return "map[string]string(nil)".to_string() };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    let items: Vec<String> = keys
        .iter()
        .map(|k| {
            let v = match &m[k.as_str()] {
                Value::String(s) => quote(s),
                other => quote(&other.to_string()),
            };
            format!("{}:{}", quote(k), v)
        })
        .collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

/// A best-effort Go rendering of an arbitrary JSON value (strings quoted, numbers bare).
/// Go's `%#v` of a `[]string`.
pub(crate) fn go_strings(items: &[String]) -> String {
    format!("[]string{{{}}}", items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", "))
}

pub(crate) fn go_json(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// Whether `m[key]` is unset (absent or null), the condition under which upstream defaults.
pub(crate) fn unset(m: &Map<String, Value>, key: &str) -> bool {
    matches!(m.get(key), None | Some(Value::Null))
}

/// Sets `m[key]` unless the user set it.
pub(crate) fn set_default(m: &mut Map<String, Value>, key: &str, value: Value) {
    if unset(m, key) {
        m.insert(key.to_string(), value);
    }
}

/// Sets `m[key]` when unset or an empty string (Go's zero value for string enums).
pub(crate) fn set_default_str(m: &mut Map<String, Value>, key: &str, value: &str) {
    match m.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.is_empty() => {}
        _ => return,
    }
    m.insert(key.to_string(), Value::String(value.to_string()));
}

/// `m[key]` as a mutable object, created when unset; None when the user put another type there
/// (left untouched for validation to report).
pub(crate) fn ensure_obj<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    let slot = m.entry(key.to_string()).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

/// `m[key]` as a mutable object when it already is one.
pub(crate) fn obj_mut<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    m.get_mut(key).and_then(Value::as_object_mut)
}

/// Each object element of `m[key]` when it is an array.
pub(crate) fn each_obj_mut(m: &mut Map<String, Value>, key: &str, mut f: impl FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Array(items)) = m.get_mut(key) {
        for item in items.iter_mut() {
            if let Some(o) = item.as_object_mut() {
                f(o);
            }
        }
    }
}

/// A string field's value, or "" (Go's zero value) when absent or not a string.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_map_formatting_matches_fmt_sharp_v() {
        assert_eq!(go_string_map(None), "map[string]string(nil)");
        let m = json!({"b": "2", "a": "1"});
        assert_eq!(go_string_map(m.as_object()), r#"map[string]string{"a":"1", "b":"2"}"#);
        assert_eq!(go_string_map(json!({}).as_object()), "map[string]string{}");
    }

    #[test]
    fn wrong_types_become_causes_not_panics() {
        let mut e = Errs::default();
        let v = json!({"a": 1, "b": "x", "c": [1], "d": 1.5});
        assert!(e.str(&v, "a", "x.a").is_none());
        assert!(e.obj(&v, "b", "x.b").is_none());
        assert!(e.arr(&v, "b", "x.b").is_none());
        assert!(e.int(&v, "d", "x.d").is_none());
        assert!(e.bool(&v, "c", "x.c").is_none());
        assert_eq!(e.causes.len(), 5);
        assert_eq!(e.causes[0].message, "Invalid value: 1: must be of type string");
    }

    #[test]
    fn quote_escapes_like_go() {
        assert_eq!(quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
    }
}

/// The (field, message) pairs a validation records: what the validators' tests compare.
#[cfg(test)]
pub(crate) fn errs(f: impl FnOnce(&mut Errs)) -> Vec<(String, String)> {
    let mut e = Errs::default();
    f(&mut e);
    e.causes.into_iter().map(|c| (c.field, c.message)).collect()
}
