//! create, update (PUT) and patch (all four patch types).

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::Value;

use super::{object_bytes_response, object_response};
use crate::apiserver::auth::Identity;
use crate::apiserver::objects::{self, now_rfc3339};
use crate::apiserver::request::{decode_body, Request};
use crate::apiserver::router::Target;
use crate::apiserver::sparse::Lifecycle;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{object_name, parse_resource_version, revision_of};
use crate::apiserver::{admission, crd, ApiState};
use crate::machinery::patch;
use crate::registry::strategy::certificates;
use crate::registry::ResourceInfo;

/// `fieldValidation` of built-in kinds' duplicate and unknown fields, as upstream words
/// them: Strict refuses them, Warn warns, Ignore lets them be. Custom resources are
/// checked against their schema in `crd::prepare_write`. Unknown fields are looked for
/// when Strict or Warn is asked for explicitly (the walk of the schema costs a write
/// that no client asked it of); duplicates also under the default, Warn.
fn check_fields(state: &ApiState, request: &Request, resource: &ResourceInfo, object: &Value) -> Result<(), ApiError> {
    let mode = request.param("fieldValidation");
    if mode == Some("Ignore") || resource.custom.is_some() {
        return Ok(());
    }
    let mut problems = crd::duplicates::strict_errors(request.content_type(), &request.body);
    if matches!(mode, Some("Strict" | "Warn")) {
        let unknown = state.openapi.unknown_fields(resource, object);
        problems.extend(unknown.iter().map(|f| format!("unknown field \"{f}\"")));
    }
    crd::report_field_problems(request, resource, &problems)
}

pub async fn create(state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let object = request.body_object()?;
    let created = create_object(state, request, target, object).await?;
    Ok(object_response(request, StatusCode::CREATED, &created))
}

/// The create pipeline, shared by POST and by server-side apply of a new object.
async fn create_object(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    mut object: Value,
) -> Result<Value, ApiError> {
    let resource = target.resource;
    if state.crds.snapshot().is_terminating(resource) {
        // Nothing may be created behind the cleanup of a CRD being deleted.
        return Err(ApiError::not_allowed("create not allowed while custom resource definition is terminating"));
    }
    check_fields(state, request, resource, &object)?;
    objects::prepare_create(resource, &mut object, target.namespace.as_deref())?;
    // A CertificateSigningRequest records who asked (upstream's PrepareForCreate reads the user).
    if let (true, Identity::User(user)) = (is_csr(resource), &request.identity) {
        certificates::set_requester(&mut object, &user.name, &user.groups);
    }
    crd::prepare_write(request, resource, &mut object, None, None)?;
    admission::admit_create(state, resource, &mut object).await?;
    check_escalation(state, request, resource, &object, None)?;
    // Server-side apply already recorded its field set.
    if request.content_type() != "application/apply-patch+yaml" {
        let schema = state.openapi.patch_schema(resource);
        patch::track_update_with_schema(
            None,
            &mut object,
            &request.field_manager(),
            "Update",
            schema.as_ref(),
            &now_rfc3339(),
        );
    }
    if request.dry_run() {
        return Ok(object);
    }
    state.storage.create(resource, object).await
}

pub async fn update(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let resource = target.resource;
    let body = request.body_object()?;
    check_fields(state, request, resource, &body)?;
    let given = body.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default().to_string();
    let given = parse_resource_version(&given)?;
    // An update without a resourceVersion is unconditional: as upstream's GuaranteedUpdate, it
    // starts again from the fresh object when another writer got in between.
    let mut attempts = 0;
    loop {
        let current = state.storage.get(resource, target.namespace.as_deref(), name).await?;
        let mut object = body.clone();
        let expected = given.unwrap_or_else(|| revision_of(&current));
        let subresource = target.subresource.as_deref().filter(|s| matches!(*s, "status" | "approval"));
        objects::prepare_update(resource, &mut object, &current, subresource.map(|_| "status"))?;
        if subresource.is_none() {
            admission::admit_update(state, resource, &mut object, &current).await?;
        }
        prepare_csr_subresource(resource, subresource, &mut object, &current)?;
        crd::prepare_write(request, resource, &mut object, Some(&current), subresource.map(|_| "status"))?;
        // Status is not field-tracked and a status write keeps the old metadata: nothing to record.
        if subresource.is_none() {
            let schema = state.openapi.patch_schema(resource);
            let manager = request.field_manager();
            patch::track_update_with_schema(
                Some(&current),
                &mut object,
                &manager,
                "Update",
                schema.as_ref(),
                &now_rfc3339(),
            );
        }
        check_escalation(state, request, resource, &object, Some(&current))?;
        match store_update(state, request, resource, object, expected).await {
            Err(err) if err.is_modified() && given.is_none() && attempts < UNCONDITIONAL_RETRIES => attempts += 1,
            answer => return answer,
        }
    }
}

/// How often an unconditional update starts again after losing a race to another writer.
const UNCONDITIONAL_RETRIES: usize = 16;

/// Stores an update and answers with the object written; an object being deleted whose
/// last finalizer is gone is removed (the answer is then the object as it was).
async fn store_update(
    state: &Arc<ApiState>,
    request: &Request,
    resource: &ResourceInfo,
    object: Value,
    expected: i64,
) -> Result<Response, ApiError> {
    if request.dry_run() {
        return Ok(object_response(request, StatusCode::OK, &object));
    }
    // A namespace is also held by its spec.finalizers (see `namespace`).
    let finalizers_left = if resource.kind == "Namespace" {
        !super::namespace::finalized(&object)
    } else {
        object.pointer("/metadata/finalizers").and_then(Value::as_array).is_some_and(|f| !f.is_empty())
    };
    if object.pointer("/metadata/deletionTimestamp").is_some() && !finalizers_left {
        let written = state.storage.update(resource, object, expected).await?;
        let deleted = state.storage.delete(resource, &written, revision_of(&written)).await?;
        return Ok(object_response(request, StatusCode::OK, &deleted));
    }
    let served = state.storage.update_served(resource, object, expected).await?;
    Ok(object_bytes_response(request, StatusCode::OK, served))
}

pub async fn patch(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let resource = target.resource;
    let content_type = request.content_type().to_string();
    let mut body = decode_body(&content_type, &request.body)?;
    let is_apply = content_type == "application/apply-patch+yaml";
    let manager = request.field_manager();
    if is_apply && request.param("fieldManager").is_none() {
        return Err(ApiError::bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set"));
    }
    let schema = state.openapi.patch_schema(resource);
    let subresource = target.subresource.as_deref();
    // `/approval` of a CertificateSigningRequest is a status write too.
    let status_write = matches!(subresource, Some("status" | "approval"));
    // A status patch touches the status alone: the rest stays as stored text. A dry run,
    // strict field validation and an object being deleted (a write may end its deletion,
    // see `store_update`) take the whole pipeline below.
    let plain = !request.dry_run() && request.param("fieldValidation") != Some("Strict");
    if plain && is_status_only_patch(resource, status_write, &content_type, &body) {
        // Taken from the body, not copied (and read again from the request on a retry).
        let mut taken = Some(take_status_patch(&mut body));
        let patch_fields = |lifecycle: &Lifecycle, fields: &mut serde_json::Map<String, Value>| {
            if lifecycle.deletion_timestamp.is_some() {
                return Ok(false);
            }
            let status_patch = match taken.take() {
                Some(status_patch) => status_patch,
                None => take_status_patch(&mut decode_body(&content_type, &request.body)?),
            };
            patch_status(fields, status_patch, &content_type, schema.as_ref())?;
            Ok(true)
        };
        let namespace = target.namespace.as_deref();
        match state.storage.update_fields_with(resource, namespace, name, &["status"], patch_fields).await? {
            Some(served) => return Ok(object_bytes_response(request, StatusCode::OK, served)),
            // Declined: the whole pipeline, with the body as sent.
            None => body = decode_body(&content_type, &request.body)?,
        }
    }
    for _ in 0..16 {
        let current = state.storage.try_get(resource, target.namespace.as_deref(), name).await?;
        let Some(current) = current else {
            if is_apply && subresource.is_none() {
                let mut object =
                    patch::apply(None, &body, &manager, request.flag("force"), schema.as_ref(), &now_rfc3339())
                        .map_err(apply_error)?;
                if object_name(&object).is_empty() {
                    object["metadata"]["name"] = Value::String(name.to_string());
                }
                let created = create_object(state, request, target, object).await?;
                return Ok(object_response(request, StatusCode::CREATED, &created));
            }
            return Err(ApiError::not_found(&resource.qualified_plural(), name));
        };
        let expected = revision_of(&current);
        let mut patched = match content_type.as_str() {
            "application/json-patch+json" => {
                patch::json_patch(&current, &body).map_err(|err| ApiError::unprocessable_patch(err.to_string()))?
            }
            "application/merge-patch+json" => patch::merge_patch(&current, &body),
            // Custom resources have no patch strategies: upstream refuses strategic merge.
            "application/strategic-merge-patch+json" if resource.custom.is_some() => {
                return Err(ApiError::unsupported_patch_for_custom())
            }
            "application/strategic-merge-patch+json" => patch::strategic_merge_patch(&current, &body, schema.as_ref())
                .map_err(|err| ApiError::unprocessable_patch(err.to_string()))?,
            "application/apply-patch+yaml" => {
                patch::apply(Some(&current), &body, &manager, request.flag("force"), schema.as_ref(), &now_rfc3339())
                    .map_err(apply_error)?
            }
            other => return Err(ApiError::unsupported_media_type(other)),
        };
        let status_subresource = subresource.filter(|_| status_write);
        objects::prepare_update(resource, &mut patched, &current, status_subresource.map(|_| "status"))?;
        if subresource.is_none() {
            admission::admit_update(state, resource, &mut patched, &current).await?;
        }
        prepare_csr_subresource(resource, status_subresource, &mut patched, &current)?;
        crd::prepare_write(request, resource, &mut patched, Some(&current), status_subresource.map(|_| "status"))?;
        // As in `update`: a status write has nothing for field tracking to record.
        if !is_apply && !status_write {
            patch::track_update_with_schema(
                Some(&current),
                &mut patched,
                &manager,
                "Update",
                schema.as_ref(),
                &now_rfc3339(),
            );
        }
        check_fields(state, request, resource, &patched)?;
        check_escalation(state, request, resource, &patched, Some(&current))?;
        match store_update(state, request, resource, patched, expected).await {
            Err(err) if err.reason == "Conflict" => continue,
            Err(err) => return Err(err),
            Ok(response) => return Ok(response),
        }
    }
    Err(ApiError::conflict(&resource.qualified_plural(), name, "too many concurrent writers; try again"))
}

/// Whether a patch is a merge or strategic patch of a built-in resource's status, which
/// changes its status alone (the rest of the body is ignored, as upstream ignores it):
/// it can be applied to `{"status": …}` by itself, so the rest of the object is neither
/// decoded nor compared. Not when the body has root directives (`$patch`, `$retainKeys`),
/// which need the whole object.
fn is_status_only_patch(resource: &ResourceInfo, status_write: bool, content_type: &str, body: &Value) -> bool {
    let merge = matches!(content_type, "application/merge-patch+json" | "application/strategic-merge-patch+json");
    status_write
        && !is_csr(resource)
        && merge
        && !resource.converts()
        && !crd::is_definition(resource)
        && body.as_object().is_some_and(|root| !root.keys().any(|key| key.starts_with('$')))
}

/// `{"status": …}` of a patch body, taken out of it.
fn take_status_patch(body: &mut Value) -> Value {
    let mut patch = serde_json::Map::new();
    if let Some(status) = body.as_object_mut().and_then(|root| root.remove("status")) {
        patch.insert("status".into(), status);
    }
    Value::Object(patch)
}

/// Applies a status-only patch to an object's top-level fields (only its status needed).
fn patch_status(
    fields: &mut serde_json::Map<String, Value>,
    status_patch: Value,
    content_type: &str,
    schema: &dyn patch::PatchSchema,
) -> Result<(), ApiError> {
    let mut view = serde_json::Map::new();
    if let Some(status) = fields.remove("status") {
        view.insert("status".into(), status);
    }
    let mut view = Value::Object(view);
    if content_type == "application/merge-patch+json" {
        patch::merge_owned(&mut view, status_patch);
    } else {
        view = patch::strategic_merge_patch(&view, &status_patch, schema)
            .map_err(|err| ApiError::unprocessable_patch(err.to_string()))?;
    }
    if let Some(status) = view.as_object_mut().and_then(|v| v.remove("status")).filter(|s| !s.is_null()) {
        fields.insert("status".into(), status);
    }
    Ok(())
}

/// RBAC's escalation prevention on writes of roles and bindings (see `rbac::escalation`).
fn check_escalation(
    state: &ApiState,
    request: &Request,
    resource: &ResourceInfo,
    object: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    match &request.identity {
        Identity::User(user) => crate::apiserver::rbac::escalation::check(state, user, resource, object, old),
        _ => Ok(()),
    }
}

fn is_csr(resource: &ResourceInfo) -> bool {
    resource.strategy == &certificates::CERTIFICATE_SIGNING_REQUEST
}

/// What a CertificateSigningRequest's `/status` and `/approval` writes may change (its
/// strategies for them), validated; other kinds' status writes are as they were.
fn prepare_csr_subresource(
    resource: &ResourceInfo,
    subresource: Option<&str>,
    object: &mut Value,
    current: &Value,
) -> Result<(), ApiError> {
    let Some(subresource) = subresource.filter(|_| is_csr(resource)) else { return Ok(()) };
    let causes = certificates::prepare_subresource_update(subresource, object, current, &now_rfc3339());
    if causes.is_empty() {
        return Ok(());
    }
    let name = current.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    Err(ApiError::invalid(&resource.qualified_kind(), name, causes))
}

/// Server-side apply's refusals: conflicts are 409 with one cause per field, as upstream.
fn apply_error(err: patch::ApplyError) -> ApiError {
    match err {
        patch::ApplyError::Conflict(conflicts) => {
            let causes: Vec<serde_json::Value> = conflicts
                .iter()
                .map(|c| serde_json::json!({"reason": "FieldManagerConflict", "message": c.cause_message(), "field": c.field_path}))
                .collect();
            let mut error = ApiError::conflict_message(patch::conflict_message(&conflicts));
            error.details = Some(serde_json::json!({"causes": causes}));
            error
        }
        patch::ApplyError::Invalid(message) => ApiError::bad_request(message),
    }
}
