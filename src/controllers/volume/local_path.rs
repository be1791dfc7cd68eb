//! kind's storage addon: the default StorageClass `standard` and its provisioner
//! `rancher.io/local-path` (rancher's local-path-provisioner, as kind deploys it). A
//! claim of the class gets, once the scheduler has chosen its first consumer's node, a
//! `hostPath` volume `pvc-<claim uid>` under `/var/local-path-provisioner` on that node,
//! with node affinity to it; a released volume of the class is deleted (the node's
//! kubelet then removes its data, see `kubelet::docker::host_path`).

use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, DeleteParams, PostParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use serde_json::json;

use super::claim_reference;
use crate::machinery::record::EventRecorder;
use crate::machinery::well_known::volume::{PROVISIONED_BY, SELECTED_NODE, STORAGE_PROVISIONER};
use crate::machinery::well_known::LABEL_HOSTNAME;

pub const PROVISIONER: &str = "rancher.io/local-path";
pub const STORAGE_CLASS: &str = "standard";
/// Where the volumes' directories live on a node (the provisioner's default).
pub const ROOT: &str = crate::machinery::well_known::LOCAL_PATH_ROOT;
/// The provisioner's own annotation of the node it chose.
const SELECTED_NODE_OF_VOLUME: &str = "local.path.provisioner/selected-node";

/// kind's `standard` class, as its storage addon manifest has it.
pub fn storage_class() -> StorageClass {
    serde_json::from_value(json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": {crate::machinery::well_known::volume::IS_DEFAULT_CLASS: "true"}},
        "provisioner": PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
    }))
    .unwrap_or_default()
}

/// The volume made for `claim` on `node`, with `reclaim` as its class's policy.
pub fn volume_for(claim: &PersistentVolumeClaim, node: &str, reclaim: &str) -> PersistentVolume {
    let uid = claim.uid().unwrap_or_default();
    let namespace = claim.namespace().unwrap_or_default();
    let name = claim.name_any();
    let spec = claim.spec.clone().unwrap_or_default();
    let storage = spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).cloned();
    let mut reference = claim_reference(claim);
    reference.resource_version = claim.resource_version();
    serde_json::from_value(json!({
        "metadata": {
            "name": format!("pvc-{uid}"),
            "annotations": {PROVISIONED_BY: PROVISIONER, SELECTED_NODE_OF_VOLUME: node},
        },
        "spec": {
            "capacity": {"storage": storage},
            "accessModes": spec.access_modes,
            "claimRef": reference,
            "hostPath": {"path": format!("{ROOT}/pvc-{uid}_{namespace}_{name}"), "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": LABEL_HOSTNAME, "operator": "In", "values": [node]}]}
            ]}},
            "persistentVolumeReclaimPolicy": reclaim,
            "storageClassName": spec.storage_class_name,
            "volumeMode": spec.volume_mode.unwrap_or_else(|| "Filesystem".to_string()),
        },
    }))
    .unwrap_or_default()
}

/// Runs the addon until the task is dropped: makes the class when missing, then
/// provisions and deletes.
pub async fn run(client: Client) {
    let classes: Api<StorageClass> = Api::all(client.clone());
    if let Err(err) = classes.create(&PostParams::default(), &storage_class()).await {
        if !matches!(&err, kube::Error::Api(status) if status.code == 409) {
            tracing::warn!(%err, "creating the standard StorageClass failed");
        }
    }
    let recorder = EventRecorder::new(client.clone(), &format!("{PROVISIONER}_local-path-provisioner"));
    let claims = watcher(Api::<PersistentVolumeClaim>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .applied_objects()
        .map(Change::Claim);
    let volumes = watcher(Api::<PersistentVolume>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .applied_objects()
        .map(Change::Volume);
    let mut changes = futures::stream::select(claims.boxed(), volumes.boxed());
    while let Some(change) = changes.next().await {
        match change {
            Change::Claim(Ok(claim)) => provision(&client, &classes, &recorder, &claim).await,
            Change::Volume(Ok(volume)) => reclaim(&client, &volume).await,
            Change::Claim(Err(err)) | Change::Volume(Err(err)) => tracing::debug!(%err, "local-path watch failed"),
        }
    }
}

enum Change {
    Claim(Result<PersistentVolumeClaim, watcher::Error>),
    Volume(Result<PersistentVolume, watcher::Error>),
}

/// Makes the volume of a claim that asks this provisioner and has its node.
async fn provision(
    client: &Client,
    classes: &Api<StorageClass>,
    recorder: &EventRecorder,
    claim: &PersistentVolumeClaim,
) {
    let unbound = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).is_none_or(str::is_empty);
    let ours = claim.annotations().get(STORAGE_PROVISIONER).map(String::as_str) == Some(PROVISIONER);
    let Some(node) = claim.annotations().get(SELECTED_NODE) else { return };
    if !unbound || !ours || claim.metadata.deletion_timestamp.is_some() {
        return;
    }
    let class = super::claim_class(claim);
    let reclaim = match classes.get_opt(class).await {
        Ok(Some(class)) => class.reclaim_policy.unwrap_or_else(|| "Delete".to_string()),
        Ok(None) | Err(_) => return,
    };
    let reference = claim_reference(claim);
    let volume = volume_for(claim, node, &reclaim);
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let message = format!(
        "External provisioner is provisioning volume for claim \"{}/{}\"",
        claim.namespace().unwrap_or_default(),
        claim.name_any()
    );
    match volumes.create(&PostParams::default(), &volume).await {
        Ok(made) => {
            recorder.normal(&reference, "Provisioning", &message);
            recorder.normal(
                &reference,
                "ProvisioningSucceeded",
                &format!("Successfully provisioned volume {}", made.name_any()),
            );
        }
        // Made already (a repeated event of the same claim).
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(err) => recorder.warning(
            &reference,
            "ProvisioningFailed",
            &format!("failed to provision volume with StorageClass \"{class}\": {err}"),
        ),
    }
}

/// Deletes a released volume of ours whose policy says so.
async fn reclaim(client: &Client, volume: &PersistentVolume) {
    let released = volume.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
    let ours = volume.annotations().get(PROVISIONED_BY).map(String::as_str) == Some(PROVISIONER);
    let delete = volume.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Delete");
    if released && ours && delete && volume.metadata.deletion_timestamp.is_none() {
        let volumes: Api<PersistentVolume> = Api::all(client.clone());
        if let Err(err) = volumes.delete(&volume.name_any(), &DeleteParams::default()).await {
            tracing::debug!(%err, volume = %volume.name_any(), "deleting a released volume failed");
        }
    }
}
