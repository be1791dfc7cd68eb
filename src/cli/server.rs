//! `kctl server`: kctl's control plane on this machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::apiserver::kubernetes_service::ServiceIpRange;
use crate::apiserver::{self, ServerConfig};
use crate::kubelet::docker::DockerNodeOptions;
use crate::kubelet::hollow::HollowOptions;
use crate::kubelet::lease;
use crate::machinery::duration;

#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Where the store, certificates and state live (default ~/.kctl/server).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address of the HTTPS API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Write an admin kubeconfig for this server to PATH.
    #[arg(long, value_name = "PATH")]
    pub write_kubeconfig: Option<PathBuf>,
    /// Use these etcd endpoints (comma-separated) instead of the embedded store.
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// Extra names or IPs for the serving certificate.
    #[arg(long = "tls-san")]
    pub tls_sans: Vec<String>,
    /// Register N simulated nodes that run pods without containers (like kwok).
    #[arg(long, default_value_t = 0)]
    pub hollow_nodes: usize,
    /// Images that hollow nodes fail to pull (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub hollow_failing_images: Vec<String>,
    /// Register node NAME whose pods run as containers on the local Docker engine
    /// (repeatable).
    #[arg(long = "docker-node", value_name = "NAME")]
    pub docker_nodes: Vec<String>,
    /// The Docker network the pods of Docker nodes join (their IPs are the pod IPs).
    #[arg(long, default_value = "bridge")]
    pub docker_network: String,
    /// Run only the apiserver: no controllers, no scheduler.
    #[arg(long)]
    pub apiserver_only: bool,
    /// How long a node may stay silent before it is marked unreachable.
    #[arg(long, default_value = "40s", value_parser = parse_duration)]
    pub node_monitor_grace_period: Duration,
    /// How long pods stay on an unreachable node before they are evicted (the
    /// tolerationSeconds of new pods' default not-ready/unreachable tolerations).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub pod_eviction_timeout: Duration,
    /// How often history older than one interval is compacted (e.g. 5m, 30s, 1s).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub etcd_compaction_interval: Duration,
    /// The range cluster IPs come from; the `kubernetes` service gets its first address.
    #[arg(long, default_value = "10.96.0.0/16")]
    pub service_cluster_ip_range: ServiceIpRange,
    /// The address the `kubernetes` endpoints list for this server (default: the listen
    /// address, or this host's first non-loopback IPv4 if that is loopback or 0.0.0.0).
    #[arg(long)]
    pub advertise_address: Option<std::net::IpAddr>,
}

/// A duration flag in Go's syntax (`90s`, `5m`, `1h30m`, `1.5s`; a bare `0`), as upstream's
/// components read theirs; it may not be negative.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let parsed = duration::parse_go(text).map_err(|err| err.to_string())?;
    parsed.to_std().map_err(|_| format!("invalid duration {text:?}: must not be negative"))
}

pub fn run(args: &ServerArgs) -> anyhow::Result<ExitCode> {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => dirs::home_dir().context("no home directory; pass --data-dir")?.join(".kctl/server"),
    };
    let config = ServerConfig {
        data_dir,
        listen: args.listen,
        etcd_servers: args.etcd_servers.clone(),
        hosts: args.tls_sans.clone(),
        write_kubeconfig: args.write_kubeconfig.clone(),
        compaction_interval: args.etcd_compaction_interval,
        // Pods are evicted from an unreachable node once their default toleration ends.
        default_toleration_seconds: i64::try_from(args.pod_eviction_timeout.as_secs()).unwrap_or(i64::MAX),
        service_ip_range: args.service_cluster_ip_range,
        advertise_address: args.advertise_address,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let server = apiserver::start(config).await?;
        eprintln!("kctl server listening on {}", server.url());
        let mut components = tokio::task::JoinSet::new();
        if !args.apiserver_only {
            crate::node::control_plane::spawn_control_loops(
                &server,
                &mut components,
                args.node_monitor_grace_period,
                args.pod_eviction_timeout,
            );
        }
        // Four renewals per grace period at least, so a short grace period (in tests)
        // never marks a live node unreachable.
        let lease_renew_interval =
            lease::RENEW_EVERY.min(args.node_monitor_grace_period / 4).max(Duration::from_millis(100));
        if args.hollow_nodes > 0 {
            let nodes = server.client_for("system:node:hollow", &["system:nodes"], "kubelet");
            let options = HollowOptions {
                nodes: args.hollow_nodes,
                failing_images: args.hollow_failing_images.clone(),
                lease_renew_interval: Some(lease_renew_interval),
            };
            components.spawn(crate::kubelet::hollow::run(nodes, options));
        }
        if !args.docker_nodes.is_empty() {
            crate::node::control_plane::spawn_storage_addon(&server, &mut components);
            let cluster = cluster_id(&server).await?;
            for node in &args.docker_nodes {
                let client = server.client_for(&format!("system:node:{node}"), &["system:nodes"], "kubelet");
                let listen = SocketAddr::from(([127, 0, 0, 1], 0));
                let hosts = vec![node.clone(), listen.ip().to_string(), "localhost".to_string()];
                let options = DockerNodeOptions {
                    node: node.clone(),
                    cluster: cluster.clone(),
                    network: args.docker_network.clone(),
                    listen,
                    serving: server.issue_kubelet_serving(&hosts)?,
                    ca_pem: server.ca_pem().to_string(),
                    lease_renew_interval,
                    pause_image: None,
                    labels: Default::default(),
                    taints: Vec::new(),
                    shutdown: None,
                };
                let node = node.clone();
                components.spawn(async move {
                    if let Err(err) = crate::kubelet::docker::run(client, options).await {
                        tracing::error!(%err, %node, "docker node stopped");
                        eprintln!("error: docker node {node}: {err}");
                    }
                });
            }
        }
        tokio::select! {
            _ = server.wait() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// What the containers of Docker nodes are labelled with: the uid of `kube-system`
/// (upstream's usual cluster id), so two servers on one engine never touch each
/// other's containers.
async fn cluster_id(server: &apiserver::RunningServer) -> anyhow::Result<String> {
    let client = server.client_for("system:kube-controller-manager", &["system:masters"], "kubelet");
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
    let kube_system = namespaces.get("kube-system").await.context("reading namespace kube-system")?;
    kube_system.metadata.uid.context("namespace kube-system has no uid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_go_units() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("90"), Err("time: missing unit in duration \"90\"".to_string()));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("m").is_err());
        assert_eq!(parse_duration("-1s"), Err("invalid duration \"-1s\": must not be negative".to_string()));
        assert_eq!(
            parse_duration("100000000000000000000s"),
            Err("time: invalid duration \"100000000000000000000s\"".to_string())
        );
    }
}
