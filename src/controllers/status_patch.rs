//! Writing a controller's status through the `status` subresource only when it changed,
//! as a merge patch that also clears the fields the new status no longer has.

use kube::api::{Api, Patch, PatchParams};
use serde_json::{json, Value};

/// Patches `name`'s status from `current` to `wanted`; a deleted object is no error.
pub async fn write<K>(api: &Api<K>, name: &str, current: Value, wanted: Value) -> Result<(), kube::Error>
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    if current == wanted {
        return Ok(());
    }
    let mut patch = wanted;
    for key in current.as_object().into_iter().flat_map(|m| m.keys()) {
        if patch.get(key).is_none() && key != "conditions" {
            patch[key] = Value::Null;
        }
    }
    match api.patch_status(name, &PatchParams::default(), &Patch::Merge(&json!({"status": patch}))).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(err),
    }
}
