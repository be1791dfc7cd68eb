//! Authentication by client certificate and the authorization seam.
//!
//! TLS accepts any client certificate (as upstream's `RequestClientCert`), so that a
//! certificate from a foreign CA gets a 401 answer rather than a failed handshake; the
//! chain is verified here against the cluster CA.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;

use super::status::ApiError;
use crate::registry::ResourceInfo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No certificate.
    Anonymous,
    /// A certificate that does not chain to the cluster CA.
    Rejected,
    User {
        name: String,
        groups: Vec<String>,
    },
}

/// Verifies a presented chain against the cluster CA and reads CN/O from it.
pub fn authenticate(verifier: &Arc<dyn ClientCertVerifier>, chain: Option<&[CertificateDer<'static>]>) -> Identity {
    let Some((leaf, intermediates)) = chain.and_then(|c| c.split_first()) else {
        return Identity::Anonymous;
    };
    if verifier.verify_client_cert(leaf, intermediates, UnixTime::now()).is_err() {
        return Identity::Rejected;
    }
    match crate::machinery::pki::identity_of(leaf) {
        Some((name, groups)) => Identity::User { name, groups },
        None => Identity::Rejected,
    }
}

/// The user a bearer token stands for. kctl authenticates by client certificate only and
/// knows no tokens, so every token is unknown (TokenReview answers `authenticated: false`);
/// the seam where service-account and bootstrap tokens will go.
pub fn authenticate_token(_token: &str) -> Option<Identity> {
    None
}

/// What a request does, for authorization and its messages.
pub struct Action<'a> {
    pub verb: &'a str,
    pub resource: &'a ResourceInfo,
    pub namespace: Option<&'a str>,
}

/// What a request asks to do, as upstream's `authorizer.Attributes`: a verb on a resource
/// (`resource` non-empty) or on a non-resource URL `path`. The requests kctl serves and the
/// access reviews (SubjectAccessReview and its kin) are both decided from these.
#[derive(Debug, Default, Clone, Copy)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    pub api_group: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub path: &'a str,
}

/// An authorizer's answer: allowed or not (kctl has no explicit denials: "no opinion" is
/// not allowed), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// The groups whose members may do everything; node identities (`system:nodes`) are allowed
/// for now — the seam where the kubelet's limits will go.
const UNRESTRICTED_GROUPS: &[&str] = &["system:masters", "system:nodes"];

/// What upstream's `system:basic-user` ClusterRole lets every authenticated user do: ask who
/// they are and what they may do.
const SELF_REVIEWS: &[(&str, &str)] = &[
    ("authentication.k8s.io", "selfsubjectreviews"),
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
];

/// kctl's authorizer: members of [`UNRESTRICTED_GROUPS`] may do everything, every user may
/// create the self reviews ([`SELF_REVIEWS`]), nobody anything else (until RBAC lands here).
pub fn decide(_user: &str, groups: &[String], attributes: &Attributes) -> Decision {
    if let Some(group) = groups.iter().find(|g| UNRESTRICTED_GROUPS.contains(&g.as_str())) {
        return Decision {
            allowed: true,
            reason: format!("kctl: allowed: members of group \"{group}\" may do everything (kctl has no RBAC yet)"),
        };
    }
    let self_review = SELF_REVIEWS.iter().any(|(group, resource)| {
        attributes.api_group == *group && attributes.resource == *resource && attributes.subresource.is_empty()
    });
    if self_review && attributes.verb == "create" {
        return Decision {
            allowed: true,
            reason: format!(
                "kctl: allowed: every user may create {} (upstream's system:basic-user)",
                attributes.resource
            ),
        };
    }
    Decision { allowed: false, reason: String::new() }
}

/// What a user may do, as upstream's `RulesFor` answers a SelfSubjectRulesReview: resource
/// rules and non-resource rules (as JSON `ResourceRule`s and `NonResourceRule`s).
pub fn rules_for(user: &str, groups: &[String]) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let everything = Attributes { verb: "*", api_group: "*", resource: "*", ..Attributes::default() };
    let mut resource_rules = vec![
        serde_json::json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}),
        serde_json::json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}),
    ];
    if !groups.iter().any(|g| UNRESTRICTED_GROUPS.contains(&g.as_str())) || !decide(user, groups, &everything).allowed {
        return (resource_rules, Vec::new());
    }
    resource_rules.insert(0, serde_json::json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
    (resource_rules, vec![serde_json::json!({"verbs": ["*"], "nonResourceURLs": ["*"]})])
}

/// Whether `identity` may do `action`; the 403 answer names what it may not do.
pub fn authorize(identity: &Identity, action: &Action) -> Result<(), ApiError> {
    let Identity::User { name, groups } = identity else {
        return Err(ApiError::unauthorized());
    };
    let attributes = Attributes {
        verb: action.verb,
        api_group: action.resource.group,
        resource: action.resource.plural,
        namespace: action.namespace.unwrap_or(""),
        ..Attributes::default()
    };
    if decide(name, groups, &attributes).allowed {
        return Ok(());
    }
    let scope = match action.namespace {
        Some(namespace) => format!(" in the namespace \"{namespace}\""),
        None => " at the cluster scope".to_string(),
    };
    Err(ApiError::forbidden(format!(
        "{} is forbidden: User \"{name}\" cannot {} resource \"{}\" in API group \"{}\"{scope}",
        action.resource.qualified_plural(),
        action.verb,
        action.resource.plural,
        action.resource.group
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|g| g.to_string()).collect()
    }

    #[test]
    fn masters_may_do_everything_and_say_why() {
        let pods = Attributes { verb: "create", resource: "pods", namespace: "default", ..Attributes::default() };
        let decision = decide("admin", &groups(&["system:masters"]), &pods);
        assert!(decision.allowed);
        assert!(decision.reason.contains("system:masters"));
        assert_eq!(decide("alice", &groups(&["dev"]), &pods), Decision { allowed: false, reason: String::new() });
    }

    #[test]
    fn every_user_may_ask_who_they_are_and_what_they_may_do() {
        for (api_group, resource) in SELF_REVIEWS {
            let review = Attributes { verb: "create", api_group, resource, ..Attributes::default() };
            assert!(decide("alice", &[], &review).allowed, "{resource}");
            assert!(!decide("alice", &[], &Attributes { verb: "delete", ..review }).allowed, "{resource}");
        }
        let (resource_rules, non_resource_rules) = rules_for("alice", &[]);
        assert_eq!(resource_rules.len(), 2);
        assert!(non_resource_rules.is_empty());
        let (resource_rules, non_resource_rules) = rules_for("admin", &groups(&["system:masters"]));
        assert_eq!(resource_rules[0]["resources"], serde_json::json!(["*"]));
        assert_eq!(non_resource_rules.len(), 1);
    }

    #[test]
    fn no_token_is_known() {
        assert_eq!(authenticate_token("abc.def"), None);
    }
}
