//! One budget's sync (upstream's `trySync`, `updatePdbStatus` and `failSafe`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::{json, Map, Value};

use super::{Context, Error};
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::disruption;
use crate::machinery::labels::Selector;
use crate::machinery::record::reference_to;

/// How long an eviction's pod may take to go before it counts again (upstream's
/// DeletionTimeout).
const DELETION_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

fn is_ready(pod: &CachedPod) -> bool {
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `buildDisruptedPodMap`: evictions whose pods still exist, are not terminating, and are
/// within the timeout; with the earliest time one of them expires.
fn disrupted_pods(
    budget: &PodDisruptionBudget,
    pods: &[&CachedPod],
    now: DateTime<Utc>,
) -> (Map<String, Value>, Option<DateTime<Utc>>) {
    let mut kept = Map::new();
    let mut recheck: Option<DateTime<Utc>> = None;
    let Some(recorded) = budget.status.as_ref().and_then(|s| s.disrupted_pods.as_ref()) else {
        return (kept, None);
    };
    for pod in pods {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let name = pod.metadata.name.clone().unwrap_or_default();
        let Some(at) = recorded.get(&name) else { continue };
        let expires = at.0 + DELETION_TIMEOUT;
        if expires >= now {
            recheck = Some(recheck.map_or(expires, |r| r.min(expires)));
            kept.insert(name, json!(at.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
    }
    (kept, recheck)
}

/// `countHealthyPods`: ready pods that are neither terminating nor being evicted.
fn healthy_pods(pods: &[&CachedPod], disrupted: &Map<String, Value>) -> i32 {
    pods.iter()
        .filter(|pod| pod.metadata.deletion_timestamp.is_none())
        .filter(|pod| !disrupted.contains_key(pod.metadata.name.as_deref().unwrap_or_default()))
        .filter(|pod| is_ready(pod))
        .count() as i32
}

pub async fn reconcile(budget: Arc<PodDisruptionBudget>, ctx: Arc<Context>) -> Result<Action, Error> {
    match try_sync(&budget, &ctx).await {
        Err(Error::Kube(kube::Error::Api(status))) if status.code == 409 => Err(Error::Kube(kube::Error::Api(status))),
        Err(err) => {
            fail_safe(&budget, &ctx, &err).await?;
            Ok(Action::await_change())
        }
        ok => ok,
    }
}

async fn try_sync(budget: &PodDisruptionBudget, ctx: &Context) -> Result<Action, Error> {
    let namespace = budget.namespace().unwrap_or_default();
    let reference = reference_to(
        "policy/v1",
        "PodDisruptionBudget",
        Some(&namespace),
        &budget.name_any(),
        budget.metadata.uid.as_deref(),
    );
    let selector = Selector::from_label_selector(budget.spec.as_ref().and_then(|s| s.selector.as_ref()))?;
    let cached = ctx.pods.state();
    let pods: Vec<&CachedPod> = cached
        .iter()
        .map(AsRef::as_ref)
        .filter(|pod| pod.metadata.namespace.as_deref() == Some(namespace.as_str()))
        .filter(|pod| selector.matches(&pod.metadata.labels.as_ref()))
        .collect();
    if pods.is_empty() {
        ctx.recorder.normal(&reference, "NoPods", "No matching pods found");
    }
    let (expected, desired, unmanaged) = match super::scale::expected_pod_count(&ctx.client, budget, &pods).await {
        Ok(counts) => counts,
        Err(err) => {
            let message = format!("Failed to calculate the number of expected pods: {err}");
            ctx.recorder.warning(&reference, "CalculateExpectedPodCountFailed", &message);
            return Err(err);
        }
    };
    if !unmanaged.is_empty() {
        // Go prints the selector struct; its label form says the same.
        let selector = serde_json::to_value(budget.spec.as_ref().and_then(|s| s.selector.as_ref()))?;
        let shown = crate::machinery::labels::format_label_selector(Some(&selector));
        ctx.recorder.warning(&reference, "UnmanagedPods", &format!("Pods selected by this PodDisruptionBudget (selector: {shown}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value."));
    }
    let now = Utc::now();
    let (disrupted, recheck) = disrupted_pods(budget, &pods, now);
    let healthy = healthy_pods(&pods, &disrupted);
    update_status(budget, ctx, healthy, desired, expected, disrupted).await?;
    Ok(match recheck {
        Some(at) => Action::requeue((at - now).to_std().unwrap_or_default()),
        None => Action::await_change(),
    })
}

fn current_status(budget: &PodDisruptionBudget) -> Value {
    serde_json::to_value(&budget.status).ok().filter(Value::is_object).unwrap_or(json!({}))
}

/// `updatePdbStatus`: written only when something changed.
async fn update_status(
    budget: &PodDisruptionBudget,
    ctx: &Context,
    healthy: i32,
    desired: i32,
    expected: i32,
    disrupted: Map<String, Value>,
) -> Result<(), Error> {
    // No pods expected yet means no disruption is safe (their first pods may just be coming).
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    let generation = budget.metadata.generation.unwrap_or(0);
    let old = current_status(budget);
    let number = |key: &str| old.get(key).and_then(Value::as_i64).unwrap_or(0);
    let old_disrupted = old.get("disruptedPods").and_then(Value::as_object).cloned().unwrap_or_default();
    let same_times = old_disrupted.len() == disrupted.len()
        && disrupted.iter().all(|(name, at)| {
            let parse = |v: &Value| v.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            old_disrupted.get(name).and_then(parse) == parse(at)
        });
    if number("currentHealthy") == i64::from(healthy)
        && number("desiredHealthy") == i64::from(desired)
        && number("expectedPods") == i64::from(expected)
        && number("disruptionsAllowed") == i64::from(allowed)
        && same_times
        && number("observedGeneration") == generation
        && disruption::conditions_are_up_to_date(&old, generation)
    {
        return Ok(());
    }
    let mut status = json!({"currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
        "disruptionsAllowed": allowed, "observedGeneration": generation});
    if !disrupted.is_empty() {
        status["disruptedPods"] = Value::Object(disrupted);
    }
    if let Some(conditions) = old.get("conditions") {
        status["conditions"] = conditions.clone();
    }
    disruption::update_disruption_allowed_condition(&mut status, &now_text());
    write_status(budget, ctx, status).await
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `failSafe`: whatever went wrong, no disruption is allowed until a sync succeeds.
async fn fail_safe(budget: &PodDisruptionBudget, ctx: &Context, err: &Error) -> Result<(), Error> {
    let mut status = current_status(budget);
    status["disruptionsAllowed"] = json!(0);
    let observed = status.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
    disruption::set_condition(&mut status, "False", disruption::SYNC_FAILED, &err.to_string(), observed, &now_text());
    write_status(budget, ctx, status).await
}

/// `UpdateStatus` at the budget's resourceVersion: a conflict is retried with a fresh read.
async fn write_status(budget: &PodDisruptionBudget, ctx: &Context, status: Value) -> Result<(), Error> {
    let mut object = serde_json::to_value(budget)?;
    object["status"] = status;
    let api = Api::<PodDisruptionBudget>::namespaced(ctx.client.clone(), &budget.namespace().unwrap_or_default());
    api.replace_status(&budget.name_any(), &PostParams::default(), serde_json::to_vec(&object)?).await?;
    Ok(())
}
