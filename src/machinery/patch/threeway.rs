//! The patch client-side apply sends, computed as kubectl's `CreateThreeWayMergePatch`:
//! the changes and additions from the live object to the file (`modified`), plus the
//! deletions of what the last apply (`original`) had and the file no longer has. Lists
//! with the `merge` strategy are diffed item by item (by merge key) and carry
//! `$setElementOrder/…`; removed items become `$patch: delete` directives. Without a schema
//! ([`NoSchema`]) every list is atomic and the result is a plain JSON merge patch.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::machinery::patch::schema::{FieldMeta, NoSchema, PatchSchema};

#[derive(Clone, Copy)]
struct Options {
    ignore_deletions: bool,
    ignore_changes_and_additions: bool,
}

/// The patch from `current` to `modified` that also deletes what `original` set and
/// `modified` dropped. An empty map means nothing to change.
pub fn three_way_patch(original: &Value, modified: &Value, current: &Value, schema: &dyn PatchSchema) -> Value {
    let empty = Map::new();
    let as_map = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let deltas = diff_maps(
        &as_map(current),
        &as_map(modified),
        schema,
        Options { ignore_deletions: true, ignore_changes_and_additions: false },
    );
    let deletions = diff_maps(
        &as_map(original),
        &as_map(modified),
        schema,
        Options { ignore_deletions: false, ignore_changes_and_additions: true },
    );
    Value::Object(merge_patches(deletions, deltas, schema))
}

fn field_of(schema: &dyn PatchSchema, key: &str) -> (FieldMeta, Arc<dyn PatchSchema>) {
    schema.field(key).unwrap_or_else(|| (FieldMeta::default(), Arc::new(NoSchema)))
}

fn diff_maps(
    from: &Map<String, Value>,
    to: &Map<String, Value>,
    schema: &dyn PatchSchema,
    opts: Options,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (key, to_value) in to {
        let Some(from_value) = from.get(key) else {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), to_value.clone());
            }
            continue;
        };
        let (meta, child) = field_of(schema, key);
        match (from_value, to_value) {
            (Value::Object(a), Value::Object(b)) => {
                let sub = diff_maps(a, b, child.as_ref(), opts);
                if !sub.is_empty() {
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Value::Array(a), Value::Array(b)) if meta.merge => {
                diff_lists(key, a, b, &meta, child.as_ref(), opts, &mut patch);
            }
            _ => {
                if from_value != to_value && !opts.ignore_changes_and_additions {
                    patch.insert(key.clone(), to_value.clone());
                }
            }
        }
    }
    if !opts.ignore_deletions {
        for key in from.keys() {
            if !to.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    patch
}

fn diff_lists(
    key: &str,
    original: &[Value],
    modified: &[Value],
    meta: &FieldMeta,
    item_schema: &dyn PatchSchema,
    opts: Options,
    patch: &mut Map<String, Value>,
) {
    let all_objects = original.iter().chain(modified).all(Value::is_object);
    let all_scalars = original.iter().chain(modified).all(|v| !v.is_object() && !v.is_array());
    match &meta.merge_key {
        Some(merge_key) if all_objects => {
            let key_of = |v: &Value| v.get(merge_key).cloned().unwrap_or(Value::Null);
            let mut items = Vec::new();
            for item in modified {
                match original.iter().find(|o| key_of(o) == key_of(item)) {
                    Some(before) => {
                        let empty = Map::new();
                        let sub = diff_maps(
                            before.as_object().unwrap_or(&empty),
                            item.as_object().unwrap_or(&empty),
                            item_schema,
                            opts,
                        );
                        if !sub.is_empty() {
                            let mut sub = sub;
                            sub.insert(merge_key.clone(), key_of(item));
                            items.push(Value::Object(sub));
                        }
                    }
                    None if !opts.ignore_changes_and_additions => items.push(item.clone()),
                    None => {}
                }
            }
            if !opts.ignore_deletions {
                let mut gone: Vec<Value> =
                    original.iter().map(key_of).filter(|k| !modified.iter().any(|m| key_of(m) == *k)).collect();
                gone.sort_by_key(|k| k.to_string());
                items.extend(gone.into_iter().map(|k| json!({"$patch": "delete", merge_key.as_str(): k})));
            }
            let order_same =
                original.len() == modified.len() && original.iter().zip(modified).all(|(a, b)| key_of(a) == key_of(b));
            let set_order = (!opts.ignore_changes_and_additions && (!items.is_empty() || !order_same))
                || (!opts.ignore_deletions && !items.is_empty());
            if !items.is_empty() {
                patch.insert(key.to_string(), Value::Array(items));
            }
            if set_order {
                let order = modified.iter().map(|m| json!({merge_key.as_str(): key_of(m)})).collect();
                patch.insert(format!("$setElementOrder/{key}"), Value::Array(order));
            }
        }
        None if all_scalars => {
            let added: Vec<Value> = modified.iter().filter(|m| !original.contains(m)).cloned().collect();
            let removed: Vec<Value> = original.iter().filter(|o| !modified.contains(o)).cloned().collect();
            if !opts.ignore_changes_and_additions && !added.is_empty() {
                patch.insert(key.to_string(), Value::Array(added));
            }
            if !opts.ignore_deletions && !removed.is_empty() {
                patch.insert(format!("$deleteFromPrimitiveList/{key}"), Value::Array(removed.clone()));
            }
            let set_order = (!opts.ignore_deletions && !removed.is_empty())
                || (!opts.ignore_changes_and_additions && original != modified);
            if set_order {
                patch.insert(format!("$setElementOrder/{key}"), Value::Array(modified.to_vec()));
            }
        }
        _ => {
            if original != modified && !opts.ignore_changes_and_additions {
                patch.insert(key.to_string(), Value::Array(modified.to_vec()));
            }
        }
    }
}

/// Merges the deletions patch and the changes patch into one (kubectl merges them as a
/// strategic patch of one onto the other; they rarely touch the same list items).
fn merge_patches(
    mut base: Map<String, Value>,
    overlay: Map<String, Value>,
    schema: &dyn PatchSchema,
) -> Map<String, Value> {
    for (key, value) in overlay {
        let (meta, child) = field_of(schema, &key);
        let merged = match (base.remove(&key), value) {
            (Some(Value::Object(a)), Value::Object(b)) => Value::Object(merge_patches(a, b, child.as_ref())),
            (Some(Value::Array(a)), Value::Array(b)) if meta.merge && meta.merge_key.is_some() => {
                let merge_key = meta.merge_key.clone().unwrap_or_default();
                let mut items = b;
                for item in a {
                    let same = items.iter().position(|i| i.get(&merge_key) == item.get(&merge_key));
                    match (same, item) {
                        // The same item changed and lost fields: one item with both.
                        (Some(index), Value::Object(deleted)) => {
                            if let Value::Object(changed) = std::mem::take(&mut items[index]) {
                                items[index] = Value::Object(merge_patches(deleted, changed, child.as_ref()));
                            }
                        }
                        (Some(_), _) => {}
                        (None, item) => items.push(item),
                    }
                }
                Value::Array(items)
            }
            (_, value) => value,
        };
        base.insert(key, merged);
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema with PodSpec's containers (merge by name) under spec.template.spec.
    struct Containers;
    impl PatchSchema for Containers {
        fn field(&self, name: &str) -> Option<(FieldMeta, Arc<dyn PatchSchema>)> {
            if name == "containers" || name == "env" {
                let meta = FieldMeta { merge: true, merge_key: Some("name".into()), ..Default::default() };
                return Some((meta, Arc::new(Containers)));
            }
            Some((FieldMeta::default(), Arc::new(Containers)))
        }
    }

    #[test]
    fn removed_fields_become_null_and_changed_items_keep_their_key() {
        let original = json!({"spec": {"replicas": 1, "paused": true, "containers": [{"name": "c", "image": "a"}]}});
        let modified = json!({"spec": {"replicas": 2, "containers": [{"name": "c", "image": "b"}]}});
        let current = json!({"spec": {"replicas": 1, "paused": true, "containers": [{"name": "c", "image": "a", "imagePullPolicy": "Always"}]}});
        let patch = three_way_patch(&original, &modified, &current, &Containers);
        assert_eq!(
            patch,
            json!({"spec": {
                "replicas": 2, "paused": null,
                "$setElementOrder/containers": [{"name": "c"}],
                "containers": [{"name": "c", "image": "b"}],
            }})
        );
    }

    #[test]
    fn dropped_list_items_are_deleted_by_key() {
        let original = json!({"containers": [{"name": "a"}, {"name": "b"}]});
        let modified = json!({"containers": [{"name": "a"}]});
        let current = original.clone();
        let patch = three_way_patch(&original, &modified, &current, &Containers);
        assert_eq!(
            patch,
            json!({"$setElementOrder/containers": [{"name": "a"}], "containers": [{"$patch": "delete", "name": "b"}]})
        );
    }

    #[test]
    fn an_item_both_changed_and_trimmed_gets_one_patch_entry() {
        let original = json!({"containers": [{"name": "c", "image": "a", "env": [{"name": "A"}, {"name": "B"}]}]});
        let modified = json!({"containers": [{"name": "c", "image": "b", "env": [{"name": "B"}]}]});
        let patch = three_way_patch(&original, &modified, &original, &Containers);
        assert_eq!(
            patch,
            json!({
                "$setElementOrder/containers": [{"name": "c"}],
                "containers": [{
                    "name": "c", "image": "b",
                    "$setElementOrder/env": [{"name": "B"}],
                    "env": [{"$patch": "delete", "name": "A"}],
                }],
            })
        );
    }

    #[test]
    fn nothing_to_change_is_an_empty_patch() {
        let object = json!({"a": {"b": [1, 2]}, "containers": [{"name": "a"}]});
        assert_eq!(three_way_patch(&object, &object, &object, &Containers), json!({}));
    }

    #[test]
    fn without_schema_lists_are_replaced() {
        let patch = three_way_patch(&json!({"l": [1]}), &json!({"l": [2]}), &json!({"l": [1]}), &NoSchema);
        assert_eq!(patch, json!({"l": [2]}));
    }
}
