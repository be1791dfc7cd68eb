//! The controller's clock: the real one, or (for tests) one running `speed` times as fast
//! from the moment the controller started.

use chrono::{DateTime, TimeDelta, Utc};

/// The variable that speeds the clock up (an integer ≥ 1).
pub const SPEED_VARIABLE: &str = "KCTL_CRONJOB_CLOCK_SPEED";

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: DateTime<Utc>,
    started: std::time::Instant,
    speed: u32,
}

impl Clock {
    pub fn with_speed(speed: u32) -> Clock {
        Clock { origin: Utc::now(), started: std::time::Instant::now(), speed: speed.max(1) }
    }

    pub fn from_env() -> Clock {
        let speed = std::env::var(SPEED_VARIABLE).ok().and_then(|v| v.parse().ok()).unwrap_or(1);
        Clock::with_speed(speed)
    }

    pub fn now(&self) -> DateTime<Utc> {
        if self.speed == 1 {
            return Utc::now();
        }
        let elapsed = TimeDelta::from_std(self.started.elapsed() * self.speed).unwrap_or_default();
        self.origin + elapsed
    }

    /// How long to really wait for `delta` of this clock's time to pass.
    pub fn real(&self, delta: TimeDelta) -> std::time::Duration {
        delta.to_std().unwrap_or_default() / self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_clock_runs_ahead_and_waits_less() {
        let clock = Clock::with_speed(60);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(clock.now() - Utc::now() >= TimeDelta::seconds(2));
        assert_eq!(clock.real(TimeDelta::minutes(1)), std::time::Duration::from_secs(1));
    }
}
