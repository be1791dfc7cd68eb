//! kubectl's describe output writer: lines at two-space indentation levels, aligned by
//! Go's tabwriter (min width 0, padding 2) between flushes, plus the small formatters
//! every describer shares (labels, annotations, tolerations, times).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::machinery::duration;
use crate::printers::tabwriter::TabWriter;

/// Annotations kubectl never shows in describe output.
const SKIPPED_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];
const MAX_ANNOTATION_LEN: usize = 140;

#[derive(Default)]
pub struct Writer {
    done: String,
    pending: String,
}

impl Writer {
    /// Writes `text` at `level` (two spaces each).
    pub fn w(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.pending.push_str("  ");
        }
        self.pending.push_str(text);
    }

    /// Ends the current alignment block (kubectl flushes before the events table).
    pub fn flush(&mut self) {
        let text = std::mem::take(&mut self.pending);
        self.done.push_str(&TabWriter::describe().format_partial(&text));
    }

    /// The text unaligned, tabs kept (kubectl's `rollout history --revision` prints it so).
    pub fn into_raw(self) -> String {
        self.done + &self.pending
    }

    pub fn finish(mut self) -> String {
        self.flush();
        self.done
    }

    /// `Title:\tk=v` then `\tk2=v2` per further label, sorted, or `<none>`.
    pub fn labels(&mut self, indent: &str, title: &str, labels: &Value) {
        self.w(0, &format!("{indent}{title}:\t"));
        let map = string_map(labels);
        if map.is_empty() {
            self.w(0, "<none>\n");
            return;
        }
        for (i, (key, value)) in map.iter().enumerate() {
            if i != 0 {
                self.w(0, &format!("{indent}\t"));
            }
            self.w(0, &format!("{key}={value}\n"));
        }
    }

    /// Annotations as kubectl shows them: long or multi-line values on their own lines.
    pub fn annotations(&mut self, title: &str, annotations: &Value) {
        self.w(0, &format!("{title}:\t"));
        let map: BTreeMap<String, String> =
            string_map(annotations).into_iter().filter(|(k, _)| !SKIPPED_ANNOTATIONS.contains(&k.as_str())).collect();
        if map.is_empty() {
            self.w(0, "<none>\n");
            return;
        }
        for (i, (key, value)) in map.iter().enumerate() {
            if i != 0 {
                self.w(0, "\t");
            }
            let value = value.strip_suffix('\n').unwrap_or(value);
            if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
                self.w(0, &format!("{key}:\n"));
                for line in value.split('\n') {
                    self.w(0, &format!("\t  {}\n", shorten(line, MAX_ANNOTATION_LEN - 2)));
                }
            } else {
                self.w(0, &format!("{key}: {value}\n"));
            }
        }
    }

    /// Tolerations sorted by key: `key=value:Effect op=Exists for 300s`.
    pub fn tolerations(&mut self, indent: &str, title: &str, tolerations: &Value) {
        self.w(0, &format!("{indent}{title}:\t"));
        let mut list: Vec<&Value> = tolerations.as_array().map(|a| a.iter().collect()).unwrap_or_default();
        if list.is_empty() {
            self.w(0, "<none>\n");
            return;
        }
        list.sort_by_key(|t| t["key"].as_str().unwrap_or_default().to_string());
        for (i, t) in list.iter().enumerate() {
            if i != 0 {
                self.w(0, &format!("{indent}\t"));
            }
            let key = text(&t["key"]);
            let value = text(&t["value"]);
            let effect = text(&t["effect"]);
            let mut line = key.clone();
            if !value.is_empty() {
                line.push_str(&format!("={value}"));
            }
            if !effect.is_empty() {
                line.push_str(&format!(":{effect}"));
            }
            if t["operator"] == "Exists" && value.is_empty() {
                line.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
            }
            if let Some(seconds) = t["tolerationSeconds"].as_i64() {
                line.push_str(&format!(" for {seconds}s"));
            }
            self.w(0, &format!("{line}\n"));
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s.to_string()
    }
}

/// A JSON object of strings as a sorted map.
pub fn string_map(value: &Value) -> BTreeMap<String, String> {
    value.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect()).unwrap_or_default()
}

/// A scalar as Go's `%v` prints it (strings bare, missing as empty).
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(text).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let inner: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", text(v))).collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// `Mon, 02 Jan 2006 15:04:05 -0700` (Go's RFC1123Z) of an RFC 3339 timestamp.
pub fn rfc1123z(value: &Value) -> String {
    match value.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()) {
        Some(time) => time.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
    }
}

/// How long ago an RFC 3339 timestamp was, as kubectl says it (`<unknown>` when unset).
pub fn since(value: &Value) -> String {
    match value.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()) {
        Some(time) => duration::human(chrono::Utc::now() - time.with_timezone(&chrono::Utc)),
        None => "<unknown>".to_string(),
    }
}

/// `True`/`False` as kubectl's printBool.
pub fn go_bool(value: &Value) -> &'static str {
    if value.as_bool().unwrap_or(false) {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_continue_on_aligned_lines() {
        let mut w = Writer::default();
        w.labels("", "Labels", &json!({"b": "2", "a": "1"}));
        w.w(0, "Annotations:\t<none>\n");
        assert_eq!(w.finish(), "Labels:       a=1\n              b=2\nAnnotations:  <none>\n");
    }
}
