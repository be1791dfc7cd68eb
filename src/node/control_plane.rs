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
    components.spawn(crate::controllers::serviceaccounts::run(controllers.clone(), server.ca_pem().to_string()));
    components.spawn(crate::controllers::csr_signing::run(controllers, server.signing_ca().clone()));
    let scheduler = server.client_for("system:kube-scheduler", &["system:masters"], "kube-scheduler");
    components.spawn(crate::scheduler::run(scheduler, identity));
}

/// The `kube-dns` Service as kubeadm's CoreDNS addon makes it (kind's clusters have it):
/// in kube-system at the range's tenth address, ports `dns` 53/UDP, `dns-tcp` 53/TCP and
/// `metrics` 9153. Every node's cluster DNS answers at its ClusterIP.
pub fn kube_dns_service(cluster_ip: std::net::Ipv4Addr) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        },
        "spec": {
            "clusterIP": cluster_ip.to_string(),
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    })
}

/// Creates the `kube-dns` Service unless it exists, retrying until the apiserver takes it
/// (kubeadm's addon phase).
pub async fn ensure_kube_dns(client: kube::Client, cluster_ip: std::net::Ipv4Addr) {
    use k8s_openapi::api::core::v1::Service;
    let services: kube::Api<Service> = kube::Api::namespaced(client, "kube-system");
    let Ok(service) = serde_json::from_value::<Service>(kube_dns_service(cluster_ip)) else { return };
    let mut delay = Duration::from_millis(200);
    loop {
        match services.create(&Default::default(), &service).await {
            Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 409, .. })) => return,
            Err(err) => tracing::warn!(%err, "kube-dns Service not created yet; retrying"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
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
