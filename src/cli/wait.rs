//! `kctl wait`: watches each named object (a list by name, then a watch from the list's
//! resourceVersion, as kubectl's informer does) until its condition, a JSONPath value, or
//! its deletion is observed, or `--timeout` passes.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use clap::Args;
use futures::StreamExt;
use serde_json::Value;

use crate::client::objects::{self, ObjectRef};
use crate::client::{targets, ClientError, ConnectionFlags, Session};
use crate::machinery::duration;
use crate::machinery::jsonpath::{self, text_of, JsonPath};

#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)])
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// The condition to wait on: [delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]].
    #[arg(long = "for")]
    pub for_: Option<String>,
    /// The length of time to wait before giving up. Zero means check once and don't wait, negative means wait for a week.
    #[arg(long, default_value = "30s", value_parser = duration::parse_go)]
    pub timeout: TimeDelta,
}

enum Condition {
    Delete,
    Status { name: String, value: String },
    Path { path: JsonPath, value: Option<String> },
}

fn parse_for(text: &str) -> Result<Condition, ClientError> {
    if text == "delete" {
        return Ok(Condition::Delete);
    }
    if let Some(rest) = text.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status { name: name.to_string(), value: value.to_string() });
    }
    if let Some(rest) = text.strip_prefix("jsonpath=") {
        // The expression ends at the `}` that closes it; `=value` may follow.
        let (expr, value) = match rest.rfind("}=") {
            Some(end) => (&rest[..=end], Some(rest[end + 2..].to_string())),
            None => (rest, None),
        };
        let path = jsonpath::relaxed(expr)
            .and_then(|template| JsonPath::parse(&template))
            .map_err(|e| ClientError::Usage(format!("{e}")))?
            .allow_missing_keys(true);
        return Ok(Condition::Path { path, value });
    }
    Err(ClientError::Usage(format!("unrecognized condition: {text:?}")))
}

fn met(condition: &Condition, object: &Value) -> bool {
    match condition {
        Condition::Delete => false,
        Condition::Status { name, value } => object["status"]["conditions"].as_array().into_iter().flatten().any(|c| {
            c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(name))
                && c["status"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(value))
        }),
        Condition::Path { path, value } => {
            let found = path.values(object);
            match value {
                Some(wanted) => found.len() == 1 && text_of(&found[0]) == *wanted,
                None => !found.is_empty(),
            }
        }
    }
}

pub fn run(flags: &ConnectionFlags, args: &WaitArgs) -> ExitCode {
    crate::cli::exit::block_on(wait(flags, args))
}

async fn wait(flags: &ConnectionFlags, args: &WaitArgs) -> anyhow::Result<ExitCode> {
    let condition = parse_for(args.for_.as_deref().unwrap_or_default())?;
    let limit = args.timeout.to_std().unwrap_or(Duration::from_secs(7 * 24 * 3600));
    if args.args.is_empty() {
        return Err(ClientError::Usage("resource(s) were provided, but no name was specified".into()).into());
    }
    let pairs = targets::split_args(&args.args)?;
    let (session, _, objects) = objects::connect_and_resolve(flags, &pairs).await?;
    let deadline = Instant::now() + limit;
    for object in &objects {
        wait_one(&session, object, &condition, deadline).await?;
        println!("{} condition met", object.display());
    }
    Ok(ExitCode::SUCCESS)
}

async fn wait_one(
    session: &Session,
    object: &ObjectRef,
    condition: &Condition,
    deadline: Instant,
) -> anyhow::Result<()> {
    match objects::get(session, object).await {
        Ok(found) if met(condition, &found) => return Ok(()),
        Ok(_) => {}
        Err(err) if err.is_not_found() && matches!(condition, Condition::Delete) => return Ok(()),
        Err(err) => return Err(err.into()),
    }
    let timed_out = || {
        ClientError::Usage(format!(
            "timed out waiting for the condition on {}/{}",
            object.resource.qualified_plural(),
            object.name
        ))
    };
    let collection = object.resource.collection_path(Some(&session.namespace));
    let by_name = format!(
        "fieldSelector={}",
        form_urlencoded::byte_serialize(format!("metadata.name={}", object.name).as_bytes()).collect::<String>()
    );
    // A watch that ends (server timeout, 410 Gone) is followed by a fresh list.
    loop {
        let list = session
            .get_json(&format!("{collection}?{by_name}&limit=500&resourceVersion=0"), "application/json")
            .await?;
        match list["items"].as_array().and_then(|items| items.first()) {
            Some(found) if met(condition, found) => return Ok(()),
            None if matches!(condition, Condition::Delete) => return Ok(()),
            _ => {}
        }
        let version = list["metadata"]["resourceVersion"].as_str().unwrap_or_default().to_string();
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timed_out().into());
        }
        let path = format!(
            "{collection}?allowWatchBookmarks=true&{by_name}&resourceVersion={version}&timeoutSeconds={}&watch=true",
            remaining.as_secs().max(1)
        );
        let events = session.watch(&path, "application/json").await?;
        futures::pin_mut!(events);
        loop {
            let next =
                match tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), events.next()).await {
                    Err(_) => return Err(timed_out().into()),
                    Ok(None) => break,
                    Ok(Some(event)) => event?,
                };
            match next["type"].as_str().unwrap_or_default() {
                "DELETED" if matches!(condition, Condition::Delete) => return Ok(()),
                "ADDED" | "MODIFIED" if met(condition, &next["object"]) => return Ok(()),
                "ERROR" => break,
                _ => {}
            }
        }
    }
}
