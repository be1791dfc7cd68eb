//! The cluster's kubeconfig entries, named `kind-<cluster>` as kind names them (so
//! notes written for kind keep working): made from the admin kubeconfig kept in the
//! control-plane node, pointed at the port published on the host.

use kube::config::Kubeconfig;

use super::provider::Provider;
use super::ClusterError;
use crate::machinery::kubeconfig::ConfigAccess;

/// Where the control-plane node keeps the admin kubeconfig (kind: /etc/kubernetes/admin.conf).
pub const ADMIN_CONF: &str = "/etc/kctl/admin.conf";

pub fn context_name(cluster: &str) -> String {
    format!("kind-{cluster}")
}

fn kubeconfig_error(err: impl std::fmt::Display) -> ClusterError {
    ClusterError::Kubeconfig(err.to_string())
}

/// The admin kubeconfig for use on the host (server `https://127.0.0.1:<published port>`).
pub async fn for_host(provider: &dyn Provider, cluster: &str) -> Result<Kubeconfig, ClusterError> {
    let nodes = provider.list_nodes(cluster).await?;
    let control_plane =
        nodes.iter().find(|n| n.role == "control-plane").ok_or_else(|| ClusterError::Unknown(cluster.to_string()))?;
    let text = provider.read_file(&control_plane.name, ADMIN_CONF).await?;
    let mut config: Kubeconfig = serde_yaml::from_str(&text).map_err(kubeconfig_error)?;
    let (address, port) = provider.api_endpoint(cluster).await?;
    let address = if address == "0.0.0.0" || address.is_empty() { "127.0.0.1".to_string() } else { address };
    let host = if address.contains(':') { format!("[{address}]") } else { address };
    for named in &mut config.clusters {
        if let Some(cluster) = named.cluster.as_mut() {
            cluster.server = Some(format!("https://{host}:{port}"));
        }
    }
    Ok(config)
}

/// A client of the cluster's apiserver from the host.
pub async fn host_client(provider: &dyn Provider, cluster: &str) -> Result<kube::Client, ClusterError> {
    let config = for_host(provider, cluster).await?;
    let config = kube::Config::from_custom_kubeconfig(config, &kube::config::KubeConfigOptions::default())
        .await
        .map_err(kubeconfig_error)?;
    kube::Client::try_from(config).map_err(kubeconfig_error)
}

/// The kubeconfig text `kctl cluster get kubeconfig` prints.
pub async fn text(provider: &dyn Provider, cluster: &str) -> Result<String, ClusterError> {
    let config = for_host(provider, cluster).await?;
    let value = serde_json::to_value(&config).map_err(kubeconfig_error)?;
    Ok(crate::machinery::yaml::to_yaml(&value))
}

/// Merges the cluster's entries into the user's kubeconfig (`--kubeconfig`, else
/// `$KUBECONFIG`, else ~/.kube/config) and makes its context current.
pub async fn export(provider: &dyn Provider, cluster: &str, explicit: Option<&str>) -> Result<(), ClusterError> {
    let config = for_host(provider, cluster).await?;
    let mut set = ConfigAccess::from_env(explicit).load().map_err(kubeconfig_error)?;
    set.merge_in(&config, true).map_err(kubeconfig_error)?;
    set.save().map_err(kubeconfig_error)
}

/// Removes the cluster's entries (and the current context if it was the cluster's).
pub fn remove(cluster: &str, explicit: Option<&str>) -> Result<(), ClusterError> {
    let mut set = ConfigAccess::from_env(explicit).load().map_err(kubeconfig_error)?;
    set.remove_named(&context_name(cluster)).map_err(kubeconfig_error)?;
    set.save().map_err(kubeconfig_error)
}
