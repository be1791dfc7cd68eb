//! Binding: `POST pods/NAME/binding`, many in flight at once. The decision is already in
//! the cache (assumed); the outcome comes back to the scheduler loop.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::json;
use tokio::sync::{mpsc, OwnedSemaphorePermit};

use super::info::PodInfo;
use super::SchedulerError;
use crate::machinery::well_known::volume::SELECTED_NODE;

/// How many bindings may be in flight: enough to hide the round trip, few enough not to
/// flood the apiserver.
pub const MAX_IN_FLIGHT: usize = 64;

#[derive(Debug)]
pub struct BindOutcome {
    pub pod: Arc<PodInfo>,
    pub node: String,
    pub result: Result<(), SchedulerError>,
}

/// What to do after a failed binding.
#[derive(Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// The pod is gone or was bound by someone else: the watch will say so.
    Forget,
    /// Something transient: try again after a backoff.
    Retry,
}

impl BindOutcome {
    pub fn after_failure(error: &SchedulerError) -> AfterFailure {
        match error {
            SchedulerError::Bind(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => {
                AfterFailure::Forget
            }
            _ => AfterFailure::Retry,
        }
    }
}

/// The Binding body upstream's scheduler posts (the uid guards against a pod recreated
/// under the same name).
pub fn binding(pod: &PodInfo, node: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    })
}

async fn bind(client: Client, pod: &PodInfo, node: &str) -> Result<(), SchedulerError> {
    select_node(&client, pod, node).await?;
    let pods: Api<Pod> = Api::namespaced(client, &pod.namespace);
    let body = serde_json::to_vec(&binding(pod, node)).map_err(SchedulerError::Encode)?;
    pods.create_subresource::<serde_json::Value>("binding", &pod.name, &PostParams::default(), body)
        .await
        .map_err(SchedulerError::Bind)?;
    Ok(())
}

/// Ties the pod's unbound WaitForFirstConsumer claims to `node` (upstream's
/// VolumeBinding PreBind), so their provisioner makes the volumes there.
async fn select_node(client: &Client, pod: &PodInfo, node: &str) -> Result<(), SchedulerError> {
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &pod.namespace);
    for claim in &pod.select_node_for {
        let patch = json!({"metadata": {"annotations": {SELECTED_NODE: node}}});
        claims
            .patch(claim, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .map_err(|source| SchedulerError::SelectNode { claim: claim.clone(), source })?;
    }
    Ok(())
}

/// Binds in the background; `permit` bounds how many run at once.
pub fn spawn(
    client: Client,
    pod: Arc<PodInfo>,
    node: String,
    permit: OwnedSemaphorePermit,
    outcomes: mpsc::UnboundedSender<BindOutcome>,
) {
    tokio::spawn(async move {
        let result = bind(client, &pod, &node).await;
        drop(permit);
        // The loop may be gone when the scheduler stops; nothing to do then.
        let _ = outcomes.send(BindOutcome { pod, node, result });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_targets_the_node() {
        let pod = PodInfo { uid: "u".into(), namespace: "default".into(), name: "nginx".into(), ..Default::default() };
        let body = binding(&pod, "hollow-node-1");
        assert_eq!(body["target"], json!({"apiVersion": "v1", "kind": "Node", "name": "hollow-node-1"}));
        assert_eq!(body["metadata"]["name"], "nginx");
    }

    #[test]
    fn conflicts_and_missing_pods_are_not_retried() {
        let api = |code| {
            SchedulerError::Bind(kube::Error::Api(kube::core::ErrorResponse {
                status: "Failure".into(),
                message: String::new(),
                reason: String::new(),
                code,
            }))
        };
        assert_eq!(BindOutcome::after_failure(&api(409)), AfterFailure::Forget);
        assert_eq!(BindOutcome::after_failure(&api(404)), AfterFailure::Forget);
        assert_eq!(BindOutcome::after_failure(&api(500)), AfterFailure::Retry);
    }
}
