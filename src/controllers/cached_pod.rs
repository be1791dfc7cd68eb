//! What the shared pod cache holds of a pod: the fields the pod controllers read
//! (replicaset, replicationcontroller, job, node lifecycle, endpoints), decoded straight from the
//! watch. Its fields keep the names and nesting of `k8s_openapi`'s `Pod`, so controller
//! code reads `pod.status.as_ref()?.phase` either way.
//!
//! A trimmed `Pod` would still carry the inline size of every `PodSpec` and
//! `ContainerStatus` field, which is most of a large cache. The controllers build new pods
//! from their owners' templates, never from cached pods, so nothing else is needed.

use k8s_openapi::api::core::v1::{NodeSelector, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde::{Deserialize, Deserializer};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CachedPod {
    #[serde(default, deserialize_with = "crate::client::watched_pod::unmanaged_metadata")]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Option<PodSpec>,
    #[serde(default)]
    pub status: Option<PodStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub node_name: Option<String>,
    /// Only the required node affinity: a DaemonSet pod names its node there until bound.
    pub affinity: Option<Affinity>,
    pub tolerations: Option<Vec<Toleration>>,
    /// `hostname` and `subdomain`: a headless Service's endpoints name the pod by them.
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    /// Only the ports of each container, which a Service's named targetPort resolves to.
    #[serde(default)]
    pub containers: Vec<ContainerPorts>,
    #[serde(default)]
    pub init_containers: Vec<ContainerPorts>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affinity {
    pub node_affinity: Option<NodeAffinity>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinity {
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPorts {
    /// `Always` marks a sidecar, whose ports count as the pod's.
    pub restart_policy: Option<String>,
    #[serde(default)]
    pub ports: Vec<ContainerPort>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i32,
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    pub phase: Option<String>,
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    #[serde(default, deserialize_with = "read_conditions")]
    pub conditions: Option<Vec<PodCondition>>,
    pub container_statuses: Option<Vec<ContainerStatus>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodCondition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub last_transition_time: Option<Time>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    #[serde(default)]
    pub restart_count: i32,
    pub state: Option<ContainerState>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ContainerState {
    pub terminated: Option<ContainerStateTerminated>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    pub finished_at: Option<Time>,
}

/// The condition types a controller reads; the others (PodScheduled, Initialized,
/// ContainersReady, …) are dropped as they are decoded.
const READ_CONDITIONS: &[&str] = &["Ready"];

fn read_conditions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<PodCondition>>, D::Error> {
    let mut conditions: Option<Vec<PodCondition>> = Option::deserialize(deserializer)?;
    if let Some(conditions) = conditions.as_mut() {
        conditions.retain(|c| READ_CONDITIONS.contains(&c.type_.as_str()));
        conditions.shrink_to_fit();
    }
    Ok(conditions)
}

crate::client::watched_pod::pod_resource!(CachedPod);

#[cfg(test)]
mod tests {
    use super::*;
    use kube::{Resource, ResourceExt};
    use serde_json::json;

    #[test]
    fn a_watched_pod_keeps_what_controllers_read_and_nothing_else() {
        let pod: CachedPod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "default", "uid": "u1", "resourceVersion": "7",
                "labels": {"app": "web"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": "web", "uid": "rs", "controller": true}],
                "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsV1": {"f:status": {}}}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}],
                "tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "conditions": [{"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
                "containerStatuses": [{"name": "c", "image": "busybox", "imageID": "", "ready": true,
                    "restartCount": 2, "state": {"terminated": {"exitCode": 1,
                    "finishedAt": "2026-01-01T00:00:01Z"}}}]}
        }))
        .unwrap();
        assert_eq!(pod.name_any(), "web-1");
        assert_eq!(pod.metadata.managed_fields, None);
        assert_eq!(pod.metadata.owner_references.as_ref().map(Vec::len), Some(1));
        let spec = pod.spec.as_ref().unwrap();
        assert_eq!(spec.node_name.as_deref(), Some("n1"));
        assert_eq!(spec.tolerations.as_ref().map(Vec::len), Some(1));
        let status = pod.status.as_ref().unwrap();
        let conditions = status.conditions.as_ref().unwrap();
        assert_eq!(conditions.iter().map(|c| c.type_.as_str()).collect::<Vec<_>>(), ["Ready"]);
        let container = &status.container_statuses.as_ref().unwrap()[0];
        assert_eq!(container.restart_count, 2);
        assert!(container.state.as_ref().unwrap().terminated.as_ref().unwrap().finished_at.is_some());
    }

    #[test]
    fn it_is_addressed_as_a_pod() {
        assert_eq!(CachedPod::url_path(&(), Some("default")), "/api/v1/namespaces/default/pods");
    }
}
