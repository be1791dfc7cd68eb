//! `make bench`, control-plane part: a real `kctl server` with 1,000 hollow nodes, a
//! 10,000-replica Deployment applied through the API, and the time until every pod is
//! bound and Ready — the whole pipeline (deployment → replicaset → scheduler → hollow
//! kubelets), each component an API client of the apiserver as upstream's are.
//!
//! No upstream control plane can be installed on this offline machine; the reference
//! column quotes upstream's own gates (scheduler_perf's 680 pods/s on 5,000 nodes).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, PostParams};
use kube::runtime::watcher::{self, Event};

mod support;
use support::Server;

const NODES: usize = 1_000;
const REPLICAS: usize = 10_000;
const DEADLINE: Duration = Duration::from_secs(300);

fn is_ready(conditions: Option<&[k8s_openapi::api::core::v1::PodCondition]>) -> bool {
    conditions.is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

async fn wait_for_ready_nodes(nodes: &Api<Node>) -> Duration {
    let started = Instant::now();
    loop {
        let ready = nodes
            .list(&ListParams::default())
            .await
            .map(|list| {
                list.items
                    .iter()
                    .filter(|n| {
                        n.status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                    })
                    .count()
            })
            .unwrap_or(0);
        if ready >= NODES {
            return started.elapsed();
        }
        assert!(started.elapsed() < DEADLINE, "only {ready} of {NODES} nodes became Ready");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn deployment() -> Deployment {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": "scale"},
        "spec": {
            "replicas": REPLICAS,
            "selector": {"matchLabels": {"app": "scale"}},
            "template": {
                "metadata": {"labels": {"app": "scale"}},
                "spec": {"containers": [{"name": "app", "image": "busybox:1.36",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
            }
        }
    }))
    .expect("deployment")
}

struct Figures {
    nodes_ready: Duration,
    all_created: Duration,
    all_bound: Duration,
    all_ready: Duration,
    rss_end: f64,
    rss_peak: f64,
}

async fn measure(server: &Server) -> Figures {
    let client = server.client().await;
    let nodes_ready = wait_for_ready_nodes(&Api::all(client.clone())).await;

    // One watch of the namespace's pods tells when each pod was created, bound and Ready.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let mut events = watcher::watcher(pods, watcher::Config::default()).boxed();
    // The watch is established (its initial, empty list is done) before the clock starts.
    while let Some(event) = events.next().await {
        if matches!(event, Ok(Event::InitDone)) {
            break;
        }
    }

    let started = Instant::now();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deployments.create(&PostParams::default(), &deployment()).await.expect("create deployment");
    let (mut created, mut bound, mut ready) = (HashSet::new(), HashSet::new(), HashSet::new());
    let (mut all_created, mut all_bound) = (None, None);
    while ready.len() < REPLICAS {
        let remaining = DEADLINE.saturating_sub(started.elapsed());
        let event = match tokio::time::timeout(remaining, events.next()).await {
            Ok(Some(Ok(event))) => event,
            Ok(Some(Err(_))) => continue,
            Ok(None) | Err(_) => panic!(
                "after {DEADLINE:?}: {} pods created, {} bound, {} Ready",
                created.len(),
                bound.len(),
                ready.len()
            ),
        };
        if let Event::Apply(pod) | Event::InitApply(pod) = event {
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            if created.insert(uid.clone()) && created.len() >= REPLICAS {
                all_created.get_or_insert(started.elapsed());
            }
            if pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none() {
                continue;
            }
            bound.insert(uid.clone());
            if is_ready(pod.status.as_ref().and_then(|s| s.conditions.as_deref())) {
                ready.insert(uid);
            }
            if all_bound.is_none() && bound.len() >= REPLICAS {
                all_bound = Some(started.elapsed());
            }
        }
    }
    let all_ready = started.elapsed();
    let (rss_end, rss_peak) = (server.rss_mb(), server.peak_rss_mb());
    Figures {
        nodes_ready,
        all_created: all_created.unwrap_or(all_ready),
        all_bound: all_bound.unwrap_or(all_ready),
        all_ready,
        rss_end,
        rss_peak,
    }
}

#[tokio::main]
async fn main() {
    kctl::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--hollow-nodes", &NODES.to_string()]);
    let figures = measure(&server).await;
    drop(server);

    let bound_per_second = REPLICAS as f64 / figures.all_bound.as_secs_f64();
    let check = |ok: bool| if ok { "✓" } else { "✗" };
    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header([
        &format!("control plane, {NODES} hollow nodes, {REPLICAS}-replica deployment"),
        "kctl server",
        "target",
        "upstream reference",
    ]);
    table.add_row([
        format!("{NODES} nodes registered and Ready (s)"),
        format!("{:.1}", figures.nodes_ready.as_secs_f64()),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        format!("apply → all {REPLICAS} pods created (s)"),
        format!("{:.1}", figures.all_created.as_secs_f64()),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        "pods bound per second (apply → last bound)".to_string(),
        format!("{bound_per_second:.0}"),
        format!("≥ 2000: {}", check(bound_per_second >= 2000.0)),
        "scheduler_perf gate: 680 pods/s (5k nodes)".to_string(),
    ]);
    table.add_row([
        format!("apply → all {REPLICAS} pods Ready (s)"),
        format!("{:.1}", figures.all_ready.as_secs_f64()),
        format!("≤ 15 s: {}", check(figures.all_ready <= Duration::from_secs(15))),
        String::new(),
    ]);
    table.add_row([
        "control-plane RSS at the end (MB)".to_string(),
        format!("{:.0}", figures.rss_end),
        format!("< 250 MB: {}", check(figures.rss_end < 250.0)),
        String::new(),
    ]);
    table.add_row([
        "control-plane peak RSS (MB)".to_string(),
        format!("{:.0}", figures.rss_peak),
        String::new(),
        String::new(),
    ]);
    println!("{table}");
}
