//! `kctl get`: lists or fetches objects and prints them as kubectl does: server-side
//! tables by default, or full objects for `-o yaml|json|name|jsonpath|custom-columns`;
//! `-w` keeps printing rows as the watch reports changes.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use futures::StreamExt;
use serde_json::Value;

use crate::client::targets::{self, Target};
use crate::client::{error, ClientError, ConnectionFlags, Discovery, Session, TABLE_ACCEPT};
use crate::printers::columns::TableLayout;
use crate::printers::table::{compare_keys, rows_of, TableOptions};
use crate::printers::{JsonPath, OutputFormat};

#[derive(Args, Debug, Clone)]
pub struct GetArgs {
    /// TYPE[.VERSION][.GROUP] [NAME ...] | TYPE[.VERSION][.GROUP]/NAME ...
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// Output format: json, yaml, name, wide, jsonpath=…, custom-columns=….
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Selector (field query) to filter on.
    #[arg(long = "field-selector")]
    pub field_selector: Option<String>,
    /// List the requested object(s) across all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// After listing/getting the requested object, watch for changes.
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Watch for changes to the requested object(s), without listing/getting first.
    #[arg(long = "watch-only")]
    pub watch_only: bool,
    /// When printing, show all labels as the last column.
    #[arg(long = "show-labels")]
    pub show_labels: bool,
    /// Labels to present as columns (comma-separated or repeated).
    #[arg(short = 'L', long = "label-columns", value_delimiter = ',')]
    pub label_columns: Vec<String>,
    /// When using the default or custom-column output format, don't print headers.
    #[arg(long = "no-headers")]
    pub no_headers: bool,
    /// Sort list types using this field specification (a JSONPath expression).
    #[arg(long = "sort-by")]
    pub sort_by: Option<String>,
    /// List the resource type for the requested object(s).
    #[arg(long = "show-kind")]
    pub show_kind: bool,
    /// If the requested object does not exist the command will return exit code 0.
    #[arg(long = "ignore-not-found")]
    pub ignore_not_found: bool,
    /// Return large lists in chunks rather than all at once (0 disables).
    #[arg(long = "chunk-size", default_value_t = 500)]
    pub chunk_size: u64,
    /// If true, keep the managedFields when printing objects in JSON or YAML format.
    #[arg(long = "show-managed-fields")]
    pub show_managed_fields: bool,
    /// Raw URI to request from the server.
    #[arg(long)]
    pub raw: Option<String>,
}

/// Runs `kctl get` and reports errors in kubectl's words.
pub fn run(flags: &ConnectionFlags, args: &GetArgs) -> ExitCode {
    super::exit::block_on(get(flags, args))
}

pub fn emit(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// The validated plan of a `get` (no network yet).
struct Plan {
    format: OutputFormat,
    sort_by: Option<JsonPath>,
    pairs: Vec<(String, Vec<String>)>,
}

fn plan(args: &GetArgs) -> anyhow::Result<Plan> {
    let format = OutputFormat::parse(args.output.as_deref())?;
    let sort_by = match &args.sort_by {
        Some(field) => {
            let path = crate::machinery::jsonpath::relaxed(field)
                .and_then(|template| JsonPath::parse(&template))
                .map_err(|e| anyhow::anyhow!("couldn't parse sort-by {field}: {e}"))?;
            Some(path.allow_missing_keys(true))
        }
        None => None,
    };
    if args.args.is_empty() {
        eprintln!("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
        return Err(ClientError::Usage(
            "Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".to_string(),
        )
        .into());
    }
    let pairs = targets::split_args(&args.args)?;
    Ok(Plan { format, sort_by, pairs })
}

async fn get(flags: &ConnectionFlags, args: &GetArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.raw {
        let session = Session::connect(flags).await?;
        let (_, body) = session.get_raw(path, "application/json, */*").await?;
        let mut out = std::io::stdout().lock();
        out.write_all(&body)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let plan = plan(args)?;
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let targets = targets::resolve(&session, &mut discovery, &plan.pairs).await?;
    if args.watch || args.watch_only {
        return watch(&session, args, &plan, &targets).await;
    }
    let namespace = (!args.all_namespaces).then_some(session.namespace.as_str());
    let several_types = targets.len() > 1 || args.show_kind;
    let mut errors: Vec<ClientError> = Vec::new();
    let mut printed_any = false;
    let mut objects: Vec<Value> = Vec::new();
    let single = plan.pairs.len() == 1 && targets.len() == 1 && targets[0].names.len() == 1;
    for target in &targets {
        let resource = &target.resource;
        let accept = if plan.format.wants_table() { TABLE_ACCEPT } else { "application/json" };
        let mut responses = Vec::new();
        if target.names.is_empty() {
            responses.extend(list_all(&session, args, &plan, target, namespace, accept).await?);
        } else {
            for name in &target.names {
                match session.get_json(&resource.object_path(namespace, name), accept).await {
                    Ok(object) => responses.push(object),
                    Err(err) if err.is_not_found() && args.ignore_not_found => {}
                    Err(err @ ClientError::Server(_)) => errors.push(err),
                    Err(err) => return Err(err.into()),
                }
            }
        }
        if let OutputFormat::Table { wide } = plan.format {
            let mut table = merge_tables(responses);
            if let Some(sort_by) = &plan.sort_by {
                sort_values(table["rows"].as_array_mut(), sort_by, |row| &row["object"]);
            }
            let options = TableOptions {
                wide,
                no_headers: args.no_headers,
                with_namespace: args.all_namespaces && resource.namespaced,
                kind_prefix: several_types.then(|| resource.kind_prefix()),
                show_labels: args.show_labels,
                label_columns: args.label_columns.clone(),
            };
            let rows = rows_of(&table, &options);
            if rows.rows.is_empty() {
                continue;
            }
            let mut text = if printed_any && !args.no_headers { "\n".to_string() } else { String::new() };
            text.push_str(&rows.render(!args.no_headers));
            emit(&text)?;
            printed_any = true;
        } else {
            for response in responses {
                objects.extend(items_of(response, resource));
            }
            if hides_managed_fields(args, &plan.format) {
                objects.iter_mut().for_each(strip_managed_fields);
            }
        }
    }
    if !plan.format.wants_table() {
        if let Some(sort_by) = &plan.sort_by {
            sort_values(Some(&mut objects), sort_by, |o| o);
        }
        let single = single && errors.is_empty() && objects.len() == 1;
        emit(&plan.format.print_objects(&objects, single, !args.no_headers)?)?;
    } else if !printed_any && errors.is_empty() && !args.ignore_not_found {
        let all_namespaced = !args.all_namespaces && targets.iter().all(|t| t.resource.namespaced);
        if all_namespaced {
            eprintln!("No resources found in {} namespace.", session.namespace);
        } else {
            eprintln!("No resources found");
        }
    }
    for err in &errors {
        eprintln!("{}", err.message());
    }
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The query kubectl sends with a list or watch (keys in Go's sorted order).
fn query(args: &GetArgs, extra: &[(&str, String)]) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(fields) = args.field_selector.as_deref().filter(|s| !s.is_empty()) {
        params.push(("fieldSelector", fields.to_string()));
    }
    if let Some(labels) = args.selector.as_deref().filter(|s| !s.is_empty()) {
        params.push(("labelSelector", labels.to_string()));
    }
    params.extend(extra.iter().cloned());
    params.sort_by(|a, b| a.0.cmp(b.0));
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &params {
        encoder.append_pair(key, value);
    }
    let encoded = encoder.finish();
    if encoded.is_empty() {
        encoded
    } else {
        format!("?{encoded}")
    }
}

/// Every page of a list (following `continue`).
async fn list_all(
    session: &Session,
    args: &GetArgs,
    plan: &Plan,
    target: &Target,
    namespace: Option<&str>,
    accept: &str,
) -> anyhow::Result<Vec<Value>> {
    let mut pages = Vec::new();
    let mut continue_token = String::new();
    loop {
        let mut extra = Vec::new();
        if !continue_token.is_empty() {
            extra.push(("continue", continue_token.clone()));
        }
        if plan.sort_by.is_some() && plan.format.wants_table() {
            // Sorting needs the objects, and kubectl then fetches in one request.
            extra.push(("includeObject", "Object".to_string()));
        } else if args.chunk_size > 0 {
            extra.push(("limit", args.chunk_size.to_string()));
        }
        let path = format!("{}{}", target.resource.collection_path(namespace), query(args, &extra));
        let page = session.get_json(&path, accept).await?;
        continue_token = page["metadata"]["continue"].as_str().unwrap_or_default().to_string();
        pages.push(page);
        if continue_token.is_empty() {
            return Ok(pages);
        }
    }
}

/// A server that does not serve tables for a type answers with objects: kubectl then
/// prints its default NAME and AGE columns.
fn as_table(response: Value) -> Value {
    if response["kind"] == "Table" {
        return response;
    }
    let objects = match response.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![response],
    };
    let rows: Vec<Value> = objects
        .into_iter()
        .map(|object| {
            let name = object["metadata"]["name"].clone();
            let age = crate::describe::writer::since(&object["metadata"]["creationTimestamp"]);
            serde_json::json!({"cells": [name, age], "object": {"metadata": object["metadata"].clone()}})
        })
        .collect();
    serde_json::json!({
        "kind": "Table",
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "priority": 0},
            {"name": "Age", "type": "string", "format": "", "priority": 0},
        ],
        "rows": rows,
    })
}

/// One table from several responses of the same type (pages, or one object per name).
fn merge_tables(responses: Vec<Value>) -> Value {
    let mut merged = Value::Null;
    for response in responses.into_iter().map(as_table) {
        if merged.is_null() {
            merged = response;
            continue;
        }
        let rows = response["rows"].as_array().cloned().unwrap_or_default();
        if let Some(all) = merged["rows"].as_array_mut() {
            all.extend(rows);
        }
    }
    merged
}

/// The objects of a response: a list's items (with kind and apiVersion filled in, as
/// kubectl shows them) or the object itself.
fn items_of(response: Value, resource: &crate::client::ApiResource) -> Vec<Value> {
    match response.get("items") {
        Some(Value::Array(items)) => items
            .iter()
            .cloned()
            .map(|mut item| {
                if let Some(map) = item.as_object_mut() {
                    map.entry("apiVersion").or_insert_with(|| Value::String(resource.api_version()));
                    map.entry("kind").or_insert_with(|| Value::String(resource.kind.clone()));
                }
                item
            })
            .collect(),
        _ => vec![response],
    }
}

/// kubectl hides `metadata.managedFields` in JSON and YAML unless `--show-managed-fields`.
fn hides_managed_fields(args: &GetArgs, format: &OutputFormat) -> bool {
    !args.show_managed_fields && matches!(format, OutputFormat::Json | OutputFormat::Yaml)
}

/// Removes `metadata.managedFields`.
pub fn strip_managed_fields(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
}

fn sort_values(values: Option<&mut Vec<Value>>, sort_by: &JsonPath, object: impl Fn(&Value) -> &Value) {
    if let Some(values) = values {
        values.sort_by(|a, b| {
            let key_a = sort_by.values(object(a)).into_iter().next().unwrap_or(Value::Null);
            let key_b = sort_by.values(object(b)).into_iter().next().unwrap_or(Value::Null);
            compare_keys(&key_a, &key_b)
        });
    }
}

/// `-w` / `--watch-only`: the list first (unless watch-only), then a row per event.
async fn watch(session: &Session, args: &GetArgs, plan: &Plan, targets: &[Target]) -> anyhow::Result<ExitCode> {
    let [target] = targets else {
        return Err(ClientError::Usage("you may only specify a single resource type".to_string()).into());
    };
    let resource = &target.resource;
    let namespace = (!args.all_namespaces).then_some(session.namespace.as_str());
    let table = plan.format.wants_table();
    let accept = if table { TABLE_ACCEPT } else { "application/json" };
    let options = TableOptions {
        wide: matches!(plan.format, OutputFormat::Table { wide: true }),
        no_headers: args.no_headers,
        with_namespace: args.all_namespaces && resource.namespaced,
        kind_prefix: args.show_kind.then(|| resource.kind_prefix()),
        show_labels: args.show_labels,
        label_columns: args.label_columns.clone(),
    };
    let mut field_selector = args.field_selector.clone().filter(|s| !s.is_empty());
    if let [name] = target.names.as_slice() {
        let by_name = format!("metadata.name={name}");
        field_selector = Some(match field_selector {
            Some(existing) => format!("{existing},{by_name}"),
            None => by_name,
        });
    }
    let args = GetArgs { field_selector, ..args.clone() };
    let mut layout = TableLayout::new();
    let mut header_printed = args.no_headers;
    let mut columns = Value::Null;
    let list_path = format!("{}{}", resource.collection_path(namespace), query(&args, &[]));
    let list = session.get_json(&list_path, accept).await?;
    let resource_version = list["metadata"]["resourceVersion"].as_str().unwrap_or_default().to_string();
    let list = if table { as_table(list) } else { list };
    if table {
        columns = list["columnDefinitions"].clone();
    }
    if !args.watch_only {
        if table {
            let rows = rows_of(&list, &options);
            if rows.rows.is_empty() {
                eprintln!("No resources found in {} namespace.", session.namespace);
            } else {
                emit(&rows.render_in(&mut layout, !header_printed))?;
                header_printed = true;
            }
        } else {
            let mut items = items_of(list, resource);
            if hides_managed_fields(&args, &plan.format) {
                items.iter_mut().for_each(strip_managed_fields);
            }
            emit(&plan.format.print_objects(&items, false, !args.no_headers)?)?;
        }
    }
    let extra = [("resourceVersion", resource_version), ("watch", "true".to_string())];
    let watch_path = format!("{}{}", resource.collection_path(namespace), query(&args, &extra));
    let events = session.watch(&watch_path, accept).await?;
    futures::pin_mut!(events);
    while let Some(event) = events.next().await {
        let event = event?;
        if event["type"] == "ERROR" {
            let status: error::StatusBody = serde_json::from_value(event["object"].clone()).unwrap_or_default();
            return Err(ClientError::Server(status).into());
        }
        let mut object = event["object"].clone();
        if hides_managed_fields(&args, &plan.format) {
            strip_managed_fields(&mut object);
        }
        let object = &object;
        if table {
            let mut table = if object["kind"] == "Table" { object.clone() } else { as_table(object.clone()) };
            if table["columnDefinitions"].as_array().is_none_or(|c| c.is_empty()) {
                table["columnDefinitions"] = columns.clone();
            } else {
                columns = table["columnDefinitions"].clone();
            }
            let rows = rows_of(&table, &options);
            emit(&rows.render_in(&mut layout, !header_printed))?;
            header_printed = true;
        } else {
            emit(&plan.format.print_objects(std::slice::from_ref(object), true, !args.no_headers)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        get: GetArgs,
    }

    #[test]
    fn list_query_keys_are_sorted_as_go_encodes_them() {
        let wrapper = Wrapper::parse_from(["get", "pods", "-l", "app=web", "--field-selector", "metadata.name=a"]);
        let q = query(&wrapper.get, &[("limit", "500".into())]);
        assert_eq!(q, "?fieldSelector=metadata.name%3Da&labelSelector=app%3Dweb&limit=500");
    }

    #[test]
    fn objects_without_a_table_print_name_and_age() {
        let list = serde_json::json!({"kind": "WidgetList", "items": [{"metadata": {"name": "w1"}}]});
        let table = merge_tables(vec![list]);
        let rows = rows_of(&table, &TableOptions::default());
        assert_eq!(rows.header, ["NAME", "AGE"]);
        assert_eq!(rows.rows[0], ["w1", "<unknown>"]);
    }

    #[test]
    fn a_get_without_a_type_is_a_usage_error() {
        let wrapper = Wrapper::parse_from(["get"]);
        assert!(plan(&wrapper.get).is_err());
    }
}
