//! Objects from `-f` sources as kubectl's resource builder reads them: files, directories
//! (`.json`, `.yaml`, `.yml`; subdirectories with `-R`) and stdin (`-`), each split into
//! YAML/JSON documents; `kind: List` expands to its items. Objects are then mapped to
//! their resource through discovery.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::write::Failure;
use super::{ApiResource, ClientError, Discovery, Session};

/// One object read from a source, with the name kubectl uses for the source in messages.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub source: String,
    pub object: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the path \"{0}\" does not exist")]
    Missing(String),
    #[error("error reading {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Printed without kubectl's `error: ` prefix, as kubectl does.
    #[error("error parsing {path}: error converting YAML to JSON: yaml: {message}")]
    Yaml { path: String, message: String },
    #[error("error parsing {path}: {message}")]
    Json { path: String, message: String },
    #[error("error validating \"{0}\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false")]
    NoKind(String),
    #[error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")]
    NoSources,
}

impl ManifestError {
    /// kubectl's full line for this error.
    pub fn message(&self) -> String {
        match self {
            ManifestError::Yaml { .. } | ManifestError::Json { .. } => self.to_string(),
            other => format!("error: {other}"),
        }
    }
}

/// Reads every source, as kubectl's builder: objects in order, and the errors of what
/// could not be read (a source stops at its first bad document; the others go on).
pub fn read_all(filenames: &[String], recursive: bool) -> (Vec<Manifest>, Vec<ManifestError>) {
    let mut manifests = Vec::new();
    let mut errors = Vec::new();
    for name in filenames {
        if name == "-" {
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => parse_into("STDIN", &text, &mut manifests, &mut errors),
                Err(source) => errors.push(ManifestError::Read { path: "STDIN".to_string(), source }),
            }
            continue;
        }
        let path = Path::new(name);
        if !path.exists() {
            errors.push(ManifestError::Missing(name.clone()));
            continue;
        }
        let files = match files_of(path, recursive, true) {
            Ok(files) => files,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        for file in files {
            let shown = file.display().to_string();
            match std::fs::read_to_string(&file) {
                Ok(text) => parse_into(&shown, &text, &mut manifests, &mut errors),
                Err(source) => errors.push(ManifestError::Read { path: shown, source }),
            }
        }
    }
    (manifests, errors)
}

fn parse_into(source: &str, text: &str, manifests: &mut Vec<Manifest>, errors: &mut Vec<ManifestError>) {
    let (parsed, error) = parse_partial(source, text);
    manifests.extend(parsed);
    errors.extend(error);
}

/// The files under a path: the path itself when it is a file, else the manifest files of
/// the directory in lexical order (subdirectories only with `-R`).
fn files_of(path: &Path, recursive: bool, top: bool) -> Result<Vec<std::path::PathBuf>, ManifestError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !top && !recursive {
        return Ok(Vec::new());
    }
    let read_err = |source| ManifestError::Read { path: path.display().to_string(), source };
    let mut entries: Vec<_> = std::fs::read_dir(path).map_err(read_err)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    let mut files = Vec::new();
    for entry in entries {
        let child = entry.path();
        if child.is_dir() {
            files.extend(files_of(&child, recursive, false)?);
        } else if matches!(child.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")) {
            files.push(child);
        }
    }
    Ok(files)
}

/// Splits a source into documents and parses each; empty documents are skipped.
pub fn parse(source: &str, text: &str) -> Result<Vec<Manifest>, ManifestError> {
    match parse_partial(source, text) {
        (manifests, None) => Ok(manifests),
        (_, Some(err)) => Err(err),
    }
}

/// The objects up to the first bad document, and its error.
fn parse_partial(source: &str, text: &str) -> (Vec<Manifest>, Option<ManifestError>) {
    let mut manifests = Vec::new();
    for document in split_documents(text) {
        let value = match parse_document(source, &document) {
            Ok(value) => value,
            Err(err) => return (manifests, Some(err)),
        };
        match value {
            Value::Null => continue,
            Value::Object(ref map) if map.is_empty() => continue,
            _ => {}
        }
        if value["kind"].as_str().is_none_or(str::is_empty) || value["apiVersion"].as_str().is_none_or(str::is_empty) {
            return (manifests, Some(ManifestError::NoKind(source.to_string())));
        }
        if value["kind"] == "List" {
            for item in value["items"].as_array().into_iter().flatten() {
                manifests.push(Manifest { source: source.to_string(), object: item.clone() });
            }
        } else {
            manifests.push(Manifest { source: source.to_string(), object: value });
        }
    }
    (manifests, None)
}

/// Documents separated by `---` lines (a JSON source is one document).
fn split_documents(text: &str) -> Vec<String> {
    if text.trim_start().starts_with('{') {
        return vec![text.to_string()];
    }
    let mut documents = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            documents.push(String::new());
            continue;
        }
        if let Some(current) = documents.last_mut() {
            current.push_str(line);
            current.push('\n');
        }
    }
    documents.retain(|d| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')));
    documents
}

fn parse_document(source: &str, document: &str) -> Result<Value, ManifestError> {
    if document.trim_start().starts_with('{') {
        return serde_json::from_str(document)
            .map_err(|e| ManifestError::Json { path: source.to_string(), message: e.to_string() });
    }
    serde_yaml::from_str::<Value>(document)
        .map_err(|e| ManifestError::Yaml { path: source.to_string(), message: go_yaml_message(&e) })
}

/// go-yaml's words for a libyaml error: `line N: problem`. go-yaml reports parser errors
/// one line earlier than scanner errors (it does not advance the parser's 0-based mark).
fn go_yaml_message(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    let problem = text.split(" at line ").next().unwrap_or(&text).to_string();
    let Some(location) = err.location() else { return problem };
    let parser_error = problem.starts_with("did not find expected");
    let line = if parser_error { location.line().saturating_sub(1) } else { location.line() };
    format!("line {line}: {problem}")
}

/// The resource an object is of, refreshing a cached discovery once when it does not know it.
pub async fn resource_for(
    session: &Session,
    discovery: &mut Discovery,
    object: &Value,
) -> Result<Option<ApiResource>, ClientError> {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let kind = object["kind"].as_str().unwrap_or_default();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let find = |d: &Discovery| {
        d.resources.iter().find(|r| r.group == group && r.version == version && r.kind == kind).cloned()
    };
    if let Some(found) = find(discovery) {
        return Ok(Some(found));
    }
    if discovery.from_cache {
        *discovery = Discovery::refresh(session).await?;
        return Ok(find(discovery));
    }
    Ok(None)
}

/// kubectl's error for an object whose kind the server does not serve.
pub fn mapping_error(manifest: &Manifest) -> String {
    let object = &manifest.object;
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    format!(
        "error: resource mapping not found for name: {:?} namespace: {:?} from {:?}: no matches for kind {:?} in version {:?}\nensure CRDs are installed first",
        object["metadata"]["name"].as_str().unwrap_or_default(),
        object["metadata"]["namespace"].as_str().unwrap_or_default(),
        manifest.source,
        object["kind"].as_str().unwrap_or_default(),
        api_version,
    )
}

/// Puts a namespaced object in the command's namespace, or refuses one that names
/// another namespace than an explicit `-n`.
pub fn set_namespace(object: &mut Value, resource: &ApiResource, session: &Session) -> Result<String, ClientError> {
    if !resource.namespaced {
        return Ok(String::new());
    }
    let own = object["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    if !own.is_empty() {
        if session.namespace_flag && own != session.namespace {
            return Err(ClientError::Usage(format!(
                "the namespace from the provided object \"{own}\" does not match the namespace \"{}\". You must pass '--namespace={own}' to perform this operation.",
                session.namespace
            )));
        }
        return Ok(own);
    }
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("namespace".to_string(), Value::String(session.namespace.clone()));
    }
    Ok(session.namespace.clone())
}

/// A manifest's object ready to send: its resource, the namespace it goes to (empty for
/// cluster-scoped kinds) and its name.
pub struct Placed {
    pub object: Value,
    pub resource: ApiResource,
    pub namespace: String,
    pub name: String,
}

/// Maps a manifest to its resource and namespace as kubectl's builder does; a kind the
/// server does not serve or a conflicting namespace is the failure kubectl reports for that
/// object (the outer error is the connection's).
pub async fn place(
    session: &Session,
    discovery: &mut Discovery,
    manifest: &Manifest,
) -> Result<Result<Placed, Failure>, ClientError> {
    let mut object = manifest.object.clone();
    let Some(resource) = resource_for(session, discovery, &object).await? else {
        return Ok(Err(Failure::Other(mapping_error(manifest).trim_start_matches("error: ").to_string())));
    };
    let namespace = match set_namespace(&mut object, &resource, session) {
        Ok(namespace) => namespace,
        Err(err) => return Ok(Err(Failure::client(err))),
    };
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Ok(Placed { object, resource, namespace, name }))
}

/// `deployment.apps/web`: how apply, create and run name an object in their output.
pub fn display_name(resource: &ApiResource, name: &str) -> String {
    let kind = resource.kind.to_lowercase();
    if resource.group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{}/{name}", resource.group)
    }
}

/// `deployment.apps "web"`: how delete names an object.
pub fn quoted_name(resource: &ApiResource, name: &str) -> String {
    let kind = resource.kind.to_lowercase();
    if resource.group.is_empty() {
        format!("{kind} \"{name}\"")
    } else {
        format!("{kind}.{} \"{name}\"", resource.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_on_separators_and_skip_empty_ones() {
        let text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
        let manifests = parse("f.yaml", text).unwrap();
        let names: Vec<_> = manifests.iter().map(|m| m.object["metadata"]["name"].clone()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn yaml_errors_name_the_line_as_go_yaml() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n data: x\n";
        let err = parse("bad.yaml", text).unwrap_err();
        assert_eq!(
            err.message(),
            "error parsing bad.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key"
        );
    }

    #[test]
    fn lists_expand_to_their_items() {
        let text =
            r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}"#;
        assert_eq!(parse("l.json", text).unwrap()[0].object["kind"], "Pod");
    }
}
