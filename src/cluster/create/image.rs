//! Ensuring node image: kctl's own image (kctl and its libraries, FROM scratch), built
//! locally once per kctl binary; nothing is pulled.

use async_trait::async_trait;

use super::{Action, Context};
use crate::cluster::ClusterError;

pub struct EnsureImage;

#[async_trait]
impl Action for EnsureImage {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        let binary = std::env::current_exe().map_err(|e| ClusterError::Other(format!("finding kctl: {e}")))?;
        let tag = crate::kubelet::docker::pause::image_tag(&binary).map_err(|e| ClusterError::Other(e.to_string()))?;
        ctx.status.start(format!("Ensuring node image ({tag}) 🖼"));
        ctx.image = ctx.provider.ensure_node_image().await?;
        Ok(())
    }
}
