//! What the scheduler needs to know about a pod or a node, computed once from the API
//! object so filters and scores never re-parse quantities or walk specs.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeSelector, Pod, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::machinery::quantity::{parse_milli, parse_value};

/// Requests or capacity: cpu in millicores, memory in bytes, and a pod count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu: i64,
    pub memory: i64,
    pub pods: i64,
}

impl Resources {
    pub fn add(&mut self, other: &Resources) {
        self.cpu += other.cpu;
        self.memory += other.memory;
        self.pods += other.pods;
    }

    pub fn sub(&mut self, other: &Resources) {
        self.cpu -= other.cpu;
        self.memory -= other.memory;
        self.pods -= other.pods;
    }

    fn max(&mut self, other: &Resources) {
        self.cpu = self.cpu.max(other.cpu);
        self.memory = self.memory.max(other.memory);
    }
}

/// A host port a container asks for; `0.0.0.0` (or empty) means every address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub protocol: String,
    pub ip: String,
    pub port: i32,
}

impl HostPort {
    pub fn conflicts_with(&self, other: &HostPort) -> bool {
        let wildcard = |ip: &str| ip.is_empty() || ip == "0.0.0.0";
        self.port == other.port
            && self.protocol == other.protocol
            && (self.ip == other.ip || wildcard(&self.ip) || wildcard(&other.ip))
    }
}

/// Upstream scores pods without requests as if they asked for this much, so empty pods
/// still spread instead of piling onto one node.
const DEFAULT_CPU_MILLI: i64 = 100;
const DEFAULT_MEMORY_BYTES: i64 = 200 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct PodInfo {
    pub uid: String,
    pub namespace: String,
    pub name: String,
    /// What the pod reserves (filters).
    pub requests: Resources,
    /// Requests with upstream's non-zero defaults (scores).
    pub scoring_requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
    pub required_affinity: Option<NodeSelector>,
    /// uid of the controller owner (ReplicaSet, Job …), for spreading.
    pub owner: Option<String>,
    /// The PersistentVolumeClaims the pod's volumes name (ephemeral ones included).
    pub claims: Vec<String>,
    /// Node affinity of its bound volumes, filled in just before each decision.
    pub volume_affinity: Vec<NodeSelector>,
    /// Unbound WaitForFirstConsumer claims to tie to the chosen node when binding.
    pub select_node_for: Vec<String>,
}

fn quantity(map: Option<&BTreeMap<String, Quantity>>, name: &str, parse: fn(&str) -> Option<i64>) -> Option<i64> {
    map.and_then(|m| m.get(name)).and_then(|q| parse(&q.0))
}

fn milli(text: &str) -> Option<i64> {
    parse_milli(text).ok()
}

fn value(text: &str) -> Option<i64> {
    parse_value(text).ok()
}

impl PodInfo {
    pub fn from_pod(pod: &Pod) -> PodInfo {
        let meta = &pod.metadata;
        let spec = pod.spec.as_ref();
        let mut requests = Resources::default();
        let mut scoring = Resources::default();
        let mut host_ports = Vec::new();
        for container in spec.map(|s| s.containers.as_slice()).unwrap_or_default() {
            let (cpu, memory) = container_requests(container.resources.as_ref());
            requests.add(&Resources { cpu: cpu.unwrap_or(0), memory: memory.unwrap_or(0), pods: 0 });
            scoring.add(&Resources {
                cpu: cpu.unwrap_or(DEFAULT_CPU_MILLI),
                memory: memory.unwrap_or(DEFAULT_MEMORY_BYTES),
                pods: 0,
            });
            for port in container.ports.iter().flatten().filter(|p| p.host_port.is_some_and(|h| h > 0)) {
                host_ports.push(HostPort {
                    protocol: port.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
                    ip: port.host_ip.clone().unwrap_or_default(),
                    port: port.host_port.unwrap_or_default(),
                });
            }
        }
        // Init containers run one at a time before the others: the pod needs the largest.
        for container in spec.and_then(|s| s.init_containers.as_deref()).unwrap_or_default() {
            let (cpu, memory) = container_requests(container.resources.as_ref());
            requests.max(&Resources { cpu: cpu.unwrap_or(0), memory: memory.unwrap_or(0), pods: 0 });
            scoring.max(&Resources { cpu: cpu.unwrap_or(0), memory: memory.unwrap_or(0), pods: 0 });
        }
        let overhead = spec.and_then(|s| s.overhead.as_ref());
        let overhead = Resources {
            cpu: quantity(overhead, "cpu", milli).unwrap_or(0),
            memory: quantity(overhead, "memory", value).unwrap_or(0),
            pods: 0,
        };
        requests.add(&overhead);
        scoring.add(&overhead);
        requests.pods = 1;
        scoring.pods = 1;
        PodInfo {
            uid: meta.uid.clone().unwrap_or_default(),
            namespace: meta.namespace.clone().unwrap_or_else(|| "default".to_string()),
            name: meta.name.clone().unwrap_or_default(),
            requests,
            scoring_requests: scoring,
            host_ports,
            tolerations: spec.and_then(|s| s.tolerations.clone()).unwrap_or_default(),
            node_selector: spec.and_then(|s| s.node_selector.clone()).unwrap_or_default(),
            required_affinity: spec
                .and_then(|s| s.affinity.as_ref())
                .and_then(|a| a.node_affinity.as_ref())
                .and_then(|a| a.required_during_scheduling_ignored_during_execution.clone()),
            owner: meta.owner_references.iter().flatten().find(|r| r.controller == Some(true)).map(|r| r.uid.clone()),
            claims: claims(pod),
            volume_affinity: Vec::new(),
            select_node_for: Vec::new(),
        }
    }
}

/// The claims of a pod's volumes: `persistentVolumeClaim` ones by name, ephemeral ones as
/// `<pod>-<volume>` (the claim upstream's ephemeral controller makes).
pub fn claims(pod: &Pod) -> Vec<String> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_deref()).unwrap_or_default();
    volumes
        .iter()
        .filter_map(|v| match (&v.persistent_volume_claim, &v.ephemeral) {
            (Some(claim), _) => Some(claim.claim_name.clone()),
            (None, Some(_)) => Some(format!("{pod_name}-{}", v.name)),
            _ => None,
        })
        .collect()
}

/// A container's cpu and memory requests; limits stand in for missing requests, as the
/// apiserver's defaulting does.
fn container_requests(
    resources: Option<&k8s_openapi::api::core::v1::ResourceRequirements>,
) -> (Option<i64>, Option<i64>) {
    let requests = resources.and_then(|r| r.requests.as_ref());
    let limits = resources.and_then(|r| r.limits.as_ref());
    let cpu = quantity(requests, "cpu", milli).or_else(|| quantity(limits, "cpu", milli));
    let memory = quantity(requests, "memory", value).or_else(|| quantity(limits, "memory", value));
    (cpu, memory)
}

/// A node as the filters see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSpecInfo {
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub ready: bool,
    pub allocatable: Resources,
}

impl NodeSpecInfo {
    pub fn from_node(node: &Node) -> NodeSpecInfo {
        let status = node.status.as_ref();
        let allocatable = status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
        NodeSpecInfo {
            labels: node.metadata.labels.clone().unwrap_or_default(),
            taints: node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default(),
            unschedulable: node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
            ready: status
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .is_some_and(|c| c.status == "True"),
            allocatable: Resources {
                cpu: quantity(allocatable, "cpu", milli).unwrap_or(0),
                memory: quantity(allocatable, "memory", value).unwrap_or(0),
                pods: quantity(allocatable, "pods", value).unwrap_or(0),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_requests_sum_containers_and_take_the_largest_init_container() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "ns", "uid": "u1",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "rs-uid", "controller": true}]},
            "spec": {
                "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "3"}}}],
                "containers": [
                    {"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
                     "ports": [{"containerPort": 80, "hostPort": 8080}]},
                    {"name": "b", "resources": {"limits": {"cpu": "1"}}}
                ]
            }
        }))
        .unwrap();
        let info = PodInfo::from_pod(&pod);
        assert_eq!(info.requests, Resources { cpu: 3000, memory: 1 << 30, pods: 1 });
        assert_eq!(info.host_ports, vec![HostPort { protocol: "TCP".into(), ip: String::new(), port: 8080 }]);
        assert_eq!(info.owner.as_deref(), Some("rs-uid"));
    }

    #[test]
    fn pods_without_requests_score_with_upstream_defaults() {
        let pod: Pod =
            serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}))
                .unwrap();
        let info = PodInfo::from_pod(&pod);
        assert_eq!(info.requests, Resources { cpu: 0, memory: 0, pods: 1 });
        assert_eq!(info.scoring_requests, Resources { cpu: 100, memory: 200 << 20, pods: 1 });
    }

    #[test]
    fn node_info_reads_allocatable_readiness_and_taints() {
        let node: Node = serde_json::from_value(json!({
            "metadata": {"name": "n1", "labels": {"a": "b"}},
            "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap();
        let info = NodeSpecInfo::from_node(&node);
        assert!(info.ready && !info.unschedulable);
        assert_eq!(info.allocatable, Resources { cpu: 4000, memory: 16 << 30, pods: 110 });
        assert_eq!(info.taints.len(), 1);
    }

    #[test]
    fn host_ports_conflict_on_same_port_and_protocol_with_overlapping_addresses() {
        let port = |ip: &str, port| HostPort { protocol: "TCP".into(), ip: ip.into(), port };
        assert!(port("", 80).conflicts_with(&port("10.0.0.1", 80)));
        assert!(!port("10.0.0.2", 80).conflicts_with(&port("10.0.0.1", 80)));
        assert!(!port("", 80).conflicts_with(&port("", 81)));
        let udp = HostPort { protocol: "UDP".into(), ip: String::new(), port: 80 };
        assert!(!udp.conflicts_with(&port("", 80)));
    }
}
