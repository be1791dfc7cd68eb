//! Required node affinity as upstream's component-helpers (scheduling/corev1/nodeaffinity):
//! the one matching rule the scheduler and the DaemonSet controller share.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{NodeSelector, NodeSelectorRequirement};

/// Does the node (`name`, `labels`) match the selector? Terms are ORed, expressions within
/// a term ANDed; an empty term matches nothing; `matchFields` knows `metadata.name`.
pub fn selector_matches(selector: &NodeSelector, name: &str, labels: &BTreeMap<String, String>) -> bool {
    selector.node_selector_terms.iter().any(|term| {
        let expressions = term.match_expressions.as_deref().unwrap_or_default();
        let fields = term.match_fields.as_deref().unwrap_or_default();
        if expressions.is_empty() && fields.is_empty() {
            return false;
        }
        expressions.iter().all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
            && fields.iter().all(|r| {
                let value = (r.key == "metadata.name").then_some(name);
                requirement_matches(r, value)
            })
    })
}

/// One requirement against the node's value for its key (None: the key is absent).
pub fn requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = requirement.values.as_deref().unwrap_or_default();
    let number = |text: &str| text.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(actual), Some(bound)) = (value.and_then(number), values.first().and_then(|v| number(v))) else {
                return false;
            };
            if requirement.operator == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn match_fields_name_the_node() {
        let selector: NodeSelector = serde_json::from_value(json!({"nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}))
        .unwrap();
        assert!(selector_matches(&selector, "n1", &BTreeMap::new()));
        assert!(!selector_matches(&selector, "n2", &BTreeMap::new()));
    }
}
