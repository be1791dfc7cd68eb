//! `kctl patch`: sends `-p` (JSON or YAML) as a strategic merge, JSON merge or JSON
//! patch, and says `patched` or `patched (no change)` as kubectl does.

use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::client::objects;
use crate::client::{targets, ClientError, ConnectionFlags};

#[derive(Args, Debug, Clone)]
pub struct PatchArgs {
    /// (-f FILENAME | TYPE NAME)
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// The patch to be applied to the resource JSON file.
    #[arg(short = 'p', long)]
    pub patch: Option<String>,
    /// A file containing a patch to be applied to the resource.
    #[arg(long = "patch-file")]
    pub patch_file: Option<String>,
    /// The type of patch being provided; one of [json merge strategic].
    #[arg(long = "type", default_value = "strategic")]
    pub patch_type: String,
    /// If specified, patch will operate on the subresource of the requested object.
    #[arg(long)]
    pub subresource: Option<String>,
}

struct Plan {
    content_type: &'static str,
    body: Value,
    pairs: Vec<(String, Vec<String>)>,
}

fn plan(args: &PatchArgs) -> anyhow::Result<Plan> {
    let content_type = match args.patch_type.as_str() {
        "strategic" => "application/strategic-merge-patch+json",
        "merge" => "application/merge-patch+json",
        "json" => "application/json-patch+json",
        other => {
            return Err(ClientError::Usage(format!(
                "--type must be one of [\"json\" \"merge\" \"strategic\"], not {other:?}"
            ))
            .into())
        }
    };
    let text = match (&args.patch, &args.patch_file) {
        (Some(_), Some(_)) => {
            return Err(ClientError::Usage("cannot specify --patch and --patch-file together".into()).into())
        }
        (Some(text), None) => text.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)?,
        (None, None) => {
            return Err(ClientError::Usage(
                "must specify --patch or --patch-file containing the contents of the patch".into(),
            )
            .into())
        }
    };
    // kubectl reads the patch as YAML (JSON is YAML) and sends JSON.
    let body: Value =
        serde_yaml::from_str(&text).map_err(|e| ClientError::Usage(format!("unable to parse {text:?}: {e}")))?;
    if args.args.is_empty() {
        return Err(ClientError::Usage("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into()).into());
    }
    let pairs = targets::split_args(&args.args)?;
    Ok(Plan { content_type, body, pairs })
}

pub fn run(flags: &ConnectionFlags, args: &PatchArgs) -> ExitCode {
    crate::cli::exit::block_on(patch(flags, args))
}

async fn patch(flags: &ConnectionFlags, args: &PatchArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args)?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &plan.pairs).await?;
    for object in &objects {
        let mut path = object.path(&session);
        if let Some(sub) = &args.subresource {
            path = format!("{path}/{sub}");
        }
        let before = session.get_json(&path, "application/json").await?;
        let url = format!("{path}?fieldManager=kubectl-patch");
        let after = objects::patch(&session, &url, plan.content_type, &plan.body).await?;
        let unchanged = before["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"];
        println!("{} patched{}", object.display(), if unchanged { " (no change)" } else { "" });
    }
    Ok(ExitCode::SUCCESS)
}
