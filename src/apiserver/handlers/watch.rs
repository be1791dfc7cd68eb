//! Watches: a chunked stream of `{"type": …, "object": …}` lines. Without a
//! resourceVersion the current objects come first as ADDED; with one, history from it
//! on; a resourceVersion older than the retained history gets an ERROR event with a 410
//! Status (clients such as kube-rs's watcher then re-list).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use http::StatusCode;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::read::selectors;
use crate::apiserver::request::Request;
use crate::apiserver::router::Target;
use crate::apiserver::selectors::FieldSelector;
use crate::apiserver::sparse::{self, Paths};
use crate::apiserver::status::ApiError;
use crate::apiserver::storage::{
    parse_resource_version, resource_version_slot, set_resource_version, unreadable, write_with_resource_version,
    Storage,
};
use crate::apiserver::watch_cache::WatchCache;
use crate::apiserver::{protobuf, table, ApiState};
use crate::machinery::labels::Selector;
use crate::registry::ResourceInfo;
use crate::store::{EventKind, KeyValue, Revision, StoreError, WatchEvent};

/// Longest watch the server keeps open when the client names no timeout (upstream picks
/// 30–60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
const BOOKMARK_EVERY: Duration = Duration::from_secs(30);

struct Encoder {
    resource: &'static ResourceInfo,
    table: bool,
    /// PartialObjectMetadata objects (metadata informers).
    metadata_only: bool,
    include_object: String,
    sent_columns: bool,
    /// Length-prefixed protobuf `WatchEvent`s instead of JSON lines.
    protobuf: bool,
}

impl Encoder {
    fn line(&mut self, kind: &str, object: &Value) -> Bytes {
        let (table, partial);
        let object = if self.metadata_only && kind != "ERROR" && kind != "BOOKMARK" {
            partial = table::partial_object_metadata(object);
            &partial
        } else if self.table && kind != "ERROR" && kind != "BOOKMARK" {
            let metadata = json!({"resourceVersion": object.pointer("/metadata/resourceVersion")});
            let mut rows = table::table(self.resource, std::slice::from_ref(object), metadata, &self.include_object);
            if self.sent_columns {
                rows["columnDefinitions"] = json!([]);
            }
            self.sent_columns = true;
            table = rows;
            &table
        } else {
            object
        };
        if self.protobuf {
            return protobuf_frame(kind, object);
        }
        event_line(kind, |line| {
            if serde_json::to_writer(&mut *line, object).is_err() {
                line.extend_from_slice(b"null");
            }
        })
    }

    /// Whether this watcher's lines are the same as every other's (no table, not a custom
    /// resource), so they come from the shared cache.
    fn shares_lines(&self) -> bool {
        !self.table && !self.resource.converts()
    }

    /// The content type of the stream.
    fn content_type(&self) -> &'static str {
        match self.protobuf {
            true => protobuf::WATCH_MEDIA_TYPE,
            false => "application/json",
        }
    }

    /// The line for a decoded object; `deleted` objects take the deletion's revision.
    fn render(&mut self, kind: &str, object: &Value, deleted: bool, revision: Revision) -> Bytes {
        if deleted {
            let mut object = object.clone();
            set_resource_version(&mut object, revision);
            self.line(kind, &object)
        } else {
            self.line(kind, object)
        }
    }

    /// The line for a store change. Lines without a table are the same for every
    /// watcher, so they come from the shared cache, built by the first watcher that needs
    /// one, from the stored bytes when it can be.
    fn change_line(&mut self, cache: &WatchCache, change: &Change, revision: Revision) -> Bytes {
        // A custom resource's object depends on the version watched: not shared.
        if !self.shares_lines() {
            return self.decoded_line(cache, change, revision);
        }
        let key = self.cache_key(change.kind);
        if self.protobuf {
            // Protobuf frames are encoded from the decoded object, once for all such watchers.
            return cache.line(revision, key, || self.decoded_line(cache, change, revision));
        }
        cache.line(revision, key, || {
            let stored = &change.kv.value;
            let line = match self.metadata_only {
                true => metadata_line(change.kind, stored, revision),
                false => spliced_line(change.kind, stored, revision),
            };
            line.unwrap_or_else(|| self.decoded_line(cache, change, revision))
        })
    }

    fn decoded_line(&mut self, cache: &WatchCache, change: &Change, revision: Revision) -> Bytes {
        match cache.object(self.resource, change.kv) {
            Ok(object) => self.render(change.kind, &object, change.deleted, revision),
            Err(err) => self.line("ERROR", &err.to_status()),
        }
    }

    fn cache_key(&self, kind: &'static str) -> &'static str {
        match (self.protobuf, self.metadata_only, kind) {
            (false, false, kind) => kind,
            (false, true, "ADDED") => "ADDED metadata",
            (false, true, "MODIFIED") => "MODIFIED metadata",
            (false, true, _) => "DELETED metadata",
            (true, false, "ADDED") => "ADDED protobuf",
            (true, false, "MODIFIED") => "MODIFIED protobuf",
            (true, false, _) => "DELETED protobuf",
            (true, true, "ADDED") => "ADDED metadata protobuf",
            (true, true, "MODIFIED") => "MODIFIED metadata protobuf",
            (true, true, _) => "DELETED metadata protobuf",
        }
    }
}

/// The watch line of a stored object as it is served: the stored JSON with its
/// resourceVersion put in, without decoding it (decoding and re-encoding each change was
/// a sixth of the control plane's CPU under load). `None` when the stored bytes do not
/// allow it (see `resource_version_slot`): the caller decodes instead.
fn spliced_line(kind: &str, stored: &[u8], revision: Revision) -> Option<Bytes> {
    let slot = resource_version_slot(stored)?;
    Some(event_line(kind, |line| {
        // Cached lines live a while: one allocation of about their size, not doubling growth.
        line.reserve(stored.len() + 48);
        write_with_resource_version(line, stored, slot, revision);
    }))
}

/// The PartialObjectMetadata line of a stored object (metadata watches: the garbage
/// collector, the deployment controller's pods), from the stored text of its metadata.
/// `None` when the metadata is missing or holds a resourceVersion: the caller decodes.
fn metadata_line(kind: &str, stored: &[u8], revision: Revision) -> Option<Bytes> {
    let metadata = sparse::metadata(stored).ok()??.get().as_bytes();
    if memchr::memmem::find(metadata, b"\"resourceVersion\"").is_some() || !metadata.starts_with(b"{") {
        return None;
    }
    Some(event_line(kind, |line| {
        line.reserve(metadata.len() + 128);
        line.extend_from_slice(b"{\"apiVersion\":\"meta.k8s.io/v1\",\"kind\":\"PartialObjectMetadata\",\"metadata\":");
        write_with_resource_version(line, metadata, 1, revision);
        line.push(b'}');
    }))
}

/// `{"type":…,"object":…}` and a newline, the object written in place by `object` rather
/// than copied into a wrapper.
fn event_line(kind: &str, object: impl FnOnce(&mut Vec<u8>)) -> Bytes {
    let mut line = format!("{{\"type\":\"{kind}\",\"object\":").into_bytes();
    object(&mut line);
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

/// One protobuf watch frame; an object without a protobuf form (never one the watch was
/// started for, see `watch`) becomes an ERROR event.
fn protobuf_frame(kind: &str, object: &Value) -> Bytes {
    let frame = protobuf::watch_frame(kind, object).or_else(|err| {
        let status = ApiError::internal(format!("encoding a watch event: {err}")).to_status();
        protobuf::watch_frame("ERROR", &status)
    });
    Bytes::from(frame.unwrap_or_default())
}

/// What a watcher is told of one store change: the event type and the stored object it
/// carries (the old one for a deletion).
struct Change<'e> {
    kind: &'static str,
    kv: &'e KeyValue,
    /// The object is the one deleted (its resourceVersion must become the deletion's).
    deleted: bool,
}

fn expired(revision: Revision) -> Value {
    let mut status = ApiError::gone(format!("too old resource version: {revision}")).to_status();
    status["reason"] = json!("Expired");
    status
}

struct Filter {
    resource: &'static ResourceInfo,
    labels: Selector,
    fields: FieldSelector,
    /// What the selectors read of an object, so changes are decoded only that far.
    selected: Paths,
}

impl Filter {
    fn new(resource: &'static ResourceInfo, labels: Selector, fields: FieldSelector) -> Filter {
        let mut selected = Paths::default();
        if !labels.is_empty() {
            selected.add(["metadata", "labels"]);
        }
        for path in fields.paths() {
            selected.add(path);
        }
        Filter { resource, labels, fields, selected }
    }

    fn selects_all(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// For a watch of everything under its prefix, the event type of a store change is
    /// known without decoding anything (a put over an existing key is MODIFIED, a delete
    /// of nothing is no event), so the shared line may serve it as it is. `None` when the
    /// selectors must look at the objects.
    fn quick_change<'e>(&self, event: &'e WatchEvent) -> Option<Option<Change<'e>>> {
        if !self.selects_all() {
            return None;
        }
        let change = |kind, kv, deleted| Some(Change { kind, kv, deleted });
        Some(match (event.kind, &event.prev_kv) {
            (EventKind::Put, Some(_)) => change("MODIFIED", &event.kv, false),
            (EventKind::Put, None) => change("ADDED", &event.kv, false),
            (EventKind::Delete, Some(old)) => change("DELETED", old, true),
            (EventKind::Delete, None) => None,
        })
    }

    fn matches(&self, object: &Value) -> bool {
        self.labels.matches_object(object) && self.fields.matches(object)
    }

    /// Whether a stored object is selected, reading only what the selectors look at
    /// (custom resources are converted first, so decoded whole).
    fn matches_stored(&self, cache: &WatchCache, kv: &KeyValue) -> Result<bool, ApiError> {
        if self.resource.converts() {
            let object = cache.object(self.resource, kv)?;
            return Ok(self.matches(&object));
        }
        let selected = sparse::decode(&kv.value, &self.selected).map_err(|err| unreadable(kv, err))?;
        Ok(self.matches(&selected))
    }

    /// The event a client sees for a store change, given its selectors: a change into the
    /// selection is ADDED, out of it DELETED.
    fn translate<'e>(&self, cache: &WatchCache, event: &'e WatchEvent) -> Result<Option<Change<'e>>, ApiError> {
        let old_matched = match &event.prev_kv {
            Some(old) => self.matches_stored(cache, old)?,
            None => false,
        };
        let change = |kind, kv, deleted| Some(Change { kind, kv, deleted });
        Ok(match (event.kind, &event.prev_kv) {
            (EventKind::Put, _) => match (self.matches_stored(cache, &event.kv)?, old_matched) {
                (true, true) => change("MODIFIED", &event.kv, false),
                (true, false) => change("ADDED", &event.kv, false),
                (false, true) => change("DELETED", &event.kv, false),
                (false, false) => None,
            },
            (EventKind::Delete, Some(old)) if old_matched => change("DELETED", old, true),
            (EventKind::Delete, _) => None,
        })
    }
}

pub async fn watch(state: &Arc<ApiState>, request: &Request, target: &Target) -> Result<Response, ApiError> {
    let resource = target.resource;
    let (labels, fields) = selectors(request, resource)?;
    let filter = Filter::new(resource, labels, fields);
    // As upstream, a timeout of 0 is no timeout named (kubectl asks for 0 when its own
    // deadline has less than a second left).
    let timeout = request
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let bookmarks = request.flag("allowWatchBookmarks");
    let metadata_only = request.wants_metadata() && !request.wants_table();
    // Protobuf when negotiated and the watched objects have a protobuf form (they always do
    // upstream; kctl falls back to JSON for a kind its table lacks).
    let protobuf =
        request.wants_protobuf() && (metadata_only || protobuf::has_message(&resource.api_version(), resource.kind));
    let mut encoder = Encoder {
        resource,
        table: request.wants_table(),
        metadata_only,
        include_object: request.param("includeObject").unwrap_or("Metadata").to_string(),
        sent_columns: false,
        protobuf,
    };
    let content_type = encoder.content_type();
    let namespace = target.namespace.clone();
    let (tx, rx) = mpsc::channel::<Bytes>(64);

    let requested = parse_resource_version(request.param("resourceVersion").unwrap_or_default())?;
    let mut initial = Vec::new();
    let start = match requested {
        Some(revision) if revision > 0 => revision + 1,
        _ => {
            let page = state.storage.list(resource, namespace.as_deref(), 0, None, None, |o| filter.matches(o)).await?;
            initial = page.items;
            page.revision + 1
        }
    };
    let prefix = Storage::prefix(resource, namespace.as_deref());
    let events = state.storage.store.watch(&prefix, start).await;
    let mut last_revision = start - 1;
    let state = state.clone();

    tokio::spawn(async move {
        let send = |tx: &mpsc::Sender<Bytes>, line: Bytes| {
            let tx = tx.clone();
            async move { tx.send(line).await.is_ok() }
        };
        let mut events = match events {
            Ok(events) => events,
            Err(StoreError::Compacted { .. }) => {
                let _ = send(&tx, encoder.line("ERROR", &expired(start - 1))).await;
                return;
            }
            Err(err) => {
                let _ = send(&tx, encoder.line("ERROR", &ApiError::from(err).to_status())).await;
                return;
            }
        };
        for object in &initial {
            if !send(&tx, encoder.line("ADDED", object)).await {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark = tokio::time::interval(BOOKMARK_EVERY);
        bookmark.tick().await;
        loop {
            let line = tokio::select! {
                _ = &mut deadline => return,
                _ = bookmark.tick(), if bookmarks => {
                    let object = json!({"kind": resource.kind, "apiVersion": resource.api_version(),
                        "metadata": {"resourceVersion": last_revision.to_string()}});
                    encoder.line("BOOKMARK", &object)
                }
                event = events.next() => match event {
                    None => return,
                    Some(Err(StoreError::Compacted { .. })) => {
                        let _ = send(&tx, encoder.line("ERROR", &expired(last_revision))).await;
                        return;
                    }
                    Some(Err(err)) => {
                        let _ = send(&tx, encoder.line("ERROR", &ApiError::from(err).to_status())).await;
                        return;
                    }
                    Some(Ok(event)) => {
                        last_revision = event.kv.mod_revision;
                        let change = match filter.quick_change(&event) {
                            Some(change) => Ok(change),
                            None => filter.translate(&state.watch_cache, &event),
                        };
                        match change {
                            Ok(Some(change)) => encoder.change_line(&state.watch_cache, &change, last_revision),
                            Ok(None) => continue,
                            Err(err) => encoder.line("ERROR", &err.to_status()),
                        }
                    }
                },
                _ = tx.closed() => return,
            };
            if !send(&tx, line).await {
                return;
            }
        }
    });

    let body =
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx).map(Ok::<_, std::convert::Infallible>));
    Ok((StatusCode::OK, [(http::header::CONTENT_TYPE, content_type)], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(object: Value) -> Vec<u8> {
        serde_json::to_vec(&object).expect("encode")
    }

    fn parsed(line: &Bytes) -> Value {
        serde_json::from_slice(line).expect("a spliced line is JSON")
    }

    #[test]
    fn watches_select_on_the_fields_they_decode_with_zero_values() {
        let nodes = crate::registry::by_plural("", "v1", "nodes").expect("nodes");
        let select = |text: &str| {
            let fields = FieldSelector::parse(text, nodes).expect("selector");
            Filter::new(nodes, Selector::default(), fields)
        };
        let kv = |object: Value| KeyValue {
            key: "/registry/core/nodes/n".into(),
            value: stored(object).into(),
            create_revision: 1,
            mod_revision: 1,
            version: 1,
        };
        let cache = WatchCache::default();
        let schedulable = kv(json!({"kind": "Node", "metadata": {"name": "n"}, "spec": {}}));
        assert_eq!(select("spec.unschedulable=false").matches_stored(&cache, &schedulable).ok(), Some(true));
        assert_eq!(select("spec.unschedulable=true").matches_stored(&cache, &schedulable).ok(), Some(false));
        let cordoned = kv(json!({"kind": "Node", "metadata": {"name": "n"}, "spec": {"unschedulable": true}}));
        assert_eq!(select("spec.unschedulable=true").matches_stored(&cache, &cordoned).ok(), Some(true));
    }

    #[test]
    fn a_spliced_line_is_the_stored_object_with_its_resource_version() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "labels": {"note": "\"metadata\":{"}}, "spec": {"nodeName": "n1"}});
        let line = spliced_line("MODIFIED", &stored(pod.clone()), 42).expect("spliced");
        let mut expected = pod;
        expected["metadata"]["resourceVersion"] = json!("42");
        assert_eq!(parsed(&line), json!({"type": "MODIFIED", "object": expected}));
        assert!(line.ends_with(b"}\n"));
    }

    #[test]
    fn empty_metadata_gets_only_the_version() {
        let line = spliced_line("ADDED", &stored(json!({"kind": "Pod", "metadata": {}})), 7).expect("spliced");
        assert_eq!(parsed(&line)["object"]["metadata"], json!({"resourceVersion": "7"}));
    }

    #[test]
    fn a_metadata_line_is_the_partial_object_metadata_of_the_stored_object() {
        let event = json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "e", "labels": {"a": "}"}, "ownerReferences": [{"uid": "u"}]},
            "involvedObject": {"kind": "Pod", "resourceVersion": "3"}});
        let line = metadata_line("DELETED", &stored(event.clone()), 9).expect("from the stored metadata");
        let mut expected = table::partial_object_metadata(&event);
        expected["metadata"]["resourceVersion"] = json!("9");
        assert_eq!(parsed(&line), json!({"type": "DELETED", "object": expected}));
        let empty = metadata_line("ADDED", &stored(json!({"kind": "Pod", "metadata": {}})), 2).expect("empty");
        assert_eq!(parsed(&empty)["object"]["metadata"], json!({"resourceVersion": "2"}));
        assert_eq!(metadata_line("ADDED", &stored(json!({"kind": "Status"})), 7), None);
        assert_eq!(metadata_line("ADDED", &stored(json!({"metadata": {"resourceVersion": "1"}})), 7), None);
    }

    #[test]
    fn objects_it_cannot_splice_are_left_to_the_decoder() {
        assert_eq!(spliced_line("ADDED", &stored(json!({"kind": "Status"})), 7), None);
        let event = json!({"kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod", "resourceVersion": "3"}});
        assert_eq!(spliced_line("ADDED", &stored(event), 7), None);
    }
}
