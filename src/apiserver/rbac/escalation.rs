//! Escalation prevention on writes of Roles, ClusterRoles and their bindings (upstream's
//! `pkg/registry/rbac/*/policybased`): a user may only grant what they hold themselves,
//! unless they may `escalate` (roles) or `bind` (bindings) — or are in `system:masters`.

use serde_json::Value;

use super::rules::{self, PolicyRule};
use crate::apiserver::auth::{self, Attributes, UserInfo};
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::registry::ResourceInfo;

const GROUP: &str = "rbac.authorization.k8s.io";

/// Upstream's `fullAuthority`: what writing an aggregationRule asks of its writer.
fn full_authority() -> Vec<PolicyRule> {
    let all = || vec!["*".to_string()];
    vec![
        PolicyRule { verbs: all(), api_groups: all(), resources: all(), ..Default::default() },
        PolicyRule { verbs: all(), non_resource_urls: all(), ..Default::default() },
    ]
}

/// Refuses a write of `object` (with `old`, on an update) by `user` that grants more than
/// `user` holds.
pub fn check(
    state: &ApiState,
    user: &UserInfo,
    resource: &ResourceInfo,
    object: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    if resource.group != GROUP || user.groups.iter().any(|g| g == auth::MASTERS) {
        return Ok(());
    }
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let name = text(object, "/metadata/name");
    let namespace = text(object, "/metadata/namespace");
    let forbidden = |message: String| ApiError::forbidden_for(&resource.qualified_plural(), &name, &message);
    let policy = state.rbac.policy();
    let may = |verb: &str, plural: &str, object_name: &str| {
        let attributes = Attributes {
            verb,
            api_group: GROUP,
            resource: plural,
            namespace: &namespace,
            name: object_name,
            ..Default::default()
        };
        auth::decide(&policy, &user.name, &user.groups, &attributes).allowed
    };
    let confirm = |wanted: &[PolicyRule]| -> Result<(), String> {
        let held = policy.rules_for(&user.name, &user.groups, &namespace);
        let missing = rules::compact(rules::uncovered(&held, wanted));
        if missing.is_empty() {
            return Ok(());
        }
        let mut lines: Vec<String> = missing.iter().map(PolicyRule::compact_string).collect();
        lines.sort();
        lines.dedup();
        let groups = format!("[{}]", user.groups.iter().map(|g| rules::go_quote(g)).collect::<Vec<_>>().join(" "));
        Err(format!(
            "user {} (groups={groups}) is attempting to grant RBAC permissions not currently held:\n{}",
            rules::go_quote(&user.name),
            lines.join("\n")
        ))
    };
    match resource.kind {
        "Role" | "ClusterRole" => {
            if may("escalate", resource.plural, &name) {
                return Ok(());
            }
            let wanted = PolicyRule::list_of(object);
            let aggregates = object.get("aggregationRule").is_some_and(|r| !r.is_null());
            if old.is_some_and(|old| PolicyRule::list_of(old) == wanted) && !aggregates {
                return Ok(());
            }
            confirm(&wanted).map_err(forbidden)?;
            if aggregates && confirm(&full_authority()).is_err() {
                return Err(forbidden("must have cluster-admin privileges to use the aggregationRule".into()));
            }
            Ok(())
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            if old.is_some_and(|old| {
                old.get("subjects") == object.get("subjects") && old.get("roleRef") == object.get("roleRef")
            }) {
                return Ok(());
            }
            let (kind, role) = (text(object, "/roleRef/kind"), text(object, "/roleRef/name"));
            let plural = if kind == "Role" { "roles" } else { "clusterroles" };
            if may("bind", plural, &role) {
                return Ok(());
            }
            let scope = (resource.kind == "RoleBinding").then_some(namespace.as_str());
            let Some(wanted) = policy.referenced_rules(&kind, &role, scope) else {
                return Err(forbidden(format!("{plural}.{GROUP} {} not found", rules::go_quote(&role))));
            };
            confirm(wanted).map_err(forbidden)
        }
        _ => Ok(()),
    }
}
