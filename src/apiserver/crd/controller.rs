//! The CRD controller, run inside the apiserver as upstream's apiextensions-apiserver runs
//! its own: an API client of this apiserver (over the in-process loopback) that keeps the
//! CRDs in a watched cache and, on every change,
//! 1. decides NamesAccepted (no other CRD of the group holds the names) and Established,
//!    records acceptedNames and storedVersions, writing status through `/status` only when
//!    it changed;
//! 2. rebuilds the served set — routes, discovery entries and OpenAPI documents — from
//!    the accepted CRDs, before their status says so, so a CRD reported Established is
//!    servable (this is the apiserver's own routing state, set in-process);
//! 3. for a CRD being deleted (upstream's CRDFinalizer): marks it Terminating, deletes its
//!    objects through the API (a delete collection per namespace), so objects with
//!    finalizers of their own stay until those are removed, and once none is left drops
//!    the `customresourcecleanup` finalizer (and the CRD with it when it was the last).
//!    While objects remain the CRD is looked at again every [`RECHECK`], as their
//!    finalizers do not touch the CRD.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, PostParams};
use kube::runtime::reflector::{self, reflector};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use serde_json::{json, Value};

use super::definition::CLEANUP_FINALIZER;
use super::names::{TakenNames, Verdict};
use super::{definitions, Served};
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::ApiState;
use crate::registry::custom::served_versions;
use crate::registry::ResourceInfo;

/// How soon a CRD whose objects are still being deleted (or a failed pass) is looked at
/// again.
const RECHECK: Duration = Duration::from_millis(500);
/// How long objects may take to go before the Terminating condition says so (upstream
/// polls for a minute before reporting InstanceDeletionCheck).
const DELETION_PATIENCE: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("watching CRDs failed: {0}")]
    Watch(#[from] watcher::Error),
    #[error("the watch of CRDs ended")]
    WatchEnded,
    #[error("could not encode a CRD: {0}")]
    Encode(#[from] serde_json::Error),
}

type Changes = BoxStream<'static, Result<watcher::Event<DynamicObject>, watcher::Error>>;

struct Controller {
    state: Arc<ApiState>,
    client: Client,
    crds: Api<DynamicObject>,
    cache: reflector::Store<DynamicObject>,
}

/// The kube-rs resource of a registry resource.
fn api_resource(resource: &ResourceInfo) -> ApiResource {
    ApiResource {
        group: resource.group.to_string(),
        version: resource.version.to_string(),
        api_version: resource.api_version(),
        kind: resource.kind.to_string(),
        plural: resource.plural.to_string(),
    }
}

/// Starts the controller as `client` (a loopback client of this apiserver). When this
/// returns, the CRDs stored now are served; the future it returns keeps the served set in
/// step with them until it is dropped.
pub async fn start(state: Arc<ApiState>, client: Client) -> Result<impl Future<Output = ()>, Error> {
    let resource = api_resource(definitions());
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let writer = reflector::store::Writer::new(resource);
    let cache = writer.as_reader();
    let mut changes: Changes =
        reflector(writer, watcher(crds.clone(), watcher::Config::default()).default_backoff()).boxed();
    loop {
        match changes.next().await {
            Some(Ok(watcher::Event::InitDone)) => break,
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(err.into()),
            None => return Err(Error::WatchEnded),
        }
    }
    let controller = Controller { state, client, crds, cache };
    let again = controller.sync().await?;
    Ok(controller.run(changes, again))
}

impl Controller {
    /// Syncs on every change (and every [`RECHECK`] while `again`), until the watch ends.
    async fn run(self, mut changes: Changes, mut again: bool) {
        loop {
            let next = match again {
                true => tokio::time::timeout(RECHECK, changes.next()).await.ok(),
                false => Some(changes.next().await),
            };
            match next {
                Some(None) => return,
                Some(Some(Err(err))) => {
                    // The watcher starts over (with a backoff) by itself.
                    tracing::debug!(%err, "CRD watch failed");
                    continue;
                }
                Some(Some(Ok(_))) | None => {}
            }
            // Whatever follows right behind is covered by the same pass.
            while let Some(Some(_)) = changes.next().now_or_never() {}
            again = match self.sync().await {
                Ok(again) => again,
                Err(err) => {
                    tracing::warn!(%err, "CRD sync failed; trying again");
                    true
                }
            };
        }
    }

    /// One pass over every cached CRD; true while a deleted CRD still waits for its
    /// objects to go.
    async fn sync(&self) -> Result<bool, Error> {
        let mut crds =
            self.cache.state().iter().map(|crd| serde_json::to_value(&**crd)).collect::<Result<Vec<_>, _>>()?;
        // CRDs whose names were accepted before keep them; then the oldest wins.
        crds.sort_by_cached_key(|crd| {
            let accepted = has_condition(crd, "NamesAccepted");
            let created = crd.pointer("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or("").to_string();
            (!accepted, created, crd["metadata"]["name"].as_str().unwrap_or("").to_string())
        });
        let mut taken = TakenNames::with_builtins();
        let mut established = Vec::new();
        let mut deleting = Vec::new();
        let mut terminating = HashSet::new();
        let mut statuses = Vec::new();
        for crd in crds {
            if crd.pointer("/metadata/deletionTimestamp").is_some() {
                // A terminating CRD keeps its names and stays served, so that whoever holds
                // its objects' finalizers can still reach them; creates are refused.
                if has_condition(&crd, "Established") && taken.accept(&crd).is_ok() {
                    terminating.insert(crd["metadata"]["name"].as_str().unwrap_or_default().to_string());
                    established.extend(served_versions(&crd));
                }
                deleting.push(crd);
                continue;
            }
            let verdict = taken.accept(&crd);
            if verdict.is_ok() {
                established.extend(served_versions(&crd));
            }
            if let Some(status) = changed_status(&crd, &verdict) {
                statuses.push((crd, status));
            }
        }
        let served = self.state.crds.snapshot();
        let changed = !same_resources(&served.resources, &established) || served.terminating != terminating;
        if changed {
            // Routes and discovery first, so that a CRD is served (and discoverable) by the
            // time its status says Established; its OpenAPI document, the costly part,
            // follows the status.
            let documents = served.documents.clone();
            let resources = established.clone();
            self.state.crds.replace(Served { resources, documents, terminating: terminating.clone() });
        }
        let mut written = Ok(());
        for (crd, status) in statuses {
            let mut updated = crd;
            updated["status"] = status;
            if let Err(err) = self.write_status(&updated).await {
                written = Err(err);
                break;
            }
        }
        // Upstream's crdRegistrationController: an APIService per established group-version.
        let registered = crate::apiserver::api_services::sync_custom(&self.client, &established).await;
        // The documents are built even when a status write failed: the next pass, finding
        // the routes in place, would not build them.
        if changed {
            let documents = self
                .state
                .openapi
                .custom_documents(&established)
                .into_iter()
                .map(|(path, (hash, json))| (path, super::CustomDocument { hash, json }))
                .collect::<BTreeMap<_, _>>();
            self.state.crds.replace(Served { resources: established, documents, terminating });
        }
        written?;
        registered?;
        let mut cleaning = false;
        for crd in deleting {
            cleaning |= self.clean_up(crd).await?;
        }
        Ok(cleaning)
    }

    /// Writes `crd`'s status through `/status`, guarded by its resourceVersion; None if the
    /// CRD moved on meanwhile (the watch brings it back).
    async fn write_status(&self, crd: &Value) -> Result<Option<Value>, Error> {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default();
        match self.crds.replace_status(name, &PostParams::default(), serde_json::to_vec(crd)?).await {
            Ok(written) => Ok(Some(serde_json::to_value(written)?)),
            Err(err) if moved_on(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes the Terminating condition when it changed; None if the CRD moved on.
    async fn write_terminating(
        &self,
        crd: Value,
        terminating: bool,
        reason: &str,
        message: &str,
    ) -> Result<Option<Value>, Error> {
        let mut updated = crd.clone();
        set_condition(&mut updated, condition("Terminating", terminating, reason, message, &crd));
        if updated == crd {
            return Ok(Some(crd));
        }
        self.write_status(&updated).await
    }

    /// Deletes the objects of an established CRD through the API, one delete collection per
    /// namespace holding objects not yet being deleted: those without finalizers go now,
    /// the others get their deletionTimestamp.
    async fn delete_instances(&self, crd: &Value) -> Result<Cleanup, Error> {
        let Some(resource) = served_versions(crd).into_iter().next() else {
            return Ok(Cleanup::completed());
        };
        let all: Api<DynamicObject> = Api::all_with(self.client.clone(), &api_resource(resource));
        let listed = all.list(&ListParams::default()).await?.items;
        let namespaces: BTreeSet<Option<String>> =
            listed.iter().filter(|o| o.metadata.deletion_timestamp.is_none()).map(|o| o.namespace()).collect();
        let mut failures = Vec::new();
        for namespace in namespaces {
            let api: Api<DynamicObject> = match &namespace {
                Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, &api_resource(resource)),
                None => all.clone(),
            };
            match api.delete_collection(&DeleteParams::default(), &ListParams::default()).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => failures.push(err.to_string()),
            }
        }
        if !failures.is_empty() {
            let message = format!("could not issue all deletes: {}", failures.join(", "));
            return Ok(Cleanup { reason: "InstanceDeletionFailed", message, remaining: true });
        }
        if all.list(&ListParams::default()).await?.items.is_empty() {
            return Ok(Cleanup::completed());
        }
        let since = crd
            .pointer("/metadata/deletionTimestamp")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        let impatient =
            since.is_some_and(|since| chrono::Utc::now() - since.with_timezone(&chrono::Utc) > DELETION_PATIENCE);
        Ok(if impatient {
            Cleanup {
                reason: "InstanceDeletionCheck",
                message: "could not confirm zero CustomResources remaining: timed out waiting for the condition".into(),
                remaining: true,
            }
        } else {
            Cleanup {
                reason: "InstanceDeletionInProgress",
                message: "CustomResource deletion is in progress".into(),
                remaining: true,
            }
        })
    }

    /// One step of a deleted CRD's cleanup; true while its objects are still going.
    async fn clean_up(&self, crd: Value) -> Result<bool, Error> {
        let finalizers: Vec<Value> =
            crd.pointer("/metadata/finalizers").and_then(Value::as_array).cloned().unwrap_or_default();
        if !finalizers.iter().any(|f| f == CLEANUP_FINALIZER) {
            return Ok(false);
        }
        let established = has_condition(&crd, "Established");
        let in_progress = ("InstanceDeletionInProgress", "CustomResource deletion is in progress");
        let Some(crd) = self.write_terminating(crd, true, in_progress.0, in_progress.1).await? else {
            return Ok(true);
        };
        let outcome = if established {
            self.delete_instances(&crd).await?
        } else {
            Cleanup { reason: "NeverEstablished", message: "resource was never established".into(), remaining: false }
        };
        if outcome.remaining {
            self.write_terminating(crd, true, outcome.reason, &outcome.message).await?;
            return Ok(true);
        }
        let Some(mut released) = self.write_terminating(crd, false, outcome.reason, &outcome.message).await? else {
            return Ok(true);
        };
        // Status writes keep metadata: the finalizer goes by an update, and with the last
        // one the CRD.
        released["metadata"]["finalizers"] = finalizers.into_iter().filter(|f| f != CLEANUP_FINALIZER).collect();
        let name = released["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let released: DynamicObject = serde_json::from_value(released)?;
        match self.crds.replace(&name, &PostParams::default(), &released).await {
            Ok(_) => Ok(false),
            Err(err) if moved_on(&err) => Ok(true),
            Err(err) => Err(err.into()),
        }
    }
}

/// Whether two served sets hold the same resources (interned per CRD spec, so the same
/// pointers while no CRD changed).
fn same_resources(a: &[&'static ResourceInfo], b: &[&'static ResourceInfo]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| std::ptr::eq(*a, *b))
}

/// A write refused because the object changed or went meanwhile.
fn moved_on(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 409 || status.code == 404)
}

fn has_condition(crd: &Value, type_: &str) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| c["type"] == type_ && c["status"] == "True"))
}

fn condition(type_: &str, status: bool, reason: &str, message: &str, old: &Value) -> Value {
    let status = if status { "True" } else { "False" };
    let previous = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == type_));
    // The transition time moves only when the status does.
    let since = match previous {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(now_rfc3339()),
    };
    json!({"type": type_, "status": status, "lastTransitionTime": since, "reason": reason, "message": message})
}

/// The status a CRD should have, if it differs from what it has.
fn changed_status(crd: &Value, verdict: &Verdict) -> Option<Value> {
    let mut status = crd.get("status").cloned().unwrap_or_else(|| json!({}));
    let names_accepted = match verdict {
        Ok(()) => condition("NamesAccepted", true, "NoConflicts", "no conflicts found", crd),
        Err((reason, message)) => condition("NamesAccepted", false, reason, message, crd),
    };
    let established = match verdict {
        Ok(()) => condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted", crd),
        Err(_) => condition("Established", false, "NotAccepted", "not all names are accepted", crd),
    };
    status["conditions"] = json!([names_accepted, established]);
    if verdict.is_ok() {
        status["acceptedNames"] = crd.pointer("/spec/names").cloned().unwrap_or_else(|| json!({}));
    }
    let mut stored: Vec<Value> = status.get("storedVersions").and_then(Value::as_array).cloned().unwrap_or_default();
    let storage = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|v| v["storage"] == true)
        .map(|v| v["name"].clone());
    if let Some(storage) = storage {
        if !stored.contains(&storage) {
            stored.push(storage);
        }
    }
    status["storedVersions"] = Value::Array(stored);
    (crd.get("status") != Some(&status)).then_some(status)
}

/// `conditions` with `condition` in place of the one of its type (appended if new).
fn set_condition(crd: &mut Value, condition: Value) {
    let Some(status) = crd.get_mut("status").and_then(Value::as_object_mut) else {
        crd["status"] = json!({"conditions": [condition]});
        return;
    };
    let conditions = status.entry("conditions").or_insert_with(|| json!([]));
    let Some(list) = conditions.as_array_mut() else {
        *conditions = json!([condition]);
        return;
    };
    match list.iter_mut().find(|c| c["type"] == condition["type"]) {
        Some(existing) => *existing = condition,
        None => list.push(condition),
    }
}

/// What deleting a CRD's objects came to: the Terminating condition to record, and
/// whether objects are still there.
struct Cleanup {
    reason: &'static str,
    message: String,
    remaining: bool,
}

impl Cleanup {
    fn completed() -> Cleanup {
        Cleanup { reason: "InstanceDeletionCompleted", message: "removed all instances".into(), remaining: false }
    }
}
