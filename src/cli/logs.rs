//! `kctl logs`: finds the pod (directly, through a workload's selector, or by `-l`), picks
//! its container as kubectl does, and copies `pods/NAME/log` to stdout (streamed with `-f`).

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use futures::StreamExt;
use serde_json::Value;

use crate::client::attachable::{attachable_pod, default_container, AttachableError};
use crate::client::objects;
use crate::client::{ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct LogsArgs {
    /// POD | TYPE/NAME [CONTAINER]
    #[arg(add = crate::cli::complete::pods())]
    pub args: Vec<String>,
    /// Print the logs of this container.
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Get all containers' logs in the pod(s).
    #[arg(long = "all-containers")]
    pub all_containers: bool,
    /// Specify if the logs should be streamed.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// If true, print the logs for the previous instance of the container in a pod if it exists.
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// Lines of recent log file to display. Defaults to -1 with no selector, 10 with a selector.
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,
    /// Only return logs newer than a relative duration like 5s, 2m, or 3h.
    #[arg(long, value_parser = crate::machinery::duration::parse_go)]
    pub since: Option<chrono::TimeDelta>,
    /// Only return logs after a specific date (RFC3339).
    #[arg(long = "since-time")]
    pub since_time: Option<String>,
    /// Include timestamps on each line in the log output.
    #[arg(long)]
    pub timestamps: bool,
    /// Prefix each log line with the log source (pod name and container name).
    #[arg(long)]
    pub prefix: bool,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Maximum bytes of logs to return.
    #[arg(long = "limit-bytes", default_value_t = 0)]
    pub limit_bytes: i64,
    /// Maximum number of concurrent logs to follow when using a selector.
    #[arg(long = "max-log-requests", default_value_t = 5)]
    pub max_log_requests: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples")]
    Usage,
    #[error("only one of -c or an inline [CONTAINER] arg is allowed")]
    TwoContainers,
    #[error("at most one of `sinceTime` or `sinceSeconds` may be specified")]
    TwoSinces,
    #[error("--since must be greater than 0")]
    NegativeSince,
    #[error("container {container} is not valid for pod {pod}")]
    NoSuchContainer { container: String, pod: String },
    #[error("timed out waiting for the condition")]
    NoPods,
    #[error("you are attempting to follow {0} log streams, but maximum allowed concurrency is {1}, use --max-log-requests to increase the limit")]
    TooManyStreams(usize, usize),
}

/// `--since` in whole seconds as kubectl sends it: rounded half away from zero, at least one
/// for a non-zero duration.
fn since_seconds(since: chrono::TimeDelta) -> i64 {
    let nanos = since.num_nanoseconds().unwrap_or(i64::MAX);
    let seconds = nanos / 1_000_000_000 + (nanos % 1_000_000_000) / 500_000_000;
    if seconds == 0 {
        1
    } else {
        seconds
    }
}

/// `--since-time` read as kubectl reads it (RFC 3339), sent back in UTC seconds; a bad
/// value gets Go's `time.Parse` error.
fn parse_since_time(text: &str) -> anyhow::Result<String> {
    // chrono also takes a space or a lowercase `t` for the `T`; Go does not.
    let layout_fits = text.as_bytes().get(10) == Some(&b'T');
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) if layout_fits => Ok(time.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        _ => Err(anyhow::anyhow!("{}", go_rfc3339_error(text))),
    }
}

/// Go's message for a value that does not fit `2006-01-02T15:04:05Z07:00`: the first
/// layout element the rest of the value does not match.
fn go_rfc3339_error(value: &str) -> String {
    const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
    let head = format!("parsing time {value:?} as {LAYOUT:?}");
    let elements: [(&str, usize); 11] = [
        ("2006", 4),
        ("-", 0),
        ("01", 2),
        ("-", 0),
        ("02", 2),
        ("T", 0),
        ("15", 2),
        (":", 0),
        ("04", 2),
        (":", 0),
        ("05", 2),
    ];
    let mut rest = value;
    for (element, digits) in elements {
        let fits = if digits == 0 {
            rest.starts_with(element)
        } else {
            rest.len() >= digits && rest.as_bytes()[..digits].iter().all(u8::is_ascii_digit)
        };
        if !fits {
            return format!("{head}: cannot parse {rest:?} as {element:?}");
        }
        rest = &rest[if digits == 0 { element.len() } else { digits }..];
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone_fits = rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && [1, 2, 4, 5].iter().all(|&i| rest.as_bytes()[i].is_ascii_digit()));
    if !zone_fits && !rest.starts_with('Z') {
        return format!("{head}: cannot parse {rest:?} as \"Z07:00\"");
    }
    if rest.len() > 1 && rest.starts_with('Z') {
        return format!("parsing time {value:?}: extra text: {:?}", &rest[1..]);
    }
    // Every element fits, so a field is out of range (Go names which).
    format!("{head}: value out of range")
}

/// What to fetch, decided before any request.
struct Plan {
    /// `pod/x`, `deployment/x`, or None with `-l`.
    object: Option<(String, String)>,
    container: Option<String>,
    query: Vec<(&'static str, String)>,
}

fn plan(args: &LogsArgs) -> Result<Plan, anyhow::Error> {
    let mut container = args.container.clone();
    let object = match (args.args.as_slice(), &args.selector) {
        ([], Some(_)) => None,
        ([], None) => return Err(LogsError::Usage.into()),
        ([one, rest @ ..], _) if rest.len() <= 1 => {
            if let Some(inline) = rest.first() {
                if container.is_some() {
                    return Err(LogsError::TwoContainers.into());
                }
                container = Some(inline.clone());
            }
            match one.split_once('/') {
                Some((kind, name)) => Some((kind.to_string(), name.to_string())),
                None => Some(("pods".to_string(), one.clone())),
            }
        }
        _ => return Err(LogsError::Usage.into()),
    };
    let since = args.since.filter(|since| !since.is_zero()).map(since_seconds);
    if since.is_some() && args.since_time.is_some() {
        return Err(LogsError::TwoSinces.into());
    }
    if since.is_some_and(|seconds| seconds < 0) {
        return Err(LogsError::NegativeSince.into());
    }
    // kubectl's LogOptions query, fields in the order its codec writes them.
    let mut query = Vec::new();
    if args.follow {
        query.push(("follow", "true".to_string()));
    }
    if args.previous {
        query.push(("previous", "true".to_string()));
    }
    if let Some(seconds) = since {
        query.push(("sinceSeconds", seconds.to_string()));
    }
    if let Some(since_time) = &args.since_time {
        query.push(("sinceTime", parse_since_time(since_time)?));
    }
    if args.timestamps {
        query.push(("timestamps", "true".to_string()));
    }
    let tail = if args.tail < 0 && args.selector.is_some() { 10 } else { args.tail };
    if tail >= 0 {
        query.push(("tailLines", tail.to_string()));
    }
    if args.limit_bytes > 0 {
        query.push(("limitBytes", args.limit_bytes.to_string()));
    }
    Ok(Plan { object, container, query })
}

pub fn run(flags: &ConnectionFlags, args: &LogsArgs) -> ExitCode {
    crate::cli::exit::block_on(logs(flags, args))
}

async fn logs(flags: &ConnectionFlags, args: &LogsArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args)?;
    let session = Session::connect(flags).await?;
    let pods = find_pods(&session, &plan, args).await?;
    // (pod name, container) pairs to read
    let mut sources: Vec<(String, String)> = Vec::new();
    for pod in &pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
        for container in containers_of(pod, &plan, args)? {
            sources.push((name.clone(), container));
        }
    }
    if args.follow && sources.len() > args.max_log_requests {
        return Err(LogsError::TooManyStreams(sources.len(), args.max_log_requests).into());
    }
    let prefix = args.prefix;
    for (pod, container) in &sources {
        let mut query = vec![("container", container.clone())];
        query.extend(plan.query.iter().cloned());
        let path = format!("/api/v1/namespaces/{}/pods/{pod}/log{}", session.namespace, objects::query(&query));
        let mut stream = Box::pin(objects::stream_get(&session, &path).await?);
        let mut out = std::io::stdout();
        let mut line = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if !prefix {
                out.write_all(&chunk)?;
                out.flush()?;
                continue;
            }
            for byte in chunk.iter() {
                line.push(*byte);
                if *byte == b'\n' {
                    write!(out, "[pod/{pod}/{container}] ")?;
                    out.write_all(&line)?;
                    line.clear();
                }
            }
            out.flush()?;
        }
        if !line.is_empty() {
            write!(out, "[pod/{pod}/{container}] ")?;
            out.write_all(&line)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The pods to read: the named pod, the first pod of a workload, or the selector's pods.
async fn find_pods(session: &Session, plan: &Plan, args: &LogsArgs) -> anyhow::Result<Vec<Value>> {
    let pods_path = format!("/api/v1/namespaces/{}/pods", session.namespace);
    let Some((kind, name)) = &plan.object else {
        let selector = args.selector.clone().unwrap_or_default();
        let list = session
            .get_json(&format!("{pods_path}{}", objects::query(&[("labelSelector", selector)])), "application/json")
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            eprintln!("No resources found in {} namespace.", session.namespace);
        }
        return Ok(items);
    };
    let pod = attachable_pod(session, kind, name).await.map_err(|err| -> anyhow::Error {
        match err {
            // kubectl's log lookup words a missing object its own way.
            AttachableError::NotFound { resource, name, .. } => ClientError::Usage(format!(
                "error from server (NotFound): {resource} {name:?} not found in namespace {:?}",
                session.namespace
            ))
            .into(),
            AttachableError::NoPods => LogsError::NoPods.into(),
            AttachableError::Client(err) => err.into(),
        }
    })?;
    Ok(vec![pod])
}

/// The containers of a pod to read: `-c`, all of them, or the default one (announced
/// on stderr when the pod has several, as kubectl does).
fn containers_of(pod: &Value, plan: &Plan, args: &LogsArgs) -> anyhow::Result<Vec<String>> {
    let names = |field: &str| -> Vec<String> {
        pod["spec"][field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .map(str::to_string)
            .collect()
    };
    let (init, main) = (names("initContainers"), names("containers"));
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    if args.all_containers {
        return Ok(init.into_iter().chain(main).collect());
    }
    if let Some(container) = &plan.container {
        if !init.contains(container) && !main.contains(container) && !main.is_empty() {
            return Err(LogsError::NoSuchContainer { container: container.clone(), pod: pod_name }.into());
        }
        return Ok(vec![container.clone()]);
    }
    Ok(default_container(pod, false).into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_rounds_to_whole_seconds_as_kubectl() {
        let ms = chrono::TimeDelta::milliseconds;
        assert_eq!(since_seconds(ms(1_499)), 1);
        assert_eq!(since_seconds(ms(1_500)), 2);
        assert_eq!(since_seconds(ms(1)), 1);
        assert_eq!(since_seconds(chrono::TimeDelta::hours(1)), 3600);
        assert_eq!(since_seconds(ms(-1_500)), -2);
    }

    #[test]
    fn since_time_errors_read_as_go() {
        assert_eq!(
            go_rfc3339_error("not-a-time"),
            "parsing time \"not-a-time\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"not-a-time\" as \"2006\""
        );
        assert!(go_rfc3339_error("2024-01-01 00:00:00Z").ends_with("cannot parse \" 00:00:00Z\" as \"T\""));
        assert_eq!(parse_since_time("2024-01-01T02:00:00+02:00").unwrap(), "2024-01-01T00:00:00Z");
    }
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: LogsArgs,
    }

    fn parse(args: &[&str]) -> LogsArgs {
        Wrapper::parse_from(std::iter::once("logs").chain(args.iter().copied())).args
    }

    #[test]
    fn inline_container_and_flag_conflict() {
        assert!(plan(&parse(&["p1", "main", "-c", "other"])).is_err());
    }

    #[test]
    fn selector_defaults_to_ten_lines() {
        let plan = plan(&parse(&["-l", "app=web"])).unwrap();
        assert!(plan.query.contains(&("tailLines", "10".to_string())));
    }
}
