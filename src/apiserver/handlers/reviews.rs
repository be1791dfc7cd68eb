//! The create-only review resources of authentication.k8s.io and authorization.k8s.io: the
//! request comes back (201) with its `status` answered, and nothing is stored. Access reviews
//! are answered by the same authorizer that decides kctl's requests ([`auth::decide`]), so
//! their answers change with it.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::object_response;
use crate::apiserver::auth::{self, Attributes, Identity, UserInfo};
use crate::apiserver::objects;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::serviceaccount::tokens;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::registry::strategy::reviews::validate_review;

pub async fn create(state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let resource = target.resource;
    let mut review = request.body_object()?;
    objects::check_type(resource, &mut review)?;
    objects::check_namespace(resource, &mut review, target.namespace.as_deref())?;
    let Identity::User(requestor) = &request.identity else {
        return Err(ApiError::bad_request("no user present on request"));
    };
    let causes = validate_review(resource, &review);
    if !causes.is_empty() {
        return Err(ApiError::invalid(&resource.qualified_kind(), "", causes));
    }
    let answered = match resource.kind {
        "TokenReview" => token_review(state, review).await?,
        "SelfSubjectReview" => self_subject_review(resource.api_version(), requestor),
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let spec = review.get("spec").cloned().unwrap_or(Value::Null);
            let user = spec.get("user").and_then(Value::as_str).unwrap_or("").to_string();
            let groups: Vec<String> = spec
                .get("groups")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            access_review(state, review, &user, &groups)
        }
        "SelfSubjectAccessReview" => access_review(state, review, &requestor.name, &requestor.groups),
        "SelfSubjectRulesReview" => self_subject_rules_review(state, resource.api_version(), review, requestor)?,
        _ => return Err(ApiError::method_not_allowed()),
    };
    Ok(object_response(request, StatusCode::CREATED, &answered))
}

/// Sets `status` and gives the answer the zero `metadata` upstream serializes.
fn with_status(mut review: Value, status: Value) -> Value {
    if let Some(root) = review.as_object_mut() {
        let metadata = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if let Some(metadata) = metadata.as_object_mut() {
            metadata.entry("creationTimestamp").or_insert(Value::Null);
        }
        root.insert("status".into(), status);
    }
    review
}

/// A TokenReview: the token checked by kctl's token authentication (service-account
/// tokens, for the audiences the review names); a token that does not hold is answered
/// `authenticated: false`, not an error.
async fn token_review(state: &ApiState, review: Value) -> Result<Value, ApiError> {
    let token = review.pointer("/spec/token").and_then(Value::as_str).unwrap_or("");
    if token.is_empty() {
        return Err(ApiError::bad_request("token is required for TokenReview in authentication"));
    }
    let audiences: Option<Vec<String>> = review
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
    let status = match tokens::authenticate(state, token, audiences.as_deref()).await {
        tokens::Checked::User(user) => {
            let accepted = audiences.unwrap_or_else(|| vec![tokens::ISSUER.to_string()]);
            json!({"authenticated": true, "user": user.to_json(), "audiences": accepted})
        }
        _ => json!({"user": {}}),
    };
    Ok(with_status(review, status))
}

/// A SelfSubjectReview: who the requester is, in a new object.
fn self_subject_review(api_version: String, requestor: &UserInfo) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": api_version,
        "metadata": {"creationTimestamp": objects::now_rfc3339()},
        "status": {"userInfo": requestor.to_json()},
    })
}

/// A (Self|Local)SubjectAccessReview: whether `user` in `groups` may do what the spec says.
fn access_review(state: &ApiState, review: Value, user: &str, groups: &[String]) -> Value {
    let spec = review.get("spec").cloned().unwrap_or(Value::Null);
    let text = |attributes: &Value, key: &str| attributes.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let (resource, non_resource) = (
        spec.get("resourceAttributes").cloned().unwrap_or(Value::Null),
        spec.get("nonResourceAttributes").cloned().unwrap_or(Value::Null),
    );
    let fields: Vec<String> = if resource.is_object() {
        ["verb", "group", "resource", "subresource", "namespace", "name"].iter().map(|k| text(&resource, k)).collect()
    } else {
        vec![text(&non_resource, "verb"), String::new(), String::new(), String::new(), String::new(), String::new()]
    };
    let path = text(&non_resource, "path");
    let attributes = Attributes {
        verb: &fields[0],
        api_group: &fields[1],
        resource: &fields[2],
        subresource: &fields[3],
        namespace: &fields[4],
        name: &fields[5],
        path: &path,
    };
    let decision = auth::decide(&state.rbac.policy(), user, groups, &attributes);
    let mut status = json!({"allowed": decision.allowed});
    if !decision.reason.is_empty() {
        status["reason"] = Value::String(decision.reason);
    }
    with_status(review, status)
}

/// A SelfSubjectRulesReview: what the requester may do in `spec.namespace`, in a new object.
fn self_subject_rules_review(
    state: &ApiState,
    api_version: String,
    review: Value,
    requestor: &UserInfo,
) -> Result<Value, ApiError> {
    let namespace = review.pointer("/spec/namespace").and_then(Value::as_str).unwrap_or("");
    if namespace.is_empty() {
        return Err(ApiError::bad_request("no namespace on request"));
    }
    let (resource_rules, non_resource_rules) =
        auth::rules_for(&state.rbac.policy(), &requestor.name, &requestor.groups, namespace);
    Ok(json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": api_version,
        "metadata": {"creationTimestamp": null},
        "spec": {},
        "status": {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": false},
    }))
}
