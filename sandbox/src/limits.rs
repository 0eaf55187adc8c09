//! The rate limit's leaky bucket and the fault draw: the two things that
//! decide, before any endpoint runs, that a request is not served.

use std::collections::HashSet;
use std::time::Instant;

use crate::config::{FaultKind, Faults, RateLimit};
use crate::rng::Rng;

/// Leaky bucket: each request pours one unit in; the bucket drains
/// continuously at `limit / window` units per second.
pub(crate) struct Bucket {
    pub(crate) cfg: RateLimit,
    pub(crate) level: f64,
    last: Instant,
}

impl Bucket {
    pub(crate) fn new(cfg: RateLimit) -> Bucket {
        Bucket {
            cfg,
            level: 0.0,
            last: Instant::now(),
        }
    }

    /// `Ok(level after this request)` or `Err(seconds until one unit fits)`.
    pub(crate) fn take(&mut self, now: Instant) -> Result<f64, f64> {
        let limit = self.cfg.limit as f64;
        if self.cfg.window.is_zero() {
            return Ok(0.0);
        }
        let rate = limit / self.cfg.window.as_secs_f64();
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.level = (self.level - elapsed * rate).max(0.0);
        if self.level + 1.0 > limit + 1e-9 {
            Err((self.level + 1.0 - limit) / rate)
        } else {
            self.level += 1.0;
            Ok(self.level)
        }
    }
}

pub(crate) struct FaultState {
    cfg: Faults,
    rng: Rng,
    /// Targets whose previous request faulted: their next one must succeed,
    /// so a client that retries always gets through.
    last_faulted: HashSet<String>,
}

impl FaultState {
    pub(crate) fn new(cfg: Faults) -> FaultState {
        FaultState {
            rng: Rng::new(cfg.seed),
            cfg,
            last_faulted: HashSet::new(),
        }
    }

    pub(crate) fn decide(&mut self, target: &str) -> Option<FaultKind> {
        // Two draws per request whatever the outcome, so the sequence of
        // decisions depends only on the sequence of requests.
        let roll = self.rng.unit();
        let pick = self.rng.below(self.cfg.kinds.len() as u64) as usize;
        let was_faulted = self.last_faulted.remove(target);
        if self.cfg.kinds.is_empty() || roll >= self.cfg.rate || was_faulted {
            return None;
        }
        self.last_faulted.insert(target.to_string());
        Some(self.cfg.kinds[pick].clone())
    }
}
