//! kind's cluster config (`kind.x-k8s.io/v1alpha4`, kind `Cluster`), read unchanged: the
//! types here, `default` fills what a file leaves out, `validate` lists every problem.
//! Fields kind knows that kctl does not use are accepted and reported as notes; fields
//! kind does not know are errors, as kind's strict decoding makes them.

pub mod default;
pub mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_yaml::Value;

pub const API_VERSION: &str = "kind.x-k8s.io/v1alpha4";
pub const KIND: &str = "Cluster";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub networking: Networking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    ControlPlane,
    Worker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ControlPlane => "control-plane",
            Role::Worker => "worker",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// `control-plane` or `worker` (kept as written, so `validate` can name a wrong one).
    #[serde(default)]
    pub role: String,
    /// kind's node image; kctl always runs its own (a note says so).
    #[serde(default)]
    pub image: String,
    /// Labels of the Node object.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub extra_port_mappings: Vec<PortMapping>,
}

impl Node {
    pub fn role(&self) -> Option<Role> {
        match self.role.as_str() {
            "control-plane" => Some(Role::ControlPlane),
            "worker" => Some(Role::Worker),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    #[serde(default)]
    pub container_port: i32,
    #[serde(default)]
    pub host_port: i32,
    #[serde(default)]
    pub listen_address: String,
    #[serde(default)]
    pub protocol: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Networking {
    #[serde(default)]
    pub ip_family: String,
    #[serde(default)]
    pub api_server_address: String,
    /// 0: a random free port.
    #[serde(default)]
    pub api_server_port: i32,
    #[serde(default)]
    pub pod_subnet: String,
    #[serde(default)]
    pub service_subnet: String,
    #[serde(default)]
    pub kube_proxy_mode: String,
}

/// A config as read: the cluster, and notes about kind fields kctl accepts but ignores.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub cluster: Cluster,
    pub notes: Vec<String>,
}

/// Why a config file cannot be used; `Invalid` carries every problem found.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("failed to decode config: {0}")]
    Decode(String),
    #[error("invalid cluster config:\n{}", .0.iter().map(|p| format!("  * {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<String>),
}

/// kind's fields kctl has no use for, by object: accepted, with a note.
const IGNORED_CLUSTER: &[&str] = &[
    "featureGates",
    "runtimeConfig",
    "kubeadmConfigPatches",
    "kubeadmConfigPatchesJSON6902",
    "containerdConfigPatches",
    "containerdConfigPatchesJSON6902",
];
const USED_CLUSTER: &[&str] = &["kind", "apiVersion", "name", "nodes", "networking"];
const IGNORED_NODE: &[&str] = &["image", "extraMounts", "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902"];
const USED_NODE: &[&str] = &["role", "labels", "extraPortMappings"];
const IGNORED_NETWORKING: &[&str] = &["disableDefaultCNI", "dnsSearch", "podSubnet", "kubeProxyMode"];
/// `serviceSubnet` is the control plane's `--service-cluster-ip-range` (its IPv4 range).
const USED_NETWORKING: &[&str] = &["ipFamily", "apiServerAddress", "apiServerPort", "serviceSubnet"];

/// Checks the keys of one mapping: unknown ones are problems (kind's strict decoding
/// words them "field X not found in type Y"), known-but-unused ones become notes.
fn check_keys(
    value: &Value,
    type_name: &str,
    path: &str,
    used: &[&str],
    ignored: &[&str],
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let Some(map) = value.as_mapping() else { return };
    for key in map.keys() {
        let key = key.as_str().unwrap_or_default();
        if used.contains(&key) {
            continue;
        }
        if ignored.contains(&key) {
            notes.push(format!("{path}{key} is a kind setting kctl does not use; ignored"));
        } else {
            problems.push(format!("field {key} not found in type {type_name}"));
        }
    }
}

/// Reads a config document (YAML or JSON).
pub fn parse(text: &str) -> Result<Loaded, ConfigError> {
    let value: Value = serde_yaml::from_str(text).map_err(|err| ConfigError::Decode(err.to_string()))?;
    if value.is_null() {
        return Ok(Loaded::default());
    }
    if !value.is_mapping() {
        return Err(ConfigError::Decode("the config is not a YAML mapping".into()));
    }
    let text_of = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let (kind, api_version) = (text_of("kind"), text_of("apiVersion"));
    // kind's loader: the type is decided by apiVersion and kind before any field.
    if kind != KIND {
        return Err(ConfigError::Decode(format!("unknown kind {kind:?} for apiVersion: {api_version}")));
    }
    if api_version != API_VERSION {
        return Err(ConfigError::Decode(format!("unknown apiVersion: {api_version}")));
    }
    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    check_keys(&value, "v1alpha4.Cluster", "", USED_CLUSTER, IGNORED_CLUSTER, &mut problems, &mut notes);
    if let Some(networking) = value.get("networking") {
        check_keys(
            networking,
            "v1alpha4.Networking",
            "networking.",
            USED_NETWORKING,
            IGNORED_NETWORKING,
            &mut problems,
            &mut notes,
        );
    }
    if let Some(nodes) = value.get("nodes").and_then(Value::as_sequence) {
        for (i, node) in nodes.iter().enumerate() {
            let path = format!("nodes[{i}].");
            check_keys(node, "v1alpha4.Node", &path, USED_NODE, IGNORED_NODE, &mut problems, &mut notes);
        }
    }
    if !problems.is_empty() {
        return Err(ConfigError::Invalid(problems));
    }
    let cluster: Cluster = serde_yaml::from_value(value).map_err(|err| ConfigError::Decode(err.to_string()))?;
    Ok(Loaded { cluster, notes })
}

/// Reads, defaults and validates the config at `path` (None: kind's default cluster),
/// named `name` when given (the `--name` flag wins over the file's `name`).
pub fn load(path: Option<&str>, name: Option<&str>) -> Result<Loaded, ConfigError> {
    let mut loaded = match path {
        Some(path) => {
            let text =
                if path == "-" { std::io::read_to_string(std::io::stdin()) } else { std::fs::read_to_string(path) }
                    .map_err(|source| ConfigError::Read { path: path.to_string(), source })?;
            parse(&text)?
        }
        None => Loaded::default(),
    };
    if let Some(name) = name.filter(|n| !n.is_empty()) {
        loaded.cluster.name = name.to_string();
    }
    default::apply(&mut loaded.cluster);
    loaded.cluster.validate().map_err(ConfigError::Invalid)?;
    Ok(loaded)
}

/// The node container names, in the config's order: kind's `<cluster>-control-plane`,
/// `<cluster>-control-plane2`, `<cluster>-worker`, `<cluster>-worker2`, …
pub fn node_names(cluster: &Cluster) -> Vec<(String, Role)> {
    let (mut control_planes, mut workers) = (0, 0);
    cluster
        .nodes
        .iter()
        .filter_map(|node| {
            let role = node.role()?;
            let count = match role {
                Role::ControlPlane => &mut control_planes,
                Role::Worker => &mut workers,
            };
            *count += 1;
            let suffix = if *count == 1 { String::new() } else { count.to_string() };
            Some((format!("{}-{}{suffix}", cluster.name, role.as_str()), role))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures(prefix: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cluster");
        let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix) && n.ends_with(".yaml"))
            .map(|n| (n.clone(), std::fs::read_to_string(dir.join(&n)).unwrap()))
            .collect();
        found.sort();
        assert!(!found.is_empty(), "no {prefix}*.yaml fixtures");
        found
    }

    fn load_text(text: &str) -> Result<Loaded, ConfigError> {
        let mut loaded = parse(text)?;
        default::apply(&mut loaded.cluster);
        loaded.cluster.validate().map_err(ConfigError::Invalid)?;
        Ok(loaded)
    }

    #[test]
    fn every_valid_fixture_loads() {
        for (name, text) in fixtures("valid-") {
            if let Err(err) = load_text(&text) {
                panic!("{name}: {err}");
            }
        }
    }

    /// Each invalid fixture starts with `# expect: <text>` lines, every one of which must
    /// appear in the error (so a fixture with several problems checks they are all listed).
    #[test]
    fn every_invalid_fixture_is_rejected_with_each_problem() {
        for (name, text) in fixtures("invalid-") {
            let expected: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# expect: ")).collect();
            assert!(!expected.is_empty(), "{name} has no `# expect:` line");
            let err = match load_text(&text) {
                Ok(_) => panic!("{name} was accepted"),
                Err(err) => err.to_string(),
            };
            for want in expected {
                assert!(err.contains(want), "{name}: {err:?} lacks {want:?}");
            }
        }
    }

    #[test]
    fn the_notes_three_node_config_names_nodes_as_kind_does() {
        let text = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n  - role: worker\n";
        let mut loaded = load_text(text).unwrap();
        loaded.cluster.name = "local".into();
        let names: Vec<String> = node_names(&loaded.cluster).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["local-control-plane", "local-worker", "local-worker2"]);
    }

    #[test]
    fn no_config_is_one_control_plane_named_kind() {
        let loaded = load(None, None).unwrap();
        assert_eq!(loaded.cluster.name, "kind");
        assert_eq!(node_names(&loaded.cluster), vec![("kind-control-plane".to_string(), Role::ControlPlane)]);
        assert_eq!(loaded.cluster.networking.api_server_address, "127.0.0.1");
    }

    #[test]
    fn kind_fields_kctl_ignores_become_notes() {
        let text = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nfeatureGates: {A: true}\nnodes:\n- role: control-plane\n  image: kindest/node:v1.32.0\n";
        let loaded = load_text(text).unwrap();
        assert_eq!(loaded.notes.len(), 2, "{:?}", loaded.notes);
        assert!(loaded.notes[0].contains("featureGates"));
        assert!(loaded.notes[1].contains("nodes[0].image"));
    }
}
