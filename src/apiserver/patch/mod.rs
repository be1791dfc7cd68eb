//! Patches as the apiserver applies them: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386), strategic merge patch (upstream's, with merge keys and directives) and
//! server-side apply (managedFields, conflicts, force).
//! (Placeholder implementations until the patch engine lands.)

pub mod schema;

use serde_json::Value;

use self::schema::PatchSchema;

#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Conflict(String),
}

pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let patch: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|err| PatchError::Invalid(err.to_string()))?;
    let mut doc = doc.clone();
    json_patch::patch(&mut doc, &patch).map_err(|err| PatchError::Invalid(err.to_string()))?;
    Ok(doc)
}

pub fn merge_patch(doc: &Value, patch: &Value) -> Value {
    let mut doc = doc.clone();
    json_patch::merge(&mut doc, patch);
    doc
}

pub fn strategic_merge_patch(doc: &Value, patch: &Value, _schema: &dyn PatchSchema) -> Result<Value, PatchError> {
    Ok(merge_patch(doc, patch))
}

pub fn apply(
    live: Option<&Value>,
    config: &Value,
    _manager: &str,
    _force: bool,
    _schema: &dyn PatchSchema,
    _now: &str,
) -> Result<Value, ApplyError> {
    Ok(match live {
        Some(live) => merge_patch(live, config),
        None => config.clone(),
    })
}

pub fn track_update(_old: Option<&Value>, _new: &mut Value, _manager: &str, _operation: &str, _now: &str) {}
