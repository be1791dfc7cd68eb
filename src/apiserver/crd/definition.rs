//! The CustomResourceDefinition object itself: its defaults, its validation (a subset of
//! upstream's: names, scope, versions and the one storage version, a schema for every
//! version, the conversion strategy and its webhook), and the cleanup finalizer every CRD
//! gets on create.
//!
//! The Webhook conversion strategy is accepted, as upstream accepts it, though kctl calls
//! no webhooks: such a CRD serves its storage version only, and requests to its other
//! versions fail as they would upstream with an unreachable webhook (see
//! [`super::check_conversion`]). Refusing the CRD would break operators and charts that
//! declare a webhook even where every client uses the storage version.

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
        match version.pointer("/schema/openAPIV3Schema") {
            Some(schema) => {
                structural(schema, &format!("spec.versions[{i}].schema.openAPIV3Schema"), None, &mut causes)
            }
            // apiextensions.k8s.io/v1 requires them; a CRD stored without one may keep going.
            None if old.is_none_or(has_all_schemas) => causes.push(Cause {
                reason: "FieldValueRequired".into(),
                message: "Required value: schemas are required".into(),
                field: format!("spec.versions[{i}].schema.openAPIV3Schema"),
            }),
            None => {}
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
    if let Some(conversion) = crd.pointer("/spec/conversion") {
        validate_conversion(conversion, &mut causes);
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

fn has_all_schemas(crd: &Value) -> bool {
    let versions = crd.pointer("/spec/versions").and_then(Value::as_array);
    versions.into_iter().flatten().all(|v| v.pointer("/schema/openAPIV3Schema").is_some())
}

/// Conversion reviews kctl would send (had it a webhook client) and upstream accepts.
const REVIEW_VERSIONS: [&str; 2] = ["v1", "v1beta1"];

/// `spec.conversion` as upstream checks it. The paths are upstream's internal ones (a v1
/// `webhook.clientConfig` is reported as `webhookClientConfig`), as kubectl users see them.
fn validate_conversion(conversion: &Value, causes: &mut Vec<Cause>) {
    let webhook = conversion.get("webhook").filter(|w| !w.is_null());
    let client_config = webhook.and_then(|w| w.get("clientConfig")).filter(|c| !c.is_null());
    let review_versions: Vec<&Value> = webhook
        .and_then(|w| w.get("conversionReviewVersions"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    match text(conversion, "/strategy") {
        "None" => {
            let forbidden = |field: &str| Cause {
                reason: "FieldValueForbidden".into(),
                message: "Forbidden: should not be set when strategy is not set to Webhook".into(),
                field: field.into(),
            };
            if client_config.is_some() {
                causes.push(forbidden("spec.conversion.webhookClientConfig"));
            }
            if !review_versions.is_empty() {
                causes.push(forbidden("spec.conversion.conversionReviewVersions"));
            }
        }
        "Webhook" => {
            match client_config {
                None => causes.push(Cause {
                    reason: "FieldValueRequired".into(),
                    message: "Required value: required when strategy is set to Webhook".into(),
                    field: "spec.conversion.webhookClientConfig".into(),
                }),
                Some(config) => validate_client_config(config, causes),
            }
            validate_review_versions(&review_versions, causes);
        }
        "" => causes.push(required("spec.conversion.strategy")),
        other => causes.push(Cause {
            reason: "FieldValueNotSupported".into(),
            message: format!("Unsupported value: {other:?}: supported values: \"None\", \"Webhook\""),
            field: "spec.conversion.strategy".into(),
        }),
    }
}

/// A webhook's clientConfig: exactly one of an https URL or a service.
fn validate_client_config(config: &Value, causes: &mut Vec<Cause>) {
    let path = "spec.conversion.webhookClientConfig";
    let url = config.get("url").and_then(Value::as_str);
    let service = config.get("service").filter(|s| s.is_object());
    match (url, service) {
        (Some(url), None) => validate_webhook_url(url, &format!("{path}.url"), causes),
        (None, Some(service)) => {
            let path = format!("{path}.service");
            for (key, what) in [("name", "service name"), ("namespace", "service namespace")] {
                if text(service, &format!("/{key}")).is_empty() {
                    causes.push(Cause {
                        reason: "FieldValueRequired".into(),
                        message: format!("Required value: {what} is required"),
                        field: format!("{path}.{key}"),
                    });
                }
            }
            if let Some(port) = service.get("port").and_then(Value::as_i64).filter(|p| !(1..=65535).contains(p)) {
                causes.push(Cause {
                    reason: "FieldValueInvalid".into(),
                    message: format!(
                        "Invalid value: {port}: port is not valid: must be between 1 and 65535, inclusive"
                    ),
                    field: format!("{path}.port"),
                });
            }
            let service_path = text(service, "/path");
            if !service_path.is_empty() && !service_path.starts_with('/') {
                causes.push(invalid(&format!("{path}.path"), service_path, "must start with a '/'"));
            }
        }
        _ => causes.push(Cause {
            reason: "FieldValueRequired".into(),
            message: "Required value: exactly one of url or service is required".into(),
            field: path.into(),
        }),
    }
}

/// `ValidateWebhookURL` with https required.
fn validate_webhook_url(url: &str, path: &str, causes: &mut Vec<Cause>) {
    if let Some((_, fragment)) = url.split_once('#') {
        causes.push(invalid(path, fragment, "fragments are not permitted in the URL"));
        return;
    }
    let parsed = match url.parse::<http::Uri>() {
        Ok(parsed) => parsed,
        Err(err) => {
            causes.push(invalid(path, url, &format!("url must be a valid URL: {err}")));
            return;
        }
    };
    let scheme = parsed.scheme_str().unwrap_or_default();
    if scheme != "https" {
        causes.push(invalid(path, scheme, "'https' is the only allowed URL scheme"));
    }
    let authority = parsed.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some((user, _)) = authority.split_once('@') {
        causes.push(invalid(path, user, "user information is not permitted in the URL"));
    }
    if parsed.host().unwrap_or_default().is_empty() {
        causes.push(invalid(path, "", "host must be specified"));
    }
    if let Some(query) = parsed.query() {
        causes.push(invalid(path, query, "query parameters are not permitted in the URL"));
    }
}

/// `conversionReviewVersions`: required, unique DNS-1035 labels, one of them understood.
fn validate_review_versions(versions: &[&Value], causes: &mut Vec<Cause>) {
    let path = "spec.conversion.conversionReviewVersions";
    if versions.is_empty() {
        causes.push(required(path));
        return;
    }
    let names: Vec<&str> = versions.iter().map(|v| v.as_str().unwrap_or_default()).collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            causes.push(invalid(&format!("{path}[{i}]"), name, "duplicate version"));
            continue;
        }
        if !dns_label(name) || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            causes.push(invalid(&format!("{path}[{i}]"), name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        }
    }
    if !names.iter().any(|n| REVIEW_VERSIONS.contains(n)) {
        let listed: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        causes.push(Cause {
            reason: "FieldValueInvalid".into(),
            message: format!(
                "Invalid value: []string{{{}}}: must include at least one of {}",
                listed.join(", "),
                REVIEW_VERSIONS.join(", ")
            ),
            field: path.into(),
        });
    }
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
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": schema()}]}})
    }

    fn schema() -> Value {
        json!({"openAPIV3Schema": {"type": "object"}})
    }

    fn messages(crd: &Value, old: Option<&Value>) -> Vec<String> {
        validate_definition(crd, old).into_iter().map(|c| format!("{}: {}", c.field, c.message)).collect()
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
        crd["spec"]["versions"] = json!([{"name": "v1", "served": true, "storage": true, "schema": schema()},
                {"name": "v2", "served": true, "storage": true, "schema": schema()}]);
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

    #[test]
    fn every_version_needs_a_schema_unless_it_never_had_one() {
        let mut crd = crd();
        crd["spec"]["versions"] = json!([{"name": "v1", "served": true, "storage": true, "schema": schema()},
            {"name": "v2", "served": false, "storage": false}]);
        assert_eq!(
            messages(&crd, None),
            ["spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required"]
        );
        // An update of a CRD stored without schemas is not refused for what it always lacked.
        assert!(messages(&crd, Some(&crd.clone())).is_empty());
    }

    #[test]
    fn conversion_is_none_or_a_complete_webhook() {
        let with = |conversion: Value| {
            let mut crd = crd();
            crd["spec"]["conversion"] = conversion;
            messages(&crd, None)
        };
        assert!(with(json!({"strategy": "None"})).is_empty());
        assert_eq!(
            with(json!({"strategy": "Magic"})),
            ["spec.conversion.strategy: Unsupported value: \"Magic\": supported values: \"None\", \"Webhook\""]
        );
        assert_eq!(
            with(json!({"strategy": "Webhook"})),
            [
                "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
                "spec.conversion.conversionReviewVersions: Required value",
            ]
        );
        assert_eq!(
            with(json!({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "http://user@hook.example.com/convert?x=1"},
                "conversionReviewVersions": ["v2", "v2"]}})),
            [
                "spec.conversion.webhookClientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"user\": user information is not permitted in the URL",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"x=1\": query parameters are not permitted in the URL",
                "spec.conversion.conversionReviewVersions[1]: Invalid value: \"v2\": duplicate version",
                "spec.conversion.conversionReviewVersions: Invalid value: []string{\"v2\", \"v2\"}: must include at least one of v1, v1beta1",
            ]
        );
        assert_eq!(
            with(json!({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"name": "hook", "port": 0}},
                "conversionReviewVersions": ["v1"]}})),
            [
                "spec.conversion.webhookClientConfig.service.namespace: Required value: service namespace is required",
                "spec.conversion.webhookClientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
            ]
        );
        assert!(with(json!({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"name": "hook",
            "namespace": "system", "path": "/convert", "port": 443}}, "conversionReviewVersions": ["v1"]}}))
        .is_empty());
        assert_eq!(
            with(json!({"strategy": "None", "webhook": {"clientConfig": {"url": "https://hook"}, "conversionReviewVersions": ["v1"]}})),
            [
                "spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook",
                "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook",
            ]
        );
    }
}
