//! Pruning: fields a structural schema does not declare are dropped (unless the schema
//! says `x-kubernetes-preserve-unknown-fields`), and their paths reported so that
//! `fieldValidation=Strict` can refuse them and `Warn` can name them.

use serde_json::{Map, Value};

/// Removes unknown fields from `object`; returns their paths (`spec.foo`,
/// `spec.items[0].bar`) in document order.
pub fn prune(schema: &Value, object: &mut Value) -> Vec<String> {
    let mut pruned = Vec::new();
    if let Value::Object(fields) = object {
        prune_fields(schema, fields, "", true, &mut pruned);
    }
    pruned
}

fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// `root` and embedded resources keep apiVersion, kind and metadata whatever the schema says.
fn prune_fields(schema: &Value, fields: &mut Map<String, Value>, path: &str, root: bool, pruned: &mut Vec<String>) {
    let preserve = schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true);
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    let keeps_type_meta = root || schema.get("x-kubernetes-embedded-resource").and_then(Value::as_bool) == Some(true);
    let mut unknown = Vec::new();
    for (name, value) in fields.iter_mut() {
        if keeps_type_meta && matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        let child = child_path(path, name);
        match properties.and_then(|p| p.get(name)).or(additional) {
            Some(sub) => prune_value(sub, value, &child, pruned),
            None if preserve || (properties.is_none() && additional.is_none() && !is_object_schema(schema)) => {}
            None => {
                pruned.push(child);
                unknown.push(name.clone());
            }
        }
    }
    for name in unknown {
        fields.remove(&name);
    }
}

/// A schema that constrains an object's fields (rather than leaving the value free).
fn is_object_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}

fn prune_value(schema: &Value, value: &mut Value, path: &str, pruned: &mut Vec<String>) {
    match value {
        Value::Object(fields) => prune_fields(schema, fields, path, false, pruned),
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_value(item_schema, item, &format!("{path}[{i}]"), pruned);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_dropped_unless_preserved() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {"a": {"type": "string"},
                "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {}}}}}});
        let mut object = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"}, "extra": 1,
            "spec": {"a": "b", "b": 2, "list": [{"x": 1, "y": 2}], "free": {"any": {"thing": 1}},
                "labels": {"k": "v"}, "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {}}}});
        let pruned = prune(&schema, &mut object);
        assert_eq!(pruned, ["extra", "spec.b", "spec.list[0].y", "spec.template.spec"]);
        assert_eq!(object["spec"]["free"]["any"]["thing"], 1);
        assert_eq!(object["spec"]["labels"]["k"], "v");
        assert_eq!(object["metadata"]["name"], "n");
        assert!(object.get("extra").is_none());
    }
}
