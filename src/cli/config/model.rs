//! client-go's `clientcmd/api/v1` types with Go's JSON rules: field order, which empty
//! fields are omitted and which print as `""`/`null`. Only what kubectl prints lives here;
//! the files themselves are edited as YAML so unknown fields survive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub kind: String,
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    #[serde(default)]
    pub preferences: Preferences,
    pub clusters: Option<Vec<NamedCluster>>,
    pub users: Option<Vec<NamedAuthInfo>>,
    pub contexts: Option<Vec<NamedContext>>,
    #[serde(rename = "current-context", default)]
    pub current_context: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamedExtension>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default, skip_serializing_if = "is_false")]
    pub colors: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamedExtension>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedCluster {
    pub name: String,
    pub cluster: Cluster,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedAuthInfo {
    pub name: String,
    pub user: AuthInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedContext {
    pub name: String,
    pub context: Context,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedExtension {
    pub name: String,
    #[serde(default)]
    pub extension: serde_json::Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    #[serde(default)]
    pub server: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tls_server_name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub insecure_skip_tls_verify: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub certificate_authority: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub certificate_authority_data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub proxy_url: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_compression: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamedExtension>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_certificate: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_certificate_data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_key_data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
    #[serde(rename = "tokenFile", default, skip_serializing_if = "String::is_empty")]
    pub token_file: String,
    #[serde(rename = "as", default, skip_serializing_if = "String::is_empty")]
    pub impersonate: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub as_uid: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub as_user_extra: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<AuthProviderConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamedExtension>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthProviderConfig {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub config: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecConfig {
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub args: Option<Vec<String>>,
    #[serde(default)]
    pub env: Option<Vec<ExecEnvVar>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub install_hint: String,
    #[serde(default)]
    pub provide_cluster_info: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interactive_mode: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExecEnvVar {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub user: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamedExtension>,
}

impl ExecConfig {
    /// client-go's defaulting: the beta exec APIs default to interactive mode IfAvailable.
    pub fn set_defaults(&mut self) {
        let beta = ["client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1"];
        if self.interactive_mode.is_empty() && beta.contains(&self.api_version.as_str()) {
            self.interactive_mode = "IfAvailable".into();
        }
    }
}

/// Go decodes `null` as the zero value; serde wants the field absent instead.
pub fn strip_nulls(value: serde_yaml::Value) -> serde_yaml::Value {
    match value {
        serde_yaml::Value::Mapping(map) => serde_yaml::Value::Mapping(
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect(),
        ),
        serde_yaml::Value::Sequence(items) => serde_yaml::Value::Sequence(items.into_iter().map(strip_nulls).collect()),
        serde_yaml::Value::Tagged(tagged) => strip_nulls(tagged.value),
        other => other,
    }
}

/// Decodes one entry body (or `None`) into its typed form.
pub fn decode<T: serde::de::DeserializeOwned + Default>(
    body: Option<&serde_yaml::Value>,
) -> Result<T, serde_yaml::Error> {
    match body {
        Some(body) if !body.is_null() => serde_yaml::from_value(strip_nulls(body.clone())),
        _ => Ok(T::default()),
    }
}

/// Encodes a typed value as the YAML kubectl would write for it (keys sorted, as Go
/// writes them).
pub fn encode<T: Serialize>(value: &T) -> serde_yaml::Mapping {
    match serde_json::to_value(value).and_then(serde_json::from_value::<serde_yaml::Value>) {
        Ok(serde_yaml::Value::Mapping(map)) => map,
        _ => serde_yaml::Mapping::new(),
    }
}
