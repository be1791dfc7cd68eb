//! The Events section: events about an object, found as kubectl finds them (a field
//! selector on the involved object) and printed as its table.

use serde_json::Value;

use super::writer::{since, text, Writer};
use crate::client::Session;

/// Which events to ask for: kubectl leaves the kind out for pods.
pub struct EventQuery<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub kind: Option<&'a str>,
    pub uid: &'a str,
}

/// Lists the events about an object; failures give no Events section, as kubectl.
pub async fn search(session: &Session, query: &EventQuery<'_>) -> Option<Vec<Value>> {
    let mut selector = format!("involvedObject.name={},involvedObject.namespace={}", query.name, query.namespace);
    if let Some(kind) = query.kind {
        selector.push_str(&format!(",involvedObject.kind={kind}"));
    }
    if !query.uid.is_empty() {
        selector.push_str(&format!(",involvedObject.uid={}", query.uid));
    }
    let encoded: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("fieldSelector", &selector)
        .append_pair("limit", "500")
        .finish();
    let path = if query.namespace.is_empty() {
        format!("/api/v1/events?{encoded}")
    } else {
        format!("/api/v1/namespaces/{}/events?{encoded}", query.namespace)
    };
    let list = session.get_json(&path, "application/json").await.ok()?;
    Some(list["items"].as_array().cloned().unwrap_or_default())
}

/// Writes the Events section (`Events:  <none>` or the table, after a flush).
pub fn write(w: &mut Writer, events: &[Value]) {
    if events.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Value> = events.iter().collect();
    sorted.sort_by_key(|e| e["lastTimestamp"].as_str().unwrap_or_default().to_string());
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for event in sorted {
        let first =
            if event["eventTime"].is_string() { since(&event["eventTime"]) } else { since(&event["firstTimestamp"]) };
        let count = event["count"].as_i64().unwrap_or(0);
        let interval = if event["series"].is_object() {
            format!(
                "{} (x{} over {first})",
                since(&event["series"]["lastObservedTime"]),
                event["series"]["count"].as_i64().unwrap_or(0)
            )
        } else if count > 1 {
            format!("{} (x{count} over {first})", since(&event["lastTimestamp"]))
        } else {
            first
        };
        let mut source = text(&event["source"]["component"]);
        if source.is_empty() {
            source = text(&event["reportingComponent"]);
        }
        // kubectl prints no fieldPath: a kubelet's messages name the container themselves.
        let message = text(&event["message"]).trim().to_string();
        w.w(1, &format!("{}\t{}\t{interval}\t{source}\t{message}\n", text(&event["type"]), text(&event["reason"])));
    }
}
