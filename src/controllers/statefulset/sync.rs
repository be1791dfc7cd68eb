//! One reconcile of one StatefulSet: its current and update revisions, its pods by
//! ordinal, the creations and deletions `plan` decides (claims first), and its status.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolumeClaim, PodTemplateSpec};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::{json, Value};

use super::identity::{self, claims, claims_deleted, ordinal, revision};
use super::plan::{self, healthy, Settings};
use super::{Context, Error};
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::deployment::util::scaled_value;
use crate::controllers::history::{self, Owner};
use crate::controllers::replicaset::owner_key;
use crate::controllers::replicaset::pods::{availability, controller_ref, is_ready};
use crate::controllers::slow_start::Creator;
use crate::machinery::labels::selector_string;
use crate::machinery::record::reference_to;

const RESYNC: Duration = Duration::from_secs(300);

fn event_target(set: &StatefulSet) -> ObjectReference {
    reference_to("apps/v1", "StatefulSet", set.namespace().as_deref(), &set.name_any(), set.uid().as_deref())
}

fn settings(set: &StatefulSet, update: &str) -> Result<Settings, Error> {
    let spec = set.spec.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let strategy = spec.update_strategy.unwrap_or_default();
    let rolling = strategy.type_.as_deref().unwrap_or("RollingUpdate") == "RollingUpdate";
    let update_settings = strategy.rolling_update.unwrap_or_default();
    let max_unavailable = match update_settings.max_unavailable {
        None => 1,
        Some(value) => {
            scaled_value(&value, replicas, false).map_err(|err| Error::IntOrPercent(err.to_string()))?.max(1)
        }
    };
    Ok(Settings {
        replicas,
        ordered: spec.pod_management_policy.as_deref() != Some("Parallel"),
        rolling,
        partition: update_settings.partition.unwrap_or(0),
        max_unavailable,
        min_ready: spec.min_ready_seconds.unwrap_or(0),
        update_revision: update.to_string(),
    })
}

pub async fn reconcile(set: Arc<StatefulSet>, ctx: Arc<Context>) -> Result<Action, Error> {
    if set.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let namespace = set.namespace().unwrap_or_default();
    let name = set.name_any();
    let uid = set.uid().unwrap_or_default();
    let key = owner_key(&namespace, &name);
    let spec = set.spec.clone().unwrap_or_default();
    let selector_value = serde_json::to_value(&spec.selector).unwrap_or(Value::Null);
    let selector = selector_string(Some(&selector_value)).map_err(|err| Error::Selector(err.to_string()))?;

    let revisions_api: Api<ControllerRevision> = Api::namespaced(ctx.client.clone(), &namespace);
    let mut revisions = history::list(&revisions_api, &selector, &uid).await?;
    let template = serde_json::to_value(&spec.template).unwrap_or(Value::Null);
    let data = history::template_patch(&template);
    let collision_count = set.status.as_ref().and_then(|s| s.collision_count);
    let owner = Owner {
        api_version: "apps/v1",
        kind: "StatefulSet",
        name: &name,
        namespace: &namespace,
        uid: &uid,
        annotations: set.metadata.annotations.as_ref(),
        template_labels: spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
    };
    let update = match history::current(&revisions_api, &owner, &data, collision_count, &mut revisions).await {
        Ok(update) => update,
        Err(history::Error::Collision(_)) => {
            let count = collision_count.unwrap_or(0).saturating_add(1);
            let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &namespace);
            let patch = json!({"status": {"collisionCount": count}});
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)).await?;
            return Ok(Action::requeue(Duration::from_millis(100)));
        }
        Err(err) => return Err(err.into()),
    };
    let update_name = update.name_any();
    let status_current = set.status.as_ref().and_then(|s| s.current_revision.clone()).unwrap_or_default();
    let current = revisions.iter().find(|r| r.name_any() == status_current).cloned().unwrap_or(update.clone());
    let current_name = current.name_any();
    let current_template: PodTemplateSpec = history::template_of(&current)
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_else(|| spec.template.clone());

    let pods: BTreeMap<i32, Arc<CachedPod>> = ctx
        .pods
        .state()
        .into_iter()
        .filter(|p| p.namespace().as_deref() == Some(namespace.as_str()))
        .filter(|p| controller_ref(p).is_some_and(|r| r.uid == uid))
        .filter_map(|p| Some((ordinal(&set, &p)?, p)))
        .collect();
    let settings = settings(&set, &update_name)?;
    let now = Utc::now();

    let exists = |uid: &str| pods.values().any(|p| p.uid().as_deref() == Some(uid));
    let satisfied = ctx.expectations.satisfied(&key, exists);
    let mut manage_error = None;
    if satisfied {
        let work = plan::plan(&pods, &settings, now);
        let worker = Creator {
            api: Api::namespaced(ctx.client.clone(), &namespace),
            recorder: &ctx.recorder,
            target: event_target(&set),
            expectations: &ctx.expectations,
            key: &key,
        };
        if !work.create.is_empty() {
            let mut new = Vec::new();
            for (ordinal, updated) in &work.create {
                create_claims(&set, &ctx, *ordinal).await?;
                let (template, revision) =
                    if *updated { (&spec.template, &update_name) } else { (&current_template, &current_name) };
                new.push(identity::new_pod(&set, template, *ordinal, revision));
            }
            manage_error = worker.create(&new).await.err().map(Error::Create);
        }
        if !work.delete.is_empty() {
            manage_error = worker.delete(&work.delete).await.err().map(Error::Delete).or(manage_error);
        }
        if claims_deleted(&set).1 {
            for ordinal in &work.condemned {
                delete_claims(&set, &ctx, *ordinal).await?;
            }
        }
    }

    let mut in_use: HashSet<String> = pods.values().filter_map(|p| revision(p).map(str::to_string)).collect();
    in_use.insert(update_name.clone());
    in_use.insert(current_name.clone());
    // Revisions are known here by name; the truncation compares hashes.
    let in_use: HashSet<String> =
        revisions.iter().filter(|r| in_use.contains(&r.name_any())).map(history::hash_of).collect();
    history::truncate(&revisions_api, &revisions, &in_use, spec.revision_history_limit.unwrap_or(10)).await?;

    let (status, wait) = status(&set, &pods, &settings, (&current_name, &update_name), now, satisfied);
    update_status(&set, &ctx, status).await?;
    if let Some(err) = manage_error {
        return Err(err);
    }
    let mut next = wait.map_or(RESYNC, |w| w.min(RESYNC));
    if !satisfied {
        next = next.min(Duration::from_secs(5));
    }
    Ok(Action::requeue(next))
}

/// Creates the ordinal's claims that do not exist yet (binding them is the volume
/// provisioner's business, not this controller's).
async fn create_claims(set: &StatefulSet, ctx: &Context, ordinal: i32) -> Result<(), Error> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &set.namespace().unwrap_or_default());
    for claim in claims(set, ordinal) {
        match api.create(&PostParams::default(), &claim).await {
            Ok(_) => {
                let message = format!(
                    "create Claim {} Pod {} in StatefulSet {} success",
                    claim.name_any(),
                    identity::pod_name(set, ordinal),
                    set.name_any()
                );
                ctx.recorder.normal(&event_target(set), "SuccessfulCreate", &message);
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(err) => return Err(Error::Create(err)),
        }
    }
    Ok(())
}

async fn delete_claims(set: &StatefulSet, ctx: &Context, ordinal: i32) -> Result<(), Error> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &set.namespace().unwrap_or_default());
    for claim in claims(set, ordinal) {
        match api.delete(&claim.name_any(), &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(Error::Delete(err)),
        }
    }
    Ok(())
}

/// Upstream's status: counts of created, ready, available, current and updated pods, the
/// revisions, and the current revision moving on once a rolling update is complete.
fn status(
    set: &StatefulSet,
    pods: &BTreeMap<i32, Arc<CachedPod>>,
    settings: &Settings,
    (current, update): (&str, &str),
    now: chrono::DateTime<Utc>,
    synced: bool,
) -> (Value, Option<Duration>) {
    let (mut replicas, mut ready, mut available, mut current_count, mut updated) = (0, 0, 0, 0, 0);
    let mut wait: Option<Duration> = None;
    for pod in pods.values() {
        replicas += 1;
        if is_ready(pod) && !pod.metadata.deletion_timestamp.is_some() {
            ready += 1;
            if healthy(pod, settings.min_ready, now) {
                available += 1;
            } else if let Err(Some(left)) = availability(pod, settings.min_ready, now) {
                let left = left.to_std().unwrap_or_default() + Duration::from_millis(100);
                wait = Some(wait.map_or(left, |w| w.min(left)));
            }
        }
        if revision(pod) == Some(current) {
            current_count += 1;
        }
        if revision(pod) == Some(update) {
            updated += 1;
        }
    }
    let (mut current, mut current_count) = (current.to_string(), current_count);
    if settings.rolling && updated == replicas && ready == replicas {
        current = update.to_string();
        current_count = updated;
    }
    let observed = if synced {
        set.metadata.generation.unwrap_or(0)
    } else {
        set.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0)
    };
    let mut status = json!({
        "replicas": replicas,
        "readyReplicas": ready,
        "currentReplicas": current_count,
        "updatedReplicas": updated,
        "availableReplicas": available,
        "currentRevision": current,
        "updateRevision": update,
        "observedGeneration": observed,
        "collisionCount": set.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0),
    });
    // Go leaves zero counts out (replicas and collisionCount are always written).
    if let Some(map) = status.as_object_mut() {
        map.retain(|k, v| v.as_i64() != Some(0) || k == "replicas" || k == "collisionCount");
    }
    (status, wait)
}

async fn update_status(set: &StatefulSet, ctx: &Context, wanted: Value) -> Result<(), Error> {
    let current = set.status.as_ref().and_then(|s| serde_json::to_value(s).ok()).unwrap_or_else(|| json!({}));
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &set.namespace().unwrap_or_default());
    Ok(crate::controllers::status_patch::write(&api, &set.name_any(), current, wanted).await?)
}
