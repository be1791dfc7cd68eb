//! Upstream's "controller expectations": what a controller has asked the apiserver to do
//! (N pods created, these pods deleted) and not yet seen come back through its watch. Until
//! the watch catches up the controller does not act again on the owner, so a slow watch
//! never makes it create (or delete) twice.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How long an expectation may stay unmet before it is ignored (upstream: 5 minutes), for
/// events that a watch restart lost.
pub const EXPECTATIONS_TIMEOUT: Duration = Duration::from_secs(5 * 60);

#[derive(Debug)]
struct Expectation {
    /// Creations asked for and not yet observed.
    adds: i64,
    /// Uids of pods asked to be deleted and not yet observed gone.
    deletes: HashSet<String>,
    set_at: Instant,
}

/// Expectations of every owner of one controller, keyed by `namespace/name`.
#[derive(Debug, Default)]
pub struct Expectations {
    by_owner: Mutex<HashMap<String, Expectation>>,
}

impl Expectations {
    pub fn new() -> Expectations {
        Expectations::default()
    }

    /// Records that `count` creations are about to be requested for `key`.
    pub fn expect_creations(&self, key: &str, count: usize) {
        let mut map = self.by_owner.lock();
        let entry = map.entry(key.to_string()).or_insert_with(|| Expectation {
            adds: 0,
            deletes: HashSet::new(),
            set_at: Instant::now(),
        });
        entry.adds += count as i64;
        entry.set_at = Instant::now();
    }

    /// Records that the pods with these uids are about to be deleted for `key`.
    pub fn expect_deletions(&self, key: &str, uids: impl IntoIterator<Item = String>) {
        let mut map = self.by_owner.lock();
        let entry = map.entry(key.to_string()).or_insert_with(|| Expectation {
            adds: 0,
            deletes: HashSet::new(),
            set_at: Instant::now(),
        });
        entry.deletes.extend(uids);
        entry.set_at = Instant::now();
    }

    /// A pod owned by `key` appeared in the watch (or a creation request failed, so it
    /// never will).
    pub fn creation_observed(&self, key: &str) {
        if let Some(entry) = self.by_owner.lock().get_mut(key) {
            entry.adds -= 1;
        }
    }

    /// The pod with this uid was seen deleted (or its deletion failed). Any owner may have
    /// asked for it: the pod may have been released since.
    pub fn deletion_observed(&self, uid: &str) {
        for entry in self.by_owner.lock().values_mut() {
            entry.deletes.remove(uid);
        }
    }

    /// Whether the controller may act on `key`: nothing pending, or pending too long.
    /// `exists` tells whether a pod uid is still known; deletions of pods that are already
    /// gone count as observed (a watch restart does not replay deletions).
    pub fn satisfied(&self, key: &str, exists: impl Fn(&str) -> bool) -> bool {
        let mut map = self.by_owner.lock();
        let Some(entry) = map.get_mut(key) else { return true };
        entry.deletes.retain(|uid| exists(uid));
        let met = entry.adds <= 0 && entry.deletes.is_empty();
        if met || entry.set_at.elapsed() > EXPECTATIONS_TIMEOUT {
            map.remove(key);
            return true;
        }
        false
    }

    /// Forgets an owner (it was deleted).
    pub fn forget(&self, key: &str) {
        self.by_owner.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_owner_is_satisfied() {
        assert!(Expectations::new().satisfied("default/web", |_| true));
    }

    #[test]
    fn creations_must_all_be_observed() {
        let e = Expectations::new();
        e.expect_creations("default/web", 2);
        e.creation_observed("default/web");
        assert!(!e.satisfied("default/web", |_| true));
        e.creation_observed("default/web");
        assert!(e.satisfied("default/web", |_| true));
    }

    #[test]
    fn deletions_are_met_when_observed_or_gone() {
        let e = Expectations::new();
        e.expect_deletions("default/web", ["a".to_string(), "b".to_string()]);
        e.deletion_observed("a");
        assert!(!e.satisfied("default/web", |_| true));
        assert!(e.satisfied("default/web", |uid| uid != "b"));
    }
}
