//! Volume binding (upstream's VolumeBinding plugin, as far as node-local volumes need it):
//! every claim a pod names must exist; a bound claim's PersistentVolume node affinity
//! limits the nodes; an unbound claim of a `WaitForFirstConsumer` class is tied to the
//! chosen node by annotating it `volume.kubernetes.io/selected-node` before the pod is
//! bound (its provisioner then makes the volume there); an unbound claim of an
//! `Immediate` class keeps the pod pending until the PV controller binds it.

use futures::StreamExt;
use k8s_openapi::api::core::v1::{NodeSelector, NodeSelectorRequirement, NodeSelectorTerm};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::runtime::reflector::{self, reflector, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client};
use tokio::sync::mpsc;

use super::info::PodInfo;
use crate::client::store_sync::is_synced;
use crate::machinery::well_known::volume::SELECTED_NODE;
use crate::machinery::well_known::LABEL_HOSTNAME;

/// What scheduling a pod with claims needs besides the other filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumePlan {
    /// Node affinity of the volumes already bound (each must match).
    pub affinity: Vec<NodeSelector>,
    /// Unbound `WaitForFirstConsumer` claims to annotate with the chosen node.
    pub select_node: Vec<String>,
}

/// The claims, volumes and classes the scheduler watches; its tasks stop with it.
pub struct Volumes {
    claims: Store<PersistentVolumeClaim>,
    volumes: Store<PersistentVolume>,
    classes: Store<StorageClass>,
    /// Dropped with the scheduler (which runs only while it leads): the watches stop.
    _tasks: tokio::task::JoinSet<()>,
}

impl Volumes {
    /// Starts the watches; each change is signalled on `changed` (waiting pods retry).
    pub fn start(client: &Client, changed: mpsc::UnboundedSender<()>) -> Volumes {
        let mut tasks = tokio::task::JoinSet::new();
        let claims = watch(&mut tasks, Api::all(client.clone()), changed.clone());
        let volumes = watch(&mut tasks, Api::all(client.clone()), changed.clone());
        let classes = watch(&mut tasks, Api::all(client.clone()), changed);
        Volumes { claims, volumes, classes, _tasks: tasks }
    }

    /// Whether every watch has listed once (before that a claim may look missing).
    pub fn synced(&self) -> bool {
        is_synced(&self.claims) && is_synced(&self.volumes) && is_synced(&self.classes)
    }

    /// The plan for `pod`'s claims, or why it cannot be scheduled anywhere yet (in
    /// upstream's words).
    pub fn plan(&self, pod: &PodInfo) -> Result<VolumePlan, String> {
        let mut plan = VolumePlan::default();
        for name in &pod.claims {
            let key = ObjectRef::new(name).within(&pod.namespace);
            let Some(claim) = self.claims.get(&key) else {
                return Err(format!("persistentvolumeclaim \"{name}\" not found"));
            };
            if claim.metadata.deletion_timestamp.is_some() {
                return Err(format!("persistentvolumeclaim \"{name}\" is being deleted"));
            }
            let spec = claim.spec.as_ref();
            match spec.and_then(|s| s.volume_name.as_deref()).filter(|v| !v.is_empty()) {
                Some(volume) => {
                    let Some(volume) = self.volumes.get(&ObjectRef::new(volume)) else {
                        return Err("pvc(s) bound to non-existent pv(s)".to_string());
                    };
                    let required =
                        volume.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.clone());
                    plan.affinity.extend(required);
                }
                None => {
                    let class = spec.and_then(|s| s.storage_class_name.as_deref()).unwrap_or_default();
                    let class = self.classes.get(&ObjectRef::new(class));
                    let waits =
                        class.as_ref().and_then(|c| c.volume_binding_mode.as_deref()) == Some("WaitForFirstConsumer");
                    if !waits {
                        return Err("pod has unbound immediate PersistentVolumeClaims".to_string());
                    }
                    match claim.metadata.annotations.as_ref().and_then(|a| a.get(SELECTED_NODE)) {
                        // Another consumer chose already: the volume is (being) made there.
                        Some(node) => plan.affinity.push(on_node(node)),
                        None => plan.select_node.push(name.clone()),
                    }
                }
            }
        }
        Ok(plan)
    }
}

/// A selector for the node with this hostname label.
fn on_node(node: &str) -> NodeSelector {
    let requirement = NodeSelectorRequirement {
        key: LABEL_HOSTNAME.to_string(),
        operator: "In".to_string(),
        values: Some(vec![node.to_string()]),
    };
    NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm { match_expressions: Some(vec![requirement]), match_fields: None }],
    }
}

fn watch<K>(tasks: &mut tokio::task::JoinSet<()>, api: Api<K>, changed: mpsc::UnboundedSender<()>) -> Store<K>
where
    K: kube::Resource<DynamicType = ()> + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let writer = reflector::store::Writer::default();
    let store = writer.as_reader();
    let stream = reflector(writer, watcher(api, watcher::Config::default()).default_backoff());
    tasks.spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            if let Err(err) = event {
                tracing::debug!(%err, "scheduler: volume watch failed; retrying");
                continue;
            }
            if changed.send(()).is_err() {
                return;
            }
        }
    });
    store
}
