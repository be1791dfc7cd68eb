//! kind's defaults: one control-plane node, IPv4, the API on 127.0.0.1 (random port),
//! kind's pod and service subnets.

use super::{Cluster, Node};

pub const DEFAULT_NAME: &str = "kind";

pub fn apply(cluster: &mut Cluster) {
    if cluster.name.is_empty() {
        cluster.name = DEFAULT_NAME.to_string();
    }
    if cluster.nodes.is_empty() {
        cluster.nodes.push(Node { role: "control-plane".into(), ..Default::default() });
    }
    let networking = &mut cluster.networking;
    if networking.ip_family.is_empty() {
        networking.ip_family = "ipv4".into();
    }
    if networking.api_server_address.is_empty() {
        networking.api_server_address = "127.0.0.1".into();
    }
    if networking.pod_subnet.is_empty() {
        networking.pod_subnet = "10.244.0.0/16".into();
    }
    if networking.service_subnet.is_empty() {
        networking.service_subnet = "10.96.0.0/16".into();
    }
    if networking.kube_proxy_mode.is_empty() {
        networking.kube_proxy_mode = "iptables".into();
    }
    for node in &mut cluster.nodes {
        for mapping in &mut node.extra_port_mappings {
            if mapping.protocol.is_empty() {
                mapping.protocol = "TCP".into();
            }
            if mapping.listen_address.is_empty() {
                mapping.listen_address = "0.0.0.0".into();
            }
        }
    }
}
