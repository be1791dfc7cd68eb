//! The apiserver as a client of kubelets (what `pods/log` is proxied through): HTTPS to
//! the node's InternalIP and advertised kubelet port, the kubelet's certificate checked
//! against the cluster's CA, and a client certificate of our own from that CA.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::pki::CertifiedKey;
use super::transport::TlsSetupError;

/// The CN of the apiserver's client certificate for kubelets (upstream's name).
pub const USER: &str = "kube-apiserver-kubelet-client";
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
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert?)?;
        }
        let chain = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())?;
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(KubeletClient { tls: Arc::new(config) })
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
        let addr = SocketAddr::new(ip, port);
        let url = format!("https://{addr}{path_and_query}");
        let fail = |err: &dyn std::fmt::Display| format!("Get \"{url}\": {err}");
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| fail(&format!("dial tcp {addr}: i/o timeout")))?
            .map_err(|err| fail(&format!("dial tcp {addr}: {err}")))?;
        let tls =
            TlsConnector::from(self.tls.clone()).connect(server_name(node, ip), tcp).await.map_err(|err| fail(&err))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.map_err(|err| fail(&err))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = http::Request::get(path_and_query)
            .header(http::header::HOST, addr.to_string())
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .map_err(|err| fail(&err))?;
        sender.send_request(request).await.map_err(|err| fail(&err))
    }
}
