//! The EndpointSlices of one Service, as upstream's endpointslice controller writes them
//! (staging/src/k8s.io/endpointslice): one endpoint per selected pod with an IP, terminating
//! pods included, with `ready` (serving and not terminating, or always with
//! `publishNotReadyAddresses`), `serving` (the Ready condition) and `terminating`; pods
//! that offer the same resolved ports share slices of at most 100 endpoints. A Service
//! without endpoints keeps one empty placeholder slice. The slices are owned by the Service,
//! so the garbage collector removes them with it.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::ResourceExt;

use super::endpoints::HEADLESS_LABEL;
use super::pods::{
    belongs_in_endpoints, hostname_for, is_headless, is_ready, pod_ip, publishes_not_ready, target_port,
};
use super::Error;
use crate::controllers::cached_pod::CachedPod;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
/// Upstream's maxEndpointsPerSlice default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// What one slice holds: its ports and endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<Endpoint>,
}

/// The slices `pods` give `service`: endpoints grouped by their ports, 100 to a slice; one
/// empty placeholder when there is no endpoint.
pub fn desired(service: &Service, pods: &[Arc<CachedPod>]) -> Vec<Desired> {
    let service_ports = service.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    let publish_not_ready = publishes_not_ready(service);
    let mut by_ports: BTreeMap<String, Desired> = BTreeMap::new();
    for pod in pods.iter().filter(|p| belongs_in_endpoints(p, true)) {
        let ports: Vec<EndpointPort> = service_ports
            .iter()
            .filter_map(|p| {
                Some(EndpointPort {
                    name: Some(p.name.clone().unwrap_or_default()),
                    port: Some(target_port(pod, p)?),
                    protocol: Some(p.protocol.clone().unwrap_or_else(|| "TCP".to_string())),
                    app_protocol: p.app_protocol.clone(),
                })
            })
            .collect();
        let serving = is_ready(pod);
        let terminating = pod.metadata.deletion_timestamp.is_some();
        let endpoint = Endpoint {
            addresses: vec![pod_ip(pod)],
            conditions: Some(EndpointConditions {
                ready: Some(publish_not_ready || (serving && !terminating)),
                serving: Some(serving),
                terminating: Some(terminating),
            }),
            hostname: hostname_for(pod, service),
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(super::pods::target_ref(pod)),
            ..Default::default()
        };
        let key = serde_json::to_string(&ports).unwrap_or_default();
        by_ports.entry(key).or_insert_with(|| Desired { ports, endpoints: Vec::new() }).endpoints.push(endpoint);
    }
    let mut slices = Vec::new();
    for group in by_ports.into_values() {
        for chunk in group.endpoints.chunks(MAX_ENDPOINTS_PER_SLICE) {
            slices.push(Desired { ports: group.ports.clone(), endpoints: chunk.to_vec() });
        }
    }
    if slices.is_empty() {
        slices.push(Desired { ports: Vec::new(), endpoints: Vec::new() });
    }
    slices
}

/// The labels of the Service's slices: its own (but the controller's), the service name,
/// the manager, and the headless mark.
fn labels(service: &Service) -> BTreeMap<String, String> {
    let mut labels = service.labels().clone();
    for reserved in [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL] {
        labels.remove(reserved);
    }
    labels.insert(SERVICE_NAME_LABEL.to_string(), service.name_any());
    labels.insert(MANAGED_BY_LABEL.to_string(), MANAGED_BY.to_string());
    if is_headless(service) {
        labels.insert(HEADLESS_LABEL.to_string(), String::new());
    }
    labels
}

fn owner(service: &Service) -> OwnerReference {
    OwnerReference {
        api_version: "v1".to_string(),
        kind: "Service".to_string(),
        name: service.name_any(),
        uid: service.uid().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Upstream's slice name prefix: the service name and a dash, cut to leave room for the
/// generated suffix.
fn generate_name(service: &Service) -> String {
    let mut prefix = format!("{}-", service.name_any());
    if prefix.len() > 58 {
        prefix.truncate(57);
        prefix.push('-');
    }
    prefix
}

fn same(slice: &EndpointSlice, want: &Desired) -> bool {
    slice.ports.clone().unwrap_or_default() == want.ports && slice.endpoints == want.endpoints
}

/// Brings the Service's slices to what the pods give: slices already right stay, others
/// are rewritten in place, missing ones created, extra ones deleted.
pub async fn sync(api: &Api<EndpointSlice>, service: &Service, pods: &[Arc<CachedPod>]) -> Result<(), Error> {
    let selector = format!("{SERVICE_NAME_LABEL}={},{MANAGED_BY_LABEL}={MANAGED_BY}", service.name_any());
    let mut existing = api.list(&ListParams::default().labels(&selector)).await?.items;
    existing.sort_by_key(|s| s.name_any());
    let labels = labels(service);
    let owner = owner(service);
    let mut wanted = desired(service, pods);
    // Keep the slices that are already right (and labelled right).
    existing.retain(|slice| match wanted.iter().position(|w| same(slice, w)) {
        Some(index) if slice.labels() == &labels => {
            wanted.remove(index);
            false
        }
        _ => true,
    });
    let mut spare = existing.into_iter();
    for want in wanted {
        let ports = Some(want.ports);
        match spare.next() {
            Some(mut slice) => {
                slice.metadata.labels = Some(labels.clone());
                slice.metadata.owner_references = Some(vec![owner.clone()]);
                slice.metadata.managed_fields = None;
                slice.ports = ports;
                slice.endpoints = want.endpoints;
                slice.address_type = "IPv4".to_string();
                api.replace(&slice.name_any(), &PostParams::default(), &slice).await?;
            }
            None => {
                let slice = EndpointSlice {
                    metadata: ObjectMeta {
                        generate_name: Some(generate_name(service)),
                        labels: Some(labels.clone()),
                        owner_references: Some(vec![owner.clone()]),
                        ..Default::default()
                    },
                    address_type: "IPv4".to_string(),
                    endpoints: want.endpoints,
                    ports,
                };
                api.create(&PostParams::default(), &slice).await?;
            }
        }
    }
    for slice in spare {
        match api.delete(&slice.name_any(), &DeleteParams::default()).await {
            Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 404, .. })) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_fill_slices_of_a_hundred_and_none_leave_a_placeholder() {
        let service: Service = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}
        }))
        .unwrap();
        assert_eq!(desired(&service, &[]), [Desired { ports: Vec::new(), endpoints: Vec::new() }]);
        let pods: Vec<Arc<CachedPod>> = (0..250)
            .map(|i| {
                Arc::new(
                    serde_json::from_value(json!({
                        "metadata": {"name": format!("p{i}"), "namespace": "default"},
                        "status": {"phase": "Running", "podIP": format!("10.0.{}.{}", i / 200, i % 200)}
                    }))
                    .unwrap(),
                )
            })
            .collect();
        let slices = desired(&service, &pods);
        let sizes: Vec<usize> = slices.iter().map(|s| s.endpoints.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        let conditions = slices[0].endpoints[0].conditions.clone().unwrap();
        assert_eq!((conditions.ready, conditions.serving), (Some(false), Some(false)), "no Ready condition");
    }
}
