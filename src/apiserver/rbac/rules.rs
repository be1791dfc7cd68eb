//! RBAC's PolicyRule and how rules are matched against a request (upstream's
//! `RuleAllows`, `pkg/apis/rbac/v1/evaluation_helpers.go`) and compared with each other for
//! escalation checks (`Covers`, `BreakdownRule`, `CompactRules` and `CompactString` of
//! `component-helpers/auth/rbac/validation`).

use serde::{Deserialize, Serialize};

use crate::apiserver::auth::Attributes;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

fn has(set: &[String], wanted: &str) -> bool {
    set.iter().any(|s| s == wanted)
}

fn has_all(set: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| has(set, w))
}

impl PolicyRule {
    /// The rules of a Role or ClusterRole object (bad entries are skipped, as a role that
    /// does not parse grants nothing).
    pub fn list_of(role: &serde_json::Value) -> Vec<PolicyRule> {
        role.get("rules")
            .and_then(serde_json::Value::as_array)
            .map(|rules| rules.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()).collect())
            .unwrap_or_default()
    }

    fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == "*" || v == verb)
    }

    fn group_matches(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == "*" || g == group)
    }

    fn resource_matches(&self, resource: &str, subresource: &str) -> bool {
        self.resources.iter().any(|r| {
            if r == "*" {
                return true;
            }
            match subresource {
                "" => r == resource,
                sub => {
                    r.strip_prefix(resource).and_then(|rest| rest.strip_prefix('/')) == Some(sub)
                        || r.strip_prefix("*/") == Some(sub)
                }
            }
        })
    }

    fn name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || has(&self.resource_names, name)
    }

    fn url_matches(&self, path: &str) -> bool {
        self.non_resource_urls.iter().any(|url| url_covers(url, path))
    }

    /// Upstream's `RuleAllows`.
    pub fn allows(&self, attributes: &Attributes) -> bool {
        if attributes.is_resource_request() {
            self.verb_matches(attributes.verb)
                && self.group_matches(attributes.api_group)
                && self.resource_matches(attributes.resource, attributes.subresource)
                && self.name_matches(attributes.name)
        } else {
            self.verb_matches(attributes.verb) && self.url_matches(attributes.path)
        }
    }

    /// Upstream's `BreakdownRule`: one rule per group × resource × verb (× name) and per
    /// URL × verb.
    pub fn breakdown(&self) -> Vec<PolicyRule> {
        let one = |s: &String| vec![s.clone()];
        let mut rules = Vec::new();
        for group in &self.api_groups {
            for resource in &self.resources {
                for verb in &self.verbs {
                    let base = PolicyRule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        ..PolicyRule::default()
                    };
                    if self.resource_names.is_empty() {
                        rules.push(base);
                    } else {
                        rules.extend(
                            self.resource_names.iter().map(|n| PolicyRule { resource_names: one(n), ..base.clone() }),
                        );
                    }
                }
            }
        }
        for url in &self.non_resource_urls {
            for verb in &self.verbs {
                rules.push(PolicyRule { verbs: one(verb), non_resource_urls: one(url), ..PolicyRule::default() });
            }
        }
        rules
    }

    /// Upstream's `ruleCovers`.
    fn covers(&self, sub: &PolicyRule) -> bool {
        let verbs = has(&self.verbs, "*") || has_all(&self.verbs, &sub.verbs);
        let groups = has(&self.api_groups, "*") || has_all(&self.api_groups, &sub.api_groups);
        let resources = has(&self.resources, "*")
            || sub.resources.iter().all(|path| {
                has(&self.resources, path)
                    || path.split_once('/').is_some_and(|(_, sub)| has(&self.resources, &format!("*/{sub}")))
            });
        let urls = sub.non_resource_urls.iter().all(|path| self.non_resource_urls.iter().any(|o| url_covers(o, path)));
        let names = self.resource_names.is_empty()
            || (!sub.resource_names.is_empty() && has_all(&self.resource_names, &sub.resource_names));
        verbs && groups && resources && urls && names
    }

    /// Upstream's `CompactString`, for escalation messages: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`.
    pub fn compact_string(&self) -> String {
        let quoted = |list: &[String]| format!("[{}]", list.iter().map(|s| go_quote(s)).collect::<Vec<_>>().join(" "));
        let mut parts = Vec::new();
        for (label, list) in [
            ("APIGroups", &self.api_groups),
            ("Resources", &self.resources),
            ("NonResourceURLs", &self.non_resource_urls),
            ("ResourceNames", &self.resource_names),
            ("Verbs", &self.verbs),
        ] {
            if !list.is_empty() {
                parts.push(format!("{label}:{}", quoted(list)));
            }
        }
        format!("{{{}}}", parts.join(", "))
    }
}

/// Go's `%q` of a string (what upstream's messages quote with).
pub fn go_quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn url_covers(owner: &str, path: &str) -> bool {
    owner == "*" || owner == path || owner.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
}

/// Upstream's `Covers`: the rules of `servant` that no rule of `owner` covers, broken down.
pub fn uncovered(owner: &[PolicyRule], servant: &[PolicyRule]) -> Vec<PolicyRule> {
    servant.iter().flat_map(PolicyRule::breakdown).filter(|sub| !owner.iter().any(|o| o.covers(sub))).collect()
}

/// Upstream's `CompactRules`: broken-down rules of one group, resource and (at most one)
/// name joined into one rule with all their verbs.
pub fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut compacted: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1
            && rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1;
        if !is_simple {
            compacted.push(rule);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups && s.resources == rule.resources && s.resource_names == rule.resource_names
        }) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    compacted.extend(simple);
    compacted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        PolicyRule { verbs: own(verbs), api_groups: own(groups), resources: own(resources), ..Default::default() }
    }

    #[test]
    fn rules_match_verbs_groups_resources_subresources_names_and_urls() {
        let pods = Attributes { verb: "get", resource: "pods", namespace: "x", name: "a", ..Default::default() };
        assert!(rule(&["get"], &[""], &["pods"]).allows(&pods));
        assert!(rule(&["*"], &["*"], &["*"]).allows(&pods));
        assert!(!rule(&["list"], &[""], &["pods"]).allows(&pods));
        assert!(!rule(&["get"], &["apps"], &["pods"]).allows(&pods));
        let log = Attributes { subresource: "log", ..pods };
        assert!(!rule(&["get"], &[""], &["pods"]).allows(&log));
        assert!(rule(&["get"], &[""], &["pods/log"]).allows(&log));
        assert!(rule(&["get"], &[""], &["*/log"]).allows(&log));
        let named = PolicyRule { resource_names: vec!["b".into()], ..rule(&["get"], &[""], &["pods"]) };
        assert!(!named.allows(&pods));
        let url =
            PolicyRule { verbs: vec!["get".into()], non_resource_urls: vec!["/apis/*".into()], ..Default::default() };
        assert!(url.allows(&Attributes { verb: "get", path: "/apis/apps", ..Default::default() }));
        assert!(!url.allows(&Attributes { verb: "get", path: "/api", ..Default::default() }));
    }

    #[test]
    fn escalation_lists_what_the_owner_lacks_compacted() {
        let owner = vec![rule(&["get"], &[""], &["pods"])];
        let wanted = vec![rule(&["get", "list"], &[""], &["pods"])];
        let missing = compact(uncovered(&owner, &wanted));
        assert_eq!(
            missing.iter().map(PolicyRule::compact_string).collect::<Vec<_>>(),
            vec![r#"{APIGroups:[""], Resources:["pods"], Verbs:["list"]}"#]
        );
        assert!(uncovered(&[rule(&["*"], &["*"], &["*"])], &wanted).is_empty());
        assert!(uncovered(&[rule(&["get"], &[""], &["*/log"])], &[rule(&["get"], &[""], &["pods/log"])]).is_empty());
    }
}
