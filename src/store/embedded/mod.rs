//! The embedded store: an in-memory multi-version index over a write-ahead log with group
//! commit.
//!
//! Why this engine and not redb/sled: the apiserver's workload is small values, every
//! write conditional on a revision, and reads of whole prefixes at a revision — all of it
//! fits in memory (etcd itself caps a cluster at a few GiB). Keeping the index in memory
//! makes reads and watches lock-light, and a single log with group commit turns N
//! concurrent durable writes into one `fdatasync`, which is where throughput under
//! concurrency comes from; a B-tree engine would fsync each transaction. The log is
//! rewritten at compaction, so reopening replays only what is retained (100k keys replay
//! in well under a second).
//!
//! Durability: a write is acknowledged only after its log record is fsynced, and becomes
//! visible to readers and watchers only then.

mod committer;
mod mvcc;
mod wal;
mod watch;

use std::fs::{self, File};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use async_trait::async_trait;
use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio::sync::oneshot;

use self::committer::{CommitCore, Committer, Op, Request};
use self::mvcc::MvccState;
use self::wal::{Log, Record};
use self::watch::Waiters;
use super::{KeyValue, RangeRequest, RangeResponse, Result, Revision, Store, StoreError, WatchStream};

pub struct EmbeddedStore {
    state: Arc<RwLock<MvccState>>,
    waiters: Arc<Waiters>,
    requests: Mutex<Option<mpsc::Sender<Request>>>,
    core: Arc<Mutex<CommitCore>>,
    /// Writes submitted and not yet answered: a write that finds none commits inline.
    in_flight: AtomicUsize,
    committer: Mutex<Option<JoinHandle<()>>>,
    /// Held (and flock'ed) while open, so two processes never share a data dir.
    _lock: File,
}

impl EmbeddedStore {
    /// Opens the store kept in `dir` (created if missing), replaying its log.
    pub fn open(dir: &Path) -> Result<EmbeddedStore> {
        fs::create_dir_all(dir)?;
        let lock = File::create(dir.join("LOCK"))?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Corrupt {
                path: dir.display().to_string(),
                reason: "it is in use by another process".into(),
            });
        }
        let (log, records) = Log::open(dir)?;
        let mut state = MvccState::default();
        for record in records {
            match record {
                Record::Mutation(mutation) => state.apply(mutation),
                Record::Compact(revision) => state.compact(revision),
            }
        }
        let state = Arc::new(RwLock::new(state));
        let waiters = Arc::new(Waiters::default());
        let (requests, requests_rx) = mpsc::channel();
        let core = Arc::new(Mutex::new(CommitCore { state: state.clone(), log, waiters: waiters.clone() }));
        let committer = Committer { core: core.clone(), requests: requests_rx };
        let committer = std::thread::Builder::new().name("store-committer".into()).spawn(move || committer.run())?;
        Ok(EmbeddedStore {
            state,
            waiters,
            requests: Mutex::new(Some(requests)),
            core,
            in_flight: AtomicUsize::new(0),
            committer: Mutex::new(Some(committer)),
            _lock: lock,
        })
    }

    async fn submit(&self, op: Op) -> Result<Option<KeyValue>> {
        let (reply, answer) = oneshot::channel();
        let request = Request { op, reply };
        let in_flight = InFlight::enter(&self.in_flight);
        // A lone write (sequential clients) commits on this thread: the fsync blocks it
        // briefly, but no other write waits, and it saves waking the committer thread and
        // being woken back. Under concurrency the committer thread batches as before.
        let alone = in_flight.was_idle && !matches!(request.op, Op::Compact { .. });
        let request = match alone.then(|| self.core.try_lock()).flatten() {
            Some(mut core) if self.requests.lock().is_some() => {
                core.commit_batch(vec![request]);
                None
            }
            _ => Some(request),
        };
        if let Some(request) = request {
            let sent = match self.requests.lock().as_ref() {
                Some(requests) => requests.send(request).is_ok(),
                None => false,
            };
            if !sent {
                return Err(StoreError::Closed);
            }
        }
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn write(&self, op: Op) -> Result<KeyValue> {
        self.submit(op).await?.ok_or(StoreError::Closed)
    }
}

/// Counts a write as in flight until it is answered.
struct InFlight<'a> {
    counter: &'a AtomicUsize,
    was_idle: bool,
}

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> InFlight<'a> {
        let was_idle = counter.fetch_add(1, Ordering::AcqRel) == 0;
        InFlight { counter, was_idle }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for EmbeddedStore {
    /// Lets the committer finish what was submitted, so the data dir is released on return.
    fn drop(&mut self) {
        self.requests.lock().take();
        if let Some(committer) = self.committer.lock().take() {
            let _ = committer.join();
        }
        self.waiters.close();
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        Ok(self.state.read().get(key))
    }

    async fn range(&self, request: RangeRequest) -> Result<RangeResponse> {
        self.state.read().range(&request)
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        self.write(Op::Create { key: key.to_string(), value }).await
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        self.write(Op::Update { key: key.to_string(), value, expected }).await
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue> {
        self.write(Op::Delete { key: key.to_string(), expected }).await
    }

    async fn watch(&self, prefix: &str, start_revision: Revision) -> Result<WatchStream> {
        watch::open(self.state.clone(), self.waiters.clone(), prefix, start_revision)
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.submit(Op::Compact { revision }).await.map(|_| ())
    }

    async fn current_revision(&self) -> Result<Revision> {
        Ok(self.state.read().current)
    }

    fn oldest_watch(&self) -> Option<Revision> {
        self.waiters.oldest_position()
    }
}
