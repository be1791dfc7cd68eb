//! The strategies of admissionregistration.k8s.io: Mutating and ValidatingWebhookConfiguration,
//! ValidatingAdmissionPolicy (with `/status`) and ValidatingAdmissionPolicyBinding, with
//! upstream's defaults (`pkg/apis/admissionregistration/v1/defaults.go`) and validation
//! (`pkg/apis/admissionregistration/validation`). kctl stores and validates them; it does not
//! call webhooks or evaluate policies.
//!
//! CEL is out of scope: expressions (match conditions, validations, message and audit
//! annotation expressions, variables) are checked for presence and form only, never
//! compiled, so an expression upstream's compiler rejects is accepted here.

use serde_json::{json, Map, Value};

use super::field::{
    child, each_obj_mut, ensure_obj, go_strings, index, obj_mut, quote, set_default, set_default_str, Errs,
};
use super::selector::validate_label_selector;
use super::Strategy;
use crate::machinery::validation::{
    is_dns1035_label, is_dns1123_subdomain, is_qualified_name, is_valid_path_segment, is_valid_port_num,
};
use crate::registry::tables;

pub(crate) static MUTATING_WEBHOOK_CONFIGURATION: Strategy = Strategy {
    defaulter: default_mutating_configuration,
    keep_on_update: count_webhooks_generation,
    validator: validate_mutating_configuration,
    update_validator: Some(validate_mutating_configuration_update),
    printer: &tables::more_kinds::WEBHOOK_CONFIGURATION,
    ..Strategy::DEFAULT
};
pub(crate) static VALIDATING_WEBHOOK_CONFIGURATION: Strategy = Strategy {
    defaulter: default_validating_configuration,
    keep_on_update: count_webhooks_generation,
    validator: validate_validating_configuration,
    update_validator: Some(validate_validating_configuration_update),
    printer: &tables::more_kinds::WEBHOOK_CONFIGURATION,
    ..Strategy::DEFAULT
};
pub(crate) static VALIDATING_ADMISSION_POLICY: Strategy = Strategy {
    defaulter: default_policy,
    tracks_generation: true,
    validator: validate_policy,
    printer: &tables::control_plane::VALIDATING_ADMISSION_POLICY,
    ..Strategy::DEFAULT
};
pub(crate) static VALIDATING_ADMISSION_POLICY_BINDING: Strategy = Strategy {
    defaulter: default_binding,
    tracks_generation: true,
    validator: validate_binding,
    printer: &tables::control_plane::VALIDATING_ADMISSION_POLICY_BINDING,
    ..Strategy::DEFAULT
};

// ---- defaults ----

/// Webhook configurations count generations by their webhooks (they have no spec): 1 on
/// create, and one more on each update that changes them.
fn start_generation(root: &mut Map<String, Value>) {
    if let Some(meta) = ensure_obj(root, "metadata") {
        set_default(meta, "generation", json!(1));
    }
}

fn count_webhooks_generation(root: &mut Map<String, Value>, old: &Value) {
    let old_generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
    let changed = root.get("webhooks") != old.get("webhooks");
    if let Some(meta) = ensure_obj(root, "metadata") {
        meta.insert("generation".into(), json!(old_generation + i64::from(changed)));
    }
}

/// `SetDefaults_Rule`: scope `*`.
fn default_rules(holder: &mut Map<String, Value>, key: &str) {
    each_obj_mut(holder, key, |rule| set_default_str(rule, "scope", "*"));
}

/// `SetDefaults_ValidatingWebhook` (and the mutating one's reinvocationPolicy), with the
/// rules' scope and a service's port.
fn default_webhook(hook: &mut Map<String, Value>, mutating: bool) {
    set_default_str(hook, "failurePolicy", "Fail");
    set_default_str(hook, "matchPolicy", "Equivalent");
    set_default(hook, "namespaceSelector", json!({}));
    set_default(hook, "objectSelector", json!({}));
    set_default(hook, "timeoutSeconds", json!(10));
    if mutating {
        set_default_str(hook, "reinvocationPolicy", "Never");
    }
    default_rules(hook, "rules");
    if let Some(service) = obj_mut(hook, "clientConfig").and_then(|c| obj_mut(c, "service")) {
        set_default(service, "port", json!(443));
    }
}

fn default_configuration(obj: &mut Value, mutating: bool) {
    let Some(root) = obj.as_object_mut() else { return };
    start_generation(root);
    each_obj_mut(root, "webhooks", |hook| default_webhook(hook, mutating));
}

fn default_mutating_configuration(obj: &mut Value) {
    default_configuration(obj, true);
}

fn default_validating_configuration(obj: &mut Value) {
    default_configuration(obj, false);
}

/// `SetDefaults_MatchResources` and its rules' scope.
fn default_match_resources(match_resources: &mut Map<String, Value>) {
    set_default_str(match_resources, "matchPolicy", "Equivalent");
    set_default(match_resources, "namespaceSelector", json!({}));
    set_default(match_resources, "objectSelector", json!({}));
    default_rules(match_resources, "resourceRules");
    default_rules(match_resources, "excludeResourceRules");
}

/// `SetDefaults_ValidatingAdmissionPolicySpec`: failurePolicy Fail; match constraints.
fn default_policy(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    set_default_str(spec, "failurePolicy", "Fail");
    if let Some(constraints) = obj_mut(spec, "matchConstraints") {
        default_match_resources(constraints);
    }
}

fn default_binding(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    if let Some(match_resources) = obj_mut(spec, "matchResources") {
        default_match_resources(match_resources);
    }
}

// ---- shared checks ----

/// A `[]string` field; wrong-typed items are reported and skipped.
fn strings(e: &mut Errs, parent: &Value, key: &str, field: &str) -> Vec<String> {
    let Some(items) = e.arr(parent, key, field) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) => out.push(text.to_string()),
            None => e.wrong_type(&index(field, i), item, "string"),
        }
    }
    out
}

/// An object field as a value to read from (absent: None).
fn object(e: &mut Errs, parent: &Value, key: &str, field: &str) -> Option<Value> {
    e.obj(parent, key, field).map(|m| Value::Object(m.clone()))
}

/// `validateResources`: resources with subresources, wildcards not mixed with others.
fn validate_resources(e: &mut Errs, resources: &[String], field: &str) {
    if resources.is_empty() {
        e.required(field, "");
    }
    let (mut wildcard_subresources, mut wildcard_resources) = (Vec::new(), Vec::new());
    let (mut double_wildcard, mut single_wildcard, mut without_subresource) = (false, false, false);
    for (i, resource) in resources.iter().enumerate() {
        if resource.is_empty() {
            e.required(&index(field, i), "");
            continue;
        }
        double_wildcard |= resource == "*/*";
        single_wildcard |= resource == "*";
        let Some((res, sub)) = resource.split_once('/') else {
            without_subresource = resource != "*";
            continue;
        };
        if wildcard_subresources.contains(&res) {
            e.invalid(
                &index(field, i),
                &quote(resource),
                &format!("if '{res}/*' is present, must not specify {resource}"),
            );
        }
        if wildcard_resources.contains(&sub) {
            e.invalid(
                &index(field, i),
                &quote(resource),
                &format!("if '*/{sub}' is present, must not specify {resource}"),
            );
        }
        if sub == "*" {
            wildcard_subresources.push(res);
        }
        if res == "*" {
            wildcard_resources.push(sub);
        }
    }
    if resources.len() > 1 && double_wildcard {
        e.invalid(field, &go_strings(resources), "if '*/*' is present, must not specify other resources");
    }
    if single_wildcard && without_subresource {
        e.invalid(
            field,
            &go_strings(resources),
            "if '*' is present, must not specify other resources without subresources",
        );
    }
}

/// `validateRuleWithOperations` (and `validateRule` with subresources allowed).
fn validate_rule_with_operations(e: &mut Errs, rule: &Value, path: &str) {
    let operations_path = child(path, "operations");
    let operations = strings(e, rule, "operations", &operations_path);
    if operations.is_empty() {
        e.required(&operations_path, "");
    }
    if operations.len() > 1 && operations.iter().any(|o| o == "*") {
        let shown = format!(
            "[]admissionregistration.OperationType{{{}}}",
            operations.iter().map(|o| quote(o)).collect::<Vec<_>>().join(", ")
        );
        e.invalid(&operations_path, &shown, "if '*' is present, must not specify other operations");
    }
    for (i, operation) in operations.iter().enumerate() {
        if !["*", "CONNECT", "CREATE", "DELETE", "UPDATE"].contains(&operation.as_str()) {
            e.not_supported(
                &index(&operations_path, i),
                &quote(operation),
                &["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
            );
        }
    }
    for (key, what) in [("apiGroups", "API groups"), ("apiVersions", "API versions")] {
        let field = child(path, key);
        let items = strings(e, rule, key, &field);
        if items.is_empty() {
            e.required(&field, "");
        }
        if items.len() > 1 && items.iter().any(|i| i == "*") {
            e.invalid(&field, &go_strings(&items), &format!("if '*' is present, must not specify other {what}"));
        }
        if key == "apiVersions" {
            for (i, _) in items.iter().enumerate().filter(|(_, v)| v.is_empty()) {
                e.required(&index(&field, i), "");
            }
        }
    }
    let resources_path = child(path, "resources");
    let resources = strings(e, rule, "resources", &resources_path);
    validate_resources(e, &resources, &resources_path);
    if let Some(scope) = e.str(rule, "scope", &child(path, "scope")) {
        if !["*", "Cluster", "Namespaced"].contains(&scope) {
            e.not_supported(&child(path, "scope"), &quote(scope), &["*", "Cluster", "Namespaced"]);
        }
    }
}

/// A string enum field that, when set, must be one of `supported`.
fn validate_enum(e: &mut Errs, parent: &Value, key: &str, path: &str, supported: &[&str]) {
    let field = child(path, key);
    if let Some(value) = e.str(parent, key, &field) {
        if !supported.contains(&value) {
            e.not_supported(&field, &quote(value), supported);
        }
    }
}

/// `validateMatchConditions`: at most 64, each named (qualified, unique) with an expression.
fn validate_match_conditions(e: &mut Errs, parent: &Value, path: &str) {
    let field = child(path, "matchConditions");
    let conditions = e.arr(parent, "matchConditions", &field).cloned().unwrap_or_default();
    if conditions.len() > 64 {
        e.too_many(&field, conditions.len(), 64);
    }
    let mut names: Vec<String> = Vec::new();
    for (i, condition) in conditions.iter().enumerate() {
        let p = index(&field, i);
        // CEL is not compiled here: only its presence is checked.
        if condition.get("expression").and_then(Value::as_str).unwrap_or("").trim().is_empty() {
            e.required(&child(&p, "expression"), "");
        }
        let name = condition.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            e.required(&child(&p, "name"), "");
        } else {
            for msg in is_qualified_name(name) {
                e.invalid(&child(&p, "name"), &quote(name), &msg);
            }
            if names.iter().any(|n| n == name) {
                e.duplicate(&child(&p, "name"), &quote(name));
            } else {
                names.push(name.to_string());
            }
        }
    }
}

// ---- webhook configurations ----

/// What update validation relaxes when the stored object already broke a rule.
#[derive(Clone, Copy)]
struct WebhookOptions {
    require_no_side_effects: bool,
    require_recognized_review_version: bool,
    require_unique_names: bool,
}

const STRICT: WebhookOptions = WebhookOptions {
    require_no_side_effects: true,
    require_recognized_review_version: true,
    require_unique_names: true,
};

fn validate_mutating_configuration(e: &mut Errs, obj: &Value) {
    validate_configuration(e, obj, true, STRICT);
}

fn validate_validating_configuration(e: &mut Errs, obj: &Value) {
    validate_configuration(e, obj, false, STRICT);
}

fn validate_mutating_configuration_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_configuration(e, new, true, options_from(old));
}

fn validate_validating_configuration_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_configuration(e, new, false, options_from(old));
}

/// `ValidateValidatingWebhookConfigurationUpdate`'s options: the rules the stored webhooks
/// already follow stay required.
fn options_from(old: &Value) -> WebhookOptions {
    let hooks = old.get("webhooks").and_then(Value::as_array).cloned().unwrap_or_default();
    let name = |h: &Value| h.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let mut names: Vec<String> = hooks.iter().map(name).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    WebhookOptions {
        require_no_side_effects: hooks
            .iter()
            .all(|h| matches!(h.get("sideEffects").and_then(Value::as_str), Some("None" | "NoneOnDryRun"))),
        require_recognized_review_version: hooks.iter().all(|h| {
            h.get("admissionReviewVersions")
                .and_then(Value::as_array)
                .is_some_and(|vs| vs.iter().any(|v| v == "v1" || v == "v1beta1"))
        }),
        require_unique_names: names.len() == count,
    }
}

fn validate_configuration(e: &mut Errs, obj: &Value, mutating: bool, options: WebhookOptions) {
    let hooks = e.arr(obj, "webhooks", "webhooks").cloned().unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for (i, hook) in hooks.iter().enumerate() {
        let path = index("webhooks", i);
        if !hook.is_object() {
            e.wrong_type(&path, hook, "object");
            continue;
        }
        validate_webhook(e, hook, mutating, options, &path);
        let versions_path = child(&path, "admissionReviewVersions");
        let versions = strings(e, hook, "admissionReviewVersions", &versions_path);
        validate_admission_review_versions(e, &versions, options.require_recognized_review_version, &versions_path);
        let name = hook.get("name").and_then(Value::as_str).unwrap_or("");
        if options.require_unique_names && !name.is_empty() {
            if names.iter().any(|n| n == name) {
                e.duplicate(&child(&path, "name"), &quote(name));
            } else {
                names.push(name.to_string());
            }
        }
    }
}

fn validate_admission_review_versions(e: &mut Errs, versions: &[String], require_recognized: bool, path: &str) {
    if versions.is_empty() {
        e.required(path, "must specify one of v1, v1beta1");
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        if seen.contains(&version.as_str()) {
            e.invalid(&index(path, i), &quote(version), "duplicate version");
            continue;
        }
        seen.push(version);
        for msg in is_dns1035_label(version) {
            e.invalid(&index(path, i), &quote(version), &msg);
        }
    }
    if require_recognized && !versions.iter().any(|v| v == "v1" || v == "v1beta1") {
        e.invalid(path, &go_strings(versions), "must include at least one of v1, v1beta1");
    }
}

/// `IsFullyQualifiedName`: a DNS subdomain of at least three segments.
fn validate_fully_qualified_name(e: &mut Errs, name: &str, path: &str) {
    if name.is_empty() {
        return e.required(path, "");
    }
    let errs = is_dns1123_subdomain(name);
    if !errs.is_empty() {
        return e.invalid(path, &quote(name), &errs.join(","));
    }
    if name.split('.').count() < 3 {
        e.invalid(path, &quote(name), "should be a domain with at least three segments separated by dots");
    }
}

fn validate_webhook(e: &mut Errs, hook: &Value, mutating: bool, options: WebhookOptions, path: &str) {
    let name = e.str(hook, "name", &child(path, "name")).unwrap_or("");
    validate_fully_qualified_name(e, name, &child(path, "name"));
    let rules_path = child(path, "rules");
    for (i, rule) in e.arr(hook, "rules", &rules_path).cloned().unwrap_or_default().iter().enumerate() {
        validate_rule_with_operations(e, rule, &index(&rules_path, i));
    }
    validate_enum(e, hook, "failurePolicy", path, &["Fail", "Ignore"]);
    validate_enum(e, hook, "matchPolicy", path, &["Equivalent", "Exact"]);
    let allowed: &[&str] = match options.require_no_side_effects {
        true => &["None", "NoneOnDryRun"],
        false => &["None", "NoneOnDryRun", "Some", "Unknown"],
    };
    let side_effects_path = child(path, "sideEffects");
    match e.str(hook, "sideEffects", &side_effects_path) {
        None => e.required(&side_effects_path, &format!("must specify one of {}", allowed.join(", "))),
        Some(value) if !allowed.contains(&value) => e.not_supported(&side_effects_path, &quote(value), allowed),
        Some(_) => {}
    }
    let timeout_path = child(path, "timeoutSeconds");
    if let Some(timeout) = e.int(hook, "timeoutSeconds", &timeout_path).filter(|t| !(1..=30).contains(t)) {
        e.invalid(&timeout_path, &timeout.to_string(), "the timeout value must be between 1 and 30 seconds");
    }
    validate_label_selector(e, hook, "namespaceSelector", &child(path, "namespaceSelector"));
    validate_label_selector(e, hook, "objectSelector", &child(path, "objectSelector"));
    if mutating {
        validate_enum(e, hook, "reinvocationPolicy", path, &["IfNeeded", "Never"]);
    }
    let config_path = child(path, "clientConfig");
    let config = object(e, hook, "clientConfig", &config_path).unwrap_or_else(|| json!({}));
    let url = e.str(&config, "url", &child(&config_path, "url"));
    let service = object(e, &config, "service", &child(&config_path, "service"));
    match (url, service) {
        (Some(url), None) => validate_webhook_url(e, url, &child(&config_path, "url")),
        (None, Some(service)) => validate_webhook_service(e, &service, &child(&config_path, "service")),
        _ => e.required(&config_path, "exactly one of url or service is required"),
    }
    validate_match_conditions(e, hook, path);
}

/// The parts of a URL that `ValidateWebhookURL` looks at, as Go's `url.Parse` splits them.
struct UrlParts<'a> {
    scheme: &'a str,
    user: Option<&'a str>,
    host: &'a str,
    query: &'a str,
    fragment: &'a str,
}

fn split_url(url: &str) -> UrlParts<'_> {
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (scheme, rest) = match rest.split_once(':') {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains('/') => (scheme, rest),
        _ => ("", rest),
    };
    let authority = rest.strip_prefix("//").map(|a| a.split('/').next().unwrap_or(""));
    let (user, host) = match authority {
        Some(authority) => match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, authority),
        },
        None => (None, ""),
    };
    UrlParts { scheme, user, host, query, fragment }
}

fn validate_webhook_url(e: &mut Errs, url: &str, path: &str) {
    const FORM: &str = "; desired format: https://host[/path]";
    let parts = split_url(url);
    if parts.scheme != "https" {
        e.invalid(path, &quote(parts.scheme), &format!("'https' is the only allowed URL scheme{FORM}"));
    }
    if parts.host.is_empty() {
        e.invalid(path, &quote(parts.host), &format!("host must be specified{FORM}"));
    }
    if let Some(user) = parts.user {
        e.invalid(path, &quote(user), "user information is not permitted in the URL");
    }
    if !parts.fragment.is_empty() {
        e.invalid(path, &quote(parts.fragment), "fragments are not permitted in the URL");
    }
    if !parts.query.is_empty() {
        e.invalid(path, &quote(parts.query), "query parameters are not permitted in the URL");
    }
}

/// `ValidateWebhookService`.
fn validate_webhook_service(e: &mut Errs, service: &Value, path: &str) {
    if e.str(service, "name", &child(path, "name")).unwrap_or("").is_empty() {
        e.required(&child(path, "name"), "service name is required");
    }
    if e.str(service, "namespace", &child(path, "namespace")).unwrap_or("").is_empty() {
        e.required(&child(path, "namespace"), "service namespace is required");
    }
    let port = e.int(service, "port", &child(path, "port")).unwrap_or(443);
    let port_errs = is_valid_port_num(port);
    if !port_errs.is_empty() {
        e.invalid(&child(path, "port"), &port.to_string(), &format!("port is not valid: {}", port_errs.join(", ")));
    }
    let path_field = child(path, "path");
    let Some(url_path) = e.str(service, "path", &path_field) else { return };
    if url_path == "/" || url_path.is_empty() {
        return;
    }
    if url_path == "//" {
        return e.invalid(&path_field, &quote(url_path), "segment[0] may not be empty");
    }
    if !url_path.starts_with('/') {
        e.invalid(&path_field, &quote(url_path), "must start with a '/'");
    }
    let trimmed = url_path.get(1..).unwrap_or("");
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    for (i, step) in trimmed.split('/').enumerate() {
        if step.is_empty() {
            e.invalid(&path_field, &quote(url_path), &format!("segment[{i}] may not be empty"));
            continue;
        }
        for failure in is_dns1123_subdomain(step) {
            e.invalid(&path_field, &quote(url_path), &format!("segment[{i}]: {failure}"));
        }
    }
}

// ---- validating admission policies and bindings ----

fn validate_policy(e: &mut Errs, obj: &Value) {
    let spec = object(e, obj, "spec", "spec").unwrap_or_else(|| json!({}));
    match e.str(&spec, "failurePolicy", "spec.failurePolicy") {
        None => e.required("spec.failurePolicy", ""),
        Some(policy) if !["Fail", "Ignore"].contains(&policy) => {
            e.not_supported("spec.failurePolicy", &quote(policy), &["Fail", "Ignore"])
        }
        Some(_) => {}
    }
    if let Some(param_kind) = object(e, &spec, "paramKind", "spec.paramKind") {
        validate_param_kind(e, &param_kind, "spec.paramKind");
    }
    match object(e, &spec, "matchConstraints", "spec.matchConstraints") {
        None => e.required("spec.matchConstraints", ""),
        Some(constraints) => {
            validate_match_resources(e, &constraints, "spec.matchConstraints");
            if constraints.get("resourceRules").and_then(Value::as_array).is_none_or(Vec::is_empty) {
                e.required("spec.matchConstraints.resourceRules", "");
            }
        }
    }
    validate_match_conditions(e, &spec, "spec");
    let variables = e.arr(&spec, "variables", "spec.variables").cloned().unwrap_or_default();
    for (i, variable) in variables.iter().enumerate() {
        let p = index("spec.variables", i);
        if variable.get("name").and_then(Value::as_str).unwrap_or("").is_empty() {
            e.required(&child(&p, "name"), "name is not specified");
        }
        if variable.get("expression").and_then(Value::as_str).unwrap_or("").trim().is_empty() {
            e.required(&child(&p, "expression"), "expression is not specified");
        }
    }
    let validations = e.arr(&spec, "validations", "spec.validations").cloned().unwrap_or_default();
    let audit_annotations = e.arr(&spec, "auditAnnotations", "spec.auditAnnotations").cloned().unwrap_or_default();
    if validations.is_empty() && audit_annotations.is_empty() {
        let detail = "validations or auditAnnotations must contain at least one item";
        e.required("spec.validations", detail);
        e.required("spec.auditAnnotations", detail);
        return;
    }
    for (i, validation) in validations.iter().enumerate() {
        validate_validation(e, validation, &index("spec.validations", i));
    }
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    if audit_annotations.len() > 20 {
        e.invalid("spec.auditAnnotations", "[...]", "must not have more than 20 auditAnnotations");
    }
    let mut keys: Vec<String> = Vec::new();
    for (i, annotation) in audit_annotations.iter().enumerate() {
        let p = index("spec.auditAnnotations", i);
        let key = annotation.get("key").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            e.invalid(&child(&p, "key"), &quote(key), "requires metadata.name be non-empty");
        } else {
            let qualified = format!("{name}/{key}");
            for msg in is_qualified_name(&qualified) {
                e.invalid(&child(&p, "key"), &quote(&qualified), &msg);
            }
        }
        let value_expression = annotation.get("valueExpression").and_then(Value::as_str).unwrap_or("").trim();
        if value_expression.is_empty() {
            e.required(&child(&p, "valueExpression"), "valueExpression is not specified");
        } else if value_expression.len() > 5 * 1024 {
            e.required(&child(&p, "valueExpression"), "must not exceed 5120 bytes in length");
        }
        if keys.iter().any(|k| k == key) {
            e.duplicate(&child(&p, "key"), &quote(key));
        }
        keys.push(key.to_string());
    }
}

/// `validateValidation`, without compiling the expressions.
fn validate_validation(e: &mut Errs, validation: &Value, path: &str) {
    let text = |key: &str| validation.get(key).and_then(Value::as_str).unwrap_or("");
    if text("expression").trim().is_empty() {
        e.required(&child(path, "expression"), "expression is not specified");
    }
    let message_expression = text("messageExpression");
    if !message_expression.is_empty() && message_expression.trim().is_empty() {
        e.invalid(&child(path, "messageExpression"), &quote(message_expression), "must be non-empty if specified");
    }
    let message = text("message");
    if !message.is_empty() && message.trim().is_empty() {
        e.invalid(&child(path, "message"), &quote(message), "message must be non-empty if specified");
    } else if message.trim().contains(['\n', '\r']) {
        e.invalid(&child(path, "message"), &quote(message), "message must not contain line breaks");
    }
    validate_enum(e, validation, "reason", path, &["Forbidden", "Invalid", "RequestEntityTooLarge"]);
}

/// `validateParamKind`.
fn validate_param_kind(e: &mut Errs, param_kind: &Value, path: &str) {
    let api_version_path = child(path, "apiVersion");
    let api_version = e.str(param_kind, "apiVersion", &api_version_path).unwrap_or("");
    if api_version.is_empty() {
        e.required(&api_version_path, "");
    } else if api_version.matches('/').count() > 1 {
        e.invalid(&api_version_path, &quote(api_version), &format!("unexpected GroupVersion string: {api_version}"));
    } else {
        let (group, version) = match api_version.split_once('/') {
            Some((group, version)) => (group, version),
            None if api_version == "/" => ("", ""),
            None => ("", api_version),
        };
        if !group.is_empty() {
            let errs = is_dns1123_subdomain(group);
            if !errs.is_empty() {
                e.invalid(&api_version_path, &quote(group), &errs.join(","));
            }
        }
        if version.is_empty() {
            e.invalid(&api_version_path, &quote(api_version), "version must be specified");
        } else {
            let errs = is_dns1035_label(version);
            if !errs.is_empty() {
                e.invalid(&api_version_path, &quote(version), &errs.join(","));
            }
        }
    }
    let kind_path = child(path, "kind");
    let kind = e.str(param_kind, "kind", &kind_path).unwrap_or("");
    if kind.is_empty() {
        e.required(&kind_path, "");
    } else {
        let errs = is_dns1035_label(&kind.to_lowercase());
        if !errs.is_empty() {
            let detail = format!("may have mixed case, but should otherwise match: {}", errs.join(","));
            e.invalid(&kind_path, &quote(kind), &detail);
        }
    }
}

/// `validateMatchResources`: policy and selectors (set by the defaults), and the rules.
fn validate_match_resources(e: &mut Errs, match_resources: &Value, path: &str) {
    let policy_path = child(path, "matchPolicy");
    match e.str(match_resources, "matchPolicy", &policy_path) {
        None => e.required(&policy_path, ""),
        Some(policy) if !["Equivalent", "Exact"].contains(&policy) => {
            e.not_supported(&policy_path, &quote(policy), &["Equivalent", "Exact"])
        }
        Some(_) => {}
    }
    for key in ["namespaceSelector", "objectSelector"] {
        if match_resources.get(key).is_none_or(Value::is_null) {
            e.required(&child(path, key), "");
        } else {
            validate_label_selector(e, match_resources, key, &child(path, key));
        }
    }
    for key in ["resourceRules", "excludeResourceRules"] {
        let rules_path = child(path, key);
        for (i, rule) in e.arr(match_resources, key, &rules_path).cloned().unwrap_or_default().iter().enumerate() {
            let p = index(&rules_path, i);
            let names_path = child(&p, "resourceNames");
            let mut seen: Vec<String> = Vec::new();
            for (j, name) in strings(e, rule, "resourceNames", &names_path).iter().enumerate() {
                for msg in is_valid_path_segment(name, false) {
                    e.invalid(&index(&names_path, j), &quote(name), &msg);
                }
                if seen.contains(name) {
                    e.duplicate(&index(&names_path, j), &quote(name));
                } else {
                    seen.push(name.clone());
                }
            }
            validate_rule_with_operations(e, rule, &p);
        }
    }
}

fn validate_binding(e: &mut Errs, obj: &Value) {
    let spec = object(e, obj, "spec", "spec").unwrap_or_else(|| json!({}));
    let policy_name = e.str(&spec, "policyName", "spec.policyName").unwrap_or("");
    if policy_name.is_empty() {
        e.required("spec.policyName", "");
    } else {
        for msg in is_dns1123_subdomain(policy_name) {
            e.invalid("spec.policyName", &quote(policy_name), &msg);
        }
    }
    if let Some(param_ref) = object(e, &spec, "paramRef", "spec.paramRef") {
        validate_param_ref(e, &param_ref, "spec.paramRef");
    }
    if let Some(match_resources) = object(e, &spec, "matchResources", "spec.matchResources") {
        validate_match_resources(e, &match_resources, "spec.matchResources");
    }
    let actions_path = "spec.validationActions";
    let actions = strings(e, &spec, "validationActions", actions_path);
    let supported = ["Audit", "Deny", "Warn"];
    let mut seen: Vec<&str> = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        if !supported.contains(&action.as_str()) {
            e.not_supported(&index(actions_path, i), &quote(action), &supported);
        }
        if seen.contains(&action.as_str()) {
            e.duplicate(&index(actions_path, i), &quote(action));
        }
        seen.push(action);
    }
    if seen.contains(&"Deny") && seen.contains(&"Warn") {
        let shown = format!(
            "[]admissionregistration.ValidationAction{{{}}}",
            actions.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")
        );
        e.invalid(
            actions_path,
            &shown,
            "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
        );
    }
    if seen.is_empty() {
        e.required(actions_path, "at least one validation action is required");
    }
}

/// `validateParamRef`: a name or a selector, and what to do when the parameter is missing.
fn validate_param_ref(e: &mut Errs, param_ref: &Value, path: &str) {
    let name = e.str(param_ref, "name", &child(path, "name")).unwrap_or("");
    let has_selector = param_ref.get("selector").is_some_and(|s| !s.is_null());
    if !name.is_empty() {
        for msg in is_valid_path_segment(name, false) {
            e.invalid(&child(path, "name"), &quote(name), &msg);
        }
        if has_selector {
            e.forbidden(&child(path, "name"), "name and selector are mutually exclusive");
        }
    }
    if has_selector {
        validate_label_selector(e, param_ref, "selector", &child(path, "selector"));
        if !name.is_empty() {
            e.forbidden(&child(path, "selector"), "name and selector are mutually exclusive");
        }
    }
    if name.is_empty() && !has_selector {
        e.required(path, "one of name or selector must be specified");
    }
    let action_path = child(path, "parameterNotFoundAction");
    match e.str(param_ref, "parameterNotFoundAction", &action_path).unwrap_or("") {
        "" => e.required(&action_path, ""),
        "Deny" | "Allow" => {}
        other => {
            e.not_supported(&action_path, &quote(other), &["Deny", "Allow"]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn webhook_configuration(mutating: bool, hooks: Value) -> Value {
        let mut obj = json!({"metadata": {"name": "c"}, "webhooks": hooks});
        default_configuration(&mut obj, mutating);
        obj
    }

    #[test]
    fn webhooks_get_upstream_defaults() {
        let obj = webhook_configuration(
            true,
            json!([{"name": "a.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "clientConfig": {"service": {"namespace": "n", "name": "s"}},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}]),
        );
        let hook = &obj["webhooks"][0];
        assert_eq!(
            (&hook["failurePolicy"], &hook["matchPolicy"], &hook["timeoutSeconds"], &hook["reinvocationPolicy"]),
            (&json!("Fail"), &json!("Equivalent"), &json!(10), &json!("Never"))
        );
        assert_eq!((&hook["namespaceSelector"], &hook["objectSelector"]), (&json!({}), &json!({})));
        assert_eq!(hook["rules"][0]["scope"], "*");
        assert_eq!(hook["clientConfig"]["service"]["port"], 443);
        assert_eq!(obj["metadata"]["generation"], 1);
        assert!(errs(|e| validate_mutating_configuration(e, &obj)).is_empty());
        let validating = webhook_configuration(false, json!([{"name": "a.example.com"}]));
        assert!(validating["webhooks"][0].get("reinvocationPolicy").is_none());
    }

    #[test]
    fn webhook_messages() {
        let obj = webhook_configuration(
            false,
            json!([
                {"name": "hook", "sideEffects": "Some", "admissionReviewVersions": ["v2"], "timeoutSeconds": 31,
                    "clientConfig": {"url": "http://example.com/x?y=1"}},
                {"name": "a.b.c", "clientConfig": {}},
                {"name": "a.b.c", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                    "clientConfig": {"service": {"name": "s", "namespace": "n", "path": "no-slash"}}}
            ]),
        );
        assert_eq!(
            errs(|e| validate_validating_configuration(e, &obj)),
            vec![
                (
                    "webhooks[0].name".into(),
                    "Invalid value: \"hook\": should be a domain with at least three segments separated by dots".into()
                ),
                (
                    "webhooks[0].sideEffects".into(),
                    "Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"".into()
                ),
                (
                    "webhooks[0].timeoutSeconds".into(),
                    "Invalid value: 31: the timeout value must be between 1 and 30 seconds".into()
                ),
                (
                    "webhooks[0].clientConfig.url".into(),
                    "Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]"
                        .into()
                ),
                (
                    "webhooks[0].clientConfig.url".into(),
                    "Invalid value: \"y=1\": query parameters are not permitted in the URL".into()
                ),
                (
                    "webhooks[0].admissionReviewVersions".into(),
                    "Invalid value: []string{\"v2\"}: must include at least one of v1, v1beta1".into()
                ),
                ("webhooks[1].sideEffects".into(), "Required value: must specify one of None, NoneOnDryRun".into()),
                (
                    "webhooks[1].clientConfig".into(),
                    "Required value: exactly one of url or service is required".into()
                ),
                ("webhooks[1].admissionReviewVersions".into(), "Required value: must specify one of v1, v1beta1".into()),
                ("webhooks[2].clientConfig.service.path".into(), "Invalid value: \"no-slash\": must start with a '/'".into()),
                ("webhooks[2].name".into(), "Duplicate value: \"a.b.c\"".into()),
            ]
        );
    }

    #[test]
    fn updates_keep_what_the_stored_webhooks_already_allowed() {
        let old = webhook_configuration(
            false,
            json!([{"name": "a.b.c", "sideEffects": "Some", "admissionReviewVersions": ["v1"],
            "clientConfig": {"url": "https://example.com"}}]),
        );
        assert!(errs(|e| validate_validating_configuration_update(e, &old, &old)).is_empty());
        assert_eq!(errs(|e| validate_validating_configuration(e, &old)).len(), 1);
        let mut root = old.as_object().cloned().unwrap_or_default();
        root.insert("webhooks".into(), json!([]));
        count_webhooks_generation(&mut root, &old);
        assert_eq!(root["metadata"]["generation"], 2);
    }

    #[test]
    fn rules_check_operations_and_resources() {
        let rule = json!({"operations": ["*", "CREATE"], "apiGroups": ["*"], "apiVersions": [], "resources": ["*/*", "pods"], "scope": "Global"});
        assert_eq!(
            errs(|e| validate_rule_with_operations(e, &rule, "r")),
            vec![
                (
                    "r.operations".into(),
                    "Invalid value: []admissionregistration.OperationType{\"*\", \"CREATE\"}: if '*' is present, must not specify other operations".into()
                ),
                ("r.apiVersions".into(), "Required value".into()),
                (
                    "r.resources".into(),
                    "Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is present, must not specify other resources".into()
                ),
                (
                    "r.scope".into(),
                    "Unsupported value: \"Global\": supported values: \"*\", \"Cluster\", \"Namespaced\"".into()
                ),
            ]
        );
    }

    #[test]
    fn policies_default_and_need_validations() {
        let mut policy = json!({"metadata": {"name": "p"}, "spec": {"matchConstraints": {"resourceRules": [
            {"operations": ["CREATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]}]},
            "validations": [{"expression": "object.spec.replicas <= 5"}]}});
        default_policy(&mut policy);
        assert_eq!(policy["spec"]["failurePolicy"], "Fail");
        assert_eq!(policy["spec"]["matchConstraints"]["matchPolicy"], "Equivalent");
        assert_eq!(policy["spec"]["matchConstraints"]["resourceRules"][0]["scope"], "*");
        assert!(errs(|e| validate_policy(e, &policy)).is_empty());
        let mut empty =
            json!({"metadata": {"name": "p"}, "spec": {"validations": [{"expression": " ", "message": "a\nb"}]}});
        default_policy(&mut empty);
        assert_eq!(
            errs(|e| validate_policy(e, &empty)),
            vec![
                ("spec.matchConstraints".into(), "Required value".into()),
                ("spec.validations[0].expression".into(), "Required value: expression is not specified".into()),
                (
                    "spec.validations[0].message".into(),
                    "Invalid value: \"a\\nb\": message must not contain line breaks".into()
                ),
            ]
        );
        let none = json!({"metadata": {"name": "p"}, "spec": {"failurePolicy": "Fail", "matchConstraints": {"matchPolicy": "Exact",
            "namespaceSelector": {}, "objectSelector": {}, "resourceRules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}]}}});
        assert_eq!(
            errs(|e| validate_policy(e, &none)),
            vec![
                (
                    "spec.validations".into(),
                    "Required value: validations or auditAnnotations must contain at least one item".into()
                ),
                (
                    "spec.auditAnnotations".into(),
                    "Required value: validations or auditAnnotations must contain at least one item".into()
                ),
            ]
        );
    }

    #[test]
    fn bindings_need_a_policy_and_actions() {
        let binding = json!({"spec": {"policyName": "p", "validationActions": ["Deny"],
            "paramRef": {"name": "cfg", "parameterNotFoundAction": "Deny"}}});
        assert!(errs(|e| validate_binding(e, &binding)).is_empty());
        let bad = json!({"spec": {"validationActions": ["Deny", "Warn", "Deny"], "paramRef": {}}});
        assert_eq!(
            errs(|e| validate_binding(e, &bad)),
            vec![
                ("spec.policyName".into(), "Required value".into()),
                ("spec.paramRef".into(), "Required value: one of name or selector must be specified".into()),
                ("spec.paramRef.parameterNotFoundAction".into(), "Required value".into()),
                ("spec.validationActions[2]".into(), "Duplicate value: \"Deny\"".into()),
                (
                    "spec.validationActions".into(),
                    "Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\", \"Deny\"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)".into()
                ),
            ]
        );
        let none = json!({"spec": {"policyName": "p"}});
        assert_eq!(
            errs(|e| validate_binding(e, &none)),
            vec![(
                "spec.validationActions".into(),
                "Required value: at least one validation action is required".into()
            )]
        );
    }
}
