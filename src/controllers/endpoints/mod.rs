//! The endpoints and endpointslice controllers: from each Service's selector and the pods
//! it selects, the Service's Endpoints (pkg/controller/endpoint) and EndpointSlices
//! (pkg/controller/endpointslice). Upstream runs them as two controllers; kctl reconciles
//! both objects in one pass per Service, from one view of the shared pod cache, so the two
//! never disagree for long and each pod change wakes one reconcile.
//!
//! Services without a selector (the `kubernetes` Service, whose endpoints the apiservers
//! write, or hand-written endpoints) and ExternalName Services are left alone. A deleted
//! Service's Endpoints are deleted; its slices go with it by their owner reference.

pub mod endpoints;
pub mod pods;
pub mod slices;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{stream, FutureExt, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Endpoints, Service};
use kube::api::{Api, DeleteParams};
use kube::runtime::controller::{self, trigger_self, trigger_with, Action};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use parking_lot::Mutex;

use super::cached_pod::CachedPod;
use super::informer::Change;
use super::PodChanges;

/// How often a Service is looked at without a change (lost events, edited endpoints).
const RESYNC: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("reconcile task failed: {0}")]
    Task(String),
}

struct Context {
    client: Client,
    pods: Store<CachedPod>,
    /// Consecutive failed reconciles per Service, for the retry backoff.
    failures: Mutex<HashMap<String, u32>>,
}

/// Whether the controller writes this Service's endpoints (see the module's comment).
fn managed(service: &Service) -> bool {
    let spec = service.spec.as_ref();
    let kubernetes = service.name_any() == "kubernetes" && service.namespace().as_deref() == Some("default");
    !kubernetes && spec.and_then(|s| s.type_.as_deref()) != Some("ExternalName") && pods::selector(service).is_some()
}

async fn reconcile(service: Arc<Service>, ctx: Arc<Context>) -> Result<Action, Error> {
    // The pod cache must have listed once, or every pod would look missing.
    if ctx.pods.wait_until_ready().now_or_never().is_none() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let Some(selector) = pods::selector(&service).filter(|_| managed(&service)) else {
        return Ok(Action::await_change());
    };
    if service.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let namespace = service.namespace().unwrap_or_default();
    let selected = pods::selected_pods(&ctx.pods, &service, &selector);
    endpoints::sync(&Api::namespaced(ctx.client.clone(), &namespace), &service, &selected).await?;
    slices::sync(&Api::namespaced(ctx.client.clone(), &namespace), &service, &selected).await?;
    Ok(Action::requeue(RESYNC))
}

/// The Services a pod change concerns: those in its namespace whose selector matches the
/// pod now or matched it before.
fn services_of(services: &Store<Service>, change: &Change<CachedPod>) -> Vec<ObjectRef<Service>> {
    let (pod, previous) = match change {
        Change::Applied { object, previous } => (object, previous.as_ref()),
        Change::Deleted { object } => (object, None),
    };
    let namespace = pod.namespace();
    services
        .state()
        .iter()
        .filter(|s| s.namespace() == namespace)
        .filter(|s| {
            pods::selector(s).is_some_and(|selector| {
                selector.matches(pod.labels()) || previous.is_some_and(|p| selector.matches(p.labels()))
            })
        })
        .map(|s| ObjectRef::from_obj(s.as_ref()))
        .collect()
}

/// Runs the controller until the task is dropped, over the controller-manager's shared
/// pod cache and its changes.
pub async fn run(client: Client, pods: Store<CachedPod>, pod_changes: PodChanges) {
    let (services, writer) = reflector::store::<Service>();
    let ctx = Arc::new(Context { client: client.clone(), pods, failures: Mutex::new(HashMap::new()) });

    let deleter = client.clone();
    let service_events = watcher(Api::<Service>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .inspect_ok(move |event| {
            // A Service gone: its Endpoints go too (its slices by their owner reference).
            if let watcher::Event::Delete(service) = event {
                if managed(service) {
                    let api: Api<Endpoints> =
                        Api::namespaced(deleter.clone(), &service.namespace().unwrap_or_default());
                    let name = service.name_any();
                    tokio::spawn(async move {
                        if let Err(err) = api.delete(&name, &DeleteParams::default()).await {
                            tracing::debug!(%err, name, "endpoints of a deleted service");
                        }
                    });
                }
            }
        });
    let service_triggers = trigger_self(reflector::reflector(writer, service_events).applied_objects(), ());
    let mapper = services.clone();
    let pod_triggers = trigger_with(pod_changes.map(Ok::<_, watcher::Error>), move |change: Arc<Change<CachedPod>>| {
        services_of(&mapper, &change)
    });
    controller::applier(
        |service, ctx| {
            Box::pin(async move {
                let key = format!("{}/{}", service.namespace().unwrap_or_default(), service.name_any());
                let result = match tokio::spawn(reconcile(service, ctx.clone())).await {
                    Ok(result) => result,
                    Err(err) => Err(Error::Task(err.to_string())),
                };
                if result.is_ok() {
                    ctx.failures.lock().remove(&key);
                }
                result
            })
        },
        |service: Arc<Service>, err: &Error, ctx: Arc<Context>| {
            let key = format!("{}/{}", service.namespace().unwrap_or_default(), service.name_any());
            let mut failures = ctx.failures.lock();
            let count = failures.entry(key).or_insert(0);
            *count = count.saturating_add(1);
            tracing::debug!(%err, "endpoints reconcile failed; will retry");
            Action::requeue(super::replicaset::retry_delay(*count))
        },
        ctx,
        services,
        stream::select(service_triggers, pod_triggers),
        controller::Config::default(),
    )
    .for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(%err, "endpoints controller");
        }
    })
    .await;
}
