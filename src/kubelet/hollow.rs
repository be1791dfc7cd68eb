//! Hollow nodes: simulated nodes whose agent marks bound pods Running/Ready without
//! running containers; some image names "fail to pull" so rollouts can be tested.
//!
//! Built to scale to thousands of nodes from one process: nodes are registered with
//! bounded concurrency, their Leases are renewed by a few shard tasks, and one pod watch
//! (pods with a node) serves every node.

pub mod events;
pub mod exit;
pub mod node;
pub mod pods;
pub mod status;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use kube::Client;

#[derive(Debug, Clone, Default)]
pub struct HollowOptions {
    /// How many nodes to register (`hollow-node-1` …).
    pub nodes: usize,
    /// Images whose pull fails (ErrImagePull, then ImagePullBackOff).
    pub failing_images: Vec<String>,
    /// How often leases are renewed; `None` is the kubelet's 10 s.
    pub lease_renew_interval: Option<std::time::Duration>,
}

/// One simulated node: its name and fake InternalIP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HollowNode {
    pub name: String,
    pub ip: Ipv4Addr,
}

/// `hollow-node-1` … `hollow-node-N`, with InternalIPs 10.244.0.1 and up.
pub fn hollow_nodes(count: usize) -> Vec<HollowNode> {
    (1..=count)
        .map(|index| HollowNode { name: format!("hollow-node-{index}"), ip: offset_ip([10, 244, 0, 0], index as u32) })
        .collect()
}

/// `base + offset` as an IPv4 address (fake addresses for nodes and pods).
pub fn offset_ip(base: [u8; 4], offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::from(base)).wrapping_add(offset))
}

/// Runs the hollow nodes until the task is dropped.
pub async fn run(client: Client, options: HollowOptions) {
    let nodes = Arc::new(hollow_nodes(options.nodes));
    if nodes.is_empty() {
        return std::future::pending().await;
    }
    node::register_all(&client, &nodes).await;
    tracing::info!(nodes = nodes.len(), "hollow nodes registered");
    let by_name: HashMap<String, HollowNode> = nodes.iter().map(|n| (n.name.clone(), n.clone())).collect();
    let renew_every = options.lease_renew_interval.unwrap_or(super::lease::RENEW_EVERY);
    tokio::join!(
        node::renew_leases_forever(client.clone(), nodes.clone(), renew_every),
        node::report_status_forever(client.clone(), nodes.clone(), renew_every),
        pods::run(client, Arc::new(by_name), Arc::new(options.failing_images)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_numbered_from_one_with_distinct_addresses() {
        let nodes = hollow_nodes(300);
        assert_eq!(nodes[0], HollowNode { name: "hollow-node-1".into(), ip: Ipv4Addr::new(10, 244, 0, 1) });
        assert_eq!(nodes[299].ip, Ipv4Addr::new(10, 244, 1, 44));
    }
}
