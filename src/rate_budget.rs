//! Pacing from what the API says about its own bucket.
//!
//! Gorgias meters each account with a leaky bucket shared by every app on it
//! (40 requests / 20 s for API keys, 80 for OAuth apps, Enterprise over 10 s)
//! and reports the level on every answer as
//! `X-Gorgias-Account-Api-Call-Limit: used/limit`. The window is not reported,
//! so the drain rate is learned from how the level falls between answers.
//! That lets one binary run near any of the limits without configuration,
//! and a `max_rate_share` below 1 leaves other apps their room.

use std::time::{Duration, Instant};

/// Time as the budget sees it: injected so tests never wait on a real window.
pub trait Clock: Send {
    fn now(&self) -> Instant;
    fn sleep(&mut self, d: Duration);
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d)
    }
}

/// The account's bucket as last reported, and what we learned of its drain.
#[derive(Debug, Clone)]
pub struct RateBudget {
    share: f64,
    limit: f64,
    /// Bucket level after our last request, and when we heard it.
    level: Option<(Instant, f64)>,
    /// Requests per second the bucket drains; starts at the slowest standard
    /// window (20 s) so a first guess never overruns anybody's bucket.
    drain: f64,
    sample_drained: f64,
    sample_time: f64,
    /// Our own requests as a bucket of `share` of the size draining at
    /// `share` of the rate: what caps this sync's share of the account.
    own: Option<(Instant, f64)>,
    /// An explicit wait from a 429's `Retry-after`, until this instant.
    hold_until: Option<Instant>,
    pub requests: u64,
    pub throttled: u64,
    pub started: Option<Instant>,
}

/// How many seconds the standard windows last; the learned drain can only
/// make pacing faster than the slowest of them.
const SLOWEST_WINDOW_SECS: f64 = 20.0;

impl RateBudget {
    pub fn new(share: f64) -> Self {
        let limit = 40.0;
        RateBudget {
            share: share.clamp(0.05, 1.0),
            limit,
            level: None,
            drain: limit / SLOWEST_WINDOW_SECS,
            sample_drained: 0.0,
            sample_time: 0.0,
            own: None,
            hold_until: None,
            requests: 0,
            throttled: 0,
            started: None,
        }
    }

    /// The account's level we aim to stay under: two requests of margin for
    /// the header's rounding and for other apps' bursts.
    fn ceiling(&self) -> f64 {
        (self.limit - 2.0).max(1.0)
    }

    fn own_ceiling(&self) -> f64 {
        (self.limit * self.share - 1.0).max(1.0)
    }

    /// How long to wait before the next request may go. What the level
    /// asks is at most one window: a full bucket is empty again by then.
    pub fn delay(&self, now: Instant) -> Duration {
        let mut wait = self.pacing(now).min(self.limit / self.drain);
        if let Some(until) = self.hold_until {
            wait = wait.max(until.saturating_duration_since(now).as_secs_f64());
        }
        Duration::from_secs_f64(wait.min(120.0))
    }

    /// Seconds until the account's level, and this sync's own, leave room.
    fn pacing(&self, now: Instant) -> f64 {
        let mut wait = 0.0f64;
        if let Some((at, level)) = self.level {
            let elapsed = now.saturating_duration_since(at).as_secs_f64();
            let current = (level - self.drain * elapsed).max(0.0);
            let over = current + 1.0 - self.ceiling();
            if over > 0.0 {
                wait = wait.max(over / self.drain);
            }
        }
        if self.share < 1.0 {
            if let Some((at, level)) = self.own {
                let own_drain = self.drain * self.share;
                let elapsed = now.saturating_duration_since(at).as_secs_f64();
                let current = (level - own_drain * elapsed).max(0.0);
                let over = current + 1.0 - self.own_ceiling();
                if over > 0.0 {
                    wait = wait.max(over / own_drain);
                }
            }
        }
        wait
    }

    /// Records an answer's `used/limit` header, if it had one.
    pub fn observe(&mut self, now: Instant, used: Option<(f64, f64)>) {
        self.requests += 1;
        self.started.get_or_insert(now);
        let own = match self.own {
            Some((at, level)) => {
                let elapsed = now.saturating_duration_since(at).as_secs_f64();
                (level - self.drain * self.share * elapsed).max(0.0)
            }
            None => 0.0,
        };
        self.own = Some((now, own + 1.0));
        let Some((used, limit)) = used else { return };
        if limit >= 1.0 && (limit - self.limit).abs() > f64::EPSILON {
            // A new limit (OAuth app, plan change) scales the known drain with it.
            self.drain *= limit / self.limit;
            self.limit = limit;
        }
        // A leaky bucket never holds more than its size: a reading above
        // it (`999999/40`) would pace every request as if it were full for
        // hours, and teach a drain no account has.
        let used = used.min(self.limit);
        if let Some((at, prev)) = self.level {
            let dt = now.saturating_duration_since(at).as_secs_f64();
            if dt > 0.0 {
                if used >= 2.0 {
                    // The bucket held something the whole time (only requests
                    // fill it), so what left it is an exact reading of the
                    // drain; other apps' requests make it an underestimate,
                    // which errs on the polite side. Readings are summed until
                    // they outweigh the header's rounding.
                    self.sample_drained += prev + 1.0 - used;
                    self.sample_time += dt;
                    if self.sample_drained >= 4.0 {
                        let rate = self.sample_drained / self.sample_time;
                        let floor = self.limit / SLOWEST_WINDOW_SECS;
                        self.drain = (0.5 * self.drain + 0.5 * rate).max(floor);
                        self.sample_drained = 0.0;
                        self.sample_time = 0.0;
                    }
                } else if prev >= 2.0 {
                    // It ran empty: it drained at least what it held. This is
                    // how a sync kept below the limit (a share cap, a slow
                    // network) still learns a fast window.
                    self.drain = self.drain.max((prev - 1.0) / dt);
                    self.sample_drained = 0.0;
                    self.sample_time = 0.0;
                }
            }
        }
        self.level = Some((now, used));
    }

    /// A 429: hold every request until the API's `Retry-after` has passed
    /// (or, without one, until the bucket should have room again).
    pub fn throttled(&mut self, now: Instant, retry_after: Option<Duration>) {
        self.throttled += 1;
        let wait = retry_after
            .unwrap_or_else(|| Duration::from_secs_f64(2.0 / self.drain))
            .max(Duration::from_millis(1));
        self.hold_until = Some(now + wait);
        // A full bucket is the best reading of the level we can get.
        self.level = Some((now + wait, self.limit - 1.0));
    }

    /// Requests per second since the first one, for progress logs.
    pub fn achieved_rate(&self, now: Instant) -> f64 {
        match self.started {
            Some(s) => {
                let secs = now.saturating_duration_since(s).as_secs_f64();
                if secs > 0.0 {
                    self.requests as f64 / secs
                } else {
                    0.0
                }
            }
            None => 0.0,
        }
    }

    pub fn limit(&self) -> f64 {
        self.limit
    }

    pub fn drain_per_second(&self) -> f64 {
        self.drain
    }

    /// The window the bucket drains in, as learned (`limit / drain`),
    /// snapped to a standard window when the reading is within a tenth of
    /// it: the drain is measured, so it is never exactly the plan's number.
    pub fn window_secs(&self) -> f64 {
        let learned = self.limit / self.drain;
        [10.0, SLOWEST_WINDOW_SECS]
            .into_iter()
            .find(|w| (learned - w).abs() <= w / 10.0)
            .unwrap_or(learned)
    }

    /// The pace a sync achieved, beside the limit in its own units: `2.1
    /// requests/s against a limit of 40 requests per 20 s (2.0/s sustained
    /// after a first burst of 40)`. No share of the limit: a sync rides on
    /// the bucket's first burst, so its average can pass the sustained rate
    /// without any request over the limit (whether one was is the 429
    /// count's to say). A sync shorter than one window says so instead.
    pub fn pace(&self, now: Instant) -> String {
        let rate = self.achieved_rate(now);
        let window_secs = self.window_secs();
        let elapsed = self
            .started
            .map_or(0.0, |s| now.saturating_duration_since(s).as_secs_f64());
        let window = if window_secs >= 10.0 {
            format!("{window_secs:.0}")
        } else {
            // A scaled window (the tests') keeps two significant digits.
            let digits = (1 - window_secs.log10().floor() as i32).max(0) as usize;
            format!("{window_secs:.digits$}")
        };
        let limit = format!("a limit of {:.0} requests per {window} s", self.limit);
        if elapsed < self.limit / self.drain {
            return format!(
                "{} requests in {elapsed:.1} s, within the first burst of {limit}",
                self.requests
            );
        }
        format!(
            "{rate:.1} requests/s against {limit} ({:.1}/s sustained after a first burst of {:.0})",
            self.limit / window_secs,
            self.limit
        )
    }
}

/// Parses `X-Gorgias-Account-Api-Call-Limit: used/limit`.
pub fn parse_call_limit(v: &str) -> Option<(f64, f64)> {
    let (used, limit) = v.trim().split_once('/')?;
    let used: f64 = used.trim().parse().ok()?;
    let limit: f64 = limit.trim().parse().ok()?;
    (used.is_finite() && limit.is_finite() && used >= 0.0 && limit > 0.0).then_some((used, limit))
}

/// Parses `Retry-after` as seconds (fractions allowed; HTTP dates are not
/// something Gorgias sends, and are ignored).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a simulated leaky bucket against the budget with a fake clock and
    /// returns (achieved share of the limit, 429s).
    fn simulate(limit: f64, window: f64, share: f64, requests: u32) -> (f64, u32) {
        let drain = limit / window;
        let mut budget = RateBudget::new(share);
        let start = Instant::now();
        let mut now = start;
        let mut level = 0.0f64;
        let mut last = start;
        let mut rejected = 0;
        let mut done = 0;
        let latency = Duration::from_millis(5);
        while done < requests {
            now += budget.delay(now);
            now += latency;
            level = (level - drain * now.duration_since(last).as_secs_f64()).max(0.0);
            last = now;
            if level + 1.0 > limit {
                rejected += 1;
                let wait = (level + 1.0 - limit) / drain;
                budget.observe(now, Some((level.ceil(), limit)));
                budget.throttled(now, Some(Duration::from_secs_f64(wait)));
                continue;
            }
            level += 1.0;
            done += 1;
            budget.observe(now, Some((level.ceil(), limit)));
        }
        let secs = now.duration_since(start).as_secs_f64();
        // The first `limit` requests ride on the empty bucket; judge the steady state.
        let steady = (done as f64 - limit) / (secs - 0.0);
        (steady / drain, rejected)
    }

    #[test]
    fn the_pace_is_told_in_the_limits_own_units() {
        let t0 = Instant::now();
        let mut b = RateBudget::new(1.0);
        for i in 0..=42u64 {
            b.observe(t0 + Duration::from_millis(i * 500), None);
        }
        // 43 requests over 21 s against the unlearned 40 per 20 s.
        let pace = b.pace(t0 + Duration::from_secs(21));
        assert_eq!(
            pace,
            "2.0 requests/s against a limit of 40 requests per 20 s (2.0/s sustained after a first burst of 40)"
        );
        let mut fast = RateBudget::new(1.0);
        fast.drain = 80.0;
        assert_eq!(fast.window_secs(), 0.5);
        assert!(
            fast.pace(t0).ends_with("of 40 requests per 0.50 s"),
            "{}",
            fast.pace(t0)
        );
        // Two requests in no time: no share of a window they never filled.
        let mut short = RateBudget::new(1.0);
        short.observe(t0, None);
        short.observe(t0 + Duration::from_millis(20), None);
        assert_eq!(
            short.pace(t0 + Duration::from_millis(20)),
            "2 requests in 0.0 s, within the first burst of a limit of 40 requests per 20 s"
        );
    }

    #[test]
    fn learns_each_standard_window_without_configuration() {
        for (limit, window) in [(40.0, 20.0), (80.0, 20.0), (40.0, 10.0), (80.0, 10.0)] {
            let (share, rejected) = simulate(limit, window, 1.0, 2000);
            assert!(share >= 0.9, "{limit}/{window}s: {share}");
            assert!(rejected <= 20, "{limit}/{window}s: {rejected} 429s");
        }
    }

    #[test]
    fn a_scaled_window_is_learned_too() {
        let (share, rejected) = simulate(40.0, 0.2, 1.0, 3000);
        assert!(share >= 0.9, "{share}");
        assert!(rejected <= 30, "{rejected}");
    }

    #[test]
    fn the_share_cap_leaves_room() {
        let (share, _) = simulate(40.0, 20.0, 0.5, 1000);
        assert!((0.4..=0.55).contains(&share), "{share}");
    }

    #[test]
    fn a_level_past_the_bucket_waits_one_window_at_most() {
        let t0 = Instant::now();
        let mut b = RateBudget::new(1.0);
        b.observe(t0, Some((3.0, 40.0)));
        b.observe(t0 + Duration::from_millis(100), Some((999_999.0, 40.0)));
        let wait = b.delay(t0 + Duration::from_millis(100));
        assert!(wait <= Duration::from_secs(20), "{wait:?}");
        // The reading taught no drain faster than a standard window.
        assert!(
            b.drain_per_second() <= 40.0 / 10.0,
            "{}",
            b.drain_per_second()
        );
        // A bucket reported far over its size, then empty, is no reading
        // of a drain of millions per second either.
        b.observe(t0 + Duration::from_millis(200), Some((0.0, 40.0)));
        assert!(
            b.drain_per_second() <= 40.0 / 0.1,
            "{}",
            b.drain_per_second()
        );
        // Whatever the level came to, a learned window bounds the wait.
        let mut fast = RateBudget::new(1.0);
        fast.drain = 8.0;
        fast.level = Some((t0, 1e9));
        assert_eq!(fast.delay(t0), Duration::from_secs(5));
    }

    #[test]
    fn header_parsing() {
        assert_eq!(parse_call_limit("12/40"), Some((12.0, 40.0)));
        assert_eq!(parse_call_limit(" 3 / 80 "), Some((3.0, 80.0)));
        assert_eq!(parse_call_limit("x/40"), None);
        assert_eq!(parse_call_limit("1/0"), None);
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_retry_after("-1"), None);
    }
}
