//! CustomResourceDefinitions (apiextensions.k8s.io/v1): the set of custom resources
//! being served, and what the request pipeline does for them beyond built-ins.
//!
//! - [`controller`] watches CRDs through the API, sets their NamesAccepted/Established
//!   conditions, builds the served set (routes, discovery, OpenAPI documents) and empties
//!   a deleted CRD's resources through the API (their own finalizers hold it) before
//!   letting it go (the `customresourcecleanup` finalizer);
//! - [`prepare_write`] is the custom resources' strategy on create/update/patch: prune
//!   unknown fields (refused with `fieldValidation=Strict`, warned with `Warn`), apply
//!   schema defaults, validate against the structural schema; for CRDs themselves it
//!   defaults and validates the definition;
//! - [`on_read`] / [`to_storage`] are the None conversion between the storage version and
//!   the version a request addresses, plus defaulting of what storage returns.

pub mod controller;
pub mod defaults;
pub mod definition;
pub mod duplicates;
mod names;
pub mod prune;
pub mod schema;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::RwLock;
use serde_json::Value;

use super::request::Request;
use super::status::ApiError;
use crate::registry::{ResourceInfo, RESOURCES};

/// The custom resources served right now, swapped whole by the controller so a request
/// sees one consistent set.
#[derive(Default)]
pub struct CustomResources {
    served: RwLock<Arc<Served>>,
}

impl CustomResources {
    pub fn snapshot(&self) -> Arc<Served> {
        self.served.read().clone()
    }

    pub(crate) fn replace(&self, served: Served) {
        *self.served.write() = Arc::new(served);
    }
}

/// One OpenAPI v3 document of a custom group-version.
#[derive(Clone)]
pub struct CustomDocument {
    pub hash: String,
    pub json: Bytes,
}

#[derive(Default)]
pub struct Served {
    /// Every served version of every established CRD, preferred versions first.
    pub resources: Vec<&'static ResourceInfo>,
    /// By group-version path (`apis/stable.example.com/v1`).
    pub documents: BTreeMap<String, CustomDocument>,
    /// Names of the CRDs being deleted: still served, so their objects can be read and
    /// their finalizers removed, but nothing new is created.
    pub terminating: HashSet<String>,
}

impl Served {
    /// Built-in resources, then custom ones: what discovery lists.
    pub fn all(&self) -> Vec<&'static ResourceInfo> {
        RESOURCES.iter().chain(self.resources.iter().copied()).collect()
    }

    /// Built-in resources and one (the preferred) version of each custom resource: every
    /// stored collection once, for sweeps over all objects (namespace deletion, dependents).
    pub fn collections(&self) -> Vec<&'static ResourceInfo> {
        let mut all: Vec<&'static ResourceInfo> = RESOURCES.iter().collect();
        for resource in &self.resources {
            if !all.iter().any(|r| r.group == resource.group && r.plural == resource.plural) {
                all.push(resource);
            }
        }
        all
    }

    pub fn is_terminating(&self, resource: &ResourceInfo) -> bool {
        resource.custom.is_some_and(|custom| self.terminating.contains(&custom.definition))
    }

    pub fn document(&self, path: &str) -> Option<Bytes> {
        let path = path.trim_start_matches('/').trim_end_matches('/');
        self.documents.get(path).map(|doc| doc.json.clone())
    }
}

/// The CRD resource of the registry.
pub fn definitions() -> &'static ResourceInfo {
    crate::registry::by_plural("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .expect("customresourcedefinitions are in the registry")
}

pub fn is_definition(resource: &ResourceInfo) -> bool {
    resource.group == "apiextensions.k8s.io" && resource.kind == "CustomResourceDefinition"
}

/// The custom resources' (and CRDs') part of a create (`old` = None) or update, after the
/// generic preparation: nothing is stored if this fails.
pub fn prepare_write(
    request: &Request,
    resource: &ResourceInfo,
    object: &mut Value,
    old: Option<&Value>,
    subresource: Option<&str>,
) -> Result<(), ApiError> {
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    if is_definition(resource) {
        if subresource.is_none() {
            definition::default_definition(object, old.is_none());
        }
        let causes = definition::validate_definition(object, old);
        if !causes.is_empty() {
            return Err(ApiError::invalid(&resource.qualified_kind(), &name, causes));
        }
        track_generation(resource, object, old);
        return Ok(());
    }
    let Some(custom) = resource.custom else { return Ok(()) };
    if old.is_none() && resource.has_subresource("status") {
        // Status is written through /status only.
        if let Some(root) = object.as_object_mut() {
            root.remove("status");
        }
    }
    let mut problems = duplicates::strict_errors(request.content_type(), &request.body);
    if let Some(schema) = &custom.schema {
        let unknown = prune::prune(schema, object);
        problems.extend(unknown.iter().map(|f| format!("unknown field \"{f}\"")));
        report_field_problems(request, resource, &problems)?;
        defaults::apply_defaults(schema, object);
        let causes = schema::validate(schema, object);
        if !causes.is_empty() {
            return Err(ApiError::invalid(&resource.qualified_kind(), &name, causes));
        }
    } else {
        report_field_problems(request, resource, &problems)?;
    }
    track_generation(resource, object, old);
    Ok(())
}

/// Custom resources (and CRDs) always track generation: 1 on create, bumped when anything but
/// metadata (and status, when it is a subresource) changes.
fn track_generation(resource: &ResourceInfo, object: &mut Value, old: Option<&Value>) {
    let ignored: &[&str] = if resource.has_subresource("status") { &["metadata", "status"] } else { &["metadata"] };
    let generation = match old {
        None => 1,
        Some(old) => {
            let previous = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
            let strip = |v: &Value| {
                let mut map = v.as_object().cloned().unwrap_or_default();
                for field in ignored {
                    map.remove(*field);
                }
                map
            };
            if strip(old) == strip(object) {
                previous
            } else {
                previous + 1
            }
        }
    };
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("generation".into(), Value::from(generation));
    }
}

/// `fieldValidation` of unknown and duplicate fields: Strict refuses them, Warn (the
/// default) warns, Ignore drops them silently.
pub(crate) fn report_field_problems(
    request: &Request,
    resource: &ResourceInfo,
    problems: &[String],
) -> Result<(), ApiError> {
    if problems.is_empty() {
        return Ok(());
    }
    match request.param("fieldValidation") {
        Some("Ignore") => Ok(()),
        Some("Strict") => Err(ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
            problems.join(", "),
            kind = resource.kind,
            version = resource.version,
        ))),
        _ => {
            for warning in problems.iter().flat_map(|p| duplicates::warnings_of(p)) {
                request.warn(warning);
            }
            Ok(())
        }
    }
}

/// Refuses requests a CRD's conversion cannot serve: with the Webhook strategy, any version
/// but the storage one would need the webhook, which kctl does not call. Upstream answers
/// an unreachable webhook the same way: 500 with the conversion's error.
pub fn check_conversion(resource: &ResourceInfo) -> Result<(), ApiError> {
    let Some(custom) = resource.custom.filter(|c| c.webhook_conversion) else { return Ok(()) };
    if resource.api_version() == custom.storage_api_version {
        return Ok(());
    }
    Err(ApiError::internal(format!(
        "conversion webhook for {}, Kind={} failed: kctl does not call conversion webhooks; only the storage version {} is served",
        custom.storage_api_version,
        resource.kind,
        custom.storage_api_version,
    )))
}

/// A stored custom object as the addressed version shows it: apiVersion rewritten (the
/// None conversion) and schema defaults applied.
pub fn on_read(resource: &ResourceInfo, object: &mut Value) {
    let Some(custom) = resource.custom else { return };
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), Value::String(resource.api_version()));
    }
    if let Some(schema) = custom.schema.as_ref().filter(|_| custom.has_defaults) {
        defaults::apply_defaults(schema, object);
    }
}

/// A custom object as it is stored: in the storage version.
pub fn to_storage(resource: &ResourceInfo, object: &mut Value) {
    let Some(custom) = resource.custom else { return };
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), Value::String(custom.storage_api_version.clone()));
    }
}
