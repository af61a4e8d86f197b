//! The optional rate limiter (docs/control.md §6): a token bucket per API key on the mock's clock,
//! so a frozen clock refills only when a test advances it. Pure: no I/O, no HTTP types.

use std::collections::HashMap;

use crate::fidelity::clock::Millis;

/// Thousandths of a token, so that refilling at any rate stays exact integer arithmetic.
const TOKEN: u64 = 1000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    milli_tokens: u64,
    at: Millis,
}

/// Token buckets by API key. Each holds up to `per_second` tokens (the burst) and refills at
/// `per_second` tokens a second; a request takes one.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    /// Takes a token from `key`'s bucket at `now`, or says how many milliseconds of the mock's
    /// clock must pass before one is there. A new key starts with a full bucket.
    pub fn take(&mut self, key: &str, per_second: u32, now: Millis) -> Result<(), u64> {
        let rate = u64::from(per_second.max(1));
        let capacity = rate * TOKEN;
        let bucket = self.buckets.entry(key.to_string()).or_insert(Bucket {
            milli_tokens: capacity,
            at: now,
        });
        // A clock set backwards refills nothing; it only moves the reference point.
        let elapsed = u64::try_from(now.saturating_sub(bucket.at)).unwrap_or(0);
        let refilled = bucket
            .milli_tokens
            .saturating_add(elapsed.saturating_mul(rate));
        bucket.milli_tokens = refilled.min(capacity);
        bucket.at = now;
        if bucket.milli_tokens >= TOKEN {
            bucket.milli_tokens -= TOKEN;
            Ok(())
        } else {
            Err((TOKEN - bucket.milli_tokens).div_ceil(rate))
        }
    }

    /// Every bucket full again.
    pub fn clear(&mut self) {
        self.buckets.clear();
    }
}

/// The `Retry-After` for a wait: whole seconds, rounded up, so that it is never too early.
pub(crate) fn retry_after_secs(wait_ms: u64) -> u64 {
    wait_ms.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_a_burst_then_refills_with_the_clock() {
        let mut limiter = RateLimiter::default();
        assert_eq!(limiter.take("k", 2, 0), Ok(()));
        assert_eq!(limiter.take("k", 2, 0), Ok(()));
        assert_eq!(limiter.take("k", 2, 0), Err(500));
        assert_eq!(limiter.take("k", 2, 499), Err(1));
        assert_eq!(limiter.take("k", 2, 500), Ok(()));
        assert_eq!(limiter.take("k", 2, 10_000), Ok(()));
        assert_eq!(limiter.take("k", 2, 10_000), Ok(()));
        assert_eq!(limiter.take("k", 2, 10_000), Err(500));
    }

    #[test]
    fn each_key_has_its_own_bucket() {
        let mut limiter = RateLimiter::default();
        assert_eq!(limiter.take("a", 1, 0), Ok(()));
        assert_eq!(limiter.take("a", 1, 0), Err(1000));
        assert_eq!(limiter.take("b", 1, 0), Ok(()));
    }

    #[test]
    fn a_clock_set_backwards_refills_nothing() {
        let mut limiter = RateLimiter::default();
        assert_eq!(limiter.take("k", 1, 5_000), Ok(()));
        assert_eq!(limiter.take("k", 1, 1_000), Err(1000));
        assert_eq!(limiter.take("k", 1, 2_000), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(1), 1);
        assert_eq!(retry_after_secs(1000), 1);
        assert_eq!(retry_after_secs(1001), 2);
    }
}
