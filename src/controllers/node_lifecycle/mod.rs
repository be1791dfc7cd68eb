//! The node lifecycle controller: watches Nodes and their Leases in `kube-node-lease`;
//! a node silent for longer than `node_monitor_grace_period` gets its conditions set to
//! Unknown and the `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints
//! (`not-ready` for Ready=False); the taints go when Ready is True again. Pods on a node
//! with NoExecute taints are evicted (deleted) once their tolerations run out — the
//! apiserver gives every pod a default toleration of `--pod-eviction-timeout` — so their
//! controllers recreate them elsewhere.
//!
//! As upstream, health is checked on a timer (the node monitor period) against
//! reflector stores of nodes, leases and pods, rather than per event.

mod eviction;
mod health;
mod taints;

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use serde_json::{json, Value};

use super::ControllerOptions;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::record::{reference_to, EventRecorder};
use crate::machinery::well_known::NODE_LEASE_NAMESPACE as LEASE_NAMESPACE;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("could not build a patch: {0}")]
    Patch(#[from] serde_json::Error),
}

/// How often nodes are looked at: upstream's 5 s, or more often for a short grace period.
pub fn monitor_period(grace: Duration) -> Duration {
    (grace / 8).clamp(Duration::from_millis(100), Duration::from_secs(5))
}

struct Monitor {
    client: Client,
    nodes: Store<Node>,
    leases: Store<Lease>,
    pods: Store<CachedPod>,
    grace: Duration,
    probes: health::Probes,
    /// Events about nodes (and NodeNotReady on their pods), as upstream's node-controller.
    node_events: EventRecorder,
    /// Eviction events, as upstream's taint-eviction-controller.
    eviction_events: EventRecorder,
    /// Pods whose eviction was asked for, by uid, so each is deleted once.
    evicted: HashSet<String>,
}

/// Runs the controller until the task is dropped, reading pods from the controller-
/// manager's shared cache (only pods bound to a node can be evicted from one).
pub async fn run(client: Client, options: ControllerOptions, pods: Store<CachedPod>) {
    let (nodes, node_writer) = reflector::store::<Node>();
    let (leases, lease_writer) = reflector::store::<Lease>();
    let config = watcher::Config::default();
    // managedFields (most of a Node or Lease object decoded) are never read here.
    let node_watch = reflector::reflector(
        node_writer,
        watcher(Api::<Node>::all(client.clone()), config.clone()).modify(super::forget_managed_fields),
    )
    .default_backoff()
    .for_each(|_| async {});
    let lease_api = Api::<Lease>::namespaced(client.clone(), LEASE_NAMESPACE);
    let lease_watch =
        reflector::reflector(lease_writer, watcher(lease_api, config.clone()).modify(super::forget_managed_fields))
            .default_backoff()
            .for_each(|_| async {});
    let mut monitor = Monitor {
        node_events: EventRecorder::new(client.clone(), "node-controller"),
        eviction_events: EventRecorder::new(client.clone(), "taint-eviction-controller"),
        client,
        nodes,
        leases,
        pods,
        grace: options.node_monitor_grace_period,
        probes: health::Probes::default(),
        evicted: HashSet::new(),
    };
    let period = monitor_period(options.node_monitor_grace_period);
    let ticking = async move {
        for store in [monitor.nodes.wait_until_ready().await, monitor.leases.wait_until_ready().await] {
            if store.is_err() {
                return;
            }
        }
        if monitor.pods.wait_until_ready().await.is_err() {
            return;
        }
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            monitor.monitor_nodes().await;
            monitor.evict_pods().await;
        }
    };
    tokio::join!(node_watch, lease_watch, ticking);
}

impl Monitor {
    async fn monitor_nodes(&mut self) {
        let nodes = self.nodes.state();
        let names: HashSet<String> = nodes.iter().map(|n| n.name_any()).collect();
        self.probes.retain(|name| names.contains(name));
        for node in nodes {
            if let Err(err) = self.monitor_node(&node).await {
                tracing::debug!(%err, node = %node.name_any(), "node health update failed; next period retries");
            }
        }
    }

    async fn monitor_node(&mut self, node: &Node) -> Result<(), Error> {
        let name = node.name_any();
        let lease = self.leases.get(&ObjectRef::new(&name).within(LEASE_NAMESPACE));
        let renewed = lease.and_then(|l| l.spec.as_ref()?.renew_time.as_ref().map(|t| t.0.to_rfc3339()));
        let silent_for = self.probes.observe(&name, renewed, health::ready_heartbeat(node));
        let now = Utc::now();
        let mut node = node.clone();
        if silent_for > self.grace {
            if let Some(conditions) = health::unknown_conditions(&node, now) {
                let was_ready = health::ready_status(&node) == Some("True");
                let ops = vec![set_field("status", node.status.is_some(), "conditions", json!(conditions))];
                node = self.patch(&node, ops, true).await?;
                if was_ready {
                    self.record_not_ready(&node).await;
                }
            }
        }
        if let Some(taints) = taints::wanted(&node, health::ready_status(&node), now) {
            let op = if taints.is_empty() {
                json!({"op": "remove", "path": "/spec/taints"})
            } else {
                set_field("spec", node.spec.is_some(), "taints", json!(taints))
            };
            self.patch(&node, vec![op], false).await?;
        }
        Ok(())
    }

    /// A JSON patch guarded by the node's resourceVersion (a kubelet may write meanwhile).
    async fn patch(&self, node: &Node, ops: Vec<Value>, status: bool) -> Result<Node, Error> {
        let mut guarded =
            vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": node.resource_version()})];
        guarded.extend(ops);
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(guarded))?;
        let api: Api<Node> = Api::all(self.client.clone());
        let params = PatchParams::default();
        let patch = Patch::<()>::Json(patch);
        let written = if status {
            api.patch_status(&node.name_any(), &params, &patch).await?
        } else {
            api.patch(&node.name_any(), &params, &patch).await?
        };
        Ok(written)
    }

    /// Upstream's RecordNodeStatusChange and MarkPodsNotReady events.
    async fn record_not_ready(&self, node: &Node) {
        let name = node.name_any();
        let target = reference_to("v1", "Node", None, &name, node.uid().as_deref());
        let message = format!("Node {name} status is now: NodeNotReady");
        self.node_events.normal(&target, "NodeNotReady", &message);
        for pod in self.pods.state().iter().filter(|p| node_of(p) == Some(name.as_str())) {
            let target = pod_reference(pod);
            self.node_events.warning(&target, "NodeNotReady", "Node is not ready");
        }
    }

    async fn evict_pods(&mut self) {
        let now = Utc::now();
        let pods = self.pods.state();
        self.evicted.retain(|uid| pods.iter().any(|p| p.uid().as_deref() == Some(uid.as_str())));
        for pod in pods {
            let Some(node) = node_of(&pod).and_then(|n| self.nodes.get(&ObjectRef::new(n))) else { continue };
            let taints = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
            let uid = pod.uid().unwrap_or_default();
            if pod.metadata.deletion_timestamp.is_some() || self.evicted.contains(&uid) {
                continue;
            }
            if eviction::evict_at(&pod, &taints, now).is_none_or(|at| at > now) {
                continue;
            }
            let target = pod_reference(&pod);
            let message =
                format!("Marking for deletion Pod {}/{}", pod.namespace().unwrap_or_default(), pod.name_any());
            self.eviction_events.normal(&target, "TaintManagerEviction", &message);
            let api: Api<CachedPod> = Api::namespaced(self.client.clone(), &pod.namespace().unwrap_or_default());
            // As upstream, the pod says why it goes (DisruptionTarget) before it goes.
            let disruption = json!({"status": {"conditions": [{"type": "DisruptionTarget", "status": "True",
                "reason": "DeletionByTaintManager", "message": "Taint manager: deleting due to NoExecute taint",
                "lastTransitionTime": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}]}});
            if let Err(err) =
                api.patch_status(&pod.name_any(), &PatchParams::default(), &Patch::Strategic(disruption)).await
            {
                tracing::debug!(%err, pod = %pod.name_any(), "could not mark the pod as disrupted");
            }
            let params = DeleteParams {
                preconditions: Some(Preconditions { uid: Some(uid.clone()), resource_version: None }),
                ..Default::default()
            };
            match api.delete(&pod.name_any(), &params).await {
                Ok(_) => {
                    self.evicted.insert(uid);
                }
                Err(kube::Error::Api(status)) if matches!(status.code, 404 | 409) => {}
                Err(err) => tracing::debug!(%err, pod = %pod.name_any(), "eviction failed; next period retries"),
            }
        }
    }
}

/// The JSON patch operation that sets `/parent/field` (an `add` replaces a present
/// member), creating `parent` when the object has none.
fn set_field(parent: &str, parent_exists: bool, field: &str, value: Value) -> Value {
    if parent_exists {
        json!({"op": "add", "path": format!("/{parent}/{field}"), "value": value})
    } else {
        json!({"op": "add", "path": format!("/{parent}"), "value": {field: value}})
    }
}

fn node_of(pod: &CachedPod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref().filter(|n| !n.is_empty())
}

fn pod_reference(pod: &CachedPod) -> k8s_openapi::api::core::v1::ObjectReference {
    reference_to("v1", "Pod", pod.namespace().as_deref(), &pod.name_any(), pod.uid().as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_set_with_or_without_their_parent() {
        let mut node = json!({"metadata": {"name": "n"}});
        let patch: json_patch::Patch =
            serde_json::from_value(json!([set_field("spec", false, "taints", json!([{"key": "k"}]))])).unwrap();
        json_patch::patch(&mut node, &patch).unwrap();
        let patch: json_patch::Patch =
            serde_json::from_value(json!([set_field("spec", true, "taints", json!([]))])).unwrap();
        json_patch::patch(&mut node, &patch).unwrap();
        assert_eq!(node["spec"]["taints"], json!([]));
    }

    #[test]
    fn the_monitor_period_follows_the_grace_period() {
        assert_eq!(monitor_period(Duration::from_secs(40)), Duration::from_secs(5));
        assert_eq!(monitor_period(Duration::from_secs(4)), Duration::from_millis(500));
        assert_eq!(monitor_period(Duration::ZERO), Duration::from_millis(100));
    }
}
