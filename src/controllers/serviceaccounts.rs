//! Two per-namespace controllers of upstream's controller-manager, run together: the
//! ServiceAccount controller (`pkg/controller/serviceaccount`: a `default` ServiceAccount in
//! every active namespace, made again when deleted) and the root CA publisher
//! (`pkg/controller/certificates/rootcacertpublisher`: a `kube-root-ca.crt` ConfigMap with
//! the cluster's CA in every namespace, put back when changed or deleted).

use std::collections::BTreeMap;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use kube::api::{Api, ObjectMeta, PostParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};

use crate::machinery::well_known::{DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIG_MAP, ROOT_CA_DESCRIPTION};

/// Runs both controllers until the task is dropped; `ca_pem` is what the ConfigMaps hold.
pub async fn run(client: Client, ca_pem: String) {
    let namespaces = watcher(Api::<Namespace>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .touched_objects()
        .filter_map(|n| async move { n.ok().map(|n| n.name_any()) })
        .boxed();
    let accounts = watcher(
        Api::<ServiceAccount>::all(client.clone()),
        watcher::Config::default().fields(&format!("metadata.name={DEFAULT_SERVICE_ACCOUNT}")),
    )
    .default_backoff()
    .filter_map(|e| async move { deleted_namespace(e.ok()?) })
    .boxed();
    let config_maps = watcher(
        Api::<ConfigMap>::all(client.clone()),
        watcher::Config::default().fields(&format!("metadata.name={ROOT_CA_CONFIG_MAP}")),
    )
    .default_backoff()
    .filter_map(|e| async move {
        match e.ok()? {
            watcher::Event::Apply(cm) | watcher::Event::Delete(cm) | watcher::Event::InitApply(cm) => cm.namespace(),
            _ => None,
        }
    })
    .boxed();
    let mut changes = futures::stream::select_all([namespaces, accounts, config_maps]);
    while let Some(namespace) = changes.next().await {
        sync(&client, &namespace, &ca_pem).await;
    }
}

/// The namespace of a deleted ServiceAccount.
fn deleted_namespace(event: watcher::Event<ServiceAccount>) -> Option<String> {
    match event {
        watcher::Event::Delete(sa) => sa.namespace(),
        _ => None,
    }
}

/// Makes `namespace` hold its default ServiceAccount and current root CA ConfigMap.
async fn sync(client: &Client, namespace: &str, ca_pem: &str) {
    let Ok(Some(found)) = Api::<Namespace>::all(client.clone()).get_opt(namespace).await else { return };
    let terminating = found.metadata.deletion_timestamp.is_some()
        || found.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating");
    if terminating {
        return;
    }
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    if let Ok(None) = accounts.get_opt(DEFAULT_SERVICE_ACCOUNT).await {
        let account = ServiceAccount {
            metadata: ObjectMeta { name: Some(DEFAULT_SERVICE_ACCOUNT.into()), ..ObjectMeta::default() },
            ..ServiceAccount::default()
        };
        if let Err(err) = accounts.create(&PostParams::default(), &account).await {
            tracing::debug!(%err, namespace, "creating the default ServiceAccount failed");
        }
    }
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let data = BTreeMap::from([("ca.crt".to_string(), ca_pem.to_string())]);
    let annotations = BTreeMap::from([("kubernetes.io/description".to_string(), ROOT_CA_DESCRIPTION.to_string())]);
    let written = match config_maps.get_opt(ROOT_CA_CONFIG_MAP).await {
        Ok(None) => {
            let config_map = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(ROOT_CA_CONFIG_MAP.into()),
                    annotations: Some(annotations),
                    ..ObjectMeta::default()
                },
                data: Some(data),
                ..ConfigMap::default()
            };
            config_maps.create(&PostParams::default(), &config_map).await.map(|_| ())
        }
        Ok(Some(mut existing)) if existing.data.as_ref() != Some(&data) => {
            existing.data = Some(data);
            existing.binary_data = None;
            existing.annotations_mut().extend(annotations);
            config_maps.replace(ROOT_CA_CONFIG_MAP, &PostParams::default(), &existing).await.map(|_| ())
        }
        _ => Ok(()),
    };
    if let Err(err) = written {
        tracing::debug!(%err, namespace, "publishing the root CA failed");
    }
}
