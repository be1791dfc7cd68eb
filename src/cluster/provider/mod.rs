//! What a cluster is made of (nodes with roles, a network, files given to nodes) apart
//! from how (Docker, in `docker`). Nodes are found by their cluster label, never by
//! parsing names.

pub mod docker;

use async_trait::async_trait;

use super::config::Role;

/// The label that marks a node container (and the network) as a cluster's.
pub const CLUSTER_LABEL: &str = "io.x-k8s.kctl.cluster";
/// The node's role (`control-plane` or `worker`), as kind's `io.x-k8s.kind.role`.
pub const ROLE_LABEL: &str = "io.x-k8s.kctl.role";
pub use crate::node::API_SERVER_PORT;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{what}: {message}")]
    Engine { what: String, message: String },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    NotFound(String),
}

/// A node to create (not yet started).
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub name: String,
    pub role: Role,
    pub image: String,
    /// The node process's arguments after the binary (`node --role …`).
    pub args: Vec<String>,
    /// Where the host reaches the apiserver (control-plane only): address and port
    /// (0: a random free port).
    pub api_server: Option<(String, u16)>,
    /// kind's `extraPortMappings`: node ports published on the host.
    pub port_mappings: Vec<super::config::PortMapping>,
}

/// A node that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub name: String,
    pub role: String,
}

/// A file to put into a node before it starts.
#[derive(Debug, Clone)]
pub struct NodeFile {
    pub path: String,
    pub contents: String,
    pub mode: u32,
}

#[async_trait]
pub trait Provider: Send + Sync {
    /// The image every node runs, made when missing; its tag.
    async fn ensure_node_image(&self) -> Result<String, ProviderError>;
    /// Creates the cluster's network.
    async fn create_network(&self, cluster: &str) -> Result<(), ProviderError>;
    /// Creates (without starting) a node of `cluster`.
    async fn create_node(&self, cluster: &str, spec: &NodeSpec) -> Result<(), ProviderError>;
    /// Writes files into a node (created or running).
    async fn write_files(&self, node: &str, files: &[NodeFile]) -> Result<(), ProviderError>;
    /// Reads one file of a node.
    async fn read_file(&self, node: &str, path: &str) -> Result<String, ProviderError>;
    async fn start_node(&self, node: &str) -> Result<(), ProviderError>;
    /// The node's address on the cluster network.
    async fn node_ip(&self, cluster: &str, node: &str) -> Result<String, ProviderError>;
    /// Where the host reaches the cluster's apiserver.
    async fn api_endpoint(&self, cluster: &str) -> Result<(String, u16), ProviderError>;
    /// The node process's output (what to show when a node fails).
    async fn node_logs(&self, node: &str) -> Result<String, ProviderError>;
    /// Whether the node's process still runs.
    async fn node_running(&self, node: &str) -> Result<bool, ProviderError>;
    /// The names of the clusters that have nodes, sorted.
    async fn list_clusters(&self) -> Result<Vec<String>, ProviderError>;
    /// The cluster's nodes, sorted by name.
    async fn list_nodes(&self, cluster: &str) -> Result<Vec<NodeInfo>, ProviderError>;
    /// Removes the cluster's nodes, the pods they ran and the network; the nodes removed.
    async fn delete_cluster(&self, cluster: &str) -> Result<Vec<String>, ProviderError>;
}
