//! `kctl apply -f`: client-side apply as kubectl (create with the last-applied annotation,
//! or a three-way strategic merge patch computed from the server's OpenAPI schemas), or
//! `--server-side` apply patches. Every object is tried; failures are reported at the end.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::{Map, Value};

use crate::client::manifests::{self, display_name, Manifest};
use crate::client::openapi::OpenApi;
use crate::client::write::{self, DryRun, Failure};
use crate::client::{ApiResource, ClientError, ConnectionFlags, Discovery, Session};
use crate::machinery::patch::schema::NoSchema;
use crate::machinery::patch::threeway::three_way_patch;
use crate::printers::OutputFormat;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

const CONFLICT_HELP: &str = "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    /// The files that contain the configurations to apply.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// If true, apply runs in the server instead of the client.
    #[arg(long = "server-side")]
    pub server_side: bool,
    /// If true, server-side apply will force the changes against conflicts.
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager")]
    pub field_manager: Option<String>,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Output format: json, yaml or name.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Schema validation: strict, warn, ignore (the server validates fields).
    #[arg(long, num_args = 0..=1, default_missing_value = "strict")]
    pub validate: Option<String>,
}

/// The validated plan of an `apply` (no network yet).
struct Plan {
    filenames: Vec<String>,
    recursive: bool,
    server_side: bool,
    force: bool,
    manager: String,
    dry_run: DryRun,
    format: Option<OutputFormat>,
    strict: bool,
}

fn plan(args: &ApplyArgs) -> Result<Plan, ClientError> {
    if args.filename.is_empty() {
        return Err(ClientError::Usage("must specify one of -f and -k".to_string()));
    }
    if args.force_conflicts && !args.server_side {
        return Err(ClientError::Usage("--force-conflicts only works with --server-side".to_string()));
    }
    let format = match args.output.as_deref() {
        None | Some("") => None,
        Some(output) => Some(OutputFormat::parse(Some(output)).map_err(|e| ClientError::Usage(e.to_string()))?),
    };
    let default_manager = if args.server_side { "kubectl" } else { "kubectl-client-side-apply" };
    Ok(Plan {
        filenames: args.filename.clone(),
        recursive: args.recursive,
        server_side: args.server_side,
        force: args.force_conflicts,
        manager: args.field_manager.clone().unwrap_or_else(|| default_manager.to_string()),
        dry_run: DryRun::parse(args.dry_run.as_deref())?,
        format,
        strict: !matches!(args.validate.as_deref(), Some("ignore" | "false" | "warn")),
    })
}

pub fn run(flags: &ConnectionFlags, args: &ApplyArgs) -> ExitCode {
    crate::cli::exit::block_on(execute(flags, args))
}

/// Where one object stands while applying it.
struct Target<'a> {
    manifest: &'a Manifest,
    resource: ApiResource,
    namespace: String,
    name: String,
}

async fn execute(flags: &ConnectionFlags, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args)?;
    let (manifests, read_errors) = manifests::read_all(&plan.filenames, plan.recursive);
    let mut failures: Vec<Failure> = read_errors.iter().map(|e| Failure::Other(e.to_string())).collect();
    if manifests.is_empty() && failures.is_empty() {
        return Err(ClientError::Usage("no objects passed to apply".to_string()).into());
    }
    let mut printed: Vec<Value> = Vec::new();
    if !manifests.is_empty() {
        let session = Session::connect(flags).await?;
        let mut discovery = Discovery::load(&session).await?;
        let mut openapi = OpenApi::load(&session).await?;
        let mut out = std::io::stdout().lock();
        for manifest in &manifests {
            let manifests::Placed { object, resource, namespace, name } =
                match manifests::place(&session, &mut discovery, manifest).await? {
                    Ok(placed) => placed,
                    Err(failure) => {
                        failures.push(failure);
                        continue;
                    }
                };
            let target = Target { manifest, resource, namespace, name };
            let outcome = if plan.server_side {
                server_side(&session, &plan, &target, &object).await
            } else {
                client_side(&session, &mut openapi, &plan, &target, object).await
            };
            match outcome {
                Ok((verb, result)) => {
                    match &plan.format {
                        Some(OutputFormat::Name) | None => {
                            let suffix = if plan.format.is_some() {
                                String::new()
                            } else {
                                format!(" {verb}{}", plan.dry_run.suffix())
                            };
                            writeln!(out, "{}{suffix}", display_name(&target.resource, &target.name))?;
                        }
                        Some(_) => printed.push(result),
                    }
                    out.flush()?;
                }
                Err(failure) => failures.push(failure),
            }
        }
        if let Some(format) = plan.format.as_ref().filter(|_| !printed.is_empty()) {
            let single = printed.len() == 1;
            out.write_all(format.print_objects(&printed, single, true)?.as_bytes())?;
            out.flush()?;
        }
    }
    write::report_failures(&failures, &mut std::io::stderr())?;
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `"apps/v1, Resource=deployments", GroupVersionKind: "apps/v1, Kind=Deployment"` and
/// the name lines kubectl puts in its apply errors.
fn describe_target(target: &Target) -> String {
    let r = &target.resource;
    let gv = format!("{}/{}", r.group, r.version);
    format!(
        "Resource: \"{gv}, Resource={}\", GroupVersionKind: \"{gv}, Kind={}\"\nName: \"{}\", Namespace: \"{}\"",
        r.plural, r.kind, target.name, target.namespace
    )
}

fn server_failure(err: ClientError, context: String, target: &Target) -> Failure {
    match err {
        ClientError::Server(_) => {
            Failure::Server { err, context, kind: target.resource.kind.clone(), name: target.name.clone() }
        }
        other => Failure::client(other),
    }
}

fn namespace_of<'a>(target: &'a Target<'_>) -> Option<&'a str> {
    target.resource.namespaced.then_some(target.namespace.as_str())
}

/// The object with the last-applied annotation kubectl would write for it.
pub fn with_last_applied(mut object: Value) -> Value {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else { return object };
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    if let Some(map) = annotations.as_object_mut() {
        map.remove(LAST_APPLIED);
    }
    // Go's encoder: sorted keys, HTML-safe escapes, a final newline.
    let text = format!("{}\n", crate::machinery::gotext::go_compact(&object));
    object["metadata"]["annotations"][LAST_APPLIED] = Value::String(text);
    object
}

async fn client_side(
    session: &Session,
    openapi: &mut OpenApi,
    plan: &Plan,
    target: &Target<'_>,
    object: Value,
) -> Result<(&'static str, Value), Failure> {
    let source = &target.manifest.source;
    let path = target.resource.object_path(namespace_of(target), &target.name);
    let api_version = target.resource.api_version();
    let schema = openapi
        .patch_schema(session, &api_version, &target.resource.kind)
        .await
        .map_err(|e| server_failure(e, String::new(), target))?;
    let modified = with_last_applied(object);
    let mut params = vec![("fieldManager", plan.manager.as_str())];
    if plan.strict {
        params.push(("fieldValidation", "Strict"));
    }
    let query = write::query(&params, plan.dry_run);
    let current = match session.get_json(&path, "application/json").await {
        Ok(current) => current,
        Err(err) if err.is_not_found() => {
            if plan.dry_run == DryRun::Client {
                return Ok(("created", modified));
            }
            let collection = target.resource.collection_path(namespace_of(target));
            let body = serde_json::to_vec(&modified).map_err(|e| Failure::Other(e.to_string()))?;
            let created = session
                .request(
                    http::Method::POST,
                    &format!("{collection}{query}"),
                    "application/json",
                    Some(("application/json", body)),
                )
                .await
                .map_err(|e| server_failure(e, format!("error when creating \"{source}\""), target))?;
            let created = serde_json::from_slice(&created.1).unwrap_or(Value::Null);
            return Ok(("created", created));
        }
        Err(err) => {
            let context = format!(
                "error when retrieving current configuration of:\n{}\nfrom server for: \"{source}\"",
                describe_target(target)
            );
            return Err(server_failure(err, context, target));
        }
    };
    if current["metadata"]["annotations"][LAST_APPLIED].as_str().is_none() {
        eprintln!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.",
            target.resource.plural, target.name
        );
    }
    let original = current["metadata"]["annotations"][LAST_APPLIED]
        .as_str()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .unwrap_or(Value::Null);
    let (patch, content_type) = match &schema {
        Some(schema) => {
            (three_way_patch(&original, &modified, &current, schema.as_ref()), "application/strategic-merge-patch+json")
        }
        None => (three_way_patch(&original, &modified, &current, &NoSchema), "application/merge-patch+json"),
    };
    if patch.as_object().is_some_and(Map::is_empty) {
        return Ok(("unchanged", current));
    }
    if plan.dry_run == DryRun::Client {
        return Ok(("configured", modified));
    }
    let body = serde_json::to_vec(&patch).map_err(|e| Failure::Other(e.to_string()))?;
    let patched = session
        .request(http::Method::PATCH, &format!("{path}{query}"), "application/json", Some((content_type, body)))
        .await
        .map_err(|e| {
            let context = format!(
                "error when applying patch:\n{}\nto:\n{}\nfor: \"{source}\": error when patching \"{source}\"",
                crate::machinery::gotext::go_compact(&patch),
                describe_target(target)
            );
            server_failure(e, context, target)
        })?;
    Ok(("configured", serde_json::from_slice(&patched.1).unwrap_or(Value::Null)))
}

async fn server_side(
    session: &Session,
    plan: &Plan,
    target: &Target<'_>,
    object: &Value,
) -> Result<(&'static str, Value), Failure> {
    if plan.dry_run == DryRun::Client {
        return Err(Failure::Other(
            "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)".to_string(),
        ));
    }
    let path = target.resource.object_path(namespace_of(target), &target.name);
    let mut params = vec![("fieldManager", plan.manager.as_str())];
    if plan.strict {
        params.push(("fieldValidation", "Strict"));
    }
    if plan.force {
        params.push(("force", "true"));
    }
    let query = write::query(&params, plan.dry_run);
    let body = serde_json::to_vec(object).map_err(|e| Failure::Other(e.to_string()))?;
    match session
        .request(
            http::Method::PATCH,
            &format!("{path}{query}"),
            "application/json",
            Some(("application/apply-patch+yaml", body)),
        )
        .await
    {
        Ok((_, bytes)) => Ok(("serverside-applied", serde_json::from_slice(&bytes).unwrap_or(Value::Null))),
        Err(ClientError::Server(status)) if status.code == 409 => {
            Err(Failure::Other(format!("{}\n{CONFLICT_HELP}", status.message)))
        }
        Err(err) => Err(server_failure(err, format!("error when patching \"{}\"", target.manifest.source), target)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn last_applied_is_the_object_as_go_encodes_it_with_empty_annotations() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}, "data": {"k": "<v>"}});
        let applied = with_last_applied(object);
        assert_eq!(
            applied["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"\\u003cv\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"a\",\"namespace\":\"default\"}}\n"
        );
    }

    #[test]
    fn force_conflicts_needs_server_side() {
        let args = ApplyArgs {
            filename: vec!["f".into()],
            recursive: false,
            server_side: false,
            force_conflicts: true,
            field_manager: None,
            dry_run: None,
            output: None,
            validate: None,
        };
        assert!(plan(&args).is_err());
    }
}
