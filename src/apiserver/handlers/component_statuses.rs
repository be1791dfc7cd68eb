//! ComponentStatuses: read-only, computed on request as upstream's `componentstatus.REST`:
//! `scheduler` and `controller-manager` (which run inside `kctl server`, so are healthy while it
//! answers) and `etcd-0`, probed by a read of the store. Every answer carries upstream's
//! deprecation warning.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use super::object_response;
use super::read::selectors;
use crate::apiserver::request::Request;
use crate::apiserver::status::ApiError;
use crate::apiserver::{table, ApiState};
use crate::registry::{by_plural, ResourceInfo};

/// What upstream's deprecation filter says of the kind (`deprecation.WarningMessage`).
const DEPRECATED: &str = "v1 ComponentStatus is deprecated in v1.19+";

/// The components, in the order they are listed.
const COMPONENTS: &[&str] = &["scheduler", "controller-manager", "etcd-0"];

fn resource() -> Result<&'static ResourceInfo, ApiError> {
    by_plural("", "v1", "componentstatuses").ok_or_else(ApiError::not_found_path)
}

/// One component's status: its `Healthy` condition, with the probe's message or error.
async fn status_of(state: &ApiState, name: &str) -> Value {
    let (healthy, message, error) = match name {
        "etcd-0" => match state.storage.store.get("/registry/health").await {
            Ok(_) => (true, "ok".to_string(), String::new()),
            Err(err) => (false, String::new(), err.to_string()),
        },
        _ => (true, "ok".to_string(), String::new()),
    };
    let mut condition = json!({"type": "Healthy", "status": if healthy { "True" } else { "False" }});
    if !message.is_empty() {
        condition["message"] = json!(message);
    }
    if !error.is_empty() {
        condition["error"] = json!(error);
    }
    json!({"kind": "ComponentStatus", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": null}, "conditions": [condition]})
}

/// The objects as a Table when the client asks for one.
fn table_of(request: &Request, resource: &ResourceInfo, objects: &[Value]) -> Option<Response> {
    let include = request.param("includeObject").unwrap_or("Metadata");
    request
        .wants_table()
        .then(|| object_response(request, StatusCode::OK, &table::table(resource, objects, json!({}), include)))
}

pub async fn list(state: &Arc<ApiState>, request: &Request) -> Result<Response, ApiError> {
    request.warn(DEPRECATED);
    let resource = resource()?;
    let (labels, fields) = selectors(request, resource)?;
    let mut items = Vec::new();
    for name in COMPONENTS {
        let status = status_of(state, name).await;
        if labels.matches_object(&status) && fields.matches(&status) {
            items.push(status);
        }
    }
    if let Some(table) = table_of(request, resource, &items) {
        return Ok(table);
    }
    let list = json!({"kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {}, "items": items});
    Ok(object_response(request, StatusCode::OK, &list))
}

/// One component; another name is upstream's plain error, answered as a 500.
pub async fn get(state: &Arc<ApiState>, request: &Request, name: &str) -> Result<Response, ApiError> {
    request.warn(DEPRECATED);
    let resource = resource()?;
    if !COMPONENTS.contains(&name) {
        let message = format!("Component not found: {name}");
        return Err(ApiError { code: StatusCode::INTERNAL_SERVER_ERROR, reason: "", message, details: None });
    }
    let status = status_of(state, name).await;
    Ok(table_of(request, resource, std::slice::from_ref(&status))
        .unwrap_or_else(|| object_response(request, StatusCode::OK, &status)))
}
