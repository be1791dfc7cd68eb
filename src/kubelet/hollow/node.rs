//! Registering hollow Nodes and re-posting their status (Ready=True, fresh heartbeat),
//! as a kubelet does at start and then every few minutes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::{json, Value};

use super::HollowNode;
use crate::kubelet::node_status::STATUS_EVERY;
use crate::kubelet::node_status::{self, NodeFacts};
use crate::kubelet::ApiCallError;

/// How many registrations or status posts are in flight at once.
const CONCURRENCY: usize = 16;
/// Lease renewals run on a few shard tasks, not one task per node.
const LEASE_SHARDS: usize = 4;
const LEASE_CONCURRENCY_PER_SHARD: usize = 8;

/// The Node a hollow kubelet registers.
pub fn node_object(node: &HollowNode, now: DateTime<Utc>) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "labels": {
                "kubernetes.io/hostname": node.name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "type": "hollow",
            },
        },
        "spec": {},
        "status": node_status(node, now, now),
    })
}

/// Capacity, conditions (heartbeat `now`, Ready since `ready_since`), addresses, info.
/// No kubelet endpoint: nothing serves logs for a hollow node (pods/log says so).
pub fn node_status(node: &HollowNode, ready_since: DateTime<Utc>, now: DateTime<Utc>) -> Value {
    let id = format!("hollow-{}", node.name);
    let facts = NodeFacts {
        name: &node.name,
        internal_ip: node.ip.to_string(),
        kubelet_port: 0,
        resources: json!({"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"}),
        node_info: json!({
            "machineID": id,
            "systemUUID": id,
            "bootID": id,
            "kernelVersion": "6.1.0-hollow",
            "osImage": "Hollow Node (kctl)",
            "containerRuntimeVersion": "hollow://1.0.0",
        }),
    };
    node_status::healthy(&facts, ready_since, now)
}

/// Creates the node (or finds it from an earlier run) and posts its status.
pub async fn register(client: &Client, node: &HollowNode, now: DateTime<Utc>) -> Result<(), ApiCallError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let object: Node = serde_json::from_value(node_object(node, now))
        .map_err(|source| ApiCallError::Encode { what: format!("node {}", node.name), source })?;
    match nodes.create(&PostParams::default(), &object).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(err) => return Err(ApiCallError::api(format!("registering node {}", node.name))(err)),
    }
    // Status is posted separately: an apiserver may drop it on create, and an existing
    // node needs it refreshed anyway.
    post_status(client, node, now, now).await
}

pub async fn post_status(
    client: &Client,
    node: &HollowNode,
    ready_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ApiCallError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let patch = json!({"status": node_status(node, ready_since, now)});
    nodes
        .patch_status(&node.name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(ApiCallError::api(format!("posting status of node {}", node.name)))?;
    Ok(())
}

/// Registers every node, retrying each until the apiserver takes it.
pub async fn register_all(client: &Client, nodes: &[HollowNode]) {
    let now = Utc::now();
    futures::stream::iter(nodes)
        .for_each_concurrent(CONCURRENCY, |node| async move {
            let mut delay = Duration::from_millis(200);
            while let Err(err) = register(client, node, now).await {
                tracing::warn!(%err, "hollow node registration failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        })
        .await;
}

/// Whether the node's Ready condition says True (what the kubelet reports).
fn reported_ready(node: &Node) -> bool {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Re-posts every node's status every STATUS_EVERY (Ready=True, fresh heartbeat), and
/// every `check_every` the status of nodes whose Ready condition is not True — as a
/// kubelet corrects a NotReady/Unknown mark left by the node lifecycle controller.
pub async fn report_status_forever(client: Client, nodes: std::sync::Arc<Vec<HollowNode>>, check_every: Duration) {
    let ready_since = Utc::now();
    let check_every = check_every.clamp(Duration::from_millis(100), STATUS_EVERY);
    let mut every = tokio::time::interval(check_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    let mut last_full = std::time::Instant::now();
    let api: Api<Node> = Api::all(client.clone());
    loop {
        every.tick().await;
        let now = Utc::now();
        let due: Vec<&HollowNode> = if last_full.elapsed() >= STATUS_EVERY {
            last_full = std::time::Instant::now();
            nodes.iter().collect()
        } else {
            let Ok(listed) = api.list(&kube::api::ListParams::default().labels("type=hollow")).await else { continue };
            let not_ready: std::collections::HashSet<String> =
                listed.items.iter().filter(|n| !reported_ready(n)).filter_map(|n| n.metadata.name.clone()).collect();
            nodes.iter().filter(|n| not_ready.contains(&n.name)).collect()
        };
        futures::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |node| {
                let client = &client;
                async move {
                    if let Err(err) = post_status(client, node, ready_since, now).await {
                        tracing::warn!(%err, "hollow node status not posted");
                    }
                }
            })
            .await;
    }
}

/// Renews every node's lease every `every` (the kubelet's RENEW_EVERY unless a short
/// node monitor grace period asks for more), split over SHARDS tasks.
pub async fn renew_leases_forever(client: Client, nodes: Arc<Vec<HollowNode>>, every: Duration) {
    let shards = LEASE_SHARDS.min(nodes.len()).max(1);
    let tasks = (0..shards).map(|shard| {
        let (client, nodes) = (client.clone(), nodes.clone());
        async move {
            let mut every = tokio::time::interval(every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let now = Utc::now();
                let mine = nodes.iter().skip(shard).step_by(shards);
                futures::stream::iter(mine)
                    .for_each_concurrent(LEASE_CONCURRENCY_PER_SHARD, |node| {
                        let client = &client;
                        async move {
                            if let Err(err) = super::super::lease::renew(client, &node.name, now).await {
                                tracing::warn!(%err, "hollow node lease not renewed");
                            }
                        }
                    })
                    .await;
            }
        }
    });
    futures::future::join_all(tasks).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn registered_node_is_a_valid_ready_node() {
        let node = HollowNode { name: "hollow-node-1".into(), ip: Ipv4Addr::new(10, 244, 0, 1) };
        let object: Node = serde_json::from_value(node_object(&node, Utc::now())).expect("a typed Node");
        let labels = object.metadata.labels.unwrap();
        assert_eq!(labels["kubernetes.io/hostname"], "hollow-node-1");
        assert_eq!(labels["type"], "hollow");
        let status = object.status.unwrap();
        assert_eq!(status.allocatable.unwrap()["cpu"].0, "4");
        let ready = status.conditions.unwrap().into_iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.status, "True");
        assert!(ready.last_heartbeat_time.is_some());
        assert_eq!(status.node_info.unwrap().kubelet_version, "v1.32.0");
        assert_eq!(status.addresses.unwrap()[0].address, "10.244.0.1");
    }
}
