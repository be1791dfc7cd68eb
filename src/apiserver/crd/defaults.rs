//! Defaulting from a structural schema's `default` values: applied to request bodies and
//! to objects read from storage (so a default added to a CRD later shows on old objects).

use serde_json::Value;

/// Fills in every missing (or null and not nullable) field that has a default.
pub fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(fields) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in properties {
                    let Some(default) = sub.get("default") else { continue };
                    let nullable = sub.get("nullable").and_then(Value::as_bool) == Some(true);
                    match fields.get(name) {
                        None => {
                            fields.insert(name.clone(), default.clone());
                        }
                        Some(Value::Null) if !nullable => {
                            fields.insert(name.clone(), default.clone());
                        }
                        _ => {}
                    }
                }
                for (name, field) in fields.iter_mut() {
                    if let Some(sub) = properties.get(name) {
                        apply_defaults(sub, field);
                    }
                }
            } else if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                for field in fields.values_mut() {
                    apply_defaults(additional, field);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply_defaults(item_schema, item);
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
    fn defaults_fill_missing_fields_at_every_depth() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "default": {},
            "properties": {"replicas": {"type": "integer", "default": 1},
                "ports": {"type": "array", "items": {"type": "object", "properties": {"protocol": {"type": "string", "default": "TCP"}}}}}}}});
        let mut object = json!({"metadata": {"name": "a"}});
        apply_defaults(&schema, &mut object);
        assert_eq!(object["spec"], json!({"replicas": 1}));
        let mut object = json!({"spec": {"replicas": 3, "ports": [{"protocol": "UDP"}, {}]}});
        apply_defaults(&schema, &mut object);
        assert_eq!(object["spec"], json!({"replicas": 3, "ports": [{"protocol": "UDP"}, {"protocol": "TCP"}]}));
    }
}
