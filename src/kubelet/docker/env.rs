//! A container's environment, as upstream's makeEnvironmentVariables: `envFrom`
//! (ConfigMaps and Secrets, with a prefix), then `env` in order — literal values with
//! `$(VAR)` references to earlier variables, or `valueFrom` a ConfigMap or Secret key,
//! a pod field or a container resource. A missing object or key that is not optional
//! fails with upstream's message (the container waits in CreateContainerConfigError).

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{ConfigMap, Container, Node, Pod, ResourceFieldSelector, Secret, Service};
use kube::api::Api;
use kube::Client;
use thiserror::Error;

use crate::machinery::quantity;

/// Why the environment could not be made (upstream's words: the waiting message).
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct EnvError(pub String);

/// A ConfigMap's or Secret's data as text, fetched once per container start.
#[derive(Default)]
pub struct Sources {
    config_maps: HashMap<String, Option<BTreeMap<String, String>>>,
    secrets: HashMap<String, Option<BTreeMap<String, String>>>,
    services: Option<Vec<Service>>,
}

fn api_error(kind: &str, namespace: &str, name: &str, error: kube::Error) -> EnvError {
    match error {
        // The kubelet's object managers say NotFound in the singular, as upstream's.
        kube::Error::Api(status) if status.code == 404 => EnvError(format!("{kind} \"{name}\" not found")),
        other => EnvError(format!("couldn't get {kind} {namespace}/{name}: {other}")),
    }
}

impl Sources {
    /// The Services whose variables a container of the namespace gets.
    pub async fn services(&mut self, client: &Client, namespace: &str, links: bool) -> Result<Vec<Service>, EnvError> {
        if self.services.is_none() {
            let failed = |_| EnvError("failed to list services when setting up env vars".to_string());
            let in_namespace = if links {
                Api::<Service>::namespaced(client.clone(), namespace)
                    .list(&Default::default())
                    .await
                    .map_err(failed)?
                    .items
            } else {
                Vec::new()
            };
            let master =
                Api::<Service>::namespaced(client.clone(), "default").get_opt(MASTER_SERVICE).await.map_err(failed)?;
            self.services = Some(linked_services(in_namespace, master, links));
        }
        Ok(self.services.clone().unwrap_or_default())
    }

    /// A ConfigMap's data (binaryData too, as text), or None when it does not exist.
    pub async fn config_map(
        &mut self,
        client: &Client,
        namespace: &str,
        name: &str,
    ) -> Result<Option<&BTreeMap<String, String>>, EnvError> {
        if !self.config_maps.contains_key(name) {
            let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
            let found = match api.get(name).await {
                Ok(map) => Some(map.data.unwrap_or_default()),
                Err(kube::Error::Api(status)) if status.code == 404 => None,
                Err(error) => return Err(api_error("configmap", namespace, name, error)),
            };
            self.config_maps.insert(name.to_string(), found);
        }
        Ok(self.config_maps.get(name).and_then(Option::as_ref))
    }

    /// A Secret's data decoded to text, or None when it does not exist.
    pub async fn secret(
        &mut self,
        client: &Client,
        namespace: &str,
        name: &str,
    ) -> Result<Option<&BTreeMap<String, String>>, EnvError> {
        if !self.secrets.contains_key(name) {
            let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
            let found = match api.get(name).await {
                Ok(secret) => Some(
                    secret
                        .data
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                        .collect(),
                ),
                Err(kube::Error::Api(status)) if status.code == 404 => None,
                Err(error) => return Err(api_error("secret", namespace, name, error)),
            };
            self.secrets.insert(name.to_string(), found);
        }
        Ok(self.secrets.get(name).and_then(Option::as_ref))
    }
}

/// Where the pod runs, for the fields and resources the environment may name.
pub struct PodContext<'a> {
    pub client: &'a Client,
    pub pod: &'a Pod,
    pub pod_ip: &'a str,
    pub host_ip: &'a str,
    pub node: &'a str,
}

/// Sets `name` to `value`, replacing an earlier definition in place.
fn set(env: &mut Vec<(String, String)>, name: String, value: String) {
    match env.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = value,
        None => env.push((name, value)),
    }
}

/// The container's variables, in the order they were defined.
pub async fn environment(
    context: &PodContext<'_>,
    container: &Container,
    sources: &mut Sources,
) -> Result<Vec<(String, String)>, EnvError> {
    let namespace = context.pod.metadata.namespace.as_deref().unwrap_or("default");
    let client = context.client;
    let links = context.pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true);
    let services = service_variables(&sources.services(client, namespace, links).await?);
    let mut env: Vec<(String, String)> = Vec::new();
    for from in container.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        let data = if let Some(reference) = &from.config_map_ref {
            let optional = reference.optional == Some(true);
            match sources.config_map(client, namespace, &reference.name).await? {
                Some(data) => data.clone(),
                None if optional => continue,
                None => return Err(EnvError(format!("configmap \"{}\" not found", reference.name))),
            }
        } else if let Some(reference) = &from.secret_ref {
            let optional = reference.optional == Some(true);
            match sources.secret(client, namespace, &reference.name).await? {
                Some(data) => data.clone(),
                None if optional => continue,
                None => return Err(EnvError(format!("secret \"{}\" not found", reference.name))),
            }
        } else {
            continue;
        };
        for (key, value) in data {
            set(&mut env, format!("{prefix}{key}"), value);
        }
    }
    for var in container.env.iter().flatten() {
        let value = match (&var.value, &var.value_from) {
            // Service variables may be named too; the container's own come last and win.
            (Some(value), _) if !value.is_empty() => expand(value, &[services.as_slice(), env.as_slice()].concat()),
            (_, Some(from)) => {
                if let Some(field) = &from.field_ref {
                    field_value(context.pod, &field.field_path, context.pod_ip, context.host_ip).map_err(EnvError)?
                } else if let Some(resource) = &from.resource_field_ref {
                    resource_value(context, container, resource).await?
                } else if let Some(key) = &from.config_map_key_ref {
                    let optional = key.optional == Some(true);
                    match sources.config_map(client, namespace, &key.name).await? {
                        Some(data) => match data.get(&key.key) {
                            Some(value) => value.clone(),
                            None if optional => continue,
                            None => {
                                return Err(EnvError(format!(
                                    "couldn't find key {} in ConfigMap {namespace}/{}",
                                    key.key, key.name
                                )))
                            }
                        },
                        None if optional => continue,
                        None => return Err(EnvError(format!("configmap \"{}\" not found", key.name))),
                    }
                } else if let Some(key) = &from.secret_key_ref {
                    let optional = key.optional == Some(true);
                    match sources.secret(client, namespace, &key.name).await? {
                        Some(data) => match data.get(&key.key) {
                            Some(value) => value.clone(),
                            None if optional => continue,
                            None => {
                                return Err(EnvError(format!(
                                    "couldn't find key {} in Secret {namespace}/{}",
                                    key.key, key.name
                                )))
                            }
                        },
                        None if optional => continue,
                        None => return Err(EnvError(format!("secret \"{}\" not found", key.name))),
                    }
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        set(&mut env, var.name.clone(), value);
    }
    for (name, value) in services {
        if !env.iter().any(|(n, _)| *n == name) {
            env.push((name, value));
        }
    }
    Ok(env)
}

/// The master services of `default` (always) and, with service links, every Service of
/// the pod's namespace, by name (upstream's getServiceEnvVarMap).
fn linked_services(all_in_namespace: Vec<Service>, master: Option<Service>, links: bool) -> Vec<Service> {
    let mut by_name: BTreeMap<String, Service> = BTreeMap::new();
    if links {
        for service in all_in_namespace {
            by_name.insert(service.metadata.name.clone().unwrap_or_default(), service);
        }
    }
    if let Some(master) = master {
        by_name.entry(MASTER_SERVICE.to_string()).or_insert(master);
    }
    by_name.into_values().collect()
}

const MASTER_SERVICE: &str = "kubernetes";

/// upstream's envvars.FromServices: `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT[_PORTNAME]`
/// and Docker's link variables, for Services with a cluster IP.
pub fn service_variables(services: &[Service]) -> Vec<(String, String)> {
    let mut variables = Vec::new();
    for service in services {
        let spec = service.spec.as_ref();
        let ip = spec.and_then(|s| s.cluster_ip.as_deref()).unwrap_or_default();
        let ports = spec.and_then(|s| s.ports.as_deref()).unwrap_or_default();
        if ip.is_empty() || ip == "None" || ports.is_empty() {
            continue;
        }
        let prefix = service.metadata.name.as_deref().unwrap_or_default().replace('-', "_").to_uppercase();
        variables.push((format!("{prefix}_SERVICE_HOST"), ip.to_string()));
        variables.push((format!("{prefix}_SERVICE_PORT"), ports[0].port.to_string()));
        for port in ports {
            if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) {
                let name = name.replace('-', "_").to_uppercase();
                variables.push((format!("{prefix}_SERVICE_PORT_{name}"), port.port.to_string()));
            }
        }
        let host_port = if ip.contains(':') { format!("[{ip}]") } else { ip.to_string() };
        for (index, port) in ports.iter().enumerate() {
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let url = format!("{}://{host_port}:{}", protocol.to_lowercase(), port.port);
            if index == 0 {
                variables.push((format!("{prefix}_PORT"), url.clone()));
            }
            let port_prefix = format!("{prefix}_PORT_{}_{}", port.port, protocol.to_uppercase());
            variables.push((port_prefix.clone(), url));
            variables.push((format!("{port_prefix}_PROTO"), protocol.to_lowercase()));
            variables.push((format!("{port_prefix}_PORT"), port.port.to_string()));
            variables.push((format!("{port_prefix}_ADDR"), ip.to_string()));
        }
    }
    variables
}

/// The value of a downward API field path (`fieldRef`), as upstream's
/// podFieldSelectorRuntimeValue and ExtractFieldPathAsString.
pub fn field_value(pod: &Pod, path: &str, pod_ip: &str, host_ip: &str) -> Result<String, String> {
    let spec = pod.spec.as_ref();
    let meta = &pod.metadata;
    let value = match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => format_map(meta.labels.as_ref()),
        "metadata.annotations" => format_map(meta.annotations.as_ref()),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()).unwrap_or_default(),
        "status.podIP" | "status.podIPs" => pod_ip.to_string(),
        "status.hostIP" | "status.hostIPs" => host_ip.to_string(),
        other => {
            let lookup = |prefix: &str, map: Option<&BTreeMap<String, String>>| {
                let key = other.strip_prefix(prefix)?.strip_suffix("']")?;
                Some(map.and_then(|m| m.get(key)).cloned().unwrap_or_default())
            };
            match lookup("metadata.labels['", meta.labels.as_ref())
                .or_else(|| lookup("metadata.annotations['", meta.annotations.as_ref()))
            {
                Some(value) => value,
                None => return Err(format!("unsupported fieldPath: {other}")),
            }
        }
    };
    Ok(value)
}

/// `k="v"` lines, sorted by key, as upstream's FormatMap.
fn format_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.into_iter().flatten().map(|(k, v)| format!("{k}={v:?}\n")).collect::<String>().trim_end().to_string()
}

/// A `resourceFieldRef`'s value: the container's limit (the node's allocatable when it has
/// none) or request, divided by the divisor and rounded up, as upstream's
/// ExtractContainerResourceValue.
async fn resource_value(
    context: &PodContext<'_>,
    container: &Container,
    selector: &ResourceFieldSelector,
) -> Result<String, EnvError> {
    let target = match selector.container_name.as_deref().filter(|n| !n.is_empty()) {
        None => container.clone(),
        Some(name) => {
            let spec = context.pod.spec.as_ref();
            let all = spec.into_iter().flat_map(|s| s.containers.iter().chain(s.init_containers.iter().flatten()));
            all.clone()
                .find(|c| c.name == name)
                .cloned()
                .ok_or_else(|| EnvError(format!("container {name} not found")))?
        }
    };
    let resources = target.resources.as_ref();
    let (list, resource) = selector
        .resource
        .split_once('.')
        .ok_or_else(|| EnvError(format!("unsupported container resource : {}", selector.resource)))?;
    let declared = match list {
        "limits" => resources.and_then(|r| r.limits.as_ref()),
        "requests" => resources.and_then(|r| r.requests.as_ref()),
        _ => None,
    }
    .and_then(|m| m.get(resource))
    .map(|q| q.0.clone());
    let amount = match (declared, list) {
        (Some(amount), _) => amount,
        (None, "limits") => node_allocatable(context, resource).await?,
        (None, _) => "0".to_string(),
    };
    let divisor = selector.divisor.as_ref().map(|q| q.0.clone()).unwrap_or_else(|| "1".into());
    let bad = |e: quantity::QuantityError| EnvError(e.to_string());
    let value = if resource == "cpu" {
        let (amount, divisor) =
            (quantity::parse_milli(&amount).map_err(bad)?, quantity::parse_milli(&divisor).map_err(bad)?);
        ceil_div(amount, divisor)
    } else {
        let (amount, divisor) =
            (quantity::parse_value(&amount).map_err(bad)?, quantity::parse_value(&divisor).map_err(bad)?);
        ceil_div(amount, divisor)
    };
    Ok(value.to_string())
}

fn ceil_div(amount: i64, divisor: i64) -> i64 {
    if divisor <= 0 {
        return 0;
    }
    (amount + divisor - 1).div_euclid(divisor)
}

/// A limit the container does not set defaults to the node's allocatable.
async fn node_allocatable(context: &PodContext<'_>, resource: &str) -> Result<String, EnvError> {
    let nodes: Api<Node> = Api::all(context.client.clone());
    let node = nodes.get(context.node).await.map_err(|e| EnvError(format!("getting node {}: {e}", context.node)))?;
    let allocatable = node.status.and_then(|s| s.allocatable).unwrap_or_default();
    Ok(allocatable.get(resource).map(|q| q.0.clone()).unwrap_or_else(|| "0".into()))
}

/// `$(NAME)` becomes the variable's value (an undefined one stays as written); `$$`
/// escapes, as upstream's third_party/forked/golang/expansion.
pub fn expand(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(close) = after.strip_prefix('(').and_then(|inner| inner.find(')')) {
            let name = &after[1..1 + close];
            match env.iter().rev().find(|(n, _)| n == name) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&rest[at..at + close + 3]),
            }
            rest = &after[close + 2..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_references_expand_as_upstreams() {
        let env = vec![("A".to_string(), "1".to_string())];
        assert_eq!(expand("x$(A)y", &env), "x1y");
        assert_eq!(expand("$(B)", &env), "$(B)");
        assert_eq!(expand("$$(A) $A", &env), "$(A) $A");
        assert_eq!(expand("$(A", &env), "$(A");
        assert_eq!(expand("end$", &env), "end$");
    }

    #[test]
    fn field_paths_read_the_pod() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "uid": "u", "labels": {"app": "web", "tier": "a"}},
            "spec": {"nodeName": "n1", "serviceAccountName": "sa", "containers": []}
        }))
        .unwrap();
        let value = |path: &str| field_value(&pod, path, "10.0.0.2", "172.18.0.2");
        assert_eq!(value("metadata.labels['app']"), Ok("web".into()));
        assert_eq!(value("metadata.annotations['none']"), Ok("".into()));
        assert_eq!(value("metadata.labels"), Ok("app=\"web\"\ntier=\"a\"".into()));
        assert_eq!(value("spec.serviceAccountName"), Ok("sa".into()));
        assert_eq!(value("status.podIPs"), Ok("10.0.0.2".into()));
        assert_eq!(value("status.hostIP"), Ok("172.18.0.2".into()));
        assert!(value("spec.bogus").is_err());
    }

    #[test]
    fn resource_values_round_up_by_the_divisor() {
        assert_eq!(ceil_div(250, 1000), 1);
        assert_eq!(ceil_div(2000, 1000), 2);
        assert_eq!(ceil_div(64 * 1024 * 1024, 1024 * 1024), 64);
    }
}

#[cfg(test)]
mod service_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn services_become_upstreams_variables() {
        let service: Service = serde_json::from_value(json!({"metadata": {"name": "web-api"}, "spec": {
            "clusterIP": "10.96.1.1", "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}]}}))
        .expect("service");
        let headless: Service = serde_json::from_value(
            json!({"metadata": {"name": "db"}, "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}}),
        )
        .expect("service");
        let variables = service_variables(&[service, headless]);
        let get = |name: &str| variables.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(get("WEB_API_SERVICE_HOST"), Some("10.96.1.1"));
        assert_eq!(get("WEB_API_SERVICE_PORT"), Some("80"));
        assert_eq!(get("WEB_API_SERVICE_PORT_DNS"), Some("53"));
        assert_eq!(get("WEB_API_PORT"), Some("tcp://10.96.1.1:80"));
        assert_eq!(get("WEB_API_PORT_53_UDP"), Some("udp://10.96.1.1:53"));
        assert_eq!(get("WEB_API_PORT_53_UDP_PROTO"), Some("udp"));
        assert_eq!(get("WEB_API_PORT_80_TCP_ADDR"), Some("10.96.1.1"));
        assert!(!variables.iter().any(|(n, _)| n.starts_with("DB_")), "headless services have none");
    }

    #[test]
    fn without_service_links_only_the_master_service_is_linked() {
        let named =
            |name: &str| -> Service { serde_json::from_value(json!({"metadata": {"name": name}})).expect("service") };
        let linked = linked_services(vec![named("web")], Some(named("kubernetes")), false);
        assert_eq!(
            linked.iter().map(|s| s.metadata.name.clone().unwrap_or_default()).collect::<Vec<_>>(),
            ["kubernetes"]
        );
        let linked = linked_services(vec![named("web")], Some(named("kubernetes")), true);
        assert_eq!(linked.len(), 2);
    }
}
