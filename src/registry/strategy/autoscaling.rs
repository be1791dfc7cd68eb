//! The strategies of autoscaling: HorizontalPodAutoscaler, served as v2 (stored) and v1
//! (`pkg/apis/autoscaling/{v1,v2}/defaults.go`, `v1/conversion.go`, `validation`,
//! `pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go`).
//!
//! v1 has one metric, `targetCPUUtilizationPercentage`; upstream carries everything else of v2
//! through v1 in annotations (the other metrics, the behavior, the current metrics and the
//! conditions), so an object written in one version reads back whole in the other. v1 objects
//! are validated as upstream does, on their v2 (internal) form, so causes name v2 paths.

use serde_json::{json, Map, Value};

use super::field::{child, ensure_obj, index, quote, set_default, Errs};
use super::meta::path_segment_name;
use super::resources::parse_quantity;
use super::{Conversion, InitialStatus, Strategy};
use crate::machinery::validation::is_dns1123_label;
use crate::registry::tables;

pub(crate) static HORIZONTAL_POD_AUTOSCALER_V2: Strategy = Strategy {
    defaulter: default_v2,
    initial_status: InitialStatus::From(|_| json!({"currentMetrics": null, "desiredReplicas": 0})),
    validator: validate_v2,
    update_validator: Some(validate_v2_update),
    printer: &tables::autoscaling::HORIZONTAL_POD_AUTOSCALER,
    conversion: Some(&HPA_CONVERSION),
    ..Strategy::DEFAULT
};
pub(crate) static HORIZONTAL_POD_AUTOSCALER_V1: Strategy = Strategy {
    defaulter: default_v1,
    initial_status: InitialStatus::From(|_| json!({"currentReplicas": 0, "desiredReplicas": 0})),
    validator: validate_v1,
    update_validator: Some(validate_v1_update),
    printer: &tables::autoscaling::HORIZONTAL_POD_AUTOSCALER,
    conversion: Some(&HPA_CONVERSION),
    ..Strategy::DEFAULT
};

pub(crate) static HPA_CONVERSION: Conversion = Conversion {
    storage_api_version: "autoscaling/v2",
    to_storage: |version, object| {
        if version == "v1" {
            v1_to_v2(object);
        }
    },
    from_storage: |version, object| {
        if version == "v1" {
            v2_to_v1(object);
        }
    },
};

/// The annotations v1 carries v2's fields in.
const METRIC_SPECS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
const METRIC_STATUSES_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";
const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP_ANNOTATIONS: &[&str] =
    &[METRIC_SPECS_ANNOTATION, BEHAVIOR_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION];

/// Upstream's `DefaultCPUUtilization`.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

fn cpu_utilization_metric(percent: Value) -> Value {
    json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}}})
}

// ---- defaults ----

/// `SetDefaults_HorizontalPodAutoscaler` of v2: minReplicas 1, a CPU utilization metric of
/// 80% when none is given, and a given behavior completed with the default rules; and, as
/// v2's conversion, the v1 round-trip annotations dropped.
fn default_v2(object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    drop_round_trip_annotations(root);
    let Some(spec) = ensure_obj(root, "spec") else { return };
    set_default(spec, "minReplicas", json!(1));
    if spec.get("metrics").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        spec.insert("metrics".into(), json!([cpu_utilization_metric(json!(DEFAULT_CPU_UTILIZATION))]));
    }
    if let Some(behavior) = spec.get_mut("behavior").and_then(Value::as_object_mut) {
        let up = json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]});
        let down = json!({"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]});
        for (key, defaults) in [("scaleUp", up), ("scaleDown", down)] {
            let Value::Object(mut rules) = defaults else { continue };
            if let Some(given) = behavior.get(key).and_then(Value::as_object) {
                for (field, value) in given {
                    if !value.is_null() {
                        rules.insert(field.clone(), value.clone());
                    }
                }
            } else if behavior.get(key).is_some_and(|v| !v.is_null()) {
                continue;
            }
            behavior.insert(key.into(), Value::Object(rules));
        }
    }
}

/// `SetDefaults_HorizontalPodAutoscaler` of v1 (minReplicas 1), and the CPU target of 80%
/// that upstream's conversion gives a v1 object without metrics (shown in the v1 response).
fn default_v1(object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    let carries_metrics = root
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(METRIC_SPECS_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str::<Vec<Value>>(text).ok())
        .is_some_and(|metrics| !metrics.is_empty());
    let Some(spec) = ensure_obj(root, "spec") else { return };
    set_default(spec, "minReplicas", json!(1));
    if !carries_metrics {
        set_default(spec, "targetCPUUtilizationPercentage", json!(DEFAULT_CPU_UTILIZATION));
    }
}

fn drop_round_trip_annotations(root: &mut Map<String, Value>) {
    let annotations = root.get_mut("metadata").and_then(|m| m.get_mut("annotations")).and_then(Value::as_object_mut);
    if let Some(annotations) = annotations {
        for key in ROUND_TRIP_ANNOTATIONS {
            annotations.remove(*key);
        }
    }
}

// ---- conversion ----

/// Sets `m[key]` when `value` is not null.
fn put(m: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(value) = value.filter(|v| !v.is_null()) {
        m.insert(key.to_string(), value.clone());
    }
}

/// A Go non-pointer quantity: the value, or its zero "0".
fn quantity_or_zero(value: Option<&Value>) -> Value {
    value.filter(|v| !v.is_null()).cloned().unwrap_or(json!("0"))
}

fn metric_identifier(name: Option<&Value>, selector: Option<&Value>) -> Value {
    let mut identifier = Map::new();
    identifier.insert("name".into(), name.cloned().unwrap_or(json!("")));
    put(&mut identifier, "selector", selector);
    Value::Object(identifier)
}

fn target(type_: &str, value: Option<&Value>, average_value: Option<&Value>, utilization: Option<&Value>) -> Value {
    let mut target = Map::new();
    target.insert("type".into(), json!(type_));
    put(&mut target, "value", value);
    put(&mut target, "averageValue", average_value);
    put(&mut target, "averageUtilization", utilization);
    Value::Object(target)
}

fn is_set(value: Option<&Value>) -> bool {
    value.is_some_and(|v| !v.is_null())
}

/// A v1 `MetricSpec` (the annotation's) as v2's.
fn metric_spec_v1_to_v2(metric: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", metric.get("type"));
    if let Some(object) = metric.get("object").filter(|v| v.is_object()) {
        let type_ = if is_set(object.get("averageValue")) { "AverageValue" } else { "Value" };
        let value = quantity_or_zero(object.get("targetValue"));
        out.insert(
            "object".into(),
            json!({"describedObject": object.get("target").cloned().unwrap_or(json!({})),
                "metric": metric_identifier(object.get("metricName"), object.get("selector")),
                "target": target(type_, Some(&value), object.get("averageValue"), None)}),
        );
    }
    if let Some(pods) = metric.get("pods").filter(|v| v.is_object()) {
        let average = quantity_or_zero(pods.get("targetAverageValue"));
        out.insert(
            "pods".into(),
            json!({"metric": metric_identifier(pods.get("metricName"), pods.get("selector")),
                "target": target("AverageValue", None, Some(&average), None)}),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(resource) = metric.get(key).filter(|v| v.is_object()) {
            let utilization = resource.get("targetAverageUtilization");
            let type_ = if is_set(utilization) { "Utilization" } else { "AverageValue" };
            let mut source = Map::new();
            source.insert("name".into(), resource.get("name").cloned().unwrap_or(json!("")));
            if key == "containerResource" {
                source.insert("container".into(), resource.get("container").cloned().unwrap_or(json!("")));
            }
            source.insert("target".into(), target(type_, None, resource.get("targetAverageValue"), utilization));
            out.insert(key.into(), Value::Object(source));
        }
    }
    if let Some(external) = metric.get("external").filter(|v| v.is_object()) {
        let type_ = if is_set(external.get("targetValue")) { "Value" } else { "AverageValue" };
        out.insert(
            "external".into(),
            json!({"metric": metric_identifier(external.get("metricName"), external.get("metricSelector")),
                "target": target(type_, external.get("targetValue"), external.get("targetAverageValue"), None)}),
        );
    }
    Value::Object(out)
}

/// A v2 `MetricSpec` as v1's (for the annotation).
fn metric_spec_v2_to_v1(metric: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", metric.get("type"));
    let metric_name = |source: &Value| source.pointer("/metric/name").cloned().unwrap_or(json!(""));
    if let Some(object) = metric.get("object").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("target".into(), object.get("describedObject").cloned().unwrap_or(json!({"kind": "", "name": ""})));
        v1.insert("metricName".into(), metric_name(object));
        v1.insert("targetValue".into(), quantity_or_zero(object.pointer("/target/value")));
        put(&mut v1, "selector", object.pointer("/metric/selector"));
        put(&mut v1, "averageValue", object.pointer("/target/averageValue"));
        out.insert("object".into(), Value::Object(v1));
    }
    if let Some(pods) = metric.get("pods").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("metricName".into(), metric_name(pods));
        v1.insert("targetAverageValue".into(), quantity_or_zero(pods.pointer("/target/averageValue")));
        put(&mut v1, "selector", pods.pointer("/metric/selector"));
        out.insert("pods".into(), Value::Object(v1));
    }
    for key in ["resource", "containerResource"] {
        if let Some(resource) = metric.get(key).filter(|v| v.is_object()) {
            let mut v1 = Map::new();
            v1.insert("name".into(), resource.get("name").cloned().unwrap_or(json!("")));
            if key == "containerResource" {
                v1.insert("container".into(), resource.get("container").cloned().unwrap_or(json!("")));
            }
            put(&mut v1, "targetAverageUtilization", resource.pointer("/target/averageUtilization"));
            put(&mut v1, "targetAverageValue", resource.pointer("/target/averageValue"));
            out.insert(key.into(), Value::Object(v1));
        }
    }
    if let Some(external) = metric.get("external").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("metricName".into(), metric_name(external));
        put(&mut v1, "metricSelector", external.pointer("/metric/selector"));
        put(&mut v1, "targetValue", external.pointer("/target/value"));
        put(&mut v1, "targetAverageValue", external.pointer("/target/averageValue"));
        out.insert("external".into(), Value::Object(v1));
    }
    Value::Object(out)
}

/// A v1 `MetricStatus` (the annotation's) as v2's.
fn metric_status_v1_to_v2(metric: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", metric.get("type"));
    let current = |value: Option<&Value>, average: Option<&Value>, utilization: Option<&Value>| {
        let mut current = Map::new();
        put(&mut current, "value", value);
        put(&mut current, "averageValue", average);
        put(&mut current, "averageUtilization", utilization);
        Value::Object(current)
    };
    if let Some(object) = metric.get("object").filter(|v| v.is_object()) {
        let value = quantity_or_zero(object.get("currentValue"));
        out.insert(
            "object".into(),
            json!({"current": current(Some(&value), object.get("averageValue"), None),
                "describedObject": object.get("target").cloned().unwrap_or(json!({})),
                "metric": metric_identifier(object.get("metricName"), object.get("selector"))}),
        );
    }
    if let Some(pods) = metric.get("pods").filter(|v| v.is_object()) {
        let average = quantity_or_zero(pods.get("currentAverageValue"));
        out.insert(
            "pods".into(),
            json!({"current": current(None, Some(&average), None),
                "metric": metric_identifier(pods.get("metricName"), pods.get("selector"))}),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(resource) = metric.get(key).filter(|v| v.is_object()) {
            let average = quantity_or_zero(resource.get("currentAverageValue"));
            let mut v2 = Map::new();
            v2.insert("name".into(), resource.get("name").cloned().unwrap_or(json!("")));
            if key == "containerResource" {
                v2.insert("container".into(), resource.get("container").cloned().unwrap_or(json!("")));
            }
            v2.insert("current".into(), current(None, Some(&average), resource.get("currentAverageUtilization")));
            out.insert(key.into(), Value::Object(v2));
        }
    }
    if let Some(external) = metric.get("external").filter(|v| v.is_object()) {
        let value = quantity_or_zero(external.get("currentValue"));
        out.insert(
            "external".into(),
            json!({"current": current(Some(&value), external.get("currentAverageValue"), None),
                "metric": metric_identifier(external.get("metricName"), external.get("metricSelector"))}),
        );
    }
    Value::Object(out)
}

/// A v2 `MetricStatus` as v1's (for the annotation).
fn metric_status_v2_to_v1(metric: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", metric.get("type"));
    let metric_name = |source: &Value| source.pointer("/metric/name").cloned().unwrap_or(json!(""));
    if let Some(object) = metric.get("object").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("target".into(), object.get("describedObject").cloned().unwrap_or(json!({"kind": "", "name": ""})));
        v1.insert("metricName".into(), metric_name(object));
        v1.insert("currentValue".into(), quantity_or_zero(object.pointer("/current/value")));
        put(&mut v1, "selector", object.pointer("/metric/selector"));
        put(&mut v1, "averageValue", object.pointer("/current/averageValue"));
        out.insert("object".into(), Value::Object(v1));
    }
    if let Some(pods) = metric.get("pods").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("metricName".into(), metric_name(pods));
        v1.insert("currentAverageValue".into(), quantity_or_zero(pods.pointer("/current/averageValue")));
        put(&mut v1, "selector", pods.pointer("/metric/selector"));
        out.insert("pods".into(), Value::Object(v1));
    }
    for key in ["resource", "containerResource"] {
        if let Some(resource) = metric.get(key).filter(|v| v.is_object()) {
            let mut v1 = Map::new();
            v1.insert("name".into(), resource.get("name").cloned().unwrap_or(json!("")));
            if key == "containerResource" {
                v1.insert("container".into(), resource.get("container").cloned().unwrap_or(json!("")));
            }
            put(&mut v1, "currentAverageUtilization", resource.pointer("/current/averageUtilization"));
            v1.insert("currentAverageValue".into(), quantity_or_zero(resource.pointer("/current/averageValue")));
            out.insert(key.into(), Value::Object(v1));
        }
    }
    if let Some(external) = metric.get("external").filter(|v| v.is_object()) {
        let mut v1 = Map::new();
        v1.insert("metricName".into(), metric_name(external));
        v1.insert("currentValue".into(), quantity_or_zero(external.pointer("/current/value")));
        put(&mut v1, "currentAverageValue", external.pointer("/current/averageValue"));
        put(&mut v1, "metricSelector", external.pointer("/metric/selector"));
        out.insert("external".into(), Value::Object(v1));
    }
    Value::Object(out)
}

/// The behavior as the annotation holds it: upstream marshals its internal type, which has
/// no JSON tags, so keys are Go's field names and unset pointers are null.
fn behavior_to_go(behavior: &Value) -> Value {
    let rules = |rules: Option<&Value>| match rules.filter(|r| r.is_object()) {
        None => Value::Null,
        Some(rules) => {
            let policies = match rules.get("policies").and_then(Value::as_array) {
                None => Value::Null,
                Some(policies) => Value::Array(
                    policies
                        .iter()
                        .map(|p| {
                            json!({"Type": p.get("type").cloned().unwrap_or(json!("")),
                                "Value": p.get("value").cloned().unwrap_or(json!(0)),
                                "PeriodSeconds": p.get("periodSeconds").cloned().unwrap_or(json!(0))})
                        })
                        .collect(),
                ),
            };
            json!({"StabilizationWindowSeconds": rules.get("stabilizationWindowSeconds").cloned().unwrap_or(Value::Null),
                "SelectPolicy": rules.get("selectPolicy").cloned().unwrap_or(Value::Null),
                "Policies": policies})
        }
    };
    json!({"ScaleUp": rules(behavior.get("scaleUp")), "ScaleDown": rules(behavior.get("scaleDown"))})
}

/// The annotation's behavior back in v2's JSON; None when it sets neither direction.
fn behavior_from_go(go: &Value) -> Option<Value> {
    // Go's JSON decoding matches keys case-insensitively.
    let field = |object: &Value, name: &str| -> Option<Value> {
        object.as_object()?.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    };
    let rules = |rules: Option<Value>| -> Option<Value> {
        let rules = rules.filter(Value::is_object)?;
        let mut out = Map::new();
        put(&mut out, "stabilizationWindowSeconds", field(&rules, "StabilizationWindowSeconds").as_ref());
        put(&mut out, "selectPolicy", field(&rules, "SelectPolicy").as_ref());
        if let Some(Value::Array(policies)) = field(&rules, "Policies") {
            let policies: Vec<Value> = policies
                .iter()
                .map(|p| {
                    json!({"type": field(p, "Type").unwrap_or(json!("")), "value": field(p, "Value").unwrap_or(json!(0)),
                        "periodSeconds": field(p, "PeriodSeconds").unwrap_or(json!(0))})
                })
                .collect();
            out.insert("policies".into(), Value::Array(policies));
        }
        Some(Value::Object(out))
    };
    let up = rules(field(go, "ScaleUp"));
    let down = rules(field(go, "ScaleDown"));
    if up.is_none() && down.is_none() {
        return None;
    }
    let mut behavior = Map::new();
    put(&mut behavior, "scaleUp", up.as_ref());
    put(&mut behavior, "scaleDown", down.as_ref());
    Some(Value::Object(behavior))
}

fn is_cpu_utilization(metric: &Value) -> bool {
    metric.get("type").and_then(Value::as_str) == Some("Resource")
        && metric.pointer("/resource/name").and_then(Value::as_str) == Some("cpu")
        && is_set(metric.pointer("/resource/target/averageUtilization"))
}

/// `Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler` from v2's JSON.
fn v2_to_v1(object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    let spec = root.get("spec").cloned().unwrap_or(json!({}));
    let status = root.get("status").cloned().unwrap_or(json!({}));
    let metrics = spec.get("metrics").and_then(Value::as_array).cloned().unwrap_or_default();

    let mut v1_spec = Map::new();
    v1_spec.insert(
        "scaleTargetRef".into(),
        spec.get("scaleTargetRef").cloned().unwrap_or(json!({"kind": "", "name": ""})),
    );
    put(&mut v1_spec, "minReplicas", spec.get("minReplicas"));
    v1_spec.insert("maxReplicas".into(), spec.get("maxReplicas").cloned().unwrap_or(json!(0)));
    if let Some(cpu) = metrics.iter().find(|m| is_cpu_utilization(m)) {
        put(&mut v1_spec, "targetCPUUtilizationPercentage", cpu.pointer("/resource/target/averageUtilization"));
    }

    let mut v1_status = Map::new();
    put(&mut v1_status, "observedGeneration", status.get("observedGeneration"));
    put(&mut v1_status, "lastScaleTime", status.get("lastScaleTime"));
    v1_status.insert("currentReplicas".into(), status.get("currentReplicas").cloned().unwrap_or(json!(0)));
    v1_status.insert("desiredReplicas".into(), status.get("desiredReplicas").cloned().unwrap_or(json!(0)));
    let current_metrics = status.get("currentMetrics").and_then(Value::as_array).cloned().unwrap_or_default();
    for metric in &current_metrics {
        let is_cpu = metric.get("type").and_then(Value::as_str) == Some("Resource")
            && metric.pointer("/resource/name").and_then(Value::as_str) == Some("cpu");
        if is_cpu {
            put(
                &mut v1_status,
                "currentCPUUtilizationPercentage",
                metric.pointer("/resource/current/averageUtilization"),
            );
        }
    }
    let conditions = status.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();

    let mut annotations = Vec::new();
    let other_metrics: Vec<Value> =
        metrics.iter().filter(|m| !is_cpu_utilization(m)).map(metric_spec_v2_to_v1).collect();
    if !other_metrics.is_empty() {
        annotations.push((METRIC_SPECS_ANNOTATION, Value::Array(other_metrics)));
    }
    if !current_metrics.is_empty() {
        annotations.push((METRIC_STATUSES_ANNOTATION, current_metrics.iter().map(metric_status_v2_to_v1).collect()));
    }
    if let Some(behavior) = spec.get("behavior").filter(|b| b.is_object()) {
        annotations.push((BEHAVIOR_ANNOTATION, behavior_to_go(behavior)));
    }
    if !conditions.is_empty() {
        annotations.push((CONDITIONS_ANNOTATION, Value::Array(conditions)));
    }

    drop_round_trip_annotations(root);
    if !annotations.is_empty() {
        if let Some(carried) = ensure_obj(root, "metadata").and_then(|meta| ensure_obj(meta, "annotations")) {
            for (key, value) in annotations {
                carried.insert(key.into(), Value::String(value.to_string()));
            }
        }
    }
    root.insert("spec".into(), Value::Object(v1_spec));
    if root.contains_key("status") {
        root.insert("status".into(), Value::Object(v1_status));
    }
}

/// An annotation's JSON, when it is there and parses.
fn annotation_json(root: &Map<String, Value>, key: &str) -> Option<Value> {
    let text = root.get("metadata")?.get("annotations")?.get(key)?.as_str()?;
    serde_json::from_str(text).ok()
}

/// `Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler` into v2's JSON.
fn v1_to_v2(object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    let spec = root.get("spec").cloned().unwrap_or(json!({}));
    let status = root.get("status").cloned();

    let mut metrics: Vec<Value> = Vec::new();
    if let Some(percent) = spec.get("targetCPUUtilizationPercentage").filter(|v| !v.is_null()) {
        metrics.push(cpu_utilization_metric(percent.clone()));
    }
    if let Some(Value::Array(others)) = annotation_json(root, METRIC_SPECS_ANNOTATION) {
        let mut converted: Vec<Value> = others.iter().map(metric_spec_v1_to_v2).collect();
        converted.append(&mut metrics);
        metrics = converted;
    }
    if metrics.is_empty() {
        metrics.push(cpu_utilization_metric(json!(DEFAULT_CPU_UTILIZATION)));
    }
    let mut v2_spec = Map::new();
    v2_spec.insert(
        "scaleTargetRef".into(),
        spec.get("scaleTargetRef").cloned().unwrap_or(json!({"kind": "", "name": ""})),
    );
    put(&mut v2_spec, "minReplicas", spec.get("minReplicas"));
    v2_spec.insert("maxReplicas".into(), spec.get("maxReplicas").cloned().unwrap_or(json!(0)));
    v2_spec.insert("metrics".into(), Value::Array(metrics));
    if let Some(behavior) = annotation_json(root, BEHAVIOR_ANNOTATION).as_ref().and_then(behavior_from_go) {
        v2_spec.insert("behavior".into(), behavior);
    }

    if let Some(status) = status {
        let mut v2_status = Map::new();
        put(&mut v2_status, "observedGeneration", status.get("observedGeneration"));
        put(&mut v2_status, "lastScaleTime", status.get("lastScaleTime"));
        if let Some(replicas) = status.get("currentReplicas").filter(|r| r.as_i64().is_some_and(|n| n != 0)) {
            v2_status.insert("currentReplicas".into(), replicas.clone());
        }
        v2_status.insert("desiredReplicas".into(), status.get("desiredReplicas").cloned().unwrap_or(json!(0)));
        let mut current = Value::Null;
        if let Some(percent) = status.get("currentCPUUtilizationPercentage").filter(|v| !v.is_null()) {
            current =
                json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": percent}}}]);
        }
        if let Some(Value::Array(carried)) = annotation_json(root, METRIC_STATUSES_ANNOTATION) {
            current = Value::Array(carried.iter().map(metric_status_v1_to_v2).collect());
        }
        v2_status.insert("currentMetrics".into(), current);
        if let Some(Value::Array(conditions)) = annotation_json(root, CONDITIONS_ANNOTATION) {
            if !conditions.is_empty() {
                v2_status.insert("conditions".into(), Value::Array(conditions));
            }
        }
        root.insert("status".into(), Value::Object(v2_status));
    }
    root.insert("spec".into(), Value::Object(v2_spec));
    drop_round_trip_annotations(root);
    let empty =
        root.get("metadata").and_then(|m| m.get("annotations")).and_then(Value::as_object).is_some_and(Map::is_empty);
    if empty {
        if let Some(meta) = root.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("annotations");
        }
    }
}

// ---- validation (of v2's form) ----

fn validate_v2(e: &mut Errs, hpa: &Value) {
    validate_spec(e, hpa, 1);
}

fn validate_v2_update(e: &mut Errs, new: &Value, old: &Value) {
    // An object that already scales to zero may keep doing so.
    let lower_bound = if old.pointer("/spec/minReplicas").and_then(Value::as_i64) == Some(0) { 0 } else { 1 };
    validate_spec(e, new, lower_bound);
}

fn as_v2(hpa: &Value) -> Value {
    let mut converted = hpa.clone();
    v1_to_v2(&mut converted);
    converted
}

/// An object of either version in v2's form (what the printer reads).
pub(crate) fn v2_form(hpa: &Value) -> std::borrow::Cow<'_, Value> {
    if hpa.get("apiVersion").and_then(Value::as_str) == Some("autoscaling/v1") {
        std::borrow::Cow::Owned(as_v2(hpa))
    } else {
        std::borrow::Cow::Borrowed(hpa)
    }
}

fn validate_v1(e: &mut Errs, hpa: &Value) {
    validate_v2(e, &as_v2(hpa));
}

fn validate_v1_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_v2_update(e, &as_v2(new), &as_v2(old));
}

/// `validateHorizontalPodAutoscalerSpec`.
fn validate_spec(e: &mut Errs, hpa: &Value, min_replicas_lower_bound: i64) {
    let Some(spec) = e.obj(hpa, "spec", "spec").map(|m| Value::Object(m.clone())) else {
        e.invalid("spec.maxReplicas", "0", "must be greater than 0");
        e.required("spec.scaleTargetRef.kind", "");
        e.required("spec.scaleTargetRef.name", "");
        return;
    };
    let min_replicas = e.int(&spec, "minReplicas", "spec.minReplicas");
    let max_replicas = e.int(&spec, "maxReplicas", "spec.maxReplicas").unwrap_or(0);
    if let Some(min) = min_replicas.filter(|min| *min < min_replicas_lower_bound) {
        e.invalid(
            "spec.minReplicas",
            &min.to_string(),
            &format!("must be greater than or equal to {min_replicas_lower_bound}"),
        );
    }
    if max_replicas < 1 {
        e.invalid("spec.maxReplicas", &max_replicas.to_string(), "must be greater than 0");
    }
    if min_replicas.is_some_and(|min| max_replicas < min) {
        e.invalid("spec.maxReplicas", &max_replicas.to_string(), "must be greater than or equal to `minReplicas`");
    }
    let reference = spec.get("scaleTargetRef").cloned().unwrap_or(json!({}));
    validate_cross_version_object_reference(e, &reference, "spec.scaleTargetRef");
    let metrics = e.arr(&spec, "metrics", "spec.metrics").cloned().unwrap_or_default();
    let mut scales_to_zero = false;
    for (i, metric) in metrics.iter().enumerate() {
        validate_metric_spec(e, metric, &index("spec.metrics", i));
        scales_to_zero |= matches!(metric.get("type").and_then(Value::as_str), Some("Object" | "External"));
    }
    if min_replicas == Some(0) && !scales_to_zero {
        e.forbidden(
            "spec.metrics",
            "must specify at least one Object or External metric to support scaling to zero replicas",
        );
    }
    if let Some(behavior) = e.obj(&spec, "behavior", "spec.behavior").map(|m| Value::Object(m.clone())) {
        for direction in ["scaleUp", "scaleDown"] {
            let path = child("spec.behavior", direction);
            if let Some(rules) = e.obj(&behavior, direction, &path).map(|m| Value::Object(m.clone())) {
                validate_scaling_rules(e, &rules, &path);
            }
        }
    }
}

/// `ValidateCrossVersionObjectReference`.
fn validate_cross_version_object_reference(e: &mut Errs, reference: &Value, path: &str) {
    for key in ["kind", "name"] {
        let value = e.str(reference, key, &child(path, key)).unwrap_or("");
        if value.is_empty() {
            e.required(&child(path, key), "");
            continue;
        }
        for msg in path_segment_name(value) {
            e.invalid(&child(path, key), &quote(value), &msg);
        }
    }
}

/// `validateScalingRules`.
fn validate_scaling_rules(e: &mut Errs, rules: &Value, path: &str) {
    let window_path = child(path, "stabilizationWindowSeconds");
    if let Some(window) = e.int(rules, "stabilizationWindowSeconds", &window_path) {
        if window < 0 {
            e.invalid(&window_path, &window.to_string(), "must be greater than or equal to zero");
        }
        if window > 3600 {
            e.invalid(&window_path, &window.to_string(), "must be less than or equal to 3600");
        }
    }
    if let Some(select) = e.str(rules, "selectPolicy", &child(path, "selectPolicy")) {
        if !["Disabled", "Max", "Min"].contains(&select) {
            e.not_supported(&child(path, "selectPolicy"), &quote(select), &["Disabled", "Max", "Min"]);
        }
    }
    let policies_path = child(path, "policies");
    let policies = e.arr(rules, "policies", &policies_path).cloned().unwrap_or_default();
    if policies.is_empty() {
        e.required(&policies_path, "must specify at least one Policy");
    }
    for (i, policy) in policies.iter().enumerate() {
        let path = index(&policies_path, i);
        let type_ = e.str(policy, "type", &child(&path, "type")).unwrap_or("");
        if type_ != "Pods" && type_ != "Percent" {
            e.not_supported(&child(&path, "type"), &quote(type_), &["Percent", "Pods"]);
        }
        let value = e.int(policy, "value", &child(&path, "value")).unwrap_or(0);
        if value <= 0 {
            e.invalid(&child(&path, "value"), &value.to_string(), "must be greater than zero");
        }
        let period = e.int(policy, "periodSeconds", &child(&path, "periodSeconds")).unwrap_or(0);
        if period <= 0 {
            e.invalid(&child(&path, "periodSeconds"), &period.to_string(), "must be greater than zero");
        }
        if period > 1800 {
            e.invalid(&child(&path, "periodSeconds"), &period.to_string(), "must be less than or equal to 1800");
        }
    }
}

const METRIC_SOURCE_TYPES: &[&str] = &["ContainerResource", "External", "Object", "Pods", "Resource"];

/// `validateMetricSpec`: the type names exactly the one source that is set.
fn validate_metric_spec(e: &mut Errs, metric: &Value, path: &str) {
    let type_ = e.str(metric, "type", &child(path, "type")).unwrap_or("");
    if type_.is_empty() {
        e.required(&child(path, "type"), "must specify a metric source type");
    }
    if !METRIC_SOURCE_TYPES.contains(&type_) {
        e.not_supported(&child(path, "type"), &quote(type_), METRIC_SOURCE_TYPES);
    }
    let mut present = Vec::new();
    for key in ["object", "external", "pods", "resource", "containerResource"] {
        let Some(source) = metric.get(key).filter(|v| !v.is_null()) else { continue };
        present.push(key);
        if present.len() == 1 {
            let source_path = child(path, key);
            match key {
                "object" => validate_object_source(e, source, &source_path),
                "external" => validate_external_source(e, source, &source_path),
                "pods" => validate_pods_source(e, source, &source_path),
                _ => validate_resource_source(e, source, &source_path, key == "containerResource"),
            }
        }
    }
    let expected = match type_ {
        "Object" => "object",
        "Pods" => "pods",
        "Resource" => "resource",
        "External" => "external",
        "ContainerResource" => "containerResource",
        _ => {
            e.not_supported(&child(path, "type"), &quote(type_), METRIC_SOURCE_TYPES);
            ""
        }
    };
    if !expected.is_empty() && !present.contains(&expected) {
        e.required(&child(path, expected), "must populate information for the given metric source");
    }
    if present.len() != 1 {
        for key in present.iter().filter(|key| **key != expected) {
            e.forbidden(&child(path, key), "must populate the given metric source only");
        }
    }
}

fn validate_metric_identifier(e: &mut Errs, source: &Value, path: &str) {
    let name_path = child(path, "metric.name");
    let name = source.pointer("/metric/name").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() {
        e.required(&name_path, "must specify a metric name");
    }
    for msg in if name.is_empty() { Vec::new() } else { path_segment_name(name) } {
        e.invalid(&name_path, &quote(name), &msg);
    }
}

/// `validateMetricTarget`.
fn validate_metric_target(e: &mut Errs, target: &Value, path: &str) {
    let type_ = target.get("type").and_then(Value::as_str).unwrap_or("");
    if type_.is_empty() {
        e.required(&child(path, "type"), "must specify a metric target type");
    }
    if !["Utilization", "Value", "AverageValue"].contains(&type_) {
        e.invalid(&child(path, "type"), &quote(type_), "must be either Utilization, Value, or AverageValue");
    }
    for key in ["value", "averageValue"] {
        let Some(quantity) = target.get(key).filter(|v| !v.is_null()) else { continue };
        let positive = parse_quantity(quantity).is_ok_and(|q| !q.is_zero() && !q.is_negative());
        if !positive {
            let shown = quantity.as_str().map(quote).unwrap_or_else(|| quote(&quantity.to_string()));
            e.invalid(&child(path, key), &shown, "must be positive");
        }
    }
    if let Some(utilization) = target.get("averageUtilization").and_then(Value::as_i64).filter(|u| *u < 1) {
        e.invalid(&child(path, "averageUtilization"), &utilization.to_string(), "must be greater than 0");
    }
}

fn target_of(source: &Value) -> Value {
    source.get("target").cloned().unwrap_or(json!({}))
}

fn validate_object_source(e: &mut Errs, source: &Value, path: &str) {
    let described = source.get("describedObject").cloned().unwrap_or(json!({}));
    validate_cross_version_object_reference(e, &described, &child(path, "describedObject"));
    validate_metric_identifier(e, source, path);
    let target = target_of(source);
    validate_metric_target(e, &target, &child(path, "target"));
    if !is_set(target.get("value")) && !is_set(target.get("averageValue")) {
        e.required(&child(path, "target.averageValue"), "must set either a target value or averageValue");
    }
}

fn validate_external_source(e: &mut Errs, source: &Value, path: &str) {
    validate_metric_identifier(e, source, path);
    let target = target_of(source);
    validate_metric_target(e, &target, &child(path, "target"));
    let (value, average) = (is_set(target.get("value")), is_set(target.get("averageValue")));
    if !value && !average {
        e.required(
            &child(path, "target.averageValue"),
            "must set either a target value for metric or a per-pod target",
        );
    }
    if value && average {
        e.forbidden(&child(path, "target.value"), "may not set both a target value for metric and a per-pod target");
    }
}

fn validate_pods_source(e: &mut Errs, source: &Value, path: &str) {
    validate_metric_identifier(e, source, path);
    let target = target_of(source);
    validate_metric_target(e, &target, &child(path, "target"));
    if !is_set(target.get("averageValue")) {
        e.required(&child(path, "target.averageValue"), "must specify a positive target averageValue");
    }
}

fn validate_resource_source(e: &mut Errs, source: &Value, path: &str, per_container: bool) {
    let name = source.get("name").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() {
        e.required(&child(path, "name"), "must specify a resource name");
    }
    if per_container {
        let container = source.get("container").and_then(Value::as_str).unwrap_or("");
        if container.is_empty() {
            e.required(&child(path, "container"), "must specify a container");
        } else {
            for msg in is_dns1123_label(container) {
                e.invalid(&child(path, "container"), &quote(container), &msg);
            }
        }
    }
    let target = target_of(source);
    validate_metric_target(e, &target, &child(path, "target"));
    let (utilization, average) = (is_set(target.get("averageUtilization")), is_set(target.get("averageValue")));
    if !utilization && !average {
        e.required(
            &child(path, "target.averageUtilization"),
            "must set either a target raw value or a target utilization",
        );
    }
    if utilization && average {
        e.forbidden(
            &child(path, "target.averageValue"),
            "may not set both a target raw value and a target utilization",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn v2_hpa() -> Value {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default", "annotations": {"team": "a"}},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 5,
                "metrics": [
                    {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
                    cpu_utilization_metric(json!(60)),
                ],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 30}]}}},
            "status": {"currentReplicas": 2, "desiredReplicas": 3,
                "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 70, "averageValue": "140m"}}}],
                "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "lastTransitionTime": "2024-01-01T00:00:00Z"}]}})
    }

    #[test]
    fn v2_round_trips_through_v1() {
        let original = v2_hpa();
        let mut v1 = original.clone();
        v2_to_v1(&mut v1);
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
        assert_eq!(v1["status"]["currentCPUUtilizationPercentage"], 70);
        assert!(v1["spec"].get("metrics").is_none());
        let annotations = &v1["metadata"]["annotations"];
        let carried: Value =
            serde_json::from_str(annotations[METRIC_SPECS_ANNOTATION].as_str().unwrap_or("")).unwrap_or_default();
        assert_eq!(carried, json!([{"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}}]));
        let behavior: Value =
            serde_json::from_str(annotations[BEHAVIOR_ANNOTATION].as_str().unwrap_or("")).unwrap_or_default();
        assert_eq!(behavior["ScaleDown"]["StabilizationWindowSeconds"], 60);
        assert_eq!(behavior["ScaleUp"], Value::Null);
        assert_eq!(annotations["team"], "a");
        let mut back = v1.clone();
        v1_to_v2(&mut back);
        assert_eq!(back["spec"], original["spec"]);
        assert_eq!(back["status"], original["status"]);
        assert_eq!(back["metadata"], original["metadata"]);
    }

    #[test]
    fn v1_round_trips_through_v2() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 3,
                "targetCPUUtilizationPercentage": 50},
            "status": {"currentReplicas": 0, "desiredReplicas": 0}});
        let mut v2 = v1.clone();
        v1_to_v2(&mut v2);
        assert_eq!(v2["spec"]["metrics"], json!([cpu_utilization_metric(json!(50))]));
        assert_eq!(v2["status"], json!({"currentMetrics": null, "desiredReplicas": 0}));
        let mut back = v2.clone();
        v2_to_v1(&mut back);
        assert_eq!(back, v1);
    }

    #[test]
    fn v1_without_a_target_gets_80_percent() {
        let mut v1 = json!({"metadata": {"name": "x"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3}});
        default_v1(&mut v1);
        assert_eq!(v1["spec"]["minReplicas"], 1);
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 80);
        let mut bare = json!({"spec": {"maxReplicas": 3}});
        v1_to_v2(&mut bare);
        assert_eq!(bare["spec"]["metrics"], json!([cpu_utilization_metric(json!(80))]));
    }

    #[test]
    fn v2_defaults_fill_metrics_and_behavior() {
        let mut hpa = json!({"metadata": {"annotations": {METRIC_SPECS_ANNOTATION: "[]"}},
            "spec": {"maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
        default_v2(&mut hpa);
        assert_eq!(hpa["spec"]["minReplicas"], 1);
        assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
        assert_eq!(hpa["spec"]["behavior"]["scaleUp"]["policies"].as_array().map(Vec::len), Some(2));
        assert_eq!(hpa["spec"]["behavior"]["scaleUp"]["stabilizationWindowSeconds"], 0);
        assert_eq!(
            hpa["spec"]["behavior"]["scaleDown"],
            json!({"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]})
        );
        assert_eq!(hpa["metadata"]["annotations"], json!({}));
    }

    #[test]
    fn spec_validation_messages() {
        let hpa = json!({"spec": {"scaleTargetRef": {"kind": "Deployment"}, "minReplicas": 0, "maxReplicas": 0,
            "metrics": [{"type": "Resource", "pods": {}, "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}]}});
        assert_eq!(
            errs(|e| validate_v2(e, &hpa)),
            vec![
                ("spec.minReplicas".to_string(), "Invalid value: 0: must be greater than or equal to 1".to_string()),
                ("spec.maxReplicas".to_string(), "Invalid value: 0: must be greater than 0".to_string()),
                ("spec.scaleTargetRef.name".to_string(), "Required value".to_string()),
                ("spec.metrics[0].pods.metric.name".to_string(), "Required value: must specify a metric name".to_string()),
                ("spec.metrics[0].pods.target.type".to_string(), "Required value: must specify a metric target type".to_string()),
                ("spec.metrics[0].pods.target.type".to_string(), "Invalid value: \"\": must be either Utilization, Value, or AverageValue".to_string()),
                ("spec.metrics[0].pods.target.averageValue".to_string(), "Required value: must specify a positive target averageValue".to_string()),
                ("spec.metrics[0].pods".to_string(), "Forbidden: must populate the given metric source only".to_string()),
                ("spec.metrics".to_string(), "Forbidden: must specify at least one Object or External metric to support scaling to zero replicas".to_string()),
            ]
        );
    }

    #[test]
    fn v1_is_validated_on_its_v2_form() {
        let hpa = json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 2,
            "targetCPUUtilizationPercentage": 0}});
        assert_eq!(
            errs(|e| validate_v1(e, &hpa)),
            vec![
                (
                    "spec.maxReplicas".to_string(),
                    "Invalid value: 2: must be greater than or equal to `minReplicas`".to_string()
                ),
                (
                    "spec.metrics[0].resource.target.averageUtilization".to_string(),
                    "Invalid value: 0: must be greater than 0".to_string()
                ),
            ]
        );
    }

    #[test]
    fn behavior_rules_are_checked() {
        let hpa = json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 2,
            "behavior": {"scaleUp": {"stabilizationWindowSeconds": 4000, "selectPolicy": "Avg", "policies": []}}}});
        assert_eq!(
            errs(|e| validate_v2(e, &hpa)),
            vec![
                (
                    "spec.behavior.scaleUp.stabilizationWindowSeconds".to_string(),
                    "Invalid value: 4000: must be less than or equal to 3600".to_string()
                ),
                (
                    "spec.behavior.scaleUp.selectPolicy".to_string(),
                    "Unsupported value: \"Avg\": supported values: \"Disabled\", \"Max\", \"Min\"".to_string()
                ),
                (
                    "spec.behavior.scaleUp.policies".to_string(),
                    "Required value: must specify at least one Policy".to_string()
                ),
            ]
        );
    }
}
