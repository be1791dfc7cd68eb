//! `make bench`, kubelet part: a real `kctl server --docker-node n1` (one Docker node on
//! this machine's engine) and 100 pods of a locally built busybox image created at once
//! through the API. Measured from a watch: each pod's bound → Running latency (upstream's
//! pod startup SLI, image present), how many pods per second the node starts, and the
//! server's memory (apiserver, controllers, scheduler and the kubelet in one process)
//! before and with the 100 pods.
//!
//! No upstream kubelet can run on this offline machine; the reference column quotes
//! upstream's SLO (pod startup p99 ≤ 5 s).

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, PostParams};
use kube::runtime::watcher::{self, Event};

mod support;
use support::Server;

const PODS: usize = 100;
const IMAGE: &str = "kctl-bench/busybox:1";
const DEADLINE: Duration = Duration::from_secs(300);

/// The FROM-scratch busybox image (Debian's busybox-static).
fn build_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).expect("copy /bin/busybox (busybox-static)");
    let dockerfile =
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write Dockerfile");
    let built = Command::new("docker").args(["build", "-q", "-t", IMAGE]).arg(dir.path()).output().expect("docker");
    assert!(built.status.success(), "docker build: {}", String::from_utf8_lossy(&built.stderr));
}

/// Removes the cluster's containers and volumes, even when the bench fails.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let label = format!("label=kctl.io/cluster={}", self.0);
        let run = |args: &[&str]| {
            Command::new("docker").args(args).output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        };
        let ids = run(&["ps", "-aq", "--filter", &label]).unwrap_or_default();
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let _ = run(&[&["rm", "-f", "-v"], ids.as_slice()].concat());
        }
        let volumes = run(&["volume", "ls", "-q", "--filter", &label]).unwrap_or_default();
        let volumes: Vec<&str> = volumes.split_whitespace().collect();
        if !volumes.is_empty() {
            let _ = run(&[&["volume", "rm", "-f"], volumes.as_slice()].concat());
        }
    }
}

fn pod(index: usize) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("bench-{index}")},
        "spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [{"name": "main", "image": IMAGE, "imagePullPolicy": "Never", "command": ["sleep", "3600"]}],
        },
    }))
    .expect("pod")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Figures {
    latencies_ms: Vec<f64>,
    pods_per_second: f64,
    rss_idle: f64,
    rss_with_pods: f64,
}

async fn measure(server: &Server) -> Figures {
    let client = server.client().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let mut events = watcher::watcher(pods.clone(), watcher::Config::default()).boxed();
    let rss_idle = server.rss_mb();
    for index in 0..PODS {
        pods.create(&PostParams::default(), &pod(index)).await.expect("create pod");
    }
    let started = Instant::now();
    let (mut bound, mut running) = (HashMap::new(), HashMap::new());
    while running.len() < PODS {
        assert!(
            started.elapsed() < DEADLINE,
            "{} pods bound, {} Running after {DEADLINE:?}",
            bound.len(),
            running.len()
        );
        let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(10), events.next()).await else { continue };
        let (Event::Apply(pod) | Event::InitApply(pod)) = event.expect("watch") else { continue };
        let name = pod.metadata.name.clone().unwrap_or_default();
        let now = Instant::now();
        if pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() {
            bound.entry(name.clone()).or_insert(now);
        }
        if pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running") {
            running.entry(name).or_insert(now);
        }
    }
    let mut latencies_ms: Vec<f64> =
        running.iter().map(|(name, at)| at.duration_since(bound[name]).as_secs_f64() * 1000.0).collect();
    latencies_ms.sort_by(f64::total_cmp);
    let first_bound = bound.values().min().copied().unwrap_or(started);
    let last_running = running.values().max().copied().unwrap_or(started);
    let pods_per_second = PODS as f64 / last_running.duration_since(first_bound).as_secs_f64().max(0.001);
    Figures { latencies_ms, pods_per_second, rss_idle, rss_with_pods: server.rss_mb() }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    kctl::machinery::tls::install_crypto_provider();
    build_image();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--docker-node", "n1"]);
    let client = server.client().await;
    let namespaces: Api<Namespace> = Api::all(client);
    let cluster = namespaces.get("kube-system").await.expect("kube-system").metadata.uid.unwrap_or_default();
    let _cleanup = Cleanup(cluster);
    let figures = measure(&server).await;
    drop(server);

    let check = |ok: bool| if ok { "✓" } else { "✗" };
    let p50 = percentile(&figures.latencies_ms, 50.0);
    let p99 = percentile(&figures.latencies_ms, 99.0);
    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header([
        &format!("Docker kubelet, one node, {PODS} pods at once (image present)"),
        "kctl server --docker-node",
        "target",
        "upstream reference",
    ]);
    table.add_row([
        "pod startup, bound → Running p50 (ms)".to_string(),
        format!("{p50:.0}"),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        "pod startup, bound → Running p99 (ms)".to_string(),
        format!("{p99:.0}"),
        format!("≤ 1000: {}", check(p99 <= 1000.0)),
        "SLO: p99 ≤ 5 s".to_string(),
    ]);
    table.add_row([
        "pods started per second".to_string(),
        format!("{:.1}", figures.pods_per_second),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        "server RSS, no pods (MB)".to_string(),
        format!("{:.0}", figures.rss_idle),
        String::new(),
        String::new(),
    ]);
    let growth = figures.rss_with_pods - figures.rss_idle;
    table.add_row([
        format!("server RSS with {PODS} pods (MB; growth)"),
        format!("{:.0} (+{growth:.0})", figures.rss_with_pods),
        format!("kubelet ≤ 30 MB: {}", check(growth <= 30.0)),
        String::new(),
    ]);
    println!("{table}");
}
