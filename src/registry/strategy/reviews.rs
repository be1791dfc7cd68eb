//! The create-only review kinds of authentication.k8s.io (TokenReview, SelfSubjectReview) and
//! authorization.k8s.io (the four access reviews): what a request must hold, as
//! `pkg/apis/authorization/validation` checks it. Reviews are never stored and carry no name,
//! so they are not checked as stored objects are ([`super::Strategy::validate`] asks for a
//! name): the review handler asks [`validate_review`].

use serde_json::Value;

use super::field::{child, go_string_map, index, quote, Errs};
use super::{Cause, Strategy};
use crate::registry::ResourceInfo;

pub(crate) static TOKEN_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static LOCAL_SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_RULES_REVIEW: Strategy = Strategy::DEFAULT;

/// What is wrong with a review request of `resource`'s kind (upstream's `ValidateXReview`;
/// TokenReview, SelfSubjectReview and SelfSubjectRulesReview have no validation).
pub(crate) fn validate_review(resource: &ResourceInfo, review: &Value) -> Vec<Cause> {
    let mut e = Errs::default();
    match resource.kind {
        "SubjectAccessReview" => {
            validate_subject_access_review_spec(&mut e, review, true);
            metadata_must_be_empty(&mut e, review, false);
        }
        "SelfSubjectAccessReview" => {
            validate_subject_access_review_spec(&mut e, review, false);
            metadata_must_be_empty(&mut e, review, false);
        }
        "LocalSubjectAccessReview" => {
            validate_subject_access_review_spec(&mut e, review, true);
            metadata_must_be_empty(&mut e, review, true);
            let namespace = review.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
            if let Some(attributes) = review.pointer("/spec/resourceAttributes").filter(|a| !a.is_null()) {
                let given = attributes.get("namespace").and_then(Value::as_str).unwrap_or("");
                if given != namespace {
                    e.invalid("spec.resourceAttributes.namespace", &quote(given), "must match metadata.namespace");
                }
            }
            if let Some(attributes) = review.pointer("/spec/nonResourceAttributes").filter(|a| !a.is_null()) {
                e.invalid(
                    "spec.nonResourceAttributes",
                    &go_non_resource(attributes),
                    "disallowed on this kind of request",
                );
            }
        }
        _ => {}
    }
    e.causes
}

/// `ValidateSubjectAccessReviewSpec` (with `needs_subject`) and `ValidateSelfSubjectAccessReviewSpec`.
fn validate_subject_access_review_spec(e: &mut Errs, review: &Value, needs_subject: bool) {
    let empty = Value::Null;
    let spec = review.get("spec").unwrap_or(&empty);
    let resource = spec.get("resourceAttributes").filter(|a| !a.is_null());
    let non_resource = spec.get("nonResourceAttributes").filter(|a| !a.is_null());
    match (resource, non_resource) {
        (Some(_), Some(attributes)) => e.invalid(
            "spec.nonResourceAttributes",
            &go_non_resource(attributes),
            "cannot be specified in combination with resourceAttributes",
        ),
        (None, None) => e.invalid(
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        ),
        _ => {}
    }
    if needs_subject {
        let user = spec.get("user").and_then(Value::as_str).unwrap_or("");
        let has_groups = spec.get("groups").and_then(Value::as_array).is_some_and(|g| !g.is_empty());
        if user.is_empty() && !has_groups {
            e.invalid("spec.user", &quote(user), "at least one of user or group must be specified");
        }
    }
    if let Some(attributes) = resource {
        for (key, path) in [
            ("fieldSelector", "spec.resourceAttributes.fieldSelector"),
            ("labelSelector", "spec.resourceAttributes.labelSelector"),
        ] {
            validate_selector_attributes(e, attributes, key, path);
        }
    }
}

/// `validateFieldSelectorAttributes` / `validateLabelSelectorAttributes`: a raw selector or
/// requirements, not both; every requirement with a key.
fn validate_selector_attributes(e: &mut Errs, attributes: &Value, key: &str, path: &str) {
    let Some(selector) = attributes.get(key).filter(|s| !s.is_null()) else { return };
    let raw = selector.get("rawSelector").and_then(Value::as_str).unwrap_or("");
    let requirements = selector.get("requirements").and_then(Value::as_array).cloned().unwrap_or_default();
    if !raw.is_empty() && !requirements.is_empty() {
        e.invalid(&child(path, "rawSelector"), &quote(raw), "may not specified at the same time as requirements");
    }
    if raw.is_empty() && requirements.is_empty() {
        e.required(
            &child(path, "requirements"),
            &format!("when {path} is specified, requirements or rawSelector is required"),
        );
    }
    for (i, requirement) in requirements.iter().enumerate() {
        let key_path = child(&index(&child(path, "requirements"), i), "key");
        if requirement.get("key").and_then(Value::as_str).unwrap_or("").is_empty() {
            e.required(&key_path, "must be specified");
        }
    }
}

/// `metadata` of an access review: empty (but for the namespace of a local review).
fn metadata_must_be_empty(e: &mut Errs, review: &Value, namespace_allowed: bool) {
    let Some(metadata) = review.get("metadata").and_then(Value::as_object) else { return };
    let set = metadata.iter().any(|(key, value)| {
        let ignored = key == "managedFields" || (namespace_allowed && key == "namespace");
        let empty = value.is_null()
            || value.as_str() == Some("")
            || value.as_object().is_some_and(|m| m.is_empty())
            || value.as_array().is_some_and(|a| a.is_empty());
        !ignored && !empty
    });
    if set {
        let detail = if namespace_allowed { "must be empty except for namespace" } else { "must be empty" };
        e.invalid("metadata", &go_object_meta(metadata), detail);
    }
}

/// Go's `%#v` of the `ObjectMeta` fields a review could carry.
fn go_object_meta(m: &serde_json::Map<String, Value>) -> String {
    let text = |key: &str| quote(m.get(key).and_then(Value::as_str).unwrap_or(""));
    format!(
        "v1.ObjectMeta{{Name:{}, GenerateName:{}, Namespace:{}, SelfLink:\"\", UID:{}, ResourceVersion:{}, Generation:{}, \
         CreationTimestamp:v1.Time{{Time:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)}}, DeletionTimestamp:<nil>, \
         DeletionGracePeriodSeconds:(*int64)(nil), Labels:{}, Annotations:{}, OwnerReferences:[]v1.OwnerReference(nil), \
         Finalizers:[]string(nil), ManagedFields:[]v1.ManagedFieldsEntry(nil)}}",
        text("name"),
        text("generateName"),
        text("namespace"),
        text("uid"),
        text("resourceVersion"),
        m.get("generation").and_then(Value::as_i64).unwrap_or(0),
        go_string_map(m.get("labels").and_then(Value::as_object)),
        go_string_map(m.get("annotations").and_then(Value::as_object)),
    )
}

/// Go's `%#v` of a `*authorization.NonResourceAttributes`.
fn go_non_resource(attributes: &Value) -> String {
    let text = |key: &str| quote(attributes.get(key).and_then(Value::as_str).unwrap_or(""));
    format!("authorization.NonResourceAttributes{{Path:{}, Verb:{}}}", text("path"), text("verb"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_kind;
    use serde_json::json;

    fn causes(kind: &str, review: Value) -> Vec<(String, String)> {
        let resource = by_kind("authorization.k8s.io/v1", kind).expect("registered");
        validate_review(resource, &review).into_iter().map(|c| (c.field, c.message)).collect()
    }

    #[test]
    fn subject_access_review_needs_a_subject_and_one_kind_of_attributes() {
        assert_eq!(
            causes("SubjectAccessReview", json!({"spec": {}})),
            vec![
                (
                    "spec.resourceAttributes".into(),
                    "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"
                        .into()
                ),
                ("spec.user".into(), "Invalid value: \"\": at least one of user or group must be specified".into()),
            ]
        );
        let both = json!({"spec": {"user": "u", "resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/x", "verb": "get"}}});
        assert_eq!(
            causes("SubjectAccessReview", both)[0].1,
            "Invalid value: authorization.NonResourceAttributes{Path:\"/x\", Verb:\"get\"}: cannot be specified in combination with resourceAttributes"
        );
        assert!(causes(
            "SubjectAccessReview",
            json!({"spec": {"groups": ["g"], "resourceAttributes": {"verb": "get"}}})
        )
        .is_empty());
    }

    #[test]
    fn self_subject_access_review_needs_no_subject_but_an_empty_metadata() {
        assert!(causes("SelfSubjectAccessReview", json!({"spec": {"resourceAttributes": {"verb": "get"}}})).is_empty());
        let named =
            causes("SelfSubjectAccessReview", json!({"metadata": {"name": "x"}, "spec": {"resourceAttributes": {}}}));
        assert_eq!(named[0].0, "metadata");
        assert!(named[0].1.ends_with(": must be empty"), "{named:?}");
    }

    #[test]
    fn local_review_namespace_must_match() {
        let review = json!({"metadata": {"namespace": "a"}, "spec": {"user": "u", "resourceAttributes": {"namespace": "b", "verb": "get"}}});
        assert_eq!(
            causes("LocalSubjectAccessReview", review),
            vec![(
                "spec.resourceAttributes.namespace".into(),
                "Invalid value: \"b\": must match metadata.namespace".into()
            )]
        );
    }

    #[test]
    fn selector_attributes_need_requirements_or_a_raw_selector() {
        let review = json!({"spec": {"resourceAttributes": {"verb": "list", "labelSelector": {}}}});
        assert_eq!(
            causes("SelfSubjectAccessReview", review),
            vec![(
                "spec.resourceAttributes.labelSelector.requirements".into(),
                "Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required".into()
            )]
        );
    }
}
