//! get and list, as objects or as Tables.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use super::json_response;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::selectors::{FieldSelector, LabelSelector};
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::parse_resource_version;
use crate::apiserver::{table, ApiState};
use crate::registry::ResourceInfo;

pub async fn get(state: &Arc<ApiState>, request: &Request, target: &Target, name: &str) -> Result<Response, ApiError> {
    let object = state.storage.get(target.resource, target.namespace.as_deref(), name).await?;
    if request.wants_table() {
        let metadata = json!({"resourceVersion": object.pointer("/metadata/resourceVersion")});
        let include = request.param("includeObject").unwrap_or("Metadata");
        return Ok(json_response(StatusCode::OK, &table::table(target.resource, &[object], metadata, include)));
    }
    Ok(json_response(StatusCode::OK, &object))
}

/// Field selectors each resource supports, as upstream (metadata.name and
/// metadata.namespace everywhere).
fn supports_field(resource: &ResourceInfo, field: &str) -> bool {
    matches!(field, "metadata.name" | "metadata.namespace")
        || match resource.kind {
            "Pod" => matches!(
                field,
                "spec.nodeName"
                    | "spec.restartPolicy"
                    | "spec.schedulerName"
                    | "spec.serviceAccountName"
                    | "spec.hostNetwork"
                    | "status.phase"
                    | "status.podIP"
                    | "status.nominatedNodeName"
            ),
            "Event" => {
                field.starts_with("involvedObject.")
                    || field.starts_with("regarding.")
                    || matches!(field, "reason" | "reportingComponent" | "source" | "type")
            }
            "Node" => field == "spec.unschedulable",
            "Namespace" => field == "status.phase",
            "Secret" => field == "type",
            "ReplicaSet" | "ReplicationController" => field == "status.replicas",
            "Job" => field == "status.successful",
            _ => false,
        }
}

/// The label and field selectors of a list or watch.
pub fn selectors(request: &Request, resource: &ResourceInfo) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(request.param("labelSelector").unwrap_or_default())
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    let fields = FieldSelector::parse(request.param("fieldSelector").unwrap_or_default())
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    if let Some(field) = fields.fields().find(|f| !supports_field(resource, f)) {
        return Err(ApiError::bad_request(format!("field label not supported: {field}")));
    }
    Ok((labels, fields))
}

pub async fn list(state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let resource = target.resource;
    let (labels, fields) = selectors(request, resource)?;
    let limit = match request.param("limit") {
        Some(limit) => limit.parse::<usize>().map_err(|_| ApiError::bad_request(format!("invalid limit {limit:?}")))?,
        None => 0,
    };
    let exact = request.param("resourceVersionMatch") == Some("Exact");
    let at_revision = match parse_resource_version(request.param("resourceVersion").unwrap_or_default())? {
        Some(revision) if exact && revision > 0 => Some(revision),
        _ => None,
    };
    let page = state
        .storage
        .list(resource, target.namespace.as_deref(), limit, request.param("continue"), at_revision, |object| {
            labels.matches_object(object) && fields.matches(object)
        })
        .await?;
    let mut metadata = json!({"resourceVersion": page.revision.to_string()});
    if let Some(token) = &page.continue_token {
        metadata["continue"] = Value::String(token.clone());
    }
    if request.wants_table() {
        let include = request.param("includeObject").unwrap_or("Metadata");
        return Ok(json_response(StatusCode::OK, &table::table(resource, &page.items, metadata, include)));
    }
    let list = json!({
        "kind": format!("{}List", resource.kind),
        "apiVersion": resource.api_version(),
        "metadata": metadata,
        "items": page.items,
    });
    Ok(json_response(StatusCode::OK, &list))
}
