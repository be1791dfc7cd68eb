//! `kctl scale`: a merge patch of the `scale` subresource, after checking
//! `--current-replicas` against the object as kubectl does.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::client::objects;
use crate::client::{targets, ClientError, ConnectionFlags};

#[derive(Args, Debug, Clone)]
pub struct ScaleArgs {
    /// (-f FILENAME | TYPE NAME)
    #[arg(add = crate::cli::complete::types(&["deployment", "replicaset", "replicationcontroller", "statefulset"]))]
    pub args: Vec<String>,
    /// The new desired number of replicas. Required.
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub replicas: i64,
    /// Precondition for current size. Requires that the current size of the resource match this value in order to scale.
    #[arg(long = "current-replicas", default_value_t = -1, allow_negative_numbers = true)]
    pub current_replicas: i64,
    /// Precondition for resource version.
    #[arg(long = "resource-version")]
    pub resource_version: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("Expected replicas to be {expected}, was {actual}")]
    Precondition { expected: i64, actual: i64 },
}

pub fn run(flags: &ConnectionFlags, args: &ScaleArgs) -> ExitCode {
    crate::cli::exit::block_on(scale(flags, args))
}

async fn scale(flags: &ConnectionFlags, args: &ScaleArgs) -> anyhow::Result<ExitCode> {
    if args.replicas < 0 {
        return Err(ClientError::Usage(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".into(),
        )
        .into());
    }
    if args.args.is_empty() {
        return Err(ClientError::Usage(
            "required resource not specified\nSee 'kubectl scale -h' for help and examples".into(),
        )
        .into());
    }
    let pairs = targets::split_args(&args.args)?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    for object in &objects {
        let current = objects::get(&session, object).await.map_err(|err| match err {
            ClientError::Server(status) if status.code == 404 => {
                ClientError::Usage(format!("no objects passed to scale {}", status.message))
            }
            other => other,
        })?;
        if args.current_replicas >= 0 {
            let actual = current["spec"]["replicas"].as_i64().unwrap_or(1);
            if actual != args.current_replicas {
                let err = ScaleError::Precondition { expected: args.current_replicas, actual };
                return Err(ClientError::Usage(format!("{err}")).into());
            }
        }
        let mut spec = json!({"spec": {"replicas": args.replicas}});
        if let Some(version) = &args.resource_version {
            spec["metadata"] = json!({"resourceVersion": version});
        }
        let path = format!("{}/scale?fieldManager=kubectl-scale", object.path(&session));
        objects::patch(&session, &path, "application/merge-patch+json", &spec).await?;
        println!("{} scaled", object.display());
    }
    Ok(ExitCode::SUCCESS)
}
