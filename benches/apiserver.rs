//! `make bench`, apiserver part: a real `kctl server` process driven over HTTPS by a Rust
//! client (kube-rs), once on the embedded store and once on a real etcd, side by side.
//! (No upstream kube-apiserver can be installed on this offline machine, so the etcd
//! column is the reference for "what the store costs".)

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kctl::store::etcd_server::EtcdServer;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, PostParams, WatchEvent, WatchParams};
use kube::core::GroupVersionKind;
use parking_lot::Mutex;

mod support;
use support::Server;

const SEQUENTIAL: usize = 1_000;
const WRITERS: usize = 16;
const PER_WRITER: usize = 250;
const GETS: usize = 2_000;
const TOTAL_PODS: usize = 10_000;
const WATCHERS: usize = 100;
const WATCHED_EVENTS: usize = 100;

/// The apiserver alone: no scheduler or controllers writing events and status beside
/// the measured requests (those have their own benchmark).
fn start_server(dir: &Path, etcd: Option<&str>) -> Server {
    match etcd {
        Some(endpoint) => Server::start(dir, &["--apiserver-only", "--etcd-servers", endpoint]),
        None => Server::start(dir, &["--apiserver-only"]),
    }
}

fn pod(name: &str) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]}
    }))
    .expect("pod")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Default)]
struct Figures {
    sequential: f64,
    concurrent: f64,
    get_p50: f64,
    get_p99: f64,
    list_ms: f64,
    watch_p50: f64,
    watch_p99: f64,
    rss_idle: f64,
    rss_10k: f64,
    cr_sequential: f64,
    cr_concurrent: f64,
    cr_list_ms: f64,
}

/// A CRD with a structural schema, a default and printer columns: what custom resource
/// writes pay for (pruning, defaulting, validation) is in the figures.
fn widget_crd() -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.bench.example.com"},
        "spec": {"group": "bench.example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
                    "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 0, "maximum": 1000},
                        "colour": {"type": "string", "enum": ["red", "green", "blue"], "default": "red"},
                        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}}}}}}]}
    })
}

fn widget(resource: &ApiResource, name: &str) -> DynamicObject {
    let mut object = DynamicObject::new(name, resource);
    object.data = serde_json::json!({"spec": {"size": 3, "tags": ["a", "b"]}});
    object
}

/// CR creates (sequential, then 16 writers up to 10k) and a list of all 10k.
async fn measure_custom_resources(server: &Server, client: &kube::Client, figures: &mut Figures) {
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        ),
    );
    let crd: DynamicObject = serde_json::from_value(widget_crd()).expect("crd");
    crds.create(&PostParams::default(), &crd).await.expect("create CRD");
    let resource =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("bench.example.com", "v1", "Widget"), "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let deadline = Instant::now() + Duration::from_secs(30);
    while widgets.list(&ListParams::default().limit(1)).await.is_err() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    figures.cr_sequential = sequential_creates(server, |client| {
        let resource = resource.clone();
        async move {
            let widgets: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource);
            for i in 0..SEQUENTIAL {
                widgets
                    .create(&PostParams::default(), &widget(&resource, &format!("seq-{i}")))
                    .await
                    .expect("create CR");
            }
        }
    });
    let remaining = TOTAL_PODS - SEQUENTIAL;
    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (widgets, resource) = (widgets.clone(), resource.clone());
        writers.push(tokio::spawn(async move {
            for i in (w..remaining).step_by(WRITERS) {
                widgets
                    .create(&PostParams::default(), &widget(&resource, &format!("conc-{i}")))
                    .await
                    .expect("create CR");
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    figures.cr_concurrent = remaining as f64 / started.elapsed().as_secs_f64();
    let mut lists = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let all = widgets.list(&ListParams::default()).await.expect("list CRs");
        assert_eq!(all.items.len(), TOTAL_PODS);
        lists.push(started.elapsed().as_secs_f64() * 1e3);
    }
    lists.sort_by(f64::total_cmp);
    figures.cr_list_ms = lists[1];
}

/// Creates/s of one client creating pods one after another. It runs on a current-thread
/// runtime of its own, as a sequential client would: on a multi-thread one each request
/// also pays kube's hand-offs between tasks (tower's buffer worker, hyper's connection
/// task) as wake-ups across threads, about 150 µs of client CPU per create here, which
/// measures the client's runtime rather than the server.
fn sequential_creates<F: Future<Output = ()>>(server: &Server, creates: impl FnOnce(kube::Client) -> F + Send) -> f64 {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async {
                    let client = server.client().await;
                    let started = Instant::now();
                    creates(client).await;
                    SEQUENTIAL as f64 / started.elapsed().as_secs_f64()
                })
            })
            .join()
            .expect("sequential client")
    })
}

/// Ready: a list answers (then a moment for start-up work to settle).
async fn wait_ready(pods: &Api<Pod>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while pods.list(&ListParams::default().limit(1)).await.is_err() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
}

async fn sequential_pod_creates(server: &Server) -> f64 {
    sequential_creates(server, |client| async move {
        let pods: Api<Pod> = Api::namespaced(client, "default");
        for i in 0..SEQUENTIAL {
            pods.create(&PostParams::default(), &pod(&format!("seq-{i}"))).await.expect("create");
        }
    })
}

/// What one durable write costs on this disk, whoever makes it: 4 KiB appended to a file
/// in `dir` and fdatasync'd, the median of 500 (ms). A sequential create waits for one.
fn durable_write_ms(dir: &Path) -> f64 {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let block = vec![7u8; 4096];
    let mut times: Vec<f64> = (0..500)
        .map(|_| {
            let started = Instant::now();
            file.write_all(&block).and_then(|()| file.sync_data()).expect("durable write");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    times.sort_by(f64::total_cmp);
    percentile(&times, 0.5)
}

/// Sequential creates with the data dir in memory (/dev/shm), where fdatasync costs
/// nothing: the rest of the pipeline's own rate, apart from the disk.
async fn sequential_without_disk() -> Option<f64> {
    let dir = tempfile::tempdir_in("/dev/shm").ok()?;
    let server = start_server(dir.path(), None);
    wait_ready(&Api::namespaced(server.client().await, "default")).await;
    Some(sequential_pod_creates(&server).await)
}

async fn measure(server: &Server) -> Figures {
    let mut figures = Figures::default();
    let client = server.client().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    wait_ready(&pods).await;
    figures.rss_idle = server.rss_mb();

    figures.sequential = sequential_pod_creates(server).await;

    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let pods = pods.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                pods.create(&PostParams::default(), &pod(&format!("conc-{w}-{i}"))).await.expect("create");
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    figures.concurrent = (WRITERS * PER_WRITER) as f64 / started.elapsed().as_secs_f64();

    let mut gets = Vec::with_capacity(GETS);
    for _ in 0..GETS {
        let started = Instant::now();
        pods.get("seq-0").await.expect("get");
        gets.push(started.elapsed().as_secs_f64() * 1e3);
    }
    gets.sort_by(f64::total_cmp);
    figures.get_p50 = percentile(&gets, 0.5);
    figures.get_p99 = percentile(&gets, 0.99);

    let remaining = TOTAL_PODS - SEQUENTIAL - WRITERS * PER_WRITER;
    let mut fillers = Vec::new();
    for w in 0..WRITERS {
        let pods = pods.clone();
        fillers.push(tokio::spawn(async move {
            for i in (w..remaining).step_by(WRITERS) {
                pods.create(&PostParams::default(), &pod(&format!("fill-{i}"))).await.expect("create");
            }
        }));
    }
    for filler in fillers {
        filler.await.expect("filler");
    }
    let mut lists = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let all = pods.list(&ListParams::default()).await.expect("list");
        assert_eq!(all.items.len(), TOTAL_PODS);
        lists.push(started.elapsed().as_secs_f64() * 1e3);
    }
    lists.sort_by(f64::total_cmp);
    figures.list_ms = lists[1];
    figures.rss_10k = server.rss_mb();

    // 100 watchers on one namespace; each event's delay from the create call to each watcher.
    let watched: Api<Pod> = Api::namespaced(client.clone(), "kube-public");
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let delays: Arc<Mutex<Vec<f64>>> = Arc::default();
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let (watched, sent, delays) = (watched.clone(), sent.clone(), delays.clone());
        let mut stream = watched.watch(&WatchParams::default().timeout(120), "0").await.expect("watch").boxed();
        watchers.push(tokio::spawn(async move {
            let mut seen = 0;
            while let Some(Ok(event)) = stream.next().await {
                if let WatchEvent::Added(pod) = event {
                    let name = pod.metadata.name.unwrap_or_default();
                    if let Some(at) = sent.lock().get(&name) {
                        delays.lock().push(at.elapsed().as_secs_f64() * 1e3);
                    }
                    seen += 1;
                    if seen == WATCHED_EVENTS {
                        return;
                    }
                }
            }
        }));
    }
    for i in 0..WATCHED_EVENTS {
        let name = format!("watched-{i}");
        sent.lock().insert(name.clone(), Instant::now());
        watched.create(&PostParams::default(), &pod(&name)).await.expect("create");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for watcher in watchers {
        let _ = tokio::time::timeout(Duration::from_secs(60), watcher).await;
    }
    let mut delays = delays.lock().clone();
    delays.sort_by(f64::total_cmp);
    if !delays.is_empty() {
        figures.watch_p50 = percentile(&delays, 0.5);
        figures.watch_p99 = percentile(&delays, 0.99);
    }
    measure_custom_resources(server, &client, &mut figures).await;
    figures
}

#[tokio::main]
async fn main() {
    kctl::machinery::tls::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = {
        let server = start_server(&dir.path().join("embedded"), None);
        measure(&server).await
    };
    let etcd_dir = tempfile::tempdir().expect("temp dir");
    let etcd = match EtcdServer::start(etcd_dir.path()).await {
        Ok(etcd) => {
            let server = start_server(&dir.path().join("etcd"), Some(&etcd.endpoint()));
            let figures = measure(&server).await;
            drop(server);
            Ok(figures)
        }
        Err(err) => Err(err.to_string()),
    };

    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header([
        "apiserver",
        "kctl server (embedded store)",
        "kctl server (etcd store)",
        "target",
    ]);
    let mut row = |name: &str, f: fn(&Figures) -> f64, digits: usize, target: String| {
        let cell = |figures: &Figures| format!("{:.*}", digits, f(figures));
        let etcd_cell = etcd.as_ref().map(cell).unwrap_or_else(|e| format!("n/a: {e}"));
        table.add_row([name.to_string(), cell(&embedded), etcd_cell, target]);
    };
    let check = |ok: bool| if ok { "✓" } else { "✗" };
    row("pod creates/s, sequential", |f| f.sequential, 0, format!("≥ 2000: {}", check(embedded.sequential >= 2000.0)));
    row("pod creates/s, 16 concurrent", |f| f.concurrent, 0, String::new());
    row("get p50 (ms)", |f| f.get_p50, 3, String::new());
    row("get p99 (ms)", |f| f.get_p99, 3, format!("< 5 ms: {}", check(embedded.get_p99 < 5.0)));
    row("list 10k pods (ms)", |f| f.list_ms, 1, String::new());
    row("watch delivery p50, 100 watchers (ms)", |f| f.watch_p50, 3, String::new());
    row("watch delivery p99, 100 watchers (ms)", |f| f.watch_p99, 3, String::new());
    row("CR creates/s, sequential", |f| f.cr_sequential, 0, String::new());
    row("CR creates/s, 16 concurrent", |f| f.cr_concurrent, 0, String::new());
    row("list 10k CRs (ms)", |f| f.cr_list_ms, 1, String::new());
    row("RSS idle (MB)", |f| f.rss_idle, 1, format!("< 30 MB: {}", check(embedded.rss_idle < 30.0)));
    row("RSS with 10k pods (MB)", |f| f.rss_10k, 1, format!("< 150 MB: {}", check(embedded.rss_10k < 150.0)));
    println!("{table}");

    // Where a sequential create's time goes: the disk's durable write, and the rest.
    let fsync_ms = durable_write_ms(dir.path());
    let in_memory = sequential_without_disk().await;
    let mut disk = Table::new();
    disk.load_preset(UTF8_FULL).set_header(["sequential pod creates, embedded store", "value"]);
    disk.add_row(["creates/s, data dir on this disk".to_string(), format!("{:.0}", embedded.sequential)]);
    disk.add_row([
        "creates/s, data dir in memory (/dev/shm: fsync is free)".to_string(),
        in_memory.map(|r| format!("{r:.0}")).unwrap_or_else(|| "n/a: no /dev/shm".to_string()),
    ]);
    disk.add_row(["one fdatasync'd 4 KiB append on this disk, median (ms)".to_string(), format!("{fsync_ms:.3}")]);
    println!("{disk}");
}
