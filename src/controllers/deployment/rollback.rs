//! Server-side rollback, after upstream's `rollback.go`: the `deprecated.deployment.rollback.to`
//! annotation (what extensions/v1beta1's rollback subresource set) copies an old revision's pod
//! template back into the Deployment. kubectl 1.32's `rollout undo` patches the template itself
//! instead; both end in the same place: the old ReplicaSet matches again and is renumbered.

use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::api::PostParams;
use kube::ResourceExt;

use super::sync::{with_new, DeploymentSync};
use super::util::*;
use super::Error;

pub const ROLLBACK_TO_ANNOTATION: &str = "deprecated.deployment.rollback.to";
const ROLLBACK_REVISION_NOT_FOUND: &str = "DeploymentRollbackRevisionNotFound";
const ROLLBACK_TEMPLATE_UNCHANGED: &str = "DeploymentRollbackTemplateUnchanged";
const ROLLBACK_DONE: &str = "DeploymentRollback";

impl DeploymentSync<'_> {
    /// The revision asked for, if any (0: the one before the current).
    pub fn rollback_to(&self) -> Option<i64> {
        let value = self.d.metadata.annotations.as_ref()?.get(ROLLBACK_TO_ANNOTATION)?;
        // Unparsable: treated as "the previous revision", never as a reason to stall.
        Some(value.parse().unwrap_or(0))
    }

    pub async fn rollback(&mut self, rs_list: &mut Vec<ReplicaSet>) -> Result<(), Error> {
        let (new_rs, old) = self.all_replica_sets_and_sync_revision(rs_list, true).await?;
        let all = with_new(&old, new_rs.as_ref());
        let mut to_revision = self.rollback_to().unwrap_or(0);
        if to_revision == 0 {
            to_revision = last_revision(&all);
            if to_revision == 0 {
                self.event_warning(ROLLBACK_REVISION_NOT_FOUND, "Unable to find last revision.");
                return self.update_deployment_and_clear_rollback_to().await;
            }
        }
        let Some(target) = all.iter().find(|rs| revision(rs) == to_revision) else {
            self.event_warning(ROLLBACK_REVISION_NOT_FOUND, "Unable to find the revision to rollback to.");
            return self.update_deployment_and_clear_rollback_to().await;
        };
        let mut template = rs_template(target);
        if equal_ignore_hash(&template, &super::util::template(&self.d)) {
            let message = format!(
                "The rollback revision contains the same template as current deployment {:?}",
                self.d.name_any()
            );
            self.event_warning(ROLLBACK_TEMPLATE_UNCHANGED, &message);
            return self.update_deployment_and_clear_rollback_to().await;
        }
        if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            labels.remove(POD_TEMPLATE_HASH_LABEL);
        }
        if let Some(spec) = self.d.spec.as_mut() {
            spec.template = template;
        }
        // The deployment takes the revision's own annotations back (e.g. its change-cause).
        let annotations = self.d.metadata.annotations.get_or_insert_with(Default::default);
        for (key, value) in target.metadata.annotations.iter().flatten() {
            if !is_skipped_annotation(key) {
                annotations.insert(key.clone(), value.clone());
            }
        }
        self.update_deployment_and_clear_rollback_to().await?;
        let message = format!("Rolled back deployment {:?} to revision {to_revision}", self.d.name_any());
        self.event_normal(ROLLBACK_DONE, &message);
        Ok(())
    }

    async fn update_deployment_and_clear_rollback_to(&mut self) -> Result<(), Error> {
        if let Some(annotations) = self.d.metadata.annotations.as_mut() {
            annotations.remove(ROLLBACK_TO_ANNOTATION);
        }
        self.d = self.deployments.replace(&self.d.name_any(), &PostParams::default(), &self.d).await?;
        Ok(())
    }
}

/// Upstream's `LastRevision`: the second highest revision (the one before the current).
pub fn last_revision(rss: &[ReplicaSet]) -> i64 {
    let (mut max, mut second) = (0, 0);
    for rev in rss.iter().map(revision) {
        if rev >= max {
            second = max;
            max = rev;
        } else if rev > second {
            second = rev;
        }
    }
    second
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn rs(revision: &str) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                annotations: Some([(REVISION_ANNOTATION.to_string(), revision.to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn last_revision_is_the_one_before_the_current() {
        assert_eq!(last_revision(&[rs("1"), rs("3"), rs("2")]), 2);
        assert_eq!(last_revision(&[rs("4")]), 0);
        assert_eq!(last_revision(&[]), 0);
    }
}
