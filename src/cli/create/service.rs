//! `kctl create service clusterip|nodeport|loadbalancer|externalname`, as kubectl's
//! `create_service.go` builds them.

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::client::ClientError;
use crate::machinery::validation;

#[derive(Subcommand, Debug, Clone)]
pub enum ServiceKind {
    /// Create a ClusterIP service.
    Clusterip(ClusterIpArgs),
    /// Create a NodePort service.
    Nodeport(NodePortArgs),
    /// Create a LoadBalancer service.
    Loadbalancer(ServiceArgs),
    /// Create an ExternalName service.
    Externalname(ExternalNameArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ServiceArgs {
    pub name: Option<String>,
    /// Port pairs can be specified as '<port>:<targetPort>'.
    #[arg(long, value_delimiter = ',')]
    pub tcp: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ClusterIpArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing).
    #[arg(long)]
    pub clusterip: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct NodePortArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Port used to expose the service on each node in a cluster.
    #[arg(long = "node-port", default_value_t = 0)]
    pub node_port: i64,
}

#[derive(Args, Debug, Clone)]
pub struct ExternalNameArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// External name of service.
    #[arg(long = "external-name")]
    pub external_name: Option<String>,
}

impl ServiceKind {
    /// The verb words kubectl uses in its help pointer (`create service nodeport`).
    pub fn verb(&self) -> &'static str {
        match self {
            ServiceKind::Clusterip(_) => "service clusterip",
            ServiceKind::Nodeport(_) => "service nodeport",
            ServiceKind::Loadbalancer(_) => "service loadbalancer",
            ServiceKind::Externalname(_) => "service externalname",
        }
    }

    pub fn service_type(&self) -> &'static str {
        match self {
            ServiceKind::Clusterip(_) => "ClusterIP",
            ServiceKind::Nodeport(_) => "NodePort",
            ServiceKind::Loadbalancer(_) => "LoadBalancer",
            ServiceKind::Externalname(_) => "ExternalName",
        }
    }
}

pub fn build(kind: &ServiceKind) -> Result<Value, ClientError> {
    let (args, node_port, external_name, cluster_ip) = match kind {
        ServiceKind::Clusterip(args) => (&args.service, 0, "", args.clusterip.as_deref().unwrap_or_default()),
        ServiceKind::Loadbalancer(args) => (args, 0, "", ""),
        ServiceKind::Nodeport(args) => (&args.service, args.node_port, "", ""),
        ServiceKind::Externalname(args) => (&args.service, 0, args.external_name.as_deref().unwrap_or_default(), ""),
    };
    let name = super::required_name(&args.name, kind.verb())?;
    let service_type = kind.service_type();
    if cluster_ip == "None" && service_type != "ClusterIP" {
        return Err(ClientError::Usage("ClusterIP=None can only be used with ClusterIP service type".into()));
    }
    if cluster_ip != "None" && args.tcp.is_empty() && service_type != "ExternalName" {
        return Err(ClientError::Usage("at least one tcp port specifier must be provided".into()));
    }
    if service_type == "ExternalName" && !validation::is_dns1123_subdomain(external_name).is_empty() {
        return Err(ClientError::Usage(format!("invalid service external name {external_name}")));
    }
    let mut ports = Vec::new();
    for pair in &args.tcp {
        let (port, target) = parse_ports(pair)?;
        let mut entry = json!({"name": pair.replace(':', "-"), "port": port, "protocol": "TCP", "targetPort": target});
        if node_port != 0 {
            entry["nodePort"] = json!(node_port);
        }
        ports.push(entry);
    }
    let mut spec = json!({"selector": {"app": name}, "type": service_type});
    if !ports.is_empty() {
        spec["ports"] = json!(ports);
    }
    if !external_name.is_empty() {
        spec["externalName"] = json!(external_name);
    }
    if !cluster_ip.is_empty() {
        spec["clusterIP"] = json!(cluster_ip);
    }
    Ok(json!({
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": null, "labels": {"app": name}},
        "spec": spec,
        "status": {"loadBalancer": {}},
    }))
}

/// `80` or `80:8080` or `80:http`: the port and the target port (a number or a port name).
fn parse_ports(pair: &str) -> Result<(i64, Value), ClientError> {
    let mut parts = pair.split(':');
    let first = parts.next().unwrap_or_default();
    let port = parse_port(first)?;
    let Some(target) = parts.next() else {
        return Ok((port, json!(port)));
    };
    match target.parse::<i64>() {
        Ok(number) => match validation::is_valid_port_num(number) {
            errors if errors.is_empty() => Ok((port, json!(number))),
            errors => Err(ClientError::Usage(errors.join(","))),
        },
        Err(_) => match validation::is_valid_port_name(target) {
            errors if errors.is_empty() => Ok((port, json!(target))),
            errors => Err(ClientError::Usage(errors.join(","))),
        },
    }
}

/// Go's `utilsnet.ParsePort(text, allowZero=true)`: a 16-bit unsigned number, with
/// `strconv.ParseUint`'s words when it is not.
fn parse_port(text: &str) -> Result<i64, ClientError> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u16>() {
        Ok(port) => Ok(i64::from(port)),
        Err(_) if digits => Err(ClientError::Usage(format!("strconv.ParseUint: parsing {text:?}: value out of range"))),
        Err(_) => Err(ClientError::Usage(format!("strconv.ParseUint: parsing {text:?}: invalid syntax"))),
    }
}
