//! Client-side describers as kubectl has them: one per kind for pods, deployments,
//! replica sets, replication controllers, jobs, services, namespaces, nodes and config
//! maps, a generic fallback for the rest, and the Events section fetched the way kubectl
//! fetches it.

pub mod core;
pub mod events;
pub mod generic;
pub mod node;
pub mod pod;
pub mod workloads;
pub mod writer;

use serde_json::Value;

use crate::client::{ApiResource, ClientError, Session};
use crate::machinery::labels::selector_string;
use events::EventQuery;

/// Describes `object` (of `resource`), fetching what its describer needs.
pub async fn describe(
    session: &Session,
    resource: &ApiResource,
    object: &Value,
    show_events: bool,
) -> Result<String, ClientError> {
    let meta = &object["metadata"];
    let name = meta["name"].as_str().unwrap_or_default();
    let namespace = meta["namespace"].as_str().unwrap_or_default();
    let uid = meta["uid"].as_str().unwrap_or_default();
    let kind = resource.kind.as_str();
    // kubectl's pod describer leaves the kind out of the event query.
    let query_kind = if resource.group.is_empty() && kind == "Pod" { None } else { Some(kind) };
    let query = EventQuery { name, namespace, kind: query_kind, uid };
    let events = if show_events { events::search(session, &query).await } else { None };
    let events = events.as_deref();
    let text = match (resource.group.as_str(), kind) {
        ("", "Pod") => pod::describe(object, events),
        ("", "Service") => {
            let slices = list(
                session,
                &format!(
                    "/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices?labelSelector={}",
                    encode(&format!("kubernetes.io/service-name={name}"))
                ),
            )
            .await
            .unwrap_or_default();
            core::service(object, &slices, events)
        }
        ("", "Namespace") => {
            let quotas = optional_list(session, &format!("/api/v1/namespaces/{name}/resourcequotas?limit=500")).await?;
            let limits = optional_list(session, &format!("/api/v1/namespaces/{name}/limitranges?limit=500")).await?;
            core::namespace(object, quotas.as_deref(), limits.as_deref())
        }
        ("", "ConfigMap") => core::config_map(object, events),
        ("", "ReplicationController") => {
            let selector = selector_string(Some(&serde_json::json!({"matchLabels": object["spec"]["selector"]})))
                .unwrap_or_default();
            let pods = pods_matching(session, namespace, &selector).await?;
            workloads::replication_controller(object, workloads::count_pods(&pods, uid), events)
        }
        ("apps", "ReplicaSet") => {
            let selector = selector_string(Some(&object["spec"]["selector"])).unwrap_or_default();
            let pods = pods_matching(session, namespace, &selector).await?;
            workloads::replica_set(object, workloads::count_pods(&pods, uid), events)
        }
        ("apps", "DaemonSet") => {
            let selector = selector_string(Some(&object["spec"]["selector"])).unwrap_or_default();
            let pods = pods_matching(session, namespace, &selector).await?;
            workloads::daemon_set(object, workloads::count_pods(&pods, uid), events)
        }
        ("apps", "StatefulSet") => {
            let selector = selector_string(Some(&object["spec"]["selector"])).unwrap_or_default();
            let pods = pods_matching(session, namespace, &selector).await?;
            workloads::stateful_set(object, workloads::count_pods(&pods, uid), events)
        }
        ("apps", "Deployment") => {
            let selector = selector_string(Some(&object["spec"]["selector"])).unwrap_or_default();
            let path = format!(
                "/apis/apps/v1/namespaces/{namespace}/replicasets?labelSelector={}&limit=500",
                encode(&selector)
            );
            let sets = list(session, &path).await.unwrap_or_default();
            let (old, new) = workloads::split_replica_sets(object, &sets);
            workloads::deployment(object, &old, &new, events)
        }
        ("batch", "Job") => workloads::job(object, events),
        ("", "Node") => {
            let selector = format!("spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed");
            let pods = list(session, &format!("/api/v1/pods?fieldSelector={}&limit=500", encode(&selector))).await?;
            // Kubelets record node events with the node's name as uid: ask both ways.
            let events = if show_events {
                let mut all = events::search(session, &query).await.unwrap_or_default();
                let by_name = EventQuery { uid: name, ..query };
                all.extend(events::search(session, &by_name).await.unwrap_or_default());
                Some(all)
            } else {
                None
            };
            let lease_path = format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}");
            let lease = session.get_json(&lease_path, "application/json").await;
            let lease = match &lease {
                Ok(lease) => Ok(lease),
                Err(ClientError::Server(status)) => Err(status.message.clone()),
                Err(other) => Err(other.to_string()),
            };
            node::describe(object, &pods, lease, events.as_deref())
        }
        _ => generic::describe(object, events),
    };
    Ok(text)
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn list(session: &Session, path: &str) -> Result<Vec<Value>, ClientError> {
    let list = session.get_json(path, "application/json").await?;
    Ok(list["items"].as_array().cloned().unwrap_or_default())
}

/// A list the server may not serve at all (404: the section is left out).
async fn optional_list(session: &Session, path: &str) -> Result<Option<Vec<Value>>, ClientError> {
    match list(session, path).await {
        Ok(items) => Ok(Some(items)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

async fn pods_matching(session: &Session, namespace: &str, selector: &str) -> Result<Vec<Value>, ClientError> {
    list(session, &format!("/api/v1/namespaces/{namespace}/pods?labelSelector={}&limit=500", encode(selector))).await
}
