//! The HorizontalPodAutoscaler table (upstream's `printHorizontalPodAutoscaler` and
//! `formatHPAMetrics`), over the v2 form: a v1 object is read as its v2 conversion, as
//! upstream prints the internal version whichever version was asked for.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{age, arr_at, col, n, name_cell, opt_int_at, s, str_at, Column, Printer, AGE, NAME};
use crate::registry::strategy::autoscaling::v2_form;

const HORIZONTAL_POD_AUTOSCALER_COLUMNS: &[Column] = &[
    NAME,
    col("Reference", "string", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
    col("Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond."),
    col("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
    col("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
    col("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
    AGE,
];

pub static HORIZONTAL_POD_AUTOSCALER: Printer =
    Printer { columns: HORIZONTAL_POD_AUTOSCALER_COLUMNS, cells: horizontal_pod_autoscaler_cells };

fn horizontal_pod_autoscaler_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let hpa = v2_form(o);
    let reference =
        format!("{}/{}", str_at(&hpa, "/spec/scaleTargetRef/kind"), str_at(&hpa, "/spec/scaleTargetRef/name"));
    let min_pods = opt_int_at(&hpa, "/spec/minReplicas").map_or_else(|| "<unset>".to_string(), |min| min.to_string());
    vec![
        name_cell(o),
        s(reference),
        s(format_metrics(arr_at(&hpa, "/spec/metrics"), arr_at(&hpa, "/status/currentMetrics"))),
        s(min_pods),
        n(opt_int_at(&hpa, "/spec/maxReplicas").unwrap_or(0)),
        n(opt_int_at(&hpa, "/status/currentReplicas").unwrap_or(0)),
        s(age(o, now)),
    ]
}

/// A quantity as `Quantity.String()` prints it (what the server stored), `<nil>` when unset.
fn quantity(v: &Value, pointer: &str) -> String {
    match v.pointer(pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "<nil>".to_string(),
    }
}

/// Upstream's `formatHPAMetrics`: each metric's `current/target`, at most two, then `+ N more...`.
fn format_metrics(specs: &[Value], statuses: &[Value]) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 2;
    let mut list = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        let current_of = |source: &str, pointer: &str| {
            status
                .and_then(|st| st.get(source))
                .filter(|src| !src.is_null())
                .map(|src| quantity(src, pointer))
                .unwrap_or_else(|| "<unknown>".to_string())
        };
        let has = |pointer: &str| spec.pointer(pointer).is_some_and(|v| !v.is_null());
        let text = match spec.get("type").and_then(Value::as_str).unwrap_or("") {
            source_type @ ("External" | "Object") => {
                let source = if source_type == "External" { "external" } else { "object" };
                if has(&format!("/{source}/target/averageValue")) {
                    // Upstream checks the average itself here, not only the source.
                    let current = status
                        .and_then(|st| st.get(source))
                        .filter(|src| src.pointer("/current/averageValue").is_some_and(|v| !v.is_null()))
                        .map_or_else(|| "<unknown>".to_string(), |src| quantity(src, "/current/averageValue"));
                    format!("{current}/{} (avg)", quantity(spec, &format!("/{source}/target/averageValue")))
                } else {
                    format!(
                        "{}/{}",
                        current_of(source, "/current/value"),
                        quantity(spec, &format!("/{source}/target/value"))
                    )
                }
            }
            "Pods" => format!(
                "{}/{}",
                current_of("pods", "/current/averageValue"),
                quantity(spec, "/pods/target/averageValue")
            ),
            source_type @ ("Resource" | "ContainerResource") => {
                let source = if source_type == "Resource" { "resource" } else { "containerResource" };
                let name = str_at(spec, &format!("/{source}/name"));
                if has(&format!("/{source}/target/averageValue")) {
                    let target = quantity(spec, &format!("/{source}/target/averageValue"));
                    format!("{name}: {}/{target}", current_of(source, "/current/averageValue"))
                } else {
                    let current = status
                        .and_then(|st| st.get(source))
                        .and_then(|src| opt_int_at(src, "/current/averageUtilization"))
                        .map_or_else(|| "<unknown>".to_string(), |u| format!("{u}%"));
                    let target = opt_int_at(spec, &format!("/{source}/target/averageUtilization"))
                        .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                    format!("{name}: {current}/{target}")
                }
            }
            _ => "<unknown type>".to_string(),
        };
        list.push(text);
    }
    let count = list.len();
    if count > MAX {
        list.truncate(MAX);
        return format!("{} + {} more...", list.join(", "), count - MAX);
    }
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(o: &Value) -> Vec<Value> {
        horizontal_pod_autoscaler_cells(o, Utc::now())
    }

    #[test]
    fn new_v2_autoscaler_shows_unknown_cpu() {
        let hpa = json!({"apiVersion": "autoscaling/v2", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 3,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]},
            "status": {"currentMetrics": null, "desiredReplicas": 0}});
        let cells = row(&hpa);
        assert_eq!(cells[1..6], [json!("Deployment/web"), json!("cpu: <unknown>/80%"), json!("1"), json!(3), json!(0)]);
    }

    #[test]
    fn v1_autoscaler_prints_as_its_v2_form() {
        let hpa = json!({"apiVersion": "autoscaling/v1", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3, "targetCPUUtilizationPercentage": 50},
            "status": {"currentReplicas": 2, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 12}});
        let cells = row(&hpa);
        assert_eq!(cells[2], json!("cpu: 12%/50%"));
        assert_eq!(cells[3], json!("<unset>"));
        assert_eq!(cells[5], json!(2));
    }

    #[test]
    fn object_and_external_metrics_show_averages_and_values() {
        let specs = vec![
            json!({"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": "30"}}}),
            json!({"type": "Object", "object": {"metric": {"name": "rps"}, "target": {"type": "Value", "value": "2k"}}}),
        ];
        let statuses = vec![
            json!({"type": "External", "external": {"current": {"averageValue": "12"}}}),
            json!({"type": "Object", "object": {"current": {"value": "1500"}}}),
        ];
        assert_eq!(format_metrics(&specs, &statuses), "12/30 (avg), 1500/2k");
        assert_eq!(format_metrics(&specs, &[]), "<unknown>/30 (avg), <unknown>/2k");
    }

    #[test]
    fn more_than_two_metrics_are_summarized() {
        let metric = json!({"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}});
        let specs = vec![metric.clone(), metric.clone(), metric];
        assert_eq!(format_metrics(&specs, &[]), "<unknown>/10, <unknown>/10 + 1 more...");
        assert_eq!(format_metrics(&[], &[]), "<none>");
    }
}
