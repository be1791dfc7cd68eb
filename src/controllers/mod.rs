//! The controller-manager: controllers that run as API clients of the apiserver (list,
//! watch, patch through it — never the store), like upstream's kube-controller-manager.

pub mod deployment;
pub mod events;
pub mod expectations;
pub mod gc;
pub mod informer;
pub mod job;
pub mod leader;
pub mod namespace;
pub mod node_lifecycle;
pub mod replicaset;
pub mod slow_start;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Pod};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client};

/// Pods kept in a controller's cache lose their managedFields, which no controller reads
/// and which are a large part of each object (upstream's informers trim them the same way).
pub fn forget_managed_fields<K: kube::Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
}

/// What the shared pod cache keeps of a pod: what the pod controllers read (metadata,
/// node name, tolerations, phase, conditions, containers' restart counts and
/// terminations), without managedFields and with containers reduced to their names. A cached pod is then about a third of its
/// decoded size; the controllers build new pods from their owners' templates, never from
/// cached pods.
pub fn trim_pod_for_controllers(pod: &mut Pod) {
    forget_managed_fields(pod);
    if let Some(spec) = pod.spec.as_mut() {
        let names_only = |c: &mut k8s_openapi::api::core::v1::Container| {
            *c = Container { name: std::mem::take(&mut c.name), ..Default::default() }
        };
        spec.containers.iter_mut().for_each(names_only);
        spec.init_containers.iter_mut().flatten().for_each(names_only);
        spec.ephemeral_containers = None;
        spec.volumes = None;
        spec.affinity = None;
        spec.security_context = None;
        spec.dns_config = None;
        spec.readiness_gates = None;
    }
    // Of the containers' statuses the controllers read the restart counts and when they
    // terminated; images, IDs, resources and mounts were a large part of a cached pod.
    if let Some(status) = pod.status.as_mut() {
        let counts_only = |c: &mut ContainerStatus| {
            let terminated = c.state.take().and_then(|state| state.terminated);
            *c = ContainerStatus {
                name: std::mem::take(&mut c.name),
                restart_count: c.restart_count,
                state: terminated
                    .map(|terminated| ContainerState { terminated: Some(terminated), ..Default::default() }),
                ..Default::default()
            }
        };
        status.container_statuses.iter_mut().flatten().for_each(counts_only);
        status.init_container_statuses.iter_mut().flatten().for_each(counts_only);
        status.ephemeral_container_statuses = None;
        status.pod_ips = None;
        status.host_ips = None;
    }
}

/// Options shared by the controllers.
#[derive(Debug, Clone)]
pub struct ControllerOptions {
    /// How long a node may stay silent before it is marked unreachable.
    pub node_monitor_grace_period: std::time::Duration,
    /// How long pods stay on an unreachable node before they are evicted.
    pub pod_eviction_timeout: std::time::Duration,
    /// Who holds the kube-controller-manager lease when this process leads.
    pub identity: String,
}

impl Default for ControllerOptions {
    fn default() -> Self {
        ControllerOptions {
            node_monitor_grace_period: std::time::Duration::from_secs(40),
            pod_eviction_timeout: std::time::Duration::from_secs(300),
            identity: leader::identity(),
        }
    }
}

/// Runs every controller until the task is dropped — only while this process holds the
/// kube-system/kube-controller-manager lease.
pub async fn run(client: Client, options: ControllerOptions) {
    let config = leader::LeaseConfig::controller_manager().with_identity(&options.identity);
    let controllers = client.clone();
    leader::run_with_lease(client, config, move || run_controllers(controllers.clone(), options.clone())).await
}

/// What a controller hears from the shared pod informer.
pub type PodChanges = futures::stream::BoxStream<'static, std::sync::Arc<informer::Change<Pod>>>;

/// Every controller side by side; dropping the future stops them all. The pod
/// controllers share one pod watch and cache.
pub async fn run_controllers(client: Client, options: ControllerOptions) {
    let mut pods = informer::Informer::new(
        watcher::watcher(Api::<Pod>::all(client.clone()), watcher::Config::default())
            .default_backoff()
            .modify(trim_pod_for_controllers),
    );
    let mut controllers = tokio::task::JoinSet::new();
    controllers.spawn(replicaset::run_replicasets(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(replicaset::run_replication_controllers(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(gc::run(client.clone()));
    controllers.spawn(deployment::run(client.clone()));
    controllers.spawn(job::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(namespace::run(client.clone()));
    controllers.spawn(node_lifecycle::run(client.clone(), options, pods.store()));
    controllers.spawn(pods.run());
    while controllers.join_next().await.is_some() {}
}
