//! The strategies of flowcontrol.apiserver.k8s.io: FlowSchema and PriorityLevelConfiguration,
//! with upstream's defaults (`pkg/apis/flowcontrol/v1/defaults.go`) and validation
//! (`pkg/apis/flowcontrol/validation`). Their status is written through `/status` (by the
//! APF controller upstream). Not checked: that the mandatory objects (`exempt`,
//! `catch-all`) keep their fixed specs.

use serde_json::{json, Map, Value};

use super::field::{child, ensure_obj, go_strings, index, obj_mut, quote, set_default, Errs};
use super::Strategy;
use crate::machinery::validation::{validate_name, NameRule};
use crate::registry::tables;

pub(crate) static FLOW_SCHEMA: Strategy = Strategy {
    defaulter: default_flow_schema,
    tracks_generation: true,
    validator: validate_flow_schema,
    printer: &tables::control_plane::FLOW_SCHEMA,
    ..Strategy::DEFAULT
};
pub(crate) static PRIORITY_LEVEL_CONFIGURATION: Strategy = Strategy {
    defaulter: default_priority_level,
    tracks_generation: true,
    validator: validate_priority_level,
    printer: &tables::control_plane::PRIORITY_LEVEL_CONFIGURATION,
    ..Strategy::DEFAULT
};

const SUPPORTED_VERBS: &[&str] =
    &["create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"];
const MAX_QUEUES: i64 = 10_000_000;
/// shufflesharding's `MaxHashBits`.
const MAX_HASH_BITS: f64 = 60.0;
const NAMESPACE_INTRO: &str = "each member of this list must be '*' or a DNS-1123 label; ";

/// Whether a Go integer field is its zero value (absent, null or 0).
fn zero(m: &Map<String, Value>, key: &str) -> bool {
    matches!(m.get(key), None | Some(Value::Null)) || m.get(key).and_then(Value::as_i64) == Some(0)
}

fn set_if_zero(m: &mut Map<String, Value>, key: &str, value: i64) {
    if zero(m, key) {
        m.insert(key.into(), json!(value));
    }
}

/// `SetDefaults_FlowSchemaSpec`: matchingPrecedence 1000.
fn default_flow_schema(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    set_if_zero(spec, "matchingPrecedence", 1000);
}

/// The exempt and limited configurations' defaults, and the queuing's.
fn default_priority_level(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    if let Some(exempt) = obj_mut(spec, "exempt") {
        set_default(exempt, "nominalConcurrencyShares", json!(0));
        set_default(exempt, "lendablePercent", json!(0));
    }
    if let Some(limited) = obj_mut(spec, "limited") {
        set_default(limited, "nominalConcurrencyShares", json!(30));
        set_default(limited, "lendablePercent", json!(0));
        let queuing = ensure_obj(limited, "limitResponse").and_then(|r| obj_mut(r, "queuing"));
        if let Some(queuing) = queuing {
            set_if_zero(queuing, "handSize", 8);
            set_if_zero(queuing, "queues", 64);
            set_if_zero(queuing, "queueLengthLimit", 50);
        }
    }
}

/// A `[]string` field; wrong-typed items are reported and skipped.
fn strings(e: &mut Errs, parent: &Value, key: &str, path: &str) -> Vec<String> {
    let field = child(path, key);
    let Some(items) = e.arr(parent, key, &field) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) => out.push(text.to_string()),
            None => e.wrong_type(&index(&field, i), item, "string"),
        }
    }
    out
}

/// `spec` as an object (a cause when of another type; an empty one when absent).
fn spec_of(e: &mut Errs, obj: &Value) -> Value {
    e.obj(obj, "spec", "spec").map_or_else(|| json!({}), |m| Value::Object(m.clone()))
}

fn validate_flow_schema(e: &mut Errs, obj: &Value) {
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let spec = spec_of(e, obj);
    let precedence = e.int(&spec, "matchingPrecedence", "spec.matchingPrecedence").unwrap_or(0);
    if precedence <= 0 {
        e.invalid("spec.matchingPrecedence", &precedence.to_string(), "must be a positive value");
    }
    if precedence > 10000 {
        e.invalid("spec.matchingPrecedence", &precedence.to_string(), "must not be greater than 10000");
    }
    if precedence == 1 && name != "exempt" {
        e.invalid("spec.matchingPrecedence", "1", "only the schema named 'exempt' may have matchingPrecedence 1");
    }
    if let Some(method) = e.obj(&spec, "distinguisherMethod", "spec.distinguisherMethod") {
        let method_type = method.get("type").and_then(Value::as_str).unwrap_or("");
        if !matches!(method_type, "ByNamespace" | "ByUser") {
            let shown = format!("flowcontrol.FlowDistinguisherMethod{{Type:{}}}", quote(method_type));
            e.not_supported("spec.distinguisherMethod.type", &shown, &["ByNamespace", "ByUser"]);
        }
    }
    let level_path = "spec.priorityLevelConfiguration.name";
    let level = match e.obj(&spec, "priorityLevelConfiguration", "spec.priorityLevelConfiguration") {
        Some(reference) => e.str(&Value::Object(reference.clone()), "name", level_path).unwrap_or("").to_string(),
        None => String::new(),
    };
    if level.is_empty() {
        e.required(level_path, "must reference a priority level");
    } else {
        for msg in validate_name(NameRule::Subdomain, &level, false) {
            e.invalid(level_path, &quote(&level), &msg);
        }
    }
    for (i, rule) in e.arr(&spec, "rules", "spec.rules").cloned().unwrap_or_default().iter().enumerate() {
        validate_rules_with_subjects(e, rule, &index("spec.rules", i));
    }
    validate_conditions(e, obj);
}

fn validate_rules_with_subjects(e: &mut Errs, rule: &Value, path: &str) {
    let subjects = e.arr(rule, "subjects", &child(path, "subjects")).cloned().unwrap_or_default();
    if subjects.is_empty() {
        e.required(&child(path, "subjects"), "subjects must contain at least one value");
    }
    for (i, subject) in subjects.iter().enumerate() {
        validate_subject(e, subject, &index(&child(path, "subjects"), i));
    }
    let resource_rules = e.arr(rule, "resourceRules", &child(path, "resourceRules")).cloned().unwrap_or_default();
    let non_resource_rules =
        e.arr(rule, "nonResourceRules", &child(path, "nonResourceRules")).cloned().unwrap_or_default();
    if resource_rules.is_empty() && non_resource_rules.is_empty() {
        e.required(path, "at least one of resourceRules and nonResourceRules has to be non-empty");
    }
    for (i, r) in resource_rules.iter().enumerate() {
        validate_resource_rule(e, r, &index(&child(path, "resourceRules"), i));
    }
    for (i, r) in non_resource_rules.iter().enumerate() {
        validate_non_resource_rule(e, r, &index(&child(path, "nonResourceRules"), i));
    }
}

fn validate_subject(e: &mut Errs, subject: &Value, path: &str) {
    let has = |key: &str| subject.get(key).is_some_and(|v| !v.is_null());
    let forbid = |e: &mut Errs, key: &str, kind: &str| {
        if has(key) {
            e.forbidden(&child(path, key), &format!("{key} is forbidden when subject kind is not '{kind}'"));
        }
    };
    match e.str(subject, "kind", &child(path, "kind")).unwrap_or("") {
        "ServiceAccount" => {
            let sa_path = child(path, "serviceAccount");
            match e.obj(subject, "serviceAccount", &sa_path) {
                None => e.required(&sa_path, "serviceAccount is required when subject kind is 'ServiceAccount'"),
                Some(sa) => {
                    let sa = Value::Object(sa.clone());
                    let name = e.str(&sa, "name", &child(&sa_path, "name")).unwrap_or("");
                    if name.is_empty() {
                        e.required(&child(&sa_path, "name"), "");
                    } else if name != "*" {
                        for msg in validate_name(NameRule::Subdomain, name, false) {
                            e.invalid(&child(&sa_path, "name"), &quote(name), &msg);
                        }
                    }
                    let namespace = e.str(&sa, "namespace", &child(&sa_path, "namespace")).unwrap_or("");
                    if namespace.is_empty() {
                        e.required(&child(&sa_path, "namespace"), "must specify namespace for service account");
                    } else {
                        for msg in validate_name(NameRule::Label, namespace, false) {
                            e.invalid(&child(&sa_path, "namespace"), &quote(namespace), &msg);
                        }
                    }
                }
            }
            forbid(e, "user", "User");
            forbid(e, "group", "Group");
        }
        "User" => {
            validate_named_subject(e, subject, "user", path);
            forbid(e, "serviceAccount", "ServiceAccount");
            forbid(e, "group", "Group");
        }
        "Group" => {
            validate_named_subject(e, subject, "group", path);
            forbid(e, "serviceAccount", "ServiceAccount");
            forbid(e, "user", "User");
        }
        other => e.not_supported(&child(path, "kind"), &quote(other), &["Group", "ServiceAccount", "User"]),
    }
}

/// A user or group subject: present, with a name.
fn validate_named_subject(e: &mut Errs, subject: &Value, key: &str, path: &str) {
    let field = child(path, key);
    let kind = if key == "user" { "User" } else { "Group" };
    match e.obj(subject, key, &field) {
        None => e.required(&field, &format!("{key} is required when subject kind is '{kind}'")),
        Some(named) => {
            if named.get("name").and_then(Value::as_str).unwrap_or("").is_empty() {
                e.required(&child(&field, "name"), "");
            }
        }
    }
}

/// Verbs: required, `*` alone, or supported ones.
fn validate_verbs(e: &mut Errs, rule: &Value, path: &str) {
    let verbs = strings(e, rule, "verbs", path);
    let field = child(path, "verbs");
    if verbs.is_empty() {
        e.required(&field, "verbs must contain at least one value");
    } else if verbs.iter().any(|v| v == "*") {
        if verbs.len() > 1 {
            e.invalid(&field, &go_strings(&verbs), "if '*' is present, must not specify other verbs");
        }
    } else if !verbs.iter().all(|v| SUPPORTED_VERBS.contains(&v.as_str())) {
        e.not_supported(&field, &go_strings(&verbs), SUPPORTED_VERBS);
    }
}

fn validate_resource_rule(e: &mut Errs, rule: &Value, path: &str) {
    validate_verbs(e, rule, path);
    for (key, what, required) in [
        ("apiGroups", "api groups", "resource rules must supply at least one api group"),
        ("resources", "resources", "resource rules must supply at least one resource"),
    ] {
        let items = strings(e, rule, key, path);
        if items.is_empty() {
            e.required(&child(path, key), required);
        } else if items.len() > 1 && items.iter().any(|i| i == "*") {
            e.invalid(
                &child(path, key),
                &go_strings(&items),
                &format!("if '*' is present, must not specify other {what}"),
            );
        }
    }
    let namespaces = strings(e, rule, "namespaces", path);
    let cluster_scope = rule.get("clusterScope").and_then(Value::as_bool).unwrap_or(false);
    let field = child(path, "namespaces");
    if namespaces.is_empty() && !cluster_scope {
        e.required(&field, "resource rules that are not cluster scoped must supply at least one namespace");
    } else if namespaces.iter().any(|n| n == "*") {
        if namespaces.len() > 1 {
            e.invalid(&field, &go_strings(&namespaces), "if '*' is present, must not specify other namespaces");
        }
    } else {
        for (i, namespace) in namespaces.iter().enumerate() {
            for msg in validate_name(NameRule::Label, namespace, false) {
                e.invalid(&index(&field, i), &quote(namespace), &format!("{NAMESPACE_INTRO}{msg}"));
            }
        }
    }
}

fn validate_non_resource_rule(e: &mut Errs, rule: &Value, path: &str) {
    validate_verbs(e, rule, path);
    let urls = strings(e, rule, "nonResourceURLs", path);
    let field = child(path, "nonResourceURLs");
    if urls.is_empty() {
        e.required(&field, "nonResourceURLs must contain at least one value");
    } else if urls.iter().any(|u| u == "*") {
        if urls.len() > 1 {
            e.invalid(&field, &go_strings(&urls), "if '*' is present, must not specify other non-resource URLs");
        }
    } else {
        for (i, url) in urls.iter().enumerate() {
            if let Some(msg) = non_resource_url_error(url) {
                e.invalid(&index(&field, i), &quote(url), msg);
            }
        }
    }
}

/// `ValidateNonResourceURLPath`.
fn non_resource_url_error(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("must not be empty");
    }
    if path == "/" {
        return None;
    }
    if !path.starts_with('/') {
        return Some("must start with slash");
    }
    if path.contains(' ') {
        return Some("must not contain white-space");
    }
    if path.contains("//") {
        return Some("must not contain double slash");
    }
    let wildcards = path.matches('*').count();
    if wildcards > 1 || (wildcards == 1 && !path.ends_with("/*")) {
        return Some("wildcard can only do suffix matching");
    }
    None
}

/// Status conditions: each type once and not empty.
fn validate_conditions(e: &mut Errs, obj: &Value) {
    let Some(status) = obj.get("status").filter(|s| s.is_object()) else { return };
    let mut seen: Vec<String> = Vec::new();
    for (i, condition) in
        e.arr(status, "conditions", "status.conditions").cloned().unwrap_or_default().iter().enumerate()
    {
        let path = index("status.conditions", i);
        let condition_type = condition.get("type").and_then(Value::as_str).unwrap_or("").to_string();
        if seen.contains(&condition_type) {
            e.duplicate(&child(&path, "type"), &quote(&condition_type));
        }
        if condition_type.is_empty() {
            e.required(&child(&path, "type"), "must not be empty");
        }
        seen.push(condition_type);
    }
}

fn validate_priority_level(e: &mut Errs, obj: &Value) {
    let key = "flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares";
    if obj.pointer("/metadata/annotations").and_then(|a| a.get(key)).is_some() {
        e.forbidden("metadata.annotations", &format!("annotation '{key}' is forbidden"));
    }
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let spec = spec_of(e, obj);
    let level_type = e.str(&spec, "type", "spec.type").unwrap_or("");
    if (name == "exempt") != (level_type == "Exempt") {
        e.invalid("spec.type", &quote(level_type), "type must be 'Exempt' if and only if name is 'exempt'");
    }
    let exempt = e.obj(&spec, "exempt", "spec.exempt").map(|m| Value::Object(m.clone()));
    let limited = e.obj(&spec, "limited", "spec.limited").map(|m| Value::Object(m.clone()));
    match level_type {
        "Exempt" => {
            if limited.is_some() {
                e.forbidden("spec.limited", "must be nil if the type is not Limited");
            }
            if let Some(exempt) = exempt {
                validate_shares_and_lending(e, &exempt, "spec.exempt");
            }
        }
        "Limited" => {
            if exempt.is_some() {
                e.forbidden("spec.exempt", "must be nil if the type is Limited");
            }
            match limited {
                None => e.required("spec.limited", "must not be empty when type is Limited"),
                Some(limited) => validate_limited(e, &limited),
            }
        }
        other => e.not_supported("spec.type", &quote(other), &["Exempt", "Limited"]),
    }
    validate_conditions(e, obj);
}

/// nominalConcurrencyShares non-negative, lendablePercent within 0..=100.
fn validate_shares_and_lending(e: &mut Errs, config: &Value, path: &str) {
    let shares_path = child(path, "nominalConcurrencyShares");
    if let Some(shares) = e.int(config, "nominalConcurrencyShares", &shares_path).filter(|s| *s < 0) {
        e.invalid(&shares_path, &shares.to_string(), "must be a non-negative integer");
    }
    let lendable_path = child(path, "lendablePercent");
    if let Some(lendable) = e.int(config, "lendablePercent", &lendable_path).filter(|l| !(0..=100).contains(l)) {
        e.invalid(&lendable_path, &lendable.to_string(), "must be between 0 and 100, inclusive");
    }
}

fn validate_limited(e: &mut Errs, limited: &Value) {
    let path = "spec.limited";
    let shares_path = child(path, "nominalConcurrencyShares");
    if let Some(shares) = e.int(limited, "nominalConcurrencyShares", &shares_path).filter(|s| *s < 0) {
        e.invalid(&shares_path, &shares.to_string(), "must be a non-negative integer");
    }
    let response_path = child(path, "limitResponse");
    let response =
        e.obj(limited, "limitResponse", &response_path).map_or_else(|| json!({}), |m| Value::Object(m.clone()));
    let queuing_path = child(&response_path, "queuing");
    let queuing = e.obj(&response, "queuing", &queuing_path).map(|m| Value::Object(m.clone()));
    match e.str(&response, "type", &child(&response_path, "type")).unwrap_or("") {
        "Reject" => {
            if queuing.is_some() {
                e.forbidden(&queuing_path, "must be nil if limited.limitResponse.type is not Limited");
            }
        }
        "Queue" => match queuing {
            None => e.required(&queuing_path, "must not be empty if limited.limitResponse.type is Limited"),
            Some(queuing) => validate_queuing(e, &queuing, &queuing_path),
        },
        other => e.not_supported(&child(&response_path, "type"), &quote(other), &["Queue", "Reject"]),
    }
    let lendable_path = child(path, "lendablePercent");
    if let Some(lendable) = e.int(limited, "lendablePercent", &lendable_path).filter(|l| !(0..=100).contains(l)) {
        e.invalid(&lendable_path, &lendable.to_string(), "must be between 0 and 100, inclusive");
    }
    let borrowing_path = child(path, "borrowingLimitPercent");
    if let Some(borrowing) = e.int(limited, "borrowingLimitPercent", &borrowing_path).filter(|b| *b < 0) {
        e.invalid(&borrowing_path, &borrowing.to_string(), "if specified, must be a non-negative integer");
    }
}

fn validate_queuing(e: &mut Errs, queuing: &Value, path: &str) {
    let mut int = |key: &str| e.int(queuing, key, &child(path, key)).unwrap_or(0);
    let (queue_length_limit, queues, hand_size) = (int("queueLengthLimit"), int("queues"), int("handSize"));
    if queue_length_limit <= 0 {
        e.invalid(&child(path, "queueLengthLimit"), &queue_length_limit.to_string(), "must be positive");
    }
    if queues <= 0 {
        e.invalid(&child(path, "queues"), &queues.to_string(), "must be positive");
    } else if queues > MAX_QUEUES {
        e.invalid(&child(path, "queues"), &queues.to_string(), &format!("must not be greater than {MAX_QUEUES}"));
    }
    let hand_path = child(path, "handSize");
    if hand_size <= 0 {
        e.invalid(&hand_path, &hand_size.to_string(), "must be positive");
    } else if hand_size > queues {
        e.invalid(&hand_path, &hand_size.to_string(), &format!("should not be greater than queues ({queues})"));
    } else if (hand_size as f64 * (queues as f64).log2()).ceil() > MAX_HASH_BITS {
        let detail = format!(
            "required entropy bits of deckSize {queues} and handSize {hand_size} should not be greater than {MAX_HASH_BITS}"
        );
        e.invalid(&hand_path, &hand_size.to_string(), &detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn schema(spec: Value) -> Value {
        let mut fs = json!({"metadata": {"name": "s"}, "spec": spec});
        default_flow_schema(&mut fs);
        fs
    }

    #[test]
    fn flow_schema_defaults_precedence_and_validates() {
        let fs = schema(json!({"priorityLevelConfiguration": {"name": "global-default"},
            "distinguisherMethod": {"type": "ByUser"},
            "rules": [{"subjects": [{"kind": "Group", "group": {"name": "system:authenticated"}}],
                "resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "namespaces": ["*"]}]}]}));
        assert_eq!(fs["spec"]["matchingPrecedence"], 1000);
        assert!(errs(|e| validate_flow_schema(e, &fs)).is_empty());
    }

    #[test]
    fn flow_schema_messages() {
        let fs = schema(json!({"matchingPrecedence": 1, "distinguisherMethod": {"type": "ByColor"},
            "rules": [{"subjects": [{"kind": "User"}],
                "nonResourceRules": [{"verbs": ["*", "get"], "nonResourceURLs": ["healthz"]}]}]}));
        assert_eq!(
            errs(|e| validate_flow_schema(e, &fs)),
            vec![
                (
                    "spec.matchingPrecedence".into(),
                    "Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1".into()
                ),
                (
                    "spec.distinguisherMethod.type".into(),
                    "Unsupported value: flowcontrol.FlowDistinguisherMethod{Type:\"ByColor\"}: supported values: \"ByNamespace\", \"ByUser\"".into()
                ),
                ("spec.priorityLevelConfiguration.name".into(), "Required value: must reference a priority level".into()),
                ("spec.rules[0].subjects[0].user".into(), "Required value: user is required when subject kind is 'User'".into()),
                (
                    "spec.rules[0].nonResourceRules[0].verbs".into(),
                    "Invalid value: []string{\"*\", \"get\"}: if '*' is present, must not specify other verbs".into()
                ),
                (
                    "spec.rules[0].nonResourceRules[0].nonResourceURLs[0]".into(),
                    "Invalid value: \"healthz\": must start with slash".into()
                ),
            ]
        );
    }

    #[test]
    fn priority_level_defaults_queuing() {
        let mut pl = json!({"metadata": {"name": "p"}, "spec": {"type": "Limited", "limited": {"limitResponse": {"type": "Queue", "queuing": {}}}}});
        default_priority_level(&mut pl);
        assert_eq!(
            pl["spec"]["limited"],
            json!({"nominalConcurrencyShares": 30, "lendablePercent": 0,
                "limitResponse": {"type": "Queue", "queuing": {"handSize": 8, "queues": 64, "queueLengthLimit": 50}}})
        );
        assert!(errs(|e| validate_priority_level(e, &pl)).is_empty());
    }

    #[test]
    fn priority_level_messages() {
        let pl = json!({"metadata": {"name": "p"}, "spec": {"type": "Exempt"}});
        assert_eq!(
            errs(|e| validate_priority_level(e, &pl)),
            vec![(
                "spec.type".into(),
                "Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'".into()
            )]
        );
        let pl = json!({"metadata": {"name": "p"}, "spec": {"type": "Limited", "limited": {"lendablePercent": 101,
            "limitResponse": {"type": "Queue", "queuing": {"queues": 4, "handSize": 5, "queueLengthLimit": 0}}}}});
        assert_eq!(
            errs(|e| validate_priority_level(e, &pl)),
            vec![
                (
                    "spec.limited.limitResponse.queuing.queueLengthLimit".into(),
                    "Invalid value: 0: must be positive".into()
                ),
                (
                    "spec.limited.limitResponse.queuing.handSize".into(),
                    "Invalid value: 5: should not be greater than queues (4)".into()
                ),
                (
                    "spec.limited.lendablePercent".into(),
                    "Invalid value: 101: must be between 0 and 100, inclusive".into()
                ),
            ]
        );
        let pl = json!({"metadata": {"name": "p"}, "spec": {"type": "Limited"}});
        assert_eq!(
            errs(|e| validate_priority_level(e, &pl)),
            vec![("spec.limited".into(), "Required value: must not be empty when type is Limited".into())]
        );
    }
}
