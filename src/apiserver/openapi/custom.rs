//! OpenAPI v3 documents of custom resources' group-versions, built whenever the served
//! CRDs change: the same paths as built-ins (minus strategic merge patch, which custom
//! resources do not take), the version's schema as the kind with upstream's standard
//! apiVersion/kind/metadata properties, and the shared meta definitions it refers to.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha512};

use super::documents::{add_resource_paths, group_version_path};
use super::schemas::{self, DELETE_OPTIONS, PATCH, REF_PREFIX, SCALE, STATUS};
use super::OpenApi;
use crate::registry::ResourceInfo;

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

impl OpenApi {
    /// The documents of the custom resources' group-versions: path → (hash, JSON).
    pub fn custom_documents(&self, resources: &[&'static ResourceInfo]) -> BTreeMap<String, (String, Bytes)> {
        let mut by_group_version: BTreeMap<String, Vec<&ResourceInfo>> = BTreeMap::new();
        for resource in resources {
            by_group_version.entry(group_version_path(resource.group, resource.version)).or_default().push(resource);
        }
        by_group_version
            .into_iter()
            .map(|(path, resources)| {
                let json = serde_json::to_vec(&self.custom_document(&resources)).unwrap_or_default();
                let hash = hex::encode_upper(Sha512::digest(&json));
                (path, (hash, Bytes::from(json)))
            })
            .collect()
    }

    fn custom_document(&self, resources: &[&ResourceInfo]) -> Value {
        let mut paths = Map::new();
        let mut roots: Vec<String> = vec![DELETE_OPTIONS.into(), STATUS.into(), PATCH.into(), OBJECT_META.into()];
        let mut kinds = Map::new();
        for resource in resources {
            add_resource_paths(&mut paths, resource);
            if resource.has_subresource("scale") {
                roots.push(SCALE.into());
            }
            kinds.insert(resource.schema.to_string(), kind_schema(resource));
            let mut list = schemas::list_schema(resource);
            list["x-kubernetes-group-version-kind"] =
                json!([schemas::gvk(resource.group, resource.version, &format!("{}List", resource.kind))]);
            kinds.insert(schemas::list_name(resource), list);
            roots.push(schemas::LIST_META.into());
        }
        for item in paths.values_mut() {
            if let Some(content) = item.pointer_mut("/patch/requestBody/content").and_then(Value::as_object_mut) {
                content.remove("application/strategic-merge-patch+json");
            }
        }
        let mut components = schemas::closure(&self.definitions, &roots);
        components.extend(kinds);
        json!({
            "openapi": "3.0.0",
            "info": { "title": "Kubernetes CRD Swagger", "version": "v0.1.0" },
            "paths": paths,
            "components": { "schemas": components },
        })
    }
}

/// The version's schema as a kind: standard apiVersion/kind/metadata and the GVK.
pub(crate) fn kind_schema(resource: &ResourceInfo) -> Value {
    let mut schema = resource
        .custom
        .and_then(|c| c.schema.clone())
        .unwrap_or_else(|| json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
    if let Some(map) = schema.as_object_mut() {
        let properties = map.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            properties.insert("apiVersion".into(), json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"}));
            properties.insert("kind".into(), json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"}));
            properties.insert("metadata".into(), json!({"allOf": [{"$ref": format!("{REF_PREFIX}{OBJECT_META}")}], "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}));
        }
        map.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([schemas::gvk(resource.group, resource.version, resource.kind)]),
        );
    }
    schema
}
