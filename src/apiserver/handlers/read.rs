//! get and list, as objects or as Tables.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{json, Value};

use super::{object_response, protobuf_response};
use crate::apiserver::protobuf::ListEncoder;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::selectors::FieldSelector;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{parse_resource_version, PageEnd};
use crate::apiserver::{table, ApiState};
use crate::machinery::labels::Selector;
use crate::registry::ResourceInfo;

pub async fn get(state: &Arc<ApiState>, request: &Request, target: &Target, name: &str) -> Result<Response, ApiError> {
    let object = state.storage.get(target.resource, target.namespace.as_deref(), name).await?;
    if request.wants_table() {
        let metadata = json!({"resourceVersion": object.pointer("/metadata/resourceVersion")});
        let include = request.param("includeObject").unwrap_or("Metadata");
        return Ok(object_response(
            request,
            StatusCode::OK,
            &table::table(target.resource, &[object], metadata, include),
        ));
    }
    if request.wants_metadata() {
        return Ok(object_response(request, StatusCode::OK, &table::partial_object_metadata(&object)));
    }
    Ok(object_response(request, StatusCode::OK, &object))
}

/// The label and field selectors of a list or watch.
pub fn selectors(request: &Request, resource: &ResourceInfo) -> Result<(Selector, FieldSelector), ApiError> {
    let labels = Selector::parse(request.param("labelSelector").unwrap_or_default())
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    let fields = FieldSelector::parse(request.param("fieldSelector").unwrap_or_default(), resource)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
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
    let keep = |object: &Value| labels.matches_object(object) && fields.matches(object);
    let (namespace, token) = (target.namespace.as_deref(), request.param("continue"));
    let metadata = |end: &PageEnd| {
        let mut metadata = json!({"resourceVersion": end.revision.to_string()});
        if let Some(token) = &end.continue_token {
            metadata["continue"] = Value::String(token.clone());
        }
        metadata
    };
    if request.wants_table() {
        let include = request.param("includeObject").unwrap_or("Metadata");
        let mut rows = Vec::new();
        let end = state
            .storage
            .list_each(resource, namespace, limit, token, at_revision, keep, |o| {
                rows.push(table::row(resource, &o, include))
            })
            .await?;
        crate::registry::tables::sort_rows(resource, &mut rows);
        let mut table = table::table(resource, &[], metadata(&end), include);
        table["rows"] = Value::Array(rows);
        return Ok(object_response(request, StatusCode::OK, &table));
    }
    let metadata_only = request.wants_metadata();
    let (kind, api_version) = match metadata_only {
        true => ("PartialObjectMetadataList".to_string(), "meta.k8s.io/v1".to_string()),
        false => (format!("{}List", resource.kind), resource.api_version()),
    };
    // Protobuf items are encoded one by one as they are read, as JSON ones below.
    if let Some(mut encoder) = request.wants_protobuf().then(|| ListEncoder::new(&api_version, &kind)).flatten() {
        let end = state
            .storage
            .list_each(resource, namespace, limit, token, at_revision, keep, |object| match metadata_only {
                true => encoder.push(&table::partial_object_metadata(&object)),
                false => encoder.push(&object),
            })
            .await?;
        let body = encoder.finish(&metadata(&end)).map_err(|err| ApiError::internal(err.to_string()))?;
        return Ok(protobuf_response(StatusCode::OK, body));
    }
    // Items are serialized one by one as they are read: a list of 10k objects never
    // exists as JSON values all at once.
    let mut items = Vec::new();
    let end = state
        .storage
        .list_each(resource, namespace, limit, token, at_revision, keep, |object| {
            if !items.is_empty() {
                items.push(b',');
            }
            let _ = match metadata_only {
                true => serde_json::to_writer(&mut items, &table::partial_object_metadata(&object)),
                false => serde_json::to_writer(&mut items, &object),
            };
        })
        .await?;
    let head = json!({"kind": kind, "apiVersion": api_version, "metadata": metadata(&end)});
    let mut body = serde_json::to_vec(&head).unwrap_or_default();
    body.pop(); // the closing brace: the items follow
    body.extend_from_slice(b",\"items\":[");
    body.extend_from_slice(&items);
    body.extend_from_slice(b"]}");
    Ok(([(http::header::CONTENT_TYPE, "application/json")], body).into_response())
}
