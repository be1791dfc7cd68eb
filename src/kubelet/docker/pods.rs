//! The pods bound to this node: one watch, one worker per pod (upstream's pod workers)
//! that syncs on every change and every second, and housekeeping that removes the
//! containers of pods that no longer exist (deleted while the kubelet was away).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use tokio::sync::watch;

use super::sync::{pod_key, Outcome, PodState};
use super::Kubelet;

/// How often a worker syncs its pod without news (containers exit on their own).
pub const RESYNC: Duration = Duration::from_secs(1);
/// How often containers of vanished pods are looked for.
const HOUSEKEEPING: Duration = Duration::from_secs(10);

/// Syncs one pod until it is gone; the pod's newest version arrives through `pods`.
async fn work(kubelet: Arc<Kubelet>, mut pods: watch::Receiver<Pod>) {
    let mut state = PodState::default();
    loop {
        let pod = pods.borrow_and_update().clone();
        match kubelet.sync(&pod, &mut state).await {
            Ok(Outcome::Gone) => return,
            Ok(Outcome::Again) => {}
            Err(err) => tracing::warn!(%err, pod = ?pod.metadata.name, "pod sync failed; retrying"),
        }
        tokio::select! {
            changed = pods.changed() => if changed.is_err() {
                // The node shuts down: its pods are stopped, not removed.
                if kubelet.shutting_down.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                // The pod was removed from the API without us: remove its containers.
                let uid = pod_key(&pod).uid;
                if let Err(err) = kubelet.kill_pod(None, &uid, 0).await {
                    tracing::warn!(%err, %uid, "could not remove the containers of a deleted pod");
                }
                return;
            },
            _ = tokio::time::sleep(RESYNC) => {}
        }
    }
}

struct Workers {
    kubelet: Arc<Kubelet>,
    by_uid: HashMap<String, watch::Sender<Pod>>,
    listing: Option<HashSet<String>>,
    /// The uids of the last complete listing (housekeeping keeps their containers).
    known: Option<HashSet<String>>,
}

impl Workers {
    fn apply(&mut self, pod: Pod) {
        let Some(uid) = pod.metadata.uid.clone() else { return };
        let key = pod_key(&pod);
        self.kubelet.pods.write().insert((key.namespace, key.name), pod.clone());
        if let Some(seen) = &mut self.listing {
            seen.insert(uid.clone());
        }
        if let Some(known) = &mut self.known {
            known.insert(uid.clone());
        }
        match self.by_uid.get(&uid) {
            Some(sender) if !sender.is_closed() => {
                let _ = sender.send(pod);
            }
            Some(_) => {}
            None => {
                let (sender, receiver) = watch::channel(pod);
                tokio::spawn(work(self.kubelet.clone(), receiver));
                self.by_uid.insert(uid, sender);
            }
        }
    }

    fn forget(&mut self, pod: &Pod) {
        let key = pod_key(pod);
        let mut pods = self.kubelet.pods.write();
        if pods.get(&(key.namespace.clone(), key.name.clone())).and_then(|p| p.metadata.uid.as_deref())
            == Some(&key.uid)
        {
            pods.remove(&(key.namespace, key.name));
        }
        // Dropping the sender tells the worker the pod is gone.
        self.by_uid.remove(&key.uid);
        if let Some(known) = &mut self.known {
            known.remove(&key.uid);
        }
    }

    fn event(&mut self, event: Event<Pod>) {
        match event {
            Event::Init => self.listing = Some(HashSet::new()),
            Event::InitApply(pod) | Event::Apply(pod) => self.apply(pod),
            Event::Delete(pod) => self.forget(&pod),
            Event::InitDone => {
                let Some(seen) = self.listing.take() else { return };
                let gone: Vec<String> = self.by_uid.keys().filter(|uid| !seen.contains(*uid)).cloned().collect();
                for uid in gone {
                    self.by_uid.remove(&uid);
                }
                self.kubelet.pods.write().retain(|_, pod| pod.metadata.uid.as_ref().is_some_and(|u| seen.contains(u)));
                self.known = Some(seen);
            }
        }
    }
}

/// Removes the containers of pods that the API no longer has.
async fn housekeep(kubelet: &Kubelet, known: &HashSet<String>) {
    let uids = match kubelet.runtime.pod_uids().await {
        Ok(uids) => uids,
        Err(err) => return tracing::warn!(%err, "housekeeping: could not list containers"),
    };
    for uid in uids.into_iter().filter(|uid| !known.contains(uid)) {
        if let Err(err) = kubelet.kill_pod(None, &uid, 0).await {
            tracing::warn!(%err, %uid, "housekeeping: could not remove an orphaned pod's containers");
        }
    }
}

pub async fn run(kubelet: Arc<Kubelet>) {
    let pods: Api<Pod> = Api::all(kubelet.client.clone());
    let config = watcher::Config::default().fields(&format!("spec.nodeName={}", kubelet.node));
    let mut events = std::pin::pin!(watcher::watcher(pods, config).default_backoff());
    let mut workers = Workers { kubelet: kubelet.clone(), by_uid: HashMap::new(), listing: None, known: None };
    let mut housekeeping = tokio::time::interval(HOUSEKEEPING);
    housekeeping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => workers.event(event),
                Some(Err(err)) => tracing::warn!(%err, "docker node: pod watch failed; retrying"),
                None => return,
            },
            _ = housekeeping.tick() => {
                if let Some(known) = workers.known.clone() {
                    housekeep(&kubelet, &known).await;
                }
            }
        }
    }
}
