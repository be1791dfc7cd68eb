//! What a hollow kubelet records about a pod, in the 1.32 kubelet's words
//! (`pkg/kubelet/images`, `kuberuntime`): `Pulled`, `Created`, `Started` when it runs (hollow
//! images are always "present"), `Pulling`, `Failed`, `BackOff` when its image "does not
//! exist", `Killing` when it is deleted. Each is about one container (fieldPath
//! `spec.containers{NAME}`), from source `kubelet` on the pod's node.
//!
//! Off the pod-status path: events wait in a bounded queue (upstream's broadcaster keeps
//! 1,000) and are written at the kubelet's default rate (eventRecordQPS 50, burst 100),
//! here shared by every hollow node of the process; when the queue is full they are
//! dropped, as upstream's broadcaster drops them. So 10,000 pods starting at once cost a
//! few hundred event writes, not 30,000.

use std::time::Instant;

use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use kube::Client;
use tokio::sync::mpsc;

use super::status::{self, PullFailure};
use crate::kubelet::events::{self as words, KubeletEvent};
use crate::machinery::record::bucket::TokenBucket;
use crate::machinery::record::{reference_to, EventWriter};

pub const COMPONENT: &str = "kubelet";
/// Pods' worth of events waiting to be written.
const QUEUE: usize = 1000;
const QPS: f64 = 50.0;
const BURST: f64 = 100.0;

/// One event about one container of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEvent {
    pub container: String,
    pub warning: bool,
    pub reason: &'static str,
    pub message: String,
}

impl ContainerEvent {
    fn of(container: &str, event: KubeletEvent) -> ContainerEvent {
        let KubeletEvent { warning, reason, message } = event;
        ContainerEvent { container: container.to_string(), warning, reason, message }
    }
}

fn containers(pod: &Pod) -> impl Iterator<Item = (&str, &str)> {
    pod.spec.iter().flat_map(|s| &s.containers).map(|c| (c.name.as_str(), c.image.as_deref().unwrap_or_default()))
}

/// Every container started: its image was present, it was created, it started.
pub fn started(pod: &Pod) -> Vec<ContainerEvent> {
    containers(pod)
        .flat_map(|(name, image)| {
            [words::already_present(image), words::created(name), words::started(name)]
                .map(|event| ContainerEvent::of(name, event))
        })
        .collect()
}

/// The containers whose image cannot be pulled, at this point of the pull cycle.
pub fn pull_failed(pod: &Pod, failing_images: &[String], failure: PullFailure) -> Vec<ContainerEvent> {
    let failing: Vec<String> = failing_images.iter().map(|i| status::normalize_image(i)).collect();
    containers(pod)
        .filter(|(_, image)| failing.contains(&status::normalize_image(image)))
        .flat_map(|(name, image)| {
            let events = match failure {
                PullFailure::ErrImagePull => vec![
                    words::pulling(image),
                    KubeletEvent { warning: true, reason: "Failed", message: status::pull_error(image) },
                    words::failed("ErrImagePull"),
                ],
                PullFailure::ImagePullBackOff => vec![words::pull_back_off(image), words::failed("ImagePullBackOff")],
            };
            events.into_iter().map(move |event| ContainerEvent::of(name, event))
        })
        .collect()
}

/// The containers that run, stopped because the pod is deleted.
pub fn killing(pod: &Pod) -> Vec<ContainerEvent> {
    let running = pod.status.iter().flat_map(|s| s.container_statuses.iter().flatten());
    running
        .filter(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .map(|c| ContainerEvent::of(&c.name, words::killing(&c.name)))
        .collect()
}

/// The pod's events, from one node, written in order.
struct Batch {
    pod: ObjectReference,
    node: String,
    events: Vec<ContainerEvent>,
}

/// Hands events to the writer without waiting for it.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::Sender<Batch>,
}

impl Recorder {
    /// Starts the writer; it stops when every Recorder is dropped.
    pub fn start(client: Client) -> Recorder {
        let (queue, batches) = mpsc::channel(QUEUE);
        tokio::spawn(write_all(EventWriter::new(client, COMPONENT), batches));
        Recorder { queue }
    }

    pub fn record(&self, pod: &Pod, node: &str, events: Vec<ContainerEvent>) {
        if events.is_empty() {
            return;
        }
        let meta = &pod.metadata;
        let mut reference = reference_to(
            "v1",
            "Pod",
            Some(meta.namespace.as_deref().unwrap_or("default")),
            meta.name.as_deref().unwrap_or_default(),
            meta.uid.as_deref(),
        );
        reference.resource_version = meta.resource_version.clone();
        let batch = Batch { pod: reference, node: node.to_string(), events };
        if self.queue.try_send(batch).is_err() {
            tracing::debug!("kubelet events dropped: queue full");
        }
    }
}

async fn write_all(recorder: EventWriter, mut batches: mpsc::Receiver<Batch>) {
    let mut bucket = TokenBucket::new(BURST, QPS, Instant::now());
    while let Some(Batch { pod, node, events }) = batches.recv().await {
        let recorder = recorder.clone().on_host(&node);
        for event in events {
            let wait = bucket.take(Instant::now());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let object =
                ObjectReference { field_path: Some(format!("spec.containers{{{}}}", event.container)), ..pod.clone() };
            let type_ = if event.warning { "Warning" } else { "Normal" };
            recorder.record(&object, type_, event.reason, &event.message).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn pod(status: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"containers": [{"name": "app", "image": "nignx"}, {"name": "sidecar", "image": "busybox"}]},
            "status": status,
        }))
        .unwrap()
    }

    fn reasons(events: &[ContainerEvent]) -> Vec<(&str, &str, &str)> {
        events.iter().map(|e| (e.container.as_str(), e.reason, e.message.as_str())).collect()
    }

    #[test]
    fn a_started_pod_reports_each_container_in_upstream_words() {
        let events = started(&pod(json!({})));
        assert_eq!(
            reasons(&events)[..3],
            [
                ("app", "Pulled", "Container image \"nignx\" already present on machine"),
                ("app", "Created", "Created container: app"),
                ("app", "Started", "Started container app"),
            ]
        );
        assert_eq!(events.len(), 6);
        assert!(events.iter().all(|e| !e.warning));
    }

    #[test]
    fn only_containers_with_a_failing_image_report_the_pull() {
        let failing = vec!["nignx:latest".to_string()];
        let events = pull_failed(&pod(json!({})), &failing, PullFailure::ErrImagePull);
        let seen = reasons(&events);
        assert_eq!(seen[0], ("app", "Pulling", "Pulling image \"nignx\""));
        assert_eq!((seen[1].1, events[1].warning), ("Failed", true));
        assert!(seen[1].2.starts_with("Failed to pull image \"nignx\": "), "{}", seen[1].2);
        assert_eq!(seen[2], ("app", "Failed", "Error: ErrImagePull"));
        assert_eq!(events.len(), 3);
        let events = pull_failed(&pod(json!({})), &failing, PullFailure::ImagePullBackOff);
        assert_eq!(
            reasons(&events),
            [("app", "BackOff", "Back-off pulling image \"nignx\""), ("app", "Failed", "Error: ImagePullBackOff")]
        );
        assert_eq!(events.iter().map(|e| e.warning).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn only_running_containers_are_killed() {
        let status = json!({"containerStatuses": [
            {"name": "app", "image": "nignx", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ImagePullBackOff"}}},
            {"name": "sidecar", "image": "busybox", "imageID": "", "ready": true, "restartCount": 0,
             "state": {"running": {}}},
        ]});
        assert_eq!(reasons(&killing(&pod(status))), [("sidecar", "Killing", "Stopping container sidecar")]);
        assert!(killing(&pod(json!({}))).is_empty());
    }

    #[test]
    fn the_bucket_allows_a_burst_then_paces() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(BURST, QPS, start);
        for _ in 0..100 {
            assert_eq!(bucket.take(start), Duration::ZERO);
        }
        let wait = bucket.take(start);
        assert!(wait > Duration::from_millis(15) && wait <= Duration::from_millis(20), "{wait:?}");
        // A second later, 50 more may go at once.
        let later = start + Duration::from_secs(1);
        assert!((0..49).all(|_| bucket.take(later).is_zero()));
    }
}
