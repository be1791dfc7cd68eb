//! What the service proxy serves, computed from Services and EndpointSlices alone (no
//! sockets, so it is tested directly): for each ClusterIP:port and NodePort, the ready
//! endpoints behind it. A port with no ready endpoint has no entry, so nothing listens
//! there and a connection is refused at once (upstream's REJECT).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Service, ServicePort};
use k8s_openapi::api::discovery::v1::EndpointSlice;

/// The label linking an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// `sessionAffinity: ClientIP`'s default timeout (upstream's DefaultClientIPServiceAffinitySeconds).
const DEFAULT_AFFINITY_SECONDS: i32 = 10800;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    fn parse(protocol: Option<&str>) -> Option<Protocol> {
        match protocol.unwrap_or("TCP") {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            // SCTP is not proxied.
            _ => None,
        }
    }
}

/// An address the proxy listens on: ClusterIP:port, or 0.0.0.0:nodePort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Frontend {
    pub protocol: Protocol,
    pub addr: SocketAddr,
}

/// Where a frontend's connections go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backends {
    pub endpoints: Vec<SocketAddr>,
    /// `sessionAffinity: ClientIP` and its timeout.
    pub affinity: Option<Duration>,
}

/// The Services' frontends on `node` and their ready endpoints.
pub fn frontends(services: &[Arc<Service>], slices: &[Arc<EndpointSlice>], node: &str) -> HashMap<Frontend, Backends> {
    let mut by_service: HashMap<(&str, &str), Vec<&EndpointSlice>> = HashMap::new();
    for slice in slices {
        let name = slice.metadata.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL));
        if let (Some(namespace), Some(name)) = (slice.metadata.namespace.as_deref(), name) {
            by_service.entry((namespace, name.as_str())).or_default().push(slice);
        }
    }
    let mut table = HashMap::new();
    for service in services {
        let Some(spec) = &service.spec else { continue };
        let cluster_ip = spec.cluster_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok());
        let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
        let name = service.metadata.name.as_deref().unwrap_or_default();
        let slices = by_service.get(&(namespace, name)).map(Vec::as_slice).unwrap_or_default();
        let affinity = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
            let seconds = spec
                .session_affinity_config
                .as_ref()
                .and_then(|c| c.client_ip.as_ref()?.timeout_seconds)
                .unwrap_or(DEFAULT_AFFINITY_SECONDS);
            Duration::from_secs(seconds.max(1) as u64)
        });
        let internal_local = spec.internal_traffic_policy.as_deref() == Some("Local");
        let external_local = spec.external_traffic_policy.as_deref() == Some("Local");
        for port in spec.ports.iter().flatten() {
            let Some(protocol) = Protocol::parse(port.protocol.as_deref()) else { continue };
            let mut add = |addr: SocketAddr, local_only: bool| {
                let endpoints = ready_endpoints(slices, port, local_only.then_some(node));
                if !endpoints.is_empty() {
                    table.insert(Frontend { protocol, addr }, Backends { endpoints, affinity });
                }
            };
            if let (Some(ip), Ok(number)) = (cluster_ip, u16::try_from(port.port)) {
                add(SocketAddr::new(IpAddr::V4(ip), number), internal_local);
            }
            if let Some(node_port) = port.node_port.and_then(|p| u16::try_from(p).ok()).filter(|p| *p != 0) {
                add(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), node_port), external_local);
            }
        }
    }
    table
}

/// The `hostPort`s of the pods running on this node: the node's port (on its
/// `hostIP`, every address by default) leads to the pod's container port.
pub fn host_ports(pods: &[Arc<Pod>]) -> HashMap<Frontend, Backends> {
    let mut table = HashMap::new();
    for pod in pods {
        let status = pod.status.as_ref();
        let terminal = matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
        let Some(pod_ip) = status.and_then(|s| s.pod_ip.as_deref()).and_then(|ip| ip.parse::<Ipv4Addr>().ok()) else {
            continue;
        };
        if terminal || pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let containers = pod.spec.iter().flat_map(|s| &s.containers);
        for port in containers.flat_map(|c| c.ports.iter().flatten()) {
            let (Some(host_port), Some(protocol)) = (port.host_port, Protocol::parse(port.protocol.as_deref())) else {
                continue;
            };
            let (Ok(host_port), Ok(container_port)) = (u16::try_from(host_port), u16::try_from(port.container_port))
            else {
                continue;
            };
            let host_ip =
                port.host_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()).unwrap_or(Ipv4Addr::UNSPECIFIED);
            let frontend = Frontend { protocol, addr: SocketAddr::new(IpAddr::V4(host_ip), host_port) };
            let endpoint = SocketAddr::new(IpAddr::V4(pod_ip), container_port);
            table.insert(frontend, Backends { endpoints: vec![endpoint], affinity: None });
        }
    }
    table
}

/// The ready addresses serving `port` (matched by name and protocol, as kube-proxy
/// does), only those on `node` when given.
fn ready_endpoints(slices: &[&EndpointSlice], port: &ServicePort, node: Option<&str>) -> Vec<SocketAddr> {
    let name = port.name.as_deref().unwrap_or_default();
    let protocol = port.protocol.as_deref().unwrap_or("TCP");
    let mut found = Vec::new();
    for slice in slices.iter().filter(|s| s.address_type == "IPv4") {
        let number = slice.ports.iter().flatten().find_map(|p| {
            let same =
                p.name.as_deref().unwrap_or_default() == name && p.protocol.as_deref().unwrap_or("TCP") == protocol;
            same.then_some(p.port).flatten()
        });
        let Some(number) = number.and_then(|n| u16::try_from(n).ok()) else { continue };
        for endpoint in &slice.endpoints {
            // A missing condition means ready (the API's documented default).
            let ready = endpoint.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            if !ready || node.is_some_and(|n| endpoint.node_name.as_deref() != Some(n)) {
                continue;
            }
            for address in &endpoint.addresses {
                if let Ok(ip) = address.parse::<Ipv4Addr>() {
                    let addr = SocketAddr::new(IpAddr::V4(ip), number);
                    if !found.contains(&addr) {
                        found.push(addr);
                    }
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(spec: serde_json::Value) -> Arc<Service> {
        Arc::new(
            serde_json::from_value(json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec}))
                .expect("service"),
        )
    }

    fn slice(endpoints: serde_json::Value) -> Arc<EndpointSlice> {
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": "web-abc", "namespace": "default", "labels": {SERVICE_NAME_LABEL: "web"}},
                "addressType": "IPv4",
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                "endpoints": endpoints,
            }))
            .expect("slice"),
        )
    }

    #[test]
    fn ready_endpoints_back_the_cluster_ip_and_node_port() {
        let web = service(json!({"clusterIP": "10.96.0.20", "type": "NodePort",
            "ports": [{"name": "http", "port": 80, "nodePort": 30080, "protocol": "TCP"}]}));
        let endpoints = json!([
            {"addresses": ["172.18.0.5"], "conditions": {"ready": true}, "nodeName": "n1"},
            {"addresses": ["172.18.0.6"], "conditions": {"ready": false}, "nodeName": "n1"},
            {"addresses": ["172.18.0.7"], "nodeName": "n2"},
        ]);
        let table = frontends(&[web], &[slice(endpoints)], "n1");
        let want = vec!["172.18.0.5:8080".parse().unwrap(), "172.18.0.7:8080".parse().unwrap()];
        let cluster_ip = Frontend { protocol: Protocol::Tcp, addr: "10.96.0.20:80".parse().unwrap() };
        let node_port = Frontend { protocol: Protocol::Tcp, addr: "0.0.0.0:30080".parse().unwrap() };
        assert_eq!(table[&cluster_ip].endpoints, want);
        assert_eq!(table[&node_port].endpoints, want);
        assert_eq!(table[&cluster_ip].affinity, None);
    }

    #[test]
    fn no_ready_endpoint_means_no_frontend_and_local_policy_filters_by_node() {
        let web = service(json!({"clusterIP": "10.96.0.20", "internalTrafficPolicy": "Local",
            "sessionAffinity": "ClientIP", "ports": [{"name": "http", "port": 80}]}));
        let endpoints = json!([{"addresses": ["172.18.0.7"], "conditions": {"ready": true}, "nodeName": "n2"}]);
        assert!(frontends(&[web.clone()], &[slice(endpoints.clone())], "n1").is_empty());
        let table = frontends(&[web], &[slice(endpoints)], "n2");
        let only = table.values().next().expect("a frontend");
        assert_eq!(only.affinity, Some(Duration::from_secs(10800)));
    }

    #[test]
    fn host_ports_lead_to_their_running_pods() {
        let pod = |phase: &str| {
            Arc::new(
                serde_json::from_value::<Pod>(json!({
                    "metadata": {"name": "p", "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "ports": [
                        {"containerPort": 8080, "hostPort": 8081},
                        {"containerPort": 53, "hostPort": 5353, "protocol": "UDP", "hostIP": "172.18.0.2"},
                        {"containerPort": 9090}]}]},
                    "status": {"phase": phase, "podIP": "172.18.0.9"},
                }))
                .expect("pod"),
            )
        };
        let table = host_ports(&[pod("Running")]);
        let tcp = Frontend { protocol: Protocol::Tcp, addr: "0.0.0.0:8081".parse().unwrap() };
        let udp = Frontend { protocol: Protocol::Udp, addr: "172.18.0.2:5353".parse().unwrap() };
        assert_eq!(table.len(), 2);
        assert_eq!(table[&tcp].endpoints, vec!["172.18.0.9:8080".parse().unwrap()]);
        assert_eq!(table[&udp].endpoints, vec!["172.18.0.9:53".parse().unwrap()]);
        assert!(host_ports(&[pod("Succeeded")]).is_empty());
    }

    #[test]
    fn headless_and_external_name_services_are_not_proxied() {
        let headless = service(json!({"clusterIP": "None", "ports": [{"name": "http", "port": 80}]}));
        let endpoints = json!([{"addresses": ["172.18.0.5"]}]);
        assert!(frontends(&[headless], &[slice(endpoints)], "n1").is_empty());
    }
}
