//! `kctl describe`: fetches the named objects (or every object of the type, or those a
//! selector matches; a name that is not found matches as a prefix, as kubectl) and prints
//! each with its kind's describer, separated by blank lines.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::client::targets;
use crate::client::{ClientError, ConnectionFlags, Discovery, Session};

#[derive(Args, Debug, Clone)]
pub struct DescribeArgs {
    /// TYPE [NAME_PREFIX ...] | TYPE/NAME ...
    #[arg(add = crate::cli::complete::resources())]
    pub args: Vec<String>,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// List the requested object(s) across all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// If true, display events related to the described object.
    #[arg(long = "show-events", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub show_events: bool,
    /// Return large lists in chunks rather than all at once.
    #[arg(long = "chunk-size", default_value_t = 500)]
    pub chunk_size: u64,
}

pub fn run(flags: &ConnectionFlags, args: &DescribeArgs) -> ExitCode {
    super::exit::block_on(describe(flags, args))
}

async fn describe(flags: &ConnectionFlags, args: &DescribeArgs) -> anyhow::Result<ExitCode> {
    if args.args.is_empty() {
        return Err(ClientError::Usage(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".to_string(),
        )
        .into());
    }
    let pairs = targets::split_args(&args.args)?;
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let targets = targets::resolve(&session, &mut discovery, &pairs).await?;
    let namespace = (!args.all_namespaces).then_some(session.namespace.as_str());
    // The flag marks prefix matches, which kubectl prints each followed by a blank line.
    let mut objects: Vec<(crate::client::ApiResource, Value, bool)> = Vec::new();
    let mut errors: Vec<ClientError> = Vec::new();
    for target in &targets {
        let resource = &target.resource;
        if target.names.is_empty() {
            let mut path = resource.collection_path(namespace);
            if let Some(selector) = args.selector.as_deref().filter(|s| !s.is_empty()) {
                path.push_str(&format!(
                    "?labelSelector={}",
                    form_urlencoded::byte_serialize(selector.as_bytes()).collect::<String>()
                ));
            }
            let list = session.get_json(&path, "application/json").await?;
            objects
                .extend(list["items"].as_array().into_iter().flatten().map(|o| (resource.clone(), o.clone(), false)));
            continue;
        }
        for name in &target.names {
            match session.get_json(&resource.object_path(namespace, name), "application/json").await {
                Ok(object) => objects.push((resource.clone(), object, false)),
                Err(err) if err.is_not_found() => {
                    // kubectl falls back to objects whose names start with the argument.
                    let list = session.get_json(&resource.collection_path(namespace), "application/json").await?;
                    let matches: Vec<Value> = list["items"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|o| o["metadata"]["name"].as_str().is_some_and(|n| n.starts_with(name.as_str())))
                        .cloned()
                        .collect();
                    if matches.is_empty() {
                        errors.push(err);
                    }
                    objects.extend(matches.into_iter().map(|o| (resource.clone(), o, true)));
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
    let mut first = true;
    for (resource, object, prefix_match) in &objects {
        let text = crate::describe::describe(&session, resource, object, args.show_events).await?;
        let mut out = std::io::stdout().lock();
        if *prefix_match {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
            continue;
        }
        if !first {
            out.write_all(b"\n\n")?;
        }
        out.write_all(text.as_bytes())?;
        out.flush()?;
        first = false;
    }
    if objects.is_empty() && errors.is_empty() {
        if !args.all_namespaces && targets.iter().all(|t| t.resource.namespaced) {
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
