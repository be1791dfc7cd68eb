//! Upstream's token bucket (client-go's `flowcontrol`): `burst` tokens at once, refilled
//! at `qps` a second. Pacing callers wait for their token (`take`); filtering callers go
//! without when there is none (`try_take`).

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct TokenBucket {
    burst: f64,
    qps: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(burst: f64, qps: f64, now: Instant) -> TokenBucket {
        TokenBucket { burst, qps, tokens: burst, last: now }
    }

    fn refill(&mut self, now: Instant) {
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.qps).min(self.burst);
        self.last = now;
    }

    /// Takes a token, maybe one not there yet: how long to wait before it is.
    pub fn take(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }

    /// Takes a token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}
