//! Upstream's kubelet back-off (`flowcontrol.Backoff`): 10 s doubling to 5 min, per key
//! (a container's restarts, an image's pulls), forgotten after twice the maximum without
//! a failure.

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub const INITIAL: Duration = Duration::from_secs(10);
pub const MAX: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy)]
struct Entry {
    delay: Duration,
    /// When the delay was last raised (the failure it counts from).
    since: Instant,
}

#[derive(Debug, Default)]
pub struct Backoff {
    entries: HashMap<String, Entry>,
}

impl Backoff {
    /// Whether `key` is still backing off from a failure at `failed_at`.
    pub fn in_backoff_since(&self, key: &str, failed_at: Instant, now: Instant) -> bool {
        self.entries.get(key).is_some_and(|entry| now.saturating_duration_since(failed_at) < entry.delay)
    }

    /// The current delay of `key`, if it has failed before.
    pub fn delay(&self, key: &str) -> Option<Duration> {
        self.entries.get(key).map(|entry| entry.delay)
    }

    /// When `key` last failed, if it has.
    pub fn last_failure(&self, key: &str) -> Option<Instant> {
        self.entries.get(key).map(|entry| entry.since)
    }

    /// Counts a failure at `failed_at`: the first (or the first in a long while) sets the
    /// initial delay, later ones double it up to MAX.
    pub fn next(&mut self, key: &str, failed_at: Instant) {
        let entry = self.entries.entry(key.to_string()).or_insert(Entry { delay: Duration::ZERO, since: failed_at });
        let expired = failed_at.saturating_duration_since(entry.since) > MAX * 2;
        entry.delay = if entry.delay.is_zero() || expired { INITIAL } else { (entry.delay * 2).min(MAX) };
        entry.since = failed_at;
    }

    pub fn forget(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Drops the keys of a pod that is gone (keys start with its uid).
    pub fn forget_prefix(&mut self, prefix: &str) {
        self.entries.retain(|key, _| !key.starts_with(prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_is_retried_at_once_then_delays_double_up_to_five_minutes() {
        let mut backoff = Backoff::default();
        let start = Instant::now();
        assert!(!backoff.in_backoff_since("k", start, start));
        backoff.next("k", start);
        assert_eq!(backoff.delay("k"), Some(INITIAL));
        assert!(backoff.in_backoff_since("k", start, start + Duration::from_secs(9)));
        assert!(!backoff.in_backoff_since("k", start, start + Duration::from_secs(10)));
        for _ in 0..10 {
            backoff.next("k", start + Duration::from_secs(1));
        }
        assert_eq!(backoff.delay("k"), Some(MAX));
        backoff.next("k", start + Duration::from_secs(1000));
        assert_eq!(backoff.delay("k"), Some(INITIAL), "a long quiet spell starts over");
        backoff.forget_prefix("k");
        assert_eq!(backoff.delay("k"), None);
    }
}
