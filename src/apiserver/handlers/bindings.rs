//! The top-level `bindings` resource: a Binding posted to `/api/v1/namespaces/NS/bindings`
//! binds the pod its `metadata.name` names, as `pods/NAME/binding` does.

use std::sync::Arc;

use axum::response::Response;

use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;

pub async fn create(_state: &Arc<ApiState>, _request: &Request, _target: &Target) -> Result<Response, ApiError> {
    Err(ApiError::method_not_allowed())
}
