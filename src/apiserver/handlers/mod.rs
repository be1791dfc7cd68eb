//! Request dispatch: route, authenticate, authorize, then the verb's handler.

mod bindings;
mod component_statuses;
mod delete;
mod discovery;
mod eviction;
mod logs;
mod namespace;
mod read;
mod reviews;
mod streams;
mod subresources;
mod watch;
mod write;

use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::auth::{self, Attributes, Identity, UserInfo};
use super::negotiation::{self, Endpoint, Format};
use super::protobuf;
use super::request::Request;
use super::router::{self, Route, Target};
use super::status::ApiError;
use super::ApiState;
use crate::registry::Rest;

pub fn json_response(code: StatusCode, value: &Value) -> Response {
    json_bytes_response(code, serde_json::to_vec(value).unwrap_or_default())
}

/// A response of JSON already encoded.
pub fn json_bytes_response(code: StatusCode, body: Vec<u8>) -> Response {
    (code, [(http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An API object (or Status, or list) in the representation the request negotiated: protobuf
/// when asked and the kind has a protobuf form, else JSON.
pub fn object_response(request: &Request, code: StatusCode, value: &Value) -> Response {
    if request.wants_protobuf() {
        if let Ok(body) = protobuf::encode(value) {
            return protobuf_response(code, body);
        }
    }
    json_response(code, value)
}

/// [`object_response`] for an object already encoded as JSON (the store's served bytes): they
/// are decoded only when the answer is protobuf.
pub fn object_bytes_response(request: &Request, code: StatusCode, body: Vec<u8>) -> Response {
    if request.wants_protobuf() {
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            return object_response(request, code, &value);
        }
    }
    json_bytes_response(code, body)
}

pub fn protobuf_response(code: StatusCode, body: Vec<u8>) -> Response {
    (code, [(http::header::CONTENT_TYPE, protobuf::MEDIA_TYPE)], body).into_response()
}

/// An error's Status, negotiated as upstream's ErrorNegotiated does (no conversion, any
/// format); JSON when nothing fits.
fn error_response(request: &Request, err: ApiError) -> Response {
    let output = negotiation::negotiate(request.accept(), Endpoint::Status, false);
    if output.is_ok_and(|output| output.format == Format::Protobuf) {
        if let Ok(body) = protobuf::encode(&err.to_status()) {
            return protobuf_response(err.code, body);
        }
    }
    err.into_response()
}

pub async fn handle(state: Arc<ApiState>, mut request: Request) -> Response {
    let user = match auth::resolve(&state, &request.identity, &request.headers, &request.path).await {
        Ok(user) => user,
        Err(err) => return error_response(&request, err),
    };
    request.identity = Identity::User(user.clone());
    let mut response = match route(&state, &request, &user).await {
        Ok(response) => response,
        Err(err) => error_response(&request, err),
    };
    for warning in request.warnings.lock().iter() {
        let quoted = serde_json::to_string(warning).unwrap_or_default();
        if let Ok(value) = http::HeaderValue::from_str(&format!("299 - {quoted}")) {
            response.headers_mut().append(http::header::WARNING, value);
        }
    }
    response
}

/// What `kubectl version` shows as the server; we implement the 1.32 API.
pub fn version_info() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": format!("v1.32.0-kctl.{}", env!("CARGO_PKG_VERSION")),
        "gitCommit": "kctl",
        "gitTreeState": "clean",
        "buildDate": "2026-11-23T00:00:00Z",
        "goVersion": "n/a (Rust)",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, if cfg!(target_arch = "x86_64") { "amd64" } else { std::env::consts::ARCH }),
    })
}

async fn route(state: &Arc<ApiState>, request: &Request, user: &UserInfo) -> Result<Response, ApiError> {
    let custom = state.crds.snapshot();
    let route = router::parse_with(&request.path, &custom.resources);
    if !matches!(route, Some(Route::Object(_))) {
        // A non-resource URL: authorized by path, with the method as the verb.
        let verb = request.method.as_str().to_ascii_lowercase();
        auth::authorize(state, user, &Attributes { verb: &verb, path: &request.path, ..Attributes::default() })?;
    }
    let route = route.ok_or_else(ApiError::not_found_path)?;
    match route {
        Route::Version => Ok(json_response(StatusCode::OK, &version_info())),
        Route::Health => Ok((StatusCode::OK, "ok").into_response()),
        Route::CoreVersions => Ok(discovery::core_versions(request)),
        Route::Groups => Ok(discovery::groups(request, &custom.all())),
        Route::Group(group) => Ok(discovery::group(&group, &custom.all())),
        Route::Resources { group, version } => Ok(discovery::resources(&group, &version, &custom.all())),
        Route::OpenApiIndex => {
            let mut index = state.openapi.index();
            for (path, doc) in &custom.documents {
                index["paths"][path] = json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash)});
            }
            Ok(json_response(StatusCode::OK, &index))
        }
        Route::OpenApiDocument(path) => {
            match state.openapi.document(&path).map(|(_, d)| d).or_else(|| custom.document(&path)) {
                Some(document) => Ok((
                    StatusCode::OK,
                    [
                        (http::header::CONTENT_TYPE, "application/json"),
                        (http::header::CACHE_CONTROL, "public, immutable"),
                    ],
                    Body::from(document),
                )
                    .into_response()),
                None => Err(ApiError::not_found_path()),
            }
        }
        Route::Object(target) => objects(state, request, user, &target).await,
    }
}

fn verb_of(request: &Request, target: &Target) -> &'static str {
    match (&request.method, target.name.is_some()) {
        // Upstream asks `create` also of a WebSocket's GET (AuthorizePodWebsocketUpgradeCreatePermission).
        _ if matches!(target.subresource.as_deref(), Some("exec" | "attach" | "portforward")) => "create",
        (&Method::GET, false) if request.flag("watch") => "watch",
        (&Method::GET, false) => "list",
        (&Method::GET, true) => "get",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, false) => "deletecollection",
        (&Method::DELETE, true) => "delete",
        _ => "unknown",
    }
}

async fn objects(
    state: &Arc<ApiState>,
    request: &Request,
    user: &UserInfo,
    target: &Target,
) -> Result<Response, ApiError> {
    let verb = verb_of(request, target);
    let attributes = Attributes {
        verb,
        api_group: target.resource.group,
        resource: target.resource.plural,
        subresource: target.subresource.as_deref().unwrap_or_default(),
        namespace: target.namespace.as_deref().unwrap_or_default(),
        name: target.name.as_deref().unwrap_or_default(),
        path: "",
    };
    auth::authorize(state, user, &attributes)?;
    if target.resource.namespaced && target.name.is_some() && target.namespace.is_none() {
        return Err(ApiError::not_found_path());
    }
    super::crd::check_conversion(target.resource)?;
    // As upstream, the answer's representation is settled before any work: a custom
    // resource asked only as protobuf is 406 before it is written.
    let endpoint = if target.resource.custom.is_some() { Endpoint::Custom } else { Endpoint::BuiltIn };
    let watch = verb == "watch";
    match negotiation::negotiate(request.accept(), endpoint, watch) {
        Ok(output) => {
            let _ = request.output.set(output);
        }
        // Logs are text, whatever the Accept names.
        Err(_) if target.subresource.as_deref() == Some("log") => {}
        Err(err) => return Err(err),
    }
    let name = target.name.as_deref();
    let computed = match (target.resource.rest, &request.method, name, target.subresource.as_deref()) {
        (Rest::StoredOneByOne, &Method::DELETE, None, _) => Some(Err(ApiError::method_not_allowed())),
        (Rest::Stored | Rest::StoredOneByOne, ..) => None,
        (Rest::Review, &Method::POST, None, None) => Some(reviews::create(state, request, target).await),
        (Rest::Binding, &Method::POST, None, None) => Some(bindings::create(state, request, target).await),
        (Rest::ComponentStatus, &Method::GET, None, None) if !request.flag("watch") => {
            Some(component_statuses::list(state, request).await)
        }
        (Rest::ComponentStatus, &Method::GET, Some(name), None) => {
            Some(component_statuses::get(state, request, name).await)
        }
        _ => Some(Err(ApiError::method_not_allowed())),
    };
    if let Some(answer) = computed {
        return answer;
    }
    let answer = serve_object(state, request, target, name).await;
    if target.resource.group == "rbac.authorization.k8s.io" && request.method != Method::GET && answer.is_ok() {
        state.rbac.refresh(&state.storage.store).await;
    }
    answer
}

/// The stored resources' verbs and subresources.
async fn serve_object(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: Option<&str>,
) -> Result<Response, ApiError> {
    match (&request.method, name, target.subresource.as_deref()) {
        (&Method::GET, None, _) if request.flag("watch") => watch::watch(state, request, target).await,
        (&Method::GET, None, _) => read::list(state, request, target).await,
        (&Method::GET, Some(name), None | Some("status") | Some("approval")) => {
            read::get(state, request, target, name).await
        }
        (&Method::GET, Some(name), Some("scale")) => subresources::get_scale(state, request, target, name).await,
        (&Method::GET, Some(name), Some("log")) => logs::log(state, request, target, name).await,
        (&Method::GET | &Method::POST, Some(name), Some(sub @ ("exec" | "attach" | "portforward"))) => {
            streams::connect(state, request, target, name, sub).await
        }
        (&Method::POST, None, None) => write::create(state, request, target).await,
        (&Method::POST, Some(name), Some("binding")) => subresources::bind(state, request, target, name).await,
        (&Method::POST, Some(name), Some("token")) => subresources::token(state, request, target, name).await,
        (&Method::POST, Some(name), Some("eviction")) => eviction::evict(state, request, target, name).await,
        (&Method::PUT, Some(name), Some("scale")) => subresources::update_scale(state, request, target, name).await,
        (&Method::PUT, Some(name), Some("finalize")) => namespace::finalize(state, request, name).await,
        (&Method::PUT, Some(name), None | Some("status") | Some("approval")) => {
            write::update(state, request, target, name).await
        }
        (&Method::PATCH, Some(name), Some("scale")) => subresources::patch_scale(state, request, target, name).await,
        (&Method::PATCH, Some(name), None | Some("status") | Some("approval")) => {
            write::patch(state, request, target, name).await
        }
        (&Method::DELETE, Some(name), None) => delete::delete(state, request, target, name).await,
        (&Method::DELETE, None, None) => delete::delete_collection(state, request, target).await,
        _ => Err(ApiError::method_not_allowed()),
    }
}
