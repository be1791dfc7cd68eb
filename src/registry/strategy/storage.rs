//! The strategies of storage.k8s.io: StorageClass, CSIDriver, CSINode, CSIStorageCapacity and
//! VolumeAttachment, with storage/v1's defaults (`pkg/apis/storage/v1/defaults.go`) and
//! `pkg/apis/storage/validation`.

use serde_json::{json, Map, Value};

use super::field::{child, go_json, index, quote, s, set_default, Errs};
use super::selector::validate_label_selector;
use super::Strategy;
use crate::machinery::validation::{is_dns1123_subdomain, is_qualified_name};
use crate::registry::tables;

/// Upstream's `storageClassStrategy`: everything but metadata is fixed once created.
pub(crate) static STORAGE_CLASS: Strategy = Strategy {
    defaulter: default_storage_class,
    validator: validate_storage_class,
    update_validator: Some(validate_storage_class_update),
    printer: &tables::more_kinds::STORAGE_CLASS,
    ..Strategy::DEFAULT
};

/// Upstream's `csiDriverStrategy`.
pub(crate) static CSI_DRIVER: Strategy = Strategy {
    defaulter: default_csi_driver,
    tracks_generation: true,
    validator: validate_csi_driver,
    update_validator: Some(validate_csi_driver_update),
    printer: &tables::certs_storage::CSI_DRIVER,
    ..Strategy::DEFAULT
};

/// Upstream's `csinodeStrategy`.
pub(crate) static CSI_NODE: Strategy = Strategy {
    validator: validate_csi_node,
    update_validator: Some(validate_csi_node_update),
    printer: &tables::certs_storage::CSI_NODE,
    ..Strategy::DEFAULT
};

/// Upstream's `csiStorageCapacityStrategy`.
pub(crate) static CSI_STORAGE_CAPACITY: Strategy = Strategy {
    validator: validate_csi_storage_capacity,
    update_validator: Some(validate_csi_storage_capacity_update),
    printer: &tables::certs_storage::CSI_STORAGE_CAPACITY,
    ..Strategy::DEFAULT
};

/// Upstream's `volumeAttachmentStrategy`: the spec is fixed, status goes through `/status`.
pub(crate) static VOLUME_ATTACHMENT: Strategy = Strategy {
    validator: validate_volume_attachment,
    update_validator: Some(validate_volume_attachment_update),
    printer: &tables::certs_storage::VOLUME_ATTACHMENT,
    ..Strategy::DEFAULT
};

fn root_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    obj.as_object_mut()
}

fn spec_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    super::field::ensure_obj(obj.as_object_mut()?, "spec")
}

// ---- StorageClass ----

fn default_storage_class(obj: &mut Value) {
    let Some(root) = root_mut(obj) else { return };
    set_default(root, "reclaimPolicy", json!("Delete"));
    set_default(root, "volumeBindingMode", json!("Immediate"));
}

fn validate_storage_class(e: &mut Errs, obj: &Value) {
    match e.str(obj, "provisioner", "provisioner").unwrap_or("") {
        "" => e.required("provisioner", ""),
        provisioner => {
            for msg in is_qualified_name(&provisioner.to_lowercase()) {
                e.invalid("provisioner", &quote(provisioner), &msg);
            }
        }
    }
    if let Some(parameters) = e.string_map(obj, "parameters", "parameters") {
        let mut total = 0;
        for (key, value) in &parameters {
            if key.is_empty() {
                e.invalid("parameters", &quote(key), "field can not be empty.");
            }
            total += key.len() + value.len();
        }
        if parameters.len() > 512 {
            e.too_long("parameters", 512);
        } else if total > 256 * 1024 {
            e.too_long("parameters", 256 * 1024);
        }
    }
    if let Some(policy) = e.str(obj, "reclaimPolicy", "reclaimPolicy").filter(|p| !p.is_empty()) {
        if !["Delete", "Retain"].contains(&policy) {
            e.not_supported("reclaimPolicy", &quote(policy), &["Delete", "Retain"]);
        }
    }
    match e.str(obj, "volumeBindingMode", "volumeBindingMode") {
        None => e.required("volumeBindingMode", ""),
        Some(mode) if !["Immediate", "WaitForFirstConsumer"].contains(&mode) => {
            e.not_supported("volumeBindingMode", &quote(mode), &["Immediate", "WaitForFirstConsumer"])
        }
        Some(_) => {}
    }
}

fn validate_storage_class_update(e: &mut Errs, new: &Value, old: &Value) {
    let parameters = |o: &Value| o.get("parameters").filter(|p| p.as_object().is_some_and(|m| !m.is_empty())).cloned();
    if parameters(new) != parameters(old) {
        e.forbidden("parameters", "updates to parameters are forbidden.");
    }
    if s(new, "provisioner") != s(old, "provisioner") {
        e.forbidden("provisioner", "updates to provisioner are forbidden.");
    }
    if s(new, "reclaimPolicy") != s(old, "reclaimPolicy") {
        e.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.");
    }
    immutable(e, new.get("volumeBindingMode"), old.get("volumeBindingMode"), "volumeBindingMode");
}

/// `ValidateImmutableField`: `Invalid value: <new>: field is immutable`.
fn immutable(e: &mut Errs, new: Option<&Value>, old: Option<&Value>, path: &str) {
    let unset = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
    if unset(new) != unset(old) {
        let shown = new.filter(|v| !v.is_null()).map(go_json).unwrap_or_else(|| quote("null"));
        e.invalid(path, &shown, "field is immutable");
    }
}

// ---- CSIDriver ----

fn default_csi_driver(obj: &mut Value) {
    let Some(spec) = spec_mut(obj) else { return };
    set_default(spec, "attachRequired", json!(true));
    set_default(spec, "podInfoOnMount", json!(false));
    set_default(spec, "storageCapacity", json!(false));
    set_default(spec, "fsGroupPolicy", json!("ReadWriteOnceWithFSType"));
    if spec.get("volumeLifecycleModes").is_none_or(|m| m.is_null() || m.as_array().is_some_and(Vec::is_empty)) {
        spec.insert("volumeLifecycleModes".into(), json!(["Persistent"]));
    }
    set_default(spec, "requiresRepublish", json!(false));
    set_default(spec, "seLinuxMount", json!(false));
}

fn validate_csi_driver(e: &mut Errs, obj: &Value) {
    let Some(spec) = e.obj(obj, "spec", "spec") else {
        for key in ["attachedRequired", "podInfoOnMount", "storageCapacity", "seLinuxMount"] {
            e.required(&child("spec", key), "");
        }
        return;
    };
    let spec = Value::Object(spec.clone());
    for (key, path) in [
        ("attachRequired", "spec.attachedRequired"),
        ("podInfoOnMount", "spec.podInfoOnMount"),
        ("storageCapacity", "spec.storageCapacity"),
    ] {
        if e.bool(&spec, key, path).is_none() {
            e.required(path, "");
        }
    }
    if let Some(policy) = e.str(&spec, "fsGroupPolicy", "spec.fsGroupPolicy") {
        let supported = ["File", "None", "ReadWriteOnceWithFSType"];
        if !supported.contains(&policy) {
            e.not_supported("spec.fsGroupPolicy", &quote(policy), &supported);
        }
    }
    if let Some(requests) = e.arr(&spec, "tokenRequests", "spec.tokenRequests") {
        let mut audiences = Vec::new();
        for (i, request) in requests.iter().enumerate() {
            let path = index("spec.tokenRequests", i);
            let audience = e.str(request, "audience", &child(&path, "audience")).unwrap_or("");
            if audiences.contains(&audience) {
                e.duplicate(&child(&path, "audience"), &quote(audience));
            }
            audiences.push(audience);
            let seconds_path = child(&path, "expirationSeconds");
            if let Some(seconds) = e.int(request, "expirationSeconds", &seconds_path) {
                if seconds < 600 {
                    e.invalid(&seconds_path, &seconds.to_string(), "may not specify a duration less than 10 minutes");
                } else if seconds > 1 << 32 {
                    e.invalid(
                        &seconds_path,
                        &seconds.to_string(),
                        "may not specify a duration larger than 2^32 seconds",
                    );
                }
            }
        }
    }
    if let Some(modes) = e.arr(&spec, "volumeLifecycleModes", "spec.volumeLifecycleModes") {
        for mode in modes {
            let mode = mode.as_str().unwrap_or("");
            if mode != "Persistent" && mode != "Ephemeral" {
                e.not_supported("spec.volumeLifecycleModes", &quote(mode), &["Persistent", "Ephemeral"]);
            }
        }
    }
    if e.bool(&spec, "seLinuxMount", "spec.seLinuxMount").is_none() {
        e.required("spec.seLinuxMount", "");
    }
}

fn validate_csi_driver_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_csi_driver(e, new);
    immutable(e, new.pointer("/spec/attachRequired"), old.pointer("/spec/attachRequired"), "spec.attachedRequired");
    let (new_modes, old_modes) = (new.pointer("/spec/volumeLifecycleModes"), old.pointer("/spec/volumeLifecycleModes"));
    if new_modes.filter(|m| !m.is_null()) != old_modes.filter(|m| !m.is_null()) {
        e.invalid("spec.volumeLifecycleModes", &go_modes(new_modes), "field is immutable");
    }
}

/// Go's `%#v` of a `[]storage.VolumeLifecycleMode`.
fn go_modes(modes: Option<&Value>) -> String {
    match modes.and_then(Value::as_array) {
        None => "[]storage.VolumeLifecycleMode(nil)".to_string(),
        Some(modes) => {
            let items: Vec<String> = modes.iter().map(|m| quote(m.as_str().unwrap_or(""))).collect();
            format!("[]storage.VolumeLifecycleMode{{{}}}", items.join(", "))
        }
    }
}

// ---- CSINode ----

/// `ValidateCSIDriverName`: required, at most 63 characters, a DNS subdomain (case-insensitively).
fn validate_csi_driver_name(e: &mut Errs, name: &str, path: &str) {
    if name.is_empty() {
        e.required(path, "");
    }
    if name.len() > 63 {
        e.too_long(path, 63);
    }
    for msg in is_dns1123_subdomain(&name.to_lowercase()) {
        e.invalid(path, &quote(name), &msg);
    }
}

fn validate_csi_node(e: &mut Errs, obj: &Value) {
    let Some(spec) = e.obj(obj, "spec", "spec") else { return };
    let spec = Value::Object(spec.clone());
    let Some(drivers) = e.arr(&spec, "drivers", "spec.drivers") else { return };
    let mut names = Vec::new();
    for (i, driver) in drivers.iter().enumerate() {
        let path = index("spec.drivers", i);
        let name = e.str(driver, "name", &child(&path, "name")).unwrap_or("");
        validate_csi_driver_name(e, name, &child(&path, "name"));
        let node_id_path = child(&path, "nodeID");
        let node_id = e.str(driver, "nodeID", &node_id_path).unwrap_or("");
        if node_id.is_empty() {
            e.required(&node_id_path, "");
        }
        if node_id.len() > 192 {
            e.invalid(&node_id_path, &quote(node_id), "must be 192 characters or less");
        }
        let count_path = format!("{path}.allocatable.count");
        if let Some(count) = driver.get("allocatable").and_then(|a| e.int(a, "count", &count_path)) {
            if count < 0 {
                e.invalid(&count_path, &count.to_string(), "must be greater than or equal to 0");
            }
        }
        if names.contains(&name) {
            e.duplicate(&child(&path, "name"), &quote(name));
        }
        names.push(name);
        let mut keys = Vec::new();
        for key in e.arr(driver, "topologyKeys", &child(&path, "topologyKeys")).into_iter().flatten() {
            let key = key.as_str().unwrap_or("");
            if key.is_empty() {
                e.required(&path, "");
            }
            if keys.contains(&key) {
                e.duplicate(&path, &quote(key));
            }
            keys.push(key);
            for msg in is_qualified_name(key) {
                e.invalid(&path, &quote(key), &msg);
            }
        }
    }
}

fn validate_csi_node_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_csi_node(e, new);
    let drivers = |o: &Value| o.pointer("/spec/drivers").and_then(Value::as_array).cloned().unwrap_or_default();
    for old_driver in drivers(old) {
        for new_driver in drivers(new) {
            if old_driver.get("name") == new_driver.get("name") && old_driver != new_driver {
                e.invalid("CSINodeDriver", &new_driver.to_string(), "field is immutable");
            }
        }
    }
}

// ---- CSIStorageCapacity ----

fn validate_csi_storage_capacity(e: &mut Errs, obj: &Value) {
    validate_label_selector(e, obj, "nodeTopology", "nodeTopology");
    let class = e.str(obj, "storageClassName", "storageClassName").unwrap_or("");
    for msg in is_dns1123_subdomain(class) {
        e.invalid("storageClassName", &quote(class), &msg);
    }
    if let Some(Value::String(capacity)) = obj.get("capacity") {
        if capacity.trim_start().starts_with('-') {
            e.invalid("capacity", &quote(capacity), "must be greater than or equal to 0");
        }
    }
}

fn validate_csi_storage_capacity_update(e: &mut Errs, new: &Value, old: &Value) {
    if new.get("nodeTopology") != old.get("nodeTopology") {
        let shown = new.get("nodeTopology").map(Value::to_string).unwrap_or_else(|| "null".into());
        e.invalid("nodeTopology", &shown, "field is immutable");
    }
    if s(new, "storageClassName") != s(old, "storageClassName") {
        e.invalid("storageClassName", &quote(s(new, "storageClassName")), "field is immutable");
    }
}

// ---- VolumeAttachment ----

fn validate_volume_attachment(e: &mut Errs, obj: &Value) {
    let empty = Value::Object(Map::new());
    let spec = e.obj(obj, "spec", "spec").map(|m| Value::Object(m.clone())).unwrap_or(empty.clone());
    let attacher = e.str(&spec, "attacher", "spec.attacher").unwrap_or("");
    if attacher.is_empty() {
        e.required("spec.attacher", "");
    }
    let source = e.obj(&spec, "source", "spec.source").map(|m| Value::Object(m.clone())).unwrap_or(empty);
    let inline = source.get("inlineVolumeSpec").is_some_and(|v| !v.is_null());
    let pv = e.str(&source, "persistentVolumeName", "spec.source.persistentVolumeName");
    const EXACTLY_ONE: &str = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
    match (inline, pv) {
        (false, None) => e.required("spec.source", EXACTLY_ONE),
        (true, Some(_)) => e.forbidden("spec.source", EXACTLY_ONE),
        (false, Some("")) => {
            e.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName")
        }
        _ => {}
    }
    let node = e.str(&spec, "nodeName", "spec.nodeName").unwrap_or("");
    for msg in is_dns1123_subdomain(node) {
        e.invalid("spec.nodeName", &quote(node), &msg);
    }
    // ValidateVolumeAttachmentV1: the attacher is a CSI driver name, the PV name a subdomain.
    validate_csi_driver_name_v1(e, attacher);
    if let Some(pv) = pv.filter(|pv| !pv.is_empty()) {
        for msg in is_dns1123_subdomain(pv) {
            e.invalid("spec.source.persistentVolumeName", &quote(pv), &msg);
        }
    }
}

/// The v1 check of the attacher, after the internal one already asked for it when empty.
fn validate_csi_driver_name_v1(e: &mut Errs, attacher: &str) {
    validate_csi_driver_name(e, attacher, "spec.attacher");
}

fn validate_volume_attachment_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_volume_attachment(e, new);
    if new.get("spec") != old.get("spec") {
        let shown = new.get("spec").map(Value::to_string).unwrap_or_else(|| "null".into());
        e.invalid("spec", &shown, "field is immutable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    #[test]
    fn storage_class_defaults_reclaim_policy_and_binding_mode() {
        let mut sc = json!({"metadata": {"name": "fast"}, "provisioner": "example.com/fast"});
        default_storage_class(&mut sc);
        assert_eq!(sc["reclaimPolicy"], "Delete");
        assert_eq!(sc["volumeBindingMode"], "Immediate");
        assert!(errs(|e| validate_storage_class(e, &sc)).is_empty());
    }

    #[test]
    fn storage_class_without_provisioner_is_required() {
        let mut sc = json!({"metadata": {"name": "fast"}});
        default_storage_class(&mut sc);
        assert_eq!(errs(|e| validate_storage_class(e, &sc)), vec![("provisioner".into(), "Required value".into())]);
    }

    #[test]
    fn storage_class_provisioner_and_parameters_are_fixed() {
        let old = json!({"provisioner": "a.io/x", "parameters": {"type": "ssd"}, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"});
        let mut new = old.clone();
        new["provisioner"] = json!("b.io/x");
        new["parameters"]["type"] = json!("hdd");
        new["volumeBindingMode"] = json!("WaitForFirstConsumer");
        assert_eq!(
            errs(|e| validate_storage_class_update(e, &new, &old)),
            vec![
                ("parameters".into(), "Forbidden: updates to parameters are forbidden.".into()),
                ("provisioner".into(), "Forbidden: updates to provisioner are forbidden.".into()),
                ("volumeBindingMode".into(), "Invalid value: \"WaitForFirstConsumer\": field is immutable".into()),
            ]
        );
    }

    #[test]
    fn csi_driver_gets_upstream_defaults() {
        let mut driver = json!({"metadata": {"name": "hostpath.csi.k8s.io"}});
        default_csi_driver(&mut driver);
        assert_eq!(
            driver["spec"],
            json!({"attachRequired": true, "podInfoOnMount": false, "storageCapacity": false,
                "fsGroupPolicy": "ReadWriteOnceWithFSType", "volumeLifecycleModes": ["Persistent"],
                "requiresRepublish": false, "seLinuxMount": false})
        );
        assert!(errs(|e| validate_csi_driver(e, &driver)).is_empty());
        let mut changed = driver.clone();
        changed["spec"]["attachRequired"] = json!(false);
        assert_eq!(
            errs(|e| validate_csi_driver_update(e, &changed, &driver)),
            vec![("spec.attachedRequired".into(), "Invalid value: false: field is immutable".into())]
        );
    }

    #[test]
    fn csi_driver_rejects_unknown_modes_and_short_tokens() {
        let mut driver = json!({"spec": {"volumeLifecycleModes": ["Forever"], "tokenRequests": [{"audience": "a", "expirationSeconds": 60}]}});
        default_csi_driver(&mut driver);
        assert_eq!(
            errs(|e| validate_csi_driver(e, &driver)),
            vec![
                (
                    "spec.tokenRequests[0].expirationSeconds".into(),
                    "Invalid value: 60: may not specify a duration less than 10 minutes".into()
                ),
                (
                    "spec.volumeLifecycleModes".into(),
                    "Unsupported value: \"Forever\": supported values: \"Persistent\", \"Ephemeral\"".into()
                ),
            ]
        );
    }

    #[test]
    fn csi_node_driver_names_are_unique_and_need_a_node_id() {
        let node = json!({"spec": {"drivers": [{"name": "a.csi.io", "nodeID": "n1"}, {"name": "a.csi.io"}]}});
        assert_eq!(
            errs(|e| validate_csi_node(e, &node)),
            vec![
                ("spec.drivers[1].nodeID".into(), "Required value".into()),
                ("spec.drivers[1].name".into(), "Duplicate value: \"a.csi.io\"".into()),
            ]
        );
    }

    #[test]
    fn csi_storage_capacity_needs_a_class_name() {
        let causes = errs(|e| validate_csi_storage_capacity(e, &json!({"capacity": "1Gi"})));
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].0, "storageClassName");
        assert!(causes[0].1.starts_with("Invalid value: \"\": a lowercase RFC 1123 subdomain"));
    }

    #[test]
    fn volume_attachment_source_is_exactly_one() {
        let va = json!({"spec": {"attacher": "csi.example.com", "nodeName": "node-1", "source": {}}});
        assert_eq!(
            errs(|e| validate_volume_attachment(e, &va)),
            vec![(
                "spec.source".into(),
                "Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName".into()
            )]
        );
        let both = json!({"spec": {"attacher": "csi.example.com", "nodeName": "node-1", "source": {"persistentVolumeName": "pv", "inlineVolumeSpec": {}}}});
        assert_eq!(
            errs(|e| validate_volume_attachment(e, &both))[0].1,
            "Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName"
        );
        let ok = json!({"spec": {"attacher": "csi.example.com", "nodeName": "node-1", "source": {"persistentVolumeName": "pv"}}});
        assert!(errs(|e| validate_volume_attachment(e, &ok)).is_empty());
    }
}
