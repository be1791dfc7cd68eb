//! Upstream's bootstrap RBAC policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`,
//! `policy.go`): the default ClusterRoles — cluster-admin, the user-facing admin, edit and
//! view with their aggregation rules and labels, the `system:aggregate-to-*` roles they
//! aggregate, discovery and basic-user roles — and their ClusterRoleBindings (cluster-admin
//! to `system:masters`), created at the apiserver's start unless they exist. The controller
//! roles (`system:controller:*`) and the node/component roles are not part of this set.
//!
//! The aggregated roles get their rules here as upstream's ClusterRole aggregation
//! controller would compute them from the roles below ([`aggregate`]), so that a fresh
//! cluster shows admin, edit and view with their rules.

use serde_json::{json, Value};

use super::{ensure, resource, ApiState};
use crate::apiserver::status::ApiError;

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];
const READ_WRITE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

/// `rbacv1helpers.NewRule(verbs).Groups(groups).Resources(resources)`: groups and
/// resources sorted as its `Rule()` does.
fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    let (mut groups, mut resources) = (groups.to_vec(), resources.to_vec());
    groups.sort_unstable();
    resources.sort_unstable();
    json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
}

/// `NewRule(verbs).URLs(urls)`, URLs sorted.
fn url_rule(verbs: &[&str], urls: &[&str]) -> Value {
    let mut urls = urls.to_vec();
    urls.sort_unstable();
    json!({"verbs": verbs, "nonResourceURLs": urls})
}

/// A bootstrap ClusterRole, with the metadata every bootstrap object carries.
fn cluster_role(name: &str, labels: &[(&str, &str)], rules: Vec<Value>, aggregate_label: Option<&str>) -> Value {
    let mut all_labels = serde_json::Map::new();
    all_labels.insert("kubernetes.io/bootstrapping".into(), json!("rbac-defaults"));
    for (k, v) in labels {
        all_labels.insert((*k).into(), json!(v));
    }
    let mut role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": name, "labels": all_labels,
            "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
        "rules": rules,
    });
    if let Some(label) = aggregate_label {
        role["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]});
    }
    role
}

/// `NewClusterBinding(name).Groups(groups)`.
fn cluster_role_binding(name: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> =
        groups.iter().map(|g| json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g})).collect();
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
        "subjects": subjects,
    })
}

/// Upstream's bootstrap ClusterRoles (the user-facing and discovery part of `clusterRoles()`),
/// the aggregated ones with their rules filled in.
pub fn cluster_roles() -> Vec<Value> {
    let mut roles = vec![
        cluster_role("cluster-admin", &[], vec![rule(&["*"], &["*"], &["*"]), url_rule(&["*"], &["*"])], None),
        cluster_role(
            "system:discovery",
            &[],
            vec![url_rule(
                &["get"],
                &[
                    "/livez",
                    "/readyz",
                    "/healthz",
                    "/version",
                    "/version/",
                    "/openapi",
                    "/openapi/*",
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                ],
            )],
            None,
        ),
        cluster_role(
            "system:monitoring",
            &[],
            vec![url_rule(
                &["get"],
                &["/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"],
            )],
            None,
        ),
        cluster_role(
            "system:basic-user",
            &[],
            vec![
                rule(&["create"], &["authorization.k8s.io"], &["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                rule(&["create"], &["authentication.k8s.io"], &["selfsubjectreviews"]),
            ],
            None,
        ),
        cluster_role(
            "system:public-info-viewer",
            &[],
            vec![url_rule(&["get"], &["/livez", "/readyz", "/healthz", "/version", "/version/"])],
            None,
        ),
        cluster_role("admin", &[], vec![], Some(AGGREGATE_TO_ADMIN)),
        cluster_role("edit", &[(AGGREGATE_TO_ADMIN, "true")], vec![], Some(AGGREGATE_TO_EDIT)),
        cluster_role("view", &[(AGGREGATE_TO_EDIT, "true")], vec![], Some(AGGREGATE_TO_VIEW)),
        cluster_role(
            "system:aggregate-to-admin",
            &[(AGGREGATE_TO_ADMIN, "true")],
            vec![
                rule(&["create"], &["authorization.k8s.io"], &["localsubjectaccessreviews"]),
                rule(READ_WRITE, &["rbac.authorization.k8s.io"], &["roles", "rolebindings"]),
            ],
            None,
        ),
        cluster_role("system:aggregate-to-edit", &[(AGGREGATE_TO_EDIT, "true")], aggregate_to_edit_rules(), None),
        cluster_role("system:aggregate-to-view", &[(AGGREGATE_TO_VIEW, "true")], aggregate_to_view_rules(), None),
    ];
    aggregate(&mut roles);
    roles
}

fn aggregate_to_edit_rules() -> Vec<Value> {
    vec![
        rule(READ, &[""], &["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(WRITE, &[""], &["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(
            WRITE,
            &[""],
            &[
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/proxy",
                "endpoints",
                "persistentvolumeclaims",
                "configmaps",
                "secrets",
                "events",
            ],
        ),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            WRITE,
            &["apps"],
            &[
                "statefulsets",
                "statefulsets/scale",
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "replicasets",
                "replicasets/scale",
            ],
        ),
        rule(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        rule(WRITE, &["batch"], &["jobs", "cronjobs"]),
        rule(
            WRITE,
            &["extensions"],
            &[
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "ingresses",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
                "networkpolicies",
            ],
        ),
        rule(WRITE, &["policy"], &["poddisruptionbudgets"]),
        rule(WRITE, &["networking.k8s.io"], &["networkpolicies", "ingresses"]),
        rule(READ_WRITE, &["coordination.k8s.io"], &["leases"]),
    ]
}

fn aggregate_to_view_rules() -> Vec<Value> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "configmaps",
            ],
        ),
        rule(
            READ,
            &[""],
            &[
                "limitranges",
                "resourcequotas",
                "bindings",
                "events",
                "pods/status",
                "resourcequotas/status",
                "namespaces/status",
                "replicationcontrollers/status",
                "pods/log",
            ],
        ),
        rule(READ, &[""], &["namespaces"]),
        rule(READ, &["discovery.k8s.io"], &["endpointslices"]),
        rule(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "statefulsets",
                "statefulsets/status",
                "statefulsets/scale",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/status",
                "deployments/scale",
                "replicasets",
                "replicasets/status",
                "replicasets/scale",
            ],
        ),
        rule(READ, &["autoscaling"], &["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        rule(READ, &["batch"], &["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        rule(
            READ,
            &["extensions"],
            &[
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
                "networkpolicies",
            ],
        ),
        rule(READ, &["policy"], &["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, &["networking.k8s.io"], &["networkpolicies", "ingresses", "ingresses/status"]),
    ]
}

/// Upstream's bootstrap ClusterRoleBindings of the roles above.
pub fn cluster_role_bindings() -> Vec<Value> {
    vec![
        cluster_role_binding("cluster-admin", &["system:masters"]),
        cluster_role_binding("system:monitoring", &["system:monitoring"]),
        cluster_role_binding("system:discovery", &["system:authenticated"]),
        cluster_role_binding("system:basic-user", &["system:authenticated"]),
        cluster_role_binding("system:public-info-viewer", &["system:authenticated", "system:unauthenticated"]),
    ]
}

/// Whether a ClusterRole's labels match a `matchLabels` selector (the bootstrap selectors
/// have no expressions).
fn matches(role: &Value, selector: &Value) -> bool {
    let Some(wanted) = selector.get("matchLabels").and_then(Value::as_object) else { return false };
    wanted.iter().all(|(k, v)| role.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
}

/// Upstream's ClusterRoleAggregation controller, run to a fixed point over `roles`: each role
/// with an aggregationRule gets the rules of the roles its selectors match (in name order,
/// itself excluded, each rule once).
pub fn aggregate(roles: &mut [Value]) {
    for _ in 0..roles.len() {
        let mut changed = false;
        for i in 0..roles.len() {
            let Some(selectors) = roles[i].pointer("/aggregationRule/clusterRoleSelectors").and_then(Value::as_array)
            else {
                continue;
            };
            let name = roles[i]["metadata"]["name"].clone();
            let mut sources: Vec<&Value> = roles.iter().filter(|r| r["metadata"]["name"] != name).collect();
            sources.sort_by_key(|r| r["metadata"]["name"].as_str().unwrap_or_default().to_string());
            let mut rules: Vec<Value> = Vec::new();
            for selector in selectors {
                for source in sources.iter().filter(|r| matches(r, selector)) {
                    for rule in source.get("rules").and_then(Value::as_array).into_iter().flatten() {
                        if !rules.contains(rule) {
                            rules.push(rule.clone());
                        }
                    }
                }
            }
            let rules = Value::Array(rules);
            if roles[i].get("rules") != Some(&rules) {
                roles[i]["rules"] = rules;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Creates the bootstrap ClusterRoles and ClusterRoleBindings that do not exist yet.
pub(super) async fn ensure_bootstrap_policy(state: &ApiState) -> Result<(), ApiError> {
    let roles = resource("rbac.authorization.k8s.io", "clusterroles")?;
    for role in cluster_roles() {
        ensure(state, roles, role).await?;
    }
    let bindings = resource("rbac.authorization.k8s.io", "clusterrolebindings")?;
    for binding in cluster_role_bindings() {
        ensure(state, bindings, binding).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_kind;

    #[test]
    fn bootstrap_roles_and_bindings_are_valid() {
        let roles = by_kind("rbac.authorization.k8s.io/v1", "ClusterRole").expect("clusterroles");
        for mut role in cluster_roles() {
            roles.strategy.prepare_for_create(roles, &mut role);
            assert_eq!(roles.strategy.validate(roles, &role), vec![], "{}", role["metadata"]["name"]);
        }
        let bindings = by_kind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding").expect("bindings");
        for mut binding in cluster_role_bindings() {
            bindings.strategy.prepare_for_create(bindings, &mut binding);
            assert_eq!(bindings.strategy.validate(bindings, &binding), vec![]);
        }
    }

    #[test]
    fn admin_aggregates_edit_which_aggregates_view() {
        let roles = cluster_roles();
        let rules_of = |name: &str| {
            roles.iter().find(|r| r["metadata"]["name"] == name).expect(name)["rules"]
                .as_array()
                .expect("rules")
                .clone()
        };
        let (admin, edit, view) = (rules_of("admin"), rules_of("edit"), rules_of("view"));
        assert_eq!(view, aggregate_to_view_rules());
        assert_eq!(edit.len(), aggregate_to_edit_rules().len() + view.len());
        assert!(view.iter().all(|r| admin.contains(r)) && edit.iter().all(|r| admin.contains(r)));
        assert!(admin.contains(&rule(READ_WRITE, &["rbac.authorization.k8s.io"], &["roles", "rolebindings"])));
    }
}
