//! `kctl edit`: fetches the objects, opens them in the user's editor (YAML under kubectl's
//! header comment, or JSON), and patches what changed: a strategic merge patch for
//! built-in kinds (merge keys from the server's OpenAPI), a JSON merge patch otherwise.
//! An invalid edit reopens the file with the server's causes at the top; saving it
//! again unchanged gives up, keeping a copy, as kubectl does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use super::editor::{Editor, EditorError};
use crate::client::manifests::{self, ManifestError};
use crate::client::openapi::OpenApi;
use crate::client::write::{self, DryRun};
use crate::client::{objects, targets, ApiResource, ClientError, ConnectionFlags, Discovery, Session};
use crate::machinery::patch::schema::{NoSchema, PatchSchema};
use crate::machinery::patch::threeway::three_way_patch;

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

#[derive(Args, Debug, Clone)]
pub struct EditArgs {
    /// (TYPE NAME | TYPE/NAME)
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// Filename, directory, or URL to files to use to edit the resource.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Output format. One of: (json, yaml).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Output the patch if the resource is edited.
    #[arg(long = "output-patch")]
    pub output_patch: bool,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager", default_value = "kubectl-edit")]
    pub field_manager: String,
    /// Schema validation: strict, warn, ignore (the server validates fields).
    #[arg(long, num_args = 0..=1, default_missing_value = "strict")]
    pub validate: Option<String>,
    /// If specified, edit will operate on the subresource of the requested object (status).
    #[arg(long)]
    pub subresource: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

enum Selection {
    Named(Vec<(String, Vec<String>)>),
    Files(Vec<String>),
}

struct Plan {
    format: Format,
    selection: Selection,
    strict: bool,
}

fn plan(args: &EditArgs) -> Result<Plan, ClientError> {
    let format = match args.output.as_deref() {
        None | Some("yaml") => Format::Yaml,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(ClientError::Usage(format!(
                "unable to match a printer suitable for the output format {other:?}, allowed formats are: json,yaml"
            )))
        }
    };
    if let Some(sub) = args.subresource.as_deref().filter(|s| *s != "status") {
        return Err(ClientError::Usage(format!("invalid subresource value: {sub:?}. Must be one of [status]")));
    }
    let selection = match (args.args.is_empty(), args.filename.is_empty()) {
        (true, true) => return Err(ClientError::Usage(ManifestError::NoSources.to_string())),
        (false, true) => Selection::Named(targets::split_args(&args.args)?),
        (true, false) => Selection::Files(args.filename.clone()),
        (false, false) => {
            return Err(ClientError::Usage("Can't specify both filenames and resource names or types".to_string()))
        }
    };
    let strict = !matches!(args.validate.as_deref(), Some("ignore" | "false" | "warn"));
    Ok(Plan { format, selection, strict })
}

/// One object being edited, as fetched (without managedFields, which kubectl hides).
struct Subject {
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
    object: Value,
}

impl Subject {
    fn path(&self, subresource: Option<&str>) -> String {
        let path = self.resource.object_path(self.namespace.as_deref(), &self.name);
        match subresource {
            Some(sub) => format!("{path}/{sub}"),
            None => path,
        }
    }

    /// `deployments.apps`: how edit names the resource in its error lines.
    fn resource_string(&self) -> String {
        self.resource.qualified_plural()
    }
}

/// Why the file is reopened, written as comments at its top.
struct Reason {
    head: String,
    causes: Vec<String>,
}

/// How one pass of saving went.
#[derive(Default)]
struct Results {
    reasons: Vec<Reason>,
    retryable: usize,
    not_found: usize,
    invalid: usize,
    file: Option<PathBuf>,
}

/// How the edit ended: kubectl's exit status, or an error it prints.
enum Outcome {
    Done,
    /// Exit 1 after the messages already printed (kubectl's `ErrExit`).
    Exit,
}

pub fn run(flags: &ConnectionFlags, args: &EditArgs) -> ExitCode {
    crate::cli::exit::block_on(async {
        match edit(flags, args).await? {
            Outcome::Done => Ok(ExitCode::SUCCESS),
            Outcome::Exit => Ok(ExitCode::FAILURE),
        }
    })
}

async fn edit(flags: &ConnectionFlags, args: &EditArgs) -> anyhow::Result<Outcome> {
    let plan = plan(args)?;
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let subjects = fetch_subjects(&session, &mut discovery, &plan, args.subresource.as_deref()).await?;
    if subjects.is_empty() {
        return Err(anyhow::anyhow!("edit cancelled, no objects found"));
    }
    let editor = Editor::from_env();
    let program = std::env::args()
        .next()
        .and_then(|a| Path::new(&a).file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "kctl".to_string());
    let prefix = format!("{program}-edit-");
    let extension = if plan.format == Format::Json { ".json" } else { ".yaml" };
    let mut openapi: Option<OpenApi> = None;

    let mut results = Results::default();
    let mut original: Vec<u8> = Vec::new();
    let mut edited: Vec<u8> = Vec::new();
    let mut contains_error = false;
    loop {
        let mut buffer = Vec::new();
        if plan.format == Format::Yaml {
            buffer.extend_from_slice(header(&results.reasons).as_bytes());
        }
        if contains_error {
            // Keep the user's text (its old comments go: the header above is current).
            buffer.extend_from_slice(&manual_strip(&edited));
        } else {
            buffer.extend_from_slice(render(&subjects, plan.format).as_bytes());
            original = buffer.clone();
        }
        let previous = std::mem::take(&mut edited);
        let (saved, file) = editor.launch_temp_file(&prefix, extension, &buffer);
        edited = match saved {
            Ok(bytes) => bytes,
            Err(err) => return Err(preserved(editor_error(err), results.file.as_deref())),
        };
        if contains_error && strip_comments(&previous) == strip_comments(&edited) {
            return Err(preserved(anyhow::anyhow!("Edit cancelled, no valid changes were saved."), Some(&file)));
        }
        if let Some(old) = results.file.take() {
            let _ = std::fs::remove_file(old);
        }
        if strip_comments(&original) == strip_comments(&edited) {
            let _ = std::fs::remove_file(&file);
            eprintln!("Edit cancelled, no changes made.");
            return Ok(Outcome::Done);
        }
        if !has_lines(&edited) {
            let _ = std::fs::remove_file(&file);
            eprintln!("Edit cancelled, saved file was empty.");
            return Ok(Outcome::Done);
        }
        results = Results { file: Some(file.clone()), ..Results::default() };
        let text = String::from_utf8_lossy(&edited).into_owned();
        let updated = match manifests::parse("edited-file", &text) {
            Ok(updated) => updated,
            Err(err) => {
                contains_error = true;
                let message = err.message();
                let message = message.trim_start_matches("error: ");
                results.reasons.push(Reason {
                    head: format!("The edited file had a syntax error: {message}"),
                    causes: Vec::new(),
                });
                continue;
            }
        };
        for manifest in &updated {
            let changed = manifest.object.clone();
            let uid = &changed["metadata"]["uid"];
            let Some(subject) = subjects.iter().find(|s| &s.object["metadata"]["uid"] == uid) else {
                return Err(preserved(
                    anyhow::anyhow!(
                        "no original object found for {}",
                        changed["metadata"]["name"].as_str().unwrap_or_default()
                    ),
                    Some(&file),
                ));
            };
            let display = manifests::display_name(&subject.resource, &subject.name);
            if subject.object == changed {
                print_result(args, &display, "skipped", &subject.object);
                continue;
            }
            if ["apiVersion", "kind"].iter().any(|k| subject.object[k] != changed[k])
                || subject.object["metadata"]["name"] != changed["metadata"]["name"]
            {
                return Err(preserved(
                    anyhow::anyhow!("At least one of apiVersion, kind and name was changed"),
                    Some(&file),
                ));
            }
            let (patch, content_type) = patch_for(&session, &mut openapi, subject, &changed)
                .await
                .map_err(|e| preserved(e.into(), Some(&file)))?;
            if args.output_patch {
                println!("Patch: {}", crate::machinery::gotext::go_compact(&patch));
            }
            let mut params = vec![("fieldManager", args.field_manager.as_str())];
            if plan.strict {
                params.push(("fieldValidation", "Strict"));
            }
            let url = format!("{}{}", subject.path(args.subresource.as_deref()), write::query(&params, DryRun::None));
            match objects::patch(&session, &url, content_type, &patch).await {
                Ok(patched) => print_result(args, &display, "edited", &patched),
                Err(err) => eprintln!("{}", add_error(&mut results, &err, subject)),
            }
        }
        let file_text = file.display().to_string();
        if results.retryable > 0 {
            eprintln!("You can run `{program} replace -f {file_text}` to try this update again.");
            return Ok(Outcome::Exit);
        }
        if results.not_found > 0 {
            eprintln!("The edits you made on deleted resources have been saved to {file_text:?}");
            return Ok(Outcome::Exit);
        }
        if results.invalid == 0 {
            let _ = std::fs::remove_file(&file);
            return Ok(Outcome::Done);
        }
        contains_error = !results.reasons.is_empty();
    }
}

/// `deployment.apps/web edited`, or with `-o json|yaml` the object itself (as kubectl's
/// printer flags, which edit shares with the editor's format).
fn print_result(args: &EditArgs, display: &str, operation: &str, object: &Value) {
    let format = match args.output.as_deref() {
        Some("json") => crate::printers::OutputFormat::Json,
        Some("yaml") => crate::printers::OutputFormat::Yaml,
        _ => {
            println!("{display} {operation}");
            return;
        }
    };
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    match format.print_objects(std::slice::from_ref(&object), true, true) {
        Ok(text) => print!("{text}"),
        Err(err) => eprintln!("error: {err}"),
    }
}

/// The objects named on the command line or in the files, fetched fresh from the server.
async fn fetch_subjects(
    session: &Session,
    discovery: &mut Discovery,
    plan: &Plan,
    subresource: Option<&str>,
) -> anyhow::Result<Vec<Subject>> {
    let mut wanted: Vec<(ApiResource, Option<String>, String)> = Vec::new();
    let mut subjects = Vec::new();
    match &plan.selection {
        Selection::Named(pairs) => {
            for target in targets::resolve(session, discovery, pairs).await? {
                let namespace = target.resource.namespaced.then(|| session.namespace.clone());
                if target.names.is_empty() {
                    // A bare type edits every object of it in the namespace.
                    let list = session
                        .get_json(&target.resource.collection_path(namespace.as_deref()), "application/json")
                        .await?;
                    for item in list["items"].as_array().into_iter().flatten() {
                        let mut object = item.clone();
                        object["apiVersion"] = json!(target.resource.api_version());
                        object["kind"] = json!(target.resource.kind);
                        let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
                        subjects.push(subject(target.resource.clone(), namespace.clone(), name, object));
                    }
                }
                for name in &target.names {
                    wanted.push((target.resource.clone(), namespace.clone(), name.clone()));
                }
            }
        }
        Selection::Files(files) => {
            let (found, errors) = manifests::read_all(files, false);
            if let Some(err) = errors.into_iter().next() {
                return Err(anyhow::anyhow!("{}", err.message().trim_start_matches("error: ").to_string()));
            }
            for manifest in found {
                let mut object = manifest.object.clone();
                let Some(resource) = manifests::resource_for(session, discovery, &object).await? else {
                    return Err(anyhow::anyhow!(
                        "{}",
                        manifests::mapping_error(&manifest).trim_start_matches("error: ").to_string()
                    ));
                };
                let namespace = manifests::set_namespace(&mut object, &resource, session)?;
                let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
                wanted.push((resource.clone(), resource.namespaced.then_some(namespace), name));
            }
        }
    }
    for (resource, namespace, name) in wanted {
        let mut path = resource.object_path(namespace.as_deref(), &name);
        if let Some(sub) = subresource {
            path = format!("{path}/{sub}");
        }
        let object = session.get_json(&path, "application/json").await?;
        subjects.push(subject(resource, namespace, name, object));
    }
    Ok(subjects)
}

fn subject(resource: ApiResource, namespace: Option<String>, name: String, mut object: Value) -> Subject {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    Subject { resource, namespace, name, object }
}

/// What the editor shows: one object, or several as a `List`.
fn render(subjects: &[Subject], format: Format) -> String {
    let document = match subjects {
        [one] => one.object.clone(),
        many => json!({
            "apiVersion": "v1",
            "items": many.iter().map(|s| s.object.clone()).collect::<Vec<_>>(),
            "kind": "List",
            "metadata": {},
        }),
    };
    match format {
        Format::Yaml => crate::machinery::yaml::to_yaml(&document),
        Format::Json => crate::machinery::gotext::go_pretty(&document),
    }
}

fn header(reasons: &[Reason]) -> String {
    let mut text = HEADER.to_string();
    for reason in reasons {
        let colon = if reason.causes.is_empty() { "" } else { ":" };
        text.push_str(&format!("# {}{colon}\n", hash_on_line_break(&reason.head)));
        for cause in &reason.causes {
            text.push_str(&format!("# * {}\n", hash_on_line_break(cause)));
        }
        text.push_str("#\n");
    }
    text
}

/// Continues a multi-line message as comment lines.
fn hash_on_line_break(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\n', Some(next)) if *next != '#' => out.push_str("\n# "),
            _ => out.push(c),
        }
    }
    out
}

/// The file without its comment lines (kubectl keeps `#!` lines).
fn manual_strip(file: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(file);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && !trimmed.starts_with("#!") {
            continue;
        }
        out.push_str(line);
        if i < lines.len() - 1 {
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// The content of a file as compared between passes: its data when it parses (comments
/// and layout do not count), else its text without comment lines.
#[derive(PartialEq)]
enum Stripped {
    Data(Value),
    Text(Vec<u8>),
}

fn strip_comments(file: &[u8]) -> Stripped {
    match serde_yaml::from_slice::<Value>(file) {
        Ok(value) => Stripped::Data(value),
        Err(_) => Stripped::Text(manual_strip(file)),
    }
}

/// Whether any line has content besides comments.
fn has_lines(file: &[u8]) -> bool {
    String::from_utf8_lossy(file).lines().any(|line| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with('#')
    })
}

/// The patch from the fetched object to the edited one, and its content type.
async fn patch_for(
    session: &Session,
    openapi: &mut Option<OpenApi>,
    subject: &Subject,
    edited: &Value,
) -> Result<(Value, &'static str), ClientError> {
    let api_version = subject.resource.api_version();
    // kubectl knows the built-in kinds' merge keys; anything else gets a JSON merge patch.
    let built_in = crate::registry::by_kind(&api_version, &subject.resource.kind).is_some();
    let schema: Option<std::sync::Arc<dyn PatchSchema>> = if built_in {
        if openapi.is_none() {
            *openapi = Some(OpenApi::load(session).await?);
        }
        match openapi.as_mut() {
            Some(openapi) => openapi.patch_schema(session, &api_version, &subject.resource.kind).await?,
            None => None,
        }
    } else {
        None
    };
    Ok(match schema {
        Some(schema) => (
            three_way_patch(&subject.object, edited, &subject.object, schema.as_ref()),
            "application/strategic-merge-patch+json",
        ),
        None => (three_way_patch(&subject.object, edited, &subject.object, &NoSchema), "application/merge-patch+json"),
    })
}

/// Records a failed patch and gives the line kubectl prints for it.
fn add_error(results: &mut Results, err: &ClientError, subject: &Subject) -> String {
    let resource = subject.resource_string();
    let name = &subject.name;
    match err {
        ClientError::Server(status) if status.reason == "Invalid" || status.code == 422 => {
            results.invalid += 1;
            results.reasons.push(Reason {
                head: format!("{resource} {name:?} was not valid"),
                causes: status.details.causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect(),
            });
            format!("error: {resource} {name:?} is invalid")
        }
        ClientError::Server(status) if status.code == 404 => {
            results.not_found += 1;
            format!("error: {resource} {name:?} could not be found on the server")
        }
        ClientError::Server(status) => {
            results.retryable += 1;
            format!("error: {resource} {name:?} could not be patched: {}", status.message)
        }
        other => {
            results.retryable += 1;
            format!(
                "error: {resource} {name:?} could not be patched: {}",
                other.message().trim_start_matches("error: ")
            )
        }
    }
}

fn editor_error(err: EditorError) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

/// Tells where the user's changes were kept, then passes the error on.
fn preserved(err: anyhow::Error, file: Option<&Path>) -> anyhow::Error {
    if let Some(file) = file.filter(|f| f.exists()) {
        eprintln!("A copy of your changes has been stored to {:?}", file.display().to_string());
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_written_under_the_header() {
        let reasons = [Reason {
            head: "deployments.apps \"web\" was not valid".to_string(),
            causes: vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0".to_string()],
        }];
        let text = header(&reasons);
        assert!(text.ends_with(
            "#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n"
        ));
    }

    #[test]
    fn comments_do_not_count_as_changes() {
        let a = b"# header\nkind: Pod\nmetadata: {name: a}\n";
        let b = b"kind: Pod\n# moved\nmetadata:\n  name: a\n";
        assert!(strip_comments(a) == strip_comments(b));
        assert!(strip_comments(a) != strip_comments(b"kind: Pod\nmetadata: {name: b}\n"));
    }

    #[test]
    fn a_file_of_comments_only_has_no_lines() {
        assert!(!has_lines(b"# a\n  # b\n\n"));
        assert!(has_lines(b"# a\nkind: Pod\n"));
    }

    #[test]
    fn manual_strip_keeps_shebang_lines() {
        assert_eq!(manual_strip(b"# c\n#!x\na: 1\n"), b"#!x\na: 1\n");
    }

    #[test]
    fn multi_line_heads_stay_comments() {
        assert_eq!(hash_on_line_break("a\nb"), "a\n# b");
    }
}
