//! Lookups over the generated schemas: [`PatchSchema`] for strategic merge patch and
//! server-side apply, and the unknown-field check behind `fieldValidation=Strict`. Both
//! resolve schemas the way kubectl's `PatchMetaFromOpenAPIV3` does: `allOf[0]`, then `$ref`.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Map, Value};

use super::schemas::{ref_name, Definitions};
use crate::machinery::patch::schema::{FieldMeta, NoSchema, PatchSchema};

/// Refs never chain deeper than this in well-formed documents; a bound instead of a
/// cycle check.
const MAX_REF_DEPTH: usize = 16;

/// Follows `allOf[0]` and `$ref` until reaching a schema with content of its own.
pub(crate) fn resolve<'a>(defs: &'a Definitions, mut schema: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_DEPTH {
        if let Some(first) = schema.get("allOf").and_then(Value::as_array).and_then(|all| all.first()) {
            schema = first;
            continue;
        }
        match schema.get("$ref").and_then(Value::as_str).and_then(ref_name).and_then(|name| defs.get(name)) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// Like [`resolve`], but shares the definition when the schema is a ref instead of copying.
fn resolve_shared(defs: &Definitions, schema: &Value) -> Arc<Value> {
    let mut current = schema;
    for _ in 0..MAX_REF_DEPTH {
        if let Some(first) = current.get("allOf").and_then(Value::as_array).and_then(|all| all.first()) {
            current = first;
            continue;
        }
        match current.get("$ref").and_then(Value::as_str).and_then(ref_name).and_then(|name| defs.get(name)) {
            Some(target) => return Arc::clone(target),
            None => break,
        }
    }
    Arc::new(current.clone())
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object).filter(|props| !props.is_empty())
}

/// The schema of a map's values (`additionalProperties` that is a schema, not `true`).
fn map_values(schema: &Value) -> Option<&Value> {
    schema.get("additionalProperties").filter(|values| values.is_object())
}

/// Objects whose content the schema leaves open: RawExtension, FieldsV1, or anything
/// marked `x-kubernetes-preserve-unknown-fields`.
fn is_open(schema: &Value) -> bool {
    if schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    is_object_schema(schema) && properties(schema).is_none() && map_values(schema).is_none()
}

/// Objects, or schemas that say nothing of their type; not scalars, nor unions of scalar
/// types (`oneOf`: Quantity, IntOrString).
fn is_object_schema(schema: &Value) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind == "object",
        None => {
            schema.get("x-kubernetes-int-or-string").is_none()
                && schema.get("oneOf").is_none()
                && schema.get("anyOf").is_none()
        }
    }
}

/// The patch metadata of one property, read from its extensions (and from the map type
/// of the struct it refers to, for `+structType=atomic` types).
fn field_meta(defs: &Definitions, property: &Value) -> FieldMeta {
    let text = |key: &str| property.get(key).and_then(Value::as_str).map(str::to_string);
    let strategies = text("x-kubernetes-patch-strategy").unwrap_or_default();
    let strategies: Vec<&str> = strategies.split(',').map(str::trim).collect();
    let map_type = text("x-kubernetes-map-type")
        .or_else(|| resolve(defs, property).get("x-kubernetes-map-type").and_then(Value::as_str).map(str::to_string));
    FieldMeta {
        merge: strategies.contains(&"merge"),
        retain_keys: strategies.contains(&"retainKeys"),
        merge_key: text("x-kubernetes-patch-merge-key"),
        list_type: text("x-kubernetes-list-type"),
        list_map_keys: property
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        map_type,
    }
}

/// What a node answers for one field.
type FieldAnswer = Option<(FieldMeta, Arc<dyn PatchSchema>)>;

/// A position in the schemas: the (resolved) schema of an object, list item or map value.
///
/// Answers are remembered: every write walks its object's fields through these nodes
/// (managedFields, strategic merge), and resolving `$ref`s and reading extensions anew for
/// each field was a fifth of a pod create. Nodes of a definition live as long as the
/// server's [`super::OpenApi`], so the tree is built once, lazily, as far as objects reach.
pub(crate) struct SchemaNode {
    defs: Arc<Definitions>,
    schema: Arc<Value>,
    /// By property name; bounded by the schema's properties.
    properties: Mutex<HashMap<String, FieldAnswer>>,
    /// For maps and open objects, where every key has the same answer.
    any_key: Mutex<Option<FieldAnswer>>,
}

impl SchemaNode {
    fn new(defs: &Arc<Definitions>, schema: Arc<Value>) -> SchemaNode {
        SchemaNode { defs: Arc::clone(defs), schema, properties: Mutex::new(HashMap::new()), any_key: Mutex::new(None) }
    }

    /// The node of a definition; `None` if the name is unknown.
    pub(crate) fn for_definition(defs: &Arc<Definitions>, name: &str) -> Option<SchemaNode> {
        let schema = Arc::clone(defs.get(name)?);
        Some(SchemaNode::new(defs, schema))
    }

    /// The node of a schema that is not one of the definitions (a custom resource's).
    pub(crate) fn for_schema(defs: &Arc<Definitions>, schema: Value) -> SchemaNode {
        SchemaNode::new(defs, Arc::new(schema))
    }
}

impl PatchSchema for SchemaNode {
    fn field(&self, name: &str) -> FieldAnswer {
        if let Some(answer) = self.any_key.lock().as_ref() {
            return answer.clone();
        }
        if let Some(answer) = self.properties.lock().get(name) {
            return answer.clone();
        }
        let object = resolve(&self.defs, &self.schema);
        if properties(object).is_none() {
            let answer = self.find_field(name);
            *self.any_key.lock() = Some(answer.clone());
            return answer;
        }
        let answer = self.find_field(name);
        // Only the schema's own properties are remembered: unknown names come from clients.
        if answer.is_some() {
            self.properties.lock().insert(name.to_string(), answer.clone());
        }
        answer
    }
}

impl SchemaNode {
    fn find_field(&self, name: &str) -> FieldAnswer {
        let object = resolve(&self.defs, &self.schema);
        let Some(props) = properties(object) else {
            return match map_values(object) {
                // A map: every key is a field whose value has the map's value schema.
                Some(values) => Some((FieldMeta::default(), self.child(values))),
                // Open objects know every field; so do scalars, for callers that walk a map
                // value as if it were an object.
                None if is_open(object) || !is_object_schema(object) => {
                    Some((FieldMeta::default(), Arc::new(NoSchema)))
                }
                None => None,
            };
        };
        let property = props.get(name)?;
        let meta = field_meta(&self.defs, property);
        let value = resolve(&self.defs, property);
        let element = match (value.get("items").filter(|items| items.is_object()), properties(value), map_values(value))
        {
            (Some(items), _, _) => items,
            (None, None, Some(values)) => values,
            _ => property,
        };
        Some((meta, self.child(element)))
    }

    fn child(&self, schema: &Value) -> Arc<dyn PatchSchema> {
        let schema = resolve_shared(&self.defs, schema);
        if is_open(&schema) {
            return Arc::new(NoSchema);
        }
        Arc::new(SchemaNode::new(&self.defs, schema))
    }
}

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
