//! Per-resource defaulting and validation (upstream's "strategy": PrepareForCreate,
//! Validate, ValidateUpdate), over objects as JSON.

use serde_json::Value;

use super::ResourceInfo;

/// One reason an object is invalid, as upstream's `StatusCause`: `reason` is
/// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueDuplicate`,
/// `FieldValueForbidden` or `FieldValueTooLong`; `field` is the path (`spec.template.metadata.labels`);
/// `message` is the text after the field (`Invalid value: "x": must be ...`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// Fills in upstream's defaults for a new or updated object.
pub fn default_object(_resource: &ResourceInfo, _object: &mut Value) {}

/// What is wrong with an object about to be created.
pub fn validate_create(_resource: &ResourceInfo, _object: &Value) -> Vec<Cause> {
    Vec::new()
}

/// What is wrong with an update from `old` to `new` (including changes to immutable fields).
pub fn validate_update(_resource: &ResourceInfo, _new: &Value, _old: &Value) -> Vec<Cause> {
    Vec::new()
}
