//! `kctl expose`: makes a Service for a deployment, replica set, replication controller,
//! pod or service, as kubectl builds it: the selector from the object's selector (or the
//! pod's labels), ports and their protocols from its containers (or the service's
//! ports) unless `--port` is given, the object's labels unless `--labels` is given; then
//! creates it with `fieldManager=kubectl-expose` and says `service/x exposed`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::client::manifests::{self, ManifestError};
use crate::client::write::{self, DryRun};
use crate::client::{objects, targets, ApiResource, ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::OutputFormat;

/// Service names are DNS-1035 labels.
const MAX_NAME: usize = 63;

#[derive(Args, Debug, Clone)]
pub struct ExposeArgs {
    /// (-f FILENAME | TYPE NAME)
    #[arg(add = crate::cli::complete::types(&["deployment", "pod", "replicaset", "replicationcontroller", "service"]))]
    pub args: Vec<String>,
    /// Filename, directory, or URL to files identifying the resource to expose a service.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// The port that the service should serve on. Copied from the resource being exposed, if unspecified.
    #[arg(long)]
    pub port: Option<String>,
    /// Name or number for the port on the container that the service should direct traffic to.
    #[arg(long = "target-port")]
    pub target_port: Option<String>,
    /// The network protocol for the service to be created. Default is 'TCP'.
    #[arg(long)]
    pub protocol: Option<String>,
    /// The name for the newly created object.
    #[arg(long)]
    pub name: Option<String>,
    /// Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName.
    #[arg(long = "type")]
    pub service_type: Option<String>,
    /// A label selector to use for this service (equality-based only).
    #[arg(long)]
    pub selector: Option<String>,
    /// Labels to apply to the service created by this call.
    #[arg(short = 'l', long)]
    pub labels: Option<String>,
    /// Additional external IP address (not managed by Kubernetes) to accept for the service.
    #[arg(long = "external-ip")]
    pub external_ip: Option<String>,
    /// IP to assign to the LoadBalancer.
    #[arg(long = "load-balancer-ip")]
    pub load_balancer_ip: Option<String>,
    /// If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'.
    #[arg(long = "session-affinity")]
    pub session_affinity: Option<String>,
    /// ClusterIP to be assigned to the service ('None' for a headless service).
    #[arg(long = "cluster-ip")]
    pub cluster_ip: Option<String>,
    /// Must be "none", "server", or "client".
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "")]
    pub dry_run: Option<String>,
    /// Output format: json, yaml or name.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Name of the manager used to track field ownership.
    #[arg(long = "field-manager", default_value = "kubectl-expose")]
    pub field_manager: String,
}

enum Selection {
    Named(Vec<(String, Vec<String>)>),
    Files(Vec<String>),
}

struct Plan {
    selection: Selection,
    dry_run: DryRun,
    format: Option<OutputFormat>,
}

fn plan(args: &ExposeArgs) -> Result<Plan, ClientError> {
    let selection = match (args.args.is_empty(), args.filename.is_empty()) {
        (true, true) => return Err(ClientError::Usage(ManifestError::NoSources.to_string())),
        (false, _) => Selection::Named(targets::split_args(&args.args)?),
        (true, false) => Selection::Files(args.filename.clone()),
    };
    let format = match args.output.as_deref() {
        None | Some("") => None,
        Some(text) => Some(OutputFormat::parse(Some(text)).map_err(|e| ClientError::Usage(e.to_string()))?),
    };
    Ok(Plan { selection, dry_run: DryRun::parse(args.dry_run.as_deref())?, format })
}

pub fn run(flags: &ConnectionFlags, args: &ExposeArgs) -> ExitCode {
    crate::cli::exit::block_on(expose(flags, args))
}

async fn expose(flags: &ConnectionFlags, args: &ExposeArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args)?;
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let mut exposed: Vec<(ApiResource, Value)> = Vec::new();
    match &plan.selection {
        Selection::Named(pairs) => {
            for object in objects::resolve(&session, &mut discovery, pairs).await? {
                let fetched = objects::get(&session, &object).await?;
                exposed.push((object.resource, fetched));
            }
        }
        Selection::Files(files) => {
            let (found, errors) = manifests::read_all(files, args.recursive);
            if let Some(err) = errors.into_iter().next() {
                return Err(anyhow::anyhow!("{}", err.message().trim_start_matches("error: ").to_string()));
            }
            for manifest in found {
                let mut object = manifest.object.clone();
                let Some(resource) = manifests::resource_for(&session, &mut discovery, &object).await? else {
                    let message = manifests::mapping_error(&manifest);
                    return Err(anyhow::anyhow!("{}", message.trim_start_matches("error: ").to_string()));
                };
                manifests::set_namespace(&mut object, &resource, &session)?;
                exposed.push((resource, object));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for (resource, object) in exposed {
        let mut generated = service_for(args, &resource, &object)?;
        if plan.dry_run == DryRun::Client {
            if session.namespace_flag {
                generated.metadata.namespace = Some(session.namespace.clone());
            }
            if matches!(plan.format, Some(OutputFormat::Json)) {
                out.write_all(crate::machinery::gotext::go_pretty_typed(&generated).as_bytes())?;
            } else {
                print(&mut out, &plan, &serde_json::to_value(&generated)?)?;
            }
            continue;
        }
        let mut service = serde_json::to_value(&generated)?;
        let path = format!(
            "/api/v1/namespaces/{}/services{}",
            session.namespace,
            write::query(&[("fieldManager", args.field_manager.as_str())], plan.dry_run)
        );
        let body = serde_json::to_vec(&service)?;
        let (_, created) =
            session.request(http::Method::POST, &path, "application/json", Some(("application/json", body))).await?;
        service = serde_json::from_slice(&created).unwrap_or(service);
        if let Some(metadata) = service.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
        }
        print(&mut out, &plan, &service)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print(out: &mut dyn Write, plan: &Plan, service: &Value) -> std::io::Result<()> {
    match &plan.format {
        None => writeln!(out, "{} exposed{}", crate::printers::name_of(service), plan.dry_run.suffix()),
        Some(format) => out.write_all(format.print_objects(std::slice::from_ref(service), true, true)?.as_bytes()),
    }
}

/// The Service kubectl generates for `object` with these flags.
fn service_for(args: &ExposeArgs, resource: &ApiResource, object: &Value) -> Result<Service, ClientError> {
    can_be_exposed(resource)?;
    let kind = resource.kind.as_str();
    let selector = match args.selector.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => parse_labels(text)?,
        None => selector_of(kind, object).map_err(|e| {
            ClientError::Usage(format!("couldn't retrieve selectors via --selector flag or introspection: {e}"))
        })?,
    };
    let headless = args.cluster_ip.as_deref() == Some("None");
    let port_list: Vec<String> = match args.port.as_deref().filter(|p| !p.is_empty()) {
        Some(port) => port.split(',').map(str::to_string).collect(),
        None => {
            let ports = ports_of(kind, object);
            if ports.is_empty() && !headless {
                return Err(ClientError::Usage("couldn't find port via --port flag or introspection".to_string()));
            }
            ports
        }
    };
    let protocols = protocols_of(kind, object);
    let labels = match args.labels.as_deref().filter(|l| !l.is_empty()) {
        Some(text) => parse_labels(text)?,
        None => object["metadata"]["labels"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default(),
    };
    let name = match args.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => object["metadata"]["name"].as_str().unwrap_or_default().chars().take(MAX_NAME).collect(),
    };
    if name.is_empty() {
        return Err(ClientError::Usage("name must be specified".to_string()));
    }

    let mut ports: Vec<ServicePort> = Vec::new();
    let several = port_list.len() > 1;
    for (i, text) in port_list.iter().enumerate() {
        let port: i64 =
            text.parse().map_err(|_| ClientError::Usage(format!("strconv.Atoi: parsing {text:?}: invalid syntax")))?;
        let mut protocol = args.protocol.clone().filter(|p| !p.is_empty());
        if protocol.is_none() {
            match protocols.get(text).map(Vec::as_slice) {
                Some([one]) => protocol = Some(one.clone()),
                Some(many) if many.len() > 1 => {
                    // A port served over several protocols becomes one service port per protocol.
                    for p in many {
                        let name = Some(format!("port-{}-{}", i + 1, p.to_lowercase()));
                        ports.push(ServicePort { name, protocol: p.clone(), port, target_port: Value::Null });
                    }
                    continue;
                }
                _ => {}
            }
        }
        let name = several.then(|| format!("port-{}", i + 1));
        let protocol = protocol.unwrap_or_else(|| "TCP".to_string());
        ports.push(ServicePort { name, protocol, port, target_port: Value::Null });
    }
    let target = args.target_port.as_deref().filter(|t| !t.is_empty());
    for port in &mut ports {
        port.target_port = match target {
            // An int-or-string: a number when it parses as one.
            Some(text) => text.parse::<i64>().map(|n| json!(n)).unwrap_or_else(|_| json!(text)),
            None => json!(port.port),
        };
    }
    let mut spec = ServiceSpec { ports, selector, ..ServiceSpec::default() };
    spec.external_ips = args.external_ip.iter().filter(|s| !s.is_empty()).cloned().collect();
    spec.service_type = args.service_type.clone().filter(|s| !s.is_empty());
    if spec.service_type.as_deref() == Some("LoadBalancer") {
        spec.load_balancer_ip = args.load_balancer_ip.clone().filter(|s| !s.is_empty());
    }
    if let Some(affinity) = args.session_affinity.as_deref().filter(|s| !s.is_empty()) {
        if affinity != "None" && affinity != "ClientIP" {
            return Err(ClientError::Usage(format!("unknown session affinity: {affinity}")));
        }
        spec.session_affinity = Some(affinity.to_string());
    }
    spec.cluster_ip = args.cluster_ip.clone().filter(|s| !s.is_empty());
    Ok(Service {
        kind: "Service",
        api_version: "v1",
        metadata: ObjectMeta { name, namespace: None, creation_timestamp: (), labels },
        spec,
        status: ServiceStatus { load_balancer: Map::new() },
    })
}

/// The Service kubectl generates, with its Go struct's field order (which `-o json` of
/// a client dry run shows).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    kind: &'static str,
    api_version: &'static str,
    metadata: ObjectMeta,
    spec: ServiceSpec,
    status: ServiceStatus,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectMeta {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    /// Always `null` in an object not yet created.
    creation_timestamp: (),
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceSpec {
    ports: Vec<ServicePort>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    selector: BTreeMap<String, String>,
    #[serde(rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    cluster_ip: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    service_type: Option<String>,
    #[serde(rename = "externalIPs", skip_serializing_if = "Vec::is_empty")]
    external_ips: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_affinity: Option<String>,
    #[serde(rename = "loadBalancerIP", skip_serializing_if = "Option::is_none")]
    load_balancer_ip: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    protocol: String,
    port: i64,
    target_port: Value,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceStatus {
    load_balancer: Map<String, Value>,
}

/// Only what selects pods can be exposed.
fn can_be_exposed(resource: &ApiResource) -> Result<(), ClientError> {
    let allowed = match resource.group.as_str() {
        "" => matches!(resource.kind.as_str(), "ReplicationController" | "Service" | "Pod"),
        "apps" | "extensions" => matches!(resource.kind.as_str(), "Deployment" | "ReplicaSet"),
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    let group_kind =
        if resource.group.is_empty() { resource.kind.clone() } else { format!("{}.{}", resource.kind, resource.group) };
    Err(ClientError::Usage(format!("cannot expose a {group_kind}")))
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// The pods the object selects, as a label map (kubectl's map-based selector).
fn selector_of(kind: &str, object: &Value) -> Result<BTreeMap<String, String>, String> {
    match kind {
        "Pod" => {
            let labels = string_map(&object["metadata"]["labels"]);
            if labels.is_empty() {
                return Err("the pod has no labels and cannot be exposed".to_string());
            }
            Ok(labels)
        }
        "Service" => match object["spec"]["selector"].as_object() {
            Some(_) => Ok(string_map(&object["spec"]["selector"])),
            None => Err("the service has no pod selector set".to_string()),
        },
        "ReplicationController" => Ok(string_map(&object["spec"]["selector"])),
        _ => {
            let selector = &object["spec"]["selector"];
            if selector.is_null() {
                return Err(format!("invalid {}: no selectors, therefore cannot be exposed", kind.to_lowercase()));
            }
            if selector["matchExpressions"].as_array().is_some_and(|e| !e.is_empty()) {
                return Err(format!(
                    "couldn't convert expressions - \"{}\", to map-based selector format",
                    crate::machinery::labels::selector_string(Some(selector)).unwrap_or_default()
                ));
            }
            Ok(string_map(&selector["matchLabels"]))
        }
    }
}

/// The container ports of the pod (template), or a service's ports, in order.
fn ports_of(kind: &str, object: &Value) -> Vec<String> {
    if kind == "Service" {
        return object["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["port"].as_i64())
            .map(|p| p.to_string())
            .collect();
    }
    container_ports(kind, object).into_iter().map(|(port, _)| port).collect()
}

/// Each port's protocols (a port may be served over several).
fn protocols_of(kind: &str, object: &Value) -> BTreeMap<String, Vec<String>> {
    let pairs: Vec<(String, String)> = if kind == "Service" {
        object["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some((p["port"].as_i64()?.to_string(), p["protocol"].as_str().unwrap_or("TCP").to_string()))
            })
            .collect()
    } else {
        container_ports(kind, object)
    };
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (port, protocol) in pairs {
        map.entry(port).or_default().push(protocol);
    }
    map
}

fn container_ports(kind: &str, object: &Value) -> Vec<(String, String)> {
    let spec = if kind == "Pod" { &object["spec"] } else { &object["spec"]["template"]["spec"] };
    let mut ports = Vec::new();
    for container in spec["containers"].as_array().into_iter().flatten() {
        for port in container["ports"].as_array().into_iter().flatten() {
            if let Some(number) = port["containerPort"].as_i64() {
                ports.push((number.to_string(), port["protocol"].as_str().unwrap_or("TCP").to_string()));
            }
        }
    }
    ports
}

/// `a=b,c=d` as kubectl's expose reads labels and selectors.
fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, ClientError> {
    let mut labels = BTreeMap::new();
    for spec in text.split(',') {
        let parts: Vec<&str> = spec.split('=').collect();
        let [key, value] = parts.as_slice() else {
            return Err(ClientError::Usage(format!("unexpected label spec: {spec}")));
        };
        if key.is_empty() {
            return Err(ClientError::Usage("unexpected empty label key".to_string()));
        }
        labels.insert(key.to_string(), value.to_string());
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_specs_need_one_equals_sign() {
        assert_eq!(parse_labels("a=b,c=d").unwrap().len(), 2);
        assert!(parse_labels("a").is_err());
        assert!(parse_labels("=b").is_err());
    }

    #[test]
    fn a_port_with_two_protocols_lists_both() {
        let pod = json!({"spec": {"containers": [{"ports": [
            {"containerPort": 53, "protocol": "UDP"}, {"containerPort": 53, "protocol": "TCP"}
        ]}]}});
        assert_eq!(protocols_of("Pod", &pod)["53"], ["UDP", "TCP"]);
    }

    #[test]
    fn match_expressions_cannot_be_exposed() {
        let rs = json!({"spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}});
        assert!(selector_of("ReplicaSet", &rs).is_err());
    }
}
