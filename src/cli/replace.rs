//! `kctl replace -f FILE`: PUTs each object of the files over the stored one (taking the
//! stored resource version when the file has none, as kubectl's `Helper.Replace`), or with
//! `--force` deletes each and creates it anew. Mirrors kubectl's `pkg/cmd/replace`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

use crate::cli::apply::with_last_applied;
use crate::cli::delete::{wait_gone, Victim};
use crate::client::manifests::{self, quoted_name};
use crate::client::write::{self, DryRun, Failure};
use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::OutputFormat;

#[derive(Args, Debug, Clone)]
pub struct ReplaceArgs {
    /// The files that contain the configurations to replace.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Replace a resource by deleting it and creating it anew.
    #[arg(long)]
    pub force: bool,
    /// Period of time in seconds given to the resource to terminate gracefully (with --force).
    #[arg(long = "grace-period", default_value_t = -1, allow_hyphen_values = true)]
    pub grace_period: i64,
    /// The length of time to wait before giving up on a delete (with --force; 0: a week).
    #[arg(long, default_value = "0s", value_parser = crate::machinery::duration::parse_go)]
    pub timeout: chrono::TimeDelta,
    /// If true, the configuration of the object is saved in its annotation.
    #[arg(long = "save-config")]
    pub save_config: bool,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager", default_value = "kubectl-replace")]
    pub field_manager: String,
}

pub fn run(flags: &ConnectionFlags, args: &ReplaceArgs) -> ExitCode {
    crate::cli::exit::block_on(replace(flags, args))
}

async fn replace(flags: &ConnectionFlags, args: &ReplaceArgs) -> anyhow::Result<ExitCode> {
    if args.filename.is_empty() {
        return Err(ClientError::Usage("must specify one of -f and -k".into()).into());
    }
    let dry_run = DryRun::parse(args.dry_run.as_deref())?;
    if args.force && dry_run != DryRun::None {
        return Err(ClientError::Usage("--dry-run can not be used when --force is set".into()).into());
    }
    let format = match args.output.as_deref().filter(|o| !o.is_empty()) {
        Some(output) => Some(OutputFormat::parse(Some(output)).map_err(|e| ClientError::Usage(e.to_string()))?),
        None => None,
    };
    let (found, errors) = manifests::read_all(&args.filename, args.recursive);
    let mut failures: Vec<Failure> = errors.iter().map(|e| Failure::Other(e.to_string())).collect();
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let mut out = std::io::stdout().lock();
    let mut ready = Vec::new();
    for manifest in found {
        let manifests::Placed { mut object, resource, namespace, name } =
            match manifests::place(&session, &mut discovery, &manifest).await? {
                Ok(placed) => placed,
                Err(failure) => {
                    failures.push(failure);
                    continue;
                }
            };
        if args.save_config {
            object = with_last_applied(object);
        }
        let namespace = resource.namespaced.then_some(namespace);
        let context = format!("error when replacing \"{}\"", manifest.source);
        ready.push((Victim { resource, namespace, name, context }, object));
    }
    if args.force {
        force_replace(&session, args, &ready, format.as_ref(), &mut out, &mut failures).await?;
    } else {
        for (victim, object) in &ready {
            match put(&session, args, victim, object.clone(), dry_run).await {
                Ok(replaced) => print(&mut out, format.as_ref(), &replaced, dry_run)?,
                Err(err) => failures.push(server_failure(err, victim)),
            }
        }
    }
    out.flush()?;
    drop(out);
    write::report_failures(&failures, &mut std::io::stderr())?;
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A PUT of the object; without a resource version in the file, the stored one's.
async fn put(
    session: &Session,
    args: &ReplaceArgs,
    victim: &Victim,
    mut object: Value,
    dry_run: DryRun,
) -> Result<Value, ClientError> {
    if dry_run == DryRun::Client {
        return Ok(object);
    }
    let path = victim.resource.object_path(victim.namespace.as_deref(), &victim.name);
    let versioned = object.pointer("/metadata/resourceVersion").and_then(Value::as_str).is_some_and(|v| !v.is_empty());
    if !versioned {
        // A missing object is left to the PUT, whose NotFound is the error kubectl shows.
        if let Ok(stored) = session.get_json(&path, "application/json").await {
            if let Some(version) = stored.pointer("/metadata/resourceVersion").cloned() {
                object["metadata"]["resourceVersion"] = version;
            }
        }
    }
    let query = write::query(&[("fieldManager", args.field_manager.as_str()), ("fieldValidation", "Strict")], dry_run);
    let body = serde_json::to_vec(&object).map_err(|e| ClientError::Transport(e.to_string()))?;
    let (_, bytes) = session
        .request(http::Method::PUT, &format!("{path}{query}"), "application/json", Some(("application/json", body)))
        .await?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport(format!("decoding {path}: {e}")))
}

/// `--force`: every object is deleted (and waited for), then each is created.
async fn force_replace(
    session: &Session,
    args: &ReplaceArgs,
    ready: &[(Victim, Value)],
    format: Option<&OutputFormat>,
    out: &mut dyn Write,
    failures: &mut Vec<Failure>,
) -> anyhow::Result<()> {
    let mut options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"});
    if args.grace_period >= 0 {
        options["gracePeriodSeconds"] = json!(args.grace_period);
    }
    let timeout = args.timeout.to_std().unwrap_or_default();
    let wait = if timeout.is_zero() { Duration::from_secs(7 * 24 * 3600) } else { timeout };
    let deadline = tokio::time::Instant::now() + wait;
    for (victim, _) in ready {
        let path = victim.resource.object_path(victim.namespace.as_deref(), &victim.name);
        let body = serde_json::to_vec(&options)?;
        match session.request(http::Method::DELETE, &path, "application/json", Some(("application/json", body))).await {
            Ok((_, bytes)) => {
                let deleted: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                writeln!(out, "{} deleted", quoted_name(&victim.resource, &victim.name))?;
                let uid = deleted.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
                if let Err(failure) = wait_gone(session, victim, &uid, deadline).await {
                    failures.push(failure);
                }
            }
            // Gone already: kubectl goes on to create it.
            Err(err) if err.is_not_found() => {}
            Err(err) => failures.push(server_failure(err, victim)),
        }
    }
    for (victim, object) in ready {
        let mut object = object.clone();
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("resourceVersion");
        }
        let path = format!(
            "{}{}",
            victim.resource.collection_path(victim.namespace.as_deref()),
            write::query(&[("fieldManager", args.field_manager.as_str()), ("fieldValidation", "Strict")], DryRun::None)
        );
        let body = serde_json::to_vec(&object)?;
        match session.request(http::Method::POST, &path, "application/json", Some(("application/json", body))).await {
            Ok((_, bytes)) => {
                let created: Value = serde_json::from_slice(&bytes).unwrap_or(object);
                print(out, format, &created, DryRun::None)?;
            }
            Err(err) => failures.push(server_failure(err, victim)),
        }
    }
    Ok(())
}

fn server_failure(err: ClientError, victim: &Victim) -> Failure {
    match err {
        err @ ClientError::Server(_) => Failure::Server {
            err,
            context: victim.context.clone(),
            kind: victim.resource.kind.clone(),
            name: victim.name.clone(),
        },
        other => Failure::client(other),
    }
}

/// `configmap/x replaced`, or the object in the `-o` format (without managed fields).
fn print(out: &mut dyn Write, format: Option<&OutputFormat>, object: &Value, dry_run: DryRun) -> std::io::Result<()> {
    let name = crate::printers::name_of(object);
    match format {
        None => writeln!(out, "{name} replaced{}", dry_run.suffix()),
        Some(OutputFormat::Name) => writeln!(out, "{name}"),
        Some(format) => {
            let mut object = object.clone();
            crate::cli::get::strip_managed_fields(&mut object);
            out.write_all(format.print_objects(std::slice::from_ref(&object), true, true)?.as_bytes())
        }
    }
}
