//! Server-side apply and field ownership (managedFields), after upstream's
//! structured-merge-diff: an applier owns exactly the fields of its last applied
//! configuration; applying a field another manager owns with a different value is a
//! conflict unless forced; fields an applier stops applying are removed unless someone
//! else owns them. Non-apply writes ([`track_update`]) take ownership of what they change.

use std::collections::VecDeque;

use serde_json::{Map, Value};
use thiserror::Error;

use super::fields::{
    canonicalize, changed_fields, field_set, get_path, is_granular_list, items_match, path_string, remove_path,
    FieldPath, FieldSet, PathElement,
};
use super::schema::{FieldMeta, PatchSchema};
use super::strategic::lookup;

/// Manager that upstream gives the fields of an object that had no managedFields when it
/// was first applied to.
pub const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// A field applied with another value than the one its owner set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    /// `Apply` or `Update`: how the conflicting owner wrote the field.
    pub operation: String,
    pub api_version: String,
    pub subresource: Option<String>,
    /// As upstream prints it: `.spec.replicas`, `.spec.containers[name="nginx"].image`.
    pub field_path: String,
}

impl Conflict {
    /// The owner as upstream's `printManager`: `"name"`, plus `using <apiVersion>` for
    /// Update owners.
    pub fn owner(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    /// The message of the Status cause (type `FieldManagerConflict`, field `field_path`).
    pub fn cause_message(&self) -> String {
        format!("conflict with {}", self.owner())
    }
}

/// The message of upstream's 409 Status for apply conflicts.
pub fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [c] = conflicts {
        return format!("Apply failed with 1 conflict: conflict with {}: {}", c.owner(), c.field_path);
    }
    let mut owners: Vec<String> = conflicts.iter().map(Conflict::owner).collect();
    owners.sort();
    owners.dedup();
    let mut lines = Vec::new();
    for owner in owners {
        lines.push(format!("conflicts with {owner}:"));
        for c in conflicts.iter().filter(|c| c.owner() == owner) {
            lines.push(format!("- {}", c.field_path));
        }
    }
    format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApplyError {
    #[error("{}", conflict_message(.0))]
    Conflict(Vec<Conflict>),
    /// The applied configuration or the live object is malformed.
    #[error("invalid apply: {0}")]
    Invalid(String),
}

impl ApplyError {
    /// The Status message for this error.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// One managedFields entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedFieldsEntry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: Option<String>,
    pub subresource: Option<String>,
    pub fields: FieldSet,
}

impl ManagedFieldsEntry {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), self.manager.clone().into());
        m.insert("operation".into(), self.operation.clone().into());
        m.insert("apiVersion".into(), self.api_version.clone().into());
        if let Some(t) = &self.time {
            m.insert("time".into(), t.clone().into());
        }
        m.insert("fieldsType".into(), "FieldsV1".into());
        m.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), s.clone().into());
        }
        Value::Object(m)
    }

    fn from_value(v: &Value) -> Option<ManagedFieldsEntry> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if v.get("fieldsType").is_some_and(|t| t != "FieldsV1") {
            return None;
        }
        let fields = match v.get("fieldsV1") {
            Some(f) => FieldSet::from_fields_v1(f).ok()?,
            None => FieldSet::new(),
        };
        Some(ManagedFieldsEntry {
            manager: s("manager").unwrap_or_default(),
            operation: s("operation")?,
            api_version: s("apiVersion").unwrap_or_default(),
            time: s("time"),
            subresource: s("subresource").filter(|s| !s.is_empty()),
            fields,
        })
    }
}

/// The managedFields of an object; malformed entries are dropped (upstream resets
/// undecodable managedFields rather than failing the write).
pub fn managed_fields(obj: &Value) -> Vec<ManagedFieldsEntry> {
    match obj.pointer("/metadata/managedFields") {
        Some(Value::Array(entries)) => entries.iter().filter_map(ManagedFieldsEntry::from_value).collect(),
        _ => Vec::new(),
    }
}

/// Writes the entries (sorted as upstream: Apply before Update, then by time, then
/// manager), dropping empty ones; no entries removes the field.
fn set_managed_fields(obj: &mut Value, mut entries: Vec<ManagedFieldsEntry>) {
    entries.retain(|e| !e.fields.is_empty());
    entries.sort_by(|a, b| {
        (a.operation.as_str(), a.time.as_deref().unwrap_or(""), a.manager.as_str()).cmp(&(
            b.operation.as_str(),
            b.time.as_deref().unwrap_or(""),
            b.manager.as_str(),
        ))
    });
    let Value::Object(root) = obj else { return };
    let meta = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    if let Value::Object(meta) = meta {
        if entries.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(entries.iter().map(|e| e.to_value()).collect()));
        }
    }
}

/// Top-level and metadata fields no manager owns: type and identity metadata, server-set
/// metadata, managedFields and status (as upstream's strip-meta and reset-fields).
const UNOWNED_ROOT: [&str; 3] = ["apiVersion", "kind", "status"];
const UNOWNED_METADATA: [&str; 9] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "clusterName",
];

/// The object without the fields nobody owns, as [`take_unowned`] leaves it; those fields
/// (status and managedFields, most of a pod) are skipped rather than copied.
fn strip_unowned(obj: &Value) -> Value {
    let Value::Object(root) = obj else { return obj.clone() };
    let mut out = Map::new();
    for (key, value) in root.iter().filter(|(key, _)| !UNOWNED_ROOT.contains(&key.as_str())) {
        let value = match (key.as_str(), value) {
            ("metadata", Value::Object(meta)) => {
                let owned: Map<String, Value> = meta
                    .iter()
                    .filter(|(key, _)| !UNOWNED_METADATA.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                if owned.is_empty() {
                    continue;
                }
                Value::Object(owned)
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// What [`take_unowned`] took, to put back.
#[derive(Default)]
struct Unowned {
    root: Vec<(String, Value)>,
    metadata: Vec<(String, Value)>,
    /// The metadata map itself, when nothing owned was left in it.
    whole_metadata: Option<Value>,
}

/// Removes the fields no manager owns from `obj`, returning them.
fn take_unowned(obj: &mut Value) -> Unowned {
    let mut taken = Unowned::default();
    let Value::Object(root) = obj else { return taken };
    for k in UNOWNED_ROOT {
        if let Some(v) = root.remove(k) {
            taken.root.push((k.to_string(), v));
        }
    }
    if let Some(Value::Object(meta)) = root.get_mut("metadata") {
        for k in UNOWNED_METADATA {
            if let Some(v) = meta.remove(k) {
                taken.metadata.push((k.to_string(), v));
            }
        }
        if meta.is_empty() {
            taken.whole_metadata = root.remove("metadata");
        }
    }
    taken
}

/// Undoes [`take_unowned`] (maps are sorted, so nothing moves).
fn put_back(obj: &mut Value, taken: Unowned) {
    let Value::Object(root) = obj else { return };
    if let Some(meta) = taken.whole_metadata {
        root.insert("metadata".into(), meta);
    }
    if let Some(Value::Object(meta)) = root.get_mut("metadata") {
        meta.extend(taken.metadata);
    }
    root.extend(taken.root);
}

fn api_version_of(obj: &Value) -> Option<String> {
    obj.get("apiVersion").and_then(Value::as_str).map(str::to_string)
}

/// Server-side apply of `config` by `manager` onto `live` (None: the object is created).
/// Returns the new object with its managedFields updated.
pub fn apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    schema: &dyn PatchSchema,
    now: &str,
) -> Result<Value, ApplyError> {
    if !config.is_object() {
        return Err(ApplyError::Invalid("the applied configuration must be an object".into()));
    }
    let live_obj = match live {
        Some(v @ Value::Object(_)) => v.clone(),
        Some(Value::Null) | None => Value::Object(Map::new()),
        Some(_) => return Err(ApplyError::Invalid("the live object is not an object".into())),
    };
    let api_version = api_version_of(config).or_else(|| api_version_of(&live_obj)).unwrap_or_default();

    let mut entries = managed_fields(&live_obj);
    if live.is_some() && entries.is_empty() {
        let fields = field_set(&strip_unowned(&live_obj), schema);
        if !fields.is_empty() {
            entries.push(ManagedFieldsEntry {
                manager: BEFORE_FIRST_APPLY.into(),
                operation: "Update".into(),
                api_version: api_version_of(&live_obj).unwrap_or_else(|| api_version.clone()),
                time: Some(now.to_string()),
                subresource: None,
                fields,
            });
        }
    }
    let is_mine = |e: &ManagedFieldsEntry| e.manager == manager && e.operation == "Apply" && e.subresource.is_none();
    for e in &mut entries {
        e.fields = canonicalize(&e.fields, &live_obj, schema);
    }

    let raw_config_set = field_set(&strip_unowned(config), schema);
    let config_set = canonicalize(&raw_config_set, &live_obj, schema);

    // Conflicts: fields of the config others own, with another value live.
    let mut conflicts = Vec::new();
    let mut conflict_paths: Vec<(usize, FieldPath)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if is_mine(e) {
            continue;
        }
        for path in config_set.intersection(&e.fields).paths() {
            let differs = if config_set.has_children(&path) {
                get_path(&live_obj, &path).is_none()
            } else {
                get_path(&live_obj, &path) != get_path(config, &path)
            };
            if differs {
                conflicts.push(Conflict {
                    manager: e.manager.clone(),
                    operation: e.operation.clone(),
                    api_version: e.api_version.clone(),
                    subresource: e.subresource.clone(),
                    field_path: path_string(&path),
                });
                conflict_paths.push((i, path));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(ApplyError::Conflict(conflicts));
    }
    for (i, path) in &conflict_paths {
        if let Some(e) = entries.get_mut(*i) {
            e.fields.remove(path);
        }
    }

    let previous = entries.iter().find(|e| is_mine(e)).map(|e| e.fields.clone()).unwrap_or_default();
    let mut config_body = config.clone();
    if let Some(Value::Object(meta)) = config_body.get_mut("metadata") {
        meta.remove("managedFields");
    }
    let mut merged = merge_applied(live_obj, config_body, &FieldMeta::default(), schema);
    let config_set = canonicalize(&raw_config_set, &merged, schema);
    let previous = canonicalize(&previous, &merged, schema);
    for e in &mut entries {
        e.fields = canonicalize(&e.fields, &merged, schema);
    }

    // Fields no longer applied and owned by nobody else go away (children first).
    let others = entries.iter().filter(|e| !is_mine(e)).fold(FieldSet::new(), |acc, e| acc.union(&e.fields));
    let mut dropped = previous.difference(&config_set).paths();
    dropped.reverse();
    let owned = others.union(&config_set);
    for path in dropped {
        if !owned.has_at_or_below(&path)
            && !entries.iter().any(|e| !is_mine(e) && e.fields.covers(&path))
            && !config_set.covers(&path)
            && !is_key_field(&path)
            && remove_path(&mut merged, &path)
        {
            prune_emptied_maps(&mut merged, &path, &owned);
        }
    }

    match entries.iter_mut().find(|e| is_mine(e)) {
        Some(e) => {
            e.fields = config_set;
            e.api_version = api_version;
            e.time = Some(now.to_string());
        }
        None => entries.push(ManagedFieldsEntry {
            manager: manager.to_string(),
            operation: "Apply".into(),
            api_version,
            time: Some(now.to_string()),
            subresource: None,
            fields: config_set,
        }),
    }
    for e in &mut entries {
        e.fields = e.fields.retain_existing(&merged);
    }
    set_managed_fields(&mut merged, entries);
    Ok(merged)
}

/// After a removal at `path`, removes the maps above it left empty that nobody owns
/// (the last label removed takes `labels` with it).
fn prune_emptied_maps(obj: &mut Value, path: &[PathElement], owned: &FieldSet) {
    for end in (1..path.len()).rev() {
        let parent = &path[..end];
        if !matches!(parent.last(), Some(PathElement::Field(_))) {
            return;
        }
        let empty = matches!(get_path(obj, parent), Some(Value::Object(m)) if m.is_empty());
        if !empty || owned.has_at_or_below(parent) {
            return;
        }
        remove_path(obj, parent);
    }
}

/// A key field of an associative list item (`...[name="x"].name`): it goes with its item,
/// never alone.
fn is_key_field(path: &[PathElement]) -> bool {
    match path {
        [.., PathElement::Key(k), PathElement::Field(f)] => {
            matches!(serde_json::from_str::<Value>(k), Ok(Value::Object(m)) if m.contains_key(f))
        }
        _ => false,
    }
}

/// Merges an applied configuration into the live object: config values win, maps merge,
/// granular lists merge by item ([`merge_list_items`]), atomic lists and
/// scalars are replaced; nulls in the config are ignored.
fn merge_applied(live: Value, config: Value, meta: &FieldMeta, schema: &dyn PatchSchema) -> Value {
    match (live, config) {
        (Value::Object(mut l), Value::Object(c)) if meta.map_type.as_deref() != Some("atomic") => {
            for (k, cv) in c {
                if cv.is_null() {
                    continue;
                }
                let (m, sub) = lookup(schema, &k);
                let lv = l.remove(&k).unwrap_or(Value::Null);
                l.insert(k, merge_applied(lv, cv, &m, sub.as_ref()));
            }
            Value::Object(l)
        }
        (Value::Array(l), Value::Array(c)) if is_granular_list(meta) => {
            Value::Array(merge_list_items(l, c, meta, schema))
        }
        // A granular map where the live value is not a map: merge into an empty one. (An
        // atomic map falls through and is replaced whole.)
        (live, Value::Object(c)) if !live.is_object() && meta.map_type.as_deref() != Some("atomic") => {
            merge_applied(Value::Object(Map::new()), Value::Object(c), meta, schema)
        }
        (_, c) => c,
    }
}

/// Merges the items of a granular list as structured-merge-diff does: the applied items
/// come in the applied order, live-only items keep their place, and an applied item new
/// to the list goes where it stands relative to the items both lists share.
fn merge_list_items(live: Vec<Value>, applied: Vec<Value>, meta: &FieldMeta, schema: &dyn PatchSchema) -> Vec<Value> {
    let (ln, rn) = (live.len(), applied.len());
    let mut lhs_match: Vec<Option<usize>> = vec![None; ln];
    let mut rhs_match: Vec<Option<usize>> = vec![None; rn];
    for (ri, item) in applied.iter().enumerate() {
        if let Some(li) = (0..ln).find(|&li| lhs_match[li].is_none() && items_match(item, &live[li], meta)) {
            lhs_match[li] = Some(ri);
            rhs_match[ri] = Some(li);
        }
    }
    let mut shared: VecDeque<usize> = (0..rn).filter(|&ri| rhs_match[ri].is_some()).collect();
    let mut next_shared = shared.pop_front();
    let mut lhs: Vec<Option<Value>> = live.into_iter().map(Some).collect();
    let mut rhs: Vec<Option<Value>> = applied.into_iter().map(Some).collect();
    let item_meta = FieldMeta::default();
    let merge = |l: Option<Value>, r: Option<Value>| match r {
        Some(r) => Some(merge_applied(l.unwrap_or(Value::Null), r, &item_meta, schema)),
        None => l,
    };
    let mut out = Vec::with_capacity(ln.max(rn));
    let (mut li, mut ri) = (0, 0);
    while li < ln || ri < rn {
        if li < ln && ri < rn {
            if lhs_match[li] == Some(ri) {
                out.extend(merge(lhs[li].take(), rhs[ri].take()));
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if let Some(r) = lhs_match[li] {
                if next_shared.is_some() && next_shared != Some(r) {
                    // Shared, but placed later by the applied order.
                    li += 1;
                    continue;
                }
            }
        }
        if li < ln && lhs_match[li].is_none() {
            out.extend(lhs[li].take());
            li += 1;
            continue;
        }
        if ri < rn {
            let l = rhs_match[ri].and_then(|x| lhs.get_mut(x).and_then(Option::take));
            out.extend(merge(l, rhs[ri].take()));
            if next_shared == Some(ri) {
                next_shared = shared.pop_front();
            }
            ri += 1;
            continue;
        }
        // A shared live item whose applied item was already placed.
        li += 1;
    }
    out
}

/// Records a non-apply write (create, update, patch) by `manager`: the fields it changed
/// from `old` to `new` become its own (operation `operation`, usually `Update`) and leave
/// the other managers' sets; fields that no longer exist leave every set. Updates
/// `new.metadata.managedFields` in place.
pub fn track_update(old: Option<&Value>, new: &mut Value, manager: &str, operation: &str, now: &str) {
    track_update_with_schema(old, new, manager, operation, &super::schema::NoSchema, now)
}

/// [`track_update`] with a schema, so that granular lists are tracked by item.
pub fn track_update_with_schema(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    operation: &str,
    schema: &dyn PatchSchema,
    now: &str,
) {
    if !new.is_object() {
        return;
    }
    let given = matches!(new.pointer("/metadata/managedFields"), Some(Value::Array(_)));
    let mut entries = match given {
        true => managed_fields(new),
        false => old.map(managed_fields).unwrap_or_default(),
    };
    let api_version = api_version_of(new).unwrap_or_default();
    let stripped_old = old.map(strip_unowned);
    // `new` is stripped in place rather than copied: it is the larger of the two.
    let unowned = take_unowned(new);
    let changed = changed_fields(stripped_old.as_ref(), new, schema);
    put_back(new, unowned);
    let is_mine = |e: &ManagedFieldsEntry| {
        e.manager == manager && e.operation == operation && e.api_version == api_version && e.subresource.is_none()
    };
    if !changed.is_empty() {
        for e in entries.iter_mut().filter(|e| !is_mine(e)) {
            e.fields = e.fields.difference(&changed);
        }
        match entries.iter_mut().find(|e| is_mine(e)) {
            Some(e) => {
                e.fields = e.fields.union(&changed);
                e.time = Some(now.to_string());
            }
            None => entries.push(ManagedFieldsEntry {
                manager: manager.to_string(),
                operation: operation.to_string(),
                api_version: api_version.clone(),
                time: Some(now.to_string()),
                subresource: None,
                fields: changed,
            }),
        }
    }
    // A new object's only field set was just read from it: nothing to trim then.
    if old.is_some() || given {
        for e in &mut entries {
            e.fields = e.fields.retain_existing(new);
        }
    }
    set_managed_fields(new, entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::patch::testutil::pod_schema;
    use serde_json::json;

    const T0: &str = "2026-01-01T00:00:00Z";
    const T1: &str = "2026-01-01T00:01:00Z";

    #[test]
    fn stripping_copies_what_taking_leaves() {
        for object in [
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}, "managedFields": []},
                   "spec": {"x": 1}, "status": {"phase": "Running"}}),
            json!({"kind": "Pod", "metadata": {"name": "p", "uid": "u"}, "spec": {}}),
            json!({"metadata": "odd", "spec": null}),
        ] {
            let mut taken = object.clone();
            take_unowned(&mut taken);
            assert_eq!(strip_unowned(&object), taken);
        }
    }

    #[test]
    fn an_atomic_map_is_replaced_whole() {
        let atomic = FieldMeta { map_type: Some("atomic".into()), ..FieldMeta::default() };
        let merged = merge_applied(
            json!({"a": 1, "b": 2}),
            json!({"a": 3}),
            &atomic,
            &crate::machinery::patch::schema::NoSchema,
        );
        assert_eq!(merged, json!({"a": 3}));
        let granular = merge_applied(
            json!({"a": 1, "b": 2}),
            json!({"a": 3}),
            &FieldMeta::default(),
            &crate::machinery::patch::schema::NoSchema,
        );
        assert_eq!(granular, json!({"a": 3, "b": 2}));
    }

    fn deploy(replicas: i64, image: &str) -> Value {
        json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
            "spec":{"replicas":replicas,"template":{"spec":{"containers":[{"name":"nginx","image":image}]}}}})
    }

    fn entry<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
        obj["metadata"]["managedFields"].as_array()?.iter().find(|e| e["manager"] == manager)
    }

    fn apply_ok(live: Option<&Value>, config: &Value, manager: &str, force: bool) -> Value {
        apply(live, config, manager, force, pod_schema().as_ref(), T1).unwrap()
    }

    fn created_by_update(obj: Value, manager: &str) -> Value {
        let mut obj = obj;
        track_update_with_schema(None, &mut obj, manager, "Update", pod_schema().as_ref(), T0);
        obj
    }

    #[test]
    fn apply_create_records_apply_entry_in_upstream_shape() {
        let out = apply_ok(None, &deploy(2, "nginx:1.16"), "kubectl", false);
        assert_eq!(out["spec"]["replicas"], json!(2));
        let e = entry(&out, "kubectl").unwrap();
        assert_eq!(e["operation"], json!("Apply"));
        assert_eq!(e["apiVersion"], json!("apps/v1"));
        assert_eq!(e["time"], json!(T1));
        assert_eq!(e["fieldsType"], json!("FieldsV1"));
        assert_eq!(
            e["fieldsV1"],
            json!({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{
                "k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}})
        );
    }

    #[test]
    fn apply_conflicts_with_other_owner_of_a_different_value() {
        let live = created_by_update(deploy(1, "nginx"), "kubectl-client-side-apply");
        let err = apply(Some(&live), &deploy(3, "nginx"), "kubectl", false, pod_schema().as_ref(), T1).unwrap_err();
        let ApplyError::Conflict(conflicts) = &err else { panic!("{err:?}") };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].field_path, ".spec.replicas");
        assert_eq!(
            err.message(),
            r#"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
        );
        assert_eq!(conflicts[0].cause_message(), r#"conflict with "kubectl-client-side-apply" using apps/v1"#);
    }

    #[test]
    fn apply_same_value_shares_ownership() {
        let live = created_by_update(deploy(1, "nginx"), "kubectl-create");
        let out = apply_ok(Some(&live), &deploy(1, "nginx"), "kubectl", false);
        assert!(entry(&out, "kubectl").unwrap()["fieldsV1"]["f:spec"].get("f:replicas").is_some());
        assert!(entry(&out, "kubectl-create").unwrap()["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    }

    #[test]
    fn apply_force_takes_ownership() {
        let live = created_by_update(deploy(1, "nginx"), "kubectl-create");
        let out = apply_ok(Some(&live), &deploy(3, "nginx:2"), "kubectl", true);
        assert_eq!(out["spec"]["replicas"], json!(3));
        assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["image"], json!("nginx:2"));
        let other = entry(&out, "kubectl-create").unwrap();
        assert!(other["fieldsV1"]["f:spec"].get("f:replicas").is_none());
        assert!(other["fieldsV1"]["f:metadata"]["f:labels"].get("f:app").is_some());
        assert!(entry(&out, "kubectl").unwrap()["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    }

    #[test]
    fn apply_multiple_conflicts_message() {
        let live = created_by_update(deploy(1, "nginx"), "kubectl-create");
        let err = apply(Some(&live), &deploy(3, "nginx:2"), "kubectl", false, pod_schema().as_ref(), T1).unwrap_err();
        assert_eq!(
            err.message(),
            "Apply failed with 2 conflicts: conflicts with \"kubectl-create\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
        );
    }

    #[test]
    fn apply_conflict_with_another_applier_names_it_without_version() {
        let live = apply_ok(None, &deploy(1, "nginx"), "alice", false);
        let err = apply(Some(&live), &deploy(2, "nginx"), "bob", false, pod_schema().as_ref(), T1).unwrap_err();
        assert_eq!(err.message(), r#"Apply failed with 1 conflict: conflict with "alice": .spec.replicas"#);
    }

    #[test]
    fn apply_removes_fields_no_longer_applied_unless_owned_elsewhere() {
        let mut config = deploy(1, "nginx");
        config["metadata"]["labels"]["tier"] = json!("fe");
        config["metadata"]["annotations"] = json!({"note": "x"});
        let live = apply_ok(None, &config, "kubectl", false);
        // Someone else takes the annotation.
        let mut updated = live.clone();
        updated["metadata"]["annotations"]["note"] = json!("y");
        track_update_with_schema(Some(&live), &mut updated, "editor", "Update", pod_schema().as_ref(), T1);
        let out = apply_ok(Some(&updated), &deploy(1, "nginx"), "kubectl", false);
        assert!(out["metadata"]["labels"].get("tier").is_none());
        assert_eq!(out["metadata"]["labels"]["app"], json!("web"));
        assert_eq!(out["metadata"]["annotations"]["note"], json!("y"));
    }

    #[test]
    fn apply_merges_associative_lists_by_key() {
        let mut live = apply_ok(None, &deploy(1, "nginx"), "kubectl", false);
        // Another manager adds a sidecar.
        let before = live.clone();
        live["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name":"sidecar","image":"busybox"}));
        track_update_with_schema(Some(&before), &mut live, "injector", "Update", pod_schema().as_ref(), T1);
        let out = apply_ok(Some(&live), &deploy(1, "nginx:2"), "kubectl", false);
        let cs = out["spec"]["template"]["spec"]["containers"].as_array().unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0], json!({"name":"nginx","image":"nginx:2"}));
        assert_eq!(cs[1]["name"], json!("sidecar"));
        // Dropping its container from the config removes it, keeping the other's.
        let mut config = deploy(1, "nginx:2");
        config["spec"]["template"]["spec"]["containers"] = json!([{"name":"other","image":"x"}]);
        let out = apply_ok(Some(&out), &config, "kubectl", false);
        let names: Vec<&str> = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sidecar", "other"]);
    }

    #[test]
    fn apply_replaces_atomic_lists() {
        let mut config = deploy(1, "nginx");
        config["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["a", "b"]);
        let live = apply_ok(None, &config, "kubectl", false);
        config["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["c"]);
        let out = apply_ok(Some(&live), &config, "kubectl", false);
        assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["args"], json!(["c"]));
    }

    #[test]
    fn apply_to_object_without_managed_fields_uses_before_first_apply() {
        let live = deploy(1, "nginx");
        let err = apply(Some(&live), &deploy(2, "nginx"), "kubectl", false, pod_schema().as_ref(), T1).unwrap_err();
        assert!(err.message().contains(r#""before-first-apply" using apps/v1"#), "{}", err.message());
    }

    #[test]
    fn apply_ignores_server_fields_and_rejects_non_objects() {
        let mut config = deploy(1, "nginx");
        config["metadata"]["resourceVersion"] = json!("5");
        config["status"] = json!({"replicas": 1});
        let out = apply_ok(None, &config, "kubectl", false);
        let f = &entry(&out, "kubectl").unwrap()["fieldsV1"];
        assert!(f.get("f:status").is_none() && f["f:metadata"].get("f:resourceVersion").is_none());
        assert!(f.get("f:apiVersion").is_none() && f["f:metadata"].get("f:name").is_none());
        assert!(matches!(apply(None, &json!([1]), "m", false, pod_schema().as_ref(), T1), Err(ApplyError::Invalid(_))));
        assert!(matches!(
            apply(Some(&json!(3)), &json!({}), "m", false, pod_schema().as_ref(), T1),
            Err(ApplyError::Invalid(_))
        ));
    }

    #[test]
    fn track_update_moves_changed_fields_and_drops_empty_managers() {
        let created = created_by_update(deploy(1, "nginx"), "kubectl-create");
        assert_eq!(created["metadata"]["managedFields"].as_array().unwrap().len(), 1);
        let mut scaled = created.clone();
        scaled["spec"]["replicas"] = json!(5);
        track_update_with_schema(Some(&created), &mut scaled, "kubectl-scale", "Update", pod_schema().as_ref(), T1);
        assert!(entry(&scaled, "kubectl-create").unwrap()["fieldsV1"]["f:spec"].get("f:replicas").is_none());
        assert_eq!(entry(&scaled, "kubectl-scale").unwrap()["fieldsV1"], json!({"f:spec":{"f:replicas":{}}}));
        // A manager whose only field is taken disappears.
        let mut again = scaled.clone();
        again["spec"]["replicas"] = json!(6);
        track_update_with_schema(Some(&scaled), &mut again, "hpa", "Update", pod_schema().as_ref(), T1);
        assert!(entry(&again, "kubectl-scale").is_none());
        // Removed fields leave every set.
        let mut unlabeled = again.clone();
        unlabeled["metadata"].as_object_mut().unwrap().remove("labels");
        track_update(Some(&again), &mut unlabeled, "kubectl-label", "Update", T1);
        assert!(entry(&unlabeled, "kubectl-create").unwrap()["fieldsV1"].get("f:metadata").is_none());
        assert!(entry(&unlabeled, "kubectl-label").is_none());
    }

    #[test]
    fn track_update_without_changes_adds_no_entry() {
        let created = created_by_update(deploy(1, "nginx"), "kubectl-create");
        let mut same = created.clone();
        track_update(Some(&created), &mut same, "noop", "Update", T1);
        assert!(entry(&same, "noop").is_none());
        assert_eq!(same["metadata"]["managedFields"], created["metadata"]["managedFields"]);
    }

    #[test]
    fn apply_matches_items_whose_defaulted_key_fields_the_config_omits() {
        let mut config = deploy(1, "nginx");
        config["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80}]);
        let mut live = apply_ok(None, &config, "kubectl", false);
        // The server defaults the protocol, a key field of ports.
        live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
        let out = apply_ok(Some(&live), &config, "kubectl", false);
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 80, "protocol": "TCP"}])
        );
        let f = &entry(&out, "kubectl").unwrap()["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
            ["k:{\"name\":\"nginx\"}"]["f:ports"];
        assert!(f.get("k:{\"containerPort\":80,\"protocol\":\"TCP\"}").is_some(), "{f}");
        // Changing the port replaces the item the manager owned.
        config["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([{"containerPort": 8080}]);
        let out = apply_ok(Some(&out), &config, "kubectl", false);
        assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["ports"], json!([{"containerPort": 8080}]));
    }

    #[test]
    fn reapplying_the_same_config_is_idempotent() {
        let config = deploy(2, "nginx");
        let once = apply_ok(None, &config, "kubectl", false);
        let twice = apply_ok(Some(&once), &config, "kubectl", false);
        assert_eq!(once, twice);
    }

    #[test]
    fn apply_then_update_then_apply_keeps_shared_fields() {
        let live = apply_ok(None, &deploy(1, "nginx"), "kubectl", false);
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(4);
        track_update_with_schema(Some(&live), &mut scaled, "kubectl-scale", "Update", pod_schema().as_ref(), T1);
        assert!(entry(&scaled, "kubectl").unwrap()["fieldsV1"]["f:spec"].get("f:replicas").is_none());
        // The applier no longer applying replicas leaves the scaler's value alone.
        let mut config = deploy(1, "nginx");
        config["spec"].as_object_mut().unwrap().remove("replicas");
        let out = apply_ok(Some(&scaled), &config, "kubectl", false);
        assert_eq!(out["spec"]["replicas"], json!(4));
    }

    #[test]
    fn random_inputs_never_panic() {
        use crate::machinery::patch::testutil::Gen;
        let schema = pod_schema();
        for seed in 0..3000 {
            let mut g = Gen::new(seed);
            let (a, b) = (g.value(5), g.value(5));
            let _ = crate::machinery::patch::strategic_merge_patch(&a, &b, schema.as_ref());
            let _ = crate::machinery::patch::json_patch(&a, &b);
            if let Ok(out) = apply(Some(&a), &b, "m", seed % 2 == 0, schema.as_ref(), T1) {
                let _ = apply(Some(&out), &a, "n", false, schema.as_ref(), T1);
            }
            let mut n = b.clone();
            track_update_with_schema(Some(&a), &mut n, "u", "Update", schema.as_ref(), T1);
            let mut fv = json!({"metadata": {"managedFields": [{"manager": "x", "operation": "Update", "fieldsV1": a.clone()}]}});
            track_update(None, &mut fv, "u", "Update", T1);
        }
    }

    #[test]
    fn apply_list_order_follows_the_applied_order_keeping_live_only_items() {
        let names = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap_or("").to_string()).collect()
        };
        let meta = FieldMeta { merge: true, merge_key: Some("name".into()), ..FieldMeta::default() };
        let schema = super::super::schema::NoSchema;
        let l = |ns: &[&str]| -> Vec<Value> { ns.iter().map(|n| json!({"name": n})).collect() };
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (&["a", "b"], &["b", "a"], &["b", "a"]),
            (&["a", "x", "b"], &["b", "a"], &["x", "b", "a"]),
            (&["nginx", "sidecar"], &["new", "nginx"], &["new", "nginx", "sidecar"]),
            (&["nginx"], &["nginx", "new"], &["nginx", "new"]),
            (&["c", "a", "b"], &["a", "b", "c"], &["a", "b", "c"]),
            (&["a", "b"], &[], &["a", "b"]),
            (&[], &["a", "b"], &["a", "b"]),
        ];
        for (live, applied, want) in cases {
            let out = Value::Array(merge_list_items(l(live), l(applied), &meta, &schema));
            assert_eq!(names(&out), *want, "{live:?} + {applied:?}");
        }
    }

    #[test]
    fn apply_removing_the_last_entry_of_a_map_removes_the_map() {
        let mut config = deploy(1, "nginx");
        config["metadata"]["annotations"] = json!({"a": "1"});
        let live = apply_ok(None, &config, "kubectl", false);
        let out = apply_ok(Some(&live), &deploy(1, "nginx"), "kubectl", false);
        assert!(out["metadata"].get("annotations").is_none(), "{}", out["metadata"]);
        assert_eq!(out["metadata"]["name"], json!("web"));
    }

    #[test]
    fn apply_keeps_dropped_fields_inside_a_value_another_manager_owns_atomically() {
        let mut config = deploy(1, "nginx");
        config["spec"]["template"]["spec"]["containers"] =
            json!([{"name":"nginx","image":"a"},{"name":"sidecar","image":"b"}]);
        let live = apply_ok(None, &config, "kubectl", false);
        let mut edited = live.clone();
        edited["spec"]["template"]["spec"]["containers"][1]["image"] = json!("c");
        // Without a schema the whole list is one field, now the editor's.
        track_update(Some(&live), &mut edited, "editor", "Update", T1);
        assert_eq!(
            entry(&edited, "editor").unwrap()["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"],
            json!({})
        );
        let out = apply_ok(Some(&edited), &deploy(1, "a"), "kubectl", false);
        assert_eq!(out["spec"]["template"]["spec"]["containers"].as_array().map(Vec::len), Some(2));
    }
}
