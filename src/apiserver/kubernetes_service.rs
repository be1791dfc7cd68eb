//! The `kubernetes` Service in `default`, its Endpoints and its EndpointSlice, kept by the
//! apiservers themselves as upstream's lease endpoint reconciler keeps them
//! (pkg/controlplane/reconcilers/lease.go, endpointsadapter.go).
//!
//! Upstream keeps one etcd key with a TTL per apiserver IP (`/masterleases/<ip>`); kctl
//! keeps one coordination.k8s.io Lease per apiserver in kube-system instead, named like
//! upstream's identity leases (`apiserver-<hash>`, label
//! `apiserver.kubernetes.io/identity: kube-apiserver`), its advertised address in an
//! annotation. Every apiserver renews its lease every interval and rewrites Endpoints and
//! EndpointSlice to hold the addresses of the leases not yet expired, so an apiserver
//! that stops leaves the list once its lease expires.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{ListParams, PostParams};
use kube::Api;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Upstream's DefaultEndpointReconcilerInterval and DefaultEndpointReconcilerTTL.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(10);
pub const LEASE_TTL: Duration = Duration::from_secs(15);

const SERVICE: &str = "kubernetes";
const IDENTITY_LABEL: &str = "apiserver.kubernetes.io/identity";
const IDENTITY: &str = "kube-apiserver";
/// Where a lease holds its apiserver's advertised address.
const ADDRESS_ANNOTATION: &str = "kctl.dev/advertise-address";

/// An IPv4 service range (upstream's `--service-cluster-ip-range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceIpRange {
    network: u32,
    prefix: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RangeError {
    #[error("invalid CIDR address: {0}")]
    Invalid(String),
    #[error("specified --service-cluster-ip-range {0} is too small; must have at least 4 addresses")]
    TooSmall(String),
}

impl FromStr for ServiceIpRange {
    type Err = RangeError;

    fn from_str(text: &str) -> Result<Self, RangeError> {
        let invalid = || RangeError::Invalid(text.to_string());
        let (ip, prefix) = text.split_once('/').ok_or_else(invalid)?;
        let ip: Ipv4Addr = ip.parse().map_err(|_| invalid())?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32).ok_or_else(invalid)?;
        if prefix > 30 {
            return Err(RangeError::TooSmall(text.to_string()));
        }
        let mask = u32::MAX << (32 - prefix);
        Ok(ServiceIpRange { network: u32::from(ip) & mask, prefix })
    }
}

impl Default for ServiceIpRange {
    /// kind's and kubeadm's default service subnet.
    fn default() -> Self {
        ServiceIpRange { network: u32::from(Ipv4Addr::new(10, 96, 0, 0)), prefix: 16 }
    }
}

impl std::fmt::Display for ServiceIpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.network), self.prefix)
    }
}

impl ServiceIpRange {
    /// The range's network address and prefix length.
    pub fn network(&self) -> (Ipv4Addr, u8) {
        (Ipv4Addr::from(self.network), self.prefix)
    }

    /// The cluster DNS's address: kubeadm's, the range's tenth (10.96.0.10 in kind's).
    pub fn dns(&self) -> Ipv4Addr {
        self.nth(9)
    }

    /// The `kubernetes` service's address: the range's first address after the network's.
    pub fn first(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.network + 1)
    }

    /// How many addresses may be allocated (`hosts`).
    pub fn size(&self) -> u64 {
        (1u64 << (32 - self.prefix)) - 2
    }

    /// The `n`th allocatable address.
    pub fn nth(&self, n: u64) -> Ipv4Addr {
        Ipv4Addr::from((u64::from(self.network) + 1 + n) as u32)
    }

    /// Whether `ip` is one of the allocatable addresses.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        let offset = u64::from(u32::from(ip)).wrapping_sub(u64::from(self.network) + 1);
        u32::from(ip) > self.network && offset < self.size()
    }

    /// Every allocatable address, in order: neither the network's nor the broadcast's.
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> {
        let size = 1u64 << (32 - self.prefix);
        let network = u64::from(self.network);
        (network + 1..network + size - 1).filter_map(|n| u32::try_from(n).ok()).map(Ipv4Addr::from)
    }
}

/// The address an apiserver advertises: the one given, else its listen address unless
/// that is loopback or unspecified, else this host's IPv4 address on its default route (upstream
/// refuses a loopback advertise address; pods could not reach it), else the listen
/// address as a last resort.
pub fn advertise_address(given: Option<IpAddr>, listen: IpAddr) -> IpAddr {
    if let Some(ip) = given {
        return ip;
    }
    if !listen.is_loopback() && !listen.is_unspecified() {
        return listen;
    }
    first_non_loopback_ipv4().map(IpAddr::V4).unwrap_or(listen)
}

/// The host's IPv4 address on its default route: a UDP socket "connected" to an outside
/// address picks it (connecting a UDP socket sends nothing).
fn first_non_loopback_ipv4() -> Option<Ipv4Addr> {
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    match socket.local_addr().ok()?.ip() {
        IpAddr::V4(ip) if !ip.is_loopback() && !ip.is_unspecified() => Some(ip),
        _ => None,
    }
}

/// The `kubernetes` Service as upstream's kubernetesservice controller creates it.
pub fn service(range: &ServiceIpRange, secure_port: u16) -> Value {
    json!({
        "metadata": {"name": SERVICE, "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": range.first().to_string(),
            "sessionAffinity": "None",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": secure_port}],
        },
    })
}

/// Upstream's identity lease name: `apiserver-` and a base32 hash. Upstream hashes the
/// hostname; kctl hashes the advertised address and port too, so two servers on one
/// host hold two leases.
pub fn lease_name(address: IpAddr, port: u16) -> String {
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let digest = Sha256::digest(format!("{}/{address}:{port}", hostname.trim()).as_bytes());
    format!("apiserver-{}", base32_lower(&digest[..16]))
}

fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The Endpoints upstream's reconciler writes for `addresses`.
pub fn endpoints(addresses: &[IpAddr], secure_port: u16) -> Endpoints {
    let subsets = (!addresses.is_empty()).then(|| {
        vec![EndpointSubset {
            addresses: Some(
                addresses.iter().map(|ip| EndpointAddress { ip: ip.to_string(), ..Default::default() }).collect(),
            ),
            ports: Some(vec![EndpointPort {
                name: Some("https".into()),
                port: i32::from(secure_port),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }]
    });
    Endpoints {
        metadata: ObjectMeta {
            name: Some(SERVICE.into()),
            namespace: Some("default".into()),
            labels: Some(BTreeMap::from([("endpointslice.kubernetes.io/skip-mirror".into(), "true".into())])),
            ..Default::default()
        },
        subsets,
    }
}

/// endpointsadapter.go's endpointSliceFromEndpoints.
pub fn endpoint_slice(endpoints: &Endpoints) -> EndpointSlice {
    let subset = endpoints.subsets.as_ref().and_then(|s| s.first());
    let ports = subset.and_then(|s| s.ports.as_ref()).map(|ports| {
        ports
            .iter()
            .map(|p| k8s_openapi::api::discovery::v1::EndpointPort {
                name: Some(p.name.clone().unwrap_or_default()),
                port: Some(p.port),
                protocol: Some(p.protocol.clone().unwrap_or_default()),
                app_protocol: None,
            })
            .collect()
    });
    let ready = subset.and_then(|s| s.addresses.as_ref()).into_iter().flatten().map(|a| Endpoint {
        addresses: vec![a.ip.clone()],
        conditions: Some(EndpointConditions { ready: Some(true), ..Default::default() }),
        ..Default::default()
    });
    EndpointSlice {
        metadata: ObjectMeta {
            name: endpoints.metadata.name.clone(),
            namespace: endpoints.metadata.namespace.clone(),
            labels: Some(BTreeMap::from([("kubernetes.io/service-name".into(), SERVICE.into())])),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: ready.collect(),
        ports,
    }
}

/// One apiserver's part in keeping the `kubernetes` endpoints.
pub struct Reconciler {
    pub client: kube::Client,
    pub address: IpAddr,
    pub secure_port: u16,
    pub interval: Duration,
    pub ttl: Duration,
}

impl Reconciler {
    /// Reconciles now, then every interval, until the task is aborted.
    pub async fn run(self) {
        let holder = format!("{}_{}", lease_name(self.address, self.secure_port), uuid::Uuid::new_v4());
        let mut tick = tokio::time::interval(self.interval);
        loop {
            tick.tick().await;
            if let Err(err) = self.reconcile(&holder).await {
                tracing::warn!(%err, "reconciling the kubernetes service's endpoints");
            }
        }
    }

    async fn reconcile(&self, holder: &str) -> Result<(), kube::Error> {
        self.renew_lease(holder).await?;
        let addresses = self.live_addresses().await?;
        let wanted = endpoints(&addresses, self.secure_port);
        let api: Api<Endpoints> = Api::namespaced(self.client.clone(), "default");
        match api.get_opt(SERVICE).await? {
            None => drop(api.create(&PostParams::default(), &wanted).await?),
            Some(current) if current.subsets != wanted.subsets || current.metadata.labels != wanted.metadata.labels => {
                let mut next = wanted.clone();
                next.metadata.resource_version = current.metadata.resource_version;
                api.replace(SERVICE, &PostParams::default(), &next).await?;
            }
            Some(_) => {}
        }
        let slice = endpoint_slice(&wanted);
        let slices: Api<EndpointSlice> = Api::namespaced(self.client.clone(), "default");
        match slices.get_opt(SERVICE).await? {
            None => drop(slices.create(&PostParams::default(), &slice).await?),
            Some(current)
                if current.endpoints != slice.endpoints
                    || current.ports != slice.ports
                    || current.metadata.labels != slice.metadata.labels =>
            {
                let mut next = slice.clone();
                next.metadata.resource_version = current.metadata.resource_version;
                slices.replace(SERVICE, &PostParams::default(), &next).await?;
            }
            Some(_) => {}
        }
        Ok(())
    }

    async fn renew_lease(&self, holder: &str) -> Result<(), kube::Error> {
        let leases: Api<Lease> = Api::namespaced(self.client.clone(), "kube-system");
        let name = lease_name(self.address, self.secure_port);
        let now = MicroTime(Utc::now());
        let current = leases.get_opt(&name).await?;
        let mut lease = Lease {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some("kube-system".into()),
                labels: Some(BTreeMap::from([
                    (IDENTITY_LABEL.into(), IDENTITY.into()),
                    ("kubernetes.io/hostname".into(), hostname()),
                ])),
                annotations: Some(BTreeMap::from([(ADDRESS_ANNOTATION.into(), self.address.to_string())])),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(holder.to_string()),
                lease_duration_seconds: Some(i32::try_from(self.ttl.as_secs().max(1)).unwrap_or(i32::MAX)),
                acquire_time: Some(now.clone()),
                renew_time: Some(now),
                ..Default::default()
            }),
        };
        match current {
            None => drop(leases.create(&PostParams::default(), &lease).await?),
            Some(current) => {
                let held = current.spec.as_ref().filter(|s| s.holder_identity.as_deref() == Some(holder));
                if let (Some(held), Some(spec)) = (held, lease.spec.as_mut()) {
                    spec.acquire_time = held.acquire_time.clone();
                }
                lease.metadata.resource_version = current.metadata.resource_version;
                leases.replace(&name, &PostParams::default(), &lease).await?;
            }
        }
        Ok(())
    }

    /// The advertised addresses of the apiservers whose leases have not expired, sorted.
    async fn live_addresses(&self) -> Result<Vec<IpAddr>, kube::Error> {
        let leases: Api<Lease> = Api::namespaced(self.client.clone(), "kube-system");
        let listed = leases.list(&ListParams::default().labels(&format!("{IDENTITY_LABEL}={IDENTITY}"))).await?;
        let now = Utc::now();
        let mut addresses: Vec<IpAddr> = listed
            .items
            .iter()
            .filter(|lease| {
                let spec = lease.spec.as_ref();
                let renewed = spec.and_then(|s| s.renew_time.as_ref()).map(|t| t.0);
                let seconds = spec.and_then(|s| s.lease_duration_seconds).unwrap_or(0);
                renewed.is_some_and(|at| at + chrono::Duration::seconds(i64::from(seconds)) > now)
            })
            .filter_map(|lease| lease.metadata.annotations.as_ref()?.get(ADDRESS_ANNOTATION)?.parse().ok())
            .collect();
        addresses.sort();
        addresses.dedup();
        Ok(addresses)
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_address_of_a_range_follows_the_network_address() {
        let range: ServiceIpRange = "10.96.0.0/16".parse().unwrap();
        assert_eq!(range.first(), Ipv4Addr::new(10, 96, 0, 1));
        let range: ServiceIpRange = "10.100.7.9/24".parse().unwrap();
        assert_eq!(range.first(), Ipv4Addr::new(10, 100, 7, 1));
        assert_eq!(range.to_string(), "10.100.7.0/24");
        assert_eq!(range.hosts().count(), 254);
        assert_eq!(range.hosts().last(), Some(Ipv4Addr::new(10, 100, 7, 254)));
    }

    #[test]
    fn malformed_or_tiny_ranges_are_refused() {
        assert!(matches!("10.96.0.0".parse::<ServiceIpRange>(), Err(RangeError::Invalid(_))));
        assert!(matches!("10.96.0.0/33".parse::<ServiceIpRange>(), Err(RangeError::Invalid(_))));
        assert!(matches!("10.96.0.0/31".parse::<ServiceIpRange>(), Err(RangeError::TooSmall(_))));
    }

    #[test]
    fn a_loopback_listen_address_is_not_advertised() {
        let advertised = advertise_address(None, IpAddr::V4(Ipv4Addr::LOCALHOST));
        // Either a real interface's address, or (on a host with none) the listen address.
        assert!(!advertised.is_loopback() || first_non_loopback_ipv4().is_none());
        let given = IpAddr::V4(Ipv4Addr::new(172, 18, 0, 2));
        assert_eq!(advertise_address(Some(given), IpAddr::V4(Ipv4Addr::LOCALHOST)), given);
    }

    #[test]
    fn the_slice_mirrors_the_endpoints_as_upstreams_adapter_writes_it() {
        let ips = [IpAddr::V4(Ipv4Addr::new(172, 18, 0, 2)), IpAddr::V4(Ipv4Addr::new(172, 18, 0, 3))];
        let slice = serde_json::to_value(endpoint_slice(&endpoints(&ips, 6443))).unwrap();
        assert_eq!(slice["addressType"], "IPv4");
        assert_eq!(slice["metadata"]["labels"]["kubernetes.io/service-name"], "kubernetes");
        assert_eq!(slice["ports"], json!([{"name": "https", "port": 6443, "protocol": "TCP"}]));
        assert_eq!(slice["endpoints"][1], json!({"addresses": ["172.18.0.3"], "conditions": {"ready": true}}));
    }

    #[test]
    fn lease_names_are_upstreams_shape() {
        let name = lease_name(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 6443);
        assert!(name.starts_with("apiserver-"));
        assert_eq!(name.len(), "apiserver-".len() + 26);
        assert_ne!(name, lease_name(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 6444));
    }
}
