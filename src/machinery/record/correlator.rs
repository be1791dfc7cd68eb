//! client-go's event correlation (`tools/record/events_cache.go`), which every
//! controller-manager controller and the kubelet record through:
//! - the aggregator: once one source has said more than 10 different messages with the
//!   same reason about one object within 10 minutes, further ones are folded into a single
//!   event "(combined from similar events): …" whose count grows;
//! - the spam filter: per source and object, a token bucket of 25 that refills one event
//!   per 5 minutes; an event without a token is dropped.
//!
//! So a ReplicaSet creating 10,000 pods writes 25 SuccessfulCreate events, not 10,000.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ObjectReference;

use super::bucket::TokenBucket;

/// Different messages kept apart per (source, object, type, reason).
const MAX_SIMILAR: usize = 10;
/// How long similar messages are remembered.
const SIMILAR_WINDOW: Duration = Duration::from_secs(600);
const SPAM_BURST: f64 = 25.0;
/// One event per 5 minutes.
const SPAM_QPS: f64 = 1.0 / 300.0;
/// Entries remembered per cache (upstream's LRU size); past that, memory starts over.
const REMEMBERED: usize = 4096;

pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// The event to write.
#[derive(Debug, PartialEq, Eq)]
pub struct Correlated {
    pub message: String,
    /// One of many similar events: all such share one Event, which carries the latest
    /// message and counts them.
    pub combined: bool,
}

#[derive(Default)]
pub struct Correlator {
    similar: HashMap<String, Similar>,
    buckets: HashMap<String, TokenBucket>,
}

struct Similar {
    messages: HashSet<String>,
    last: Instant,
}

impl Correlator {
    /// What to write for this event, or None when the spam filter drops it.
    pub fn correlate(
        &mut self,
        source: &str,
        object: &ObjectReference,
        type_: &str,
        reason: &str,
        message: &str,
        now: Instant,
    ) -> Option<Correlated> {
        let spam_key = format!("{source}/{}", object_key(object));
        let correlated = self.aggregate(&format!("{spam_key}/{type_}/{reason}"), message, now);
        self.allowed(&spam_key, now).then_some(correlated)
    }

    fn aggregate(&mut self, key: &str, message: &str, now: Instant) -> Correlated {
        if self.similar.len() >= REMEMBERED && !self.similar.contains_key(key) {
            self.similar.clear();
        }
        let similar =
            self.similar.entry(key.to_string()).or_insert_with(|| Similar { messages: HashSet::new(), last: now });
        if now.duration_since(similar.last) > SIMILAR_WINDOW {
            similar.messages.clear();
        }
        similar.last = now;
        if similar.messages.contains(message) || similar.messages.len() < MAX_SIMILAR {
            similar.messages.insert(message.to_string());
            return Correlated { message: message.to_string(), combined: false };
        }
        Correlated { message: format!("{COMBINED_PREFIX}{message}"), combined: true }
    }

    fn allowed(&mut self, key: &str, now: Instant) -> bool {
        if self.buckets.len() >= REMEMBERED && !self.buckets.contains_key(key) {
            self.buckets.clear();
        }
        self.buckets.entry(key.to_string()).or_insert_with(|| TokenBucket::new(SPAM_BURST, SPAM_QPS, now)).try_take(now)
    }
}

/// The object and, for a container, which one: events about two containers of a pod
/// are apart (as upstream's key includes fieldPath).
fn object_key(object: &ObjectReference) -> String {
    format!(
        "{}/{}/{}/{}/{}/{}",
        object.api_version.as_deref().unwrap_or_default(),
        object.kind.as_deref().unwrap_or_default(),
        object.namespace.as_deref().unwrap_or_default(),
        object.name.as_deref().unwrap_or_default(),
        object.uid.as_deref().unwrap_or_default(),
        object.field_path.as_deref().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::record::reference_to;

    fn replicaset() -> ObjectReference {
        reference_to("apps/v1", "ReplicaSet", Some("default"), "web-5d8f", Some("u1"))
    }

    #[test]
    fn the_eleventh_different_message_is_combined() {
        let (mut correlator, now, rs) = (Correlator::default(), Instant::now(), replicaset());
        let messages: Vec<Correlated> = (0..12)
            .filter_map(|i| {
                correlator.correlate("rs", &rs, "Normal", "SuccessfulCreate", &format!("Created pod: p{i}"), now)
            })
            .collect();
        assert_eq!(messages[9], Correlated { message: "Created pod: p9".into(), combined: false });
        let combined = "(combined from similar events): Created pod: p10";
        assert_eq!(messages[10], Correlated { message: combined.into(), combined: true });
        // A message said before is a repeat, not a new similar one.
        let again = correlator.correlate("rs", &rs, "Normal", "SuccessfulCreate", "Created pod: p3", now);
        assert_eq!(again.map(|c| c.combined), Some(false));
        // Another reason about the same object is not combined.
        let other = correlator.correlate("rs", &rs, "Normal", "SuccessfulDelete", "Deleted pod: p0", now);
        assert_eq!(other.map(|c| c.combined), Some(false));
        // Ten minutes of quiet start the count over.
        let later = now + SIMILAR_WINDOW + Duration::from_secs(1);
        let fresh = correlator.correlate("rs", &rs, "Normal", "SuccessfulCreate", "Created pod: p99", later);
        assert_eq!(fresh.map(|c| c.combined), Some(false));
    }

    #[test]
    fn one_object_gets_a_burst_of_25_then_one_per_five_minutes() {
        let (mut correlator, now, rs) = (Correlator::default(), Instant::now(), replicaset());
        let mut say = |at| correlator.correlate("rs", &rs, "Normal", "SuccessfulCreate", "Created pod: p", at);
        assert!((0..25).all(|_| say(now).is_some()));
        assert_eq!(say(now), None);
        assert_eq!(say(now + Duration::from_secs(299)), None);
        assert!(say(now + Duration::from_secs(301)).is_some());
        // Another object, or another source, has its own bucket.
        let pod = reference_to("v1", "Pod", Some("default"), "p", Some("u2"));
        assert!(correlator.correlate("rs", &pod, "Normal", "Killing", "Stopping", now).is_some());
        assert!(correlator.correlate("kubelet", &replicaset(), "Normal", "X", "Y", now).is_some());
    }
}
