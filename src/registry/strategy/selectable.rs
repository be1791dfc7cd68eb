//! A kind's field set, as upstream's `*ToSelectableFields` and its field label conversion:
//! which labels a field selector may name, and how each label's value is read from an object.
//! Upstream computes the set from the typed object, so an absent field selects as its Go zero
//! value rendered as text (`spec.unschedulable` of a schedulable Node is `false`, a ReplicationController
//! without status has `status.replicas` `0`); a label may read another field than its name says
//! (a Job's `status.successful` is `status.succeeded`).

use serde_json::Value;

/// One selectable field: the label users write, where its value is, and what an absent one reads as.
#[derive(Debug, PartialEq, Eq)]
pub struct SelectableField {
    /// The label (`spec.nodeName`).
    pub label: &'static str,
    /// Where its value is, a dotted path into the object.
    pub path: &'static str,
    /// Read when `path` holds nothing or an empty string (an Event's `source` is
    /// `source.component`, else `reportingController`).
    pub fallback: Option<&'static str>,
    /// Go's zero value of the field's type, as text: what an absent field selects as.
    pub zero: &'static str,
}

/// A string field at the path its label names.
pub const fn text(label: &'static str) -> SelectableField {
    text_at(label, label)
}

/// A string field at another path than its label.
pub const fn text_at(label: &'static str, path: &'static str) -> SelectableField {
    SelectableField { label, path, fallback: None, zero: "" }
}

/// A boolean field: `false` when absent.
pub const fn flag(label: &'static str) -> SelectableField {
    SelectableField { label, path: label, fallback: None, zero: "false" }
}

/// An integer field at `path`: `0` when absent.
pub const fn count(label: &'static str, path: &'static str) -> SelectableField {
    SelectableField { label, path, fallback: None, zero: "0" }
}

impl SelectableField {
    /// The same field, read from `fallback` when its own path is empty.
    pub const fn or(self, fallback: &'static str) -> SelectableField {
        SelectableField { fallback: Some(fallback), ..self }
    }

    /// The field's value in `object`, as upstream's field set renders it.
    pub fn value(&self, object: &Value) -> String {
        let own = read(object, self.path);
        match (own, self.fallback) {
            (Some(text), _) if !text.is_empty() => text,
            (_, Some(fallback)) => read(object, fallback).unwrap_or_else(|| self.zero.to_string()),
            (Some(text), None) => text,
            (None, None) => self.zero.to_string(),
        }
    }

    /// The paths its value is read from, as segments (what a watch decodes of each change).
    pub fn paths(&self) -> impl Iterator<Item = std::str::Split<'static, char>> {
        std::iter::once(self.path).chain(self.fallback).filter(|path| !path.is_empty()).map(|path| path.split('.'))
    }
}

/// The text at a dotted path: strings as they are, numbers and booleans as Go prints them,
/// `None` for an absent or null field.
fn read(object: &Value, path: &str) -> Option<String> {
    let value = path.split('.').try_fold(object, |value, key| value.get(key))?;
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// `metadata.name`, selectable on every kind.
pub static METADATA_NAME: SelectableField = text("metadata.name");
/// `metadata.namespace`, selectable on every kind but Nodes and Namespaces.
pub static METADATA_NAMESPACE: SelectableField = text("metadata.namespace");

/// A kind's field set: its labels beyond `metadata.name`, and how upstream's field label
/// conversion treats the others.
#[derive(Debug)]
pub struct FieldSet {
    /// The labels beyond `metadata.name` and `metadata.namespace`.
    pub fields: &'static [SelectableField],
    /// Whether `metadata.namespace` is a label (the conversions of Nodes and Namespaces refuse it).
    pub namespace_label: bool,
    /// The kind named in the refusal of an unknown label (`field label "x" not supported for
    /// Job`); `None`: `field label not supported: x`, as most kinds say.
    pub refusal_names_kind: Option<&'static str>,
}

impl FieldSet {
    /// `metadata.name` and `metadata.namespace` only (upstream's `DefaultMetaV1FieldSelectorConversion`).
    pub const METADATA: FieldSet = FieldSet::of(&[]);

    /// `metadata.name`, `metadata.namespace` and `fields`.
    pub const fn of(fields: &'static [SelectableField]) -> FieldSet {
        FieldSet { fields, namespace_label: true, refusal_names_kind: None }
    }

    /// Without the `metadata.namespace` label.
    pub const fn cluster_scoped(self) -> FieldSet {
        FieldSet { namespace_label: false, ..self }
    }

    /// Refusing unknown labels in the words of `kind`'s conversion.
    pub const fn refused_for(self, kind: &'static str) -> FieldSet {
        FieldSet { refusal_names_kind: Some(kind), ..self }
    }

    /// The field `label` names, or upstream's message refusing it.
    pub fn field(&self, label: &str) -> Result<&'static SelectableField, String> {
        if label == METADATA_NAME.label {
            return Ok(&METADATA_NAME);
        }
        if label == METADATA_NAMESPACE.label && self.namespace_label {
            return Ok(&METADATA_NAMESPACE);
        }
        self.fields.iter().find(|field| field.label == label).ok_or_else(|| match self.refusal_names_kind {
            Some(kind) => format!("field label {label:?} not supported for {kind}"),
            None => format!("field label not supported: {label}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_fields_read_as_their_go_zero_value() {
        let node = json!({"spec": {}});
        assert_eq!(flag("spec.unschedulable").value(&node), "false");
        assert_eq!(flag("spec.unschedulable").value(&json!({"spec": {"unschedulable": true}})), "true");
        assert_eq!(count("status.replicas", "status.replicas").value(&json!({})), "0");
        assert_eq!(count("status.successful", "status.succeeded").value(&json!({"status": {"succeeded": 3}})), "3");
        assert_eq!(text("spec.nodeName").value(&json!({"spec": {"nodeName": null}})), "");
    }

    #[test]
    fn a_fallback_is_read_when_the_field_is_empty() {
        let source = text_at("source", "source.component").or("reportingController");
        assert_eq!(source.value(&json!({"source": {"component": "kubelet"}, "reportingController": "x"})), "kubelet");
        assert_eq!(source.value(&json!({"source": {}, "reportingController": "x"})), "x");
        assert_eq!(source.value(&json!({})), "");
        assert_eq!(source.paths().map(|p| p.collect::<Vec<_>>()).collect::<Vec<_>>().len(), 2);
    }

    #[test]
    fn unknown_labels_are_refused_in_upstreams_words() {
        static JOB: FieldSet = FieldSet::of(&[count("status.successful", "status.succeeded")]).refused_for("Job");
        assert_eq!(JOB.field("spec.x"), Err("field label \"spec.x\" not supported for Job".to_string()));
        static NODE: FieldSet = FieldSet::of(&[flag("spec.unschedulable")]).cluster_scoped();
        assert_eq!(NODE.field("metadata.namespace"), Err("field label not supported: metadata.namespace".to_string()));
        assert!(NODE.field("metadata.name").is_ok() && FieldSet::METADATA.field("metadata.namespace").is_ok());
    }
}
