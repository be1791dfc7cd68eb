//! kubectl's describe output writer: lines at two-space indentation levels, aligned by
//! Go's tabwriter (min width 0, padding 2) between flushes, plus the small formatters
//! every describer shares (labels, annotations, tolerations, times, selectors).

use std::collections::BTreeMap;

use serde_json::Value;

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
        Some(time) => human_duration((chrono::Utc::now() - time.with_timezone(&chrono::Utc)).num_seconds()),
        None => "<unknown>".to_string(),
    }
}

/// apimachinery's `HumanDuration`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{days}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// A label selector as a selector string (`app=web,tier in (a,b)`); `empty` when it selects all.
pub fn selector_text(selector: &Value, empty: &str) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    for (key, value) in string_map(&selector["matchLabels"]) {
        parts.push((key.clone(), format!("{key}={value}")));
    }
    for expression in selector["matchExpressions"].as_array().into_iter().flatten() {
        let key = text(&expression["key"]);
        let mut values: Vec<String> = expression["values"].as_array().into_iter().flatten().map(text).collect();
        values.sort();
        let part = match expression["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other}"),
        };
        parts.push((key, part));
    }
    if parts.is_empty() {
        return empty.to_string();
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts.into_iter().map(|(_, p)| p).collect::<Vec<_>>().join(",")
}

/// A plain label map as a selector string (`labels.FormatLabels`): `<none>` when empty.
pub fn format_labels(labels: &Value) -> String {
    let map = string_map(labels);
    if map.is_empty() {
        return "<none>".to_string();
    }
    map.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
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
    fn durations_read_as_kubectl_prints_them() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(3600 * 5 + 60), "5h1m");
        assert_eq!(human_duration(3600 * 24 * 3), "3d");
    }

    #[test]
    fn labels_continue_on_aligned_lines() {
        let mut w = Writer::default();
        w.labels("", "Labels", &json!({"b": "2", "a": "1"}));
        w.w(0, "Annotations:\t<none>\n");
        assert_eq!(w.finish(), "Labels:       a=1\n              b=2\nAnnotations:  <none>\n");
    }

    #[test]
    fn selectors_sort_by_key() {
        let selector = json!({"matchLabels": {"b": "2"}, "matchExpressions": [{"key": "a", "operator": "Exists"}]});
        assert_eq!(selector_text(&selector, ""), "a,b=2");
    }
}
