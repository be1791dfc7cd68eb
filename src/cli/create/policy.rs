//! `kctl create quota|priorityclass|poddisruptionbudget`, as kubectl's generators build them.

use clap::Args;
use serde_json::{json, Map, Value};

use crate::client::ClientError;
use crate::machinery::labels::parse_to_label_selector;
use crate::machinery::quantity::Quantity;

#[derive(Args, Debug, Clone)]
pub struct QuotaArgs {
    pub name: Option<String>,
    /// A comma-delimited set of resource=quantity pairs that define a hard limit.
    #[arg(long)]
    pub hard: Option<String>,
    /// A comma-delimited set of quota scopes that must all match each object tracked by the quota.
    #[arg(long)]
    pub scopes: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct PriorityClassArgs {
    pub name: Option<String>,
    /// the value of this priority class.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub value: i32,
    /// global-default specifies whether this PriorityClass should be considered as the default priority.
    #[arg(long = "global-default")]
    pub global_default: bool,
    /// description is an arbitrary string that usually provides guidelines on when this priority class should be used.
    #[arg(long)]
    pub description: Option<String>,
    /// preemption-policy is the policy for preempting pods with lower priority.
    #[arg(long = "preemption-policy", default_value = "PreemptLowerPriority")]
    pub preemption_policy: String,
}

#[derive(Args, Debug, Clone)]
pub struct PdbArgs {
    pub name: Option<String>,
    /// The minimum number or percentage of available pods this budget requires.
    #[arg(long = "min-available")]
    pub min_available: Option<String>,
    /// The maximum number or percentage of unavailable pods this budget requires.
    #[arg(long = "max-unavailable")]
    pub max_unavailable: Option<String>,
    /// A label selector to use for this budget. Only equality-based selector requirements are supported.
    #[arg(long)]
    pub selector: Option<String>,
}

pub fn quota(args: &QuotaArgs) -> Result<Value, ClientError> {
    let name = super::required_name(&args.name, "quota")?;
    let mut spec = Map::new();
    if let Some(hard) = args.hard.as_deref().filter(|h| !h.is_empty()) {
        let mut limits = Map::new();
        for statement in hard.split(',') {
            let parts: Vec<&str> = statement.split('=').collect();
            let [resource, value] = parts.as_slice() else {
                return Err(ClientError::Usage(format!(
                    "Invalid argument syntax {statement}, expected <resource>=<value>"
                )));
            };
            let quantity = Quantity::parse(value).map_err(|e| ClientError::Usage(e.to_string()))?;
            limits.insert(resource.to_string(), json!(quantity.to_string()));
        }
        spec.insert("hard".into(), Value::Object(limits));
    }
    if let Some(scopes) = args.scopes.as_deref().filter(|s| !s.is_empty()) {
        let scopes: Vec<&str> = scopes.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        spec.insert("scopes".into(), json!(scopes));
    }
    Ok(json!({
        "kind": "ResourceQuota", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "spec": spec,
        "status": {},
    }))
}

pub fn priority_class(args: &PriorityClassArgs) -> Result<Value, ClientError> {
    let name = super::required_name(&args.name, "priorityclass")?;
    let mut object = json!({
        "kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "value": args.value,
        "preemptionPolicy": args.preemption_policy,
    });
    if args.global_default {
        object["globalDefault"] = json!(true);
    }
    if let Some(description) = args.description.as_deref().filter(|d| !d.is_empty()) {
        object["description"] = json!(description);
    }
    Ok(object)
}

pub fn pod_disruption_budget(args: &PdbArgs) -> Result<Value, ClientError> {
    let name = super::required_name(&args.name, "poddisruptionbudget")?;
    let selector = args.selector.as_deref().unwrap_or_default();
    let min = args.min_available.as_deref().unwrap_or_default();
    let max = args.max_unavailable.as_deref().unwrap_or_default();
    if selector.is_empty() {
        return Err(ClientError::Usage("a selector must be specified".into()));
    }
    if min.is_empty() && max.is_empty() {
        return Err(ClientError::Usage("one of min-available or max-unavailable must be specified".into()));
    }
    if !min.is_empty() && !max.is_empty() {
        return Err(ClientError::Usage("min-available and max-unavailable cannot be both specified".into()));
    }
    let number_or_percent = |text: &str| {
        let digits = text.strip_suffix('%').unwrap_or(text);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    if !min.is_empty() && !number_or_percent(min) {
        return Err(ClientError::Usage("invalid format specified for min-available".into()));
    }
    if !max.is_empty() && !number_or_percent(max) {
        return Err(ClientError::Usage("invalid format specified for max-unavailable".into()));
    }
    let selector = parse_to_label_selector(selector).map_err(|e| ClientError::Usage(e.to_string()))?;
    let mut spec = json!({"selector": selector});
    let int_or_string = |text: &str| text.parse::<i64>().map(|n| json!(n)).unwrap_or_else(|_| json!(text));
    if !min.is_empty() {
        spec["minAvailable"] = int_or_string(min);
    } else {
        spec["maxUnavailable"] = int_or_string(max);
    }
    Ok(json!({
        "kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "spec": spec,
        "status": {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0},
    }))
}
