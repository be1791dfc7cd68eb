//! Events as the control plane records them: core/v1 Events (what `kubectl describe` and
//! `kubectl get events` read), one per (object, reason, message), with `count` and
//! `lastTimestamp` bumped when it repeats — upstream's event correlation, simplified.

use chrono::{SecondsFormat, Utc};
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::json;

/// Writes events on behalf of one component (`default-scheduler`, `deployment-controller` …).
#[derive(Clone)]
pub struct EventRecorder {
    client: Client,
    component: String,
}

/// What an event is about (kind, name, namespace, uid, apiVersion of the object).
pub fn reference_to(
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    uid: Option<&str>,
) -> ObjectReference {
    ObjectReference {
        api_version: Some(api_version.to_string()),
        kind: Some(kind.to_string()),
        namespace: namespace.map(str::to_string),
        name: Some(name.to_string()),
        uid: uid.map(str::to_string),
        ..Default::default()
    }
}

impl EventRecorder {
    pub fn new(client: Client, component: &str) -> EventRecorder {
        EventRecorder { client, component: component.to_string() }
    }

    /// Records a `Normal` event.
    pub async fn normal(&self, object: &ObjectReference, reason: &str, message: &str) {
        self.record(object, "Normal", reason, message).await
    }

    /// Records a `Warning` event.
    pub async fn warning(&self, object: &ObjectReference, reason: &str, message: &str) {
        self.record(object, "Warning", reason, message).await
    }

    /// Best effort, as upstream's recorder: a failure to record is logged, never fatal.
    pub async fn record(&self, object: &ObjectReference, type_: &str, reason: &str, message: &str) {
        if let Err(err) = self.try_record(object, type_, reason, message).await {
            tracing::debug!(%err, reason, "could not record an event");
        }
    }

    async fn try_record(&self, object: &ObjectReference, type_: &str, reason: &str, message: &str) -> kube::Result<()> {
        let namespace = object.namespace.clone().unwrap_or_else(|| "default".to_string());
        let events: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
        // One event per object, reason and message: repeats bump its count.
        let digest = {
            use sha2::Digest;
            let text = format!("{}/{}/{}/{}", object.uid.as_deref().unwrap_or_default(), type_, reason, message);
            hex::encode(&sha2::Sha256::digest(text.as_bytes())[..6])
        };
        let name = format!("{}.{digest}", object.name.as_deref().unwrap_or("unknown"));
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let event: Event = serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": object,
            "reason": reason,
            "message": message,
            "type": type_,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": EventSource { component: Some(self.component.clone()), host: None },
            "reportingComponent": self.component,
            "reportingInstance": "",
        }))
        .map_err(kube::Error::SerdeError)?;
        // Most events are new: create first, and only a repeat (409) reads the existing
        // one to bump its count. Asking first cost a read for every event recorded.
        match events.create(&PostParams::default(), &event).await {
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            other => return other.map(|_| ()),
        }
        let Some(existing) = events.get_opt(&name).await? else { return Ok(()) };
        let count = existing.count.unwrap_or(1) + 1;
        let patch = json!({"count": count, "lastTimestamp": now});
        events.patch(&name, &PatchParams::default(), &Patch::Merge(patch)).await?;
        Ok(())
    }
}
