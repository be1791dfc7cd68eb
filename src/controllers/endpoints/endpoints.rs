//! The Endpoints of one Service, as upstream's endpoints controller writes them
//! (pkg/controller/endpoint): one address per selected pod with an IP, ready or not ready
//! by the pod's Ready condition (every address ready with `publishNotReadyAddresses`),
//! terminating pods left out, ports resolved per pod, then repacked so that addresses
//! offering the same ports share one subset (pkg/api/v1/endpoints RepackSubsets).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service};
use kube::api::{Api, PostParams};
use kube::ResourceExt;

use super::pods::{belongs_in_endpoints, hostname_for, is_headless, is_ready, pod_ip, target_port, target_ref};
use super::Error;
use crate::controllers::cached_pod::CachedPod;

/// Marks the Endpoints (and slices) of a headless Service.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// The subsets `pods` give `service`, in canonical order.
pub fn subsets(service: &Service, pods: &[Arc<CachedPod>]) -> Vec<EndpointSubset> {
    let spec = service.spec.clone().unwrap_or_default();
    let tolerate_unready = spec.publish_not_ready_addresses.unwrap_or(false);
    let ports = spec.ports.unwrap_or_default();
    // (ports of the subset) → address key → (address, ready); not ready wins.
    let mut by_ports: BTreeMap<Vec<PortKey>, BTreeMap<(String, String), (EndpointAddress, bool)>> = BTreeMap::new();
    for pod in pods.iter().filter(|p| belongs_in_endpoints(p, tolerate_unready)) {
        let address = EndpointAddress {
            ip: pod_ip(pod),
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            hostname: hostname_for(pod, service),
            target_ref: Some(target_ref(pod)),
        };
        let ready = tolerate_unready || is_ready(pod);
        let offered: Vec<PortKey> = if ports.is_empty() {
            if !is_headless(service) {
                continue;
            }
            Vec::new()
        } else {
            let offered: Vec<PortKey> = ports
                .iter()
                .filter_map(|p| {
                    let number = target_port(pod, p)?;
                    Some(PortKey {
                        name: p.name.clone().unwrap_or_default(),
                        port: number,
                        protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
                        app_protocol: p.app_protocol.clone(),
                    })
                })
                .collect();
            if offered.is_empty() {
                continue;
            }
            offered
        };
        let key = (address.ip.clone(), pod.uid().unwrap_or_default());
        // Each port is a subset of its own first; addresses offering the same set of ports
        // are regrouped below.
        for port in if offered.is_empty() { vec![None] } else { offered.into_iter().map(Some).collect() } {
            let slot = by_ports.entry(port.into_iter().collect()).or_default();
            let entry = slot.entry(key.clone()).or_insert_with(|| (address.clone(), ready));
            entry.1 &= ready;
        }
    }
    // Regroup: the ports offered by the same addresses (in the same readiness) go together.
    let mut grouped: BTreeMap<
        Vec<((String, String), bool)>,
        (Vec<EndpointAddress>, Vec<EndpointAddress>, BTreeSet<PortKey>),
    > = BTreeMap::new();
    for (ports, addresses) in by_ports {
        let signature: Vec<((String, String), bool)> =
            addresses.iter().map(|(k, (_, ready))| (k.clone(), *ready)).collect();
        let group = grouped.entry(signature).or_insert_with(|| {
            let (ready, not_ready): (Vec<_>, Vec<_>) = addresses.values().cloned().partition(|(_, ready)| *ready);
            (
                ready.into_iter().map(|(a, _)| a).collect(),
                not_ready.into_iter().map(|(a, _)| a).collect(),
                BTreeSet::new(),
            )
        });
        group.2.extend(ports);
    }
    let mut subsets: Vec<EndpointSubset> = grouped
        .into_values()
        .map(|(ready, not_ready, ports)| EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: (!ports.is_empty()).then(|| ports.into_iter().map(PortKey::into_port).collect()),
        })
        .collect();
    subsets.sort_by_key(first_address);
    subsets
}

fn first_address(subset: &EndpointSubset) -> String {
    let addresses = subset.addresses.iter().chain(subset.not_ready_addresses.iter()).flatten();
    addresses.map(|a| a.ip.clone()).min().unwrap_or_default()
}

/// One endpoint port, ordered for grouping.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PortKey {
    name: String,
    port: i32,
    protocol: String,
    app_protocol: Option<String>,
}

impl PortKey {
    fn into_port(self) -> EndpointPort {
        EndpointPort {
            name: (!self.name.is_empty()).then_some(self.name),
            port: self.port,
            protocol: Some(self.protocol),
            app_protocol: self.app_protocol,
        }
    }
}

/// The labels the Endpoints carry: the Service's, and the headless mark when it has no
/// cluster IP.
fn labels(service: &Service) -> BTreeMap<String, String> {
    let mut labels = service.labels().clone();
    labels.remove(HEADLESS_LABEL);
    if is_headless(service) {
        labels.insert(HEADLESS_LABEL.to_string(), String::new());
    }
    labels
}

/// Creates or updates the Service's Endpoints when they differ from what the pods give.
pub async fn sync(api: &Api<Endpoints>, service: &Service, pods: &[Arc<CachedPod>]) -> Result<(), Error> {
    let subsets = subsets(service, pods);
    let labels = labels(service);
    let name = service.name_any();
    // Empty ones are left out, as Go's `omitempty` leaves them out of upstream's.
    let (new_subsets, new_labels) =
        ((!subsets.is_empty()).then(|| subsets.clone()), (!labels.is_empty()).then(|| labels.clone()));
    match api.get_opt(&name).await? {
        None => {
            let endpoints = Endpoints {
                metadata: kube::api::ObjectMeta { name: Some(name), labels: new_labels, ..Default::default() },
                subsets: new_subsets,
            };
            api.create(&PostParams::default(), &endpoints).await?;
        }
        Some(mut current) => {
            let current_subsets = current.subsets.clone().unwrap_or_default();
            if current_subsets == subsets && current.labels() == &labels {
                return Ok(());
            }
            current.metadata.labels = new_labels;
            current.subsets = new_subsets;
            current.metadata.managed_fields = None;
            api.replace(&current.name_any(), &PostParams::default(), &current).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ip: &str, ready: bool, ports: serde_json::Value) -> Arc<CachedPod> {
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": name, "namespace": "default", "uid": name},
                "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x", "ports": ports}]},
                "status": {"phase": "Running", "podIP": ip,
                    "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
            }))
            .unwrap(),
        )
    }

    #[test]
    fn addresses_offering_the_same_ports_share_a_subset() {
        let service: Service = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                {"name": "admin", "port": 81}]}
        }))
        .unwrap();
        let named = json!([{"name": "http", "containerPort": 8080}]);
        let pods = [
            pod("b", "10.0.0.2", true, named.clone()),
            pod("a", "10.0.0.1", false, named),
            pod("c", "10.0.0.3", true, json!([])),
        ];
        let subsets = subsets(&service, &pods);
        assert_eq!(subsets.len(), 2, "{subsets:?}");
        // As upstream's RepackSubsets: each port goes with the set of addresses offering it.
        let ips = |a: &Option<Vec<EndpointAddress>>| a.iter().flatten().map(|a| a.ip.clone()).collect::<Vec<_>>();
        let offering = |port: i32| subsets.iter().find(|s| s.ports.iter().flatten().any(|p| p.port == port)).unwrap();
        let admin = offering(81);
        assert_eq!(ips(&admin.addresses), ["10.0.0.2", "10.0.0.3"]);
        assert_eq!(ips(&admin.not_ready_addresses), ["10.0.0.1"]);
        assert_eq!(admin.ports.as_ref().unwrap()[0].name.as_deref(), Some("admin"));
        let http = offering(8080);
        assert_eq!(ips(&http.addresses), ["10.0.0.2"]);
        assert_eq!(ips(&http.not_ready_addresses), ["10.0.0.1"]);
        assert_eq!(http.ports.as_ref().unwrap().len(), 1);
    }
}
