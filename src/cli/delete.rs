//! `kctl delete`: by type and names, `TYPE/NAME`, `-f`, `-l` or `--all`; sends kubectl's
//! DeleteOptions (propagation policy, grace period), prints `pod "x" deleted`, then waits
//! until each object is gone unless `--wait=false`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::client::manifests::{self, quoted_name};
use crate::client::targets;
use crate::client::write::{self, DryRun, Failure};
use crate::client::{ApiResource, ClientError, ConnectionFlags, Discovery, Session};

#[derive(Args, Debug, Clone)]
pub struct DeleteArgs {
    /// TYPE [NAME ...] | TYPE/NAME ...
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// Files containing the resources to delete.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Selector (field query) to filter on.
    #[arg(long = "field-selector")]
    pub field_selector: Option<String>,
    /// Delete all resources, in the namespace of the specified resource types.
    #[arg(long)]
    pub all: bool,
    /// If present, list the requested object(s) across all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// Period of time in seconds given to the resource to terminate gracefully (-1: the type's default).
    #[arg(long = "grace-period", default_value_t = -1, allow_hyphen_values = true)]
    pub grace_period: i64,
    /// Immediately remove resources from the API and bypass graceful deletion.
    #[arg(long)]
    pub force: bool,
    /// If true, resources are signaled for immediate shutdown (same as --grace-period=1).
    #[arg(long)]
    pub now: bool,
    /// "background", "orphan", or "foreground".
    #[arg(long, default_value = "background", num_args = 0..=1, default_missing_value = "background")]
    pub cascade: String,
    /// If true, wait for resources to be gone before returning.
    #[arg(long, default_value = "true", num_args = 0..=1, default_missing_value = "true")]
    pub wait: String,
    /// The length of time to wait before giving up on a delete (0: a week).
    #[arg(long, default_value = "0s", value_parser = crate::machinery::duration::parse_go)]
    pub timeout: chrono::TimeDelta,
    /// Treat "resource not found" as a successful delete.
    #[arg(long = "ignore-not-found")]
    pub ignore_not_found: bool,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Output mode: "name" prints `kind/name`.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

/// What to delete, decided without the server.
enum Selection {
    Files(Vec<String>),
    Named(Vec<(String, Vec<String>)>),
    /// Types whose matching objects (selector, or all) are listed first.
    Listed(Vec<String>),
}

struct Plan {
    selection: Selection,
    body: Value,
    dry_run: DryRun,
    wait: bool,
    timeout: Duration,
    names_only: bool,
    warn_immediate: bool,
}

fn no_resources() -> ClientError {
    ClientError::Usage(
        "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"
            .to_string(),
    )
}

fn plan(args: &DeleteArgs) -> Result<Plan, ClientError> {
    let dry_run = DryRun::parse(args.dry_run.as_deref())?;
    let policy = match args.cascade.as_str() {
        "background" | "true" => "Background",
        "foreground" => "Foreground",
        "orphan" | "false" => "Orphan",
        other => {
            return Err(ClientError::Usage(format!(
                "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            )))
        }
    };
    let wait = match args.wait.as_str() {
        "true" => true,
        "false" => false,
        other => return Err(ClientError::Usage(format!("invalid argument \"{other}\" for \"--wait\" flag"))),
    };
    let mut grace = args.grace_period;
    if args.now {
        if grace >= 0 {
            return Err(ClientError::Usage("--now and --grace-period cannot be specified together".to_string()));
        }
        grace = 1;
    }
    if args.force && grace < 0 {
        grace = 0;
    }
    let warn_immediate = grace == 0 && args.force;
    if grace == 0 && !args.force {
        // kubectl turns a zero grace period without --force into the shortest graceful one.
        grace = 1;
    }
    let mut body = json!({"propagationPolicy": policy});
    if grace >= 0 {
        body["gracePeriodSeconds"] = json!(grace);
    }
    if dry_run == DryRun::Server {
        body["dryRun"] = json!(["All"]);
    }
    let timeout = match args.timeout.to_std() {
        Ok(limit) if !limit.is_zero() => limit,
        _ => Duration::from_secs(7 * 24 * 3600),
    };
    let selection = if !args.filename.is_empty() {
        if !args.args.is_empty() {
            return Err(ClientError::Usage(
                "when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well"
                    .to_string(),
            ));
        }
        Selection::Files(args.filename.clone())
    } else {
        let pairs = targets::split_args(&args.args)?;
        if pairs.is_empty() {
            return Err(no_resources());
        }
        let has_names = pairs.iter().any(|(_, names)| !names.is_empty());
        let selected = args.selector.is_some() || args.field_selector.is_some() || args.all;
        if has_names && selected {
            return Err(ClientError::Usage("name cannot be provided when a selector is specified".to_string()));
        }
        if has_names {
            Selection::Named(pairs)
        } else if selected {
            Selection::Listed(pairs.into_iter().map(|(kind, _)| kind).collect())
        } else {
            return Err(ClientError::Usage("resource(s) were provided, but no name was specified".to_string()));
        }
    };
    Ok(Plan {
        selection,
        body,
        dry_run,
        wait: wait && dry_run == DryRun::None,
        timeout,
        names_only: args.output.as_deref() == Some("name"),
        warn_immediate,
    })
}

pub fn run(flags: &ConnectionFlags, args: &DeleteArgs) -> ExitCode {
    crate::cli::exit::block_on(execute(flags, args))
}

/// One object to delete, and the context its errors are reported in.
pub struct Victim {
    pub resource: ApiResource,
    pub namespace: Option<String>,
    pub name: String,
    pub context: String,
}

async fn execute(flags: &ConnectionFlags, args: &DeleteArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args)?;
    let mut failures: Vec<Failure> = Vec::new();
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let namespace = session.namespace.clone();
    let mut victims: Vec<Victim> = Vec::new();
    let mut listed = false;
    match &plan.selection {
        Selection::Files(files) => {
            let (found, errors) = manifests::read_all(files, args.recursive);
            failures.extend(errors.iter().map(|e| Failure::Other(e.to_string())));
            for manifest in found {
                let mut object = manifest.object.clone();
                let Some(resource) = manifests::resource_for(&session, &mut discovery, &object).await? else {
                    failures.push(Failure::Other(
                        manifests::mapping_error(&manifest).trim_start_matches("error: ").to_string(),
                    ));
                    continue;
                };
                let ns = match manifests::set_namespace(&mut object, &resource, &session) {
                    Ok(ns) => ns,
                    Err(err) => {
                        failures.push(Failure::client(err));
                        continue;
                    }
                };
                victims.push(Victim {
                    namespace: resource.namespaced.then_some(ns),
                    name: object["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                    resource,
                    context: format!("error when deleting \"{}\"", manifest.source),
                });
            }
        }
        Selection::Named(pairs) => {
            for target in targets::resolve(&session, &mut discovery, pairs).await? {
                for name in &target.names {
                    victims.push(Victim {
                        namespace: target.resource.namespaced.then(|| namespace.clone()),
                        name: name.clone(),
                        resource: target.resource.clone(),
                        context: String::new(),
                    });
                }
            }
        }
        Selection::Listed(kinds) => {
            listed = true;
            let pairs: Vec<(String, Vec<String>)> = kinds.iter().map(|k| (k.clone(), Vec::new())).collect();
            for target in targets::resolve(&session, &mut discovery, &pairs).await? {
                let scope = (!args.all_namespaces).then_some(namespace.as_str());
                let mut params: Vec<(&str, &str)> = Vec::new();
                if let Some(selector) = args.selector.as_deref() {
                    params.push(("labelSelector", selector));
                }
                if let Some(selector) = args.field_selector.as_deref() {
                    params.push(("fieldSelector", selector));
                }
                let path = format!("{}{}", target.resource.collection_path(scope), write::query(&params, DryRun::None));
                let list = session.get_json(&path, "application/json").await?;
                for item in list["items"].as_array().into_iter().flatten() {
                    victims.push(Victim {
                        namespace: item["metadata"]["namespace"].as_str().map(str::to_string),
                        name: item["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                        resource: target.resource.clone(),
                        context: String::new(),
                    });
                }
            }
        }
    }
    if plan.warn_immediate {
        eprintln!("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    if listed && victims.is_empty() {
        println!("No resources found");
    }
    let mut out = std::io::stdout().lock();
    let mut deleted: Vec<(Victim, String)> = Vec::new();
    for victim in victims {
        let path = victim.resource.object_path(victim.namespace.as_deref(), &victim.name);
        let outcome = if plan.dry_run == DryRun::Client {
            session.get_json(&path, "application/json").await.map(|_| Value::Null)
        } else {
            let body = serde_json::to_vec(&plan.body)?;
            let query = write::query(&[], plan.dry_run);
            session
                .request(
                    http::Method::DELETE,
                    &format!("{path}{query}"),
                    "application/json",
                    Some(("application/json", body)),
                )
                .await
                .map(|(_, bytes)| serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        };
        match outcome {
            Ok(answer) => {
                if plan.names_only {
                    writeln!(out, "{}", manifests::display_name(&victim.resource, &victim.name))?;
                } else {
                    // kubectl's word for a zero grace period (which only --force keeps at 0).
                    let verb = if plan.warn_immediate { "force deleted" } else { "deleted" };
                    writeln!(out, "{} {verb}{}", quoted_name(&victim.resource, &victim.name), plan.dry_run.suffix())?;
                }
                out.flush()?;
                let uid = answer["metadata"]["uid"].as_str().unwrap_or_default().to_string();
                deleted.push((victim, uid));
            }
            Err(err) if err.is_not_found() && args.ignore_not_found => {}
            Err(err) => failures.push(match err {
                ClientError::Server(_) => Failure::Server {
                    err,
                    context: victim.context.clone(),
                    kind: victim.resource.kind.clone(),
                    name: victim.name.clone(),
                },
                other => Failure::client(other),
            }),
        }
    }
    drop(out);
    if plan.wait {
        let deadline = tokio::time::Instant::now() + plan.timeout;
        for (victim, uid) in &deleted {
            if let Err(err) = wait_gone(&session, victim, uid, deadline).await {
                failures.push(err);
            }
        }
    }
    write::report_failures(&failures, &mut std::io::stderr())?;
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Waits until the object is gone (or replaced by a new one with another uid): a GET,
/// then a watch on that one name from its resource version, as kubectl's wait does.
pub async fn wait_gone(
    session: &Session,
    victim: &Victim,
    uid: &str,
    deadline: tokio::time::Instant,
) -> Result<(), Failure> {
    let path = victim.resource.object_path(victim.namespace.as_deref(), &victim.name);
    let timed_out =
        || Failure::Other(format!("timed out waiting for the condition on {}/{}", victim.resource.plural, victim.name));
    loop {
        let version = match session.get_json(&path, "application/json").await {
            Err(err) if err.is_not_found() => return Ok(()),
            Err(err) => return Err(Failure::client(err)),
            Ok(object) => {
                let current = object["metadata"]["uid"].as_str().unwrap_or_default();
                if !uid.is_empty() && current != uid {
                    return Ok(());
                }
                object["metadata"]["resourceVersion"].as_str().unwrap_or_default().to_string()
            }
        };
        let selector = format!("metadata.name={}", victim.name);
        let query = write::query(
            &[("fieldSelector", selector.as_str()), ("resourceVersion", version.as_str()), ("watch", "true")],
            DryRun::None,
        );
        let watch_path = format!("{}{query}", victim.resource.collection_path(victim.namespace.as_deref()));
        let watched = tokio::time::timeout_at(deadline, async {
            let events = session.watch(&watch_path, "application/json").await?;
            futures::pin_mut!(events);
            while let Some(event) = events.next().await {
                if event?["type"] == "DELETED" {
                    return Ok(true);
                }
            }
            // The server ended the watch: look again.
            Ok::<bool, ClientError>(false)
        })
        .await;
        match watched {
            Err(_) => return Err(timed_out()),
            Ok(Ok(true)) => return Ok(()),
            Ok(Ok(false)) => {}
            Ok(Err(err)) if matches!(&err, ClientError::Server(s) if s.code == 410) => {}
            Ok(Err(err)) => return Err(Failure::client(err)),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(timed_out());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: DeleteArgs,
    }

    fn planned(argv: &[&str]) -> Result<Plan, ClientError> {
        plan(&Wrapper::try_parse_from(std::iter::once("delete").chain(argv.iter().copied())).unwrap().args)
    }

    #[test]
    fn cascade_and_grace_period_go_in_the_delete_options() {
        let plan = planned(&["pod", "x", "--cascade=orphan", "--grace-period=5"]).unwrap();
        assert_eq!(plan.body, json!({"propagationPolicy": "Orphan", "gracePeriodSeconds": 5}));
    }

    #[test]
    fn a_type_without_names_or_selector_is_refused() {
        let err = planned(&["pods"]).err().unwrap();
        assert_eq!(err.message(), "error: resource(s) were provided, but no name was specified");
    }

    #[test]
    fn force_means_immediate_deletion() {
        let plan = planned(&["pod", "x", "--force"]).unwrap();
        assert_eq!(plan.body["gracePeriodSeconds"], 0);
        assert!(plan.warn_immediate);
    }
}
