//! The write-ahead log: one file of checksummed records, appended and fsynced before any
//! write is acknowledged, replayed on open, and rewritten whole at compaction.
//!
//! Frame: `len: u32 LE | crc32(payload): u32 LE | payload`. A frame cut short or with a
//! bad checksum can only be the tail of a write that was never acknowledged (we fsync
//! before acking), so replay stops there and zeroes it away.
//!
//! The file is preallocated with zeros in chunks, so an append overwrites blocks that
//! already exist and `fdatasync` has no file-size metadata to commit: it is about twice as
//! fast as appending to a growing file on ext4. Zeros read as the end of the log.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::mvcc::Mutation;
use crate::store::Revision;

const LOG_FILE: &str = "wal.log";
const REWRITE_FILE: &str = "wal.log.rewrite";
const KIND_PUT: u8 = 1;
const KIND_DELETE: u8 = 2;
const KIND_COMPACT: u8 = 3;
const NO_VALUE: u32 = u32::MAX;
/// Zeros added to the file at a time.
const PREALLOCATE: u64 = 16 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Record {
    Mutation(Mutation),
    Compact(Revision),
}

/// Below this size a log is never rewritten for its growth alone; above it, once it has
/// grown `REWRITE_GROWTH` times over. Rewriting blocks every write while the retained
/// state is written out, so it is kept rare (replaying a larger log on open is cheap).
const REWRITE_AT_LEAST: u64 = 64 << 20;
const REWRITE_GROWTH: u64 = 4;

pub(super) struct Log {
    dir: PathBuf,
    file: File,
    /// Where the records end.
    len: u64,
    /// The file's size: records, then zeros.
    capacity: u64,
    /// The length right after the last rewrite (or open).
    rewritten_len: u64,
}

impl Log {
    /// Opens (or creates) the log in `dir` and returns it with every intact record.
    pub fn open(dir: &Path) -> io::Result<(Log, Vec<Record>)> {
        let path = dir.join(LOG_FILE);
        let created = !path.exists();
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
        if created {
            sync_dir(dir)?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (records, intact) = decode_all(&bytes);
        // Whatever follows the last intact record must be zeros, or a later append shorter
        // than an unacknowledged torn batch would leave that batch's frames readable.
        if let Some(dirty) = bytes[intact..].iter().rposition(|b| *b != 0) {
            tracing::warn!(
                dropped = dirty + 1,
                "zeroing an unacknowledged torn write at the end of {}",
                path.display()
            );
            file.write_all_at(&vec![0; dirty + 1], intact as u64)?;
            file.sync_all()?;
        }
        let capacity = bytes.len() as u64;
        let len = intact as u64;
        Ok((Log { dir: dir.to_path_buf(), file, len, capacity, rewritten_len: len }, records))
    }

    /// Makes sure `needed` more bytes fit before the end of the preallocated zeros.
    fn reserve(&mut self, needed: u64) -> io::Result<()> {
        if self.len + needed <= self.capacity {
            return Ok(());
        }
        let grow = (self.len + needed - self.capacity).max(PREALLOCATE);
        self.file.write_all_at(&vec![0; grow as usize], self.capacity)?;
        self.file.sync_all()?;
        self.capacity += grow;
        Ok(())
    }

    /// Appends encoded records and makes them durable. On failure the records are zeroed
    /// again, so a rejected batch leaves no trace.
    pub fn append(&mut self, encoded: &[u8]) -> io::Result<()> {
        self.reserve(encoded.len() as u64)?;
        let result = self.file.write_all_at(encoded, self.len).and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += encoded.len() as u64;
                Ok(())
            }
            Err(err) => {
                let _ = self.file.write_all_at(&vec![0; encoded.len()], self.len);
                Err(err)
            }
        }
    }

    /// Replaces the log by `records` atomically (write aside, fsync, rename, fsync dir).
    pub fn rewrite(&mut self, records: impl IntoIterator<Item = Record>) -> io::Result<()> {
        let aside = self.dir.join(REWRITE_FILE);
        let mut encoded = Vec::new();
        for record in records {
            encode(&record, &mut encoded);
        }
        let mut file = File::create(&aside)?;
        file.write_all(&encoded)?;
        file.sync_all()?;
        fs::rename(&aside, self.dir.join(LOG_FILE))?;
        sync_dir(&self.dir)?;
        self.file = OpenOptions::new().read(true).write(true).open(self.dir.join(LOG_FILE))?;
        self.len = encoded.len() as u64;
        self.capacity = self.len;
        self.rewritten_len = self.len;
        Ok(())
    }

    /// Whether the log has grown enough since it was last rewritten that a compaction
    /// should rewrite it (rather than append a compaction record, which replays the same).
    pub fn worth_rewriting(&self) -> bool {
        self.len > REWRITE_GROWTH * self.rewritten_len.max(REWRITE_AT_LEAST)
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub(super) fn encode(record: &Record, out: &mut Vec<u8>) {
    match record {
        Record::Mutation(mutation) => encode_mutation(mutation, out),
        Record::Compact(revision) => {
            let start = begin_frame(out);
            out.push(KIND_COMPACT);
            out.extend_from_slice(&revision.to_le_bytes());
            end_frame(out, start);
        }
    }
}

pub(super) fn encode_mutation(m: &Mutation, out: &mut Vec<u8>) {
    let start = begin_frame(out);
    out.push(if m.value.is_some() { KIND_PUT } else { KIND_DELETE });
    out.extend_from_slice(&m.mod_revision.to_le_bytes());
    out.extend_from_slice(&m.create_revision.to_le_bytes());
    out.extend_from_slice(&m.version.to_le_bytes());
    out.extend_from_slice(&(m.key.len() as u32).to_le_bytes());
    out.extend_from_slice(m.key.as_bytes());
    match &m.value {
        Some(value) => {
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        None => out.extend_from_slice(&NO_VALUE.to_le_bytes()),
    }
    end_frame(out, start);
}

/// Reserves the frame header; returns where the frame starts.
fn begin_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    start
}

/// Fills in the header reserved by `begin_frame` once the payload is written.
fn end_frame(out: &mut [u8], start: usize) {
    let payload = &out[start + 8..];
    let len = (payload.len() as u32).to_le_bytes();
    let crc = crc32fast::hash(payload).to_le_bytes();
    out[start..start + 4].copy_from_slice(&len);
    out[start + 4..start + 8].copy_from_slice(&crc);
}

/// Decodes records until the first incomplete or damaged frame; returns them and how many
/// bytes were intact.
fn decode_all(bytes: &[u8]) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut at = 0;
    while let Some((record, size)) = decode_frame(&bytes[at..]) {
        records.push(record);
        at += size;
    }
    (records, at)
}

fn decode_frame(bytes: &[u8]) -> Option<(Record, usize)> {
    let mut reader = Reader(bytes);
    let len = reader.u32()? as usize;
    let crc = reader.u32()?;
    let payload = reader.take(len)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    Some((decode_payload(payload)?, 8 + len))
}

fn decode_payload(payload: &[u8]) -> Option<Record> {
    let mut reader = Reader(payload);
    let kind = reader.take(1)?[0];
    let mod_revision = reader.i64()?;
    if kind == KIND_COMPACT {
        return Some(Record::Compact(mod_revision));
    }
    let create_revision = reader.i64()?;
    let version = reader.i64()?;
    let key_len = reader.u32()? as usize;
    let key = String::from_utf8(reader.take(key_len)?.to_vec()).ok()?;
    let value = match reader.u32()? {
        NO_VALUE => None,
        len => Some(Bytes::copy_from_slice(reader.take(len as usize)?)),
    };
    match (kind, &value) {
        (KIND_PUT, Some(_)) | (KIND_DELETE, None) => {}
        _ => return None,
    }
    Some(Record::Mutation(Mutation { key, mod_revision, create_revision, version, value }))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record::Mutation(Mutation {
                key: "/registry/pods/default/a".into(),
                mod_revision: 7,
                create_revision: 3,
                version: 2,
                value: Some(Bytes::from_static(b"{}")),
            }),
            Record::Mutation(Mutation {
                key: "/x".into(),
                mod_revision: 8,
                create_revision: 0,
                version: 0,
                value: None,
            }),
            Record::Compact(5),
        ]
    }

    #[test]
    fn records_round_trip() {
        let mut bytes = Vec::new();
        for record in sample() {
            encode(&record, &mut bytes);
        }
        assert_eq!(decode_all(&bytes), (sample(), bytes.len()));
    }

    #[test]
    fn a_torn_tail_is_cut_off() {
        let mut bytes = Vec::new();
        for record in sample() {
            encode(&record, &mut bytes);
        }
        let whole = bytes.len();
        encode(&sample()[0], &mut bytes);
        bytes.truncate(bytes.len() - 3);
        assert_eq!(decode_all(&bytes).1, whole);
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        assert_eq!(decode_all(&bytes).0.len(), 3);
    }

    #[test]
    fn reopening_zeroes_a_torn_tail_so_it_never_returns() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, records) = Log::open(dir.path()).unwrap();
        assert!(records.is_empty());
        let mut bytes = Vec::new();
        encode(&sample()[0], &mut bytes);
        log.append(&bytes).unwrap();
        log.append(&bytes[..5]).unwrap();
        // A torn write: the start of a frame, and a whole frame behind it.
        log.append(&bytes[..5]).unwrap();
        let mut second = Vec::new();
        encode(&sample()[1], &mut second);
        log.file.write_all_at(&second, log.len + 5).unwrap();
        drop(log);
        let (mut log, records) = Log::open(dir.path()).unwrap();
        assert_eq!(records, vec![sample()[0].clone()]);
        // A shorter append afterwards must not make the stale frame readable again.
        let mut short = Vec::new();
        encode(&Record::Compact(1), &mut short);
        log.append(&short).unwrap();
        drop(log);
        let (_, records) = Log::open(dir.path()).unwrap();
        assert_eq!(records, vec![sample()[0].clone(), Record::Compact(1)]);
    }
}
