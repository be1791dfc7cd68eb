//! The sync entry and the machinery every strategy shares, after upstream's `sync.go` and
//! the dispatch in `deployment_controller.go`: finding/adopting ReplicaSets, creating the new
//! one, revisions, proportional scaling, cleanup of old ReplicaSets and status.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::{Api, ResourceExt};
use serde_json::json;

use super::util::{self, *};
use super::{Context, Error};
use crate::machinery::labels::Selector;
use crate::machinery::record::reference_to;

/// One reconcile of one deployment. `d` is kept current: every write replaces it with what the
/// apiserver answered, so later writes in the same sync carry the right resourceVersion.
pub struct DeploymentSync<'a> {
    pub ctx: &'a Context,
    pub d: Deployment,
    pub deployments: Api<Deployment>,
    pub replica_sets: Api<ReplicaSet>,
    pub pods: Api<Pod>,
    /// When to look again (the progress deadline), if sooner than the resync.
    pub requeue: Option<Duration>,
}

impl<'a> DeploymentSync<'a> {
    pub fn new(ctx: &'a Context, d: Deployment, namespace: &str) -> Self {
        DeploymentSync {
            ctx,
            d,
            deployments: Api::namespaced(ctx.client.clone(), namespace),
            replica_sets: Api::namespaced(ctx.client.clone(), namespace),
            pods: Api::namespaced(ctx.client.clone(), namespace),
            requeue: None,
        }
    }

    fn selector(&self) -> LabelSelector {
        self.d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default()
    }

    /// `LabelSelectorAsSelector` of the deployment's selector (a missing spec selects everything).
    pub(super) fn matcher(&self) -> Result<Selector, Error> {
        Selector::from_label_selector(Some(&self.selector())).map_err(Error::Selector)
    }

    /// Upstream's `syncDeployment`: deleting → status only; paused → scale only; a scaling
    /// event → proportional scaling; otherwise roll out by strategy.
    pub async fn sync_deployment(&mut self) -> Result<(), Error> {
        if self.matcher()?.is_empty() {
            self.event_warning(
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            );
            if self.d.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0) < generation(&self.d) {
                let mut status = self.d.status.clone().unwrap_or_default();
                status.observed_generation = Some(generation(&self.d));
                self.update_status(status).await?;
            }
            return Ok(());
        }
        let mut rs_list = self.replica_sets_for_deployment().await?;
        if self.d.metadata.deletion_timestamp.is_some() {
            let (new_rs, old) = self.all_replica_sets_and_sync_revision(&mut rs_list, false).await?;
            let all = with_new(&old, new_rs.as_ref());
            return self.sync_deployment_status(&all, new_rs.as_ref()).await;
        }
        self.check_paused_conditions().await?;
        if paused(&self.d) {
            return self.sync(&mut rs_list).await;
        }
        if self.rollback_to().is_some() {
            return self.rollback(&mut rs_list).await;
        }
        if self.is_scaling_event(&mut rs_list).await? {
            return self.sync(&mut rs_list).await;
        }
        if is_recreate(&self.d) {
            self.rollout_recreate(&mut rs_list).await
        } else {
            self.rollout_rolling(&mut rs_list).await
        }
    }

    /// ReplicaSets this deployment controls, adopting orphans its selector matches (upstream's
    /// ControllerRefManager; releasing no-longer-matching ones is left to the garbage collector).
    async fn replica_sets_for_deployment(&mut self) -> Result<Vec<ReplicaSet>, Error> {
        let selector = self.matcher()?;
        let uid = self.d.metadata.uid.clone().unwrap_or_default();
        let namespace = self.d.namespace();
        let _ = self.ctx.replica_sets.wait_until_ready().await;
        let cached = self.ctx.replica_sets.state();
        let mut owned = Vec::new();
        for rs in cached.iter().filter(|rs| rs.namespace() == namespace).map(|rs| ReplicaSet::clone(rs)) {
            if !selector.matches(&rs.metadata.labels.as_ref()) {
                continue;
            }
            match rs.owner_references().iter().find(|o| o.controller == Some(true)) {
                Some(owner) if owner.uid == uid => owned.push(rs),
                Some(_) => {}
                None if self.d.metadata.deletion_timestamp.is_none() && rs.metadata.deletion_timestamp.is_none() => {
                    let patch = json!({"metadata": {
                        "ownerReferences": [self.controller_ref()],
                        "uid": rs.metadata.uid,
                    }});
                    let adopted =
                        self.replica_sets.patch(&rs.name_any(), &PatchParams::default(), &Patch::Merge(patch)).await?;
                    owned.push(adopted);
                }
                None => {}
            }
        }
        Ok(owned)
    }

    fn controller_ref(&self) -> OwnerReference {
        OwnerReference {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: self.d.name_any(),
            uid: self.d.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    /// Upstream's `checkPausedConditions`: Progressing Unknown while paused (unless timed out).
    async fn check_paused_conditions(&mut self) -> Result<(), Error> {
        if !has_progress_deadline(&self.d) {
            return Ok(());
        }
        let cond = deployment_condition(&self.d, PROGRESSING);
        if cond.is_some_and(|c| c.reason.as_deref() == Some(TIMED_OUT_REASON)) {
            return Ok(());
        }
        let paused_cond_exists = cond.is_some_and(|c| c.reason.as_deref() == Some(PAUSED_DEPLOY_REASON));
        let now = self.now();
        let condition = if paused(&self.d) && !paused_cond_exists {
            new_condition(PROGRESSING, "Unknown", PAUSED_DEPLOY_REASON, "Deployment is paused".into(), now)
        } else if !paused(&self.d) && paused_cond_exists {
            new_condition(PROGRESSING, "Unknown", RESUMED_DEPLOY_REASON, "Deployment is resumed".into(), now)
        } else {
            return Ok(());
        };
        let mut status = self.d.status.clone().unwrap_or_default();
        set_condition(&mut status, condition);
        self.update_status(status).await
    }

    /// Upstream's `sync`: scaling only (paused deployments and scaling events), then status.
    pub async fn sync(&mut self, rs_list: &mut Vec<ReplicaSet>) -> Result<(), Error> {
        let (new_rs, mut old) = self.all_replica_sets_and_sync_revision(rs_list, false).await?;
        let new_rs = self.scale(new_rs, &mut old).await?;
        if paused(&self.d) && self.rollback_to().is_none() {
            self.cleanup_deployment(&old).await?;
        }
        let all = with_new(&old, new_rs.as_ref());
        self.sync_deployment_status(&all, new_rs.as_ref()).await
    }

    /// Upstream's `isScalingEvent`: an active ReplicaSet was sized for another replica count.
    async fn is_scaling_event(&mut self, rs_list: &mut Vec<ReplicaSet>) -> Result<bool, Error> {
        let (new_rs, old) = self.all_replica_sets_and_sync_revision(rs_list, false).await?;
        let want = replicas(&self.d);
        Ok(filter_active(&with_new(&old, new_rs.as_ref()))
            .iter()
            .any(|rs| desired_replicas_annotation(rs).is_some_and(|desired| desired != want)))
    }

    /// The new ReplicaSet (created if asked and missing) and all the others.
    pub async fn all_replica_sets_and_sync_revision(
        &mut self,
        rs_list: &mut Vec<ReplicaSet>,
        create_if_missing: bool,
    ) -> Result<(Option<ReplicaSet>, Vec<ReplicaSet>), Error> {
        let existing = find_new_replica_set(&self.d, rs_list);
        let old = find_old_replica_sets(rs_list, existing.as_ref());
        let new_rs = self.new_replica_set(existing, &old, create_if_missing).await?;
        // Later steps of this sync start from the list again: keep it current.
        if let Some(rs) = &new_rs {
            match rs_list.iter_mut().find(|known| known.metadata.uid == rs.metadata.uid) {
                Some(known) => *known = rs.clone(),
                None => rs_list.push(rs.clone()),
            }
        }
        Ok((new_rs, old))
    }

    /// Upstream's `getNewReplicaSet`: brings an existing new RS's revision and annotations up
    /// to date (this is where a rollback renumbers an old RS), or creates it.
    async fn new_replica_set(
        &mut self,
        existing: Option<ReplicaSet>,
        old: &[ReplicaSet],
        create_if_missing: bool,
    ) -> Result<Option<ReplicaSet>, Error> {
        let new_revision = max_revision(old) + 1;
        let surge = max_surge(&self.d)?;
        if let Some(existing) = existing {
            let mut rs = existing.clone();
            let annotations_updated = set_new_replica_set_annotations(&self.d, &mut rs, new_revision, true, surge);
            let min_ready = min_ready_seconds(&self.d);
            let min_ready_needs_update =
                rs.spec.as_ref().and_then(|s| s.min_ready_seconds).filter(|s| *s != 0) != min_ready;
            if annotations_updated || min_ready_needs_update {
                rs.spec.get_or_insert_with(Default::default).min_ready_seconds = min_ready;
                let updated = self.replica_sets.replace(&rs.name_any(), &PostParams::default(), &rs).await?;
                return Ok(Some(updated));
            }
            let revision = annotation(&rs, REVISION_ANNOTATION).unwrap_or_default().to_string();
            self.set_deployment_revision(&revision).await?;
            if has_progress_deadline(&self.d) && deployment_condition(&self.d, PROGRESSING).is_none() {
                let message = format!("Found new replica set {:?}", rs.name_any());
                let mut status = self.d.status.clone().unwrap_or_default();
                set_condition(
                    &mut status,
                    new_condition(PROGRESSING, "True", FOUND_NEW_RS_REASON, message, self.now()),
                );
                self.update_status(status).await?;
            }
            return Ok(Some(rs));
        }
        if !create_if_missing {
            return Ok(None);
        }
        let created = self.create_new_replica_set(old, new_revision, surge).await?;
        Ok(Some(created))
    }

    async fn create_new_replica_set(
        &mut self,
        old: &[ReplicaSet],
        new_revision: i64,
        surge: i32,
    ) -> Result<ReplicaSet, Error> {
        let collision_count = self.d.status.as_ref().and_then(|s| s.collision_count);
        let mut template = util::template(&self.d);
        let hash = compute_hash(&template, collision_count);
        let template_meta = template.metadata.get_or_insert_with(Default::default);
        template_meta.labels.get_or_insert_with(Default::default).insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
        let labels = template_meta.labels.clone();
        let mut selector = self.selector();
        selector.match_labels.get_or_insert_with(Default::default).insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
        let name = format!("{}-{hash}", self.d.name_any());
        let mut new_rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: self.d.namespace(),
                owner_references: Some(vec![self.controller_ref()]),
                labels,
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: min_ready_seconds(&self.d),
                selector,
                template: Some(template),
            }),
            status: None,
        };
        let mut all = old.to_vec();
        all.push(new_rs.clone());
        let new_replicas = new_rs_new_replicas(&self.d, &all, &new_rs)?;
        set_rs_replicas(&mut new_rs, new_replicas);
        set_new_replica_set_annotations(&self.d, &mut new_rs, new_revision, false, surge);

        let (created, already_existed) = match self.replica_sets.create(&PostParams::default(), &new_rs).await {
            Ok(created) => (created, false),
            Err(kube::Error::Api(status)) if status.code == 409 => {
                let rs = self.replica_sets.get(&name).await?;
                let ours = rs
                    .owner_references()
                    .iter()
                    .any(|o| o.controller == Some(true) && Some(&o.uid) == self.d.metadata.uid.as_ref());
                if !ours || !equal_ignore_hash(&util::template(&self.d), &rs_template(&rs)) {
                    // A different template hashed to this name: bump the collision count so the
                    // next attempt hashes differently.
                    let mut status = self.d.status.clone().unwrap_or_default();
                    status.collision_count = Some(collision_count.unwrap_or(0) + 1);
                    self.update_status(status).await?;
                    return Err(Error::HashCollision(name));
                }
                (rs, true)
            }
            Err(err) => {
                let message = format!("Failed to create new replica set {name:?}: {err}");
                if has_progress_deadline(&self.d) {
                    let mut status = self.d.status.clone().unwrap_or_default();
                    let cond =
                        new_condition(PROGRESSING, "False", FAILED_RS_CREATE_REASON, message.clone(), self.now());
                    set_condition(&mut status, cond);
                    self.update_status(status).await?;
                }
                self.event_warning(FAILED_RS_CREATE_REASON, &message);
                return Err(err.into());
            }
        };
        if !already_existed && new_replicas > 0 {
            let message = format!("Scaled up replica set {} from 0 to {new_replicas}", created.name_any());
            self.event_normal("ScalingReplicaSet", &message);
        }
        self.set_deployment_revision(&new_revision.to_string()).await?;
        if !already_existed && has_progress_deadline(&self.d) {
            let message = format!("Created new replica set {:?}", created.name_any());
            let mut status = self.d.status.clone().unwrap_or_default();
            set_condition(&mut status, new_condition(PROGRESSING, "True", NEW_RS_REASON, message, self.now()));
            self.update_status(status).await?;
        }
        Ok(created)
    }

    /// The deployment carries its current revision as an annotation, as upstream's does.
    async fn set_deployment_revision(&mut self, revision: &str) -> Result<(), Error> {
        let current = self.d.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION));
        if revision.is_empty() || current.map(String::as_str) == Some(revision) {
            return Ok(());
        }
        let patch = json!({"metadata": {"annotations": {REVISION_ANNOTATION: revision}}});
        self.d = self.deployments.patch(&self.d.name_any(), &PatchParams::default(), &Patch::Merge(patch)).await?;
        Ok(())
    }

    /// Upstream's `scale`: one active RS takes the whole count; a saturated new RS lets the old
    /// ones go to zero; otherwise (mid-rollout) the change is spread proportionally.
    pub async fn scale(
        &mut self,
        mut new_rs: Option<ReplicaSet>,
        old: &mut [ReplicaSet],
    ) -> Result<Option<ReplicaSet>, Error> {
        let want = replicas(&self.d);
        if let Some(target) = find_active_or_latest(new_rs.as_ref(), old) {
            if rs_replicas(&target) != want {
                let scaled = self.scale_replica_set_and_record_event(&target, want).await?;
                replace_in(&mut new_rs, old, scaled);
            }
            return Ok(new_rs);
        }
        if is_saturated(&self.d, new_rs.as_ref()) {
            for rs in old.iter_mut() {
                if rs_replicas(rs) > 0 {
                    *rs = self.scale_replica_set_and_record_event(&rs.clone(), 0).await?;
                }
            }
            return Ok(new_rs);
        }
        if !is_rolling_update(&self.d) {
            return Ok(new_rs);
        }
        let mut all = filter_active(&with_new(old, new_rs.as_ref()));
        let all_replicas = replica_count(&all);
        let surge = max_surge(&self.d)?;
        let allowed = if want > 0 { want + surge } else { 0 };
        let to_add = allowed - all_replicas;
        let operation = if to_add > 0 {
            // Largest first, newer first among equals.
            all.sort_by(|a, b| rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| creation(b).cmp(&creation(a))));
            "up"
        } else {
            // Largest first, older first among equals.
            all.sort_by(|a, b| rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| creation(a).cmp(&creation(b))));
            "down"
        };
        let mut added = 0;
        let mut sizes: BTreeMap<String, i32> = BTreeMap::new();
        for rs in &all {
            let proportion = if to_add != 0 { proportion(rs, &self.d, to_add, added, surge) } else { 0 };
            sizes.insert(rs.name_any(), rs_replicas(rs) + proportion);
            added += proportion;
        }
        for (i, rs) in all.iter().enumerate() {
            let mut size = sizes.get(&rs.name_any()).copied().unwrap_or(0);
            // Leftovers go to the largest ReplicaSet.
            if i == 0 && to_add != 0 {
                size = (size + to_add - added).max(0);
            }
            if let Some(scaled) = self.scale_replica_set(rs, size, operation).await? {
                replace_in(&mut new_rs, old, scaled);
            }
        }
        Ok(new_rs)
    }

    /// Scales when the size differs; records `ScalingReplicaSet`. Returns the RS as it is now.
    pub async fn scale_replica_set_and_record_event(
        &mut self,
        rs: &ReplicaSet,
        size: i32,
    ) -> Result<ReplicaSet, Error> {
        if rs_replicas(rs) == size {
            return Ok(rs.clone());
        }
        let operation = if rs_replicas(rs) < size { "up" } else { "down" };
        Ok(self.scale_replica_set(rs, size, operation).await?.unwrap_or_else(|| rs.clone()))
    }

    /// Writes the size and the replicas annotations when either changed; Some(updated) then.
    async fn scale_replica_set(
        &mut self,
        rs: &ReplicaSet,
        size: i32,
        operation: &str,
    ) -> Result<Option<ReplicaSet>, Error> {
        let want = replicas(&self.d);
        let max = want + max_surge(&self.d)?;
        let size_changed = rs_replicas(rs) != size;
        if !size_changed && !replicas_annotations_need_update(rs, want, max) {
            return Ok(None);
        }
        let old_size = rs_replicas(rs);
        let mut copy = rs.clone();
        set_rs_replicas(&mut copy, size);
        set_replicas_annotations(&mut copy, want, max);
        let updated = self.replica_sets.replace(&rs.name_any(), &PostParams::default(), &copy).await?;
        if size_changed {
            let message = format!("Scaled {operation} replica set {} from {old_size} to {size}", rs.name_any());
            self.event_normal("ScalingReplicaSet", &message);
        }
        Ok(Some(updated))
    }

    /// Upstream's `cleanupDeployment`: deletes the oldest old ReplicaSets beyond
    /// `revisionHistoryLimit`, never one that still has (or may have) pods.
    pub async fn cleanup_deployment(&mut self, old: &[ReplicaSet]) -> Result<(), Error> {
        let Some(limit) = revision_history_limit(&self.d) else { return Ok(()) };
        let mut cleanable: Vec<ReplicaSet> =
            old.iter().filter(|rs| rs.metadata.deletion_timestamp.is_none()).cloned().collect();
        let diff = cleanable.len() as i64 - i64::from(limit);
        if diff <= 0 {
            return Ok(());
        }
        sort_by_revision(&mut cleanable);
        for rs in cleanable.iter().take(diff as usize) {
            let status = rs.status.clone().unwrap_or_default();
            let observed = status.observed_generation.unwrap_or(0);
            if status.replicas != 0 || rs_replicas(rs) != 0 || rs.metadata.generation.unwrap_or(0) > observed {
                continue;
            }
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: rs.metadata.uid.clone(),
                    resource_version: rs.metadata.resource_version.clone(),
                }),
                ..Default::default()
            };
            match self.replica_sets.delete(&rs.name_any(), &params).await {
                Ok(_) => {}
                // Gone already, or changed since we looked: the next sync sees it afresh.
                Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Writes the computed status when it differs (upstream's `syncDeploymentStatus`).
    pub async fn sync_deployment_status(
        &mut self,
        all: &[ReplicaSet],
        new_rs: Option<&ReplicaSet>,
    ) -> Result<(), Error> {
        let status = self.calculate_status(all, new_rs)?;
        self.update_status(status).await
    }

    /// Upstream's `calculateStatus`: counts from the ReplicaSets and the Available condition.
    pub fn calculate_status(&self, all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Result<DeploymentStatus, Error> {
        let available = available_replica_count(all);
        let total = replica_count(all);
        let previous = self.d.status.clone().unwrap_or_default();
        let mut status = DeploymentStatus {
            observed_generation: Some(generation(&self.d)),
            replicas: Some(actual_replica_count(all)),
            updated_replicas: Some(new_rs.map(|rs| actual_replica_count(std::slice::from_ref(rs))).unwrap_or(0)),
            ready_replicas: Some(ready_replica_count(all)),
            available_replicas: Some(available),
            unavailable_replicas: Some((total - available).max(0)),
            collision_count: previous.collision_count,
            conditions: previous.conditions.clone(),
        };
        let now = self.now();
        if available >= replicas(&self.d) - max_unavailable(&self.d)? {
            let message = "Deployment has minimum availability.".to_string();
            set_condition(&mut status, new_condition(AVAILABLE, "True", MIN_REPLICAS_AVAILABLE, message, now));
        } else {
            let message = "Deployment does not have minimum availability.".to_string();
            set_condition(&mut status, new_condition(AVAILABLE, "False", MIN_REPLICAS_UNAVAILABLE, message, now));
        }
        Ok(status)
    }

    /// Replaces the status through the status subresource, only when it changed.
    pub async fn update_status(&mut self, status: DeploymentStatus) -> Result<(), Error> {
        if same_status(self.d.status.as_ref(), &status) {
            return Ok(());
        }
        let mut copy = self.d.clone();
        copy.status = Some(status);
        let body = serde_json::to_vec(&copy).map_err(Error::Encode)?;
        self.d = self.deployments.replace_status(&self.d.name_any(), &PostParams::default(), body).await?;
        Ok(())
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        truncate_to_seconds(self.ctx.clock.now())
    }

    fn reference(&self) -> k8s_openapi::api::core::v1::ObjectReference {
        reference_to(
            "apps/v1",
            "Deployment",
            self.d.metadata.namespace.as_deref(),
            &self.d.name_any(),
            self.d.metadata.uid.as_deref(),
        )
    }

    pub fn event_normal(&self, reason: &str, message: &str) {
        self.ctx.recorder.normal(&self.reference(), reason, message)
    }

    pub fn event_warning(&self, reason: &str, message: &str) {
        self.ctx.recorder.warning(&self.reference(), reason, message)
    }
}

/// Status equality as upstream's DeepEqual, treating absent and zero counts alike (the
/// apiserver may drop zeros on the way back).
fn same_status(current: Option<&DeploymentStatus>, next: &DeploymentStatus) -> bool {
    let normalize = |s: &DeploymentStatus| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(map) = v.as_object_mut() {
            map.retain(|_, v| !(v.is_null() || *v == json!(0) || *v == json!([])));
        }
        v
    };
    normalize(&current.cloned().unwrap_or_default()) == normalize(next)
}

/// Old ReplicaSets followed by the new one, if any.
pub fn with_new(old: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Vec<ReplicaSet> {
    let mut all = old.to_vec();
    all.extend(new_rs.cloned());
    all
}

/// Puts an updated ReplicaSet back where it came from (the new one or one of the old).
pub fn replace_in(new_rs: &mut Option<ReplicaSet>, old: &mut [ReplicaSet], updated: ReplicaSet) {
    let uid = updated.metadata.uid.clone();
    if new_rs.as_ref().is_some_and(|rs| rs.metadata.uid == uid) {
        *new_rs = Some(updated);
    } else if let Some(slot) = old.iter_mut().find(|rs| rs.metadata.uid == uid) {
        *slot = updated;
    }
}

/// Upstream's `GetProportion`: this RS's share of a scaling change, bounded by what is left.
fn proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32, surge: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(rs, d, surge);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// Upstream's `getReplicaSetFraction`: the RS's size scaled from the deployment size it was
/// made for (its max-replicas annotation) to the new one.
fn replica_set_fraction(rs: &ReplicaSet, d: &Deployment, surge: i32) -> i32 {
    if replicas(d) == 0 {
        return -rs_replicas(rs);
    }
    let deployment_replicas = replicas(d) + surge;
    let annotated =
        max_replicas_annotation(rs).unwrap_or_else(|| d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0));
    if annotated == 0 {
        return 0;
    }
    let size = f64::from(rs_replicas(rs)) * f64::from(deployment_replicas) / f64::from(annotated);
    size.round() as i32 - rs_replicas(rs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentSpec;

    fn rs_sized(replicas: i32, max_annotation: i32) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                annotations: Some([(MAX_REPLICAS_ANNOTATION.to_string(), max_annotation.to_string())].into()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec { replicas: Some(replicas), ..Default::default() }),
            status: None,
        }
    }

    fn deployment(replicas: i32) -> Deployment {
        Deployment {
            spec: Some(DeploymentSpec { replicas: Some(replicas), ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn proportions_follow_the_max_replicas_annotation() {
        // 10 → 20 replicas (surge 0): an RS with 5 of 10 gets 5 more.
        let rs = rs_sized(5, 10);
        assert_eq!(replica_set_fraction(&rs, &deployment(20), 0), 5);
        assert_eq!(proportion(&rs, &deployment(20), 10, 0, 0), 5);
        // Bounded by what is left to add.
        assert_eq!(proportion(&rs, &deployment(20), 10, 8, 0), 2);
        // Scaling to zero takes everything.
        assert_eq!(replica_set_fraction(&rs, &deployment(0), 0), -5);
    }

    #[test]
    fn status_comparison_ignores_absent_zeros() {
        let a = DeploymentStatus { replicas: Some(0), ..Default::default() };
        assert!(same_status(None, &a));
        let b = DeploymentStatus { replicas: Some(1), ..Default::default() };
        assert!(!same_status(Some(&a), &b));
    }
}
