//! The ClusterRole aggregation controller (upstream's
//! `pkg/controller/clusterroleaggregation`): a ClusterRole with an `aggregationRule` gets
//! as its rules the rules of every other ClusterRole its selectors match — selector by
//! selector, matching roles in name order, each rule once — written back through the API
//! whenever they differ (a new labelled role, a changed one, a removed one).

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use kube::api::{Api, PostParams};
use kube::runtime::reflector::{self, reflector, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};

use crate::machinery::labels::Selector;

/// Runs the controller until the task is dropped.
pub async fn run(client: Client) {
    let api: Api<ClusterRole> = Api::all(client);
    let writer = reflector::store::Writer::default();
    let store = writer.as_reader();
    let mut changes = reflector(writer, watcher(api.clone(), watcher::Config::default()).default_backoff()).boxed();
    let mut synced = false;
    while let Some(change) = changes.next().await {
        synced |= matches!(change, Ok(watcher::Event::InitDone));
        if let Err(err) = change {
            tracing::debug!(%err, "ClusterRole watch failed");
            continue;
        }
        // Whatever follows right behind is covered by the same pass.
        while let Some(Some(change)) = changes.next().now_or_never() {
            synced |= matches!(change, Ok(watcher::Event::InitDone));
        }
        if synced {
            aggregate_all(&api, &store).await;
        }
    }
}

/// Writes the aggregated rules of every aggregating ClusterRole whose rules differ.
async fn aggregate_all(api: &Api<ClusterRole>, store: &Store<ClusterRole>) {
    let roles: Vec<ClusterRole> = store.state().iter().map(|r| (**r).clone()).collect();
    for role in roles.iter().filter(|r| r.aggregation_rule.is_some()) {
        let rules = aggregated_rules(role, &roles);
        if same_rules(&rules, role.rules.as_deref().unwrap_or_default()) {
            continue;
        }
        let mut updated = role.clone();
        updated.rules = Some(rules);
        // A conflict means the role moved on: its new version comes through the watch.
        if let Err(err) = api.replace(&role.name_any(), &PostParams::default(), &updated).await {
            tracing::debug!(%err, role = %role.name_any(), "writing aggregated rules failed");
        }
    }
}

/// The rules `role` aggregates from `roles`.
pub fn aggregated_rules(role: &ClusterRole, roles: &[ClusterRole]) -> Vec<PolicyRule> {
    let mut sorted: Vec<&ClusterRole> = roles.iter().filter(|r| r.name_any() != role.name_any()).collect();
    sorted.sort_by_key(|r| r.name_any());
    let mut rules: Vec<PolicyRule> = Vec::new();
    let selectors =
        role.aggregation_rule.as_ref().and_then(|a| a.cluster_role_selectors.as_deref()).unwrap_or_default();
    for selector in selectors {
        // An invalid selector matches nothing (validation refuses them).
        let Ok(selector) = Selector::from_label_selector(Some(selector)) else { continue };
        for source in sorted.iter().filter(|r| selector.matches(&r.labels().clone())) {
            for rule in source.rules.iter().flatten() {
                if !rules.iter().any(|r| same_rule(r, rule)) {
                    rules.push(rule.clone());
                }
            }
        }
    }
    rules
}

/// Semantic equality: an absent list equals an empty one.
fn same_rule(a: &PolicyRule, b: &PolicyRule) -> bool {
    let list = |l: &Option<Vec<String>>| l.clone().unwrap_or_default();
    a.verbs == b.verbs
        && list(&a.api_groups) == list(&b.api_groups)
        && list(&a.resources) == list(&b.resources)
        && list(&a.resource_names) == list(&b.resource_names)
        && list(&a.non_resource_urls) == list(&b.non_resource_urls)
}

fn same_rules(a: &[PolicyRule], b: &[PolicyRule]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_rule(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(value: serde_json::Value) -> ClusterRole {
        serde_json::from_value(value).expect("cluster role")
    }

    #[test]
    fn aggregates_matching_roles_in_name_order_each_rule_once() {
        let rule = |resource: &str| json!({"verbs": ["get"], "apiGroups": [""], "resources": [resource]});
        let aggregating = role(json!({"metadata": {"name": "monitoring", "labels": {"agg": "true"}},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]}, "rules": []}));
        let roles = vec![
            aggregating.clone(),
            role(
                json!({"metadata": {"name": "b", "labels": {"agg": "true"}}, "rules": [rule("pods"), rule("services")]}),
            ),
            role(json!({"metadata": {"name": "a", "labels": {"agg": "true"}}, "rules": [rule("services")]})),
            role(json!({"metadata": {"name": "c"}, "rules": [rule("secrets")]})),
        ];
        let rules = aggregated_rules(&aggregating, &roles);
        let resources: Vec<String> = rules.iter().map(|r| r.resources.clone().unwrap_or_default().join(",")).collect();
        assert_eq!(resources, ["services", "pods"]);
    }
}
