//! The PV controller (upstream's `pkg/controller/volume/persistentvolume`, for volumes
//! that need no attach): a pending claim is bound to the volume `matching` finds — the
//! volume's claimRef first, then the claim's volumeName, each through the API; a claim
//! no volume fits waits for its class's provisioner (or its first consumer, for
//! `WaitForFirstConsumer` classes); a volume whose claim is gone is `Released`, and a
//! bound claim whose volume is gone is `Lost`.

use std::collections::HashSet;
use std::sync::Mutex;

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, PostParams};
use kube::runtime::reflector::{self, reflector, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};

use super::{claim_class, claim_reference, matching};
use crate::client::store_sync::is_synced;
use crate::machinery::record::EventRecorder;
use crate::machinery::well_known::volume::{
    BETA_STORAGE_PROVISIONER, BIND_COMPLETED, BOUND_BY_CONTROLLER, SELECTED_NODE, STORAGE_PROVISIONER,
};

const COMPONENT: &str = "persistentvolume-controller";
/// Upstream resyncs every 15 s; changes come through the watches at once.
const RESYNC: std::time::Duration = std::time::Duration::from_secs(15);

struct Controller {
    claims: Api<PersistentVolumeClaim>,
    volumes: Api<PersistentVolume>,
    claim_store: Store<PersistentVolumeClaim>,
    volume_store: Store<PersistentVolume>,
    class_store: Store<StorageClass>,
    recorder: EventRecorder,
    /// (uid, reason) of the events already said, so a waiting claim is told once.
    said: Mutex<HashSet<(String, String)>>,
}

/// Runs the controller until the task is dropped.
pub async fn run(client: Client) {
    let (claim_store, claim_changes) = watched::<PersistentVolumeClaim>(&client);
    let (volume_store, volume_changes) = watched::<PersistentVolume>(&client);
    let (class_store, class_changes) = watched::<StorageClass>(&client);
    let controller = Controller {
        claims: Api::all(client.clone()),
        volumes: Api::all(client.clone()),
        claim_store,
        volume_store,
        class_store,
        recorder: EventRecorder::new(client, COMPONENT),
        said: Mutex::new(HashSet::new()),
    };
    let mut changes = futures::stream::select_all([claim_changes, volume_changes, class_changes]);
    let mut resync = tokio::time::interval(RESYNC);
    loop {
        tokio::select! {
            change = changes.next() => if change.is_none() { return },
            _ = resync.tick() => {}
        }
        // Whatever follows right behind is covered by the same pass.
        while let Some(Some(_)) = changes.next().now_or_never() {}
        if controller.synced() {
            controller.sync_all().await;
        }
    }
}

type Changes = futures::stream::BoxStream<'static, ()>;

/// A store of `K` kept by a watch, and a stream that ticks on each change.
fn watched<K>(client: &Client) -> (Store<K>, Changes)
where
    K: kube::Resource<DynamicType = ()> + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let writer = reflector::store::Writer::default();
    let store = writer.as_reader();
    let changes =
        reflector(writer, watcher(Api::<K>::all(client.clone()), watcher::Config::default()).default_backoff())
            .filter_map(|change| async move {
                if let Err(err) = &change {
                    tracing::debug!(%err, "volume watch failed");
                }
                change.ok().map(|_| ())
            })
            .boxed();
    (store, changes)
}

fn now() -> Time {
    Time(chrono::Utc::now())
}

impl Controller {
    fn synced(&self) -> bool {
        is_synced(&self.claim_store) && is_synced(&self.volume_store) && is_synced(&self.class_store)
    }

    async fn sync_all(&self) {
        let volumes: Vec<PersistentVolume> = self.volume_store.state().iter().map(|v| (**v).clone()).collect();
        for volume in &volumes {
            self.sync_volume(volume).await;
        }
        let claims: Vec<PersistentVolumeClaim> = self.claim_store.state().iter().map(|c| (**c).clone()).collect();
        for claim in claims.iter().filter(|c| c.metadata.deletion_timestamp.is_none()) {
            let volumes: Vec<PersistentVolume> = self.volume_store.state().iter().map(|v| (**v).clone()).collect();
            self.sync_claim(claim, &volumes).await;
        }
    }

    /// Tells `object` once per reason (upstream repeats; the event correlator would fold it).
    fn say(&self, object: &ObjectReference, type_: &'static str, reason: &str, message: &str) {
        let key = (object.uid.clone().unwrap_or_default(), format!("{reason}/{message}"));
        if self.said.lock().map(|mut said| said.insert(key)).unwrap_or(true) {
            self.recorder.record(object, type_, reason, message);
        }
    }

    async fn sync_volume(&self, volume: &PersistentVolume) {
        let phase = volume.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default();
        let Some(reference) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
            if phase != "Available" && phase != "Failed" {
                self.set_volume_phase(volume, "Available").await;
            }
            return;
        };
        let key = ObjectRef::new(reference.name.as_deref().unwrap_or_default())
            .within(reference.namespace.as_deref().unwrap_or_default());
        let claim = self.claim_store.get(&key);
        let claim_is_gone = match &claim {
            None => true,
            Some(claim) => {
                reference.uid.as_deref().is_some_and(|uid| !uid.is_empty() && Some(uid) != claim.uid().as_deref())
            }
        };
        if claim_is_gone {
            // A volume pre-bound (no uid) to a claim not made yet waits for it.
            let pre_bound = reference.uid.as_deref().is_none_or(str::is_empty);
            if !pre_bound && phase != "Released" && phase != "Failed" {
                self.set_volume_phase(volume, "Released").await;
            }
            return;
        }
        let bound = claim.as_ref().and_then(|c| c.spec.as_ref()).and_then(|s| s.volume_name.as_deref())
            == Some(volume.name_any().as_str());
        if bound && phase != "Bound" {
            self.set_volume_phase(volume, "Bound").await;
        }
    }

    async fn set_volume_phase(&self, volume: &PersistentVolume, phase: &str) {
        let mut updated = volume.clone();
        let status = updated.status.get_or_insert_with(Default::default);
        status.phase = Some(phase.to_string());
        status.last_phase_transition_time = Some(now());
        let result = self
            .volumes
            .replace_status(
                &volume.name_any(),
                &PostParams::default(),
                serde_json::to_vec(&updated).unwrap_or_default(),
            )
            .await;
        if let Err(err) = result {
            tracing::debug!(%err, volume = %volume.name_any(), "writing the volume's phase failed");
        }
    }

    async fn sync_claim(&self, claim: &PersistentVolumeClaim, volumes: &[PersistentVolume]) {
        let phase = claim.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default();
        let wanted = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).filter(|v| !v.is_empty());
        if let Some(name) = wanted {
            match volumes.iter().find(|v| v.name_any() == name) {
                Some(volume) if matching::refers_to(volume, claim) => {
                    if phase != "Bound" {
                        self.bind(claim, volume).await;
                    }
                }
                // The user named a free volume: bind it.
                Some(volume) if volume.spec.as_ref().is_some_and(|s| s.claim_ref.is_none()) => {
                    self.bind(claim, volume).await
                }
                Some(_) => {
                    let message = format!("volume \"{name}\" already bound to a different claim.");
                    self.say(&claim_reference(claim), "Warning", "FailedBinding", &message);
                }
                None if phase == "Bound" => {
                    self.set_claim_phase(claim, "Lost", None).await;
                    let message = "Bound claim has lost its PersistentVolume. Data on the volume is lost!";
                    self.say(&claim_reference(claim), "Warning", "ClaimLost", message);
                }
                None => {}
            }
            return;
        }
        let class_name = claim_class(claim);
        let class = (!class_name.is_empty()).then(|| self.class_store.get(&ObjectRef::new(class_name))).flatten();
        let waits_for_consumer =
            class.as_ref().and_then(|c| c.volume_binding_mode.as_deref()) == Some("WaitForFirstConsumer");
        let selected_node = claim.annotations().get(SELECTED_NODE);
        // A delayed claim binds once its first consumer has a node (the scheduler says).
        if !waits_for_consumer || selected_node.is_some() {
            if let Some(volume) = matching::find(claim, volumes) {
                self.bind(claim, volume).await;
                return;
            }
        }
        let reference = claim_reference(claim);
        match class {
            None if class_name.is_empty() => {
                let message = "no persistent volumes available for this claim and no storage class is set";
                self.say(&reference, "Normal", "FailedBinding", message);
            }
            None => {
                let message = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
                self.say(&reference, "Warning", "ProvisioningFailed", &message);
            }
            Some(_) if waits_for_consumer && selected_node.is_none() => {
                let message = "waiting for first consumer to be created before binding";
                self.say(&reference, "Normal", "WaitForFirstConsumer", message);
            }
            Some(class) if class.provisioner == "kubernetes.io/no-provisioner" => {}
            Some(class) => {
                if claim.annotations().get(STORAGE_PROVISIONER) != Some(&class.provisioner) {
                    let mut updated = claim.clone();
                    let annotations = updated.annotations_mut();
                    annotations.insert(STORAGE_PROVISIONER.to_string(), class.provisioner.clone());
                    annotations.insert(BETA_STORAGE_PROVISIONER.to_string(), class.provisioner.clone());
                    if let Err(err) =
                        self.claims_in(claim).replace(&claim.name_any(), &PostParams::default(), &updated).await
                    {
                        tracing::debug!(%err, claim = %claim.name_any(), "asking for provisioning failed");
                        return;
                    }
                }
                let message = format!(
                    "Waiting for a volume to be created either by the external provisioner '{}' or manually by the \
                     system administrator. If volume creation is delayed, please verify that the provisioner is \
                     running and correctly registered.",
                    class.provisioner
                );
                self.say(&reference, "Normal", "ExternalProvisioning", &message);
            }
        }
    }

    fn claims_in(&self, claim: &PersistentVolumeClaim) -> Api<PersistentVolumeClaim> {
        Api::namespaced(self.claims.clone().into_client(), claim.namespace().as_deref().unwrap_or("default"))
    }

    /// Binds as upstream: the volume's claimRef, the volume's phase, the claim's
    /// volumeName, then the claim's phase — a conflict anywhere waits for the next pass.
    async fn bind(&self, claim: &PersistentVolumeClaim, volume: &PersistentVolume) {
        let name = volume.name_any();
        let mut volume = volume.clone();
        if !matching::refers_to(&volume, claim)
            || volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|r| r.uid.as_ref()).is_none()
        {
            let by_controller = volume.spec.as_ref().is_some_and(|s| s.claim_ref.is_none());
            if let Some(spec) = volume.spec.as_mut() {
                let mut reference = claim_reference(claim);
                reference.resource_version = claim.resource_version();
                spec.claim_ref = Some(reference);
            }
            if by_controller {
                volume.annotations_mut().insert(BOUND_BY_CONTROLLER.to_string(), "yes".to_string());
            }
            match self.volumes.replace(&name, &PostParams::default(), &volume).await {
                Ok(written) => volume = written,
                Err(err) => return tracing::debug!(%err, volume = %name, "binding the volume failed"),
            }
        }
        if volume.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") {
            self.set_volume_phase(&volume, "Bound").await;
        }
        let mut updated = claim.clone();
        let needs_name = updated.spec.as_ref().and_then(|s| s.volume_name.as_deref()) != Some(name.as_str());
        let completed = updated.annotations().get(BIND_COMPLETED).is_some();
        if needs_name || !completed {
            if needs_name {
                updated.spec.get_or_insert_with(Default::default).volume_name = Some(name.clone());
                updated.annotations_mut().insert(BOUND_BY_CONTROLLER.to_string(), "yes".to_string());
            }
            updated.annotations_mut().insert(BIND_COMPLETED.to_string(), "yes".to_string());
            match self.claims_in(claim).replace(&claim.name_any(), &PostParams::default(), &updated).await {
                Ok(written) => updated = written,
                Err(err) => return tracing::debug!(%err, claim = %claim.name_any(), "binding the claim failed"),
            }
        }
        self.set_claim_phase(&updated, "Bound", Some(&volume)).await;
    }

    async fn set_claim_phase(&self, claim: &PersistentVolumeClaim, phase: &str, volume: Option<&PersistentVolume>) {
        let mut updated = claim.clone();
        let status = updated.status.get_or_insert_with(Default::default);
        status.phase = Some(phase.to_string());
        let spec = volume.and_then(|v| v.spec.as_ref());
        status.access_modes = spec.and_then(|s| s.access_modes.clone());
        status.capacity = spec.and_then(|s| s.capacity.clone());
        let body = serde_json::to_vec(&updated).unwrap_or_default();
        if let Err(err) = self.claims_in(claim).replace_status(&claim.name_any(), &PostParams::default(), body).await {
            tracing::debug!(%err, claim = %claim.name_any(), "writing the claim's phase failed");
        }
    }
}
