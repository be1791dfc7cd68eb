//! The Kubernetes apiserver: HTTPS + client-certificate auth, discovery, OpenAPI, and
//! the REST verbs over the store. `start` is what `kctl server` and `kctl node` run.

pub mod admission;
pub mod api_services;
pub mod auth;
mod bootstrap_policy;
mod bootstrap_status;
pub mod crd;
mod flow_control_bootstrap;
pub mod handlers;
pub mod impersonation;
pub mod kubelet_client;
pub mod kubernetes_service;
pub mod loopback;
pub mod negotiation;
pub mod objects;
pub mod openapi;
pub mod priority;
pub mod protobuf;
pub mod rbac;
pub mod request;
pub mod router;
pub mod selectors;
pub mod service_alloc;
pub mod serviceaccount;
pub mod sparse;
pub mod status;
pub mod storage;
pub mod table;
pub mod transport;
pub mod watch_cache;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use self::openapi::OpenApi;
use self::status::ApiError;
use self::storage::Storage;
use crate::machinery::well_known;
use crate::registry::{self, ResourceInfo};
use crate::store::embedded::EmbeddedStore;
use crate::store::etcd::EtcdStore;
use crate::store::{Revision, Store, StoreError};

/// What every handler shares.
pub struct ApiState {
    pub storage: Storage,
    pub openapi: OpenApi,
    /// Watch events decoded and encoded once for all watchers.
    pub watch_cache: watch_cache::WatchCache,
    /// The custom resources CRDs currently make servable.
    pub crds: crd::CustomResources,
    /// tolerationSeconds of the default not-ready/unreachable tolerations of new pods.
    pub default_toleration_seconds: i64,
    /// How `pods/log` reaches kubelets.
    pub kubelets: kubelet_client::KubeletClient,
    /// Where cluster IPs come from (`--service-cluster-ip-range`).
    pub service_ip_range: kubernetes_service::ServiceIpRange,
    /// The RBAC policy the authorizer decides by, kept current from the store.
    pub rbac: Arc<rbac::Rbac>,
    /// The key service-account tokens are signed and checked with.
    pub tokens: serviceaccount::tokens::Signer,
    /// The cluster CA's certificate (PEM), for the Secrets of legacy tokens.
    pub ca_pem: String,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// etcd endpoints; empty = the embedded store in `data_dir/store`.
    pub etcd_servers: Vec<String>,
    /// Extra names and IPs for the serving certificate.
    pub hosts: Vec<String>,
    /// Where to write an admin kubeconfig, if anywhere.
    pub write_kubeconfig: Option<PathBuf>,
    /// How often to compact history older than one interval (upstream: 5 minutes).
    pub compaction_interval: Duration,
    /// How long new pods tolerate a not-ready or unreachable node (upstream's
    /// `--default-unreachable-toleration-seconds`, 300).
    pub default_toleration_seconds: i64,
    /// Upstream's `--service-cluster-ip-range`; the `kubernetes` service has its first address.
    pub service_ip_range: kubernetes_service::ServiceIpRange,
    /// Upstream's `--advertise-address`: what the `kubernetes` endpoints list for this
    /// server (none: see `kubernetes_service::advertise_address`).
    pub advertise_address: Option<IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("certificates: {0}")]
    Pki(#[from] crate::machinery::pki::PkiError),
    #[error("TLS: {0}")]
    Tls(#[from] crate::machinery::tls::TlsSetupError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] crate::machinery::kubeconfig::KubeconfigFileError),
    #[error("creating the cluster's initial objects: {0}")]
    Bootstrap(ApiError),
    #[error("service account key: {0}")]
    ServiceAccountKey(#[from] serviceaccount::tokens::KeyError),
    #[error("serving the stored CustomResourceDefinitions: {0}")]
    Definitions(#[from] crd::controller::Error),
}

pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: Arc<ApiState>,
    pki: crate::machinery::pki::Pki,
    serving: JoinHandle<()>,
    compacting: JoinHandle<()>,
    defining: JoinHandle<()>,
    reconciling_endpoints: JoinHandle<()>,
    authorizing: JoinHandle<()>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A client of this server authenticated as `user` in `groups`: how the in-process
    /// controllers, scheduler and node agents talk to it (through the API, like
    /// upstream's, over the in-process loopback rather than TLS).
    pub fn client_for(&self, user: &str, groups: &[&str], user_agent: &'static str) -> kube::Client {
        let identity = auth::Identity::user(user, groups.iter().map(|g| g.to_string()));
        loopback::client(self.state.clone(), identity, user_agent)
    }

    /// The cluster's CA certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        self.pki.ca_cert_pem()
    }

    /// The cluster's CA certificate and key, for the CSR signing controller (upstream's
    /// `--cluster-signing-cert-file` and `--cluster-signing-key-file`).
    pub fn signing_ca(&self) -> &crate::machinery::pki::CertifiedKey {
        self.pki.ca()
    }

    /// A kubelet's serving certificate from the cluster's CA, for `hosts` (names or IPs).
    pub fn issue_kubelet_serving(
        &self,
        hosts: &[String],
    ) -> Result<crate::machinery::pki::CertifiedKey, crate::machinery::pki::PkiError> {
        self.pki.issue_server(hosts)
    }

    /// Serves until the process ends.
    pub async fn wait(mut self) {
        let _ = (&mut self.serving).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.serving.abort();
        self.compacting.abort();
        self.defining.abort();
        self.reconciling_endpoints.abort();
        self.authorizing.abort();
    }
}

async fn open_store(config: &ServerConfig) -> Result<Arc<dyn Store>, StoreError> {
    if config.etcd_servers.is_empty() {
        Ok(Arc::new(EmbeddedStore::open(&config.data_dir.join("store"))?))
    } else {
        Ok(Arc::new(EtcdStore::connect(&config.etcd_servers).await?))
    }
}

pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let store = open_store(&config).await?;
    let pki = crate::machinery::pki::Pki::load_or_create(&config.data_dir.join("pki"))?;
    let listener =
        TcpListener::bind(config.listen).await.map_err(|source| ServerError::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Listen { addr: config.listen, source })?;
    let service_ip = config.service_ip_range.first().to_string();
    let mut hosts: Vec<String> =
        ["127.0.0.1", "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", &service_ip]
            .iter()
            .map(|h| h.to_string())
            .collect();
    hosts.push(addr.ip().to_string());
    hosts.extend(config.hosts.iter().cloned());
    hosts.dedup();
    let serving = pki.issue_server(&hosts)?;
    let (tls, verifier) = transport::tls_config(pki.ca_cert_pem(), &serving)?;
    let kubelets =
        kubelet_client::KubeletClient::new(pki.ca_cert_pem(), &pki.issue_client(kubelet_client::USER, &[])?)?;
    let state = Arc::new(ApiState {
        storage: Storage { store: store.clone(), holds: Default::default() },
        openapi: OpenApi::build(),
        watch_cache: Default::default(),
        crds: Default::default(),
        default_toleration_seconds: config.default_toleration_seconds,
        kubelets,
        service_ip_range: config.service_ip_range,
        rbac: Default::default(),
        tokens: serviceaccount::tokens::Signer::load_or_create(&config.data_dir.join("pki"))?,
        ca_pem: pki.ca_cert_pem().to_string(),
    });
    bootstrap(&state, addr.port()).await.map_err(ServerError::Bootstrap)?;
    // The authorizer's policy is loaded before the first request is served.
    let authorizing = tokio::spawn(state.rbac.clone().start(store.clone()).await?);
    // The apiserver's own controllers are API clients too, over the loopback, as
    // `system:apiserver` (upstream's loopback identity).
    let identity = auth::Identity::user("system:apiserver", [auth::MASTERS.to_string()]);
    let loopback = loopback::client(state.clone(), identity, "kube-apiserver");
    // CRDs stored before this start are served before the first request.
    let defining = tokio::spawn(crd::controller::start(state.clone(), loopback.clone()).await?);
    let reconciling_endpoints = tokio::spawn(
        kubernetes_service::Reconciler {
            client: loopback,
            address: kubernetes_service::advertise_address(config.advertise_address, addr.ip()),
            secure_port: addr.port(),
            interval: kubernetes_service::RECONCILE_EVERY,
            ttl: kubernetes_service::LEASE_TTL,
        }
        .run(),
    );
    if let Some(path) = &config.write_kubeconfig {
        let admin = pki.issue_client("kubernetes-admin", &["system:masters"])?;
        let kubeconfig =
            crate::machinery::kubeconfig::single("kctl", &format!("https://{addr}"), pki.ca_cert_pem(), &admin);
        crate::machinery::kubeconfig::write(path, &kubeconfig)?;
    }
    let serving = tokio::spawn(transport::serve(listener, tls, verifier, state.clone()));
    let compacting = match config.etcd_servers.is_empty() {
        true => tokio::spawn(trim_history(state.clone(), config.compaction_interval)),
        false => tokio::spawn(compact_periodically(store, config.compaction_interval)),
    };
    tracing::info!(%addr, "apiserver listening");
    Ok(RunningServer { addr, state, pki, serving, compacting, defining, reconciling_endpoints, authorizing })
}

/// Like upstream, compacts every interval to the revision of one interval before, so
/// watches and continue tokens have that long to catch up.
async fn compact_periodically(store: Arc<dyn Store>, interval: Duration) {
    let mut previous = None;
    let mut tick = tokio::time::interval(interval.max(Duration::from_millis(100)));
    loop {
        tick.tick().await;
        if let Some(revision) = previous {
            if let Err(err) = store.compact(revision).await {
                tracing::warn!(%err, "compaction failed");
            }
        }
        previous = store.current_revision().await.ok().filter(|r| *r > 0);
    }
}

/// How often the embedded store's history is trimmed, the least history kept, and the
/// most kept for a watch that fell behind.
const TRIM_EVERY: Duration = Duration::from_secs(1);
const TRIM_RETAIN: Duration = Duration::from_secs(2);
const TRIM_WATCH_LIMIT: Duration = Duration::from_secs(5);

/// The embedded store's compaction. etcd runs in its own process, where five minutes of
/// history cost the apiserver nothing; here every superseded version of every object is
/// in this process's memory (10,000 pods written three times each kept ~90 MB). So
/// history is compacted up to what was current a few seconds ago (or one interval, if
/// that is shorter), but never past the revision of a list still being read in pages,
/// nor (for up to five seconds) past what an open watch has yet to read: under load a
/// watch falls seconds behind, and a 410 then would cost a re-list of everything.
/// Watches that were caught up lose nothing (see the store's `missed`); a watch or a
/// read from a compacted revision gets 410 Gone, as after any etcd compaction.
async fn trim_history(state: Arc<ApiState>, interval: Duration) {
    let retain = interval.min(TRIM_RETAIN);
    let watch_limit = interval.min(TRIM_WATCH_LIMIT).max(retain);
    let mut recent: std::collections::VecDeque<(tokio::time::Instant, Revision)> = Default::default();
    let mut compacted = 0;
    let mut tick = tokio::time::interval(TRIM_EVERY.min(retain).max(Duration::from_millis(100)));
    let store = state.storage.store.clone();
    loop {
        tick.tick().await;
        let now = tokio::time::Instant::now();
        if let Ok(current) = store.current_revision().await {
            recent.push_back((now, current));
        }
        let age = |at: &tokio::time::Instant| now.duration_since(*at);
        while recent.get(1).is_some_and(|(at, _)| age(at) >= watch_limit) {
            recent.pop_front();
        }
        // The newest revision that has been current for at least `retain`.
        let Some(mut target) = recent.iter().rev().find(|(at, _)| age(at) >= retain).map(|(_, r)| *r) else {
            continue;
        };
        if let Some(held) = state.storage.holds.oldest() {
            target = target.min(held);
        }
        if let Some(watched) = store.oldest_watch() {
            // What was current `watch_limit` ago goes regardless: a stuck watch pins nothing.
            let floor = recent.front().filter(|(at, _)| age(at) >= watch_limit).map_or(0, |(_, r)| *r);
            target = target.min(watched.max(floor));
        }
        if target <= compacted {
            continue;
        }
        match store.compact(target).await {
            Ok(()) => compacted = target,
            Err(err) => tracing::warn!(%err, "compaction failed"),
        }
    }
}

fn resource(group: &str, plural: &str) -> Result<&'static ResourceInfo, ApiError> {
    registry::by_plural(group, "v1", plural).ok_or_else(|| ApiError::internal(format!("{plural} not registered")))
}

/// Creates an object through the create pipeline unless it exists.
async fn ensure(state: &ApiState, resource: &ResourceInfo, mut object: Value) -> Result<(), ApiError> {
    let namespace = object.pointer("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    if state.storage.try_get(resource, namespace.as_deref(), &name).await?.is_some() {
        return Ok(());
    }
    objects::prepare_create(resource, &mut object, namespace.as_deref())?;
    admission::admit_create(state, resource, &mut object).await?;
    match state.storage.create(resource, object).await {
        Err(err) if err.reason == "AlreadyExists" => Ok(()),
        other => other.map(|_| ()),
    }
}

/// The namespaces every cluster has, and the `kubernetes` service in default.
async fn bootstrap(state: &ApiState, secure_port: u16) -> Result<(), ApiError> {
    let namespaces = resource("", "namespaces")?;
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        ensure(state, namespaces, json!({"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}))
            .await?;
        // What the ServiceAccount controller and root CA publisher make in every namespace,
        // made here too for the first namespaces so that the first pods find them.
        let account = json!({"metadata": {"name": well_known::DEFAULT_SERVICE_ACCOUNT, "namespace": name}});
        ensure(state, resource("", "serviceaccounts")?, account).await?;
        let ca = well_known::root_ca_config_map(name, &state.ca_pem);
        ensure(state, resource("", "configmaps")?, ca).await?;
    }
    let service = kubernetes_service::service(&state.service_ip_range, secure_port);
    bootstrap_policy::ensure_bootstrap_policy(state).await?;
    api_services::ensure_builtin_api_services(state).await?;
    flow_control_bootstrap::ensure_flow_control_defaults(state).await?;
    ensure(state, resource("", "services")?, service).await?;
    priority::bootstrap_system_priority_classes(state).await
}
