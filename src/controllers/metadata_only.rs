//! An object of any kind read only for its metadata, without managedFields: the decoder
//! skips the rest of each object without building it. Used instead of a metadata watch,
//! whose `ObjectMeta` carries every managedFields entry: a watch of pods sees every status
//! write of every pod, and decoding field sets would be most of its work.

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::ApiResource;
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MetadataOnly {
    #[serde(default, deserialize_with = "crate::client::watched_pod::unmanaged_metadata")]
    pub metadata: ObjectMeta,
}

impl kube::Resource for MetadataOnly {
    type DynamicType = ApiResource;
    type Scope = kube::core::DynamicResourceScope;

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }
    fn group(dt: &ApiResource) -> Cow<'_, str> {
        dt.group.as_str().into()
    }
    fn version(dt: &ApiResource) -> Cow<'_, str> {
        dt.version.as_str().into()
    }
    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }
    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_metadata_is_kept_and_managed_fields_are_dropped() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "uid": "u1", "finalizers": ["f"],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "o1", "controller": true}],
                "managedFields": [{"manager": "m", "operation": "Update", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}, "status": {"phase": "Running"}});
        let read: MetadataOnly = serde_json::from_value(pod).unwrap();
        assert_eq!(read.metadata.name.as_deref(), Some("web"));
        assert_eq!(read.metadata.finalizers, Some(vec!["f".to_string()]));
        assert_eq!(read.metadata.owner_references.unwrap()[0].uid, "o1");
        assert_eq!(read.metadata.managed_fields, None);
    }
}
