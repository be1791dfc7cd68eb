//! Writing one event: create it under upstream's name `<object>.<hex nanoseconds>` (so
//! events of one second list, and describe, in the order they happened), or, when the
//! same (object, type, reason, message) was written before, bump its `count` and
//! `lastTimestamp` — the writer remembers which name a repeat has.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{SecondsFormat, Utc};
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::json;

/// One event to write: what it is about, and when it happened.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub object: ObjectReference,
    pub type_: &'static str,
    pub reason: String,
    pub message: String,
    /// Stands for many similar events (see `correlator`): counted under one name
    /// whatever its message.
    pub combined: bool,
    pub at: chrono::DateTime<Utc>,
}

/// Writes events on behalf of one component (`default-scheduler`, `deployment-controller` …),
/// each when asked (callers that must not wait use `EventRecorder`).
#[derive(Clone)]
pub struct EventWriter {
    client: Client,
    component: String,
    /// The node a kubelet records from (`source.host`); None for control-plane components.
    host: Option<String>,
    /// The name each (object, type, reason, message) was first recorded under.
    names: Arc<parking_lot::Mutex<HashMap<String, String>>>,
}

/// Remembered names at most; past that the memory starts over (a repeat then becomes a
/// new event, as upstream's correlator cache forgets too).
const REMEMBERED: usize = 4096;

impl EventWriter {
    pub fn new(client: Client, component: &str) -> EventWriter {
        EventWriter { client, component: component.to_string(), host: None, names: Default::default() }
    }

    /// The same component, recording from node `host` (as each kubelet does).
    pub fn on_host(mut self, host: &str) -> EventWriter {
        self.host = Some(host.to_string());
        self
    }

    /// Writes an event that happened now.
    pub async fn record(&self, object: &ObjectReference, type_: &'static str, reason: &str, message: &str) {
        self.write(&Occurrence {
            object: object.clone(),
            type_,
            reason: reason.to_string(),
            message: message.to_string(),
            combined: false,
            at: Utc::now(),
        })
        .await
    }

    /// Best effort, as upstream's recorder: a failure to write is logged, never fatal.
    pub async fn write(&self, occurrence: &Occurrence) {
        if let Err(err) = self.try_write(occurrence).await {
            tracing::debug!(%err, reason = occurrence.reason, "could not record an event");
        }
    }

    async fn try_write(&self, occurrence: &Occurrence) -> kube::Result<()> {
        let Occurrence { object, type_, reason, message, combined, at: moment } = occurrence;
        let namespace = object.namespace.clone().unwrap_or_else(|| "default".to_string());
        let events: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
        let name = {
            let mut names = self.names.lock();
            if names.len() >= REMEMBERED {
                names.clear();
            }
            let key = correlation_key(object, type_, reason, if *combined { "" } else { message });
            names.entry(key).or_insert_with(|| event_name(object, *moment)).clone()
        };
        let now = moment.to_rfc3339_opts(SecondsFormat::Secs, true);
        let event: Event = serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": object,
            "reason": reason,
            "message": message,
            "type": type_,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": EventSource { component: Some(self.component.clone()), host: self.host.clone() },
            "reportingComponent": self.component,
            "reportingInstance": self.host.as_deref().unwrap_or_default(),
        }))
        .map_err(kube::Error::SerdeError)?;
        // Create first: most events are new, so that is one request; a repeat bumps the count.
        match events.create(&PostParams::default(), &event).await {
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            other => return other.map(|_| ()),
        }
        let Some(existing) = events.get_opt(&name).await? else { return Ok(()) };
        let count = existing.count.unwrap_or(1) + 1;
        let patch = json!({"count": count, "lastTimestamp": now, "message": message});
        events.patch(&name, &PatchParams::default(), &Patch::Merge(patch)).await?;
        Ok(())
    }
}

/// One event per object (and container, by fieldPath), type, reason and message: repeats
/// share the name and bump its count.
fn correlation_key(object: &ObjectReference, type_: &str, reason: &str, message: &str) -> String {
    format!(
        "{}/{}/{}/{type_}/{reason}/{message}",
        object.uid.as_deref().unwrap_or_default(),
        object.name.as_deref().unwrap_or_default(),
        object.field_path.as_deref().unwrap_or_default()
    )
}

/// Upstream's event name: the object's, then the first occurrence's time in hex nanoseconds.
fn event_name(object: &ObjectReference, at: chrono::DateTime<Utc>) -> String {
    let nanos = at.timestamp_nanos_opt().unwrap_or_default();
    format!("{}.{nanos:x}", object.name.as_deref().unwrap_or("unknown"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::record::reference_to;

    #[test]
    fn repeats_share_a_key_and_containers_do_not() {
        let pod = reference_to("v1", "Pod", Some("default"), "web", Some("u1"));
        let message = "Container image \"nginx\" already present on machine";
        let key = correlation_key(&pod, "Normal", "Pulled", message);
        assert_eq!(key, correlation_key(&pod, "Normal", "Pulled", message));
        let sidecar = ObjectReference { field_path: Some("spec.containers{sidecar}".into()), ..pod.clone() };
        assert_ne!(key, correlation_key(&sidecar, "Normal", "Pulled", message));
    }

    #[test]
    fn names_sort_in_the_order_events_happened() {
        let pod = reference_to("v1", "Pod", Some("default"), "web", Some("u1"));
        let first = event_name(&pod, Utc::now());
        let later = event_name(&pod, Utc::now() + chrono::Duration::microseconds(3));
        assert!(first.starts_with("web.") && first < later, "{first} {later}");
    }
}
