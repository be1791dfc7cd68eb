//! RollingUpdate, after upstream's `rolling.go`: grow the new ReplicaSet within maxSurge,
//! shrink old ones while at least `replicas - maxUnavailable` pods stay available.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::sync::{replace_in, with_new, DeploymentSync};
use super::util::*;
use super::Error;

impl DeploymentSync<'_> {
    pub async fn rollout_rolling(&mut self, rs_list: &mut Vec<ReplicaSet>) -> Result<(), Error> {
        let (new_rs, mut old) = self.all_replica_sets_and_sync_revision(rs_list, true).await?;
        let Some(mut new_rs) = new_rs else { return Ok(()) };
        let all = with_new(&old, Some(&new_rs));
        if let Some(scaled) = self.reconcile_new_replica_set(&all, &new_rs).await? {
            new_rs = scaled;
            let all = with_new(&old, Some(&new_rs));
            return self.sync_rollout_status(&all, Some(&new_rs)).await;
        }
        if self.reconcile_old_replica_sets(&mut old, &new_rs).await? {
            let all = with_new(&old, Some(&new_rs));
            return self.sync_rollout_status(&all, Some(&new_rs)).await;
        }
        let status = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &status) {
            self.cleanup_deployment(&old).await?;
        }
        let all = with_new(&old, Some(&new_rs));
        self.sync_rollout_status(&all, Some(&new_rs)).await
    }

    /// Scales the new RS towards the desired count within the surge; Some(updated) if it did.
    async fn reconcile_new_replica_set(
        &mut self,
        all: &[ReplicaSet],
        new_rs: &ReplicaSet,
    ) -> Result<Option<ReplicaSet>, Error> {
        let want = replicas(&self.d);
        let target = if rs_replicas(new_rs) == want {
            return Ok(None);
        } else if rs_replicas(new_rs) > want {
            want
        } else {
            new_rs_new_replicas(&self.d, all, new_rs)?
        };
        if target == rs_replicas(new_rs) {
            return Ok(None);
        }
        Ok(Some(self.scale_replica_set_and_record_event(new_rs, target).await?))
    }

    /// Upstream's `reconcileOldReplicaSets`: never below minAvailable counting the new RS's
    /// unavailable pods; unhealthy old replicas go first. True if anything was scaled down.
    async fn reconcile_old_replica_sets(&mut self, old: &mut [ReplicaSet], new_rs: &ReplicaSet) -> Result<bool, Error> {
        let active: Vec<ReplicaSet> = filter_active(old);
        let old_pods = replica_count(&active);
        if old_pods == 0 {
            return Ok(false);
        }
        let all_pods = replica_count(&with_new(&active, Some(new_rs)));
        let min_available = replicas(&self.d) - max_unavailable(&self.d)?;
        let new_unavailable = rs_replicas(new_rs) - available_replicas(new_rs);
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return Ok(false);
        }
        let mut active = active;
        let cleaned = self.cleanup_unhealthy_replicas(&mut active, max_scaled_down).await?;
        let scaled = self.scale_down_old_replica_sets_for_rolling_update(&mut active, new_rs).await?;
        let mut none = None;
        for rs in active {
            replace_in(&mut none, old, rs);
        }
        Ok(cleaned + scaled > 0)
    }

    /// Scales old ReplicaSets down by their unavailable replicas, oldest first.
    async fn cleanup_unhealthy_replicas(&mut self, old: &mut [ReplicaSet], max_cleanup: i32) -> Result<i32, Error> {
        sort_by_creation(old);
        let mut total = 0;
        for rs in old.iter_mut() {
            if total >= max_cleanup {
                break;
            }
            let size = rs_replicas(rs);
            let available = available_replicas(rs);
            if size == 0 || size <= available {
                continue;
            }
            let count = (max_cleanup - total).min(size - available);
            *rs = self.scale_replica_set_and_record_event(&rs.clone(), size - count).await?;
            total += count;
        }
        Ok(total)
    }

    /// Scales old ReplicaSets down, oldest first, as far as available pods above minAvailable allow.
    async fn scale_down_old_replica_sets_for_rolling_update(
        &mut self,
        old: &mut [ReplicaSet],
        new_rs: &ReplicaSet,
    ) -> Result<i32, Error> {
        let min_available = replicas(&self.d) - max_unavailable(&self.d)?;
        let available = available_replica_count(&with_new(old, Some(new_rs)));
        if available <= min_available {
            return Ok(0);
        }
        sort_by_creation(old);
        let wanted = available - min_available;
        let mut total = 0;
        for rs in old.iter_mut() {
            if total >= wanted {
                break;
            }
            let size = rs_replicas(rs);
            if size == 0 {
                continue;
            }
            let count = size.min(wanted - total);
            *rs = self.scale_replica_set_and_record_event(&rs.clone(), size - count).await?;
            total += count;
        }
        Ok(total)
    }
}
