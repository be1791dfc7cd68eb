//! What the scheduler tells users: `Scheduled` / `FailedScheduling` events and the pod's
//! PodScheduled=False condition. Best effort and off the scheduling path: a bounded
//! queue written by a few concurrent requests; when it is full, notices are dropped
//! (as upstream's event broadcaster does under load).

use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};
use kube::Client;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::info::PodInfo;
use crate::machinery::record::{reference_to, EventWriter};

pub const COMPONENT: &str = "default-scheduler";
const QUEUE: usize = 4096;
const CONCURRENCY: usize = 16;

#[derive(Debug)]
pub enum Notice {
    Scheduled {
        pod: Arc<PodInfo>,
        node: String,
    },
    /// `new_message`: the reason changed, so the pod's condition is rewritten.
    Unschedulable {
        pod: Arc<PodInfo>,
        message: String,
        new_message: bool,
    },
}

#[derive(Clone)]
pub struct Reporter {
    notices: mpsc::Sender<Notice>,
}

pub fn scheduled_message(pod: &PodInfo, node: &str) -> String {
    format!("Successfully assigned {}/{} to {node}", pod.namespace, pod.name)
}

impl Reporter {
    pub fn start(client: Client) -> Reporter {
        let (notices, receiver) = mpsc::channel(QUEUE);
        let recorder = EventWriter::new(client.clone(), COMPONENT);
        tokio::spawn(ReceiverStream::new(receiver).for_each_concurrent(CONCURRENCY, move |notice| {
            let (client, recorder) = (client.clone(), recorder.clone());
            async move { write(&client, &recorder, notice).await }
        }));
        Reporter { notices }
    }

    pub fn send(&self, notice: Notice) {
        if self.notices.try_send(notice).is_err() {
            tracing::debug!("scheduler notice dropped: queue full");
        }
    }
}

async fn write(client: &Client, recorder: &EventWriter, notice: Notice) {
    match notice {
        Notice::Scheduled { pod, node } => {
            recorder.record(&reference(&pod), "Normal", "Scheduled", &scheduled_message(&pod, &node)).await;
        }
        Notice::Unschedulable { pod, message, new_message } => {
            recorder.record(&reference(&pod), "Warning", "FailedScheduling", &message).await;
            if new_message {
                let pods: Api<Pod> = Api::namespaced(client.clone(), &pod.namespace);
                let patch = json!({"status": {"conditions": [{
                    "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message,
                    "lastProbeTime": null, "lastTransitionTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }]}});
                if let Err(err) = pods.patch_status(&pod.name, &PatchParams::default(), &Patch::Merge(patch)).await {
                    tracing::debug!(%err, pod = %pod.name, "could not set PodScheduled=False");
                }
            }
        }
    }
}

fn reference(pod: &PodInfo) -> k8s_openapi::api::core::v1::ObjectReference {
    reference_to("v1", "Pod", Some(&pod.namespace), &pod.name, Some(&pod.uid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_message_names_pod_and_node() {
        let pod = PodInfo { namespace: "default".into(), name: "nginx".into(), ..Default::default() };
        assert_eq!(scheduled_message(&pod, "hollow-node-1"), "Successfully assigned default/nginx to hollow-node-1");
    }
}
