//! Upstream's APIService autoregistration (`pkg/controlplane/apiserver/aggregator.go`,
//! `cmd/kube-apiserver/app/aggregator.go`, and the crdRegistrationController): one Local
//! APIService per served group-version, named `version.group` (`v1.` for the core group),
//! with upstream's group and version priorities, Available because Local APIServices are
//! always available. Built-in ones are created at the apiserver's start (managed `onstart`);
//! custom resources' follow their CRDs (managed `true`): created when a group-version is
//! established, removed when none of its CRDs serves it any more.

use std::collections::BTreeSet;

use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, PostParams};
use kube::Client;
use serde_json::{json, Value};

use super::bootstrap_status::ensure_with_status;
use super::objects::now_rfc3339;
use super::status::ApiError;
use super::ApiState;
use crate::registry::{self, ResourceInfo};

/// The label saying how autoregistration manages an APIService.
pub const MANAGED_LABEL: &str = "kube-aggregator.kubernetes.io/automanaged";

/// Upstream's `(groupPriorityMinimum, versionPriority)` of the built-in group-versions
/// (`DefaultGenericAPIServicePriorities` and kube-apiserver's own table) that kctl serves.
const PRIORITIES: &[(&str, &str, i64, i64)] = &[
    ("", "v1", 18000, 1),
    ("events.k8s.io", "v1", 17750, 15),
    ("authentication.k8s.io", "v1", 17700, 15),
    ("authorization.k8s.io", "v1", 17600, 15),
    ("certificates.k8s.io", "v1", 17300, 15),
    ("rbac.authorization.k8s.io", "v1", 17000, 15),
    ("apiextensions.k8s.io", "v1", 16700, 15),
    ("admissionregistration.k8s.io", "v1", 16700, 15),
    ("coordination.k8s.io", "v1", 16500, 15),
    ("discovery.k8s.io", "v1", 16200, 15),
    ("flowcontrol.apiserver.k8s.io", "v1", 16100, 21),
    ("apps", "v1", 17800, 15),
    ("autoscaling", "v1", 17500, 15),
    ("autoscaling", "v2", 17500, 30),
    ("batch", "v1", 17400, 15),
    ("networking.k8s.io", "v1", 17200, 15),
    ("policy", "v1", 17100, 15),
    ("storage.k8s.io", "v1", 16800, 15),
    ("scheduling.k8s.io", "v1", 16600, 15),
    ("node.k8s.io", "v1", 16300, 15),
];

/// `version.group`, upstream's name of an APIService.
pub fn name(group: &str, version: &str) -> String {
    format!("{version}.{group}")
}

/// A Local APIService for `group`/`version`.
pub fn local_api_service(
    group: &str,
    version: &str,
    group_priority: i64,
    version_priority: i64,
    managed: &str,
) -> Value {
    json!({
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": name(group, version), "labels": {MANAGED_LABEL: managed}},
        "spec": {"group": group, "version": version,
            "groupPriorityMinimum": group_priority, "versionPriority": version_priority},
    })
}

/// `NewLocalAvailableAPIServiceCondition`, as a status.
pub fn available_status() -> Value {
    json!({"conditions": [{"type": "Available", "status": "True", "lastTransitionTime": now_rfc3339(),
        "reason": "Local", "message": "Local APIServices are always available"}]})
}

/// The built-in group-versions kctl serves that upstream registers, in its table's order.
pub fn builtin_api_services() -> Vec<Value> {
    let served: BTreeSet<(&str, &str)> = registry::RESOURCES.iter().map(|r| (r.group, r.version)).collect();
    PRIORITIES
        .iter()
        .filter(|(group, version, _, _)| served.contains(&(*group, *version)))
        .map(|(group, version, gp, vp)| local_api_service(group, version, *gp, *vp, "onstart"))
        .collect()
}

/// Creates the built-in Local APIServices that do not exist yet.
pub(super) async fn ensure_builtin_api_services(state: &ApiState) -> Result<(), ApiError> {
    let resource = registry::by_plural("apiregistration.k8s.io", "v1", "apiservices")
        .ok_or_else(|| ApiError::internal("apiservices not registered".to_string()))?;
    for api_service in builtin_api_services() {
        ensure_with_status(state, resource, api_service, available_status()).await?;
    }
    Ok(())
}

/// crdRegistrationController's priorities for a custom resource group.
fn custom_group_priority(group: &str) -> i64 {
    match group {
        "config.openshift.io" => 1100,
        "operator.openshift.io" => 1080,
        _ => 1000,
    }
}

/// Brings the continuously managed APIServices in line with the group-versions `served`
/// by CRDs, through the API as `client`: the missing ones are created (and marked
/// Available), those whose group-version no CRD serves are deleted.
pub async fn sync_custom(client: &Client, served: &[&'static ResourceInfo]) -> Result<(), kube::Error> {
    let resource = ApiResource {
        group: "apiregistration.k8s.io".into(),
        version: "v1".into(),
        api_version: "apiregistration.k8s.io/v1".into(),
        kind: "APIService".into(),
        plural: "apiservices".into(),
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let wanted: BTreeSet<(String, String)> =
        served.iter().map(|r| (r.group.to_string(), r.version.to_string())).collect();
    let managed = api.list(&ListParams::default().labels(&format!("{MANAGED_LABEL}=true"))).await?.items;
    let existing: BTreeSet<String> = managed.iter().filter_map(|a| a.metadata.name.clone()).collect();
    for name in existing.iter().filter(|n| !wanted.iter().any(|(g, v)| &self::name(g, v) == *n)) {
        match api.delete(name, &DeleteParams::default()).await {
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            other => {
                other?;
            }
        }
    }
    for (group, version) in wanted.iter().filter(|(g, v)| !existing.contains(&name(g, v))) {
        let object = local_api_service(group, version, custom_group_priority(group), 100, "true");
        let object: DynamicObject = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
        let created = match api.create(&PostParams::default(), &object).await {
            Ok(created) => created,
            // A built-in or user-made APIService of that name stays as it is.
            Err(kube::Error::Api(status)) if status.code == 409 => continue,
            Err(err) => return Err(err),
        };
        let mut with_status = serde_json::to_value(&created).map_err(kube::Error::SerdeError)?;
        with_status["status"] = available_status();
        let body = serde_json::to_vec(&with_status).map_err(kube::Error::SerdeError)?;
        api.replace_status(&name(group, version), &PostParams::default(), body).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_api_service_is_valid_and_named_version_dot_group() {
        let resource = registry::by_plural("apiregistration.k8s.io", "v1", "apiservices").expect("apiservices");
        let services = builtin_api_services();
        let names: Vec<&str> = services.iter().filter_map(|s| s["metadata"]["name"].as_str()).collect();
        assert!(names.contains(&"v1.") && names.contains(&"v1.apps") && names.contains(&"v2.autoscaling"));
        for mut service in services {
            resource.strategy.prepare_for_create(resource, &mut service);
            assert_eq!(resource.strategy.validate(resource, &service), vec![], "{}", service["metadata"]["name"]);
        }
    }
}
