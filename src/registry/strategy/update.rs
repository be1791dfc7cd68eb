//! Upstream's `PrepareForCreate`/`PrepareForUpdate` bookkeeping that is not defaulting: the
//! initial `metadata.generation`, and on update the status kept from the stored object (status
//! changes go through `/status`) and the generation bumped when the spec changed.

use serde_json::{json, Value};

use super::super::ResourceInfo;
use super::field::ensure_obj;

/// Kinds whose strategy tracks `metadata.generation` (bumped on every spec change).
pub(crate) fn uses_generation(resource: &ResourceInfo) -> bool {
    matches!(
        (resource.group, resource.kind),
        ("", "ReplicationController")
            | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("batch", "Job" | "CronJob")
    )
}

/// Sets `metadata.generation` to 1 on create for the kinds that track it.
pub(crate) fn prepare_for_create(resource: &ResourceInfo, object: &mut Value) {
    if !uses_generation(resource) {
        return;
    }
    if let Some(meta) = object.as_object_mut().and_then(|o| ensure_obj(o, "metadata")) {
        meta.insert("generation".into(), json!(1));
    }
}

/// Keeps the stored status (and a Namespace's finalizers), and bumps the generation when the
/// spec changed.
pub(crate) fn prepare_for_update(resource: &ResourceInfo, new: &mut Value, old: &Value) {
    let Some(root) = new.as_object_mut() else { return };
    if resource.has_subresource("status") {
        match old.get("status") {
            Some(status) => root.insert("status".into(), status.clone()),
            None => root.remove("status"),
        };
    }
    if (resource.group, resource.kind) == ("", "Namespace") {
        if let (Some(spec), Some(finalizers)) = (ensure_obj(root, "spec"), old.pointer("/spec/finalizers")) {
            spec.insert("finalizers".into(), finalizers.clone());
        }
    }
    if uses_generation(resource) {
        let old_generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
        let changed = root.get("spec") != old.get("spec");
        if let Some(meta) = ensure_obj(root, "metadata") {
            meta.insert("generation".into(), json!(if changed { old_generation + 1 } else { old_generation }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_kind;

    #[test]
    fn generation_starts_at_one_and_bumps_on_spec_change() {
        let deployments = by_kind("apps/v1", "Deployment").expect("deployments");
        let mut old = json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}});
        prepare_for_create(deployments, &mut old);
        assert_eq!(old["metadata"]["generation"], 1);
        let mut same = json!({"metadata": {"name": "d", "labels": {"a": "b"}}, "spec": {"replicas": 1}});
        prepare_for_update(deployments, &mut same, &old);
        assert_eq!(same["metadata"]["generation"], 1);
        let mut scaled = json!({"metadata": {"name": "d"}, "spec": {"replicas": 3}});
        prepare_for_update(deployments, &mut scaled, &old);
        assert_eq!(scaled["metadata"]["generation"], 2);
    }

    #[test]
    fn status_is_kept_from_the_stored_object() {
        let pods = by_kind("v1", "Pod").expect("pods");
        let old = json!({"spec": {}, "status": {"phase": "Running"}});
        let mut new = json!({"spec": {}, "status": {"phase": "Succeeded"}});
        prepare_for_update(pods, &mut new, &old);
        assert_eq!(new["status"]["phase"], "Running");
        let cms = by_kind("v1", "ConfigMap").expect("configmaps");
        let mut cm = json!({"data": {}, "status": 1});
        prepare_for_update(cms, &mut cm, &json!({}));
        assert_eq!(cm["status"], 1);
    }

    #[test]
    fn namespace_finalizers_are_kept() {
        let namespaces = by_kind("v1", "Namespace").expect("namespaces");
        let mut new = json!({"spec": {"finalizers": []}});
        prepare_for_update(namespaces, &mut new, &json!({"spec": {"finalizers": ["kubernetes"]}}));
        assert_eq!(new["spec"]["finalizers"], json!(["kubernetes"]));
    }
}
