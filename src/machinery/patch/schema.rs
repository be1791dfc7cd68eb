//! What a strategic merge patch (and server-side apply) needs to know of a field: its
//! patch strategy and merge key (x-kubernetes-patch-strategy / -merge-key) and list/map
//! types (x-kubernetes-list-type / -list-map-keys / -map-type). The OpenAPI module
//! implements [`PatchSchema`] over the served schemas; [`NoSchema`] treats every list as
//! atomic, as upstream does for kinds without schema (JSON merge semantics).

use std::sync::Arc;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMeta {
    /// patchStrategy includes `merge`: lists merge (by `merge_key` for lists of objects,
    /// as sets for lists of primitives) instead of being replaced.
    pub merge: bool,
    /// patchStrategy includes `retainKeys`.
    pub retain_keys: bool,
    pub merge_key: Option<String>,
    /// x-kubernetes-list-type: `atomic`, `set` or `map`.
    pub list_type: Option<String>,
    /// x-kubernetes-list-map-keys.
    pub list_map_keys: Vec<String>,
    /// x-kubernetes-map-type: `atomic` or `granular`.
    pub map_type: Option<String>,
}

pub trait PatchSchema: Send + Sync {
    /// The meta of field `name` of an object of this schema, and the schema of the field's
    /// value (for a list: of its items; for a map with additionalProperties: of its
    /// values). `None` for a field the schema does not know.
    fn field(&self, name: &str) -> Option<(FieldMeta, Arc<dyn PatchSchema>)>;
}

/// No schema: every field is known, every list atomic.
pub struct NoSchema;

impl PatchSchema for NoSchema {
    fn field(&self, _name: &str) -> Option<(FieldMeta, Arc<dyn PatchSchema>)> {
        Some((FieldMeta::default(), Arc::new(NoSchema)))
    }
}
