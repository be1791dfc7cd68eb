//! The per-object retry backoff of the controllers' error policies: 100 ms doubling with
//! each consecutive failed reconcile, up to a minute (upstream's rate-limited queue).

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;

/// Consecutive failures per object (`namespace/name`).
#[derive(Debug, Default)]
pub struct Failures(Mutex<HashMap<String, u32>>);

impl Failures {
    /// Counts one more failure of `key` and says how long to wait before retrying.
    pub fn failed(&self, key: String) -> Duration {
        let mut failures = self.0.lock();
        let count = failures.entry(key).or_insert(0);
        *count = count.saturating_add(1);
        let doublings = count.saturating_sub(1).min(10);
        (Duration::from_millis(100) * 2u32.pow(doublings)).min(Duration::from_secs(60))
    }

    /// `key` reconciled fine: its next failure starts from the shortest wait again.
    pub fn succeeded(&self, key: &str) {
        self.0.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_reset_on_success() {
        let failures = Failures::default();
        assert_eq!(failures.failed("a".into()), Duration::from_millis(100));
        assert_eq!(failures.failed("a".into()), Duration::from_millis(200));
        failures.succeeded("a");
        assert_eq!(failures.failed("a".into()), Duration::from_millis(100));
    }
}
