//! `--wait`: waits until every node is registered and Ready (kind waits for the control
//! plane; kctl's nodes are ready as soon as their kubelets register).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Node;

use super::{poll, Action, Context};
use crate::cluster::{kubeconfig, ClusterError};
use crate::machinery::duration::format_go_std;

pub struct WaitForReady;

fn ready(node: &Node) -> bool {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[async_trait]
impl Action for WaitForReady {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        if ctx.wait.is_zero() {
            return Ok(());
        }
        ctx.status.start(format!("Waiting ≤ {} for nodes = Ready ⏳", format_go_std(ctx.wait)));
        let started = Instant::now();
        let client = kubeconfig::host_client(ctx.provider, &ctx.config.name).await?;
        let want = ctx.nodes.len();
        let nodes: kube::Api<Node> = kube::Api::all(client);
        let outcome = poll(ctx.wait, || {
            let nodes = nodes.clone();
            async move {
                let list = nodes.list(&Default::default()).await.map_err(|e| e.to_string())?;
                Ok(list.items.len() >= want && list.items.iter().all(ready))
            }
        })
        .await;
        match outcome {
            Ok(()) => {
                ctx.status.end(true);
                ctx.status.line(&format!(
                    " • Ready after {} 💚",
                    format_go_std(Duration::from_secs(started.elapsed().as_secs()))
                ));
            }
            // kind: a timeout is a warning, the cluster stays.
            Err(_) => {
                ctx.status.end(false);
                ctx.status.line(" • WARNING: Timed out waiting for Ready ⚠️");
            }
        }
        Ok(())
    }
}
