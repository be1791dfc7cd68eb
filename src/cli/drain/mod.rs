//! `kctl cordon`, `uncordon` and `drain` (kubectl's `cmd/drain` over `pkg/drain`): mark
//! nodes unschedulable, then evict (or delete) the pods on them — honouring
//! PodDisruptionBudgets through the eviction subresource, retrying a refused eviction
//! every 5 s — with kubectl's filters, lines and error lists.

mod filters;
mod pods;

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

use crate::client::objects;
use crate::client::write::DryRun;
use crate::client::{ClientError, ConnectionFlags, Session};

/// The flags cordon and uncordon share with drain.
#[derive(Args, Debug, Clone)]
pub struct CordonArgs {
    /// NODE
    #[arg(add = crate::cli::complete::names_at("/api/v1/nodes"))]
    pub nodes: Vec<String>,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DrainArgs {
    #[command(flatten)]
    pub nodes: CordonArgs,
    /// Continue even if there are pods that do not declare a controller.
    #[arg(long)]
    pub force: bool,
    /// Ignore DaemonSet-managed pods.
    #[arg(long = "ignore-daemonsets")]
    pub ignore_daemonsets: bool,
    /// Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).
    #[arg(long = "delete-emptydir-data")]
    pub delete_emptydir_data: bool,
    /// Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.
    #[arg(long = "grace-period", default_value_t = -1, allow_negative_numbers = true)]
    pub grace_period: i64,
    /// The length of time to wait before giving up, zero means infinite
    #[arg(long, default_value = "0s")]
    pub timeout: String,
    /// Label selector to filter pods on the node
    #[arg(long = "pod-selector")]
    pub pod_selector: Option<String>,
    /// Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.
    #[arg(long = "disable-eviction")]
    pub disable_eviction: bool,
    /// If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.
    #[arg(long = "skip-wait-for-delete-timeout", default_value_t = 0)]
    pub skip_wait_for_delete_timeout: i64,
    /// Return large lists in chunks rather than all at once. Pass 0 to disable.
    #[arg(long = "chunk-size", default_value_t = 500)]
    pub chunk_size: i64,
}

/// A node named on the command line or selected, as read.
struct Node {
    name: String,
    object: Value,
}

/// Upstream's `utilerrors.NewAggregate(...).Error()`: one message alone, several in
/// brackets, repeats once.
pub(crate) fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for message in messages {
        if !seen.contains(&message) {
            seen.push(message);
        }
    }
    match seen.as_slice() {
        [one] => one.to_string(),
        many => format!("[{}]", many.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")),
    }
}

fn usage(verb: &str, message: &str) -> ClientError {
    ClientError::Usage(format!("{message}\nSee 'kubectl {verb} -h' for help and examples"))
}

/// The nodes named, or those the selector picks.
async fn nodes(session: &Session, args: &CordonArgs, verb: &str) -> Result<Vec<Node>, ClientError> {
    if args.nodes.is_empty() && args.selector.is_none() {
        return Err(usage(verb, &format!("USAGE: {verb} NODE [flags]")));
    }
    if !args.nodes.is_empty() && args.selector.is_some() {
        return Err(usage(verb, "error: cannot specify both a node name and a --selector option"));
    }
    if let Some(selector) = &args.selector {
        let path = format!("/api/v1/nodes{}", objects::query(&[("labelSelector", selector.clone())]));
        let list = session.get_json(&path, "application/json").await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        return Ok(items
            .into_iter()
            .map(|object| Node { name: object["metadata"]["name"].as_str().unwrap_or_default().to_string(), object })
            .collect());
    }
    let mut found = Vec::new();
    for name in &args.nodes {
        let name = name.strip_prefix("node/").or_else(|| name.strip_prefix("nodes/")).unwrap_or(name);
        let object = session.get_json(&format!("/api/v1/nodes/{name}"), "application/json").await?;
        found.push(Node { name: name.to_string(), object });
    }
    Ok(found)
}

/// `RunCordonOrUncordon`: a strategic merge patch of `spec.unschedulable` where it differs.
async fn cordon_nodes(session: &Session, nodes: &[Node], desired: bool, dry_run: DryRun) {
    let verb = if desired { "cordon" } else { "uncordon" };
    for node in nodes {
        let current = node.object.pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
        if current == desired {
            println!("node/{} already {verb}ed{}", node.name, dry_run.suffix());
            continue;
        }
        if dry_run != DryRun::Client {
            let patch = json!({"spec": {"unschedulable": if desired { json!(true) } else { Value::Null }}});
            let query = crate::client::write::query(&[], dry_run);
            let path = format!("/api/v1/nodes/{}{query}", node.name);
            if let Err(err) = objects::patch(session, &path, "application/strategic-merge-patch+json", &patch).await {
                eprintln!("error: unable to {verb} node {:?}: {}", node.name, server_message(&err));
                continue;
            }
        }
        println!("node/{} {verb}ed{}", node.name, dry_run.suffix());
    }
}

/// An error as Go's `%v` of a StatusError: the server's message alone.
pub(crate) fn server_message(err: &ClientError) -> String {
    match err {
        ClientError::Server(status) => status.message.clone(),
        other => other.message().trim_start_matches("error: ").to_string(),
    }
}

pub fn cordon(flags: &ConnectionFlags, args: &CordonArgs, desired: bool) -> ExitCode {
    crate::cli::exit::block_on(async move {
        let verb = if desired { "cordon" } else { "uncordon" };
        let dry_run = DryRun::parse(args.dry_run.as_deref())?;
        let session = Session::connect(flags).await?;
        let nodes = nodes(&session, args, verb).await?;
        cordon_nodes(&session, &nodes, desired, dry_run).await;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn drain(flags: &ConnectionFlags, args: &DrainArgs) -> ExitCode {
    crate::cli::exit::block_on(run_drain(flags, args))
}

async fn run_drain(flags: &ConnectionFlags, args: &DrainArgs) -> anyhow::Result<ExitCode> {
    let dry_run = DryRun::parse(args.nodes.dry_run.as_deref())?;
    let timeout = match crate::machinery::duration::parse_go(&args.timeout) {
        Ok(delta) => delta.to_std().unwrap_or_default(),
        Err(err) => {
            return Err(ClientError::Usage(format!(
                "invalid argument {:?} for \"--timeout\" flag: {err}",
                args.timeout
            ))
            .into())
        }
    };
    if let Some(selector) = &args.pod_selector {
        if crate::machinery::labels::Selector::parse(selector).is_err() {
            return Err(
                ClientError::Usage("--pod-selector=<pod_selector> must be a valid label selector".into()).into()
            );
        }
    }
    let session = Session::connect(flags).await?;
    let nodes = nodes(&session, &args.nodes, "drain").await?;
    cordon_nodes(&session, &nodes, true, dry_run).await;
    let plan = pods::Plan {
        args,
        dry_run,
        timeout: (!timeout.is_zero()).then_some(timeout),
        started: std::time::Instant::now(),
    };
    let mut fatal = Vec::new();
    let mut remaining = Vec::new();
    for node in &nodes {
        match pods::drain_node(&session, &plan, &node.name).await {
            Ok(()) => println!("node/{} drained{}", node.name, dry_run.suffix()),
            Err(errors) => {
                let err = aggregate(&errors);
                eprintln!("error: unable to drain node {:?} due to error: {err}, continuing command...", node.name);
                fatal.extend(errors);
                remaining.push(node.name.clone());
            }
        }
    }
    if remaining.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("There are pending nodes to be drained:");
    for name in &remaining {
        eprintln!(" {name}");
    }
    // kubectl prints the errors flattened, one per line, without the `error: ` prefix.
    for err in &fatal {
        eprintln!("{err}");
    }
    Ok(ExitCode::FAILURE)
}

/// How long `evict` waits before trying a refused eviction again (kubectl's 5 s).
pub(crate) const EVICTION_RETRY: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_read_as_upstreams() {
        assert_eq!(aggregate(&["a".into()]), "a");
        assert_eq!(aggregate(&["a".into(), "b".into(), "a".into()]), "[a, b]");
    }
}
