//! Recreate, after upstream's `recreate.go`: scale every old ReplicaSet to zero, wait until
//! none of their pods runs, then create/scale the new one.

use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::api::ListParams;

use super::sync::{with_new, DeploymentSync};
use super::util::*;
use super::Error;

impl DeploymentSync<'_> {
    pub async fn rollout_recreate(&mut self, rs_list: &mut Vec<ReplicaSet>) -> Result<(), Error> {
        let (mut new_rs, mut old) = self.all_replica_sets_and_sync_revision(rs_list, false).await?;
        let mut scaled_down = false;
        for rs in old.iter_mut() {
            if rs_replicas(rs) != 0 {
                *rs = self.scale_replica_set_and_record_event(&rs.clone(), 0).await?;
                scaled_down = true;
            }
        }
        if scaled_down || self.old_pods_running(new_rs.as_ref(), &old).await? {
            let all = with_new(&old, new_rs.as_ref());
            return self.sync_rollout_status(&all, new_rs.as_ref()).await;
        }
        if new_rs.is_none() {
            (new_rs, old) = self.all_replica_sets_and_sync_revision(rs_list, true).await?;
        }
        if let Some(rs) = new_rs.as_ref() {
            let want = replicas(&self.d);
            new_rs = Some(self.scale_replica_set_and_record_event(rs, want).await?);
        }
        let status = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &status) {
            self.cleanup_deployment(&old).await?;
        }
        let all = with_new(&old, new_rs.as_ref());
        self.sync_rollout_status(&all, new_rs.as_ref()).await
    }

    /// Whether old ReplicaSets still report pods, or any pod of the deployment not owned by
    /// the new RS is still (possibly) running.
    async fn old_pods_running(&mut self, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> Result<bool, Error> {
        if actual_replica_count(old) > 0 {
            return Ok(true);
        }
        let old_uids: Vec<&str> = old.iter().filter_map(|rs| rs.metadata.uid.as_deref()).collect();
        let new_uid = new_rs.and_then(|rs| rs.metadata.uid.as_deref());
        let selector = self.matcher()?;
        let params = ListParams::default().labels(&selector.to_string());
        for pod in self.pods.list(&params).await?.items {
            let owner = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
            let Some(owner) = owner else { continue };
            if Some(owner.uid.as_str()) == new_uid || !old_uids.contains(&owner.uid.as_str()) {
                continue;
            }
            let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
            if phase != "Failed" && phase != "Succeeded" {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
