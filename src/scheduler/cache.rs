//! The scheduler's picture of the cluster: nodes and what the pods assigned to them
//! (bound, or assumed while their binding is in flight) already use.

use std::collections::HashMap;
use std::sync::Arc;

use super::info::{HostPort, NodeSpecInfo, PodInfo, Resources};

/// One node and the pods on it. A slot may exist before its Node does (a pod bound to a
/// node we have not seen yet) or after it (its pods not yet gone).
#[derive(Debug, Default)]
pub struct NodeInfo {
    pub name: String,
    pub node: Option<NodeSpecInfo>,
    pub requested: Resources,
    pub scoring_requested: Resources,
    pub host_ports: Vec<HostPort>,
}

/// How many pods of one controller owner each node slot holds, for spreading. Kept by
/// owner rather than by node: a decision reads one owner's count on hundreds of nodes,
/// and a per-node map cost a hash and a cache miss each (6 % of the control plane's CPU
/// in the cluster bench).
#[derive(Debug, Default)]
struct Siblings {
    per_slot: Vec<u32>,
    total: u32,
}

#[derive(Debug)]
struct Assigned {
    slot: usize,
    pod: Arc<PodInfo>,
    /// Seen bound in a watch event, not only assumed by us.
    confirmed: bool,
}

#[derive(Debug, Default)]
pub struct Cache {
    slots: Vec<NodeInfo>,
    by_name: HashMap<String, usize>,
    pods: HashMap<String, Assigned>,
    node_count: usize,
    /// By owner uid; an owner without assigned pods has no entry.
    siblings: HashMap<String, Siblings>,
}

impl Cache {
    /// Nodes that exist (have a Node object).
    pub fn nodes(&self) -> impl Iterator<Item = &NodeInfo> {
        self.slots.iter().filter(|n| n.node.is_some())
    }

    /// Slot access for filtering without collecting: `slot(i)` for `i < slot_count()`.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    pub fn slot(&self, index: usize) -> &NodeInfo {
        &self.slots[index]
    }

    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// How many pods of `pod`'s owner each slot holds (indexed as `slot`; slots past the
    /// end hold none). Empty for a pod without an owner.
    pub fn siblings(&self, pod: &PodInfo) -> &[u32] {
        pod.owner.as_ref().and_then(|owner| self.siblings.get(owner)).map_or(&[], |s| &s.per_slot)
    }

    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.by_name.get(name).map(|&slot| &self.slots[slot])
    }

    fn slot_for(&mut self, name: &str) -> usize {
        if let Some(&slot) = self.by_name.get(name) {
            return slot;
        }
        self.slots.push(NodeInfo { name: name.to_string(), ..Default::default() });
        self.by_name.insert(name.to_string(), self.slots.len() - 1);
        self.slots.len() - 1
    }

    /// Adds or updates a node; true when something the filters read changed.
    pub fn set_node(&mut self, name: &str, info: NodeSpecInfo) -> bool {
        let slot = self.slot_for(name);
        let entry = &mut self.slots[slot].node;
        if entry.is_none() {
            self.node_count += 1;
        }
        let changed = entry.as_ref() != Some(&info);
        *entry = Some(info);
        changed
    }

    pub fn remove_node(&mut self, name: &str) {
        if let Some(&slot) = self.by_name.get(name) {
            if self.slots[slot].node.take().is_some() {
                self.node_count -= 1;
            }
        }
    }

    /// Node names that exist, for re-list bookkeeping.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes().map(|n| n.name.clone()).collect()
    }

    pub fn is_assigned(&self, uid: &str) -> bool {
        self.pods.contains_key(uid)
    }

    pub fn assigned_uids(&self) -> Vec<String> {
        self.pods.keys().cloned().collect()
    }

    /// Marks an assigned pod as seen bound to `node_name`; false when the cache does not
    /// have it there (the caller then adds it).
    pub fn confirm(&mut self, uid: &str, node_name: &str) -> bool {
        match self.pods.get_mut(uid) {
            Some(assigned) if self.slots[assigned.slot].name == node_name => {
                assigned.confirmed = true;
                true
            }
            _ => false,
        }
    }

    /// Counts `pod` on `node_name`. `confirmed` is false for our own assumption (the
    /// binding is still in flight) and true when a watch event showed the binding.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>, node_name: &str, confirmed: bool) {
        if let Some(existing) = self.pods.get_mut(&pod.uid) {
            if self.slots[existing.slot].name == node_name {
                existing.confirmed |= confirmed;
                return;
            }
            self.remove_pod(&pod.uid.clone());
        }
        let slot = self.slot_for(node_name);
        let node = &mut self.slots[slot];
        node.requested.add(&pod.requests);
        node.scoring_requested.add(&pod.scoring_requests);
        node.host_ports.extend(pod.host_ports.iter().cloned());
        if let Some(owner) = &pod.owner {
            let siblings = self.siblings.entry(owner.clone()).or_default();
            if siblings.per_slot.len() <= slot {
                siblings.per_slot.resize(slot + 1, 0);
            }
            siblings.per_slot[slot] += 1;
            siblings.total += 1;
        }
        self.pods.insert(pod.uid.clone(), Assigned { slot, pod, confirmed });
    }

    pub fn remove_pod(&mut self, uid: &str) -> bool {
        let Some(Assigned { slot, pod, .. }) = self.pods.remove(uid) else { return false };
        let node = &mut self.slots[slot];
        node.requested.sub(&pod.requests);
        node.scoring_requested.sub(&pod.scoring_requests);
        for port in &pod.host_ports {
            if let Some(index) = node.host_ports.iter().position(|p| p == port) {
                node.host_ports.swap_remove(index);
            }
        }
        if let Some(owner) = &pod.owner {
            if let Some(siblings) = self.siblings.get_mut(owner) {
                if let Some(count) = siblings.per_slot.get_mut(slot) {
                    *count = count.saturating_sub(1);
                }
                siblings.total = siblings.total.saturating_sub(1);
                if siblings.total == 0 {
                    self.siblings.remove(owner);
                }
            }
        }
        true
    }

    /// Undoes our assumption after a failed binding, unless the watch already showed the
    /// pod bound (then the watch is the truth).
    pub fn forget_assumed(&mut self, uid: &str) {
        if self.pods.get(uid).is_some_and(|a| !a.confirmed) {
            self.remove_pod(uid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(uid: &str, cpu: i64, owner: Option<&str>) -> Arc<PodInfo> {
        Arc::new(PodInfo {
            uid: uid.into(),
            requests: Resources { cpu, memory: 0, pods: 1 },
            scoring_requests: Resources { cpu, memory: 0, pods: 1 },
            owner: owner.map(str::to_string),
            ..Default::default()
        })
    }

    #[test]
    fn assumed_then_confirmed_pods_are_counted_once() {
        let mut cache = Cache::default();
        cache.set_node("n1", NodeSpecInfo::default());
        cache.add_pod(pod("a", 100, Some("rs")), "n1", false);
        cache.add_pod(pod("a", 100, Some("rs")), "n1", true);
        let node = cache.node("n1").unwrap();
        assert_eq!(node.requested, Resources { cpu: 100, memory: 0, pods: 1 });
        assert_eq!(cache.siblings(&pod("b", 0, Some("rs"))), &[1]);
        cache.forget_assumed("a");
        assert!(cache.is_assigned("a"), "a confirmed pod is not forgotten");
        assert!(cache.remove_pod("a"));
        assert_eq!(cache.node("n1").unwrap().requested, Resources::default());
        assert!(cache.siblings(&pod("b", 0, Some("rs"))).is_empty());
    }

    #[test]
    fn a_pod_moving_nodes_is_taken_off_the_old_one() {
        let mut cache = Cache::default();
        cache.add_pod(pod("a", 100, None), "n1", false);
        cache.add_pod(pod("a", 100, None), "n2", true);
        assert_eq!(cache.node("n1").unwrap().requested.pods, 0);
        assert_eq!(cache.node("n2").unwrap().requested.pods, 1);
        assert_eq!(cache.node_count(), 0, "slots without Node objects are not nodes");
    }

    #[test]
    fn node_changes_report_whether_filters_would_see_a_difference() {
        let mut cache = Cache::default();
        assert!(cache.set_node("n1", NodeSpecInfo::default()));
        assert!(!cache.set_node("n1", NodeSpecInfo::default()));
        assert!(cache.set_node("n1", NodeSpecInfo { unschedulable: true, ..Default::default() }));
        cache.remove_node("n1");
        assert_eq!(cache.nodes().count(), 0);
    }
}
