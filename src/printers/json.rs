//! JSON as kubectl's Go encoder writes it: four-space indent, keys sorted, and `<`, `>`,
//! `&`, U+2028, U+2029 escaped (Go's HTML-safe encoding).

use serde::Serialize;
use serde_json::Value;

/// `-o json`: indented, with a final newline.
pub fn go_pretty(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a Value into memory cannot fail.
    let _ = value.serialize(&mut serializer);
    let mut text = html_safe(&String::from_utf8_lossy(&out));
    text.push('\n');
    text
}

/// `-o json` of a typed object kubectl builds itself (a client dry run): fields in the
/// order its Go struct declares them, which `T`'s `Serialize` follows.
pub fn go_pretty_typed<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing plain structs into memory cannot fail.
    let _ = value.serialize(&mut serializer);
    let mut text = html_safe(&String::from_utf8_lossy(&out));
    text.push('\n');
    text
}

/// One-line JSON (jsonpath output of objects and lists).
pub fn go_compact(value: &Value) -> String {
    html_safe(&value.to_string())
}

fn html_safe(text: &str) -> String {
    // These characters only occur inside strings in JSON text, so replacing them all is safe.
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_four_spaces_and_escapes_like_go() {
        let value = serde_json::json!({"b": "<none>", "a": []});
        assert_eq!(go_pretty(&value), "{\n    \"a\": [],\n    \"b\": \"\\u003cnone\\u003e\"\n}\n");
    }
}
