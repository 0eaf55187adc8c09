//! The Gorgias HTTP client: Basic auth, one page at a time, pacing through the
//! [`RateBudget`], retries where they help and one-sentence errors where they
//! don't. Credentials travel only in the Authorization header, never in a
//! URL, and the client never follows a redirect (which could carry them to
//! another host).

use crate::config::{Auth, Config, Secret};
use crate::error::{Error, Result};
use crate::json::Doc;
use crate::rate_budget::{parse_call_limit, parse_retry_after, Clock, RateBudget, SystemClock};
use crate::resolver::RememberedResolver;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

mod oauth;
mod page;
mod status;
pub use oauth::{Rotation, RotationSlot};
pub(crate) use page::parse_query;
pub use page::Page;
use page::page_from;
use status::{classify, Action, Answer, Asked, Body, Verdict};

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

/// The longest one request may take when the budget leaves more.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(180);

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

pub struct Client {
    agent: ureq::Agent,
    base: String,
    domain: String,
    auth: Auth,
    authorization: Secret,
    pub budget: RateBudget,
    clock: Box<dyn Clock>,
    retry: RetryPolicy,
    pub stats: RequestStats,
    jitter: u64,
    /// Set by the read loop when the sync has failed: a request still being
    /// paced or retried on the fetching thread is given up at once.
    abandoned: Arc<AtomicBool>,
    /// Some request has had a 2xx answer in JSON: the host is the account's.
    answered: bool,
    /// The latest rotated refresh token, until a face has passed it on.
    rotation: Arc<RotationSlot>,
    /// Retries and long waits of requests made without a caller's
    /// `on_retry` (the fetching thread's), for the read loop to log.
    notices: Arc<Mutex<Vec<String>>>,
    /// How long before its expiry the access token is refreshed: five
    /// minutes, or half its lifetime when that is shorter, so a short-lived
    /// token is not refreshed before every request.
    refresh_margin: chrono::Duration,
}

/// A pacing wait longer than this is worth a line: a reader sees why
/// nothing moves.
const LONG_WAIT: Duration = Duration::from_secs(5);

/// What one attempt came to: the data, or the table's verdict on the answer.
type Attempt = std::result::Result<Doc, Verdict>;

impl Client {
    pub fn new(config: &Config) -> Client {
        Client::with_clock(config, Box::new(SystemClock))
    }

    pub fn with_clock(config: &Config, clock: Box<dyn Clock>) -> Client {
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_global(Some(Duration::from_secs(180)))
            .user_agent(concat!("source-gorgias/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::with_parts(
            agent_config,
            ureq::unversioned::transport::DefaultConnector::new(),
            RememberedResolver::default(),
        );
        let mut retry = RetryPolicy::default();
        if let Some(ms) = config.backoff_base_ms {
            retry.base_delay = Duration::from_millis(ms);
            retry.max_delay = Duration::from_millis(ms.saturating_mul(60));
        }
        if let Some(ms) = config.retry_budget_ms {
            retry.max_total = Duration::from_millis(ms);
        }
        let seed = clock.now().elapsed().as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15;
        Client {
            agent,
            base: config.base_url.clone(),
            domain: config.domain.clone(),
            authorization: authorization(&config.auth),
            auth: config.auth.clone(),
            budget: RateBudget::new(config.max_rate_share),
            clock,
            retry,
            stats: RequestStats::default(),
            jitter: seed | 1,
            abandoned: Arc::default(),
            answered: false,
            rotation: Arc::default(),
            notices: Arc::default(),
            refresh_margin: chrono::Duration::minutes(5),
        }
    }

    /// Where the retries of requests on the fetching thread are told, one
    /// sentence each, for the read loop to take and log.
    pub fn notices(&self) -> Arc<Mutex<Vec<String>>> {
        Arc::clone(&self.notices)
    }

    /// Where a rotated refresh token is left for the face to pass on; the
    /// face takes it (and so empties it) from the thread that writes output.
    pub fn rotation(&self) -> Arc<RotationSlot> {
        Arc::clone(&self.rotation)
    }

    /// GET `/account` within `check`'s own short retry budget, telling
    /// `on_retry` of each failed try before the next.
    pub fn check_account(&mut self, on_retry: &mut dyn FnMut(&str)) -> Result<Doc> {
        let policy = self.retry.for_check();
        let saved = std::mem::replace(&mut self.retry, policy);
        let result = self.get_with("/account", &[], on_retry);
        self.retry = saved;
        let v = result?;
        if v.root().is_object() {
            Ok(v)
        } else {
            Err(Error::system(
                "Gorgias answered /account with something other than a JSON object: the API may have changed; please report it.",
            ))
        }
    }

    /// Requests sent so far, over every endpoint.
    pub fn requests(&self) -> u64 {
        self.stats.by_path.values().sum()
    }

    /// Attempts that were tried again.
    pub fn retries(&self) -> u64 {
        self.stats.retries
    }

    /// Answers that were 429 Too Many Requests.
    pub fn throttled(&self) -> u64 {
        self.budget.throttled
    }

    /// The pace achieved so far, in the rate limit's own units.
    pub fn pace(&self) -> String {
        self.budget.pace(std::time::Instant::now())
    }

    /// Every request from now on within `check`'s short retry budget: for
    /// `probe`, which, like `check`, answers a person waiting at a terminal,
    /// so a failing endpoint is reported in seconds, not retried for the
    /// sync's quarter of an hour.
    pub fn use_check_budget(&mut self) {
        self.retry = self.retry.for_check();
    }

    /// GET a single object (`/account`).
    pub fn get_object(&mut self, path: &str) -> Result<Doc> {
        let notices = Arc::clone(&self.notices);
        self.get_object_with(path, &mut |m| queue(&notices, m))
    }

    /// GET any JSON document, as it came: for `probe`, which judges the
    /// envelope itself.
    pub fn get_doc(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Doc> {
        self.get(path, query)
    }

    /// GET one page of a list endpoint. Accepts the documented envelope and
    /// the bare array the docs show for satisfaction surveys.
    pub fn get_page(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Page> {
        // A panic where no input can cause one any more (pages are read on
        // the fetching thread), so the tests can prove, on the release build
        // CI tests, that any panic on any thread ends the process at once.
        // The variable is read once per process.
        static TEST_PANIC: std::sync::OnceLock<Option<std::ffi::OsString>> =
            std::sync::OnceLock::new();
        if TEST_PANIC
            .get_or_init(|| std::env::var_os("SOURCE_GORGIAS_TEST_PANIC"))
            .as_deref()
            .is_some_and(|p| p == path)
        {
            panic!("test panic while reading {path}");
        }
        let v = self.get(path, query)?;
        let limit = query
            .iter()
            .find(|(k, _)| *k == "limit")
            .and_then(|(_, v)| v.parse().ok());
        page_from(path, v, limit)
    }

    fn get(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Doc> {
        let notices = Arc::clone(&self.notices);
        self.get_with(path, query, &mut |m| queue(&notices, m))
    }

    /// GET a single object, telling `on_retry` of each retry and long wait.
    pub fn get_object_with(&mut self, path: &str, on_retry: &mut dyn FnMut(&str)) -> Result<Doc> {
        let v = self.get_with(path, &[], on_retry)?;
        if v.root().is_object() {
            Ok(v)
        } else {
            Err(Error::system(format!(
                "Gorgias answered {path} with something other than a JSON object: the API may have changed; please report it."
            )))
        }
    }

    fn get_with(
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
            let wait = self.budget.delay(self.clock.now());
            // A retry's wait was told with its failure.
            let told = last.is_some();
            // A pacing wait past the budget's end would only end in the
            // same failure later.
            if let Some(e) = last.take().filter(|_| wait >= self.left(started)) {
                return Err(self.gave_up(e, attempt - 1, started));
            }
            if wait > LONG_WAIT && !told {
                on_retry(&format!(
                    "Waiting {:.0}s for Gorgias's rate limit before the next request to {path}.",
                    wait.as_secs_f64()
                ));
            }
            self.pause(wait.min(self.left(started)))?;
            *self.stats.by_path.entry(path.to_string()).or_default() += 1;
            let verdict = match self.attempt(path, query, self.timeout(started)) {
                Ok(doc) => return Ok(doc),
                Err(verdict) => verdict,
            };
            let (error, backoff) = match verdict.action {
                // An access token can be revoked or expire early: one
                // refresh, then the 401 stands.
                Action::RefreshToken if !refreshed && self.can_refresh() => {
                    self.refresh_token(started, on_retry)
                        .map_err(Error::for_sync)?;
                    refreshed = true;
                    continue;
                }
                Action::RefreshToken | Action::Fail => return Err(verdict.error),
                // An HTML page where JSON belongs is almost always a wrong
                // host, and a body that cannot be read will not be read the
                // next time: one more look rules out a proxy's hiccup.
                Action::LookOnceMore if attempt >= 2 => return Err(verdict.error),
                Action::LookOnceMore => (verdict.error, Some(Duration::ZERO)),
                Action::Backoff(at_least) => (verdict.error, Some(at_least)),
                Action::WaitForBudget => (verdict.error, None),
            };
            last = Some(self.wait_to_retry(path, error, backoff, attempt, started, on_retry)?);
        }
    }

    /// What remains of the retry budget of a request begun at `started`.
    fn left(&self, started: Instant) -> Duration {
        self.retry
            .max_total
            .saturating_sub(self.clock.now().saturating_duration_since(started))
    }

    /// The next attempt's timeout: what remains, within bounds.
    fn timeout(&self, started: Instant) -> Duration {
        self.left(started).clamp(MIN_ATTEMPT, ATTEMPT_TIMEOUT)
    }

    /// Waits out the backoff before another try (`None`: the rate budget
    /// paces it), or gives up where the policy or the budget says so.
    fn wait_to_retry(
        &mut self,
        path: &str,
        error: Error,
        backoff: Option<Duration>,
        attempt: u32,
        started: Instant,
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<Error> {
        // 429s are paced by the budget and bounded by time only: a busy
        // account is not a reason to give up on the third try.
        let counts = backoff.is_some();
        if (counts && attempt >= self.retry.max_attempts) || self.left(started).is_zero() {
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
        let when = match delay {
            Some(d) => format!("in {:.1}s", d.as_secs_f64()),
            None => format!(
                "when the rate limit allows (in {:.1}s)",
                self.budget.delay(self.clock.now()).as_secs_f64()
            ),
        };
        on_retry(&format!(
            "Attempt {attempt} to read {path} failed ({}); trying again {when}, with {:.0}s of the {:.0}s retry budget left.",
            error.message.trim_end_matches('.'),
            self.left(started).as_secs_f64(),
            self.retry.max_total.as_secs_f64()
        ));
        if let Some(d) = delay {
            self.pause(d)?;
        }
        Ok(error)
    }

    /// Whether the API has answered a request of this client with JSON:
    /// then the host and credentials are right, whatever fails next.
    pub fn answered(&self) -> bool {
        self.answered
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

    /// The flag that gives up every request still waiting: for the read
    /// loop to set when the sync has failed and only its error matters.
    pub fn abandon_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.abandoned)
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

    /// One request and what the status table makes of its answer.
    fn attempt(&mut self, path: &str, query: &[(&str, &str)], timeout: Duration) -> Attempt {
        let mut resp = match self.send(path, query, timeout) {
            Ok(r) => r,
            Err(e) => {
                self.budget.observe(self.clock.now(), None);
                self.stats.last_status = None;
                self.stats.last_retry_after = None;
                return Err(self.transport_error(path, e));
            }
        };
        let now = self.clock.now();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let used = header("x-gorgias-account-api-call-limit").and_then(|v| parse_call_limit(&v));
        let mut answer = Answer {
            status: resp.status().as_u16(),
            retry_after: header("retry-after").and_then(|v| parse_retry_after(&v)),
            html: header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("html")),
            // We ask for no encoding and decode none: such a body can never be read.
            encoding: header("content-encoding")
                .map(|e| e.trim().to_ascii_lowercase())
                .filter(|e| !e.is_empty() && e != "identity"),
            body: None,
        };
        self.budget.observe(now, used);
        self.stats.last_status = Some(answer.status);
        self.stats.last_retry_after = answer.retry_after;
        self.stats.last_call_limit = used.or(self.stats.last_call_limit);
        let asked = Asked {
            path,
            base: &self.base,
            domain: &self.domain,
            answered: self.answered,
            oauth: matches!(self.auth, Auth::OAuth { .. }),
            cursor: query.iter().any(|(k, _)| *k == "cursor"),
        };
        if answer.status == 429 {
            self.budget.throttled(now, answer.retry_after);
            return Err(classify(&asked, &answer).unwrap_or_else(|| unreachable_verdict(path)));
        }
        let body = match read_body(&mut resp) {
            Ok(b) => b,
            Err(e) => return Err(self.transport_error(path, ureq::Error::from(e))),
        };
        let looks_html = answer.html || looks_like_html(&body);
        let utf8 = std::str::from_utf8(&body).is_ok();
        let doc = Doc::parse(body);
        answer.body = Some(Body::of(&doc, looks_html, utf8));
        match (classify(&asked, &answer), doc) {
            (Some(verdict), _) => Err(verdict),
            (None, Ok(doc)) => {
                self.answered = true;
                Ok(doc)
            }
            (None, Err(_)) => Err(unreachable_verdict(path)),
        }
    }

    /// Sends the GET, credentials in the header only.
    fn send(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let url = format!("{}{}", self.base, path);
        // Past the `http` crate's bound, ureq panics building the URL;
        // percent-encoding at most triples a value.
        let length = url.len()
            + query
                .iter()
                .map(|(k, v)| 3 * (k.len() + v.len()) + 2)
                .sum::<usize>();
        if length >= URL_BOUND {
            return Err(ureq::Error::BadUri(URL_TOO_LONG.to_string()));
        }
        let mut req = self
            .agent
            .get(&url)
            .header("Authorization", self.authorization.expose())
            .header("Accept", "application/json");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        req.config()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(30))))
            .build()
            .call()
    }

    /// The name that does not resolve, and the config field that gave it.
    fn host_not_found(&self) -> Error {
        let uri: Option<ureq::http::Uri> = self.base.parse().ok();
        let host = uri.as_ref().and_then(|u| u.host()).unwrap_or(&self.base);
        let field = if self.base == format!("https://{}.gorgias.com/api", self.domain) {
            "domain"
        } else {
            "base_url"
        };
        Error::config(format!("`{host}` does not resolve: check `{field}`."))
    }
    fn transport_error(&self, path: &str, e: ureq::Error) -> Verdict {
        use ureq::Error as E;
        let fail = |e: Error| Verdict::new(Action::Fail, e);
        match e {
            E::HostNotFound => fail(self.host_not_found()),
            E::Tls(_) | E::Rustls(_) => fail(Error::config(format!(
                "The TLS connection to {} failed its certificate check: the connector only talks to hosts with a valid certificate; check `base_url`.",
                self.base
            ))),
            E::Io(io) if certificate_refused(&io) => fail(Error::config(format!(
                "The TLS certificate of {} is not one this system trusts ({}): the connector only sends credentials to hosts with a valid certificate; check `base_url`, or add the proxy's CA to the system's trust store.",
                self.base,
                certificate_reason(&io)
            ))),
            E::BodyExceedsLimit(_) => fail(Error::system(format!(
                "Gorgias answered {path} with a page over 256 MiB: lower `page_size` and report it."
            ))),
            E::BadUri(m) if m == URL_TOO_LONG => fail(Error::system(format!(
                "The request for {path} would be longer than a URL can be: please report it."
            ))),
            E::BadUri(_) | E::Http(_) => fail(Error::config(format!(
                "The request URL for {path} is not valid: check `base_url`."
            ))),
            other => Verdict::new(
                Action::Backoff(Duration::ZERO),
                Error::transient(format!(
                    "The connection to Gorgias failed while reading {path} ({}).",
                    transport_kind(&other)
                )),
            ),
        }
    }
}

/// The shortest time an attempt is given.
const MIN_ATTEMPT: Duration = Duration::from_millis(100);

/// Below the `http` crate's bound on a URL (`u16::MAX`).
const URL_BOUND: usize = 60_000;
const URL_TOO_LONG: &str = "longer than a URL can be";

/// Leaves a notice for the read loop to log.
fn queue(notices: &Mutex<Vec<String>>, notice: &str) {
    notices
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(notice.to_string());
}

/// ureq hands a failed certificate check over as an I/O error wrapping
/// rustls's: retrying it would only fail the same way.
fn certificate_refused(io: &std::io::Error) -> bool {
    matches!(
        io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::InvalidCertificate(_))
    )
}

fn certificate_reason(io: &std::io::Error) -> &'static str {
    use rustls::CertificateError as C;
    match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            C::UnknownIssuer => "it is signed by an unknown authority, or self-signed",
            C::Expired | C::ExpiredContext { .. } => "it has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet",
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "it is not issued for this host"
            }
            C::Revoked => "it has been revoked",
            _ => "it failed verification",
        },
        _ => "it failed verification",
    }
}

/// A short name for a network failure, with no URL or header in it.
fn transport_kind(e: &ureq::Error) -> &'static str {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => "timed out",
        E::ConnectionFailed => "could not connect",
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused",
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionReset => "connection reset",
        E::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => "connection closed early",
        E::Io(_) => "network I/O error",
        E::Protocol(_) => "malformed HTTP answer",
        _ => "network error",
    }
}

/// The whole body, within [`BODY_LIMIT`].
fn read_body(resp: &mut ureq::http::Response<ureq::Body>) -> std::io::Result<Vec<u8>> {
    // Sized once from Content-Length: growing by doubling left up to
    // half of every buffer unused, and the largest page sets the peak.
    // A claim beyond any real page grows as it arrives instead.
    let size = resp
        .body()
        .content_length()
        .unwrap_or(64 * 1024)
        .min(16 * 1024 * 1024);
    let mut buf = Vec::with_capacity(size as usize);
    std::io::Read::read_to_end(
        &mut resp.body_mut().with_config().limit(BODY_LIMIT).reader(),
        &mut buf,
    )?;
    Ok(buf)
}

const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// Where the table accepted an answer it could not have: said, not panicked.
fn unreachable_verdict(path: &str) -> Verdict {
    Verdict::new(
        Action::Fail,
        Error::system(format!(
            "The connector could not decide what to make of Gorgias's answer to {path}: please report this."
        )),
    )
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    body.get(start) == Some(&b'<')
}


/// The Authorization header value for the credentials.
fn authorization(auth: &Auth) -> Secret {
    match auth {
        Auth::ApiKey { email, api_key } => {
            let credentials = format!("{email}:{}", api_key.expose());
            Secret::new(format!("Basic {}", base64(credentials.as_bytes())))
        }
        Auth::OAuth { access_token, .. } => {
            Secret::new(format!("Bearer {}", access_token.expose()))
        }
    }
}

/// Standard base64 (padded), as the Basic header wants it.
fn base64(input: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_budget::Clock;
    use serde_json::json;

    /// Time that passes only when the client waits.
    struct StepClock(Instant, Arc<Mutex<Duration>>);

    impl Clock for StepClock {
        fn now(&self) -> Instant {
            self.0 + *self.1.lock().unwrap()
        }
        fn sleep(&mut self, d: Duration) {
            *self.1.lock().unwrap() += d;
        }
    }

    /// A loopback server answering every request with `{}`.
    fn empty_object_server() -> u16 {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            }
        });
        port
    }

    #[test]
    fn a_long_wait_for_the_rate_limit_is_told_before_it_begins() {
        let port = empty_object_server();
        let config = Config::from_value(&json!({"domain": "acme", "email": "a@b.c",
            "api_key": "k", "base_url": format!("http://127.0.0.1:{port}/api"),
            "max_rate_share": 0.05}))
        .unwrap();
        let waited = Arc::new(Mutex::new(Duration::ZERO));
        let clock = StepClock(Instant::now(), Arc::clone(&waited));
        let mut client = Client::with_clock(&config, Box::new(clock));
        let mut told = Vec::new();
        for _ in 0..2 {
            client
                .get_object_with("/account", &mut |m| told.push(m.to_string()))
                .unwrap();
        }
        // A 5 % share of 40 per 20 s: one request per 10 s.
        assert!(*waited.lock().unwrap() >= Duration::from_secs(9));
        assert_eq!(
            told,
            ["Waiting 10s for Gorgias's rate limit before the next request to /account."]
        );
    }

    #[test]
    fn a_host_that_does_not_resolve_is_a_config_error_naming_it() {
        let client = |extra: serde_json::Value| {
            let mut c = json!({"domain": "acme-typo", "email": "a@b.c", "api_key": "k"});
            for (k, v) in extra.as_object().unwrap() {
                c[k] = v.clone();
            }
            Client::new(&Config::from_value(&c).unwrap())
        };
        let verdict = client(json!({})).transport_error("/account", ureq::Error::HostNotFound);
        assert!(matches!(verdict.action, Action::Fail));
        assert_eq!(verdict.error.failure, crate::FailureType::Config);
        assert_eq!(
            verdict.error.message,
            "`acme-typo.gorgias.com` does not resolve: check `domain`."
        );
        let proxied = client(json!({"base_url": "https://proxy.example.net/gorgias/api"}))
            .transport_error("/account", ureq::Error::HostNotFound);
        assert_eq!(
            proxied.error.message,
            "`proxy.example.net` does not resolve: check `base_url`."
        );
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

}
