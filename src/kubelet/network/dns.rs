//! Cluster DNS (CoreDNS's `kubernetes` plugin), served by every node at the `kube-dns`
//! ClusterIP (bound there through the node's `local` service route), UDP and TCP, with
//! hickory's server and wire format:
//! - `svc.ns.svc.DOMAIN`: A of the ClusterIP; a headless Service's ready endpoints; an
//!   ExternalName Service's CNAME;
//! - `host.svc.ns.svc.DOMAIN`: a headless endpoint by hostname (or dashed IP);
//! - `_port._proto.svc.ns.svc.DOMAIN`: SRV of named ports;
//! - `a-b-c-d.ns.pod.DOMAIN`: A of the address it spells;
//! - other names in DOMAIN: NXDOMAIN; any other name goes to the node's resolvers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, Metadata, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// CoreDNS's default TTL for cluster records.
const TTL: u32 = 5;
/// How long the node's resolver gets to answer a forwarded query.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a TCP client may stay idle.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// Where the records come from (the node's Service and EndpointSlice caches).
pub trait ServiceSource: Send + Sync + 'static {
    fn service(&self, namespace: &str, name: &str) -> Option<Arc<Service>>;
    fn slices(&self, namespace: &str, name: &str) -> Vec<Arc<EndpointSlice>>;
}

/// What a name in the cluster domain resolves to.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// NOERROR with these records (none: the name exists, not with that type).
    Records(Vec<Record>),
    NxDomain,
    /// Not the cluster's: ask the node's resolvers.
    Forward,
}

fn name(text: &str) -> Option<Name> {
    let mut name = Name::from_str(text).ok()?;
    name.set_fqdn(true);
    Some(name)
}

/// A ready endpoint of a headless Service: its address and the name it goes by.
struct Endpoint {
    ip: Ipv4Addr,
    hostname: String,
}

fn ready_endpoints(slices: &[Arc<EndpointSlice>]) -> Vec<Endpoint> {
    let mut found: Vec<Endpoint> = Vec::new();
    for slice in slices.iter().filter(|s| s.address_type == "IPv4") {
        for endpoint in &slice.endpoints {
            if !endpoint.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true) {
                continue;
            }
            for ip in endpoint.addresses.iter().filter_map(|a| a.parse::<Ipv4Addr>().ok()) {
                if found.iter().any(|e| e.ip == ip) {
                    continue;
                }
                let hostname = endpoint.hostname.clone().unwrap_or_else(|| ip.to_string().replace('.', "-"));
                found.push(Endpoint { ip, hostname });
            }
        }
    }
    found
}

/// Resolves `query` (lowercase, no trailing dot) against `source` in `domain`.
pub fn resolve(source: &dyn ServiceSource, domain: &str, query: &str, kind: RecordType) -> Answer {
    let Some(inside) = query.strip_suffix(domain).and_then(|rest| rest.strip_suffix('.')) else {
        return if query == domain { Answer::Records(Vec::new()) } else { Answer::Forward };
    };
    let Some(owner) = name(query) else { return Answer::NxDomain };
    let labels: Vec<&str> = inside.split('.').collect();
    let a = |ip: Ipv4Addr| Record::from_rdata(owner.clone(), TTL, RData::A(A(ip)));
    let only = |kind_wanted: RecordType, records: Vec<Record>| {
        Answer::Records(if kind == kind_wanted || kind == RecordType::ANY { records } else { Vec::new() })
    };
    match labels.as_slice() {
        [dashed, _namespace, "pod"] => match dashed.replace('-', ".").parse::<Ipv4Addr>() {
            Ok(ip) => only(RecordType::A, vec![a(ip)]),
            Err(_) => Answer::NxDomain,
        },
        [service, namespace, "svc"] => {
            let Some(found) = source.service(namespace, service) else { return Answer::NxDomain };
            let Some(spec) = &found.spec else { return Answer::NxDomain };
            if spec.type_.as_deref() == Some("ExternalName") {
                let Some(target) = spec.external_name.as_deref().and_then(name) else { return Answer::NxDomain };
                // CNAME answers every type; the client follows it.
                return Answer::Records(vec![Record::from_rdata(owner, TTL, RData::CNAME(CNAME(target)))]);
            }
            match spec.cluster_ip.as_deref() {
                Some("None") => {
                    let endpoints = ready_endpoints(&source.slices(namespace, service));
                    only(RecordType::A, endpoints.iter().map(|e| a(e.ip)).collect())
                }
                Some(ip) => match ip.parse::<Ipv4Addr>() {
                    Ok(ip) => only(RecordType::A, vec![a(ip)]),
                    Err(_) => Answer::Records(Vec::new()),
                },
                None => Answer::Records(Vec::new()),
            }
        }
        [port, protocol, service, namespace, "svc"] if port.starts_with('_') && protocol.starts_with('_') => {
            let Some(found) = source.service(namespace, service) else { return Answer::NxDomain };
            let Some(spec) = &found.spec else { return Answer::NxDomain };
            let wanted = (&port[1..], protocol[1..].to_ascii_uppercase());
            let Some(port) =
                spec.ports.iter().flatten().find(|p| {
                    p.name.as_deref() == Some(wanted.0) && p.protocol.as_deref().unwrap_or("TCP") == wanted.1
                })
            else {
                return Answer::NxDomain;
            };
            let service_name = format!("{service}.{namespace}.svc.{domain}");
            let srv = |target: &str, number: i32| {
                let target = name(target)?;
                let rdata = RData::SRV(SRV::new(0, 100, u16::try_from(number).ok()?, target));
                Some(Record::from_rdata(owner.clone(), TTL, rdata))
            };
            let records = if spec.cluster_ip.as_deref() == Some("None") {
                let slices = source.slices(namespace, service);
                // A headless Service's SRV names each endpoint, on the endpoints' port.
                let number = slices
                    .iter()
                    .flat_map(|s| s.ports.iter().flatten())
                    .find_map(|p| (p.name.as_deref() == Some(wanted.0)).then_some(p.port).flatten());
                let number = number.unwrap_or(port.port);
                ready_endpoints(&slices)
                    .iter()
                    .filter_map(|e| srv(&format!("{}.{service_name}", e.hostname), number))
                    .collect()
            } else {
                srv(&service_name, port.port).into_iter().collect()
            };
            only(RecordType::SRV, records)
        }
        [hostname, service, namespace, "svc"] => {
            let endpoints = ready_endpoints(&source.slices(namespace, service));
            let matching: Vec<Record> = endpoints.iter().filter(|e| e.hostname == *hostname).map(|e| a(e.ip)).collect();
            if matching.is_empty() {
                Answer::NxDomain
            } else {
                only(RecordType::A, matching)
            }
        }
        // The namespace and `svc`/`pod` zones themselves exist, without records.
        [_, "svc" | "pod"] | ["svc" | "pod"] => Answer::Records(Vec::new()),
        _ => Answer::NxDomain,
    }
}

/// The node's resolvers (its resolv.conf's nameservers, but not the cluster DNS itself).
pub fn upstreams(resolv_conf: &str, cluster_dns: Ipv4Addr) -> Vec<SocketAddr> {
    super::resolv::ResolvConf::parse(resolv_conf)
        .nameservers
        .iter()
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .filter(|ip| *ip != IpAddr::V4(cluster_dns))
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

pub struct ClusterDnsHandler {
    pub source: Arc<dyn ServiceSource>,
    pub domain: String,
    pub upstreams: Vec<SocketAddr>,
}

/// Asks `upstream` the raw `query` over UDP, or over TCP when `tcp` (or the UDP answer
/// was truncated); the answer as a message.
async fn ask(upstream: SocketAddr, query: &[u8], tcp: bool) -> Option<Message> {
    if !tcp {
        let socket = tokio::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await.ok()?;
        socket.connect(upstream).await.ok()?;
        socket.send(query).await.ok()?;
        let mut buffer = vec![0u8; 65535];
        let length = tokio::time::timeout(FORWARD_TIMEOUT, socket.recv(&mut buffer)).await.ok()?.ok()?;
        let message = Message::from_vec(&buffer[..length]).ok()?;
        if !message.metadata.truncation {
            return Some(message);
        }
    }
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(upstream).await.ok()?;
        let length = u16::try_from(query.len()).ok()?;
        stream.write_all(&[&length.to_be_bytes()[..], query].concat()).await.ok()?;
        let length = stream.read_u16().await.ok()?;
        let mut buffer = vec![0u8; usize::from(length)];
        stream.read_exact(&mut buffer).await.ok()?;
        Message::from_vec(&buffer).ok()
    };
    tokio::time::timeout(FORWARD_TIMEOUT, exchange).await.ok()?
}

impl ClusterDnsHandler {
    async fn forward(&self, request: &Request) -> Option<Message> {
        let tcp = request.protocol() == hickory_server::net::xfer::Protocol::Tcp;
        for upstream in &self.upstreams {
            if let Some(message) = ask(*upstream, request.as_slice(), tcp).await {
                return Some(message);
            }
        }
        None
    }
}

/// What the server records of an answer that could not be sent.
fn serve_failed(request: &Request) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = ResponseCode::ServFail;
    ResponseInfo::from(hickory_proto::op::Header { metadata, counts: Default::default() })
}

#[async_trait::async_trait]
impl RequestHandler for ClusterDnsHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(&self, request: &Request, mut response: R) -> ResponseInfo {
        let mut edns = Edns::new();
        let edns = request.edns.as_ref().map(|asked| {
            edns.set_max_payload(asked.max_payload().max(512));
            &edns
        });
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.recursion_available = true;
        let query = match request.request_info() {
            Ok(info) => info.query.original().clone(),
            Err(_) => {
                let message = MessageResponseBuilder::new(&request.queries, edns)
                    .error_msg(&request.metadata, ResponseCode::FormErr);
                return response.send_response(message).await.unwrap_or_else(|_| serve_failed(request));
            }
        };
        let asked = query.name().to_ascii().to_ascii_lowercase();
        let asked = asked.trim_end_matches('.');
        let (answers, authorities, additionals) =
            match resolve(self.source.as_ref(), &self.domain, asked, query.query_type()) {
                Answer::Records(records) => {
                    metadata.authoritative = true;
                    (records, Vec::new(), Vec::new())
                }
                Answer::NxDomain => {
                    metadata.authoritative = true;
                    metadata.response_code = ResponseCode::NXDomain;
                    (Vec::new(), Vec::new(), Vec::new())
                }
                Answer::Forward => match self.forward(request).await {
                    Some(message) => {
                        metadata.response_code = message.metadata.response_code;
                        (message.answers, message.authorities, message.additionals)
                    }
                    None => {
                        metadata.response_code = ResponseCode::ServFail;
                        (Vec::new(), Vec::new(), Vec::new())
                    }
                },
            };
        let message = MessageResponseBuilder::new(&request.queries, edns).build(
            metadata,
            answers.iter(),
            authorities.iter(),
            std::iter::empty(),
            additionals.iter().filter(|r| r.record_type() != RecordType::OPT),
        );
        match response.send_response(message).await {
            Ok(info) => info,
            Err(err) => {
                tracing::debug!(%err, "cluster DNS: answer not sent");
                serve_failed(request)
            }
        }
    }
}

/// Serves DNS on `addr` (UDP and TCP) until the task is dropped.
pub async fn serve(addr: SocketAddr, handler: ClusterDnsHandler) -> std::io::Result<()> {
    let udp = tokio::net::UdpSocket::bind(addr).await?;
    let tcp = tokio::net::TcpListener::bind(addr).await?;
    let mut server = hickory_server::Server::new(handler);
    server.register_socket(udp);
    server.register_listener(tcp, TCP_IDLE, 64 * 1024);
    server.block_until_done().await.map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed {
        services: Vec<Arc<Service>>,
        slices: Vec<Arc<EndpointSlice>>,
    }

    impl ServiceSource for Fixed {
        fn service(&self, namespace: &str, name: &str) -> Option<Arc<Service>> {
            self.services
                .iter()
                .find(|s| {
                    s.metadata.namespace.as_deref() == Some(namespace) && s.metadata.name.as_deref() == Some(name)
                })
                .cloned()
        }
        fn slices(&self, namespace: &str, name: &str) -> Vec<Arc<EndpointSlice>> {
            self.slices
                .iter()
                .filter(|s| {
                    s.metadata.namespace.as_deref() == Some(namespace)
                        && s.metadata.labels.as_ref().and_then(|l| l.get(super::super::table::SERVICE_NAME_LABEL))
                            == Some(&name.to_string())
                })
                .cloned()
                .collect()
        }
    }

    fn fixed() -> Fixed {
        let service = |name: &str, spec: serde_json::Value| {
            Arc::new(
                serde_json::from_value(json!({"metadata": {"name": name, "namespace": "default"}, "spec": spec}))
                    .unwrap(),
            )
        };
        let slice = json!({
            "metadata": {"name": "db-x", "namespace": "default", "labels": {"kubernetes.io/service-name": "db"}},
            "addressType": "IPv4",
            "ports": [{"name": "sql", "port": 5432, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": ["172.18.0.5"], "hostname": "db-0", "conditions": {"ready": true}},
                {"addresses": ["172.18.0.6"], "conditions": {"ready": true}},
                {"addresses": ["172.18.0.7"], "conditions": {"ready": false}},
            ],
        });
        Fixed {
            services: vec![
                service("web", json!({"clusterIP": "10.96.0.20", "ports": [{"name": "http", "port": 80}]})),
                service("db", json!({"clusterIP": "None", "ports": [{"name": "sql", "port": 5432}]})),
                service("ext", json!({"type": "ExternalName", "externalName": "example.org"})),
            ],
            slices: vec![Arc::new(serde_json::from_value(slice).unwrap())],
        }
    }

    fn data(answer: Answer) -> Vec<String> {
        match answer {
            Answer::Records(records) => records.iter().map(|r| r.data.to_string()).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn services_resolve_to_their_cluster_ip_or_ready_endpoints() {
        let source = fixed();
        let resolve = |q: &str, t| data(resolve(&source, "cluster.local", q, t));
        assert_eq!(resolve("web.default.svc.cluster.local", RecordType::A), ["10.96.0.20"]);
        assert!(resolve("web.default.svc.cluster.local", RecordType::AAAA).is_empty());
        assert_eq!(resolve("db.default.svc.cluster.local", RecordType::A), ["172.18.0.5", "172.18.0.6"]);
        assert_eq!(resolve("db-0.db.default.svc.cluster.local", RecordType::A), ["172.18.0.5"]);
        assert_eq!(resolve("172-18-0-6.db.default.svc.cluster.local", RecordType::A), ["172.18.0.6"]);
        assert_eq!(resolve("ext.default.svc.cluster.local", RecordType::A), ["example.org."]);
        assert_eq!(resolve("10-1-2-3.default.pod.cluster.local", RecordType::A), ["10.1.2.3"]);
        assert_eq!(resolve("nope.default.svc.cluster.local", RecordType::A), ["NxDomain"]);
        assert_eq!(resolve("example.org", RecordType::A), ["Forward"]);
    }

    #[test]
    fn named_ports_have_srv_records() {
        let source = fixed();
        let resolve = |q: &str| data(resolve(&source, "cluster.local", q, RecordType::SRV));
        assert_eq!(resolve("_http._tcp.web.default.svc.cluster.local"), ["0 100 80 web.default.svc.cluster.local."]);
        assert_eq!(
            resolve("_sql._tcp.db.default.svc.cluster.local"),
            ["0 100 5432 db-0.db.default.svc.cluster.local.", "0 100 5432 172-18-0-6.db.default.svc.cluster.local."]
        );
        assert_eq!(resolve("_http._udp.web.default.svc.cluster.local"), ["NxDomain"]);
    }

    #[test]
    fn the_node_resolvers_are_its_nameservers_but_the_cluster_dns() {
        let found = upstreams("nameserver 127.0.0.11\nnameserver 10.96.0.10\n", Ipv4Addr::new(10, 96, 0, 10));
        assert_eq!(found, ["127.0.0.11:53".parse().unwrap()]);
    }
}
