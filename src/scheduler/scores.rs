//! Scores: among the nodes that fit, which is best? Each score is 0..=100 and weighted
//! like upstream's defaults (spreading counts twice as much as free resources).

use super::cache::NodeInfo;
use super::info::PodInfo;

pub const MAX_SCORE: i64 = 100;
pub const LEAST_ALLOCATED_WEIGHT: i64 = 1;
pub const SPREAD_WEIGHT: i64 = 2;

/// NodeResourcesFit/LeastAllocated: prefer the node with the most cpu and memory left
/// after placing the pod (requests without values count as upstream's defaults).
pub fn least_allocated(pod: &PodInfo, node: &NodeInfo) -> i64 {
    let Some(spec) = &node.node else { return 0 };
    let free = |requested: i64, capacity: i64| {
        if capacity <= 0 || requested > capacity {
            0
        } else {
            (capacity - requested) * MAX_SCORE / capacity
        }
    };
    let cpu = free(node.scoring_requested.cpu + pod.scoring_requests.cpu, spec.allocatable.cpu);
    let memory = free(node.scoring_requested.memory + pod.scoring_requests.memory, spec.allocatable.memory);
    (cpu + memory) / 2
}

/// How many pods of the pod's controller already run on node `slot`, given the owner's
/// counts (`Cache::siblings`).
pub fn owner_count(siblings: &[u32], slot: usize) -> u32 {
    siblings.get(slot).copied().unwrap_or(0)
}

/// Spreading pods of one controller: fewer siblings on the node, higher score
/// (`max` is the largest sibling count among the candidate nodes).
pub fn spread(count: u32, max: u32) -> i64 {
    if max == 0 {
        return MAX_SCORE;
    }
    MAX_SCORE * i64::from(max - count.min(max)) / i64::from(max)
}

/// The weighted total the scheduler maximises (`siblings`: `owner_count` on this node).
pub fn total(pod: &PodInfo, node: &NodeInfo, siblings: u32, max_siblings: u32) -> i64 {
    LEAST_ALLOCATED_WEIGHT * least_allocated(pod, node) + SPREAD_WEIGHT * spread(siblings, max_siblings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::info::{NodeSpecInfo, Resources};

    fn node(cpu_used: i64) -> NodeInfo {
        NodeInfo {
            name: "n".into(),
            node: Some(NodeSpecInfo {
                ready: true,
                allocatable: Resources { cpu: 4000, memory: 4000, pods: 110 },
                ..Default::default()
            }),
            scoring_requested: Resources { cpu: cpu_used, memory: 0, pods: 0 },
            ..Default::default()
        }
    }

    #[test]
    fn emptier_nodes_score_higher() {
        let pod = PodInfo { scoring_requests: Resources { cpu: 1000, memory: 0, pods: 1 }, ..Default::default() };
        assert_eq!(least_allocated(&pod, &node(0)), (75 + 100) / 2);
        assert!(least_allocated(&pod, &node(0)) > least_allocated(&pod, &node(2000)));
        assert_eq!(least_allocated(&pod, &node(4000)), 50, "cpu exhausted, memory free");
    }

    #[test]
    fn nodes_with_fewer_siblings_score_higher() {
        assert_eq!(spread(0, 0), MAX_SCORE);
        assert_eq!(spread(0, 4), MAX_SCORE);
        assert_eq!(spread(4, 4), 0);
        assert_eq!(spread(1, 4), 75);
        let pod = PodInfo::default();
        let siblings = [0, 3];
        assert_eq!((owner_count(&siblings, 1), owner_count(&siblings, 2)), (3, 0));
        assert!(total(&pod, &node(0), owner_count(&siblings, 0), 3) > total(&pod, &node(0), 3, 3));
    }
}
