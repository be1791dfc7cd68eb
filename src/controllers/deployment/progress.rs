//! Progress reporting, after upstream's `progress.go`: the Progressing condition and the
//! progress deadline (`ProgressDeadlineExceeded`, which makes `kubectl rollout status` fail).

use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use kube::ResourceExt;

use super::sync::DeploymentSync;
use super::util::*;
use super::Error;

impl DeploymentSync<'_> {
    /// Upstream's `syncRolloutStatus`: status plus Progressing and ReplicaFailure conditions.
    pub async fn sync_rollout_status(&mut self, all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Result<(), Error> {
        let mut status = self.calculate_status(all, new_rs)?;
        let now = self.now();
        let rs_name = new_rs.map(|rs| rs.name_any());
        progress_conditions(&self.d, &mut status, rs_name.as_deref(), now);
        match replica_failure(all, new_rs) {
            Some(condition) => set_condition(&mut status, condition),
            None => remove_condition(&mut status, REPLICA_FAILURE),
        }
        self.requeue = requeue_stuck_deployment(&self.d, &status, self.ctx.clock.now());
        self.update_status(status).await
    }
}

/// The Progressing condition for the freshly computed `status` (pure, for tests).
pub fn progress_conditions(d: &Deployment, status: &mut DeploymentStatus, new_rs: Option<&str>, now: DateTime<Utc>) {
    let Some(_) = progress_deadline(d) else {
        remove_condition(status, PROGRESSING);
        return;
    };
    let current = deployment_condition(d, PROGRESSING).cloned();
    let complete_before = status.replicas == status.updated_replicas
        && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(NEW_RS_AVAILABLE_REASON));
    if complete_before {
        return;
    }
    let rs_name = new_rs.unwrap_or_default();
    if deployment_complete(d, status) {
        let message = format!("ReplicaSet {rs_name:?} has successfully progressed.");
        set_condition(status, new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, message, now));
    } else if deployment_progressing(d, status) {
        let message = match new_rs {
            Some(name) => format!("ReplicaSet {name:?} is progressing."),
            None => format!("Deployment {:?} is progressing.", d.name_any()),
        };
        let mut condition = new_condition(PROGRESSING, "True", RS_UPDATED_REASON, message, now);
        // Progress refreshes lastUpdateTime even when the reason stays the same.
        if let Some(current) = current.filter(|c| c.status == "True") {
            condition.last_transition_time = current.last_transition_time;
        }
        remove_condition(status, PROGRESSING);
        set_condition(status, condition);
    } else if timed_out(d, status, now) {
        let message = format!("ReplicaSet {rs_name:?} has timed out progressing.");
        set_condition(status, new_condition(PROGRESSING, "False", TIMED_OUT_REASON, message, now));
    }
}

/// Upstream's `DeploymentTimedOut`: no progress since the condition's lastUpdateTime for
/// longer than the deadline.
pub fn timed_out(d: &Deployment, status: &DeploymentStatus, now: DateTime<Utc>) -> bool {
    let Some(deadline) = progress_deadline(d) else { return false };
    let Some(condition) = get_condition(status, PROGRESSING) else { return false };
    match condition.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => false,
        Some(TIMED_OUT_REASON) => true,
        _ => match &condition.last_update_time {
            Some(from) => from.0 + chrono::Duration::seconds(i64::from(deadline)) < now,
            None => false,
        },
    }
}

/// Upstream's `requeueStuckDeployment`: when to look again so a stuck rollout times out on
/// time rather than at the next resync.
pub fn requeue_stuck_deployment(d: &Deployment, status: &DeploymentStatus, now: DateTime<Utc>) -> Option<Duration> {
    let deadline = progress_deadline(d)?;
    let current = deployment_condition(d, PROGRESSING)?;
    if deployment_complete(d, status) || current.reason.as_deref() == Some(TIMED_OUT_REASON) {
        return None;
    }
    let from = current.last_update_time.as_ref()?.0;
    let after = (from + chrono::Duration::seconds(i64::from(deadline)) - now).to_std().unwrap_or_default();
    // Less than a second left: look again soon, not in a hot loop.
    Some(after.max(Duration::from_millis(500)) + Duration::from_millis(100))
}

/// The first ReplicaFailure of the new RS, else of an old one, as a deployment condition.
fn replica_failure(all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Option<DeploymentCondition> {
    let failure_of = |rs: &ReplicaSet| {
        rs.status.as_ref()?.conditions.iter().flatten().find(|c| c.type_ == REPLICA_FAILURE).map(|c| {
            DeploymentCondition {
                type_: REPLICA_FAILURE.to_string(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                last_update_time: c.last_transition_time.clone(),
                last_transition_time: c.last_transition_time.clone(),
            }
        })
    };
    new_rs.and_then(failure_of).or_else(|| all.iter().find_map(failure_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).unwrap()
    }

    /// A 3-replica deployment mid-rollout: 1 updated (not ready), 3 old available, with
    /// Progressing=True last updated at t=0 and a 5 s deadline.
    fn stalled() -> (Deployment, DeploymentStatus) {
        let status = DeploymentStatus {
            observed_generation: Some(2),
            replicas: Some(4),
            updated_replicas: Some(1),
            ready_replicas: Some(3),
            available_replicas: Some(3),
            conditions: Some(vec![new_condition(PROGRESSING, "True", RS_UPDATED_REASON, "x".into(), at(0))]),
            ..Default::default()
        };
        let d = Deployment {
            metadata: ObjectMeta { name: Some("web".into()), generation: Some(2), ..Default::default() },
            spec: Some(DeploymentSpec { replicas: Some(3), progress_deadline_seconds: Some(5), ..Default::default() }),
            status: Some(status.clone()),
        };
        (d, status)
    }

    #[test]
    fn no_progress_within_the_deadline_keeps_progressing_true() {
        let (d, mut status) = stalled();
        progress_conditions(&d, &mut status, Some("web-abc"), at(4));
        let cond = get_condition(&status, PROGRESSING).unwrap();
        assert_eq!((cond.status.as_str(), cond.reason.as_deref()), ("True", Some(RS_UPDATED_REASON)));
        assert_eq!(requeue_stuck_deployment(&d, &status, at(4)), Some(Duration::from_millis(1100)));
    }

    #[test]
    fn no_progress_past_the_deadline_times_out() {
        let (d, mut status) = stalled();
        progress_conditions(&d, &mut status, Some("web-abc"), at(6));
        let cond = get_condition(&status, PROGRESSING).unwrap();
        assert_eq!((cond.status.as_str(), cond.reason.as_deref()), ("False", Some(TIMED_OUT_REASON)));
        assert_eq!(cond.message.as_deref(), Some("ReplicaSet \"web-abc\" has timed out progressing."));
    }

    #[test]
    fn progress_refreshes_the_update_time() {
        let (d, mut status) = stalled();
        status.ready_replicas = Some(4);
        progress_conditions(&d, &mut status, Some("web-abc"), at(6));
        let cond = get_condition(&status, PROGRESSING).unwrap();
        assert_eq!(cond.status, "True");
        assert_eq!(cond.last_update_time.as_ref().unwrap().0, at(6));
        assert_eq!(cond.last_transition_time.as_ref().unwrap().0, at(0));
    }

    #[test]
    fn a_complete_rollout_reports_new_replica_set_available() {
        let (d, mut status) = stalled();
        status.replicas = Some(3);
        status.updated_replicas = Some(3);
        status.available_replicas = Some(3);
        progress_conditions(&d, &mut status, Some("web-abc"), at(60));
        let cond = get_condition(&status, PROGRESSING).unwrap();
        assert_eq!(cond.reason.as_deref(), Some(NEW_RS_AVAILABLE_REASON));
        assert_eq!(requeue_stuck_deployment(&d, &status, at(60)), None);
    }
}
