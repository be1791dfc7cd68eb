//! `make bench`, control-plane part: a real `kctl server` with 1,000 hollow nodes and a
//! 10,000-replica Deployment applied through the API, each component an API client of
//! the apiserver as upstream's are. Two runs, each on a fresh server:
//! - scheduling throughput, as scheduler_perf measures it: the scheduler's pods/s while
//!   pods wait for it. The bench holds the kube-scheduler Lease (as another control plane
//!   would) while the controllers create the 10,000 pods, then releases it; our scheduler
//!   takes over and binds them.
//! - the whole pipeline (deployment → replicaset → scheduler → hollow kubelets): apply to
//!   all 10,000 Ready, and the control plane's memory at the end.
//!
//! No upstream control plane can be installed on this offline machine; the reference
//! column quotes upstream's own gates (scheduler_perf's 680 pods/s on 5,000 nodes).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
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

/// What the throughput run saw once the scheduler was let go.
struct Throughput {
    /// Release of the lease → first binding (takeover, then the scheduler's initial list).
    takeover: Duration,
    /// First → last binding.
    binding: Duration,
}

const SCHEDULER_LEASE: &str = "kube-scheduler";

/// One watch of the default namespace's pods, established (its initial list done) so the
/// clock can start: it tells when each pod was created, bound and Ready.
async fn pod_events(client: &kube::Client) -> futures::stream::BoxStream<'static, watcher::Result<Event<Pod>>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let mut events = watcher::watcher(pods, watcher::Config::default()).boxed();
    while let Some(event) = events.next().await {
        if matches!(event, Ok(Event::InitDone)) {
            break;
        }
    }
    events
}

fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref())
}

/// The next pod event, or a panic naming what was seen by the deadline.
async fn next_pod(
    events: &mut futures::stream::BoxStream<'static, watcher::Result<Event<Pod>>>,
    started: Instant,
    seen: impl Fn() -> String,
) -> Option<Pod> {
    let remaining = DEADLINE.saturating_sub(started.elapsed());
    match tokio::time::timeout(remaining, events.next()).await {
        Ok(Some(Ok(Event::Apply(pod) | Event::InitApply(pod)))) => Some(pod),
        Ok(Some(_)) => None,
        Ok(None) | Err(_) => panic!("after {DEADLINE:?}: {}", seen()),
    }
}

/// A fresh server whose scheduler cannot lead: the Lease is written, as another
/// scheduler holding it for an hour, before the control plane first starts.
fn server_with_held_scheduler(dir: &std::path::Path) -> Server {
    let runtime = tokio::runtime::Handle::current();
    let apiserver = Server::start(dir, &["--apiserver-only"]);
    tokio::task::block_in_place(|| {
        runtime.block_on(async {
            let leases: Api<Lease> = Api::namespaced(apiserver.client().await, "kube-system");
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let lease: Lease = serde_json::from_value(serde_json::json!({
                "metadata": {"name": SCHEDULER_LEASE, "namespace": "kube-system"},
                "spec": {"holderIdentity": "kctl-bench", "leaseDurationSeconds": 3600,
                         "acquireTime": now, "renewTime": now},
            }))
            .expect("lease");
            leases.create(&PostParams::default(), &lease).await.expect("hold the scheduler lease");
        })
    });
    let kubeconfig = apiserver.kubeconfig.clone();
    drop(apiserver);
    // The next server's kubeconfig (a new port) tells that it is up.
    std::fs::remove_file(kubeconfig).expect("remove the first kubeconfig");
    Server::start(dir, &["--hollow-nodes", &NODES.to_string()])
}

async fn measure_throughput(server: &Server) -> Throughput {
    let client = server.client().await;
    wait_for_ready_nodes(&Api::all(client.clone())).await;
    let mut events = pod_events(&client).await;
    let started = Instant::now();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deployments.create(&PostParams::default(), &deployment()).await.expect("create deployment");
    let mut pending = HashSet::new();
    while pending.len() < REPLICAS {
        let Some(pod) = next_pod(&mut events, started, || format!("{} pods created", pending.len())).await else {
            continue;
        };
        assert!(node_name(&pod).is_none(), "a pod was bound while the bench held the scheduler's lease");
        pending.insert(pod.metadata.uid.clone().unwrap_or_default());
    }
    // Released as client-go releases: no holder, the shortest duration.
    let leases: Api<Lease> = Api::namespaced(client.clone(), "kube-system");
    let release = serde_json::json!({"spec": {"holderIdentity": null, "leaseDurationSeconds": 1}});
    leases.patch(SCHEDULER_LEASE, &PatchParams::default(), &Patch::Merge(release)).await.expect("release the lease");
    let released = Instant::now();
    let (mut bound, mut first_bound) = (HashSet::new(), None);
    while bound.len() < REPLICAS {
        let Some(pod) = next_pod(&mut events, started, || format!("{} pods bound", bound.len())).await else {
            continue;
        };
        if node_name(&pod).is_some() {
            first_bound.get_or_insert_with(Instant::now);
            bound.insert(pod.metadata.uid.clone().unwrap_or_default());
        }
    }
    let first_bound = first_bound.unwrap_or(released);
    Throughput { takeover: first_bound - released, binding: first_bound.elapsed() }
}

async fn measure(server: &Server) -> Figures {
    let client = server.client().await;
    let nodes_ready = wait_for_ready_nodes(&Api::all(client.clone())).await;
    let mut events = pod_events(&client).await;

    let started = Instant::now();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deployments.create(&PostParams::default(), &deployment()).await.expect("create deployment");
    let (mut created, mut bound, mut ready) = (HashSet::new(), HashSet::new(), HashSet::new());
    let (mut all_created, mut all_bound) = (None, None);
    while ready.len() < REPLICAS {
        let seen = || format!("{} pods created, {} bound, {} Ready", created.len(), bound.len(), ready.len());
        let Some(pod) = next_pod(&mut events, started, seen).await else { continue };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if created.insert(uid.clone()) && created.len() >= REPLICAS {
            all_created.get_or_insert(started.elapsed());
        }
        if node_name(&pod).is_none() {
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

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    kctl::machinery::tls::install_crypto_provider();
    let throughput = {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = server_with_held_scheduler(dir.path());
        measure_throughput(&server).await
    };
    let figures = {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = Server::start(dir.path(), &["--hollow-nodes", &NODES.to_string()]);
        measure(&server).await
    };

    let bound_per_second = REPLICAS as f64 / throughput.binding.as_secs_f64();
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
        format!("pipeline: apply → all {REPLICAS} pods created (s)"),
        format!("{:.1}", figures.all_created.as_secs_f64()),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        format!("scheduling: {REPLICAS} pending pods bound per second (first → last binding)"),
        format!("{bound_per_second:.0}"),
        format!("≥ 2000: {}", check(bound_per_second >= 2000.0)),
        "scheduler_perf gate: 680 pods/s (5k nodes)".to_string(),
    ]);
    table.add_row([
        "scheduling: lease released → first binding (s)".to_string(),
        format!("{:.1}", throughput.takeover.as_secs_f64()),
        String::new(),
        "leader election retry period: 2 s".to_string(),
    ]);
    table.add_row([
        format!("pipeline: apply → all {REPLICAS} pods bound (s)"),
        format!("{:.1}", figures.all_bound.as_secs_f64()),
        String::new(),
        String::new(),
    ]);
    table.add_row([
        format!("pipeline: apply → all {REPLICAS} pods Ready (s)"),
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
