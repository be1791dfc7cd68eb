//! The bookkeeping of upstream's `PrepareForCreate`/`PrepareForUpdate` that is not defaulting,
//! alike for every kind whose [`Strategy`](super::Strategy) asks for it: the initial
//! `metadata.generation`, the stored status kept on update (status changes go through
//! `/status`), and the generation bumped when the spec changed.

use serde_json::{json, Map, Value};

use super::field::{ensure_obj, set_default};

/// `metadata.generation` 1 unless the object has one.
pub(super) fn default_generation(object: &mut Value) {
    if let Some(meta) = object.as_object_mut().and_then(|o| ensure_obj(o, "metadata")) {
        set_default(meta, "generation", json!(1));
    }
}

/// `metadata.generation` 1: a new object.
pub(super) fn start_generation(object: &mut Value) {
    if let Some(meta) = object.as_object_mut().and_then(|o| ensure_obj(o, "metadata")) {
        meta.insert("generation".into(), json!(1));
    }
}

/// The stored status replaces the one sent (or its absence).
pub(super) fn keep_status(root: &mut Map<String, Value>, old: &Value) {
    match old.get("status") {
        Some(status) => root.insert("status".into(), status.clone()),
        None => root.remove("status"),
    };
}

/// The stored generation, plus one when the spec changed.
pub(super) fn count_generation(root: &mut Map<String, Value>, old: &Value) {
    let old_generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
    let changed = root.get("spec") != old.get("spec");
    if let Some(meta) = ensure_obj(root, "metadata") {
        meta.insert("generation".into(), json!(if changed { old_generation + 1 } else { old_generation }));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::registry::by_kind;

    #[test]
    fn generation_starts_at_one_and_bumps_on_spec_change() {
        let deployments = by_kind("apps/v1", "Deployment").expect("deployments");
        let strategy = deployments.strategy;
        let mut old = json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}});
        strategy.prepare_for_create(deployments, &mut old);
        assert_eq!(old["metadata"]["generation"], 1);
        let mut same = json!({"metadata": {"name": "d", "labels": {"a": "b"}}, "spec": {"replicas": 1}});
        strategy.prepare_for_update(deployments, &mut same, &old);
        assert_eq!(same["metadata"]["generation"], 1);
        let mut scaled = json!({"metadata": {"name": "d"}, "spec": {"replicas": 3}});
        strategy.prepare_for_update(deployments, &mut scaled, &old);
        assert_eq!(scaled["metadata"]["generation"], 2);
    }

    #[test]
    fn status_is_kept_from_the_stored_object() {
        let pods = by_kind("v1", "Pod").expect("pods");
        let old = json!({"spec": {}, "status": {"phase": "Running"}});
        let mut new = json!({"spec": {}, "status": {"phase": "Succeeded"}});
        pods.strategy.prepare_for_update(pods, &mut new, &old);
        assert_eq!(new["status"]["phase"], "Running");
        let cms = by_kind("v1", "ConfigMap").expect("configmaps");
        let mut cm = json!({"data": {}, "status": 1});
        cms.strategy.prepare_for_update(cms, &mut cm, &json!({}));
        assert_eq!(cm["status"], 1);
    }

    #[test]
    fn namespace_finalizers_are_kept() {
        let namespaces = by_kind("v1", "Namespace").expect("namespaces");
        let mut new = json!({"spec": {"finalizers": []}});
        namespaces.strategy.prepare_for_update(namespaces, &mut new, &json!({"spec": {"finalizers": ["kubernetes"]}}));
        assert_eq!(new["spec"]["finalizers"], json!(["kubernetes"]));
    }
}
