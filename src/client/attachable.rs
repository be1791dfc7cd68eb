//! The pod a verb that attaches (logs, exec, attach, port-forward) acts on, found as
//! kubectl's "attachable pod" lookup: `POD`, `pod/NAME`, or the first pod (oldest) of a
//! workload's or Service's selector; and the container it defaults to.

use serde_json::Value;

use super::{objects, ClientError, Discovery, Session};
use crate::machinery::labels::selector_string;

#[derive(Debug, thiserror::Error)]
pub enum AttachableError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The named object does not exist (`resource` as kubectl names it: `deployments.apps`).
    #[error("{source}")]
    NotFound { resource: String, name: String, source: ClientError },
    /// The workload selects no pods.
    #[error("timed out waiting for the condition")]
    NoPods,
}

/// The pod `kind/name` stands for (`kind` as typed: `pod`, `deploy`, `svc` …).
pub async fn attachable_pod(session: &Session, kind: &str, name: &str) -> Result<Value, AttachableError> {
    let mut discovery = Discovery::load(session).await?;
    let pairs = vec![(kind.to_string(), vec![name.to_string()])];
    let objects = objects::resolve(session, &mut discovery, &pairs).await?;
    let Some(object) = objects.first() else { return Err(ClientError::UnknownType(kind.to_string()).into()) };
    let found = objects::get(session, object).await.map_err(|err| match err {
        ClientError::Server(ref status) if status.code == 404 => AttachableError::NotFound {
            resource: object.resource.qualified_plural(),
            name: name.to_string(),
            source: err,
        },
        other => other.into(),
    })?;
    if object.resource.kind == "Pod" {
        return Ok(found);
    }
    let selector = match object.resource.kind.as_str() {
        "Service" | "ReplicationController" => {
            let labels = found["spec"]["selector"].clone();
            selector_string(Some(&serde_json::json!({"matchLabels": labels})))
        }
        _ => selector_string(Some(&found["spec"]["selector"])),
    }
    .map_err(|err| ClientError::Usage(err.to_string()))?;
    let pods_path = format!("/api/v1/namespaces/{}/pods", session.namespace);
    let list = session
        .get_json(&format!("{pods_path}{}", objects::query(&[("labelSelector", selector)])), "application/json")
        .await?;
    let mut items = list["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(AttachableError::NoPods);
    }
    items.sort_by(|a, b| a["metadata"]["creationTimestamp"].as_str().cmp(&b["metadata"]["creationTimestamp"].as_str()));
    if items.len() > 1 {
        let first = items[0]["metadata"]["name"].as_str().unwrap_or_default();
        eprintln!("Found {} pods, using pod/{first}", items.len());
    }
    Ok(items.swap_remove(0))
}

/// The names of a pod's `field` containers (`containers`, `initContainers`).
pub fn container_names(pod: &Value, field: &str) -> Vec<String> {
    pod["spec"][field].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).map(str::to_string).collect()
}

/// The container a verb defaults to: the `kubectl.kubernetes.io/default-container`
/// annotation's, else the first (announced on stderr, unless `quiet`, when there are
/// several, as kubectl does).
pub fn default_container(pod: &Value, quiet: bool) -> Option<String> {
    let (init, main) = (container_names(pod, "initContainers"), container_names(pod, "containers"));
    let annotated = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str();
    if let Some(name) = annotated.filter(|n| main.iter().any(|m| m == n)) {
        return Some(name.to_string());
    }
    let first = main.first()?;
    if main.len() + init.len() > 1 && !quiet {
        let mut all: Vec<String> = main.clone();
        all.extend(init.iter().map(|n| format!("{n} (init)")));
        eprintln!("Defaulted container {first:?} out of: {}", all.join(", "));
    }
    Some(first.clone())
}
