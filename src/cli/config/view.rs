//! `kctl config view`: the merged kubeconfig as kubectl prints it, secrets redacted unless
//! `--raw`, reduced to the current context with `--minify`, files embedded with `--flatten`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use base64::Engine;
use clap::Args;

use super::model::{self, AuthInfo, Cluster, Config, Context, NamedExtension};
use crate::machinery::kubeconfig::{KubeconfigSet, Section};

#[derive(Args, Debug, Clone)]
pub struct ViewArgs {
    /// Remove all information not used by current-context from the output
    #[arg(long)]
    pub minify: bool,
    /// Display raw byte data and sensitive data
    #[arg(long)]
    pub raw: bool,
    /// Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)
    #[arg(long)]
    pub flatten: bool,
    /// Merge the full hierarchy of kubeconfig files
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub merge: bool,
    /// Output format. One of: (json, yaml).
    #[arg(short = 'o', long = "output", default_value = "yaml")]
    pub output: String,
}

/// Where each entry of the merged config came from (for `--flatten`'s relative paths).
#[derive(Default)]
pub struct Origins {
    clusters: BTreeMap<String, PathBuf>,
    users: BTreeMap<String, PathBuf>,
}

pub fn run(args: &ViewArgs, set: &KubeconfigSet, context: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    if !matches!(args.output.as_str(), "json" | "yaml") {
        bail!(
            "unable to match a printer suitable for the output format \"{}\", allowed formats are: json,yaml",
            args.output
        );
    }
    if !args.merge && !set.access().is_explicit() {
        bail!("if merge==false a precise file must be specified");
    }
    let (mut config, origins) = merged(set)?;
    if args.minify {
        if let Some(context) = context.filter(|c| !c.is_empty()) {
            config.current_context = context.to_string();
        }
        minify(&mut config)?;
    }
    if args.flatten {
        flatten(&mut config, &origins)?;
    } else if !args.raw {
        redact(&mut config);
    }
    print(&config, &args.output, out)
}

/// The merged view of the files, as client-go's loader builds it (lists sorted by name).
pub fn merged(set: &KubeconfigSet) -> anyhow::Result<(Config, Origins)> {
    let mut origins = Origins::default();
    let bad = |name: &str, origin: &Path| format!("error loading config file \"{}\": entry {name:?}", origin.display());
    let mut clusters = Vec::new();
    for entry in set.entries(Section::Clusters) {
        let mut cluster: Cluster = model::decode(entry.body).with_context(|| bad(entry.name, entry.origin))?;
        sort_extensions(&mut cluster.extensions);
        origins.clusters.insert(entry.name.to_string(), entry.origin.to_path_buf());
        clusters.push(model::NamedCluster { name: entry.name.to_string(), cluster });
    }
    let mut users = Vec::new();
    for entry in set.entries(Section::Users) {
        let mut user: AuthInfo = model::decode(entry.body).with_context(|| bad(entry.name, entry.origin))?;
        sort_extensions(&mut user.extensions);
        if let Some(exec) = &mut user.exec {
            exec.set_defaults();
        }
        origins.users.insert(entry.name.to_string(), entry.origin.to_path_buf());
        users.push(model::NamedAuthInfo { name: entry.name.to_string(), user });
    }
    let mut contexts = Vec::new();
    for entry in set.entries(Section::Contexts) {
        let mut context: Context = model::decode(entry.body).with_context(|| bad(entry.name, entry.origin))?;
        sort_extensions(&mut context.extensions);
        contexts.push(model::NamedContext { name: entry.name.to_string(), context });
    }
    let mut extensions: Vec<NamedExtension> = Vec::new();
    for file in set.files() {
        if let Some(list) = file.doc.get("extensions") {
            let list: Vec<NamedExtension> = model::decode(Some(list)).unwrap_or_default();
            for ext in list {
                if !extensions.iter().any(|e| e.name == ext.name) {
                    extensions.push(ext);
                }
            }
        }
    }
    sort_extensions(&mut extensions);
    let mut preferences: model::Preferences = model::decode(set.top_level("preferences")).unwrap_or_default();
    sort_extensions(&mut preferences.extensions);
    let config = Config {
        kind: "Config".into(),
        api_version: "v1".into(),
        preferences,
        clusters: Some(clusters).filter(|v| !v.is_empty()),
        users: Some(users).filter(|v| !v.is_empty()),
        contexts: Some(contexts).filter(|v| !v.is_empty()),
        current_context: set.current_context().unwrap_or_default().to_string(),
        extensions,
    };
    Ok((config, origins))
}

/// Extensions are a map in client-go, so they print sorted by name, each name once.
fn sort_extensions(extensions: &mut Vec<NamedExtension>) {
    extensions.sort_by(|a, b| a.name.cmp(&b.name));
    extensions.dedup_by(|a, b| a.name == b.name);
}

/// Keeps only the current context and the cluster and user it names.
fn minify(config: &mut Config) -> anyhow::Result<()> {
    if config.current_context.is_empty() {
        bail!("current-context must exist in order to minify");
    }
    let name = config.current_context.clone();
    let contexts = config.contexts.take().unwrap_or_default();
    let Some(current) = contexts.into_iter().find(|c| c.name == name) else {
        bail!("cannot locate context {name}");
    };
    let (cluster, user) = (current.context.cluster.clone(), current.context.user.clone());
    let clusters: Vec<_> =
        config.clusters.take().unwrap_or_default().into_iter().filter(|c| c.name == cluster).collect();
    if !cluster.is_empty() && clusters.is_empty() {
        bail!("cannot locate cluster {cluster}");
    }
    let users: Vec<_> = config.users.take().unwrap_or_default().into_iter().filter(|u| u.name == user).collect();
    if !user.is_empty() && users.is_empty() {
        bail!("cannot locate user {user}");
    }
    config.contexts = Some(vec![current]);
    config.clusters = Some(clusters).filter(|v| !v.is_empty());
    config.users = Some(users).filter(|v| !v.is_empty());
    Ok(())
}

/// Replaces file references with the files' contents (relative to the defining file).
fn flatten(config: &mut Config, origins: &Origins) -> anyhow::Result<()> {
    for named in config.users.iter_mut().flatten() {
        let base = origins.users.get(&named.name).map(|p| base_dir(p)).unwrap_or_default();
        let user = &mut named.user;
        embed(&mut user.client_certificate, &mut user.client_certificate_data, &base)?;
        embed(&mut user.client_key, &mut user.client_key_data, &base)?;
    }
    for named in config.clusters.iter_mut().flatten() {
        let base = origins.clusters.get(&named.name).map(|p| base_dir(p)).unwrap_or_default();
        let cluster = &mut named.cluster;
        embed(&mut cluster.certificate_authority, &mut cluster.certificate_authority_data, &base)?;
    }
    Ok(())
}

fn base_dir(file: &Path) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.is_absolute() {
        dir
    } else {
        std::env::current_dir().map(|cwd| cwd.join(&dir)).unwrap_or(dir)
    }
}

fn embed(path: &mut String, data: &mut String, base: &Path) -> anyhow::Result<()> {
    if path.is_empty() {
        return Ok(());
    }
    if !data.is_empty() {
        bail!("cannot have values for both path and contents");
    }
    let full = if Path::new(path.as_str()).is_absolute() { PathBuf::from(&*path) } else { base.join(&*path) };
    let bytes = std::fs::read(&full).map_err(|err| anyhow::anyhow!(super::go_io_error("open", &full, &err)))?;
    *data = base64::engine::general_purpose::STANDARD.encode(bytes);
    path.clear();
    Ok(())
}

/// kubectl's RedactSecrets then ShortenConfig: key data, tokens and passwords become
/// REDACTED, embedded certificate data DATA+OMITTED.
fn redact(config: &mut Config) {
    const REDACTED: &str = "REDACTED";
    const OMITTED: &str = "DATA+OMITTED";
    for named in config.users.iter_mut().flatten() {
        let user = &mut named.user;
        for secret in [&mut user.token, &mut user.password] {
            if !secret.is_empty() {
                *secret = REDACTED.into();
            }
        }
        for data in [&mut user.client_certificate_data, &mut user.client_key_data] {
            if !data.is_empty() {
                *data = OMITTED.into();
            }
        }
    }
    for named in config.clusters.iter_mut().flatten() {
        if !named.cluster.certificate_authority_data.is_empty() {
            named.cluster.certificate_authority_data = OMITTED.into();
        }
    }
}

/// JSON in the types' field order with 4-space indent; YAML with sorted keys (kubectl
/// converts JSON to YAML through a map).
pub fn print(config: &Config, output: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    if output == "json" {
        out.write_all(crate::machinery::gotext::go_pretty_typed(config).as_bytes())?;
    } else {
        out.write_all(crate::machinery::yaml::to_yaml(&serde_json::to_value(config)?).as_bytes())?;
    }
    Ok(())
}
