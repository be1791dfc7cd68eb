//! The OpenAPI v3 documents served at /openapi/v3 (kubectl apply and explain read them),
//! and the schema lookups built on them: patch metadata for strategic merge patch and
//! server-side apply, unknown fields for `fieldValidation=Strict`.
//!
//! Everything is generated once at startup ([`OpenApi::build`]) from k8s-openapi's schemas
//! plus upstream's patch metadata ([`merge_keys`]), one document per group-version of the
//! registry, serialized once and addressed by the hash upstream puts in its index.

mod custom;
mod documents;
mod lookup;
mod merge_keys;
mod schemas;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

use crate::machinery::patch::openapi::SchemaNode;
use crate::machinery::patch::schema::{NoSchema, PatchSchema};
use crate::registry::{ResourceInfo, RESOURCES};

#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    #[error("the registry names schema {0}, which kctl cannot generate")]
    MissingSchema(String),
    #[error("serializing schema {name}: {source}")]
    Serialize { name: String, source: serde_json::Error },
    #[error("serializing the OpenAPI document {path}: {source}")]
    Document { path: String, source: serde_json::Error },
}

/// One served document: its bytes and the hash clients cache it under.
struct Document {
    hash: String,
    json: Bytes,
}

/// The served OpenAPI v3 documents and the schemas behind them.
pub struct OpenApi {
    /// By group-version path (`api/v1`, `apis/apps/v1`).
    documents: BTreeMap<String, Document>,
    definitions: Arc<schemas::Definitions>,
    /// Patch schemas by definition name, kept so their remembered lookups are reused.
    patch_roots: parking_lot::Mutex<HashMap<String, Arc<dyn PatchSchema>>>,
}

impl OpenApi {
    /// Generates the documents of every group-version in the registry.
    pub fn build() -> OpenApi {
        // The inputs are compiled in (registry + k8s-openapi); failure is a kctl bug that
        // the tests catch, not something a request could cause.
        match OpenApi::try_build(RESOURCES) {
            Ok(openapi) => openapi,
            Err(err) => panic!("building the OpenAPI documents: {err}"),
        }
    }

    /// Generates the documents of `resources`' group-versions.
    pub fn try_build(resources: &[ResourceInfo]) -> Result<OpenApi, OpenApiError> {
        let definitions = schemas::definitions(resources)?;
        let mut by_group_version: BTreeMap<String, Vec<&ResourceInfo>> = BTreeMap::new();
        for resource in resources {
            by_group_version
                .entry(documents::group_version_path(resource.group, resource.version))
                .or_default()
                .push(resource);
        }
        let mut served = BTreeMap::new();
        for (path, resources) in by_group_version {
            let document = documents::document(&definitions, &resources);
            let json = serde_json::to_vec(&document)
                .map_err(|source| OpenApiError::Document { path: path.clone(), source })?;
            let hash = hex::encode_upper(Sha512::digest(&json));
            served.insert(path, Document { hash, json: Bytes::from(json) });
        }
        Ok(OpenApi { documents: served, definitions: Arc::new(definitions), patch_roots: Default::default() })
    }

    /// The `/openapi/v3` answer: where each group-version's document lives, by hash.
    pub fn index(&self) -> Value {
        let paths: serde_json::Map<String, Value> = self
            .documents
            .iter()
            .map(|(path, doc)| {
                (path.clone(), json!({ "serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash) }))
            })
            .collect();
        json!({ "paths": paths })
    }

    /// The document of `api/v1`, `apis/apps/v1`, … (a leading `/` is accepted) with its
    /// hash, for `/openapi/v3/{group_version_path}`.
    pub fn document(&self, group_version_path: &str) -> Option<(&str, Bytes)> {
        let path = group_version_path.trim_start_matches('/').trim_end_matches('/');
        self.documents.get(path).map(|doc| (doc.hash.as_str(), doc.json.clone()))
    }

    /// The patch metadata of `resource`'s objects, walked field by field.
    pub fn patch_schema(&self, resource: &ResourceInfo) -> Arc<dyn PatchSchema> {
        if resource.custom.is_some() {
            // The CRD's schema: its list types and map keys drive server-side apply.
            return Arc::new(SchemaNode::for_schema(&self.definitions, custom::kind_schema(resource)));
        }
        self.patch_schema_of(resource.schema)
    }

    /// Like [`OpenApi::patch_schema`] for a definition name, for bodies that are not the
    /// resource's kind (`io.k8s.api.autoscaling.v1.Scale` of `/scale`). Unknown names get
    /// [`NoSchema`] (JSON merge semantics), as upstream does for kinds without schema.
    pub fn patch_schema_of(&self, definition: &str) -> Arc<dyn PatchSchema> {
        let mut roots = self.patch_roots.lock();
        if let Some(root) = roots.get(definition) {
            return Arc::clone(root);
        }
        let root: Arc<dyn PatchSchema> = match SchemaNode::for_definition(&self.definitions, definition) {
            Some(node) => Arc::new(node),
            None => Arc::new(NoSchema),
        };
        roots.insert(definition.to_string(), Arc::clone(&root));
        root
    }

    /// Paths of the fields of `object` that `resource`'s schema does not know, as upstream's
    /// strict decoding reports them (`spec.containers[0].ports[0].containerPorts`).
    pub fn unknown_fields(&self, resource: &ResourceInfo, object: &Value) -> Vec<String> {
        self.unknown_fields_of(resource.schema, object)
    }

    /// Like [`OpenApi::unknown_fields`] for a definition name; nothing is unknown to a
    /// definition kctl does not have.
    pub fn unknown_fields_of(&self, definition: &str, object: &Value) -> Vec<String> {
        match self.definitions.get(definition) {
            Some(schema) => lookup::unknown_fields(&self.definitions, schema, object),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
