//! `kctl cluster create|delete|list|get`: kind's commands (`kind create cluster` is
//! `kctl cluster create`), with kind's flags, messages and exit codes. The cluster's
//! name is `--name`, or the global `-n`, or `$KIND_CLUSTER_NAME`, or `kind`.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use super::GlobalOptions;
use crate::cluster::config::{self, default::DEFAULT_NAME};
use crate::cluster::create::{self, CreateOptions};
use crate::cluster::provider::docker::DockerProvider;
use crate::cluster::provider::Provider;
use crate::cluster::{self as clusters, kubeconfig, ClusterError};

#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub command: ClusterCommand,
}

#[derive(Args, Debug, Clone, Default)]
pub struct NameArg {
    /// The cluster's name (default: $KIND_CLUSTER_NAME or "kind"; `-n` works too).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum ClusterCommand {
    /// Creates a local Kubernetes cluster (one Docker container per node).
    Create(CreateArgs),
    /// Deletes a cluster: its nodes, their pods, its network and kubeconfig entries.
    Delete(NameArg),
    /// Lists existing clusters.
    List,
    /// Gets clusters, a cluster's nodes, or its kubeconfig.
    Get(GetArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CreateArgs {
    #[command(flatten)]
    pub name: NameArg,
    /// Path to a kind config file (kind.x-k8s.io/v1alpha4 Cluster).
    #[arg(long)]
    pub config: Option<String>,
    /// Keep the nodes when creation fails (for debugging).
    #[arg(long)]
    pub retain: bool,
    /// Wait for the nodes to be Ready (e.g. 30s, 5m; default: do not wait).
    #[arg(long, value_parser = super::server::parse_duration, default_value = "0s")]
    pub wait: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GetWhat {
    Clusters,
    Nodes,
    Kubeconfig,
}

#[derive(Args, Debug, Clone)]
pub struct GetArgs {
    /// clusters, nodes or kubeconfig.
    #[arg(value_enum)]
    pub what: GetWhat,
    #[command(flatten)]
    pub name: NameArg,
}

fn cluster_name(arg: &NameArg, global: &GlobalOptions) -> Option<String> {
    arg.name
        .clone()
        .or_else(|| global.namespace.clone())
        .or_else(|| std::env::var("KIND_CLUSTER_NAME").ok().filter(|n| !n.is_empty()))
}

fn fail(what: &str, err: impl std::fmt::Display) -> ExitCode {
    eprintln!("ERROR: {what}: {err}");
    ExitCode::FAILURE
}

pub fn run(args: &ClusterArgs, global: &GlobalOptions) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    Ok(runtime.block_on(run_async(args, global)))
}

async fn run_async(args: &ClusterArgs, global: &GlobalOptions) -> ExitCode {
    let explicit = global.kubeconfig.as_deref();
    match &args.command {
        ClusterCommand::Create(create_args) => {
            const WHAT: &str = "failed to create cluster";
            // The config first: a bad file fails without Docker.
            let name = cluster_name(&create_args.name, global);
            let loaded = match config::load(create_args.config.as_deref(), name.as_deref()) {
                Ok(loaded) => loaded,
                Err(err) => return fail(WHAT, err),
            };
            for note in &loaded.notes {
                eprintln!("NOTE: {note}");
            }
            let provider = match DockerProvider::connect().await {
                Ok(provider) => provider,
                Err(err) => return fail(WHAT, err),
            };
            let options = CreateOptions {
                kubeconfig: global.kubeconfig.clone(),
                retain: create_args.retain,
                wait: create_args.wait,
            };
            match create::create(&provider, &loaded.cluster, &options).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(WHAT, err),
            }
        }
        ClusterCommand::Delete(name) => {
            let name = cluster_name(name, global).unwrap_or_else(|| DEFAULT_NAME.into());
            let provider = match DockerProvider::connect().await {
                Ok(provider) => provider,
                Err(err) => return fail("failed to delete cluster", err),
            };
            eprintln!("Deleting cluster {name:?} ...");
            match clusters::delete(&provider, &name, explicit).await {
                Ok(nodes) => {
                    if !nodes.is_empty() {
                        let quoted: Vec<String> = nodes.iter().map(|n| format!("{n:?}")).collect();
                        eprintln!("Deleted nodes: [{}]", quoted.join(" "));
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => fail(&format!("failed to delete cluster {name:?}"), err),
            }
        }
        ClusterCommand::List => list_clusters().await,
        ClusterCommand::Get(get) => match get.what {
            GetWhat::Clusters => list_clusters().await,
            GetWhat::Nodes => {
                let name = cluster_name(&get.name, global).unwrap_or_else(|| DEFAULT_NAME.into());
                let nodes = async {
                    let provider = DockerProvider::connect().await?;
                    provider.list_nodes(&name).await
                };
                match nodes.await {
                    Ok(nodes) if nodes.is_empty() => {
                        eprintln!("No kind nodes found for cluster {name:?}.");
                        ExitCode::SUCCESS
                    }
                    Ok(nodes) => {
                        for node in nodes {
                            println!("{}", node.name);
                        }
                        ExitCode::SUCCESS
                    }
                    Err(err) => fail("failed to list nodes", err),
                }
            }
            GetWhat::Kubeconfig => {
                let name = cluster_name(&get.name, global).unwrap_or_else(|| DEFAULT_NAME.into());
                let text = async {
                    let provider = DockerProvider::connect().await?;
                    kubeconfig::text(&provider, &name).await
                };
                match text.await {
                    Ok(text) => {
                        print!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(ClusterError::Unknown(_)) => {
                        fail("failed to get cluster kubeconfig", format!("could not locate any control plane nodes for cluster named '{name}'. Use the --name option to select a different cluster"))
                    }
                    Err(err) => fail("failed to get cluster kubeconfig", err),
                }
            }
        },
    }
}

async fn list_clusters() -> ExitCode {
    let clusters = async { DockerProvider::connect().await?.list_clusters().await };
    match clusters.await {
        Ok(names) if names.is_empty() => {
            eprintln!("No kind clusters found.");
            ExitCode::SUCCESS
        }
        Ok(names) => {
            for name in names {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail("failed to list clusters", err),
    }
}
