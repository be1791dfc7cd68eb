//! The apiserver as a client of kubelets (what `pods/log`, `pods/exec`, `pods/attach` and
//! `pods/portforward` are proxied through): HTTPS to
//! the node's InternalIP and advertised kubelet port, the kubelet's certificate checked
//! against the cluster's CA, and a client certificate of our own from that CA.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::machinery::pki::CertifiedKey;
use crate::machinery::tls::{self, TlsSetupError};

pub use crate::machinery::well_known::APISERVER_KUBELET_CLIENT as USER;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn server_name(node: &str, ip: IpAddr) -> ServerName<'static> {
    match ServerName::try_from(node.to_string()) {
        Ok(name @ ServerName::DnsName(_)) => name,
        _ => ServerName::IpAddress(ip.into()),
    }
}

#[derive(Clone)]
pub struct KubeletClient {
    tls: Arc<ClientConfig>,
}

impl KubeletClient {
    pub fn new(ca_pem: &str, identity: &CertifiedKey) -> Result<KubeletClient, TlsSetupError> {
        Ok(KubeletClient { tls: tls::client_config(ca_pem, identity)? })
    }

    /// `GET path_and_query` on the kubelet of node `node` at `ip:port`; the answer
    /// streams. The kubelet's certificate must name the node (as a DNS name; or its IP
    /// when the node's name is no DNS name): a cluster's host issues node certificates
    /// before the nodes have addresses.
    pub async fn get(
        &self,
        node: &str,
        ip: IpAddr,
        port: u16,
        path_and_query: &str,
    ) -> Result<http::Response<Incoming>, String> {
        self.send(node, ip, port, http::Request::get(path_and_query), http::HeaderMap::new()).await
    }

    /// Sends `request` (with `headers`, and no body) to the kubelet as [`get`](Self::get)
    /// does; the connection stays open for an upgrade (`hyper::upgrade::on` the answer).
    pub async fn send(
        &self,
        node: &str,
        ip: IpAddr,
        port: u16,
        request: http::request::Builder,
        headers: http::HeaderMap,
    ) -> Result<http::Response<Incoming>, String> {
        let addr = SocketAddr::new(ip, port);
        let method = request.method_ref().cloned().unwrap_or_default();
        let path_and_query = request.uri_ref().map(|u| u.to_string()).unwrap_or_default();
        let url = format!("https://{addr}{path_and_query}");
        let verb = capitalized(method.as_str());
        let fail = |err: &dyn std::fmt::Display| format!("{verb} \"{url}\": {err}");
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| fail(&format!("dial tcp {addr}: i/o timeout")))?
            .map_err(|err| fail(&format!("dial tcp {addr}: {err}")))?;
        let _ = tcp.set_nodelay(true);
        let tls =
            TlsConnector::from(self.tls.clone()).connect(server_name(node, ip), tcp).await.map_err(|err| fail(&err))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.map_err(|err| fail(&err))?;
        tokio::spawn(async move {
            let _ = connection.with_upgrades().await;
        });
        let mut request = request
            .header(http::header::HOST, addr.to_string())
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .map_err(|err| fail(&err))?;
        request.headers_mut().extend(headers);
        sender.send_request(request).await.map_err(|err| fail(&err))
    }
}

/// Go's way of naming a request's method in its errors (`Get "https://…"`).
fn capitalized(method: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
