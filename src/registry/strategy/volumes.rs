//! The strategies of the core group's volume kinds: PersistentVolume and PersistentVolumeClaim
//! (`SetDefaults_PersistentVolume(Claim)`, `ValidatePersistentVolume(Claim)` and their updates).
//! Both select on metadata only: upstream registers no field label conversion for them.

use serde_json::{json, Map, Value};

use super::field::{child, ensure_obj, go_json, quote, set_default_str, Errs};
use super::resources::parse_quantity;
use super::selector::validate_label_selector;
use super::{InitialStatus, Strategy};
use crate::machinery::validation::is_dns1123_subdomain;
use crate::registry::tables;

/// Upstream's `persistentvolumeStrategy`: created Pending, with the time of that phase.
pub(crate) static PERSISTENT_VOLUME: Strategy = Strategy {
    defaulter: default_persistent_volume,
    initial_status: InitialStatus::From(|_| {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        json!({"phase": "Pending", "lastPhaseTransitionTime": now})
    }),
    validator: validate_persistent_volume,
    update_validator: Some(validate_persistent_volume_update),
    printer: &tables::more_kinds::PERSISTENT_VOLUME,
    ..Strategy::DEFAULT
};

/// Upstream's `persistentvolumeclaimStrategy`: created Pending; the spec is fixed once created
/// but for a bound claim's storage request.
pub(crate) static PERSISTENT_VOLUME_CLAIM: Strategy = Strategy {
    defaulter: default_persistent_volume_claim,
    initial_status: InitialStatus::From(|_| json!({"phase": "Pending"})),
    validator: validate_persistent_volume_claim,
    update_validator: Some(validate_persistent_volume_claim_update),
    printer: &tables::more_kinds::PERSISTENT_VOLUME_CLAIM,
    ..Strategy::DEFAULT
};

const ACCESS_MODES: &[&str] = &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const RECLAIM_POLICIES: &[&str] = &["Delete", "Recycle", "Retain"];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];

/// The volume sources of a PersistentVolume in the order upstream checks them, with the path
/// its "more than 1 volume type" error names.
const SOURCES: &[(&str, &str)] = &[
    ("hostPath", "hostPath"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("nfs", "nfs"),
    ("rbd", "rbd"),
    ("quobyte", "quobyte"),
    ("cephfs", "cephFS"),
    ("iscsi", "iscsi"),
    ("cinder", "cinder"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("scaleIO", "scaleIO"),
    ("local", "local"),
    ("storageos", "storageos"),
    ("csi", "csi"),
];

// ---------------------------------------------------------------------------------------------
// Defaults

/// `SetDefaults_PersistentVolume`: reclaim policy Retain, volume mode Filesystem, phase Pending.
fn default_persistent_volume(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    if let Some(spec) = ensure_obj(root, "spec") {
        set_default_str(spec, "persistentVolumeReclaimPolicy", "Retain");
        set_default_str(spec, "volumeMode", "Filesystem");
    }
    if let Some(status) = ensure_obj(root, "status") {
        set_default_str(status, "phase", "Pending");
    }
}

/// `SetDefaults_PersistentVolumeClaim(Spec)`: volume mode Filesystem, phase Pending.
fn default_persistent_volume_claim(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    if let Some(spec) = ensure_obj(root, "spec") {
        set_default_str(spec, "volumeMode", "Filesystem");
    }
    if let Some(status) = ensure_obj(root, "status") {
        set_default_str(status, "phase", "Pending");
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Access modes: at least one (with `required_detail`), each supported, ReadWriteOncePod alone.
fn validate_access_modes(e: &mut Errs, spec: &Value, path: &str, required_detail: &str) {
    let path = child(path, "accessModes");
    let modes = e.arr(spec, "accessModes", &path).cloned().unwrap_or_default();
    if modes.is_empty() {
        e.required(&path, required_detail);
    }
    let (mut once_pod, mut others) = (false, false);
    for mode in &modes {
        let text = mode.as_str().unwrap_or_default();
        if !ACCESS_MODES.contains(&text) {
            e.not_supported(&path, &quote(text), ACCESS_MODES);
        } else if text == "ReadWriteOncePod" {
            once_pod = true;
        } else {
            others = true;
        }
    }
    if once_pod && others {
        e.forbidden(&path, "may not use ReadWriteOncePod with other access modes");
    }
}

/// `ValidateClassName` of a storage class at `key`.
fn validate_class_name(e: &mut Errs, spec: &Value, key: &str, path: &str) {
    let Some(name) = e.str(spec, key, &child(path, key)) else { return };
    if name.is_empty() {
        return;
    }
    for message in is_dns1123_subdomain(name) {
        e.invalid(&child(path, key), &quote(name), &message);
    }
}

fn validate_volume_mode(e: &mut Errs, spec: &Value, path: &str) {
    if let Some(mode) = e.str(spec, "volumeMode", &child(path, "volumeMode")) {
        if !VOLUME_MODES.contains(&mode) {
            e.not_supported(&child(path, "volumeMode"), &quote(mode), VOLUME_MODES);
        }
    }
}

/// A quantity that must be above zero (`ValidatePositiveQuantityValue`).
fn validate_positive(e: &mut Errs, quantity: &Value, path: &str) {
    let shown = quantity.as_str().map_or_else(|| quantity.to_string(), str::to_string);
    match parse_quantity(quantity) {
        Err(err) => e.invalid(path, &quote(&shown), &err.to_string()),
        Ok(q) if q.is_negative() || q.is_zero() => e.invalid(path, &quote(&q.to_string()), "must be greater than zero"),
        Ok(_) => {}
    }
}

/// `ValidatePersistentVolume` (`ValidatePersistentVolumeSpec` of a PV that is not inline).
fn validate_persistent_volume(e: &mut Errs, obj: &Value) {
    let spec = match obj.get("spec") {
        Some(spec @ Value::Object(_)) => spec.clone(),
        None | Some(Value::Null) => json!({}),
        Some(other) => return e.wrong_type("spec", other, "object"),
    };
    validate_access_modes(e, &spec, "spec", "");
    let capacity = e.obj(&spec, "capacity", "spec.capacity").cloned().unwrap_or_default();
    if capacity.is_empty() {
        e.required("spec.capacity", "");
    }
    if !capacity.contains_key("storage") || capacity.len() > 1 {
        e.not_supported("spec.capacity", &go_resource_list(&capacity), &["storage"]);
    }
    for (name, quantity) in &capacity {
        validate_positive(e, quantity, &format!("spec.capacity[{name}]"));
    }
    if let Some(policy) = e.str(&spec, "persistentVolumeReclaimPolicy", "spec.persistentVolumeReclaimPolicy") {
        if !policy.is_empty() && !RECLAIM_POLICIES.contains(&policy) {
            e.not_supported("spec.persistentVolumeReclaimPolicy", &quote(policy), RECLAIM_POLICIES);
        }
    }
    let mut sources = 0;
    for (key, error_path) in SOURCES {
        let Some(source) = spec.get(*key).filter(|s| !s.is_null()) else { continue };
        if sources > 0 {
            e.forbidden(&child("spec", error_path), "may not specify more than 1 volume type");
            continue;
        }
        sources += 1;
        validate_source(e, &spec, key, source);
    }
    if sources == 0 {
        e.required("spec", "must specify a volume type");
    }
    let host_root = spec
        .pointer("/hostPath/path")
        .and_then(Value::as_str)
        .is_some_and(|p| p.trim_end_matches('/').is_empty() && !p.is_empty());
    if host_root && spec.get("persistentVolumeReclaimPolicy").and_then(Value::as_str) == Some("Recycle") {
        e.forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'");
    }
    validate_class_name(e, &spec, "storageClassName", "spec");
    validate_volume_mode(e, &spec, "spec");
}

/// Go's `%#v` of a `core.ResourceList` as far as messages show it.
fn go_resource_list(list: &Map<String, Value>) -> String {
    if list.is_empty() {
        return "core.ResourceList(nil)".to_string();
    }
    let items: Vec<String> = list.iter().map(|(name, q)| format!("{}:{}", quote(name), go_json(q))).collect();
    format!("core.ResourceList{{{}}}", items.join(", "))
}

/// The required fields of the common volume sources.
fn validate_source(e: &mut Errs, spec: &Value, key: &str, source: &Value) {
    let path = child("spec", key);
    let required = |e: &mut Errs, field: &str, detail: &str| {
        if source.get(field).and_then(Value::as_str).is_none_or(str::is_empty) {
            e.required(&child(&path, field), detail);
        }
    };
    match key {
        "hostPath" | "local" => required(e, "path", ""),
        "nfs" => {
            required(e, "server", "");
            required(e, "path", "");
            if let Some(p) = source.get("path").and_then(Value::as_str).filter(|p| !p.is_empty() && !p.starts_with('/'))
            {
                e.invalid(&child(&path, "path"), &quote(p), "must be an absolute path");
            }
        }
        "csi" => {
            required(e, "driver", "");
            required(e, "volumeHandle", "");
        }
        _ => {}
    }
    if key == "local" && spec.get("nodeAffinity").is_none_or(Value::is_null) {
        e.required("spec.nodeAffinity", "Local volume requires node affinity");
    }
}

/// `ValidatePersistentVolumeUpdate`: the new volume, its source and volume mode unchanged.
fn validate_persistent_volume_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_persistent_volume(e, new);
    let source = |o: &Value| -> Map<String, Value> {
        let spec = o.get("spec").and_then(Value::as_object);
        SOURCES
            .iter()
            .filter_map(|(key, _)| {
                spec.and_then(|s| s.get(*key)).filter(|v| !v.is_null()).map(|v| (key.to_string(), v.clone()))
            })
            .collect()
    };
    if source(new) != source(old) {
        e.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation\n");
    }
    validate_immutable_volume_mode(e, new, old);
}

/// `ValidateImmutableField` of `spec.volumeMode`, named `volumeMode` as upstream's path is.
fn validate_immutable_volume_mode(e: &mut Errs, new: &Value, old: &Value) {
    let (new_mode, old_mode) = (new.pointer("/spec/volumeMode"), old.pointer("/spec/volumeMode"));
    if new_mode != old_mode {
        let shown = match new_mode.and_then(Value::as_str) {
            Some(mode) => format!("\"{mode}\""),
            None => "null".to_string(),
        };
        e.invalid("volumeMode", &shown, "field is immutable");
    }
}

/// `ValidatePersistentVolumeClaim`: its spec.
fn validate_persistent_volume_claim(e: &mut Errs, obj: &Value) {
    let spec = match obj.get("spec") {
        Some(spec @ Value::Object(_)) => spec.clone(),
        None | Some(Value::Null) => json!({}),
        Some(other) => return e.wrong_type("spec", other, "object"),
    };
    validate_access_modes(e, &spec, "spec", "at least 1 access mode is required");
    if spec.get("selector").is_some_and(|s| !s.is_null()) {
        validate_label_selector(e, &spec, "selector", "spec.selector");
    }
    match spec.pointer("/resources/requests/storage") {
        None | Some(Value::Null) => e.required("spec.resources[storage]", ""),
        Some(storage) => validate_positive(e, storage, "spec.resources[storage]"),
    }
    validate_class_name(e, &spec, "storageClassName", "spec");
    validate_volume_mode(e, &spec, "spec");
}

/// `ValidatePersistentVolumeClaimUpdate`: the spec is immutable but for the volume name of an
/// unbound claim and the storage request of a bound one, which may only grow.
fn validate_persistent_volume_claim_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_persistent_volume_claim(e, new);
    let mut new_spec = new.get("spec").cloned().unwrap_or_else(|| json!({}));
    let old_spec = old.get("spec").cloned().unwrap_or_else(|| json!({}));
    if old_spec.get("volumeName").and_then(Value::as_str).is_none_or(str::is_empty) {
        set_or_remove(&mut new_spec, "volumeName", old_spec.get("volumeName"));
    }
    let bound = new.pointer("/status/phase").and_then(Value::as_str) == Some("Bound");
    if bound {
        if let Some(requests) = new_spec.pointer_mut("/resources/requests").and_then(Value::as_object_mut) {
            match old_spec.pointer("/resources/requests/storage") {
                Some(storage) => requests.insert("storage".into(), storage.clone()),
                None => requests.remove("storage"),
            };
        }
        set_or_remove(&mut new_spec, "volumeAttributesClassName", old_spec.get("volumeAttributesClassName"));
    }
    if new_spec != old_spec {
        e.forbidden("spec", &format!("spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{}", spec_diff(&old_spec, &new_spec)));
    }
    let storage = |o: &Value| o.pointer("/spec/resources/requests/storage").and_then(|q| parse_quantity(q).ok());
    if let (Some(new_size), Some(old_size)) = (storage(new), storage(old)) {
        if new_size < old_size {
            e.forbidden("spec.resources.requests.storage", "field can not be less than previous value");
        }
    }
    validate_immutable_volume_mode(e, new, old);
}

fn set_or_remove(spec: &mut Value, key: &str, value: Option<&Value>) {
    let Some(spec) = spec.as_object_mut() else { return };
    match value {
        Some(value) => spec.insert(key.into(), value.clone()),
        None => spec.remove(key),
    };
}

/// The changed fields of a spec, one `-`/`+` pair each (upstream prints `cmp.Diff` of the
/// internal structs, which kctl does not reproduce).
fn spec_diff(old: &Value, new: &Value) -> String {
    let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let mut names = keys(old);
    names.extend(keys(new));
    names.sort();
    names.dedup();
    let mut lines = Vec::new();
    for name in names {
        let (o, n) = (old.get(&name), new.get(&name));
        if o != n {
            if let Some(o) = o {
                lines.push(format!("- \t{name}: {o}"));
            }
            if let Some(n) = n {
                lines.push(format!("+ \t{name}: {n}"));
            }
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn pv() -> Value {
        json!({"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": "/tmp/pv"}}})
    }

    fn pvc() -> Value {
        json!({"metadata": {"name": "c"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    }

    #[test]
    fn volumes_default_retain_filesystem_pending() {
        let mut volume = pv();
        default_persistent_volume(&mut volume);
        assert_eq!(volume["spec"]["persistentVolumeReclaimPolicy"], "Retain");
        assert_eq!(volume["spec"]["volumeMode"], "Filesystem");
        assert_eq!(volume["status"]["phase"], "Pending");
        let mut claim = pvc();
        default_persistent_volume_claim(&mut claim);
        assert_eq!(claim["spec"]["volumeMode"], "Filesystem");
        assert_eq!(claim["status"]["phase"], "Pending");
        assert_eq!(errs(|e| validate_persistent_volume(e, &volume)), vec![]);
        assert_eq!(errs(|e| validate_persistent_volume_claim(e, &claim)), vec![]);
    }

    #[test]
    fn a_volume_needs_modes_capacity_and_one_source() {
        let bare = json!({"spec": {}});
        assert_eq!(
            errs(|e| validate_persistent_volume(e, &bare)),
            vec![
                ("spec.accessModes".into(), "Required value".into()),
                ("spec.capacity".into(), "Required value".into()),
                (
                    "spec.capacity".into(),
                    "Unsupported value: core.ResourceList(nil): supported values: \"storage\"".into()
                ),
                ("spec".into(), "Required value: must specify a volume type".into()),
            ]
        );
        let mut two = pv();
        two["spec"]["nfs"] = json!({"server": "s", "path": "/x"});
        assert_eq!(
            errs(|e| validate_persistent_volume(e, &two)),
            vec![("spec.nfs".into(), "Forbidden: may not specify more than 1 volume type".into())]
        );
        let mut zero = pv();
        zero["spec"]["capacity"]["storage"] = json!("0");
        assert_eq!(
            errs(|e| validate_persistent_volume(e, &zero)),
            vec![("spec.capacity[storage]".into(), "Invalid value: \"0\": must be greater than zero".into())]
        );
    }

    #[test]
    fn a_claim_needs_modes_and_a_storage_request() {
        let bare = json!({"spec": {"accessModes": ["ReadWriteAlways"]}});
        assert_eq!(
            errs(|e| validate_persistent_volume_claim(e, &bare)),
            vec![
                ("spec.accessModes".into(), "Unsupported value: \"ReadWriteAlways\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"".into()),
                ("spec.resources[storage]".into(), "Required value".into()),
            ]
        );
        let none = json!({"spec": {"resources": {"requests": {"storage": "1Gi"}}}});
        assert_eq!(
            errs(|e| validate_persistent_volume_claim(e, &none)),
            vec![("spec.accessModes".into(), "Required value: at least 1 access mode is required".into())]
        );
    }

    #[test]
    fn a_bound_claim_may_only_grow_its_request() {
        let mut old = pvc();
        default_persistent_volume_claim(&mut old);
        old["spec"]["volumeName"] = json!("pv");
        old["status"]["phase"] = json!("Bound");
        let mut grown = old.clone();
        grown["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
        assert_eq!(errs(|e| validate_persistent_volume_claim_update(e, &grown, &old)), vec![]);
        let mut shrunk = old.clone();
        shrunk["spec"]["resources"]["requests"]["storage"] = json!("500Mi");
        assert_eq!(
            errs(|e| validate_persistent_volume_claim_update(e, &shrunk, &old)),
            vec![(
                "spec.resources.requests.storage".into(),
                "Forbidden: field can not be less than previous value".into()
            )]
        );
        let mut changed = old.clone();
        changed["spec"]["accessModes"] = json!(["ReadWriteMany"]);
        let causes = errs(|e| validate_persistent_volume_claim_update(e, &changed, &old));
        assert_eq!(causes[0].0, "spec");
        assert!(causes[0].1.starts_with("Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"));
        let mut unbound = pvc();
        default_persistent_volume_claim(&mut unbound);
        let mut grown = unbound.clone();
        grown["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
        assert_eq!(
            errs(|e| validate_persistent_volume_claim_update(e, &grown, &unbound)).len(),
            1,
            "an unbound claim's request is fixed"
        );
    }
}
