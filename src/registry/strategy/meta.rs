//! `ValidateObjectMeta`/`ValidateObjectMetaUpdate`: name (per kind's rule), namespace, labels,
//! annotations, finalizers, and the identity fields that may not change on update.

use serde_json::{Map, Value};

use super::field::{child, go_json, quote, Errs};
use crate::machinery::validation::{is_dns1035_label, is_label_value, is_qualified_name, validate_name, NameRule};

/// Upstream's `TotalAnnotationSizeLimitB`.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// Validates `metadata` of a new object (`path` is `metadata`).
pub(crate) fn validate_object_meta(e: &mut Errs, obj: &Value, rule: NameRule, namespaced: bool) {
    let path = "metadata";
    let Some(meta) = e.obj(obj, "metadata", path) else {
        e.required("metadata.name", "name or generateName is required");
        return;
    };
    let meta_v = Value::Object(meta.clone());
    let generate_name = e.str(&meta_v, "generateName", "metadata.generateName").unwrap_or("");
    if !generate_name.is_empty() {
        for msg in validate_name(rule, generate_name, true) {
            e.invalid("metadata.generateName", &quote(generate_name), &msg);
        }
    }
    let name = e.str(&meta_v, "name", "metadata.name").unwrap_or("");
    if name.is_empty() {
        // Upstream generates the name before validating; callers that have not yet done so
        // still pass when a generateName is given.
        if generate_name.is_empty() {
            e.required("metadata.name", "name or generateName is required");
        }
    } else {
        for msg in validate_name(rule, name, false) {
            e.invalid("metadata.name", &quote(name), &msg);
        }
    }
    let namespace = e.str(&meta_v, "namespace", "metadata.namespace").unwrap_or("");
    if namespaced {
        if !namespace.is_empty() {
            for msg in validate_name(NameRule::Label, namespace, false) {
                e.invalid("metadata.namespace", &quote(namespace), &msg);
            }
        }
    } else if !namespace.is_empty() {
        e.forbidden("metadata.namespace", "not allowed on this type");
    }
    validate_meta_common(e, &meta_v, path);
}

/// An embedded resource (a CRD field marked `x-kubernetes-embedded-resource`), as
/// apiextensions' objectmeta validation checks it: apiVersion and kind required and well
/// formed, and `metadata`, when present, validated as any object's (`path` is the field's).
pub(crate) fn validate_embedded_resource(e: &mut Errs, fields: &Map<String, Value>, path: &str) {
    for key in ["apiVersion", "kind"] {
        if !fields.contains_key(key) {
            e.required(&child(path, key), "");
        }
    }
    for (key, value) in fields {
        let field = child(path, key);
        match (key.as_str(), value) {
            ("apiVersion" | "kind", Value::String(text)) if text.is_empty() => e.required(&field, ""),
            ("apiVersion", Value::String(text)) if text.matches('/').count() > 1 => {
                e.invalid(&field, &quote(text), &format!("unexpected GroupVersion string: {text}"))
            }
            ("kind", Value::String(text)) => {
                let errs = is_dns1035_label(&text.to_lowercase());
                if !errs.is_empty() {
                    let detail = format!("may have mixed case, but should otherwise match: {}", errs.join(","));
                    e.invalid(&field, &quote(text), &detail);
                }
            }
            ("apiVersion", Value::String(_)) => {}
            ("apiVersion" | "kind", other) => e.invalid(&field, &go_json(other), "must be a string"),
            ("metadata", Value::Object(_)) => validate_embedded_object_meta(e, value, &field),
            ("metadata", other) => {
                let detail = format!("invalid metadata: expected object, got {}", go_type(other));
                e.invalid(&field, &go_json(other), &detail);
            }
            _ => {}
        }
    }
}

/// Go's `%T` of a decoded JSON value.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// `ValidateObjectMeta` of an embedded resource's metadata: a name is optional and only has
/// to be a path segment, a namespace is checked when given, then what every object's
/// metadata is checked for.
fn validate_embedded_object_meta(e: &mut Errs, meta: &Value, path: &str) {
    let name_path = child(path, "name");
    if let Some(name) = e.str(meta, "name", &name_path).filter(|n| !n.is_empty()) {
        for msg in path_segment_name(name) {
            e.invalid(&name_path, &quote(name), &msg);
        }
    }
    let namespace_path = child(path, "namespace");
    if let Some(namespace) = e.str(meta, "namespace", &namespace_path).filter(|n| !n.is_empty()) {
        for msg in validate_name(NameRule::Label, namespace, false) {
            e.invalid(&namespace_path, &quote(namespace), &msg);
        }
    }
    validate_meta_common(e, meta, path);
}

/// `IsValidPathSegmentName`: what may appear as one segment of a URL path.
pub(crate) fn path_segment_name(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"].iter().filter(|c| name.contains(**c)).map(|c| format!("may not contain '{c}'")).collect()
}

/// The checks shared by create and update: generation, labels, annotations, finalizers.
pub(crate) fn validate_meta_common(e: &mut Errs, meta: &Value, path: &str) {
    if let Some(g) = e.int(meta, "generation", &child(path, "generation")) {
        if g < 0 {
            e.invalid(&child(path, "generation"), &g.to_string(), "must be greater than or equal to 0");
        }
    }
    validate_labels(e, meta, "labels", &child(path, "labels"));
    validate_annotations(e, meta, &child(path, "annotations"));
    if let Some(finalizers) = e.arr(meta, "finalizers", &child(path, "finalizers")) {
        let mut seen = Vec::new();
        for (i, f) in finalizers.iter().enumerate() {
            let p = format!("{}[{i}]", child(path, "finalizers"));
            let Some(f) = f.as_str() else {
                e.wrong_type(&p, f, "string");
                continue;
            };
            for msg in is_qualified_name(f) {
                e.invalid(&p, &quote(f), &msg);
            }
            if seen.contains(&f) {
                e.duplicate(&p, &quote(f));
            }
            seen.push(f);
        }
    }
}

/// `ValidateLabels`: every key a qualified name, every value a label value; the path is the map's.
pub(crate) fn validate_labels(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    let Some(labels) = e.string_map(parent, key, path) else { return };
    let mut labels = labels;
    labels.sort();
    for (k, v) in labels {
        for msg in is_qualified_name(k) {
            e.invalid(path, &quote(k), &msg);
        }
        for msg in is_label_value(v) {
            e.invalid(path, &quote(v), &msg);
        }
    }
}

/// `ValidateAnnotations`: keys are qualified names (case-insensitively), total size bounded.
pub(crate) fn validate_annotations(e: &mut Errs, meta: &Value, path: &str) {
    let Some(annotations) = e.string_map(meta, "annotations", path) else { return };
    let mut annotations = annotations;
    annotations.sort();
    let mut total = 0;
    for (k, v) in &annotations {
        total += k.len() + v.len();
        for msg in is_qualified_name(&k.to_lowercase()) {
            e.invalid(path, &quote(k), &msg);
        }
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        e.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT);
    }
}

/// `ValidateObjectMetaUpdate`: name, namespace, uid and creationTimestamp may not change.
pub(crate) fn validate_object_meta_update(e: &mut Errs, new: &Value, old: &Value) {
    let empty = Value::Null;
    let new_meta = new.get("metadata").unwrap_or(&empty);
    let old_meta = old.get("metadata").unwrap_or(&empty);
    for key in ["name", "namespace", "uid", "creationTimestamp"] {
        let (n, o) = (new_meta.get(key), old_meta.get(key));
        let is_set = |v: Option<&Value>| v.is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        // Identity fields missing from the new object are filled from the old one by the store.
        if key != "name" && key != "namespace" && !is_set(n) {
            continue;
        }
        if is_set(n) != is_set(o) || (is_set(n) && n != o) {
            let shown = n.map(go_json).unwrap_or_else(|| "\"\"".to_string());
            e.invalid(&format!("metadata.{key}"), &shown, "field is immutable");
        }
    }
    if let Some(meta) = new.get("metadata") {
        validate_meta_common(e, meta, "metadata");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn causes(obj: Value, rule: NameRule) -> Vec<(String, String)> {
        let mut e = Errs::default();
        validate_object_meta(&mut e, &obj, rule, true);
        e.causes.into_iter().map(|c| (c.field, c.message)).collect()
    }

    #[test]
    fn name_is_required_unless_generate_name() {
        assert_eq!(
            causes(json!({"metadata": {}}), NameRule::Subdomain),
            vec![("metadata.name".into(), "Required value: name or generateName is required".into())]
        );
        assert!(causes(json!({"metadata": {"generateName": "web-"}}), NameRule::Subdomain).is_empty());
    }

    #[test]
    fn invalid_label_key_and_value_are_reported_at_the_map() {
        let c = causes(json!({"metadata": {"name": "a", "labels": {"bad key": "ok", "k": "-v"}}}), NameRule::Subdomain);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].0, "metadata.labels");
        assert!(c[0].1.starts_with("Invalid value: \"bad key\": name part must consist of alphanumeric"));
        assert!(c[1].1.starts_with("Invalid value: \"-v\": a valid label must be an empty string"));
    }

    #[test]
    fn annotation_keys_are_case_insensitive_qualified_names() {
        assert!(causes(
            json!({"metadata": {"name": "a", "annotations": {"Example.COM/Key": "x"}}}),
            NameRule::Subdomain
        )
        .is_empty());
        let c = causes(json!({"metadata": {"name": "a", "annotations": {"a/b/c": "x"}}}), NameRule::Subdomain);
        assert_eq!(c[0].0, "metadata.annotations");
    }

    #[test]
    fn cluster_scoped_objects_may_not_have_a_namespace() {
        let mut e = Errs::default();
        validate_object_meta(&mut e, &json!({"metadata": {"name": "n", "namespace": "x"}}), NameRule::Label, false);
        assert_eq!(e.causes[0].message, "Forbidden: not allowed on this type");
    }

    #[test]
    fn name_change_is_immutable() {
        let mut e = Errs::default();
        validate_object_meta_update(&mut e, &json!({"metadata": {"name": "b"}}), &json!({"metadata": {"name": "a"}}));
        assert_eq!(e.causes[0].field, "metadata.name");
        assert_eq!(e.causes[0].message, "Invalid value: \"b\": field is immutable");
    }
}
