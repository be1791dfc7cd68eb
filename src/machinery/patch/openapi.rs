//! [`PatchSchema`] over OpenAPI v3 schemas (`components.schemas` of a document): what the
//! apiserver serves and what kubectl reads back from `/openapi/v3` for client-side apply.
//! Schemas resolve as kubectl's `PatchMetaFromOpenAPIV3` resolves them: `allOf[0]`, then
//! `$ref`; each property's patch strategy, merge key, list type and map type come from its
//! `x-kubernetes-*` extensions.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Map, Value};

use super::schema::{FieldMeta, NoSchema, PatchSchema};

/// Where refs point inside an OpenAPI 3 document.
pub const REF_PREFIX: &str = "#/components/schemas/";

/// A document's schemas by definition name. Values are shared (`Arc`) so lookups can hold
/// on to them without copying.
pub type Definitions = BTreeMap<String, Arc<Value>>;

/// The definitions of a document's `components.schemas` object.
pub fn definitions(schemas: Map<String, Value>) -> Definitions {
    schemas.into_iter().map(|(name, schema)| (name, Arc::new(schema))).collect()
}

/// The definition name a `$ref` points at.
pub fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(REF_PREFIX)
}

/// Refs never chain deeper than this in well-formed documents; a bound instead of a
/// cycle check.
const MAX_REF_DEPTH: usize = 16;

/// Follows `allOf[0]` and `$ref` until reaching a schema with content of its own.
pub fn resolve<'a>(defs: &'a Definitions, mut schema: &'a Value) -> &'a Value {
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

pub fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object).filter(|props| !props.is_empty())
}

/// The schema of a map's values (`additionalProperties` that is a schema, not `true`).
pub fn map_values(schema: &Value) -> Option<&Value> {
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
/// (managedFields, strategic merge), so a node kept as long as its schemas builds the tree
/// once, lazily, as far as objects reach.
pub struct SchemaNode {
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
    pub fn for_definition(defs: &Arc<Definitions>, name: &str) -> Option<SchemaNode> {
        let schema = Arc::clone(defs.get(name)?);
        Some(SchemaNode::new(defs, schema))
    }

    /// The node of a schema that is not one of the definitions (a custom resource's, or a
    /// kind found by its `x-kubernetes-group-version-kind`).
    pub fn for_schema(defs: &Arc<Definitions>, schema: Value) -> SchemaNode {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs() -> Arc<Definitions> {
        Arc::new(definitions(
            json!({
                "Pod": {"properties": {
                    "spec": {"allOf": [{"$ref": "#/components/schemas/PodSpec"}], "description": "spec"},
                    "metadata": {"$ref": "#/components/schemas/Meta"}}},
                "PodSpec": {"properties": {
                    "containers": {"type": "array", "items": {"$ref": "#/components/schemas/Container"},
                                   "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name",
                                   "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"},
                                     "x-kubernetes-map-type": "atomic"}}},
                "Container": {"properties": {"name": {"type": "string"}, "image": {"type": "string"}}},
                "Meta": {"properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}}}
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ))
    }

    #[test]
    fn fields_resolve_refs_and_carry_their_patch_metadata() {
        let pod = SchemaNode::for_definition(&defs(), "Pod").unwrap();
        let (_, spec) = pod.field("spec").unwrap();
        let (meta, container) = spec.field("containers").unwrap();
        assert!(meta.merge && !meta.retain_keys);
        assert_eq!(meta.merge_key.as_deref(), Some("name"));
        assert_eq!((meta.list_type.as_deref(), meta.list_map_keys.clone()), (Some("map"), vec!["name".to_string()]));
        assert!(container.field("image").is_some() && container.field("nope").is_none());
        let (meta, _) = spec.field("nodeSelector").unwrap();
        assert_eq!(meta.map_type.as_deref(), Some("atomic"));
    }

    #[test]
    fn maps_know_every_key_and_unknown_definitions_have_no_node() {
        let pod = SchemaNode::for_definition(&defs(), "Pod").unwrap();
        let (_, labels) = pod.field("metadata").unwrap().1.field("labels").unwrap();
        assert!(labels.field("any-key").is_some());
        assert!(SchemaNode::for_definition(&defs(), "Missing").is_none());
        let cyclic = Arc::new(definitions(
            json!({"A": {"$ref": "#/components/schemas/A"}}).as_object().cloned().unwrap_or_default(),
        ));
        assert_eq!(
            resolve(&cyclic, &json!({"$ref": "#/components/schemas/A"})),
            &json!({"$ref": "#/components/schemas/A"})
        );
    }
}
