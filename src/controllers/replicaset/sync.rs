//! One reconcile of one owner: claim pods (adopt orphans, release pods that no longer
//! match), create or delete pods toward `replicas` (only when earlier requests were
//! observed), then write status.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use futures::FutureExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::{json, Value};

use super::{owner_key, pods, status, Context, Error, ReplicaOwner};
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::slow_start::Creator;
use crate::machinery::record::reference_to;

/// Upstream's burstReplicas: at most this many creations or deletions per sync.
const BURST_REPLICAS: usize = 500;

/// An owner with nothing to create or delete is only counting its pods for status: its
/// next sync waits this long per pod (at most a second), so a 10,000-pod owner whose pods
/// are being bound and started is counted twice a second rather than ten times.
const QUIET_SYNC_COST_PER_POD: Duration = Duration::from_micros(50);
const QUIET_SYNC_MAX_WAIT: Duration = Duration::from_secs(1);

/// How often an owner is looked at even without a change (a safety net for lost events).
const RESYNC: Duration = Duration::from_secs(300);

pub async fn reconcile<K: ReplicaOwner>(owner: Arc<K>, ctx: Arc<Context<K>>) -> Result<Action, Error> {
    let (owner, ctx): (&K, &Context<K>) = (&owner, &ctx);
    // The pod cache must have listed once, or every pod would look missing.
    if ctx.pods.wait_until_ready().now_or_never().is_none() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let name = owner.name_any();
    let namespace = owner.namespace().ok_or_else(|| Error::NoNamespace(name.clone()))?;
    let key = owner_key(&namespace, &name);
    // Judged before looking at pods: what is observed after this point is in the cache.
    let satisfied =
        ctx.expectations.satisfied(&key, |uid| ctx.pods.find(|p| p.metadata.uid.as_deref() == Some(uid)).is_some());
    let candidates: Vec<Arc<CachedPod>> = ctx
        .pods
        .state()
        .into_iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(namespace.as_str()) && pods::is_active(p))
        .collect();
    let (owned, retry_claim) = claim(owner, ctx, candidates).await?;

    // A pod someone just released from this owner usually means the owner is being
    // deleted with its pods orphaned: replacing them (or writing status) now would only
    // make garbage and conflicts. Look again when the grace is over.
    if let Some(grace) = retry_claim {
        return Ok(Action::requeue(grace));
    }
    let mut manage_error = None;
    let diff = owned.len() as i64 - i64::from(owner.replicas());
    if satisfied && owner.meta().deletion_timestamp.is_none() {
        manage_error = manage(owner, ctx, &key, &owned, diff).await.err();
    }
    let status_requeue = status::update(owner, ctx, &owned, manage_error.as_ref().map(|e| (e, diff))).await?;
    if let Some(err) = manage_error {
        return Err(err);
    }
    if satisfied && diff == 0 {
        ctx.batch.pace(&key, (QUIET_SYNC_COST_PER_POD * owned.len() as u32).min(QUIET_SYNC_MAX_WAIT));
    }
    let mut next = status_requeue.unwrap_or(RESYNC);
    if !satisfied {
        next = next.min(Duration::from_secs(5));
    }
    Ok(Action::requeue(next))
}

/// The pods this owner controls after adopting matching orphans and releasing owned pods
/// that no longer match; and, if some orphan was left alone for now, when to look again.
async fn claim<K: ReplicaOwner>(
    owner: &K,
    ctx: &Context<K>,
    candidates: Vec<Arc<CachedPod>>,
) -> Result<(Vec<Arc<CachedPod>>, Option<Duration>), Error> {
    let owner_uid = owner.uid().unwrap_or_default();
    let deleting = owner.meta().deletion_timestamp.is_some();
    let selector = owner.selector();
    let matches = |pod: &CachedPod| selector.as_ref().is_some_and(|s| s.matches(pod.labels()));
    let mut owned = Vec::new();
    let mut retry = None;
    let mut can_adopt: Option<bool> = None;
    for pod in candidates {
        match pods::controller_ref(&pod) {
            Some(reference) if reference.uid == owner_uid => {
                if matches(&pod) {
                    owned.push(pod);
                } else if !deleting {
                    release(ctx, &pod, &owner_uid).await?;
                }
            }
            Some(_) => {}
            None => {
                if deleting || !matches(&pod) {
                    continue;
                }
                let pod_uid = pod.uid().unwrap_or_default();
                if let Some(grace) = ctx.release_grace(&owner_uid, &pod_uid) {
                    retry = Some(retry.map_or(grace, |r: Duration| r.min(grace)));
                    continue;
                }
                // Upstream's canAdopt: a fresh read, so an owner deleted a moment ago (or
                // replaced under the same name) adopts nothing.
                if can_adopt.is_none() {
                    can_adopt = Some(fresh_owner_is_live(owner, ctx).await?);
                }
                if can_adopt != Some(true) {
                    continue;
                }
                if let Some(adopted) = adopt(owner, ctx, &pod).await? {
                    owned.push(Arc::new(adopted));
                }
            }
        }
    }
    Ok((owned, retry))
}

async fn fresh_owner_is_live<K: ReplicaOwner>(owner: &K, ctx: &Context<K>) -> Result<bool, Error> {
    let namespace = owner.namespace().unwrap_or_default();
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &namespace);
    let fresh = api.get_opt(&owner.name_any()).await?;
    Ok(fresh.is_some_and(|f| f.uid() == owner.uid() && f.meta().deletion_timestamp.is_none()))
}

fn pods_api<K: ReplicaOwner>(ctx: &Context<K>, pod: &CachedPod) -> Api<CachedPod> {
    Api::namespaced(ctx.client.clone(), &pod.namespace().unwrap_or_default())
}

/// A JSON patch that applies only to the version of the pod we looked at.
fn guarded(pod: &CachedPod, ops: Vec<Value>) -> Value {
    let mut patch = vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": pod.resource_version()})];
    patch.extend(ops);
    Value::Array(patch)
}

/// A conflict or a vanished pod: the watch brings the news and a new reconcile.
fn stale(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if matches!(status.code, 404 | 409 | 422))
}

async fn adopt<K: ReplicaOwner>(owner: &K, ctx: &Context<K>, pod: &CachedPod) -> Result<Option<CachedPod>, Error> {
    let mut references = pod.metadata.owner_references.clone().unwrap_or_default();
    references.push(pods::owner_reference(
        &K::api_version(&()),
        &K::kind(&()),
        &owner.name_any(),
        &owner.uid().unwrap_or_default(),
    ));
    let patch = guarded(pod, vec![json!({"op": "add", "path": "/metadata/ownerReferences", "value": references})]);
    let patch: json_patch::Patch = serde_json::from_value(patch)?;
    match pods_api(ctx, pod).patch(&pod.name_any(), &PatchParams::default(), &Patch::<()>::Json(patch)).await {
        Ok(adopted) => Ok(Some(adopted)),
        Err(err) if stale(&err) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

async fn release<K: ReplicaOwner>(ctx: &Context<K>, pod: &CachedPod, owner_uid: &str) -> Result<(), Error> {
    let remaining: Vec<_> =
        pod.metadata.owner_references.iter().flatten().filter(|r| r.uid != owner_uid).cloned().collect();
    let op = if remaining.is_empty() {
        json!({"op": "remove", "path": "/metadata/ownerReferences"})
    } else {
        json!({"op": "replace", "path": "/metadata/ownerReferences", "value": remaining})
    };
    let patch: json_patch::Patch = serde_json::from_value(guarded(pod, vec![op]))?;
    match pods_api(ctx, pod).patch(&pod.name_any(), &PatchParams::default(), &Patch::<()>::Json(patch)).await {
        Ok(_) => Ok(()),
        Err(err) if stale(&err) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Creates or deletes pods so that `owned` reaches `replicas`.
async fn manage<K: ReplicaOwner>(
    owner: &K,
    ctx: &Context<K>,
    key: &str,
    owned: &[Arc<CachedPod>],
    diff: i64,
) -> Result<(), Error> {
    if diff < 0 {
        create_pods(owner, ctx, key, (-diff as usize).min(BURST_REPLICAS)).await
    } else if diff > 0 {
        delete_pods(owner, ctx, owned, (diff as usize).min(BURST_REPLICAS)).await
    } else {
        Ok(())
    }
}

fn event_target<K: ReplicaOwner>(owner: &K) -> k8s_openapi::api::core::v1::ObjectReference {
    reference_to(
        &K::api_version(&()),
        &K::kind(&()),
        owner.namespace().as_deref(),
        &owner.name_any(),
        owner.uid().as_deref(),
    )
}

/// Creates `count` pods from the owner's template with upstream's slow start.
async fn create_pods<K: ReplicaOwner>(owner: &K, ctx: &Context<K>, key: &str, count: usize) -> Result<(), Error> {
    let name = owner.name_any();
    let namespace = owner.namespace().unwrap_or_default();
    let template = owner.template().ok_or_else(|| Error::NoTemplate(name.clone()))?;
    let reference = pods::owner_reference(&K::api_version(&()), &K::kind(&()), &name, &owner.uid().unwrap_or_default());
    let pod = pods::from_template(template, &namespace, reference);
    let creator = Creator {
        api: Api::namespaced(ctx.client.clone(), &namespace),
        recorder: &ctx.recorder,
        target: event_target(owner),
        expectations: &ctx.expectations,
        key,
    };
    creator.create(&vec![pod; count]).await.map_err(Error::Create)
}

async fn delete_pods<K: ReplicaOwner>(
    owner: &K,
    ctx: &Context<K>,
    owned: &[Arc<CachedPod>],
    count: usize,
) -> Result<(), Error> {
    let victims = pods::pods_to_delete(owned, count);
    let key = owner_key(&owner.namespace().unwrap_or_default(), &owner.name_any());
    ctx.expectations.expect_deletions(&key, victims.iter().filter_map(|p| p.uid()));
    let target = event_target(owner);
    let deletions = victims.iter().map(|pod| async move {
        let params = DeleteParams {
            preconditions: Some(Preconditions { uid: pod.uid(), resource_version: None }),
            ..Default::default()
        };
        (pod, pods_api(ctx, pod).delete(&pod.name_any(), &params).await)
    });
    let mut failure = None;
    for (pod, result) in join_all(deletions).await {
        match result {
            Ok(_) => {
                let message = format!("Deleted pod: {}", pod.name_any());
                ctx.recorder.normal(&target, "SuccessfulDelete", &message);
            }
            Err(err) => {
                ctx.expectations.deletion_observed(&pod.uid().unwrap_or_default());
                if !stale(&err) {
                    let message = format!("Error deleting: {err}");
                    ctx.recorder.warning(&target, "FailedDelete", &message);
                    failure = Some(err);
                }
            }
        }
    }
    match failure {
        Some(err) => Err(Error::Delete(err)),
        None => Ok(()),
    }
}
