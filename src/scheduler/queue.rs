//! The scheduling queue: pods waiting for a decision (active, first in first out) and
//! pods nothing fit (retried after a bounded backoff, sooner when the cluster changed).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::info::PodInfo;

pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In `active`, waiting for its turn.
    Active,
    /// Popped: the scheduler is deciding about it right now.
    Deciding,
    /// Nothing fit (or binding failed): waits for a retry.
    Waiting,
}

#[derive(Debug)]
struct Entry {
    pod: Arc<PodInfo>,
    state: State,
    attempts: u32,
    last_attempt: Option<Instant>,
    /// The last FailedScheduling message, to write the pod's condition only on change.
    last_message: Option<String>,
}

#[derive(Debug, Default)]
pub struct Queue {
    active: VecDeque<String>,
    entries: HashMap<String, Entry>,
    last_cluster_change: Option<Instant>,
}

/// Backoff after `attempts` failures: 1s, 2s, 4s … capped.
pub fn backoff(attempts: u32) -> Duration {
    INITIAL_BACKOFF.saturating_mul(1u32 << attempts.saturating_sub(1).min(16)).min(MAX_BACKOFF)
}

impl Queue {
    /// Adds a pod, or refreshes the spec of one already queued.
    pub fn add(&mut self, pod: Arc<PodInfo>) {
        match self.entries.get_mut(&pod.uid) {
            Some(entry) => entry.pod = pod,
            None => {
                self.active.push_back(pod.uid.clone());
                let entry = Entry { pod, state: State::Active, attempts: 0, last_attempt: None, last_message: None };
                self.entries.insert(entry.pod.uid.clone(), entry);
            }
        }
    }

    /// Forgets a pod (deleted, bound, or no longer ours).
    pub fn remove(&mut self, uid: &str) {
        // The uid may stay in `active`; `pop` skips uids that are not Active.
        self.entries.remove(uid);
    }

    pub fn contains(&self, uid: &str) -> bool {
        self.entries.contains_key(uid)
    }

    pub fn uids(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn has_active(&self) -> bool {
        !self.active.is_empty()
    }

    /// The next pod to decide about; it stays known (Deciding) until `remove`,
    /// `unschedulable` or `retry_later`.
    pub fn pop(&mut self) -> Option<Arc<PodInfo>> {
        while let Some(uid) = self.active.pop_front() {
            if let Some(entry) = self.entries.get_mut(&uid).filter(|e| e.state == State::Active) {
                entry.state = State::Deciding;
                return Some(entry.pod.clone());
            }
        }
        None
    }

    /// Nothing fit: the pod waits. Returns whether `message` differs from the last one
    /// (a new FailedScheduling condition is worth writing).
    pub fn unschedulable(&mut self, uid: &str, message: &str, now: Instant) -> bool {
        let Some(entry) = self.entries.get_mut(uid) else { return false };
        let changed = entry.last_message.as_deref() != Some(message);
        entry.last_message = Some(message.to_string());
        entry.state = State::Waiting;
        entry.attempts += 1;
        entry.last_attempt = Some(now);
        changed
    }

    /// A binding failed: try the pod again after its backoff.
    pub fn retry_later(&mut self, pod: Arc<PodInfo>, now: Instant) {
        let entry = self.entries.entry(pod.uid.clone()).or_insert(Entry {
            pod,
            state: State::Waiting,
            attempts: 0,
            last_attempt: None,
            last_message: None,
        });
        entry.state = State::Waiting;
        entry.attempts += 1;
        entry.last_attempt = Some(now);
    }

    /// How many times the pod has failed so far.
    pub fn attempts(&self, uid: &str) -> u32 {
        self.entries.get(uid).map_or(0, |e| e.attempts)
    }

    /// A node appeared or changed, or a pod went away: pods that failed may fit now.
    pub fn cluster_changed(&mut self, now: Instant) {
        self.last_cluster_change = Some(now);
    }

    /// Moves waiting pods whose backoff ran out, or that failed before the last cluster
    /// change (after the initial backoff, so a burst of changes is not a busy loop).
    pub fn flush(&mut self, now: Instant) {
        let changed = self.last_cluster_change;
        for (uid, entry) in self.entries.iter_mut().filter(|(_, e)| e.state == State::Waiting) {
            let Some(last) = entry.last_attempt else { continue };
            let expired = now >= last + backoff(entry.attempts);
            let retry_for_change = changed.is_some_and(|c| c >= last) && now >= last + INITIAL_BACKOFF;
            if expired || retry_for_change {
                entry.state = State::Active;
                self.active.push_back(uid.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(uid: &str) -> Arc<PodInfo> {
        Arc::new(PodInfo { uid: uid.into(), ..Default::default() })
    }

    #[test]
    fn pods_come_out_in_arrival_order_once() {
        let mut queue = Queue::default();
        queue.add(pod("a"));
        queue.add(pod("b"));
        queue.add(pod("a"));
        assert_eq!(queue.pop().unwrap().uid, "a");
        assert_eq!(queue.pop().unwrap().uid, "b");
        assert!(queue.pop().is_none());
        queue.add(pod("a"));
        assert!(queue.pop().is_none(), "a pod being decided about is not queued twice");
    }

    #[test]
    fn removed_pods_are_skipped() {
        let mut queue = Queue::default();
        queue.add(pod("a"));
        queue.remove("a");
        assert!(queue.pop().is_none());
    }

    #[test]
    fn unschedulable_pods_wait_for_their_backoff() {
        let mut queue = Queue::default();
        let start = Instant::now();
        queue.add(pod("a"));
        queue.pop();
        for _ in 0..3 {
            queue.unschedulable("a", "no", start);
        }
        queue.flush(start + Duration::from_secs(1));
        assert!(queue.pop().is_none());
        queue.flush(start + backoff(3));
        assert_eq!(queue.pop().unwrap().uid, "a");
    }

    #[test]
    fn cluster_changes_retry_after_the_initial_backoff() {
        let mut queue = Queue::default();
        let start = Instant::now();
        queue.add(pod("a"));
        queue.pop();
        queue.unschedulable("a", "no", start);
        queue.unschedulable("a", "no", start);
        queue.cluster_changed(start + Duration::from_millis(10));
        queue.flush(start + Duration::from_millis(500));
        assert!(queue.pop().is_none(), "not before the initial backoff");
        queue.flush(start + INITIAL_BACKOFF);
        assert_eq!(queue.pop().unwrap().uid, "a");
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn a_repeated_message_is_not_new() {
        let mut queue = Queue::default();
        let now = Instant::now();
        queue.add(pod("a"));
        queue.pop();
        assert!(queue.unschedulable("a", "m", now));
        queue.flush(now + backoff(1));
        assert_eq!(queue.pop().unwrap().uid, "a");
        assert!(!queue.unschedulable("a", "m", now));
        assert_eq!(queue.attempts("a"), 2);
    }
}
