//! `kctl events`: core/v1 Events of a namespace (or all, `-A`), optionally for one object
//! (`--for pod/web`) and of some types (`--types Warning`), oldest first, in kubectl's
//! `LAST SEEN TYPE REASON OBJECT MESSAGE` table; `-w` prints each event as it comes.
//! Mirrors kubectl's `pkg/cmd/events`.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::cli::get::{emit, strip_managed_fields};
use crate::client::objects::query;
use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::machinery::duration;
use crate::printers::columns::TableLayout;
use crate::printers::OutputFormat;

#[derive(Args, Debug, Clone)]
pub struct EventsArgs {
    /// After listing the requested events, watch for more events.
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// If present, list the requested object(s) across all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// Filter events to only those pertaining to the specified resource.
    #[arg(long = "for", add = crate::cli::complete::resources())]
    pub for_object: Option<String>,
    /// Output only events of given types.
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// When using the default output format, don't print headers.
    #[arg(long = "no-headers")]
    pub no_headers: bool,
    /// Return large lists in chunks rather than all at once.
    #[arg(long = "chunk-size", default_value_t = 500)]
    pub chunk_size: i64,
    /// Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

pub fn run(flags: &ConnectionFlags, args: &EventsArgs) -> ExitCode {
    crate::cli::exit::block_on(events(flags, args))
}

async fn events(flags: &ConnectionFlags, args: &EventsArgs) -> anyhow::Result<ExitCode> {
    let format = OutputFormat::parse(args.output.as_deref()).map_err(|e| ClientError::Usage(e.to_string()))?;
    // kubectl keeps the types sorted and distinct, and accepts them in any case.
    let mut types = args.types.clone();
    types.sort();
    types.dedup();
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return Err(ClientError::Usage("valid --types are Normal or Warning".into()).into());
    }
    let session = Session::connect(flags).await?;
    let field_selector = match &args.for_object {
        Some(object) => match for_selector(&session, object).await {
            Ok(selector) => Some(selector),
            // kubectl prints the mapper's error bare, without `error: `.
            Err(ClientError::UnknownType(resource)) => {
                eprintln!("the server doesn't have a resource type {resource:?}");
                return Ok(ExitCode::FAILURE);
            }
            Err(err) => return Err(err.into()),
        },
        None => None,
    };
    let namespace = (!args.all_namespaces).then_some(session.namespace.as_str());
    let collection = match namespace {
        Some(namespace) => format!("/api/v1/namespaces/{namespace}/events"),
        None => "/api/v1/events".to_string(),
    };
    let wanted = |event: &Value| {
        let kind = event["type"].as_str().unwrap_or_default();
        types.is_empty() || types.iter().any(|t| t.eq_ignore_ascii_case(kind))
    };
    let printer = EventPrinter { no_headers: args.no_headers, all_namespaces: args.all_namespaces };
    if args.watch {
        let mut params = Vec::new();
        if let Some(selector) = &field_selector {
            params.push(("fieldSelector", selector.clone()));
        }
        params.push(("watch", "true".to_string()));
        let events = session.watch(&format!("{collection}{}", query(&params)), "application/json").await?;
        futures::pin_mut!(events);
        let mut header = !args.no_headers;
        let mut layout = TableLayout::new();
        while let Some(event) = events.next().await {
            let event = event?;
            if event["type"] == "ERROR" {
                let status = serde_json::from_value(event["object"].clone()).unwrap_or_default();
                return Err(ClientError::Server(status).into());
            }
            // Events expire after an hour; kubectl does not print their deletion.
            if event["type"] == "DELETED" || !wanted(&event["object"]) {
                continue;
            }
            let object = with_kind(event["object"].clone());
            match format {
                // kubectl's tabwriter remembers column widths across flushes: later rows line
                // up with earlier ones, and columns only widen.
                OutputFormat::Table { .. } => {
                    emit(&printer.render(&mut layout, std::slice::from_ref(&object), header))?
                }
                ref other => emit(&other.print_objects(std::slice::from_ref(&object), true, !args.no_headers)?)?,
            }
            header = false;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut items = Vec::new();
    let mut token = String::new();
    loop {
        let mut params = Vec::new();
        if !token.is_empty() {
            params.push(("continue", token.clone()));
        }
        if let Some(selector) = &field_selector {
            params.push(("fieldSelector", selector.clone()));
        }
        params.push(("limit", args.chunk_size.to_string()));
        let page = session.get_json(&format!("{collection}{}", query(&params)), "application/json").await?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        token = page.pointer("/metadata/continue").and_then(Value::as_str).unwrap_or_default().to_string();
        if token.is_empty() {
            break;
        }
    }
    let mut items: Vec<Value> = items.into_iter().filter(|e| wanted(e)).map(with_kind).collect();
    if items.is_empty() {
        match namespace {
            Some(namespace) => eprintln!("No events found in {namespace} namespace."),
            None => eprintln!("No events found."),
        }
        return Ok(ExitCode::SUCCESS);
    }
    items.sort_by_key(event_time);
    let text = match format {
        OutputFormat::Table { .. } => printer.render(&mut TableLayout::new(), &items, !args.no_headers),
        // kubectl 1.32 prints nothing here: its name printer fails on the typed EventList and
        // `events` ignores the printer's error.
        OutputFormat::Name => String::new(),
        ref other => {
            let list = json!({"apiVersion": "v1", "items": items, "kind": "EventList", "metadata": {}});
            other.print_objects(&[list], true, !args.no_headers)?
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `involvedObject.kind=Pod,involvedObject.apiVersion=v1,involvedObject.name=web` from
/// `--for pod/web` (any name of the type the server knows).
async fn for_selector(session: &Session, object: &str) -> Result<String, ClientError> {
    let Some((resource, name)) = object.split_once('/') else {
        return Err(ClientError::Usage("--for must be in resource/name form".into()));
    };
    if name.contains('/') {
        return Err(ClientError::Usage("arguments in resource/name form may not have more than one slash".into()));
    }
    let discovery = Discovery::load(session).await?;
    let found = discovery
        .resolve(&resource.to_lowercase())
        .and_then(|found| found.into_iter().next())
        .ok_or_else(|| ClientError::UnknownType(resource.to_string()))?;
    Ok(format!(
        "involvedObject.kind={},involvedObject.apiVersion={},involvedObject.name={name}",
        found.kind,
        found.api_version()
    ))
}

/// An event as kubectl prints it: decoded into its typed `corev1.Event` (so the fields Go
/// always encodes are there: null times, empty reporting fields), managed fields hidden, and
/// its kind set (list items come without).
fn with_kind(mut event: Value) -> Value {
    strip_managed_fields(&mut event);
    if let Some(fields) = event.as_object_mut() {
        for time in ["eventTime", "firstTimestamp", "lastTimestamp"] {
            fields.entry(time).or_insert(Value::Null);
        }
        for text in ["reportingComponent", "reportingInstance"] {
            fields.entry(text).or_insert(json!(""));
        }
    }
    if event.get("kind").is_none_or(|k| k.as_str().is_none_or(str::is_empty)) {
        event["apiVersion"] = json!("v1");
        event["kind"] = json!("Event");
    }
    event
}

fn timestamp(event: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    let text = event.pointer(pointer).and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// When an event last happened: its series' last observation, its last timestamp, or its
/// event time (kubectl's `eventTime`), for sorting.
fn event_time(event: &Value) -> Option<DateTime<Utc>> {
    if event.get("series").is_some_and(|s| !s.is_null()) {
        return timestamp(event, "/series/lastObservedTime");
    }
    timestamp(event, "/lastTimestamp").or_else(|| timestamp(event, "/eventTime"))
}

/// kubectl's `EventPrinter`.
struct EventPrinter {
    no_headers: bool,
    all_namespaces: bool,
}

impl EventPrinter {
    fn render(&self, layout: &mut TableLayout, events: &[Value], header: bool) -> String {
        let mut rows = Vec::new();
        if header && !self.no_headers {
            let mut cells = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
            if self.all_namespaces {
                cells.insert(0, "NAMESPACE");
            }
            rows.push(cells.into_iter().map(String::from).collect());
        }
        for event in events {
            let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
            let mut cells = vec![
                interval(event),
                text("/type"),
                text("/reason"),
                format!("{}/{}", text("/involvedObject/kind"), text("/involvedObject/name")),
                text("/message").trim().to_string(),
            ];
            if self.all_namespaces {
                cells.insert(0, text("/metadata/namespace"));
            }
            rows.push(cells);
        }
        layout.render(&rows)
    }
}

/// `5m`, or `2m (x3 over 10m)` for a repeated event.
fn interval(event: &Value) -> String {
    let since = |time: Option<DateTime<Utc>>| match time {
        Some(time) => duration::human(Utc::now() - time),
        None => "<unknown>".to_string(),
    };
    let first = match timestamp(event, "/eventTime") {
        Some(time) => since(Some(time)),
        None => since(timestamp(event, "/firstTimestamp")),
    };
    let count = event["count"].as_i64().unwrap_or(0);
    if event.get("series").is_some_and(|s| !s.is_null()) {
        let series_count = event.pointer("/series/count").and_then(Value::as_i64).unwrap_or(0);
        format!("{} (x{series_count} over {first})", since(timestamp(event, "/series/lastObservedTime")))
    } else if count > 1 {
        format!("{} (x{count} over {first})", since(timestamp(event, "/lastTimestamp")))
    } else {
        first
    }
}
