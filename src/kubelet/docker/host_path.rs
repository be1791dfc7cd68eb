//! Node-local directories: `hostPath` volumes, and the PersistentVolumes a claim is bound
//! to (kind's local-path volumes are hostPaths). The kubelet may run inside a node
//! container while pods are siblings on the host engine, so a node directory is an
//! engine volume named after the cluster, node and path: every pod of the node that
//! names the path shares it, it outlives the pods, and the cluster's deletion removes it.
//! Directories are all it can be (`File`, `Socket` … types are refused).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, Volume};
use kube::{Api, Client};
use sha2::Digest;

use crate::machinery::well_known::LOCAL_PATH_ROOT;

/// A node directory a volume mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeDirectory {
    pub path: String,
    /// Upstream's hostPath type ("" checks nothing).
    pub kind: String,
    pub read_only: bool,
}

/// The engine volume's name of `path` on `node` of `cluster`.
pub fn engine_name(cluster: &str, node: &str, path: &str) -> String {
    let digest = sha2::Sha256::digest(path.as_bytes());
    format!("k8s_host_{cluster}_{node}_{}", hex::encode(&digest[..8]))
}

/// The PersistentVolume whose data a local-path directory holds (`pvc-<uid>_<ns>_<name>`).
pub fn local_path_volume(path: &str) -> Option<&str> {
    let directory = path.strip_prefix(LOCAL_PATH_ROOT)?.strip_prefix('/')?;
    directory.split_once('_').map(|(volume, _)| volume).filter(|v| !v.is_empty() && !v.contains('/'))
}

/// Whether the directory must exist before (upstream's types other than DirectoryOrCreate).
pub fn must_exist(kind: &str) -> Result<bool, String> {
    match kind {
        "" | "DirectoryOrCreate" => Ok(false),
        "Directory" => Ok(true),
        other => Err(format!("hostPath type {other} is not supported on kctl's Docker nodes (only directories are)")),
    }
}

/// The node directory `volume` mounts, if it is one; why it cannot be mounted yet.
pub async fn resolve(client: &Client, pod: &Pod, volume: &Volume) -> Result<Option<NodeDirectory>, String> {
    if let Some(host_path) = &volume.host_path {
        let kind = host_path.type_.clone().unwrap_or_default();
        return Ok(Some(NodeDirectory { path: host_path.path.clone(), kind, read_only: false }));
    }
    let Some(source) = &volume.persistent_volume_claim else { return Ok(None) };
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let name = &source.claim_name;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), namespace);
    let claim = match claims.get_opt(name).await {
        Ok(Some(claim)) => claim,
        Ok(None) => return Err(format!("persistentvolumeclaim \"{name}\" not found")),
        Err(err) => return Err(err.to_string()),
    };
    let bound = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    let Some(volume_name) = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|_| bound) else {
        return Err(format!("PVC {namespace}/{name} is not bound"));
    };
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let persistent = match volumes.get_opt(&volume_name).await {
        Ok(Some(volume)) => volume,
        Ok(None) => return Err(format!("persistentvolume \"{volume_name}\" not found")),
        Err(err) => return Err(err.to_string()),
    };
    let spec = persistent.spec.unwrap_or_default();
    let read_only = source.read_only.unwrap_or(false);
    if let Some(host_path) = spec.host_path {
        let kind = host_path.type_.unwrap_or_default();
        return Ok(Some(NodeDirectory { path: host_path.path, kind, read_only }));
    }
    if let Some(local) = spec.local {
        return Ok(Some(NodeDirectory { path: local.path, kind: "Directory".to_string(), read_only }));
    }
    Err(format!(
        "PersistentVolume \"{volume_name}\" is neither hostPath nor local: kctl's Docker nodes mount only those"
    ))
}

/// How often the node looks for the data of deleted local-path volumes.
const CLEANUP_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Removes the directories of local-path volumes that were deleted (the provisioner's
/// helper pod does it upstream), as long as the node runs.
pub async fn remove_released_forever(kubelet: std::sync::Arc<super::Kubelet>) {
    let volumes: Api<PersistentVolume> = Api::all(kubelet.client.clone());
    let mut every = tokio::time::interval(CLEANUP_EVERY);
    loop {
        every.tick().await;
        let Ok(directories) = kubelet.runtime.node_directories().await else { continue };
        for (engine, path) in directories {
            let Some(volume) = local_path_volume(&path) else { continue };
            // Only a volume known to be gone: any other answer keeps the data.
            if let Ok(None) = volumes.get_opt(volume).await {
                match kubelet.runtime.remove_unused_volume(&engine).await {
                    Ok(true) => tracing::info!(%path, "removed the data of deleted volume {volume}"),
                    Ok(false) => {}
                    Err(err) => tracing::debug!(%err, %path, "removing a deleted volume's data failed"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_per_cluster_node_and_path() {
        let name = engine_name("local", "local-worker", "/data");
        assert!(name.starts_with("k8s_host_local_local-worker_"), "{name}");
        assert_ne!(name, engine_name("local", "local-worker2", "/data"));
        assert_ne!(name, engine_name("local", "local-worker", "/data2"));
    }

    #[test]
    fn local_path_directories_name_their_volume() {
        assert_eq!(local_path_volume("/var/local-path-provisioner/pvc-1234_default_data"), Some("pvc-1234"));
        assert_eq!(local_path_volume("/var/local-path-provisioner"), None);
        assert_eq!(local_path_volume("/data/pvc-1_default_x"), None);
    }

    #[test]
    fn only_directory_types_are_mountable() {
        assert_eq!(must_exist(""), Ok(false));
        assert_eq!(must_exist("Directory"), Ok(true));
        assert!(must_exist("File").is_err());
    }
}
