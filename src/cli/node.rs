//! `kctl node`: the flags of a node container's process; the node itself is
//! `crate::node` (node bootstrap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::node::{NodeConfig, NodeRole, DATA_DIR, PKI_DIR};

#[derive(Args, Debug, Clone)]
pub struct NodeArgs {
    /// What this node runs.
    #[arg(long, value_enum)]
    pub role: NodeRole,
    /// The node's name (its container's name).
    #[arg(long = "node-name")]
    pub node_name: String,
    /// The cluster's name (the label of its pods' containers).
    #[arg(long = "cluster-name")]
    pub cluster_name: String,
    /// The Docker network of the cluster (this node's and its pods' addresses).
    #[arg(long)]
    pub network: String,
    /// Certificates and the apiserver address, as the create step wrote them.
    #[arg(long, default_value = PKI_DIR)]
    pub pki_dir: PathBuf,
    /// The store's directory (control plane).
    #[arg(long, default_value = DATA_DIR)]
    pub data_dir: PathBuf,
    /// The sandbox image (the node's own image).
    #[arg(long)]
    pub pause_image: Option<String>,
    /// Labels of the Node object (repeatable, KEY=VALUE).
    #[arg(long = "node-label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// A control plane without the NoSchedule taint (a cluster with no workers, as kind).
    #[arg(long)]
    pub untainted: bool,
    /// The range cluster IPs come from (the kind config's networking.serviceSubnet).
    #[arg(long, default_value = "10.96.0.0/16")]
    pub service_cluster_ip_range: crate::apiserver::kubernetes_service::ServiceIpRange,
}

pub fn run(args: &NodeArgs) -> anyhow::Result<ExitCode> {
    crate::node::run(&NodeConfig {
        role: args.role,
        node_name: args.node_name.clone(),
        cluster_name: args.cluster_name.clone(),
        network: args.network.clone(),
        pki_dir: args.pki_dir.clone(),
        data_dir: args.data_dir.clone(),
        pause_image: args.pause_image.clone(),
        labels: args.labels.clone(),
        untainted: args.untainted,
        service_ip_range: args.service_cluster_ip_range,
    })
}
