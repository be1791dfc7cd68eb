//! The Docker side of the kubelet (what dockershim was): a pod is one sandbox container
//! owning the network namespace plus one container per spec container joined to it.
//! Every container carries labels naming its cluster, node, pod and attempt, so a
//! restarted kubelet finds its pods' containers and cleanup finds them all.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, HostConfig, ImageInspect, Mount, MountType, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, ListContainersOptions, ListVolumesOptions, RemoveContainerOptions,
    RemoveVolumeOptions, StopContainerOptions,
};
use bollard::Docker;
use futures::StreamExt;

use super::KubeletError;

pub const CLUSTER: &str = "kctl.io/cluster";
pub const NODE: &str = "kctl.io/node";
pub const NAMESPACE: &str = "kctl.io/namespace";
pub const POD: &str = "kctl.io/pod";
pub const POD_UID: &str = "kctl.io/pod-uid";
/// The spec container's name, or `POD` for the sandbox.
pub const CONTAINER: &str = "kctl.io/container";
/// How many times this container was started before (its restart count).
pub const ATTEMPT: &str = "kctl.io/attempt";
pub const SANDBOX: &str = "POD";
/// On a node directory's engine volume: the node path it stands for.
pub const HOST_PATH: &str = "kctl.io/host-path";

/// The pod a container belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodKey {
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

/// One container of a pod as the engine knows it.
#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    /// The spec container's name (`POD` for the sandbox).
    pub container: String,
    pub attempt: u32,
    pub inspect: ContainerInspectResponse,
}

impl Instance {
    fn state(&self) -> Option<&bollard::models::ContainerState> {
        self.inspect.state.as_ref()
    }

    pub fn running(&self) -> bool {
        self.state().and_then(|s| s.running).unwrap_or(false)
    }

    /// Started at least once (Docker's zero time otherwise).
    pub fn ever_started(&self) -> bool {
        self.started_at().is_some()
    }

    pub fn exit_code(&self) -> i32 {
        self.state().and_then(|s| s.exit_code).unwrap_or(0) as i32
    }

    /// Why the engine could not run it (an exec error), if it says.
    pub fn error(&self) -> Option<&str> {
        self.state().and_then(|s| s.error.as_deref()).filter(|e| !e.is_empty())
    }

    pub fn oom_killed(&self) -> bool {
        self.state().and_then(|s| s.oom_killed).unwrap_or(false)
    }

    fn time(value: Option<&String>) -> Option<chrono::DateTime<chrono::Utc>> {
        let parsed = chrono::DateTime::parse_from_rfc3339(value?).ok()?.with_timezone(&chrono::Utc);
        // Docker says 0001-01-01T00:00:00Z for "never".
        (parsed.timestamp() > 0).then_some(parsed)
    }

    pub fn started_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Self::time(self.state()?.started_at.as_ref())
    }

    pub fn finished_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Self::time(self.state()?.finished_at.as_ref())
    }

    /// The image's id (`sha256:…`).
    pub fn image_id(&self) -> String {
        self.inspect.image.clone().unwrap_or_default()
    }

    /// The address on `network` (the sandbox's is the pod IP).
    pub fn ip(&self, network: &str) -> Option<String> {
        let networks = self.inspect.network_settings.as_ref()?.networks.as_ref()?;
        networks.get(network)?.ip_address.clone().filter(|ip| !ip.is_empty())
    }
}

/// An engine volume a container mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlannedMount {
    pub volume: String,
    pub path: String,
    pub read_only: bool,
    /// Only this part of the volume (see `sub_path`).
    pub sub_path: Option<String>,
}

/// What a spec container becomes on the engine.
#[derive(Debug, Clone, Default)]
pub struct ContainerPlan {
    pub name: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub mounts: Vec<PlannedMount>,
    pub resources: super::resources::EngineResources,
    pub security: super::security::EngineSecurity,
}

pub struct Runtime {
    pub docker: Docker,
    pub cluster: String,
    pub node: String,
    /// The Docker network the sandboxes join (their IPs are the pod IPs).
    pub network: String,
}

fn engine(what: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> KubeletError {
    let what = what.into();
    move |source| KubeletError::Docker { what, source }
}

/// Docker's error message without bollard's wrapping.
pub fn docker_message(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        bollard::errors::Error::DockerStreamError { error } => error.clone(),
        other => other.to_string(),
    }
}

fn is_not_found(err: &bollard::errors::Error) -> bool {
    matches!(err, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

impl Runtime {
    fn labels(&self, pod: &PodKey, container: &str, attempt: u32) -> HashMap<String, String> {
        HashMap::from([
            (CLUSTER.to_string(), self.cluster.clone()),
            (NODE.to_string(), self.node.clone()),
            (NAMESPACE.to_string(), pod.namespace.clone()),
            (POD.to_string(), pod.name.clone()),
            (POD_UID.to_string(), pod.uid.clone()),
            (CONTAINER.to_string(), container.to_string()),
            (ATTEMPT.to_string(), attempt.to_string()),
        ])
    }

    /// dockershim's names: `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`.
    fn container_name(pod: &PodKey, container: &str, attempt: u32) -> String {
        format!("k8s_{container}_{}_{}_{}_{attempt}", pod.name, pod.namespace, pod.uid)
    }

    fn filters(&self, extra: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut labels = vec![format!("{CLUSTER}={}", self.cluster), format!("{NODE}={}", self.node)];
        labels.extend(extra.iter().map(|(k, v)| format!("{k}={v}")));
        HashMap::from([("label".to_string(), labels)])
    }

    async fn list(&self, extra: &[(&str, &str)]) -> Result<Vec<bollard::models::ContainerSummary>, KubeletError> {
        let options = ListContainersOptions { all: true, filters: Some(self.filters(extra)), ..Default::default() };
        self.docker.list_containers(Some(options)).await.map_err(engine("listing containers"))
    }

    /// Every container of the pod with `uid`, sandbox included, oldest attempt first.
    pub async fn pod_instances(&self, uid: &str) -> Result<Vec<Instance>, KubeletError> {
        let mut instances = Vec::new();
        for summary in self.list(&[(POD_UID, uid)]).await? {
            let Some(id) = summary.id else { continue };
            let inspect = match self.docker.inspect_container(&id, None).await {
                Ok(inspect) => inspect,
                Err(err) if is_not_found(&err) => continue,
                Err(err) => return Err(engine(format!("inspecting container {id}"))(err)),
            };
            let labels = summary.labels.unwrap_or_default();
            instances.push(Instance {
                id,
                container: labels.get(CONTAINER).cloned().unwrap_or_default(),
                attempt: labels.get(ATTEMPT).and_then(|a| a.parse().ok()).unwrap_or(0),
                inspect,
            });
        }
        instances.sort_by_key(|i| i.attempt);
        Ok(instances)
    }

    /// The pods (by uid) that have containers on this node.
    pub async fn pod_uids(&self) -> Result<Vec<String>, KubeletError> {
        let mut uids: Vec<String> =
            self.list(&[]).await?.into_iter().filter_map(|c| c.labels?.get(POD_UID).cloned()).collect();
        uids.sort();
        uids.dedup();
        Ok(uids)
    }

    /// The newest instance of `container` in the pod named `namespace/name` (by creation),
    /// and the uid it belongs to: what `/containerLogs` reads.
    pub async fn find_by_name(
        &self,
        namespace: &str,
        name: &str,
        container: &str,
    ) -> Result<Vec<bollard::models::ContainerSummary>, KubeletError> {
        let mut found = self.list(&[(NAMESPACE, namespace), (POD, name), (CONTAINER, container)]).await?;
        found.sort_by_key(|c| std::cmp::Reverse(c.created.unwrap_or(0)));
        Ok(found)
    }

    /// Creates and starts the pod's sandbox: the pause process owning its network namespace.
    /// `volumes` are engine volumes mounted writable (volume, path): the pod's data volumes,
    /// whose files the kubelet uploads through the sandbox.
    pub async fn run_sandbox(
        &self,
        pod: &PodKey,
        attempt: u32,
        image: &str,
        volumes: &[(String, String)],
    ) -> Result<String, KubeletError> {
        let mounts = volumes
            .iter()
            .map(|(volume, path)| Mount {
                target: Some(path.clone()),
                source: Some(volume.clone()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            })
            .collect();
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            hostname: Some(pod.name.chars().take(63).collect()),
            labels: Some(self.labels(pod, SANDBOX, attempt)),
            host_config: Some(HostConfig {
                // The pod's IP is the sandbox's address on this network.
                network_mode: Some(self.network.clone()),
                mounts: Some(mounts),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = self.create(pod, SANDBOX, attempt, body).await?;
        self.start(&id)
            .await
            .map_err(|message| KubeletError::Runtime { what: "starting the sandbox".into(), message })?;
        Ok(id)
    }

    async fn create(
        &self,
        pod: &PodKey,
        container: &str,
        attempt: u32,
        body: ContainerCreateBody,
    ) -> Result<String, KubeletError> {
        let name = Self::container_name(pod, container, attempt);
        let options = CreateContainerOptions { name: Some(name.clone()), ..Default::default() };
        match self.docker.create_container(Some(options.clone()), body.clone()).await {
            Ok(created) => Ok(created.id),
            // A leftover of a kubelet that stopped half-way: replace it.
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => {
                self.remove(&name).await?;
                let created = self
                    .docker
                    .create_container(Some(options), body)
                    .await
                    .map_err(engine(format!("creating {name}")))?;
                Ok(created.id)
            }
            Err(err) => Err(engine(format!("creating {name}"))(err)),
        }
    }

    /// Creates a spec container inside the sandbox's namespaces (not started).
    pub async fn create_container(
        &self,
        pod: &PodKey,
        plan: &ContainerPlan,
        sandbox: &str,
        attempt: u32,
    ) -> Result<String, String> {
        let mut mounts: Vec<Mount> = Vec::new();
        for planned in &plan.mounts {
            let target = match &planned.sub_path {
                Some(_) => super::sub_path::hidden_mount(&planned.volume),
                None => planned.path.clone(),
            };
            // A volume mounted with several subPaths is there once.
            if mounts.iter().any(|m| m.target.as_deref() == Some(target.as_str())) {
                continue;
            }
            let read_only = plan.mounts.iter().filter(|m| m.volume == planned.volume && m.sub_path.is_some());
            let read_only =
                if planned.sub_path.is_some() { read_only.clone().all(|m| m.read_only) } else { planned.read_only };
            mounts.push(Mount {
                target: Some(target),
                source: Some(planned.volume.clone()),
                typ: Some(MountType::VOLUME),
                read_only: Some(read_only),
                ..Default::default()
            });
        }
        let body = ContainerCreateBody {
            image: Some(plan.image.clone()),
            // command replaces the image's ENTRYPOINT (and then its CMD too), args its CMD.
            entrypoint: plan.command.clone(),
            cmd: plan.args.clone(),
            env: Some(plan.env.clone()),
            working_dir: plan.working_dir.clone().filter(|d| !d.is_empty()),
            labels: Some(self.labels(pod, &plan.name, attempt)),
            user: plan.security.user.clone(),
            host_config: Some(HostConfig {
                // Same IP and localhost as the sandbox: a second bind of a port fails.
                network_mode: Some(format!("container:{sandbox}")),
                readonly_rootfs: Some(plan.security.read_only_rootfs),
                privileged: Some(plan.security.privileged),
                cap_add: Some(plan.security.cap_add.clone()).filter(|c| !c.is_empty()),
                cap_drop: Some(plan.security.cap_drop.clone()).filter(|c| !c.is_empty()),
                security_opt: Some(plan.security.security_opt.clone()).filter(|o| !o.is_empty()),
                group_add: Some(plan.security.group_add.clone()).filter(|g| !g.is_empty()),
                mounts: Some(mounts),
                memory: plan.resources.memory,
                // No swap beyond the limit, as the kubelet's default (swap off).
                memory_swap: plan.resources.memory,
                nano_cpus: plan.resources.nano_cpus,
                cpu_shares: plan.resources.cpu_shares,
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = self.create(pod, &plan.name, attempt, body).await.map_err(|err| match err {
            KubeletError::Docker { source, .. } => docker_message(&source),
            other => other.to_string(),
        })?;
        self.link_sub_paths(&id, plan).await.map_err(|err| match err {
            KubeletError::Docker { source, .. } => docker_message(&source),
            other => other.to_string(),
        })?;
        Ok(id)
    }

    /// Makes each subPath mount's sub-directory (in writable volumes) and its symlink.
    async fn link_sub_paths(&self, id: &str, plan: &ContainerPlan) -> Result<(), KubeletError> {
        let mut links = Vec::new();
        for planned in &plan.mounts {
            let Some(sub_path) = &planned.sub_path else { continue };
            let hidden = super::sub_path::hidden_mount(&planned.volume);
            if !planned.read_only {
                let archive = super::sub_path::directories(&[sub_path])
                    .map_err(|source| KubeletError::Io { what: "packing a subPath directory".into(), source })?;
                self.upload(id, &hidden, archive).await?;
            }
            links.push((planned.path.clone(), format!("{hidden}/{sub_path}")));
        }
        if links.is_empty() {
            return Ok(());
        }
        let archive = super::sub_path::links(&links)
            .map_err(|source| KubeletError::Io { what: "packing subPath links".into(), source })?;
        self.upload(id, "/", archive).await
    }

    pub async fn start(&self, id: &str) -> Result<(), String> {
        self.docker.start_container(id, None).await.map_err(|err| docker_message(&err))
    }

    /// SIGTERM, then SIGKILL after `grace` seconds (Docker's stop).
    pub async fn stop(&self, id: &str, grace: i64) -> Result<(), KubeletError> {
        let options = StopContainerOptions { t: Some(grace.clamp(0, i32::MAX as i64) as i32), signal: None };
        match self.docker.stop_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 304 | 404, .. }) => Ok(()),
            Err(err) => Err(engine(format!("stopping container {id}"))(err)),
        }
    }

    pub async fn remove(&self, id: &str) -> Result<(), KubeletError> {
        let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
        match self.docker.remove_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            // Already being removed by someone else.
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => Ok(()),
            Err(err) => Err(engine(format!("removing container {id}"))(err)),
        }
    }

    /// The engine volume of a pod's emptyDir (or data volume), created when missing;
    /// `driver_opts` of the local driver (a tmpfs for medium Memory).
    pub async fn empty_dir(
        &self,
        pod: &PodKey,
        volume: &str,
        driver_opts: Option<HashMap<String, String>>,
    ) -> Result<String, KubeletError> {
        let name = format!("k8s_{}_{}", pod.uid, volume);
        let mut labels = self.labels(pod, SANDBOX, 0);
        labels.insert("kctl.io/volume".into(), volume.to_string());
        let request =
            VolumeCreateRequest { name: Some(name.clone()), labels: Some(labels), driver_opts, ..Default::default() };
        self.docker.create_volume(request).await.map_err(engine(format!("creating volume {name}")))?;
        Ok(name)
    }

    /// The engine volume of the node directory `path` (see `host_path`): created when
    /// missing if `create`, else None when missing.
    pub async fn node_directory(&self, path: &str, create: bool) -> Result<Option<String>, KubeletError> {
        let name = super::host_path::engine_name(&self.cluster, &self.node, path);
        if !create {
            return match self.docker.inspect_volume(&name).await {
                Ok(_) => Ok(Some(name)),
                Err(err) if is_not_found(&err) => Ok(None),
                Err(err) => Err(engine(format!("inspecting volume {name}"))(err)),
            };
        }
        let labels = HashMap::from([
            (CLUSTER.to_string(), self.cluster.clone()),
            (NODE.to_string(), self.node.clone()),
            (HOST_PATH.to_string(), path.to_string()),
        ]);
        let request = VolumeCreateRequest { name: Some(name.clone()), labels: Some(labels), ..Default::default() };
        self.docker.create_volume(request).await.map_err(engine(format!("creating volume {name}")))?;
        Ok(Some(name))
    }

    /// The node directories of this node: (engine volume, path).
    pub async fn node_directories(&self) -> Result<Vec<(String, String)>, KubeletError> {
        let mut filters = self.filters(&[]);
        // A label filter without a value matches every value.
        filters.entry("label".to_string()).or_default().push(HOST_PATH.to_string());
        let options = ListVolumesOptions { filters: Some(filters) };
        let listed = self.docker.list_volumes(Some(options)).await.map_err(engine("listing volumes"))?;
        let directories = listed.volumes.unwrap_or_default().into_iter();
        Ok(directories.filter_map(|v| v.labels.get(HOST_PATH).cloned().map(|path| (v.name, path))).collect())
    }

    /// Removes an engine volume unless a container still uses it.
    pub async fn remove_unused_volume(&self, name: &str) -> Result<bool, KubeletError> {
        match self.docker.remove_volume(name, None::<RemoveVolumeOptions>).await {
            Ok(()) => Ok(true),
            Err(err) if is_not_found(&err) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => Ok(false),
            Err(err) => Err(engine(format!("removing volume {name}"))(err)),
        }
    }

    /// Removes the pod's emptyDir volumes (after its containers).
    pub async fn remove_volumes(&self, uid: &str) -> Result<(), KubeletError> {
        let options = ListVolumesOptions { filters: Some(self.filters(&[(POD_UID, uid)])) };
        let listed = self.docker.list_volumes(Some(options)).await.map_err(engine("listing volumes"))?;
        for volume in listed.volumes.unwrap_or_default() {
            match self.docker.remove_volume(&volume.name, Some(RemoveVolumeOptions { force: true })).await {
                Ok(()) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(engine(format!("removing volume {}", volume.name))(err)),
            }
        }
        Ok(())
    }

    /// Extracts a tar archive into `path` of a (running or created) container.
    pub async fn upload(&self, id: &str, path: &str, archive: Vec<u8>) -> Result<(), KubeletError> {
        let options =
            bollard::query_parameters::UploadToContainerOptions { path: path.to_string(), ..Default::default() };
        self.docker
            .upload_to_container(id, Some(options), bollard::body_full(archive.into()))
            .await
            .map_err(engine(format!("writing files into {path}")))
    }

    pub async fn image(&self, image: &str) -> Result<Option<ImageInspect>, KubeletError> {
        match self.docker.inspect_image(image).await {
            Ok(found) => Ok(Some(found)),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(engine(format!("inspecting image {image}"))(err)),
        }
    }

    /// Pulls `image`; the engine's error message when it cannot.
    pub async fn pull(&self, image: &str) -> Result<(), String> {
        let (repository, tag) = split_reference(image);
        let options = CreateImageOptions { from_image: Some(repository), tag, ..Default::default() };
        let mut progress = self.docker.create_image(Some(options), None, None);
        while let Some(step) = progress.next().await {
            step.map_err(|err| docker_message(&err))?;
        }
        Ok(())
    }
}

/// `repo:tag` → (`repo`, `tag`); a digest stays in the repository; no tag is `latest`.
pub fn split_reference(image: &str) -> (String, Option<String>) {
    if image.contains('@') {
        return (image.to_string(), None);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) => (image[..image.len() - tag.len() - 1].to_string(), Some(tag.to_string())),
        None => (image.to_string(), Some("latest".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_repository_and_tag() {
        assert_eq!(split_reference("busybox"), ("busybox".into(), Some("latest".into())));
        assert_eq!(split_reference("kctl-test/busybox:1"), ("kctl-test/busybox".into(), Some("1".into())));
        assert_eq!(split_reference("localhost:5000/app"), ("localhost:5000/app".into(), Some("latest".into())));
        assert_eq!(split_reference("a@sha256:00"), ("a@sha256:00".into(), None));
    }

    #[test]
    fn names_follow_dockershim() {
        let pod = PodKey { namespace: "default".into(), name: "web".into(), uid: "u1".into() };
        assert_eq!(Runtime::container_name(&pod, "POD", 0), "k8s_POD_web_default_u1_0");
    }
}
