//! One scheduling decision: filter nodes (a rotating window, like upstream's
//! percentageOfNodesToScore), score the ones that fit, pick the best; or explain why
//! nothing fits in upstream's FailedScheduling wording.

use std::collections::BTreeMap;

use super::cache::Cache;
use super::filters::{self, Unfit};
use super::info::PodInfo;
use super::scores;

/// Nothing fits: how many nodes said what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitError {
    pub nodes: usize,
    pub reasons: BTreeMap<String, usize>,
    /// Nodes where evicting pods would not help (taints, selectors, too small).
    pub unresolvable: usize,
    /// Why the pod fits nowhere before any node was looked at (upstream's PreFilter
    /// message, e.g. a missing claim).
    pub prefilter: Option<String>,
}

impl FitError {
    /// `0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
    /// preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`
    pub fn message(&self) -> String {
        if self.nodes == 0 {
            return "no nodes available to schedule pods".to_string();
        }
        if let Some(reason) = &self.prefilter {
            let n = self.nodes;
            return format!(
                "0/{n} nodes are available: {reason}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling."
            );
        }
        let summary = |counts: &mut dyn Iterator<Item = (usize, &str)>| {
            // Upstream sorts the "N reason" strings themselves.
            let mut parts: Vec<String> = counts.filter(|(n, _)| *n > 0).map(|(n, r)| format!("{n} {r}")).collect();
            parts.sort();
            parts.join(", ")
        };
        let reasons = summary(&mut self.reasons.iter().map(|(r, n)| (*n, r.as_str())));
        let preemption = summary(
            &mut [
                (self.unresolvable, "Preemption is not helpful for scheduling"),
                (self.nodes - self.unresolvable, "No preemption victims found for incoming pod"),
            ]
            .into_iter(),
        );
        let n = self.nodes;
        format!("0/{n} nodes are available: {reasons}. preemption: 0/{n} nodes are available: {preemption}.")
    }
}

/// How many fitting nodes to look for before scoring (upstream's adaptive
/// percentageOfNodesToScore: all below 100 nodes, then 50% shrinking to 5%, at least 100).
pub fn feasible_nodes_to_find(nodes: usize) -> usize {
    if nodes < 100 {
        return nodes;
    }
    let percent = 50usize.saturating_sub(nodes / 125).max(5);
    (nodes * percent / 100).max(100)
}

/// Scheduling state that outlives one decision: where the next window starts and a
/// cheap random source for breaking ties.
#[derive(Debug)]
pub struct Algorithm {
    next_start: usize,
    rng: u64,
    /// The nodes that fit, with how many of the pod's siblings each runs.
    feasible: Vec<(usize, u32)>,
}

impl Algorithm {
    pub fn new(seed: u64) -> Algorithm {
        Algorithm { next_start: 0, rng: seed | 1, feasible: Vec::new() }
    }

    fn random(&mut self) -> u64 {
        // xorshift64: plenty for tie-breaking.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// The best node for `pod`, or why there is none.
    pub fn schedule(&mut self, cache: &Cache, pod: &PodInfo) -> Result<String, FitError> {
        let slots = cache.slot_count();
        let wanted = feasible_nodes_to_find(cache.node_count());
        self.feasible.clear();
        let start = if slots == 0 { 0 } else { self.next_start % slots };
        let mut processed = 0;
        let siblings = cache.siblings(pod);
        while processed < slots && self.feasible.len() < wanted {
            let index = (start + processed) % slots;
            processed += 1;
            let node = cache.slot(index);
            if node.node.is_some() && filters::fits(pod, node).is_ok() {
                self.feasible.push((index, scores::owner_count(siblings, index)));
            }
        }
        self.next_start = if slots == 0 { 0 } else { (start + processed) % slots };
        if self.feasible.is_empty() {
            return Err(diagnose(cache, pod));
        }
        let max_siblings = self.feasible.iter().map(|&(_, siblings)| siblings).max().unwrap_or(0);
        let (mut best, mut best_score, mut ties) = (self.feasible[0].0, i64::MIN, 0u64);
        for position in 0..self.feasible.len() {
            let (index, siblings) = self.feasible[position];
            let score = scores::total(pod, cache.slot(index), siblings, max_siblings);
            if score > best_score {
                (best, best_score, ties) = (index, score, 1);
            } else if score == best_score {
                // Reservoir sampling: each tied node wins with equal chance.
                ties += 1;
                if self.random().is_multiple_of(ties) {
                    best = index;
                }
            }
        }
        Ok(cache.slot(best).name.clone())
    }
}

/// Runs the filters on every node to count the reasons (only when nothing fit).
pub fn diagnose(cache: &Cache, pod: &PodInfo) -> FitError {
    let mut error = FitError { nodes: cache.node_count(), reasons: BTreeMap::new(), unresolvable: 0, prefilter: None };
    for node in cache.nodes() {
        if let Err(Unfit { reasons, unresolvable }) = filters::fits(pod, node) {
            for reason in reasons {
                *error.reasons.entry(reason.to_string()).or_default() += 1;
            }
            error.unresolvable += usize::from(unresolvable);
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::info::{NodeSpecInfo, Resources};
    use k8s_openapi::api::core::v1::Taint;
    use std::sync::Arc;

    fn worker() -> NodeSpecInfo {
        NodeSpecInfo {
            ready: true,
            allocatable: Resources { cpu: 4000, memory: 16 << 30, pods: 110 },
            ..Default::default()
        }
    }

    fn cluster() -> Cache {
        let mut cache = Cache::default();
        let control_plane = NodeSpecInfo {
            taints: vec![Taint {
                key: "node-role.kubernetes.io/control-plane".into(),
                effect: "NoSchedule".into(),
                ..Default::default()
            }],
            ..worker()
        };
        cache.set_node("control-plane", control_plane);
        cache.set_node("worker", worker());
        cache.set_node("worker2", worker());
        cache
    }

    #[test]
    fn failed_scheduling_message_matches_upstream() {
        let pod = PodInfo { requests: Resources { cpu: 100_000, memory: 0, pods: 1 }, ..Default::default() };
        let error = Algorithm::new(1).schedule(&cluster(), &pod).unwrap_err();
        assert_eq!(
            error.message(),
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, \
             2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn full_nodes_say_no_victims_were_found() {
        let mut cache = cluster();
        for (i, node) in ["worker", "worker2"].iter().enumerate() {
            let hog = PodInfo {
                uid: format!("hog{i}"),
                requests: Resources { cpu: 4000, memory: 0, pods: 1 },
                ..Default::default()
            };
            cache.add_pod(Arc::new(hog), node, true);
        }
        let pod = PodInfo { requests: Resources { cpu: 100, memory: 0, pods: 1 }, ..Default::default() };
        let message = Algorithm::new(1).schedule(&cache, &pod).unwrap_err().message();
        assert!(
            message.ends_with(
                "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, \
             2 No preemption victims found for incoming pod."
            ),
            "{message}"
        );
    }

    #[test]
    fn no_nodes_at_all_is_said_plainly() {
        let error = Algorithm::new(1).schedule(&Cache::default(), &PodInfo::default()).unwrap_err();
        assert_eq!(error.message(), "no nodes available to schedule pods");
    }

    #[test]
    fn pods_spread_over_equal_nodes_and_skip_tainted_ones() {
        let mut cache = cluster();
        let mut algorithm = Algorithm::new(7);
        for i in 0..30 {
            let pod = Arc::new(PodInfo {
                uid: format!("p{i}"),
                requests: Resources { cpu: 0, memory: 0, pods: 1 },
                scoring_requests: Resources { cpu: 100, memory: 200 << 20, pods: 1 },
                ..Default::default()
            });
            let node = algorithm.schedule(&cache, &pod).unwrap();
            cache.add_pod(pod, &node, false);
        }
        assert_eq!(cache.node("control-plane").unwrap().requested.pods, 0);
        assert_eq!(cache.node("worker").unwrap().requested.pods, 15);
        assert_eq!(cache.node("worker2").unwrap().requested.pods, 15);
    }

    #[test]
    fn large_clusters_filter_a_window_of_nodes() {
        assert_eq!(feasible_nodes_to_find(3), 3);
        assert_eq!(feasible_nodes_to_find(1000), 420);
        assert_eq!(feasible_nodes_to_find(5000), 500);
        assert_eq!(feasible_nodes_to_find(100_000), 5000);
    }
}

#[cfg(test)]
mod bench {
    use super::*;
    use crate::scheduler::info::{NodeSpecInfo, Resources};
    use std::sync::Arc;

    /// In-memory decisions only (no API): `cargo test --release --lib decisions_per_second -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark"]
    fn decisions_per_second_with_1000_nodes() {
        let mut cache = Cache::default();
        for i in 0..1000 {
            let spec = NodeSpecInfo {
                ready: true,
                allocatable: Resources { cpu: 4000, memory: 16 << 30, pods: 110 },
                ..Default::default()
            };
            cache.set_node(&format!("hollow-node-{i}"), spec);
        }
        let mut algorithm = Algorithm::new(3);
        let started = std::time::Instant::now();
        for i in 0..10_000 {
            let pod = Arc::new(PodInfo {
                uid: format!("p{i}"),
                requests: Resources { cpu: 10, memory: 10 << 20, pods: 1 },
                scoring_requests: Resources { cpu: 10, memory: 10 << 20, pods: 1 },
                owner: Some(format!("rs{}", i % 10)),
                ..Default::default()
            });
            let node = algorithm.schedule(&cache, &pod).expect("fits");
            cache.add_pod(pod, &node, false);
        }
        let elapsed = started.elapsed();
        println!("10000 decisions on 1000 nodes in {elapsed:.2?} ({:.0}/s)", 10_000.0 / elapsed.as_secs_f64());
    }
}
