//! `kctl taint` (kubectl's `cmd/taint`): add `key[=value]:Effect`, remove `key[:Effect]-`,
//! on named nodes, `--all` or `-l`; an existing taint is replaced only with `--overwrite`.

use std::process::ExitCode;

use clap::Args;
use k8s_openapi::api::core::v1::Taint;
use serde_json::{json, Value};

use crate::cli::drain::aggregate;
use crate::client::write::DryRun;
use crate::client::{objects, ClientError, ConnectionFlags, Session};
use crate::machinery::validation::{is_label_value, is_qualified_name};

#[derive(Args, Debug, Clone)]
pub struct TaintArgs {
    /// NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N
    #[arg(add = crate::cli::complete::types(&["node"]))]
    pub args: Vec<String>,
    /// If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.
    #[arg(long)]
    pub overwrite: bool,
    /// Select all nodes in the cluster
    #[arg(long)]
    pub all: bool,
    /// Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager", default_value = "kubectl-taint")]
    pub field_manager: String,
}

/// The command line split as kubectl's `Complete` does, and checked as its `Validate`.
#[derive(Debug, PartialEq)]
struct Plan {
    names: Vec<String>,
    add: Vec<Taint>,
    remove: Vec<Taint>,
}

fn usage(message: &str) -> ClientError {
    ClientError::Usage(format!("{message}\nSee 'kubectl taint -h' for help and examples"))
}

fn taint(key: &str, value: &str, effect: &str) -> Taint {
    Taint { key: key.into(), value: (!value.is_empty()).then(|| value.into()), effect: effect.into(), time_added: None }
}

/// `Taint.ToString()`.
fn shown(taint: &Taint) -> String {
    let value = taint.value.as_deref().unwrap_or_default();
    match (taint.effect.is_empty(), value.is_empty()) {
        (true, true) => taint.key.clone(),
        (true, false) => format!("{}={value}:", taint.key),
        (false, true) => format!("{}:{}", taint.key, taint.effect),
        (false, false) => format!("{}={value}:{}", taint.key, taint.effect),
    }
}

/// `parseTaint`: `key`, `key:Effect` or `key=value:Effect`.
fn parse_taint(spec: &str) -> Result<Taint, String> {
    let invalid = || format!("invalid taint spec: {spec}");
    let parts: Vec<&str> = spec.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => (*key, "", ""),
        [key_value, effect] => {
            if !matches!(*effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let kv: Vec<&str> = key_value.split('=').collect();
            match kv.as_slice() {
                [key] => (*key, "", *effect),
                [key, value] => {
                    let errors = is_label_value(value);
                    if !errors.is_empty() {
                        return Err(format!("invalid taint spec: {spec}, {}", errors.join("; ")));
                    }
                    (*key, *value, *effect)
                }
                _ => return Err(invalid()),
            }
        }
        _ => return Err(invalid()),
    };
    let errors = is_qualified_name(key);
    if !errors.is_empty() {
        return Err(format!("invalid taint spec: {spec}, {}", errors.join("; ")));
    }
    Ok(taint(key, value, effect))
}

/// `parseTaints`: what to add and what to remove.
fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove) = (Vec::<Taint>::new(), Vec::new());
    for spec in specs {
        if let Some(spec) = spec.strip_suffix('-') {
            let parsed = parse_taint(spec)?;
            remove.push(taint(&parsed.key, "", &parsed.effect));
            continue;
        }
        let parsed = parse_taint(spec)?;
        if parsed.effect.is_empty() {
            return Err(format!("invalid taint spec: {spec}"));
        }
        if add.iter().any(|t| t.key == parsed.key && t.effect == parsed.effect) {
            // Go's %v of the struct.
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                parsed.key,
                parsed.value.as_deref().unwrap_or_default(),
                parsed.effect
            ));
        }
        add.push(parsed);
    }
    Ok((add, remove))
}

fn plan(args: &TaintArgs) -> Result<Plan, ClientError> {
    let (mut resources, mut specs) = (Vec::new(), Vec::new());
    for arg in &args.args {
        let is_taint = arg.contains('=') || arg.contains(':') || arg.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(arg.clone()),
            (true, false) => resources.push(arg.clone()),
            (false, false) => {
                return Err(ClientError::Usage(format!("all resources must be specified before taint changes: {arg}")))
            }
        }
    }
    if resources.is_empty() {
        return Err(ClientError::Usage("one or more resources must be specified as <resource> <name>".into()));
    }
    if specs.is_empty() {
        return Err(ClientError::Usage("at least one taint update is required".into()));
    }
    let (add, remove) = parse_taints(&specs).map_err(|err| usage(&err))?;
    let kind = resources[0].to_lowercase();
    if !matches!(kind.as_str(), "node" | "nodes" | "no") {
        return Err(ClientError::Usage(format!("invalid resource type {kind}, only node types are supported")));
    }
    let conflicts: Vec<String> = remove
        .iter()
        .filter(|r| add.iter().any(|a| a.key == r.key && (r.effect.is_empty() || a.effect == r.effect)))
        .map(|r| format!("{}={}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return Err(ClientError::Usage(format!(
            "can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        )));
    }
    if args.all && args.selector.is_some() {
        return Err(ClientError::Usage("setting 'all' parameter with a non empty selector is prohibited".into()));
    }
    if !args.all && args.selector.is_none() && resources.len() < 2 {
        return Err(ClientError::Usage(
            "at least one resource name must be specified since 'all' parameter is not set".into(),
        ));
    }
    Ok(Plan { names: resources[1..].to_vec(), add, remove })
}

/// `updateTaints` / `reorganizeTaints`: the node's new taints and the word for what changed.
fn reorganize(node: &str, old: &[Taint], plan: &Plan, overwrite: bool) -> Result<(&'static str, Vec<Taint>), String> {
    if !overwrite {
        let existing: Vec<&str> = plan
            .add
            .iter()
            .filter(|t| old.iter().any(|o| o.key == t.key && o.effect == t.effect))
            .map(|t| t.key.as_str())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "node {node} already has {} taint(s) with same effect(s) and --overwrite is false",
                existing.join(",")
            ));
        }
    }
    let mut taints = plan.add.clone();
    for o in old {
        if !taints.iter().any(|t| t.key == o.key && t.effect == o.effect) {
            taints.push(o.clone());
        }
    }
    let added = old.len() != taints.len();
    let (mut errors, mut deleted) = (Vec::new(), false);
    for r in &plan.remove {
        let before = taints.len();
        taints.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = taints.len() != before;
        if !deleted {
            errors.push(format!("taint {:?} not found", shown(r)));
        }
    }
    if !errors.is_empty() {
        return Err(aggregate(&errors));
    }
    let operation = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    Ok((operation, taints))
}

pub fn run(flags: &ConnectionFlags, args: &TaintArgs) -> ExitCode {
    crate::cli::exit::block_on(update(flags, args))
}

async fn update(flags: &ConnectionFlags, args: &TaintArgs) -> anyhow::Result<ExitCode> {
    let dry_run = DryRun::parse(args.dry_run.as_deref())?;
    let plan = plan(args)?;
    let session = Session::connect(flags).await?;
    let mut nodes = Vec::new();
    if args.all || args.selector.is_some() {
        let mut params = Vec::new();
        if let Some(selector) = &args.selector {
            params.push(("labelSelector", selector.clone()));
        }
        let list = session.get_json(&format!("/api/v1/nodes{}", objects::query(&params)), "application/json").await?;
        nodes.extend(list["items"].as_array().cloned().unwrap_or_default());
    }
    let mut errors = Vec::new();
    for name in &plan.names {
        match session.get_json(&format!("/api/v1/nodes/{name}"), "application/json").await {
            Ok(node) => nodes.push(node),
            Err(err) => errors.push(err.message()),
        }
    }
    for node in &nodes {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let old: Vec<Taint> =
            serde_json::from_value(node.pointer("/spec/taints").cloned().unwrap_or(json!([]))).unwrap_or_default();
        let (operation, taints) = match reorganize(name, &old, &plan, args.overwrite) {
            Ok(changed) => changed,
            Err(err) => {
                errors.push(format!("error: {err}"));
                continue;
            }
        };
        if dry_run != DryRun::Client {
            let taints = if taints.is_empty() { Value::Null } else { serde_json::to_value(&taints)? };
            let patch = json!({"spec": {"taints": taints}});
            let query = crate::client::write::query(&[("fieldManager", &args.field_manager)], dry_run);
            let path = format!("/api/v1/nodes/{name}{query}");
            if let Err(err) = objects::patch(&session, &path, "application/strategic-merge-patch+json", &patch).await {
                errors.push(err.message());
                continue;
            }
        }
        println!("node/{name} {operation}{}", dry_run.suffix());
    }
    if errors.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for error in &errors {
        eprintln!("{error}");
    }
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> TaintArgs {
        TaintArgs {
            args: list.iter().map(|s| s.to_string()).collect(),
            overwrite: false,
            all: false,
            selector: None,
            dry_run: None,
            field_manager: "kubectl-taint".into(),
        }
    }

    #[test]
    fn taint_specs_parse_as_kubectls() {
        let parsed = plan(&args(&["nodes", "n1", "a=b:NoSchedule", "c:NoExecute-", "d-"])).expect("valid");
        assert_eq!(parsed.names, ["n1"]);
        assert_eq!(parsed.add, [taint("a", "b", "NoSchedule")]);
        assert_eq!(parsed.remove, [taint("c", "", "NoExecute"), taint("d", "", "")]);
        let err = |list: &[&str]| plan(&args(list)).expect_err("refused").message();
        assert_eq!(
            err(&["node", "n1", "a=b:Never"]),
            "error: invalid taint effect: Never, unsupported taint effect\nSee 'kubectl taint -h' for help and examples"
        );
        assert!(err(&["node", "n1", "a=b"]).starts_with("error: invalid taint spec: a=b, name part must consist of"));
        assert_eq!(err(&["node", "n1"]), "error: at least one taint update is required");
        assert_eq!(
            err(&["pods", "p", "a:NoSchedule"]),
            "error: invalid resource type pods, only node types are supported"
        );
        assert_eq!(
            err(&["node", "n1", "a:NoSchedule", "a-"]),
            "error: can not both modify and remove the following taint(s) in the same command: a="
        );
    }

    #[test]
    fn existing_taints_need_overwrite_and_removals_must_match() {
        let old = vec![taint("a", "1", "NoSchedule")];
        let add = Plan { names: vec![], add: vec![taint("a", "2", "NoSchedule")], remove: vec![] };
        assert_eq!(
            reorganize("n1", &old, &add, false).expect_err("exists"),
            "node n1 already has a taint(s) with same effect(s) and --overwrite is false"
        );
        assert_eq!(
            reorganize("n1", &old, &add, true).expect("overwrite"),
            ("modified", vec![taint("a", "2", "NoSchedule")])
        );
        let other = Plan { names: vec![], add: vec![taint("b", "", "NoExecute")], remove: vec![] };
        assert_eq!(reorganize("n1", &old, &other, false).expect("added").0, "tainted");
        let remove = Plan { names: vec![], add: vec![], remove: vec![taint("a", "", "")] };
        assert_eq!(reorganize("n1", &old, &remove, false).expect("removed"), ("untainted", vec![]));
        let missing = Plan { names: vec![], add: vec![], remove: vec![taint("z", "", "NoSchedule")] };
        assert_eq!(reorganize("n1", &old, &missing, false).expect_err("missing"), "taint \"z:NoSchedule\" not found");
    }
}
