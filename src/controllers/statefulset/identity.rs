//! A StatefulSet pod's stable identity, after upstream's `stateful_set_utils.go`: the name
//! `<set>-<ordinal>`, its labels, hostname and subdomain, and its claims
//! `<template>-<set>-<ordinal>` from the volumeClaimTemplates.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::controllers::cached_pod::CachedPod;
use crate::controllers::history::HASH_LABEL;
use crate::controllers::replicaset::pods::{from_template, owner_reference};

pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

fn set_name(set: &StatefulSet) -> &str {
    set.metadata.name.as_deref().unwrap_or_default()
}

pub fn pod_name(set: &StatefulSet, ordinal: i32) -> String {
    format!("{}-{ordinal}", set_name(set))
}

/// The ordinal a pod's name carries, when it is one of this set's names.
pub fn ordinal(set: &StatefulSet, pod: &CachedPod) -> Option<i32> {
    let name = pod.metadata.name.as_deref()?;
    let rest = name.strip_prefix(set_name(set))?.strip_prefix('-')?;
    rest.parse().ok().filter(|n: &i32| *n >= 0 && n.to_string() == rest)
}

/// The revision a pod runs (its `controller-revision-hash`, the revision's name).
pub fn revision(pod: &CachedPod) -> Option<&str> {
    pod.metadata.labels.as_ref()?.get(HASH_LABEL).map(String::as_str)
}

pub fn claim_name(template: &str, set: &StatefulSet, ordinal: i32) -> String {
    format!("{template}-{}-{ordinal}", set_name(set))
}

fn claim_templates(set: &StatefulSet) -> &[PersistentVolumeClaim] {
    set.spec.as_ref().and_then(|s| s.volume_claim_templates.as_deref()).unwrap_or_default()
}

/// The pod of `ordinal` from `template` (the current or the update revision's), labelled
/// with `revision`.
pub fn new_pod(set: &StatefulSet, template: &PodTemplateSpec, ordinal: i32, revision: &str) -> Pod {
    let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
    let uid = set.metadata.uid.as_deref().unwrap_or_default();
    let mut pod = from_template(template, namespace, owner_reference("apps/v1", "StatefulSet", set_name(set), uid));
    let name = pod_name(set, ordinal);
    pod.metadata.generate_name = None;
    pod.metadata.name = Some(name.clone());
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(POD_NAME_LABEL.to_string(), name.clone());
    labels.insert(POD_INDEX_LABEL.to_string(), ordinal.to_string());
    labels.insert(HASH_LABEL.to_string(), revision.to_string());
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.hostname = Some(name);
    if let Some(service) = set.spec.as_ref().and_then(|s| s.service_name.as_deref()).filter(|s| !s.is_empty()) {
        spec.subdomain = Some(service.to_string());
    }
    let volumes = spec.volumes.get_or_insert_with(Vec::new);
    for claim in claim_templates(set) {
        let volume_name = claim.metadata.name.clone().unwrap_or_default();
        volumes.retain(|v| v.name != volume_name);
        volumes.push(Volume {
            name: volume_name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(&volume_name, set, ordinal),
                read_only: None,
            }),
            ..Default::default()
        });
    }
    if volumes.is_empty() {
        spec.volumes = None;
    }
    pod
}

/// `whenDeleted` and `whenScaled` of the claim retention policy: true for Delete.
pub fn claims_deleted(set: &StatefulSet) -> (bool, bool) {
    let policy = set.spec.as_ref().and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
    let delete = |v: Option<&String>| v.map(String::as_str) == Some("Delete");
    (delete(policy.and_then(|p| p.when_deleted.as_ref())), delete(policy.and_then(|p| p.when_scaled.as_ref())))
}

/// The claims of `ordinal`: the templates' specs, the templates' and the selector's
/// labels, and the set as owner when they go with it (`whenDeleted: Delete`).
pub fn claims(set: &StatefulSet, ordinal: i32) -> Vec<PersistentVolumeClaim> {
    let selector = set.spec.as_ref().and_then(|s| s.selector.match_labels.clone()).unwrap_or_default();
    let uid = set.metadata.uid.as_deref().unwrap_or_default();
    let owned = claims_deleted(set).0;
    claim_templates(set)
        .iter()
        .map(|template| {
            let mut labels = template.metadata.labels.clone().unwrap_or_default();
            labels.extend(selector.clone());
            let name = template.metadata.name.clone().unwrap_or_default();
            PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(claim_name(&name, set, ordinal)),
                    namespace: set.metadata.namespace.clone(),
                    labels: Some(labels),
                    annotations: template.metadata.annotations.clone(),
                    owner_references: owned
                        .then(|| vec![owner_reference("apps/v1", "StatefulSet", set_name(set), uid)]),
                    ..Default::default()
                },
                spec: template.spec.clone(),
                status: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set() -> StatefulSet {
        serde_json::from_value(json!({"metadata": {"name": "web", "namespace": "default", "uid": "u"},
            "spec": {"serviceName": "nginx", "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "c"}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}}))
        .unwrap()
    }

    #[test]
    fn pods_carry_their_ordinal_name_hostname_and_claims() {
        let set = set();
        let template = set.spec.as_ref().unwrap().template.clone();
        let pod = serde_json::to_value(new_pod(&set, &template, 2, "web-abc")).unwrap();
        assert_eq!(pod["metadata"]["name"], "web-2");
        assert_eq!(pod["metadata"]["labels"][POD_NAME_LABEL], "web-2");
        assert_eq!(pod["metadata"]["labels"][POD_INDEX_LABEL], "2");
        assert_eq!(pod["metadata"]["labels"][HASH_LABEL], "web-abc");
        assert_eq!(
            (pod["spec"]["hostname"].as_str(), pod["spec"]["subdomain"].as_str()),
            (Some("web-2"), Some("nginx"))
        );
        assert_eq!(pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "www-web-2");
        let claims = claims(&set, 2);
        assert_eq!(claims[0].metadata.name.as_deref(), Some("www-web-2"));
        assert_eq!(claims[0].metadata.labels.as_ref().unwrap()["app"], "nginx");
        assert!(claims[0].metadata.owner_references.is_none());
    }

    #[test]
    fn ordinals_are_read_from_names_of_this_set_only() {
        let set = set();
        let pod = |name: &str| serde_json::from_value::<CachedPod>(json!({"metadata": {"name": name}})).unwrap();
        assert_eq!(ordinal(&set, &pod("web-10")), Some(10));
        assert_eq!(ordinal(&set, &pod("web-x")), None);
        assert_eq!(ordinal(&set, &pod("web-01")), None);
        assert_eq!(ordinal(&set, &pod("webby-1")), None);
    }
}
