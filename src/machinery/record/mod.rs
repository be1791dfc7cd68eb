//! Events as the control plane records them: core/v1 Events (what `kubectl describe` and
//! `kubectl get events` read), one per (object, reason, message), with `count` and
//! `lastTimestamp` bumped when it repeats.
//!
//! Recording never waits for the apiserver, as with upstream's broadcaster: events pass
//! client-go's correlation (`correlator`), wait in a bounded queue and are written one
//! after another, in order (`writer`); when the queue is full they are dropped.

pub mod bucket;
pub mod correlator;
pub mod writer;

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use futures::StreamExt;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::Client;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use correlator::Correlator;
pub use writer::{EventWriter, Occurrence};

/// Events waiting to be written (upstream's broadcaster keeps 1,000).
const QUEUE: usize = 1000;

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

/// Records events for one component without waiting; clones share the queue.
#[derive(Clone)]
pub struct EventRecorder {
    component: String,
    correlator: Arc<parking_lot::Mutex<Correlator>>,
    queue: mpsc::Sender<Occurrence>,
}

impl EventRecorder {
    /// Starts the writer (it stops when every clone is dropped). Needs a Tokio runtime.
    pub fn new(client: Client, component: &str) -> EventRecorder {
        let (queue, occurrences) = mpsc::channel(QUEUE);
        let writer = EventWriter::new(client, component);
        // One at a time, as upstream's sink: a repeat's count bump follows its creation.
        tokio::spawn(ReceiverStream::new(occurrences).for_each(move |occurrence| {
            let writer = writer.clone();
            async move { writer.write(&occurrence).await }
        }));
        EventRecorder { component: component.to_string(), correlator: Default::default(), queue }
    }

    /// Records a `Normal` event.
    pub fn normal(&self, object: &ObjectReference, reason: &str, message: &str) {
        self.record(object, "Normal", reason, message)
    }

    /// Records a `Warning` event.
    pub fn warning(&self, object: &ObjectReference, reason: &str, message: &str) {
        self.record(object, "Warning", reason, message)
    }

    /// Best effort, as upstream's recorder: a dropped or failed event is logged, never fatal.
    pub fn record(&self, object: &ObjectReference, type_: &'static str, reason: &str, message: &str) {
        let correlated =
            self.correlator.lock().correlate(&self.component, object, type_, reason, message, Instant::now());
        let Some(correlator::Correlated { message, combined }) = correlated else {
            tracing::debug!(reason, "event dropped by the spam filter");
            return;
        };
        // The time is taken now, so names keep the order events happened in.
        let occurrence =
            Occurrence { object: object.clone(), type_, reason: reason.to_string(), message, combined, at: Utc::now() };
        if self.queue.try_send(occurrence).is_err() {
            tracing::debug!(reason, "event dropped: queue full");
        }
    }
}
