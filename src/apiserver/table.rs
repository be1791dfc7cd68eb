//! `meta.k8s.io/v1` Table responses, from the registry's column declarations.

use chrono::Utc;
use serde_json::{json, Value};

use crate::registry::{tables, ResourceInfo};

pub fn column_definitions(resource: &ResourceInfo) -> Value {
    Value::Array(
        tables::columns(resource)
            .into_iter()
            .map(|c| {
                json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority})
            })
            .collect(),
    )
}

/// The object reduced to its metadata (meta.k8s.io/v1 PartialObjectMetadata).
pub fn partial_object_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or(json!({})),
    })
}

/// One row; the row's object is the object's metadata, as with upstream's default
/// `includeObject=Metadata` (kubectl reads labels and namespace from it).
pub fn row(resource: &ResourceInfo, object: &Value, include_object: &str) -> Value {
    let cells = tables::cells(resource, object, Utc::now());
    let embedded = match include_object {
        "None" => Value::Null,
        "Object" => object.clone(),
        _ => partial_object_metadata(object),
    };
    json!({"cells": cells, "object": embedded})
}

pub fn table(resource: &ResourceInfo, objects: &[Value], metadata: Value, include_object: &str) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(resource),
        "rows": objects.iter().map(|o| row(resource, o, include_object)).collect::<Vec<_>>(),
    })
}
