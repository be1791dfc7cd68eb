//! Recent changes decoded and encoded once for every watch. Each watch reads the store's
//! change stream on its own, and N watchers of pods (scheduler, controllers, kubelets)
//! share one parse and one serialization of each change. Objects are keyed by their
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

/// Revisions whose event lines are kept: enough for every watcher to be a burst behind
/// the newest change.
const CAPACITY: usize = 2048;
/// Revisions whose decoded objects are kept. A decoded pod is eight times its JSON, and
/// only the first watcher of a change and watches with selectors need it (the others are
/// served the line), so fewer are kept.
const OBJECT_CAPACITY: usize = 128;

#[derive(Default)]
pub struct WatchCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    objects: Recent<Arc<Value>>,
    lines: Recent<Vec<(&'static str, Bytes)>>,
}

/// Values by revision, the oldest evicted past a capacity.
struct Recent<V> {
    capacity: usize,
    slots: HashMap<Revision, V>,
    /// Insertion order, for eviction.
    order: VecDeque<Revision>,
}

impl Default for Recent<Arc<Value>> {
    fn default() -> Self {
        Recent { capacity: OBJECT_CAPACITY, slots: HashMap::new(), order: VecDeque::new() }
    }
}

impl Default for Recent<Vec<(&'static str, Bytes)>> {
    fn default() -> Self {
        Recent { capacity: CAPACITY, slots: HashMap::new(), order: VecDeque::new() }
    }
}

impl<V> Recent<V> {
    fn get(&self, revision: Revision) -> Option<&V> {
        self.slots.get(&revision)
    }

    /// The value at `revision`, made by `make` (evicting the oldest) if there is none.
    fn slot_or(&mut self, revision: Revision, make: impl FnOnce() -> V) -> &mut V {
        if !self.slots.contains_key(&revision) {
            self.order.push_back(revision);
            while self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.slots.remove(&old);
                }
            }
        }
        self.slots.entry(revision).or_insert_with(make)
    }
}

impl WatchCache {
    /// The stored object `kv`, decoded (with its resourceVersion) as `resource` serves
    /// it. Custom resources are converted to the version watched, so are not shared.
    pub fn object(&self, resource: &ResourceInfo, kv: &KeyValue) -> Result<Arc<Value>, ApiError> {
        if resource.converts() {
            return Ok(Arc::new(decode_for(resource, kv)?));
        }
        let cached = self.inner.lock().objects.get(kv.mod_revision).cloned();
        if let Some(object) = cached {
            return Ok(object);
        }
        let object = Arc::new(decode(kv)?);
        self.inner.lock().objects.slot_or(kv.mod_revision, || object.clone());
        Ok(object)
    }

    /// The watch line for the event of type `kind` at `revision`, built by `encode` the
    /// first time it is asked for.
    pub fn line(&self, revision: Revision, kind: &'static str, encode: impl FnOnce() -> Bytes) -> Bytes {
        let cached = self
            .inner
            .lock()
            .lines
            .get(revision)
            .and_then(|lines| lines.iter().find(|(k, _)| *k == kind).map(|(_, line)| line.clone()));
        if let Some(line) = cached {
            return line;
        }
        let line = encode();
        let mut entries = self.inner.lock();
        let lines = entries.lines.slot_or(revision, Vec::new);
        if !lines.iter().any(|(k, _)| *k == kind) {
            lines.push((kind, line.clone()));
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
        for revision in 2..(OBJECT_CAPACITY as i64 + 10) {
            cache.object(pods(), &kv(revision, "b")).expect("decode");
        }
        let again = cache.object(pods(), &kv(1, "a")).expect("decode");
        assert!(!Arc::ptr_eq(&first, &again));
        assert!(cache.inner.lock().objects.slots.len() <= OBJECT_CAPACITY);
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
        assert_eq!(cache.line(5, "DELETED", Bytes::new), Bytes::from_static(b"y\n"));
    }
}
