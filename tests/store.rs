//! The store's behaviour, one suite run against both backends: the embedded store in a
//! temp dir, and a real etcd (Debian's `etcd-server`) started on loopback. Where etcd is
//! not installed its tests print why and pass, except under CI, where they fail.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use kctl::store::embedded::EmbeddedStore;
use kctl::store::etcd_server::{EtcdServer, EtcdServerError};
use kctl::store::{EventKind, RangeRequest, Revision, Store, StoreError, WatchEvent};
use tempfile::TempDir;

/// A store under test and whatever must live as long as it.
struct Harness {
    store: Arc<dyn Store>,
    _server: Option<EtcdServer>,
    _dir: TempDir,
}

async fn embedded_store() -> Option<Harness> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(dir.path()).expect("open embedded store");
    Some(Harness { store: Arc::new(store), _server: None, _dir: dir })
}

async fn start_etcd(dir: &TempDir) -> Option<EtcdServer> {
    match EtcdServer::start(&dir.path().join("etcd")).await {
        Ok(server) => Some(server),
        Err(EtcdServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {}", EtcdServerError::NotInstalled);
            None
        }
        Err(err) => panic!("etcd: {err}"),
    }
}

async fn etcd_store() -> Option<Harness> {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_etcd(&dir).await?;
    let store = server.connect().await.expect("connect to etcd");
    Some(Harness { store: Arc::new(store), _server: Some(server), _dir: dir })
}

/// Runs the behaviour `$name(store)` once per backend.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn embedded() {
                if let Some(harness) = super::embedded_store().await {
                    super::$name(harness.store.clone()).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn etcd() {
                if let Some(harness) = super::etcd_store().await {
                    super::$name(harness.store.clone()).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    concurrent_compare_and_swap_loses_no_increment,
    conditional_writes_report_what_they_found,
    watch_replays_history_in_order_then_goes_live,
    watch_and_range_before_the_compaction_point_are_compacted,
    paged_range_returns_each_key_once_while_writes_go_on,
);

fn bytes(s: impl ToString) -> Bytes {
    Bytes::from(s.to_string())
}

async fn concurrent_compare_and_swap_loses_no_increment(store: Arc<dyn Store>) {
    const TASKS: u64 = 8;
    const INCREMENTS: u64 = 40;
    store.create("/counter", bytes(0)).await.expect("create counter");
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut current = store.get("/counter").await.expect("get").expect("counter exists");
            for _ in 0..INCREMENTS {
                loop {
                    let value: u64 = std::str::from_utf8(&current.value).unwrap().parse().unwrap();
                    match store.update("/counter", bytes(value + 1), current.mod_revision).await {
                        Ok(written) => {
                            current = written;
                            break;
                        }
                        Err(StoreError::Conflict { current: Some(now), .. }) => current = *now,
                        Err(err) => panic!("update failed: {err}"),
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let counter = store.get("/counter").await.unwrap().unwrap();
    assert_eq!(counter.value, bytes(TASKS * INCREMENTS));
    assert_eq!(counter.version, (TASKS * INCREMENTS + 1) as i64);
}

async fn conditional_writes_report_what_they_found(store: Arc<dyn Store>) {
    let created = store.create("/c/a", bytes("one")).await.unwrap();
    assert_eq!(
        (created.create_revision, created.mod_revision, created.version),
        (created.mod_revision, created.mod_revision, 1)
    );
    assert!(matches!(store.create("/c/a", bytes("again")).await, Err(StoreError::KeyExists(_))));

    let updated = store.update("/c/a", bytes("two"), created.mod_revision).await.unwrap();
    assert_eq!(updated.create_revision, created.create_revision);
    assert_eq!(updated.version, 2);
    match store.update("/c/a", bytes("stale"), created.mod_revision).await {
        Err(StoreError::Conflict { current: Some(current), .. }) => assert_eq!(*current, updated),
        other => panic!("expected a conflict carrying the current value, got {other:?}"),
    }
    assert!(matches!(store.delete("/c/a", Some(created.mod_revision)).await, Err(StoreError::Conflict { .. })));
    let deleted = store.delete("/c/a", Some(updated.mod_revision)).await.unwrap();
    assert_eq!(deleted, updated);
    assert!(store.get("/c/a").await.unwrap().is_none());
    assert!(matches!(store.delete("/c/a", None).await, Err(StoreError::NotFound(_))));
    assert!(matches!(
        store.update("/c/a", bytes("x"), updated.mod_revision).await,
        Err(StoreError::Conflict { current: None, .. })
    ));

    // A recreated key starts a new life: version 1, a new create_revision.
    let again = store.create("/c/a", bytes("three")).await.unwrap();
    assert_eq!(again.version, 1);
    assert!(again.create_revision > updated.mod_revision);
}

/// Writes `count` changes under /w/ (puts, overwrites and deletes) and returns the
/// revision and key of each.
async fn write_changes(store: &Arc<dyn Store>, from: usize, count: usize) -> Vec<(Revision, String, EventKind)> {
    let mut written = Vec::new();
    for i in from..from + count {
        let key = format!("/w/{}", i % 7);
        let change = match store.get(&key).await.unwrap() {
            None => (store.create(&key, bytes(i)).await.unwrap().mod_revision, EventKind::Put),
            Some(kv) if i % 5 == 0 => {
                store.delete(&key, Some(kv.mod_revision)).await.unwrap();
                (store.current_revision().await.unwrap(), EventKind::Delete)
            }
            Some(kv) => (store.update(&key, bytes(i), kv.mod_revision).await.unwrap().mod_revision, EventKind::Put),
        };
        written.push((change.0, key, change.1));
        // A write outside the prefix must not be seen by the watch.
        if i % 3 == 0 {
            let _ = store.create(&format!("/other/{i}"), bytes(i)).await.unwrap();
        }
    }
    written
}

async fn watch_replays_history_in_order_then_goes_live(store: Arc<dyn Store>) {
    let history = write_changes(&store, 0, 60).await;
    let start = history[10].0;
    let mut watch = store.watch("/w/", start).await.expect("watch");
    let live = write_changes(&store, 60, 60).await;
    let expected: Vec<_> = history[10..].iter().chain(live.iter()).cloned().collect();

    let mut seen: Vec<WatchEvent> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < expected.len() {
        match tokio::time::timeout_at(deadline, watch.next()).await {
            Ok(Some(Ok(event))) => seen.push(event),
            other => panic!("watch ended early after {} events: {other:?}", seen.len()),
        }
    }
    let seen_changes: Vec<_> = seen.iter().map(|e| (e.kv.mod_revision, e.kv.key.clone(), e.kind)).collect();
    assert_eq!(seen_changes, expected, "every change once, in order");
    for event in &seen {
        if event.kind == EventKind::Delete {
            assert!(event.prev_kv.is_some(), "a delete carries the last value");
        }
    }
    // Nothing more: no duplicate after the last expected event.
    let more = tokio::time::timeout(Duration::from_millis(300), watch.next()).await;
    assert!(more.is_err(), "unexpected extra event {more:?}");
}

async fn watch_and_range_before_the_compaction_point_are_compacted(store: Arc<dyn Store>) {
    let history = write_changes(&store, 0, 30).await;
    let compact_at = history[15].0;
    store.compact(compact_at).await.expect("compact");

    let early = history[5].0;
    match store.watch("/w/", early).await {
        Err(StoreError::Compacted { .. }) => {}
        Ok(mut watch) => match tokio::time::timeout(Duration::from_secs(10), watch.next()).await {
            Ok(Some(Err(StoreError::Compacted { .. }))) => {}
            other => panic!("expected a compacted error, got {other:?}"),
        },
        Err(other) => panic!("expected a compacted error, got {other}"),
    }
    assert!(matches!(
        store.range(RangeRequest::prefix("/w/").at_revision(early)).await,
        Err(StoreError::Compacted { .. })
    ));
    // From the compaction point on, history is still there.
    let at = store.range(RangeRequest::prefix("/w/").at_revision(compact_at)).await.expect("range at compaction point");
    assert!(!at.kvs.is_empty());
    let mut watch = store.watch("/w/", compact_at + 1).await.expect("watch after compaction point");
    let first = tokio::time::timeout(Duration::from_secs(10), watch.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(first.kv.mod_revision, history[16].0);
}

async fn paged_range_returns_each_key_once_while_writes_go_on(store: Arc<dyn Store>) {
    const KEYS: usize = 300;
    let mut expected = BTreeSet::new();
    for i in 0..KEYS {
        let key = format!("/r/{i:04}");
        store.create(&key, bytes(i)).await.unwrap();
        expected.insert(key);
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0usize;
            // Bounded: at most 2,000 writes, and it stops when the reader is done.
            while i < 2000 && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let key = format!("/r/{:04}", (i * 37) % KEYS);
                if let Some(kv) = store.get(&key).await.unwrap() {
                    let _ = store.update(&key, bytes("changed"), kv.mod_revision).await;
                }
                let _ = store.create(&format!("/r/{:04}x{i}", (i * 13) % KEYS), bytes(i)).await;
                i += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;

    let mut seen = Vec::new();
    let first = store.range(RangeRequest::prefix("/r/").with_limit(23)).await.unwrap();
    let revision = first.revision;
    let mut page = first;
    loop {
        for kv in &page.kvs {
            assert!(kv.mod_revision <= revision, "a page shows only the first page's revision");
        }
        seen.extend(page.kvs.iter().map(|kv| kv.key.clone()));
        if !page.more {
            break;
        }
        let last = page.kvs.last().expect("a page with more has keys").key.clone();
        page = store.range(RangeRequest::prefix("/r/").with_limit(23).continue_after(&last, revision)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();

    let unique: BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no key twice");
    // Keys created after the first page's revision are not part of this read.
    let at_revision = store.range(RangeRequest::prefix("/r/").at_revision(revision)).await.unwrap();
    let at_revision: BTreeSet<_> = at_revision.kvs.into_iter().map(|kv| kv.key).collect();
    assert_eq!(unique, at_revision);
    assert!(unique.is_superset(&expected));
}

// ---- crash safety ----

const CRASH_DIR_ENV: &str = "KCTL_TEST_CRASH_DIR";
const CRASH_WRITERS: usize = 8;

/// The child side of the embedded crash test: writes keys from several tasks and prints
/// each one once its write is acknowledged. Runs only when the parent test starts it.
#[test]
#[ignore = "run as a child process by embedded_store_keeps_every_acknowledged_write"]
fn crash_child_writer() {
    let Some(dir) = std::env::var_os(CRASH_DIR_ENV) else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let store = Arc::new(EmbeddedStore::open(std::path::Path::new(&dir)).unwrap());
        let mut tasks = Vec::new();
        for writer in 0..CRASH_WRITERS {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..100_000 {
                    let key = format!("/crash/{writer}/{i}");
                    store.create(&key, bytes(&key)).await.unwrap();
                    println!("ACK {key}");
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
}

#[test]
fn embedded_store_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CRASH_DIR_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut acknowledged = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.len() < 2000 && Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(key) = line.strip_prefix("ACK ") {
                    acknowledged.push(key.to_string());
                }
            }
            _ => break,
        }
    }
    child.kill().unwrap(); // SIGKILL mid-stream
                           // Acknowledgements already printed before the kill count too.
    for line in lines.map_while(Result::ok) {
        if let Some(key) = line.strip_prefix("ACK ") {
            acknowledged.push(key.to_string());
        }
    }
    child.wait().unwrap();
    assert!(acknowledged.len() >= 2000, "the child acknowledged only {} writes", acknowledged.len());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = EmbeddedStore::open(dir.path()).expect("reopen after SIGKILL");
        let all = store.range(RangeRequest::prefix("/crash/")).await.unwrap();
        let present: BTreeSet<_> = all.kvs.iter().map(|kv| kv.key.clone()).collect();
        let missing: Vec<_> = acknowledged.iter().filter(|k| !present.contains(*k)).take(5).collect();
        assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
        for kv in &all.kvs {
            assert_eq!(kv.value, bytes(&kv.key));
        }
        // And the reopened store goes on writing.
        store.create("/crash/after", bytes("x")).await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn etcd_store_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut server) = start_etcd(&dir).await else { return };
    let store: Arc<dyn Store> = Arc::new(server.connect().await.unwrap());
    let acknowledged = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for writer in 0..CRASH_WRITERS {
        let (store, acknowledged) = (store.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..100_000 {
                let key = format!("/crash/{writer}/{i}");
                match tokio::time::timeout(Duration::from_secs(2), store.create(&key, bytes(&key))).await {
                    Ok(Ok(_)) => acknowledged.lock().push(key),
                    _ => return, // etcd is gone
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill(); // SIGKILL mid-stream
    for task in tasks {
        task.await.unwrap();
    }
    server.restart().await.expect("etcd restarts on its data dir");
    let store = server.connect().await.unwrap();
    let all = store.range(RangeRequest::prefix("/crash/")).await.unwrap();
    let present: BTreeSet<_> = all.kvs.iter().map(|kv| kv.key.clone()).collect();
    let acknowledged = acknowledged.lock().clone();
    assert!(acknowledged.len() >= 300);
    let missing: Vec<_> = acknowledged.iter().filter(|k| !present.contains(*k)).take(5).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
}

#[tokio::test]
async fn a_store_of_100k_keys_reopens_whole() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
        // Concurrent writers so group commit keeps the fill quick.
        let mut tasks = Vec::new();
        for writer in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..2000 {
                    let key = format!("/registry/pods/ns{writer}/pod-{i}");
                    store.create(&key, Bytes::from(vec![b'x'; 200])).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    }
    // (How fast this reopens is measured by `make bench`, not asserted here.)
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let all = store.range(RangeRequest::prefix("/registry/")).await.unwrap();
    assert_eq!(all.kvs.len(), 100_000);
    assert_eq!(store.current_revision().await.unwrap(), 100_000);
}

#[test]
fn a_second_process_cannot_open_the_same_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let _first = EmbeddedStore::open(dir.path()).unwrap();
    assert!(EmbeddedStore::open(dir.path()).is_err());
}

#[tokio::test]
async fn the_embedded_store_knows_what_its_slowest_watch_has_yet_to_read() {
    let harness = embedded_store().await.expect("embedded store");
    let store = harness.store;
    assert_eq!(store.oldest_watch(), None);
    let first = store.create("/registry/pods/default/a", bytes("a")).await.expect("create").mod_revision;
    let mut behind = store.watch("/registry/pods/", first).await.expect("watch from the first write");
    let caught_up = store.watch("/registry/pods/", 0).await.expect("watch from now");
    store.create("/registry/pods/default/b", bytes("b")).await.expect("create");
    // The watch from the first write has read nothing yet: history from there is wanted.
    assert_eq!(store.oldest_watch(), Some(first));
    let event = tokio::time::timeout(Duration::from_secs(5), behind.next()).await.expect("an event");
    assert!(matches!(event, Some(Ok(_))));
    assert!(store.oldest_watch().is_some_and(|r| r > first), "{:?}", store.oldest_watch());
    drop((behind, caught_up));
    assert_eq!(store.oldest_watch(), None);
}
