//! The scheduler: binds pending pods to nodes through `pods/binding`, as an API client.
//!
//! One loop owns all state (no locks): it applies pod and node watch events to the
//! cache and queue, decides for queued pods in memory (assuming each binding succeeds),
//! and hands bindings to background tasks, at most `binder::MAX_IN_FLIGHT` at once.

pub mod binder;
pub mod cache;
pub mod filters;
pub mod info;
pub mod queue;
pub mod report;
pub mod schedule;
pub mod scores;
pub mod volumes;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::{Api, Client};
use thiserror::Error;
use tokio::sync::{mpsc, Semaphore};

use crate::client::watched_pod::{into_pod_event, WatchedPod};
use crate::machinery::leaderelection::{run_with_lease, LeaseConfig};
use binder::{AfterFailure, BindOutcome};
use cache::Cache;
use info::{NodeSpecInfo, PodInfo};
use queue::Queue;
use report::{Notice, Reporter};
use schedule::Algorithm;

#[derive(Debug, Error)]
pub enum SchedulerError {
    #[error("binding failed: {0}")]
    Bind(#[source] kube::Error),
    #[error("could not encode the binding: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("selecting the node of claim {claim}: {source}")]
    SelectNode {
        claim: String,
        #[source]
        source: kube::Error,
    },
}

/// Pods decided per loop turn before looking at watch events again.
const BATCH: usize = 32;
/// How often waiting pods are checked for a retry.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

pub const DEFAULT_SCHEDULER: &str = "default-scheduler";

/// Runs the scheduler until the task is dropped — only while this process holds the
/// kube-system/kube-scheduler lease (as `identity`), so two control planes on one store
/// never both bind.
pub async fn run(client: Client, identity: String) {
    let config = LeaseConfig::scheduler().with_identity(&identity);
    let scheduler = client.clone();
    run_with_lease(client, config, move || Scheduler::new(scheduler.clone()).run()).await
}

/// Is this pod ours to schedule?
fn is_ours(pod: &Pod) -> bool {
    let name = pod.spec.as_ref().and_then(|s| s.scheduler_name.as_deref()).unwrap_or_default();
    name.is_empty() || name == DEFAULT_SCHEDULER
}

fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty())
}

fn is_terminal(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

struct Scheduler {
    client: Client,
    cache: Cache,
    queue: Queue,
    algorithm: Algorithm,
    reporter: Reporter,
    binds: Arc<Semaphore>,
    outcomes: mpsc::UnboundedSender<BindOutcome>,
    outcome_receiver: Option<mpsc::UnboundedReceiver<BindOutcome>>,
    /// uids seen during a (re-)list, to drop what vanished meanwhile; None when watching.
    listing_pods: Option<HashSet<String>>,
    listing_nodes: Option<HashSet<String>>,
    pods_synced: bool,
    nodes_synced: bool,
    volumes: volumes::Volumes,
    volume_changes: Option<mpsc::UnboundedReceiver<()>>,
}

impl Scheduler {
    fn new(client: Client) -> Scheduler {
        let (outcomes, outcome_receiver) = mpsc::unbounded_channel();
        let (volume_changed, volume_changes) = mpsc::unbounded_channel();
        let volumes = volumes::Volumes::start(&client, volume_changed);
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        Scheduler {
            reporter: Reporter::start(client.clone()),
            client,
            cache: Cache::default(),
            queue: Queue::default(),
            algorithm: Algorithm::new(seed),
            binds: Arc::new(Semaphore::new(binder::MAX_IN_FLIGHT)),
            outcomes,
            outcome_receiver: Some(outcome_receiver),
            listing_pods: None,
            listing_nodes: None,
            pods_synced: false,
            nodes_synced: false,
            volumes,
            volume_changes: Some(volume_changes),
        }
    }

    async fn run(mut self) {
        let pods = watcher(Api::<WatchedPod>::all(self.client.clone())).map_ok(into_pod_event);
        let nodes = watcher(Api::<Node>::all(self.client.clone()));
        let mut pods = std::pin::pin!(pods);
        let mut nodes = std::pin::pin!(nodes);
        let Some(mut outcomes) = self.outcome_receiver.take() else { return };
        let Some(mut volume_changes) = self.volume_changes.take() else { return };
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            self.schedule_some();
            let can_schedule = self.synced() && self.queue.has_active() && self.binds.available_permits() > 0;
            tokio::select! {
                biased;
                Some(outcome) = outcomes.recv() => self.bind_finished(outcome),
                Some(event) = nodes.next() => match event {
                    Ok(event) => self.node_event(event),
                    Err(err) => tracing::warn!(%err, "scheduler: node watch failed; retrying"),
                },
                Some(event) = pods.next() => match event {
                    Ok(event) => self.pod_event(event),
                    Err(err) => tracing::warn!(%err, "scheduler: pod watch failed; retrying"),
                },
                Some(()) = volume_changes.recv() => {
                    // A claim bound or a volume made: pods waiting for them may fit now.
                    while volume_changes.try_recv().is_ok() {}
                    self.queue.cluster_changed(Instant::now());
                }
                _ = flush.tick() => self.queue.flush(Instant::now()),
                _ = std::future::ready(()), if can_schedule => {}
            }
        }
    }

    fn synced(&self) -> bool {
        self.pods_synced && self.nodes_synced
    }

    /// Decides for up to BATCH queued pods, as long as bindings may start.
    fn schedule_some(&mut self) {
        if !self.synced() {
            return;
        }
        for _ in 0..BATCH {
            let Ok(permit) = self.binds.clone().try_acquire_owned() else { return };
            let Some(pod) = self.queue.pop() else { return };
            let planned = self.plan_volumes(pod);
            let decision = match &planned {
                Ok(pod) => self.algorithm.schedule(&self.cache, pod),
                Err((_, fit)) => Err(fit.clone()),
            };
            let pod = match planned {
                Ok(pod) | Err((pod, _)) => pod,
            };
            match decision {
                Ok(node) => {
                    self.queue.remove(&pod.uid);
                    // Assume the binding succeeds so the next decision sees this pod.
                    self.cache.add_pod(pod.clone(), &node, false);
                    binder::spawn(self.client.clone(), pod, node, permit, self.outcomes.clone());
                }
                Err(fit) => {
                    let message = fit.message();
                    tracing::debug!(pod = %pod.name, %message, "unschedulable");
                    let new_message = self.queue.unschedulable(&pod.uid, &message, Instant::now());
                    self.reporter.send(Notice::Unschedulable { pod, message, new_message });
                }
            }
        }
    }

    /// The pod with what its claims ask of the node, or why it fits nowhere yet.
    #[allow(clippy::result_large_err)]
    fn plan_volumes(&self, pod: Arc<PodInfo>) -> Result<Arc<PodInfo>, (Arc<PodInfo>, schedule::FitError)> {
        if pod.claims.is_empty() {
            return Ok(pod);
        }
        let plan = if self.volumes.synced() {
            self.volumes.plan(&pod)
        } else {
            Err("waiting for the volume informers to sync".to_string())
        };
        match plan {
            Ok(plan) => {
                let mut planned = (*pod).clone();
                planned.volume_affinity = plan.affinity;
                planned.select_node_for = plan.select_node;
                Ok(Arc::new(planned))
            }
            Err(reason) => {
                let nodes = self.cache.node_count();
                let fit = schedule::FitError {
                    nodes,
                    reasons: Default::default(),
                    unresolvable: nodes,
                    prefilter: Some(reason),
                };
                Err((pod, fit))
            }
        }
    }

    fn bind_finished(&mut self, outcome: BindOutcome) {
        let BindOutcome { pod, node, result } = outcome;
        match result {
            Ok(()) => self.reporter.send(Notice::Scheduled { pod, node }),
            Err(err) => {
                self.cache.forget_assumed(&pod.uid);
                self.queue.cluster_changed(Instant::now());
                match BindOutcome::after_failure(&err) {
                    AfterFailure::Forget => tracing::debug!(%err, pod = %pod.name, "binding not needed any more"),
                    AfterFailure::Retry => {
                        tracing::warn!(%err, pod = %pod.name, %node, "binding failed; will retry");
                        self.queue.retry_later(pod, Instant::now());
                    }
                }
            }
        }
    }

    fn node_event(&mut self, event: Event<Node>) {
        match event {
            Event::Init => self.listing_nodes = Some(HashSet::new()),
            Event::InitApply(node) | Event::Apply(node) => {
                let Some(name) = node.metadata.name.clone() else { return };
                if self.cache.set_node(&name, NodeSpecInfo::from_node(&node)) {
                    self.queue.cluster_changed(Instant::now());
                }
                if let Some(seen) = &mut self.listing_nodes {
                    seen.insert(name);
                }
            }
            Event::Delete(node) => {
                if let Some(name) = &node.metadata.name {
                    self.cache.remove_node(name);
                }
            }
            Event::InitDone => {
                let seen = self.listing_nodes.take().unwrap_or_default();
                for name in self.cache.node_names().into_iter().filter(|n| !seen.contains(n)) {
                    self.cache.remove_node(&name);
                }
                self.nodes_synced = true;
                self.queue.cluster_changed(Instant::now());
            }
        }
    }

    fn pod_event(&mut self, event: Event<Pod>) {
        match event {
            Event::Init => self.listing_pods = Some(HashSet::new()),
            Event::InitApply(pod) | Event::Apply(pod) => {
                if let (Some(seen), Some(uid)) = (&mut self.listing_pods, &pod.metadata.uid) {
                    seen.insert(uid.clone());
                }
                self.pod_applied(&pod);
            }
            Event::Delete(pod) => {
                if let Some(uid) = &pod.metadata.uid {
                    self.pod_gone(uid);
                }
            }
            Event::InitDone => {
                let seen = self.listing_pods.take().unwrap_or_default();
                let known = self.cache.assigned_uids().into_iter().chain(self.queue.uids());
                let vanished: Vec<String> = known.filter(|uid| !seen.contains(uid)).collect();
                for uid in vanished {
                    self.pod_gone(&uid);
                }
                self.pods_synced = true;
            }
        }
    }

    fn pod_applied(&mut self, pod: &Pod) {
        let Some(uid) = pod.metadata.uid.as_deref() else { return };
        match node_name(pod) {
            Some(node) => {
                self.queue.remove(uid);
                if is_terminal(pod) {
                    // Finished pods use nothing: their room is free again.
                    if self.cache.remove_pod(uid) {
                        self.queue.cluster_changed(Instant::now());
                    }
                } else if !self.cache.confirm(uid, node) {
                    self.cache.add_pod(Arc::new(PodInfo::from_pod(pod)), node, true);
                }
            }
            None if pod.metadata.deletion_timestamp.is_some() || is_terminal(pod) || !is_ours(pod) => {
                self.queue.remove(uid);
            }
            // Our binding is in flight; the watch has not caught up yet.
            None if self.cache.is_assigned(uid) => {}
            None => self.queue.add(Arc::new(PodInfo::from_pod(pod))),
        }
    }

    fn pod_gone(&mut self, uid: &str) {
        self.queue.remove(uid);
        if self.cache.remove_pod(uid) {
            self.queue.cluster_changed(Instant::now());
        }
    }
}

/// A watch that re-lists and backs off on errors (kube-runtime's state machine).
fn watcher<K>(api: Api<K>) -> impl futures::Stream<Item = Result<Event<K>, watcher::Error>> + Send
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    watcher::watcher(api, watcher::Config::default()).default_backoff()
}
