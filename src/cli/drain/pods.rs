//! Removing one node's pods (kubectl's `pkg/drain/drain.go`): list them, filter, then
//! evict each concurrently (a 429 is retried after 5 s) or delete them all, and wait
//! until each is gone — printing `evicting pod ns/name` and `pod/name evicted` as kubectl.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::filters::{self, Decisions, Options};
use super::{aggregate, server_message, DrainArgs, EVICTION_RETRY};
use crate::client::write::DryRun;
use crate::client::{objects, ClientError, Session};
use crate::machinery::duration::format_go_std;

/// What a drain was asked to do.
pub struct Plan<'a> {
    pub args: &'a DrainArgs,
    pub dry_run: DryRun,
    /// `--timeout` (none when zero: wait forever).
    pub timeout: Option<Duration>,
    pub started: Instant,
}

impl Plan<'_> {
    fn timed_out(&self) -> bool {
        self.timeout.is_some_and(|limit| self.started.elapsed() >= limit)
    }

    fn timeout_text(&self) -> String {
        // Go prints an unbounded timeout as math.MaxInt64 nanoseconds.
        self.timeout.map_or("2562047h47m16.854775807s".to_string(), format_go_std)
    }

    /// The DeleteOptions of each eviction or delete (`makeDeleteOptions`).
    fn delete_options(&self) -> Value {
        let mut options = json!({"kind": "DeleteOptions", "apiVersion": "v1"});
        if self.args.grace_period >= 0 {
            options["gracePeriodSeconds"] = json!(self.args.grace_period);
        }
        if self.dry_run == DryRun::Server {
            options["dryRun"] = json!(["All"]);
        }
        options
    }
}

fn text<'a>(pod: &'a Value, pointer: &str) -> &'a str {
    pod.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

fn pod_path(pod: &Value) -> String {
    format!("/api/v1/namespaces/{}/pods/{}", text(pod, "/metadata/namespace"), text(pod, "/metadata/name"))
}

/// `GetPodsForDeletion`: the node's pods (by `spec.nodeName`, in chunks) and the filters'
/// verdicts; the filters' errors refuse the drain.
async fn pods_for_deletion(session: &Session, plan: &Plan<'_>, node: &str) -> Result<Decisions, Vec<String>> {
    let mut params = vec![("fieldSelector", format!("spec.nodeName={node}"))];
    if let Some(selector) = &plan.args.pod_selector {
        params.push(("labelSelector", selector.clone()));
    }
    if plan.args.chunk_size > 0 {
        params.push(("limit", plan.args.chunk_size.to_string()));
    }
    let mut pods = Vec::new();
    let mut continue_token: Option<String> = None;
    loop {
        let mut page_params = params.clone();
        if let Some(token) = &continue_token {
            page_params.push(("continue", token.clone()));
        }
        let path = format!("/api/v1/pods{}", objects::query(&page_params));
        let list = session.get_json(&path, "application/json").await.map_err(|err| vec![server_message(&err)])?;
        pods.extend(list["items"].as_array().cloned().unwrap_or_default());
        continue_token =
            list.pointer("/metadata/continue").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
        if continue_token.is_none() {
            break;
        }
    }
    let options = Options {
        force: plan.args.force,
        ignore_daemonsets: plan.args.ignore_daemonsets,
        delete_emptydir_data: plan.args.delete_emptydir_data,
        skip_wait_for_delete_timeout: plan.args.skip_wait_for_delete_timeout,
    };
    let mut decisions = Vec::new();
    for pod in pods {
        let verdict = filters::verdict(session, &options, &pod).await;
        decisions.push((pod, verdict));
    }
    let decisions = Decisions(decisions);
    let errors = decisions.errors();
    if errors.is_empty() {
        Ok(decisions)
    } else {
        Err(errors)
    }
}

/// `deleteOrEvictPodsSimple` for one node.
/// The errors come one by one (kubectl prints them as one aggregate, then each on a line).
pub async fn drain_node(session: &Session, plan: &Plan<'_>, node: &str) -> Result<(), Vec<String>> {
    let decisions = pods_for_deletion(session, plan, node).await?;
    let warnings = decisions.warnings();
    if !warnings.is_empty() {
        eprintln!("Warning: {warnings}");
    }
    let pods: Vec<Value> = decisions.pods().into_iter().cloned().collect();
    if plan.dry_run == DryRun::Client {
        for pod in &pods {
            println!("evicting pod {}/{} (dry run)", text(pod, "/metadata/namespace"), text(pod, "/metadata/name"));
        }
        return Ok(());
    }
    let Err(err) = delete_or_evict(session, plan, &pods).await else { return Ok(()) };
    match pods_for_deletion(session, plan, node).await {
        Ok(pending) => {
            let pending = pending.pods();
            if !pending.is_empty() {
                eprintln!("There are pending pods in node {node:?} when an error occurred: {}", aggregate(&err));
                for pod in pending {
                    eprintln!("pod/{}", text(pod, "/metadata/name"));
                }
            }
        }
        Err(errors) => {
            eprint!("Following errors occurred while getting the list of pods to delete:\n{}", aggregate(&errors))
        }
    }
    Err(err)
}

/// Whether the server serves `pods/eviction` (`CheckEvictionSupport`).
async fn eviction_supported(session: &Session) -> Result<bool, String> {
    let resources = session.get_json("/api/v1", "application/json").await.map_err(|err| server_message(&err))?;
    Ok(resources["resources"].as_array().is_some_and(|list| {
        list.iter().any(|r| {
            r["name"] == "pods/eviction"
                && r["kind"] == "Eviction"
                && r["group"].as_str().is_some_and(|g| !g.is_empty())
                && r["version"].as_str().is_some_and(|v| !v.is_empty())
        })
    }))
}

async fn delete_or_evict(session: &Session, plan: &Plan<'_>, pods: &[Value]) -> Result<(), Vec<String>> {
    if pods.is_empty() {
        return Ok(());
    }
    if !plan.args.disable_eviction && eviction_supported(session).await.map_err(|err| vec![err])? {
        let results = futures::future::join_all(pods.iter().map(|pod| evict(session, plan, pod))).await;
        let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
        return if errors.is_empty() { Ok(()) } else { Err(errors) };
    }
    for pod in pods {
        let body = serde_json::to_vec(&plan.delete_options()).unwrap_or_default();
        let deleted = session
            .request(http::Method::DELETE, &pod_path(pod), "application/json", Some(("application/json", body)))
            .await;
        match deleted {
            Err(err) if !err.is_not_found() => return Err(vec![server_message(&err)]),
            _ => {}
        }
    }
    wait_for_delete(session, plan, pods.to_vec(), false).await.map_err(|err| vec![err])
}

/// One pod's eviction, retried while a disruption budget refuses it, then the wait for it
/// to be gone.
async fn evict(session: &Session, plan: &Plan<'_>, pod: &Value) -> Result<(), String> {
    let (namespace, name) = (text(pod, "/metadata/namespace"), text(pod, "/metadata/name"));
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction",
        "metadata": {"name": name, "namespace": namespace}, "deleteOptions": plan.delete_options()});
    let body = serde_json::to_vec(&eviction).unwrap_or_default();
    let path = format!("{}/eviction", pod_path(pod));
    loop {
        match plan.dry_run {
            DryRun::Server => println!("evicting pod {namespace}/{name} (server dry run)"),
            _ => println!("evicting pod {namespace}/{name}"),
        }
        if plan.timed_out() {
            return Err(format!(
                "error when evicting pods/{name:?} -n {namespace:?}: global timeout reached: {}",
                plan.timeout_text()
            ));
        }
        let answer = session
            .request(http::Method::POST, &path, "application/json", Some(("application/json", body.clone())))
            .await;
        match answer {
            Ok(_) => break,
            Err(err) if err.is_not_found() => return Ok(()),
            Err(ClientError::Server(status)) if status.code == 429 => {
                eprintln!(
                    "error when evicting pods/{name:?} -n {namespace:?} (will retry after 5s): {}",
                    status.message
                );
                tokio::time::sleep(EVICTION_RETRY).await;
            }
            Err(err) => {
                return Err(format!("error when evicting pods/{name:?} -n {namespace:?}: {}", server_message(&err)))
            }
        }
    }
    if plan.dry_run == DryRun::Server {
        return Ok(());
    }
    wait_for_delete(session, plan, vec![pod.clone()], true)
        .await
        .map(drop)
        .map_err(|err| format!("error when waiting for pod {name:?} in namespace {namespace:?} to terminate: {err}"))
}

/// `waitForDelete`: polls each second until every pod is gone (or replaced by one of
/// another uid), printing `pod/name evicted|deleted` as each goes.
async fn wait_for_delete(
    session: &Session,
    plan: &Plan<'_>,
    mut pods: Vec<Value>,
    eviction: bool,
) -> Result<(), String> {
    let verb = if eviction { "evicted" } else { "deleted" };
    let skip_after = plan.args.skip_wait_for_delete_timeout;
    loop {
        let mut pending = Vec::new();
        for pod in pods {
            let name = text(&pod, "/metadata/name").to_string();
            match session.get_json(&pod_path(&pod), "application/json").await {
                Err(err) if err.is_not_found() => println!("pod/{name} {verb}"),
                Ok(current) if text(&current, "/metadata/uid") != text(&pod, "/metadata/uid") => {
                    println!("pod/{name} {verb}")
                }
                Err(err) => {
                    println!("pod/{name} {}", if eviction { "eviction failed" } else { "deletion failed" });
                    return Err(server_message(&err));
                }
                Ok(current) if filters::terminating_too_long(&current, skip_after) => {
                    println!("pod {name:?} has DeletionTimestamp older than {skip_after} seconds, skipping");
                }
                Ok(_) => pending.push(pod),
            }
        }
        pods = pending;
        if pods.is_empty() {
            return Ok(());
        }
        if plan.timed_out() {
            return Err("context deadline exceeded".to_string());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
