//! The namespace controller: empties a terminating namespace (every namespaced kind
//! discovery lists, custom resources included, through the API), reports progress in upstream's five deletion
//! conditions, and once nothing is left drops the `kubernetes` finalizer through
//! `PUT /api/v1/namespaces/NAME/finalize` — after which the apiserver removes the
//! namespace (what `kubectl delete namespace` waits for).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::discovery::{verbs, Discovery, Scope};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use serde_json::{json, Value};

/// The finalizer this controller owns in `spec.finalizers`.
pub const FINALIZER: &str = "kubernetes";
/// How soon a namespace with content left is looked at again.
const RECHECK: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("could not encode the namespace: {0}")]
    Encode(#[from] serde_json::Error),
}

struct Context {
    client: Client,
}

/// Runs the controller until the task is dropped.
pub async fn run(client: Client) {
    let api: Api<Namespace> = Api::all(client.clone());
    Controller::new(api, watcher::Config::default())
        .run(reconcile, error_policy, Arc::new(Context { client }))
        .for_each(|result| async move {
            if let Err(err) = result {
                tracing::debug!(%err, "namespace reconcile failed");
            }
        })
        .await;
}

fn error_policy(_namespace: Arc<Namespace>, err: &Error, _ctx: Arc<Context>) -> Action {
    tracing::debug!(%err, "namespace deletion will retry");
    Action::requeue(Duration::from_secs(1))
}

/// What one pass over a namespace's content found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Content {
    /// `plural.group` → objects still there.
    pub remaining: BTreeMap<String, usize>,
    /// Finalizer → objects it still holds.
    pub finalizers: BTreeMap<String, usize>,
    /// Deletions that failed.
    pub failures: Vec<String>,
    /// Discovery failed: nothing could be deleted on this pass.
    pub discovery_failure: Option<String>,
}

impl Content {
    pub fn is_empty(&self) -> bool {
        self.remaining.is_empty() && self.failures.is_empty() && self.discovery_failure.is_none()
    }
}

async fn reconcile(namespace: Arc<Namespace>, ctx: Arc<Context>) -> Result<Action, Error> {
    let holds =
        namespace.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| f.iter().any(|f| f == FINALIZER));
    if namespace.metadata.deletion_timestamp.is_none() || !holds {
        return Ok(Action::await_change());
    }
    let name = namespace.name_any();
    let content = delete_content(&ctx.client, &name).await;
    write_conditions(&ctx.client, &namespace, &content).await?;
    if !content.is_empty() {
        return Ok(Action::requeue(RECHECK));
    }
    finalize(&ctx.client, &name).await?;
    Ok(Action::await_change())
}

/// The namespaced kinds to empty, from discovery (so custom resources are included);
/// events are served twice, one pass over them is enough.
async fn namespaced_kinds(client: &Client) -> Result<Vec<ApiResource>, kube::Error> {
    let discovery = Discovery::new(client.clone()).run().await?;
    let mut kinds = Vec::new();
    for group in discovery.groups() {
        for (resource, capabilities) in group.recommended_resources() {
            let deletable = capabilities.supports_operation(verbs::LIST)
                && capabilities.supports_operation(verbs::DELETE_COLLECTION);
            if capabilities.scope == Scope::Namespaced && deletable && resource.group != "events.k8s.io" {
                kinds.push(resource);
            }
        }
    }
    Ok(kinds)
}

/// Deletes everything in the namespace, then counts what is still there.
async fn delete_content(client: &Client, namespace: &str) -> Content {
    let mut content = Content::default();
    let kinds = match namespaced_kinds(client).await {
        Ok(kinds) => kinds,
        Err(err) => {
            content.discovery_failure = Some(err.to_string());
            return content;
        }
    };
    for resource in kinds {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let label = format!("{}.{}", resource.plural, resource.group);
        let listed = match api.list(&ListParams::default()).await {
            Ok(list) => list.items,
            Err(err) => {
                content.failures.push(format!("{label}: {err}"));
                continue;
            }
        };
        if listed.is_empty() {
            continue;
        }
        if listed.iter().any(|o| o.metadata.deletion_timestamp.is_none()) {
            if let Err(err) = api.delete_collection(&DeleteParams::background(), &ListParams::default()).await {
                content.failures.push(format!("{label}: {err}"));
            }
        }
        let left = match api.list(&ListParams::default()).await {
            Ok(list) => list.items,
            Err(err) => {
                content.failures.push(format!("{label}: {err}"));
                continue;
            }
        };
        if !left.is_empty() {
            content.remaining.insert(label, left.len());
        }
        for finalizer in left.iter().flat_map(|o| o.finalizers().to_vec()) {
            *content.finalizers.entry(finalizer).or_default() += 1;
        }
    }
    content
}

/// Upstream's five deletion conditions for this pass: `(type, failing, reason, message)`.
pub fn conditions_for(content: &Content) -> Vec<(&'static str, bool, &'static str, String)> {
    let counted = |map: &BTreeMap<String, usize>, form: &dyn Fn(&str, usize) -> String| {
        map.iter().map(|(k, n)| form(k, *n)).collect::<Vec<_>>().join(", ")
    };
    let mut conditions = vec![
        match &content.discovery_failure {
            None => (
                "NamespaceDeletionDiscoveryFailure",
                false,
                "ResourcesDiscovered",
                "All resources successfully discovered".to_string(),
            ),
            Some(err) => (
                "NamespaceDeletionDiscoveryFailure",
                true,
                "DiscoveryFailed",
                format!("Discovery failed for some groups: {err}"),
            ),
        },
        (
            "NamespaceDeletionGroupVersionParsingFailure",
            false,
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed".to_string(),
        ),
    ];
    conditions.push(if content.failures.is_empty() {
        (
            "NamespaceDeletionContentFailure",
            false,
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization".to_string(),
        )
    } else {
        (
            "NamespaceDeletionContentFailure",
            true,
            "ContentDeletionFailed",
            format!(
                "Failed to delete all resource types, {} remaining: {}",
                content.failures.len(),
                content.failures.join(", ")
            ),
        )
    });
    conditions.push(if content.remaining.is_empty() {
        ("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed".to_string())
    } else {
        let listed = counted(&content.remaining, &|k, n| format!("{k} has {n} resource instances"));
        ("NamespaceContentRemaining", true, "SomeResourcesRemain", format!("Some resources are remaining: {listed}"))
    });
    conditions.push(if content.finalizers.is_empty() {
        (
            "NamespaceFinalizersRemaining",
            false,
            "ContentHasNoFinalizers",
            "All content-preserving finalizers finished".to_string(),
        )
    } else {
        let listed = counted(&content.finalizers, &|k, n| format!("{k} in {n} resource instances"));
        (
            "NamespaceFinalizersRemaining",
            true,
            "SomeFinalizersRemain",
            format!("Some content in the namespace has finalizers remaining: {listed}"),
        )
    });
    conditions
}

/// Writes the conditions when they changed, keeping lastTransitionTime of unchanged ones.
async fn write_conditions(client: &Client, namespace: &Namespace, content: &Content) -> Result<(), Error> {
    let current: Vec<Value> = namespace
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(|c| c.iter().filter_map(|c| serde_json::to_value(c).ok()).collect())
        .unwrap_or_default();
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut changed = false;
    let wanted: Vec<Value> = conditions_for(content)
        .into_iter()
        .map(|(type_, failing, reason, message)| {
            let status = if failing { "True" } else { "False" };
            let old = current.iter().find(|c| c["type"] == type_);
            let since = match old {
                Some(old) if old["status"] == status => old["lastTransitionTime"].clone(),
                _ => json!(now),
            };
            if old.is_none_or(|o| o["status"] != status || o["reason"] != reason || o["message"] != message.as_str()) {
                changed = true;
            }
            json!({"type": type_, "status": status, "lastTransitionTime": since, "reason": reason, "message": message})
        })
        .collect();
    if !changed {
        return Ok(());
    }
    let api: Api<Namespace> = Api::all(client.clone());
    let patch = json!({"status": {"conditions": wanted}});
    match api.patch_status(&namespace.name_any(), &PatchParams::default(), &Patch::Merge(patch)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Drops our finalizer from a fresh copy of the namespace (guarded by its
/// resourceVersion); the apiserver removes the namespace when none is left.
async fn finalize(client: &Client, name: &str) -> Result<(), Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let Some(mut fresh) = api.get_opt(name).await? else { return Ok(()) };
    if let Some(spec) = fresh.spec.as_mut() {
        spec.finalizers =
            Some(spec.finalizers.take().unwrap_or_default().into_iter().filter(|f| f != FINALIZER).collect());
    }
    let body = serde_json::to_vec(&fresh)?;
    match api.replace_subresource("finalize", name, &PostParams::default(), body).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_say_what_remains_as_upstream() {
        let clear = conditions_for(&Content::default());
        assert_eq!(clear.len(), 5);
        assert!(clear.iter().all(|(_, failing, _, _)| !failing));
        assert_eq!(clear[3].3, "All content successfully removed");
        let content = Content {
            remaining: BTreeMap::from([("pods.".to_string(), 2), ("deployments.apps".to_string(), 1)]),
            finalizers: BTreeMap::from([("example.com/hold".to_string(), 1)]),
            ..Default::default()
        };
        let busy = conditions_for(&content);
        assert_eq!(
            busy[3],
            (
                "NamespaceContentRemaining",
                true,
                "SomeResourcesRemain",
                "Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances"
                    .to_string()
            )
        );
        assert_eq!(
            busy[4].3,
            "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
        );
    }
}
