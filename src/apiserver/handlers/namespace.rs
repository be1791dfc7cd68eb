//! A namespace's lifecycle in the apiserver, as upstream's namespace storage: DELETE
//! marks it Terminating (deletionTimestamp, `status.phase`), the namespace controller
//! empties it and drops `kubernetes` from `spec.finalizers` through `PUT .../finalize`,
//! and the namespace is removed once `spec.finalizers` and `metadata.finalizers` are
//! both empty.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use super::object_response;
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::request::Request;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{object_name, revision_of};
use crate::apiserver::ApiState;
use crate::registry::{self, ResourceInfo};

fn namespaces() -> Result<&'static ResourceInfo, ApiError> {
    registry::by_plural("", "v1", "namespaces").ok_or_else(|| ApiError::internal("namespaces are not registered"))
}

fn is_empty_list(value: Option<&Value>) -> bool {
    value.and_then(Value::as_array).is_none_or(Vec::is_empty)
}

/// Nothing holds the namespace any more.
pub fn finalized(namespace: &Value) -> bool {
    is_empty_list(namespace.pointer("/spec/finalizers")) && is_empty_list(namespace.pointer("/metadata/finalizers"))
}

/// DELETE: Terminating from now on; removed at once when no finalizer holds it.
pub async fn terminate(state: &Arc<ApiState>, namespace: Value) -> Result<Value, ApiError> {
    let name = object_name(&namespace).to_string();
    let marked = state
        .storage
        .update_with(namespaces()?, None, &name, |mut object| {
            if object.pointer("/metadata/deletionTimestamp").is_none() {
                object["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            }
            object["status"]["phase"] = json!("Terminating");
            Ok(object)
        })
        .await?;
    remove_if_finalized(state, marked).await
}

/// A terminating namespace nothing holds any more is removed.
pub async fn remove_if_finalized(state: &Arc<ApiState>, namespace: Value) -> Result<Value, ApiError> {
    let resource = namespaces()?;
    let name = object_name(&namespace).to_string();
    let mut current = namespace;
    // Nobody else would remove it later: a write in between is read again, not given up on.
    for _ in 0..16 {
        if current.pointer("/metadata/deletionTimestamp").is_none() || !finalized(&current) {
            return Ok(current);
        }
        match state.storage.delete(resource, &current, revision_of(&current)).await {
            Err(err) if err.reason == "Conflict" => current = state.storage.get(resource, None, &name).await?,
            other => return other,
        }
    }
    Err(ApiError::conflict(&resource.qualified_plural(), &name, "too many concurrent writers; try again"))
}

/// `PUT /api/v1/namespaces/NAME/finalize`: only `spec.finalizers` changes.
pub async fn finalize(state: &Arc<ApiState>, request: &Request, name: &str) -> Result<Response, ApiError> {
    let body = request.body_object()?;
    let finalizers = body.pointer("/spec/finalizers").cloned().unwrap_or_else(|| json!([]));
    let Some(list) = finalizers.as_array() else {
        return Err(ApiError::bad_request("spec.finalizers must be a list"));
    };
    if list.iter().any(|f| !f.is_string()) {
        return Err(ApiError::bad_request("spec.finalizers must be a list of strings"));
    }
    let given = body.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default().to_string();
    let resource = namespaces()?;
    let written = state
        .storage
        .update_with(resource, None, name, |mut object| {
            if !given.is_empty() && given != revision_of(&object).to_string() {
                return Err(ApiError::modified(&resource.qualified_plural(), name));
            }
            object["spec"]["finalizers"] = finalizers.clone();
            Ok(object)
        })
        .await?;
    let result = remove_if_finalized(state, written).await?;
    Ok(object_response(request, StatusCode::OK, &result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_is_finalized_when_no_finalizer_is_left() {
        assert!(finalized(&json!({"metadata": {}, "spec": {"finalizers": []}})));
        assert!(finalized(&json!({"metadata": {}})));
        assert!(!finalized(&json!({"spec": {"finalizers": ["kubernetes"]}})));
        assert!(!finalized(&json!({"metadata": {"finalizers": ["orphan"]}, "spec": {}})));
    }
}
