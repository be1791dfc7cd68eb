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
    /// Each owner's latest sync, by key.
    booked: Mutex<HashMap<String, Booking>>,
}

#[derive(Debug, Clone, Copy)]
struct Booking {
    /// When the sync started (or is due to start).
    at: Instant,
    /// How long the next sync waits after it.
    period: Duration,
}

impl BatchPeriod {
    pub fn new(period: Duration) -> BatchPeriod {
        BatchPeriod { period, booked: Mutex::new(HashMap::new()) }
    }

    /// How long the sync of `key` about to run should wait so that it starts at least a
    /// period after the previous one; the sync is booked at that moment.
    pub fn wait(&self, key: &str) -> Duration {
        let now = Instant::now();
        let mut booked = self.booked.lock();
        let due = booked.get(key).map_or(now, |last| (last.at + last.period).max(now));
        booked.insert(key.to_string(), Booking { at: due, period: self.period });
        due - now
    }

    /// The sync of `key` under way found nothing to do but count: the next one may wait
    /// `period` (when longer than the usual), so that an owner of thousands of pods
    /// whose pods keep changing is not re-counted many times a second.
    pub fn pace(&self, key: &str, period: Duration) {
        if let Some(booking) = self.booked.lock().get_mut(key) {
            booking.period = period.max(self.period);
        }
    }

    /// The owner is gone: its next sync (of a new owner of that name) need not wait.
    pub fn forget(&self, key: &str) {
        self.booked.lock().remove(key);
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

    #[test]
    fn a_paced_owner_waits_longer_once() {
        let batch = BatchPeriod::new(Duration::from_secs(1));
        assert_eq!(batch.wait("default/big"), Duration::ZERO);
        batch.pace("default/big", Duration::from_secs(10));
        let paced = batch.wait("default/big");
        assert!(paced > Duration::from_secs(9), "{paced:?}");
        // The sync after that one waits the usual period again, and pacing never shortens.
        batch.pace("default/big", Duration::from_millis(1));
        let next = batch.wait("default/big") - paced;
        assert!(next > Duration::from_millis(900) && next <= Duration::from_secs(1), "{next:?}");
    }
}
