//! A pod as the control plane's own watchers decode it (the scheduler, hollow kubelets):
//! all of it but `metadata.managedFields`, which they never read. Decoding a pod's field
//! sets into `serde_json::Value`s was about half of each full `Pod` decode in the
//! cluster bench's profile, and every binding and status write is decoded by two
//! watchers.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use kube::runtime::watcher::Event;
use serde::{Deserialize, Deserializer};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WatchedPod {
    #[serde(default, deserialize_with = "unmanaged_metadata")]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Option<PodSpec>,
    #[serde(default)]
    pub status: Option<PodStatus>,
}

impl From<WatchedPod> for Pod {
    fn from(pod: WatchedPod) -> Pod {
        Pod { metadata: pod.metadata, spec: pod.spec, status: pod.status }
    }
}

/// A watch event of these, as one of `Pod`s (moved, not copied).
pub fn into_pod_event(event: Event<WatchedPod>) -> Event<Pod> {
    match event {
        Event::Init => Event::Init,
        Event::InitApply(pod) => Event::InitApply(pod.into()),
        Event::Apply(pod) => Event::Apply(pod.into()),
        Event::Delete(pod) => Event::Delete(pod.into()),
        Event::InitDone => Event::InitDone,
    }
}

/// `impl kube::Resource` for a partial pod type (with a `metadata: ObjectMeta` field):
/// listed, watched and patched as pods are, the API's answers decoding into that type.
macro_rules! pod_resource {
    ($type:ty) => {
        impl kube::Resource for $type {
            type DynamicType = ();
            type Scope = k8s_openapi::NamespaceResourceScope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                <k8s_openapi::api::core::v1::Pod as k8s_openapi::Resource>::KIND.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                <k8s_openapi::api::core::v1::Pod as k8s_openapi::Resource>::GROUP.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                <k8s_openapi::api::core::v1::Pod as k8s_openapi::Resource>::VERSION.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                <k8s_openapi::api::core::v1::Pod as k8s_openapi::Resource>::URL_PATH_SEGMENT.into()
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}
pub(crate) use pod_resource;

pod_resource!(WatchedPod);

/// The metadata fields a control-plane client reads; managedFields are skipped rather
/// than decoded.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnmanagedMeta {
    name: Option<String>,
    generate_name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    generation: Option<i64>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    deletion_grace_period_seconds: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    finalizers: Option<Vec<String>>,
}

/// `ObjectMeta` without managedFields, for `#[serde(deserialize_with)]`.
pub fn unmanaged_metadata<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ObjectMeta, D::Error> {
    let meta = UnmanagedMeta::deserialize(deserializer)?;
    Ok(ObjectMeta {
        name: meta.name,
        generate_name: meta.generate_name,
        namespace: meta.namespace,
        uid: meta.uid,
        resource_version: meta.resource_version,
        generation: meta.generation,
        creation_timestamp: meta.creation_timestamp,
        deletion_timestamp: meta.deletion_timestamp,
        deletion_grace_period_seconds: meta.deletion_grace_period_seconds,
        labels: meta.labels,
        annotations: meta.annotations,
        owner_references: meta.owner_references,
        finalizers: meta.finalizers,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_watched_pod_is_the_pod_without_its_field_sets() {
        let object = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7",
                         "labels": {"app": "web"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "r1", "controller": true}],
                         "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsV1": {"f:status": {}}}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "a", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]},
            "status": {"phase": "Running"},
        });
        let watched: WatchedPod = serde_json::from_value(object.clone()).expect("decodes");
        let mut full: Pod = serde_json::from_value(object).expect("decodes");
        assert!(full.metadata.managed_fields.take().is_some());
        assert_eq!(Pod::from(watched), full);
    }
}
