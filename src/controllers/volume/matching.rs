//! Which volume a claim may bind (upstream's `findMatchingVolume`): a volume pre-bound to
//! the claim first, else the smallest available one of the claim's class, volume mode
//! and access modes with room for its request and labels its selector matches.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::ResourceExt;

use crate::machinery::labels::Selector;
use crate::machinery::quantity::parse_value;

/// Bytes of storage a claim asks for or a volume holds (0 when unset or unreadable).
fn storage(
    map: Option<&std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
) -> i64 {
    map.and_then(|m| m.get("storage")).and_then(|q| parse_value(&q.0).ok()).unwrap_or(0)
}

/// Whether the volume's claimRef names this claim (by uid when it has one).
pub fn refers_to(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(reference) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { return false };
    reference.name.as_deref() == Some(claim.name_any().as_str())
        && reference.namespace.as_deref() == claim.namespace().as_deref()
        && reference.uid.as_deref().is_none_or(|uid| uid.is_empty() || Some(uid) == claim.uid().as_deref())
}

/// Whether the volume could hold the claim (ignoring who it is bound to).
pub fn fits(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let (Some(spec), Some(wanted)) = (volume.spec.as_ref(), claim.spec.as_ref()) else { return false };
    let mode = |m: Option<&String>| m.map_or("Filesystem", |m| m.as_str()).to_string();
    let modes = spec.access_modes.as_deref().unwrap_or_default();
    let selector_matches = match Selector::from_label_selector(wanted.selector.as_ref()) {
        Ok(selector) => wanted.selector.is_none() || selector.matches(volume.labels()),
        Err(_) => false,
    };
    volume.metadata.deletion_timestamp.is_none()
        && spec.storage_class_name.as_deref().unwrap_or_default() == super::claim_class(claim)
        && mode(spec.volume_mode.as_ref()) == mode(wanted.volume_mode.as_ref())
        && wanted.access_modes.iter().flatten().all(|m| modes.contains(m))
        && storage(spec.capacity.as_ref()) >= storage(wanted.resources.as_ref().and_then(|r| r.requests.as_ref()))
        && selector_matches
}

/// The volume to bind `claim` to, among `volumes`.
pub fn find<'a>(claim: &PersistentVolumeClaim, volumes: &'a [PersistentVolume]) -> Option<&'a PersistentVolume> {
    if let Some(pre_bound) = volumes.iter().find(|v| refers_to(v, claim) && fits(v, claim)) {
        return Some(pre_bound);
    }
    let free = |v: &&PersistentVolume| v.spec.as_ref().is_some_and(|s| s.claim_ref.is_none());
    volumes
        .iter()
        .filter(free)
        .filter(|v| fits(v, claim))
        .min_by_key(|v| storage(v.spec.as_ref().and_then(|s| s.capacity.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn volume(name: &str, size: &str, class: &str) -> PersistentVolume {
        serde_json::from_value(json!({"metadata": {"name": name, "labels": {"tier": "fast"}},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"], "storageClassName": class,
                     "hostPath": {"path": "/data"}}}))
        .expect("volume")
    }

    fn claim(size: &str, class: Option<&str>) -> PersistentVolumeClaim {
        serde_json::from_value(json!({"metadata": {"name": "data", "namespace": "default", "uid": "c1"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": class,
                     "resources": {"requests": {"storage": size}}}}))
        .expect("claim")
    }

    #[test]
    fn the_smallest_fitting_volume_of_the_class_is_chosen() {
        let volumes = [
            volume("big", "10Gi", ""),
            volume("small", "2Gi", ""),
            volume("tiny", "1Mi", ""),
            volume("other", "2Gi", "fast"),
        ];
        assert_eq!(find(&claim("1Gi", None), &volumes).map(|v| v.name_any()), Some("small".to_string()));
        assert_eq!(find(&claim("1Gi", Some("fast")), &volumes).map(|v| v.name_any()), Some("other".to_string()));
        assert_eq!(find(&claim("20Gi", None), &volumes), None);
    }

    #[test]
    fn a_volume_bound_elsewhere_is_skipped_and_one_pre_bound_to_the_claim_wins() {
        let mut taken = volume("taken", "1Gi", "");
        taken.spec.as_mut().expect("spec").claim_ref =
            Some(serde_json::from_value(json!({"name": "x", "namespace": "default"})).expect("ref"));
        let mut mine = volume("mine", "5Gi", "");
        mine.spec.as_mut().expect("spec").claim_ref =
            Some(serde_json::from_value(json!({"name": "data", "namespace": "default"})).expect("ref"));
        let volumes = [taken, volume("free", "2Gi", ""), mine];
        assert_eq!(find(&claim("1Gi", None), &volumes).map(|v| v.name_any()), Some("mine".to_string()));
    }

    #[test]
    fn selectors_and_access_modes_must_match() {
        let mut wanted = claim("1Gi", None);
        wanted.spec.as_mut().expect("spec").selector =
            Some(serde_json::from_value(json!({"matchLabels": {"tier": "slow"}})).expect("selector"));
        assert_eq!(find(&wanted, &[volume("v", "1Gi", "")]), None);
        let mut wanted = claim("1Gi", None);
        wanted.spec.as_mut().expect("spec").access_modes = Some(vec!["ReadWriteMany".to_string()]);
        assert_eq!(find(&wanted, &[volume("v", "1Gi", "")]), None);
    }
}
