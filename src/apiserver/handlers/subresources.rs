//! Subresources other than status: scale (autoscaling/v1 Scale) and pods/binding (what the
//! scheduler posts); pods/eviction is `eviction`, pods/log is `logs`.

use std::borrow::Cow;
use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::object_response;
use crate::apiserver::request::{decode_body, Request};
use crate::apiserver::router::Target;
use crate::apiserver::sparse::Lifecycle;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::revision_of;
use crate::apiserver::ApiState;
use crate::machinery::labels::selector_string;
use crate::machinery::patch;
use crate::registry::ResourceInfo;

/// The Scale's `status.selector`: the selector as upstream prints it; a
/// ReplicationController's selector is a plain label map.
fn scale_selector(selector: Option<&Value>) -> String {
    let Some(selector) = selector else { return String::new() };
    let is_object_form = selector.get("matchLabels").is_some() || selector.get("matchExpressions").is_some();
    let converted = if is_object_form {
        selector_string(Some(selector))
    } else {
        selector_string(Some(&json!({"matchLabels": selector})))
    };
    converted.unwrap_or_default()
}

/// Replicas and selector where a custom resource's scale subresource says they are.
struct ScaleFields {
    spec_replicas: Value,
    status_replicas: Value,
    selector: String,
}

fn scale_fields(resource: &ResourceInfo, object: &Value) -> ScaleFields {
    match resource.custom.and_then(|c| c.scale.as_ref()) {
        Some(paths) => ScaleFields {
            spec_replicas: paths.spec_replicas.first(object).map_or(json!(0), Cow::into_owned),
            status_replicas: paths.status_replicas.first(object).map_or(json!(0), Cow::into_owned),
            selector: paths
                .label_selector
                .as_ref()
                .and_then(|p| p.first(object))
                .and_then(|selector| selector.as_str().map(str::to_string))
                .unwrap_or_default(),
        },
        None => ScaleFields {
            spec_replicas: object.pointer("/spec/replicas").cloned().unwrap_or(json!(0)),
            status_replicas: object.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            selector: scale_selector(object.pointer("/spec/selector")),
        },
    }
}

/// Writes the desired replicas where the resource keeps them.
fn set_spec_replicas(resource: &ResourceInfo, object: &mut Value, replicas: i64) -> Result<(), ApiError> {
    let fields = match resource.custom.and_then(|c| c.scale.as_ref()) {
        Some(paths) => paths
            .spec_replicas
            .fields()
            .ok_or_else(|| ApiError::internal("the scale subresource's specReplicasPath is not a field path"))?,
        None => vec!["spec", "replicas"],
    };
    let mut at = object;
    for (i, field) in fields.iter().enumerate() {
        let map = at.as_object_mut().ok_or_else(|| ApiError::internal(format!("{field}'s parent is not an object")))?;
        if i + 1 == fields.len() {
            map.insert(field.to_string(), json!(replicas));
            return Ok(());
        }
        at = map.entry(field.to_string()).or_insert_with(|| json!({}));
    }
    Ok(())
}

fn scale_of(resource: &ResourceInfo, object: &Value) -> Value {
    let metadata = &object["metadata"];
    let fields = scale_fields(resource, object);
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": metadata["name"], "namespace": metadata["namespace"], "uid": metadata["uid"],
            "resourceVersion": metadata["resourceVersion"], "creationTimestamp": metadata["creationTimestamp"],
        },
        "spec": {"replicas": fields.spec_replicas},
        "status": {"replicas": fields.status_replicas, "selector": fields.selector},
    })
}

pub async fn get_scale(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let object = state.storage.get(target.resource, target.namespace.as_deref(), name).await?;
    Ok(object_response(request, StatusCode::OK, &scale_of(target.resource, &object)))
}

async fn set_replicas(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
    new_scale: impl Fn(&Value) -> Result<Value, ApiError>,
) -> Result<Response, ApiError> {
    let resource = target.resource;
    let written = state
        .storage
        .update_with(resource, target.namespace.as_deref(), name, |mut object| {
            let scale = new_scale(&scale_of(resource, &object))?;
            if let Some(rv) = scale.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
                if !rv.is_empty() && rv != revision_of(&object).to_string() {
                    return Err(ApiError::modified(&resource.qualified_plural(), name));
                }
            }
            let replicas = scale.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
            if replicas < 0 {
                return Err(ApiError::invalid(
                    "Scale.autoscaling",
                    name,
                    vec![crate::registry::strategy::Cause {
                        reason: "FieldValueInvalid".into(),
                        message: format!("Invalid value: {replicas}: must be greater than or equal to 0"),
                        field: "spec.replicas".into(),
                    }],
                ));
            }
            let generation = object.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
            if scale_fields(resource, &object).spec_replicas.as_i64() != Some(replicas) {
                object["metadata"]["generation"] = json!(generation + 1);
            }
            set_spec_replicas(resource, &mut object, replicas)?;
            if let Some(schema) = resource.custom.and_then(|c| c.schema.as_ref()) {
                let causes = crate::apiserver::crd::schema::validate(schema, &object);
                if !causes.is_empty() {
                    return Err(ApiError::invalid(&resource.qualified_kind(), name, causes));
                }
            }
            Ok(object)
        })
        .await?;
    Ok(object_response(request, StatusCode::OK, &scale_of(resource, &written)))
}

pub async fn update_scale(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let body = request.body_object()?;
    set_replicas(state, request, target, name, |_| Ok(body.clone())).await
}

pub async fn patch_scale(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let content_type = request.content_type().to_string();
    let body = decode_body(&content_type, &request.body)?;
    set_replicas(state, request, target, name, |scale| match content_type.as_str() {
        "application/json-patch+json" => {
            patch::json_patch(scale, &body).map_err(|err| ApiError::unprocessable_patch(err.to_string()))
        }
        _ => Ok(patch::merge_patch(scale, &body)),
    })
    .await
}

/// `POST pods/NAME/binding`: assigns the pod to a node, once.
pub async fn bind(state: &Arc<ApiState>, request: &Request, target: &Target, name: &str) -> Result<Response, ApiError> {
    let binding = request.body_object()?;
    bind_pod(state, request, target.resource, target.namespace.as_deref(), name, &binding).await
}

/// Assigns pod `name` of `pods` to the node a Binding targets, once, as upstream's
/// `BindingREST.Create` (both `pods/NAME/binding` and the `bindings` resource): a Success
/// Status with code 201.
pub async fn bind_pod(
    state: &Arc<ApiState>,
    request: &Request,
    pods: &'static ResourceInfo,
    namespace: Option<&str>,
    name: &str,
    binding: &Value,
) -> Result<Response, ApiError> {
    let node = binding.pointer("/target/name").and_then(Value::as_str).unwrap_or_default().to_string();
    validate_binding(binding)?;
    // Only spec and status are decoded: the pod's metadata stays as stored text.
    let assign = |lifecycle: &Lifecycle, pod: &mut Map<String, Value>| {
        if lifecycle.deletion_timestamp.is_some() {
            return Err(ApiError::conflict_message(format!(
                "pod {name} is being deleted, cannot be assigned to a host"
            )));
        }
        let spec = pod.entry("spec").or_insert_with(|| json!({}));
        if let Some(assigned) = spec.get("nodeName").and_then(Value::as_str).filter(|n| !n.is_empty()) {
            return Err(ApiError::conflict_message(format!(
                "Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{assigned}\""
            )));
        }
        spec["nodeName"] = json!(node);
        let scheduled = json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
            "lastTransitionTime": crate::apiserver::objects::now_rfc3339()});
        let status = pod.entry("status").or_insert_with(|| json!({}));
        match status.get_mut("conditions").and_then(Value::as_array_mut) {
            Some(conditions) => {
                conditions.retain(|c| c.get("type").and_then(Value::as_str) != Some("PodScheduled"));
                conditions.push(scheduled);
            }
            None => status["conditions"] = json!([scheduled]),
        }
        Ok(true)
    };
    state.storage.update_fields_with(pods, namespace, name, &["spec", "status"], assign).await?;
    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201});
    Ok(object_response(request, StatusCode::CREATED, &status))
}

/// Upstream's `ValidatePodBinding`: a Node target with a name. Its errors reach the client as
/// upstream's aggregate, a plain error answered with 500.
fn validate_binding(binding: &Value) -> Result<(), ApiError> {
    let text = |pointer: &str| binding.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    let mut errors = Vec::new();
    let kind = text("/target/kind");
    if !kind.is_empty() && kind != "Node" {
        errors.push(format!("target.kind: Unsupported value: {kind:?}: supported values: \"Node\", \"<empty>\""));
    }
    if text("/target/name").is_empty() {
        errors.push("target.name: Required value".to_string());
    }
    let message = match errors.as_slice() {
        [] => return Ok(()),
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    Err(ApiError { code: StatusCode::INTERNAL_SERVER_ERROR, reason: "", message, details: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_target_a_named_node() {
        assert!(validate_binding(&json!({"target": {"kind": "Node", "name": "n1"}})).is_ok());
        assert!(validate_binding(&json!({"target": {"name": "n1"}})).is_ok());
        let missing = validate_binding(&json!({"target": {}})).expect_err("no name");
        assert_eq!(
            (missing.code, missing.message.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "target.name: Required value")
        );
        let pod = validate_binding(&json!({"target": {"kind": "Pod"}})).expect_err("not a node");
        assert_eq!(
            pod.message,
            "[target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\", target.name: Required value]"
        );
    }
}

/// `POST serviceaccounts/NAME/token`: a TokenRequest answered with a bound token.
pub async fn token(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    let body = request.body_object()?;
    let namespace = target.namespace.as_deref().unwrap_or_default();
    let answered = crate::apiserver::serviceaccount::token_request::create(state, namespace, name, body).await?;
    Ok(super::object_response(request, StatusCode::CREATED, &answered))
}
