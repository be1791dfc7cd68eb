//! The control plane's key-value store, with etcd v3's semantics.
//!
//! One global revision counts every write; each key carries `create_revision`,
//! `mod_revision` and `version` like etcd's `mvccpb.KeyValue`. Writes are conditional on
//! `mod_revision` (the shape of the apiserver's optimistic concurrency), reads may be
//! served at a past revision inside the retained window, and watches replay history from a
//! revision before going live. Two backends implement [`Store`]: [`embedded`] (the
//! default, in-process and durable) and [`etcd`] (a real etcd cluster, for HA).

pub mod embedded;
pub mod etcd;
pub mod etcd_server;

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

/// A revision of the whole store; 0 means "none" / "latest" where etcd says so.
pub type Revision = i64;

/// One key at one revision, as etcd's `mvccpb.KeyValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Bytes,
    pub create_revision: Revision,
    pub mod_revision: Revision,
    /// Number of writes since the key was (re)created; 1 after creation.
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Put,
    Delete,
}

/// A change seen by a watch. For a delete, `kv` holds the key and the deletion's
/// revision (empty value) and `prev_kv` the last value, as etcd's watch with `prev_kv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEvent {
    pub kind: EventKind,
    pub kv: KeyValue,
    pub prev_kv: Option<KeyValue>,
}

/// A read of the keys in `[start, end)`, at most `limit` of them (0 = all), at `revision`
/// (0 = latest). Continue a paged read with `start = last_key + "\0"` and the revision
/// the first page was served at, as the apiserver's continue tokens do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeRequest {
    pub start: String,
    pub end: String,
    pub limit: usize,
    pub revision: Revision,
}

impl RangeRequest {
    /// Every key beginning with `prefix`.
    pub fn prefix(prefix: &str) -> Self {
        RangeRequest { start: prefix.to_string(), end: prefix_end(prefix), ..Default::default() }
    }

    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn at_revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
    }

    /// The next page after a page whose last key was `last_key`, read at the same revision.
    pub fn continue_after(mut self, last_key: &str, revision: Revision) -> Self {
        self.start = format!("{last_key}\0");
        self.revision = revision;
        self
    }
}

/// The smallest key greater than every key with this prefix (etcd's `GetPrefixRangeEnd`).
/// Keys here are UTF-8 paths, so bumping the last byte below 0x7f is enough; an empty
/// result means "to the end".
pub fn prefix_end(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < 0x7f {
            bytes.push(last + 1);
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    String::new()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeResponse {
    pub kvs: Vec<KeyValue>,
    /// More keys were in range than `limit` allowed.
    pub more: bool,
    /// The revision this read was served at (pass it back to read the next page).
    pub revision: Revision,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("key {0:?} already exists")]
    KeyExists(String),
    #[error("key {0:?} not found")]
    NotFound(String),
    /// The compare-and-swap failed: the key moved on (or is gone) since `expected`.
    #[error("key {key:?} was modified: expected mod_revision {expected}")]
    Conflict { key: String, expected: Revision, current: Option<Box<KeyValue>> },
    #[error("required revision {requested} has been compacted (compacted at {compacted})")]
    Compacted { requested: Revision, compacted: Revision },
    #[error("required revision {requested} is a future revision (current {current})")]
    FutureRevision { requested: Revision, current: Revision },
    #[error("store I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the store's data in {path} is unreadable: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("the store is closed")]
    Closed,
    #[error("etcd: {0}")]
    Etcd(#[source] Box<etcd_client::Error>),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Events of one watch, in revision order. An `Err(Compacted)` item ends the stream: the
/// watcher fell behind (or started before) the compaction point and must re-list.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<WatchEvent>> + Send>>;

/// What the apiserver needs of a store: etcd v3's KV, Txn-by-mod_revision and Watch.
#[async_trait]
pub trait Store: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>>;

    async fn range(&self, request: RangeRequest) -> Result<RangeResponse>;

    /// Writes `key` only if it does not exist; returns the new key-value.
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue>;

    /// Writes `key` only if its `mod_revision` is still `expected`; on a mismatch returns
    /// `Conflict` carrying the current value so the caller can retry without a read.
    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue>;

    /// Deletes `key` (only if its `mod_revision` is `expected`, when given); returns the
    /// deleted key-value.
    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue>;

    /// Every change to keys beginning with `prefix` from `start_revision` on (inclusive;
    /// 0 = only changes after now): first the retained history, then live events.
    async fn watch(&self, prefix: &str, start_revision: Revision) -> Result<WatchStream>;

    /// Forgets history before `revision`: later reads and watches below it get `Compacted`.
    async fn compact(&self, revision: Revision) -> Result<()>;

    /// The newest revision of the store.
    async fn current_revision(&self) -> Result<Revision>;

    /// The oldest revision an open watch of this process has yet to read, where the
    /// store knows (etcd keeps its own history and answers None).
    fn oldest_watch(&self) -> Option<Revision> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_bumps_the_last_byte() {
        assert_eq!(prefix_end("/registry/pods/"), "/registry/pods0");
        assert_eq!(prefix_end("a"), "b");
        assert_eq!(prefix_end(""), "");
    }
}
