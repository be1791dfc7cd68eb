//! The hollow kubelet's pod work for every hollow node at once: one watch on pods that
//! have a node, status writes (`pods/status`) with bounded concurrency, and removal of
//! gracefully deleted pods (what a kubelet does once their containers stopped). Each
//! write done is told in the kubelet's events (see `events`), off this path.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Client;
use serde_json::Value;
use tokio::sync::{mpsc, Semaphore};

use super::events::{self, Recorder};
use super::exit;
use super::status::{self, PullFailure, Reported};
use super::{offset_ip, HollowNode};
use crate::client::watched_pod::{into_pod_event, WatchedPod};
use crate::kubelet::ApiCallError;

/// Status writes and deletions in flight at once.
const CONCURRENCY: usize = 64;
/// How long ErrImagePull shows before ImagePullBackOff.
pub const BACKOFF_AFTER: Duration = Duration::from_secs(2);
const ATTEMPTS: u32 = 5;

/// What this agent has written (or is writing) for a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    InFlight,
    Running,
    Finished,
    Pulling(PullFailure),
    Deleting,
}

/// The next thing to do for a pod, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Run,
    /// The containers exited with this code (see `exit`).
    Finish(i32),
    Pull(PullFailure),
    Delete,
}

/// Decides from the pod and what we wrote before (the watch may lag behind our writes).
fn next_action(pod: &Pod, written: Option<Written>, failing: bool, exit_code: Option<i32>) -> Option<Action> {
    if pod.metadata.deletion_timestamp.is_some() {
        return (written != Some(Written::Deleting)).then_some(Action::Delete);
    }
    if matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")) {
        return None;
    }
    if matches!(written, Some(Written::InFlight | Written::Deleting | Written::Finished)) {
        return None;
    }
    let reported = status::reported(pod);
    if !failing {
        let running = reported == Reported::Running || written == Some(Written::Running);
        return match (running, exit_code) {
            (false, _) => Some(Action::Run),
            (true, Some(code)) => Some(Action::Finish(code)),
            (true, None) => None,
        };
    }
    let backing_off = Reported::Pulling(PullFailure::ImagePullBackOff);
    if reported == backing_off || written == Some(Written::Pulling(PullFailure::ImagePullBackOff)) {
        return None;
    }
    if reported == Reported::Pulling(PullFailure::ErrImagePull)
        || written == Some(Written::Pulling(PullFailure::ErrImagePull))
    {
        return Some(Action::Pull(PullFailure::ImagePullBackOff));
    }
    Some(Action::Pull(PullFailure::ErrImagePull))
}

struct Done {
    uid: String,
    written: Option<Written>,
}

struct Agent {
    client: Client,
    nodes: Arc<HashMap<String, HollowNode>>,
    failing_images: Arc<Vec<String>>,
    written: HashMap<String, Written>,
    listing: Option<HashSet<String>>,
    work: Arc<Semaphore>,
    done: mpsc::UnboundedSender<Done>,
    next_ip: Arc<AtomicU32>,
    events: Recorder,
}

/// Runs the pod side of every hollow node until the task is dropped.
pub async fn run(client: Client, nodes: Arc<HashMap<String, HollowNode>>, failing_images: Arc<Vec<String>>) {
    let pods: Api<WatchedPod> = Api::all(client.clone());
    // One watch for all nodes: pods that have one (hollow or not; others are skipped).
    let config = watcher::Config::default().fields("spec.nodeName!=");
    let mut events = std::pin::pin!(watcher::watcher(pods, config).default_backoff().map_ok(into_pod_event));
    let (done, mut finished) = mpsc::unbounded_channel();
    let mut agent = Agent {
        client: client.clone(),
        nodes,
        failing_images,
        written: HashMap::new(),
        listing: None,
        work: Arc::new(Semaphore::new(CONCURRENCY)),
        done,
        next_ip: Arc::new(AtomicU32::new(1)),
        events: Recorder::start(client.clone()),
    };
    loop {
        tokio::select! {
            biased;
            Some(Done { uid, written }) = finished.recv() => match written {
                Some(written) => { agent.written.insert(uid, written); }
                None => { agent.written.remove(&uid); }
            },
            Some(event) = events.next() => match event {
                Ok(event) => agent.event(event),
                Err(err) => tracing::warn!(%err, "hollow nodes: pod watch failed; retrying"),
            },
            else => return,
        }
    }
}

impl Agent {
    fn event(&mut self, event: Event<Pod>) {
        match event {
            Event::Init => self.listing = Some(HashSet::new()),
            Event::InitApply(pod) | Event::Apply(pod) => {
                if let (Some(seen), Some(uid)) = (&mut self.listing, &pod.metadata.uid) {
                    seen.insert(uid.clone());
                }
                self.pod(pod);
            }
            Event::Delete(pod) => {
                let Some(uid) = &pod.metadata.uid else { return };
                // Deleted at once (no finalizer waited for us): its containers are stopped
                // now, as a kubelet stops those of a force-deleted pod.
                if self.written.remove(uid) != Some(Written::Deleting) {
                    let node =
                        pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).filter(|n| self.nodes.contains_key(*n));
                    if let Some(node) = node {
                        self.events.record(&pod, node, events::killing(&pod));
                    }
                }
            }
            Event::InitDone => {
                if let Some(seen) = self.listing.take() {
                    self.written.retain(|uid, _| seen.contains(uid));
                }
            }
        }
    }

    fn pod(&mut self, pod: Pod) {
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).and_then(|n| self.nodes.get(n)) else {
            return;
        };
        let Some(uid) = pod.metadata.uid.clone() else { return };
        let failing = status::failing_image(&pod, &self.failing_images).map(str::to_string);
        let exit_code = exit::exit_code(&pod);
        let Some(action) = next_action(&pod, self.written.get(&uid).copied(), failing.is_some(), exit_code) else {
            return;
        };
        self.written.insert(uid.clone(), if action == Action::Delete { Written::Deleting } else { Written::InFlight });
        let (client, done, work, host_ip) = (self.client.clone(), self.done.clone(), self.work.clone(), node.ip);
        let (recorder, node_name, failing_images) =
            (self.events.clone(), node.name.clone(), self.failing_images.clone());
        let pod_ip = existing_pod_ip(&pod)
            .unwrap_or_else(|| offset_ip([10, 64, 0, 0], self.next_ip.fetch_add(1, Ordering::Relaxed)));
        tokio::spawn(async move {
            let mut outcome = (Ok(()), action);
            for step in steps(action, exit_code) {
                if step == Action::Pull(PullFailure::ImagePullBackOff) {
                    tokio::time::sleep(BACKOFF_AFTER).await;
                }
                // Waiting tasks are cheap; the permit bounds the requests in flight.
                let Ok(permit) = work.clone().acquire_owned().await else { return };
                outcome = (perform(&client, &pod, step, failing.as_deref(), pod_ip, host_ip).await, step);
                drop(permit);
                if outcome.0.is_err() {
                    break;
                }
                recorder.record(&pod, &node_name, step_events(&pod, step, &failing_images));
            }
            let written = match outcome {
                (Ok(()), Action::Run) => Some(Written::Running),
                (Ok(()), Action::Finish(_)) => Some(Written::Finished),
                (Ok(()), Action::Pull(failure)) => Some(Written::Pulling(failure)),
                (Ok(()), Action::Delete) => Some(Written::Deleting),
                // Forget it: the next event for the pod tries again.
                (Err(err), _) => {
                    tracing::warn!(%err, "hollow kubelet could not update a pod");
                    None
                }
            };
            let _ = done.send(Done { uid: pod.metadata.uid.clone().unwrap_or_default(), written });
        });
    }
}

/// The writes one action makes. A failed pull shows ErrImagePull, then backs off, and a
/// pod that exits runs, then finishes, in one task: events for the pod meanwhile see it
/// in flight and do not interleave (nor get lost while it is).
fn steps(action: Action, exit_code: Option<i32>) -> Vec<Action> {
    match (action, exit_code) {
        (Action::Run, Some(code)) => vec![Action::Run, Action::Finish(code)],
        (Action::Pull(PullFailure::ErrImagePull), _) => {
            vec![Action::Pull(PullFailure::ErrImagePull), Action::Pull(PullFailure::ImagePullBackOff)]
        }
        (other, _) => vec![other],
    }
}

/// What the kubelet tells about a step it took (a finished pod says nothing more).
fn step_events(pod: &Pod, step: Action, failing_images: &[String]) -> Vec<events::ContainerEvent> {
    match step {
        Action::Run => events::started(pod),
        Action::Pull(failure) => events::pull_failed(pod, failing_images, failure),
        Action::Delete => events::killing(pod),
        Action::Finish(_) => Vec::new(),
    }
}

fn existing_pod_ip(pod: &Pod) -> Option<Ipv4Addr> {
    pod.status.as_ref()?.pod_ip.as_deref()?.parse().ok()
}

/// Does one action, retrying transient failures a few times; a vanished pod is done.
async fn perform(
    client: &Client,
    pod: &Pod,
    action: Action,
    failing_image: Option<&str>,
    pod_ip: Ipv4Addr,
    host_ip: Ipv4Addr,
) -> Result<(), ApiCallError> {
    let (namespace, name) =
        (pod.metadata.namespace.as_deref().unwrap_or("default"), pod.metadata.name.as_deref().unwrap_or_default());
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut delay = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        let now = Utc::now();
        let result = match action {
            Action::Run => write_status(client, &pods, name, status::running(pod, pod_ip, host_ip, now)).await,
            Action::Finish(code) => write_status(client, &pods, name, exit::finished(pod, code, now)).await,
            Action::Pull(failure) => {
                let image = failing_image.unwrap_or_default();
                write_status(client, &pods, name, status::pull_failed(pod, image, failure, pod_ip, host_ip, now)).await
            }
            Action::Delete => {
                let params = DeleteParams {
                    grace_period_seconds: Some(0),
                    preconditions: Some(Preconditions { uid: pod.metadata.uid.clone(), resource_version: None }),
                    ..Default::default()
                };
                pods.delete(name, &params)
                    .await
                    .map(|_| ())
                    .map_err(ApiCallError::api(format!("deleting pod {namespace}/{name}")))
            }
        };
        match result {
            Ok(()) => return Ok(()),
            Err(err) if matches!(err.code(), Some(404 | 409)) => return Ok(()),
            Err(err) if attempt == ATTEMPTS => return Err(err),
            Err(_) => {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
    }
    Ok(())
}

/// The answer (the whole pod, encoded by the apiserver) is not decoded: nothing reads it.
async fn write_status(client: &Client, pods: &Api<Pod>, name: &str, patch: Value) -> Result<(), ApiCallError> {
    let failed = ApiCallError::api(format!("updating status of pod {name}"));
    let request = kube::core::Request::new(pods.resource_url()).patch_subresource(
        "status",
        name,
        &PatchParams::default(),
        &Patch::Merge(patch),
    );
    match request {
        Ok(request) => client.request_text(request).await.map(|_| ()).map_err(failed),
        Err(err) => Err(failed(kube::Error::BuildRequest(err))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(extra: Value) -> Pod {
        let mut object = json!({"metadata": {"name": "p", "uid": "u"}, "spec": {"nodeName": "hollow-node-1", "containers": [{"name": "a", "image": "nginx"}]}});
        if let (Some(target), Some(extra)) = (object.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                if let (Some(into), Some(from)) =
                    (target.get_mut(key).and_then(Value::as_object_mut), value.as_object())
                {
                    into.extend(from.clone());
                } else {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
        serde_json::from_value(object).unwrap()
    }

    #[test]
    fn a_new_pod_is_run_once() {
        let fresh = pod(json!({}));
        assert_eq!(next_action(&fresh, None, false, None), Some(Action::Run));
        assert_eq!(next_action(&fresh, Some(Written::InFlight), false, None), None);
        assert_eq!(next_action(&fresh, Some(Written::Running), false, None), None, "the watch lags behind our write");
        let running = pod(json!({"status": {"phase": "Running", "podIP": "10.64.0.1"}}));
        assert_eq!(next_action(&running, None, false, None), None);
    }

    #[test]
    fn a_pod_that_exits_finishes_after_running_once() {
        let fresh = pod(json!({}));
        assert_eq!(next_action(&fresh, None, false, Some(0)), Some(Action::Run));
        assert_eq!(next_action(&fresh, Some(Written::Running), false, Some(1)), Some(Action::Finish(1)));
        assert_eq!(next_action(&fresh, Some(Written::Finished), false, Some(1)), None);
        let done = pod(json!({"status": {"phase": "Succeeded"}}));
        assert_eq!(next_action(&done, None, false, Some(0)), None);
    }

    #[test]
    fn a_failing_pull_goes_to_backoff_and_stays() {
        let fresh = pod(json!({}));
        assert_eq!(next_action(&fresh, None, true, None), Some(Action::Pull(PullFailure::ErrImagePull)));
        assert_eq!(
            next_action(&fresh, Some(Written::Pulling(PullFailure::ErrImagePull)), true, None),
            Some(Action::Pull(PullFailure::ImagePullBackOff))
        );
        assert_eq!(next_action(&fresh, Some(Written::Pulling(PullFailure::ImagePullBackOff)), true, None), None);
    }

    #[test]
    fn a_failed_pull_backs_off_in_the_same_task() {
        assert_eq!(
            steps(Action::Pull(PullFailure::ErrImagePull), None),
            vec![Action::Pull(PullFailure::ErrImagePull), Action::Pull(PullFailure::ImagePullBackOff)]
        );
        assert_eq!(steps(Action::Run, None), vec![Action::Run]);
        assert_eq!(steps(Action::Run, Some(1)), vec![Action::Run, Action::Finish(1)]);
    }

    #[test]
    fn a_deleted_pod_is_removed_once() {
        let deleting = pod(json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}));
        assert_eq!(next_action(&deleting, Some(Written::Running), false, None), Some(Action::Delete));
        assert_eq!(next_action(&deleting, Some(Written::Deleting), false, None), None);
    }
}
