//! ComponentStatuses: read-only, computed on request from the health of kctl's own
//! control-plane components.

use std::sync::Arc;

use axum::response::Response;

use crate::apiserver::request::Request;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;

pub async fn list(_state: &Arc<ApiState>, _request: &Request) -> Result<Response, ApiError> {
    Err(ApiError::method_not_allowed())
}

pub async fn get(_state: &Arc<ApiState>, _request: &Request, _name: &str) -> Result<Response, ApiError> {
    Err(ApiError::method_not_allowed())
}
