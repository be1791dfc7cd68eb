//! Filters: can this pod run on this node? Small functions run in upstream's plugin
//! order; the first that fails gives the node's reasons (shown in FailedScheduling).

use std::fmt;

use k8s_openapi::api::core::v1::{NodeSelector, NodeSelectorRequirement, Taint};

use super::cache::NodeInfo;
use super::info::{NodeSpecInfo, PodInfo};
use crate::machinery::taints::tolerates;

/// Why a node does not fit, in upstream's wording.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    NotReady,
    Unschedulable,
    UntoleratedTaint { key: String, value: String },
    NodeAffinity,
    HostPorts,
    TooManyPods,
    Insufficient(&'static str),
    VolumeNodeAffinity,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotReady => f.write_str("node(s) were not ready"),
            Reason::Unschedulable => f.write_str("node(s) were unschedulable"),
            Reason::UntoleratedTaint { key, value } => write!(f, "node(s) had untolerated taint {{{key}: {value}}}"),
            Reason::NodeAffinity => f.write_str("node(s) didn't match Pod's node affinity/selector"),
            Reason::HostPorts => f.write_str("node(s) didn't have free ports for the requested pod ports"),
            Reason::TooManyPods => f.write_str("Too many pods"),
            Reason::Insufficient(resource) => write!(f, "Insufficient {resource}"),
            Reason::VolumeNodeAffinity => f.write_str("node(s) had volume node affinity conflict"),
        }
    }
}

/// A node that does not fit. `unresolvable`: evicting pods would not help either
/// (upstream's UnschedulableAndUnresolvable), which the preemption part of the message
/// reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfit {
    pub reasons: Vec<Reason>,
    pub unresolvable: bool,
}

impl Unfit {
    fn unresolvable(reason: Reason) -> Unfit {
        Unfit { reasons: vec![reason], unresolvable: true }
    }
}

pub type Filter = fn(&PodInfo, &NodeInfo, &NodeSpecInfo) -> Result<(), Unfit>;

/// Upstream's default order: NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts,
/// NodeResourcesFit, VolumeBinding (readiness first: a NotReady node runs nothing).
pub const FILTERS: &[Filter] =
    &[node_ready, node_unschedulable, taint_toleration, node_affinity, node_ports, resources_fit, volume_binding];

/// Runs every filter; the first failure decides.
pub fn fits(pod: &PodInfo, node: &NodeInfo) -> Result<(), Unfit> {
    let Some(spec) = &node.node else { return Err(Unfit::unresolvable(Reason::NotReady)) };
    FILTERS.iter().try_for_each(|filter| filter(pod, node, spec))
}

pub fn node_ready(_pod: &PodInfo, _node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    if spec.ready {
        Ok(())
    } else {
        Err(Unfit::unresolvable(Reason::NotReady))
    }
}

pub fn node_unschedulable(pod: &PodInfo, _node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    // Checked before the taint is built: this runs for every node of every decision.
    if !spec.unschedulable {
        return Ok(());
    }
    let taint = Taint {
        key: "node.kubernetes.io/unschedulable".to_string(),
        effect: "NoSchedule".to_string(),
        ..Default::default()
    };
    if pod.tolerations.iter().any(|t| tolerates(t, &taint)) {
        Ok(())
    } else {
        Err(Unfit::unresolvable(Reason::Unschedulable))
    }
}

pub fn taint_toleration(pod: &PodInfo, _node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    let untolerated = spec
        .taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|taint| !pod.tolerations.iter().any(|t| tolerates(t, taint)));
    match untolerated {
        None => Ok(()),
        Some(taint) => Err(Unfit::unresolvable(Reason::UntoleratedTaint {
            key: taint.key.clone(),
            value: taint.value.clone().unwrap_or_default(),
        })),
    }
}

pub fn node_affinity(pod: &PodInfo, node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    let selector_matches = pod.node_selector.iter().all(|(k, v)| spec.labels.get(k) == Some(v));
    let affinity_matches = pod.required_affinity.as_ref().is_none_or(|s| selector_matches_node(s, node, spec));
    if selector_matches && affinity_matches {
        Ok(())
    } else {
        Err(Unfit::unresolvable(Reason::NodeAffinity))
    }
}

/// The node must be where the pod's bound volumes are.
pub fn volume_binding(pod: &PodInfo, node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    if pod.volume_affinity.iter().all(|s| selector_matches_node(s, node, spec)) {
        Ok(())
    } else {
        Err(Unfit::unresolvable(Reason::VolumeNodeAffinity))
    }
}

/// Terms are ORed, expressions within a term ANDed; an empty term matches nothing.
fn selector_matches_node(selector: &NodeSelector, node: &NodeInfo, spec: &NodeSpecInfo) -> bool {
    selector.node_selector_terms.iter().any(|term| {
        let expressions = term.match_expressions.as_deref().unwrap_or_default();
        let fields = term.match_fields.as_deref().unwrap_or_default();
        if expressions.is_empty() && fields.is_empty() {
            return false;
        }
        expressions.iter().all(|r| requirement_matches(r, spec.labels.get(&r.key).map(String::as_str)))
            && fields.iter().all(|r| {
                let value = (r.key == "metadata.name").then_some(node.name.as_str());
                requirement_matches(r, value)
            })
    })
}

fn requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = requirement.values.as_deref().unwrap_or_default();
    let number = |text: &str| text.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(actual), Some(bound)) = (value.and_then(number), values.first().and_then(|v| number(v))) else {
                return false;
            };
            if requirement.operator == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

pub fn node_ports(pod: &PodInfo, node: &NodeInfo, _spec: &NodeSpecInfo) -> Result<(), Unfit> {
    let conflict = pod.host_ports.iter().any(|wanted| node.host_ports.iter().any(|used| used.conflicts_with(wanted)));
    if conflict {
        Err(Unfit { reasons: vec![Reason::HostPorts], unresolvable: false })
    } else {
        Ok(())
    }
}

pub fn resources_fit(pod: &PodInfo, node: &NodeInfo, spec: &NodeSpecInfo) -> Result<(), Unfit> {
    let (want, used, have) = (&pod.requests, &node.requested, &spec.allocatable);
    let mut unfit = Unfit { reasons: Vec::new(), unresolvable: false };
    let checks = [
        (Reason::TooManyPods, want.pods, used.pods, have.pods),
        (Reason::Insufficient("cpu"), want.cpu, used.cpu, have.cpu),
        (Reason::Insufficient("memory"), want.memory, used.memory, have.memory),
    ];
    for (reason, want, used, have) in checks {
        if want > 0 && want + used > have {
            // More than the whole node has: no eviction can make room.
            unfit.unresolvable |= want > have;
            unfit.reasons.push(reason);
        }
    }
    if unfit.reasons.is_empty() {
        Ok(())
    } else {
        Err(unfit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::info::{HostPort, Resources};
    use serde_json::json;

    fn node(spec: NodeSpecInfo) -> NodeInfo {
        NodeInfo { name: "n1".into(), node: Some(spec), ..Default::default() }
    }

    fn ready() -> NodeSpecInfo {
        NodeSpecInfo {
            ready: true,
            allocatable: Resources { cpu: 4000, memory: 16 << 30, pods: 110 },
            ..Default::default()
        }
    }

    fn toleration(value: serde_json::Value) -> k8s_openapi::api::core::v1::Toleration {
        serde_json::from_value(value).unwrap()
    }

    fn taint(key: &str, value: Option<&str>, effect: &str) -> Taint {
        Taint { key: key.into(), value: value.map(str::to_string), effect: effect.into(), time_added: None }
    }

    #[test]
    fn a_ready_empty_node_fits_an_empty_pod() {
        assert_eq!(fits(&PodInfo::default(), &node(ready())), Ok(()));
    }

    #[test]
    fn not_ready_and_cordoned_nodes_are_filtered() {
        let spec = NodeSpecInfo { ready: false, ..ready() };
        assert_eq!(fits(&PodInfo::default(), &node(spec)).unwrap_err().reasons, vec![Reason::NotReady]);
        let spec = NodeSpecInfo { unschedulable: true, ..ready() };
        assert_eq!(fits(&PodInfo::default(), &node(spec.clone())).unwrap_err().reasons, vec![Reason::Unschedulable]);
        let tolerant = PodInfo {
            tolerations: vec![toleration(json!({"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}))],
            ..Default::default()
        };
        assert_eq!(fits(&tolerant, &node(spec)), Ok(()));
    }

    #[test]
    fn taints_need_a_matching_toleration() {
        let spec = NodeSpecInfo {
            taints: vec![taint("node-role.kubernetes.io/control-plane", None, "NoSchedule")],
            ..ready()
        };
        let unfit = fits(&PodInfo::default(), &node(spec.clone())).unwrap_err();
        assert_eq!(
            unfit.reasons[0].to_string(),
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
        );
        assert!(unfit.unresolvable);
        let pod = PodInfo {
            tolerations: vec![toleration(
                json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}),
            )],
            ..Default::default()
        };
        assert_eq!(fits(&pod, &node(spec)), Ok(()));
        let soft = NodeSpecInfo { taints: vec![taint("k", Some("v"), "PreferNoSchedule")], ..ready() };
        assert_eq!(fits(&PodInfo::default(), &node(soft)), Ok(()));
    }

    #[test]
    fn node_selector_and_required_affinity_must_match_labels() {
        let spec = NodeSpecInfo { labels: [("disk".to_string(), "ssd".to_string())].into(), ..ready() };
        let pod = PodInfo { node_selector: [("disk".to_string(), "ssd".to_string())].into(), ..Default::default() };
        assert_eq!(fits(&pod, &node(spec.clone())), Ok(()));
        let pod = PodInfo { node_selector: [("disk".to_string(), "hdd".to_string())].into(), ..Default::default() };
        assert_eq!(fits(&pod, &node(spec.clone())).unwrap_err().reasons, vec![Reason::NodeAffinity]);
        let affinity = |expressions: serde_json::Value| PodInfo {
            required_affinity: Some(
                serde_json::from_value(json!({"nodeSelectorTerms": [{"matchExpressions": expressions}]})).unwrap(),
            ),
            ..Default::default()
        };
        let n = node(spec);
        assert!(fits(&affinity(json!([{"key": "disk", "operator": "In", "values": ["ssd", "nvme"]}])), &n).is_ok());
        assert!(fits(&affinity(json!([{"key": "disk", "operator": "NotIn", "values": ["ssd"]}])), &n).is_err());
        assert!(fits(&affinity(json!([{"key": "disk", "operator": "Exists"}])), &n).is_ok());
        assert!(fits(&affinity(json!([{"key": "gpu", "operator": "DoesNotExist"}])), &n).is_ok());
        assert!(fits(&affinity(json!([{"key": "gpu", "operator": "Exists"}])), &n).is_err());
    }

    #[test]
    fn host_ports_in_use_do_not_fit_again() {
        let port = HostPort { protocol: "TCP".into(), ip: String::new(), port: 80 };
        let mut n = node(ready());
        n.host_ports.push(port.clone());
        let pod = PodInfo { host_ports: vec![port], ..Default::default() };
        assert_eq!(fits(&pod, &n).unwrap_err().reasons, vec![Reason::HostPorts]);
    }

    #[test]
    fn requests_beyond_allocatable_are_insufficient_and_unresolvable() {
        let pod = PodInfo { requests: Resources { cpu: 100_000, memory: 32 << 30, pods: 1 }, ..Default::default() };
        let unfit = fits(&pod, &node(ready())).unwrap_err();
        assert_eq!(unfit.reasons, vec![Reason::Insufficient("cpu"), Reason::Insufficient("memory")]);
        assert!(unfit.unresolvable);
        let mut busy = node(ready());
        busy.requested = Resources { cpu: 3900, memory: 0, pods: 110 };
        let pod = PodInfo { requests: Resources { cpu: 200, memory: 0, pods: 1 }, ..Default::default() };
        let unfit = fits(&pod, &busy).unwrap_err();
        assert_eq!(unfit.reasons, vec![Reason::TooManyPods, Reason::Insufficient("cpu")]);
        assert!(!unfit.unresolvable, "evicting pods would make room");
    }
}
