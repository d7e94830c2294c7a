//! A rate limiter shared by every clone of a [`Client`](super::Client).
//!
//! A token bucket of `max` tokens where each token comes back `per` after it was spent
//! (a sliding window): in no window of length `per` do more than `max` requests start.
//! SSB allows 30 requests per minute per client; that is the default.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` acquisitions in any window of `per`.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    max: usize,
    per: Duration,
    spent: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(max: u32, per: Duration) -> RateLimiter {
        let max = max.max(1) as usize;
        RateLimiter { max, per, spent: Mutex::new(VecDeque::with_capacity(max)) }
    }

    /// Block until a token is free, take it, and return how long we waited.
    pub(crate) fn acquire(&self) -> Duration {
        let start = Instant::now();
        loop {
            let wait = {
                let mut spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while spent.front().is_some_and(|&t| now.duration_since(t) >= self.per) {
                    spent.pop_front();
                }
                if spent.len() < self.max {
                    spent.push_back(now);
                    return start.elapsed();
                }
                // The oldest token comes back `per` after it was spent.
                (spent[0] + self.per).saturating_duration_since(now)
            };
            std::thread::sleep(wait.max(Duration::from_millis(1)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn blocks_beyond_the_rate() {
        let rl = Arc::new(RateLimiter::new(3, Duration::from_millis(300)));
        let t0 = Instant::now();
        for _ in 0..3 {
            rl.acquire();
        }
        assert!(t0.elapsed() < Duration::from_millis(150));
        // Shared across threads (clones of a client share one limiter).
        let rl2 = rl.clone();
        std::thread::spawn(move || rl2.acquire()).join().unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(300));
    }
}
