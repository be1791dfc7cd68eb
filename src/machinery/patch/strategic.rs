//! Strategic merge patch (`application/strategic-merge-patch+json`) with the semantics
//! of upstream's k8s.io/apimachinery/pkg/util/strategicpatch (`StrategicMergePatch`,
//! i.e. `MergeParallelList` and `IgnoreUnmatchedNulls`): maps merge recursively and
//! `null` deletes; lists whose field has patch strategy `merge` merge by merge key (lists
//! of objects) or as sets (lists of primitives); other lists are replaced. Directives:
//! `$patch` (replace/delete on maps, delete/replace items in lists), `$retainKeys`,
//! `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`.
//!
//! Unlike upstream, directives inside values that are new to the document are processed
//! too (upstream copies such values verbatim), so directive keys never reach storage.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::PatchError;
use super::schema::{FieldMeta, NoSchema, PatchSchema};

pub(crate) const DIRECTIVE: &str = "$patch";
pub(crate) const RETAIN_KEYS: &str = "$retainKeys";
pub(crate) const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
pub(crate) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Applies a strategic merge patch to `doc` (an object; `null` counts as `{}`).
pub fn strategic_merge_patch(doc: &Value, patch: &Value, schema: &dyn PatchSchema) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::invalid("a strategic merge patch must be a JSON object"));
    };
    let original = match doc {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(PatchError::InvalidDocument("the document to patch must be a JSON object".into())),
    };
    Ok(Value::Object(merge_map(original, patch.clone(), schema)?))
}

/// The meta and schema of a field; a field the schema does not know merges like
/// JSON merge patch (every list atomic), as upstream does for unknown fields.
pub(crate) fn lookup(schema: &dyn PatchSchema, name: &str) -> (FieldMeta, Arc<dyn PatchSchema>) {
    schema.field(name).unwrap_or_else(|| (FieldMeta::default(), Arc::new(NoSchema)))
}

fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    schema: &dyn PatchSchema,
) -> Result<Map<String, Value>, PatchError> {
    if let Some(directive) = patch.remove(DIRECTIVE) {
        return match directive.as_str() {
            // Replace: the patch (cleaned of its own directives) is the new map.
            Some("replace") => merge_map(Map::new(), patch, schema),
            Some("delete") => Ok(Map::new()),
            _ => Err(PatchError::Invalid(format!("unknown patch type {directive} in a map"))),
        };
    }
    if let Some(retain) = patch.remove(RETAIN_KEYS) {
        apply_retain_keys(&mut original, &patch, &retain)?;
    }

    let order_keys: Vec<String> = patch.keys().filter(|k| k.starts_with(SET_ELEMENT_ORDER)).cloned().collect();
    for key in order_keys {
        let order = patch.remove(&key).unwrap_or(Value::Null);
        let field = &key[SET_ELEMENT_ORDER.len()..];
        let Value::Array(order) = order else {
            return Err(PatchError::Invalid(format!("{key} must be a list")));
        };
        if field.is_empty() {
            return Err(PatchError::Invalid(format!("{key}: missing field name")));
        }
        apply_set_element_order(&mut original, &mut patch, field, order, schema)?;
    }

    let delete_keys: Vec<String> =
        patch.keys().filter(|k| k.starts_with(DELETE_FROM_PRIMITIVE_LIST)).cloned().collect();
    for key in delete_keys {
        let field = &key[DELETE_FROM_PRIMITIVE_LIST.len()..];
        let Some(Value::Array(to_delete)) = patch.remove(&key) else {
            return Err(PatchError::Invalid(format!("{key} must be a list")));
        };
        if field.is_empty() {
            return Err(PatchError::Invalid(format!("{key}: missing field name")));
        }
        if let Some(Value::Array(list)) = original.get_mut(field) {
            list.retain(|v| !to_delete.contains(v));
        }
    }

    for (key, patch_value) in patch {
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let (meta, sub) = lookup(schema, &key);
        let merged = match original.remove(&key) {
            Some(original_value) => merge_value(original_value, patch_value, &meta, sub.as_ref())?,
            None => fresh_value(patch_value, &meta, sub.as_ref())?,
        };
        original.insert(key, merged);
    }
    Ok(original)
}

fn merge_value(original: Value, patch: Value, meta: &FieldMeta, schema: &dyn PatchSchema) -> Result<Value, PatchError> {
    match (original, patch) {
        (Value::Object(o), Value::Object(p)) => Ok(Value::Object(merge_map(o, p, schema)?)),
        (Value::Array(o), Value::Array(p)) => Ok(Value::Array(merge_list_field(o, p, meta, schema)?)),
        (_, p) => fresh_value(p, meta, schema),
    }
}

/// A patch value for a key the original lacks (or holds with another type): merged into
/// an empty value so that its nulls and directives do not end up in the result.
fn fresh_value(patch: Value, meta: &FieldMeta, schema: &dyn PatchSchema) -> Result<Value, PatchError> {
    match patch {
        Value::Object(p) => Ok(Value::Object(merge_map(Map::new(), p, schema)?)),
        Value::Array(p) => Ok(Value::Array(merge_list_field(Vec::new(), p, meta, schema)?)),
        other => Ok(other),
    }
}

fn merge_list_field(
    original: Vec<Value>,
    patch: Vec<Value>,
    meta: &FieldMeta,
    schema: &dyn PatchSchema,
) -> Result<Vec<Value>, PatchError> {
    if meta.merge {
        merge_list(original, patch, meta.merge_key.as_deref(), schema)
    } else {
        Ok(patch)
    }
}

/// Whether the items of the lists are objects (else primitives); mixed lists and lists
/// of lists are errors, as upstream.
fn items_are_objects(lists: &[&[Value]]) -> Result<bool, PatchError> {
    let mut kind = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        if v.is_array() {
            return Err(PatchError::invalid("lists of lists are not supported"));
        }
        let is_object = v.is_object();
        match kind {
            None => kind = Some(is_object),
            Some(k) if k != is_object => return Err(PatchError::invalid("list items are not all of the same type")),
            _ => {}
        }
    }
    Ok(kind.unwrap_or(false))
}

fn merge_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: Option<&str>,
    schema: &dyn PatchSchema,
) -> Result<Vec<Value>, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    if !items_are_objects(&[&original, &patch])? {
        let mut merged = original.clone();
        for v in &patch {
            if !merged.contains(v) {
                merged.push(v.clone());
            }
        }
        return Ok(normalize_order(merged, &patch, &original, None));
    }
    let Some(key) = merge_key else {
        return Err(PatchError::invalid("cannot merge lists of objects without a merge key"));
    };

    // Special items first: deletions by key and the whole-list replace.
    let mut original = original;
    let mut rest = Vec::new();
    let mut replace = false;
    for item in patch {
        let Value::Object(item) = item else {
            return Err(PatchError::invalid("list items are not all of the same type"));
        };
        match item.get(DIRECTIVE) {
            None => rest.push(item),
            Some(directive) => match directive.as_str() {
                Some("delete") => {
                    let Some(key_value) = item.get(key) else {
                        return Err(PatchError::Invalid(format!("a $patch: delete item lacks merge key {key}")));
                    };
                    original.retain(|o| o.get(key) != Some(key_value));
                }
                Some("replace") => replace = true,
                Some("merge") => return Err(PatchError::invalid("merging lists cannot yet be specified in the patch")),
                _ => return Err(PatchError::Invalid(format!("unknown patch type {directive} in a list"))),
            },
        }
    }
    if replace {
        return rest.into_iter().map(|m| merge_map(Map::new(), m, schema).map(Value::Object)).collect();
    }

    let mut patch_keys = Vec::with_capacity(rest.len());
    let mut merged = original.clone();
    for item in rest {
        let Some(key_value) = item.get(key).cloned() else {
            return Err(PatchError::Invalid(format!("a list item lacks its merge key {key}")));
        };
        match merged.iter().position(|o| o.get(key) == Some(&key_value)) {
            Some(i) => {
                let old = match std::mem::take(&mut merged[i]) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                merged[i] = Value::Object(merge_map(old, item, schema)?);
            }
            None => merged.push(Value::Object(merge_map(Map::new(), item, schema)?)),
        }
        patch_keys.push(key_value);
    }
    let server_keys: Vec<Value> = original.iter().filter_map(|o| o.get(key).cloned()).collect();
    Ok(normalize_order(merged, &patch_keys, &server_keys, Some(key)))
}

/// `$setElementOrder/<field>`: merges the field's list (if the patch has it) and orders
/// the result by the directive, items only in the original keeping their positions
/// relative to the others as upstream's `normalizeElementOrder` does.
fn apply_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    field: &str,
    order: Vec<Value>,
    schema: &dyn PatchSchema,
) -> Result<(), PatchError> {
    let (meta, sub) = lookup(schema, field);
    let original_list = match original.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(a.clone()),
        Some(_) => return Err(PatchError::Invalid(format!("{field} is not a list in the document"))),
    };
    let patch_list = match patch.remove(field) {
        None => None,
        Some(Value::Array(a)) => Some(a),
        Some(Value::Null) => {
            // The field is deleted: the order does not matter.
            patch.insert(field.to_string(), Value::Null);
            return Ok(());
        }
        Some(_) => return Err(PatchError::Invalid(format!("{field} must be a list in the patch"))),
    };
    if let Some(p) = &patch_list {
        validate_order(p, &order, meta.merge_key.as_deref(), field)?;
    }
    let merged = match (original_list.clone(), patch_list) {
        (None, None) => return Ok(()),
        (Some(o), None) => o,
        (o, Some(p)) => merge_list_field(o.unwrap_or_default(), p, &meta, sub.as_ref())?,
    };
    let original_list = original_list.unwrap_or_default();
    let objects = items_are_objects(&[&order, &merged])?;
    let key = if objects { meta.merge_key.as_deref() } else { None };
    let ids = |list: &[Value]| -> Result<Vec<Value>, PatchError> {
        match key {
            None => Ok(list.to_vec()),
            Some(k) => list
                .iter()
                .map(|v| {
                    v.get(k).cloned().ok_or_else(|| PatchError::Invalid(format!("{field}: item lacks merge key {k}")))
                })
                .collect(),
        }
    };
    let order_ids = ids(&order)?;
    let server_ids: Vec<Value> = match key {
        None => original_list,
        Some(k) => original_list.iter().filter_map(|v| v.get(k).cloned()).collect(),
    };
    original.insert(field.to_string(), Value::Array(normalize_order(merged, &order_ids, &server_ids, key)));
    Ok(())
}

/// As upstream's `validatePatchWithSetOrderList`: the (non-deletion) items of the patch
/// list must appear in `$setElementOrder`, in the same relative order.
fn validate_order(patch: &[Value], order: &[Value], merge_key: Option<&str>, field: &str) -> Result<(), PatchError> {
    let ident = |v: &Value| -> Value {
        match (merge_key, v) {
            (Some(k), Value::Object(m)) => m.get(k).cloned().unwrap_or(Value::Null),
            _ => v.clone(),
        }
    };
    let items: Vec<&Value> = patch.iter().filter(|v| v.get(DIRECTIVE).is_none()).collect();
    let (mut p, mut o) = (0, 0);
    while p < items.len() && o < order.len() {
        if ident(items[p]) == ident(&order[o]) {
            p += 1;
        }
        o += 1;
    }
    if p < items.len() {
        return Err(PatchError::Invalid(format!(
            "the order in the {field} list does not match $setElementOrder/{field}"
        )));
    }
    Ok(())
}

/// `$retainKeys`: keys of the original not listed are cleared; the patch may only set
/// listed keys.
fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    retain: &Value,
) -> Result<(), PatchError> {
    let Value::Array(list) = retain else {
        return Err(PatchError::invalid("$retainKeys must be a list of strings"));
    };
    let mut keys = Vec::with_capacity(list.len());
    for k in list {
        keys.push(k.as_str().ok_or_else(|| PatchError::invalid("$retainKeys must be a list of strings"))?);
    }
    for (k, v) in patch {
        if v.is_null() || k.starts_with(SET_ELEMENT_ORDER) || k.starts_with(DELETE_FROM_PRIMITIVE_LIST) {
            continue;
        }
        if !keys.contains(&k.as_str()) {
            return Err(PatchError::Invalid(format!("field {k} is in the patch but not in $retainKeys")));
        }
    }
    original.retain(|k, _| keys.contains(&k.as_str()));
    Ok(())
}

/// Orders a merged list as upstream: the items named by `patch_order` in that order, the
/// others in their original order, interleaved so that each server-only item stays in
/// front of the patch items that followed it in the original.
fn normalize_order(merged: Vec<Value>, patch_order: &[Value], server_order: &[Value], key: Option<&str>) -> Vec<Value> {
    let ident = |v: &Value| -> Option<Value> {
        match key {
            Some(k) => v.get(k).cloned(),
            None => Some(v.clone()),
        }
    };
    let pos = |order: &[Value], v: &Value| ident(v).and_then(|id| order.iter().position(|o| *o == id));
    let (mut patch_items, mut server_only): (Vec<Value>, Vec<Value>) =
        merged.into_iter().partition(|v| pos(patch_order, v).is_some());
    patch_items.sort_by_key(|v| pos(patch_order, v).unwrap_or(usize::MAX));
    server_only.sort_by_key(|v| pos(server_order, v).unwrap_or(usize::MAX));

    let mut left: VecDeque<Value> = server_only.into();
    let mut right: VecDeque<Value> = patch_items.into();
    let mut out = Vec::with_capacity(left.len() + right.len());
    loop {
        let take_left = match (left.front(), right.front()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!((pos(server_order, l), pos(server_order, r)), (Some(a), Some(b)) if a < b),
        };
        let next = if take_left { left.pop_front() } else { right.pop_front() };
        out.extend(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::patch::testutil::pod_schema;
    use serde_json::json;

    fn smp(doc: Value, patch: Value) -> Value {
        strategic_merge_patch(&doc, &patch, pod_schema().as_ref()).unwrap()
    }

    fn smp_err(doc: Value, patch: Value) -> PatchError {
        strategic_merge_patch(&doc, &patch, pod_schema().as_ref()).unwrap_err()
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
            "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "containers": [
                    {"name": "nginx", "image": "nginx:1.16", "env": [{"name": "A", "value": "1"}],
                     "ports": [{"containerPort": 80, "protocol": "TCP"}], "args": ["x", "y"]},
                    {"name": "sidecar", "image": "busybox"}
                ],
                "volumes": [{"name": "data", "emptyDir": {}}]
            }}}
        })
    }

    #[test]
    fn maps_merge_recursively_and_null_deletes() {
        let out =
            smp(deployment(), json!({"metadata": {"labels": {"app": null, "tier": "fe"}}, "spec": {"replicas": 3}}));
        assert_eq!(out["metadata"]["labels"], json!({"tier": "fe"}));
        assert_eq!(out["spec"]["replicas"], json!(3));
        assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["image"], json!("nginx:1.16"));
    }

    #[test]
    fn kubectl_set_image_shape_updates_by_merge_key() {
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
            "containers":[{"image":"nginx:1.17","name":"nginx"}]}}}});
        let out = smp(deployment(), patch);
        let cs = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs[0]["image"], json!("nginx:1.17"));
        assert_eq!(cs[0]["env"], json!([{"name": "A", "value": "1"}]));
        assert_eq!(cs[1], json!({"name": "sidecar", "image": "busybox"}));
        assert!(!out.to_string().contains('$'));
    }

    #[test]
    fn set_element_order_single_item_keeps_server_only_items() {
        // What kubectl sends when only one container was named: the other keeps its place.
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"sidecar"}],
            "containers":[{"image":"busybox:2","name":"sidecar"}]}}}});
        let out = smp(deployment(), patch);
        let names: Vec<&str> = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["nginx", "sidecar"]);
    }

    #[test]
    fn set_element_order_reorders_and_inserts() {
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"sidecar"},{"name":"new"},{"name":"nginx"}],
            "containers":[{"name":"new","image":"redis"}]}}}});
        let out = smp(deployment(), patch);
        let names: Vec<&str> = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sidecar", "new", "nginx"]);
    }

    #[test]
    fn new_merge_list_item_without_order_goes_first_as_upstream() {
        let out =
            smp(deployment(), json!({"spec":{"template":{"spec":{"containers":[{"name":"new","image":"redis"}]}}}}));
        let cs = out["spec"]["template"]["spec"]["containers"].as_array().unwrap().clone();
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[0]["name"], json!("new"));
        assert_eq!(cs[1]["name"], json!("nginx"));
    }

    #[test]
    fn nested_merge_lists_merge_by_their_keys() {
        let patch = json!({"spec":{"template":{"spec":{"containers":[{"name":"nginx",
            "env":[{"name":"B","value":"2"},{"name":"A","value":"9"}],
            "ports":[{"containerPort":443}],
            "args":["z"]}]}}}});
        let out = smp(deployment(), patch);
        let c = &out["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["env"], json!([{"name":"B","value":"2"},{"name":"A","value":"9"}]));
        assert_eq!(c["ports"], json!([{"containerPort":443},{"containerPort":80,"protocol":"TCP"}]));
        // args has no patch strategy: replaced.
        assert_eq!(c["args"], json!(["z"]));
    }

    #[test]
    fn delete_directive_removes_list_item_by_key() {
        let patch = json!({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}});
        let out = smp(deployment(), patch);
        let cs = out["spec"]["template"]["spec"]["containers"].as_array().unwrap().clone();
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0]["name"], json!("nginx"));
    }

    #[test]
    fn replace_directive_item_replaces_whole_list() {
        let patch = json!({"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x","env":null}]}}}});
        let out = smp(deployment(), patch);
        assert_eq!(out["spec"]["template"]["spec"]["containers"], json!([{"name":"only","image":"x"}]));
    }

    #[test]
    fn map_replace_and_delete_directives() {
        let out = smp(deployment(), json!({"metadata":{"labels":{"$patch":"replace","x":"y"}}}));
        assert_eq!(out["metadata"]["labels"], json!({"x":"y"}));
        let out = smp(deployment(), json!({"metadata":{"labels":{"$patch":"delete"}}}));
        assert_eq!(out["metadata"]["labels"], json!({}));
        assert!(matches!(
            smp_err(deployment(), json!({"metadata":{"labels":{"$patch":"bogus"}}})),
            PatchError::Invalid(_)
        ));
    }

    #[test]
    fn primitive_merge_list_is_a_set_union() {
        let out = smp(deployment(), json!({"metadata":{"finalizers":["c","a"]}}));
        // Upstream order: patch items in patch order, server-only items placed before the
        // first patch item that followed them in the original.
        assert_eq!(out["metadata"]["finalizers"], json!(["c", "a", "b"]));
    }

    #[test]
    fn delete_from_primitive_list() {
        let out =
            smp(deployment(), json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["d"]}}));
        assert_eq!(out["metadata"]["finalizers"], json!(["d", "b"]));
        let out = smp(deployment(), json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["a","b"]}}));
        assert_eq!(out["metadata"]["finalizers"], json!([]));
    }

    #[test]
    fn set_element_order_for_primitive_list() {
        let out =
            smp(deployment(), json!({"metadata":{"$setElementOrder/finalizers":["b","c","a"],"finalizers":["c"]}}));
        assert_eq!(out["metadata"]["finalizers"], json!(["b", "c", "a"]));
    }

    #[test]
    fn retain_keys_clears_other_keys() {
        let patch = json!({"spec":{"template":{"spec":{"volumes":[{"name":"data","$retainKeys":["hostPath","name"],"hostPath":{"path":"/tmp"}}]}}}});
        let out = smp(deployment(), patch);
        assert_eq!(out["spec"]["template"]["spec"]["volumes"], json!([{"name":"data","hostPath":{"path":"/tmp"}}]));
    }

    #[test]
    fn retain_keys_rejects_patch_keys_not_retained() {
        let patch = json!({"spec":{"template":{"spec":{"volumes":[{"name":"data","$retainKeys":["name"],"hostPath":{"path":"/tmp"}}]}}}});
        assert!(matches!(smp_err(deployment(), patch), PatchError::Invalid(_)));
    }

    #[test]
    fn kubectl_client_side_apply_shape() {
        let last = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"web"}}"#;
        let patch = json!({
            "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": last}, "labels": null},
            "spec": {"replicas": 2, "template": {"spec": {
                "$setElementOrder/containers": [{"name": "nginx"}],
                "containers": [{"name": "nginx", "image": "nginx:1.18", "args": null}, {"name": "sidecar", "$patch": "delete"}]
            }}}
        });
        let out = smp(deployment(), patch);
        assert_eq!(out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"], json!(last));
        assert!(out["metadata"].get("labels").is_none());
        let cs = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs.as_array().unwrap().len(), 1);
        assert_eq!(cs[0]["image"], json!("nginx:1.18"));
        assert!(cs[0].get("args").is_none());
        assert!(!out.to_string().contains("$setElementOrder"));
        assert!(!out.to_string().contains("$patch"));
    }

    #[test]
    fn directives_in_new_values_are_processed() {
        let doc = json!({"metadata": {"name": "x"}});
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"name": "a", "image": "i", "env": null}]}}}});
        let out = smp(doc, patch);
        assert_eq!(out["spec"], json!({"template": {"spec": {"containers": [{"name": "a", "image": "i"}]}}}));
    }

    #[test]
    fn malformed_patches_are_errors_not_panics() {
        let bad = [
            json!([1, 2]),
            json!({"spec":{"template":{"spec":{"containers":[{"image":"no-name"}]}}}}),
            json!({"spec":{"template":{"spec":{"containers":[1, {"name":"a"}]}}}}),
            json!({"spec":{"template":{"spec":{"containers":[[1]]}}}}),
            json!({"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}),
            json!({"spec":{"template":{"spec":{"containers":[{"$patch":"merge","name":"a"}]}}}}),
            json!({"spec":{"template":{"spec":{"$setElementOrder/containers":"x"}}}}),
            json!({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"nope":1}]}}}}),
            json!({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}}),
            json!({"metadata":{"$retainKeys":[1]}}),
            json!({"metadata":{"$setElementOrder/":[]}}),
        ];
        for p in bad {
            assert!(strategic_merge_patch(&deployment(), &p, pod_schema().as_ref()).is_err(), "{p}");
        }
        assert!(strategic_merge_patch(&json!([1]), &json!({}), pod_schema().as_ref()).is_err());
    }

    #[test]
    fn no_schema_replaces_lists() {
        let out =
            strategic_merge_patch(&json!({"l": [1, 2], "m": {"a": 1}}), &json!({"l": [3], "m": {"b": 2}}), &NoSchema)
                .unwrap();
        assert_eq!(out, json!({"l": [3], "m": {"a": 1, "b": 2}}));
    }

    #[test]
    fn set_element_order_must_list_patch_items_in_order() {
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"nginx"}],
            "containers":[{"name":"other","image":"x"}]}}}});
        assert!(matches!(smp_err(deployment(), patch), PatchError::Invalid(_)));
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
            "containers":[{"name":"sidecar","image":"x"},{"name":"nginx","image":"y"}]}}}});
        assert!(matches!(smp_err(deployment(), patch), PatchError::Invalid(_)));
        // Deletions need not be listed.
        let patch = json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"nginx"}],
            "containers":[{"name":"sidecar","$patch":"delete"}]}}}});
        let out = smp(deployment(), patch);
        assert_eq!(out["spec"]["template"]["spec"]["containers"].as_array().map(Vec::len), Some(1));
    }
}
