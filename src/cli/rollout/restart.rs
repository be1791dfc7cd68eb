//! `kctl rollout restart|pause|resume`: strategic merge patches of the pod template's
//! `restartedAt` annotation or of `spec.paused`.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::client::objects;
use crate::client::ConnectionFlags;

#[derive(Args, Debug, Clone)]
pub struct ObjectsArgs {
    /// RESOURCE/NAME | TYPE NAME
    #[arg(add = crate::cli::complete::types(&["deployment", "daemonset", "statefulset"]))]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Restart,
    Pause,
    Resume,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Restart => "restart",
            Action::Pause => "pause",
            Action::Resume => "resume",
        }
    }
}

pub async fn run(flags: &ConnectionFlags, args: &ObjectsArgs, action: Action) -> anyhow::Result<ExitCode> {
    let pairs = super::plan_targets(&args.args, action.verb())?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    let mut failed = false;
    for object in &objects {
        let kind = super::workload(object, "restarter")?;
        if kind != super::Workload::Deployment && action != Action::Restart {
            // kubectl's pauser and resumer know deployments only.
            let (plural, name) = (object.resource.qualified_plural(), &object.name);
            eprintln!("error: {plural} {name:?} {}ing is not supported", action.verb().trim_end_matches('e'));
            failed = true;
            continue;
        }
        let deployment = objects::get(&session, object).await?;
        let paused = deployment["spec"]["paused"].as_bool() == Some(true);
        let patch = match action {
            Action::Restart if paused => {
                let (plural, name) = (object.resource.qualified_plural(), &object.name);
                eprintln!("error: {plural} {name:?} can't restart paused deployment (run rollout resume first)");
                failed = true;
                continue;
            }
            Action::Restart => {
                let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string().replace("+00:00", "Z");
                json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}})
            }
            Action::Pause if paused => {
                eprintln!("error: {} {:?} is already paused", object.resource.qualified_plural(), object.name);
                failed = true;
                continue;
            }
            Action::Resume if !paused => {
                eprintln!("error: {} {:?} is not paused", object.resource.qualified_plural(), object.name);
                failed = true;
                continue;
            }
            Action::Pause => json!({"spec": {"paused": true}}),
            Action::Resume => json!({"spec": {"paused": null}}),
        };
        let path = format!("{}?fieldManager=kubectl-rollout", object.path(&session));
        objects::patch(&session, &path, "application/strategic-merge-patch+json", &patch).await?;
        let done = match action {
            Action::Restart => "restarted",
            Action::Pause => "paused",
            Action::Resume => "resumed",
        };
        println!("{} {done}", object.display());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
