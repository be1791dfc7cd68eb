//! Joining worker nodes: tells each worker where the apiserver is (the control plane's
//! address on the cluster network, known once it runs) and starts it.

use async_trait::async_trait;

use super::{Action, Context};
use crate::cluster::provider::{NodeFile, API_SERVER_PORT};
use crate::cluster::ClusterError;
use crate::node::{files, PKI_DIR};

pub struct JoinWorkers;

#[async_trait]
impl Action for JoinWorkers {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        let workers: Vec<String> = ctx.workers().map(str::to_string).collect();
        if workers.is_empty() {
            return Ok(());
        }
        ctx.status.start("Joining worker nodes 🚜");
        let ip = ctx.provider.node_ip(&ctx.config.name, ctx.control_plane()).await?;
        let apiserver = NodeFile {
            path: format!("{PKI_DIR}/{}", files::APISERVER),
            contents: format!("https://{ip}:{API_SERVER_PORT}\n"),
            mode: 0o644,
        };
        for worker in &workers {
            ctx.provider.write_files(worker, std::slice::from_ref(&apiserver)).await?;
            ctx.provider.start_node(worker).await?;
        }
        Ok(())
    }
}
