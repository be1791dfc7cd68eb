//! The `components.schemas` of the served documents: generated once from k8s-openapi's
//! `JsonSchema` impls (upstream's descriptions, types and formats), rewritten the way
//! upstream serves them (refs with siblings wrapped in `allOf`, the GVK extension on
//! kinds), then decorated with the patch metadata of [`super::merge_keys`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::{
    admissionregistration, apps, authentication, authorization, autoscaling, batch, certificates, coordination, core,
    discovery, events, flowcontrol, networking, node, policy, rbac, scheduling, storage,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use super::merge_keys;
use super::OpenApiError;
use crate::registry::ResourceInfo;

pub(crate) use crate::machinery::patch::openapi::{ref_name, Definitions, REF_PREFIX};

pub(crate) const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
pub(crate) const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
pub(crate) const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
pub(crate) const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
pub(crate) const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";
pub(crate) const BINDING: &str = "io.k8s.api.core.v1.Binding";
pub(crate) const EVICTION: &str = "io.k8s.api.policy.v1.Eviction";

type Generate = fn(&mut SchemaGenerator) -> Schema;

fn generate<T: JsonSchema>(gen: &mut SchemaGenerator) -> Schema {
    gen.subschema_for::<T>()
}

/// The Rust types behind the definition names the registry (and the subresources) use.
fn roots() -> Vec<Generate> {
    vec![
        generate::<core::v1::Namespace>,
        generate::<core::v1::Pod>,
        generate::<core::v1::Node>,
        generate::<core::v1::Event>,
        generate::<core::v1::ConfigMap>,
        generate::<core::v1::Secret>,
        generate::<core::v1::Service>,
        generate::<core::v1::Endpoints>,
        generate::<core::v1::ServiceAccount>,
        generate::<core::v1::ReplicationController>,
        generate::<core::v1::Binding>,
        generate::<apps::v1::Deployment>,
        generate::<apps::v1::ReplicaSet>,
        generate::<apps::v1::StatefulSet>,
        generate::<apps::v1::DaemonSet>,
        generate::<apps::v1::ControllerRevision>,
        generate::<batch::v1::Job>,
        generate::<batch::v1::CronJob>,
        generate::<coordination::v1::Lease>,
        generate::<events::v1::Event>,
        generate::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>,
        generate::<core::v1::ComponentStatus>,
        generate::<core::v1::LimitRange>,
        generate::<core::v1::PersistentVolume>,
        generate::<core::v1::PersistentVolumeClaim>,
        generate::<core::v1::PodTemplate>,
        generate::<core::v1::ResourceQuota>,
        generate::<k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService>,
        generate::<authentication::v1::SelfSubjectReview>,
        generate::<authentication::v1::TokenReview>,
        generate::<authorization::v1::LocalSubjectAccessReview>,
        generate::<authorization::v1::SelfSubjectAccessReview>,
        generate::<authorization::v1::SelfSubjectRulesReview>,
        generate::<authorization::v1::SubjectAccessReview>,
        generate::<autoscaling::v1::HorizontalPodAutoscaler>,
        generate::<autoscaling::v2::HorizontalPodAutoscaler>,
        generate::<certificates::v1::CertificateSigningRequest>,
        generate::<networking::v1::Ingress>,
        generate::<networking::v1::IngressClass>,
        generate::<networking::v1::NetworkPolicy>,
        generate::<policy::v1::PodDisruptionBudget>,
        generate::<rbac::v1::ClusterRole>,
        generate::<rbac::v1::ClusterRoleBinding>,
        generate::<rbac::v1::Role>,
        generate::<rbac::v1::RoleBinding>,
        generate::<storage::v1::CSIDriver>,
        generate::<storage::v1::CSINode>,
        generate::<storage::v1::CSIStorageCapacity>,
        generate::<storage::v1::StorageClass>,
        generate::<storage::v1::VolumeAttachment>,
        generate::<admissionregistration::v1::MutatingWebhookConfiguration>,
        generate::<admissionregistration::v1::ValidatingAdmissionPolicy>,
        generate::<admissionregistration::v1::ValidatingAdmissionPolicyBinding>,
        generate::<admissionregistration::v1::ValidatingWebhookConfiguration>,
        generate::<scheduling::v1::PriorityClass>,
        generate::<node::v1::RuntimeClass>,
        generate::<discovery::v1::EndpointSlice>,
        generate::<flowcontrol::v1::FlowSchema>,
        generate::<flowcontrol::v1::PriorityLevelConfiguration>,
        generate::<autoscaling::v1::Scale>,
        generate::<policy::v1::Eviction>,
        generate::<meta::DeleteOptions>,
        generate::<meta::Status>,
        generate::<meta::Patch>,
        generate::<meta::ListMeta>,
    ]
}

/// Generates all definitions for `resources`: their kinds, List kinds, everything those
/// reference, and the shared request/response types.
pub(crate) fn definitions(resources: &[ResourceInfo]) -> Result<Definitions, OpenApiError> {
    let mut gen = SchemaSettings::openapi3().into_generator();
    for root in roots() {
        root(&mut gen);
    }
    let mut generated = gen.take_definitions();
    // The openapi3 visitors turn `{$ref, description}` into `{allOf: [{$ref}], description}`,
    // as upstream serves them (OpenAPI 3.0 ignores siblings of `$ref`).
    for schema in generated.values_mut() {
        for visitor in gen.visitors_mut() {
            visitor.visit_schema(schema);
        }
    }
    let mut defs: BTreeMap<String, Value> = BTreeMap::new();
    for (name, schema) in generated {
        let value =
            serde_json::to_value(&schema).map_err(|source| OpenApiError::Serialize { name: name.clone(), source })?;
        defs.insert(name, value);
    }
    for resource in resources {
        if !defs.contains_key(resource.schema) {
            return Err(OpenApiError::MissingSchema(resource.schema.to_string()));
        }
        defs.insert(list_name(resource), list_schema(resource));
        set_gvk(&mut defs, resource.schema, resource.group, resource.version, resource.kind);
        set_gvk(&mut defs, &list_name(resource), resource.group, resource.version, &format!("{}List", resource.kind));
    }
    set_gvk(&mut defs, SCALE, "autoscaling", "v1", "Scale");
    set_gvk(&mut defs, BINDING, "", "v1", "Binding");
    set_gvk(&mut defs, EVICTION, "policy", "v1", "Eviction");
    set_gvk(&mut defs, STATUS, "", "v1", "Status");
    scalar_unions(&mut defs);
    merge_keys::apply(&mut defs);
    Ok(defs.into_iter().map(|(name, value)| (name, Arc::new(value))).collect())
}

/// Upstream's v3 documents describe Quantity and IntOrString as `oneOf` their JSON types,
/// without a `type` of their own; kubectl explain then names them (`map[string]Quantity`,
/// `<IntOrString>`) rather than printing `string`.
fn scalar_unions(defs: &mut BTreeMap<String, Value>) {
    let unions = [
        ("io.k8s.apimachinery.pkg.api.resource.Quantity", ["string", "number"]),
        ("io.k8s.apimachinery.pkg.util.intstr.IntOrString", ["integer", "string"]),
    ];
    for (name, types) in unions {
        if let Some(Value::Object(schema)) = defs.get_mut(name) {
            schema.remove("type");
            schema.insert("oneOf".into(), json!([{ "type": types[0] }, { "type": types[1] }]));
        }
    }
}

/// `io.k8s.api.apps.v1.DeploymentList` for `io.k8s.api.apps.v1.Deployment`.
pub(crate) fn list_name(resource: &ResourceInfo) -> String {
    format!("{}List", resource.schema)
}

/// k8s-openapi has no schema for its generic `List<T>`; this is upstream's shape.
pub(crate) fn list_schema(resource: &ResourceInfo) -> Value {
    json!({
        "description": format!("{}List is a list of {}.", resource.kind, resource.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {
                "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
                "type": "string"
            },
            "items": {
                "description": format!("List of {}.", resource.plural),
                "type": "array",
                "items": { "$ref": format!("{REF_PREFIX}{}", resource.schema) }
            },
            "kind": {
                "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
                "type": "string"
            },
            "metadata": {
                "allOf": [{ "$ref": format!("{REF_PREFIX}{LIST_META}") }],
                "description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
            }
        }
    })
}

/// The GVK triple as upstream writes it (exactly these three keys: kubectl compares maps).
pub(crate) fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({ "group": group, "kind": kind, "version": version })
}

/// Top-level kinds carry `x-kubernetes-group-version-kind: [{group, version, kind}]`; that
/// is how kubectl (apply, explain) finds the schema of a kind.
fn set_gvk(defs: &mut BTreeMap<String, Value>, name: &str, group: &str, version: &str, kind: &str) {
    let Some(Value::Object(schema)) = defs.get_mut(name) else { return };
    let entry = gvk(group, version, kind);
    let list = schema.entry("x-kubernetes-group-version-kind").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = list {
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
}

/// `roots` and every definition reachable from them through refs, as the
/// `components.schemas` object of one document.
pub(crate) fn closure(defs: &Definitions, roots: &[String]) -> Map<String, Value> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = roots.to_vec();
    while let Some(name) = pending.pop() {
        if seen.contains(&name) {
            continue;
        }
        let Some(schema) = defs.get(&name) else { continue };
        collect_refs(schema, &mut pending);
        seen.insert(name);
    }
    seen.into_iter().filter_map(|name| defs.get(&name).map(|schema| (name, Value::clone(schema)))).collect()
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(name) = child.as_str().and_then(ref_name) {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RESOURCES;

    #[test]
    fn kinds_lists_and_references_are_generated() {
        let defs = definitions(RESOURCES).unwrap();
        for resource in RESOURCES {
            assert!(defs.contains_key(resource.schema), "{}", resource.schema);
            assert!(defs.contains_key(&list_name(resource)));
        }
        let deployment = &defs["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            deployment["x-kubernetes-group-version-kind"],
            json!([{"group": "apps", "kind": "Deployment", "version": "v1"}])
        );
        // A ref with a description is wrapped in allOf, as upstream serves it.
        assert_eq!(
            deployment["properties"]["spec"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"
        );
        assert!(deployment["properties"]["spec"]["description"].is_string());
        let pod = &defs["io.k8s.api.core.v1.Pod"];
        assert_eq!(pod["x-kubernetes-group-version-kind"][0]["group"], "");
        let quantity = &defs["io.k8s.apimachinery.pkg.api.resource.Quantity"];
        assert!(quantity.get("type").is_none());
        assert_eq!(quantity["oneOf"], json!([{"type": "string"}, {"type": "number"}]));
    }

    #[test]
    fn closure_follows_refs() {
        let defs = definitions(RESOURCES).unwrap();
        let schemas = closure(&defs, &["io.k8s.api.apps.v1.Deployment".to_string()]);
        assert!(schemas.contains_key("io.k8s.api.core.v1.PodSpec"));
        assert!(schemas.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
        assert!(schemas.contains_key("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
        assert!(!schemas.contains_key("io.k8s.api.core.v1.NodeSpec"));
    }
}
