//! `make bench`, store part: the embedded store and a real etcd side by side, in one run,
//! with the same durability promise (both fsync before acknowledging a write).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use kctl::store::embedded::EmbeddedStore;
use kctl::store::etcd_server::EtcdServer;
use kctl::store::{RangeRequest, Store};

const SEQUENTIAL_PUTS: usize = 2_000;
const CONCURRENT_WRITERS: usize = 16;
const PUTS_PER_WRITER: usize = 3_000;
const RANGE_KEYS: usize = 10_000;
const WATCH_SAMPLES: usize = 1_000;
const REOPEN_KEYS: usize = 100_000;

struct Figures {
    sequential_puts_per_s: f64,
    concurrent_puts_per_s: f64,
    range_10k_ms: f64,
    watch_p50_ms: f64,
    watch_p99_ms: f64,
}

fn value() -> Bytes {
    Bytes::from(vec![b'v'; 256])
}

async fn measure(store: Arc<dyn Store>) -> Figures {
    let started = Instant::now();
    for i in 0..SEQUENTIAL_PUTS {
        store.create(&format!("/seq/{i}"), value()).await.expect("put");
    }
    let sequential_puts_per_s = SEQUENTIAL_PUTS as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut writers = Vec::new();
    for writer in 0..CONCURRENT_WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..PUTS_PER_WRITER {
                store.create(&format!("/conc/{writer}/{i}"), value()).await.expect("put");
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let concurrent_puts_per_s = (CONCURRENT_WRITERS * PUTS_PER_WRITER) as f64 / started.elapsed().as_secs_f64();

    let mut fillers = Vec::new();
    for filler in 0..CONCURRENT_WRITERS {
        let store = store.clone();
        fillers.push(tokio::spawn(async move {
            for i in (filler..RANGE_KEYS).step_by(CONCURRENT_WRITERS) {
                store.create(&format!("/range/{i:05}"), value()).await.expect("put");
            }
        }));
    }
    for filler in fillers {
        filler.await.expect("filler");
    }
    let mut range_times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let all = store.range(RangeRequest::prefix("/range/")).await.expect("range");
        assert_eq!(all.kvs.len(), RANGE_KEYS);
        range_times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    range_times.sort_by(f64::total_cmp);

    // Watch delivery: from issuing a put to the watcher holding its event.
    let mut watch = store.watch("/lat/", 0).await.expect("watch");
    let mut latencies = Vec::with_capacity(WATCH_SAMPLES);
    for i in 0..WATCH_SAMPLES {
        let key = format!("/lat/{i}");
        let started = Instant::now();
        store.create(&key, value()).await.expect("put");
        let event = tokio::time::timeout(Duration::from_secs(5), watch.next())
            .await
            .expect("event within 5s")
            .expect("watch open")
            .expect("event");
        assert_eq!(event.kv.key, key);
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
    }
    latencies.sort_by(f64::total_cmp);
    Figures {
        sequential_puts_per_s,
        concurrent_puts_per_s,
        range_10k_ms: range_times[range_times.len() / 2],
        watch_p50_ms: latencies[latencies.len() / 2],
        watch_p99_ms: latencies[latencies.len() * 99 / 100],
    }
}

/// Seconds to reopen an embedded store holding 100k keys.
async fn reopen_100k() -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Arc::new(EmbeddedStore::open(dir.path()).expect("open"));
        let mut writers = Vec::new();
        for writer in 0..64 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                for i in (writer..REOPEN_KEYS).step_by(64) {
                    store.create(&format!("/registry/pods/default/pod-{i}"), value()).await.expect("put");
                }
            }));
        }
        for writer in writers {
            writer.await.expect("writer");
        }
    }
    let started = Instant::now();
    let store = EmbeddedStore::open(dir.path()).expect("reopen");
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(store.range(RangeRequest::prefix("/registry/")).await.expect("range").kvs.len(), REOPEN_KEYS);
    elapsed
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes --bench; any other argument is ignored.
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir.path().join("embedded")).expect("open"));
    let embedded = measure(embedded).await;

    let etcd_dir = tempfile::tempdir().expect("temp dir");
    let etcd = match EtcdServer::start(etcd_dir.path()).await {
        Ok(server) => {
            let store: Arc<dyn Store> = Arc::new(server.connect().await.expect("connect"));
            let figures = measure(store).await;
            drop(server);
            Ok(figures)
        }
        Err(err) => Err(err.to_string()),
    };
    let reopen = reopen_100k().await;

    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header(["store", "kctl embedded", "etcd (Debian etcd-server)", "target"]);
    let etcd_cell = |f: fn(&Figures) -> String| etcd.as_ref().map(f).unwrap_or_else(|e| format!("n/a: {e}"));
    table.add_row([
        "sequential puts/s".to_string(),
        format!("{:.0}", embedded.sequential_puts_per_s),
        etcd_cell(|f| format!("{:.0}", f.sequential_puts_per_s)),
        String::new(),
    ]);
    let ratio = etcd.as_ref().map(|e| embedded.concurrent_puts_per_s / e.concurrent_puts_per_s).ok();
    table.add_row([
        format!("puts/s, {CONCURRENT_WRITERS} concurrent writers (fsync'd)"),
        format!("{:.0}", embedded.concurrent_puts_per_s),
        etcd_cell(|f| format!("{:.0}", f.concurrent_puts_per_s)),
        format!(
            "embedded ≥ 10× etcd: {}",
            ratio.map(|r| format!("{r:.1}× {}", if r >= 10.0 { "✓" } else { "✗" })).unwrap_or_default()
        ),
    ]);
    table.add_row([
        "range of 10k keys (median ms)".to_string(),
        format!("{:.2}", embedded.range_10k_ms),
        etcd_cell(|f| format!("{:.2}", f.range_10k_ms)),
        String::new(),
    ]);
    table.add_row([
        "put → watch event p50 (ms)".to_string(),
        format!("{:.3}", embedded.watch_p50_ms),
        etcd_cell(|f| format!("{:.3}", f.watch_p50_ms)),
        String::new(),
    ]);
    table.add_row([
        "put → watch event p99 (ms)".to_string(),
        format!("{:.3}", embedded.watch_p99_ms),
        etcd_cell(|f| format!("{:.3}", f.watch_p99_ms)),
        format!("< 5 ms: {}", if embedded.watch_p99_ms < 5.0 { "✓" } else { "✗" }),
    ]);
    table.add_row([
        "reopen a store of 100k keys (s)".to_string(),
        format!("{reopen:.3}"),
        "—".to_string(),
        format!("< 1 s: {}", if reopen < 1.0 { "✓" } else { "✗" }),
    ]);
    println!("{table}");
}
