//! `kctl rollout status`: watches a deployment, daemon set or stateful set and prints kubectl's progress line for
//! each change until the rollout is done, its deadline passed, or `--timeout` ran out.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use futures::StreamExt;
use serde_json::Value;

use crate::client::objects::{self, ObjectRef};
use crate::client::{ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// TYPE NAME | TYPE/NAME
    #[arg(add = crate::cli::complete::types(&["deployment", "daemonset", "statefulset"]))]
    pub args: Vec<String>,
    /// Watch the status of the rollout until it's done.
    #[arg(short = 'w', long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub watch: bool,
    /// Pin to a specific revision for showing its status. Defaults to 0 (last revision).
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
    /// The length of time to wait before ending watch, zero means never.
    #[arg(long, default_value = "0s", value_parser = crate::machinery::duration::parse_go)]
    pub timeout: chrono::TimeDelta,
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("deployment {0:?} exceeded its progress deadline")]
    DeadlineExceeded(String),
    #[error("timed out waiting for the condition")]
    TimedOut,
    #[error("object has been deleted")]
    Deleted,
    #[error("rollout status is only available for RollingUpdate strategy type")]
    NotRollingUpdate,
}

/// What a status viewer says of one object: the line to print, and whether it is done.
pub type Viewer = fn(&Value) -> Result<(String, bool), StatusError>;

fn count(status: &Value, field: &str) -> i64 {
    status[field].as_i64().unwrap_or(0)
}

fn rolling_update(object: &Value) -> Result<(), StatusError> {
    match object["spec"]["updateStrategy"]["type"].as_str() {
        Some("RollingUpdate") => Ok(()),
        _ => Err(StatusError::NotRollingUpdate),
    }
}

/// kubectl's DaemonSetStatusViewer.
pub fn daemon_set_status(ds: &Value) -> Result<(String, bool), StatusError> {
    rolling_update(ds)?;
    let name = ds["metadata"]["name"].as_str().unwrap_or_default();
    let status = &ds["status"];
    if ds["metadata"]["generation"].as_i64().unwrap_or(0) > count(status, "observedGeneration") {
        return Ok(("Waiting for daemon set spec update to be observed...\n".to_string(), false));
    }
    let (updated, desired, available) = (
        count(status, "updatedNumberScheduled"),
        count(status, "desiredNumberScheduled"),
        count(status, "numberAvailable"),
    );
    if updated < desired {
        let line = format!(
            "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated...\n"
        );
        return Ok((line, false));
    }
    if available < desired {
        let line =
            format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available...\n");
        return Ok((line, false));
    }
    Ok((format!("daemon set {name:?} successfully rolled out\n"), true))
}

/// kubectl's StatefulSetStatusViewer.
pub fn stateful_set_status(sts: &Value) -> Result<(String, bool), StatusError> {
    rolling_update(sts)?;
    let status = &sts["status"];
    let observed = count(status, "observedGeneration");
    if observed == 0 || sts["metadata"]["generation"].as_i64().unwrap_or(0) > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".to_string(), false));
    }
    let replicas = sts["spec"]["replicas"].as_i64();
    if let Some(replicas) = replicas {
        let ready = count(status, "readyReplicas");
        if ready < replicas {
            return Ok((format!("Waiting for {} pods to be ready...\n", replicas - ready), false));
        }
    }
    let updated = count(status, "updatedReplicas");
    let rolling = &sts["spec"]["updateStrategy"]["rollingUpdate"];
    if !rolling.is_null() {
        if let (Some(replicas), Some(partition)) = (replicas, rolling["partition"].as_i64()) {
            if updated < replicas - partition {
                let line = format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                    replicas - partition
                );
                return Ok((line, false));
            }
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
    }
    let (current, update) =
        (status["currentRevision"].as_str().unwrap_or_default(), status["updateRevision"].as_str().unwrap_or_default());
    if update != current {
        return Ok((
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update}...\n"),
            false,
        ));
    }
    let current_replicas = count(status, "currentReplicas");
    Ok((format!("statefulset rolling update complete {current_replicas} pods at revision {current}...\n"), true))
}

/// What a deployment's status says: the line to print, and whether the rollout is done.
pub fn deployment_status(d: &Value) -> Result<(String, bool), StatusError> {
    let name = d["metadata"]["name"].as_str().unwrap_or_default();
    let generation = d["metadata"]["generation"].as_i64().unwrap_or(0);
    let status = &d["status"];
    let observed = status["observedGeneration"].as_i64().unwrap_or(0);
    if generation > observed {
        return Ok(("Waiting for deployment spec update to be observed...\n".to_string(), false));
    }
    let progressing =
        status["conditions"].as_array().into_iter().flatten().find(|c| c["type"].as_str() == Some("Progressing"));
    if progressing.is_some_and(|c| c["reason"].as_str() == Some("ProgressDeadlineExceeded")) {
        return Err(StatusError::DeadlineExceeded(name.to_string()));
    }
    let count = |field: &str| status[field].as_i64().unwrap_or(0);
    let (updated, replicas, available) = (count("updatedReplicas"), count("replicas"), count("availableReplicas"));
    if let Some(wanted) = d["spec"]["replicas"].as_i64() {
        if updated < wanted {
            return Ok((
                format!(
                    "Waiting for deployment {name:?} rollout to finish: {updated} out of {wanted} new replicas have been updated...\n"
                ),
                false,
            ));
        }
    }
    if replicas > updated {
        let old = replicas - updated;
        return Ok((
            format!(
                "Waiting for deployment {name:?} rollout to finish: {old} old replicas are pending termination...\n"
            ),
            false,
        ));
    }
    if available < updated {
        return Ok((
            format!(
                "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"
            ),
            false,
        ));
    }
    Ok((format!("deployment {name:?} successfully rolled out\n"), true))
}

pub async fn run(flags: &ConnectionFlags, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let pairs = super::plan_targets(&args.args, "status")?;
    let timeout = args.timeout.to_std().ok().filter(|limit| !limit.is_zero());
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    for object in &objects {
        let viewer: Viewer = match super::workload(object, "status viewer")? {
            super::Workload::Deployment => deployment_status,
            super::Workload::DaemonSet => daemon_set_status,
            super::Workload::StatefulSet => stateful_set_status,
        };
        objects::get(&session, object).await?;
        let work = follow(&session, object, args.watch, viewer);
        match timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| StatusError::TimedOut)??,
            None => work.await?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists the one object, then watches it from the list's version, printing each status.
async fn follow(session: &Session, object: &ObjectRef, watch: bool, viewer: Viewer) -> anyhow::Result<()> {
    let collection = object.resource.collection_path(Some(&session.namespace));
    let field = format!("metadata.name={}", object.name);
    let list_query =
        objects::query(&[("fieldSelector", field.clone()), ("limit", "500".into()), ("resourceVersion", "0".into())]);
    let list = session.get_json(&format!("{collection}{list_query}"), "application/json").await?;
    let mut out = std::io::stdout();
    if let Some(current) = list["items"].as_array().and_then(|items| items.first()) {
        let (line, done) = viewer(current)?;
        out.write_all(line.as_bytes())?;
        out.flush()?;
        if done || !watch {
            return Ok(());
        }
    }
    let version = list["metadata"]["resourceVersion"].as_str().unwrap_or_default().to_string();
    let watch_query = objects::query(&[
        ("allowWatchBookmarks", "true".into()),
        ("fieldSelector", field),
        ("resourceVersion", version),
        // kubectl's reflector asks for a random 5-10 minute window; the loop re-watches.
        ("timeoutSeconds", "400".into()),
        ("watch", "true".into()),
    ]);
    let events = session.watch(&format!("{collection}{watch_query}"), "application/json").await?;
    futures::pin_mut!(events);
    while let Some(event) = events.next().await {
        let event = event?;
        match event["type"].as_str() {
            Some("ADDED") | Some("MODIFIED") => {
                let (line, done) = viewer(&event["object"])?;
                out.write_all(line.as_bytes())?;
                out.flush()?;
                if done || !watch {
                    return Ok(());
                }
            }
            Some("DELETED") => return Err(StatusError::Deleted.into()),
            Some("ERROR") => return Err(ClientError::from_response(0, event["object"].to_string().as_bytes()).into()),
            _ => {}
        }
    }
    // The server closed the watch: wait for the deadline the way a re-watch would.
    std::future::pending::<()>().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_update_waits_with_counts() {
        let d = json!({"metadata": {"name": "web", "generation": 1}, "spec": {"replicas": 3},
            "status": {"observedGeneration": 1, "updatedReplicas": 1, "replicas": 3}});
        let (line, done) = deployment_status(&d).unwrap();
        assert!(!done);
        assert_eq!(
            line,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
        );
    }

    #[test]
    fn deadline_exceeded_is_an_error() {
        let d = json!({"metadata": {"name": "web"}, "status": {"conditions": [
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}});
        assert!(matches!(deployment_status(&d), Err(StatusError::DeadlineExceeded(_))));
    }
}
