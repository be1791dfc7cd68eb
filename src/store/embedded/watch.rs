//! Watches read the shared event history at their own pace: each keeps a cursor (the next
//! revision it wants) and sleeps when caught up until a write lands under its prefix. A
//! slow watcher never holds up writers; if compaction drops an event under its prefix
//! that it had not read yet, it gets `Compacted` (history of other prefixes, or history
//! it had read, may go without ending it).
//!
//! Wake-ups are by prefix, not by revision: with one signal for every write, each lease
//! renewal woke every pods watcher (and each lone create woke the CRD controller's watch,
//! a thread hand-off per request) only for it to find nothing and sleep again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use futures::StreamExt;
use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use super::mvcc::MvccState;
use crate::store::{Result, Revision, StoreError, WatchEvent, WatchStream};

/// Events handed out per wake-up, and events scanned per lock hold.
const MAX_EVENTS: usize = 512;
const MAX_SCANNED: usize = 8192;

/// The sleeping watches, by the directory part of their prefix (up to its last `/`): a
/// write wakes the watches registered at any of its key's directories. Waking a superset
/// is harmless, as each cursor filters by its exact prefix.
#[derive(Default)]
pub(super) struct Waiters {
    by_directory: Mutex<HashMap<String, Vec<Weak<Notify>>>>,
    closed: AtomicBool,
    /// Each open watch's next revision, so history trimming can spare what a watch that
    /// fell behind under load has yet to read (see `oldest_position`).
    positions: Mutex<HashMap<u64, Revision>>,
    next_id: AtomicU64,
}

impl Waiters {
    fn register(&self, prefix: &str) -> Arc<Notify> {
        let directory = prefix.rfind('/').map_or("", |end| &prefix[..=end]);
        let signal = Arc::new(Notify::new());
        let mut by_directory = self.by_directory.lock();
        let signals = by_directory.entry(directory.to_string()).or_default();
        signals.retain(|s| s.strong_count() > 0);
        signals.push(Arc::downgrade(&signal));
        signal
    }

    /// The signals of the watches `keys` concern; the caller fires them once the writes are
    /// visible.
    pub fn concerned<'a>(&self, keys: impl Iterator<Item = &'a str>) -> Vec<Arc<Notify>> {
        let mut by_directory = self.by_directory.lock();
        if by_directory.is_empty() {
            return Vec::new();
        }
        let mut directories: Vec<&str> = Vec::new();
        for key in keys {
            directories.extend(key.match_indices('/').map(|(at, _)| &key[..=at]));
            directories.push(""); // watches of everything
        }
        directories.sort_unstable();
        directories.dedup();
        let mut fired = Vec::new();
        for directory in directories {
            let Some(signals) = by_directory.get_mut(directory) else { continue };
            signals.retain(|s| match s.upgrade() {
                Some(signal) => {
                    fired.push(signal);
                    true
                }
                None => false,
            });
            if signals.is_empty() {
                by_directory.remove(directory);
            }
        }
        fired
    }

    /// Ends every watch: the store is closing.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        for signal in self.by_directory.lock().values().flatten().filter_map(Weak::upgrade) {
            signal.notify_one();
        }
    }

    fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The oldest revision an open watch has yet to read.
    pub fn oldest_position(&self) -> Option<Revision> {
        self.positions.lock().values().min().copied()
    }
}

struct Cursor {
    id: u64,
    state: Arc<RwLock<MvccState>>,
    waiters: Arc<Waiters>,
    signal: Arc<Notify>,
    prefix: String,
    next: Revision,
    ended: bool,
}

pub(super) fn open(
    state: Arc<RwLock<MvccState>>,
    waiters: Arc<Waiters>,
    prefix: &str,
    start_revision: Revision,
) -> Result<WatchStream> {
    let next = {
        let current = state.read();
        // As etcd: a watch may not start before the compaction point.
        if start_revision != 0 && start_revision < current.compacted {
            return Err(StoreError::Compacted { requested: start_revision, compacted: current.compacted });
        }
        if start_revision == 0 {
            current.current + 1
        } else {
            start_revision
        }
    };
    // Registered before the first read, so no write after `next` goes unsignalled.
    let signal = waiters.register(prefix);
    let id = waiters.next_id.fetch_add(1, Ordering::Relaxed);
    waiters.positions.lock().insert(id, next);
    let cursor = Cursor { id, state, waiters, signal, prefix: prefix.to_string(), next, ended: false };
    let stream = futures::stream::unfold(cursor, |mut cursor| async move {
        if cursor.ended {
            return None;
        }
        loop {
            if cursor.waiters.closed() {
                return None;
            }
            // A write landing between this read and the wait below leaves a permit in the
            // signal, so the wait returns at once.
            match cursor.poll() {
                Err(err) => {
                    cursor.ended = true;
                    return Some((vec![Err(err)], cursor));
                }
                Ok((events, _)) if !events.is_empty() => {
                    return Some((events.into_iter().map(Ok).collect::<Vec<_>>(), cursor));
                }
                Ok((_, false)) => continue, // scanned a run of other keys' events; go on
                Ok((_, true)) => {}
            }
            cursor.signal.notified().await;
        }
    });
    Ok(stream.flat_map(futures::stream::iter).boxed())
}

impl Cursor {
    /// The next events for this watch, and whether it has caught up with the store.
    fn poll(&mut self) -> Result<(Vec<WatchEvent>, bool)> {
        let state = self.state.read();
        if state.missed(&self.prefix, self.next) {
            return Err(StoreError::Compacted { requested: self.next, compacted: state.compacted });
        }
        let (events, next) = state.events_since(self.next, &self.prefix, MAX_EVENTS, MAX_SCANNED);
        if next != self.next {
            self.waiters.positions.lock().insert(self.id, next);
        }
        self.next = next;
        Ok((events, next > state.current))
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        self.waiters.positions.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_wakes_only_the_watches_of_its_directories() {
        let waiters = Waiters::default();
        let all_pods = waiters.register("/registry/pods/");
        let one_pod = waiters.register("/registry/pods/default/web"); // not a directory
        let leases = waiters.register("/registry/leases/");
        let everything = waiters.register("");

        let fired = waiters.concerned(["/registry/pods/default/web-2"].into_iter());
        let woke = |signal: &Arc<Notify>| fired.iter().any(|f| Arc::ptr_eq(f, signal));
        assert!(woke(&all_pods) && woke(&one_pod) && woke(&everything));
        assert!(!woke(&leases), "a pod write must not wake the leases watch");
        assert_eq!(fired.len(), 3);
    }

    #[test]
    fn dropped_watches_are_forgotten() {
        let waiters = Waiters::default();
        let kept = waiters.register("/registry/pods/");
        drop(waiters.register("/registry/pods/"));
        let fired = waiters.concerned(["/registry/pods/default/a"].into_iter());
        assert_eq!(fired.len(), 1);
        assert!(Arc::ptr_eq(&fired[0], &kept));
        drop((kept, fired));
        assert!(waiters.concerned(["/registry/pods/default/a"].into_iter()).is_empty());
        assert!(waiters.by_directory.lock().is_empty());
    }
}
