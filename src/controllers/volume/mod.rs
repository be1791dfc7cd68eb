//! Persistent volumes: upstream's PV controller (`binder`: claims bound to volumes,
//! volumes released when their claim goes) and kind's storage addon (`local_path`: the
//! default `standard` StorageClass and its provisioner of node-local volumes).

pub mod binder;
pub mod local_path;
pub mod matching;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::ResourceExt;

use crate::machinery::record;

/// The claim's storage class ("" when it names none: it binds only class-less volumes).
pub fn claim_class(claim: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> &str {
    claim.spec.as_ref().and_then(|s| s.storage_class_name.as_deref()).unwrap_or_default()
}

pub fn claim_reference(claim: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> ObjectReference {
    record::reference_to(
        "v1",
        "PersistentVolumeClaim",
        claim.namespace().as_deref(),
        &claim.name_any(),
        claim.uid().as_deref(),
    )
}
