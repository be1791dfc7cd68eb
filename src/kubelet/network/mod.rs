//! The node's network agents (kube-proxy's and CoreDNS's jobs, run by every node next to
//! its kubelet; see DESIGN.md, "Services on Docker"): Service traffic reaches a node
//! because each pod's sandbox routes the service range via its node ([`routes`]); the
//! node takes every ClusterIP as its own (a `local` route) and its [`proxy`] splices to
//! ready endpoints (and serves its pods' hostPorts); the cluster [`dns`] answers at the
//! kube-dns ClusterIP. Both read one watch of Services and EndpointSlices.

pub mod dns;
pub mod proxy;
pub mod resolv;
pub mod routes;
pub mod table;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher::{self, watcher};
use kube::runtime::WatchStreamExt;
use kube::Client;

pub use resolv::ClusterDns;

/// The cluster's service network as a node sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNetwork {
    /// The service range (`--service-cluster-ip-range`).
    pub network: Ipv4Addr,
    pub prefix: u8,
    /// The cluster DNS: the kube-dns ClusterIP and the cluster domain.
    pub dns: ClusterDns,
}

/// kubeadm's (and kind's) cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// How long changes are gathered before the proxy applies them (many arrive together).
const SETTLE: Duration = Duration::from_millis(20);

/// The node's caches of Services and EndpointSlices.
#[derive(Clone)]
pub struct ServiceCache {
    services: Store<Service>,
    slices: Store<EndpointSlice>,
}

impl dns::ServiceSource for ServiceCache {
    fn service(&self, namespace: &str, name: &str) -> Option<Arc<Service>> {
        self.services.get(&ObjectRef::new(name).within(namespace))
    }

    fn slices(&self, namespace: &str, name: &str) -> Vec<Arc<EndpointSlice>> {
        self.slices
            .state()
            .into_iter()
            .filter(|s| {
                s.metadata.namespace.as_deref() == Some(namespace)
                    && s.metadata.labels.as_ref().and_then(|l| l.get(table::SERVICE_NAME_LABEL)).map(String::as_str)
                        == Some(name)
            })
            .collect()
    }
}

/// Runs the node's network agents until the task is dropped: takes the service range as
/// local, serves cluster DNS at its ClusterIP, and keeps the proxy in step with the API.
pub async fn run(client: Client, node: String, network: ServiceNetwork) {
    if let Err(err) = routes::add_local(network.network, network.prefix).await {
        // Without the route no ClusterIP can be bound: nothing below would work. The
        // node's other components run on (its pods still reach each other by IP).
        tracing::error!(%err, "service network: ClusterIPs are not served on this node");
        return std::future::pending().await;
    }
    let (services, service_writer) = reflector::store::<Service>();
    let (slices, slice_writer) = reflector::store::<EndpointSlice>();
    let (changed, mut changes) = tokio::sync::watch::channel(());
    let config = watcher::Config::default();
    let watch_services =
        reflector::reflector(service_writer, watcher(Api::<Service>::all(client.clone()), config.clone()))
            .default_backoff()
            .for_each(|_| {
                changed.send_replace(());
                async {}
            });
    let watch_slices = reflector::reflector(slice_writer, watcher(Api::<EndpointSlice>::all(client.clone()), config))
        .default_backoff()
        .for_each(|_| {
            changed.send_replace(());
            async {}
        });
    // This node's pods, for their hostPorts.
    let (pods, pod_writer) = reflector::store::<Pod>();
    let on_node = watcher::Config::default().fields(&format!("spec.nodeName={node}"));
    let watch_pods = reflector::reflector(pod_writer, watcher(Api::<Pod>::all(client.clone()), on_node))
        .default_backoff()
        .for_each(|_| {
            changed.send_replace(());
            async {}
        });
    let cache = ServiceCache { services, slices };
    let resolvers = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let handler = dns::ClusterDnsHandler {
        source: Arc::new(cache.clone()),
        domain: network.dns.domain.clone(),
        upstreams: dns::upstreams(&resolvers, network.dns.server),
    };
    let dns_addr = SocketAddr::from((network.dns.server, 53));
    let serve_dns = async move {
        if let Err(err) = dns::serve(dns_addr, handler).await {
            tracing::error!(%err, %dns_addr, "cluster DNS stopped");
        }
    };
    let proxying = async move {
        let mut proxy = proxy::Proxy::default();
        while changes.changed().await.is_ok() {
            tokio::time::sleep(SETTLE).await;
            changes.borrow_and_update();
            let mut table = table::frontends(&cache.services.state(), &cache.slices.state(), &node);
            table.extend(table::host_ports(&pods.state()));
            proxy.apply(table).await;
        }
    };
    tokio::join!(watch_services, watch_slices, watch_pods, serve_dns, proxying);
}
