//! The CustomResourceDefinition object itself: its defaults, its validation (a subset of
//! upstream's: names, scope, versions and the one storage version), and the cleanup
//! finalizer every CRD gets on create.

use serde_json::{json, Value};

use crate::registry::strategy::Cause;

pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// Upstream's defaults: singular and listKind from the kind, conversion None, and on
/// create the cleanup finalizer.
pub fn default_definition(crd: &mut Value, creating: bool) {
    let kind = text(crd, "/spec/names/kind").to_string();
    if let Some(names) = crd.pointer_mut("/spec/names").and_then(Value::as_object_mut) {
        if names.get("singular").and_then(Value::as_str).is_none_or(str::is_empty) {
            names.insert("singular".into(), json!(kind.to_lowercase()));
        }
        if names.get("listKind").and_then(Value::as_str).is_none_or(str::is_empty) {
            names.insert("listKind".into(), json!(format!("{kind}List")));
        }
    }
    if let Some(spec) = crd.get_mut("spec").and_then(Value::as_object_mut) {
        spec.entry("conversion").or_insert_with(|| json!({"strategy": "None"}));
    }
    if creating {
        if let Some(metadata) = crd.get_mut("metadata").and_then(Value::as_object_mut) {
            let finalizers = metadata.entry("finalizers").or_insert_with(|| json!([]));
            if let Some(list) = finalizers.as_array_mut() {
                if !list.iter().any(|f| f == CLEANUP_FINALIZER) {
                    list.push(json!(CLEANUP_FINALIZER));
                }
            }
        }
        if let Some(root) = crd.as_object_mut() {
            root.insert(
                "status".into(),
                json!({"conditions": [], "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": []}),
            );
        }
    }
}

fn required(field: &str) -> Cause {
    Cause { reason: "FieldValueRequired".into(), message: "Required value".into(), field: field.into() }
}

fn invalid(field: &str, value: &str, detail: &str) -> Cause {
    Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {value:?}: {detail}"),
        field: field.into(),
    }
}

fn dns_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// What is wrong with a CRD (upstream's ValidateCustomResourceDefinition, in part).
pub fn validate_definition(crd: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut causes = Vec::new();
    let (group, plural, kind) =
        (text(crd, "/spec/group"), text(crd, "/spec/names/plural"), text(crd, "/spec/names/kind"));
    let name = text(crd, "/metadata/name");
    if group.is_empty() {
        causes.push(required("spec.group"));
    } else if !group.contains('.') {
        causes.push(invalid("spec.group", group, "should be a domain with at least one dot"));
    }
    let protected = group == "k8s.io"
        || group.ends_with(".k8s.io")
        || group == "kubernetes.io"
        || group.ends_with(".kubernetes.io");
    if protected && crd.pointer("/metadata/annotations/api-approved.kubernetes.io").is_none() {
        causes.push(Cause {
            reason: "FieldValueRequired".into(),
            message: "Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111".into(),
            field: "metadata.annotations[api-approved.kubernetes.io]".into(),
        });
    }
    if plural.is_empty() {
        causes.push(required("spec.names.plural"));
    } else if !dns_label(plural) {
        causes.push(invalid("spec.names.plural", plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
    }
    if kind.is_empty() {
        causes.push(required("spec.names.kind"));
    }
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        causes.push(invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
    }
    match text(crd, "/spec/scope") {
        "Namespaced" | "Cluster" => {}
        "" => causes.push(required("spec.scope")),
        other => causes.push(Cause {
            reason: "FieldValueNotSupported".into(),
            message: format!("Unsupported value: {other:?}: supported values: \"Cluster\", \"Namespaced\""),
            field: "spec.scope".into(),
        }),
    }
    let versions = crd.pointer("/spec/versions").and_then(Value::as_array).cloned().unwrap_or_default();
    if versions.is_empty() {
        causes.push(Cause {
            reason: "FieldValueInvalid".into(),
            message: "Invalid value: \"null\": must have exactly one version marked as storage version".into(),
            field: "spec.versions".into(),
        });
        return causes;
    }
    let storage = versions.iter().filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true)).count();
    if storage != 1 {
        causes.push(Cause {
            reason: "FieldValueInvalid".into(),
            message: format!("Invalid value: {storage}: must have exactly one version marked as storage version"),
            field: "spec.versions".into(),
        });
    }
    for (i, version) in versions.iter().enumerate() {
        let name = text(version, "/name");
        if !dns_label(name) {
            causes.push(invalid(&format!("spec.versions[{i}].name"), name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        }
        if versions[..i].iter().any(|v| text(v, "/name") == name) {
            causes.push(Cause {
                reason: "FieldValueDuplicate".into(),
                message: format!("Duplicate value: {name:?}"),
                field: "spec.versions".into(),
            });
        }
        if let Some(schema) = version.pointer("/schema/openAPIV3Schema") {
            structural(schema, &format!("spec.versions[{i}].schema.openAPIV3Schema"), None, &mut causes);
        }
        if let Some(pattern) = first_bad_pattern(version.pointer("/schema/openAPIV3Schema")) {
            causes.push(invalid(
                &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                &pattern,
                "pattern is not a valid regular expression",
            ));
        }
    }
    if !versions.iter().any(|v| v.get("served").and_then(Value::as_bool) == Some(true)) {
        causes.push(Cause {
            reason: "FieldValueInvalid".into(),
            message: "Invalid value: ...: must have at least one served version".into(),
            field: "spec.versions".into(),
        });
    }
    if let Some(old) = old {
        for (field, pointer) in [("spec.group", "/spec/group"), ("spec.names.plural", "/spec/names/plural")] {
            if text(old, pointer) != text(crd, pointer) {
                causes.push(Cause {
                    reason: "FieldValueInvalid".into(),
                    message: format!("Invalid value: {:?}: field is immutable", text(crd, pointer)),
                    field: field.into(),
                });
            }
        }
    }
    causes
}

/// Upstream's structural-schema rule that matters most: every node has a type, unless it
/// is int-or-string or keeps unknown fields; the root is an object. `position` says what
/// kind of child the node is, for the message (None at the root).
fn structural(schema: &Value, path: &str, position: Option<&str>, causes: &mut Vec<Cause>) {
    let flag = |name: &str| schema.get(name).and_then(Value::as_bool) == Some(true);
    let type_ = schema.get("type").and_then(Value::as_str).unwrap_or_default();
    if type_.is_empty() && !flag("x-kubernetes-int-or-string") && !flag("x-kubernetes-preserve-unknown-fields") {
        let detail = match position {
            None => "must not be empty at the root".to_string(),
            Some(position) => format!("must not be empty for specified {position}"),
        };
        causes.push(Cause {
            reason: "FieldValueRequired".into(),
            message: format!("Required value: {detail}"),
            field: format!("{path}.type"),
        });
    } else if position.is_none() && type_ != "object" && !type_.is_empty() {
        causes.push(invalid(&format!("{path}.type"), type_, "must be object at the root"));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in properties {
            structural(sub, &format!("{path}.properties[{name}]"), Some("object fields"), causes);
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        structural(items, &format!("{path}.items"), Some("array items"), causes);
    }
    if let Some(values) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        structural(values, &format!("{path}.additionalProperties"), Some("additionalProperties"), causes);
    }
}

fn first_bad_pattern(schema: Option<&Value>) -> Option<String> {
    match schema? {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get("pattern") {
                if regex::Regex::new(pattern).is_err() {
                    return Some(pattern.clone());
                }
            }
            map.values().find_map(|v| first_bad_pattern(Some(v)))
        }
        Value::Array(items) => items.iter().find_map(|v| first_bad_pattern(Some(v))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({"metadata": {"name": "crontabs.stable.example.com"}, "spec": {"group": "stable.example.com",
            "scope": "Namespaced", "names": {"plural": "crontabs", "kind": "CronTab"},
            "versions": [{"name": "v1", "served": true, "storage": true}]}})
    }

    #[test]
    fn defaults_and_finalizer_on_create() {
        let mut crd = crd();
        default_definition(&mut crd, true);
        assert_eq!(crd["spec"]["names"]["singular"], "crontab");
        assert_eq!(crd["spec"]["names"]["listKind"], "CronTabList");
        assert_eq!(crd["metadata"]["finalizers"], json!([CLEANUP_FINALIZER]));
        assert!(validate_definition(&crd, None).is_empty());
    }

    #[test]
    fn schemas_must_be_structural() {
        let mut crd = crd();
        crd["spec"]["versions"][0]["schema"] = json!({"openAPIV3Schema": {"type": "object", "properties": {
            "spec": {"properties": {"free": {"x-kubernetes-preserve-unknown-fields": true}, "port": {"x-kubernetes-int-or-string": true}}}}}});
        let causes: Vec<String> =
            validate_definition(&crd, None).into_iter().map(|c| format!("{}: {}", c.field, c.message)).collect();
        assert_eq!(
            causes,
            ["spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"]
        );
    }

    #[test]
    fn protected_groups_need_approval() {
        let mut crd = crd();
        crd["spec"]["group"] = json!("events.k8s.io");
        crd["metadata"]["name"] = json!("crontabs.events.k8s.io");
        let causes = validate_definition(&crd, None);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].field, "metadata.annotations[api-approved.kubernetes.io]");
        crd["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "https://example.com/pr"});
        assert!(validate_definition(&crd, None).is_empty());
    }

    #[test]
    fn one_storage_version_and_matching_name_are_required() {
        let mut crd = crd();
        crd["spec"]["versions"] =
            json!([{"name": "v1", "served": true, "storage": true}, {"name": "v2", "served": true, "storage": true}]);
        crd["metadata"]["name"] = json!("wrong");
        let fields: Vec<String> =
            validate_definition(&crd, None).into_iter().map(|c| format!("{}: {}", c.field, c.message)).collect();
        assert_eq!(
            fields,
            [
                "metadata.name: Invalid value: \"wrong\": must be spec.names.plural+\".\"+spec.group",
                "spec.versions: Invalid value: 2: must have exactly one version marked as storage version",
            ]
        );
    }
}
