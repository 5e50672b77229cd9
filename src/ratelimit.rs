//! Per-principal request rate limits: a token bucket per verified caller
//! (tenant and subject, or the staff subject), never per client address, so
//! one tenant's users behind a shared proxy do not starve each other and a
//! forged `X-Forwarded-For` buys nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second; 0 turns limiting off.
    pub per_second: f64,
    /// Requests allowed at once after a quiet spell.
    pub burst: f64,
}

struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Past this many callers the idle (full) buckets are dropped; a full bucket
/// is what a new caller gets anyway, so dropping one forgets nothing.
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `principal`'s bucket; when it is empty, how
    /// long until the next request would be admitted.
    pub fn admit(&self, principal: &str) -> Result<(), Duration> {
        self.admit_at(principal, Instant::now())
    }

    fn admit_at(&self, principal: &str, now: Instant) -> Result<(), Duration> {
        let RateLimit { per_second, burst } = self.limit;
        if per_second <= 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(principal) {
            buckets.retain(|_, bucket| {
                let refilled = bucket.tokens + now.duration_since(bucket.refilled_at).as_secs_f64() * per_second;
                refilled < burst
            });
        }
        let bucket = buckets.entry(principal.to_owned()).or_insert(Bucket {
            tokens: burst,
            refilled_at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.refilled_at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_admitted_then_requests_flow_at_the_sustained_rate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.admit_at("tenant-a/alice", start).is_ok());
        }
        let wait = limiter.admit_at("tenant-a/alice", start).unwrap_err();
        assert!(
            wait > Duration::from_millis(90) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        assert!(
            limiter.admit_at("tenant-b/bob", start).is_ok(),
            "another principal has its own bucket"
        );
        assert!(limiter
            .admit_at("tenant-a/alice", start + Duration::from_millis(100))
            .is_ok());
        assert!(limiter
            .admit_at("tenant-a/alice", start + Duration::from_millis(100))
            .is_err());
    }

    #[test]
    fn a_zero_rate_turns_limiting_off() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 0.0,
            burst: 0.0,
        });
        for _ in 0..1000 {
            assert!(limiter.admit("anyone").is_ok());
        }
    }
}
