//! HTTPS: rustls with HTTP/2 and HTTP/1.1 (kubectl speaks h2), client certificates
//! requested but checked by `auth` (so a foreign CA gets 401, not a broken handshake),
//! served by the machinery's accept loop; and the body limits of every request.

use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use rustls::server::danger::ClientCertVerifier;
use rustls::ServerConfig;
use tokio::net::TcpListener;

use super::auth::{self, Identity};
use super::request::{parse_query, Request};
use super::status::ApiError;
use super::{handlers, ApiState};
use crate::machinery::pki::CertifiedKey;
use crate::machinery::tls::{self, ClientCerts, TlsSetupError};

/// Requests larger than this are refused with 413, as upstream's 3 MiB limit.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The apiserver's TLS: HTTP/2 and HTTP/1.1 (kubectl speaks h2), client certificates
/// requested, and the verifier `auth` checks their chains with.
pub fn tls_config(
    ca_pem: &str,
    serving: &CertifiedKey,
) -> Result<(Arc<ServerConfig>, Arc<dyn ClientCertVerifier>), TlsSetupError> {
    tls::server_config(ca_pem, serving, ClientCerts::Requested, &[b"h2", b"http/1.1"])
}

/// Serves connections from `listener` until the task is dropped.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    verifier: Arc<dyn ClientCertVerifier>,
    state: Arc<ApiState>,
) {
    tls::serve(listener, tls, move |stream| {
        let identity = auth::authenticate(&verifier, stream.get_ref().1.peer_certificates());
        let state = state.clone();
        move |request: http::Request<Incoming>| respond(state.clone(), identity.clone(), request)
    })
    .await
}

/// Most of an oversized body read (and dropped) before answering 413, so that the client,
/// still sending, gets the answer rather than a reset connection.
const MAX_DRAINED: usize = 64 * 1024 * 1024;

async fn read_body<B>(mut body: B) -> Result<bytes::Bytes, ApiError>
where
    B: hyper::body::Body<Data = bytes::Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let mut collected = bytes::BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| ApiError::bad_request(format!("reading the request body: {err}")))?;
        let Ok(data) = frame.into_data() else { continue };
        total += data.len();
        if total <= MAX_BODY {
            collected.extend_from_slice(&data);
        } else if total > MAX_DRAINED {
            break;
        }
    }
    if total > MAX_BODY {
        return Err(ApiError::too_large());
    }
    Ok(collected.freeze())
}

/// Answers one request from an authenticated connection (TLS or the in-process loopback).
pub(super) async fn respond<B>(state: Arc<ApiState>, identity: Identity, request: http::Request<B>) -> Response
where
    B: hyper::body::Body<Data = bytes::Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(err) => return err.into_response(),
    };
    let request = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body,
        identity,
        warnings: Default::default(),
        output: Default::default(),
    };
    let started = std::time::Instant::now();
    let (method, path) = (request.method.clone(), request.path.clone());
    let response = handlers::handle(state, request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    response.map(Body::new)
}
