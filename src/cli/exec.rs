//! `kctl exec`: runs a command in a pod's container through `pods/NAME/exec` (WebSocket,
//! `v5.channel.k8s.io` or v4, as kubectl 1.32), with kubectl's flags and messages; the
//! remote command's exit code becomes ours ("command terminated with exit code N").

use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::client::attachable::{attachable_pod, default_container, AttachableError};
use crate::client::stream::{remote_command, Ended, Streams, REMOTE_COMMAND};
use crate::client::{objects, ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct ExecArgs {
    /// (POD | TYPE/NAME)
    #[arg(add = crate::cli::complete::pods())]
    pub args: Vec<String>,
    /// -- COMMAND [args...]
    #[arg(last = true)]
    pub command: Vec<String>,
    /// Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Pass stdin to the container
    #[arg(short = 'i', long)]
    pub stdin: bool,
    /// Stdin is a TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Only print output from the remote session
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running
    #[arg(long = "pod-running-timeout", default_value = "1m0s")]
    pub pod_running_timeout: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples")]
    NoDash,
    #[error("pod, type/name or --filename must be specified")]
    NoPod,
    #[error("you must specify at least one command for the container")]
    NoCommand,
    #[error("cannot exec into a container in a completed pod; current phase is {0}")]
    Completed(String),
}

/// What to run where, from the arguments alone: the words before `--` name the pod
/// (kubectl refuses a command given without the `--`), the words after are the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub target: String,
    pub command: Vec<String>,
}

pub fn plan(args: &[String], command: &[String]) -> Result<Plan, ExecError> {
    if args.len() > 1 {
        return Err(ExecError::NoDash);
    }
    let target = args.first().cloned().ok_or(ExecError::NoPod)?;
    if command.is_empty() {
        return Err(ExecError::NoCommand);
    }
    Ok(Plan { target, command: command.to_vec() })
}

pub fn run(flags: &ConnectionFlags, args: &ExecArgs) -> ExitCode {
    crate::cli::exit::block_on(exec(flags, args))
}

/// The pod `TYPE/NAME` or `POD` names (kubectl's words when it does not exist).
pub async fn find_pod(session: &Session, target: &str) -> anyhow::Result<Value> {
    let (kind, name) = target.split_once('/').unwrap_or(("pods", target));
    attachable_pod(session, kind, name).await.map_err(|err| match err {
        AttachableError::NotFound { source, .. } | AttachableError::Client(source) => source.into(),
        other => other.into(),
    })
}

async fn exec(flags: &ConnectionFlags, args: &ExecArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(&args.args, &args.command)?;
    let session = Session::connect(flags).await?;
    let pod = find_pod(&session, &plan.target).await?;
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Err(ExecError::Completed(phase.to_string()).into());
    }
    let container = match &args.container {
        Some(container) => container.clone(),
        None => default_container(&pod, args.quiet).unwrap_or_default(),
    };
    let options = RemoteOptions { stdin: args.stdin, tty: args.tty, quiet: args.quiet };
    let mut query = vec![("container", container)];
    query.extend(plan.command.iter().map(|c| ("command", c.clone())));
    connect_and_run(&session, &pod, "exec", query, options).await
}

/// The stdio flags of exec and attach.
#[derive(Debug, Clone, Copy)]
pub struct RemoteOptions {
    pub stdin: bool,
    pub tty: bool,
    pub quiet: bool,
}

/// Upgrades `pods/NAME/{verb}` and copies the local stdio through it; our exit code.
pub async fn connect_and_run(
    session: &Session,
    pod: &Value,
    verb: &str,
    mut query: Vec<(&str, String)>,
    options: RemoteOptions,
) -> anyhow::Result<ExitCode> {
    // kubectl: a terminal only with stdin, and only when stdin is one.
    let mut tty = options.tty && options.stdin;
    if tty && !crate::cli::terminal::stdin_is_terminal() {
        tty = false;
        if !options.quiet {
            eprintln!("Unable to use a TTY - input is not a terminal or the right kind of file");
        }
    }
    for (key, on) in [("stdin", options.stdin), ("stdout", true), ("stderr", !tty), ("tty", tty)] {
        if on {
            query.push((key, "true".to_string()));
        }
    }
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or(&session.namespace);
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let path = format!("/api/v1/namespaces/{namespace}/pods/{name}/{verb}{}", objects::query(&query));
    let (socket, protocol) = session.upgrade(&path, &REMOTE_COMMAND).await?;
    let raw = if tty { crate::cli::terminal::RawMode::enable() } else { None };
    let streams = Streams {
        stdin: options.stdin.then(tokio::io::stdin),
        stdout: tokio::io::stdout(),
        stderr: (!tty).then(tokio::io::stderr),
        resize: raw.as_ref().map(|_| crate::cli::terminal::sizes()),
    };
    let ended = remote_command(socket, &protocol, streams).await;
    drop(raw);
    match ended? {
        Ended::Success => Ok(ExitCode::SUCCESS),
        Ended::Exit(code) => {
            eprintln!("command terminated with exit code {code}");
            Ok(ExitCode::from(code.clamp(0, 255) as u8))
        }
        Ended::Failure(message) => Err(ClientError::Transport(message).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_command_follows_the_dash() {
        let plan = plan(&words("web"), &words("sh -c true")).unwrap();
        assert_eq!(plan, Plan { target: "web".into(), command: words("sh -c true") });
        assert!(matches!(super::plan(&words("web ls"), &[]), Err(ExecError::NoDash)));
        assert!(matches!(super::plan(&words("web"), &[]), Err(ExecError::NoCommand)));
        assert!(matches!(super::plan(&[], &words("ls")), Err(ExecError::NoPod)));
    }
}
