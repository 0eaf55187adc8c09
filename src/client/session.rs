//! What a client holds across requests: the HTTP agent and where it points,
//! the credentials, the rate budget and the retry policy, and the counts and
//! notices its requests leave. The files beside it each add one concern's
//! methods: `transport.rs` the request, `retry.rs` the loop, `oauth.rs` the
//! token.

use super::rotation::RotationSlot;
use crate::config::{Auth, Secret};
use crate::rate_budget::{Clock, RateBudget};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests per endpoint path, for progress logs and the request-count tests.
#[derive(Debug, Default, Clone)]
pub struct RequestStats {
    pub by_path: BTreeMap<String, u64>,
    pub retries: u64,
    /// The last answer's HTTP status (`None` when no answer came), so a
    /// caller can tell a 403 from a 404 without reading the sentence.
    pub last_status: Option<u16>,
    /// The last `X-Gorgias-Account-Api-Call-Limit` reading, `(used, limit)`.
    pub last_call_limit: Option<(f64, f64)>,
    /// The wait the last answer asked for in `Retry-after`.
    pub last_retry_after: Option<Duration>,
}

/// A client of one Gorgias account: every request goes through it, paced
/// by its rate budget and retried within its policy.
pub struct Client {
    pub(super) agent: ureq::Agent,
    pub(super) base: String,
    pub(super) domain: String,
    pub(super) auth: Auth,
    pub(super) authorization: Secret,
    pub budget: RateBudget,
    pub(super) clock: Box<dyn Clock>,
    pub(super) retry: RetryPolicy,
    pub stats: RequestStats,
    pub(super) jitter: u64,
    /// Set by the read loop when the sync has failed: a request still being
    /// paced or retried on the fetching thread is given up at once.
    pub(super) abandoned: Arc<AtomicBool>,
    /// Some request has had a 2xx answer in JSON: the host is the account's.
    pub(super) answered: bool,
    /// The latest rotated refresh token, until a face has passed it on.
    pub(super) rotation: Arc<RotationSlot>,
    /// Retries and long waits of requests made without a caller's
    /// `on_retry` (the fetching thread's), for the read loop to log.
    pub(super) notices: Arc<Mutex<Vec<String>>>,
    /// How long before its expiry the access token is refreshed: five
    /// minutes, or half its lifetime when that is shorter, so a short-lived
    /// token is not refreshed before every request.
    pub(super) refresh_margin: chrono::Duration,
}

/// How hard to try before a transient failure ends the sync. `max_total`
/// bounds everything: each attempt's timeout and each wait is cut to the
/// time that remains of it.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub max_total: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            max_total: Duration::from_secs(15 * 60),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// `check` answers in seconds: three tries within ten seconds tell a
    /// passing hiccup from a wrong host, and more would only keep the user
    /// waiting.
    pub fn for_check(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            max_total: self.max_total.min(Duration::from_secs(10)),
            base_delay: self.base_delay,
            max_delay: self.max_delay.min(Duration::from_secs(4)),
        }
    }
}
