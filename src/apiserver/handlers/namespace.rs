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

/// The garbage collector's finalizers a namespace gets on its first DELETE, as upstream's
/// namespace storage sets them: `orphan` for Orphan (or `orphanDependents: true`),
/// `foregroundDeletion` for Foreground (or `orphanDependents: false`), the other dropped; no
/// policy keeps what is there. The garbage collector then orphans or deletes the namespace's
/// dependents (objects naming it as owner) and removes its finalizer; the namespace's content
/// is emptied by the namespace controller in the background whatever the policy, as upstream.
pub fn deletion_finalizers(current: &[Value], propagation: Option<&str>, orphan: Option<bool>) -> Vec<Value> {
    let has = |name: &str| current.iter().any(|f| f == name);
    let (orphan_wanted, foreground_wanted) = match (orphan, propagation) {
        (Some(orphan), _) => (orphan, !orphan),
        (None, Some(policy)) => (policy == "Orphan", policy == "Foreground"),
        (None, None) => (has(ORPHAN), has(FOREGROUND)),
    };
    let mut out: Vec<Value> = current.iter().filter(|f| *f != ORPHAN && *f != FOREGROUND).cloned().collect();
    if orphan_wanted {
        out.push(json!(ORPHAN));
    }
    if foreground_wanted {
        out.push(json!(FOREGROUND));
    }
    out
}

const ORPHAN: &str = "orphan";
const FOREGROUND: &str = "foregroundDeletion";

/// DELETE: Terminating from now on, with the finalizers its propagation policy asks for;
/// removed at once when no finalizer holds it.
pub async fn terminate(
    state: &Arc<ApiState>,
    namespace: Value,
    propagation: Option<&str>,
    orphan: Option<bool>,
) -> Result<Value, ApiError> {
    let name = object_name(&namespace).to_string();
    let marked = state
        .storage
        .update_with(namespaces()?, None, &name, |mut object| {
            if object.pointer("/metadata/deletionTimestamp").is_none() {
                object["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                // Upstream changes the finalizers on the first DELETE only.
                let current = object.pointer("/metadata/finalizers").and_then(Value::as_array).cloned();
                let current = current.unwrap_or_default();
                let wanted = deletion_finalizers(&current, propagation, orphan);
                if wanted != current {
                    object["metadata"]["finalizers"] = Value::Array(wanted);
                }
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
    fn deletion_finalizers_follow_the_propagation_policy_as_upstream() {
        let none: &[Value] = &[];
        assert_eq!(deletion_finalizers(none, Some("Orphan"), None), vec![json!("orphan")]);
        assert_eq!(deletion_finalizers(none, Some("Foreground"), None), vec![json!("foregroundDeletion")]);
        assert!(deletion_finalizers(none, Some("Background"), None).is_empty());
        assert!(deletion_finalizers(none, None, None).is_empty());
        // orphanDependents wins over the policy, and false asks for the foreground finalizer.
        assert_eq!(deletion_finalizers(none, Some("Orphan"), Some(false)), vec![json!("foregroundDeletion")]);
        let held = [json!("example.com/keep"), json!("orphan")];
        assert_eq!(deletion_finalizers(&held, None, None), held.to_vec());
        assert_eq!(
            deletion_finalizers(&held, Some("Foreground"), None),
            vec![json!("example.com/keep"), json!("foregroundDeletion")]
        );
        assert_eq!(deletion_finalizers(&held, Some("Background"), None), vec![json!("example.com/keep")]);
    }

    #[test]
    fn a_namespace_is_finalized_when_no_finalizer_is_left() {
        assert!(finalized(&json!({"metadata": {}, "spec": {"finalizers": []}})));
        assert!(finalized(&json!({"metadata": {}})));
        assert!(!finalized(&json!({"spec": {"finalizers": ["kubernetes"]}})));
        assert!(!finalized(&json!({"metadata": {"finalizers": ["orphan"]}, "spec": {}})));
    }
}
