//! Where kubectl finds its kubeconfig and how it picks cluster, user and namespace:
//! `--kubeconfig`, else every file in `KUBECONFIG` merged (the first file to set a key
//! wins), else `~/.kube/config`; then `--context`/`--cluster`/`--user`/`-n` on top.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClientError;
use crate::machinery::duration;

/// What the command line says about the connection (kubectl's global flags).
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
    pub server: Option<String>,
    pub token: Option<String>,
    /// `--as` and `--as-group`: whom to impersonate.
    pub as_user: Option<String>,
    pub as_group: Vec<String>,
    pub insecure_skip_tls_verify: bool,
    pub request_timeout: Option<String>,
    pub verbosity: u8,
}

/// The loaded configuration: files read, the client config, and the namespace to use.
pub struct Loaded {
    pub files: Vec<PathBuf>,
    pub config: kube::Config,
    pub namespace: String,
}

/// The kubeconfig files kubectl would read, in precedence order.
pub fn kubeconfig_files(flags: &ConnectionFlags) -> Vec<PathBuf> {
    if let Some(path) = flags.kubeconfig.as_deref().filter(|p| !p.is_empty()) {
        return vec![PathBuf::from(path)];
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        // Missing files in KUBECONFIG are skipped, as kubectl does; duplicates read once.
        let mut files: Vec<PathBuf> = Vec::new();
        for path in std::env::split_paths(&list) {
            if !path.as_os_str().is_empty() && !files.contains(&path) {
                files.push(path);
            }
        }
        return files;
    }
    match dirs::home_dir() {
        Some(home) => vec![home.join(".kube").join("config")],
        None => Vec::new(),
    }
}

/// Reads and merges the kubeconfig files (an explicit `--kubeconfig` must exist).
pub fn read_merged(flags: &ConnectionFlags) -> Result<(Vec<PathBuf>, Option<Kubeconfig>), ClientError> {
    let files = kubeconfig_files(flags);
    let explicit = flags.kubeconfig.as_deref().is_some_and(|p| !p.is_empty());
    let mut merged: Option<Kubeconfig> = None;
    let mut read = Vec::new();
    for path in files {
        if !path.exists() {
            if explicit {
                return Err(ClientError::Config(format!("stat {}: no such file or directory", path.display())));
            }
            continue;
        }
        let config = Kubeconfig::read_from(&path)
            .map_err(|e| ClientError::Config(format!("error loading config file \"{}\": {e}", path.display())))?;
        merged = Some(match merged {
            None => config,
            Some(first) => first.merge(config).map_err(|e| ClientError::Config(e.to_string()))?,
        });
        read.push(path);
    }
    Ok((read, merged))
}

/// Loads the client configuration kubectl would use for these flags.
pub async fn load(flags: &ConnectionFlags) -> Result<Loaded, ClientError> {
    let (files, kubeconfig) = read_merged(flags)?;
    let (mut config, context_namespace) = match kubeconfig {
        Some(kubeconfig) => {
            let context_name = flags.context.clone().or_else(|| kubeconfig.current_context.clone());
            if let Some(name) = &flags.context {
                if !kubeconfig.contexts.iter().any(|c| &c.name == name) {
                    return Err(ClientError::Configuration(format!(
                        "context was not found for specified context: {name}"
                    )));
                }
            }
            // Named on the command line, a cluster or user must exist (kubectl's checks, in its order).
            if let Some(name) = flags.cluster.as_ref().filter(|n| !kubeconfig.clusters.iter().any(|c| &c.name == *n)) {
                return Err(ClientError::Config(format!("no server found for cluster \"{name}\"")));
            }
            if let Some(name) = flags.user.as_ref().filter(|n| !kubeconfig.auth_infos.iter().any(|u| &u.name == *n)) {
                return Err(ClientError::Config(format!("auth info \"{name}\" does not exist")));
            }
            let namespace = context_name
                .as_ref()
                .and_then(|name| kubeconfig.contexts.iter().find(|c| &c.name == name))
                .and_then(|c| c.context.as_ref())
                .and_then(|c| c.namespace.clone());
            let options = KubeConfigOptions {
                context: flags.context.clone(),
                cluster: flags.cluster.clone(),
                user: flags.user.clone(),
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(|e| {
                ClientError::Config(match &flags.server {
                    Some(_) => e.to_string(),
                    None => format!("invalid configuration: {e}"),
                })
            });
            match (config, &flags.server) {
                (Ok(config), _) => (config, namespace),
                // Without a usable context, `--server` alone is enough (as kubectl).
                (Err(_), Some(server)) => (bare_config(server)?, namespace),
                (Err(e), None) => return Err(e),
            }
        }
        // No kubeconfig at all: kubectl falls back to an insecure localhost:8080.
        None => (bare_config(flags.server.as_deref().unwrap_or("http://localhost:8080"))?, None),
    };
    if let Some(server) = &flags.server {
        config.cluster_url =
            server.parse().map_err(|_| ClientError::Config(format!("invalid server address \"{server}\"")))?;
    }
    if let Some(token) = &flags.token {
        config.auth_info.token = Some(token.clone().into());
        config.auth_info.client_certificate_data = None;
        config.auth_info.client_key_data = None;
        config.auth_info.client_certificate = None;
        config.auth_info.client_key = None;
    }
    if let Some(user) = flags.as_user.as_ref().filter(|u| !u.is_empty()) {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !flags.as_group.is_empty() {
        config.auth_info.impersonate_groups = Some(flags.as_group.clone());
    }
    if flags.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
        config.root_cert = None;
    }
    // Watches may stay silent for long; kubectl has no read timeout unless asked for one.
    config.read_timeout = None;
    let namespace = flags
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .or(context_namespace)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_string());
    config.default_namespace = namespace.clone();
    Ok(Loaded { files, config, namespace })
}

fn bare_config(server: &str) -> Result<kube::Config, ClientError> {
    let url = server.parse().map_err(|_| ClientError::Config(format!("invalid server address \"{server}\"")))?;
    Ok(kube::Config::new(url))
}

/// `--request-timeout` as clientcmd's `ParseTimeout` reads it: a non-negative integer is
/// seconds, anything else a Go duration (`1s`, `2m`, `1h30m`, `500ms`); zero or less means no
/// timeout. A value past Go's longest duration is refused in kubectl's words, as any other
/// bad value (kubectl itself wraps a bare number of seconds that large).
pub fn parse_timeout(text: &str) -> Result<Option<std::time::Duration>, ClientError> {
    let invalid = || {
        ClientError::Usage(
            "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)".to_string(),
        )
    };
    let timeout = match text.parse::<i64>() {
        Ok(seconds) if seconds >= 0 => {
            chrono::TimeDelta::try_seconds(seconds).filter(|d| d.num_nanoseconds().is_some()).ok_or_else(invalid)?
        }
        _ => duration::parse_go(text).map_err(|_| invalid())?,
    };
    Ok(timeout.to_std().ok().filter(|d| !d.is_zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeout_accepts_seconds_and_units() {
        assert_eq!(parse_timeout("5").unwrap(), Some(std::time::Duration::from_secs(5)));
        assert_eq!(parse_timeout("2m").unwrap(), Some(std::time::Duration::from_secs(120)));
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert_eq!(parse_timeout("+5").unwrap(), Some(std::time::Duration::from_secs(5)));
        assert_eq!(parse_timeout("1.5s").unwrap(), Some(std::time::Duration::from_millis(1500)));
        assert_eq!(parse_timeout("-1s").unwrap(), None);
        assert_eq!(parse_timeout("9223372036").unwrap(), Some(std::time::Duration::from_secs(9223372036)));
        for bad in ["soon", "-5", "1.5", "5 ", "9223372037", "100000000000000000000s", "100000000000000000000"] {
            assert!(matches!(parse_timeout(bad), Err(ClientError::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn explicit_kubeconfig_wins_over_the_environment() {
        let flags = ConnectionFlags { kubeconfig: Some("/x/config".into()), ..Default::default() };
        assert_eq!(kubeconfig_files(&flags), vec![PathBuf::from("/x/config")]);
    }
}
