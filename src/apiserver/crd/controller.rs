//! The CRD controller, run inside the apiserver as upstream's apiextensions-apiserver runs
//! its own: on every change to a CRD it
//! 1. decides NamesAccepted (no other CRD of the group holds the names) and Established,
//!    records acceptedNames and storedVersions, writing status only when it changed;
//! 2. rebuilds the served set — routes, discovery entries and OpenAPI documents — from
//!    the established CRDs, so a new CRD's resources are servable at once;
//! 3. for a CRD being deleted, deletes all its objects, then drops the
//!    `customresourcecleanup` finalizer (and the CRD with it when it was the last).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use serde_json::{json, Value};

use super::definition::CLEANUP_FINALIZER;
use super::names::{TakenNames, Verdict};
use super::{definitions, Served};
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{revision_of, Storage};
use crate::apiserver::ApiState;
use crate::registry::custom::served_versions;
use crate::store::RangeRequest;

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
    let revision = sync(state).await?;
    let mut events = state.storage.store.watch(&prefix, revision + 1).await?;
    while let Some(event) = events.next().await {
        event?;
        // Whatever follows right behind is covered by the same pass.
        while let Some(Some(more)) = events.next().now_or_never() {
            more?;
        }
        sync(state).await?;
    }
    Ok(())
}

/// One pass over every CRD; returns the revision it read at.
pub async fn sync(state: &ApiState) -> Result<i64, ApiError> {
    let page = state.storage.list(definitions(), None, 0, None, None, |_| true).await?;
    let mut crds = page.items;
    // CRDs whose names were accepted before keep them; then the oldest wins.
    crds.sort_by_cached_key(|crd| {
        let accepted = crd
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["type"] == "NamesAccepted" && c["status"] == "True"));
        let created = crd.pointer("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or("").to_string();
        (!accepted, created, crd["metadata"]["name"].as_str().unwrap_or("").to_string())
    });
    let mut taken = TakenNames::with_builtins();
    let mut established = Vec::new();
    let mut deleting = Vec::new();
    for crd in crds {
        if crd.pointer("/metadata/deletionTimestamp").is_some() {
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
    // A CRD being deleted stops being served before its objects go, so none is created
    // behind the cleanup (upstream refuses creates while a CRD terminates).
    state.crds.replace(Served { resources, documents });
    for crd in deleting {
        clean_up(state, &crd).await?;
    }
    Ok(page.revision)
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

/// Deletes every object of a CRD being deleted, then releases the CRD.
async fn clean_up(state: &ApiState, crd: &Value) -> Result<(), ApiError> {
    let finalizers: Vec<Value> =
        crd.pointer("/metadata/finalizers").and_then(Value::as_array).cloned().unwrap_or_default();
    if !finalizers.iter().any(|f| f == CLEANUP_FINALIZER) {
        return Ok(());
    }
    let group = crd.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
    let plural = crd.pointer("/spec/names/plural").and_then(Value::as_str).unwrap_or_default();
    if !group.is_empty() && !plural.is_empty() {
        let prefix = format!("/registry/{group}/{plural}/");
        loop {
            let page = state.storage.store.range(RangeRequest::prefix(&prefix).with_limit(1000)).await?;
            for kv in &page.kvs {
                match state.storage.store.delete(&kv.key, None).await {
                    Ok(_) | Err(crate::store::StoreError::NotFound(_)) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            if !page.more || page.kvs.is_empty() {
                break;
            }
        }
    }
    let mut released = crd.clone();
    let left: Vec<Value> = finalizers.into_iter().filter(|f| f != CLEANUP_FINALIZER).collect();
    let gone = left.is_empty();
    released["metadata"]["finalizers"] = Value::Array(left);
    let written = match state.storage.update(definitions(), released, revision_of(crd)).await {
        Err(err) if err.reason == "Conflict" || err.code == http::StatusCode::NOT_FOUND => return Ok(()),
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
    Ok(())
}
