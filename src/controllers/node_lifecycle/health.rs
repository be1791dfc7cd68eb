//! Node health as upstream's monitorNodeHealth judges it: a node is alive while its
//! Lease in `kube-node-lease` is renewed or its Ready condition's heartbeat moves. Both
//! are compared by when *we* saw them change (never by the node's clock). A node silent
//! for longer than the grace period gets every condition set to Unknown.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::Node;
use serde_json::{json, Value};

pub const UNKNOWN_REASON: &str = "NodeStatusUnknown";
pub const UNKNOWN_MESSAGE: &str = "Kubelet stopped posting node status.";
const NEVER_REASON: &str = "NodeStatusNeverUpdated";
const NEVER_MESSAGE: &str = "Kubelet never posted node status.";
/// The conditions upstream marks Unknown when a node goes silent.
const NODE_CONDITIONS: &[&str] = &["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// What we last saw of a node's heartbeats, and when that changed.
#[derive(Debug, Clone)]
struct Probe {
    heartbeat: (Option<String>, Option<String>),
    changed_at: Instant,
}

/// Per node: when its heartbeats last moved.
#[derive(Debug, Default)]
pub struct Probes {
    nodes: HashMap<String, Probe>,
}

impl Probes {
    /// Records the node's heartbeats (lease renewTime, Ready lastHeartbeatTime) and tells
    /// how long they have been still.
    pub fn observe(&mut self, node: &str, lease_renewed: Option<String>, ready_heartbeat: Option<String>) -> Duration {
        let heartbeat = (lease_renewed, ready_heartbeat);
        let now = Instant::now();
        let probe = self
            .nodes
            .entry(node.to_string())
            .or_insert_with(|| Probe { heartbeat: heartbeat.clone(), changed_at: now });
        if probe.heartbeat != heartbeat {
            probe.heartbeat = heartbeat;
            probe.changed_at = now;
        }
        now.duration_since(probe.changed_at)
    }

    /// Forgets nodes that no longer exist.
    pub fn retain(&mut self, exists: impl Fn(&str) -> bool) {
        self.nodes.retain(|name, _| exists(name));
    }
}

/// The status of the node's Ready condition ("True", "False", "Unknown"), if it has one.
pub fn ready_status(node: &Node) -> Option<&str> {
    let conditions = node.status.as_ref()?.conditions.as_ref()?;
    conditions.iter().find(|c| c.type_ == "Ready").map(|c| c.status.as_str())
}

pub fn ready_heartbeat(node: &Node) -> Option<String> {
    let conditions = node.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions.iter().find(|c| c.type_ == "Ready")?;
    ready.last_heartbeat_time.as_ref().map(|t| t.0.to_rfc3339())
}

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The conditions of a silent node: each of upstream's node conditions Unknown (added as
/// "never updated" when missing), heartbeat times kept; `None` when already so.
pub fn unknown_conditions(node: &Node, now: DateTime<Utc>) -> Option<Vec<Value>> {
    let current: Vec<Value> = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(|c| c.iter().filter_map(|c| serde_json::to_value(c).ok()).collect())
        .unwrap_or_default();
    let mut changed = false;
    let mut conditions = current.clone();
    for type_ in NODE_CONDITIONS {
        match conditions.iter_mut().find(|c| c["type"] == *type_) {
            Some(condition) if condition["status"] == "Unknown" => {}
            Some(condition) => {
                condition["status"] = json!("Unknown");
                condition["reason"] = json!(UNKNOWN_REASON);
                condition["message"] = json!(UNKNOWN_MESSAGE);
                condition["lastTransitionTime"] = json!(timestamp(now));
                changed = true;
            }
            None => {
                conditions.push(json!({"type": type_, "status": "Unknown", "reason": NEVER_REASON,
                    "message": NEVER_MESSAGE, "lastHeartbeatTime": timestamp(now),
                    "lastTransitionTime": timestamp(now)}));
                changed = true;
            }
        }
    }
    changed.then_some(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_heartbeats_age_and_moving_ones_do_not() {
        let mut probes = Probes::default();
        assert_eq!(probes.observe("n", Some("t1".into()), None), Duration::ZERO);
        std::thread::sleep(Duration::from_millis(20));
        assert!(probes.observe("n", Some("t1".into()), None) >= Duration::from_millis(20));
        assert!(probes.observe("n", Some("t2".into()), None) < Duration::from_millis(20));
    }

    #[test]
    fn a_silent_node_gets_unknown_conditions_once() {
        let node: Node = serde_json::from_value(json!({"metadata": {"name": "n"}, "status": {"conditions": [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": "2026-01-01T00:00:00Z"},
            {"type": "MemoryPressure", "status": "False"}]}}))
        .unwrap();
        let conditions = unknown_conditions(&node, Utc::now()).unwrap();
        let ready = &conditions[0];
        assert_eq!((ready["status"].as_str(), ready["reason"].as_str()), (Some("Unknown"), Some(UNKNOWN_REASON)));
        assert_eq!(ready["message"], UNKNOWN_MESSAGE);
        assert_eq!(ready["lastHeartbeatTime"], "2026-01-01T00:00:00Z");
        assert_eq!(conditions.len(), 4);
        let mut unknown = node.clone();
        unknown.status.as_mut().unwrap().conditions = Some(serde_json::from_value(json!(conditions)).unwrap());
        assert!(unknown_conditions(&unknown, Utc::now()).is_none());
    }
}
