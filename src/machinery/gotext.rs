//! Values as Go's standard library writes them, for output that must match kubectl's:
//! encoding/json's text (four-space indent, keys sorted, `<`, `>`, `&`, U+2028, U+2029
//! escaped as Go's HTML-safe encoding does), fmt's `%v` and strconv's shortest `%g`.

use serde::Serialize;
use serde_json::Value;

/// `-o json`: indented, with a final newline.
pub fn go_pretty(value: &Value) -> String {
    go_pretty_typed(value)
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

/// A value as Go's `%v` prints what JSON decoding made of it: maps as `map[k:v]` (keys
/// sorted), lists as `[a b]`, null as `<nil>`, numbers as Go prints int64 and float64.
pub fn go_format(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::Array(items) => format!("[{}]", items.iter().map(go_format).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let inner: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", go_format(v))).collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// A JSON number as Go prints the int64 or float64 decoding made of it.
pub fn number(n: &serde_json::Number) -> String {
    match n.as_f64().filter(|_| n.is_f64()) {
        Some(f) => format_float(f),
        None => n.to_string(),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` uses: the shortest digits that
/// read back as `f`, in exponent form below 1e-4 and from 1e6 on.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    let (digits, point) = shortest_digits(f);
    let exponent = point - 1;
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{exponent_sign}{:02}", exponent.unsigned_abs());
    }
    let mut text = String::from(sign);
    if point > 0 {
        let whole = digits.get(..point as usize).unwrap_or(&digits);
        text.push_str(whole);
        text.extend(std::iter::repeat_n('0', (point as usize).saturating_sub(digits.len())));
    } else {
        text.push('0');
    }
    let decimals = digits.len() as i32 - point;
    if decimals > 0 {
        text.push('.');
        for i in 0..decimals {
            let at = point + i;
            text.push(if at < 0 { '0' } else { digits.as_bytes()[at as usize] as char });
        }
    }
    text
}

/// The shortest decimal digits that read back as `f`, and the decimal point's position.
pub fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse::<i32>().unwrap_or(0) + 1)
}

fn html_safe(text: &str) -> String {
    // These characters only occur inside strings in JSON text, so replacing them all is safe.
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Go's `os` wording of the common file errors (`no such file or directory`), which kubectl
/// prints where Rust would say "No such file or directory (os error 2)".
pub fn io_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotADirectory => "not a directory".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_print_as_go_does() {
        assert_eq!(go_format(&serde_json::json!({"b": "2", "a": ["x", 1, null]})), "map[a:[x 1 <nil>] b:2]");
    }

    #[test]
    fn floats_print_in_go_shortest_form() {
        for (f, text) in [
            (1.0, "1"),
            (2.5, "2.5"),
            (1e21, "1e+21"),
            (123456.5, "123456.5"),
            (1234567.5, "1.2345675e+06"),
            (1e-5, "1e-05"),
        ] {
            assert_eq!(format_float(f), text);
        }
    }

    #[test]
    fn indents_four_spaces_and_escapes_like_go() {
        let value = serde_json::json!({"b": "<none>", "a": []});
        assert_eq!(go_pretty(&value), "{\n    \"a\": [],\n    \"b\": \"\\u003cnone\\u003e\"\n}\n");
    }
}
