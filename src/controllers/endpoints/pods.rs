//! What a Service's endpoints say of one pod, shared by the Endpoints and EndpointSlice
//! reconcilers (upstream's endpointslice/util and pkg/api/v1/pod helpers): whether the pod
//! belongs in them, whether it is ready, which port a service port targets, and the
//! hostname a headless Service publishes.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{ObjectReference, Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::runtime::reflector::Store;
use kube::ResourceExt;

use crate::controllers::cached_pod::CachedPod;
use crate::machinery::labels::Selector;

/// Upstream's ShouldPodBeInEndpoints: not finished, has an IP, and (unless terminating
/// pods are wanted) not being deleted.
pub fn belongs_in_endpoints(pod: &CachedPod, include_terminating: bool) -> bool {
    let status = pod.status.as_ref();
    if matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")) {
        return false;
    }
    if status.and_then(|s| s.pod_ip.as_deref()).unwrap_or_default().is_empty() {
        return false;
    }
    include_terminating || pod.metadata.deletion_timestamp.is_none()
}

/// The pod's Ready condition is True.
pub fn is_ready(pod: &CachedPod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

pub fn pod_ip(pod: &CachedPod) -> String {
    pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default()
}

/// Upstream's FindPort: a numeric targetPort as it is (the port itself when unset), a
/// named one looked up among the containers' (and sidecars') ports of the same protocol.
pub fn target_port(pod: &CachedPod, port: &ServicePort) -> Option<i32> {
    let protocol = port.protocol.as_deref().unwrap_or("TCP");
    match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(number)) => Some(*number),
        Some(IntOrString::String(name)) => {
            let spec = pod.spec.as_ref()?;
            let sidecars = spec.init_containers.iter().filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| &c.ports)
                .find(|p| p.name.as_deref() == Some(name) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                .map(|p| p.container_port)
        }
    }
}

/// Upstream's ShouldSetHostname: the pod names itself (`hostname`) under this Service
/// (`subdomain`), in its namespace.
pub fn hostname_for(pod: &CachedPod, service: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let hostname = spec.hostname.as_deref().filter(|h| !h.is_empty())?;
    (spec.subdomain.as_deref() == Some(service.name_any().as_str()) && pod.namespace() == service.namespace())
        .then(|| hostname.to_string())
}

pub fn target_ref(pod: &CachedPod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".to_string()),
        namespace: pod.namespace(),
        name: Some(pod.name_any()),
        uid: pod.uid(),
        ..Default::default()
    }
}

/// `clusterIP: None`.
pub fn is_headless(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

pub fn publishes_not_ready(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false)
}

/// The Service's selector; `None` when it has none (its endpoints are written by hand).
/// An empty selector selects every pod of the namespace, as upstream's.
pub fn selector(service: &Service) -> Option<Selector> {
    service.spec.as_ref()?.selector.as_ref().map(Selector::from_set)
}

/// The pods of the Service's namespace its selector matches, by name.
pub fn selected_pods(pods: &Store<CachedPod>, service: &Service, selector: &Selector) -> Vec<Arc<CachedPod>> {
    let namespace = service.namespace();
    let mut selected: Vec<Arc<CachedPod>> =
        pods.state().into_iter().filter(|p| p.namespace() == namespace && selector.matches(p.labels())).collect();
    selected.sort_by_key(|p| p.name_any());
    selected
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(value: serde_json::Value) -> CachedPod {
        serde_json::from_value(value).unwrap()
    }

    fn port(value: serde_json::Value) -> ServicePort {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn named_target_ports_resolve_from_container_ports_of_the_same_protocol() {
        let web = pod(json!({"metadata": {"name": "web"}, "spec": {
            "containers": [{"name": "a", "image": "x", "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]},
                {"name": "b", "image": "x", "ports": [{"name": "http", "containerPort": 8080}]}],
            "initContainers": [{"name": "s", "image": "x", "restartPolicy": "Always",
                "ports": [{"name": "metrics", "containerPort": 9090}]},
                {"name": "i", "image": "x", "ports": [{"name": "init", "containerPort": 1}]}]}}));
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": "http"}))), Some(8080));
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": "dns", "protocol": "UDP"}))), Some(53));
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": "dns"}))), None, "TCP has no dns port");
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": "metrics"}))), Some(9090));
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": "init"}))), None);
        assert_eq!(target_port(&web, &port(json!({"port": 80, "targetPort": 81}))), Some(81));
        assert_eq!(target_port(&web, &port(json!({"port": 80}))), Some(80));
    }

    #[test]
    fn finished_and_unaddressed_pods_are_left_out_and_terminating_ones_on_request() {
        let running = json!({"metadata": {"name": "p"}, "status": {"phase": "Running", "podIP": "10.0.0.1"}});
        assert!(belongs_in_endpoints(&pod(running.clone()), false));
        let mut done = running.clone();
        done["status"]["phase"] = json!("Succeeded");
        assert!(!belongs_in_endpoints(&pod(done), true));
        let mut pending = running.clone();
        pending["status"] = json!({"phase": "Pending"});
        assert!(!belongs_in_endpoints(&pod(pending), true));
        let mut terminating = running;
        terminating["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        assert!(!belongs_in_endpoints(&pod(terminating.clone()), false));
        assert!(belongs_in_endpoints(&pod(terminating), true));
    }

    #[test]
    fn a_pod_publishes_its_hostname_only_under_its_subdomain_service() {
        let service: Service =
            serde_json::from_value(json!({"metadata": {"name": "db", "namespace": "default"}})).unwrap();
        let named = |subdomain: &str| {
            pod(json!({"metadata": {"name": "p", "namespace": "default"},
                "spec": {"hostname": "db-0", "subdomain": subdomain, "containers": []}}))
        };
        assert_eq!(hostname_for(&named("db"), &service).as_deref(), Some("db-0"));
        assert_eq!(hostname_for(&named("other"), &service), None);
    }
}
