//! One pod's sync, as upstream's syncPod: make the engine match the spec (sandbox, then
//! each container: pull, create, start, restart with back-off), then report the status.
//! A pod being deleted has its containers stopped with its grace period and removed,
//! and is then deleted for good.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use k8s_openapi::api::core::v1::{Container, ObjectReference, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use serde_json::Value;

use super::runtime::{ContainerPlan, Instance, PlannedMount, PodKey, SandboxPlan, SANDBOX};
use super::status::{self, ContainerView, Waiting};
use super::{env, host_path, lifecycle, probe, security, volumes};
use super::{Kubelet, KubeletError};
use crate::kubelet::events::{self, KubeletEvent};

/// What a pod's worker remembers between syncs.
#[derive(Debug, Default)]
pub struct PodState {
    /// The status last written, so an unchanged one is not written again.
    pub written: Option<Value>,
    /// Why each container waits (pull failures), by container name.
    pub waiting: HashMap<String, Waiting>,
    /// Events already recorded for the current situation (so a 1 s resync does not
    /// repeat them): (container, reason, instance).
    pub recorded: std::collections::HashSet<(String, String, String)>,
    /// The files last written into each data volume (by volume name), so that a volume is
    /// rewritten only when its sources changed.
    pub volume_files: HashMap<String, Vec<volumes::File>>,
    /// The node directories (hostPath, bound claims) each volume mounts, once resolved:
    /// volume name → (engine volume, read-only).
    pub node_directories: HashMap<String, (String, bool)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Sync again later.
    Again,
    /// The pod is gone: its worker can stop.
    Gone,
}

/// A mount's subPath (subPathExpr expanded with the container's environment), if any.
fn sub_path(
    mount: &k8s_openapi::api::core::v1::VolumeMount,
    env: &[(String, String)],
) -> Result<Option<String>, String> {
    let sub_path = match (&mount.sub_path, &mount.sub_path_expr) {
        (Some(path), _) if !path.is_empty() => path.clone(),
        (_, Some(expression)) if !expression.is_empty() => env::expand(expression, env),
        _ => return Ok(None),
    };
    if !super::sub_path::is_safe(&sub_path) {
        return Err(format!("subpath {sub_path:?} must stay inside volume {:?}", mount.name));
    }
    Ok(Some(sub_path))
}

/// How long a postStart hook may run (upstream gives it no limit; a hung hook would hold
/// the pod's worker).
const HOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// Upstream's floor for what is left of a grace period after a preStop hook.
const MINIMUM_GRACE_PERIOD: i64 = 2;

/// The pod's termination grace period (upstream's default 30 s).
pub fn grace_period(pod: &Pod) -> i64 {
    pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30)
}

/// upstream's format.Pod, which the kubelet's messages name pods by: `name_namespace(uid)`.
pub fn pod_display(pod: &Pod) -> String {
    let meta = &pod.metadata;
    format!(
        "{}_{}({})",
        meta.name.as_deref().unwrap_or_default(),
        meta.namespace.as_deref().unwrap_or("default"),
        meta.uid.as_deref().unwrap_or_default()
    )
}

pub fn pod_key(pod: &Pod) -> PodKey {
    PodKey {
        namespace: pod.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
        name: pod.metadata.name.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
    }
}

fn container_ref(pod: &Pod, container: Option<&str>) -> ObjectReference {
    let key = pod_key(pod);
    let mut reference =
        crate::machinery::record::reference_to("v1", "Pod", Some(&key.namespace), &key.name, Some(&key.uid));
    let init = |c: &str| pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten()).any(|i| i.name == c);
    reference.field_path = container.map(|c| {
        let list = if init(c) { "initContainers" } else { "containers" };
        format!("spec.{list}{{{c}}}")
    });
    reference
}

impl Kubelet {
    fn record(&self, pod: &Pod, container: Option<&str>, event: KubeletEvent) {
        let reference = container_ref(pod, container);
        let type_ = if event.warning { "Warning" } else { "Normal" };
        self.recorder.record(&reference, type_, event.reason, &event.message);
    }

    /// Records once per (container, reason, instance) while the pod's worker lives.
    fn record_once(&self, state: &mut PodState, pod: &Pod, container: &str, instance: &str, event: KubeletEvent) {
        if state.recorded.insert((container.to_string(), event.reason.to_string(), instance.to_string())) {
            // No container: an event of the pod itself.
            self.record(pod, Some(container).filter(|c| !c.is_empty()), event);
        }
    }
}

/// Whether every app container ran and exited for good (the policy restarts none).
fn app_containers_finished(containers: &[Container], instances: &[Instance], policy: &str) -> bool {
    let latest = |name: &str| instances.iter().filter(|i| i.container == name).next_back();
    !containers.is_empty()
        && containers
            .iter()
            .all(|c| latest(&c.name).is_some_and(|i| !i.running() && i.ever_started() && !should_restart(policy, i)))
}

/// An init container that runs beside the app containers (`restartPolicy: Always`).
fn is_sidecar(container: &Container) -> bool {
    container.restart_policy.as_deref() == Some("Always")
}

fn restart_policy(pod: &Pod) -> &str {
    pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always")
}

fn should_restart(policy: &str, instance: &Instance) -> bool {
    match policy {
        "Never" => false,
        "OnFailure" => instance.exit_code() != 0 || instance.error().is_some(),
        _ => true,
    }
}

/// The image pull policy, defaulted as upstream: Always for `:latest` or no tag.
fn pull_policy(container: &Container) -> &str {
    if let Some(policy) = container.image_pull_policy.as_deref() {
        return policy;
    }
    let image = container.image.as_deref().unwrap_or_default();
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') || last.rsplit_once(':').is_some_and(|(_, tag)| tag != "latest") {
        "IfNotPresent"
    } else {
        "Always"
    }
}

impl Kubelet {
    /// What the container becomes on the engine; upstream's CreateContainerConfigError
    /// message when its environment or volumes cannot be made.
    async fn plan(
        &self,
        pod: &Pod,
        container: &Container,
        pod_ip: &str,
        node_directories: &HashMap<String, (String, bool)>,
    ) -> Result<ContainerPlan, String> {
        let key = pod_key(pod);
        let context = env::PodContext { client: &self.client, pod, pod_ip, host_ip: &self.host_ip, node: &self.node };
        let env =
            env::environment(&context, container, &mut env::Sources::default()).await.map_err(|e| e.to_string())?;
        let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_ref());
        let mut mounts = Vec::new();
        for mount in container.volume_mounts.iter().flatten() {
            let Some(volume) = volumes.and_then(|v| v.iter().find(|v| v.name == mount.name)) else { continue };
            let read_only = mount.read_only.unwrap_or(false);
            let (engine, read_only) = if let Some(empty_dir) = &volume.empty_dir {
                let options = volumes::empty_dir_options(empty_dir);
                let engine = self.runtime.empty_dir(&key, &mount.name, options).await.map_err(|e| e.to_string())?;
                (engine, read_only)
            } else if volumes::is_data_volume(volume) {
                // Written by the kubelet through the sandbox; read-only in containers, as upstream.
                let engine = self.runtime.empty_dir(&key, &mount.name, None).await.map_err(|e| e.to_string())?;
                (engine, true)
            } else if let Some((engine, volume_read_only)) = node_directories.get(&mount.name) {
                (engine.clone(), read_only || *volume_read_only)
            } else {
                continue;
            };
            let sub_path = sub_path(mount, &env)?;
            mounts.push(PlannedMount { volume: engine, path: mount.mount_path.clone(), read_only, sub_path });
        }
        let image = container.image.as_deref().unwrap_or_default();
        let image_user = match self.runtime.image(image).await {
            Ok(found) => found.and_then(|i| i.config).and_then(|c| c.user).unwrap_or_default(),
            Err(err) => return Err(err.to_string()),
        };
        let security = security::engine_security(pod, container, &image_user)?;
        let expand_all =
            |words: &Option<Vec<String>>| words.as_ref().map(|w| w.iter().map(|w| env::expand(w, &env)).collect());
        Ok(ContainerPlan {
            name: container.name.clone(),
            image: container.image.clone().unwrap_or_default(),
            command: expand_all(&container.command),
            args: expand_all(&container.args),
            env: env.iter().map(|(name, value)| format!("{name}={value}")).collect(),
            working_dir: container.working_dir.clone(),
            mounts,
            resources: super::resources::engine_resources(container),
            security,
        })
    }

    /// Makes sure the image is there as the pull policy asks; why not when it is not.
    async fn ensure_image(&self, pod: &Pod, container: &Container, state: &mut PodState) -> Option<Waiting> {
        let image = container.image.as_deref().unwrap_or_default();
        let key = format!("{}/pull/{image}", pod_key(pod).uid);
        let present = match self.runtime.image(image).await {
            Ok(found) => found.is_some(),
            Err(err) => return Some(Waiting { reason: "ErrImagePull".into(), message: err.to_string() }),
        };
        let policy = pull_policy(container);
        if policy == "Never" && !present {
            self.record_once(state, pod, &container.name, image, events::never_pull(image));
            return Some(Waiting { reason: "ErrImageNeverPull".into(), message: events::never_pull_message(image) });
        }
        if present && policy != "Always" {
            self.record_once(state, pod, &container.name, image, events::already_present(image));
            return None;
        }
        let failed_at = self.backoff.lock().last_failure(&key);
        if let Some(failed_at) = failed_at {
            if self.backoff.lock().in_backoff_since(&key, failed_at, Instant::now()) {
                let reason = "ImagePullBackOff";
                let instance = format!("{image}/{failed_at:?}");
                self.record_once(state, pod, &container.name, &instance, events::pull_back_off(image));
                self.record_once(state, pod, &container.name, &instance, events::failed(reason));
                return Some(Waiting { reason: reason.into(), message: events::pull_back_off_message(image) });
            }
        }
        self.record(pod, Some(&container.name), events::pulling(image));
        let started = Instant::now();
        match self.runtime.pull(image).await {
            Ok(()) => {
                self.backoff.lock().forget(&key);
                let size = self.runtime.image(image).await.ok().flatten().and_then(|i| i.size).unwrap_or(0);
                self.record(pod, Some(&container.name), events::pulled(image, started.elapsed(), size));
                None
            }
            // Beyond upstream: a local cluster is often offline, and its nodes share the
            // host engine's images, so an image built on the host runs without a registry.
            Err(error) if present => {
                self.record(pod, Some(&container.name), events::pulled_locally(image, &error));
                None
            }
            Err(error) => {
                self.backoff.lock().next(&key, Instant::now());
                self.record(pod, Some(&container.name), events::pull_failed(image, &error));
                self.record(pod, Some(&container.name), events::failed("ErrImagePull"));
                Some(Waiting {
                    reason: "ErrImagePull".into(),
                    message: format!("Failed to pull image \"{image}\": {error}"),
                })
            }
        }
    }

    /// Pulls if needed, creates and starts attempt `attempt` of the container; why it
    /// waits when it could not be created.
    async fn start_container(
        &self,
        pod: &Pod,
        container: &Container,
        sandbox: &Instance,
        attempt: u32,
        state: &mut PodState,
    ) -> Option<Waiting> {
        if let Some(waiting) = self.ensure_image(pod, container, state).await {
            return Some(waiting);
        }
        let key = pod_key(pod);
        let pod_ip = sandbox.ip(&self.runtime.network).unwrap_or_default();
        let plan = match self.plan(pod, container, &pod_ip, &state.node_directories).await {
            Ok(plan) => plan,
            Err(message) => {
                let instance = format!("config/{message}");
                self.record_once(state, pod, &container.name, &instance, events::failed(&message));
                return Some(Waiting { reason: "CreateContainerConfigError".into(), message });
            }
        };
        let id = match self.runtime.create_container(&key, &plan, &sandbox.id, attempt).await {
            Ok(id) => id,
            Err(message) => {
                self.record(pod, Some(&container.name), events::failed(&message));
                return Some(Waiting { reason: "CreateContainerError".into(), message });
            }
        };
        self.record(pod, Some(&container.name), events::created(&container.name));
        match self.runtime.start(&id).await {
            // The instance stays, exited with the engine's error: the status says StartError.
            Err(message) => self.record(pod, Some(&container.name), events::failed(&message)),
            Ok(()) => {
                self.record(pod, Some(&container.name), events::started(&container.name));
                self.post_start(pod, container, &id, &pod_ip).await;
            }
        }
        None
    }

    /// The sandbox's names and network setup: the pod's hostname (and subdomain), its
    /// resolv.conf from dnsPolicy, and the route of the service range via this node.
    fn sandbox_plan(&self, pod: &Pod) -> SandboxPlan {
        use crate::kubelet::network::resolv;
        let spec = pod.spec.as_ref();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let hostname = spec.and_then(|s| s.hostname.clone()).filter(|h| !h.is_empty()).unwrap_or(name);
        let dns = self.service_network.as_ref().map(|n| &n.dns);
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
        let subdomain = spec.and_then(|s| s.subdomain.clone()).filter(|s| !s.is_empty());
        let domainname = subdomain.zip(dns).map(|(sub, dns)| format!("{sub}.{namespace}.svc.{}", dns.domain));
        let mut env = Vec::new();
        if let Some(conf) = resolv::for_pod(pod, dns, &self.node_resolv) {
            env.push(format!("{}={}", super::pause::RESOLV_CONF_ENV, conf.render()));
        }
        if let Some(network) = &self.service_network {
            let route = format!("{}/{} via {}", network.network, network.prefix, self.host_ip);
            env.push(format!("{}={route}", super::pause::SERVICE_ROUTE_ENV));
        }
        SandboxPlan { env, net_admin: self.service_network.is_some(), hostname, domainname }
    }

    /// Runs the container's postStart hook; a failure kills the container (its restart
    /// policy decides what follows), as upstream.
    async fn post_start(&self, pod: &Pod, container: &Container, id: &str, pod_ip: &str) {
        let Some(hook) = container.lifecycle.as_ref().and_then(|l| l.post_start.as_ref()) else { return };
        let result = lifecycle::run(&self.runtime.docker, pod, container, id, pod_ip, hook, HOOK_TIMEOUT).await;
        if let Err(message) = result {
            tracing::info!(%message, "postStart hook failed");
            self.record(pod, Some(&container.name), events::failed_hook(true));
            self.record(
                pod,
                Some(&container.name),
                events::KubeletEvent { warning: false, reason: "Killing", message: "FailedPostStartHook".to_string() },
            );
            if let Err(err) = self.runtime.stop(id, grace_period(pod)).await {
                tracing::warn!(%err, "stopping a container whose postStart hook failed");
            }
        }
    }

    /// Stops a running container: its preStop hook first (within the grace period),
    /// then SIGTERM and SIGKILL after what is left of the grace period (at least 2 s).
    async fn stop_container(&self, pod: Option<&Pod>, instance: &Instance, grace: i64) -> Result<(), KubeletError> {
        let spec = pod.and_then(|p| p.spec.as_ref());
        let containers = spec.map(|s| s.containers.iter().chain(s.init_containers.iter().flatten()));
        let container = containers.and_then(|mut all| all.find(|c| c.name == instance.container));
        let hook = container.and_then(|c| c.lifecycle.as_ref()).and_then(|l| l.pre_stop.as_ref());
        let (Some(pod), Some(container), Some(hook)) = (pod, container, hook) else {
            return self.runtime.stop(&instance.id, grace).await;
        };
        let started = std::time::Instant::now();
        let pod_ip = self.runtime.pod_instances(pod.metadata.uid.as_deref().unwrap_or_default()).await.ok();
        let pod_ip = pod_ip
            .and_then(|all| all.into_iter().find(|i| i.container == SANDBOX))
            .and_then(|sandbox| sandbox.ip(&self.runtime.network))
            .unwrap_or_default();
        let timeout = std::time::Duration::from_secs(grace.max(0) as u64);
        let result = lifecycle::run(&self.runtime.docker, pod, container, &instance.id, &pod_ip, hook, timeout).await;
        if let Err(message) = result {
            tracing::info!(%message, "preStop hook failed");
            self.record(pod, Some(&container.name), events::failed_hook(false));
        }
        let left = (grace - started.elapsed().as_secs() as i64).max(MINIMUM_GRACE_PERIOD);
        self.runtime.stop(&instance.id, left).await
    }

    /// A running sandbox for the pod, started (again) when there is none.
    async fn ensure_sandbox(&self, pod: &Pod, instances: &[Instance]) -> Result<Option<Instance>, KubeletError> {
        let key = pod_key(pod);
        let latest = instances.iter().filter(|i| i.container == SANDBOX).max_by_key(|i| i.attempt);
        if let Some(sandbox) = latest.filter(|s| s.running()) {
            return Ok(Some(sandbox.clone()));
        }
        // A sandbox that died took the pod's network with it: start over, as upstream
        // does when the sandbox changed (the containers are killed and started anew).
        let attempt = latest.map_or(0, |s| s.attempt + 1);
        for instance in instances {
            if instance.container == SANDBOX || instance.running() {
                self.runtime.remove(&instance.id).await?;
            }
        }
        if self.runtime.image(&self.pause_image).await?.is_none() {
            super::pause::ensure_image(&self.runtime).await?;
        }
        let mut data = Vec::new();
        for volume in volumes::data_volumes(pod) {
            let engine = self.runtime.empty_dir(&key, &volume.name, None).await?;
            data.push((engine, format!("{}/{}", volumes::SANDBOX_ROOT, volume.name)));
        }
        let plan = self.sandbox_plan(pod);
        self.runtime.run_sandbox(&key, attempt, &self.pause_image, &data, &plan).await?;
        let fresh = self.runtime.pod_instances(&key.uid).await?;
        Ok(fresh.into_iter().filter(|i| i.container == SANDBOX).max_by_key(|i| i.attempt))
    }

    /// Stops every container with the grace period, removes them and the pod's volumes.
    /// Stops the running spec containers among `instances` at once (saying so when the
    /// pod is known).
    async fn stop_running(&self, pod: Option<&Pod>, instances: &[Instance], grace: i64) -> Result<(), KubeletError> {
        let stops = instances.iter().filter(|i| i.running() && i.container != SANDBOX).map(|instance| async move {
            if let Some(pod) = pod {
                self.record(pod, Some(&instance.container), events::killing(&instance.container));
            }
            self.stop_container(pod, instance, grace).await
        });
        for result in futures::future::join_all(stops).await {
            result?;
        }
        Ok(())
    }

    /// Stops the pod's running containers (preStop hooks first), keeping them.
    pub async fn stop_pod_containers(&self, pod: &Pod, grace: i64) -> Result<(), KubeletError> {
        let instances = self.runtime.pod_instances(&pod_key(pod).uid).await?;
        self.stop_running(Some(pod), &instances, grace).await?;
        for sandbox in instances.iter().filter(|i| i.running() && i.container == SANDBOX) {
            self.runtime.stop(&sandbox.id, 0).await?;
        }
        Ok(())
    }

    pub async fn kill_pod(&self, pod: Option<&Pod>, uid: &str, grace: i64) -> Result<(), KubeletError> {
        let instances = self.runtime.pod_instances(uid).await?;
        self.stop_running(pod, &instances, grace).await?;
        for instance in &instances {
            self.runtime.remove(&instance.id).await?;
        }
        self.runtime.remove_volumes(uid).await?;
        self.backoff.lock().forget_prefix(uid);
        self.prober.forget_pod(uid);
        Ok(())
    }

    async fn finish_deletion(&self, pod: &Pod) -> Result<(), KubeletError> {
        let key = pod_key(pod);
        let grace = pod
            .metadata
            .deletion_grace_period_seconds
            .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
            .unwrap_or(30);
        self.kill_pod(Some(pod), &key.uid, grace).await?;
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &key.namespace);
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions { uid: Some(key.uid.clone()), resource_version: None }),
            ..Default::default()
        };
        match pods.delete(&key.name, &params).await {
            Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 404 | 409, .. })) => Ok(()),
            Err(err) => {
                Err(crate::kubelet::ApiCallError::api(format!("deleting pod {}/{}", key.namespace, key.name))(err)
                    .into())
            }
        }
    }

    pub async fn sync(&self, pod: &Pod, state: &mut PodState) -> Result<Outcome, KubeletError> {
        if self.shutting_down.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(Outcome::Again);
        }
        if pod.metadata.deletion_timestamp.is_some() {
            self.finish_deletion(pod).await?;
            return Ok(Outcome::Gone);
        }
        let key = pod_key(pod);
        let reported_phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let terminal = matches!(reported_phase, Some("Succeeded" | "Failed"));
        let mut instances = self.runtime.pod_instances(&key.uid).await?;
        let sandbox = if terminal {
            // A finished pod keeps its containers (for logs) but not its network.
            for sandbox in instances.iter().filter(|i| i.container == SANDBOX && i.running()) {
                self.runtime.stop(&sandbox.id, 0).await?;
            }
            None
        } else {
            self.ensure_sandbox(pod, &instances).await?
        };
        let policy = restart_policy(pod).to_string();
        let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
        let init_containers = pod.spec.as_ref().and_then(|s| s.init_containers.clone()).unwrap_or_default();
        if let (Some(sandbox), false) = (&sandbox, terminal) {
            instances = self.runtime.pod_instances(&key.uid).await?;
            let mounted = self.sync_volumes(pod, sandbox, state).await;
            let initialized =
                mounted && self.sync_init_containers(pod, &init_containers, sandbox, &instances, state).await?;
            if initialized {
                for container in &containers {
                    let mine: Vec<&Instance> = instances.iter().filter(|i| i.container == container.name).collect();
                    let waiting = match mine.last() {
                        None => self.start_container(pod, container, sandbox, 0, state).await,
                        Some(current) if current.running() => {
                            self.kill_unhealthy(pod, container, current, &policy).await?;
                            None
                        }
                        Some(current) if !should_restart(&policy, current) => None,
                        Some(current) => self.restart(pod, container, sandbox, current, &mine, state).await?,
                    };
                    match waiting {
                        Some(waiting) => state.waiting.insert(container.name.clone(), waiting),
                        None => state.waiting.remove(&container.name),
                    };
                }
                self.stop_sidecars_when_done(pod, &containers, &init_containers, &instances, &policy).await?;
            } else if mounted {
                // Upstream's default waiting reason while init containers run.
                for container in &containers {
                    let initializing = Waiting { reason: "PodInitializing".into(), message: String::new() };
                    state.waiting.insert(container.name.clone(), initializing);
                }
            }
            instances = self.runtime.pod_instances(&key.uid).await?;
        } else {
            state.waiting.clear();
        }
        let sandbox_ip = sandbox.as_ref().and_then(|s| s.ip(&self.runtime.network));
        let all_containers: Vec<Container> = init_containers.iter().chain(&containers).cloned().collect();
        self.probe_running(pod, &all_containers, &instances, sandbox_ip.as_deref().unwrap_or_default());
        let init_views: Vec<ContainerView> = init_containers.iter().map(|c| self.view(c, &instances, state)).collect();
        let views: Vec<ContainerView> = containers.iter().map(|c| self.view(c, &instances, state)).collect();
        let mut status = status::pod_status(
            pod,
            &init_views,
            &views,
            sandbox.is_some(),
            sandbox_ip.as_deref(),
            &self.host_ip,
            Utc::now(),
        );
        // A finished pod stays finished, as upstream's status manager keeps it.
        if let (true, Some(phase)) = (terminal, reported_phase) {
            status["phase"] = serde_json::json!(phase);
        }
        if state.written.as_ref() != Some(&status) {
            let pods: Api<Pod> = Api::namespaced(self.client.clone(), &key.namespace);
            let patch = serde_json::json!({"status": status});
            match pods.patch_status(&key.name, &PatchParams::default(), &Patch::Merge(patch)).await {
                Ok(_) => state.written = Some(status),
                Err(kube::Error::Api(kube::core::ErrorResponse { code: 404, .. })) => return Ok(Outcome::Gone),
                Err(err) => {
                    return Err(
                        crate::kubelet::ApiCallError::api(format!("updating status of pod {}", key.name))(err).into()
                    )
                }
            }
        }
        Ok(Outcome::Again)
    }

    /// Writes each data volume's files into the sandbox when they changed (at once when
    /// its ConfigMap or Secret changes, within the 1 s resync). Whether every volume has
    /// been written at least once: containers start only then, as upstream waits for mounts.
    async fn sync_volumes(&self, pod: &Pod, sandbox: &Instance, state: &mut PodState) -> bool {
        let pod_ip = sandbox.ip(&self.runtime.network).unwrap_or_default();
        let context =
            env::PodContext { client: &self.client, pod, pod_ip: &pod_ip, host_ip: &self.host_ip, node: &self.node };
        let mut sources = env::Sources::default();
        let mut all_written = self.mount_node_directories(pod, state).await;
        for volume in volumes::data_volumes(pod) {
            let written = state.volume_files.get(&volume.name);
            let files = match volumes::files(&context, volume, &mut sources).await {
                Ok(files) => files,
                Err(message) => {
                    // A volume written before keeps its files, as upstream's.
                    all_written &= written.is_some();
                    let message = format!("MountVolume.SetUp failed for volume \"{}\" : {message}", volume.name);
                    let event = events::failed_mount(&message);
                    self.record_once(state, pod, "", &message, event);
                    continue;
                }
            };
            if written == Some(&files) {
                continue;
            }
            let path = format!("{}/{}", volumes::SANDBOX_ROOT, volume.name);
            let archive = match volumes::archive(&files, &volumes::stamp(Utc::now())) {
                Ok(archive) => archive,
                Err(err) => {
                    tracing::warn!(%err, volume = %volume.name, "could not pack a volume's files");
                    all_written &= written.is_some();
                    continue;
                }
            };
            match self.runtime.upload(&sandbox.id, &path, archive).await {
                Ok(()) => {
                    state.volume_files.insert(volume.name.clone(), files);
                }
                Err(err) => {
                    tracing::warn!(%err, volume = %volume.name, "could not write a volume's files");
                    all_written &= written.is_some();
                }
            }
        }
        all_written
    }

    /// Finds the node directory of each hostPath and claim volume not found yet (a claim
    /// may still be binding); whether every one is found.
    async fn mount_node_directories(&self, pod: &Pod, state: &mut PodState) -> bool {
        let mut all_found = true;
        for volume in pod.spec.as_ref().and_then(|s| s.volumes.as_deref()).unwrap_or_default() {
            if state.node_directories.contains_key(&volume.name) {
                continue;
            }
            let found = match host_path::resolve(&self.client, pod, volume).await {
                Ok(None) => continue,
                Ok(Some(directory)) => self.node_directory(&directory).await,
                Err(message) => Err(message),
            };
            match found {
                Ok(engine) => {
                    state.node_directories.insert(volume.name.clone(), engine);
                }
                Err(message) => {
                    all_found = false;
                    let message = format!("MountVolume.SetUp failed for volume \"{}\" : {message}", volume.name);
                    let event = events::failed_mount(&message);
                    self.record_once(state, pod, "", &message, event);
                }
            }
        }
        all_found
    }

    /// The engine volume of a node directory, made when its type allows.
    async fn node_directory(&self, directory: &host_path::NodeDirectory) -> Result<(String, bool), String> {
        let must_exist = host_path::must_exist(&directory.kind)?;
        match self.runtime.node_directory(&directory.path, !must_exist).await {
            Ok(Some(engine)) => Ok((engine, directory.read_only)),
            Ok(None) => Err(format!("hostPath type check failed: {} is not a directory", directory.path)),
            Err(err) => Err(err.to_string()),
        }
    }

    /// What the status says of one spec container.
    fn view<'a>(&self, container: &'a Container, instances: &'a [Instance], state: &PodState) -> ContainerView<'a> {
        let mine: Vec<&Instance> = instances.iter().filter(|i| i.container == container.name).collect();
        let current = mine.last().copied();
        let id = current.map(|c| c.id.as_str()).unwrap_or_default();
        ContainerView {
            name: &container.name,
            image: container.image.as_deref().unwrap_or_default(),
            current,
            previous: mine.len().checked_sub(2).map(|i| mine[i]),
            waiting: state.waiting.get(&container.name).cloned(),
            started: self.prober.started(container, id),
            ready: self.prober.ready(container, id),
            sidecar: is_sidecar(container),
        }
    }

    /// Runs the init containers one after another (upstream's computeInitContainerActions):
    /// each regular one must complete before the next starts, a sidecar must have started;
    /// a failed one is restarted with back-off unless the pod's policy is Never. Sidecars
    /// are kept running (restarted) for the pod's life. Whether the app containers may run.
    async fn sync_init_containers(
        &self,
        pod: &Pod,
        init_containers: &[Container],
        sandbox: &Instance,
        instances: &[Instance],
        state: &mut PodState,
    ) -> Result<bool, KubeletError> {
        let policy = restart_policy(pod);
        let names: Vec<&str> = pod.spec.iter().flat_map(|s| &s.containers).map(|c| c.name.as_str()).collect();
        // An app container that ever ran means the pod was initialized: regular init
        // containers are not run again.
        let initialized_before = instances.iter().any(|i| names.contains(&i.container.as_str()));
        let containers = pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or_default();
        let finished = app_containers_finished(containers, instances, policy);
        let mut blocked = false;
        for container in init_containers {
            let sidecar = is_sidecar(container);
            if blocked || (initialized_before && !sidecar) {
                continue;
            }
            let mine: Vec<&Instance> = instances.iter().filter(|i| i.container == container.name).collect();
            let (waiting, done) = match mine.last() {
                None => (self.start_container(pod, container, sandbox, 0, state).await, false),
                Some(current) if current.running() => {
                    self.kill_unhealthy(pod, container, current, if sidecar { "Always" } else { policy }).await?;
                    (None, sidecar && self.prober.started(container, &current.id))
                }
                Some(current) if !sidecar && current.exit_code() == 0 && current.error().is_none() => (None, true),
                Some(_) if sidecar && finished => (None, true),
                Some(current) if sidecar || should_restart(policy, current) => {
                    (self.restart(pod, container, sandbox, current, &mine, state).await?, false)
                }
                Some(_) => (None, false),
            };
            match waiting {
                Some(waiting) => state.waiting.insert(container.name.clone(), waiting),
                None => state.waiting.remove(&container.name),
            };
            blocked = !done && !initialized_before;
        }
        Ok(!blocked)
    }

    /// A pod whose app containers all finished for good (policy not Always) stops its
    /// sidecars, so that it can complete, as upstream does.
    async fn stop_sidecars_when_done(
        &self,
        pod: &Pod,
        containers: &[Container],
        init_containers: &[Container],
        instances: &[Instance],
        policy: &str,
    ) -> Result<(), KubeletError> {
        if !app_containers_finished(containers, instances, policy) {
            return Ok(());
        }
        let latest = |name: &str| instances.iter().filter(|i| i.container == name).next_back();
        let grace = grace_period(pod);
        // In reverse order of their start, as upstream.
        for sidecar in init_containers.iter().rev().filter(|c| is_sidecar(c)) {
            if let Some(instance) = latest(&sidecar.name).filter(|i| i.running()) {
                self.record(pod, Some(&sidecar.name), events::killing(&sidecar.name));
                self.stop_container(Some(pod), instance, grace).await?;
            }
        }
        Ok(())
    }

    /// Starts the probe workers of the pod's running containers (and stops the others').
    fn probe_running(&self, pod: &Pod, containers: &[Container], instances: &[Instance], pod_ip: &str) {
        let key = pod_key(pod);
        let targets = containers
            .iter()
            .filter_map(|container| {
                let current = instances.iter().filter(|i| i.container == container.name).next_back()?;
                current.running().then(|| probe::Target {
                    uid: key.uid.clone(),
                    id: current.id.clone(),
                    container: container.clone(),
                    pod_ip: pod_ip.to_string(),
                    started_at: current.started_at(),
                    reference: container_ref(pod, Some(&container.name)),
                })
            })
            .collect();
        self.prober.sync_pod(&key.uid, targets, &self.runtime.docker, &self.recorder);
    }

    /// Kills a running container whose liveness or startup probe failed, as upstream's
    /// computePodActions; the restart policy then brings it back.
    async fn kill_unhealthy(
        &self,
        pod: &Pod,
        container: &Container,
        current: &Instance,
        policy: &str,
    ) -> Result<(), KubeletError> {
        let Some(kind) = self.prober.failed(&current.id) else { return Ok(()) };
        let restarts = policy != "Never";
        self.record(pod, Some(&container.name), events::killing_unhealthy(&container.name, kind.title(), restarts));
        let grace = kind
            .of(container)
            .and_then(|p| p.termination_grace_period_seconds)
            .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
            .unwrap_or(30);
        self.stop_container(Some(pod), current, grace).await
    }

    /// An exited container that the policy restarts: now, or after its back-off.
    async fn restart(
        &self,
        pod: &Pod,
        container: &Container,
        sandbox: &Instance,
        current: &Instance,
        mine: &[&Instance],
        state: &mut PodState,
    ) -> Result<Option<Waiting>, KubeletError> {
        let key = pod_key(pod);
        let backoff_key = format!("{}/{}", key.uid, container.name);
        let finished = current.finished_at().unwrap_or_else(Utc::now);
        let since = Instant::now() - (Utc::now() - finished).to_std().unwrap_or(Duration::ZERO);
        let delay = {
            let backoff = self.backoff.lock();
            backoff.in_backoff_since(&backoff_key, since, Instant::now()).then(|| backoff.delay(&backoff_key)).flatten()
        };
        if let Some(delay) = delay {
            let event = events::restart_back_off(&container.name, &key.name, &key.namespace, &key.uid);
            self.record_once(state, pod, &container.name, &current.id, event);
            let message = events::crash_loop_message(delay, &container.name, &key.name, &key.namespace, &key.uid);
            return Ok(Some(Waiting { reason: "CrashLoopBackOff".into(), message }));
        }
        self.backoff.lock().next(&backoff_key, since);
        // Only the newest dead instance is kept (for `logs --previous`).
        for old in mine.iter().filter(|i| i.attempt < current.attempt) {
            self.runtime.remove(&old.id).await?;
        }
        Ok(self.start_container(pod, container, sandbox, current.attempt + 1, state).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_or_untagged_images_are_always_pulled() {
        let container = |image: &str| Container { name: "c".into(), image: Some(image.into()), ..Default::default() };
        assert_eq!(pull_policy(&container("busybox")), "Always");
        assert_eq!(pull_policy(&container("busybox:latest")), "Always");
        assert_eq!(pull_policy(&container("kctl-test/busybox:1")), "IfNotPresent");
        assert_eq!(pull_policy(&container("localhost:5000/app")), "Always");
    }
}
