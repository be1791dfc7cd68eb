//! The control loops a control plane runs beside its apiserver: the controller-manager
//! and the scheduler, as API clients of it.

use std::time::Duration;

use crate::apiserver;
use crate::controllers::ControllerOptions;

/// Starts the controller-manager and the scheduler as API clients of `server` (what a
/// control-plane node runs beside the apiserver).
pub fn spawn_control_loops(
    server: &apiserver::RunningServer,
    components: &mut tokio::task::JoinSet<()>,
    node_monitor_grace_period: Duration,
    pod_eviction_timeout: Duration,
) {
    // One identity for both leases: whoever reads them sees which process leads.
    let identity = crate::machinery::leaderelection::identity();
    let options = ControllerOptions { node_monitor_grace_period, pod_eviction_timeout, identity: identity.clone() };
    let controllers =
        server.client_for("system:kube-controller-manager", &["system:masters"], "kube-controller-manager");
    components.spawn(crate::controllers::run(controllers.clone(), options));
    components.spawn(crate::controllers::csr_signing::run(controllers, server.signing_ca().clone()));
    let scheduler = server.client_for("system:kube-scheduler", &["system:masters"], "kube-scheduler");
    components.spawn(crate::scheduler::run(scheduler, identity));
}

/// Starts kind's storage addon (the `standard` class and its local-path provisioner) as
/// a client of `server`: what clusters whose nodes run pods on Docker get.
pub fn spawn_storage_addon(server: &apiserver::RunningServer, components: &mut tokio::task::JoinSet<()>) {
    let provisioner = server.client_for(
        "system:serviceaccount:local-path-storage:local-path-provisioner-service-account",
        &["system:masters"],
        "local-path-provisioner",
    );
    components.spawn(crate::controllers::volume::local_path::run(provisioner));
}
