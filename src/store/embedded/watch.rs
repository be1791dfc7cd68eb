//! Watches read the shared event history at their own pace: each keeps a cursor (the next
//! revision it wants) and sleeps on the committer's revision signal when caught up. A slow
//! watcher never holds up writers; if compaction overtakes its cursor it gets `Compacted`.

use std::sync::Arc;

use futures::StreamExt;
use parking_lot::RwLock;
use tokio::sync::watch;

use super::mvcc::MvccState;
use crate::store::{Result, Revision, StoreError, WatchEvent, WatchStream};

/// Events handed out per wake-up, and events scanned per lock hold.
const MAX_EVENTS: usize = 512;
const MAX_SCANNED: usize = 8192;

struct Cursor {
    state: Arc<RwLock<MvccState>>,
    revisions: watch::Receiver<Revision>,
    prefix: String,
    next: Revision,
    ended: bool,
}

pub(super) fn open(
    state: Arc<RwLock<MvccState>>,
    revisions: watch::Receiver<Revision>,
    prefix: &str,
    start_revision: Revision,
) -> Result<WatchStream> {
    let next = {
        let current = state.read();
        if start_revision != 0 && start_revision < current.compacted {
            return Err(StoreError::Compacted { requested: start_revision, compacted: current.compacted });
        }
        if start_revision == 0 {
            current.current + 1
        } else {
            start_revision
        }
    };
    let cursor = Cursor { state, revisions, prefix: prefix.to_string(), next, ended: false };
    let stream = futures::stream::unfold(cursor, |mut cursor| async move {
        if cursor.ended {
            return None;
        }
        loop {
            // Mark the signal seen before reading, so a write landing in between wakes us.
            cursor.revisions.borrow_and_update();
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
            if cursor.revisions.changed().await.is_err() {
                return None; // the store was closed
            }
        }
    });
    Ok(stream.flat_map(futures::stream::iter).boxed())
}

impl Cursor {
    /// The next events for this watch, and whether it has caught up with the store.
    fn poll(&mut self) -> Result<(Vec<WatchEvent>, bool)> {
        let state = self.state.read();
        if self.next < state.compacted {
            return Err(StoreError::Compacted { requested: self.next, compacted: state.compacted });
        }
        let (events, next) = state.events_since(self.next, &self.prefix, MAX_EVENTS, MAX_SCANNED);
        self.next = next;
        Ok((events, next > state.current))
    }
}
