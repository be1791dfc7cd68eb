//! Node bootstrap (kubeadm's job in a kind node): one cluster node, the process of a node
//! container that `kctl cluster create` starts (`kctl node` parses its flags). A control-plane node runs the bundled control plane
//! (apiserver on its cluster address, embedded store, controllers, scheduler) and its own
//! kubelet; a worker runs a kubelet that joins the control plane's apiserver with the
//! certificates the create step put into the container. Both kubelets drive the host's
//! engine through the mounted socket.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::apiserver::{self, ServerConfig};
use crate::kubelet::docker::DockerNodeOptions;
use crate::kubelet::lease;
use crate::machinery::pki::CertifiedKey;

pub mod control_plane;

/// The files a node is given, under `--pki-dir`.
pub mod files {
    pub const CA_CERT: &str = "ca.crt";
    pub const CA_KEY: &str = "ca.key";
    pub const KUBELET_CERT: &str = "kubelet.crt";
    pub const KUBELET_KEY: &str = "kubelet.key";
    pub const SERVING_CERT: &str = "kubelet-serving.crt";
    pub const SERVING_KEY: &str = "kubelet-serving.key";
    /// The apiserver's URL, for a worker (written when it joins).
    pub const APISERVER: &str = "apiserver";
}

/// Where node files live inside a node container.
pub const PKI_DIR: &str = "/etc/kctl/pki";
pub const DATA_DIR: &str = "/var/lib/kctl";
/// The port the apiserver listens on inside the control-plane node (kind's).
pub const API_SERVER_PORT: u16 = 6443;
/// The kubelet's port (upstream's).
pub const KUBELET_PORT: u16 = 10250;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NodeRole {
    ControlPlane,
    Worker,
}

/// What a node is told to be.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub role: NodeRole,
    /// The node's name (its container's name).
    pub node_name: String,
    /// The cluster's name (the label of its pods' containers).
    pub cluster_name: String,
    /// The Docker network of the cluster (this node's and its pods' addresses).
    pub network: String,
    /// Certificates and the apiserver address, as the create step wrote them.
    pub pki_dir: PathBuf,
    /// The store's directory (control plane).
    pub data_dir: PathBuf,
    /// The sandbox image (the node's own image).
    pub pause_image: Option<String>,
    /// Labels of the Node object (KEY=VALUE).
    pub labels: Vec<String>,
    /// A control plane without the NoSchedule taint (a cluster with no workers, as kind).
    pub untainted: bool,
    /// The range cluster IPs come from (control plane).
    pub service_ip_range: crate::apiserver::kubernetes_service::ServiceIpRange,
}

pub fn run(args: &NodeConfig) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let mut components = tokio::task::JoinSet::new();
        let (shutdown, shutdown_signal) = tokio::sync::watch::channel(false);
        let (stopped, kubelet_stopped) = tokio::sync::oneshot::channel();
        let kubelet = KubeletControl { shutdown: shutdown_signal, stopped };
        // Kept alive for the process: dropping it stops the apiserver.
        let _server = match args.role {
            NodeRole::ControlPlane => Some(control_plane(args, &mut components, kubelet).await?),
            NodeRole::Worker => {
                worker(args, &mut components, kubelet).await?;
                None
            }
        };
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
            Some(_) = components.join_next() => anyhow::bail!("a node component stopped"),
        }
        // The node shuts down: its pods stop first (the engine kills the node after 10 s).
        let _ = shutdown.send(true);
        let _ = tokio::time::timeout(SHUTDOWN_WAIT, kubelet_stopped).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// How long a stopping node waits for its kubelet to stop the pods.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(9);

/// How the node process tells its kubelet to shut down, and learns that it has.
struct KubeletControl {
    shutdown: tokio::sync::watch::Receiver<bool>,
    stopped: tokio::sync::oneshot::Sender<()>,
}

fn read(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// This node's address on the cluster network, as the engine says (the node's
/// container is named after the node).
async fn own_ip(node: &str, network: &str) -> anyhow::Result<IpAddr> {
    let docker = bollard::Docker::connect_with_local_defaults()?.negotiate_version().await?;
    let inspect = docker.inspect_container(node, None).await.with_context(|| format!("inspecting container {node}"))?;
    let ip = inspect
        .network_settings
        .and_then(|s| s.networks)
        .and_then(|mut n| n.remove(network))
        .and_then(|e| e.ip_address)
        .with_context(|| format!("container {node} has no address on network {network}"))?;
    ip.parse().with_context(|| format!("address {ip:?} of {node}"))
}

fn labels(args: &NodeConfig) -> anyhow::Result<BTreeMap<String, String>> {
    args.labels
        .iter()
        .map(|pair| {
            let (key, value) =
                pair.split_once('=').with_context(|| format!("--node-label {pair:?}: want KEY=VALUE"))?;
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}

fn kubelet_options(
    args: &NodeConfig,
    shutdown: tokio::sync::watch::Receiver<bool>,
    ip: IpAddr,
    serving: CertifiedKey,
    ca_pem: String,
    labels: BTreeMap<String, String>,
    taints: Vec<serde_json::Value>,
) -> DockerNodeOptions {
    DockerNodeOptions {
        node: args.node_name.clone(),
        cluster: args.cluster_name.clone(),
        network: args.network.clone(),
        listen: SocketAddr::new(ip, KUBELET_PORT),
        serving,
        ca_pem,
        lease_renew_interval: lease::RENEW_EVERY,
        pause_image: args.pause_image.clone(),
        labels,
        taints,
        shutdown: Some(shutdown),
    }
}

fn spawn_kubelet(
    components: &mut tokio::task::JoinSet<()>,
    client: kube::Client,
    options: DockerNodeOptions,
    stopped: tokio::sync::oneshot::Sender<()>,
) {
    components.spawn(async move {
        if let Err(err) = crate::kubelet::docker::run(client, options).await {
            eprintln!("error: kubelet: {err}");
        }
        let _ = stopped.send(());
        // Only the shutdown ends the kubelet; the process exits next.
        std::future::pending::<()>().await
    });
}

async fn control_plane(
    args: &NodeConfig,
    components: &mut tokio::task::JoinSet<()>,
    kubelet: KubeletControl,
) -> anyhow::Result<apiserver::RunningServer> {
    let ip = own_ip(&args.node_name, &args.network).await?;
    // The CA the host made: the apiserver's PKI loads it instead of making one.
    let pki = args.data_dir.join("pki");
    std::fs::create_dir_all(&pki)?;
    for name in [files::CA_CERT, files::CA_KEY] {
        std::fs::write(pki.join(name), read(&args.pki_dir, name)?)?;
    }
    let config = ServerConfig {
        data_dir: args.data_dir.clone(),
        listen: SocketAddr::from(([0, 0, 0, 0], API_SERVER_PORT)),
        etcd_servers: Vec::new(),
        // Workers dial its address; the host dials 127.0.0.1 (published port).
        hosts: vec![ip.to_string(), args.node_name.clone()],
        write_kubeconfig: None,
        compaction_interval: Duration::from_secs(300),
        default_toleration_seconds: 300,
        service_ip_range: args.service_ip_range,
        // What kubelets and pods reach it on: the node container's address.
        advertise_address: Some(ip),
    };
    let server = apiserver::start(config).await?;
    eprintln!("kctl control plane listening on {ip}:{}", server.addr.port());
    control_plane::spawn_control_loops(&server, components, Duration::from_secs(40), Duration::from_secs(300));
    control_plane::spawn_storage_addon(&server, components);
    let node = &args.node_name;
    let client = server.client_for(&format!("system:node:{node}"), &["system:nodes"], "kubelet");
    let serving = server.issue_kubelet_serving(&[node.clone(), ip.to_string()])?;
    let mut labels = labels(args)?;
    // kind's control-plane node: labelled with its role and, when the cluster has workers,
    // tainted so that ordinary pods go to them.
    labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
    let taint = json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"});
    let taints = if args.untainted { Vec::new() } else { vec![taint] };
    let options = kubelet_options(args, kubelet.shutdown, ip, serving, server.ca_pem().to_string(), labels, taints);
    spawn_kubelet(components, client, options, kubelet.stopped);
    Ok(server)
}

async fn worker(
    args: &NodeConfig,
    components: &mut tokio::task::JoinSet<()>,
    kubelet: KubeletControl,
) -> anyhow::Result<()> {
    let ip = own_ip(&args.node_name, &args.network).await?;
    let dir = &args.pki_dir;
    let ca_pem = read(dir, files::CA_CERT)?;
    let identity = CertifiedKey { cert_pem: read(dir, files::KUBELET_CERT)?, key_pem: read(dir, files::KUBELET_KEY)? };
    let serving = CertifiedKey { cert_pem: read(dir, files::SERVING_CERT)?, key_pem: read(dir, files::SERVING_KEY)? };
    let server = read(dir, files::APISERVER)?.trim().to_string();
    let kubeconfig = crate::machinery::kubeconfig::single("kctl", &server, &ca_pem, &identity);
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube::config::KubeConfigOptions::default())
        .await
        .context("the kubelet's kubeconfig")?;
    let client = kube::Client::try_from(config).context("a client of the apiserver")?;
    eprintln!("kctl worker {} joining {server}", args.node_name);
    let options = kubelet_options(args, kubelet.shutdown, ip, serving, ca_pem, labels(args)?, Vec::new());
    spawn_kubelet(components, client, options, kubelet.stopped);
    Ok(())
}
