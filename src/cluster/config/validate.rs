//! Validation of a defaulted config: every problem is collected before failing, in
//! kind's words (`pkg/internal/apis/config/validate.go`), plus what kctl cannot run yet.

use std::net::IpAddr;

use super::{Cluster, Node, Role};

const NAME_PATTERN: &str = "^[a-z0-9.-]+$";

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

fn validate_port(port: i32) -> Result<(), String> {
    // -1 asks the container backend for a random port.
    if !(-1..=65535).contains(&port) {
        return Err(format!("invalid port number: {port}"));
    }
    Ok(())
}

fn parse_cidr(text: &str) -> Result<IpAddr, String> {
    let fail = || format!("failed to parse cidr value:{text:?} with error: invalid CIDR address: {text}");
    let (ip, bits) = text.split_once('/').ok_or_else(fail)?;
    let ip: IpAddr = ip.parse().map_err(|_| fail())?;
    let bits: u8 = bits.parse().map_err(|_| fail())?;
    if bits > if ip.is_ipv4() { 32 } else { 128 } {
        return Err(fail());
    }
    Ok(ip)
}

fn validate_subnets(subnets: &str, family: &str) -> Result<(), String> {
    let ips = subnets.split(',').map(parse_cidr).collect::<Result<Vec<_>, _>>()?;
    let dual = family == "dual";
    match ips.as_slice() {
        [] => Err("no subnets defined".into()),
        many if dual && (many.len() > 2 || (many.len() == 2 && many[0].is_ipv4() == many[1].is_ipv4())) => {
            Err("expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking".into())
        }
        many if !dual && many.len() > 1 => Err("only one CIDR allowed for single-stack networking".into()),
        [first, ..] if family == "ipv4" && !first.is_ipv4() => Err("expected IPv4 CIDR for IPv4 family".into()),
        [first, ..] if family == "ipv6" && first.is_ipv4() => Err("expected IPv6 CIDR for IPv6 family".into()),
        _ => Ok(()),
    }
}

impl Node {
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.role().is_none() {
            problems.push(format!("{:?} is not a valid node role", self.role));
        }
        for mapping in &self.extra_port_mappings {
            if let Err(err) = validate_port(mapping.host_port) {
                problems.push(format!("invalid hostPort: {err}"));
            }
            if let Err(err) = validate_port(mapping.container_port) {
                problems.push(format!("invalid containerPort: {err}"));
            }
        }
        problems
    }
}

impl Cluster {
    /// Every problem of the config, or Ok.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if !valid_name(&self.name) {
            problems.push(format!(
                "'{}' is not a valid cluster name, cluster names must match `{NAME_PATTERN}`",
                self.name
            ));
        }
        let networking = &self.networking;
        if networking.api_server_port != 0 {
            if let Err(err) = validate_port(networking.api_server_port) {
                problems.push(format!("invalid apiServerPort: {err}"));
            }
        }
        if networking.api_server_address.parse::<IpAddr>().is_err() {
            problems
                .push(format!("invalid apiServerAddress: {:?} is not an IP address", networking.api_server_address));
        }
        if !["ipv4", "ipv6", "dual"].contains(&networking.ip_family.as_str()) {
            problems.push(format!("invalid ipFamily: {}", networking.ip_family));
        } else if networking.ip_family != "ipv4" {
            problems.push(format!("ipFamily {} is not supported by kctl yet (ipv4 only)", networking.ip_family));
        }
        if let Err(err) = validate_subnets(&networking.pod_subnet, &networking.ip_family) {
            problems.push(format!("invalid pod subnet {err}"));
        }
        if let Err(err) = validate_subnets(&networking.service_subnet, &networking.ip_family) {
            problems.push(format!("invalid service subnet {err}"));
        }
        if !["iptables", "ipvs", "nftables", "none"].contains(&networking.kube_proxy_mode.as_str()) {
            problems.push(format!("invalid kubeProxyMode: {}", networking.kube_proxy_mode));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let node_problems = node.problems();
            if !node_problems.is_empty() {
                problems.push(format!("invalid configuration for node {i}: {}", node_problems.join(", ")));
            }
        }
        let control_planes = self.nodes.iter().filter(|n| n.role() == Some(Role::ControlPlane)).count();
        if control_planes < 1 {
            problems.push("must have at least one control-plane node".into());
        } else if control_planes > 1 {
            // kind fronts several with a load balancer; kctl needs a shared etcd for that.
            problems.push(format!(
                "{control_planes} control-plane nodes: kctl clusters have one control-plane node for now"
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
