//! `GET pods/NAME/log`: upstream's shape. The pod's node says where its kubelet listens
//! (InternalIP, `status.daemonEndpoints.kubeletEndpoint.Port`); the request goes there
//! as `/containerLogs/{namespace}/{pod}/{container}` with the same query, and the answer
//! streams back (so `kubectl logs -f` follows). A node without a kubelet endpoint (a
//! hollow node) runs no containers: its pods' containers are "waiting to start".

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http_body_util::BodyExt;
use serde_json::Value;

use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;

/// The query parameters of PodLogOptions a kubelet reads.
const FORWARDED: [&str; 7] =
    ["follow", "previous", "timestamps", "tailLines", "sinceSeconds", "sinceTime", "limitBytes"];

/// The container the request names, or the pod's only one.
pub(super) fn container_of(request: &Request, pod: &Value, name: &str) -> Result<String, ApiError> {
    let names: Vec<&str> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    match request.param("container") {
        Some(container) if names.contains(&container) => Ok(container.to_string()),
        Some(container) => Err(ApiError::bad_request(format!("container {container} is not valid for pod {name}"))),
        None if names.len() == 1 => Ok(names[0].to_string()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// Where the node's kubelet listens, if it has an endpoint.
pub(super) fn kubelet_endpoint(node: &Value) -> Option<(IpAddr, u16)> {
    let port = node.pointer("/status/daemonEndpoints/kubeletEndpoint/Port").and_then(Value::as_u64)?;
    let port = u16::try_from(port).ok().filter(|p| *p > 0)?;
    let addresses = node.pointer("/status/addresses").and_then(Value::as_array)?;
    let ip = addresses
        .iter()
        .find(|a| a["type"] == "InternalIP")
        .and_then(|a| a["address"].as_str())
        .and_then(|a| a.parse().ok())?;
    Some((ip, port))
}

fn waiting(container: &str, pod: &Value, name: &str) -> ApiError {
    let reason = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|s| s.iter().find(|s| s["name"] == container))
        .and_then(|s| s.pointer("/state/waiting/reason"))
        .and_then(Value::as_str)
        .unwrap_or("ContainerCreating");
    ApiError::bad_request(crate::machinery::pods::waiting_to_start(container, name, reason))
}

pub async fn log(state: &Arc<ApiState>, request: &Request, target: &Target, name: &str) -> Result<Response, ApiError> {
    let pod = state.storage.get(target.resource, target.namespace.as_deref(), name).await?;
    let container = container_of(request, &pod, name)?;
    let node_name = pod.pointer("/spec/nodeName").and_then(Value::as_str).filter(|n| !n.is_empty());
    let nodes =
        crate::registry::by_plural("", "v1", "nodes").ok_or_else(|| ApiError::internal("nodes not registered"))?;
    let node = match node_name {
        Some(node) => state.storage.try_get(nodes, None, node).await?,
        None => None,
    };
    let Some((ip, port)) = node.as_ref().and_then(kubelet_endpoint) else {
        return Err(waiting(&container, &pod, name));
    };
    let namespace = target.namespace.as_deref().unwrap_or("default");
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for key in FORWARDED {
            if let Some(value) = request.param(key) {
                query.append_pair(key, value);
            }
        }
        query.finish()
    };
    let path = format!(
        "/containerLogs/{}/{}/{}{}{query}",
        encode(namespace),
        encode(name),
        encode(&container),
        if query.is_empty() { "" } else { "?" }
    );
    let answer =
        state.kubelets.get(node_name.unwrap_or_default(), ip, port, &path).await.map_err(ApiError::internal)?;
    let (parts, body) = answer.into_parts();
    if parts.status.is_success() {
        let mut response = Response::new(Body::new(body));
        response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
        return Ok(response);
    }
    // The kubelet's error text becomes the Status message, as upstream's response checker does.
    let text =
        body.collect().await.map(|b| String::from_utf8_lossy(&b.to_bytes()).trim().to_string()).unwrap_or_default();
    Err(match parts.status.as_u16() {
        400 => ApiError::bad_request(text),
        404 => ApiError::not_found("pods", name),
        _ => ApiError::internal(text),
    })
}

pub(super) fn encode(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
