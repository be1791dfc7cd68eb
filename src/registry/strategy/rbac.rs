//! The strategies of rbac.authorization.k8s.io: Role, ClusterRole, RoleBinding,
//! ClusterRoleBinding, with upstream's defaults (`pkg/apis/rbac/v1/defaults.go`) and
//! validation (`pkg/apis/rbac/validation`). Names are path segments (`system:masters`), and a
//! binding's roleRef may not change. No escalation checks: those belong to the authorizer.

use serde_json::{Map, Value};

use super::field::{child, ensure_obj, index, quote, s, set_default_str, unset, Errs};
use super::selector::validate_label_selector;
use super::Strategy;
use crate::machinery::validation::{validate_name, NameRule};
use crate::registry::tables;

/// The API group roleRefs and User/Group subjects name.
pub(crate) const GROUP: &str = "rbac.authorization.k8s.io";

pub(crate) static ROLE: Strategy = Strategy {
    name_rule: NameRule::PathSegment,
    validator: validate_role,
    printer: &tables::more_kinds::CREATED_AT,
    ..Strategy::DEFAULT
};
pub(crate) static CLUSTER_ROLE: Strategy = Strategy {
    name_rule: NameRule::PathSegment,
    validator: validate_cluster_role,
    printer: &tables::more_kinds::CREATED_AT,
    ..Strategy::DEFAULT
};
pub(crate) static ROLE_BINDING: Strategy = Strategy {
    defaulter: default_binding,
    name_rule: NameRule::PathSegment,
    validator: validate_role_binding,
    update_validator: Some(validate_role_binding_update),
    printer: &tables::more_kinds::BINDING,
    ..Strategy::DEFAULT
};
pub(crate) static CLUSTER_ROLE_BINDING: Strategy = Strategy {
    defaulter: default_binding,
    name_rule: NameRule::PathSegment,
    validator: validate_cluster_role_binding,
    update_validator: Some(validate_cluster_role_binding_update),
    printer: &tables::more_kinds::BINDING,
    ..Strategy::DEFAULT
};

/// `SetDefaults_RoleBinding`/`ClusterRoleBinding` and `SetDefaults_Subject`: the roleRef's
/// apiGroup, and User and Group subjects' apiGroup.
fn default_binding(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    if let Some(role_ref) = ensure_obj(root, "roleRef") {
        set_default_str(role_ref, "apiGroup", GROUP);
    }
    super::field::each_obj_mut(root, "subjects", default_subject);
}

fn default_subject(subject: &mut Map<String, Value>) {
    let kind = subject.get("kind").and_then(Value::as_str).unwrap_or("");
    if matches!(kind, "User" | "Group") {
        set_default_str(subject, "apiGroup", GROUP);
    }
}

fn validate_role(e: &mut Errs, obj: &Value) {
    validate_rules(e, obj, true);
}

fn validate_cluster_role(e: &mut Errs, obj: &Value) {
    validate_rules(e, obj, false);
    let Some(rule) = e.obj(obj, "aggregationRule", "aggregationRule") else { return };
    let rule = Value::Object(rule.clone());
    let path = "aggregationRule.clusterRoleSelectors";
    let selectors = e.arr(&rule, "clusterRoleSelectors", path).cloned().unwrap_or_default();
    if selectors.is_empty() {
        e.required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil");
    }
    for (i, selector) in selectors.into_iter().enumerate() {
        let holder = serde_json::json!({ "selector": selector });
        validate_label_selector(e, &holder, "selector", &index(path, i));
    }
}

fn validate_rules(e: &mut Errs, obj: &Value, namespaced: bool) {
    let Some(rules) = e.arr(obj, "rules", "rules") else { return };
    for (i, rule) in rules.iter().enumerate() {
        let path = index("rules", i);
        if !rule.is_object() {
            e.wrong_type(&path, rule, "object");
            continue;
        }
        validate_policy_rule(e, rule, namespaced, &path);
    }
}

/// `ValidatePolicyRule`: verbs always, and either non-resource URLs (cluster roles only) or
/// api groups with resources.
pub(crate) fn validate_policy_rule(e: &mut Errs, rule: &Value, namespaced: bool, path: &str) {
    let mut list = |key: &str| -> Vec<String> {
        let field = child(path, key);
        let Some(items) = e.arr(rule, key, &field) else { return Vec::new() };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => out.push(text.to_string()),
                None => e.wrong_type(&index(&field, i), item, "string"),
            }
        }
        out
    };
    let verbs = list("verbs");
    let urls = list("nonResourceURLs");
    let groups = list("apiGroups");
    let resources = list("resources");
    let names = list("resourceNames");
    if verbs.is_empty() {
        e.required(&child(path, "verbs"), "verbs must contain at least one value");
    }
    if !urls.is_empty() {
        let field = child(path, "nonResourceURLs");
        if namespaced {
            e.invalid(&field, &go_strings(&urls), "namespaced rules cannot apply to non-resource URLs");
        }
        if !groups.is_empty() || !resources.is_empty() || !names.is_empty() {
            e.invalid(&field, &go_strings(&urls), "rules cannot apply to both regular resources and non-resource URLs");
        }
        return;
    }
    if groups.is_empty() {
        e.required(&child(path, "apiGroups"), "resource rules must supply at least one api group");
    }
    if resources.is_empty() {
        e.required(&child(path, "resources"), "resource rules must supply at least one resource");
    }
}

/// Go's `%#v` of a `[]string`.
fn go_strings(items: &[String]) -> String {
    format!("[]string{{{}}}", items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", "))
}

fn validate_role_binding(e: &mut Errs, obj: &Value) {
    validate_binding(e, obj, true);
}

fn validate_cluster_role_binding(e: &mut Errs, obj: &Value) {
    validate_binding(e, obj, false);
}

fn validate_role_binding_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_binding(e, new, true);
    validate_role_ref_unchanged(e, new, old);
}

fn validate_cluster_role_binding_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_binding(e, new, false);
    validate_role_ref_unchanged(e, new, old);
}

/// `ValidateRoleBinding`/`ValidateClusterRoleBinding`: a roleRef to a Role or ClusterRole of
/// this group (ClusterRole only for cluster bindings), and well-formed subjects.
fn validate_binding(e: &mut Errs, obj: &Value, namespaced: bool) {
    let empty = Value::Object(Map::new());
    let role_ref = match e.obj(obj, "roleRef", "roleRef") {
        Some(role_ref) => Value::Object(role_ref.clone()),
        None => empty,
    };
    let api_group = e.str(&role_ref, "apiGroup", "roleRef.apiGroup").unwrap_or("");
    if api_group != GROUP {
        e.not_supported("roleRef.apiGroup", &quote(api_group), &[GROUP]);
    }
    let kind = e.str(&role_ref, "kind", "roleRef.kind").unwrap_or("");
    let kinds: &[&str] = if namespaced { &["Role", "ClusterRole"] } else { &["ClusterRole"] };
    if !kinds.contains(&kind) {
        e.not_supported("roleRef.kind", &quote(kind), kinds);
    }
    let name = e.str(&role_ref, "name", "roleRef.name").unwrap_or("");
    if name.is_empty() {
        e.required("roleRef.name", "");
    } else {
        for msg in validate_name(NameRule::PathSegment, name, false) {
            e.invalid("roleRef.name", &quote(name), &msg);
        }
    }
    let Some(subjects) = e.arr(obj, "subjects", "subjects") else { return };
    for (i, subject) in subjects.iter().enumerate() {
        let path = index("subjects", i);
        if !subject.is_object() {
            e.wrong_type(&path, subject, "object");
            continue;
        }
        validate_subject(e, subject, namespaced, &path);
    }
}

/// `ValidateRoleBindingSubject`.
fn validate_subject(e: &mut Errs, subject: &Value, namespaced: bool, path: &str) {
    let name = e.str(subject, "name", &child(path, "name")).unwrap_or("");
    if name.is_empty() {
        e.required(&child(path, "name"), "");
    }
    let api_group = e.str(subject, "apiGroup", &child(path, "apiGroup")).unwrap_or("");
    let namespace = e.str(subject, "namespace", &child(path, "namespace")).unwrap_or("");
    match e.str(subject, "kind", &child(path, "kind")).unwrap_or("") {
        "ServiceAccount" => {
            if !name.is_empty() {
                for msg in validate_name(NameRule::Subdomain, name, false) {
                    e.invalid(&child(path, "name"), &quote(name), &msg);
                }
            }
            if !api_group.is_empty() {
                e.not_supported(&child(path, "apiGroup"), &quote(api_group), &[""]);
            }
            if !namespaced && namespace.is_empty() {
                e.required(&child(path, "namespace"), "");
            }
        }
        "User" | "Group" => {
            if api_group != GROUP {
                e.not_supported(&child(path, "apiGroup"), &quote(api_group), &[GROUP]);
            }
        }
        other => e.not_supported(&child(path, "kind"), &quote(other), &["ServiceAccount", "User", "Group"]),
    }
}

/// A binding's roleRef is fixed at creation: to bind another role, make another binding.
fn validate_role_ref_unchanged(e: &mut Errs, new: &Value, old: &Value) {
    let role_ref = |obj: &Value| {
        let r = obj.get("roleRef").cloned().unwrap_or(Value::Null);
        (s(&r, "apiGroup").to_string(), s(&r, "kind").to_string(), s(&r, "name").to_string())
    };
    let (new_ref, old_ref) = (role_ref(new), role_ref(old));
    if new_ref != old_ref && !unset_ref(old) {
        let (group, kind, name) = new_ref;
        let shown = format!("rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}", quote(&group), quote(&kind), quote(&name));
        e.invalid("roleRef", &shown, "cannot change roleRef");
    }
}

/// Whether `old` is not a binding at all (hostile input the update check has nothing to keep).
fn unset_ref(old: &Value) -> bool {
    old.as_object().is_none_or(|o| unset(o, "roleRef"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;
    use serde_json::json;

    fn defaulted(mut obj: Value) -> Value {
        default_binding(&mut obj);
        obj
    }

    #[test]
    fn names_are_path_segments() {
        let roles = crate::registry::by_kind("rbac.authorization.k8s.io/v1", "ClusterRole").expect("clusterroles");
        let named = |name: &str| roles.strategy.validate(roles, &json!({"metadata": {"name": name}}));
        assert_eq!(named("system:aggregate-to-view"), vec![]);
        assert_eq!(named("a/b")[0].message, "Invalid value: \"a/b\": may not contain '/'");
    }

    #[test]
    fn valid_roles_and_cluster_roles_pass() {
        let role = json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]});
        assert!(errs(|e| validate_role(e, &role)).is_empty());
        let cluster_role = json!({"rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}],
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate": "true"}}]}});
        assert!(errs(|e| validate_cluster_role(e, &cluster_role)).is_empty());
    }

    #[test]
    fn rules_need_verbs_api_groups_and_resources() {
        let role = json!({"rules": [{}]});
        assert_eq!(
            errs(|e| validate_role(e, &role)),
            vec![
                ("rules[0].verbs".into(), "Required value: verbs must contain at least one value".into()),
                (
                    "rules[0].apiGroups".into(),
                    "Required value: resource rules must supply at least one api group".into()
                ),
                (
                    "rules[0].resources".into(),
                    "Required value: resource rules must supply at least one resource".into()
                ),
            ]
        );
    }

    #[test]
    fn non_resource_urls_only_in_cluster_roles_and_alone() {
        let role = json!({"rules": [{"nonResourceURLs": ["/healthz"], "resources": ["pods"], "verbs": ["get"]}]});
        assert_eq!(
            errs(|e| validate_role(e, &role)),
            vec![
                (
                    "rules[0].nonResourceURLs".into(),
                    "Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs".into()
                ),
                (
                    "rules[0].nonResourceURLs".into(),
                    "Invalid value: []string{\"/healthz\"}: rules cannot apply to both regular resources and non-resource URLs"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn aggregation_rule_needs_a_selector() {
        let role = json!({"aggregationRule": {}});
        assert_eq!(
            errs(|e| validate_cluster_role(e, &role)),
            vec![(
                "aggregationRule.clusterRoleSelectors".into(),
                "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil".into()
            )]
        );
        let bad = json!({"aggregationRule": {"clusterRoleSelectors": [{"matchExpressions": [{"key": "a", "operator": "Near"}]}]}});
        assert_eq!(
            errs(|e| validate_cluster_role(e, &bad))[0].0,
            "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator"
        );
    }

    #[test]
    fn bindings_default_api_groups() {
        let binding = defaulted(json!({"roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "sa", "namespace": "n"}]}));
        assert_eq!(binding["roleRef"]["apiGroup"], GROUP);
        assert_eq!(binding["subjects"][0]["apiGroup"], GROUP);
        assert!(binding["subjects"][1].get("apiGroup").is_none());
        assert!(errs(|e| validate_role_binding(e, &binding)).is_empty());
    }

    #[test]
    fn binding_role_ref_and_subjects_are_checked() {
        let binding = defaulted(json!({"roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "Robot", "name": "x"}, {"kind": "ServiceAccount", "name": "sa"}, {"kind": "Group", "name": "g", "apiGroup": "x"}]}));
        assert_eq!(
            errs(|e| validate_cluster_role_binding(e, &binding)),
            vec![
                ("roleRef.kind".into(), "Unsupported value: \"Role\": supported values: \"ClusterRole\"".into()),
                (
                    "subjects[0].kind".into(),
                    "Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"".into()
                ),
                ("subjects[1].namespace".into(), "Required value".into()),
                (
                    "subjects[2].apiGroup".into(),
                    "Unsupported value: \"x\": supported values: \"rbac.authorization.k8s.io\"".into()
                ),
            ]
        );
        let no_ref = defaulted(json!({}));
        assert_eq!(
            errs(|e| validate_role_binding(e, &no_ref)),
            vec![
                ("roleRef.kind".into(), "Unsupported value: \"\": supported values: \"Role\", \"ClusterRole\"".into()),
                ("roleRef.name".into(), "Required value".into()),
            ]
        );
        let wrong_group = json!({"roleRef": {"apiGroup": "x", "kind": "Role", "name": "a/b"}});
        assert_eq!(
            errs(|e| validate_role_binding(e, &wrong_group)),
            vec![
                (
                    "roleRef.apiGroup".into(),
                    "Unsupported value: \"x\": supported values: \"rbac.authorization.k8s.io\"".into()
                ),
                ("roleRef.name".into(), "Invalid value: \"a/b\": may not contain '/'".into()),
            ]
        );
    }

    #[test]
    fn role_ref_cannot_change() {
        let old = defaulted(json!({"roleRef": {"kind": "ClusterRole", "name": "view"}}));
        let new = defaulted(json!({"roleRef": {"kind": "ClusterRole", "name": "edit"}}));
        assert_eq!(
            errs(|e| validate_role_binding_update(e, &new, &old)),
            vec![(
                "roleRef".into(),
                "Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef".into()
            )]
        );
        assert!(errs(|e| validate_cluster_role_binding_update(e, &old, &old)).is_empty());
    }
}
