//! `kctl cluster create`: a list of small actions run in order (kind's
//! `pkg/cluster/internal/create`): node image → nodes → configuration → control plane →
//! workers → (optionally) wait for Ready; then the kubeconfig. A failure deletes what
//! was made unless `--retain`.

mod control_plane;
mod image;
mod join;
mod provision;
mod wait;
mod write_config;

use std::time::Duration;

use async_trait::async_trait;

use super::config::{node_names, Cluster, Role};
use super::provider::{Provider, ProviderError};
use super::status::Status;
use super::ClusterError;
use crate::machinery::pki::Pki;

/// What the actions share: the config, the provider, the status printer, and what
/// earlier actions made.
pub struct Context<'a> {
    pub config: &'a Cluster,
    pub provider: &'a dyn Provider,
    pub status: &'a mut Status,
    /// The nodes to make, in order, by name.
    pub nodes: Vec<(String, Role)>,
    /// The node image (set by `image`).
    pub image: String,
    /// The cluster's CA (set by `write_config`).
    pub pki: Option<Pki>,
    /// How long to wait for nodes Ready (zero: not at all).
    pub wait: Duration,
}

impl Context<'_> {
    pub fn control_plane(&self) -> &str {
        self.nodes.iter().find(|(_, role)| *role == Role::ControlPlane).map(|(n, _)| n.as_str()).unwrap_or_default()
    }

    pub fn workers(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().filter(|(_, role)| *role == Role::Worker).map(|(n, _)| n.as_str())
    }
}

#[async_trait]
pub trait Action: Send + Sync {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError>;
}

pub struct CreateOptions {
    pub kubeconfig: Option<String>,
    pub retain: bool,
    pub wait: Duration,
}

pub async fn create(provider: &dyn Provider, config: &Cluster, options: &CreateOptions) -> Result<(), ClusterError> {
    let mut status = Status::new();
    let name = config.name.clone();
    status.line(&format!("Creating cluster {name:?} ..."));
    if !provider.list_nodes(&name).await?.is_empty() {
        return Err(ClusterError::AlreadyExists(name));
    }
    let actions: Vec<Box<dyn Action>> = vec![
        Box::new(image::EnsureImage),
        Box::new(provision::Provision),
        Box::new(write_config::WriteConfiguration),
        Box::new(control_plane::StartControlPlane),
        Box::new(join::JoinWorkers),
        Box::new(wait::WaitForReady),
    ];
    let mut ctx = Context {
        config,
        provider,
        status: &mut status,
        nodes: node_names(config),
        image: String::new(),
        pki: None,
        wait: options.wait,
    };
    let mut result = Ok(());
    for action in &actions {
        if let Err(err) = action.execute(&mut ctx).await {
            ctx.status.end(false);
            result = Err(err);
            break;
        }
    }
    ctx.status.end(true);
    if result.is_ok() {
        result = super::kubeconfig::export(provider, &name, options.kubeconfig.as_deref()).await;
    }
    if let Err(err) = result {
        if options.retain {
            status.line("NOTE: the cluster was retained (--retain); `kctl cluster delete` removes it");
        } else if let Err(cleanup) = provider.delete_cluster(&name).await {
            status.line(&format!("ERROR: failed to delete the cluster after the failure: {cleanup}"));
        }
        return Err(err);
    }
    let context = super::kubeconfig::context_name(&name);
    println!("Set kubectl context to \"{context}\"");
    println!("You can now use your cluster with:\n\nkubectl cluster-info --context {context}\n");
    println!("Have a nice day! 👋");
    Ok(())
}

/// Polls `check` until it answers true or `deadline` passes (then the last error).
pub async fn poll<F, Fut>(within: Duration, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, String>>,
{
    let deadline = tokio::time::Instant::now() + within;
    let mut last = String::from("timed out");
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(err) => last = err,
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(last);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

impl From<ProviderError> for ClusterError {
    fn from(err: ProviderError) -> Self {
        ClusterError::Provider(err)
    }
}
