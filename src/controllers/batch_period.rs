//! Syncs of one owner at most once per period, as upstream's job controller batches the
//! syncs its pod events ask for (syncJobBatchPeriod). A replica owner's sync reads every
//! pod it controls; with 10,000 pods bound and started one after another, each change
//! asked for a full sync (and a status write) of the same owner. Batched, the changes of
//! one period are seen together by the next sync.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

#[derive(Debug)]
pub struct BatchPeriod {
    period: Duration,
    /// When each owner's latest sync started (or is due to start), by key.
    started: Mutex<HashMap<String, Instant>>,
}

impl BatchPeriod {
    pub fn new(period: Duration) -> BatchPeriod {
        BatchPeriod { period, started: Mutex::new(HashMap::new()) }
    }

    /// How long the sync of `key` about to run should wait so that it starts at least a
    /// period after the previous one; the sync is booked at that moment.
    pub fn wait(&self, key: &str) -> Duration {
        let now = Instant::now();
        let mut started = self.started.lock();
        let due = started.get(key).map_or(now, |last| (*last + self.period).max(now));
        started.insert(key.to_string(), due);
        due - now
    }

    /// The owner is gone: its next sync (of a new owner of that name) need not wait.
    pub fn forget(&self, key: &str) {
        self.started.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_sync_within_the_period_waits_for_the_rest_of_it() {
        let batch = BatchPeriod::new(Duration::from_secs(10));
        assert_eq!(batch.wait("default/web"), Duration::ZERO);
        let second = batch.wait("default/web");
        assert!(second > Duration::from_secs(9) && second <= Duration::from_secs(10), "{second:?}");
        // A third booked behind the second, not beside it.
        assert!(batch.wait("default/web") > Duration::from_secs(19));
        assert_eq!(batch.wait("default/other"), Duration::ZERO, "owners are paced apart");
        batch.forget("default/web");
        assert_eq!(batch.wait("default/web"), Duration::ZERO);
    }
}
