//! The strategies of the small core kinds and their rules: Namespaces (finalizer, phase, name
//! label), Nodes (allocatable), Secrets (type, keys, immutability), ConfigMaps (keys,
//! immutability), Endpoints (port protocol), ServiceAccounts and Events (of both API groups,
//! which upstream serves from one registry).

use serde_json::{json, Map, Value};

use super::field::{child, ensure_obj, quote, s, set_default_str, Errs};
use super::selectable::{flag, text, text_at};
use super::{FieldSet, InitialStatus, Strategy};
use crate::machinery::validation::{is_config_map_key, is_dns1123_subdomain, is_qualified_name, NameRule};
use crate::registry::tables;

/// Upstream's `namespaceStrategy`: DNS-1123 label names, phase Active to start with, and
/// finalizers that change through `/finalize` only.
pub(crate) static NAMESPACE: Strategy = Strategy {
    defaulter: default_namespace,
    initial_status: InitialStatus::From(|_| json!({"phase": "Active"})),
    keep_on_update: keep_finalizers,
    name_rule: NameRule::Label,
    validator: validate_namespace,
    fields: FieldSet::of(&[text("status.phase")]).cluster_scoped(),
    printer: &tables::core_kinds::NAMESPACE,
    ..Strategy::DEFAULT
};

/// Upstream's `nodeStrategy`: a Node is created with the status its kubelet sends.
pub(crate) static NODE: Strategy = Strategy {
    defaulter: default_node,
    initial_status: InitialStatus::AsSent,
    fields: FieldSet::of(&[flag("spec.unschedulable")]).cluster_scoped(),
    printer: &tables::core_kinds::NODE,
    ..Strategy::DEFAULT
};

/// Upstream's `strategy` for Secrets.
pub(crate) static SECRET: Strategy = Strategy {
    defaulter: default_secret,
    validator: validate_secret,
    update_validator: Some(|e, new, old| validate_data_update(e, new, old, true)),
    fields: FieldSet::of(&[text("type")]),
    printer: &tables::core_kinds::SECRET,
    ..Strategy::DEFAULT
};

/// Upstream's `strategy` for ConfigMaps.
pub(crate) static CONFIG_MAP: Strategy = Strategy {
    validator: validate_config_map,
    update_validator: Some(|e, new, old| validate_data_update(e, new, old, false)),
    printer: &tables::core_kinds::CONFIG_MAP,
    ..Strategy::DEFAULT
};

pub(crate) static ENDPOINTS: Strategy =
    Strategy { defaulter: default_endpoints, printer: &tables::core_kinds::ENDPOINTS, ..Strategy::DEFAULT };

pub(crate) static SERVICE_ACCOUNT: Strategy =
    Strategy { printer: &tables::core_kinds::SERVICE_ACCOUNT, ..Strategy::DEFAULT };

/// core/v1 Events: upstream's event field set, whose `source` is the source component or else
/// the reporting controller.
pub(crate) static EVENT: Strategy = Strategy {
    fields: FieldSet::of(&[
        text("involvedObject.kind"),
        text("involvedObject.namespace"),
        text("involvedObject.name"),
        text("involvedObject.uid"),
        text("involvedObject.apiVersion"),
        text("involvedObject.resourceVersion"),
        text("involvedObject.fieldPath"),
        text("reason"),
        text("reportingComponent"),
        text_at("source", "source.component").or("reportingComponent"),
        text("type"),
    ]),
    validator: validate_core_event,
    printer: &tables::core_kinds::EVENT,
    ..Strategy::DEFAULT
};

/// Upstream's `legacyValidateEvent` for core/v1 (which checks nothing more): an old-style event
/// (no `eventTime`) names the namespace it lives in, a new-style one also says who reported it.
fn validate_core_event(e: &mut Errs, event: &Value) {
    const LENGTH_LIMIT: usize = 128;
    const NOTE_LENGTH_LIMIT: usize = 1024;
    let namespace = event.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    let involved = event.pointer("/involvedObject/namespace").and_then(Value::as_str).unwrap_or_default();
    if s(event, "eventTime").is_empty() {
        let agrees = match involved {
            "" => namespace.is_empty() || namespace == "default",
            _ => namespace == involved,
        };
        if !agrees {
            e.invalid("involvedObject.namespace", &quote(involved), "does not match event.namespace");
        }
    } else {
        if involved.is_empty() && namespace != "default" && namespace != "kube-system" {
            e.invalid("involvedObject.namespace", &quote(involved), "does not match event.namespace");
        }
        let reporting = s(event, "reportingComponent");
        if reporting.is_empty() {
            e.required("reportingComponent", "");
        }
        for msg in is_qualified_name(reporting) {
            e.invalid("reportingComponent", &quote(reporting), &msg);
        }
        for (field, limit) in [("reportingInstance", LENGTH_LIMIT), ("action", LENGTH_LIMIT), ("reason", LENGTH_LIMIT)]
        {
            let value = s(event, field);
            if value.is_empty() {
                e.required(field, "");
            }
            if value.len() > limit {
                e.invalid(field, &quote(""), &format!("can have at most {limit} characters"));
            }
        }
        if s(event, "message").len() > NOTE_LENGTH_LIMIT {
            e.invalid("message", &quote(""), &format!("can have at most {NOTE_LENGTH_LIMIT} characters"));
        }
    }
    for msg in is_dns1123_subdomain(namespace) {
        e.invalid("namespace", &quote(namespace), &msg);
    }
}

/// events.k8s.io/v1 Events, printed as that group prints them; their labels are the
/// events.k8s.io names upstream's conversion maps onto the same field set (no `source`).
pub(crate) static EVENTS_K8S_IO_EVENT: Strategy = Strategy {
    fields: FieldSet::of(&[
        text("regarding.kind"),
        text("regarding.namespace"),
        text("regarding.name"),
        text("regarding.uid"),
        text("regarding.apiVersion"),
        text("regarding.resourceVersion"),
        text("regarding.fieldPath"),
        text("reason"),
        text("reportingController"),
        text("type"),
    ]),
    printer: &tables::core_kinds::EVENTS_K8S_IO_EVENT,
    ..Strategy::DEFAULT
};

/// Bindings: create-only, what the `bindings` resource takes.
pub(crate) static BINDING: Strategy = Strategy::DEFAULT;

/// ComponentStatuses: read-only, computed on request.
pub(crate) static COMPONENT_STATUS: Strategy =
    Strategy { printer: &tables::quota::COMPONENT_STATUS, ..Strategy::DEFAULT };

/// `SetDefaults_Namespace` (the `kubernetes.io/metadata.name` label) and the strategy's
/// `PrepareForCreate` (finalizer `kubernetes`, phase Active).
pub(crate) fn default_namespace(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    let name = root.get("metadata").map(|m| s(m, "name").to_string()).unwrap_or_default();
    if !name.is_empty() {
        if let Some(labels) = ensure_obj(root, "metadata").and_then(|m| ensure_obj(m, "labels")) {
            labels.insert("kubernetes.io/metadata.name".into(), json!(name));
        }
    }
    if let Some(spec) = ensure_obj(root, "spec") {
        // Only when absent: the finalizer is later removed through /finalize and must stay removed.
        if spec.get("finalizers").is_none_or(Value::is_null) {
            spec.insert("finalizers".into(), json!(["kubernetes"]));
        }
    }
    if let Some(status) = ensure_obj(root, "status") {
        set_default_str(status, "phase", "Active");
    }
}

/// A Namespace keeps its stored `spec.finalizers` on update.
fn keep_finalizers(root: &mut Map<String, Value>, old: &Value) {
    if let (Some(spec), Some(finalizers)) = (ensure_obj(root, "spec"), old.pointer("/spec/finalizers")) {
        spec.insert("finalizers".into(), finalizers.clone());
    }
}

/// Type Opaque, and v1 conversion's merge of `stringData` into `data` (base64), which is why a
/// real cluster never shows `stringData` back.
pub(crate) fn default_secret(obj: &mut Value) {
    use base64::Engine;
    let Some(root) = obj.as_object_mut() else { return };
    set_default_str(root, "type", "Opaque");
    let Some(Value::Object(string_data)) = root.get("stringData").cloned() else { return };
    if string_data.values().any(|v| !v.is_string()) {
        return; // left for validation to report
    }
    let Some(data) = ensure_obj(root, "data") else { return };
    for (k, v) in string_data {
        let text = v.as_str().unwrap_or_default();
        data.insert(k, json!(base64::engine::general_purpose::STANDARD.encode(text.as_bytes())));
    }
    root.remove("stringData");
}

/// `SetDefaults_NodeStatus`: allocatable defaults to capacity.
pub(crate) fn default_node(obj: &mut Value) {
    let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut) else { return };
    if status.get("allocatable").is_none_or(Value::is_null) {
        if let Some(capacity) = status.get("capacity").filter(|c| c.is_object()).cloned() {
            status.insert("allocatable".into(), capacity);
        }
    }
}

/// `SetDefaults_EndpointPort`: protocol TCP.
pub(crate) fn default_endpoints(obj: &mut Value) {
    if let Some(Value::Array(subsets)) = obj.get_mut("subsets") {
        for subset in subsets.iter_mut() {
            if let Some(Value::Array(ports)) = subset.get_mut("ports") {
                for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                    set_default_str(port, "protocol", "TCP");
                }
            }
        }
    }
}

/// Data keys must be config keys and unique across `data` and `binaryData`/`stringData`.
fn validate_data_keys(e: &mut Errs, obj: &Value, sections: &[&str]) {
    let mut seen: Vec<String> = Vec::new();
    for section in sections {
        let Some(data) = e.obj(obj, section, section) else { continue };
        for (k, v) in data {
            let p = format!("{section}[{k}]");
            for msg in is_config_map_key(k) {
                e.invalid(&p, &quote(k), &msg);
            }
            if !v.is_string() && !v.is_null() {
                e.wrong_type(&p, v, "string");
            }
            if seen.contains(k) && *section != "stringData" {
                e.invalid(&p, &quote(k), "duplicate of key present in data");
            }
            seen.push(k.clone());
        }
    }
}

pub(crate) fn validate_secret(e: &mut Errs, obj: &Value) {
    validate_data_keys(e, obj, &["data", "stringData"]);
    let has = |k: &str| {
        obj.get("data").and_then(|d| d.get(k)).is_some() || obj.get("stringData").and_then(|d| d.get(k)).is_some()
    };
    let required: &[&str] = match s(obj, "type") {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        // Basic auth needs at least one of the two.
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => &["username", "password"],
        _ => &[],
    };
    for key in required {
        if !has(key) {
            e.required(&format!("data[{key}]"), "");
        }
    }
    if s(obj, "type") == "kubernetes.io/service-account-token" {
        let name = obj.pointer("/metadata/annotations/kubernetes.io~1service-account.name").and_then(Value::as_str);
        if name.is_none_or(str::is_empty) {
            e.required("metadata.annotations[kubernetes.io/service-account.name]", "");
        }
    }
}

pub(crate) fn validate_config_map(e: &mut Errs, obj: &Value) {
    validate_data_keys(e, obj, &["data", "binaryData"]);
}

/// Secrets and ConfigMaps: `type` may not change, and `immutable` objects keep their data.
pub(crate) fn validate_data_update(e: &mut Errs, new: &Value, old: &Value, secret: bool) {
    if secret && s(new, "type") != s(old, "type") {
        e.invalid("type", &quote(s(new, "type")), "field is immutable");
    }
    if old.get("immutable").and_then(Value::as_bool) == Some(true) {
        if new.get("immutable").and_then(Value::as_bool) != Some(true) {
            e.forbidden("immutable", "field is immutable when `immutable` is set");
        }
        let sections: &[&str] = if secret { &["data"] } else { &["data", "binaryData"] };
        for section in sections {
            if new.get(section) != old.get(section) {
                e.forbidden(section, "field is immutable when `immutable` is set");
            }
        }
    }
    if secret {
        validate_secret(e, new);
    } else {
        validate_config_map(e, new);
    }
}

/// Namespace spec finalizers must be qualified names.
pub(crate) fn validate_namespace(e: &mut Errs, obj: &Value) {
    let Some(spec) = obj.get("spec").filter(|s| !s.is_null()) else { return };
    if let Some(finalizers) = e.arr(spec, "finalizers", "spec.finalizers") {
        for (i, f) in finalizers.iter().enumerate() {
            let p = format!("{}[{i}]", child("spec", "finalizers"));
            match f.as_str() {
                Some(f) => {
                    for msg in crate::machinery::validation::is_qualified_name(f) {
                        e.invalid(&p, &quote(f), &msg);
                    }
                }
                None => e.wrong_type(&p, f, "string"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::registry::strategy::field::errs;

    #[test]
    fn namespace_defaults() {
        let mut ns = json!({"metadata": {"name": "dev"}});
        default_namespace(&mut ns);
        assert_eq!(ns["spec"], json!({"finalizers": ["kubernetes"]}));
        assert_eq!(ns["status"], json!({"phase": "Active"}));
        assert_eq!(ns["metadata"]["labels"], json!({"kubernetes.io/metadata.name": "dev"}));
        let mut finalized =
            json!({"metadata": {"name": "dev"}, "spec": {"finalizers": []}, "status": {"phase": "Terminating"}});
        default_namespace(&mut finalized);
        assert_eq!(finalized["spec"]["finalizers"], json!([]));
        assert_eq!(finalized["status"]["phase"], "Terminating");
    }

    #[test]
    fn secret_type_defaults_to_opaque() {
        let mut s = json!({"metadata": {"name": "s"}});
        default_secret(&mut s);
        assert_eq!(s["type"], "Opaque");
        let mut tls = json!({"type": "kubernetes.io/tls"});
        default_secret(&mut tls);
        assert_eq!(tls["type"], "kubernetes.io/tls");
        assert_eq!(
            errs(|e| validate_secret(e, &tls)),
            vec![("data[tls.crt]".into(), "Required value".into()), ("data[tls.key]".into(), "Required value".into())]
        );
    }

    #[test]
    fn string_data_is_merged_into_data() {
        let mut s = json!({"data": {"a": "YQ=="}, "stringData": {"password": "s3cr3t"}});
        default_secret(&mut s);
        assert_eq!(s, json!({"type": "Opaque", "data": {"a": "YQ==", "password": "czNjcjN0"}}));
    }

    #[test]
    fn node_allocatable_defaults_to_capacity() {
        let mut n = json!({"status": {"capacity": {"cpu": "2"}}});
        default_node(&mut n);
        assert_eq!(n["status"]["allocatable"], json!({"cpu": "2"}));
    }

    #[test]
    fn data_keys_and_immutability() {
        let c = errs(|e| validate_config_map(e, &json!({"data": {"bad key": "x"}})));
        assert_eq!(c[0].0, "data[bad key]");
        assert!(c[0]
            .1
            .starts_with("Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters"));
        let old = json!({"type": "Opaque", "immutable": true, "data": {"a": "YQ=="}});
        let new = json!({"type": "Opaque", "immutable": true, "data": {"a": "Yg=="}});
        assert_eq!(
            errs(|e| validate_data_update(e, &new, &old, true)),
            vec![("data".into(), "Forbidden: field is immutable when `immutable` is set".into())]
        );
        let new = json!({"type": "kubernetes.io/ssh-auth", "data": {"ssh-privatekey": "x"}});
        assert_eq!(
            errs(|e| validate_data_update(e, &new, &json!({"type": "Opaque"}), true))[0],
            ("type".into(), "Invalid value: \"kubernetes.io/ssh-auth\": field is immutable".into())
        );
    }

    #[test]
    fn endpoints_ports_default_to_tcp() {
        let mut ep = json!({"subsets": [{"ports": [{"port": 80}]}]});
        default_endpoints(&mut ep);
        assert_eq!(ep["subsets"][0]["ports"][0]["protocol"], "TCP");
    }
}
