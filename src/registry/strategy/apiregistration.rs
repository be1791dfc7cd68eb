//! The strategy of apiregistration.k8s.io: APIService, with kube-aggregator's defaults
//! (a service's port 443) and validation (`ValidateAPIService`): named `version.group`,
//! priorities in range, and either a service or Local (no caBundle, no insecureSkipTLSVerify).
//! Its status (the Available condition) is written through `/status`.

use serde_json::{json, Value};

use super::field::{obj_mut, quote, set_default, Errs};
use super::Strategy;
use crate::machinery::validation::{is_dns1035_label, is_dns1123_subdomain, is_valid_port_num, NameRule};
use crate::registry::tables;

pub(crate) static API_SERVICE: Strategy = Strategy {
    defaulter: default_api_service,
    name_rule: NameRule::PathSegment,
    validator: validate_api_service,
    printer: &tables::control_plane::API_SERVICE,
    ..Strategy::DEFAULT
};

/// `SetDefaults_ServiceReference`: port 443.
fn default_api_service(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| obj_mut(o, "spec")) else { return };
    if let Some(service) = obj_mut(spec, "service") {
        set_default(service, "port", json!(443));
    }
}

fn validate_api_service(e: &mut Errs, obj: &Value) {
    let spec = e.obj(obj, "spec", "spec").map_or_else(|| json!({}), |m| Value::Object(m.clone()));
    let group = e.str(&spec, "group", "spec.group").unwrap_or("");
    let version = e.str(&spec, "version", "spec.version").unwrap_or("");
    // Upstream's name rule: a path segment (checked with the metadata) that is version.group.
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let required = format!("{version}.{group}");
    let is_segment = !name.contains('/') && !name.contains('%') && name != "." && name != "..";
    if !name.is_empty() && is_segment && name != required {
        e.invalid(
            "metadata.name",
            &quote(name),
            &format!("must be `spec.version+\".\"+spec.group`: {}", quote(&required)),
        );
    }
    if group.is_empty() && version != "v1" {
        e.required("spec.group", "only v1 may have an empty group and it better be legacy kube");
    }
    if !group.is_empty() {
        for msg in is_dns1123_subdomain(group) {
            e.invalid("spec.group", &quote(group), &msg);
        }
    }
    for msg in is_dns1035_label(version) {
        e.invalid("spec.version", &quote(version), &msg);
    }
    let group_priority = e.int(&spec, "groupPriorityMinimum", "spec.groupPriorityMinimum").unwrap_or(0);
    if group_priority <= 0 || group_priority > 20000 {
        e.invalid("spec.groupPriorityMinimum", &group_priority.to_string(), "must be positive and less than 20000");
    }
    let version_priority = e.int(&spec, "versionPriority", "spec.versionPriority").unwrap_or(0);
    if version_priority <= 0 || version_priority > 1000 {
        e.invalid("spec.versionPriority", &version_priority.to_string(), "must be positive and less than 1000");
    }
    let ca_bundle = e.str(&spec, "caBundle", "spec.caBundle").unwrap_or("");
    let insecure = e.bool(&spec, "insecureSkipTLSVerify", "spec.insecureSkipTLSVerify").unwrap_or(false);
    let Some(service) = e.obj(&spec, "service", "spec.service").map(|m| Value::Object(m.clone())) else {
        if !ca_bundle.is_empty() {
            let bytes = decoded_len(ca_bundle);
            e.invalid("spec.caBundle", &quote(&format!("{bytes} bytes")), "local APIServices may not have a caBundle");
        }
        if insecure {
            e.invalid("spec.insecureSkipTLSVerify", "true", "local APIServices may not have insecureSkipTLSVerify");
        }
        return;
    };
    if e.str(&service, "namespace", "spec.service.namespace").unwrap_or("").is_empty() {
        e.required("spec.service.namespace", "");
    }
    if e.str(&service, "name", "spec.service.name").unwrap_or("").is_empty() {
        e.required("spec.service.name", "");
    }
    let port = e.int(&service, "port", "spec.service.port").unwrap_or(0);
    let port_errs = is_valid_port_num(port);
    if !port_errs.is_empty() {
        e.invalid("spec.service.port", &port.to_string(), &format!("port is not valid: {}", port_errs.join(", ")));
    }
    if insecure && !ca_bundle.is_empty() {
        e.invalid("spec.insecureSkipTLSVerify", "true", "may not be true if caBundle is present");
    }
}

/// The byte length of a base64 `[]byte` field.
fn decoded_len(text: &str) -> usize {
    let padding = text.chars().rev().take_while(|c| *c == '=').count();
    (text.len() / 4 * 3).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn service(name: &str, spec: Value) -> Value {
        let mut obj = json!({"metadata": {"name": name}, "spec": spec});
        default_api_service(&mut obj);
        obj
    }

    #[test]
    fn valid_local_and_remote_api_services() {
        let local = service("v1.", json!({"version": "v1", "groupPriorityMinimum": 18000, "versionPriority": 1}));
        assert!(errs(|e| validate_api_service(e, &local)).is_empty());
        let remote = service(
            "v1beta1.metrics.k8s.io",
            json!({"group": "metrics.k8s.io", "version": "v1beta1",
            "groupPriorityMinimum": 100, "versionPriority": 100, "insecureSkipTLSVerify": true,
            "service": {"namespace": "kube-system", "name": "metrics-server"}}),
        );
        assert_eq!(remote["spec"]["service"]["port"], 443);
        assert!(errs(|e| validate_api_service(e, &remote)).is_empty());
    }

    #[test]
    fn api_service_messages() {
        let bad = service(
            "v1.example.com",
            json!({"group": "example.com", "version": "v2", "groupPriorityMinimum": 0,
            "versionPriority": 1001, "insecureSkipTLSVerify": true}),
        );
        assert_eq!(
            errs(|e| validate_api_service(e, &bad)),
            vec![
                (
                    "metadata.name".into(),
                    "Invalid value: \"v1.example.com\": must be `spec.version+\".\"+spec.group`: \"v2.example.com\""
                        .into()
                ),
                ("spec.groupPriorityMinimum".into(), "Invalid value: 0: must be positive and less than 20000".into()),
                ("spec.versionPriority".into(), "Invalid value: 1001: must be positive and less than 1000".into()),
                (
                    "spec.insecureSkipTLSVerify".into(),
                    "Invalid value: true: local APIServices may not have insecureSkipTLSVerify".into()
                ),
            ]
        );
        let no_service_name = service(
            "v1.x.io",
            json!({"group": "x.io", "version": "v1", "groupPriorityMinimum": 1,
            "versionPriority": 1, "service": {"namespace": "n", "port": 70000}}),
        );
        assert_eq!(
            errs(|e| validate_api_service(e, &no_service_name)),
            vec![
                ("spec.service.name".into(), "Required value".into()),
                (
                    "spec.service.port".into(),
                    "Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive".into()
                ),
            ]
        );
        let empty_group = service("v2.", json!({"version": "v2", "groupPriorityMinimum": 1, "versionPriority": 1}));
        assert_eq!(
            errs(|e| validate_api_service(e, &empty_group)),
            vec![(
                "spec.group".into(),
                "Required value: only v1 may have an empty group and it better be legacy kube".into()
            )]
        );
    }
}
