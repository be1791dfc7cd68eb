//! `POST pods/NAME/eviction` (policy/v1 Eviction) as upstream's EvictionREST
//! (`pkg/registry/core/pod/storage/eviction.go`): a pod that is pending, finished or already
//! terminating is deleted at once; else the one PodDisruptionBudget selecting it must allow
//! a disruption, which the eviction takes (disruptionsAllowed − 1, the pod recorded in
//! disruptedPods) before the pod gets its DisruptionTarget condition and is deleted with the
//! Eviction's DeleteOptions. A budget that allows none answers 429.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use super::delete::{delete_named, options_from, DeleteOptions};
use super::object_response;
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::revision_of;
use crate::apiserver::ApiState;
use crate::machinery::disruption;
use crate::machinery::labels::Selector;
use crate::registry::ResourceInfo;

/// Upstream's words for a refused eviction.
pub const VIOLATES_BUDGET: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// Evictions the budget may not have confirmed yet (upstream's MaxDisruptedPodSize).
const MAX_DISRUPTED_PODS: usize = 2000;

/// Reads and writes tried when a budget or pod changed under the eviction (upstream's
/// EvictionsRetry has 20 steps).
const ATTEMPTS: usize = 20;

pub async fn evict(
    state: &Arc<ApiState>,
    request: &Request,
    target: &Target,
    name: &str,
) -> Result<Response, ApiError> {
    // The Eviction (JSON or protobuf, as drain sends it) embeds DeleteOptions.
    let eviction = if request.body.is_empty() { json!({}) } else { request.body_object()? };
    if !request.body.is_empty() && eviction.pointer("/metadata/name").and_then(Value::as_str) != Some(name) {
        return Err(ApiError::bad_request("name in URL does not match name in Eviction object"));
    }
    let delete_body = eviction.get("deleteOptions").filter(|o| o.is_object()).cloned().unwrap_or(json!({}));
    let options = options_from(request, &delete_body)?;
    let namespace = target.namespace.as_deref();
    let caller_set_version = options.resource_version.is_some();

    let mut attempts = 0;
    let pod = loop {
        attempts += 1;
        let pod = state.storage.get(target.resource, namespace, name).await?;
        if !can_ignore_budget(&pod) {
            break pod;
        }
        // Evicting a pod that already caused its disruption is a plain delete.
        let mut options = options.clone();
        if should_enforce_version(&pod) && !caller_set_version {
            options.resource_version = Some(resource_version(&pod));
        }
        match delete_pod(state, target, name, options).await {
            Err(err) if err.code == StatusCode::CONFLICT && !caller_set_version && attempts < ATTEMPTS => continue,
            Err(err) => return Err(err),
            Ok(()) => return Ok(success(request)),
        }
    };

    let budgets = budgets_of(state, &pod).await?;
    let budget = match budgets.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        _ => {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                "code": 500});
            return Ok(object_response(request, StatusCode::INTERNAL_SERVER_ERROR, &status));
        }
    };
    let mut version_guard = false;
    if let Some(budget) = budget {
        let unhealthy_may_go = !disruption::is_pod_ready(&pod) && {
            let policy = budget.pointer("/spec/unhealthyPodEvictionPolicy").and_then(Value::as_str);
            let number = |key: &str| budget.pointer(&format!("/status/{key}")).and_then(Value::as_i64).unwrap_or(0);
            // An unready pod counts toward neither number, so deleting it disrupts nothing.
            policy == Some("AlwaysAllow")
                || (number("currentHealthy") >= number("desiredHealthy") && number("desiredHealthy") > 0)
        };
        if unhealthy_may_go {
            version_guard = true;
        } else {
            take_disruption(state, budget, name, options.dry_run).await?;
        }
    }

    // The pod must not have turned ready since the budget was read.
    let mut delete_options = options.clone();
    if version_guard && !caller_set_version {
        delete_options.resource_version = Some(resource_version(&pod));
    }
    match delete_pod(state, target, name, delete_options).await {
        Err(err) if err.code == StatusCode::CONFLICT && version_guard && !caller_set_version => {
            let budget = budgets.first().map(object_name).unwrap_or_default();
            Err(still_processing(&budget))
        }
        Err(err) => Err(err),
        Ok(()) => Ok(success(request)),
    }
}

fn success(request: &Request) -> Response {
    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201});
    object_response(request, StatusCode::CREATED, &status)
}

fn object_name(object: &Value) -> String {
    object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string()
}

fn resource_version(object: &Value) -> String {
    object.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default().to_string()
}

fn phase(pod: &Value) -> &str {
    pod.pointer("/status/phase").and_then(Value::as_str).unwrap_or_default()
}

fn terminating(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// `canIgnorePDB`: pending, finished or terminating pods disrupt nothing more.
fn can_ignore_budget(pod: &Value) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed" | "Pending") || terminating(pod)
}

/// `shouldEnforceResourceVersion`: a pod that may still turn ready is deleted only as read.
fn should_enforce_version(pod: &Value) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && !terminating(pod)
}

fn budget_resource() -> Result<&'static ResourceInfo, ApiError> {
    crate::registry::by_plural("policy", "v1", "poddisruptionbudgets")
        .ok_or_else(|| ApiError::internal("poddisruptionbudgets not registered"))
}

/// The budgets in the pod's namespace whose selector matches its labels (an invalid
/// selector matches nothing).
async fn budgets_of(state: &ApiState, pod: &Value) -> Result<Vec<Value>, ApiError> {
    let namespace = pod.pointer("/metadata/namespace").and_then(Value::as_str);
    let labels = pod.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
    let selects = |budget: &Value| {
        Selector::from_value(budget.pointer("/spec/selector")).is_ok_and(|s| s.matches(&Some(&labels)))
    };
    Ok(state.storage.list(budget_resource()?, namespace, 0, None, None, selects).await?.items)
}

fn budget_cause(message: String) -> Value {
    json!({"reason": "DisruptionBudget", "message": message})
}

/// 429 for a budget whose status lags its spec (or that changed under the eviction).
fn still_processing(budget: &str) -> ApiError {
    ApiError::too_many_requests(
        VIOLATES_BUDGET,
        10,
        vec![budget_cause(format!("The disruption budget {budget} is still being processed by the server."))],
    )
}

/// `checkAndDecrement`, retried on conflicts with a fresh read of the budget.
async fn take_disruption(state: &ApiState, mut budget: Value, pod: &str, dry_run: bool) -> Result<(), ApiError> {
    let resource = budget_resource()?;
    let name = object_name(&budget);
    let namespace = budget.pointer("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            budget = state.storage.get(resource, namespace.as_deref(), &name).await?;
        }
        let number = |key: &str| budget.pointer(key).and_then(Value::as_i64).unwrap_or(0);
        if number("/status/observedGeneration") < number("/metadata/generation") {
            return Err(still_processing(&name));
        }
        let allowed = number("/status/disruptionsAllowed");
        if allowed < 0 {
            return Err(ApiError::forbidden(format!(
                "poddisruptionbudgets.policy \"{name}\" is forbidden: pdb disruptions allowed is negative"
            )));
        }
        let disrupted = budget.pointer("/status/disruptedPods").and_then(Value::as_object).map_or(0, |m| m.len());
        if disrupted > MAX_DISRUPTED_PODS {
            return Err(ApiError::forbidden(format!("poddisruptionbudgets.policy \"{name}\" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller")));
        }
        if allowed == 0 {
            let cause = format!(
                "The disruption budget {name} needs {} healthy pods and has {} currently",
                number("/status/desiredHealthy"),
                number("/status/currentHealthy")
            );
            return Err(ApiError::too_many_requests(VIOLATES_BUDGET, 0, vec![budget_cause(cause)]));
        }
        if dry_run {
            return Ok(());
        }
        let now = now_rfc3339();
        let mut updated = budget.clone();
        let status = &mut updated["status"];
        status["disruptionsAllowed"] = json!(allowed - 1);
        if allowed == 1 {
            disruption::update_disruption_allowed_condition(status, &now);
        }
        if !status.get("disruptedPods").is_some_and(Value::is_object) {
            status["disruptedPods"] = json!({});
        }
        status["disruptedPods"][pod] = json!(now);
        match state.storage.update(resource, updated, revision_of(&budget)).await {
            Err(err) if err.code == StatusCode::CONFLICT => continue,
            other => return other.map(drop),
        }
    }
    Err(ApiError::timeout(format!("couldn't update PodDisruptionBudget \"{name}\" due to conflicts")))
}

/// `addConditionAndDeletePod`: the DisruptionTarget condition first (unless a dry run),
/// then the delete, both under the caller's preconditions.
async fn delete_pod(
    state: &Arc<ApiState>,
    target: &Target,
    name: &str,
    mut options: DeleteOptions,
) -> Result<(), ApiError> {
    if !options.dry_run {
        let resource = target.resource;
        let conflict = |why: String| ApiError::conflict("Pod", name, &why);
        let updated = state
            .storage
            .update_with(resource, target.namespace.as_deref(), name, |mut pod| {
                let uid = pod.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default();
                if let Some(wanted) = options.uid.as_deref().filter(|u| !u.is_empty() && *u != uid) {
                    return Err(conflict(format!("the UID in the precondition ({wanted}) does not match the UID in record ({uid}). The object might have been deleted and then recreated")));
                }
                let version = resource_version(&pod);
                if let Some(wanted) = options.resource_version.as_deref().filter(|v| !v.is_empty() && *v != version) {
                    return Err(conflict(format!("the ResourceVersion in the precondition ({wanted}) does not match the ResourceVersion in record ({version}). The object might have been modified")));
                }
                set_disruption_target(&mut pod);
                Ok(pod)
            })
            .await?;
        if options.resource_version.is_some() {
            options.resource_version = Some(resource_version(&updated));
        }
    }
    delete_named(state, target, name, &options).await.map(drop)
}

/// The pod condition saying why it goes (upstream's `UpdatePodCondition` of DisruptionTarget).
fn set_disruption_target(pod: &mut Value) {
    let condition = json!({"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
        "message": "Eviction API: evicting"});
    if !pod.get("status").is_some_and(Value::is_object) {
        pod["status"] = json!({});
    }
    let mut conditions = pod["status"].get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    disruption::set_status_condition(&mut conditions, condition, &now_rfc3339());
    pod["status"]["conditions"] = Value::Array(conditions);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_finished_and_terminating_pods_skip_the_budget() {
        assert!(can_ignore_budget(&json!({"status": {"phase": "Pending"}})));
        assert!(can_ignore_budget(&json!({"status": {"phase": "Succeeded"}})));
        assert!(can_ignore_budget(&json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
            "status": {"phase": "Running"}})));
        assert!(!can_ignore_budget(&json!({"status": {"phase": "Running"}})));
        assert!(should_enforce_version(&json!({"status": {"phase": "Pending"}})));
        assert!(!should_enforce_version(&json!({"status": {"phase": "Failed"}})));
    }

    #[test]
    fn a_refusal_is_a_429_naming_the_budget() {
        let err = still_processing("web");
        assert_eq!(err.code, StatusCode::TOO_MANY_REQUESTS);
        let status = err.to_status();
        assert_eq!(status["message"], VIOLATES_BUDGET);
        assert_eq!(status["reason"], "TooManyRequests");
        assert_eq!(status["details"]["retryAfterSeconds"], 10);
        assert_eq!(
            status["details"]["causes"][0],
            json!({"reason": "DisruptionBudget", "message": "The disruption budget web is still being processed by the server."})
        );
    }
}
