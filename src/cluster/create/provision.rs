//! Preparing nodes: the cluster's network and one container per node (created, not yet
//! started), each running `kctl node` for its role.

use async_trait::async_trait;

use super::{Action, Context};
use crate::cluster::config::Role;
use crate::cluster::provider::{docker::network_name, NodeSpec};
use crate::cluster::ClusterError;
use crate::node::PKI_DIR;

pub struct Provision;

/// The node process's arguments.
pub fn node_args(cluster: &str, node: &str, role: Role, image: &str, labels: &[(String, String)]) -> Vec<String> {
    let mut args = vec![
        "node".to_string(),
        format!("--role={}", role.as_str()),
        format!("--node-name={node}"),
        format!("--cluster-name={cluster}"),
        format!("--network={}", network_name(cluster)),
        format!("--pki-dir={PKI_DIR}"),
        format!("--pause-image={image}"),
    ];
    args.extend(labels.iter().map(|(k, v)| format!("--node-label={k}={v}")));
    args
}

#[async_trait]
impl Action for Provision {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        let boxes = vec!["📦"; ctx.nodes.len()].join(" ");
        ctx.status.start(format!("Preparing nodes {boxes}"));
        let cluster = &ctx.config.name;
        ctx.provider.create_network(cluster).await?;
        let networking = &ctx.config.networking;
        let configured = ctx.config.nodes.iter().filter(|n| n.role().is_some());
        // kind removes the control plane's taint when it is the only node.
        let untainted = ctx.workers().next().is_none();
        for ((name, role), node) in ctx.nodes.iter().zip(configured) {
            let labels: Vec<(String, String)> = node.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let api_server = (*role == Role::ControlPlane).then(|| {
                (networking.api_server_address.clone(), u16::try_from(networking.api_server_port.max(0)).unwrap_or(0))
            });
            let mut args = node_args(cluster, name, *role, &ctx.image, &labels);
            if untainted {
                args.push("--untainted".into());
            }
            // kctl's service addresses are IPv4: the IPv4 range of a dual-stack subnet.
            let service_range = networking.service_subnet.split(',').map(str::trim).find(|s| s.contains('.'));
            // Every node: the control plane allocates from it, every node routes it.
            if let Some(range) = service_range {
                args.push(format!("--service-cluster-ip-range={range}"));
            }
            let spec = NodeSpec {
                name: name.clone(),
                role: *role,
                image: ctx.image.clone(),
                args,
                api_server,
                port_mappings: node.extra_port_mappings.clone(),
            };
            ctx.provider.create_node(cluster, &spec).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_runs_kctl_node_with_its_names_network_and_labels() {
        let args = node_args("local", "local-worker", Role::Worker, "kctl/pause:x", &[("tier".into(), "apps".into())]);
        assert_eq!(
            args,
            [
                "node",
                "--role=worker",
                "--node-name=local-worker",
                "--cluster-name=local",
                "--network=kctl-local",
                "--pki-dir=/etc/kctl/pki",
                "--pause-image=kctl/pause:x",
                "--node-label=tier=apps",
            ]
        );
    }
}
