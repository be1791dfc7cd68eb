//! `kctl label` and `kctl annotate`: one verb for both metadata maps. Reads each object,
//! checks `--overwrite`, and sends the merge patch of the changed keys.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value};

use crate::client::objects::{self, ObjectRef};
use crate::client::{targets, ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct MetadataArgs {
    /// TYPE NAME KEY_1=VAL_1 ... KEY_N=VAL_N | KEY-
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// If true, allow labels/annotations to be overwritten.
    #[arg(long)]
    pub overwrite: bool,
    /// Select all resources, in the namespace of the specified resource types.
    #[arg(long)]
    pub all: bool,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// If non-empty, the update will only succeed if this is the current resource-version.
    #[arg(long = "resource-version")]
    pub resource_version: Option<String>,
}

/// Which metadata map the verb edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Labels,
    Annotations,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Labels => "labels",
            Field::Annotations => "annotations",
        }
    }
    fn verb(self) -> &'static str {
        match self {
            Field::Labels => "label",
            Field::Annotations => "annotate",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Plan {
    resources: Vec<String>,
    set: Vec<(String, String)>,
    remove: Vec<String>,
}

fn plan(args: &MetadataArgs, field: Field) -> Result<Plan, ClientError> {
    let mut resources = Vec::new();
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove = Vec::new();
    for arg in &args.args {
        if let Some((key, value)) = arg.split_once('=') {
            set.push((key.to_string(), value.to_string()));
        } else if let Some(key) = arg.strip_suffix('-').filter(|k| !k.is_empty()) {
            remove.push(key.to_string());
        } else {
            resources.push(arg.clone());
        }
    }
    let verb = field.verb();
    if set.is_empty() && remove.is_empty() {
        let what = if field == Field::Labels { "label update" } else { "annotation update" };
        return Err(ClientError::Usage(format!(
            "at least one {what} is required\nSee 'kubectl {verb} -h' for help and examples"
        )));
    }
    if resources.is_empty() {
        return Err(ClientError::Usage(format!(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {verb} -h' for help and examples"
        )));
    }
    for (key, _) in &set {
        if remove.contains(key) {
            return Err(ClientError::Usage(format!(
                "can not both modify and remove the following {} in the same command: {key}",
                field.key()
            )));
        }
    }
    Ok(Plan { resources, set, remove })
}

pub fn run(flags: &ConnectionFlags, args: &MetadataArgs, field: Field) -> ExitCode {
    crate::cli::exit::block_on(update(flags, args, field))
}

async fn update(flags: &ConnectionFlags, args: &MetadataArgs, field: Field) -> anyhow::Result<ExitCode> {
    let plan = plan(args, field)?;
    let pairs = targets::split_args(&plan.resources)?;
    let session = Session::connect(flags).await?;
    let mut discovery = crate::client::Discovery::load(&session).await?;
    let found = targets::resolve(&session, &mut discovery, &pairs).await?;
    let mut objects: Vec<ObjectRef> = Vec::new();
    for target in found {
        if !target.names.is_empty() {
            objects
                .extend(target.names.iter().map(|n| ObjectRef { resource: target.resource.clone(), name: n.clone() }));
            continue;
        }
        if !args.all && args.selector.is_none() {
            return Err(ClientError::Usage("resource(s) were provided, but no name was specified".to_string()).into());
        }
        let mut params = Vec::new();
        if let Some(selector) = &args.selector {
            params.push(("labelSelector", selector.clone()));
        }
        let path = format!("{}{}", target.resource.collection_path(Some(&session.namespace)), objects::query(&params));
        let list = session.get_json(&path, "application/json").await?;
        for item in list["items"].as_array().into_iter().flatten() {
            let name = item["metadata"]["name"].as_str().unwrap_or_default().to_string();
            objects.push(ObjectRef { resource: target.resource.clone(), name });
        }
    }
    for object in &objects {
        let current = objects::get(&session, object).await?;
        let existing = current["metadata"][field.key()].as_object().cloned().unwrap_or_default();
        let mut changes = Map::new();
        if !args.overwrite {
            let taken: Vec<String> = plan
                .set
                .iter()
                .filter_map(|(k, v)| {
                    let old = existing.get(k)?.as_str()?;
                    (old != v).then(|| format!("'{k}' already has a value ({old})"))
                })
                .collect();
            if let Some(first) = taken.first() {
                let text = match field {
                    Field::Labels => format!("{first}, and --overwrite is false"),
                    Field::Annotations => format!(
                        "--overwrite is false but found the following declared annotation(s): {}",
                        taken.join("\n")
                    ),
                };
                return Err(ClientError::Usage(text).into());
            }
        }
        for key in &plan.remove {
            if existing.contains_key(key) {
                changes.insert(key.clone(), Value::Null);
            } else if field == Field::Labels {
                println!("label {key:?} not found.");
            }
        }
        for (key, value) in &plan.set {
            if existing.get(key).and_then(Value::as_str) != Some(value) {
                changes.insert(key.clone(), Value::String(value.clone()));
            }
        }
        let mut patch = json!({"metadata": {field.key(): changes.clone()}});
        if let Some(version) = &args.resource_version {
            patch["metadata"]["resourceVersion"] = Value::String(version.clone());
        }
        if changes.is_empty() {
            patch = json!({});
        }
        let path = format!("{}?fieldManager=kubectl-{}", object.path(&session), field.verb());
        objects::patch(&session, &path, "application/merge-patch+json", &patch).await?;
        let outcome = match field {
            Field::Annotations => "annotated",
            Field::Labels if changes.is_empty() => "not labeled",
            Field::Labels if changes.values().all(Value::is_null) && !args.overwrite => "unlabeled",
            Field::Labels => "labeled",
        };
        println!("{} {outcome}", object.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> MetadataArgs {
        MetadataArgs {
            args: list.iter().map(|s| s.to_string()).collect(),
            overwrite: false,
            all: false,
            selector: None,
            resource_version: None,
        }
    }

    #[test]
    fn keys_with_a_dash_are_removals() {
        let plan = plan(&args(&["pod", "p1", "a=b", "c-"]), Field::Labels).unwrap();
        assert_eq!(plan.resources, vec!["pod", "p1"]);
        assert_eq!(plan.set, vec![("a".to_string(), "b".to_string())]);
        assert_eq!(plan.remove, vec!["c"]);
    }

    #[test]
    fn setting_and_removing_one_key_is_refused() {
        assert!(plan(&args(&["pod/p1", "a=b", "a-"]), Field::Labels).is_err());
    }
}
