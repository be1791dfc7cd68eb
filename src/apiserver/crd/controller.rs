//! The CRD controller, run inside the apiserver as upstream's apiextensions-apiserver runs
//! its own: on every change to a CRD it
//! 1. decides NamesAccepted (no other CRD of the group holds the names) and Established,
//!    records acceptedNames and storedVersions, writing status only when it changed;
//! 2. rebuilds the served set — routes, discovery entries and OpenAPI documents — from
//!    the established CRDs, so a new CRD's resources are servable at once;
//! 3. for a CRD being deleted (upstream's CRDFinalizer): marks it Terminating, deletes its
//!    objects through the ordinary delete, so objects with finalizers of their own stay
//!    until those are removed, and once none is left drops the `customresourcecleanup`
//!    finalizer (and the CRD with it when it was the last). While objects remain the CRD
//!    is looked at again every [`RECHECK`], as their finalizers do not touch the CRD.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use serde_json::{json, Value};

use super::definition::CLEANUP_FINALIZER;
use super::names::{TakenNames, Verdict};
use super::{definitions, Served};
use crate::apiserver::handlers::delete_object;
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{revision_of, Storage};
use crate::apiserver::ApiState;
use crate::registry::custom::served_versions;

/// How soon a CRD whose objects are still being deleted is looked at again.
const RECHECK: Duration = Duration::from_millis(500);
/// How long objects may take to go before the Terminating condition says so (upstream
/// polls for a minute before reporting InstanceDeletionCheck).
const DELETION_PATIENCE: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// Watches CRDs until the process ends; a failed watch restarts after a pause.
pub async fn run(state: Arc<ApiState>) {
    loop {
        if let Err(err) = watch_and_sync(&state).await {
            tracing::warn!(%err, "CRD controller restarting");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn watch_and_sync(state: &Arc<ApiState>) -> Result<(), ApiError> {
    let prefix = Storage::prefix(definitions(), None);
    let (revision, mut cleaning) = sync(state).await?;
    let mut events = state.storage.store.watch(&prefix, revision + 1).await?;
    loop {
        let event = if cleaning {
            match tokio::time::timeout(RECHECK, events.next()).await {
                Ok(event) => event,
                Err(_) => {
                    cleaning = sync(state).await?.1;
                    continue;
                }
            }
        } else {
            events.next().await
        };
        let Some(event) = event else { return Ok(()) };
        event?;
        // Whatever follows right behind is covered by the same pass.
        while let Some(Some(more)) = events.next().now_or_never() {
            more?;
        }
        cleaning = sync(state).await?.1;
    }
}

fn has_condition(crd: &Value, type_: &str) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| c["type"] == type_ && c["status"] == "True"))
}

/// One pass over every CRD; returns the revision it read at and whether a deleted CRD
/// still waits for its objects to go.
pub async fn sync(state: &Arc<ApiState>) -> Result<(i64, bool), ApiError> {
    let page = state.storage.list(definitions(), None, 0, None, None, |_| true).await?;
    let mut crds = page.items;
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
    for crd in crds {
        if crd.pointer("/metadata/deletionTimestamp").is_some() {
            // A terminating CRD keeps its names and stays served, so that whoever holds
            // its objects' finalizers can still reach them; creates are refused.
            if has_condition(&crd, "Established") && taken.accept(&crd).is_ok() {
                terminating.insert(crd["metadata"]["name"].as_str().unwrap_or_default().to_string());
                established.push(crd.clone());
            }
            deleting.push(crd);
            continue;
        }
        let verdict = taken.accept(&crd);
        let accepted = verdict.is_ok();
        let crd = write_status(state, crd, verdict).await?;
        if accepted {
            established.push(crd);
        }
    }
    let resources: Vec<_> = established.iter().flat_map(served_versions).collect();
    let documents = state
        .openapi
        .custom_documents(&resources)
        .into_iter()
        .map(|(path, (hash, json))| (path, super::CustomDocument { hash, json }))
        .collect::<BTreeMap<_, _>>();
    state.crds.replace(Served { resources, documents, terminating });
    let mut cleaning = false;
    for crd in deleting {
        cleaning |= clean_up(state, crd).await?;
    }
    Ok((page.revision, cleaning))
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

/// The status a CRD should have, written if it differs from what it has.
async fn write_status(state: &ApiState, crd: Value, verdict: Verdict) -> Result<Value, ApiError> {
    let mut status = crd.get("status").cloned().unwrap_or_else(|| json!({}));
    let names_accepted = match &verdict {
        Ok(()) => condition("NamesAccepted", true, "NoConflicts", "no conflicts found", &crd),
        Err((reason, message)) => condition("NamesAccepted", false, reason, message, &crd),
    };
    let established = match &verdict {
        Ok(()) => condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted", &crd),
        Err(_) => condition("Established", false, "NotAccepted", "not all names are accepted", &crd),
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
    if crd.get("status") == Some(&status) {
        return Ok(crd);
    }
    let mut updated = crd.clone();
    updated["status"] = status;
    match state.storage.update(definitions(), updated, revision_of(&crd)).await {
        // Someone else wrote it; the watch brings us back.
        Err(err) if err.reason == "Conflict" || err.code == http::StatusCode::NOT_FOUND => Ok(crd),
        other => other,
    }
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

/// Writes the Terminating condition when it changed; None if the CRD moved on meanwhile
/// (the watch brings it back).
async fn write_terminating(
    state: &ApiState,
    crd: Value,
    terminating: bool,
    reason: &str,
    message: &str,
) -> Result<Option<Value>, ApiError> {
    let mut updated = crd.clone();
    set_condition(&mut updated, condition("Terminating", terminating, reason, message, &crd));
    if updated == crd {
        return Ok(Some(crd));
    }
    match state.storage.update(definitions(), updated, revision_of(&crd)).await {
        Err(err) if err.reason == "Conflict" || err.code == http::StatusCode::NOT_FOUND => Ok(None),
        other => other.map(Some),
    }
}

/// What deleting a CRD's objects came to: the Terminating condition to record, and
/// whether objects are still there.
struct Cleanup {
    reason: &'static str,
    message: String,
    remaining: bool,
}

/// Deletes the objects of an established CRD through the ordinary delete: those without
/// finalizers go now, the others get their deletionTimestamp.
async fn delete_instances(state: &Arc<ApiState>, crd: &Value) -> Result<Cleanup, ApiError> {
    let Some(resource) = served_versions(crd).into_iter().next() else {
        return Ok(Cleanup {
            reason: "InstanceDeletionCompleted",
            message: "removed all instances".into(),
            remaining: false,
        });
    };
    let listed = state.storage.list(resource, None, 0, None, None, |_| true).await?.items;
    let mut failures = Vec::new();
    for object in listed.into_iter().filter(|o| o.pointer("/metadata/deletionTimestamp").is_none()) {
        match delete_object(state, resource, object, None).await {
            Ok(_) => {}
            Err(err) if err.code == http::StatusCode::NOT_FOUND => {}
            Err(err) => failures.push(err.message),
        }
    }
    if !failures.is_empty() {
        let message = format!("could not issue all deletes: {}", failures.join(", "));
        return Ok(Cleanup { reason: "InstanceDeletionFailed", message, remaining: true });
    }
    let left = state.storage.list(resource, None, 0, None, None, |_| true).await?.items;
    if left.is_empty() {
        return Ok(Cleanup {
            reason: "InstanceDeletionCompleted",
            message: "removed all instances".into(),
            remaining: false,
        });
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
async fn clean_up(state: &Arc<ApiState>, crd: Value) -> Result<bool, ApiError> {
    let finalizers: Vec<Value> =
        crd.pointer("/metadata/finalizers").and_then(Value::as_array).cloned().unwrap_or_default();
    if !finalizers.iter().any(|f| f == CLEANUP_FINALIZER) {
        return Ok(false);
    }
    let established = has_condition(&crd, "Established");
    let in_progress = ("InstanceDeletionInProgress", "CustomResource deletion is in progress");
    let Some(crd) = write_terminating(state, crd, true, in_progress.0, in_progress.1).await? else {
        return Ok(true);
    };
    let outcome = if established {
        delete_instances(state, &crd).await?
    } else {
        Cleanup { reason: "NeverEstablished", message: "resource was never established".into(), remaining: false }
    };
    if outcome.remaining {
        write_terminating(state, crd, true, outcome.reason, &outcome.message).await?;
        return Ok(true);
    }
    let mut released = crd.clone();
    set_condition(&mut released, condition("Terminating", false, outcome.reason, &outcome.message, &crd));
    let left: Vec<Value> = finalizers.into_iter().filter(|f| f != CLEANUP_FINALIZER).collect();
    let gone = left.is_empty();
    released["metadata"]["finalizers"] = Value::Array(left);
    let written = match state.storage.update(definitions(), released, revision_of(&crd)).await {
        Err(err) if err.reason == "Conflict" || err.code == http::StatusCode::NOT_FOUND => return Ok(true),
        other => other?,
    };
    if gone {
        match state.storage.delete(definitions(), &written, revision_of(&written)).await {
            Err(err) if err.reason == "Conflict" || err.code == http::StatusCode::NOT_FOUND => {}
            other => {
                other?;
            }
        }
    }
    Ok(false)
}
