//! The controller-manager: controllers that run as API clients of the apiserver (list,
//! watch, patch through it — never the store), like upstream's kube-controller-manager.

pub mod batch_period;
pub mod cached_pod;
pub mod clusterrole_aggregation;
pub mod cronjob;
pub mod csr_signing;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoints;
pub mod expectations;
pub mod gc;
pub mod history;
pub mod informer;
pub mod job;
pub mod metadata_only;
pub mod namespace;
pub mod node_lifecycle;
pub mod replicaset;
pub mod retry;
pub mod serviceaccounts;
pub mod slow_start;
pub mod statefulset;
pub mod status_patch;
pub mod volume;

use cached_pod::CachedPod;
use futures::StreamExt;
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client};

/// Objects kept in a controller's cache (nodes, leases) lose their managedFields, which no
/// controller reads and which are a large part of each object (upstream's informers trim
/// them the same way).
pub fn forget_managed_fields<K: kube::Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
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
            identity: crate::machinery::leaderelection::identity(),
        }
    }
}

/// Runs every controller until the task is dropped — only while this process holds the
/// kube-system/kube-controller-manager lease.
pub async fn run(client: Client, options: ControllerOptions) {
    let config = crate::machinery::leaderelection::LeaseConfig::controller_manager().with_identity(&options.identity);
    let controllers = client.clone();
    crate::machinery::leaderelection::run_with_lease(client, config, move || {
        run_controllers(controllers.clone(), options.clone())
    })
    .await
}

/// What a controller hears from the shared pod informer.
pub type PodChanges = futures::stream::BoxStream<'static, std::sync::Arc<informer::Change<CachedPod>>>;

/// Every controller side by side; dropping the future stops them all. The pod
/// controllers share one pod watch and cache, of the fields they read (`CachedPod`).
pub async fn run_controllers(client: Client, options: ControllerOptions) {
    let mut pods = informer::Informer::new(
        watcher::watcher(Api::<CachedPod>::all(client.clone()), watcher::Config::default()).default_backoff(),
    );
    let mut controllers = tokio::task::JoinSet::new();
    controllers.spawn(replicaset::run_replicasets(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(replicaset::run_replication_controllers(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(endpoints::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(gc::run(client.clone()));
    controllers.spawn(deployment::run(client.clone()));
    controllers.spawn(job::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(daemonset::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(statefulset::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(namespace::run(client.clone()));
    controllers.spawn(cronjob::run(client.clone()));
    controllers.spawn(disruption::run(client.clone(), pods.store(), pods.subscribe().boxed()));
    controllers.spawn(volume::binder::run(client.clone()));
    controllers.spawn(clusterrole_aggregation::run(client.clone()));
    controllers.spawn(node_lifecycle::run(client.clone(), options, pods.store()));
    controllers.spawn(pods.run());
    while controllers.join_next().await.is_some() {}
}
