//! The retry loop: each request is tried until it gives data, the table in
//! `status.rs` says it fails, or the retry budget (attempts and time) is
//! spent. Here live the waits (pacing, backoff with jitter, a refreshed
//! token) and the sentences that tell of them; what a failure means is the
//! table's to say.

use super::session::Client;
use super::status::{next_step, Step, Verdict};
use crate::error::{Error, Result};
use crate::json::Doc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The longest one request may take when the budget leaves more.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The shortest time an attempt is given.
const MIN_ATTEMPT: Duration = Duration::from_millis(100);

/// A pacing wait longer than this is worth a line: a reader sees why
/// nothing moves.
const LONG_WAIT: Duration = Duration::from_secs(5);

/// Where a failed attempt leads once its wait is over.
pub(super) enum Then {
    /// Refresh the token, and try again at once.
    Refresh,
    /// Try again; the failure is kept, to stand if the next wait is too long.
    Again(Error),
}

impl Client {
    /// GET `path` until it gives data or the table and the budget say stop,
    /// telling `on_retry` of each retry and long wait.
    pub(super) fn get_with(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<Doc> {
        let started = self.clock.now();
        let mut attempt = 0u32;
        let mut refreshed = false;
        let mut stale = false;
        let mut last: Option<Error> = None;
        loop {
            attempt += 1;
            if !stale && self.token_expiring() {
                self.refresh_token(started, on_retry)
                    .map_err(Error::for_sync)?;
                refreshed = true;
                // A token answered as already expired is used as it is:
                // refreshing it again within this request would loop.
                stale = self.token_expiring();
            }
            self.wait_for_budget(path, last.take(), attempt, started, on_retry)?;
            *self.stats.by_path.entry(path.to_string()).or_default() += 1;
            let verdict = match self.attempt(path, query, self.timeout(started)) {
                Ok(doc) => return Ok(doc),
                Err(verdict) => verdict,
            };
            let may_refresh = !refreshed && self.can_refresh();
            match self.step_after(path, verdict, attempt, may_refresh, started, on_retry)? {
                Then::Refresh => {
                    self.refresh_token(started, on_retry)
                        .map_err(Error::for_sync)?;
                    refreshed = true;
                }
                Then::Again(error) => last = Some(error),
            }
        }
    }

    /// The pacing wait before an attempt. `last`: the failure this attempt
    /// retries, whose wait was told with it.
    fn wait_for_budget(
        &mut self,
        path: &str,
        last: Option<Error>,
        attempt: u32,
        started: Instant,
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<()> {
        let wait = self.budget.delay(self.clock.now());
        let told = last.is_some();
        // A pacing wait past the budget's end would only end in the
        // same failure later.
        if let Some(e) = last.filter(|_| wait >= self.left(started)) {
            return Err(self.gave_up(e, attempt - 1, started));
        }
        if wait > LONG_WAIT && !told {
            on_retry(&format!(
                "Waiting {:.0}s for Gorgias's rate limit before the next request to {path}.",
                wait.as_secs_f64()
            ));
        }
        self.pause(wait.min(self.left(started)))
    }

    /// Takes the table's next step after a failed attempt: the error that
    /// ends the request, or the wait (told to `on_retry`) before the next.
    pub(super) fn step_after(
        &mut self,
        path: &str,
        verdict: Verdict,
        attempt: u32,
        may_refresh: bool,
        started: Instant,
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<Then> {
        let backoff = match next_step(
            verdict.action,
            attempt,
            self.retry.max_attempts,
            may_refresh,
        ) {
            Step::Refresh => return Ok(Then::Refresh),
            Step::Fail => return Err(verdict.error),
            Step::GiveUp => return Err(self.gave_up(verdict.error, attempt, started)),
            Step::Backoff(at_least) => Some(at_least),
            Step::Wait => None,
        };
        self.wait_to_retry(path, verdict.error, backoff, attempt, started, on_retry)
            .map(Then::Again)
    }

    /// What remains of the retry budget of a request begun at `started`.
    fn left(&self, started: Instant) -> Duration {
        self.retry
            .max_total
            .saturating_sub(self.clock.now().saturating_duration_since(started))
    }

    /// The next attempt's timeout: what remains, within bounds.
    pub(super) fn timeout(&self, started: Instant) -> Duration {
        self.left(started).clamp(MIN_ATTEMPT, ATTEMPT_TIMEOUT)
    }

    /// Waits out the backoff before another try (`None`: the rate budget
    /// paces it), or gives up where the budget's time says so.
    fn wait_to_retry(
        &mut self,
        path: &str,
        error: Error,
        backoff: Option<Duration>,
        attempt: u32,
        started: Instant,
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<Error> {
        if self.left(started).is_zero() {
            return Err(self.gave_up(error, attempt, started));
        }
        if error.failure == crate::FailureType::Transient
            && self
                .stats
                .last_retry_after
                .is_some_and(|asked| asked >= self.left(started))
        {
            return Err(self.asked_too_long(path, started));
        }
        let delay = backoff.map(|b| self.backoff(attempt, b));
        // A wait the budget cannot hold, with room left for one attempt
        // after it, ends the request now: a retry told is a retry made.
        if delay.is_some_and(|d| d + MIN_ATTEMPT >= self.left(started)) {
            return Err(self.gave_up(error, attempt, started));
        }
        self.stats.retries += 1;
        on_retry(&self.retry_notice(path, &error, delay, attempt, started));
        if let Some(d) = delay {
            self.pause(d)?;
        }
        Ok(error)
    }

    /// The sentence that tells of a retry before its wait.
    fn retry_notice(
        &self,
        path: &str,
        error: &Error,
        delay: Option<Duration>,
        attempt: u32,
        started: Instant,
    ) -> String {
        let when = match delay {
            Some(d) => format!("in {:.1}s", d.as_secs_f64()),
            None => format!(
                "when the rate limit allows (in {:.1}s)",
                self.budget.delay(self.clock.now()).as_secs_f64()
            ),
        };
        format!(
            "Attempt {attempt} to read {path} failed ({}); trying again {when}, with {:.0}s of the {:.0}s retry budget left.",
            error.message.trim_end_matches('.'),
            self.left(started).as_secs_f64(),
            self.retry.max_total.as_secs_f64()
        )
    }
    /// One sentence: the last failure, then what was tried.
    fn gave_up(&self, error: Error, attempts: u32, started: Instant) -> Error {
        if error.failure != crate::FailureType::Transient {
            return error;
        }
        let elapsed = self.clock.now().saturating_duration_since(started);
        Error::transient(format!(
            "{}, and kept failing after {attempts} attempts over {}s: run the sync again later.",
            error.message.trim_end_matches('.'),
            elapsed.as_secs()
        ))
    }

    /// One sentence for a `Retry-after` the retry budget cannot hold: the
    /// count of attempts would say nothing of why it gave up so soon.
    fn asked_too_long(&self, path: &str, started: Instant) -> Error {
        let status = self
            .stats
            .last_status
            .map_or(String::new(), |s| format!(" with {s}"));
        Error::transient(format!(
            "Gorgias answered {path}{status} and asked (Retry-After) for a wait longer than the retry budget allows ({:.0}s left of {:.0}s): run the sync again later.",
            self.left(started).as_secs_f64(),
            self.retry.max_total.as_secs_f64()
        ))
    }

    /// Waits out a pacing or backoff delay in short steps, so a sync that
    /// failed meanwhile (a closed pipe) ends now, not after a minute's
    /// backoff.
    fn pause(&mut self, d: Duration) -> Result<()> {
        const STEP: Duration = Duration::from_millis(100);
        let mut left = d;
        loop {
            if self.abandoned.load(Ordering::Relaxed) {
                return Err(Error::system(
                    "The request was given up because the sync had already failed.",
                ));
            }
            if left.is_zero() {
                return Ok(());
            }
            let step = left.min(STEP);
            self.clock.sleep(step);
            left -= step;
        }
    }

    /// Exponential backoff with full jitter, never below what the server asked.
    fn backoff(&mut self, attempt: u32, at_least: Duration) -> Duration {
        let exp = self
            .retry
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(self.retry.max_delay);
        self.jitter ^= self.jitter << 13;
        self.jitter ^= self.jitter >> 7;
        self.jitter ^= self.jitter << 17;
        let frac = (self.jitter % 1000) as f64 / 1000.0;
        exp.mul_f64(0.5 + 0.5 * frac).max(at_least)
    }
}
