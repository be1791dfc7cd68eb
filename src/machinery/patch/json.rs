//! JSON patch (RFC 6902) and JSON merge patch (RFC 7386), the two schema-less patch
//! types (`application/json-patch+json`, `application/merge-patch+json`).

use serde_json::Value;

use super::error::PatchError;

/// Applies an RFC 6902 patch (a list of operations) to `doc`. All operations apply or
/// none does; a failing `test` is [`PatchError::TestFailed`].
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    if !patch.is_array() {
        return Err(PatchError::invalid("a JSON patch must be a list of operations"));
    }
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|e| PatchError::Invalid(format!("bad JSON patch: {e}")))?;
    let mut out = doc.clone();
    json_patch::patch(&mut out, &ops).map_err(|e| match e.kind {
        json_patch::PatchErrorKind::TestFailed => PatchError::TestFailed(e.to_string()),
        _ => PatchError::Failed(e.to_string()),
    })?;
    Ok(out)
}

/// Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything
/// else (lists included) replaces.
pub fn merge_patch(doc: &Value, patch: &Value) -> Value {
    let mut out = doc.clone();
    json_patch::merge(&mut out, patch);
    out
}

/// `merge_patch` in place with a patch of our own: its values are moved in, not copied.
pub fn merge_owned(doc: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *doc = patch;
        return;
    };
    if !doc.is_object() {
        *doc = Value::Object(serde_json::Map::new());
    }
    let Value::Object(map) = doc else { return };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(&key);
        } else {
            merge_owned(map.entry(key).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn owned_merge_is_the_merge_patch() {
        let doc = json!({"status": {"phase": "Pending", "conditions": [{"type": "A"}], "ip": "1"}, "x": 1});
        let patches = [
            json!({"status": {"phase": "Running", "conditions": [], "ip": null, "new": {"a": null, "b": 2}}}),
            json!({"status": null}),
            json!({"x": {"y": 1}}),
            json!([1, 2]),
        ];
        for patch in patches {
            let mut owned = doc.clone();
            merge_owned(&mut owned, patch.clone());
            assert_eq!(owned, merge_patch(&doc, &patch), "{patch}");
        }
    }

    #[test]
    fn json_patch_applies_operations_in_order() {
        let doc = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}});
        let patch = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/metadata/labels/b", "value": "2"},
            {"op": "remove", "path": "/metadata/labels/a"},
            {"op": "test", "path": "/spec/replicas", "value": 3}
        ]);
        let out = json_patch(&doc, &patch).unwrap();
        assert_eq!(out, json!({"metadata": {"labels": {"b": "2"}}, "spec": {"replicas": 3}}));
    }

    #[test]
    fn json_patch_failed_test_is_an_error_and_nothing_applies() {
        let doc = json!({"spec": {"replicas": 1}});
        let patch = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "test", "path": "/spec/replicas", "value": 2}
        ]);
        assert!(matches!(json_patch(&doc, &patch), Err(PatchError::TestFailed(_))));
    }

    #[test]
    fn json_patch_missing_path_is_an_error() {
        let doc = json!({"spec": {}});
        let patch = json!([{"op": "remove", "path": "/spec/nope"}]);
        assert!(matches!(json_patch(&doc, &patch), Err(PatchError::Failed(_))));
    }

    #[test]
    fn json_patch_malformed_input_is_an_error() {
        let doc = json!({});
        for p in
            [json!({"op": "add"}), json!([{"op": "frobnicate", "path": "/a"}]), json!([{"path": "/a"}]), json!([1])]
        {
            assert!(matches!(json_patch(&doc, &p), Err(PatchError::Invalid(_))), "{p}");
        }
    }

    #[test]
    fn merge_patch_null_deletes_and_lists_replace() {
        let doc = json!({"a": {"b": 1, "c": 2}, "l": [1, 2], "x": "y"});
        let patch = json!({"a": {"b": null, "d": 4}, "l": [3], "x": null});
        assert_eq!(merge_patch(&doc, &patch), json!({"a": {"c": 2, "d": 4}, "l": [3]}));
    }

    #[test]
    fn merge_patch_non_object_patch_replaces() {
        assert_eq!(merge_patch(&json!({"a": 1}), &json!([1])), json!([1]));
    }
}
