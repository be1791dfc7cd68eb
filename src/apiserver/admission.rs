//! Admission that needs the rest of the cluster: a namespaced object needs its namespace
//! to exist and not be terminating (NamespaceLifecycle), a Service gets a cluster IP
//! (and node ports) allocated, and a Pod tolerates unreachable nodes for a configured
//! while (DefaultTolerationSeconds), and Pods get their priority (Priority, see `priority`).

use std::collections::HashSet;

use serde_json::{json, Value};

use super::status::ApiError;
use super::storage::object_namespace;
use super::ApiState;
use crate::registry::{self, ResourceInfo};

fn namespaces() -> &'static ResourceInfo {
    registry::by_plural("", "v1", "namespaces").expect("namespaces are in the registry")
}

fn services() -> &'static ResourceInfo {
    registry::by_plural("", "v1", "services").expect("services are in the registry")
}

pub async fn admit_create(state: &ApiState, resource: &ResourceInfo, object: &mut Value) -> Result<(), ApiError> {
    if resource.namespaced {
        let namespace = object_namespace(object).unwrap_or_default().to_string();
        let Some(found) = state.storage.try_get(namespaces(), None, &namespace).await? else {
            return Err(ApiError::not_found("namespaces", &namespace));
        };
        if found.pointer("/metadata/deletionTimestamp").is_some()
            || found.pointer("/status/phase").and_then(Value::as_str) == Some("Terminating")
        {
            return Err(ApiError::forbidden(format!(
                "{} \"{}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                resource.qualified_plural(),
                object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
            )));
        }
    }
    if resource.kind == "Service" {
        allocate_service_addresses(state, object).await?;
    }
    if resource.kind == "Pod" && resource.group.is_empty() {
        crate::registry::strategy::add_default_tolerations(object, state.default_toleration_seconds);
    }
    super::priority::admit_create(state, resource, object).await
}

/// Cluster IPs come from the service range (`--service-cluster-ip-range`); node ports from
/// 30000–32767. `clusterIP: None` (headless) and ExternalName services get none.
async fn allocate_service_addresses(state: &ApiState, service: &mut Value) -> Result<(), ApiError> {
    let service_type = service.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
    let existing = state.storage.list(services(), None, 0, None, None, |_| true).await?.items;
    if service_type != "ExternalName" {
        let given = service.pointer("/spec/clusterIP").and_then(Value::as_str).unwrap_or_default().to_string();
        if given.is_empty() {
            let used: HashSet<&str> =
                existing.iter().filter_map(|s| s.pointer("/spec/clusterIP").and_then(Value::as_str)).collect();
            let range = state.service_ip_range;
            let ip = range
                .hosts()
                .map(|ip| ip.to_string())
                .find(|ip| !used.contains(ip.as_str()))
                .ok_or_else(|| ApiError::internal(format!("no cluster IPs left in {range}")))?;
            service["spec"]["clusterIP"] = json!(ip);
            service["spec"]["clusterIPs"] = json!([ip]);
        } else if service.pointer("/spec/clusterIPs").is_none() {
            service["spec"]["clusterIPs"] = json!([given]);
        }
    }
    if service_type == "NodePort" || service_type == "LoadBalancer" {
        let mut used: HashSet<i64> = existing
            .iter()
            .flat_map(|s| s.pointer("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default())
            .filter_map(|p| p.get("nodePort").and_then(Value::as_i64))
            .collect();
        if let Some(ports) = service.pointer_mut("/spec/ports").and_then(Value::as_array_mut) {
            for port in ports {
                if port.get("nodePort").and_then(Value::as_i64).is_none() {
                    let free = (30000..=32767)
                        .find(|p| !used.contains(p))
                        .ok_or_else(|| ApiError::internal("no node ports left in 30000-32767"))?;
                    used.insert(free);
                    port["nodePort"] = json!(free);
                }
            }
        }
    }
    Ok(())
}
