//! The top-level `bindings` resource: a Binding posted to `/api/v1/namespaces/NS/bindings`
//! binds the pod its `metadata.name` names, as `pods/NAME/binding` does (upstream serves both
//! with one `BindingREST`).

use std::sync::Arc;

use axum::response::Response;
use serde_json::Value;

use super::subresources::bind_pod;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::registry::by_plural;

pub async fn create(state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let binding = request.body_object()?;
    let text = |pointer: &str| binding.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    let name = text("/metadata/name");
    if name.is_empty() {
        return Err(ApiError::bad_request("resource name may not be empty"));
    }
    let namespace = target.namespace.as_deref();
    let sent_namespace = text("/metadata/namespace");
    if !sent_namespace.is_empty() && Some(sent_namespace) != namespace {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let pods = by_plural("", "v1", "pods").ok_or_else(ApiError::not_found_path)?;
    bind_pod(state, request, pods, namespace, name, &binding).await
}
