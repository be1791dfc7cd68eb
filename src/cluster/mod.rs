//! Local clusters, kind-compatible (`kctl cluster create|delete|list|get`): kind's config
//! (`config`), the steps of creation (`create`), a provider that makes nodes (`provider`,
//! Docker), the kubeconfig entries (`kubeconfig`) and kind's status lines (`status`).

pub mod config;
pub mod create;
pub mod kubeconfig;
pub mod provider;
pub mod status;

use provider::{Provider, ProviderError};

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("node(s) already exist for a cluster with the name {0:?}")]
    AlreadyExists(String),
    #[error("unknown cluster {0:?}")]
    Unknown(String),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Provider(ProviderError),
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("{0}")]
    Other(String),
}

/// Deletes cluster `name`: its nodes, their pods, its network and its kubeconfig entries
/// (a cluster that does not exist is no error, as with kind). The nodes deleted.
pub async fn delete(
    provider: &dyn Provider,
    name: &str,
    kubeconfig: Option<&str>,
) -> Result<Vec<String>, ClusterError> {
    let nodes = provider.delete_cluster(name).await?;
    kubeconfig::remove(name, kubeconfig)?;
    Ok(nodes)
}
