//! The strategies of the core group's policy kinds: LimitRange (`SetDefaults_LimitRangeItem`,
//! `ValidateLimitRange`) and ResourceQuota (`ValidateResourceQuota` and its update, a `/status`
//! written by the quota controller).

use serde_json::{Map, Value};

use super::field::{child, ensure_obj, index, quote, Errs};
use super::resources::parse_quantity;
use super::Strategy;
use crate::machinery::quantity::Quantity;
use crate::machinery::validation::is_qualified_name;
use crate::registry::tables;

/// Upstream's `limitrangeStrategy`: container limits default from max and min; upstream has no
/// printer for LimitRanges, so tables show CREATED AT.
pub(crate) static LIMIT_RANGE: Strategy = Strategy {
    defaulter: default_limit_range,
    validator: validate_limit_range,
    printer: &tables::more_kinds::CREATED_AT,
    ..Strategy::DEFAULT
};

/// Upstream's `resourcequotaStrategy`: the status starts empty and is kept by spec updates (the
/// registry entry has `/status`); scopes are immutable.
pub(crate) static RESOURCE_QUOTA: Strategy = Strategy {
    validator: validate_resource_quota,
    update_validator: Some(validate_resource_quota_update),
    printer: &tables::quota::RESOURCE_QUOTA,
    ..Strategy::DEFAULT
};

// ---------------------------------------------------------------------------------------------
// Resource names (pkg/apis/core/helper)

/// `standardResources`.
const STANDARD_RESOURCES: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// `standardQuotaResources`: the standard resources but `storage`.
fn is_standard_quota_resource(name: &str) -> bool {
    (name != "storage" && STANDARD_RESOURCES.contains(&name)) || is_quota_huge_pages(name)
}

fn is_quota_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-") || name.starts_with("requests.hugepages-")
}

/// `integerResources`, and extended resources.
fn is_integer_resource(name: &str) -> bool {
    const INTEGER: &[&str] = &[
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    ];
    INTEGER.contains(&name) || is_extended_resource(name)
}

/// Native resources have no domain or one under kubernetes.io.
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsExtendedResourceName`: a fully qualified, non-native name that may follow `requests.`.
fn is_extended_resource(name: &str) -> bool {
    if is_native_resource(name) || name.starts_with("requests.") {
        return false;
    }
    is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// `validateResourceName`: qualified, and standard unless it has a domain.
fn validate_resource_name(e: &mut Errs, name: &str, path: &str) -> bool {
    let messages = is_qualified_name(name);
    for message in &messages {
        e.invalid(path, &quote(name), message);
    }
    if !messages.is_empty() {
        return false;
    }
    if !name.contains('/') && !STANDARD_RESOURCES.contains(&name) && !is_quota_huge_pages(name) {
        e.invalid(path, &quote(name), "must be a standard resource type or fully qualified");
        return false;
    }
    true
}

/// `validateContainerResourceName`.
fn validate_container_resource_name(e: &mut Errs, name: &str, path: &str) {
    let valid = validate_resource_name(e, name, path);
    if !name.contains('/') {
        let standard = matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-");
        if !standard && valid {
            e.invalid(path, &quote(name), "must be a standard resource for containers");
        }
    } else if !is_native_resource(name) && !is_extended_resource(name) {
        e.invalid(path, &quote(name), "doesn't follow extended resource name standard");
    }
}

/// A resource list at `key` of `parent`: its names and parsed quantities (unparseable ones are
/// reported, as decoding them would fail upstream).
fn resource_list(e: &mut Errs, parent: &Value, key: &str, path: &str) -> Vec<(String, Quantity)> {
    let Some(list) = e.obj(parent, key, path) else { return Vec::new() };
    let mut parsed = Vec::new();
    for (name, value) in list {
        let item = format!("{path}[{name}]");
        match parse_quantity(value) {
            Ok(quantity) => parsed.push((name.clone(), quantity)),
            Err(err) => e.invalid(
                &item,
                &quote(&value.as_str().map_or_else(|| value.to_string(), str::to_string)),
                &err.to_string(),
            ),
        }
    }
    parsed
}

// ---------------------------------------------------------------------------------------------
// LimitRange

/// `SetDefaults_LimitRangeItem`: a Container item's default limit is its max, its default
/// request its default limit, else its min.
fn default_limit_range(obj: &mut Value) {
    let Some(limits) = obj.pointer_mut("/spec/limits").and_then(Value::as_array_mut) else { return };
    for item in limits.iter_mut().filter_map(Value::as_object_mut) {
        if item.get("type").and_then(Value::as_str) != Some("Container") {
            continue;
        }
        let list = |item: &Map<String, Value>, key: &str| {
            item.get(key).and_then(Value::as_object).cloned().unwrap_or_default()
        };
        if [item.get("default"), item.get("defaultRequest")]
            .iter()
            .any(|l| l.is_some_and(|l| !l.is_object() && !l.is_null()))
        {
            continue; // not a resource list: left to validation
        }
        let (max, min) = (list(item, "max"), list(item, "min"));
        let mut default = list(item, "default");
        for (name, value) in &max {
            default.entry(name.clone()).or_insert_with(|| value.clone());
        }
        let mut default_request = list(item, "defaultRequest");
        for (name, value) in default.iter().chain(&min) {
            default_request.entry(name.clone()).or_insert_with(|| value.clone());
        }
        for (key, filled) in [("default", default), ("defaultRequest", default_request)] {
            if !filled.is_empty() {
                if let Some(slot) = ensure_obj(item, key) {
                    *slot = filled;
                }
            }
        }
    }
}

/// `ValidateLimitRange`.
fn validate_limit_range(e: &mut Errs, obj: &Value) {
    let Some(spec) = e.obj(obj, "spec", "spec") else { return };
    let spec = Value::Object(spec.clone());
    let Some(limits) = e.arr(&spec, "limits", "spec.limits") else { return };
    let mut seen_types = Vec::new();
    for (i, item) in limits.iter().enumerate() {
        let path = index("spec.limits", i);
        if !item.is_object() {
            e.wrong_type(&path, item, "object");
            continue;
        }
        let kind = e.str(item, "type", &child(&path, "type")).unwrap_or_default().to_string();
        validate_limit_type(e, &kind, &child(&path, "type"));
        if seen_types.contains(&kind) {
            e.duplicate(&child(&path, "type"), &quote(&kind));
        }
        seen_types.push(kind.clone());
        let check_name = |e: &mut Errs, name: &str, p: &str| match kind.as_str() {
            "Pod" | "Container" => validate_container_resource_name(e, name, p),
            _ => {
                validate_resource_name(e, name, p);
            }
        };
        let mut lists: Vec<(&str, Vec<(String, Quantity)>)> = Vec::new();
        for key in ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] {
            let list_path = child(&path, key);
            if kind == "Pod" && matches!(key, "default" | "defaultRequest") {
                if item.get(key).and_then(Value::as_object).is_some_and(|l| !l.is_empty()) {
                    e.forbidden(&list_path, "may not be specified when `type` is 'Pod'");
                }
                lists.push((key, Vec::new()));
                continue;
            }
            let list = resource_list(e, item, key, &list_path);
            for (name, _) in &list {
                check_name(e, name, &format!("{list_path}[{name}]"));
            }
            lists.push((key, list));
        }
        let get = |key: &str, name: &str| {
            lists.iter().find(|(k, _)| *k == key).and_then(|(_, l)| l.iter().find(|(n, _)| n == name)).map(|(_, q)| *q)
        };
        if kind == "PersistentVolumeClaim" && get("min", "storage").is_none() && get("max", "storage").is_none() {
            e.required(
                &child(&path, "limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            );
        }
        let mut names: Vec<String> = lists.iter().flat_map(|(_, l)| l.iter().map(|(n, _)| n.clone())).collect();
        names.sort();
        names.dedup();
        for name in names {
            let at = |key: &str| format!("{}[{name}]", child(&path, key));
            let (min, max) = (get("min", &name), get("max", &name));
            let (default, request, ratio) =
                (get("default", &name), get("defaultRequest", &name), get("maxLimitRequestRatio", &name));
            let shown = |q: &Quantity| quote(&q.to_string());
            if let (Some(min), Some(max)) = (&min, &max) {
                if min > max {
                    e.invalid(&at("min"), &shown(min), &format!("min value {min} is greater than max value {max}"));
                }
            }
            if let (Some(request), Some(min)) = (&request, &min) {
                if min > request {
                    e.invalid(
                        &at("defaultRequest"),
                        &shown(request),
                        &format!("min value {min} is greater than default request value {request}"),
                    );
                }
            }
            if let (Some(request), Some(max)) = (&request, &max) {
                if request > max {
                    e.invalid(
                        &at("defaultRequest"),
                        &shown(request),
                        &format!("default request value {request} is greater than max value {max}"),
                    );
                }
            }
            if let (Some(request), Some(default)) = (&request, &default) {
                if request > default {
                    e.invalid(
                        &at("defaultRequest"),
                        &shown(request),
                        &format!("default request value {request} is greater than default limit value {default}"),
                    );
                }
            }
            if let (Some(default), Some(min)) = (&default, &min) {
                if min > default {
                    e.invalid(
                        &at("default"),
                        &shown(min),
                        &format!("min value {min} is greater than default value {default}"),
                    );
                }
            }
            if let (Some(default), Some(max)) = (&default, &max) {
                if default > max {
                    e.invalid(
                        &at("default"),
                        &shown(max),
                        &format!("default value {default} is greater than max value {max}"),
                    );
                }
            }
            if let Some(ratio) = &ratio {
                if *ratio < Quantity::from_units(1) {
                    e.invalid(&at("maxLimitRequestRatio"), &shown(ratio), &format!("ratio {ratio} is less than 1"));
                }
                if let (Some(min), Some(max)) = (&min, &max) {
                    if let (Ok(r), Ok(lo), Ok(hi)) = (ratio.milli_value(), min.milli_value(), max.milli_value()) {
                        let limit = hi as f64 / lo as f64;
                        if r as f64 / 1000.0 > limit {
                            e.invalid(
                                &at("maxLimitRequestRatio"),
                                &shown(ratio),
                                &format!("ratio {ratio} is greater than max/min = {limit:.6}"),
                            );
                        }
                    }
                }
            }
            let overcommit = !name.starts_with("hugepages-") && is_native_resource(&name);
            if let (false, Some(default), Some(request)) = (overcommit, &default, &request) {
                if default != request {
                    e.invalid(
                        &at("defaultRequest"),
                        &shown(request),
                        &format!("default value {default} must equal to defaultRequest value {request} in {name}"),
                    );
                }
            }
        }
    }
}

/// `validateLimitRangeTypeName`.
fn validate_limit_type(e: &mut Errs, kind: &str, path: &str) {
    let messages = is_qualified_name(kind);
    for message in &messages {
        e.invalid(path, &quote(kind), message);
    }
    if messages.is_empty() && !kind.contains('/') && !matches!(kind, "Pod" | "Container" | "PersistentVolumeClaim") {
        e.invalid(path, &quote(kind), "must be a standard limit type or fully qualified");
    }
}

// ---------------------------------------------------------------------------------------------
// ResourceQuota

/// `ValidateResourceQuota`: the spec and the status's resource lists.
fn validate_resource_quota(e: &mut Errs, obj: &Value) {
    validate_resource_quota_spec(e, obj);
    if let Some(status) = e.obj(obj, "status", "status") {
        let status = Value::Object(status.clone());
        validate_quota_list(e, &status, "hard", "status.hard");
        validate_quota_list(e, &status, "used", "status.used");
    }
}

/// `ValidateResourceQuotaUpdate`: the spec, and scopes that stay as they were.
fn validate_resource_quota_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_resource_quota_spec(e, new);
    let scopes = |o: &Value| {
        let mut scopes: Vec<String> = o
            .pointer("/spec/scopes")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        scopes.sort();
        scopes.dedup();
        scopes
    };
    if scopes(new) != scopes(old) {
        let shown = go_string_slice(new.pointer("/spec/scopes"));
        e.invalid("spec.scopes", &shown, "field is immutable");
    }
}

/// Go's `%#v` of a `[]core.ResourceQuotaScope`.
fn go_string_slice(list: Option<&Value>) -> String {
    match list.and_then(Value::as_array) {
        Some(items) if !items.is_empty() => {
            let items: Vec<String> = items.iter().map(|i| quote(i.as_str().unwrap_or_default())).collect();
            format!("[]core.ResourceQuotaScope{{{}}}", items.join(", "))
        }
        _ => "[]core.ResourceQuotaScope(nil)".to_string(),
    }
}

/// Scopes upstream knows.
const SCOPES: &[&str] =
    &["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];

/// `ValidateResourceQuotaSpec`: hard resources and scopes.
fn validate_resource_quota_spec(e: &mut Errs, obj: &Value) {
    let Some(spec) = e.obj(obj, "spec", "spec") else { return };
    let spec = Value::Object(spec.clone());
    validate_quota_list(e, &spec, "hard", "spec.hard");
    let Some(scopes) = e.arr(&spec, "scopes", "spec.scopes") else { return };
    let names: Vec<&str> = scopes.iter().filter_map(Value::as_str).collect();
    let shown = go_string_slice(spec.get("scopes"));
    let hard: Vec<String> =
        spec.get("hard").and_then(Value::as_object).map(|h| h.keys().cloned().collect()).unwrap_or_default();
    for scope in &names {
        if !SCOPES.contains(scope) {
            e.invalid("spec.scopes", &shown, "unsupported scope");
        }
        for resource in &hard {
            if is_standard_quota_resource(resource) && !scope_applies(scope, resource) {
                e.invalid("spec.scopes", &shown, "unsupported scope applied to resource");
            }
        }
    }
    let conflicting = [("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")];
    for (a, b) in conflicting {
        if names.contains(&a) && names.contains(&b) {
            e.invalid("spec.scopes", &shown, "conflicting scopes");
        }
    }
}

/// `IsResourceQuotaScopeValidForResource`: BestEffort quotas count pods only; the others pods
/// and compute resources.
fn scope_applies(scope: &str, resource: &str) -> bool {
    const POD_OBJECT_COUNT: &[&str] = &["pods", "count/pods"];
    const POD_COMPUTE: &[&str] = &["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"];
    match scope {
        "BestEffort" => POD_OBJECT_COUNT.contains(&resource),
        "Terminating" | "NotTerminating" | "NotBestEffort" | "PriorityClass" | "CrossNamespacePodAffinity" => {
            POD_OBJECT_COUNT.contains(&resource) || POD_COMPUTE.contains(&resource) || is_quota_huge_pages(resource)
        }
        _ => true,
    }
}

/// A quota's resource list: quota resource names, non-negative, whole for counted resources.
fn validate_quota_list(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    for (name, quantity) in resource_list(e, parent, key, path) {
        let item = format!("{path}[{name}]");
        validate_resource_name(e, &name, &item);
        if !name.contains('/') && !is_standard_quota_resource(&name) {
            e.invalid(&item, &quote(&name), "must be a standard resource for quota");
        }
        if quantity.is_negative() {
            e.invalid(&item, &quote(&quantity.to_string()), "must be greater than or equal to 0");
        }
        if is_integer_resource(&name) && quantity.milli_value().is_ok_and(|m| m % 1000 != 0) {
            e.invalid(&item, &quote(&quantity.to_string()), "must be an integer");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;
    use serde_json::json;

    #[test]
    fn container_limits_default_from_max_and_min() {
        let mut lr = json!({"spec": {"limits": [
            {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}, "default": {"memory": "256Mi"}},
            {"type": "Pod", "max": {"cpu": "4"}}]}});
        default_limit_range(&mut lr);
        assert_eq!(lr["spec"]["limits"][0]["default"], json!({"cpu": "2", "memory": "256Mi"}));
        assert_eq!(lr["spec"]["limits"][0]["defaultRequest"], json!({"cpu": "2", "memory": "256Mi"}));
        assert!(lr["spec"]["limits"][1].get("default").is_none());
        let mut only_min = json!({"spec": {"limits": [{"type": "Container", "min": {"cpu": "100m"}}]}});
        default_limit_range(&mut only_min);
        assert_eq!(only_min["spec"]["limits"][0]["defaultRequest"], json!({"cpu": "100m"}));
        assert!(only_min["spec"]["limits"][0].get("default").is_none());
    }

    #[test]
    fn a_valid_limit_range_passes() {
        let mut lr = json!({"spec": {"limits": [{"type": "Container", "max": {"cpu": "2", "memory": "1Gi"}, "min": {"cpu": "100m"}},
            {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}}]}});
        default_limit_range(&mut lr);
        assert_eq!(errs(|e| validate_limit_range(e, &lr)), vec![]);
    }

    #[test]
    fn limit_range_messages_are_upstreams() {
        let lr = json!({"spec": {"limits": [
            {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "2"}},
            {"type": "Container"},
            {"type": "Pod", "default": {"cpu": "1"}},
            {"type": "PersistentVolumeClaim"},
            {"type": "Bogus"},
            {"type": "Container", "max": {"memory": "1Gi"}, "default": {"memory": "2Gi"}, "maxLimitRequestRatio": {"cpu": "500m"}}]}});
        let causes = errs(|e| validate_limit_range(e, &lr));
        let expected = [
            ("spec.limits[0].min[cpu]", "Invalid value: \"2\": min value 2 is greater than max value 1"),
            ("spec.limits[1].type", "Duplicate value: \"Container\""),
            ("spec.limits[2].default", "Forbidden: may not be specified when `type` is 'Pod'"),
            (
                "spec.limits[3].limits",
                "Required value: either minimum or maximum storage value is required, but neither was provided",
            ),
            ("spec.limits[4].type", "Invalid value: \"Bogus\": must be a standard limit type or fully qualified"),
            (
                "spec.limits[5].default[memory]",
                "Invalid value: \"1Gi\": default value 2Gi is greater than max value 1Gi",
            ),
            ("spec.limits[5].maxLimitRequestRatio[cpu]", "Invalid value: \"500m\": ratio 500m is less than 1"),
        ];
        for (field, message) in expected {
            assert!(causes.contains(&(field.to_string(), message.to_string())), "{field}: {message} in {causes:?}");
        }
    }

    #[test]
    fn quota_resources_must_be_quota_resources() {
        let quota = json!({"spec": {"hard": {"pods": "1.5", "cpu": "-1", "foo": "1", "example.com/gpu": "2", "requests.memory": "1Gi"}}});
        let causes = errs(|e| validate_resource_quota(e, &quota));
        assert_eq!(
            causes,
            vec![
                ("spec.hard[cpu]".into(), "Invalid value: \"-1\": must be greater than or equal to 0".into()),
                (
                    "spec.hard[foo]".into(),
                    "Invalid value: \"foo\": must be a standard resource type or fully qualified".into()
                ),
                ("spec.hard[foo]".into(), "Invalid value: \"foo\": must be a standard resource for quota".into()),
                ("spec.hard[pods]".into(), "Invalid value: \"1500m\": must be an integer".into()),
            ]
        );
    }

    #[test]
    fn quota_scopes_must_fit_and_not_change() {
        let quota = json!({"spec": {"hard": {"cpu": "1"}, "scopes": ["BestEffort", "NotBestEffort"]}});
        let causes = errs(|e| validate_resource_quota(e, &quota));
        assert!(causes.contains(&("spec.scopes".into(), "Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\"}: unsupported scope applied to resource".into())));
        assert!(causes.contains(&(
            "spec.scopes".into(),
            "Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\"}: conflicting scopes".into()
        )));
        let old = json!({"spec": {"hard": {"pods": "1"}, "scopes": ["BestEffort"]}});
        let new = json!({"spec": {"hard": {"pods": "1"}}});
        assert_eq!(
            errs(|e| validate_resource_quota_update(e, &new, &old)),
            vec![("spec.scopes".into(), "Invalid value: []core.ResourceQuotaScope(nil): field is immutable".into())]
        );
    }
}
