//! API errors, answered as upstream's `Status` objects (kubectl prints their message:
//! `Error from server (NotFound): pods "x" not found`).

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{json, Value};

use crate::registry::strategy::Cause;

/// Upstream's text for a write based on a stale resourceVersion.
const MODIFIED: &str = "the object has been modified; please apply your changes to the latest version and try again";

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: StatusCode,
    /// Upstream's `reason`: NotFound, AlreadyExists, Conflict, Invalid, BadRequest, …
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    fn new(code: StatusCode, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { code, reason, message: message.into(), details: None }
    }

    fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// `pods "nginx" not found`
    pub fn not_found(qualified_plural: &str, name: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NotFound", format!("{qualified_plural} \"{name}\" not found"))
            .with_details(
                json!({"name": name, "kind": plural_of(qualified_plural), "group": group_of(qualified_plural)}),
            )
    }

    pub fn not_found_path() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource")
            .with_details(json!({}))
    }

    pub fn already_exists(qualified_plural: &str, name: &str) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "AlreadyExists", format!("{qualified_plural} \"{name}\" already exists"))
            .with_details(
                json!({"name": name, "kind": plural_of(qualified_plural), "group": group_of(qualified_plural)}),
            )
    }

    /// A write refused for `why` (a stale resourceVersion, a pod already bound …).
    pub fn conflict(qualified_plural: &str, name: &str, why: &str) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!("Operation cannot be fulfilled on {qualified_plural} \"{name}\": {why}"),
        )
        .with_details(json!({"name": name, "kind": plural_of(qualified_plural), "group": group_of(qualified_plural)}))
    }

    /// A write whose expected revision is no longer the object's (someone wrote in between).
    pub fn modified(qualified_plural: &str, name: &str) -> ApiError {
        ApiError::conflict(qualified_plural, name, MODIFIED)
    }

    /// Whether this is [`ApiError::modified`]: an unconditional write may retry on a fresh read.
    pub fn is_modified(&self) -> bool {
        self.code == StatusCode::CONFLICT && self.message.ends_with(MODIFIED)
    }

    pub fn conflict_message(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "Conflict", message)
    }

    /// 422 with the causes, worded as upstream: `Deployment.apps "x" is invalid: field: msg, …`.
    pub fn invalid(qualified_kind: &str, name: &str, causes: Vec<Cause>) -> ApiError {
        let listed: Vec<String> = causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect();
        let listed = if listed.len() == 1 { listed[0].clone() } else { format!("[{}]", listed.join(", ")) };
        let (kind, group) = qualified_kind.split_once('.').unwrap_or((qualified_kind, ""));
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!("{qualified_kind} \"{name}\" is invalid: {listed}"),
        )
        .with_details(json!({"name": name, "group": group, "kind": kind, "causes": causes}))
    }

    /// A patch that cannot be applied to the object (a failed `test`, a bad path …).
    pub fn unprocessable_patch(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid", message)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// MethodNotAllowed with its own message (`create not allowed while ...`).
    pub fn not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {content_type:?})"),
        )
    }

    /// A strategic merge patch sent to a custom resource.
    pub fn unsupported_patch_for_custom() -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        )
    }

    /// 406: nothing the client accepts can be served.
    pub fn not_acceptable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_ACCEPTABLE, "NotAcceptable", message)
    }

    pub fn too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728",
        )
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// Upstream's `NewForbidden(groupResource, name, err)`: the message names the resource
    /// (and object) when there is one, and the details say which.
    pub fn forbidden_for(qualified_plural: &str, name: &str, why: &str) -> ApiError {
        let message = match (qualified_plural, name) {
            ("", _) => format!("forbidden: {why}"),
            (resource, "") => format!("{resource} is forbidden: {why}"),
            (resource, name) => format!("{resource} \"{name}\" is forbidden: {why}"),
        };
        let mut details = json!({"kind": plural_of(qualified_plural)});
        if !name.is_empty() {
            details["name"] = json!(name);
        }
        let group = group_of(qualified_plural);
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden", message).with_details(details)
    }

    /// 410: the requested resourceVersion is older than the retained history.
    pub fn gone(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::GONE, "Expired", message)
    }

    /// 429 (`NewTooManyRequests`): the client should retry after `retry_after` seconds;
    /// `causes` say why (an eviction names the disruption budget).
    pub fn too_many_requests(message: impl Into<String>, retry_after: u32, causes: Vec<Value>) -> ApiError {
        let mut details = json!({"retryAfterSeconds": retry_after});
        if !causes.is_empty() {
            details["causes"] = Value::Array(causes);
        }
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", message).with_details(details)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    pub fn timeout(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::GATEWAY_TIMEOUT, "Timeout", message)
    }

    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code.as_u16(),
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

/// `deployments.apps` → `deployments`
fn plural_of(qualified: &str) -> &str {
    qualified.split_once('.').map_or(qualified, |(plural, _)| plural)
}

fn group_of(qualified: &str) -> &str {
    qualified.split_once('.').map_or("", |(_, group)| group)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.to_status()).unwrap_or_default();
        let mut response = (self.code, [(http::header::CONTENT_TYPE, "application/json")], body).into_response();
        // As upstream's error writer: a suggested delay travels as Retry-After too (client-go
        // waits and retries on it by itself).
        let retry_after = self.details.as_ref().and_then(|d| d.get("retryAfterSeconds")).and_then(Value::as_u64);
        if let Some(seconds) = retry_after.filter(|s| *s > 0) {
            if let Ok(value) = http::HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        match err {
            crate::store::StoreError::Compacted { .. } => {
                ApiError::gone("The resourceVersion for the provided list is too old.")
            }
            other => ApiError::internal(format!("storage error: {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_reads_like_upstream() {
        let status = ApiError::not_found("pods", "nginx").to_status();
        assert_eq!(status["message"], "pods \"nginx\" not found");
        assert_eq!(status["code"], 404);
        assert_eq!(status["details"]["kind"], "pods");
    }

    #[test]
    fn invalid_lists_causes() {
        let cause = Cause {
            reason: "FieldValueRequired".into(),
            message: "Required value".into(),
            field: "spec.containers".into(),
        };
        let err = ApiError::invalid("Pod", "x", vec![cause]);
        assert_eq!(err.message, "Pod \"x\" is invalid: spec.containers: Required value");
        assert_eq!(err.to_status()["details"]["causes"][0]["field"], "spec.containers");
    }
}
