//! `kctl set image|env`: changes containers of an object's pod template and sends the
//! strategic merge patch kubectl computes (`$setElementOrder/containers` plus the
//! changed containers only).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::client::objects::{self, ObjectRef};
use crate::client::{targets, ClientError, ConnectionFlags};

#[derive(Args, Debug, Clone)]
pub struct SetArgs {
    #[command(subcommand)]
    pub command: SetCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SetCommand {
    /// Update the image of a pod template.
    Image(ImageArgs),
    /// Update environment variables on a pod template.
    Env(EnvArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ImageArgs {
    /// (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ...
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// Select all resources, in the namespace of the specified resource types.
    #[arg(long)]
    pub all: bool,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct EnvArgs {
    /// TYPE NAME KEY_1=VAL_1 ... KEY_N=VAL_N | KEY-
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// The names of containers in the selected pod templates to change (wildcards allowed).
    #[arg(short = 'c', long, default_value = "*")]
    pub containers: String,
    /// Environment variables to set in the form NAME=VALUE.
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// If true, print the environment variables (not built yet).
    #[arg(long, hide = true)]
    pub list: bool,
}

pub fn run(flags: &ConnectionFlags, args: &SetArgs) -> ExitCode {
    match &args.command {
        SetCommand::Image(a) => crate::cli::exit::block_on(image(flags, a)),
        SetCommand::Env(a) => crate::cli::exit::block_on(env(flags, a)),
    }
}

/// The pod spec's place in an object of `kind` (None: the kind has no pod template).
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Pod" => Some(&["spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" => {
            Some(&["spec", "template", "spec"])
        }
        _ => None,
    }
}

fn at<'a>(object: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(object, |value, key| &value[*key])
}

/// Wraps `inner` in the objects of `path` (`{"spec":{"template":{"spec":inner}}}`).
fn nest(path: &[&str], inner: Value) -> Value {
    path.iter().rev().fold(inner, |value, key| json!({ *key: value }))
}

/// The patch of a container list: the final order, and the changed containers.
fn list_patch(patch: &mut Map<String, Value>, field: &str, containers: &[Value], changed: Vec<Value>) {
    if changed.is_empty() {
        return;
    }
    let order: Vec<Value> = containers.iter().map(|c| json!({"name": c["name"]})).collect();
    patch.insert(format!("$setElementOrder/{field}"), Value::Array(order));
    patch.insert(field.to_string(), Value::Array(changed));
}

/// The image updates of the arguments: `(container, image)` pairs after the objects.
/// Object arguments, and `(container, image)` pairs.
type ImagePlan = (Vec<String>, Vec<(String, String)>);

fn split_images(args: &[String]) -> Result<ImagePlan, ClientError> {
    let mut resources = Vec::new();
    let mut images = Vec::new();
    for arg in args {
        match arg.split_once('=') {
            Some((name, image)) if !name.is_empty() && !image.is_empty() => {
                images.push((name.to_string(), image.to_string()))
            }
            Some(_) => return Err(ClientError::Usage(format!("invalid image update: {arg}"))),
            None => resources.push(arg.clone()),
        }
    }
    if images.is_empty() {
        return Err(ClientError::Usage("at least one image update is required".into()));
    }
    if resources.is_empty() {
        return Err(ClientError::Usage(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl set image -h' for help and examples".into(),
        ));
    }
    Ok((resources, images))
}

async fn image(flags: &ConnectionFlags, args: &ImageArgs) -> anyhow::Result<ExitCode> {
    let (resources, images) = split_images(&args.args)?;
    let pairs = targets::split_args(&resources)?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    let mut failed = false;
    for object in &objects {
        let current = objects::get(&session, object).await?;
        let Some(path) = pod_spec_path(&object.resource.kind) else {
            eprintln!("error: {} is not a pod template object", object.display());
            failed = true;
            continue;
        };
        let spec = at(&current, path);
        let mut patch = Map::new();
        let mut found: Vec<bool> = vec![false; images.len()];
        for field in ["initContainers", "containers"] {
            let containers = spec[field].as_array().cloned().unwrap_or_default();
            let mut changed = Vec::new();
            for container in &containers {
                let name = container["name"].as_str().unwrap_or_default();
                let wanted = images.iter().enumerate().rev().find(|(_, (n, _))| n == name || n == "*");
                if let Some((index, (_, image))) = wanted {
                    found[index] = true;
                    if container["image"].as_str() != Some(image) {
                        changed.push(json!({"image": image, "name": name}));
                    }
                }
            }
            list_patch(&mut patch, field, &containers, changed);
        }
        for (index, (name, _)) in images.iter().enumerate() {
            if !found[index] {
                eprintln!("error: unable to find container named {name:?}");
                failed = true;
            }
        }
        if failed {
            continue;
        }
        if patch.is_empty() {
            continue;
        }
        send(&session, object, path, patch, "image updated").await?;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

async fn send(
    session: &crate::client::Session,
    object: &ObjectRef,
    path: &[&str],
    patch: Map<String, Value>,
    done: &str,
) -> anyhow::Result<()> {
    let body = nest(path, Value::Object(patch));
    let url = format!("{}?fieldManager=kubectl-set", object.path(session));
    objects::patch(session, &url, "application/strategic-merge-patch+json", &body).await.map_err(|err| {
        let detail = match err {
            // kubectl's fatal() adds a newline only when the message has none.
            ClientError::Server(status) => status.message.trim_end_matches('\n').to_string(),
            other => other.to_string(),
        };
        // "image updated" → "image update"
        let what = done.trim_end_matches('d');
        ClientError::Usage(format!("failed to patch {what} to pod template: {detail}"))
    })?;
    println!("{} {done}", object.display());
    Ok(())
}

/// One change of `set env`: a variable set, or removed with `NAME-`.
#[derive(Debug, Clone, PartialEq)]
enum EnvChange {
    Set(String, String),
    Remove(String),
}

fn split_env(args: &[String], flags: &[String]) -> Result<(Vec<String>, Vec<EnvChange>), ClientError> {
    let mut resources = Vec::new();
    let mut changes = Vec::new();
    for arg in args.iter().chain(flags) {
        if let Some((name, value)) = arg.split_once('=') {
            if name.is_empty() {
                return Err(ClientError::Usage(format!("invalid env: {arg}")));
            }
            changes.push(EnvChange::Set(name.to_string(), value.to_string()));
        } else if let Some(name) = arg.strip_suffix('-').filter(|n| !n.is_empty() && !n.contains('/')) {
            changes.push(EnvChange::Remove(name.to_string()));
        } else {
            resources.push(arg.clone());
        }
    }
    if changes.is_empty() {
        return Err(ClientError::Usage("at least one environment variable must be provided".into()));
    }
    Ok((resources, changes))
}

async fn env(flags: &ConnectionFlags, args: &EnvArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        anyhow::bail!("kctl set env --list is not implemented yet");
    }
    let (resources, changes) = split_env(&args.args, &args.env)?;
    let pairs = targets::split_args(&resources)?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    for object in &objects {
        let current = objects::get(&session, object).await?;
        let Some(path) = pod_spec_path(&object.resource.kind) else {
            return Err(ClientError::Usage(format!("{} is not a pod template object", object.display())).into());
        };
        let spec = at(&current, path);
        let mut patch = Map::new();
        for field in ["initContainers", "containers"] {
            let containers = spec[field].as_array().cloned().unwrap_or_default();
            let mut changed = Vec::new();
            for container in &containers {
                let name = container["name"].as_str().unwrap_or_default();
                if !glob(&args.containers, name) || (field == "initContainers" && args.containers == "*") {
                    continue;
                }
                if let Some(entry) = env_patch(container, &changes) {
                    changed.push(entry);
                }
            }
            list_patch(&mut patch, field, &containers, changed);
        }
        if patch.is_empty() {
            continue;
        }
        send(&session, object, path, patch, "env updated").await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A container's entry in the patch: its env's new order, the set and removed variables.
fn env_patch(container: &Value, changes: &[EnvChange]) -> Option<Value> {
    let mut env: Vec<Value> = container["env"].as_array().cloned().unwrap_or_default();
    let mut entries: Vec<Value> = Vec::new();
    for change in changes {
        match change {
            EnvChange::Set(name, value) => {
                let wanted = json!({"name": name, "value": value});
                match env.iter_mut().find(|e| e["name"].as_str() == Some(name)) {
                    Some(existing) if *existing == wanted => continue,
                    Some(existing) => *existing = wanted.clone(),
                    None => env.push(wanted.clone()),
                }
                entries.retain(|e| e["name"].as_str() != Some(name));
                entries.push(wanted);
            }
            EnvChange::Remove(name) => {
                let before = env.len();
                env.retain(|e| e["name"].as_str() != Some(name));
                entries.retain(|e| e["name"].as_str() != Some(name));
                if env.len() != before {
                    entries.push(json!({"$patch": "delete", "name": name}));
                }
            }
        }
    }
    if entries.is_empty() {
        return None;
    }
    if env.is_empty() {
        // An emptied list is dropped from the object, as kubectl's diff does.
        return Some(json!({"env": null, "name": container["name"]}));
    }
    let order: Vec<Value> = env.iter().map(|e| json!({"name": e["name"]})).collect();
    Some(json!({"$setElementOrder/env": order, "env": entries, "name": container["name"]}))
}

/// `*`-wildcard matching of container names, as `-c` takes them.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            name.starts_with(prefix)
                && (0..=name.len() - prefix.len()).any(|skip| glob(rest, &name[prefix.len() + skip..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_pairs_follow_the_objects() {
        let args: Vec<String> = ["deployment/web", "nginx=nginx:1.17"].iter().map(|s| s.to_string()).collect();
        let (resources, images) = split_images(&args).unwrap();
        assert_eq!(resources, vec!["deployment/web"]);
        assert_eq!(images, vec![("nginx".to_string(), "nginx:1.17".to_string())]);
    }

    #[test]
    fn env_patch_lists_order_and_changes() {
        let container = json!({"name": "c", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        let changes = vec![EnvChange::Set("C".into(), "3".into()), EnvChange::Remove("A".into())];
        let patch = env_patch(&container, &changes).unwrap();
        assert_eq!(patch["$setElementOrder/env"], json!([{"name": "B"}, {"name": "C"}]));
        assert_eq!(patch["env"], json!([{"name": "C", "value": "3"}, {"$patch": "delete", "name": "A"}]));
    }

    #[test]
    fn wildcards_match_container_names() {
        assert!(glob("*", "nginx"));
        assert!(glob("ng*x", "nginx"));
        assert!(!glob("web", "nginx"));
    }
}
