//! kubectl's human-readable tables from the server's `Table` responses: upper-cased column
//! names, priority-1 columns only when wide, and the client-side decorations kubectl adds
//! (NAMESPACE first with `-A`, `kind/` before names when several types print, `-L` label
//! columns and LABELS at the end).

use std::collections::BTreeMap;

use serde_json::Value;

use super::columns::TableLayout;
use crate::machinery::labels::format_label_map;

#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    pub wide: bool,
    pub no_headers: bool,
    pub with_namespace: bool,
    /// `pod` or `deployment.apps`, when rows name their kind.
    pub kind_prefix: Option<String>,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
}

/// A table ready to print: the header cells and each row's cells.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Rows {
    /// Aligned output in `layout`, which keeps its column widths for later rows.
    pub fn render_in(&self, layout: &mut TableLayout, with_header: bool) -> String {
        let header = with_header.then(|| self.header.clone());
        let lines: Vec<Vec<String>> = header.into_iter().chain(self.rows.iter().cloned()).collect();
        layout.render(&lines)
    }

    /// Aligned output on its own.
    pub fn render(&self, with_header: bool) -> String {
        self.render_in(&mut TableLayout::new(), with_header)
    }
}

/// The rows of a `Table` object (`meta.k8s.io/v1`), decorated as `options` say.
pub fn rows_of(table: &Value, options: &TableOptions) -> Rows {
    let columns: Vec<&Value> = table["columnDefinitions"].as_array().map(|c| c.iter().collect()).unwrap_or_default();
    let shown: Vec<bool> = columns.iter().map(|c| options.wide || c["priority"].as_i64().unwrap_or(0) == 0).collect();
    let name_column = columns.iter().position(|c| c["format"] == "name").unwrap_or(0);
    let mut header = Vec::new();
    if options.with_namespace {
        header.push("NAMESPACE".to_string());
    }
    for (column, show) in columns.iter().zip(&shown) {
        if *show {
            header.push(column["name"].as_str().unwrap_or_default().to_uppercase());
        }
    }
    for label in &options.label_columns {
        header.push(label.rsplit('/').next().unwrap_or(label).to_uppercase());
    }
    if options.show_labels {
        header.push("LABELS".to_string());
    }
    let mut rows = Vec::new();
    for row in table["rows"].as_array().into_iter().flatten() {
        let metadata = &row["object"]["metadata"];
        let mut cells = Vec::new();
        if options.with_namespace {
            cells.push(metadata["namespace"].as_str().unwrap_or_default().to_string());
        }
        for (i, cell) in row["cells"].as_array().into_iter().flatten().enumerate().take(columns.len()) {
            if !shown[i] {
                continue;
            }
            let text = cell_text(cell);
            match &options.kind_prefix {
                Some(kind) if i == name_column => cells.push(format!("{kind}/{text}")),
                _ => cells.push(text),
            }
        }
        let labels = labels_of(metadata);
        for key in &options.label_columns {
            cells.push(labels.get(key).cloned().unwrap_or_default());
        }
        if options.show_labels {
            cells.push(format_label_map(metadata["labels"].as_object()));
        }
        rows.push(cells);
    }
    Rows { header, rows }
}

fn labels_of(metadata: &Value) -> BTreeMap<String, String> {
    metadata["labels"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// A cell as Go's `%v` prints it; control characters escaped as kubectl does.
pub fn cell_text(cell: &Value) -> String {
    let text = match cell {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(cell_text).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => crate::machinery::gotext::go_compact(cell),
    };
    text.replace(['\t', '\n', '\r'], " ")
}

/// kubectl's natural ordering of sort keys (numbers by value, text with embedded numbers
/// by those numbers' values).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = std::str::from_utf8(&a[..da]).unwrap_or("0").trim_start_matches('0');
                let nb = std::str::from_utf8(&b[..db]).unwrap_or("0").trim_start_matches('0');
                let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

/// Orders two sort keys as kubectl's `--sort-by`: numbers numerically, else naturally.
pub fn compare_keys(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => {
            let text = |v: &Value| if v.is_null() { String::new() } else { crate::machinery::jsonpath::text_of(v) };
            natural_cmp(&text(a), &text(b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Value {
        json!({
            "columnDefinitions": [
                {"name": "Name", "format": "name", "priority": 0},
                {"name": "Ready", "format": "", "priority": 0},
                {"name": "IP", "format": "", "priority": 1},
            ],
            "rows": [{"cells": ["p1", "0/1", "<none>"], "object": {"metadata": {"namespace": "default", "labels": {"run": "p1", "app": "x"}}}}],
        })
    }

    #[test]
    fn wide_columns_only_when_asked() {
        let rows = rows_of(&table(), &TableOptions::default());
        assert_eq!(rows.render(true), "NAME   READY\np1     0/1\n");
        let wide = rows_of(&table(), &TableOptions { wide: true, ..Default::default() });
        assert_eq!(wide.header, ["NAME", "READY", "IP"]);
    }

    #[test]
    fn decorations_add_namespace_kind_and_labels() {
        let options = TableOptions {
            with_namespace: true,
            kind_prefix: Some("pod".into()),
            show_labels: true,
            label_columns: vec!["app".into()],
            ..Default::default()
        };
        let rows = rows_of(&table(), &options);
        assert_eq!(rows.header, ["NAMESPACE", "NAME", "READY", "APP", "LABELS"]);
        assert_eq!(rows.rows[0], ["default", "pod/p1", "0/1", "x", "app=x,run=p1"]);
    }

    #[test]
    fn natural_order_compares_embedded_numbers() {
        assert_eq!(natural_cmp("pod-10", "pod-9"), std::cmp::Ordering::Greater);
        assert_eq!(natural_cmp("a", "b"), std::cmp::Ordering::Less);
    }
}
