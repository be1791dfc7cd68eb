//! The Docker kubelet: a real node agent whose pods run as containers on the local
//! engine (see DESIGN.md, "Runtime model on Docker"). It is an API client like the
//! hollow kubelet: it registers its Node and heartbeats its Lease, watches the pods bound
//! to it, runs them (`sync`), reports their status, and serves `/containerLogs` over
//! HTTPS for the apiserver's `pods/log` (`server`).

pub mod backoff;
pub mod env;
pub mod host_path;
pub mod lifecycle;
pub mod node;
pub mod pause;
pub mod pods;
pub mod probe;
pub mod resources;
pub mod runtime;
pub mod security;
pub mod server;
pub mod shutdown;
pub mod status;
pub mod streaming;
pub mod sub_path;
pub mod sync;
pub mod volumes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use thiserror::Error;

use crate::machinery::pki::CertifiedKey;
use crate::machinery::record::EventRecorder;

#[derive(Debug, Error)]
pub enum KubeletError {
    #[error("{what}: {source}")]
    Docker {
        what: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("{what}: {message}")]
    Runtime { what: String, message: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Api(#[from] crate::kubelet::ApiCallError),
    #[error("kubelet TLS: {0}")]
    Tls(#[from] crate::machinery::tls::TlsSetupError),
}

/// How to run one Docker-backed node.
#[derive(Debug, Clone)]
pub struct DockerNodeOptions {
    pub node: String,
    /// The `kctl.io/cluster` label of its containers (which control plane owns them).
    pub cluster: String,
    /// The Docker network of the sandboxes.
    pub network: String,
    /// Where the kubelet's HTTPS endpoint listens (its IP is the node's InternalIP).
    pub listen: SocketAddr,
    /// The kubelet's serving certificate and the CA its clients' certificates come from.
    pub serving: CertifiedKey,
    pub ca_pem: String,
    /// How often leases are renewed.
    pub lease_renew_interval: std::time::Duration,
    /// The sandbox image to use instead of building one from this binary (a node
    /// container has no `ldd`; its own image is the sandbox image).
    pub pause_image: Option<String>,
    /// Labels and taints (JSON `Taint`s) the Node is registered with.
    pub labels: std::collections::BTreeMap<String, String>,
    pub taints: Vec<serde_json::Value>,
    /// Set to true when the node shuts down: the pods are stopped and `run` returns.
    pub shutdown: Option<tokio::sync::watch::Receiver<bool>>,
}

/// What the node's parts share.
pub struct Kubelet {
    pub client: Client,
    pub runtime: runtime::Runtime,
    pub pause_image: String,
    pub node: String,
    pub host_ip: String,
    pub recorder: EventRecorder,
    pub backoff: parking_lot::Mutex<backoff::Backoff>,
    pub prober: probe::Prober,
    /// The pods bound here, by namespace and name (what `/containerLogs` consults).
    pub pods: parking_lot::RwLock<HashMap<(String, String), Pod>>,
    /// Set when the node shuts down: pod workers stop starting anything.
    pub shutting_down: std::sync::atomic::AtomicBool,
}

/// Runs a Docker node until the task is dropped: builds the pause image, starts the
/// kubelet endpoint, registers the Node and then runs its pods.
pub async fn run(client: Client, options: DockerNodeOptions) -> Result<(), KubeletError> {
    let docker = bollard::Docker::connect_with_local_defaults()
        .map_err(|source| KubeletError::Docker { what: "connecting to Docker".into(), source })?
        .negotiate_version()
        .await
        .map_err(|source| KubeletError::Docker { what: "asking Docker its API version".into(), source })?;
    let runtime = runtime::Runtime {
        docker,
        cluster: options.cluster.clone(),
        node: options.node.clone(),
        network: options.network.clone(),
    };
    let pause_image = match &options.pause_image {
        Some(image) => image.clone(),
        None => pause::ensure_image(&runtime).await?,
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| KubeletError::Io { what: format!("listening on {}", options.listen), source })?;
    let endpoint =
        listener.local_addr().map_err(|source| KubeletError::Io { what: "the kubelet's address".into(), source })?;
    let kubelet = Arc::new(Kubelet {
        recorder: EventRecorder::new(client.clone(), "kubelet"),
        client: client.clone(),
        runtime,
        pause_image,
        node: options.node.clone(),
        host_ip: endpoint.ip().to_string(),
        backoff: Default::default(),
        prober: Default::default(),
        pods: Default::default(),
        shutting_down: Default::default(),
    });
    let tls = server::tls_config(&options.ca_pem, &options.serving)?;
    let serving = tokio::spawn(server::serve(kubelet.clone(), listener, tls));
    let info = node::engine_info(&kubelet.runtime).await;
    let registration = node::Registration { labels: options.labels.clone(), taints: options.taints.clone() };
    node::register(&client, &options.node, endpoint, &info, &registration).await;
    tracing::info!(node = %options.node, %endpoint, "docker node registered");
    let running = async {
        tokio::join!(
            node::heartbeat_forever(client.clone(), options.node.clone(), endpoint, info, options.lease_renew_interval),
            pods::run(kubelet.clone()),
            host_path::remove_released_forever(kubelet.clone()),
        )
    };
    tokio::select! {
        _ = running => {}
        _ = shutdown::requested(&kubelet, options.shutdown.clone()) => shutdown::shut_down(kubelet.clone()).await,
    }
    serving.abort();
    Ok(())
}
