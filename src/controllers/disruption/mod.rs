//! The disruption controller (upstream's `pkg/controller/disruption`): writes each
//! PodDisruptionBudget's status — the pods it expects (the owning controllers' scale for a
//! percentage or maxUnavailable), how many must stay healthy, how many are, and so how
//! many disruptions the eviction subresource may allow — and drops evictions from
//! `disruptedPods` once their pods are gone or two minutes passed.
//!
//! Wiring as the job controller: a reflector of budgets feeds kube-runtime's `applier`; a
//! pod change wakes the budgets in its namespace that select it.

mod scale;
mod status;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{stream, StreamExt};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::Api;
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use parking_lot::Mutex;

use super::replicaset::owner_key;
use crate::controllers::cached_pod::CachedPod;
use crate::machinery::labels::Selector;
use crate::machinery::record::EventRecorder;

/// The event source, as upstream names it.
pub const COMPONENT: &str = "controllermanager";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("could not encode the status: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("{0}")]
    Selector(#[from] crate::machinery::labels::SelectorError),
    /// Upstream's words when no controller of a pod is found or reads as scalable.
    #[error("{0}")]
    Scale(String),
    #[error("reconcile task failed: {0}")]
    Task(String),
}

/// What every reconcile shares.
pub struct Context {
    pub client: Client,
    pub pods: Store<CachedPod>,
    pub recorder: EventRecorder,
    failures: Mutex<HashMap<String, u32>>,
}

/// The budgets of `pod`'s namespace whose selector matches it.
fn budgets_of(budgets: &Store<PodDisruptionBudget>, pod: &CachedPod) -> Vec<ObjectRef<PodDisruptionBudget>> {
    let namespace = pod.namespace().unwrap_or_default();
    budgets
        .state()
        .into_iter()
        .filter(|budget| budget.namespace().as_deref() == Some(namespace.as_str()))
        .filter(|budget| {
            let selector = budget.spec.as_ref().and_then(|s| s.selector.as_ref());
            Selector::from_label_selector(selector).is_ok_and(|s| s.matches(&pod.metadata.labels.as_ref()))
        })
        .map(|budget| ObjectRef::from_obj(budget.as_ref()))
        .collect()
}

/// Runs the disruption controller until the task is dropped, over the controller-manager's
/// shared pod cache and its changes.
pub async fn run(client: Client, pods: Store<CachedPod>, pod_changes: super::PodChanges) {
    let (budgets, writer) = reflector::store::<PodDisruptionBudget>();
    let ctx = Arc::new(Context {
        client: client.clone(),
        pods,
        recorder: EventRecorder::new(client.clone(), COMPONENT),
        failures: Mutex::new(HashMap::new()),
    });
    let events = watcher(Api::<PodDisruptionBudget>::all(client.clone()), watcher::Config::default()).default_backoff();
    let budget_triggers = trigger_self(reflector::reflector(writer, events).applied_objects(), ());
    let touched = pod_changes.map(|change| Ok::<_, watcher::Error>(change.object().clone()));
    let mapper = budgets.clone();
    let pod_triggers = trigger_with(touched, move |pod: Arc<CachedPod>| budgets_of(&mapper, &pod));

    controller::applier(
        |budget, ctx| {
            Box::pin(async move {
                let key = owner_key(&budget.namespace().unwrap_or_default(), &budget.name_any());
                let result = match tokio::spawn(status::reconcile(budget, ctx.clone())).await {
                    Ok(result) => result,
                    Err(err) => Err(Error::Task(err.to_string())),
                };
                if result.is_ok() {
                    ctx.failures.lock().remove(&key);
                }
                result
            })
        },
        error_policy,
        ctx,
        budgets,
        stream::select(budget_triggers, pod_triggers),
        controller::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, component = "disruption-controller", "reconcile failed");
        }
    })
    .await;
}

/// Retries with a per-budget exponential backoff (100 ms doubling up to a minute).
fn error_policy(budget: Arc<PodDisruptionBudget>, err: &Error, ctx: Arc<Context>) -> Action {
    let key = owner_key(&budget.namespace().unwrap_or_default(), &budget.name_any());
    let mut failures = ctx.failures.lock();
    let count = failures.entry(key).or_insert(0);
    *count = count.saturating_add(1);
    let doublings = count.saturating_sub(1).min(10);
    let delay = (Duration::from_millis(100) * 2u32.pow(doublings)).min(Duration::from_secs(60));
    tracing::debug!(%err, ?delay, "disruption controller will retry");
    Action::requeue(delay)
}
