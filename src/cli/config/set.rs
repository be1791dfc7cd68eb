//! The writing sub-verbs: `set-context`, `set-cluster`, `set-credentials`, `set`, `unset`.
//! Each edits only the stanza it names, in the file that defines it (see `KubeconfigSet`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use base64::Engine;
use clap::Args;
use serde_yaml::{Mapping, Value};

use super::model;
use crate::machinery::kubeconfig::{KubeconfigSet, Section};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Sets a string field; Go omits empty `omitempty` fields, so those are removed instead.
fn put_str(map: &mut Mapping, key: &str, value: &str, omitempty: bool) {
    if value.is_empty() && omitempty {
        map.remove(key);
    } else {
        map.insert(key.into(), value.into());
    }
}

fn put_bool(map: &mut Mapping, key: &str, value: bool) {
    if value {
        map.insert(key.into(), true.into());
    } else {
        map.remove(key);
    }
}

/// The origin file of an entry, or where a new one would go.
fn destination(set: &KubeconfigSet, section: Section, name: &str) -> PathBuf {
    match set.entry(section, name) {
        Some(entry) => entry.origin.to_path_buf(),
        None => set.access().default_file(),
    }
}

/// clientcmd writes a path relative to the kubeconfig's directory when it lies below it.
fn relativize(path: &Path, kubeconfig: &Path) -> String {
    let kubeconfig = absolute(kubeconfig);
    let relative =
        kubeconfig.parent().and_then(|dir| path.strip_prefix(dir).ok()).filter(|rel| !rel.as_os_str().is_empty());
    relative.unwrap_or(path).to_string_lossy().into_owned()
}

/// The path made absolute against the working directory, `.` components dropped.
fn absolute(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|cwd| cwd.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    full.components().collect()
}

fn stat(flag: &str, path: &str) -> anyhow::Result<()> {
    if let Err(err) = std::fs::metadata(path) {
        bail!("could not stat {flag} file {path}: {}", super::go_io_error("stat", Path::new(path), &err));
    }
    Ok(())
}

// ---------------------------------------------------------------------------- set-context

#[derive(Args, Debug, Clone)]
pub struct SetContextArgs {
    /// Context name
    pub name: Option<String>,
    /// Modify the current context
    #[arg(long)]
    pub current: bool,
    /// cluster for the context entry in kubeconfig
    #[arg(long)]
    pub cluster: Option<String>,
    /// user for the context entry in kubeconfig
    #[arg(long)]
    pub user: Option<String>,
}

/// `namespace` is kubectl's global `--namespace`, which set-context reads as its own flag.
pub fn set_context(
    args: &SetContextArgs,
    namespace: Option<&str>,
    set: &mut KubeconfigSet,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = args.name.as_deref().unwrap_or_default();
    if name.is_empty() && !args.current {
        bail!("you must specify a non-empty context name or --current");
    }
    if !name.is_empty() && args.current {
        bail!("you cannot specify both a context name and --current");
    }
    let name = if args.current {
        match set.current_context() {
            Some(current) => current.to_string(),
            None => bail!("no current context is set"),
        }
    } else {
        name.to_string()
    };
    let existed = set.upsert(
        Section::Contexts,
        &name,
        || model::encode(&model::Context::default()),
        |body| {
            if let Some(cluster) = &args.cluster {
                put_str(body, "cluster", cluster, false);
            }
            if let Some(user) = &args.user {
                put_str(body, "user", user, false);
            }
            if let Some(namespace) = namespace {
                put_str(body, "namespace", namespace, true);
            }
        },
    );
    set.save()?;
    let verb = if existed { "modified" } else { "created" };
    writeln!(out, "Context {name:?} {verb}.")?;
    Ok(())
}

// ---------------------------------------------------------------------------- set-cluster

#[derive(Args, Debug, Clone)]
pub struct SetClusterArgs {
    /// Cluster name
    pub name: String,
    /// server for the cluster entry in kubeconfig
    #[arg(long)]
    pub server: Option<String>,
    /// tls-server-name for the cluster entry in kubeconfig
    #[arg(long)]
    pub tls_server_name: Option<String>,
    /// insecure-skip-tls-verify for the cluster entry in kubeconfig
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set, default_value_t = false)]
    pub insecure_skip_tls_verify: bool,
    /// Path to certificate-authority file for the cluster entry in kubeconfig
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub certificate_authority: Option<String>,
    /// embed-certs for the cluster entry in kubeconfig
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set, default_value_t = false)]
    pub embed_certs: bool,
    /// proxy-url for the cluster entry in kubeconfig
    #[arg(long)]
    pub proxy_url: Option<String>,
}

pub fn set_cluster(args: &SetClusterArgs, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.insecure_skip_tls_verify && args.certificate_authority.is_some() {
        bail!("you cannot specify a certificate authority and insecure mode at the same time");
    }
    let mut ca_data = None;
    if args.embed_certs {
        let Some(ca) = &args.certificate_authority else {
            bail!("you must specify a --certificate-authority to embed");
        };
        stat("certificate-authority", ca)?;
        ca_data = Some(b64(&std::fs::read(ca).unwrap_or_default()));
    }
    let file = destination(set, Section::Clusters, &args.name);
    set.upsert(
        Section::Clusters,
        &args.name,
        || model::encode(&model::Cluster::default()),
        |body| {
            if let Some(server) = &args.server {
                put_str(body, "server", server, false);
                // A new server makes the old TLS server name meaningless.
                body.remove("tls-server-name");
            }
            if let Some(name) = &args.tls_server_name {
                put_str(body, "tls-server-name", name, true);
            }
            // kubectl 1.32 sets the flag's value whether or not it was given.
            put_bool(body, "insecure-skip-tls-verify", args.insecure_skip_tls_verify);
            if args.insecure_skip_tls_verify {
                body.remove("certificate-authority");
                body.remove("certificate-authority-data");
            }
            if let Some(ca) = &args.certificate_authority {
                body.remove("insecure-skip-tls-verify");
                match &ca_data {
                    Some(data) => {
                        put_str(body, "certificate-authority-data", data, true);
                        body.remove("certificate-authority");
                    }
                    None => {
                        put_str(body, "certificate-authority", &relativize(&absolute(ca), &file), true);
                        body.remove("certificate-authority-data");
                    }
                }
            }
            if let Some(proxy) = &args.proxy_url {
                put_str(body, "proxy-url", proxy, true);
            }
        },
    );
    set.save()?;
    writeln!(out, "Cluster {:?} set.", args.name)?;
    Ok(())
}

// ------------------------------------------------------------------------ set-credentials

#[derive(Args, Debug, Clone)]
pub struct SetCredentialsArgs {
    /// User name
    pub name: String,
    /// Path to client-certificate file for the user entry in kubeconfig
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub client_certificate: Option<String>,
    /// Path to client-key file for the user entry in kubeconfig
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub client_key: Option<String>,
    /// token for the user entry in kubeconfig
    #[arg(long)]
    pub token: Option<String>,
    /// username for the user entry in kubeconfig
    #[arg(long)]
    pub username: Option<String>,
    /// password for the user entry in kubeconfig
    #[arg(long)]
    pub password: Option<String>,
    /// Auth provider for the user entry in kubeconfig
    #[arg(long)]
    pub auth_provider: Option<String>,
    /// 'key=value' arguments for the auth provider
    #[arg(long, value_delimiter = ',')]
    pub auth_provider_arg: Vec<String>,
    /// Command for the exec credential plugin for the user entry in kubeconfig
    #[arg(long)]
    pub exec_command: Option<String>,
    /// API version of the exec credential plugin for the user entry in kubeconfig
    #[arg(long)]
    pub exec_api_version: Option<String>,
    /// New arguments for the exec credential plugin command for the user entry in kubeconfig
    #[arg(long, value_delimiter = ',')]
    pub exec_arg: Vec<String>,
    /// 'key=value' environment values for the exec credential plugin
    #[arg(long)]
    pub exec_env: Vec<String>,
    /// Embed client cert/key for the user entry in kubeconfig
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub embed_certs: Option<bool>,
}

/// `key=value` pairs to set and `key-` keys to remove, from a repeated flag.
#[derive(Debug, Default)]
struct Pairs {
    set: Vec<(String, String)>,
    remove: Vec<String>,
}

/// kubectl's ParsePairs: `key=value` to set, `key-` to remove.
fn parse_pairs(pairs: &[String], flag: &str) -> anyhow::Result<Pairs> {
    let (mut set, mut remove, mut invalid) = (Vec::new(), Vec::new(), Vec::new());
    for pair in pairs {
        if let Some(key) = pair.strip_suffix('-').filter(|_| !pair.contains('=')) {
            remove.push(key.to_string());
        } else {
            match pair.split_once('=') {
                Some((key, value)) if !key.is_empty() => {
                    set.retain(|(k, _): &(String, String)| k != key);
                    set.push((key.to_string(), value.to_string()));
                }
                _ => invalid.push(pair.clone()),
            }
        }
    }
    if !invalid.is_empty() {
        bail!("invalid {flag}: {}", invalid.join(", "));
    }
    Ok(Pairs { set, remove })
}

pub fn set_credentials(args: &SetCredentialsArgs, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    let provider = parse_pairs(&args.auth_provider_arg, "auth-provider-arg")?;
    let env = parse_pairs(&args.exec_env, "exec-env")?;
    if args.name.is_empty() {
        bail!("you must specify a non-empty user name");
    }
    let mut methods = Vec::new();
    if args.token.as_deref().is_some_and(|t| !t.is_empty()) {
        methods.push("--token");
    }
    if [&args.username, &args.password].iter().any(|v| v.as_deref().is_some_and(|v| !v.is_empty())) {
        methods.push("--username/--password");
    }
    if methods.len() > 1 {
        bail!("you cannot specify more than one authentication method at the same time: {}", methods.join(", "));
    }
    let embed = args.embed_certs.unwrap_or(false);
    let (cert, key) = (args.client_certificate.as_deref(), args.client_key.as_deref());
    if embed {
        if cert.unwrap_or_default().is_empty() && key.unwrap_or_default().is_empty() {
            bail!("you must specify a --client-certificate or --client-key to embed");
        }
        if let Some(cert) = cert.filter(|c| !c.is_empty()) {
            stat("client-certificate", cert)?;
        }
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            stat("client-key", key)?;
        }
    }
    let file = destination(set, Section::Users, &args.name);
    set.upsert(
        Section::Users,
        &args.name,
        || model::encode(&model::AuthInfo::default()),
        |body| {
            for (path, field) in [(cert, "client-certificate"), (key, "client-key")] {
                let Some(path) = path else { continue };
                let data_field = format!("{field}-data");
                if embed {
                    put_str(body, &data_field, &b64(&std::fs::read(path).unwrap_or_default()), true);
                    body.remove(field);
                } else {
                    put_str(body, field, &relativize(&absolute(path), &file), true);
                    body.remove(data_field.as_str());
                }
            }
            let mut set_token = false;
            let mut set_basic = false;
            if let Some(token) = &args.token {
                put_str(body, "token", token, true);
                set_token = !token.is_empty();
            }
            for (value, field) in [(&args.username, "username"), (&args.password, "password")] {
                if let Some(value) = value {
                    put_str(body, field, value, true);
                    set_basic |= !value.is_empty();
                }
            }
            modify_auth_provider(body, args.auth_provider.as_deref(), &provider);
            modify_exec(body, args, &env);
            // One authentication method at a time: setting one clears the other.
            if set_token && !set_basic {
                body.remove("username");
                body.remove("password");
            }
            if set_basic && !set_token {
                body.remove("token");
            }
        },
    );
    set.save()?;
    writeln!(out, "User {:?} set.", args.name)?;
    Ok(())
}

fn sub_mapping<'a>(body: &'a mut Mapping, key: &str) -> Option<&'a mut Mapping> {
    body.get_mut(key).and_then(Value::as_mapping_mut)
}

fn modify_auth_provider(body: &mut Mapping, name: Option<&str>, pairs: &Pairs) {
    if let Some(name) = name {
        let same = body.get("auth-provider").and_then(|p| p.get("name")).and_then(Value::as_str) == Some(name);
        if !same {
            let mut provider = Mapping::new();
            provider.insert("name".into(), name.into());
            body.insert("auth-provider".into(), Value::Mapping(provider));
        }
    }
    let Some(provider) = sub_mapping(body, "auth-provider") else { return };
    let config = provider.entry("config".into()).or_insert(Value::Null);
    if !config.is_mapping() {
        *config = Value::Mapping(Mapping::new());
    }
    let Some(config) = config.as_mapping_mut() else { return };
    for key in &pairs.remove {
        config.remove(key.as_str());
    }
    for (key, value) in &pairs.set {
        config.insert(key.as_str().into(), value.as_str().into());
    }
}

fn modify_exec(body: &mut Mapping, args: &SetCredentialsArgs, pairs: &Pairs) {
    let (env_set, env_remove) = (&pairs.set, &pairs.remove);
    if let Some(command) = &args.exec_command {
        match sub_mapping(body, "exec") {
            Some(exec) => {
                exec.insert("command".into(), command.as_str().into());
                // A new command drops the old command's arguments.
                exec.remove("args");
            }
            None => {
                let exec = model::ExecConfig { command: command.clone(), ..Default::default() };
                body.insert("exec".into(), Value::Mapping(model::encode(&exec)));
            }
        }
    }
    let Some(exec) = sub_mapping(body, "exec") else { return };
    // kubectl writes back the interactive mode it defaulted when it read the stanza.
    let beta = ["client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1"];
    let version = exec.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    if beta.contains(&version) && exec.get("interactiveMode").and_then(Value::as_str).unwrap_or_default().is_empty() {
        exec.insert("interactiveMode".into(), "IfAvailable".into());
    }
    if let Some(version) = &args.exec_api_version {
        put_str(exec, "apiVersion", version, true);
    }
    if !args.exec_arg.is_empty() {
        exec.insert("args".into(), Value::Sequence(args.exec_arg.iter().map(|a| a.as_str().into()).collect()));
    }
    if env_remove.is_empty() && env_set.is_empty() {
        return;
    }
    let mut env: Vec<Value> = exec.get("env").and_then(Value::as_sequence).cloned().unwrap_or_default();
    let name_of = |item: &Value| item.get("name").and_then(Value::as_str).map(str::to_string);
    if !env_remove.is_empty() {
        env.retain(|item| !name_of(item).is_some_and(|n| env_remove.contains(&n)));
    }
    for (name, value) in env_set {
        match env.iter_mut().find(|item| name_of(item).as_deref() == Some(name)) {
            Some(Value::Mapping(item)) => {
                item.insert("value".into(), value.as_str().into());
            }
            _ => {
                let mut item = Mapping::new();
                item.insert("name".into(), name.as_str().into());
                item.insert("value".into(), value.as_str().into());
                env.push(Value::Mapping(item));
            }
        }
    }
    exec.insert("env".into(), Value::Sequence(env));
}

// ------------------------------------------------------------------------- set and unset

#[derive(Args, Debug, Clone)]
pub struct SetArgs {
    /// Dot-delimited property name, e.g. clusters.my-cluster.server
    pub property_name: String,
    /// The new value
    pub property_value: String,
    /// When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub set_raw_bytes: Option<bool>,
}

#[derive(Args, Debug, Clone)]
pub struct UnsetArgs {
    /// Dot-delimited property name, e.g. contexts.foo.namespace
    pub property_name: String,
}

/// How a field of client-go's internal config types is set from a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A string; `true` if Go omits it when empty.
    Str(bool),
    Bool,
    Bytes,
}

fn field_kind(section: Section, field: &str) -> Option<Kind> {
    use Kind::*;
    let kind = match (section, field) {
        (Section::Clusters, "server") => Str(false),
        (Section::Clusters, "tls-server-name" | "certificate-authority" | "proxy-url") => Str(true),
        (Section::Clusters, "insecure-skip-tls-verify" | "disable-compression") => Bool,
        (Section::Clusters, "certificate-authority-data") => Bytes,
        (Section::Users, "client-certificate-data" | "client-key-data") => Bytes,
        (
            Section::Users,
            "client-certificate" | "client-key" | "token" | "tokenFile" | "as" | "as-uid" | "username" | "password",
        ) => Str(true),
        (Section::Contexts, "cluster" | "user") => Str(false),
        (Section::Contexts, "namespace") => Str(true),
        _ => return None,
    };
    Some(kind)
}

/// A parsed property path: `current-context`, or an entry and maybe one of its fields.
enum Property {
    CurrentContext,
    Entry { section: Section, name: String, field: Option<String> },
}

/// Splits `clusters.a.b.server` as kubectl does: an entry name runs until the first part
/// that names a field of the entry type, so names may contain dots.
fn parse_property(property: &str) -> anyhow::Result<Property> {
    let parts: Vec<&str> = property.split('.').collect();
    let section = match parts[0] {
        "current-context" if parts.len() == 1 => return Ok(Property::CurrentContext),
        "clusters" => Section::Clusters,
        "users" => Section::Users,
        "contexts" => Section::Contexts,
        _ => bail!("unable to locate path {}", parts[0]),
    };
    let rest = &parts[1..];
    if rest.is_empty() {
        bail!("can't set a map to a value: {}", section.key());
    }
    let name_len = rest[1..].iter().position(|p| is_field(section, p)).map(|i| i + 1).unwrap_or(rest.len());
    let name = rest[..name_len].join(".");
    let field = match &rest[name_len..] {
        [] => None,
        [field] if field_kind(section, field).is_some() => Some(field.to_string()),
        [field, ..] => bail!("unable to locate path {field} under {}", section.item_key()),
    };
    Ok(Property::Entry { section, name, field })
}

fn is_field(section: Section, part: &str) -> bool {
    field_kind(section, part).is_some()
        || matches!((section, part), (_, "extensions") | (Section::Users, "auth-provider" | "exec" | "as-groups"))
}

/// Go's strconv.ParseBool, which `config set` uses; the empty string is false.
fn parse_bool(value: &str) -> anyhow::Result<bool> {
    match value {
        "" | "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        _ => bail!("strconv.ParseBool: parsing {value:?}: invalid syntax"),
    }
}

pub fn set_property(args: &SetArgs, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.property_value.is_empty() {
        bail!("you cannot use set to unset a property");
    }
    if args.property_name.is_empty() {
        bail!("you must specify a property");
    }
    match parse_property(&args.property_name)? {
        Property::CurrentContext => set.set_current_context(&args.property_value)?,
        Property::Entry { field: None, section, .. } => bail!("can't set a map to a value: {}", section.key()),
        Property::Entry { section, name, field: Some(field) } => {
            let value = match field_kind(section, &field) {
                Some(Kind::Str(_)) => Value::from(args.property_value.as_str()),
                Some(Kind::Bool) => Value::from(parse_bool(&args.property_value)?),
                Some(Kind::Bytes) if args.set_raw_bytes.unwrap_or(false) => b64(args.property_value.as_bytes()).into(),
                Some(Kind::Bytes) => {
                    let engine = base64::engine::general_purpose::STANDARD;
                    let bytes = engine.decode(&args.property_value).map_err(|err| {
                        anyhow::anyhow!("error decoding input value: illegal base64 data at input byte {}", {
                            use base64::DecodeError::*;
                            match err {
                                InvalidByte(offset, _) | InvalidLastSymbol { offset, .. } => offset,
                                InvalidLength(len) => len,
                                InvalidPadding => args.property_value.len(),
                            }
                        })
                    })?;
                    b64(&bytes).into()
                }
                None => bail!("unable to locate path {field}"),
            };
            let new_body = || match section {
                Section::Clusters => model::encode(&model::Cluster::default()),
                Section::Users => model::encode(&model::AuthInfo::default()),
                Section::Contexts => model::encode(&model::Context::default()),
            };
            set.upsert(section, &name, new_body, |body| {
                if value == Value::Bool(false) {
                    body.remove(field.as_str());
                } else {
                    body.insert(field.as_str().into(), value);
                }
            });
        }
    }
    set.save()?;
    writeln!(out, "Property {:?} set.", args.property_name)?;
    Ok(())
}

pub fn unset_property(args: &UnsetArgs, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.property_name.is_empty() {
        bail!("you must specify a property");
    }
    match parse_property(&args.property_name)? {
        Property::CurrentContext => set.set_current_context("")?,
        Property::Entry { section, name, field } => {
            if !set.contains(section, &name) {
                if field.is_none() {
                    // Removing a name that is not there is not an error in kubectl.
                    writeln!(out, "Property {:?} unset.", args.property_name)?;
                    return Ok(());
                }
                bail!("current map key `{name}` is invalid");
            }
            match field {
                None => {
                    set.remove(section, &name);
                }
                Some(field) => {
                    set.upsert(section, &name, Mapping::new, |body| match field_kind(section, &field) {
                        Some(Kind::Str(false)) => {
                            body.insert(field.as_str().into(), "".into());
                        }
                        _ => {
                            body.remove(field.as_str());
                        }
                    });
                }
            }
        }
    }
    set.save()?;
    writeln!(out, "Property {:?} unset.", args.property_name)?;
    Ok(())
}
