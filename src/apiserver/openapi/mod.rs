//! The OpenAPI v3 documents served at /openapi/v3 (kubectl apply and explain read them).
//! (Placeholder until the generated documents land.)

use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::patch::schema::{NoSchema, PatchSchema};
use crate::registry::ResourceInfo;

pub struct OpenApi;

impl OpenApi {
    pub fn build() -> OpenApi {
        OpenApi
    }

    pub fn index(&self) -> Value {
        json!({"paths": {}})
    }

    pub fn document(&self, _group_version_path: &str) -> Option<(&str, bytes::Bytes)> {
        None
    }

    pub fn patch_schema(&self, _resource: &ResourceInfo) -> Arc<dyn PatchSchema> {
        Arc::new(NoSchema)
    }

    pub fn unknown_fields(&self, _resource: &ResourceInfo, _object: &Value) -> Vec<String> {
        Vec::new()
    }
}
