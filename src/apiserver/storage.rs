//! Objects in the store: JSON values under `/registry/GROUP/PLURAL/[NS/]NAME`, with the
//! store's `mod_revision` as `metadata.resourceVersion` (never stored, always derived),
//! and list continuation tokens like upstream's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::sparse;
use super::status::ApiError;
use crate::registry::ResourceInfo;
use crate::store::{KeyValue, RangeRequest, Revision, Store, StoreError};

#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn Store>,
    /// Revisions that lists being read in pages still need.
    pub holds: Arc<ListHolds>,
}

/// How long a continue token holds its revision against history trimming: a client that
/// has not asked for its next page by then gets 410 Gone, as after any compaction.
const CONTINUE_HOLD: Duration = Duration::from_secs(60);
/// How long a finished list holds its revision: time for its client to start the watch
/// from it that usually follows (kube-rs's watcher and kubectl's informers do).
const WATCH_AFTER_LIST: Duration = Duration::from_secs(5);

/// The revisions of lists being read or just read, which history trimming must not
/// compact.
#[derive(Default)]
pub struct ListHolds {
    /// revision → (reads in progress, held until)
    revisions: parking_lot::Mutex<BTreeMap<Revision, (usize, Instant)>>,
}

impl ListHolds {
    fn begin(&self, revision: Revision) {
        self.revisions.lock().entry(revision).or_insert((0, Instant::now())).0 += 1;
    }

    /// One read at `revision` ended; `continued` when it handed out a continue token.
    fn end(&self, revision: Revision, continued: bool) {
        let mut revisions = self.revisions.lock();
        if let Some((reads, until)) = revisions.get_mut(&revision) {
            *reads = reads.saturating_sub(1);
            *until = Instant::now() + if continued { CONTINUE_HOLD } else { WATCH_AFTER_LIST };
        }
    }

    /// The oldest revision still held.
    pub fn oldest(&self) -> Option<Revision> {
        let mut revisions = self.revisions.lock();
        let now = Instant::now();
        revisions.retain(|_, (reads, until)| *reads > 0 || *until > now);
        revisions.keys().next().copied()
    }
}

/// One page of a list.
pub struct Page {
    pub items: Vec<Value>,
    pub revision: Revision,
    pub continue_token: Option<String>,
}

/// Where a page read item by item ended.
pub struct PageEnd {
    pub revision: Revision,
    pub continue_token: Option<String>,
}

pub fn decode(kv: &KeyValue) -> Result<Value, ApiError> {
    let mut object: Value = serde_json::from_slice(&kv.value).map_err(|err| unreadable(kv, err))?;
    set_resource_version(&mut object, kv.mod_revision);
    Ok(object)
}

pub fn unreadable(kv: &KeyValue, err: serde_json::Error) -> ApiError {
    ApiError::internal(format!("stored object {} is unreadable: {err}", kv.key))
}

/// `decode`, then shown as `resource`'s version (custom resources are stored in their
/// storage version and defaulted on read).
pub fn decode_for(resource: &ResourceInfo, kv: &KeyValue) -> Result<Value, ApiError> {
    let mut object = decode(kv)?;
    super::crd::on_read(resource, &mut object);
    resource.strategy.from_storage(resource, &mut object);
    Ok(object)
}

pub fn set_resource_version(object: &mut Value, revision: Revision) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("resourceVersion".into(), Value::String(revision.to_string()));
    }
}

/// The stored form of `object`: without its resourceVersion (the store's revision is the
/// truth), custom resources in their storage version. The resourceVersion is taken out
/// and put back rather than the object copied: maps are sorted, so nothing moves.
fn encode(resource: &ResourceInfo, object: &mut Value) -> Bytes {
    if resource.converts() {
        let mut stored = object.clone();
        super::crd::to_storage(resource, &mut stored);
        resource.strategy.to_storage(resource, &mut stored);
        return encode_without_version(&mut stored);
    }
    encode_without_version(object)
}

fn encode_without_version(object: &mut Value) -> Bytes {
    let metadata = object.get_mut("metadata").and_then(Value::as_object_mut);
    let resource_version = metadata.and_then(|metadata| metadata.remove("resourceVersion"));
    // Copied into an allocation of its exact size: the serializer's buffer grows by
    // doubling, and the stored value lives as long as the object, spare capacity and all
    // (mimalloc keeps a block shrunk by less than half, so shrinking in place frees nothing).
    let bytes = Bytes::copy_from_slice(&serde_json::to_vec(&*object).unwrap_or_default());
    if let (Some(rv), Some(metadata)) = (resource_version, object.get_mut("metadata").and_then(Value::as_object_mut)) {
        metadata.insert("resourceVersion".into(), rv);
    }
    bytes
}

/// Where the stored JSON of an object takes its resourceVersion: just after the object's
/// own `"metadata":{`. Stored objects are serde_json's output with sorted keys and no
/// resourceVersion, so the first `"metadata":{` is the object's own (the only keys before
/// it are apiVersion and kind, whose string values cannot hold an unescaped quote).
/// `None` when that does not hold (the bytes name a resourceVersion, or have no metadata):
/// the caller encodes the decoded object instead.
pub fn resource_version_slot(stored: &[u8]) -> Option<usize> {
    const METADATA: &[u8] = b"\"metadata\":{";
    if memchr::memmem::find(stored, RESOURCE_VERSION).is_some() {
        return None;
    }
    Some(memchr::memmem::find(stored, METADATA)? + METADATA.len())
}

const RESOURCE_VERSION: &[u8] = b"\"resourceVersion\"";

/// Stored bytes as served at `revision`: with their resourceVersion put in (None when
/// the bytes have no place for it, see `resource_version_slot`).
fn served_as_stored(stored: &[u8], revision: Revision) -> Option<Vec<u8>> {
    let slot = resource_version_slot(stored)?;
    let mut served = Vec::with_capacity(stored.len() + 40);
    write_with_resource_version(&mut served, stored, slot, revision);
    Some(served)
}

/// Writes `stored` with `"resourceVersion":"<revision>"` put in at `slot`, just after a `{`
/// (from [`resource_version_slot`], or the brace of a metadata object).
pub fn write_with_resource_version(out: &mut Vec<u8>, stored: &[u8], slot: usize, revision: Revision) {
    let (head, tail) = stored.split_at(slot);
    out.extend_from_slice(head);
    let separator = if tail.first() == Some(&b'}') { "" } else { "," };
    out.extend_from_slice(format!("\"resourceVersion\":\"{revision}\"{separator}").as_bytes());
    out.extend_from_slice(tail);
}

/// The revision a `resourceVersion` string names; empty means "none given".
pub fn parse_resource_version(text: &str) -> Result<Option<Revision>, ApiError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Revision>().map(Some).map_err(|_| ApiError::bad_request(format!("invalid resource version: {text:?}")))
}

pub fn object_name(object: &Value) -> &str {
    object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

pub fn object_namespace(object: &Value) -> Option<&str> {
    object.pointer("/metadata/namespace").and_then(Value::as_str)
}

/// The revision an object read from storage carries.
pub fn revision_of(object: &Value) -> Revision {
    object.pointer("/metadata/resourceVersion").and_then(Value::as_str).and_then(|rv| rv.parse().ok()).unwrap_or(0)
}

impl Storage {
    pub fn key(resource: &ResourceInfo, namespace: Option<&str>, name: &str) -> String {
        resource.storage_key(namespace, name)
    }

    /// The prefix of a collection: one namespace's objects, or all of them.
    pub fn prefix(resource: &ResourceInfo, namespace: Option<&str>) -> String {
        match (resource.namespaced, namespace) {
            (true, Some(namespace)) => format!("{}{namespace}/", resource.storage_prefix()),
            _ => resource.storage_prefix(),
        }
    }

    pub async fn get(&self, resource: &ResourceInfo, namespace: Option<&str>, name: &str) -> Result<Value, ApiError> {
        match self.store.get(&Self::key(resource, namespace, name)).await? {
            Some(kv) => decode_for(resource, &kv),
            None => Err(ApiError::not_found(&resource.qualified_plural(), name)),
        }
    }

    pub async fn try_get(
        &self,
        resource: &ResourceInfo,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, ApiError> {
        self.store.get(&Self::key(resource, namespace, name)).await?.map(|kv| decode_for(resource, &kv)).transpose()
    }

    /// Up to `limit` objects (0 = all) accepted by `keep`, from a continue token or the
    /// start, read at one revision across pages.
    pub async fn list(
        &self,
        resource: &ResourceInfo,
        namespace: Option<&str>,
        limit: usize,
        continue_token: Option<&str>,
        at_revision: Option<Revision>,
        keep: impl Fn(&Value) -> bool,
    ) -> Result<Page, ApiError> {
        let mut items = Vec::new();
        let end = self
            .list_each(resource, namespace, limit, continue_token, at_revision, keep, |item| items.push(item))
            .await?;
        Ok(Page { items, revision: end.revision, continue_token: end.continue_token })
    }

    /// As `list`, but hands each object to `each` as it is read, so a large list is never
    /// held whole as JSON values (the handlers serialize item by item).
    #[allow(clippy::too_many_arguments)]
    pub async fn list_each(
        &self,
        resource: &ResourceInfo,
        namespace: Option<&str>,
        limit: usize,
        continue_token: Option<&str>,
        at_revision: Option<Revision>,
        keep: impl Fn(&Value) -> bool,
        mut each: impl FnMut(Value),
    ) -> Result<PageEnd, ApiError> {
        let prefix = Self::prefix(resource, namespace);
        let mut request = RangeRequest::prefix(&prefix);
        if let Some(revision) = at_revision {
            request = request.at_revision(revision);
        }
        if let Some(token) = continue_token {
            let (start, revision) = decode_continue(token, &prefix)?;
            request.start = start;
            request.revision = revision;
        }
        let mut held = None;
        let result =
            self.read_pages(resource, request, &prefix, limit, continue_token, keep, &mut each, &mut held).await;
        if let Some(revision) = held {
            let continued = matches!(&result, Ok(end) if end.continue_token.is_some());
            self.holds.end(revision, continued);
        }
        result
    }

    /// The store reads of `list_each`; `held` is the revision held while they go on.
    #[allow(clippy::too_many_arguments)]
    async fn read_pages(
        &self,
        resource: &ResourceInfo,
        mut request: RangeRequest,
        prefix: &str,
        limit: usize,
        continue_token: Option<&str>,
        keep: impl Fn(&Value) -> bool,
        each: &mut impl FnMut(Value),
        held: &mut Option<Revision>,
    ) -> Result<PageEnd, ApiError> {
        let mut kept = 0;
        loop {
            // Bounded store reads even for an unlimited list (etcd's gRPC caps a message at 4 MiB).
            let page_size = if limit == 0 { 1000 } else { (limit - kept).max(100) };
            let response = self.store.range(request.clone().with_limit(page_size)).await.map_err(|err| match err {
                StoreError::Compacted { .. } if continue_token.is_some() => ApiError::gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                ),
                other => other.into(),
            })?;
            request.revision = response.revision;
            if held.is_none() {
                self.holds.begin(response.revision);
                *held = Some(response.revision);
            }
            for (i, kv) in response.kvs.iter().enumerate() {
                let object = decode_for(resource, kv)?;
                if keep(&object) {
                    each(object);
                    kept += 1;
                }
                if limit > 0 && kept == limit {
                    let more_after = i + 1 < response.kvs.len() || response.more;
                    let continue_token =
                        more_after.then(|| encode_continue(&format!("{}\0", kv.key), response.revision, prefix));
                    return Ok(PageEnd { revision: response.revision, continue_token });
                }
            }
            match response.kvs.last() {
                Some(last) if response.more => request.start = format!("{}\0", last.key),
                _ => return Ok(PageEnd { revision: response.revision, continue_token: None }),
            }
        }
    }

    pub async fn create(&self, resource: &ResourceInfo, mut object: Value) -> Result<Value, ApiError> {
        let key = Self::key(resource, object_namespace(&object), object_name(&object));
        let value = encode(resource, &mut object);
        match self.store.create(&key, value).await {
            Ok(kv) => {
                let mut object = object;
                set_resource_version(&mut object, kv.mod_revision);
                Ok(object)
            }
            Err(StoreError::KeyExists(_)) => {
                Err(ApiError::already_exists(&resource.qualified_plural(), object_name(&object)))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Writes `object` if the stored one is still at `expected`.
    pub async fn update(
        &self,
        resource: &ResourceInfo,
        mut object: Value,
        expected: Revision,
    ) -> Result<Value, ApiError> {
        let (_, revision) = self.put(resource, &mut object, expected).await?;
        set_resource_version(&mut object, revision);
        Ok(object)
    }

    /// [`Storage::update`], answering with the JSON of the object as served: the stored
    /// bytes with the new resourceVersion put in, rather than the object encoded again
    /// (an update's answer is as large as the object, and hollow kubelets write 10,000).
    pub async fn update_served(
        &self,
        resource: &ResourceInfo,
        mut object: Value,
        expected: Revision,
    ) -> Result<Vec<u8>, ApiError> {
        let (stored, revision) = self.put(resource, &mut object, expected).await?;
        // A converted resource is stored in its storage version, not the one asked for.
        if let Some(served) = served_as_stored(&stored, revision).filter(|_| !resource.converts()) {
            return Ok(served);
        }
        set_resource_version(&mut object, revision);
        Ok(serde_json::to_vec(&object).unwrap_or_default())
    }

    /// Read-modify-write of some top-level `fields` of a built-in object, the others kept
    /// as their stored text: a kubelet's status write or a binding need not decode and
    /// re-encode the pod's metadata (managedFields and all). `change` sees the object's
    /// lifecycle and the fields decoded (a missing one absent, one removed is removed);
    /// it returns false to decline, and nothing is written (`Ok(None)`, also for custom
    /// resources, which are stored in another version). Retries on conflicts, as
    /// `update_with`; answers the written object as served.
    pub async fn update_fields_with<F>(
        &self,
        resource: &ResourceInfo,
        namespace: Option<&str>,
        name: &str,
        fields: &[&str],
        mut change: F,
    ) -> Result<Option<Vec<u8>>, ApiError>
    where
        F: FnMut(&sparse::Lifecycle, &mut Map<String, Value>) -> Result<bool, ApiError>,
    {
        if resource.converts() {
            return Ok(None);
        }
        let key = Self::key(resource, namespace, name);
        let not_found = || ApiError::not_found(&resource.qualified_plural(), name);
        for _ in 0..16 {
            let kv = self.store.get(&key).await?.ok_or_else(not_found)?;
            let top = sparse::fields(&kv.value).map_err(|err| unreadable(&kv, err))?;
            let lifecycle = match top.iter().find(|(key, _)| key == "metadata") {
                Some((_, metadata)) => sparse::lifecycle(metadata).map_err(|err| unreadable(&kv, err))?,
                None => sparse::Lifecycle::default(),
            };
            let mut decoded = Map::new();
            let mut kept = Vec::with_capacity(top.len());
            for (field, raw) in &top {
                if fields.contains(&field.as_str()) {
                    decoded.insert(field.clone(), serde_json::from_str(raw.get()).map_err(|err| unreadable(&kv, err))?);
                } else {
                    kept.push((field.as_str(), *raw));
                }
            }
            if !change(&lifecycle, &mut decoded)? {
                return Ok(None);
            }
            let stored = Bytes::copy_from_slice(&sparse::encode_fields(&kept, &decoded));
            match self.store.update(&key, stored.clone(), kv.mod_revision).await {
                Ok(written) => {
                    let revision = written.mod_revision;
                    let served = served_as_stored(&stored, revision).or_else(|| {
                        let mut object: Value = serde_json::from_slice(&stored).ok()?;
                        set_resource_version(&mut object, revision);
                        serde_json::to_vec(&object).ok()
                    });
                    return Ok(Some(served.unwrap_or_else(|| stored.to_vec())));
                }
                Err(StoreError::Conflict { current: None, .. }) => return Err(not_found()),
                Err(StoreError::Conflict { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(ApiError::conflict(&resource.qualified_plural(), name, "too many concurrent writers; try again"))
    }

    /// Stores `object` over the version at `expected`: the stored bytes and their revision.
    async fn put(
        &self,
        resource: &ResourceInfo,
        object: &mut Value,
        expected: Revision,
    ) -> Result<(Bytes, Revision), ApiError> {
        let name = object_name(object).to_string();
        let key = Self::key(resource, object_namespace(object), &name);
        let value = encode(resource, object);
        match self.store.update(&key, value.clone(), expected).await {
            Ok(kv) => Ok((value, kv.mod_revision)),
            Err(StoreError::Conflict { current: None, .. }) => {
                Err(ApiError::not_found(&resource.qualified_plural(), &name))
            }
            Err(StoreError::Conflict { .. }) => Err(ApiError::modified(&resource.qualified_plural(), &name)),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes the object if it is still at `expected`; returns it as it was.
    pub async fn delete(&self, resource: &ResourceInfo, object: &Value, expected: Revision) -> Result<Value, ApiError> {
        let name = object_name(object);
        let key = Self::key(resource, object_namespace(object), name);
        match self.store.delete(&key, Some(expected)).await {
            Ok(kv) => decode_for(resource, &kv),
            Err(StoreError::NotFound(_)) => Err(ApiError::not_found(&resource.qualified_plural(), name)),
            Err(StoreError::Conflict { .. }) => Err(ApiError::modified(&resource.qualified_plural(), name)),
            Err(other) => Err(other.into()),
        }
    }

    /// Read-modify-write with retries on conflicts, like upstream's GuaranteedUpdate:
    /// `change` gets the current object and returns the new one (or an error to stop).
    pub async fn update_with<F>(
        &self,
        resource: &ResourceInfo,
        namespace: Option<&str>,
        name: &str,
        mut change: F,
    ) -> Result<Value, ApiError>
    where
        F: FnMut(Value) -> Result<Value, ApiError>,
    {
        for _ in 0..16 {
            let current = self.get(resource, namespace, name).await?;
            let revision = revision_of(&current);
            let updated = change(current)?;
            match self.update(resource, updated, revision).await {
                Err(err) if err.reason == "Conflict" => continue,
                other => return other,
            }
        }
        Err(ApiError::conflict(&resource.qualified_plural(), name, "too many concurrent writers; try again"))
    }
}

fn encode_continue(start: &str, revision: Revision, prefix: &str) -> String {
    let start = start.strip_prefix(prefix).unwrap_or(start);
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::engine::general_purpose::URL_SAFE.encode(token.to_string())
}

fn decode_continue(token: &str, prefix: &str) -> Result<(String, Revision), ApiError> {
    let invalid = || ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion");
    let bytes = base64::engine::general_purpose::URL_SAFE.decode(token).map_err(|_| invalid())?;
    let token: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let start = token.get("start").and_then(Value::as_str).ok_or_else(invalid)?;
    let revision = token.get("rv").and_then(Value::as_i64).filter(|rv| *rv > 0).ok_or_else(invalid)?;
    if start.contains("..") || start.starts_with('/') {
        return Err(invalid());
    }
    Ok((format!("{prefix}{start}"), revision))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_json_is_the_stored_json_with_its_resource_version() {
        let mut object =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "resourceVersion": "3"}, "spec": {}});
        let stored = encode_without_version(&mut object);
        let slot = resource_version_slot(&stored).expect("a slot after the metadata brace");
        let mut served = Vec::new();
        write_with_resource_version(&mut served, &stored, slot, 42);
        let served: Value = serde_json::from_slice(&served).expect("valid JSON");
        object["metadata"]["resourceVersion"] = json!("42");
        assert_eq!(served, object);
        assert_eq!(resource_version_slot(br#"{"metadata":{"resourceVersion":"1"}}"#), None, "a version already there");
        assert_eq!(resource_version_slot(br#"{"spec":{}}"#), None, "no metadata");
        let (mut empty, bare) = (Vec::new(), br#"{"metadata":{}}"#);
        write_with_resource_version(&mut empty, bare, resource_version_slot(bare).unwrap_or_default(), 5);
        assert_eq!(empty, br#"{"metadata":{"resourceVersion":"5"}}"#);
    }

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let token = encode_continue("/registry/core/pods/default/b\0", 42, "/registry/core/pods/default/");
        assert_eq!(
            decode_continue(&token, "/registry/core/pods/default/").unwrap(),
            ("/registry/core/pods/default/b\0".to_string(), 42)
        );
        assert!(decode_continue("!!", "/p/").is_err());
    }
}
