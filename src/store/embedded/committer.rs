//! The one writer: a thread that takes every waiting write at once (group commit), checks
//! each against the state plus the writes before it in the batch, appends the batch to
//! the log with one fsync, and only then applies it in memory, wakes watchers and answers.
//! Readers therefore never see a write that could still be lost.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio::sync::oneshot;

use super::mvcc::{Mutation, MvccState, Version};
use super::wal::{self, Log, Record};
use super::watch::Waiters;
use crate::store::{KeyValue, Revision, StoreError};

/// Most writes folded into one fsync; bounds latency of the first write in a batch.
const MAX_BATCH: usize = 4096;
/// How long a batch may wait for writers that were in the previous batch: they resubmit a
/// few microseconds after their answer, and without this wait every other batch would
/// leave with only the quickest of them (batches of 2, 14, 2, 14 … instead of 16, 16).
const LINGER: Duration = Duration::from_micros(200);

pub(super) enum Op {
    Create { key: String, value: Bytes },
    Update { key: String, value: Bytes, expected: Revision },
    Delete { key: String, expected: Option<Revision> },
    Compact { revision: Revision },
}

/// A write's answer: the written (or, for a delete, the removed) key-value; compaction
/// answers `None`.
pub(super) type Reply = Result<Option<KeyValue>, StoreError>;

pub(super) struct Request {
    pub op: Op,
    pub reply: oneshot::Sender<Reply>,
}

/// What commits: the state, the log and the revision signal. The committer thread takes
/// it for each batch; a writer with no other write in flight takes it directly (see
/// `EmbeddedStore::submit`), saving the two thread hand-offs a lone write would pay.
pub(super) struct CommitCore {
    pub state: Arc<RwLock<MvccState>>,
    pub log: Log,
    /// The watches to wake when a write lands under their prefix.
    pub waiters: Arc<Waiters>,
}

/// The committer thread: drains the queue into batches (group commit).
pub(super) struct Committer {
    pub core: Arc<Mutex<CommitCore>>,
    pub requests: Receiver<Request>,
}

impl Committer {
    pub fn run(self) {
        let mut last_batch = 0;
        while let Ok(first) = self.requests.recv() {
            let mut batch = vec![first];
            let linger_until = Instant::now() + LINGER;
            while batch.len() < MAX_BATCH {
                match self.requests.try_recv() {
                    Ok(request) => batch.push(request),
                    // Yield rather than sleep: the writers we wait for need this core.
                    Err(TryRecvError::Empty) if batch.len() < last_batch && Instant::now() < linger_until => {
                        std::thread::yield_now()
                    }
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            last_batch = batch.len();
            self.core.lock().commit_batch(batch);
        }
    }
}

impl CommitCore {
    /// Commits `batch` in order; a compaction splits it.
    pub fn commit_batch(&mut self, batch: Vec<Request>) {
        let mut writes = Vec::with_capacity(batch.len());
        for request in batch {
            if let Op::Compact { revision } = request.op {
                self.commit(std::mem::take(&mut writes));
                let _ = request.reply.send(self.compact(revision).map(|()| None));
            } else {
                writes.push(request);
            }
        }
        self.commit(writes);
    }

    fn commit(&mut self, writes: Vec<Request>) {
        if writes.is_empty() {
            return;
        }
        let mut mutations = Vec::with_capacity(writes.len());
        let mut answers = Vec::with_capacity(writes.len());
        {
            let state = self.state.read();
            let mut batch = BatchView { state: &state, pending: HashMap::new(), revision: state.current };
            for request in writes {
                let answer = batch.decide(request.op).map(|(mutation, reply)| {
                    mutations.push(mutation);
                    reply
                });
                answers.push((request.reply, answer));
            }
        }
        let mut encoded = Vec::with_capacity(
            mutations.iter().map(|m| m.key.len() + m.value.as_ref().map_or(0, |v| v.len()) + 48).sum(),
        );
        for mutation in &mutations {
            wal::encode_mutation(mutation, &mut encoded);
        }
        if let Err(err) = self.log.append(&encoded) {
            tracing::error!(%err, "store write failed; the batch is rejected");
            for (reply, answer) in answers {
                let answer = match answer {
                    Ok(_) => Err(StoreError::Io(std::io::Error::new(err.kind(), err.to_string()))),
                    Err(rejected) => Err(rejected),
                };
                let _ = reply.send(answer);
            }
            return;
        }
        let concerned = self.waiters.concerned(mutations.iter().map(|m| m.key.as_str()));
        {
            let mut state = self.state.write();
            for mutation in mutations {
                state.apply(mutation);
            }
        }
        for signal in concerned {
            signal.notify_one();
        }
        for (reply, answer) in answers {
            let _ = reply.send(answer.map(Some));
        }
    }

    fn compact(&mut self, revision: Revision) -> Result<(), StoreError> {
        {
            let state = self.state.read();
            if revision > state.current {
                return Err(StoreError::FutureRevision { requested: revision, current: state.current });
            }
            if revision < state.compacted {
                return Err(StoreError::Compacted { requested: revision, compacted: state.compacted });
            }
        }
        self.state.write().compact(revision);
        // Rewriting the log keeps it proportional to what is retained, so reopening stays
        // fast; while it has not grown much a compaction record (replayed the same way)
        // saves rewriting all of it for every frequent history trim.
        if !self.log.worth_rewriting() {
            let mut encoded = Vec::new();
            wal::encode(&Record::Compact(revision), &mut encoded);
            return Ok(self.log.append(&encoded)?);
        }
        let state = self.state.read();
        let records = state.retained_mutations().into_iter().map(Record::Mutation);
        self.log.rewrite(records.chain([Record::Compact(revision)]))?;
        Ok(())
    }
}

/// The state as a batch sees it: the durable state plus the batch's earlier writes.
struct BatchView<'a> {
    state: &'a MvccState,
    pending: HashMap<String, Option<Version>>,
    revision: Revision,
}

impl BatchView<'_> {
    fn latest(&self, key: &str) -> Option<Version> {
        match self.pending.get(key) {
            Some(pending) => pending.clone(),
            None => self.state.latest(key).cloned(),
        }
    }

    /// Checks one write's condition; on success returns the mutation and the reply.
    fn decide(&mut self, op: Op) -> Result<(Mutation, KeyValue), StoreError> {
        match op {
            Op::Create { key, value } => match self.latest(&key) {
                Some(_) => Err(StoreError::KeyExists(key)),
                None => Ok(self.write(key, Some(value), None)),
            },
            Op::Update { key, value, expected } => match self.latest(&key) {
                Some(current) if current.mod_revision == expected => Ok(self.write(key, Some(value), Some(current))),
                current => Err(conflict(key, expected, current)),
            },
            Op::Delete { key, expected } => match self.latest(&key) {
                None => Err(StoreError::NotFound(key)),
                Some(current) if expected.is_none_or(|e| e == current.mod_revision) => {
                    let removed = current.to_key_value(&key);
                    let (mutation, _) = self.write(key, None, Some(current));
                    removed.map(|kv| (mutation, kv)).ok_or(StoreError::Closed)
                }
                current => Err(conflict(key, expected.unwrap_or_default(), current)),
            },
            Op::Compact { .. } => unreachable!("compaction is committed on its own"),
        }
    }

    fn write(&mut self, key: String, value: Option<Bytes>, previous: Option<Version>) -> (Mutation, KeyValue) {
        self.revision += 1;
        let (create_revision, version) = match (&value, &previous) {
            (None, _) => (0, 0),
            (Some(_), Some(prev)) => (prev.create_revision, prev.version + 1),
            (Some(_), None) => (self.revision, 1),
        };
        let mutation = Mutation { key: key.clone(), mod_revision: self.revision, create_revision, version, value };
        let version = Version { mod_revision: self.revision, create_revision, version, value: mutation.value.clone() };
        let written = version.to_key_value(&key).unwrap_or(KeyValue {
            key: key.clone(),
            value: Bytes::new(),
            create_revision,
            mod_revision: self.revision,
            version: 0,
        });
        self.pending.insert(key, version.value.is_some().then_some(version));
        (mutation, written)
    }
}

fn conflict(key: String, expected: Revision, current: Option<Version>) -> StoreError {
    let current = current.and_then(|v| v.to_key_value(&key)).map(Box::new);
    StoreError::Conflict { key, expected, current }
}
