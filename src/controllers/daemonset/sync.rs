//! One reconcile of one DaemonSet: its revision, its pods by node, the creations and
//! deletions `plan` decides, and its status.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::{json, Value};

use super::nodes::{self, placement, target_node, Placement};
use super::plan::{self, is_updated, NodePods};
use super::{Context, Error};
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::deployment::util::scaled_value;
use crate::controllers::history::{self, Owner};
use crate::controllers::replicaset::owner_key;
use crate::controllers::replicaset::pods::{availability, controller_ref, is_ready};
use crate::controllers::slow_start::Creator;
use crate::machinery::labels::selector_string;
use crate::machinery::record::reference_to;

/// How often a DaemonSet is looked at without any event.
const RESYNC: Duration = Duration::from_secs(300);

fn event_target(ds: &DaemonSet) -> ObjectReference {
    reference_to("apps/v1", "DaemonSet", ds.namespace().as_deref(), &ds.name_any(), ds.uid().as_deref())
}

fn phase(pod: &CachedPod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

/// Every node with its placement and daemon pods; pods on nodes that are gone come as a
/// node that must not continue.
fn node_pods(ds: &DaemonSet, ctx: &Context, pods: &[Arc<CachedPod>]) -> Vec<NodePods> {
    let mut by_node: BTreeMap<String, NodePods> = BTreeMap::new();
    for node in ctx.nodes.state() {
        let name = node.name_any();
        let placement = placement(&node, ds);
        by_node.insert(name.clone(), NodePods { node: name, placement, pods: vec![], failed: vec![] });
    }
    for pod in pods {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let Some(node) = target_node(pod) else { continue };
        let entry = by_node.entry(node.to_string()).or_insert_with(|| NodePods {
            node: node.to_string(),
            placement: Placement { should_run: false, should_continue: false },
            pods: vec![],
            failed: vec![],
        });
        match phase(pod) {
            "Failed" => entry.failed.push(pod.clone()),
            "Succeeded" => {}
            _ => entry.pods.push(pod.clone()),
        }
    }
    by_node.into_values().collect()
}

fn strategy(ds: &DaemonSet) -> (bool, Option<&IntOrString>, Option<&IntOrString>) {
    let strategy = ds.spec.as_ref().and_then(|s| s.update_strategy.as_ref());
    let rolling = strategy.and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate") == "RollingUpdate";
    let update = strategy.and_then(|s| s.rolling_update.as_ref());
    (rolling, update.and_then(|u| u.max_surge.as_ref()), update.and_then(|u| u.max_unavailable.as_ref()))
}

/// maxSurge and maxUnavailable over the nodes that should run the pod, both rounded up as
/// upstream's `updatedDesiredNodeCounts`; both zero would stall, so unavailable becomes 1.
fn budgets(ds: &DaemonSet, desired: i32) -> Result<(i32, i32), Error> {
    let (_, surge, unavailable) = strategy(ds);
    let scaled = |value: Option<&IntOrString>, default: i32| match value {
        None => Ok(default),
        Some(v) => scaled_value(v, desired, true).map_err(|err| Error::IntOrPercent(err.to_string())),
    };
    let surge = scaled(surge, 0)?;
    let mut unavailable = scaled(unavailable, 1)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

pub async fn reconcile(ds: Arc<DaemonSet>, ctx: Arc<Context>) -> Result<Action, Error> {
    if ds.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let namespace = ds.namespace().unwrap_or_default();
    let name = ds.name_any();
    let uid = ds.uid().unwrap_or_default();
    let key = owner_key(&namespace, &name);
    let spec = ds.spec.clone().unwrap_or_default();
    let selector_value = serde_json::to_value(&spec.selector).unwrap_or(Value::Null);
    let selector = selector_string(Some(&selector_value)).map_err(|err| Error::Selector(err.to_string()))?;

    // The current revision, and the rest of the history.
    let revisions_api: Api<ControllerRevision> = Api::namespaced(ctx.client.clone(), &namespace);
    let mut revisions = history::list(&revisions_api, &selector, &uid).await?;
    let template = serde_json::to_value(&spec.template).unwrap_or(Value::Null);
    let data = history::template_patch(&template);
    let collision_count = ds.status.as_ref().and_then(|s| s.collision_count);
    let owner = Owner {
        api_version: "apps/v1",
        kind: "DaemonSet",
        name: &name,
        namespace: &namespace,
        uid: &uid,
        annotations: ds.metadata.annotations.as_ref(),
        template_labels: spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
    };
    let current = match history::current(&revisions_api, &owner, &data, collision_count, &mut revisions).await {
        Ok(current) => current,
        Err(history::Error::Collision(_)) => {
            let count = collision_count.unwrap_or(0).saturating_add(1);
            let api: Api<DaemonSet> = Api::namespaced(ctx.client.clone(), &namespace);
            let patch = json!({"status": {"collisionCount": count}});
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)).await?;
            return Ok(Action::requeue(Duration::from_millis(100)));
        }
        Err(err) => return Err(err.into()),
    };
    let hash = history::hash_of(&current);

    let pods: Vec<Arc<CachedPod>> = ctx
        .pods
        .state()
        .into_iter()
        .filter(|p| p.namespace().as_deref() == Some(namespace.as_str()))
        .filter(|p| controller_ref(p).is_some_and(|r| r.uid == uid))
        .collect();
    let nodes = node_pods(&ds, &ctx, &pods);
    let now = Utc::now();
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let desired = nodes.iter().filter(|n| n.placement.should_run).count() as i32;
    let (rolling, _, _) = strategy(&ds);
    let (max_surge, max_unavailable) = budgets(&ds, desired)?;

    let exists = |uid: &str| pods.iter().any(|p| p.uid().as_deref() == Some(uid));
    let satisfied = ctx.expectations.satisfied(&key, exists);
    let mut manage_error = None;
    if satisfied {
        let surge = rolling && max_surge > 0;
        let worker = Creator {
            api: Api::namespaced(ctx.client.clone(), &namespace),
            recorder: &ctx.recorder,
            target: event_target(&ds),
            expectations: &ctx.expectations,
            key: &key,
        };
        let mut work = plan::manage(&nodes, &hash, surge, min_ready, now);
        // As upstream: the update waits until what manage asked for has been seen.
        if rolling && work.create.is_empty() && work.delete.is_empty() {
            work = plan::rolling_update(&nodes, &hash, max_surge, max_unavailable, min_ready, now);
        }
        if !work.create.is_empty() {
            let new: Vec<Pod> = work.create.iter().map(|node| nodes::new_pod(&ds, node, &hash)).collect();
            manage_error = worker.create(&new).await.err().map(Error::Create);
        }
        if !work.delete.is_empty() {
            manage_error = worker.delete(&work.delete).await.err().map(Error::Delete).or(manage_error);
        }
    }

    // History beyond the limit goes, unless a live pod still runs it.
    let mut in_use: HashSet<String> =
        pods.iter().filter_map(|p| p.labels().get(history::HASH_LABEL).cloned()).collect();
    in_use.insert(hash.clone());
    let limit = spec.revision_history_limit.unwrap_or(10);
    history::truncate(&revisions_api, &revisions, &in_use, limit).await?;

    let (status, wait) = status(&ds, &nodes, &hash, min_ready, now, satisfied);
    update_status(&ds, &ctx, status).await?;
    if let Some(err) = manage_error {
        return Err(err);
    }
    let mut next = wait.map_or(RESYNC, |w| w.min(RESYNC));
    if !satisfied {
        next = next.min(Duration::from_secs(5));
    }
    Ok(Action::requeue(next))
}

/// Upstream's `updateDaemonSetStatus`, and how long until a ready pod becomes available.
fn status(
    ds: &DaemonSet,
    nodes: &[NodePods],
    hash: &str,
    min_ready: i32,
    now: chrono::DateTime<Utc>,
    synced: bool,
) -> (Value, Option<Duration>) {
    // A generation counts as observed only once the controller acted on it.
    let observed_generation = if synced {
        ds.metadata.generation.unwrap_or(0)
    } else {
        ds.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0)
    };
    let (mut desired, mut scheduled, mut misscheduled, mut ready, mut available, mut updated) = (0, 0, 0, 0, 0, 0);
    let mut wait: Option<Duration> = None;
    for node in nodes {
        if node.placement.should_run {
            desired += 1;
            let mut pods = node.pods.clone();
            pods.sort_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
            let Some(pod) = pods.first() else { continue };
            scheduled += 1;
            if is_ready(pod) {
                ready += 1;
                match availability(pod, min_ready, now) {
                    Ok(()) => available += 1,
                    Err(Some(left)) => {
                        let left = left.to_std().unwrap_or_default() + Duration::from_millis(100);
                        wait = Some(wait.map_or(left, |w| w.min(left)));
                    }
                    Err(None) => {}
                }
            }
            if is_updated(pod, hash) {
                updated += 1;
            }
        } else if !node.pods.is_empty() {
            misscheduled += 1;
        }
    }
    let mut status = json!({
        "currentNumberScheduled": scheduled,
        "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        "observedGeneration": observed_generation,
        "updatedNumberScheduled": updated,
        "numberAvailable": available,
        "numberUnavailable": desired - available,
    });
    if let Some(count) = ds.status.as_ref().and_then(|s| s.collision_count) {
        status["collisionCount"] = json!(count);
    }
    // Go leaves zero counts out of the JSON.
    if let Some(map) = status.as_object_mut() {
        map.retain(|k, v| {
            v.as_i64() != Some(0)
                || k == "currentNumberScheduled"
                || k == "numberMisscheduled"
                || k == "desiredNumberScheduled"
                || k == "numberReady"
        });
    }
    (status, wait)
}

async fn update_status(ds: &DaemonSet, ctx: &Context, wanted: Value) -> Result<(), Error> {
    let current = ds.status.as_ref().and_then(|s| serde_json::to_value(s).ok()).unwrap_or_else(|| json!({}));
    let api: Api<DaemonSet> = Api::namespaced(ctx.client.clone(), &ds.namespace().unwrap_or_default());
    Ok(crate::controllers::status_patch::write(&api, &ds.name_any(), current, wanted).await?)
}
