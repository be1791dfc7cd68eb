//! Starting control-plane: starts its node and waits until the apiserver answers on the
//! published port (failing early, with the node's output, if the node exits).

use std::time::Duration;

use async_trait::async_trait;

use super::{poll, Action, Context};
use crate::cluster::{kubeconfig, ClusterError};

pub struct StartControlPlane;

/// How long a control plane may take to serve.
const START_TIMEOUT: Duration = Duration::from_secs(90);

#[async_trait]
impl Action for StartControlPlane {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        ctx.status.start("Starting control-plane 🕹️");
        let node = ctx.control_plane().to_string();
        let provider = ctx.provider;
        provider.start_node(&node).await?;
        let client = kubeconfig::host_client(provider, &ctx.config.name).await?;
        let answered = poll(START_TIMEOUT, || {
            let (client, node) = (client.clone(), node.clone());
            async move {
                if !provider.node_running(&node).await.map_err(|e| e.to_string())? {
                    let logs = provider.node_logs(&node).await.unwrap_or_default();
                    return Err(format!("node {node} exited:\n{logs}"));
                }
                Ok(client.apiserver_version().await.is_ok())
            }
        })
        .await;
        answered.map_err(|err| ClusterError::Other(format!("the control plane did not start: {err}")))
    }
}
