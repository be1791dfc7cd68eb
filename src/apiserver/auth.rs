//! Who a request is (client certificate, bearer token, impersonation) and whether they may
//! do what it asks (the authorizer: `system:masters`, then RBAC).
//!
//! TLS accepts any client certificate (as upstream's `RequestClientCert`), so that a
//! certificate from a foreign CA gets a 401 answer rather than a failed handshake; the
//! chain is verified here against the cluster CA.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::HeaderMap;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;
use serde_json::{json, Value};

use super::rbac::rules::go_quote;
use super::rbac::Policy;
use super::status::ApiError;
use super::ApiState;

/// The group whose members may do everything, whatever RBAC says (upstream's
/// `system:masters` privileged-group authorizer).
pub const MASTERS: &str = "system:masters";
/// Added to every authenticated user, as upstream's `AuthenticatedGroupAdder`.
pub const AUTHENTICATED: &str = "system:authenticated";
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS: &str = "system:anonymous";
/// Node credentials: allowed everything for now, standing in for upstream's Node
/// authorizer (a kubelet may in fact read only what its pods use).
const NODES: &str = "system:nodes";

/// Upstream's `user.Info`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// An authenticated user: `groups` and `system:authenticated`.
    pub fn authenticated(name: impl Into<String>, groups: impl IntoIterator<Item = String>) -> UserInfo {
        let mut groups: Vec<String> = groups.into_iter().collect();
        if !groups.iter().any(|g| g == AUTHENTICATED) {
            groups.push(AUTHENTICATED.to_string());
        }
        UserInfo { name: name.into(), groups, ..UserInfo::default() }
    }

    fn anonymous() -> UserInfo {
        UserInfo { name: ANONYMOUS.into(), groups: vec![UNAUTHENTICATED.into()], ..UserInfo::default() }
    }

    /// As the `userInfo` of TokenReview and SelfSubjectReview answers.
    pub fn to_json(&self) -> Value {
        let mut info = json!({"username": self.name, "groups": self.groups});
        if !self.uid.is_empty() {
            info["uid"] = json!(self.uid);
        }
        if !self.extra.is_empty() {
            info["extra"] = json!(self.extra);
        }
        info
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No credentials.
    Anonymous,
    /// Credentials that do not hold (a certificate of another CA, an unknown token).
    Rejected,
    User(UserInfo),
}

impl Identity {
    pub fn user(name: impl Into<String>, groups: impl IntoIterator<Item = String>) -> Identity {
        Identity::User(UserInfo::authenticated(name, groups))
    }
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
        Some((name, groups)) => Identity::user(name, groups),
        None => Identity::Rejected,
    }
}

/// The bearer token of a request, if it sends one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Paths anonymous requests may reach (upstream's anonymous authenticator limited to the
/// health and version endpoints); anywhere else a request without credentials gets 401.
fn anonymous_may_reach(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path == "/version"
        || ["/healthz", "/livez", "/readyz"]
            .iter()
            .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

/// The user a request acts as: its certificate's, else its bearer token's, else anonymous
/// (only on the health endpoints), then impersonation; 401 when credentials do not hold.
/// As upstream's union of authenticators, a token none of them knows is no credential at
/// all, while one of ours that does not hold (or a foreign certificate) is refused.
pub async fn resolve(
    state: &ApiState,
    connection: &Identity,
    headers: &HeaderMap,
    path: &str,
) -> Result<UserInfo, ApiError> {
    use super::serviceaccount::tokens::{authenticate as check_token, Checked};
    let checked = match (connection, bearer(headers)) {
        (Identity::User(user), _) => Checked::User(user.clone()),
        (_, Some(token)) => check_token(state, token, None).await,
        (_, None) => Checked::NotOurs,
    };
    let user = match checked {
        Checked::User(user) => user,
        Checked::NotOurs if *connection != Identity::Rejected && anonymous_may_reach(path) => UserInfo::anonymous(),
        _ => return Err(ApiError::unauthorized()),
    };
    super::impersonation::impersonate(state, user, headers)
}

/// What a request asks to do, as upstream's `authorizer.Attributes`: a verb on a resource
/// (no `path`) or on a non-resource URL `path`. The requests kctl serves and the access
/// reviews (SubjectAccessReview and its kin) are both decided from these.
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

impl Attributes<'_> {
    pub fn is_resource_request(&self) -> bool {
        self.path.is_empty()
    }
}

/// An authorizer's answer: allowed or not (kctl has no explicit denials: "no opinion" is
/// not allowed), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// kctl's authorizer chain as upstream's `system:masters`,Node,RBAC: RBAC's answer names
/// the binding that allows; members of `system:masters` (and, for now, `system:nodes`)
/// are allowed whatever it says.
pub fn decide(policy: &Policy, user: &str, groups: &[String], attributes: &Attributes) -> Decision {
    if let Some(reason) = policy.allowed_by(user, groups, attributes) {
        return Decision { allowed: true, reason: format!("RBAC: allowed by {reason}") };
    }
    if groups.iter().any(|g| g == MASTERS) {
        return Decision { allowed: true, reason: String::new() };
    }
    if groups.iter().any(|g| g == NODES) {
        return Decision {
            allowed: true,
            reason: "kctl: allowed: node credentials are not limited yet (no Node authorizer)".into(),
        };
    }
    Decision { allowed: false, reason: String::new() }
}

/// What a user may do in `namespace`, as upstream's `RulesFor` answers a
/// SelfSubjectRulesReview: resource rules and non-resource rules (as JSON `ResourceRule`s
/// and `NonResourceRule`s).
pub fn rules_for(policy: &Policy, user: &str, groups: &[String], namespace: &str) -> (Vec<Value>, Vec<Value>) {
    let mut rules = policy.rules_for(user, groups, namespace);
    if groups.iter().any(|g| g == NODES) {
        rules.insert(
            0,
            serde_json::from_value(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})).unwrap_or_default(),
        );
        rules.insert(1, serde_json::from_value(json!({"verbs": ["*"], "nonResourceURLs": ["*"]})).unwrap_or_default());
    }
    let (mut resource_rules, mut non_resource_rules) = (Vec::new(), Vec::new());
    for rule in rules {
        if !rule.resources.is_empty() {
            let mut entry = json!({"verbs": rule.verbs, "apiGroups": rule.api_groups, "resources": rule.resources});
            if !rule.resource_names.is_empty() {
                entry["resourceNames"] = json!(rule.resource_names);
            }
            resource_rules.push(entry);
        }
        if !rule.non_resource_urls.is_empty() {
            non_resource_rules.push(json!({"verbs": rule.verbs, "nonResourceURLs": rule.non_resource_urls}));
        }
    }
    (resource_rules, non_resource_rules)
}

/// Whether `user` may do what `attributes` say; the 403 answer is upstream's
/// (`responsewriters.Forbidden`).
pub fn authorize(state: &ApiState, user: &UserInfo, attributes: &Attributes) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Ok(());
    }
    let decision = decide(&state.rbac.policy(), &user.name, &user.groups, attributes);
    if decision.allowed {
        return Ok(());
    }
    Err(forbidden(&user.name, attributes, &decision.reason))
}

/// Upstream's `ForbiddenStatusError`.
pub fn forbidden(user: &str, attributes: &Attributes, reason: &str) -> ApiError {
    let user = go_quote(user);
    let mut message = if !attributes.is_resource_request() {
        format!("User {user} cannot {} path {}", attributes.verb, go_quote(attributes.path))
    } else {
        let resource = match attributes.subresource {
            "" => attributes.resource.to_string(),
            sub => format!("{}/{sub}", attributes.resource),
        };
        let scope = match attributes.namespace {
            "" => "at the cluster scope".to_string(),
            ns => format!("in the namespace {}", go_quote(ns)),
        };
        format!(
            "User {user} cannot {} resource {} in API group {} {scope}",
            attributes.verb,
            go_quote(&resource),
            go_quote(attributes.api_group)
        )
    };
    if !reason.is_empty() {
        message = format!("{message}: {reason}");
    }
    let qualified = match attributes.api_group {
        "" => attributes.resource.to_string(),
        group => format!("{}.{group}", attributes.resource),
    };
    ApiError::forbidden_for(&qualified, attributes.name, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_messages_are_upstreams() {
        let pods = Attributes { verb: "list", resource: "pods", namespace: "default", ..Attributes::default() };
        assert_eq!(
            forbidden("x", &pods, "").message,
            "pods is forbidden: User \"x\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let log = Attributes { verb: "get", subresource: "log", name: "p", ..pods };
        assert_eq!(
            forbidden("x", &log, "").message,
            "pods \"p\" is forbidden: User \"x\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\""
        );
        let nodes = Attributes { verb: "list", api_group: "", resource: "nodes", ..Attributes::default() };
        assert!(forbidden("x", &nodes, "").message.ends_with("in API group \"\" at the cluster scope"));
        let api = Attributes { verb: "get", path: "/api", ..Attributes::default() };
        assert_eq!(
            forbidden("system:anonymous", &api, "").message,
            "forbidden: User \"system:anonymous\" cannot get path \"/api\""
        );
    }

    #[test]
    fn anonymous_reaches_only_health_and_version() {
        for path in ["/healthz", "/livez", "/readyz", "/readyz/ping", "/version", "/version/"] {
            assert!(anonymous_may_reach(path), "{path}");
        }
        for path in ["/api", "/apis", "/api/v1/pods", "/healthzx", "/openapi/v3"] {
            assert!(!anonymous_may_reach(path), "{path}");
        }
    }

    #[test]
    fn only_bearer_tokens_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
