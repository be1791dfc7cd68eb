//! Admission that needs the rest of the cluster: a namespaced object needs its namespace
//! to exist and not be terminating (NamespaceLifecycle), a Service gets a cluster IP
//! (and node ports) allocated, and a Pod tolerates unreachable nodes for a configured
//! while (DefaultTolerationSeconds), and Pods get their priority (Priority, see `priority`).

use serde_json::Value;

use super::status::ApiError;
use super::storage::object_namespace;
use super::{service_alloc, ApiState};
use crate::registry::{self, ResourceInfo};

fn namespaces() -> &'static ResourceInfo {
    registry::by_plural("", "v1", "namespaces").expect("namespaces are in the registry")
}

fn services() -> &'static ResourceInfo {
    registry::by_plural("", "v1", "services").expect("services are in the registry")
}

pub async fn admit_create(state: &ApiState, resource: &ResourceInfo, object: &mut Value) -> Result<(), ApiError> {
    if resource.namespaced {
        let namespace = object_namespace(object).unwrap_or_default().to_string();
        let Some(found) = state.storage.try_get(namespaces(), None, &namespace).await? else {
            return Err(ApiError::not_found("namespaces", &namespace));
        };
        if found.pointer("/metadata/deletionTimestamp").is_some()
            || found.pointer("/status/phase").and_then(Value::as_str) == Some("Terminating")
        {
            return Err(ApiError::forbidden(format!(
                "{} \"{}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                resource.qualified_plural(),
                object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
            )));
        }
    }
    if resource.kind == "Service" {
        allocate_service_addresses(state, object, None).await?;
    }
    if resource.kind == "Pod" && resource.group.is_empty() {
        crate::registry::strategy::add_default_tolerations(object, state.default_toleration_seconds);
    }
    if resource.kind == "PersistentVolumeClaim" && resource.group.is_empty() {
        default_storage_class(state, object).await?;
    }
    super::priority::admit_create(state, resource, object).await
}

/// DefaultStorageClass: a claim that names no class (not even "") gets the default one —
/// the newest class annotated as default, as upstream's `GetDefaultClass`.
async fn default_storage_class(state: &ApiState, claim: &mut Value) -> Result<(), ApiError> {
    let names_class = claim.pointer("/spec/storageClassName").is_some_and(|c| !c.is_null())
        || claim.pointer("/metadata/annotations/volume.beta.kubernetes.io~1storage-class").is_some();
    if names_class {
        return Ok(());
    }
    let classes =
        registry::by_plural("storage.k8s.io", "v1", "storageclasses").expect("storage classes are registered");
    let listed = state.storage.list(classes, None, 0, None, None, |_| true).await?.items;
    let is_default = |class: &&Value| {
        ["storageclass.kubernetes.io~1is-default-class", "storageclass.beta.kubernetes.io~1is-default-class"]
            .iter()
            .any(|key| class.pointer(&format!("/metadata/annotations/{key}")).and_then(Value::as_str) == Some("true"))
    };
    let text = |class: &Value, path: &str| class.pointer(path).and_then(Value::as_str).unwrap_or_default().to_string();
    let newest = listed.iter().filter(is_default).max_by(|a, b| {
        let (created_a, created_b) = (text(a, "/metadata/creationTimestamp"), text(b, "/metadata/creationTimestamp"));
        created_a.cmp(&created_b).then_with(|| text(b, "/metadata/name").cmp(&text(a, "/metadata/name")))
    });
    if let (Some(class), Some(spec)) = (newest, claim.get_mut("spec").and_then(Value::as_object_mut)) {
        spec.insert("storageClassName".to_string(), Value::String(text(class, "/metadata/name")));
    }
    Ok(())
}

/// A Service's cluster IP and node ports (see `service_alloc`); `old` is the stored
/// Service on an update.
async fn allocate_service_addresses(
    state: &ApiState,
    service: &mut Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let existing = state.storage.list(services(), None, 0, None, None, |_| true).await?.items;
    let namespace = object_namespace(service).unwrap_or_default().to_string();
    let name = service.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let taken = service_alloc::Taken::from_services(&existing, (&namespace, &name));
    service_alloc::allocate_cluster_ip(&state.service_ip_range, &taken, service, old)?;
    service_alloc::allocate_node_ports(&taken, service, old)
}

/// Admission of an update (not of a status write): a Service's addresses carry over, and
/// new node ports are checked.
pub async fn admit_update(
    state: &ApiState,
    resource: &ResourceInfo,
    object: &mut Value,
    current: &Value,
) -> Result<(), ApiError> {
    if resource.kind == "Service" && resource.group.is_empty() {
        allocate_service_addresses(state, object, Some(current)).await?;
    }
    Ok(())
}
