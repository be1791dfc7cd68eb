//! `kctl create -f FILE` and the generators kubectl has (`create deployment|namespace|
//! configmap|secret generic|job`), building the same objects kubectl builds and creating
//! them with `fieldManager=kubectl-create`.

use std::io::Write;
use std::process::ExitCode;

use base64::Engine;
use clap::{Args, Subcommand};

mod access;
mod job_from;
mod policy;
mod service;
mod token;
use serde_json::{json, Map, Value};

use crate::client::manifests::{self, Manifest};
use crate::client::write::{self, DryRun, Failure};
use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::OutputFormat;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CreateArgs {
    #[command(subcommand)]
    pub generator: Option<Generator>,
    /// Files that contain the configuration to create.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "", global = true)]
    pub dry_run: Option<String>,
    /// Output format: json, yaml or name.
    #[arg(short = 'o', long, global = true)]
    pub output: Option<String>,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager", default_value = "kubectl-create", global = true)]
    pub field_manager: String,
    /// Schema validation: strict, warn, ignore (the server validates fields).
    #[arg(long, num_args = 0..=1, default_missing_value = "strict", global = true)]
    pub validate: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Generator {
    /// Create a deployment with the specified name.
    #[command(alias = "deploy")]
    Deployment(DeploymentArgs),
    /// Create a namespace with the specified name.
    #[command(alias = "ns")]
    Namespace(NameArgs),
    /// Create a config map from a local file, directory or literal value.
    #[command(alias = "cm")]
    Configmap(DataArgs),
    /// Create a secret using a specified subcommand.
    Secret {
        #[command(subcommand)]
        kind: SecretKind,
    },
    /// Create a job with the specified name.
    Job(JobArgs),
    /// Create a cron job with the specified name.
    #[command(alias = "cj")]
    Cronjob(CronJobArgs),
    /// Create a service using a specified subcommand.
    #[command(alias = "svc")]
    Service {
        #[command(subcommand)]
        kind: service::ServiceKind,
    },
    /// Create a service account with the specified name.
    #[command(alias = "sa")]
    Serviceaccount(NameArgs),
    /// Create a role binding for a particular role or cluster role.
    Rolebinding(access::RoleBindingArgs),
    /// Create a cluster role binding for a particular cluster role.
    Clusterrolebinding(access::ClusterRoleBindingArgs),
    /// Create a quota with the specified name.
    #[command(alias = "resourcequota")]
    Quota(policy::QuotaArgs),
    /// Create a priority class with the specified name.
    #[command(alias = "pc")]
    Priorityclass(policy::PriorityClassArgs),
    /// Create a pod disruption budget with the specified name.
    #[command(alias = "pdb")]
    Poddisruptionbudget(policy::PdbArgs),
    /// Request a service account token.
    Token(token::TokenArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CronJobArgs {
    pub name: Option<String>,
    /// Image name to run.
    #[arg(long)]
    pub image: Option<String>,
    /// A schedule in the Cron format the job should be run with.
    #[arg(long)]
    pub schedule: Option<String>,
    /// job's restart policy. supported values: OnFailure, Never
    #[arg(long)]
    pub restart: Option<String>,
    /// The command of the job's container.
    #[arg(last = true)]
    pub command: Vec<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SecretKind {
    /// Create a secret from a local file, directory, or literal value.
    Generic(SecretArgs),
}

#[derive(Args, Debug, Clone)]
pub struct NameArgs {
    pub name: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DeploymentArgs {
    pub name: Option<String>,
    /// Image names to run (repeatable).
    #[arg(long)]
    pub image: Vec<String>,
    /// Number of replicas to create.
    #[arg(short = 'r', long, default_value_t = 1)]
    pub replicas: i64,
    /// The containerPort that this deployment exposes.
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    pub port: i64,
    /// A command to run in the container.
    #[arg(last = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    pub name: Option<String>,
    /// Key and literal value (key=value, repeatable).
    #[arg(long = "from-literal")]
    pub from_literal: Vec<String>,
    /// Key file (path, or key=path, repeatable).
    #[arg(long = "from-file")]
    pub from_file: Vec<String>,
    /// Files of key=val lines to read the data from.
    #[arg(long = "from-env-file", value_delimiter = ',')]
    pub from_env_file: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct SecretArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The type of secret to create.
    #[arg(long = "type")]
    pub secret_type: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct JobArgs {
    pub name: Option<String>,
    /// Image name to run.
    #[arg(long)]
    pub image: Option<String>,
    /// The command of the job's container.
    #[arg(last = true)]
    pub command: Vec<String>,
    /// The name of the resource to create a Job from (only cronjob is supported).
    #[arg(long)]
    pub from: Option<String>,
}

/// What a create does: objects from files, or one built by a generator.
struct Plan {
    sources: Vec<String>,
    recursive: bool,
    built: Option<Value>,
    dry_run: DryRun,
    format: Option<OutputFormat>,
    manager: String,
}

fn required_name(name: &Option<String>, verb: &str) -> Result<String, ClientError> {
    name.clone().filter(|n| !n.is_empty()).ok_or_else(|| {
        ClientError::Usage(format!(
            "exactly one NAME is required, got 0\nSee 'kubectl create {verb} -h' for help and examples"
        ))
    })
}

/// `registry/path/app:1.0@sha256:…` → `app`: the container name kubectl derives from an image.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    let last = last.split(':').next().unwrap_or(last);
    last.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect()
}

fn data_of(args: &DataArgs, encode: bool) -> Result<Map<String, Value>, ClientError> {
    let mut data = Map::new();
    if !args.from_env_file.is_empty() {
        if !args.from_file.is_empty() || !args.from_literal.is_empty() {
            return Err(ClientError::Usage("from-env-file cannot be combined with from-file or from-literal".into()));
        }
        let what = if encode { "env secret file" } else { "env config file" };
        for path in &args.from_env_file {
            for (key, value) in env_file(path, what)? {
                let value = if encode {
                    json!(base64::engine::general_purpose::STANDARD.encode(value.as_bytes()))
                } else {
                    json!(value)
                };
                data.insert(key, value);
            }
        }
        return Ok(data);
    }
    let value = |bytes: &[u8]| -> Value {
        if encode {
            json!(base64::engine::general_purpose::STANDARD.encode(bytes))
        } else {
            json!(String::from_utf8_lossy(bytes))
        }
    };
    for item in &args.from_file {
        let (key, path) = match item.split_once('=') {
            Some((key, path)) => (key.to_string(), path.to_string()),
            None => {
                let key = std::path::Path::new(item).file_name().map(|f| f.to_string_lossy().into_owned());
                (key.unwrap_or_else(|| item.clone()), item.clone())
            }
        };
        let bytes = std::fs::read(&path).map_err(|e| ClientError::Usage(format!("error reading {path}: {e}")))?;
        if data.contains_key(&key) {
            return Err(ClientError::Usage(format!(
                "cannot add key {key}, another key by that name already exists in Data: {data:?}"
            )));
        }
        data.insert(key, value(&bytes));
    }
    for item in &args.from_literal {
        let Some((key, literal)) = item.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(ClientError::Usage(format!("invalid literal source {item}, expected key=value")));
        };
        data.insert(key.to_string(), value(literal.as_bytes()));
    }
    Ok(data)
}

/// kubectl's `AddFromEnvFile`: `KEY=value` lines (blank lines and `#` comments skipped, a
/// leading BOM and indentation dropped); a bare `KEY` takes its value from kctl's environment.
fn env_file(path: &str, what: &str) -> Result<Vec<(String, String)>, ClientError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ClientError::Usage(format!("error reading {path}: {}", crate::machinery::gotext::io_error(&e))))?;
    if meta.is_dir() {
        return Err(ClientError::Usage(format!("{what} cannot be a directory")));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| ClientError::Usage(format!("error reading {path}: {}", crate::machinery::gotext::io_error(&e))))?;
    let mut pairs = Vec::new();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(mut text) = std::str::from_utf8(line) else {
            return Err(ClientError::Usage(format!(
                "env file {path} contains invalid utf8 bytes at line {}: {line:?}",
                index + 1
            )));
        };
        if index == 0 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        let text = text.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key, value.to_string()),
            None => (text, std::env::var(text).unwrap_or_default()),
        };
        let errs = crate::machinery::validation::is_env_var_name(key);
        if !errs.is_empty() {
            return Err(ClientError::Usage(format!("{key:?} is not a valid key name: {}", errs.join(";"))));
        }
        pairs.push((key.to_string(), value));
    }
    Ok(pairs)
}

fn build(generator: &Generator) -> Result<Value, ClientError> {
    Ok(match generator {
        Generator::Deployment(args) => {
            let name = required_name(&args.name, "deployment")?;
            if args.image.is_empty() {
                return Err(ClientError::Usage("required flag(s) \"image\" not set".to_string()));
            }
            let containers: Vec<Value> = args
                .image
                .iter()
                .map(|image| {
                    let mut container = json!({"name": container_name(image), "image": image, "resources": {}});
                    if !args.command.is_empty() {
                        container["command"] = json!(args.command);
                    }
                    if args.port >= 0 {
                        container["ports"] = json!([{"containerPort": args.port}]);
                    }
                    container
                })
                .collect();
            json!({
                "kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": name, "creationTimestamp": null, "labels": {"app": name}},
                "spec": {
                    "replicas": args.replicas,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": {"app": name}},
                        "spec": {"containers": containers},
                    },
                    "strategy": {},
                },
                "status": {},
            })
        }
        Generator::Namespace(args) => {
            let name = required_name(&args.name, "namespace")?;
            json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": null}, "spec": {}, "status": {}})
        }
        Generator::Configmap(args) => {
            let name = required_name(&args.name, "configmap")?;
            let mut object =
                json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": null}});
            let data = data_of(args, false)?;
            if !data.is_empty() {
                object["data"] = Value::Object(data);
            }
            object
        }
        Generator::Secret { kind: SecretKind::Generic(args) } => {
            let name = required_name(&args.data.name, "secret generic")?;
            let mut object =
                json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": null}});
            let data = data_of(&args.data, true)?;
            if !data.is_empty() {
                object["data"] = Value::Object(data);
            }
            if let Some(kind) = args.secret_type.as_deref().filter(|t| !t.is_empty()) {
                object["type"] = json!(kind);
            }
            object
        }
        Generator::Cronjob(args) => cron_job(args)?,
        Generator::Service { kind } => service::build(kind)?,
        Generator::Serviceaccount(args) => access::service_account(&args.name)?,
        Generator::Rolebinding(args) => access::role_binding(args)?,
        Generator::Clusterrolebinding(args) => access::cluster_role_binding(args)?,
        Generator::Quota(args) => policy::quota(args)?,
        Generator::Priorityclass(args) => policy::priority_class(args)?,
        Generator::Poddisruptionbudget(args) => policy::pod_disruption_budget(args)?,
        Generator::Token(_) => return Err(ClientError::Usage("create token is not a manifest".into())),
        Generator::Job(args) => {
            let name = required_name(&args.name, "job")?;
            let from = args.from.as_deref().filter(|f| !f.is_empty());
            let image = args.image.clone().filter(|i| !i.is_empty());
            if image.is_some() == from.is_some() {
                return Err(ClientError::Usage("either --image or --from must be specified".to_string()));
            }
            if from.is_some() && !args.command.is_empty() {
                return Err(ClientError::Usage("cannot specify --from and command".to_string()));
            }
            // The job of a CronJob is made once the CronJob is read (`job_from`).
            let Some(image) = image else {
                return Ok(json!({"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": name}}));
            };
            let mut container = json!({"name": name, "image": image, "resources": {}});
            if !args.command.is_empty() {
                container["command"] = json!(args.command);
            }
            json!({
                "kind": "Job", "apiVersion": "batch/v1",
                "metadata": {"name": name, "creationTimestamp": null},
                "spec": {"template": {
                    "metadata": {"creationTimestamp": null},
                    "spec": {"containers": [container], "restartPolicy": "Never"},
                }},
                "status": {},
            })
        }
    })
}

impl CreateArgs {
    /// Whether the generator has a `--user` flag of its own (the binding's subjects).
    pub fn binds_users(&self) -> bool {
        matches!(self.generator, Some(Generator::Rolebinding(_)) | Some(Generator::Clusterrolebinding(_)))
    }
}

fn cron_job(args: &CronJobArgs) -> Result<Value, ClientError> {
    let name = required_name(&args.name, "cronjob")?;
    let missing: Vec<&str> = [("image", &args.image), ("schedule", &args.schedule)]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|n| format!("\"{n}\"")).collect();
        return Err(ClientError::Usage(format!("required flag(s) {} not set", quoted.join(", "))));
    }
    let mut container = json!({"name": name, "image": args.image, "resources": {}});
    if !args.command.is_empty() {
        container["command"] = json!(args.command);
    }
    let restart = args.restart.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "OnFailure".to_string());
    Ok(json!({
        "kind": "CronJob", "apiVersion": "batch/v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "spec": {
            "schedule": args.schedule,
            "jobTemplate": {
                "metadata": {"name": name, "creationTimestamp": null},
                "spec": {"template": {
                    "metadata": {"creationTimestamp": null},
                    "spec": {"containers": [container], "restartPolicy": restart},
                }},
            },
        },
        "status": {},
    }))
}

fn plan(args: &CreateArgs) -> Result<Plan, ClientError> {
    let built = args.generator.as_ref().map(build).transpose()?;
    if built.is_none() && args.filename.is_empty() {
        return Err(ClientError::Usage("must specify one of -f and -k".to_string()));
    }
    let format = match args.output.as_deref() {
        None | Some("") => None,
        Some(output) => Some(OutputFormat::parse(Some(output)).map_err(|e| ClientError::Usage(e.to_string()))?),
    };
    Ok(Plan {
        sources: args.filename.clone(),
        recursive: args.recursive,
        built,
        dry_run: DryRun::parse(args.dry_run.as_deref())?,
        format,
        manager: args.field_manager.clone(),
    })
}

pub fn run(flags: &ConnectionFlags, args: &CreateArgs) -> ExitCode {
    crate::cli::exit::block_on(execute(flags, args))
}

async fn execute(flags: &ConnectionFlags, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    if let Some(Generator::Token(token)) = &args.generator {
        return token::run(flags, token).await;
    }
    let mut plan = plan(args)?;
    if let (Some(Generator::Job(job)), Some(built)) = (&args.generator, plan.built.as_mut()) {
        if let Some(from) = job.from.as_deref().filter(|f| !f.is_empty()) {
            *built = job_from::job_from(flags, from, built).await?;
        }
    }
    let mut failures: Vec<Failure> = Vec::new();
    let manifests = match &plan.built {
        Some(object) => vec![Manifest { source: String::new(), object: object.clone() }],
        None => {
            let (found, errors) = manifests::read_all(&plan.sources, plan.recursive);
            failures.extend(errors.iter().map(|e| Failure::Other(e.to_string())));
            found
        }
    };
    let mut out = std::io::stdout().lock();
    // A client dry run of a generator needs no server at all, as kubectl.
    if plan.built.is_some() && plan.dry_run == DryRun::Client {
        let mut object = manifests[0].object.clone();
        // An explicit -n shows in the object, as kubectl enforces it.
        if let Some(namespace) = flags.namespace.as_deref().filter(|n| !n.is_empty() && object["kind"] != "Namespace") {
            object["metadata"]["namespace"] = Value::String(namespace.to_string());
        }
        print(&mut out, &plan, &object, None)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut printed = Vec::new();
    if !manifests.is_empty() {
        let session = Session::connect(flags).await?;
        let mut discovery = Discovery::load(&session).await?;
        for manifest in &manifests {
            let manifests::Placed { object, resource, namespace, name } =
                match manifests::place(&session, &mut discovery, manifest).await? {
                    Ok(placed) => placed,
                    Err(failure) => {
                        failures.push(failure);
                        continue;
                    }
                };
            if plan.dry_run == DryRun::Client {
                print(&mut out, &plan, &object, Some(&mut printed))?;
                continue;
            }
            let path = format!(
                "{}{}",
                resource.collection_path(resource.namespaced.then_some(namespace.as_str())),
                write::query(&[("fieldManager", plan.manager.as_str()), ("fieldValidation", "Strict")], plan.dry_run)
            );
            let body = serde_json::to_vec(&object)?;
            match session.request(http::Method::POST, &path, "application/json", Some(("application/json", body))).await
            {
                Ok((_, bytes)) => {
                    let created: Value = serde_json::from_slice(&bytes).unwrap_or(object);
                    print(&mut out, &plan, &created, Some(&mut printed))?;
                }
                Err(ClientError::Server(status)) if plan.built.is_some() && generator_prefix(&object).is_some() => {
                    let prefix = generator_prefix(&object).unwrap_or_default();
                    failures.push(Failure::Other(format!("{prefix}{}", status.message)));
                }
                Err(err @ ClientError::Server(_)) => {
                    let context = if manifest.source.is_empty() {
                        String::new()
                    } else {
                        format!("error when creating \"{}\"", manifest.source)
                    };
                    failures.push(Failure::Server { err, context, kind: resource.kind.clone(), name });
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
    if let Some(format) = plan.format.as_ref().filter(|f| !matches!(f, OutputFormat::Name)) {
        if !printed.is_empty() {
            out.write_all(format.print_objects(&printed, printed.len() == 1, true)?.as_bytes())?;
        }
    }
    out.flush()?;
    drop(out);
    write::report_failures(&failures, &mut std::io::stderr())?;
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// How kubectl's generators word a failed create (each its own way; namespace uses the
/// server's words).
fn generator_prefix(object: &Value) -> Option<String> {
    let fixed = match object["kind"].as_str()? {
        "Service" => {
            let service_type = object.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP");
            return Some(format!("failed to create {service_type} service: "));
        }
        "Deployment" => "failed to create deployment: ",
        "ConfigMap" => "failed to create configmap: ",
        "Secret" => "failed to create secret ",
        "Job" => "failed to create job: ",
        "CronJob" => "failed to create cronjob: ",
        "ResourceQuota" => "failed to create quota: ",
        "PodDisruptionBudget" => "failed to create poddisruptionbudgets: ",
        "RoleBinding" => "failed to create rolebinding: ",
        "ClusterRoleBinding" => "failed to create clusterrolebinding: ",
        "PriorityClass" => "failed to create priorityclass: ",
        "ServiceAccount" => "failed to create serviceaccount: ",
        _ => return None,
    };
    Some(fixed.to_string())
}

/// `kind.group/name created`, or `-o name`; other formats print the objects at the end
/// (all at once when `collected` is given, right away otherwise).
fn print(out: &mut dyn Write, plan: &Plan, object: &Value, collected: Option<&mut Vec<Value>>) -> std::io::Result<()> {
    let name = crate::printers::name_of(object);
    // kubectl's printers leave managed fields out (no --show-managed-fields here).
    let mut object = object.clone();
    crate::cli::get::strip_managed_fields(&mut object);
    let object = &object;
    match &plan.format {
        None => writeln!(out, "{name} created{}", plan.dry_run.suffix()),
        Some(OutputFormat::Name) => writeln!(out, "{name}"),
        Some(format) => match collected {
            Some(list) => {
                list.push(object.clone());
                Ok(())
            }
            None => out.write_all(format.print_objects(std::slice::from_ref(object), true, true)?.as_bytes()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_come_from_the_image_path() {
        assert_eq!(container_name("nginx"), "nginx");
        assert_eq!(container_name("reg.io/my/app:1.0"), "app");
        assert_eq!(container_name("busybox@sha256:abc"), "busybox");
    }

    #[test]
    fn secrets_hold_base64_and_configmaps_plain_text() {
        let args = DataArgs {
            name: Some("s".into()),
            from_literal: vec!["a=b".into()],
            from_file: Vec::new(),
            from_env_file: Vec::new(),
        };
        assert_eq!(data_of(&args, true).unwrap()["a"], "Yg==");
        assert_eq!(data_of(&args, false).unwrap()["a"], "b");
    }
}
