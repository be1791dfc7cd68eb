//! A healthy node's status as every kubelet posts it: capacity, the four conditions
//! (heartbeat `now`, in their state since `ready_since`), addresses, the kubelet's
//! endpoint and nodeInfo. The hollow and the Docker kubelet differ only in the facts.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub const KUBELET_VERSION: &str = "v1.32.0";
/// Like upstream's nodeStatusReportFrequency (shorter: a NotReady mark heals sooner).
pub const STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// What one node agent knows about its machine.
pub struct NodeFacts<'a> {
    pub name: &'a str,
    pub internal_ip: String,
    /// Where the apiserver reaches the kubelet (`pods/log`); 0 when nothing listens.
    pub kubelet_port: u16,
    /// cpu, memory, pods, ephemeral-storage: capacity, all allocatable.
    pub resources: Value,
    /// machineID, systemUUID, bootID, kernelVersion, osImage, containerRuntimeVersion.
    pub node_info: Value,
}

pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn healthy(facts: &NodeFacts, ready_since: DateTime<Utc>, now: DateTime<Utc>) -> Value {
    let condition = |type_: &str, status: &str, reason: &str, message: &str| {
        json!({"type": type_, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": timestamp(now), "lastTransitionTime": timestamp(ready_since)})
    };
    let mut node_info = facts.node_info.clone();
    node_info["kubeletVersion"] = json!(KUBELET_VERSION);
    node_info["kubeProxyVersion"] = json!(KUBELET_VERSION);
    node_info["operatingSystem"] = json!("linux");
    node_info["architecture"] = json!("amd64");
    json!({
        "capacity": facts.resources,
        "allocatable": facts.resources,
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [
            {"type": "InternalIP", "address": facts.internal_ip},
            {"type": "Hostname", "address": facts.name},
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": facts.kubelet_port}},
        "nodeInfo": node_info,
    })
}
