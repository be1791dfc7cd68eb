//! Kubeconfig files as kubectl reads them (kube-rs's `Kubeconfig` types): the admin
//! kubeconfig `kctl server` writes, and merging a cluster's credentials into
//! `~/.kube/config` as kind does.

use std::path::{Path, PathBuf};

use base64::Engine;
use kube::config::{AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext};

use crate::apiserver::pki::CertifiedKey;

#[derive(Debug, thiserror::Error)]
pub enum KubeconfigFileError {
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: Box<kube::config::KubeconfigError> },
    #[error("encoding kubeconfig: {0}")]
    Encode(#[from] serde_yaml::Error),
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A kubeconfig with one cluster, user and context, all called `name`.
pub fn single(name: &str, server: &str, ca_pem: &str, client: &CertifiedKey) -> Kubeconfig {
    Kubeconfig {
        clusters: vec![NamedCluster {
            name: name.to_string(),
            cluster: Some(Cluster {
                server: Some(server.to_string()),
                certificate_authority_data: Some(b64(ca_pem)),
                ..Default::default()
            }),
        }],
        auth_infos: vec![NamedAuthInfo {
            name: name.to_string(),
            auth_info: Some(AuthInfo {
                client_certificate_data: Some(b64(&client.cert_pem)),
                client_key_data: Some(b64(&client.key_pem).into()),
                ..Default::default()
            }),
        }],
        contexts: vec![NamedContext {
            name: name.to_string(),
            context: Some(Context { cluster: name.to_string(), user: Some(name.to_string()), ..Default::default() }),
        }],
        current_context: Some(name.to_string()),
        api_version: Some("v1".into()),
        kind: Some("Config".into()),
        ..Default::default()
    }
}

/// Writes `config` to `path` (mode 0600: it holds a private key).
pub fn write(path: &Path, config: &Kubeconfig) -> Result<(), KubeconfigFileError> {
    let text = serde_yaml::to_string(config)?;
    let io = |source| KubeconfigFileError::Write { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}
