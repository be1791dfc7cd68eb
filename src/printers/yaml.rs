//! YAML as kubectl prints it (sigs.k8s.io/yaml over go-yaml v2): keys sorted, two-space
//! indent, sequences not indented under their key, strings that would read as another type
//! double-quoted, strings plain YAML cannot hold single-quoted, multi-line strings literal.

use serde_json::Value;

pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_seq(items, 0, &mut out),
        scalar => {
            out.push_str(&scalar_text(scalar, 0));
            out.push('\n');
        }
    }
    out
}

fn write_map(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (key, value) in map {
        out.push_str(&pad);
        out.push_str(&string_text(key, indent));
        out.push(':');
        write_value_after_key(value, indent, out);
    }
}

fn write_value_after_key(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(child) if !child.is_empty() => {
            out.push('\n');
            write_map(child, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(items, indent, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar, indent + 2));
            out.push('\n');
        }
    }
}

fn write_seq(items: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        out.push_str(&pad);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key shares the dash's line; the rest align under it.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&string_text(key, indent + 2));
                    out.push(':');
                    write_value_after_key(value, indent + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                let mut nested = String::new();
                write_seq(inner, indent + 2, &mut nested);
                out.push_str(nested.trim_start());
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_text(s, indent),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
    }
}

/// A string in go-yaml's style; `indent` is where a literal block's lines start.
fn string_text(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.chars().any(|c| c != '\n' && c.is_control() && c != '\t') {
        return literal_block(s, indent);
    }
    if reads_as_other_type(s) {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    if s.chars().any(|c| c.is_control()) {
        return double_quoted(s);
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn literal_block(s: &str, indent: usize) -> String {
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    // An indentation indicator is needed when the text starts with a space.
    let indicator = if s.starts_with(' ') { "2" } else { "" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{indicator}{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether YAML 1.1 (go-yaml v2's resolver) would read the plain text as a non-string.
fn reads_as_other_type(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y", "yes", "Yes",
        "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "-.inf",
        "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) || is_timestamp(s) {
        return true;
    }
    let plain = s.replace('_', "");
    let unsigned = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if unsigned.is_empty() {
        return false;
    }
    let is_int = unsigned.chars().all(|c| c.is_ascii_digit())
        || unsigned.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || unsigned.strip_prefix("0b").is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1'));
    let is_float = unsigned.parse::<f64>().is_ok()
        && unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && unsigned.chars().any(|c| c.is_ascii_digit());
    // Sexagesimal numbers (`1:20`) are YAML 1.1 ints too.
    let is_base60 = unsigned.contains(':')
        && unsigned.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.'));
    is_int || is_float || is_base60
}

/// `2006-1-2`, optionally followed by a time: go-yaml v2 reads these as timestamps.
fn is_timestamp(s: &str) -> bool {
    let bytes = s.as_bytes();
    let digits = |from: usize, min: usize, max: usize| -> Option<usize> {
        let n = bytes[from.min(bytes.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
        (n >= min && n <= max).then_some(from + n)
    };
    let Some(i) = digits(0, 4, 4) else { return false };
    if bytes.get(i) != Some(&b'-') {
        return false;
    }
    let Some(i) = digits(i + 1, 1, 2) else { return false };
    if bytes.get(i) != Some(&b'-') {
        return false;
    }
    let Some(i) = digits(i + 1, 1, 2) else { return false };
    match bytes.get(i) {
        None => true,
        Some(b'T' | b't' | b' ') => digits(i + 1, 1, 2).is_some_and(|j| bytes.get(j) == Some(&b':')),
        Some(_) => false,
    }
}

/// The emitter's check whether text can be written plain (libyaml's scalar analysis).
fn plain_allowed(s: &str) -> bool {
    let first = match s.chars().next() {
        Some(c) => c,
        None => return false,
    };
    if s.starts_with(' ') || s.ends_with(' ') || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if matches!(first, '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`') {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    if matches!(first, '-' | '?' | ':') && chars.get(1).is_none_or(|c| *c == ' ') {
        return false;
    }
    for (i, c) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        match c {
            ':' if next.is_none_or(|n| *n == ' ') => return false,
            '#' if i > 0 && chars[i - 1] == ' ' => return false,
            c if c.is_control() => return false,
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_sit_under_their_key_and_maps_indent_two() {
        let value = json!({"kind": "List", "items": [{"a": 1, "b": {"c": "d"}}], "metadata": {"resourceVersion": ""}});
        assert_eq!(to_yaml(&value), "items:\n- a: 1\n  b:\n    c: d\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
    }

    #[test]
    fn strings_are_quoted_as_go_yaml_quotes_them() {
        assert_eq!(string_text("true", 0), "\"true\"");
        assert_eq!(string_text("80", 0), "\"80\"");
        assert_eq!(string_text("*", 0), "'*'");
        assert_eq!(string_text("10.96.0.1", 0), "10.96.0.1");
        assert_eq!(string_text("a: b", 0), "'a: b'");
        assert_eq!(string_text("a\tb", 0), "\"a\\tb\"");
        assert_eq!(string_text("2026-11-23T13:44:34Z", 0), "\"2026-11-23T13:44:34Z\"");
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let value = json!({"a": {"b": "x\ny\n"}});
        assert_eq!(to_yaml(&value), "a:\n  b: |\n    x\n    y\n");
    }
}
