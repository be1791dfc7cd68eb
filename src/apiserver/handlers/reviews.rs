//! The create-only review resources of authentication.k8s.io and authorization.k8s.io: the
//! request comes back (201) with its `status` answered, and nothing is stored. Access reviews
//! are answered by the same authorizer that decides kctl's requests ([`auth::decide`]), so
//! their answers change with it.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::object_response;
use crate::apiserver::auth::{self, Attributes, Identity};
use crate::apiserver::objects;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::registry::strategy::reviews::validate_review;

/// The group every authenticated user is in, as upstream's authenticators add it.
const AUTHENTICATED_GROUP: &str = "system:authenticated";

pub async fn create(_state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let resource = target.resource;
    let mut review = request.body_object()?;
    objects::check_type(resource, &mut review)?;
    objects::check_namespace(resource, &mut review, target.namespace.as_deref())?;
    let Identity::User { name, groups } = &request.identity else {
        return Err(ApiError::bad_request("no user present on request"));
    };
    let causes = validate_review(resource, &review);
    if !causes.is_empty() {
        return Err(ApiError::invalid(&resource.qualified_kind(), "", causes));
    }
    let answered = match resource.kind {
        "TokenReview" => token_review(review)?,
        "SelfSubjectReview" => self_subject_review(resource.api_version(), name, groups),
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let spec = review.get("spec").cloned().unwrap_or(Value::Null);
            let user = spec.get("user").and_then(Value::as_str).unwrap_or("").to_string();
            let groups: Vec<String> = spec
                .get("groups")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            access_review(review, &user, &groups)
        }
        "SelfSubjectAccessReview" => access_review(review, name, groups),
        "SelfSubjectRulesReview" => self_subject_rules_review(resource.api_version(), review, name, groups)?,
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

/// A TokenReview: the token checked by kctl's token authentication ([`auth::authenticate_token`]);
/// a token it does not know is answered `authenticated: false`, not an error.
fn token_review(review: Value) -> Result<Value, ApiError> {
    let token = review.pointer("/spec/token").and_then(Value::as_str).unwrap_or("");
    if token.is_empty() {
        return Err(ApiError::bad_request("token is required for TokenReview in authentication"));
    }
    let status = match auth::authenticate_token(token) {
        Some(Identity::User { name, groups }) => {
            let audiences = review.pointer("/spec/audiences").cloned();
            let mut status = json!({"authenticated": true, "user": user_info(&name, &groups)});
            if let Some(audiences) = audiences.filter(|a| a.as_array().is_some_and(|a| !a.is_empty())) {
                status["audiences"] = audiences;
            }
            status
        }
        _ => json!({"user": {}}),
    };
    Ok(with_status(review, status))
}

/// upstream's `UserInfo` of an authenticated user: its groups and `system:authenticated`.
fn user_info(name: &str, groups: &[String]) -> Value {
    let mut groups = groups.to_vec();
    if !groups.iter().any(|g| g == AUTHENTICATED_GROUP) {
        groups.push(AUTHENTICATED_GROUP.to_string());
    }
    json!({"username": name, "groups": groups})
}

/// A SelfSubjectReview: who the requester is, in a new object.
fn self_subject_review(api_version: String, name: &str, groups: &[String]) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": api_version,
        "metadata": {"creationTimestamp": objects::now_rfc3339()},
        "status": {"userInfo": user_info(name, groups)},
    })
}

/// A (Self|Local)SubjectAccessReview: whether `user` in `groups` may do what the spec says.
fn access_review(review: Value, user: &str, groups: &[String]) -> Value {
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
    let decision = auth::decide(user, groups, &attributes);
    let mut status = json!({"allowed": decision.allowed});
    if !decision.reason.is_empty() {
        status["reason"] = Value::String(decision.reason);
    }
    with_status(review, status)
}

/// A SelfSubjectRulesReview: what the requester may do in `spec.namespace`, in a new object.
fn self_subject_rules_review(
    api_version: String,
    review: Value,
    name: &str,
    groups: &[String],
) -> Result<Value, ApiError> {
    if review.pointer("/spec/namespace").and_then(Value::as_str).unwrap_or("").is_empty() {
        return Err(ApiError::bad_request("no namespace on request"));
    }
    let (resource_rules, non_resource_rules) = auth::rules_for(name, groups);
    Ok(json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": api_version,
        "metadata": {"creationTimestamp": null},
        "spec": {},
        "status": {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": false},
    }))
}
