//! The Docker node's Node object (the engine's facts in nodeInfo, the kubelet endpoint
//! in daemonEndpoints) and its heartbeat: the Lease (the hollow kubelet's renewal) and
//! a status post now and then.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::{json, Value};

use super::runtime::Runtime;
use crate::kubelet::lease;
use crate::kubelet::node_status::{self, NodeFacts};

/// What the engine says about the machine.
#[derive(Debug, Clone, Default)]
pub struct EngineInfo {
    pub version: String,
    pub kernel: String,
    pub os: String,
    pub cpus: i64,
    pub memory: i64,
    pub id: String,
}

pub async fn engine_info(runtime: &Runtime) -> EngineInfo {
    let info = runtime.docker.info().await.unwrap_or_default();
    EngineInfo {
        version: info.server_version.unwrap_or_default(),
        kernel: info.kernel_version.unwrap_or_default(),
        os: info.operating_system.unwrap_or_default(),
        cpus: info.ncpu.unwrap_or(1),
        memory: info.mem_total.unwrap_or(0),
        id: info.id.unwrap_or_default(),
    }
}

pub fn node_status(
    node: &str,
    endpoint: SocketAddr,
    info: &EngineInfo,
    ready_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Value {
    let facts = NodeFacts {
        name: node,
        internal_ip: endpoint.ip().to_string(),
        kubelet_port: endpoint.port(),
        resources: json!({"cpu": info.cpus.to_string(), "memory": format!("{}Ki", info.memory / 1024),
            "pods": "110", "ephemeral-storage": "100Gi"}),
        node_info: json!({
            "machineID": info.id,
            "systemUUID": info.id,
            "bootID": info.id,
            "kernelVersion": info.kernel,
            "osImage": info.os,
            "containerRuntimeVersion": format!("docker://{}", info.version),
        }),
    };
    node_status::healthy(&facts, ready_since, now)
}

/// What a Node is registered with besides kctl's own labels.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub labels: std::collections::BTreeMap<String, String>,
    /// JSON `Taint`s (e.g. the control plane's `NoSchedule`).
    pub taints: Vec<Value>,
}

fn node_object(node: &str, registration: &Registration) -> Value {
    let mut object = json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node,
            "labels": {
                "kubernetes.io/hostname": node,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
            },
        },
        "spec": {},
    });
    for (key, value) in &registration.labels {
        object["metadata"]["labels"][key] = json!(value);
    }
    if !registration.taints.is_empty() {
        object["spec"]["taints"] = json!(registration.taints);
    }
    object
}

async fn post_status(client: &Client, node: &str, status: Value) -> kube::Result<()> {
    let nodes: Api<Node> = Api::all(client.clone());
    nodes.patch_status(node, &PatchParams::default(), &Patch::Merge(json!({"status": status}))).await.map(|_| ())
}

/// Creates the Node (or finds it from an earlier run) and posts its status, retrying
/// until the apiserver takes both.
pub async fn register(
    client: &Client,
    node: &str,
    endpoint: SocketAddr,
    info: &EngineInfo,
    registration: &Registration,
) {
    let nodes: Api<Node> = Api::all(client.clone());
    let mut delay = Duration::from_millis(200);
    loop {
        let created = match serde_json::from_value::<Node>(node_object(node, registration)) {
            Ok(object) => match nodes.create(&PostParams::default(), &object).await {
                Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 409, .. })) => Ok(()),
                Err(err) => Err(err.to_string()),
            },
            Err(err) => Err(err.to_string()),
        };
        let now = Utc::now();
        let posted = match created {
            Ok(()) => {
                post_status(client, node, node_status(node, endpoint, info, now, now)).await.map_err(|e| e.to_string())
            }
            Err(err) => Err(err),
        };
        match posted {
            Ok(()) => return,
            Err(err) => tracing::warn!(%err, node, "docker node registration failed; retrying"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Renews the Lease every `every` and re-posts the status every minute.
pub async fn heartbeat_forever(client: Client, node: String, endpoint: SocketAddr, info: EngineInfo, every: Duration) {
    let ready_since = Utc::now();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_status = std::time::Instant::now();
    loop {
        tick.tick().await;
        let now = Utc::now();
        if let Err(err) = lease::renew(&client, &node, now).await {
            tracing::warn!(%err, "docker node lease not renewed");
        }
        if last_status.elapsed() >= crate::kubelet::node_status::STATUS_EVERY {
            last_status = std::time::Instant::now();
            if let Err(err) = post_status(&client, &node, node_status(&node, endpoint, &info, ready_since, now)).await {
                tracing::warn!(%err, "docker node status not posted");
            }
        }
    }
}
