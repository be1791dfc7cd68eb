//! `kctl rollout history`: the revisions of a deployment's ReplicaSets (or of a daemon or
//! stateful set's ControllerRevisions) with their change causes, or one revision's pod
//! template with `--revision`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::client::objects;
use crate::client::{ClientError, ConnectionFlags};
use crate::describe::writer::Writer;
use crate::printers::tabwriter::TabWriter;

#[derive(Args, Debug, Clone)]
pub struct HistoryArgs {
    /// TYPE NAME | TYPE/NAME
    #[arg(add = crate::cli::complete::types(&["deployment", "daemonset", "statefulset"]))]
    pub args: Vec<String>,
    /// See the details, including podTemplate of the revision specified.
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
}

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

pub async fn run(flags: &ConnectionFlags, args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let pairs = super::plan_targets(&args.args, "history")?;
    if args.revision < 0 {
        return Err(ClientError::Usage(format!("revision must be a positive integer: {}", args.revision)).into());
    }
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    let mut out = std::io::stdout().lock();
    for object in &objects {
        let kind = super::workload(object, "history viewer")?;
        let owner = objects::get(&session, object).await?;
        // revision → (pod template, change cause)
        let mut history: BTreeMap<i64, (Value, Option<String>)> = BTreeMap::new();
        let cause_of = |object: &Value| {
            object["metadata"]["annotations"][CHANGE_CAUSE].as_str().filter(|c| !c.is_empty()).map(str::to_string)
        };
        if kind == super::Workload::Deployment {
            for rs in &super::owned_replica_sets(&session, &owner).await? {
                let Some(revision) = super::revision_of(rs) else { continue };
                let mut template = rs["spec"]["template"].clone();
                // kubectl copies the change cause onto the template it shows.
                if let Some(cause) = cause_of(rs) {
                    template["metadata"]["annotations"][CHANGE_CAUSE] = Value::String(cause.clone());
                }
                history.insert(revision, (template, cause_of(rs)));
            }
        } else {
            for revision in &super::owned_revisions(&session, &owner).await? {
                let number = revision["revision"].as_i64().unwrap_or(0);
                history.insert(number, (super::revision_template(revision), cause_of(revision)));
            }
        }
        let text = if history.is_empty() {
            "No rollout history found.".to_string()
        } else if args.revision > 0 {
            let Some((template, _)) = history.get(&args.revision) else {
                return Err(ClientError::Usage("unable to find the specified revision".to_string()).into());
            };
            let mut w = Writer::default();
            crate::describe::pod::template(&mut w, template);
            w.into_raw()
        } else {
            let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
            for (revision, (_, cause)) in &history {
                let cause = cause.as_deref().unwrap_or("<none>");
                table.push_str(&format!("{revision}\t{cause}\n"));
            }
            TabWriter::describe().format_partial(&table)
        };
        let header = if args.revision > 0 {
            format!("{} with revision #{}", object.display(), args.revision)
        } else {
            format!("{} ", object.display())
        };
        writeln!(out, "{header}\n{text}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
