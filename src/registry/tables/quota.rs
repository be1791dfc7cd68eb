//! Printers of ResourceQuotas and ComponentStatuses, as upstream's `printResourceQuota` and
//! `printComponentStatus`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{age, col, name_cell, s, Column, Printer, AGE, NAME};
use crate::machinery::quantity::Quantity;

const RESOURCE_QUOTA_COLUMNS: &[Column] = &[
    NAME,
    AGE,
    col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    col(
        "Limit",
        "string",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
];

pub static RESOURCE_QUOTA: Printer = Printer { columns: RESOURCE_QUOTA_COLUMNS, cells: resource_quota_cells };

/// A quantity as Go's `Quantity.String()` prints it: canonical, `0` when absent.
fn canonical(quantity: Option<&Value>) -> String {
    let text = match quantity {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return "0".to_string(),
    };
    Quantity::parse(text.trim()).map_or(text, |q| q.to_string())
}

/// REQUEST and LIMIT list `resource: used/hard` for each hard resource of the status, sorted by
/// name; `limits.*` resources go to LIMIT.
fn resource_quota_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let hard = o.pointer("/status/hard").and_then(Value::as_object);
    let used = o.pointer("/status/used").and_then(Value::as_object);
    let (mut requests, mut limits) = (Vec::new(), Vec::new());
    let mut names: Vec<&String> = hard.map(|h| h.keys().collect()).unwrap_or_default();
    names.sort();
    for name in names {
        let entry = format!(
            "{name}: {}/{}",
            canonical(used.and_then(|u| u.get(name))),
            canonical(hard.and_then(|h| h.get(name)))
        );
        match name.split_once('.') {
            Some(("limits", _)) => limits.push(entry),
            _ => requests.push(entry),
        }
    }
    vec![name_cell(o), s(age(o, now)), s(requests.join(", ")), s(limits.join(", "))]
}

const COMPONENT_STATUS_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "string", "Status of the component conditions"),
    col("Message", "string", "Message of the component conditions"),
    col("Error", "string", "Error of the component conditions"),
];

pub static COMPONENT_STATUS: Printer = Printer { columns: COMPONENT_STATUS_COLUMNS, cells: component_status_cells };

/// STATUS is Healthy or Unhealthy from the first `Healthy` condition (Unknown without one),
/// with its message and error.
fn component_status_cells(o: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let conditions = o.get("conditions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let healthy = conditions.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("Healthy"));
    let text = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let (status, message, error) = match healthy {
        Some(c) if c.get("status").and_then(Value::as_str) == Some("True") => {
            ("Healthy", text(c, "message"), text(c, "error"))
        }
        Some(c) => ("Unhealthy", text(c, "message"), text(c, "error")),
        None => ("Unknown", String::new(), String::new()),
    };
    vec![name_cell(o), s(status), s(message), s(error)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quota_rows_split_requests_from_limits() {
        let quota = json!({"metadata": {"name": "q"}, "status": {
            "hard": {"pods": "10", "limits.cpu": "2", "requests.memory": "1Gi", "cpu": "1000m"},
            "used": {"pods": "1", "limits.cpu": "500m"}}});
        let cells = resource_quota_cells(&quota, Utc::now());
        assert_eq!(cells[2], json!("cpu: 0/1, pods: 1/10, requests.memory: 0/1Gi"));
        assert_eq!(cells[3], json!("limits.cpu: 500m/2"));
        assert_eq!(resource_quota_cells(&json!({"metadata": {"name": "q"}}), Utc::now())[2], json!(""));
    }

    #[test]
    fn component_rows_show_the_healthy_condition() {
        let cs = json!({"metadata": {"name": "etcd-0"}, "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]});
        assert_eq!(
            component_status_cells(&cs, Utc::now()),
            vec![json!("etcd-0"), json!("Healthy"), json!("ok"), json!("")]
        );
        assert_eq!(component_status_cells(&json!({}), Utc::now())[1], json!("Unknown"));
    }
}
