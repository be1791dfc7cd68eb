//! Recent changes decoded and encoded once for every watch. Each watch reads the store's
//! change stream on its own; with N watchers of pods (scheduler, controllers, kubelets)
//! every change used to be parsed and serialized N times. Objects are keyed by their
//! revision (each revision writes one key), event lines by revision and event type.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::Value;

use super::status::ApiError;
use super::storage::{decode, decode_for};
use crate::registry::ResourceInfo;
use crate::store::{KeyValue, Revision};

/// Revisions kept: enough for every watcher to be a burst behind the newest change.
const CAPACITY: usize = 2048;

#[derive(Default)]
pub struct WatchCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    slots: HashMap<Revision, Slot>,
    /// Insertion order, for eviction.
    order: VecDeque<Revision>,
}

/// What is known of one revision.
#[derive(Default)]
struct Slot {
    object: Option<Arc<Value>>,
    lines: Vec<(&'static str, Bytes)>,
}

impl Entries {
    fn slot(&mut self, revision: Revision) -> &mut Slot {
        if !self.slots.contains_key(&revision) {
            self.order.push_back(revision);
            while self.order.len() > CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.slots.remove(&old);
                }
            }
        }
        self.slots.entry(revision).or_default()
    }
}

impl WatchCache {
    /// The stored object `kv`, decoded (with its resourceVersion) as `resource` serves
    /// it. Custom resources are converted to the version watched, so are not shared.
    pub fn object(&self, resource: &ResourceInfo, kv: &KeyValue) -> Result<Arc<Value>, ApiError> {
        if resource.custom.is_some() {
            return Ok(Arc::new(decode_for(resource, kv)?));
        }
        let cached = self.inner.lock().slots.get(&kv.mod_revision).and_then(|slot| slot.object.clone());
        if let Some(object) = cached {
            return Ok(object);
        }
        let object = Arc::new(decode(kv)?);
        self.inner.lock().slot(kv.mod_revision).object.get_or_insert_with(|| object.clone());
        Ok(object)
    }

    /// The watch line for the event of type `kind` at `revision`, built by `encode` the
    /// first time it is asked for.
    pub fn line(&self, revision: Revision, kind: &'static str, encode: impl FnOnce() -> Bytes) -> Bytes {
        let cached = self
            .inner
            .lock()
            .slots
            .get(&revision)
            .and_then(|slot| slot.lines.iter().find(|(k, _)| *k == kind).map(|(_, line)| line.clone()));
        if let Some(line) = cached {
            return line;
        }
        let line = encode();
        let mut entries = self.inner.lock();
        let slot = entries.slot(revision);
        if !slot.lines.iter().any(|(k, _)| *k == kind) {
            slot.lines.push((kind, line.clone()));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(revision: Revision, name: &str) -> KeyValue {
        let value = serde_json::to_vec(&serde_json::json!({"metadata": {"name": name}})).unwrap_or_default();
        KeyValue {
            key: format!("/pods/{name}"),
            value: value.into(),
            create_revision: revision,
            mod_revision: revision,
            version: 1,
        }
    }

    fn pods() -> &'static ResourceInfo {
        crate::registry::RESOURCES.iter().find(|r| r.kind == "Pod").expect("pods")
    }

    #[test]
    fn an_object_is_decoded_once_per_revision() {
        let cache = WatchCache::default();
        let first = cache.object(pods(), &kv(7, "a")).expect("decode");
        let second = cache.object(pods(), &kv(7, "a")).expect("decode");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn old_revisions_are_evicted() {
        let cache = WatchCache::default();
        let first = cache.object(pods(), &kv(1, "a")).expect("decode");
        for revision in 2..(CAPACITY as i64 + 10) {
            cache.object(pods(), &kv(revision, "b")).expect("decode");
        }
        let again = cache.object(pods(), &kv(1, "a")).expect("decode");
        assert!(!Arc::ptr_eq(&first, &again));
        assert!(cache.inner.lock().slots.len() <= CAPACITY);
    }

    #[test]
    fn lines_are_built_once_per_revision_and_type() {
        let cache = WatchCache::default();
        let mut built = 0;
        for _ in 0..3 {
            cache.line(5, "MODIFIED", || {
                built += 1;
                Bytes::from_static(b"x\n")
            });
        }
        cache.line(5, "DELETED", || Bytes::from_static(b"y\n"));
        assert_eq!(built, 1);
        assert_eq!(cache.line(5, "DELETED", || Bytes::new()), Bytes::from_static(b"y\n"));
    }
}
