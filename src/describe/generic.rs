//! The fallback for kinds without a describer: the object's fields as labelled lines.

use serde_json::Value;

use super::writer::{text, Writer};

const SKIPPED: &[&str] =
    &[".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];

pub fn describe(object: &Value, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let meta = &object["metadata"];
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    if let Some(map) = object.as_object() {
        content(&mut w, 0, map, "");
    }
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn content(w: &mut Writer, level: usize, map: &serde_json::Map<String, Value>, prefix: &str) {
    let mut fields: Vec<&String> = map.keys().collect();
    fields.sort();
    for field in fields {
        let path = format!("{prefix}.{field}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        match &map[field] {
            Value::Object(child) => {
                w.w(level, &format!("{}:\n", smart_label(field)));
                content(w, level + 1, child, &path);
            }
            Value::Array(items) => {
                w.w(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(child) => content(w, level + 1, child, &path),
                        other => w.w(level + 1, &format!("{}\n", text(other))),
                    }
                }
            }
            scalar => w.w(level, &format!("{}:\t{}\n", smart_label(field), text(scalar))),
        }
    }
}

/// `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity` (kubectl's smart labels).
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    let parts = camel_split(field);
    parts
        .into_iter()
        .filter(|p| p != "_")
        .map(|part| {
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&part.to_uppercase().as_str()) {
                part.to_uppercase()
            } else {
                let mut chars = part.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
                    None => part,
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// fatih/camelcase's split: runs of one character class, with `HTTPServer` → `HTTP Server`.
fn camel_split(text: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in text.chars() {
        let k = class(c);
        if k == last {
            if let Some(run) = runs.last_mut() {
                run.push(c);
            }
        } else {
            runs.push(vec![c]);
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            if let Some(moved) = runs[i].pop() {
                runs[i + 1].insert(0, moved);
            }
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_camel_case_and_keep_acronyms() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("podCIDR"), "Pod CIDR");
        assert_eq!(smart_label("f:metadata"), "f:metadata");
    }
}
