//! `kctl auth whoami` and `kctl auth can-i`, as kubectl's `pkg/cmd/auth`: who the server
//! says the caller is (a SelfSubjectReview), and whether the caller may do something (a
//! SelfSubjectAccessReview) or everything it may do in a namespace (a
//! SelfSubjectRulesReview, broken down, compacted and sorted as kubectl prints it).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::OutputFormat;

#[derive(Args, Debug)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuthCommand {
    /// Check whether an action is allowed.
    CanI(CanIArgs),
    /// Experimental: Check self subject attributes.
    Whoami(WhoamiArgs),
}

#[derive(Args, Debug)]
pub struct CanIArgs {
    /// VERB [TYPE | TYPE/NAME | NONRESOURCEURL]
    pub args: Vec<String>,
    /// If true, check the specified action in all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// If true, suppress output and just return the exit code.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// SubResource such as pod/log or deployment/scale
    #[arg(long, default_value = "")]
    pub subresource: String,
    /// If true, prints all allowed actions.
    #[arg(long)]
    pub list: bool,
    /// If true, prints allowed actions without headers
    #[arg(long = "no-headers")]
    pub no_headers: bool,
}

#[derive(Args, Debug)]
pub struct WhoamiArgs {
    /// Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

pub fn run(flags: &ConnectionFlags, args: &AuthArgs) -> ExitCode {
    match &args.command {
        AuthCommand::Whoami(args) => crate::cli::exit::block_on(whoami(flags, args)),
        AuthCommand::CanI(args) => crate::cli::exit::block_on(can_i(flags, args)),
    }
}

async fn post(session: &Session, path: &str, body: &Value) -> Result<Value, ClientError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ClientError::Transport(e.to_string()))?;
    let (_, answer) =
        session.request(http::Method::POST, path, "application/json", Some(("application/json", bytes))).await?;
    serde_json::from_slice(&answer).map_err(|e| ClientError::Transport(format!("decoding {path}: {e}")))
}

async fn whoami(flags: &ConnectionFlags, args: &WhoamiArgs) -> anyhow::Result<ExitCode> {
    let output = OutputFormat::parse(args.output.as_deref()).map_err(|e| ClientError::Usage(e.to_string()))?;
    let session = Session::connect(flags).await?;
    let review = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {}});
    let answer = post(&session, "/apis/authentication.k8s.io/v1/selfsubjectreviews", &review).await?;
    match output {
        OutputFormat::Table { .. } => print!("{}", whoami_table(&answer)),
        other => print!("{}", other.print_objects(std::slice::from_ref(&answer), true, true)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// Go's `%v` of a list of strings: `[a b]`.
fn go_list(values: Option<&Value>) -> String {
    let items: Vec<&str> = values.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    format!("[{}]", items.join(" "))
}

/// kubectl's whoami table: ATTRIBUTE and VALUE, the extras sorted by key.
fn whoami_table(review: &Value) -> String {
    let info = review.pointer("/status/userInfo").cloned().unwrap_or(Value::Null);
    let mut rows = vec![("ATTRIBUTE".to_string(), "VALUE".to_string())];
    let text = |key: &str| info.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    if !text("username").is_empty() {
        rows.push(("Username".into(), text("username")));
    }
    if !text("uid").is_empty() {
        rows.push(("UID".into(), text("uid")));
    }
    if info.get("groups").and_then(Value::as_array).is_some_and(|g| !g.is_empty()) {
        rows.push(("Groups".into(), go_list(info.get("groups"))));
    }
    if let Some(extra) = info.get("extra").and_then(Value::as_object) {
        let mut keys: Vec<&String> = extra.keys().collect();
        keys.sort();
        for key in keys {
            rows.push((format!("Extra: {key}"), go_list(extra.get(key))));
        }
    }
    tabulate(&rows.iter().map(|(a, b)| vec![a.clone(), b.clone()]).collect::<Vec<_>>())
}

/// Columns padded as kubectl's tab writer pads them (three spaces after the widest cell).
fn tabulate(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}   ", width = widths[c]));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

async fn can_i(flags: &ConnectionFlags, args: &CanIArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        if !args.args.is_empty() {
            return Err(ClientError::Usage("list option must be specified with no arguments".into()).into());
        }
        if args.quiet || args.all_namespaces || !args.subresource.is_empty() {
            return Err(ClientError::Usage(
                "list option can't be specified with neither quiet, all-namespaces nor subresource options".into(),
            )
            .into());
        }
        let session = Session::connect(flags).await?;
        let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
            "spec": {"namespace": session.namespace}});
        let answer = post(&session, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", &review).await?;
        print!("{}", rules_table(&answer, !args.no_headers));
        return Ok(ExitCode::SUCCESS);
    }
    let [verb, target] = args.args.as_slice() else {
        return Err(ClientError::Usage(
            "you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kctl auth can-i -h' for help and examples.".into(),
        )
        .into());
    };
    if args.no_headers {
        return Err(ClientError::Usage("--no-headers cannot be set without --list specified".into()).into());
    }
    let session = Session::connect(flags).await?;
    let namespace = if args.all_namespaces { String::new() } else { session.namespace.clone() };
    let spec = if target.starts_with('/') {
        if !args.subresource.is_empty() {
            return Err(ClientError::Usage("--subresource can not be used with NonResourceURL".into()).into());
        }
        json!({"nonResourceAttributes": {"verb": verb, "path": target}})
    } else {
        let (resource_arg, name) = target.split_once('/').unwrap_or((target.as_str(), ""));
        let (group, resource) = resource_for(&session, resource_arg).await;
        json!({"resourceAttributes": {"namespace": namespace, "verb": verb, "group": group,
            "resource": resource, "subresource": args.subresource, "name": name}})
    };
    let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec});
    let answer = post(&session, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", &review).await?;
    let allowed = answer.pointer("/status/allowed").and_then(Value::as_bool).unwrap_or(false);
    if !args.quiet {
        if allowed {
            println!("yes");
        } else {
            let mut line = "no".to_string();
            for key in ["reason", "evaluationError"] {
                if let Some(text) =
                    answer.pointer(&format!("/status/{key}")).and_then(Value::as_str).filter(|t| !t.is_empty())
                {
                    line.push_str(&format!(" - {text}"));
                }
            }
            println!("{line}");
        }
    }
    Ok(if allowed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The group and plural a type argument names (kubectl's `resourceFor`); an unknown one
/// is asked about as written, with kubectl's warning.
async fn resource_for(session: &Session, arg: &str) -> (String, String) {
    if arg == "*" {
        return (String::new(), arg.to_string());
    }
    let lower = arg.to_lowercase();
    if let Ok(discovery) = Discovery::load(session).await {
        if let Some(found) = discovery.resolve(&lower).and_then(|r| r.into_iter().next()) {
            return (found.group, found.plural);
        }
    }
    let (resource, group) = lower.split_once('.').unwrap_or((lower.as_str(), ""));
    match group {
        "" => eprintln!("Warning: the server doesn't have a resource type '{resource}'"),
        group => eprintln!("Warning: the server doesn't have a resource type '{resource}' in group '{group}'"),
    }
    (String::new(), arg.to_string())
}

/// A PolicyRule as kubectl handles it for `--list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rule {
    verbs: Vec<String>,
    groups: Vec<String>,
    resources: Vec<String>,
    names: Vec<String>,
    urls: Vec<String>,
}

impl Rule {
    /// The generated `PolicyRule.String()` kubectl sorts by.
    fn sort_key(&self) -> String {
        let l = |v: &[String]| format!("[{}]", v.join(" "));
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            l(&self.verbs),
            l(&self.groups),
            l(&self.resources),
            l(&self.names),
            l(&self.urls)
        )
    }

    /// `BreakdownRule`.
    fn breakdown(&self) -> Vec<Rule> {
        let one = |s: &String| vec![s.clone()];
        let mut out = Vec::new();
        for group in &self.groups {
            for resource in &self.resources {
                for verb in &self.verbs {
                    let base =
                        Rule { verbs: one(verb), groups: one(group), resources: one(resource), ..Rule::default() };
                    if self.names.is_empty() {
                        out.push(base);
                    } else {
                        out.extend(self.names.iter().map(|n| Rule { names: one(n), ..base.clone() }));
                    }
                }
            }
        }
        for url in &self.urls {
            for verb in &self.verbs {
                out.push(Rule { verbs: one(verb), urls: one(url), ..Rule::default() });
            }
        }
        out
    }
}

/// kubectl's `printStatus`: the rules broken down, compacted, sorted and tabulated.
fn rules_table(review: &Value, headers: bool) -> String {
    let strings = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let mut rules = Vec::new();
    for rule in review.pointer("/status/resourceRules").and_then(Value::as_array).into_iter().flatten() {
        rules.push(Rule {
            verbs: strings(rule, "verbs"),
            groups: strings(rule, "apiGroups"),
            resources: strings(rule, "resources"),
            names: strings(rule, "resourceNames"),
            urls: Vec::new(),
        });
    }
    for rule in review.pointer("/status/nonResourceRules").and_then(Value::as_array).into_iter().flatten() {
        rules.push(Rule { verbs: strings(rule, "verbs"), urls: strings(rule, "nonResourceURLs"), ..Rule::default() });
    }
    // CompactRules: simple rules (one group, one resource, at most one name) joined by verbs.
    let mut compacted: Vec<Rule> = Vec::new();
    let mut simple: Vec<Rule> = Vec::new();
    for rule in rules.iter().flat_map(Rule::breakdown) {
        let is_simple =
            rule.names.len() <= 1 && rule.urls.is_empty() && rule.groups.len() == 1 && rule.resources.len() == 1;
        if !is_simple {
            compacted.push(rule);
            continue;
        }
        match simple
            .iter_mut()
            .find(|s| s.groups == rule.groups && s.resources == rule.resources && s.names == rule.names)
        {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    compacted.extend(simple);
    compacted.sort_by_key(Rule::sort_key);
    let mut rows = Vec::new();
    if headers {
        rows.push(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"].map(str::to_string).to_vec());
    }
    for rule in compacted {
        rows.push(vec![
            combine_resource_group(&rule.resources, &rule.groups),
            format!("[{}]", rule.urls.join(" ")),
            format!("[{}]", rule.names.join(" ")),
            format!("[{}]", rule.verbs.join(" ")),
        ]);
    }
    tabulate(&rows)
}

/// kubectl's `CombineResourceGroup`: `resource.group/subresource` of the first of each.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else { return String::new() };
    let (resource, sub) = match first.split_once('/') {
        Some((resource, sub)) => (resource, Some(sub)),
        None => (first.as_str(), None),
    };
    let mut combined = resource.to_string();
    if let Some(group) = groups.first().filter(|g| !g.is_empty()) {
        combined = format!("{combined}.{group}");
    }
    if let Some(sub) = sub {
        combined = format!("{combined}/{sub}");
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_listed_compacted_and_sorted_as_kubectl_lists_them() {
        let review = json!({"status": {
            "resourceRules": [
                {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"]},
                {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"]},
            ],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api"]}],
        }});
        let expected = [
            "Resources                                       Non-Resource URLs   Resource Names   Verbs",
            "selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]",
            "pods/log                                        []                  []               [get list]",
            "pods                                            []                  []               [get list]",
            "                                                [/api]              []               [get]",
        ];
        assert_eq!(rules_table(&review, true), expected.join("\n") + "\n");
    }
}
