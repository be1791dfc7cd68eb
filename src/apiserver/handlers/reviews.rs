//! The create-only review resources of authentication.k8s.io and authorization.k8s.io: the
//! request comes back with its `status` answered, and nothing is stored.

use std::sync::Arc;

use axum::response::Response;

use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;

pub async fn create(_state: &Arc<ApiState>, _request: &Request, _target: &Target) -> Result<Response, ApiError> {
    Err(ApiError::method_not_allowed())
}
