//! ControllerRevisions, after upstream's `pkg/controller/history`: the snapshots of a
//! DaemonSet's or StatefulSet's pod template that its pods are labelled with
//! (`controller-revision-hash`), numbered in order, deduplicated, and trimmed to
//! `revisionHistoryLimit`. Rollbacks (`kctl rollout undo`) patch a snapshot back on.

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::ResourceExt;
use serde_json::{json, Value};

use super::replicaset::pods::owner_reference;

/// The label on revisions and pods naming the revision (`apps/v1`'s ControllerRevisionHashLabelKey).
pub const HASH_LABEL: &str = "controller-revision-hash";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    /// A revision of this name holds other data: the owner's collisionCount must grow.
    #[error("hash collision on ControllerRevision {0}")]
    Collision(String),
}

/// Who owns the revisions.
pub struct Owner<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub uid: &'a str,
    pub annotations: Option<&'a BTreeMap<String, String>>,
    /// The pod template's labels, copied onto each revision.
    pub template_labels: Option<&'a BTreeMap<String, String>>,
}

/// What the controllers snapshot: a strategic merge patch that puts the template back
/// (`{"spec":{"template":{…,"$patch":"replace"}}}`), as upstream's `getPatch`. Go writes a
/// template's `metadata.creationTimestamp` as null, and kubectl compares these bytes with
/// its own rendering of the live template, so it is written here too.
pub fn template_patch(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(map) = template.as_object_mut() {
        map.insert("$patch".to_string(), Value::String("replace".to_string()));
        let metadata = map.entry("metadata").or_insert_with(|| json!({}));
        if let Some(metadata) = metadata.as_object_mut() {
            metadata.entry("creationTimestamp").or_insert(Value::Null);
        }
    }
    json!({"spec": {"template": template}})
}

/// The pod template a snapshot restores.
pub fn template_of(revision: &ControllerRevision) -> Option<Value> {
    let mut template = revision.data.as_ref()?.0.pointer("/spec/template")?.clone();
    if let Some(map) = template.as_object_mut() {
        map.remove("$patch");
    }
    if template.pointer("/metadata/creationTimestamp").is_some_and(Value::is_null) {
        if let Some(metadata) = template["metadata"].as_object_mut() {
            metadata.remove("creationTimestamp");
        }
    }
    Some(template)
}

/// Upstream's `HashControllerRevision`: FNV-1 (32 bit) over the data, then the collision
/// count in decimal, rendered through `SafeEncodeString`. serde_json writes object keys
/// sorted, as Go writes a map.
pub fn hash(data: &Value, collision_count: Option<i32>) -> String {
    let mut sum: u32 = 0x811c_9dc5;
    let mut write = |bytes: &[u8]| {
        for b in bytes {
            sum = sum.wrapping_mul(0x0100_0193);
            sum ^= u32::from(*b);
        }
    };
    write(data.to_string().as_bytes());
    if let Some(count) = collision_count {
        write(count.to_string().as_bytes());
    }
    super::deployment::util::safe_encode_string(&sum.to_string())
}

/// Upstream's `ControllerRevisionName`: the owner's name (at most 223 characters) and the hash.
pub fn revision_name(owner: &str, hash: &str) -> String {
    let prefix: String = owner.chars().take(223).collect();
    format!("{prefix}-{hash}")
}

pub fn hash_of(revision: &ControllerRevision) -> String {
    revision.labels().get(HASH_LABEL).cloned().unwrap_or_else(|| {
        // Revisions made elsewhere: the hash is the name's last part.
        revision.name_any().rsplit('-').next().unwrap_or_default().to_string()
    })
}

fn same_data(revision: &ControllerRevision, data: &Value) -> bool {
    revision.data.as_ref().map(|d| &d.0) == Some(data)
}

/// The revisions `owner` controls, oldest first, listed by its selector.
pub async fn list(
    api: &Api<ControllerRevision>,
    selector: &str,
    owner_uid: &str,
) -> Result<Vec<ControllerRevision>, Error> {
    let listed = api.list(&ListParams::default().labels(selector)).await?;
    let mut owned: Vec<ControllerRevision> = listed
        .items
        .into_iter()
        .filter(|r| r.owner_references().iter().any(|o| o.controller == Some(true) && o.uid == owner_uid))
        .collect();
    owned.sort_by_key(|r| (r.revision, r.creation_timestamp().map(|t| t.0)));
    Ok(owned)
}

/// The revision of `data`: an existing one with the same data (duplicates deleted, moved to
/// the newest number when it is an old one brought back), else a new one numbered after the
/// newest. `revisions` is updated to what now exists.
pub async fn current(
    api: &Api<ControllerRevision>,
    owner: &Owner<'_>,
    data: &Value,
    collision_count: Option<i32>,
    revisions: &mut Vec<ControllerRevision>,
) -> Result<ControllerRevision, Error> {
    let equal: Vec<ControllerRevision> = revisions.iter().filter(|r| same_data(r, data)).cloned().collect();
    let newest = revisions.iter().map(|r| r.revision).max().unwrap_or(0);
    if let Some(keep) = equal.iter().max_by_key(|r| r.revision).cloned() {
        for duplicate in equal.iter().filter(|r| r.name_any() != keep.name_any()) {
            api.delete(&duplicate.name_any(), &DeleteParams::default()).await?;
            revisions.retain(|r| r.name_any() != duplicate.name_any());
        }
        if keep.revision >= newest {
            return Ok(keep);
        }
        let patch = json!({"revision": newest + 1});
        let bumped = api.patch(&keep.name_any(), &PatchParams::default(), &Patch::Merge(&patch)).await?;
        replace(revisions, bumped.clone());
        return Ok(bumped);
    }
    let hash = hash(data, collision_count);
    let mut labels = owner.template_labels.cloned().unwrap_or_default();
    labels.insert(HASH_LABEL.to_string(), hash.clone());
    let revision = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(revision_name(owner.name, &hash)),
            namespace: Some(owner.namespace.to_string()),
            labels: Some(labels),
            annotations: owner.annotations.cloned(),
            owner_references: Some(vec![owner_reference(owner.api_version, owner.kind, owner.name, owner.uid)]),
            ..Default::default()
        },
        data: Some(RawExtension(data.clone())),
        revision: newest + 1,
    };
    match api.create(&PostParams::default(), &revision).await {
        Ok(created) => {
            revisions.push(created.clone());
            Ok(created)
        }
        Err(kube::Error::Api(status)) if status.code == 409 => {
            let existing = api.get(&revision.name_any()).await?;
            let ours = existing.owner_references().iter().any(|o| o.uid == owner.uid);
            if ours && same_data(&existing, data) {
                replace(revisions, existing.clone());
                return Ok(existing);
            }
            Err(Error::Collision(revision.name_any()))
        }
        Err(err) => Err(err.into()),
    }
}

fn replace(revisions: &mut Vec<ControllerRevision>, updated: ControllerRevision) {
    revisions.retain(|r| r.name_any() != updated.name_any());
    revisions.push(updated);
    revisions.sort_by_key(|r| r.revision);
}

/// Deletes the oldest revisions no live pod uses beyond `limit` (upstream's cleanupHistory);
/// `in_use` holds the hashes of live pods and of the current revisions.
pub async fn truncate(
    api: &Api<ControllerRevision>,
    revisions: &[ControllerRevision],
    in_use: &HashSet<String>,
    limit: i32,
) -> Result<(), Error> {
    let unused: Vec<&ControllerRevision> = revisions.iter().filter(|r| !in_use.contains(&hash_of(r))).collect();
    let excess = unused.len().saturating_sub(usize::try_from(limit.max(0)).unwrap_or(0));
    for revision in unused.into_iter().take(excess) {
        match api.delete(&revision.name_any(), &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_replaces_the_template_and_gives_it_back() {
        let template = json!({"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}});
        let data = template_patch(&template);
        assert_eq!(data["spec"]["template"]["$patch"], "replace");
        let revision = ControllerRevision { data: Some(RawExtension(data)), ..Default::default() };
        assert_eq!(template_of(&revision), Some(template));
    }

    #[test]
    fn hashes_differ_by_data_and_collision_count() {
        let a = template_patch(&json!({"spec": {"containers": [{"name": "a"}]}}));
        let b = template_patch(&json!({"spec": {"containers": [{"name": "b"}]}}));
        assert_eq!(hash(&a, None), hash(&a, None));
        assert_ne!(hash(&a, None), hash(&b, None));
        assert_ne!(hash(&a, None), hash(&a, Some(1)));
        assert!(hash(&a, None).chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn names_are_the_owner_and_the_hash() {
        assert_eq!(revision_name("web", "5d4f"), "web-5d4f");
        assert_eq!(revision_name(&"x".repeat(300), "h").len(), 225);
    }
}
