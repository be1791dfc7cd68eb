//! The strategy of policy/v1: PodDisruptionBudget (`pkg/apis/policy/validation`,
//! `pkg/registry/policy/poddisruptionbudget/strategy.go`): status empty on create and kept on
//! update (the disruption controller writes it through `/status`), generation counted.

use serde_json::{json, Value};

use super::field::{quote, Errs};
use super::selector::validate_label_selector;
use super::workloads::{int_or_percent, not_more_than_100_percent};
use super::{InitialStatus, Strategy};
use crate::registry::tables;

pub(crate) static POD_DISRUPTION_BUDGET: Strategy = Strategy {
    // Upstream's empty status serializes its non-omitempty counters.
    initial_status: InitialStatus::From(
        |_| json!({"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}),
    ),
    tracks_generation: true,
    validator: validate_pod_disruption_budget,
    printer: &tables::more_kinds::POD_DISRUPTION_BUDGET,
    ..Strategy::DEFAULT
};

const UNHEALTHY_POD_EVICTION_POLICIES: &[&str] = &["AlwaysAllow", "IfHealthyBudget"];

/// Go's `%#v` of the spec in the "both set" message; pointers print as addresses upstream,
/// which no client can match, so set ones show a fixed one.
fn go_spec(spec: &Value) -> String {
    let pointer = |key: &str, go_type: &str| match spec.get(key) {
        None | Some(Value::Null) => format!("({go_type})(nil)"),
        Some(_) => format!("({go_type})(0xc000010000)"),
    };
    format!(
        "policy.PodDisruptionBudgetSpec{{MinAvailable:{}, Selector:{}, MaxUnavailable:{}, UnhealthyPodEvictionPolicy:{}}}",
        pointer("minAvailable", "*intstr.IntOrString"),
        pointer("selector", "*v1.LabelSelector"),
        pointer("maxUnavailable", "*intstr.IntOrString"),
        pointer("unhealthyPodEvictionPolicy", "*policy.UnhealthyPodEvictionPolicyType"),
    )
}

/// `ValidatePodDisruptionBudgetSpec` (create and update alike).
fn validate_pod_disruption_budget(e: &mut Errs, pdb: &Value) {
    let Some(spec) = e.obj(pdb, "spec", "spec").map(|m| Value::Object(m.clone())) else { return };
    let set = |key: &str| spec.get(key).is_some_and(|v| !v.is_null());
    if set("minAvailable") && set("maxUnavailable") {
        e.invalid("spec", &go_spec(&spec), "minAvailable and maxUnavailable cannot be both set");
    }
    for key in ["minAvailable", "maxUnavailable"] {
        int_or_percent(e, &spec, key, "spec");
        not_more_than_100_percent(e, &spec, key, "spec");
    }
    validate_label_selector(e, &spec, "selector", "spec.selector");
    if let Some(policy) = e.str(&spec, "unhealthyPodEvictionPolicy", "spec.unhealthyPodEvictionPolicy") {
        if !UNHEALTHY_POD_EVICTION_POLICIES.contains(&policy) {
            e.not_supported("spec.unhealthyPodEvictionPolicy", &quote(policy), UNHEALTHY_POD_EVICTION_POLICIES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_kind;
    use crate::registry::strategy::field::errs;

    #[test]
    fn a_budget_with_min_available_is_valid_and_starts_with_empty_status() {
        let pdbs = by_kind("policy/v1", "PodDisruptionBudget").expect("registered");
        let mut pdb = json!({"metadata": {"name": "web", "namespace": "default"},
            "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 3}});
        pdbs.strategy.prepare_for_create(pdbs, &mut pdb);
        assert_eq!(
            pdb["status"],
            json!({"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0})
        );
        assert_eq!(pdb["metadata"]["generation"], 1);
        assert!(pdbs.strategy.validate(pdbs, &pdb).is_empty());
    }

    #[test]
    fn min_available_and_max_unavailable_are_exclusive() {
        let pdb = json!({"spec": {"minAvailable": 1, "maxUnavailable": "120%"}});
        let causes = errs(|e| validate_pod_disruption_budget(e, &pdb));
        assert_eq!(causes[0].0, "spec");
        assert!(causes[0].1.ends_with(": minAvailable and maxUnavailable cannot be both set"));
        assert_eq!(
            causes[1],
            (
                "spec.maxUnavailable".to_string(),
                "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"120%\"}: must not be greater than 100%"
                    .to_string()
            )
        );
    }

    #[test]
    fn negative_values_selectors_and_eviction_policies_are_checked() {
        let pdb = json!({"spec": {"minAvailable": -1, "selector": {"matchExpressions": [{"key": "a", "operator": "In"}]},
            "unhealthyPodEvictionPolicy": "Never"}});
        assert_eq!(
            errs(|e| validate_pod_disruption_budget(e, &pdb)),
            vec![
                ("spec.minAvailable".to_string(), "Invalid value: -1: must be greater than or equal to 0".to_string()),
                (
                    "spec.selector.matchExpressions[0].values".to_string(),
                    "Required value: must be specified when `operator` is 'In' or 'NotIn'".to_string()
                ),
                (
                    "spec.unhealthyPodEvictionPolicy".to_string(),
                    "Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"".to_string()
                ),
            ]
        );
    }
}
