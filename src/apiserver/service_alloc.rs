//! Cluster IPs and node ports of Services, as upstream's service REST storage allocates
//! them (pkg/registry/core/service/storage/alloc.go, ipallocator, portallocator): from the
//! service range (`--service-cluster-ip-range`, the kind config's `serviceSubnet`) and
//! 30000–32767. A requested address or port outside the range, or held by another
//! Service, is refused with upstream's 422. Free ones are taken above the range's low band
//! first (kept for static requests such as the cluster DNS's 10.96.0.10), as upstream's
//! allocators do; upstream picks at random, kctl the lowest free one, so that a cluster's
//! addresses (and test outputs) are the same from run to run.
//!
//! What is taken is read from the Services stored, so nothing leaks when a Service goes.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use super::kubernetes_service::ServiceIpRange;
use super::status::ApiError;
use crate::registry::strategy::field::go_strings;
use crate::registry::strategy::Cause;

/// Upstream's default `--service-node-port-range`.
pub const NODE_PORTS: std::ops::RangeInclusive<i64> = 30000..=32767;

/// What other Services hold.
#[derive(Debug, Default)]
pub struct Taken {
    pub ips: HashSet<Ipv4Addr>,
    pub node_ports: HashSet<i64>,
}

impl Taken {
    /// Everything `services` hold but the Service `except` (namespace, name) itself.
    pub fn from_services(services: &[Value], except: (&str, &str)) -> Taken {
        let mut taken = Taken::default();
        for service in services {
            let key = (
                service.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default(),
                service.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default(),
            );
            if key == except {
                continue;
            }
            taken.ips.extend(cluster_ips(service).iter().filter_map(|ip| ip.parse::<Ipv4Addr>().ok()));
            taken.node_ports.extend(node_ports(service));
        }
        taken
    }
}

fn service_type(service: &Value) -> &str {
    service.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP")
}

/// `clusterIPs`, or `clusterIP` when they are not set.
fn cluster_ips(service: &Value) -> Vec<String> {
    match service.pointer("/spec/clusterIPs").and_then(Value::as_array) {
        Some(ips) => ips.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        None => {
            let ip = service.pointer("/spec/clusterIP").and_then(Value::as_str).unwrap_or_default();
            Some(ip.to_string()).filter(|ip| !ip.is_empty()).into_iter().collect()
        }
    }
}

fn node_ports(service: &Value) -> Vec<i64> {
    let ports = service.pointer("/spec/ports").and_then(Value::as_array);
    ports.into_iter().flatten().filter_map(|p| p.get("nodePort").and_then(Value::as_i64)).filter(|n| *n != 0).collect()
}

fn invalid(service: &Value, field: String, value: String, detail: String) -> ApiError {
    let name = service.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let message = format!("Invalid value: {value}: {detail}");
    ApiError::invalid("Service", name, vec![Cause { reason: "FieldValueInvalid".into(), message, field }])
}

/// The lowest free one of `size` candidates (`nth`) above the low band of `band`
/// candidates, else the lowest free one in it.
fn pick<T>(size: u64, band: u64, nth: impl Fn(u64) -> T, free: impl Fn(&T) -> bool) -> Option<T> {
    let band = band.min(size);
    (band..size).chain(0..band).map(nth).find(|candidate| free(candidate))
}

/// Upstream's static band of a service range: size/16, at least 16, at most 256.
fn ip_band(size: u64) -> u64 {
    (size / 16).clamp(16, 256).min(size)
}

/// Upstream's static band of the node port range: size/32, at least 16, at most 128.
fn port_band(size: u64) -> u64 {
    (size / 32).clamp(16, 128).min(size)
}

/// Gives `service` its cluster IP (a requested one checked, else a free one): none for
/// ExternalName and headless Services. `old` is the stored Service on an update, whose
/// address (carried over by the Service's strategy) is its own.
pub fn allocate_cluster_ip(
    range: &ServiceIpRange,
    taken: &Taken,
    service: &mut Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    if service_type(service) == "ExternalName" {
        return Ok(());
    }
    let mut ips = cluster_ips(service);
    let old_ips = old.map(cluster_ips).unwrap_or_default();
    match ips.first().map(String::as_str) {
        Some("None") => {}
        Some(requested) if old_ips.iter().any(|ip| ip == requested) => {}
        Some(requested) => {
            let refuse = |detail: String| {
                invalid(
                    service,
                    "spec.clusterIPs".into(),
                    go_strings(&ips),
                    format!("failed to allocate IP {requested}: {detail}"),
                )
            };
            let ip: Ipv4Addr = match requested.parse() {
                Ok(ip) => ip,
                // Validation words bad syntax; an IPv6 address is not of this cluster.
                Err(_) => return Err(refuse("IPv6 is not configured on this cluster".into())),
            };
            if !range.contains(ip) {
                return Err(refuse(format!(
                    "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {range}"
                )));
            }
            if taken.ips.contains(&ip) {
                return Err(refuse("provided IP is already allocated".into()));
            }
        }
        None => {
            let size = range.size();
            let ip = pick(size, ip_band(size), |n| range.nth(n), |ip| !taken.ips.contains(ip))
                .ok_or_else(|| ApiError::internal(format!("failed to allocate a serviceIP: range is full")))?;
            ips = vec![ip.to_string()];
        }
    }
    service["spec"]["clusterIP"] = json!(ips[0]);
    service["spec"]["clusterIPs"] = json!(ips);
    Ok(())
}

/// Gives every port of a NodePort or LoadBalancer Service its node port (a requested one
/// checked, else a free one; ports of one number share one), as upstream's
/// initNodePorts/updateNodePorts. `old` is the stored Service on an update, whose node
/// ports (carried over by the Service's strategy) are its own.
pub fn allocate_node_ports(taken: &Taken, service: &mut Value, old: Option<&Value>) -> Result<(), ApiError> {
    let ty = service_type(service).to_string();
    let allocate = ty == "NodePort"
        || (ty == "LoadBalancer"
            && service.pointer("/spec/allocateLoadBalancerNodePorts").and_then(Value::as_bool) != Some(false));
    let held: HashSet<i64> = old.map(node_ports).unwrap_or_default().into_iter().collect();
    let snapshot = service.clone();
    let Some(ports) = service.pointer_mut("/spec/ports").and_then(Value::as_array_mut) else { return Ok(()) };
    let mut mine: HashSet<i64> = HashSet::new();
    let mut by_port: Vec<(Value, i64)> = Vec::new();
    for (i, port) in ports.iter_mut().enumerate() {
        let requested = port.get("nodePort").and_then(Value::as_i64).unwrap_or(0);
        if requested != 0 {
            if !held.contains(&requested) && !mine.contains(&requested) {
                let refuse = |detail: String| {
                    invalid(&snapshot, format!("spec.ports[{i}].nodePort"), requested.to_string(), detail)
                };
                if !NODE_PORTS.contains(&requested) {
                    return Err(refuse(format!(
                        "provided port is not in the valid range. The range of valid ports is {}-{}",
                        NODE_PORTS.start(),
                        NODE_PORTS.end()
                    )));
                }
                if taken.node_ports.contains(&requested) {
                    return Err(refuse("provided port is already allocated".into()));
                }
            }
            mine.insert(requested);
            by_port.push((port.get("port").cloned().unwrap_or_default(), requested));
            continue;
        }
        if !allocate {
            continue;
        }
        // Ports of one number (TCP and UDP) share a node port.
        let number = port.get("port").cloned().unwrap_or_default();
        let shared = by_port.iter().find(|(p, _)| *p == number).map(|(_, n)| *n);
        let node_port = match shared {
            Some(shared) => shared,
            None => {
                let size = (NODE_PORTS.end() - NODE_PORTS.start() + 1) as u64;
                pick(
                    size,
                    port_band(size),
                    |n| NODE_PORTS.start() + n as i64,
                    |n| !taken.node_ports.contains(n) && !mine.contains(n),
                )
                .ok_or_else(|| ApiError::internal("failed to allocate a nodePort: range is full"))?
            }
        };
        mine.insert(node_port);
        by_port.push((number, node_port));
        port["nodePort"] = json!(node_port);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range() -> ServiceIpRange {
        "10.96.0.0/16".parse().unwrap()
    }

    fn message(err: ApiError) -> String {
        err.message
    }

    #[test]
    fn free_addresses_come_from_the_range_above_its_static_band() {
        let mut service = json!({"metadata": {"name": "web"}, "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}});
        allocate_cluster_ip(&range(), &Taken::default(), &mut service, None).unwrap();
        let ip: Ipv4Addr = service["spec"]["clusterIP"].as_str().unwrap().parse().unwrap();
        assert_eq!(ip, Ipv4Addr::new(10, 96, 1, 1), "the first address above the static band");
        assert_eq!(service["spec"]["clusterIPs"], json!([ip.to_string()]));
        // A small range is used up to its last address, then refused.
        let small: ServiceIpRange = "10.0.0.0/30".parse().unwrap();
        let mut taken = Taken::default();
        for _ in 0..2 {
            let mut service = json!({"metadata": {"name": "a"}, "spec": {}});
            allocate_cluster_ip(&small, &taken, &mut service, None).unwrap();
            taken.ips.insert(service["spec"]["clusterIP"].as_str().unwrap().parse().unwrap());
        }
        assert_eq!(taken.ips.len(), 2);
        let mut full = json!({"metadata": {"name": "a"}, "spec": {}});
        assert!(allocate_cluster_ip(&small, &taken, &mut full, None).is_err());
    }

    #[test]
    fn requested_addresses_outside_the_range_or_taken_are_refused_as_upstream() {
        let mut outside = json!({"metadata": {"name": "web"}, "spec": {"clusterIP": "10.0.0.5"}});
        assert_eq!(
            message(allocate_cluster_ip(&range(), &Taken::default(), &mut outside, None).unwrap_err()),
            "Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP \
             10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16"
        );
        let taken = Taken { ips: HashSet::from([Ipv4Addr::new(10, 96, 0, 10)]), ..Default::default() };
        let mut clash = json!({"metadata": {"name": "dns"}, "spec": {"clusterIP": "10.96.0.10"}});
        assert_eq!(
            message(allocate_cluster_ip(&range(), &taken, &mut clash, None).unwrap_err()),
            "Service \"dns\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate \
             IP 10.96.0.10: provided IP is already allocated"
        );
        // Its own address on an update is no clash.
        let old = json!({"spec": {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"]}});
        let mut update = json!({"metadata": {"name": "dns"}, "spec": {"clusterIP": "10.96.0.10"}});
        allocate_cluster_ip(&range(), &taken, &mut update, Some(&old)).unwrap();
        assert_eq!(update["spec"]["clusterIP"], "10.96.0.10");
    }

    #[test]
    fn node_ports_are_checked_shared_per_port_number_and_kept_on_update() {
        let taken = Taken { node_ports: HashSet::from([30080]), ..Default::default() };
        let mut clash = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort",
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}});
        assert_eq!(
            message(allocate_node_ports(&taken, &mut clash, None).unwrap_err()),
            "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
        );
        let mut outside = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort",
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 8080}]}});
        assert_eq!(
            message(allocate_node_ports(&taken, &mut outside, None).unwrap_err()),
            "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid \
             range. The range of valid ports is 30000-32767"
        );
        let mut dns = json!({"metadata": {"name": "dns"}, "spec": {"type": "NodePort",
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}]}});
        allocate_node_ports(&taken, &mut dns, None).unwrap();
        let ports: Vec<i64> = (0..3).map(|i| dns["spec"]["ports"][i]["nodePort"].as_i64().unwrap()).collect();
        assert_eq!(ports[0], ports[1]);
        assert_ne!(ports[0], ports[2]);
        assert!(ports.iter().all(|p| NODE_PORTS.contains(p) && *p != 30080));
        // Its own node port on an update is no clash.
        let mut update = json!({"metadata": {"name": "dns"}, "spec": {"type": "NodePort",
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": ports[2]}]}});
        let taken = Taken { node_ports: HashSet::from([ports[2]]), ..Default::default() };
        assert!(allocate_node_ports(&taken, &mut update, None).is_err());
        allocate_node_ports(&taken, &mut update, Some(&dns)).unwrap();
    }
}
