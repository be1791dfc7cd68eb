//! Which nodes a DaemonSet's pod belongs on (upstream's `NodeShouldRunDaemonPod`), and the
//! pod it puts there: the template with the default DaemonSet tolerations and a required
//! node affinity to that node, left for the scheduler to bind.

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint,
    Toleration,
};

use crate::controllers::cached_pod::CachedPod;
use crate::controllers::replicaset::pods::{from_template, owner_reference};
use crate::machinery::node_affinity::selector_matches;
use crate::machinery::taints::tolerates;

/// Whether a daemon pod should be on the node, and whether one already there may stay
/// (a NoSchedule taint keeps new pods off but does not evict running ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub should_run: bool,
    pub should_continue: bool,
}

/// Upstream's `AddOrUpdateDaemonPodTolerations`: daemon pods ride out node conditions.
pub fn default_tolerations(host_network: bool) -> Vec<Toleration> {
    let toleration = |key: &str, effect: &str| Toleration {
        key: Some(key.to_string()),
        operator: Some("Exists".to_string()),
        effect: Some(effect.to_string()),
        ..Default::default()
    };
    let mut tolerations = vec![
        toleration("node.kubernetes.io/not-ready", "NoExecute"),
        toleration("node.kubernetes.io/unreachable", "NoExecute"),
        toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
        toleration("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        tolerations.push(toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    tolerations
}

/// The template's spec with the default tolerations added where the template has none
/// of the same key and effect.
fn spec_with_tolerations(ds: &DaemonSet) -> PodSpec {
    let mut spec = ds.spec.as_ref().and_then(|s| s.template.spec.clone()).unwrap_or_default();
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for default in default_tolerations(spec.host_network == Some(true)) {
        let present = tolerations.iter().any(|t| t.key == default.key && t.effect == default.effect);
        if !present {
            tolerations.push(default);
        }
    }
    spec
}

fn untolerated<'a>(taints: &'a [Taint], tolerations: &[Toleration], effects: &[&str]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| effects.contains(&t.effect.as_str()))
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

/// Upstream's `NodeShouldRunDaemonPod`.
pub fn placement(node: &Node, ds: &DaemonSet) -> Placement {
    let never = Placement { should_run: false, should_continue: false };
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let spec = spec_with_tolerations(ds);
    if spec.node_name.as_deref().is_some_and(|n| !n.is_empty() && n != name) {
        return never;
    }
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let selector_fits = spec.node_selector.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref());
    if !selector_fits || !required.is_none_or(|r| selector_matches(r, name, &labels)) {
        return never;
    }
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
    let tolerations = spec.tolerations.as_deref().unwrap_or_default();
    if untolerated(taints, tolerations, &["NoSchedule", "NoExecute"]).is_some() {
        let evicted = untolerated(taints, tolerations, &["NoExecute"]).is_some();
        return Placement { should_run: false, should_continue: !evicted };
    }
    Placement { should_run: true, should_continue: true }
}

/// The node a daemon pod is on, or is meant for (its required affinity's
/// `metadata.name`), as upstream's `GetTargetNodeName`.
pub fn target_node(pod: &CachedPod) -> Option<&str> {
    let spec = pod.spec.as_ref()?;
    if let Some(name) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        return Some(name);
    }
    let required = spec.affinity.as_ref()?.node_affinity.as_ref()?;
    let selector = required.required_during_scheduling_ignored_during_execution.as_ref()?;
    selector.node_selector_terms.iter().find_map(|term| {
        let field = term.match_fields.as_ref()?.iter().find(|f| f.key == "metadata.name" && f.operator == "In")?;
        match field.values.as_deref() {
            Some([one]) => Some(one.as_str()),
            _ => None,
        }
    })
}

/// A new daemon pod for `node`, labelled with the revision `hash`.
pub fn new_pod(ds: &DaemonSet, node: &str, hash: &str) -> Pod {
    let namespace = ds.metadata.namespace.as_deref().unwrap_or_default();
    let name = ds.metadata.name.as_deref().unwrap_or_default();
    let uid = ds.metadata.uid.as_deref().unwrap_or_default();
    let template = ds.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    let mut pod = from_template(&template, namespace, owner_reference("apps/v1", "DaemonSet", name, uid));
    pod.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert(crate::controllers::history::HASH_LABEL.to_string(), hash.to_string());
    let mut spec = spec_with_tolerations(ds);
    // Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: one term naming the node.
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".to_string(),
            operator: "In".to_string(),
            values: Some(vec![node.to_string()]),
        }]),
        match_expressions: None,
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let node_affinity = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    node_affinity.required_during_scheduling_ignored_during_execution =
        Some(NodeSelector { node_selector_terms: vec![term] });
    pod.spec = Some(spec);
    pod
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ds(spec: serde_json::Value) -> DaemonSet {
        serde_json::from_value(json!({"metadata": {"name": "agent", "namespace": "default", "uid": "u"},
            "spec": {"selector": {"matchLabels": {"app": "a"}},
                "template": {"metadata": {"labels": {"app": "a"}}, "spec": spec}}}))
        .unwrap()
    }

    fn node(name: &str, labels: serde_json::Value, taints: serde_json::Value) -> Node {
        serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints}}))
            .unwrap()
    }

    #[test]
    fn the_control_plane_taint_keeps_daemon_pods_off_unless_tolerated() {
        let cp =
            node("cp", json!({}), json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]));
        let plain = ds(json!({"containers": [{"name": "c", "image": "i"}]}));
        assert_eq!(placement(&cp, &plain), Placement { should_run: false, should_continue: true });
        let tolerant = ds(json!({"containers": [{"name": "c", "image": "i"}],
            "tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]}));
        assert!(placement(&cp, &tolerant).should_run);
        let evicting = node("n", json!({}), json!([{"key": "k", "effect": "NoExecute"}]));
        assert_eq!(placement(&evicting, &plain), Placement { should_run: false, should_continue: false });
    }

    #[test]
    fn node_selector_and_affinity_choose_nodes() {
        let picky = ds(json!({"containers": [], "nodeSelector": {"disk": "ssd"}}));
        assert!(placement(&node("a", json!({"disk": "ssd"}), json!([])), &picky).should_run);
        assert!(!placement(&node("b", json!({}), json!([])), &picky).should_run);
        let affine = ds(
            json!({"containers": [], "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}}}),
        );
        assert!(placement(&node("a", json!({"zone": "z1"}), json!([])), &affine).should_run);
        assert!(!placement(&node("a", json!({"zone": "z2"}), json!([])), &affine).should_run);
    }

    #[test]
    fn new_pods_name_their_node_in_affinity_and_tolerate_node_conditions() {
        let pod = new_pod(&ds(json!({"containers": [{"name": "c", "image": "i"}]})), "n1", "h1");
        let value = serde_json::to_value(&pod).unwrap();
        assert_eq!(value["metadata"]["generateName"], "agent-");
        assert_eq!(value["metadata"]["labels"]["controller-revision-hash"], "h1");
        let terms = &value["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
        assert_eq!(terms["nodeSelectorTerms"][0]["matchFields"][0]["values"][0], "n1");
        assert_eq!(value["spec"]["tolerations"].as_array().map(Vec::len), Some(6));
        assert!(value["spec"].get("nodeName").is_none());
        let cached: CachedPod = serde_json::from_value(value).unwrap();
        assert_eq!(target_node(&cached), Some("n1"));
    }
}
