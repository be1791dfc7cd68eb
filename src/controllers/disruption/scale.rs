//! How many pods a budget expects (upstream's `getExpectedPodCount` / `getExpectedScale`):
//! the sum of the scale of the controllers owning the selected pods, found as upstream's
//! finders do — ReplicationController, Deployment (through its ReplicaSet), ReplicaSet,
//! StatefulSet, then any kind that serves a `scale` subresource.

use std::collections::HashMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::ReplicationController;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::Api;
use kube::Client;
use serde_json::Value;

use super::Error;
use crate::controllers::cached_pod::CachedPod;
use crate::controllers::deployment::util::scaled_value;

/// `(expectedCount, desiredHealthy, unmanaged pod names)`.
pub async fn expected_pod_count(
    client: &Client,
    budget: &PodDisruptionBudget,
    pods: &[&CachedPod],
) -> Result<(i32, i32, Vec<String>), Error> {
    let spec = budget.spec.as_ref();
    let scaled = |value: &IntOrString, total: i32| {
        scaled_value(value, total, true).map_err(|_| Error::Scale(format!("invalid value for IntOrString: {value:?}")))
    };
    if let Some(max_unavailable) = spec.and_then(|s| s.max_unavailable.as_ref()) {
        let (expected, unmanaged) = expected_scale(client, pods).await?;
        let desired = (expected - scaled(max_unavailable, expected)?).max(0);
        return Ok((expected, desired, unmanaged));
    }
    match spec.and_then(|s| s.min_available.as_ref()) {
        Some(IntOrString::Int(min)) => Ok((pods.len() as i32, *min, Vec::new())),
        Some(percent @ IntOrString::String(_)) => {
            let (expected, unmanaged) = expected_scale(client, pods).await?;
            Ok((expected, scaled(percent, expected)?, unmanaged))
        }
        None => Ok((0, 0, Vec::new())),
    }
}

fn controller_of(pod: &CachedPod) -> Option<&OwnerReference> {
    pod.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

async fn expected_scale(client: &Client, pods: &[&CachedPod]) -> Result<(i32, Vec<String>), Error> {
    let mut scales: HashMap<String, i32> = HashMap::new();
    let mut unmanaged = Vec::new();
    for pod in pods {
        let Some(owner) = controller_of(pod) else {
            unmanaged.push(pod.metadata.name.clone().unwrap_or_default());
            continue;
        };
        if scales.contains_key(&owner.uid) {
            continue;
        }
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        match find_scale(client, owner, &namespace).await? {
            Some((uid, scale)) => {
                scales.insert(uid, scale);
            }
            None => {
                let name = pod.metadata.name.clone().unwrap_or_default();
                return Err(Error::Scale(format!("found no controllers for pod {name:?}")));
            }
        }
    }
    Ok((scales.values().sum(), unmanaged))
}

fn group_of(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(group, _)| group)
}

/// The finders in upstream's order; `None` when none of them knows the owner.
async fn find_scale(client: &Client, owner: &OwnerReference, namespace: &str) -> Result<Option<(String, i32)>, Error> {
    let group = group_of(&owner.api_version);
    let apps = matches!(group, "apps" | "extensions");
    match owner.kind.as_str() {
        "ReplicationController" if group.is_empty() => {
            let api = Api::<ReplicationController>::namespaced(client.clone(), namespace);
            let rc = api.get_opt(&owner.name).await?;
            Ok(rc
                .filter(|rc| rc.metadata.uid.as_deref() == Some(&owner.uid))
                .map(|rc| (owner.uid.clone(), rc.spec.and_then(|s| s.replicas).unwrap_or(1))))
        }
        "ReplicaSet" if apps => {
            let api = Api::<ReplicaSet>::namespaced(client.clone(), namespace);
            let Some(rs) = api.get_opt(&owner.name).await?.filter(|rs| rs.metadata.uid.as_deref() == Some(&owner.uid))
            else {
                return Ok(None);
            };
            let parent = rs.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)).cloned();
            match parent {
                Some(parent) if parent.kind == "Deployment" => {
                    if !matches!(group_of(&parent.api_version), "apps" | "extensions") {
                        return Ok(None);
                    }
                    let api = Api::<Deployment>::namespaced(client.clone(), namespace);
                    let deployment = api.get_opt(&parent.name).await?;
                    Ok(deployment
                        .filter(|d| d.metadata.uid.as_deref() == Some(&parent.uid))
                        .map(|d| (parent.uid.clone(), d.spec.and_then(|s| s.replicas).unwrap_or(1))))
                }
                _ => Ok(Some((owner.uid.clone(), rs.spec.and_then(|s| s.replicas).unwrap_or(1)))),
            }
        }
        "StatefulSet" if group == "apps" => {
            let api = Api::<StatefulSet>::namespaced(client.clone(), namespace);
            let set = api.get_opt(&owner.name).await?;
            Ok(set
                .filter(|s| s.metadata.uid.as_deref() == Some(&owner.uid))
                .map(|s| (owner.uid.clone(), s.spec.and_then(|s| s.replicas).unwrap_or(1))))
        }
        _ => scale_subresource(client, owner, namespace).await,
    }
}

/// `getScaleController`: the owner's kind mapped to its resource through discovery, then
/// its `scale` subresource read.
async fn scale_subresource(
    client: &Client,
    owner: &OwnerReference,
    namespace: &str,
) -> Result<Option<(String, i32)>, Error> {
    let base = match owner.api_version.contains('/') {
        true => format!("/apis/{}", owner.api_version),
        false => format!("/api/{}", owner.api_version),
    };
    let list: Value =
        client.request(http::Request::get(&base).body(Vec::new()).map_err(kube::Error::HttpError)?).await?;
    let resources = list.get("resources").and_then(Value::as_array).cloned().unwrap_or_default();
    let plural = resources
        .iter()
        .find(|r| {
            r.get("kind").and_then(Value::as_str) == Some(owner.kind.as_str())
                && r.get("name").and_then(Value::as_str).is_some_and(|n| !n.contains('/'))
        })
        .and_then(|r| r.get("name").and_then(Value::as_str))
        .map(str::to_string);
    let group = group_of(&owner.api_version);
    let Some(plural) = plural else {
        let kind = if group.is_empty() { owner.kind.clone() } else { format!("{}.{group}", owner.kind) };
        return Err(Error::Scale(format!("no matches for kind {kind:?} in version {:?}", owner.api_version)));
    };
    let serves_scale =
        resources.iter().any(|r| r.get("name").and_then(Value::as_str) == Some(&format!("{plural}/scale")));
    let resource = if group.is_empty() { plural.clone() } else { format!("{plural}.{group}") };
    if !serves_scale {
        return Err(Error::Scale(format!("{resource} does not implement the scale subresource")));
    }
    let path = format!("{base}/namespaces/{namespace}/{plural}/{}/scale", owner.name);
    let scale: Value =
        match client.request(http::Request::get(&path).body(Vec::new()).map_err(kube::Error::HttpError)?).await {
            Ok(scale) => scale,
            Err(kube::Error::Api(status)) if status.code == 404 => return Ok(None),
            Err(err) => return Err(err.into()),
        };
    if scale.pointer("/metadata/uid").and_then(Value::as_str) != Some(owner.uid.as_str()) {
        return Ok(None);
    }
    let replicas = scale.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0) as i32;
    Ok(Some((owner.uid.clone(), replicas)))
}
