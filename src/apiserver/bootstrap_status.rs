//! Creating bootstrap objects whose status the apiserver maintains itself (Local
//! APIServices are Available, the default FlowSchemas find their priority levels): a create
//! clears the status of kinds with a `/status` subresource, so these are stored with the
//! status their upstream controller would write right after.

use serde_json::Value;

use super::status::ApiError;
use super::{admission, objects, ApiState};
use crate::registry::ResourceInfo;

/// Creates `object` with `status` unless an object of its name exists.
pub(super) async fn ensure_with_status(
    state: &ApiState,
    resource: &ResourceInfo,
    mut object: Value,
    status: Value,
) -> Result<(), ApiError> {
    let namespace = object.pointer("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    if state.storage.try_get(resource, namespace.as_deref(), &name).await?.is_some() {
        return Ok(());
    }
    objects::prepare_create(resource, &mut object, namespace.as_deref())?;
    if let Some(root) = object.as_object_mut() {
        root.insert("status".into(), status);
    }
    admission::admit_create(state, resource, &mut object).await?;
    match state.storage.create(resource, object).await {
        Err(err) if err.reason == "AlreadyExists" => Ok(()),
        other => other.map(|_| ()),
    }
}
