//! The in-memory multi-version index: every retained version of every key, and the event
//! history watches replay from. Only the committer writes it, after the change is durable.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;

use crate::store::{EventKind, KeyValue, RangeRequest, RangeResponse, Revision, StoreError, WatchEvent};

/// One write of one key: a put (value `Some`) or a delete (`None`). This is also what the
/// write-ahead log records, so replaying the log is applying these in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mutation {
    pub key: String,
    pub mod_revision: Revision,
    pub create_revision: Revision,
    pub version: i64,
    pub value: Option<Bytes>,
}

/// A key's state at one revision; `value: None` is a tombstone.
#[derive(Clone, Debug)]
pub(super) struct Version {
    pub mod_revision: Revision,
    pub create_revision: Revision,
    pub version: i64,
    pub value: Option<Bytes>,
}

impl Version {
    pub fn to_key_value(&self, key: &str) -> Option<KeyValue> {
        let value = self.value.clone()?;
        Some(KeyValue {
            key: key.to_string(),
            value,
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
        })
    }
}

#[derive(Default)]
pub(super) struct MvccState {
    /// Versions of each key in ascending `mod_revision`.
    keys: BTreeMap<String, Vec<Version>>,
    /// Events in ascending revision, from the compaction point on.
    events: VecDeque<Arc<WatchEvent>>,
    pub current: Revision,
    pub compacted: Revision,
    /// For each directory (key prefix up to a `/`, and "" for everything), the newest
    /// event compaction dropped under it: a watch has missed something only if an event
    /// under its prefix at or after its position was dropped.
    dropped: HashMap<String, Revision>,
}

impl MvccState {
    /// The key's live version now, if any.
    pub fn latest(&self, key: &str) -> Option<&Version> {
        self.keys.get(key).and_then(|versions| versions.last()).filter(|v| v.value.is_some())
    }

    pub fn get(&self, key: &str) -> Option<KeyValue> {
        self.latest(key).and_then(|v| v.to_key_value(key))
    }

    pub fn apply(&mut self, mutation: Mutation) {
        let versions = self.keys.entry(mutation.key.clone()).or_default();
        let prev_kv = versions.last().and_then(|v| v.to_key_value(&mutation.key));
        let event = match &mutation.value {
            Some(value) => WatchEvent {
                kind: EventKind::Put,
                kv: KeyValue {
                    key: mutation.key.clone(),
                    value: value.clone(),
                    create_revision: mutation.create_revision,
                    mod_revision: mutation.mod_revision,
                    version: mutation.version,
                },
                prev_kv,
            },
            None => WatchEvent {
                kind: EventKind::Delete,
                kv: KeyValue {
                    key: mutation.key.clone(),
                    value: Bytes::new(),
                    create_revision: 0,
                    mod_revision: mutation.mod_revision,
                    version: 0,
                },
                prev_kv,
            },
        };
        versions.push(Version {
            mod_revision: mutation.mod_revision,
            create_revision: mutation.create_revision,
            version: mutation.version,
            value: mutation.value,
        });
        self.current = self.current.max(mutation.mod_revision);
        if mutation.mod_revision >= self.compacted {
            self.events.push_back(Arc::new(event));
        }
    }

    pub fn check_readable(&self, revision: Revision) -> Result<Revision, StoreError> {
        if revision == 0 {
            return Ok(self.current);
        }
        if revision < self.compacted {
            return Err(StoreError::Compacted { requested: revision, compacted: self.compacted });
        }
        if revision > self.current {
            return Err(StoreError::FutureRevision { requested: revision, current: self.current });
        }
        Ok(revision)
    }

    pub fn range(&self, request: &RangeRequest) -> Result<RangeResponse, StoreError> {
        let revision = self.check_readable(request.revision)?;
        let mut kvs = Vec::new();
        let mut more = false;
        if request.end.is_empty() || request.start < request.end {
            let keys = match request.end.is_empty() {
                true => self.keys.range(request.start.clone()..),
                false => self.keys.range(request.start.clone()..request.end.clone()),
            };
            for (key, versions) in keys {
                let at = versions.partition_point(|v| v.mod_revision <= revision);
                let Some(kv) = at.checked_sub(1).and_then(|i| versions[i].to_key_value(key)) else {
                    continue;
                };
                if request.limit > 0 && kvs.len() == request.limit {
                    more = true;
                    break;
                }
                kvs.push(kv);
            }
        }
        Ok(RangeResponse { kvs, more, revision })
    }

    /// Up to `max` events from revision `from` on whose key starts with `prefix`, scanning
    /// at most `max_scanned` events; returns them and the revision to continue from.
    pub fn events_since(
        &self,
        from: Revision,
        prefix: &str,
        max: usize,
        max_scanned: usize,
    ) -> (Vec<WatchEvent>, Revision) {
        let first = self.events.partition_point(|e| e.kv.mod_revision < from);
        let mut found = Vec::new();
        let mut next = from.max(self.current + 1);
        for event in self.events.range(first..).take(max_scanned) {
            if found.len() == max {
                next = event.kv.mod_revision;
                break;
            }
            next = event.kv.mod_revision + 1;
            if event.kv.key.starts_with(prefix) {
                found.push(WatchEvent::clone(event));
            }
        }
        (found, next)
    }

    /// Drops every version not needed to read at `revision` or later, and older events.
    pub fn compact(&mut self, revision: Revision) {
        self.keys.retain(|_, versions| {
            let at = versions.partition_point(|v| v.mod_revision <= revision);
            // Keep the version visible at `revision` unless it is a tombstone.
            let keep_from = match at.checked_sub(1) {
                Some(i) if versions[i].value.is_some() => i,
                _ => at,
            };
            versions.drain(..keep_from);
            !versions.is_empty()
        });
        while self.events.front().is_some_and(|e| e.kv.mod_revision < revision) {
            let Some(event) = self.events.pop_front() else { break };
            let (key, at) = (&event.kv.key, event.kv.mod_revision);
            for directory in key.match_indices('/').map(|(end, _)| &key[..=end]).chain([""]) {
                match self.dropped.get_mut(directory) {
                    Some(newest) => *newest = (*newest).max(at),
                    None => {
                        self.dropped.insert(directory.to_string(), at);
                    }
                }
            }
        }
        self.compacted = self.compacted.max(revision);
    }

    /// Whether a watch of `prefix` that next wants revision `next` lost events to
    /// compaction. A watch that was caught up loses nothing when others' history goes, as
    /// etcd's synced watchers; one that fell behind an event compaction dropped is
    /// Compacted.
    pub fn missed(&self, prefix: &str, next: Revision) -> bool {
        if next >= self.compacted {
            return false;
        }
        let directory = prefix.rfind('/').map_or("", |end| &prefix[..=end]);
        self.dropped.get(directory).is_some_and(|&newest| newest >= next)
    }

    /// Every retained version as a mutation, in revision order: replaying these and then
    /// compacting at `self.compacted` rebuilds this state.
    pub fn retained_mutations(&self) -> Vec<Mutation> {
        let mut mutations: Vec<Mutation> = self
            .keys
            .iter()
            .flat_map(|(key, versions)| {
                versions.iter().map(move |v| Mutation {
                    key: key.clone(),
                    mod_revision: v.mod_revision,
                    create_revision: v.create_revision,
                    version: v.version,
                    value: v.value.clone(),
                })
            })
            .collect();
        mutations.sort_by_key(|m| m.mod_revision);
        mutations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, rev: Revision, create: Revision, version: i64, value: &str) -> Mutation {
        Mutation {
            key: key.into(),
            mod_revision: rev,
            create_revision: create,
            version,
            value: Some(Bytes::from(value.to_string())),
        }
    }

    fn delete(key: &str, rev: Revision) -> Mutation {
        Mutation { key: key.into(), mod_revision: rev, create_revision: 0, version: 0, value: None }
    }

    #[test]
    fn range_at_a_past_revision_sees_the_old_value() {
        let mut state = MvccState::default();
        state.apply(put("/a", 1, 1, 1, "one"));
        state.apply(put("/a", 2, 1, 2, "two"));
        state.apply(delete("/a", 3));
        let at = |rev| state.range(&RangeRequest::prefix("/").at_revision(rev)).unwrap().kvs;
        assert_eq!(at(1)[0].value, "one");
        assert_eq!(at(2)[0].value, "two");
        assert!(at(3).is_empty());
    }

    #[test]
    fn compaction_keeps_what_is_visible_and_forgets_tombstones() {
        let mut state = MvccState::default();
        state.apply(put("/a", 1, 1, 1, "one"));
        state.apply(put("/b", 2, 2, 1, "b"));
        state.apply(delete("/b", 3));
        state.apply(put("/a", 4, 1, 2, "two"));
        state.compact(3);
        assert_eq!(state.range(&RangeRequest::prefix("/").at_revision(3)).unwrap().kvs.len(), 1);
        assert!(matches!(state.range(&RangeRequest::prefix("/").at_revision(2)), Err(StoreError::Compacted { .. })));
        assert!(!state.keys.contains_key("/b"));
        assert_eq!(state.retained_mutations().len(), 2);
    }

    #[test]
    fn a_watch_misses_only_the_dropped_events_under_its_prefix() {
        let mut state = MvccState::default();
        state.apply(put("/a/x", 1, 1, 1, "one"));
        state.apply(put("/b/y", 2, 2, 1, "b"));
        state.apply(put("/a/x", 3, 1, 2, "two"));
        state.compact(3);
        assert!(state.missed("/a/", 1), "the event at 1 under /a/ is gone");
        assert!(state.missed("/b/", 2));
        assert!(!state.missed("/b/", 3), "nothing under /b/ from 3 on was dropped");
        assert!(!state.missed("/c/", 1), "nothing under /c/ was ever dropped");
        assert!(state.missed("", 2));
    }

    #[test]
    fn events_since_stops_at_max_and_says_where_to_continue() {
        let mut state = MvccState::default();
        for rev in 1..=5 {
            state.apply(put("/a", rev, 1, rev, "v"));
        }
        let (events, next) = state.events_since(2, "/a", 2, 100);
        assert_eq!(events.iter().map(|e| e.kv.mod_revision).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(next, 4);
        let (events, next) = state.events_since(next, "/a", 10, 100);
        assert_eq!(events.len(), 2);
        assert_eq!(next, 6);
    }
}
