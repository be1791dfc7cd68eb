//! Field sets as upstream's structured-merge-diff `fieldpath.Set`, serialized as
//! managedFields `FieldsV1`: `f:<name>` for a field, `k:<json of the key fields>` for an
//! item of an associative list, `v:<json>` for an item of a set, `i:<n>` for an index;
//! `".": {}` marks a node that is itself in the set and also has children.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::PatchError;
use super::schema::{FieldMeta, PatchSchema};
use super::strategic::lookup;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    Field(String),
    /// An associative list item, by the JSON object of its key fields (sorted keys).
    Key(String),
    /// A set item, by its JSON value.
    Value(String),
    Index(usize),
}

pub type FieldPath = Vec<PathElement>;

impl PathElement {
    fn encode(&self) -> String {
        match self {
            PathElement::Field(n) => format!("f:{n}"),
            PathElement::Key(k) => format!("k:{k}"),
            PathElement::Value(v) => format!("v:{v}"),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    fn decode(s: &str) -> Option<PathElement> {
        let (kind, rest) = s.split_once(':')?;
        Some(match kind {
            "f" => PathElement::Field(rest.to_string()),
            "k" => PathElement::Key(canonical_json(rest)?),
            "v" => PathElement::Value(canonical_json(rest)?),
            "i" => PathElement::Index(rest.parse().ok()?),
            _ => return None,
        })
    }
}

/// Re-serializes JSON so that equal values compare equal as strings (sorted keys).
fn canonical_json(s: &str) -> Option<String> {
    serde_json::from_str::<Value>(s).ok().map(|v| v.to_string())
}

/// A path as upstream prints it in conflicts: `.spec.containers[name="nginx"].image`.
pub fn path_string(path: &[PathElement]) -> String {
    let mut out = String::new();
    for e in path {
        match e {
            PathElement::Field(n) => {
                out.push('.');
                out.push_str(n);
            }
            PathElement::Key(k) => {
                let fields: Vec<String> = match serde_json::from_str::<Value>(k) {
                    Ok(Value::Object(m)) => m.iter().map(|(n, v)| format!("{n}={v}")).collect(),
                    _ => vec![k.clone()],
                };
                out.push_str(&format!("[{}]", fields.join(",")));
            }
            PathElement::Value(v) => out.push_str(&format!("[={v}]")),
            PathElement::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A set of field paths, as a trie.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    /// The path ending at this node is itself in the set.
    member: bool,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// No path at all.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(|c| c.is_empty())
    }

    pub fn insert(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.member = true,
            Some((first, rest)) => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    pub fn contains(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => self.member,
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.contains(rest)),
        }
    }

    /// Some path of the set is `path` or lies below it.
    pub fn has_at_or_below(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => !self.is_empty(),
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.has_at_or_below(rest)),
        }
    }

    /// `path` or one of its ancestors is in the set as a leaf (the owner of an atomic
    /// enclosing value owns everything below it).
    pub fn covers(&self, path: &[PathElement]) -> bool {
        if self.member && self.children.values().all(|c| c.is_empty()) {
            return true;
        }
        match path.split_first() {
            None => false,
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.covers(rest)),
        }
    }

    /// The node at `path` has children in the set.
    pub fn has_children(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => self.children.values().any(|c| !c.is_empty()),
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.has_children(rest)),
        }
    }

    /// All paths of the set, parents before children.
    pub fn paths(&self) -> Vec<FieldPath> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut FieldPath, out: &mut Vec<FieldPath>) {
        if self.member && !prefix.is_empty() {
            out.push(prefix.clone());
        }
        for (e, c) in &self.children {
            prefix.push(e.clone());
            c.collect(prefix, out);
            prefix.pop();
        }
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.member |= other.member;
        for (e, c) in &other.children {
            let merged = match out.children.get(e) {
                Some(mine) => mine.union(c),
                None => c.clone(),
            };
            out.children.insert(e.clone(), merged);
        }
        out.pruned()
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet { member: self.member && !other.member, children: BTreeMap::new() };
        for (e, c) in &self.children {
            let d = match other.children.get(e) {
                Some(o) => c.difference(o),
                None => c.clone(),
            };
            out.children.insert(e.clone(), d);
        }
        out.pruned()
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet { member: self.member && other.member, children: BTreeMap::new() };
        for (e, c) in &self.children {
            if let Some(o) = other.children.get(e) {
                out.children.insert(e.clone(), c.intersection(o));
            }
        }
        out.pruned()
    }

    pub fn remove(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.member = false,
            Some((first, rest)) => {
                if let Some(c) = self.children.get_mut(first) {
                    c.remove(rest);
                    if c.is_empty() {
                        self.children.remove(first);
                    }
                }
            }
        }
    }

    fn pruned(mut self) -> FieldSet {
        self.children.retain(|_, c| !c.is_empty());
        self
    }

    /// Keeps only the paths that exist in `value` (walking the set and the value together).
    pub fn retain_existing(&self, value: &Value) -> FieldSet {
        let mut out = self.retain_existing_below(value);
        // The empty path is never in a set read from or written to managedFields.
        out.member = false;
        out
    }

    fn retain_existing_below(&self, value: &Value) -> FieldSet {
        let mut out = FieldSet { member: self.member, children: BTreeMap::new() };
        for (element, child) in &self.children {
            if let Some(below) = step(value, element) {
                let kept = child.retain_existing_below(below);
                if !kept.is_empty() {
                    out.children.insert(element.clone(), kept);
                }
            }
        }
        out
    }

    /// The managedFields `fieldsV1` JSON of the set.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        let live_children: Vec<(&PathElement, &FieldSet)> =
            self.children.iter().filter(|(_, c)| !c.is_empty()).collect();
        if self.member && !live_children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (e, c) in live_children {
            m.insert(e.encode(), c.to_fields_v1());
        }
        Value::Object(m)
    }

    /// Parses a managedFields `fieldsV1` JSON.
    pub fn from_fields_v1(v: &Value) -> Result<FieldSet, PatchError> {
        let mut set = FieldSet::new();
        set.read(v)?;
        set.member = false;
        Ok(set)
    }

    fn read(&mut self, v: &Value) -> Result<(), PatchError> {
        let Value::Object(m) = v else {
            return Err(PatchError::invalid("fieldsV1 must be made of objects"));
        };
        if m.is_empty() {
            self.member = true;
        }
        for (k, c) in m {
            if k == "." {
                self.member = true;
                continue;
            }
            let e = PathElement::decode(k).ok_or_else(|| PatchError::Invalid(format!("bad fieldsV1 key {k}")))?;
            self.children.entry(e).or_default().read(c)?;
        }
        Ok(())
    }
}

/// Whether the list field merges by item (associative list or set) rather than whole.
pub(crate) fn is_granular_list(meta: &FieldMeta) -> bool {
    match meta.list_type.as_deref() {
        Some("map") | Some("set") => true,
        Some(_) => false,
        None => meta.merge,
    }
}

fn is_granular_map(meta: &FieldMeta) -> bool {
    meta.map_type.as_deref() != Some("atomic")
}

fn list_keys(meta: &FieldMeta) -> Vec<&str> {
    if !meta.list_map_keys.is_empty() {
        meta.list_map_keys.iter().map(String::as_str).collect()
    } else {
        meta.merge_key.iter().map(String::as_str).collect()
    }
}

/// The path element naming `item` in a granular list; `None` if it cannot be named
/// (an object without any of the key fields), which makes the list atomic.
pub(crate) fn item_element(item: &Value, meta: &FieldMeta) -> Option<PathElement> {
    match item {
        Value::Object(m) => {
            let mut key = Map::new();
            for k in list_keys(meta) {
                if let Some(v) = m.get(k) {
                    key.insert(k.to_string(), v.clone());
                }
            }
            (!key.is_empty()).then(|| PathElement::Key(Value::Object(key).to_string()))
        }
        Value::Array(_) => None,
        v => Some(PathElement::Value(v.to_string())),
    }
}

fn list_elements(items: &[Value], meta: &FieldMeta) -> Option<Vec<PathElement>> {
    items.iter().map(|i| item_element(i, meta)).collect()
}

/// The value at `path`, if any.
pub fn get_path<'a>(value: &'a Value, path: &[PathElement]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, element| step(value, element))
}

/// The value one element below `value`, if any.
fn step<'a>(value: &'a Value, element: &PathElement) -> Option<&'a Value> {
    match (element, value) {
        (PathElement::Field(n), Value::Object(m)) => m.get(n),
        (PathElement::Index(i), Value::Array(items)) => items.get(*i),
        (_, Value::Array(items)) => {
            let item = ItemMatcher::of(element);
            items.iter().find(|i| item.matches(i))
        }
        _ => None,
    }
}

/// `step` for changing what is found.
fn step_mut<'a>(value: &'a mut Value, element: &PathElement) -> Option<&'a mut Value> {
    match (element, value) {
        (PathElement::Field(n), Value::Object(m)) => m.get_mut(n),
        (PathElement::Index(i), Value::Array(items)) => items.get_mut(*i),
        (_, Value::Array(items)) => {
            let item = ItemMatcher::of(element);
            items.iter_mut().find(|i| item.matches(i))
        }
        _ => None,
    }
}

/// Removes the value at `path`; whether there was one.
pub fn remove_path(value: &mut Value, path: &[PathElement]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let Some(parent) = parents.iter().try_fold(value, |value, element| step_mut(value, element)) else {
        return false;
    };
    match (last, parent) {
        (PathElement::Field(n), Value::Object(m)) => m.remove(n).is_some(),
        (PathElement::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        (_, Value::Array(items)) => {
            let item = ItemMatcher::of(last);
            remove_first(items, |i| item.matches(i))
        }
        _ => false,
    }
}

fn remove_first(items: &mut Vec<Value>, pred: impl Fn(&Value) -> bool) -> bool {
    match items.iter().position(pred) {
        Some(i) => {
            items.remove(i);
            true
        }
        None => false,
    }
}

/// The list item a `k:` or `v:` element names, its JSON parsed once for a scan of the list.
enum ItemMatcher {
    Key(Map<String, Value>),
    Value(Value),
    Nothing,
}

impl ItemMatcher {
    fn of(element: &PathElement) -> ItemMatcher {
        match element {
            PathElement::Key(json) => match serde_json::from_str(json) {
                Ok(Value::Object(key)) => ItemMatcher::Key(key),
                _ => ItemMatcher::Nothing,
            },
            PathElement::Value(json) => serde_json::from_str(json).map_or(ItemMatcher::Nothing, ItemMatcher::Value),
            PathElement::Field(_) | PathElement::Index(_) => ItemMatcher::Nothing,
        }
    }

    /// Key fields the item lacks are ignored (an applied configuration may omit key fields
    /// the server defaults, such as a port's `protocol`), but at least one must match.
    fn matches(&self, item: &Value) -> bool {
        match self {
            ItemMatcher::Key(key) => {
                let mut any = false;
                for (k, v) in key {
                    match item.get(k) {
                        Some(iv) if iv == v => any = true,
                        Some(_) => return false,
                        None => {}
                    }
                }
                any
            }
            ItemMatcher::Value(value) => item == value,
            ItemMatcher::Nothing => false,
        }
    }
}

/// Whether list item `a` (from an applied configuration) is item `b` (live) of a granular
/// list: same present key fields for objects, equal values for primitives.
pub(crate) fn items_match(a: &Value, b: &Value, meta: &FieldMeta) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut any = false;
            for k in list_keys(meta) {
                if let Some(v) = x.get(k) {
                    if y.get(k) != Some(v) {
                        return false;
                    }
                    any = true;
                }
            }
            any
        }
        (Value::Object(_) | Value::Array(_), _) => false,
        (x, y) => x == y,
    }
}

/// Re-spells the `k:` elements of `set` with the keys of the items of `obj` they name, so
/// that sets computed from a configuration that omits defaulted key fields compare with
/// sets computed from the live object.
pub fn canonicalize(set: &FieldSet, obj: &Value, schema: &dyn PatchSchema) -> FieldSet {
    canonical_node(set, Some(obj), &FieldMeta::default(), schema)
}

fn canonical_node(node: &FieldSet, value: Option<&Value>, meta: &FieldMeta, schema: &dyn PatchSchema) -> FieldSet {
    let mut out = FieldSet { member: node.member, children: BTreeMap::new() };
    for (e, c) in &node.children {
        let (element, child) = match e {
            PathElement::Field(n) => {
                let (m, sub) = lookup(schema, n);
                (e.clone(), canonical_node(c, value.and_then(|v| v.get(n)), &m, sub.as_ref()))
            }
            PathElement::Key(_) => {
                let item = value.and_then(|v| step(v, e));
                let element = item.and_then(|i| item_element(i, meta)).unwrap_or_else(|| e.clone());
                (element, canonical_node(c, item, &FieldMeta::default(), schema))
            }
            _ => (e.clone(), c.clone()),
        };
        let merged = match out.children.remove(&element) {
            Some(existing) => existing.union(&child),
            None => child,
        };
        out.children.insert(element, merged);
    }
    out
}

/// The fields set by an object (as applied configuration): every leaf, every granular
/// list item. Null values are not fields.
pub fn field_set(value: &Value, schema: &dyn PatchSchema) -> FieldSet {
    let mut set = FieldSet::new();
    if let Value::Object(m) = value {
        object_fields(m, schema, &mut set);
    }
    set.member = false;
    set
}

fn object_fields(m: &Map<String, Value>, schema: &dyn PatchSchema, node: &mut FieldSet) {
    for (k, v) in m {
        if v.is_null() {
            continue;
        }
        let (meta, sub) = lookup(schema, k);
        let mut child = FieldSet::new();
        value_fields(v, &meta, sub.as_ref(), &mut child);
        node.children.insert(PathElement::Field(k.clone()), child);
    }
}

fn value_fields(v: &Value, meta: &FieldMeta, schema: &dyn PatchSchema, node: &mut FieldSet) {
    match v {
        Value::Object(m) if is_granular_map(meta) && !m.is_empty() => object_fields(m, schema, node),
        Value::Array(items) if is_granular_list(meta) && !items.is_empty() => match list_elements(items, meta) {
            Some(elements) => {
                for (item, e) in items.iter().zip(elements) {
                    let child = node.children.entry(e).or_default();
                    child.member = true;
                    if let Value::Object(m) = item {
                        object_fields(m, schema, child);
                    }
                }
            }
            None => node.member = true,
        },
        _ => node.member = true,
    }
}

/// The fields a write changed from `old` to `new`: new or modified leaves and new list
/// items (with their fields). Removed fields are not in it.
pub fn changed_fields(old: Option<&Value>, new: &Value, schema: &dyn PatchSchema) -> FieldSet {
    let mut set = FieldSet::new();
    match (old, new) {
        (Some(Value::Object(o)), Value::Object(n)) => changed_object(o, n, schema, &mut set),
        (_, Value::Object(n)) => object_fields(n, schema, &mut set),
        _ => {}
    }
    set.member = false;
    set.pruned()
}

fn changed_object(old: &Map<String, Value>, new: &Map<String, Value>, schema: &dyn PatchSchema, node: &mut FieldSet) {
    for (k, v) in new {
        if v.is_null() {
            continue;
        }
        let (meta, sub) = lookup(schema, k);
        let mut child = FieldSet::new();
        match old.get(k) {
            Some(o) if !o.is_null() => changed_value(o, v, &meta, sub.as_ref(), &mut child),
            _ => value_fields(v, &meta, sub.as_ref(), &mut child),
        }
        if !child.is_empty() {
            node.children.insert(PathElement::Field(k.clone()), child);
        }
    }
}

fn changed_value(old: &Value, new: &Value, meta: &FieldMeta, schema: &dyn PatchSchema, node: &mut FieldSet) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) if is_granular_map(meta) && !n.is_empty() && !o.is_empty() => {
            changed_object(o, n, schema, node)
        }
        (Value::Array(o), Value::Array(n)) if is_granular_list(meta) && !n.is_empty() => {
            let (Some(new_elements), Some(old_elements)) = (list_elements(n, meta), list_elements(o, meta)) else {
                if old != new {
                    node.member = true;
                }
                return;
            };
            for (item, e) in n.iter().zip(new_elements) {
                let old_item = old_elements.iter().position(|oe| *oe == e).and_then(|i| o.get(i));
                let mut child = FieldSet::new();
                match (old_item, item) {
                    (Some(Value::Object(oi)), Value::Object(ni)) => changed_object(oi, ni, schema, &mut child),
                    (Some(_), _) => {}
                    (None, _) => {
                        child.member = true;
                        if let Value::Object(m) = item {
                            object_fields(m, schema, &mut child);
                        }
                    }
                }
                if !child.is_empty() {
                    node.children.insert(e, child);
                }
            }
        }
        _ => {
            if old != new {
                value_fields(new, meta, schema, node);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::patch::testutil::pod_schema;
    use serde_json::json;

    #[test]
    fn fields_v1_parses_upstream_shape_and_round_trips() {
        let v = json!({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{
            "k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}},
            "f:finalizers":{"v:\"a\"":{}},"f:list":{"i:0":{}}});
        let set = FieldSet::from_fields_v1(&v).unwrap();
        assert!(set.contains(&[PathElement::Field("metadata".into()), PathElement::Field("labels".into())]));
        assert!(set.contains(&[
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key(r#"{"name":"nginx"}"#.into()),
            PathElement::Field("image".into()),
        ]));
        assert!(!set.contains(&[PathElement::Field("spec".into())]));
        assert_eq!(set.to_fields_v1(), v);
    }

    #[test]
    fn fields_v1_rejects_malformed() {
        for v in [json!([1]), json!({"x:y":{}}), json!({"f:a": 1}), json!({"k:notjson":{}}), json!({"i:x":{}})] {
            assert!(FieldSet::from_fields_v1(&v).is_err(), "{v}");
        }
    }

    #[test]
    fn field_set_keys_list_items_and_set_values() {
        let obj = json!({"metadata":{"labels":{"app":"web"},"finalizers":["f1"]},
            "spec":{"replicas":2,"containers":[{"name":"nginx","image":"nginx","args":["a"],
                "ports":[{"containerPort":80,"protocol":"TCP"}]}]}});
        let set = field_set(&obj, pod_schema().as_ref());
        assert_eq!(
            set.to_fields_v1(),
            json!({"f:metadata":{"f:labels":{"f:app":{}},"f:finalizers":{"v:\"f1\"":{}}},
                "f:spec":{"f:replicas":{},"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:name":{},"f:image":{},"f:args":{},
                    "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}})
        );
    }

    #[test]
    fn set_algebra() {
        let a = FieldSet::from_fields_v1(&json!({"f:a":{},"f:b":{"f:c":{},"f:d":{}}})).unwrap();
        let b = FieldSet::from_fields_v1(&json!({"f:b":{"f:c":{}},"f:e":{}})).unwrap();
        assert_eq!(a.difference(&b).to_fields_v1(), json!({"f:a":{},"f:b":{"f:d":{}}}));
        assert_eq!(a.intersection(&b).to_fields_v1(), json!({"f:b":{"f:c":{}}}));
        assert_eq!(a.union(&b).to_fields_v1(), json!({"f:a":{},"f:b":{"f:c":{},"f:d":{}},"f:e":{}}));
        assert!(a.difference(&a).is_empty());
    }

    #[test]
    fn path_string_as_upstream() {
        let p = vec![
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key(r#"{"name":"nginx"}"#.into()),
            PathElement::Field("image".into()),
        ];
        assert_eq!(path_string(&p), r#".spec.containers[name="nginx"].image"#);
        assert_eq!(path_string(&[PathElement::Field("f".into()), PathElement::Value("\"a\"".into())]), r#".f[="a"]"#);
    }

    #[test]
    fn changed_fields_are_the_new_and_modified_ones() {
        let old = json!({"spec":{"replicas":1,"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}});
        let new = json!({"spec":{"replicas":1,"containers":[{"name":"a","image":"x2"},{"name":"b","image":"y"},{"name":"c","image":"z"}]}});
        let set = changed_fields(Some(&old), &new, pod_schema().as_ref());
        assert_eq!(
            set.to_fields_v1(),
            json!({"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{"f:image":{}},"k:{\"name\":\"c\"}":{".":{},"f:name":{},"f:image":{}}}}})
        );
    }

    #[test]
    fn get_and_remove_paths() {
        let mut v = json!({"spec":{"containers":[{"name":"a","image":"x"}],"f":["p","q"]}});
        let key = vec![
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key(r#"{"name":"a"}"#.into()),
        ];
        assert_eq!(get_path(&v, &[key.clone(), vec![PathElement::Field("image".into())]].concat()), Some(&json!("x")));
        assert!(remove_path(
            &mut v,
            &[PathElement::Field("spec".into()), PathElement::Field("f".into()), PathElement::Value("\"p\"".into())]
        ));
        assert!(remove_path(&mut v, &key));
        assert_eq!(v, json!({"spec":{"containers":[],"f":["q"]}}));
        assert!(!remove_path(&mut v, &key));
    }

    #[test]
    fn covers_checks_ancestors() {
        let set = FieldSet::from_fields_v1(&json!({"f:spec":{"f:containers":{}}})).unwrap();
        let p = [PathElement::Field("spec".into()), PathElement::Field("containers".into()), PathElement::Index(0)];
        assert!(set.covers(&p));
        assert!(!set.covers(&p[..1]));
        let items = FieldSet::from_fields_v1(&json!({"f:c":{"k:{\"name\":\"a\"}":{".":{},"f:x":{}}}})).unwrap();
        let item = [PathElement::Field("c".into()), PathElement::Key(r#"{"name":"a"}"#.into())];
        assert!(!items.covers(&[&item[..], &[PathElement::Field("y".into())]].concat()));
    }
}
