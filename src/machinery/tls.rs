//! TLS for kctl's HTTPS servers and clients (the apiserver, the kubelet, the apiserver's
//! kubelet client): rustls configs built from PEM, and the one accept loop every server
//! runs — a TLS handshake with a deadline, then one hyper connection (HTTP/2 or HTTP/1.1)
//! per TCP connection.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::pki::CertifiedKey;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A failing accept (no file descriptors left, say) is retried after a pause that doubles
/// up to a second, as Go's http.Server does, instead of spinning.
const ACCEPT_BACKOFF_FIRST: Duration = Duration::from_millis(5);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("bad PEM: {0}")]
    Pem(#[from] rustls::pki_types::pem::Error),
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("client verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

/// What a server asks of its clients' certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCerts {
    /// Asked for, and only the signature checked at the TLS layer: the caller judges the
    /// chain (so a foreign CA gets 401, not a broken handshake).
    Requested,
    /// Required, and signed by the CA.
    Required,
}

/// The certificates of a PEM bundle, as trust roots.
pub fn roots(ca_pem: &str) -> Result<RootCertStore, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert?)?;
    }
    Ok(roots)
}

fn chain_and_key(
    identity: &CertifiedKey,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsSetupError> {
    let chain = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())?;
    Ok((chain, key))
}

/// A server config serving `identity`, with ALPN `alpn`, and the verifier that checks a
/// client's chain against `ca_pem` (for `ClientCerts::Requested`, the caller runs it).
pub fn server_config(
    ca_pem: &str,
    identity: &CertifiedKey,
    client_certs: ClientCerts,
    alpn: &[&[u8]],
) -> Result<(Arc<ServerConfig>, Arc<dyn ClientCertVerifier>), TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ClientCertVerifier> =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots(ca_pem)?), provider.clone()).build()?;
    let at_handshake: Arc<dyn ClientCertVerifier> = match client_certs {
        ClientCerts::Requested => Arc::new(RequestClientCert { inner: verifier.clone() }),
        ClientCerts::Required => verifier.clone(),
    };
    let (chain, key) = chain_and_key(identity)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(at_handshake)
        .with_single_cert(chain, key)?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok((Arc::new(config), verifier))
}

/// A client config trusting `ca_pem` and presenting `identity`, speaking HTTP/1.1.
pub fn client_config(ca_pem: &str, identity: &CertifiedKey) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (chain, key) = chain_and_key(identity)?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(ca_pem)?)
        .with_client_auth_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts any client certificate at the TLS layer (signatures are still checked, so the
/// client holds the key); the chain itself is judged by the caller.
#[derive(Debug)]
struct RequestClientCert {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Serves TLS connections from `listener` until the task is dropped. For each connection
/// whose handshake finishes in time, `answer` is given the stream (to read the peer's
/// certificates) and returns the function that answers each of its requests. HTTP/1.1
/// upgrades (exec, attach, port-forward) are let through to the handler.
pub async fn serve<A, H, F>(listener: TcpListener, tls: Arc<ServerConfig>, answer: A)
where
    A: Fn(&TlsStream<TcpStream>) -> H + Send + Sync + 'static,
    H: Fn(http::Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = axum::response::Response> + Send + 'static,
{
    let acceptor = TlsAcceptor::from(tls);
    let answer = Arc::new(answer);
    let mut backoff = ACCEPT_BACKOFF_FIRST;
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _peer)) => {
                backoff = ACCEPT_BACKOFF_FIRST;
                tcp
            }
            Err(err) => {
                tracing::warn!(%err, ?backoff, "accept failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let (acceptor, answer) = (acceptor.clone(), answer.clone());
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(err)) => {
                    tracing::debug!(%err, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let handler = Arc::new(answer(&stream));
            let service = hyper::service::service_fn(move |request| {
                let handler = handler.clone();
                async move { Ok::<_, Infallible>(handler(request).await) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Selects rustls's ring provider for the process: the dependency graph carries more than
/// one, and rustls refuses to guess. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
