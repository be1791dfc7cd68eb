//! The pod status a hollow kubelet reports: Running and Ready with fake container ids,
//! or stuck pulling an image that "does not exist".

use std::net::Ipv4Addr;

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Where a failing pod is in upstream's pull cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullFailure {
    ErrImagePull,
    ImagePullBackOff,
}

impl PullFailure {
    pub fn reason(self) -> &'static str {
        match self {
            PullFailure::ErrImagePull => "ErrImagePull",
            PullFailure::ImagePullBackOff => "ImagePullBackOff",
        }
    }
}

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn hex_digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `nginx` → `docker.io/library/nginx:latest`, so `nignx` and `nignx:latest` match.
pub fn normalize_image(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let tagged = if last.contains(':') || last.contains('@') { image.to_string() } else { format!("{image}:latest") };
    let first = tagged.split('/').next().unwrap_or_default();
    let has_registry = tagged.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    match (has_registry, tagged.contains('/')) {
        (true, _) => tagged,
        (false, true) => format!("docker.io/{tagged}"),
        (false, false) => format!("docker.io/library/{tagged}"),
    }
}

/// The first image of the pod the hollow nodes cannot pull.
pub fn failing_image<'a>(pod: &'a Pod, failing: &[String]) -> Option<&'a str> {
    let failing: Vec<String> = failing.iter().map(|i| normalize_image(i)).collect();
    let spec = pod.spec.as_ref()?;
    spec.init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .filter_map(|c| c.image.as_deref())
        .find(|image| failing.contains(&normalize_image(image)))
}

fn container_names(pod: &Pod) -> Vec<(String, String)> {
    pod.spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| (c.name.clone(), c.image.clone().unwrap_or_default())).collect())
        .unwrap_or_default()
}

fn condition(type_: &str, status: bool, now: DateTime<Utc>, not_ready: Option<&str>) -> Value {
    let mut condition = json!({"type": type_, "status": if status { "True" } else { "False" },
        "lastProbeTime": null, "lastTransitionTime": timestamp(now)});
    if let Some(message) = not_ready {
        condition["reason"] = json!("ContainersNotReady");
        condition["message"] = json!(message);
    }
    condition
}

fn ips(pod_ip: Option<Ipv4Addr>, host_ip: Ipv4Addr) -> Value {
    let mut status = json!({"hostIP": host_ip.to_string(), "hostIPs": [{"ip": host_ip.to_string()}]});
    if let Some(ip) = pod_ip {
        status["podIP"] = json!(ip.to_string());
        status["podIPs"] = json!([{"ip": ip.to_string()}]);
    }
    status
}

/// `{"status": status}`, the status moved in (`json!` would copy it).
fn status_patch(status: Value) -> Value {
    Value::Object(serde_json::Map::from_iter([("status".to_string(), status)]))
}

/// Every container running and ready.
pub fn running(pod: &Pod, pod_ip: Ipv4Addr, host_ip: Ipv4Addr, now: DateTime<Utc>) -> Value {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let containers: Vec<Value> = container_names(pod)
        .into_iter()
        .map(|(name, image)| {
            let normalized = normalize_image(&image);
            let repository = normalized.rsplit_once([':', '@']).map_or(normalized.as_str(), |(r, _)| r).to_string();
            json!({
                "name": name,
                "image": image,
                "imageID": format!("{repository}@sha256:{}", hex_digest(&normalized)),
                "containerID": format!("containerd://{}", hex_digest(&format!("{uid}/{name}"))),
                "ready": true,
                "started": true,
                "restartCount": 0,
                "state": {"running": {"startedAt": timestamp(now)}},
                "lastState": {},
            })
        })
        .collect();
    let mut status = ips(Some(pod_ip), host_ip);
    status["phase"] = json!("Running");
    status["startTime"] = json!(timestamp(now));
    status["conditions"] = Value::Array(vec![
        condition("PodReadyToStartContainers", true, now, None),
        condition("Initialized", true, now, None),
        condition("Ready", true, now, None),
        condition("ContainersReady", true, now, None),
        condition("PodScheduled", true, now, None),
    ]);
    status["containerStatuses"] = Value::Array(containers);
    status_patch(status)
}

/// What a failed pull says, in the status and in the kubelet's `Failed` event: containerd's
/// answer for an image that does not exist.
pub fn pull_error(image: &str) -> String {
    let normalized = normalize_image(image);
    format!(
        "Failed to pull image \"{image}\": failed to pull and unpack image \"{normalized}\": failed to resolve \
         reference \"{normalized}\": pull access denied, repository does not exist or may require authorization: \
         server message: insufficient_scope: authorization failed"
    )
}

/// Pending: the containers wait for an image that cannot be pulled.
pub fn pull_failed(
    pod: &Pod,
    image: &str,
    failure: PullFailure,
    pod_ip: Ipv4Addr,
    host_ip: Ipv4Addr,
    now: DateTime<Utc>,
) -> Value {
    let names = container_names(pod);
    let message = match failure {
        PullFailure::ErrImagePull => pull_error(image),
        PullFailure::ImagePullBackOff => crate::kubelet::events::pull_back_off_message(image),
    };
    let not_ready = format!(
        "containers with unready status: [{}]",
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" ")
    );
    let containers: Vec<Value> = names
        .iter()
        .map(|(name, container_image)| {
            json!({
                "name": name,
                "image": container_image,
                "imageID": "",
                "ready": false,
                "started": false,
                "restartCount": 0,
                "state": {"waiting": {"reason": failure.reason(), "message": message}},
                "lastState": {},
            })
        })
        .collect();
    let mut status = ips(Some(pod_ip), host_ip);
    status["phase"] = json!("Pending");
    status["startTime"] = json!(timestamp(now));
    status["conditions"] = Value::Array(vec![
        condition("PodReadyToStartContainers", true, now, None),
        condition("Initialized", true, now, None),
        condition("Ready", false, now, Some(&not_ready)),
        condition("ContainersReady", false, now, Some(&not_ready)),
        condition("PodScheduled", true, now, None),
    ]);
    status["containerStatuses"] = Value::Array(containers);
    status_patch(status)
}

/// What the pod's status already says, so a restarted agent does not repeat itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Nothing,
    Running,
    Pulling(PullFailure),
}

pub fn reported(pod: &Pod) -> Reported {
    let Some(status) = pod.status.as_ref() else { return Reported::Nothing };
    if status.phase.as_deref() == Some("Running") && status.pod_ip.is_some() {
        return Reported::Running;
    }
    let waiting = status
        .container_statuses
        .iter()
        .flatten()
        .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.as_deref())
        .next();
    match waiting {
        Some("ErrImagePull") => Reported::Pulling(PullFailure::ErrImagePull),
        Some("ImagePullBackOff") => Reported::Pulling(PullFailure::ImagePullBackOff),
        _ => Reported::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(image: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"containers": [{"name": "app", "image": image}]},
        }))
        .unwrap()
    }

    fn apply(mut pod: Pod, patch: Value) -> Pod {
        pod.status = Some(serde_json::from_value(patch["status"].clone()).expect("a typed PodStatus"));
        pod
    }

    #[test]
    fn images_match_with_or_without_tag_and_registry() {
        assert_eq!(normalize_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalize_image("nignx:latest"), "docker.io/library/nignx:latest");
        assert_eq!(normalize_image("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(normalize_image("registry.k8s.io/pause:3.9"), "registry.k8s.io/pause:3.9");
        assert_eq!(normalize_image("localhost:5000/app"), "localhost:5000/app:latest");
        let failing = vec!["nignx:latest".to_string()];
        assert_eq!(failing_image(&pod("nignx"), &failing), Some("nignx"));
        assert_eq!(
            failing_image(&pod("docker.io/library/nignx:latest"), &failing),
            Some("docker.io/library/nignx:latest")
        );
        assert_eq!(failing_image(&pod("nginx"), &failing), None);
    }

    #[test]
    fn running_status_is_ready_with_fake_ids() {
        let host = Ipv4Addr::new(10, 244, 0, 1);
        let patch = running(&pod("nginx"), Ipv4Addr::new(10, 64, 0, 1), host, Utc::now());
        let pod = apply(pod("nginx"), patch);
        let status = pod.status.as_ref().unwrap();
        assert_eq!(status.phase.as_deref(), Some("Running"));
        assert_eq!(status.pod_ip.as_deref(), Some("10.64.0.1"));
        assert_eq!(status.host_ip.as_deref(), Some("10.244.0.1"));
        let ready = status.conditions.as_ref().unwrap().iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.status, "True");
        let container = &status.container_statuses.as_ref().unwrap()[0];
        assert!(container.ready && container.started == Some(true));
        assert!(container.container_id.as_deref().unwrap().starts_with("containerd://"));
        assert!(container.image_id.starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(reported(&pod), Reported::Running);
    }

    #[test]
    fn failed_pulls_wait_with_upstream_reasons() {
        let ips = (Ipv4Addr::new(10, 64, 0, 2), Ipv4Addr::new(10, 244, 0, 1));
        let patch = pull_failed(&pod("nignx"), "nignx", PullFailure::ErrImagePull, ips.0, ips.1, Utc::now());
        let failing = apply(pod("nignx"), patch);
        let status = failing.status.as_ref().unwrap();
        assert_eq!(status.phase.as_deref(), Some("Pending"));
        let waiting = status.container_statuses.as_ref().unwrap()[0].state.as_ref().unwrap().waiting.clone().unwrap();
        assert_eq!(waiting.reason.as_deref(), Some("ErrImagePull"));
        assert!(waiting.message.unwrap().starts_with("Failed to pull image \"nignx\": "));
        assert_eq!(reported(&failing), Reported::Pulling(PullFailure::ErrImagePull));
        let patch = pull_failed(&pod("nignx"), "nignx", PullFailure::ImagePullBackOff, ips.0, ips.1, Utc::now());
        assert_eq!(reported(&apply(pod("nignx"), patch)), Reported::Pulling(PullFailure::ImagePullBackOff));
        assert_eq!(reported(&pod("nignx")), Reported::Nothing);
    }
}
