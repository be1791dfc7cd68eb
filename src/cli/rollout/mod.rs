//! `kctl rollout`: the sub-verbs kubectl has for deployments, daemon sets and stateful
//! sets, one file each (status,
//! history, undo; restart, pause and resume share `restart.rs`).

pub mod history;
pub mod restart;
pub mod status;
pub mod undo;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::client::objects::{self, ObjectRef};
use crate::client::{targets, ClientError, ConnectionFlags, Session};
use crate::machinery::labels::selector_string;

#[derive(Args, Debug, Clone)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub command: RolloutCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RolloutCommand {
    /// Show the status of the rollout.
    Status(status::StatusArgs),
    /// View rollout history.
    History(history::HistoryArgs),
    /// Undo a previous rollout.
    Undo(undo::UndoArgs),
    /// Restart a resource.
    Restart(restart::ObjectsArgs),
    /// Mark the provided resource as paused.
    Pause(restart::ObjectsArgs),
    /// Resume a paused resource.
    Resume(restart::ObjectsArgs),
}

pub fn run(flags: &ConnectionFlags, args: &RolloutArgs) -> ExitCode {
    match &args.command {
        RolloutCommand::Status(a) => crate::cli::exit::block_on(status::run(flags, a)),
        RolloutCommand::History(a) => crate::cli::exit::block_on(history::run(flags, a)),
        RolloutCommand::Undo(a) => crate::cli::exit::block_on(undo::run(flags, a)),
        RolloutCommand::Restart(a) => crate::cli::exit::block_on(restart::run(flags, a, restart::Action::Restart)),
        RolloutCommand::Pause(a) => crate::cli::exit::block_on(restart::run(flags, a, restart::Action::Pause)),
        RolloutCommand::Resume(a) => crate::cli::exit::block_on(restart::run(flags, a, restart::Action::Resume)),
    }
}

/// The arguments of a sub-verb as type/name pairs; kubectl wants at least one.
pub fn plan_targets(args: &[String], verb: &str) -> Result<Vec<(String, Vec<String>)>, ClientError> {
    if args.is_empty() {
        return Err(ClientError::Usage(format!(
            "required resource not specified\nSee 'kubectl rollout {verb} -h' for help and examples"
        )));
    }
    targets::split_args(args)
}

/// The kinds the rollout verbs know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Deployment,
    DaemonSet,
    StatefulSet,
}

/// The object's kind among those the rollout verbs know; kubectl's words for other kinds.
pub fn workload(object: &ObjectRef, what: &str) -> Result<Workload, ClientError> {
    match (object.resource.group.as_str(), object.resource.kind.as_str()) {
        ("apps", "Deployment") => Ok(Workload::Deployment),
        ("apps", "DaemonSet") => Ok(Workload::DaemonSet),
        ("apps", "StatefulSet") => Ok(Workload::StatefulSet),
        (_, kind) => Err(ClientError::Usage(format!("no {what} has been implemented for {kind:?}"))),
    }
}

/// The ControllerRevisions a DaemonSet or StatefulSet controls: listed by its selector,
/// kept when their controller owner reference names its uid (kubectl's controlledHistory).
pub async fn owned_revisions(session: &Session, owner: &Value) -> Result<Vec<Value>, ClientError> {
    owned(session, owner, "controllerrevisions").await
}

/// The revision's pod template (the snapshot's `spec.template`, without its `$patch`).
pub fn revision_template(revision: &Value) -> Value {
    let mut template = revision["data"]["spec"]["template"].clone();
    if let Some(map) = template.as_object_mut() {
        map.remove("$patch");
    }
    template
}

/// The ReplicaSets a deployment controls: listed by its selector, kept when their
/// controller owner reference names the deployment's uid.
pub async fn owned_replica_sets(session: &Session, deployment: &Value) -> Result<Vec<Value>, ClientError> {
    owned(session, deployment, "replicasets").await
}

/// The apps/v1 `plural` objects that `owner`'s selector lists and that it controls.
async fn owned(session: &Session, owner: &Value, plural: &str) -> Result<Vec<Value>, ClientError> {
    let selector =
        selector_string(Some(&owner["spec"]["selector"])).map_err(|err| ClientError::Usage(err.to_string()))?;
    let path = format!(
        "/apis/apps/v1/namespaces/{}/{plural}{}",
        session.namespace,
        objects::query(&[("labelSelector", selector)])
    );
    let list = session.get_json(&path, "application/json").await?;
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let items = list["items"].as_array().cloned().unwrap_or_default();
    Ok(items
        .into_iter()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|owner| owner["controller"].as_bool() == Some(true) && owner["uid"].as_str() == Some(uid))
        })
        .collect())
}

/// A ReplicaSet's `deployment.kubernetes.io/revision` (0 when missing, None when unparsable).
pub fn revision_of(rs: &Value) -> Option<i64> {
    match rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str() {
        None => Some(0),
        Some(text) => text.parse().ok(),
    }
}
