//! Upstream's mandatory and suggested API Priority and Fairness configuration
//! (`staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go`): the priority
//! levels and flow schemas every cluster starts with, annotated for auto-update, created at
//! the apiserver's start unless they exist; flow schemas carry the `Dangling=False`
//! condition upstream's APF controller writes once their priority level exists. kctl stores
//! and serves them; it does not limit requests by them.

use serde_json::{json, Value};

use super::bootstrap_status::ensure_with_status;
use super::status::ApiError;
use super::ApiState;
use crate::apiserver::objects::now_rfc3339;
use crate::registry;

const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

fn meta(name: &str) -> Value {
    json!({"name": name, "annotations": {AUTO_UPDATE: "true"}})
}

/// A Limited priority level queuing with `(queues, hand size, queue length limit)`, or
/// rejecting when `queuing` is None.
fn limited(name: &str, shares: i64, lendable: i64, queuing: Option<(i64, i64, i64)>) -> Value {
    let limit_response = match queuing {
        Some((queues, hand_size, queue_length_limit)) => json!({"type": "Queue",
            "queuing": {"queues": queues, "handSize": hand_size, "queueLengthLimit": queue_length_limit}}),
        None => json!({"type": "Reject"}),
    };
    json!({
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "PriorityLevelConfiguration",
        "metadata": meta(name),
        "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": shares, "lendablePercent": lendable,
            "limitResponse": limit_response}},
    })
}

/// The priority levels, mandatory (exempt, catch-all) then suggested.
pub fn priority_levels() -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "PriorityLevelConfiguration",
            "metadata": meta("exempt"),
            "spec": {"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}},
        }),
        limited("catch-all", 5, 0, None),
        limited("system", 30, 33, Some((64, 6, 50))),
        limited("node-high", 40, 25, Some((64, 6, 50))),
        limited("leader-election", 10, 0, Some((16, 4, 50))),
        limited("workload-high", 40, 50, Some((128, 6, 50))),
        limited("workload-low", 100, 90, Some((128, 6, 50))),
        limited("global-default", 20, 50, Some((128, 6, 50))),
    ]
}

fn groups(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| json!({"kind": "Group", "group": {"name": n}})).collect()
}

fn users(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| json!({"kind": "User", "user": {"name": n}})).collect()
}

fn kube_system_service_accounts(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| json!({"kind": "ServiceAccount", "serviceAccount": {"name": n, "namespace": "kube-system"}}))
        .collect()
}

fn resource_rule(verbs: &[&str], groups: &[&str], resources: &[&str], cluster_scope: bool) -> Value {
    let mut rule = json!({"verbs": verbs, "apiGroups": groups, "resources": resources, "namespaces": ["*"]});
    if cluster_scope {
        rule["clusterScope"] = json!(true);
    }
    rule
}

fn non_resource_rule(verbs: &[&str], urls: &[&str]) -> Value {
    json!({"verbs": verbs, "nonResourceURLs": urls})
}

/// Every verb on every resource and URL.
fn everything() -> (Vec<Value>, Vec<Value>) {
    (vec![resource_rule(&["*"], &["*"], &["*"], true)], vec![non_resource_rule(&["*"], &["*"])])
}

fn flow_schema(
    name: &str,
    priority_level: &str,
    precedence: i64,
    distinguisher: Option<&str>,
    subjects: Vec<Value>,
    (resource_rules, non_resource_rules): (Vec<Value>, Vec<Value>),
) -> Value {
    let mut rule = json!({"subjects": subjects});
    if !resource_rules.is_empty() {
        rule["resourceRules"] = Value::Array(resource_rules);
    }
    if !non_resource_rules.is_empty() {
        rule["nonResourceRules"] = Value::Array(non_resource_rules);
    }
    let mut spec = json!({"priorityLevelConfiguration": {"name": priority_level}, "matchingPrecedence": precedence,
        "rules": [rule]});
    if let Some(distinguisher) = distinguisher {
        spec["distinguisherMethod"] = json!({"type": distinguisher});
    }
    json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema", "metadata": meta(name), "spec": spec})
}

/// The flow schemas, mandatory (exempt, catch-all) then suggested.
pub fn flow_schemas() -> Vec<Value> {
    let everyone = || groups(&["system:unauthenticated", "system:authenticated"]);
    let by_user = Some("ByUser");
    let by_namespace = Some("ByNamespace");
    let leases = |verbs: &[&str]| resource_rule(verbs, &["coordination.k8s.io"], &["leases"], false);
    let controller_manager = "system:kube-controller-manager";
    let scheduler = "system:kube-scheduler";
    vec![
        flow_schema("exempt", "exempt", 1, None, groups(&["system:masters"]), everything()),
        flow_schema("catch-all", "catch-all", 10000, by_user, everyone(), everything()),
        flow_schema("system-nodes", "system", 500, by_user, groups(&["system:nodes"]), everything()),
        flow_schema(
            "system-node-high",
            "node-high",
            400,
            by_user,
            groups(&["system:nodes"]),
            (vec![resource_rule(&["*"], &[""], &["nodes", "nodes/status"], true), leases(&["*"])], vec![]),
        ),
        flow_schema(
            "probes",
            "exempt",
            2,
            None,
            everyone(),
            (vec![], vec![non_resource_rule(&["get"], &["/healthz", "/readyz", "/livez"])]),
        ),
        flow_schema(
            "system-leader-election",
            "leader-election",
            100,
            by_user,
            [users(&[controller_manager, scheduler]), kube_system_service_accounts(&["*"])].concat(),
            (vec![leases(&["get", "create", "update"])], vec![]),
        ),
        flow_schema(
            "workload-leader-election",
            "leader-election",
            200,
            by_user,
            kube_system_service_accounts(&["*"]),
            (
                vec![
                    resource_rule(&["get", "create", "update"], &[""], &["endpoints", "configmaps"], false),
                    leases(&["get", "create", "update"]),
                ],
                vec![],
            ),
        ),
        flow_schema(
            "endpoint-controller",
            "workload-high",
            150,
            by_user,
            [
                users(&[controller_manager]),
                kube_system_service_accounts(&["endpoint-controller", "endpointslicemirroring-controller"]),
            ]
            .concat(),
            (vec![resource_rule(&["get", "create", "update"], &[""], &["endpoints"], false)], vec![]),
        ),
        flow_schema(
            "kube-controller-manager",
            "workload-high",
            800,
            by_namespace,
            users(&[controller_manager]),
            everything(),
        ),
        flow_schema("kube-scheduler", "workload-high", 800, by_namespace, users(&[scheduler]), everything()),
        flow_schema(
            "kube-system-service-accounts",
            "workload-high",
            900,
            by_namespace,
            kube_system_service_accounts(&["*"]),
            everything(),
        ),
        flow_schema(
            "service-accounts",
            "workload-low",
            9000,
            by_user,
            groups(&["system:serviceaccounts"]),
            everything(),
        ),
        flow_schema("global-default", "global-default", 9900, by_user, everyone(), everything()),
    ]
}

/// The status upstream's APF controller gives a flow schema whose priority level exists.
fn found_status(flow_schema: &Value) -> Value {
    let level = flow_schema.pointer("/spec/priorityLevelConfiguration/name").and_then(Value::as_str).unwrap_or("");
    json!({"conditions": [{"type": "Dangling", "status": "False", "lastTransitionTime": now_rfc3339(),
        "reason": "Found",
        "message": format!("This FlowSchema references the PriorityLevelConfiguration object named {level:?} and it exists")}]})
}

/// Creates the priority levels and flow schemas that do not exist yet.
pub(super) async fn ensure_flow_control_defaults(state: &ApiState) -> Result<(), ApiError> {
    let resource = |plural: &str| {
        registry::by_plural("flowcontrol.apiserver.k8s.io", "v1", plural)
            .ok_or_else(|| ApiError::internal(format!("{plural} not registered")))
    };
    let levels = resource("prioritylevelconfigurations")?;
    for level in priority_levels() {
        ensure_with_status(state, levels, level, json!({})).await?;
    }
    let schemas = resource("flowschemas")?;
    for schema in flow_schemas() {
        let status = found_status(&schema);
        ensure_with_status(state, schemas, schema, status).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_kind;

    #[test]
    fn upstream_defaults_are_valid_and_reference_existing_levels() {
        let levels = by_kind("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration").expect("levels");
        let names: Vec<String> =
            priority_levels().iter().map(|l| l["metadata"]["name"].as_str().unwrap_or("").to_string()).collect();
        for mut level in priority_levels() {
            levels.strategy.prepare_for_create(levels, &mut level);
            assert_eq!(levels.strategy.validate(levels, &level), vec![], "{}", level["metadata"]["name"]);
        }
        let schemas = by_kind("flowcontrol.apiserver.k8s.io/v1", "FlowSchema").expect("schemas");
        assert_eq!(flow_schemas().len(), 13);
        for mut schema in flow_schemas() {
            let level = schema["spec"]["priorityLevelConfiguration"]["name"].as_str().unwrap_or("").to_string();
            assert!(names.contains(&level), "{level}");
            schemas.strategy.prepare_for_create(schemas, &mut schema);
            assert_eq!(schemas.strategy.validate(schemas, &schema), vec![], "{}", schema["metadata"]["name"]);
        }
    }
}
