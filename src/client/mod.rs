//! The client core every verb uses: kubeconfig loading as kubectl, a kube-rs `Client`
//! with kubectl's `-v` request log, raw requests with the Accept headers kubectl sends,
//! discovery with its disk cache, and kubectl's error messages.

pub mod attachable;
pub mod config;
pub mod discovery;
pub mod error;
pub mod log;
pub mod manifests;
pub mod objects;
pub mod openapi;
pub mod store_sync;
pub mod stream;
pub mod targets;
pub mod watched_pod;
pub mod write;

use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::Request;
use http_body_util::BodyExt;
use kube::client::{Body, ClientBuilder};
use serde_json::Value;

pub use config::ConnectionFlags;
pub use discovery::{ApiResource, Discovery};
pub use error::ClientError;

/// kubectl's Accept header for lists and objects printed as tables.
pub const TABLE_ACCEPT: &str =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

const USER_AGENT: &str = concat!("kctl/v", env!("CARGO_PKG_VERSION"), " (linux/amd64)");

/// A connection to one API server, with the namespace the command runs in.
pub struct Session {
    client: kube::Client,
    cluster_url: String,
    /// `host:port` as kubectl names the server in "connection refused".
    host: String,
    pub namespace: String,
    /// Whether `-n` was given (some messages and defaults depend on it).
    pub namespace_flag: bool,
    timeout: Option<Duration>,
}

impl Session {
    pub async fn connect(flags: &ConnectionFlags) -> Result<Session, ClientError> {
        let timeout = match &flags.request_timeout {
            Some(text) => config::parse_timeout(text)?,
            None => None,
        };
        crate::machinery::tls::install_crypto_provider();
        let loaded = config::load(flags).await?;
        if flags.verbosity >= 6 {
            for file in &loaded.files {
                log::klog('I', "loader.go:402", &format!("Config loaded from file:  {}", file.display()));
            }
        }
        let cluster_url = loaded.config.cluster_url.to_string().trim_end_matches('/').to_string();
        let host = match loaded.config.cluster_url.authority() {
            Some(authority) => authority.to_string(),
            None => cluster_url.clone(),
        };
        let builder = ClientBuilder::try_from(loaded.config).map_err(|e| ClientError::Config(e.to_string()))?;
        let client = builder.with_layer(&log::RequestLogLayer::new(flags.verbosity, &cluster_url)).build();
        Ok(Session {
            client,
            cluster_url,
            host,
            namespace: loaded.namespace,
            namespace_flag: flags.namespace.as_deref().is_some_and(|n| !n.is_empty()),
            timeout,
        })
    }

    pub fn cluster_url(&self) -> &str {
        &self.cluster_url
    }

    /// Sends a GET and returns the content type and body of a successful answer.
    pub async fn get_raw(&self, path: &str, accept: &str) -> Result<(String, Bytes), ClientError> {
        self.request(http::Method::GET, path, accept, None).await
    }

    pub async fn get_json(&self, path: &str, accept: &str) -> Result<Value, ClientError> {
        let (_, body) = self.get_raw(path, accept).await?;
        serde_json::from_slice(&body).map_err(|e| ClientError::Transport(format!("decoding {path}: {e}")))
    }

    pub async fn request(
        &self,
        method: http::Method,
        path: &str,
        accept: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<(String, Bytes), ClientError> {
        let work = async {
            let response = self.send(method, path, accept, body).await?;
            let status = response.status();
            let content_type = header_text(response.headers(), http::header::CONTENT_TYPE);
            let bytes = response.into_body().collect().await.map_err(|e| self.transport(&e))?.to_bytes();
            if !status.is_success() {
                return Err(ClientError::from_response(status.as_u16(), &bytes));
            }
            Ok((content_type, bytes))
        };
        match self.timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| {
                ClientError::Unreachable(
                    "net/http: request canceled (Client.Timeout exceeded while awaiting headers)".to_string(),
                )
            })?,
            None => work.await,
        }
    }

    /// Opens a watch and yields each event (`{"type": …, "object": …}`) as it arrives.
    /// With `--request-timeout` the watch ends when it runs out, as kubectl's does.
    pub async fn watch(
        &self,
        path: &str,
        accept: &str,
    ) -> Result<impl Stream<Item = Result<Value, ClientError>> + use<'_>, ClientError> {
        let response = self.send(http::Method::GET, path, accept, None).await?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.into_body().collect().await.map_err(|e| self.transport(&e))?.to_bytes();
            return Err(ClientError::from_response(status.as_u16(), &bytes));
        }
        let limit = self.timeout;
        let chunks = response.into_body().into_data_stream().take_until(Box::pin(async move {
            match limit {
                Some(limit) => tokio::time::sleep(limit).await,
                None => std::future::pending().await,
            }
        }));
        let state = (chunks, Vec::<u8>::new());
        Ok(futures::stream::unfold(state, move |(mut chunks, mut buffer)| async move {
            loop {
                if let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buffer.drain(..=end).collect();
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let event = serde_json::from_slice(&line)
                        .map_err(|e| ClientError::Transport(format!("decoding watch event: {e}")));
                    return Some((event, (chunks, buffer)));
                }
                match chunks.next().await {
                    Some(Ok(chunk)) => buffer.extend_from_slice(&chunk),
                    Some(Err(e)) => {
                        return Some((Err(ClientError::Transport(e.to_string())), (chunks, Vec::new())));
                    }
                    None if buffer.iter().all(u8::is_ascii_whitespace) => return None,
                    None => buffer.push(b'\n'),
                }
            }
        }))
    }

    async fn send(
        &self,
        method: http::Method,
        path: &str,
        accept: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<http::Response<Body>, ClientError> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::ACCEPT, accept)
            .header(http::header::USER_AGENT, USER_AGENT);
        let body = match body {
            Some((content_type, bytes)) => {
                builder = builder.header(http::header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let request = builder.body(body).map_err(|e| ClientError::Transport(e.to_string()))?;
        self.client.send(request).await.map_err(|e| self.transport(&e))
    }

    /// Turns a transport failure into kubectl's words ("connection … refused").
    fn transport(&self, err: &(dyn std::error::Error + 'static)) -> ClientError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut text = err.to_string();
        while let Some(current) = source {
            if let Some(io) = current.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return ClientError::Refused { host: self.host.clone() };
                }
            }
            text = current.to_string();
            source = current.source();
        }
        if text.contains("Connection refused") {
            return ClientError::Refused { host: self.host.clone() };
        }
        ClientError::Unreachable(text)
    }
}

fn header_text(headers: &http::HeaderMap, name: http::header::HeaderName) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}
