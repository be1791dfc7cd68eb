//! `kctl run NAME --image=…`: builds the pod kubectl's run generator builds and creates it
//! (`POST …/pods?fieldManager=kubectl-run`), printing `pod/NAME created`.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value};

use crate::client::manifests::display_name;
use crate::client::write::{self, DryRun};
use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::OutputFormat;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// NAME [-- COMMAND/ARGS...]
    #[arg(required = false)]
    pub name: Option<String>,
    /// Arguments (or, with --command, the command) of the container.
    #[arg(last = true)]
    pub args: Vec<String>,
    /// The image for the container to run.
    #[arg(long)]
    pub image: Option<String>,
    /// The port that this container exposes.
    #[arg(long)]
    pub port: Option<String>,
    /// Environment variables to set in the container (KEY=VALUE, repeatable).
    #[arg(long)]
    pub env: Vec<String>,
    /// Comma separated labels to apply to the pod. Will override the default run=NAME label.
    #[arg(short = 'l', long)]
    pub labels: Option<String>,
    /// Annotations to apply to the pod (KEY=VALUE, repeatable).
    #[arg(long)]
    pub annotations: Vec<String>,
    /// The restart policy for this Pod: Always, OnFailure or Never.
    #[arg(long, default_value = "Always")]
    pub restart: String,
    /// If true and extra arguments are present, use them as the 'command' field in the container.
    #[arg(long)]
    pub command: bool,
    /// The image pull policy for the container.
    #[arg(long = "image-pull-policy")]
    pub image_pull_policy: Option<String>,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Output format: json, yaml or name.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

/// The validated plan of a `run`: the pod to create and how to report it.
struct Plan {
    pod: Value,
    dry_run: DryRun,
    format: Option<OutputFormat>,
}

fn usage(text: &str) -> ClientError {
    ClientError::Usage(format!("{text}\nSee 'kubectl run -h' for help and examples"))
}

/// `a=b,c=d` into a map, with kubectl's error for a malformed item.
pub fn parse_labels(text: &str) -> Result<Map<String, Value>, ClientError> {
    let mut labels = Map::new();
    for item in text.split(',').filter(|i| !i.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(ClientError::Usage(format!("unexpected label spec: {item}")));
        };
        labels.insert(key.to_string(), Value::String(value.to_string()));
    }
    Ok(labels)
}

fn plan(args: &RunArgs) -> Result<Plan, ClientError> {
    let Some(name) = args.name.clone().filter(|n| !n.is_empty()) else {
        return Err(usage("NAME is required for run"));
    };
    let Some(image) = args.image.clone().filter(|i| !i.is_empty()) else {
        return Err(ClientError::Usage("required flag(s) \"image\" not set".to_string()));
    };
    if !matches!(args.restart.as_str(), "Always" | "OnFailure" | "Never") {
        return Err(usage(&format!("invalid restart policy: {}", args.restart)));
    }
    let dry_run = DryRun::parse(args.dry_run.as_deref())?;
    let format = match args.output.as_deref() {
        None | Some("") => None,
        Some(output) => Some(OutputFormat::parse(Some(output)).map_err(|e| ClientError::Usage(e.to_string()))?),
    };
    let labels = match &args.labels {
        Some(text) => parse_labels(text)?,
        None => {
            let mut labels = Map::new();
            labels.insert("run".to_string(), Value::String(name.clone()));
            labels
        }
    };
    let mut container = Map::new();
    container.insert("name".into(), json!(name));
    container.insert("image".into(), json!(image));
    if !args.args.is_empty() {
        let key = if args.command { "command" } else { "args" };
        container.insert(key.into(), json!(args.args));
    }
    if let Some(port) = args.port.as_deref().filter(|p| !p.is_empty()) {
        let number: i64 = port
            .parse()
            .map_err(|_| ClientError::Usage(format!("strconv.Atoi: parsing \"{port}\": invalid syntax")))?;
        container.insert("ports".into(), json!([{"containerPort": number}]));
    }
    if !args.env.is_empty() {
        let mut env = Vec::new();
        for item in &args.env {
            match item.split_once('=') {
                Some((key, value)) if !key.is_empty() => env.push(json!({"name": key, "value": value})),
                _ => return Err(ClientError::Usage(format!("invalid env: {item}"))),
            }
        }
        container.insert("env".into(), Value::Array(env));
    }
    if let Some(policy) = args.image_pull_policy.as_deref().filter(|p| !p.is_empty()) {
        container.insert("imagePullPolicy".into(), json!(policy));
    }
    container.insert("resources".into(), json!({}));
    let mut metadata = json!({"name": name, "creationTimestamp": null, "labels": labels});
    if !args.annotations.is_empty() {
        let mut annotations = Map::new();
        for item in &args.annotations {
            let (key, value) = item.split_once('=').unwrap_or((item.as_str(), ""));
            annotations.insert(key.to_string(), json!(value));
        }
        metadata["annotations"] = Value::Object(annotations);
    }
    let pod = json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {"containers": [container], "restartPolicy": args.restart, "dnsPolicy": "ClusterFirst"},
        "status": {},
    });
    Ok(Plan { pod, dry_run, format })
}

pub fn run(flags: &ConnectionFlags, args: &RunArgs) -> ExitCode {
    crate::cli::exit::block_on(execute(flags, args))
}

async fn execute(flags: &ConnectionFlags, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let mut plan = plan(args)?;
    if plan.dry_run == DryRun::Client {
        // An explicit -n shows in the pod, as kubectl enforces it.
        if let Some(namespace) = flags.namespace.as_deref().filter(|n| !n.is_empty()) {
            plan.pod["metadata"]["namespace"] = json!(namespace);
        }
        print(&plan, &plan.pod)?;
        return Ok(ExitCode::SUCCESS);
    }
    let session = Session::connect(flags).await?;
    // kubectl maps the kind through discovery before creating (a cold cache fetches it).
    let _ = Discovery::load(&session).await?;
    plan.pod["metadata"]["namespace"] = json!(session.namespace);
    let path = format!(
        "/api/v1/namespaces/{}/pods{}",
        session.namespace,
        write::query(&[("fieldManager", "kubectl-run")], plan.dry_run)
    );
    let body = serde_json::to_vec(&plan.pod)?;
    let (_, response) =
        session.request(http::Method::POST, &path, "application/json", Some(("application/json", body))).await?;
    let created: Value = serde_json::from_slice(&response)?;
    print(&plan, &created)?;
    Ok(ExitCode::SUCCESS)
}

fn print(plan: &Plan, pod: &Value) -> std::io::Result<()> {
    use std::io::Write;
    let text = match &plan.format {
        Some(format) => format.print_objects(std::slice::from_ref(pod), true, true)?,
        None => {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            format!("{} created{}\n", display_name(&pod_resource(), name), plan.dry_run.suffix())
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn pod_resource() -> crate::client::ApiResource {
    crate::client::ApiResource {
        group: String::new(),
        version: "v1".into(),
        kind: "Pod".into(),
        plural: "pods".into(),
        singular: "pod".into(),
        namespaced: true,
        short_names: Vec::new(),
        categories: Vec::new(),
        verbs: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: RunArgs,
    }

    fn planned(argv: &[&str]) -> Result<Plan, ClientError> {
        let wrapper = Wrapper::try_parse_from(std::iter::once("run").chain(argv.iter().copied())).unwrap();
        plan(&wrapper.args)
    }

    #[test]
    fn pod_is_labelled_run_name_with_the_container_named_after_it() {
        let plan = planned(&["nginx", "--image=nginx", "--port=80"]).unwrap();
        assert_eq!(plan.pod["metadata"]["labels"], json!({"run": "nginx"}));
        assert_eq!(plan.pod["spec"]["containers"][0]["name"], "nginx");
        assert_eq!(plan.pod["spec"]["containers"][0]["ports"], json!([{"containerPort": 80}]));
    }

    #[test]
    fn command_flag_turns_arguments_into_the_command() {
        let plan = planned(&["x", "--image=busybox", "--command", "--", "sleep", "10"]).unwrap();
        assert_eq!(plan.pod["spec"]["containers"][0]["command"], json!(["sleep", "10"]));
    }

    #[test]
    fn bad_restart_policy_is_refused_before_any_request() {
        let err = planned(&["x", "--image=busybox", "--restart=Foo"]).err().unwrap();
        assert_eq!(err.message(), "error: invalid restart policy: Foo\nSee 'kubectl run -h' for help and examples");
    }
}
