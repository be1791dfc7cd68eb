//! The Docker provider: a node is a container of the node image on the cluster's own
//! network, running `kctl node`; its kubelet drives the host's engine through the
//! mounted socket, so pods are sibling containers on the same network.

use std::collections::HashMap;

use async_trait::async_trait;
use bollard::models::{ContainerCreateBody, HostConfig, NetworkCreateRequest, PortBinding, RestartPolicy};
use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, ListContainersOptions, ListNetworksOptions,
    ListVolumesOptions, LogsOptions, RemoveContainerOptions, RemoveVolumeOptions, UploadToContainerOptions,
};
use bollard::Docker;
use futures::StreamExt;

use super::{NodeFile, NodeInfo, NodeSpec, Provider, ProviderError, API_SERVER_PORT, CLUSTER_LABEL, ROLE_LABEL};
use crate::kubelet::docker::runtime::{self, docker_message};

/// The engine's socket, mounted into every node for its kubelet.
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

pub struct DockerProvider {
    docker: Docker,
}

fn engine(what: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> ProviderError {
    let what = what.into();
    move |err| ProviderError::Engine { what, message: docker_message(&err) }
}

fn is_not_found(err: &bollard::errors::Error) -> bool {
    matches!(err, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

/// The cluster's network (kind shares one `kind` network; each kctl cluster has its own).
pub fn network_name(cluster: &str) -> String {
    format!("kctl-{cluster}")
}

impl DockerProvider {
    /// Connects to the engine (DOCKER_HOST or the local socket) and checks it answers.
    pub async fn connect() -> Result<DockerProvider, ProviderError> {
        let unavailable = |err: bollard::errors::Error| {
            ProviderError::Unavailable(format!(
                "cannot reach Docker ({}): is it installed and running?",
                docker_message(&err)
            ))
        };
        let docker = Docker::connect_with_local_defaults().map_err(unavailable)?;
        let docker = docker.negotiate_version().await.map_err(unavailable)?;
        docker.ping().await.map_err(unavailable)?;
        Ok(DockerProvider { docker })
    }

    fn label_filter(labels: &[String]) -> HashMap<String, Vec<String>> {
        HashMap::from([("label".to_string(), labels.to_vec())])
    }

    async fn containers(&self, labels: &[String]) -> Result<Vec<bollard::models::ContainerSummary>, ProviderError> {
        let options =
            ListContainersOptions { all: true, filters: Some(Self::label_filter(labels)), ..Default::default() };
        self.docker.list_containers(Some(options)).await.map_err(engine("listing containers"))
    }

    async fn remove_containers(&self, labels: &[String]) -> Result<Vec<String>, ProviderError> {
        let mut removed = Vec::new();
        for container in self.containers(labels).await? {
            let Some(id) = container.id else { continue };
            // Force: a node or pod is killed, not stopped gracefully (kind does the same).
            let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
            match self.docker.remove_container(&id, Some(options)).await {
                Ok(()) => {}
                Err(err) if is_not_found(&err) => {}
                // 409: removal already in progress.
                Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => {}
                Err(err) => return Err(engine(format!("removing container {id}"))(err)),
            }
            let name = container.names.unwrap_or_default().first().cloned().unwrap_or(id);
            removed.push(name.trim_start_matches('/').to_string());
        }
        Ok(removed)
    }
}

#[async_trait]
impl Provider for DockerProvider {
    async fn ensure_node_image(&self) -> Result<String, ProviderError> {
        // The pause image serves as node image too: kctl and its libraries, FROM scratch;
        // a node overrides the entrypoint's `pause` with `node …`.
        let runtime = runtime::Runtime {
            docker: self.docker.clone(),
            cluster: String::new(),
            node: String::new(),
            network: String::new(),
        };
        crate::kubelet::docker::pause::ensure_image(&runtime)
            .await
            .map_err(|err| ProviderError::Engine { what: "building the node image".into(), message: err.to_string() })
    }

    async fn create_network(&self, cluster: &str) -> Result<(), ProviderError> {
        let request = NetworkCreateRequest {
            name: network_name(cluster),
            // A user-defined bridge: containers on it reach each other, and the host
            // reaches them (pod IPs answer from the host).
            driver: Some("bridge".into()),
            labels: Some(HashMap::from([(CLUSTER_LABEL.to_string(), cluster.to_string())])),
            ..Default::default()
        };
        self.docker
            .create_network(request)
            .await
            .map_err(engine(format!("creating network {}", network_name(cluster))))?;
        Ok(())
    }

    async fn create_node(&self, cluster: &str, spec: &NodeSpec) -> Result<(), ProviderError> {
        let mut port_bindings = HashMap::new();
        let mut exposed = Vec::new();
        if let Some((address, port)) = &spec.api_server {
            let container_port = format!("{API_SERVER_PORT}/tcp");
            // The API is published on apiServerAddress (127.0.0.1 by default) only, on
            // the configured port or a random free one.
            let binding = PortBinding {
                host_ip: Some(address.clone()),
                host_port: Some(if *port == 0 { String::new() } else { port.to_string() }),
            };
            port_bindings.insert(container_port.clone(), Some(vec![binding]));
            exposed.push(container_port);
        }
        for mapping in &spec.port_mappings {
            // kind's extraPortMappings: the node's containerPort (a NodePort, a hostPort,
            // anything the node listens on) at listenAddress:hostPort of the host;
            // kind's defaults: every address, a random port when 0, TCP.
            let protocol = if mapping.protocol.is_empty() { "tcp".into() } else { mapping.protocol.to_lowercase() };
            let container_port = format!("{}/{protocol}", mapping.container_port);
            let address = if mapping.listen_address.is_empty() { "0.0.0.0" } else { mapping.listen_address.as_str() };
            let host_port = if mapping.host_port <= 0 { String::new() } else { mapping.host_port.to_string() };
            let binding = PortBinding { host_ip: Some(address.to_string()), host_port: Some(host_port) };
            port_bindings
                .entry(container_port.clone())
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(binding);
            if !exposed.contains(&container_port) {
                exposed.push(container_port);
            }
        }
        let mut entrypoint = vec!["/kctl".to_string()];
        entrypoint.extend(spec.args.iter().cloned());
        let labels = HashMap::from([
            (CLUSTER_LABEL.to_string(), cluster.to_string()),
            (ROLE_LABEL.to_string(), spec.role.as_str().to_string()),
        ]);
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            // The image's entrypoint is `kctl pause`; a node runs `kctl node …` instead.
            entrypoint: Some(entrypoint),
            // The node's hostname is its name, as kind's nodes (and the Node object's).
            hostname: Some(spec.name.clone()),
            labels: Some(labels),
            exposed_ports: Some(exposed),
            host_config: Some(HostConfig {
                // The cluster's own network: nodes and pods reach each other on it.
                network_mode: Some(network_name(cluster)),
                // The kubelet drives the host's engine: pods are sibling containers.
                binds: Some(vec![format!("{DOCKER_SOCKET}:{DOCKER_SOCKET}")]),
                port_bindings: Some(port_bindings),
                // A node comes back with the engine (after a reboot), as kind's do.
                restart_policy: Some(RestartPolicy {
                    name: Some(bollard::models::RestartPolicyNameEnum::ON_FAILURE),
                    maximum_retry_count: Some(3),
                }),
                // The node takes the service range as its own (a `local` route) so that its
                // service proxy and cluster DNS answer at ClusterIPs.
                cap_add: Some(vec!["NET_ADMIN".to_string()]),
                // `docker run --init`: the node process is not PID 1, so SIGTERM works
                // and exited children are reaped.
                init: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions { name: Some(spec.name.clone()), ..Default::default() };
        self.docker
            .create_container(Some(options), body)
            .await
            .map_err(engine(format!("creating node {}", spec.name)))?;
        Ok(())
    }

    async fn write_files(&self, node: &str, files: &[NodeFile]) -> Result<(), ProviderError> {
        let mut archive = tar::Builder::new(Vec::new());
        for file in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(file.contents.len() as u64);
            header.set_mode(file.mode);
            header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
            header.set_cksum();
            archive
                .append_data(&mut header, file.path.trim_start_matches('/'), file.contents.as_bytes())
                .map_err(|err| ProviderError::Engine { what: "packing files".into(), message: err.to_string() })?;
        }
        let bytes = archive
            .into_inner()
            .map_err(|err| ProviderError::Engine { what: "packing files".into(), message: err.to_string() })?;
        let options = UploadToContainerOptions { path: "/".into(), ..Default::default() };
        self.docker
            .upload_to_container(node, Some(options), bollard::body_full(bytes.into()))
            .await
            .map_err(engine(format!("writing files into {node}")))
    }

    async fn read_file(&self, node: &str, path: &str) -> Result<String, ProviderError> {
        let options = DownloadFromContainerOptions { path: path.to_string() };
        let mut stream = self.docker.download_from_container(node, Some(options));
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk.map_err(engine(format!("reading {path} from {node}")))?);
        }
        let mut archive = tar::Archive::new(bytes.as_slice());
        let read =
            |err: std::io::Error| ProviderError::Engine { what: format!("reading {path}"), message: err.to_string() };
        // The archive of one file holds that file only.
        let Some(entry) = archive.entries().map_err(read)?.next() else {
            return Err(ProviderError::NotFound(format!("{path} not found in {node}")));
        };
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry.map_err(read)?, &mut text).map_err(read)?;
        Ok(text)
    }

    async fn start_node(&self, node: &str) -> Result<(), ProviderError> {
        self.docker.start_container(node, None).await.map_err(engine(format!("starting node {node}")))
    }

    async fn node_ip(&self, cluster: &str, node: &str) -> Result<String, ProviderError> {
        let inspect =
            self.docker.inspect_container(node, None).await.map_err(engine(format!("inspecting node {node}")))?;
        inspect
            .network_settings
            .and_then(|s| s.networks)
            .and_then(|mut n| n.remove(&network_name(cluster)))
            .and_then(|e| e.ip_address)
            .filter(|ip| !ip.is_empty())
            .ok_or_else(|| ProviderError::NotFound(format!("node {node} has no address on {}", network_name(cluster))))
    }

    async fn api_endpoint(&self, cluster: &str) -> Result<(String, u16), ProviderError> {
        let labels = [format!("{CLUSTER_LABEL}={cluster}"), format!("{ROLE_LABEL}=control-plane")];
        let node = self
            .containers(&labels)
            .await?
            .into_iter()
            .find_map(|c| c.names?.first().cloned())
            .ok_or_else(|| ProviderError::NotFound(format!("no control-plane node for cluster {cluster:?}")))?;
        let node = node.trim_start_matches('/');
        let inspect =
            self.docker.inspect_container(node, None).await.map_err(engine(format!("inspecting node {node}")))?;
        let binding = inspect
            .network_settings
            .and_then(|s| s.ports)
            .and_then(|mut p| p.remove(&format!("{API_SERVER_PORT}/tcp")))
            .flatten()
            .and_then(|b| b.into_iter().next())
            .ok_or_else(|| ProviderError::NotFound(format!("node {node} publishes no API port (is it running?)")))?;
        let port = binding.host_port.and_then(|p| p.parse().ok()).unwrap_or(0);
        Ok((binding.host_ip.unwrap_or_else(|| "127.0.0.1".into()), port))
    }

    async fn node_logs(&self, node: &str) -> Result<String, ProviderError> {
        let options = LogsOptions { stdout: true, stderr: true, tail: "50".into(), ..Default::default() };
        let mut stream = self.docker.logs(node, Some(options));
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            text.push_str(&chunk.map_err(engine(format!("reading the logs of {node}")))?.to_string());
        }
        Ok(text)
    }

    async fn node_running(&self, node: &str) -> Result<bool, ProviderError> {
        let inspect =
            self.docker.inspect_container(node, None).await.map_err(engine(format!("inspecting node {node}")))?;
        Ok(inspect.state.and_then(|s| s.running).unwrap_or(false))
    }

    async fn list_clusters(&self) -> Result<Vec<String>, ProviderError> {
        let mut names: Vec<String> = self
            .containers(&[CLUSTER_LABEL.to_string()])
            .await?
            .into_iter()
            .filter_map(|c| c.labels?.remove(CLUSTER_LABEL))
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    async fn list_nodes(&self, cluster: &str) -> Result<Vec<NodeInfo>, ProviderError> {
        let mut nodes: Vec<NodeInfo> = self
            .containers(&[format!("{CLUSTER_LABEL}={cluster}")])
            .await?
            .into_iter()
            .filter_map(|c| {
                let name = c.names?.first()?.trim_start_matches('/').to_string();
                let role = c.labels.and_then(|mut l| l.remove(ROLE_LABEL)).unwrap_or_default();
                Some(NodeInfo { name, role })
            })
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(nodes)
    }

    async fn delete_cluster(&self, cluster: &str) -> Result<Vec<String>, ProviderError> {
        // Nodes first: once their kubelets are gone no pod container is made anew.
        let mut nodes = self.remove_containers(&[format!("{CLUSTER_LABEL}={cluster}")]).await?;
        nodes.sort();
        // The pods' containers and emptyDir volumes carry the kubelet's cluster label.
        let pods = [format!("{}={cluster}", runtime::CLUSTER)];
        self.remove_containers(&pods).await?;
        let options = ListVolumesOptions { filters: Some(Self::label_filter(&pods)) };
        let volumes = self.docker.list_volumes(Some(options)).await.map_err(engine("listing volumes"))?;
        for volume in volumes.volumes.unwrap_or_default() {
            match self.docker.remove_volume(&volume.name, Some(RemoveVolumeOptions { force: true })).await {
                Ok(()) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(engine(format!("removing volume {}", volume.name))(err)),
            }
        }
        let options =
            ListNetworksOptions { filters: Some(Self::label_filter(&[format!("{CLUSTER_LABEL}={cluster}")])) };
        let networks = self.docker.list_networks(Some(options)).await.map_err(engine("listing networks"))?;
        for network in networks {
            let Some(id) = network.id else { continue };
            match self.docker.remove_network(&id).await {
                Ok(()) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(engine(format!("removing network {}", network.name.unwrap_or(id)))(err)),
            }
        }
        Ok(nodes)
    }
}
