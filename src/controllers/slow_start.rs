//! Creating many pods the way upstream's controllers do (`slowStartBatch`): batches of 1,
//! 2, 4 …, stopping after the first batch with a failure so a broken template does not
//! flood the apiserver. Each creation is announced in the expectations first, and one
//! that will never happen is marked observed, so the controller does not wait for it.

use std::sync::Arc;

use futures::future::join_all;
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use kube::ResourceExt;

use super::cached_pod::CachedPod;

use super::expectations::Expectations;
use crate::machinery::record::EventRecorder;

/// Where the pods go and who is told: the API, the event target, the expectations key.
pub struct Creator<'a> {
    pub api: Api<Pod>,
    pub recorder: &'a EventRecorder,
    pub target: ObjectReference,
    pub expectations: &'a Expectations,
    pub key: &'a str,
}

impl Creator<'_> {
    /// Creates `pods`, recording SuccessfulCreate / FailedCreate on the target; the first
    /// failure ends the work and is returned.
    pub async fn create(&self, pods: &[Pod]) -> Result<(), kube::Error> {
        let params = PostParams::default();
        self.expectations.expect_creations(self.key, pods.len());
        let mut remaining = pods.len();
        let mut batch = 1;
        while remaining > 0 {
            let size = batch.min(remaining);
            let start = pods.len() - remaining;
            let results = join_all(pods[start..start + size].iter().map(|pod| self.api.create(&params, pod))).await;
            remaining -= size;
            let mut failure = None;
            for result in results {
                match result {
                    Ok(created) => {
                        let message = format!("Created pod: {}", created.name_any());
                        self.recorder.normal(&self.target, "SuccessfulCreate", &message);
                    }
                    Err(err) => {
                        // This creation will never be observed.
                        self.expectations.creation_observed(self.key);
                        let message = format!("Error creating: {err}");
                        self.recorder.warning(&self.target, "FailedCreate", &message);
                        failure = Some(err);
                    }
                }
            }
            if let Some(err) = failure {
                for _ in 0..remaining {
                    self.expectations.creation_observed(self.key);
                }
                return Err(err);
            }
            batch *= 2;
        }
        Ok(())
    }

    /// Deletes `victims` (each only if it is still the pod of that uid), recording
    /// SuccessfulDelete / FailedDelete; a pod already gone or replaced is no failure.
    pub async fn delete(&self, victims: &[Arc<CachedPod>]) -> Result<(), kube::Error> {
        self.expectations.expect_deletions(self.key, victims.iter().filter_map(|p| p.uid()));
        let deletions = victims.iter().map(|pod| async move {
            let params = DeleteParams {
                preconditions: Some(Preconditions { uid: pod.uid(), resource_version: None }),
                ..Default::default()
            };
            (pod, self.api.delete(&pod.name_any(), &params).await)
        });
        let mut failure = None;
        for (pod, result) in join_all(deletions).await {
            match result {
                Ok(_) => {
                    let message = format!("Deleted pod: {}", pod.name_any());
                    self.recorder.normal(&self.target, "SuccessfulDelete", &message);
                }
                Err(err) => {
                    self.expectations.deletion_observed(&pod.uid().unwrap_or_default());
                    if !matches!(&err, kube::Error::Api(s) if matches!(s.code, 404 | 409)) {
                        self.recorder.warning(&self.target, "FailedDelete", &format!("Error deleting: {err}"));
                        failure = Some(err);
                    }
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }
}
