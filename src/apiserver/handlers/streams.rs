//! `pods/exec`, `pods/attach` and `pods/portforward` (GET and POST, as upstream registers
//! them): the pod's container and node are checked here, then the request goes to the
//! node's kubelet (`/exec|/attach/{namespace}/{pod}/{container}`, `/portForward/{namespace}/{pod}`)
//! with its upgrade headers, and once the kubelet switches protocols the two connections
//! are joined byte for byte. Whatever the client speaks (WebSocket channels, SPDY tunnelled
//! over WebSocket, SPDY) is the kubelet's to understand; a refusal of the kubelet reaches
//! the client as the kubelet wrote it, as upstream's upgrade-aware proxy does.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, HeaderName, StatusCode};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::logs::{container_of, encode, kubelet_endpoint};
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;

/// The headers that make the upgrade: forwarded to the kubelet, and its answers back.
const UPGRADE_HEADERS: [&str; 8] = [
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-accept",
    "x-stream-protocol-version",
    "user-agent",
];

fn copy_upgrade_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in UPGRADE_HEADERS {
        let name = HeaderName::from_static(name);
        for value in from.get_all(&name) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// `pods/NAME/{exec,attach,portforward}`.
pub async fn connect(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
    subresource: &str,
) -> Result<Response, ApiError> {
    let pod = state.storage.get(target.resource, target.namespace.as_deref(), name).await?;
    let namespace = target.namespace.as_deref().unwrap_or("default");
    let path = match subresource {
        "portforward" => format!("/portForward/{}/{}", encode(namespace), encode(name)),
        verb => {
            let container = container_of(request, &pod, name)?;
            format!("/{verb}/{}/{}/{}", encode(namespace), encode(name), encode(&container))
        }
    };
    let Some(node_name) = pod.pointer("/spec/nodeName").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return Err(ApiError::bad_request(format!("pod {name} does not have a host assigned")));
    };
    let nodes =
        crate::registry::by_plural("", "v1", "nodes").ok_or_else(|| ApiError::internal("nodes not registered"))?;
    let node = state.storage.try_get(nodes, None, node_name).await?;
    let Some((ip, port)) = node.as_ref().and_then(kubelet_endpoint) else {
        return Err(ApiError::bad_request(format!("node {node_name} has no kubelet to connect to")));
    };
    let wants_upgrade = request
        .headers
        .get(http::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"));
    let Some(client) = request.upgrade.lock().take().filter(|_| wants_upgrade) else {
        return Err(ApiError::bad_request("Upgrade request required"));
    };
    let path_and_query = if request.raw_query.is_empty() { path } else { format!("{path}?{}", request.raw_query) };
    let mut headers = HeaderMap::new();
    copy_upgrade_headers(&request.headers, &mut headers);
    let kubelet_request = http::Request::builder().method(request.method.clone()).uri(path_and_query);
    let mut answer =
        state.kubelets.send(node_name, ip, port, kubelet_request, headers).await.map_err(ApiError::internal)?;
    if answer.status() != StatusCode::SWITCHING_PROTOCOLS {
        let (parts, body) = answer.into_parts();
        let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = parts.status;
        if let Some(content_type) = parts.headers.get(http::header::CONTENT_TYPE) {
            response.headers_mut().insert(http::header::CONTENT_TYPE, content_type.clone());
        }
        return Ok(response);
    }
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    copy_upgrade_headers(answer.headers(), response.headers_mut());
    let kubelet = hyper::upgrade::on(&mut answer);
    tokio::spawn(async move {
        let (client, kubelet) = match tokio::join!(client, kubelet) {
            (Ok(client), Ok(kubelet)) => (client, kubelet),
            (client, kubelet) => {
                tracing::debug!(client = client.is_ok(), kubelet = kubelet.is_ok(), "stream upgrade failed");
                return;
            }
        };
        let (mut client, mut kubelet) = (TokioIo::new(client), TokioIo::new(kubelet));
        let _ = tokio::io::copy_bidirectional(&mut client, &mut kubelet).await;
    });
    Ok(response)
}
