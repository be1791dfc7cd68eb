//! Pod priority, as upstream's apiserver serves it: the system PriorityClasses every cluster
//! has (`pkg/registry/scheduling/rest/storage_scheduling.go` creates them at start), which may
//! not be deleted (`priorityclass/storage`), and the Priority admission plugin
//! (`plugin/pkg/admission/priority`): a new Pod's `priorityClassName` resolves into
//! `spec.priority` and `spec.preemptionPolicy`, and only one class may be the global default.

use serde_json::{json, Value};

use super::status::ApiError;
use super::ApiState;
use crate::registry::strategy::scheduling::{is_system_priority_class, SYSTEM_PRIORITY_CLASSES};
use crate::registry::{self, ResourceInfo};

fn priority_classes() -> Result<&'static ResourceInfo, ApiError> {
    registry::by_plural("scheduling.k8s.io", "v1", "priorityclasses")
        .ok_or_else(|| ApiError::internal("priorityclasses not registered"))
}

fn is_priority_class(resource: &ResourceInfo) -> bool {
    resource.group == "scheduling.k8s.io" && resource.kind == "PriorityClass"
}

/// Creates the system classes that do not exist yet.
pub(super) async fn bootstrap_system_priority_classes(state: &ApiState) -> Result<(), ApiError> {
    let resource = priority_classes()?;
    for class in SYSTEM_PRIORITY_CLASSES {
        super::ensure(state, resource, class.object()).await?;
    }
    Ok(())
}

/// Upstream's `Delete` of priority classes: the system classes stay.
pub fn refuse_system_class_delete(resource: &ResourceInfo, name: &str) -> Result<(), ApiError> {
    if is_priority_class(resource) && is_system_priority_class(name) {
        return Err(ApiError::forbidden(format!(
            "priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: this is a system priority class and cannot be deleted"
        )));
    }
    Ok(())
}

/// The Priority plugin's admission of a create: Pods get their priority, and a new default
/// class must be the only one.
pub(super) async fn admit_create(
    state: &ApiState,
    resource: &ResourceInfo,
    object: &mut Value,
) -> Result<(), ApiError> {
    if resource.kind == "Pod" && resource.group.is_empty() {
        admit_pod(state, object).await
    } else if is_priority_class(resource) {
        admit_priority_class(state, object).await
    } else {
        Ok(())
    }
}

async fn classes(state: &ApiState) -> Result<Vec<Value>, ApiError> {
    Ok(state.storage.list(priority_classes()?, None, 0, None, None, |_| true).await?.items)
}

/// `getDefaultPriorityClass`: the global default with the lowest value, if any.
fn default_class(classes: &[Value]) -> Option<&Value> {
    classes
        .iter()
        .filter(|class| class.get("globalDefault").and_then(Value::as_bool) == Some(true))
        .min_by_key(|class| class.get("value").and_then(Value::as_i64).unwrap_or(0))
}

fn name_of(object: &Value) -> &str {
    object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

fn forbidden_pod(pod: &Value, why: &str) -> ApiError {
    ApiError::forbidden(format!("pods \"{}\" is forbidden: {why}", name_of(pod)))
}

/// `admitPod` on create. The Pod's defaults ran before admission: they fill in priority 0 and
/// PreemptLowerPriority for a Pod without a class (which the global default then replaces)
/// and the system classes' values, but leave both unset for any other class.
async fn admit_pod(state: &ApiState, pod: &mut Value) -> Result<(), ApiError> {
    let classes = classes(state).await?;
    let class_name = pod.pointer("/spec/priorityClassName").and_then(Value::as_str).unwrap_or_default().to_string();
    let (resolved_name, priority, policy) = if class_name.is_empty() {
        match default_class(&classes) {
            Some(class) => (name_of(class).to_string(), class_value(class), class_policy(class)),
            None => (String::new(), 0, Some("PreemptLowerPriority".to_string())),
        }
    } else {
        let Some(class) = classes.iter().find(|class| name_of(class) == class_name) else {
            return Err(forbidden_pod(pod, &format!("no PriorityClass with name {class_name} was found")));
        };
        (class_name.clone(), class_value(class), class_policy(class))
    };
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return Ok(()) };
    let defaulted_without_class = class_name.is_empty();
    let given_priority = spec.get("priority").and_then(Value::as_i64);
    if let Some(given) = given_priority.filter(|given| *given != priority && !(defaulted_without_class && *given == 0))
    {
        let why = format!("the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        return Err(forbidden_pod(pod, &why));
    }
    spec.insert("priorityClassName".into(), json!(resolved_name));
    if resolved_name.is_empty() {
        spec.remove("priorityClassName");
    }
    spec.insert("priority".into(), json!(priority));
    if let Some(policy) = policy {
        let given = spec.get("preemptionPolicy").and_then(Value::as_str).unwrap_or_default();
        let defaulted = defaulted_without_class && given == "PreemptLowerPriority";
        if !given.is_empty() && given != policy && !defaulted {
            let why = format!("the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
            return Err(forbidden_pod(pod, &why));
        }
        spec.insert("preemptionPolicy".into(), json!(policy));
    }
    Ok(())
}

fn class_value(class: &Value) -> i64 {
    class.get("value").and_then(Value::as_i64).unwrap_or(0)
}

fn class_policy(class: &Value) -> Option<String> {
    class.get("preemptionPolicy").and_then(Value::as_str).map(str::to_string)
}

/// `validatePriorityClass` on create: a second global default is refused.
async fn admit_priority_class(state: &ApiState, class: &Value) -> Result<(), ApiError> {
    if class.get("globalDefault").and_then(Value::as_bool) != Some(true) {
        return Ok(());
    }
    let classes = classes(state).await?;
    if let Some(existing) = default_class(&classes) {
        return Err(ApiError::forbidden(format!(
            "priorityclasses.scheduling.k8s.io \"{}\" is forbidden: PriorityClass {} is already marked as default. Only one default can exist",
            name_of(class),
            name_of(existing)
        )));
    }
    Ok(())
}
