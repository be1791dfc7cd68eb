//! `kctl rollout undo`: copies the pod template of the previous (or `--to-revision`)
//! ReplicaSet back onto the deployment with a JSON patch, or patches a daemon or stateful
//! set's ControllerRevision snapshot back on, as kubectl does.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value};

use crate::client::objects::{self, ObjectRef};
use crate::client::{ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct UndoArgs {
    /// TYPE NAME | TYPE/NAME
    #[arg(add = crate::cli::complete::types(&["deployment", "daemonset", "statefulset"]))]
    pub args: Vec<String>,
    /// The revision to rollback to. Default to 0 (last revision).
    #[arg(long = "to-revision", default_value_t = 0)]
    pub to_revision: i64,
}

/// Deployment annotations that belong to the deployment, not to a revision.
const KEPT_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

const HASH_LABEL: &str = "pod-template-hash";

#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("unable to find specified revision {0} in history")]
    RevisionNotFound(i64),
    #[error("no rollout history found for deployment {0:?}")]
    NoHistory(String),
    #[error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")]
    Paused,
    #[error("no last revision to roll back to")]
    NoLastRevision,
}

pub async fn run(flags: &ConnectionFlags, args: &UndoArgs) -> anyhow::Result<ExitCode> {
    let pairs = super::plan_targets(&args.args, "undo")?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    for object in &objects {
        if super::workload(object, "rollbacker")? != super::Workload::Deployment {
            let message = undo_revision(&session, object, args.to_revision).await?;
            println!("{} {message}", object.display());
            continue;
        }
        let deployment = objects::get(&session, object).await?;
        if deployment["spec"]["paused"].as_bool() == Some(true) {
            return Err(UndoError::Paused.into());
        }
        let sets = super::owned_replica_sets(&session, &deployment).await?;
        let name = object.name.clone();
        let target = choose(&sets, args.to_revision).ok_or(match args.to_revision {
            0 => UndoError::NoHistory(name),
            n => UndoError::RevisionNotFound(n),
        })?;
        let mut template = target["spec"]["template"].clone();
        if without_hash(&template) == without_hash(&deployment["spec"]["template"]) {
            let revision = super::revision_of(target).unwrap_or_default();
            println!("{} skipped rollback (current template already matches revision {revision})", object.display());
            continue;
        }
        if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
            labels.remove(HASH_LABEL);
        }
        let mut annotations = Map::new();
        for key in KEPT_ANNOTATIONS {
            if let Some(value) = deployment["metadata"]["annotations"].get(*key) {
                annotations.insert(key.to_string(), value.clone());
            }
        }
        for (key, value) in target["metadata"]["annotations"].as_object().into_iter().flatten() {
            if !KEPT_ANNOTATIONS.contains(&key.as_str()) {
                annotations.insert(key.clone(), value.clone());
            }
        }
        let patch = json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]);
        let path = format!("{}?fieldManager=kubectl-rollout", object.path(&session));
        objects::patch(&session, &path, "application/json-patch+json", &patch).await.map_err(|err| {
            // kubectl names the revision asked for (0 for "the previous one").
            let detail = match err {
                ClientError::Server(status) => status.message,
                other => other.to_string(),
            };
            ClientError::Usage(format!("failed restoring revision {}: {detail}", args.to_revision))
        })?;
        println!("{} rolled back", object.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A daemon or stateful set's rollback (kubectl's DaemonSetRollbacker and
/// StatefulSetRollbacker): the ControllerRevision's snapshot patched back on.
async fn undo_revision(session: &Session, object: &ObjectRef, to_revision: i64) -> anyhow::Result<String> {
    if to_revision < 0 {
        return Err(UndoError::RevisionNotFound(to_revision).into());
    }
    let owner = objects::get(session, object).await?;
    let mut history = super::owned_revisions(session, &owner).await?;
    if to_revision == 0 && history.len() <= 1 {
        return Err(UndoError::NoLastRevision.into());
    }
    history.sort_by_key(|r| r["revision"].as_i64().unwrap_or(0));
    let target = if to_revision == 0 {
        history.get(history.len() - 2)
    } else {
        history.iter().find(|r| r["revision"].as_i64() == Some(to_revision))
    };
    let target = target.ok_or(UndoError::RevisionNotFound(to_revision))?;
    // Compared as typed templates, so fields the server writes as empty do not differ.
    let typed = |template: Value| {
        serde_json::from_value::<k8s_openapi::api::core::v1::PodTemplateSpec>(template.clone())
            .and_then(serde_json::to_value)
            .unwrap_or(template)
    };
    if typed(super::revision_template(target)) == typed(owner["spec"]["template"].clone()) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    let path = format!("{}?fieldManager=kubectl-rollout", object.path(session));
    objects::patch(session, &path, "application/strategic-merge-patch+json", &target["data"]).await.map_err(|err| {
        let detail = match err {
            ClientError::Server(status) => status.message,
            other => other.to_string(),
        };
        ClientError::Usage(format!("failed restoring revision {to_revision}: {detail}"))
    })?;
    Ok("rolled back".to_string())
}

/// The ReplicaSet of `to_revision`, or with 0 the second newest revision.
fn choose(sets: &[Value], to_revision: i64) -> Option<&Value> {
    if to_revision > 0 {
        return sets.iter().find(|rs| super::revision_of(rs) == Some(to_revision));
    }
    let mut ordered: Vec<(i64, &Value)> = sets.iter().filter_map(|rs| Some((super::revision_of(rs)?, rs))).collect();
    ordered.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    ordered.get(1).map(|(_, rs)| *rs)
}

fn without_hash(template: &Value) -> Value {
    let mut copy = template.clone();
    if let Some(labels) = copy["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(revision: &str) -> Value {
        json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": revision}}})
    }

    #[test]
    fn plain_undo_picks_the_second_newest_revision() {
        let sets = vec![rs("1"), rs("3"), rs("2")];
        assert_eq!(super::super::revision_of(choose(&sets, 0).unwrap()), Some(2));
    }

    #[test]
    fn missing_revision_is_not_chosen() {
        assert!(choose(&[rs("1")], 4).is_none());
    }
}
