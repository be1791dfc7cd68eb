//! A small hand-built schema (Deployment/Pod shaped) for the tests of this module.

use std::collections::HashMap;
use std::sync::Arc;

use super::schema::{FieldMeta, NoSchema, PatchSchema};

pub(crate) struct TestSchema {
    pub fields: HashMap<&'static str, (FieldMeta, Arc<dyn PatchSchema>)>,
}

impl PatchSchema for TestSchema {
    fn field(&self, name: &str) -> Option<(FieldMeta, Arc<dyn PatchSchema>)> {
        Some(self.fields.get(name).cloned().unwrap_or_else(|| (FieldMeta::default(), Arc::new(NoSchema))))
    }
}

fn node(fields: Vec<(&'static str, FieldMeta, Arc<dyn PatchSchema>)>) -> Arc<dyn PatchSchema> {
    Arc::new(TestSchema { fields: fields.into_iter().map(|(n, m, s)| (n, (m, s))).collect() })
}

fn plain() -> FieldMeta {
    FieldMeta::default()
}

fn keyed(key: &str, map_keys: &[&str]) -> FieldMeta {
    FieldMeta {
        merge: true,
        merge_key: Some(key.to_string()),
        list_type: Some("map".into()),
        list_map_keys: map_keys.iter().map(|s| s.to_string()).collect(),
        ..FieldMeta::default()
    }
}

/// Deployment-ish tree: metadata (finalizers: set), spec.template.{metadata,spec};
/// the pod spec fields are also allowed directly under spec (Pods).
pub(crate) fn pod_schema() -> Arc<dyn PatchSchema> {
    let none: Arc<dyn PatchSchema> = Arc::new(NoSchema);
    let meta = node(vec![
        ("finalizers", FieldMeta { merge: true, list_type: Some("set".into()), ..plain() }, none.clone()),
        ("ownerReferences", keyed("uid", &["uid"]), none.clone()),
    ]);
    let container = node(vec![
        ("env", keyed("name", &["name"]), none.clone()),
        ("ports", keyed("containerPort", &["containerPort", "protocol"]), none.clone()),
        ("args", FieldMeta { list_type: Some("atomic".into()), ..plain() }, none.clone()),
    ]);
    let volume = none.clone();
    let pod_fields = |extra: Vec<(&'static str, FieldMeta, Arc<dyn PatchSchema>)>| {
        let mut f = vec![
            ("containers", keyed("name", &["name"]), container.clone()),
            ("initContainers", keyed("name", &["name"]), container.clone()),
            ("volumes", FieldMeta { retain_keys: true, ..keyed("name", &["name"]) }, volume.clone()),
        ];
        f.extend(extra);
        f
    };
    let pod_spec = node(pod_fields(vec![]));
    let template = node(vec![("metadata", plain(), meta.clone()), ("spec", plain(), pod_spec)]);
    let spec = node(pod_fields(vec![("template", plain(), template)]));
    node(vec![("metadata", plain(), meta), ("spec", plain(), spec)])
}

/// Deterministic pseudo-random JSON made of the schema's field names and the patch
/// directives, to check that no input makes the engine panic.
pub(crate) struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }

    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }

    pub fn value(&mut self, depth: u32) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        const KEYS: &[&str] = &[
            "metadata",
            "spec",
            "template",
            "containers",
            "env",
            "ports",
            "finalizers",
            "volumes",
            "name",
            "containerPort",
            "protocol",
            "image",
            "args",
            "labels",
            "$patch",
            "$retainKeys",
            "$setElementOrder/containers",
            "$setElementOrder/finalizers",
            "$deleteFromPrimitiveList/finalizers",
            "$setElementOrder/",
            "status",
            "managedFields",
        ];
        const SCALARS: &[&str] = &["replace", "delete", "merge", "a", "name", "x"];
        let pick = if depth == 0 { self.next(4) } else { self.next(7) };
        match pick {
            0 => Value::Null,
            1 => json!(self.next(3)),
            2 => json!(SCALARS[self.next(SCALARS.len() as u64) as usize]),
            3 => json!(self.next(2) == 0),
            4 | 5 => {
                let mut m = Map::new();
                for _ in 0..self.next(4) {
                    let k = KEYS[self.next(KEYS.len() as u64) as usize];
                    m.insert(k.to_string(), self.value(depth - 1));
                }
                Value::Object(m)
            }
            _ => Value::Array((0..self.next(4)).map(|_| self.value(depth - 1)).collect()),
        }
    }
}
