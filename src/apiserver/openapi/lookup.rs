//! The unknown-field check behind `fieldValidation=Strict`, over the generated schemas
//! (resolved as machinery's [`PatchSchema`](crate::machinery::patch::schema::PatchSchema)
//! resolves them).

use serde_json::Value;

use super::schemas::Definitions;
use crate::machinery::patch::openapi::{map_values, properties, resolve};

/// Fields of `value` that `schema` does not know, as upstream's strict decoding names
/// them (`spec.containers[0].ports[0].containerPorts`), in document order.
pub(crate) fn unknown_fields(defs: &Definitions, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(defs, schema, value, "", &mut found);
    found
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn walk(defs: &Definitions, schema: &Value, value: &Value, path: &str, found: &mut Vec<String>) {
    let schema = resolve(defs, schema);
    if schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true) {
        return;
    }
    match value {
        Value::Object(object) => {
            if let Some(props) = properties(schema) {
                for (key, child) in object {
                    match props.get(key) {
                        Some(property) => walk(defs, property, child, &join(path, key), found),
                        // Every kind carries these three even where its schema is silent.
                        None if path.is_empty() && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") => {}
                        None => found.push(join(path, key)),
                    }
                }
            } else if let Some(values) = map_values(schema) {
                for (key, child) in object {
                    walk(defs, values, child, &join(path, key), found);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|items| items.is_object()) {
                for (index, item) in items.iter().enumerate() {
                    walk(defs, item_schema, item, &format!("{path}[{index}]"), found);
                }
            }
        }
        _ => {}
    }
}
