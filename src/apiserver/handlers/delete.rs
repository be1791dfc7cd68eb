//! delete and deletecollection: preconditions, finalizers (deletionTimestamp first, removal
//! when the last finalizer goes), propagation policies, and namespaces (Terminating until
//! the namespace controller emptied and finalized them).

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use super::object_response;
use super::read::selectors;
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{object_name, object_namespace, revision_of};
use crate::apiserver::ApiState;
use crate::registry::ResourceInfo;

/// Namespaces that exist for the cluster's own sake.
const PROTECTED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

#[derive(Clone)]
pub(super) struct DeleteOptions {
    propagation: Option<String>,
    /// The deprecated `orphanDependents`, as given (a namespace reads it apart, see
    /// `namespace::deletion_finalizers`).
    orphan: Option<bool>,
    /// `dryRun: ["All"]` in the body (how kubectl sends it) or `dryRun=All` in the query.
    pub(super) dry_run: bool,
    pub(super) uid: Option<String>,
    pub(super) resource_version: Option<String>,
    /// `gracePeriodSeconds` (query or body); `None` is the object's default.
    grace_period: Option<i64>,
}

fn options(request: &Request) -> Result<DeleteOptions, ApiError> {
    options_from(request, &delete_options_body(request)?)
}

/// The options of a request whose DeleteOptions are `body` (a delete's body, or the
/// `deleteOptions` an Eviction carries).
pub(super) fn options_from(request: &Request, body: &Value) -> Result<DeleteOptions, ApiError> {
    let mut propagation = request
        .param("propagationPolicy")
        .map(str::to_string)
        .or_else(|| body.get("propagationPolicy").and_then(Value::as_str).map(str::to_string));
    let orphan = request
        .param("orphanDependents")
        .map(|v| v == "true")
        .or(body.get("orphanDependents").and_then(Value::as_bool));
    if propagation.is_none() && orphan == Some(true) {
        propagation = Some("Orphan".into());
    }
    if let Some(policy) = &propagation {
        if !matches!(policy.as_str(), "Orphan" | "Background" | "Foreground") {
            return Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            )));
        }
    }
    let precondition =
        |field: &str| body.pointer(&format!("/preconditions/{field}")).and_then(Value::as_str).map(str::to_string);
    let dry_run =
        request.dry_run() || body.get("dryRun").and_then(Value::as_array).is_some_and(|d| d.iter().any(|v| v == "All"));
    Ok(DeleteOptions {
        propagation,
        orphan,
        dry_run,
        uid: precondition("uid"),
        resource_version: precondition("resourceVersion"),
        grace_period: request
            .param("gracePeriodSeconds")
            .and_then(|v| v.parse().ok())
            .or_else(|| body.get("gracePeriodSeconds").and_then(Value::as_i64)),
    })
}

/// The DeleteOptions a request body carries: JSON, or protobuf as client-go's typed clients
/// send it (`k8s\0` + runtime.Unknown of kind DeleteOptions in the client's group version).
fn delete_options_body(request: &Request) -> Result<Value, ApiError> {
    if request.body.is_empty() {
        return Ok(json!({}));
    }
    let decoded = match request.content_type() {
        crate::apiserver::protobuf::MEDIA_TYPE => {
            crate::apiserver::protobuf::decode(&request.body).map_err(|err| err.to_string())
        }
        _ => serde_json::from_slice(&request.body).map_err(|err| err.to_string()),
    };
    decoded.map_err(|err| ApiError::bad_request(format!("error decoding DeleteOptions: {err}")))
}

pub async fn delete(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let options = options(request)?;
    let deleted = delete_named(state, target, name, &options).await?;
    Ok(object_response(request, StatusCode::OK, &deleted))
}

/// Deletes the object `name` of `target` as `options` say; answers it as it was deleted
/// (or marked for deletion).
pub(super) async fn delete_named(
    state: &Arc<ApiState>,
    target: &Target,
    name: &str,
    options: &DeleteOptions,
) -> Result<Value, ApiError> {
    let resource = target.resource;
    if resource.kind == "Namespace" && PROTECTED_NAMESPACES.contains(&name) {
        return Err(ApiError::forbidden(format!(
            "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
        )));
    }
    crate::apiserver::priority::refuse_system_class_delete(resource, name)?;
    // As upstream's storage, a delete that lost a race with another writer (a controller
    // writing status meanwhile) reads the object again and retries; the caller's own
    // preconditions are checked against each read.
    let mut attempts = 0;
    loop {
        let current = state.storage.get(resource, target.namespace.as_deref(), name).await?;
        check_preconditions(resource, &current, options)?;
        if options.dry_run {
            return Ok(current);
        }
        if let Some(grace) = pod_grace_period(state, resource, &current, options.grace_period).await? {
            return mark_pod_terminating(state, resource, &current, grace).await;
        }
        attempts += 1;
        match delete_object(state, resource, current, options.propagation.as_deref(), options.orphan).await {
            Err(err) if err.code == StatusCode::CONFLICT && attempts < DELETE_ATTEMPTS => continue,
            deleted => return deleted,
        }
    }
}

/// Reads and deletes tried before a conflict is returned to the client.
const DELETE_ATTEMPTS: usize = 5;

/// Upstream's graceful pod deletion: a pod running on a node gets its grace period
/// (the request's, else `terminationGracePeriodSeconds`, else 30 s) and a
/// deletionTimestamp; its kubelet stops the containers and then deletes it with grace
/// 0. Only for nodes whose kubelet serves an endpoint (a real kubelet): pods on hollow
/// nodes, unscheduled or finished pods, and grace 0 are removed at once.
async fn pod_grace_period(
    state: &ApiState,
    resource: &ResourceInfo,
    pod: &Value,
    requested: Option<i64>,
) -> Result<Option<i64>, ApiError> {
    if resource.kind != "Pod" || resource.group != "" {
        return Ok(None);
    }
    let grace =
        requested.or_else(|| pod.pointer("/spec/terminationGracePeriodSeconds").and_then(Value::as_i64)).unwrap_or(30);
    let phase = pod.pointer("/status/phase").and_then(Value::as_str).unwrap_or_default();
    let Some(node) = pod.pointer("/spec/nodeName").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if grace <= 0 || matches!(phase, "Succeeded" | "Failed") {
        return Ok(None);
    }
    let nodes =
        crate::registry::by_plural("", "v1", "nodes").ok_or_else(|| ApiError::internal("nodes not registered"))?;
    let Some(node) = state.storage.try_get(nodes, None, node).await? else { return Ok(None) };
    let has_kubelet =
        node.pointer("/status/daemonEndpoints/kubeletEndpoint/Port").and_then(Value::as_i64).is_some_and(|p| p > 0);
    Ok(has_kubelet.then_some(grace))
}

async fn mark_pod_terminating(
    state: &ApiState,
    resource: &'static ResourceInfo,
    pod: &Value,
    grace: i64,
) -> Result<Value, ApiError> {
    let (namespace, name) = (object_namespace(pod).map(str::to_string), object_name(pod).to_string());
    state
        .storage
        .update_with(resource, namespace.as_deref(), &name, |mut object| {
            let current = object.pointer("/metadata/deletionGracePeriodSeconds").and_then(Value::as_i64);
            // A second delete may shorten the grace period, never lengthen it.
            if current.is_some_and(|current| current <= grace) {
                return Ok(object);
            }
            let at = chrono::Utc::now() + chrono::TimeDelta::seconds(grace);
            object["metadata"]["deletionTimestamp"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            object["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            Ok(object)
        })
        .await
}

fn check_preconditions(resource: &ResourceInfo, current: &Value, options: &DeleteOptions) -> Result<(), ApiError> {
    let name = object_name(current);
    if let Some(uid) = &options.uid {
        let actual = current.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default();
        if uid != actual {
            return Err(ApiError::conflict(
                &resource.qualified_plural(),
                name,
                &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"),
            ));
        }
    }
    if let Some(rv) = &options.resource_version {
        let actual = current.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default();
        if rv != actual {
            return Err(ApiError::conflict(
                &resource.qualified_plural(),
                name,
                &format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"),
            ));
        }
    }
    Ok(())
}

/// Deletes one object: at once when nothing holds it, else marks it with a
/// deletionTimestamp for whoever owns its finalizers.
async fn delete_object(
    state: &Arc<ApiState>,
    resource: &'static ResourceInfo,
    current: Value,
    propagation: Option<&str>,
    orphan: Option<bool>,
) -> Result<Value, ApiError> {
    if resource.kind == "Namespace" {
        return super::namespace::terminate(state, current, propagation, orphan).await;
    }
    match propagation {
        // Until the garbage collector runs as a controller, the apiserver releases and
        // removes dependents itself, which is what these policies promise.
        Some("Orphan") => orphan_dependents(state, &current).await?,
        Some("Foreground") => delete_dependents(state, &current).await?,
        _ => {}
    }
    // Controllers may have written the owner (its status) while its dependents changed.
    let current = match propagation {
        Some("Orphan" | "Foreground") => {
            let (namespace, name) = (object_namespace(&current).map(str::to_string), object_name(&current).to_string());
            state.storage.get(resource, namespace.as_deref(), &name).await?
        }
        _ => current,
    };
    let has_finalizers =
        current.pointer("/metadata/finalizers").and_then(Value::as_array).is_some_and(|f| !f.is_empty());
    if has_finalizers {
        if current.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(current);
        }
        let (namespace, name) = (object_namespace(&current).map(str::to_string), object_name(&current).to_string());
        return state
            .storage
            .update_with(resource, namespace.as_deref(), &name, |mut object| {
                object["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                Ok(object)
            })
            .await;
    }
    state.storage.delete(resource, &current, revision_of(&current)).await
}

fn owned_by(object: &Value, uid: &str) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r.get("uid").and_then(Value::as_str) == Some(uid)))
}

/// Every object (in the owner's namespace, or anywhere for a cluster-scoped owner) that
/// names `owner` in its ownerReferences.
async fn dependents(state: &ApiState, owner: &Value) -> Result<Vec<(&'static ResourceInfo, Value)>, ApiError> {
    let uid = owner.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
    let namespace = object_namespace(owner).map(str::to_string);
    let mut found = Vec::new();
    for resource in state.crds.snapshot().collections() {
        let scope = if resource.namespaced { namespace.as_deref() } else { None };
        let page = state.storage.list(resource, scope, 0, None, None, |o| owned_by(o, &uid)).await?;
        found.extend(page.items.into_iter().map(|o| (resource, o)));
    }
    Ok(found)
}

async fn orphan_dependents(state: &ApiState, owner: &Value) -> Result<(), ApiError> {
    let uid = owner.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
    for (resource, dependent) in dependents(state, owner).await? {
        let (namespace, name) = (object_namespace(&dependent).map(str::to_string), object_name(&dependent).to_string());
        let released = state
            .storage
            .update_with(resource, namespace.as_deref(), &name, |mut object| {
                if let Some(refs) = object.pointer_mut("/metadata/ownerReferences").and_then(Value::as_array_mut) {
                    refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()));
                    if refs.is_empty() {
                        // As Go's omitempty: an emptied list is no list.
                        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                            metadata.remove("ownerReferences");
                        }
                    }
                }
                Ok(object)
            })
            .await;
        match released {
            Err(err) if err.code == StatusCode::NOT_FOUND => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

async fn delete_dependents(state: &Arc<ApiState>, owner: &Value) -> Result<(), ApiError> {
    for (resource, dependent) in dependents(state, owner).await? {
        match Box::pin(delete_object(state, resource, dependent, Some("Foreground"), None)).await {
            Err(err) if err.code == StatusCode::NOT_FOUND => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

pub async fn delete_collection(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
) -> Result<Response, ApiError> {
    let resource = target.resource;
    let options = options(request)?;
    let (labels, fields) = selectors(request, resource)?;
    let page = state
        .storage
        .list(resource, target.namespace.as_deref(), 0, None, None, |o| labels.matches_object(o) && fields.matches(o))
        .await?;
    let mut deleted = Vec::new();
    for object in page.items {
        if options.dry_run {
            deleted.push(object);
            continue;
        }
        let result = match pod_grace_period(state, resource, &object, options.grace_period).await? {
            Some(grace) => mark_pod_terminating(state, resource, &object, grace).await,
            None => delete_object(state, resource, object, options.propagation.as_deref(), options.orphan).await,
        };
        match result {
            Ok(object) => deleted.push(object),
            Err(err) if err.code == StatusCode::NOT_FOUND => {}
            Err(err) => return Err(err),
        }
    }
    let list = json!({
        "kind": format!("{}List", resource.kind),
        "apiVersion": resource.api_version(),
        "metadata": {"resourceVersion": page.revision.to_string()},
        "items": deleted,
    });
    Ok(object_response(request, StatusCode::OK, &list))
}
