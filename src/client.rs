//! The Gorgias HTTP client: Basic auth, one page at a time, pacing through the
//! [`RateBudget`], retries where they help and one-sentence errors where they
//! don't. Credentials travel only in the Authorization header, never in a
//! URL, and the client never follows a redirect (which could carry them to
//! another host).

use crate::config::{Auth, Config, Secret};
use crate::error::{Error, Result};
use crate::json::{Doc, DocError, Elements, Node};
use crate::rate_budget::{parse_call_limit, parse_retry_after, Clock, RateBudget, SystemClock};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// One page of a list endpoint: the parsed body, whose list is either the
/// body itself or its `data`.
#[derive(Debug)]
pub struct Page {
    doc: Doc,
    /// `meta.next_cursor`; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl Page {
    pub fn objects(&self) -> Elements<'_> {
        let root = self.doc.root();
        match root.get("data") {
            Some(data) => data.elements(),
            None => root.elements(),
        }
    }

    pub fn len(&self) -> usize {
        self.objects().count()
    }

    pub fn is_empty(&self) -> bool {
        self.objects().next().is_none()
    }
}

/// How hard to try before a transient failure ends the sync.
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
}

/// What one attempt came to.
enum Attempt {
    Done(Doc),
    /// A 401: final, unless an OAuth token can be refreshed.
    Unauthorized(Error),
    /// Worth another try after the given backoff (or the budget's own wait).
    Retry(Error, Option<Duration>),
    Fail(Error),
}

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
        }
    }

    /// GET a single object (`/account`).
    pub fn get_object(&mut self, path: &str) -> Result<Doc> {
        let v = self.get(path, &[])?;
        if v.root().is_object() {
            Ok(v)
        } else {
            Err(Error::system(format!(
                "Gorgias answered {path} with something other than a JSON object: the API may have changed; please report it."
            )))
        }
    }

    /// GET any JSON document, as it came: for `probe`, which judges the
    /// envelope itself.
    pub fn get_doc(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Doc> {
        self.get(path, query)
    }

    /// GET one page of a list endpoint. Accepts the documented envelope and
    /// the bare array the docs show for satisfaction surveys.
    pub fn get_page(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Page> {
        let v = self.get(path, query)?;
        page_from(path, v)
    }

    fn get(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Doc> {
        let started = self.clock.now();
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            attempt += 1;
            if self.token_expiring() {
                self.refresh_token()?;
                refreshed = true;
            }
            let wait = self.budget.delay(self.clock.now());
            self.pause(wait)?;
            *self.stats.by_path.entry(path.to_string()).or_default() += 1;
            let outcome = self.attempt(path, query);
            let (error, backoff) = match outcome {
                Attempt::Done(v) => return Ok(v),
                // An access token can be revoked or expire early: one
                // refresh, then the 401 stands.
                Attempt::Unauthorized(_) if !refreshed && self.can_refresh() => {
                    self.refresh_token()?;
                    refreshed = true;
                    continue;
                }
                Attempt::Unauthorized(e) | Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, backoff) => (e, backoff),
            };
            // An HTML page where JSON belongs is almost always a wrong host:
            // one more look rules out a proxy's hiccup, more would only stall.
            if error.failure == crate::FailureType::Config && attempt >= 2 {
                return Err(error);
            }
            let elapsed = self.clock.now().saturating_duration_since(started);
            // 429s are paced by the budget and bounded by time only: a busy
            // account is not a reason to give up on the third try.
            let counts = backoff.is_some();
            if (counts && attempt >= self.retry.max_attempts) || elapsed >= self.retry.max_total {
                // One sentence: the last failure, then what was tried.
                return Err(Error::transient(format!(
                    "{}, and kept failing after {attempt} attempts over {}s: run the sync again later.",
                    error.message.trim_end_matches('.'),
                    elapsed.as_secs()
                )));
            }
            self.stats.retries += 1;
            if let Some(b) = backoff {
                let d = self.backoff(attempt, b);
                self.pause(d)?;
            }
        }
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

    fn attempt(&mut self, path: &str, query: &[(&str, &str)]) -> Attempt {
        let url = format!("{}{}", self.base, path);
        let mut req = self
            .agent
            .get(&url)
            .header("Authorization", self.authorization.expose())
            .header("Accept", "application/json");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => {
                self.budget.observe(self.clock.now(), None);
                self.stats.last_status = None;
                return self.transport_error(path, e);
            }
        };
        let now = self.clock.now();
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let used = header("x-gorgias-account-api-call-limit").and_then(|v| parse_call_limit(&v));
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v));
        let is_html = header("content-type")
            .map(|c| c.to_ascii_lowercase().contains("html"))
            .unwrap_or(false);
        self.budget.observe(now, used);
        self.stats.last_status = Some(status);
        self.stats.last_call_limit = used.or(self.stats.last_call_limit);
        if status == 429 {
            self.budget.throttled(now, retry_after);
            return Attempt::Retry(
                Error::transient(format!(
                    "Gorgias kept answering {path} with 429 Too Many Requests: other apps on the account may be using its rate limit."
                )),
                None,
            );
        }
        const BODY_LIMIT: u64 = 256 * 1024 * 1024;
        // Sized once from Content-Length: growing by doubling left up to
        // half of every buffer unused, and the largest page sets the peak.
        // A claim beyond any real page grows as it arrives instead.
        let size = resp
            .body()
            .content_length()
            .unwrap_or(64 * 1024)
            .min(16 * 1024 * 1024);
        let mut buf = Vec::with_capacity(size as usize);
        let body = std::io::Read::read_to_end(
            &mut resp.body_mut().with_config().limit(BODY_LIMIT).reader(),
            &mut buf,
        )
        .map(|_| buf);
        let body = match body {
            Ok(b) => b,
            Err(e) => return self.transport_error(path, ureq::Error::from(e)),
        };
        match status {
            200..=299 => {}
            401 => {
                return Attempt::Unauthorized(Error::config(match self.auth {
                    Auth::ApiKey { .. } => "Gorgias refused the credentials (401 Unauthorized): check `email` and `api_key` (Settings → REST API in Gorgias); a regenerated key invalidates the old one.",
                    Auth::OAuth { .. } => "Gorgias refused the OAuth2 access token (401 Unauthorized): authorize the app again, or give a refresh token with the app's client id and secret.",
                }))
            }
            403 => {
                return Attempt::Fail(Error::config(format!(
                    "The API key's user is not allowed to read {path} (403 Forbidden): use the key of a Gorgias admin, or deselect the streams that read {path}."
                )))
            }
            404 if is_html || path == "/account" => {
                return Attempt::Fail(Error::config(format!(
                    "No Gorgias account answers at {} (404 Not Found): check that `domain` is your account's subdomain (the `acme` of acme.gorgias.com){}.",
                    self.base,
                    if self.base.ends_with(".gorgias.com/api") { "" } else { " and that `base_url` points at its API" }
                )))
            }
            404 => {
                return Attempt::Fail(Error::config(format!(
                    "Gorgias has no {path} for this account (404 Not Found): deselect the streams that read it, or check `base_url`."
                )))
            }
            400 => {
                return Attempt::Fail(Error::config(format!(
                    "Gorgias refused the request for {path} (400 Bad Request: {}): check `base_url` points at the Gorgias API; if it does, please report this.",
                    error_msg(&body).unwrap_or_else(|| "no reason given".into())
                )))
            }
            500 | 502 | 503 | 504 => {
                return Attempt::Retry(
                    Error::transient(format!(
                        "Gorgias answered {path} with {status} (a server error)."
                    )),
                    Some(retry_after.unwrap_or_default()),
                )
            }
            _ => {
                return Attempt::Fail(Error::system(format!(
                    "Gorgias answered {path} with HTTP {status}{}: the connector does not know how to go on; please report it.",
                    error_msg(&body).map(|m| format!(" ({m})")).unwrap_or_default()
                )))
            }
        }
        let looks_html = is_html || looks_like_html(&body);
        match Doc::parse(body) {
            Ok(doc) => {
                let root = doc.root();
                if let Some(msg) = root.get("error").and_then(error_text) {
                    if root.get("data").is_none() {
                        return Attempt::Fail(Error::system(format!(
                            "Gorgias answered {path} with an error instead of data ({msg}): please check the account in Gorgias, and report it if it persists."
                        )));
                    }
                }
                Attempt::Done(doc)
            }
            Err(_) if looks_html => Attempt::Retry(
                Error::config(format!(
                    "{} answered {path} with an HTML page instead of JSON: check that `domain` (and `base_url`, if set) point at the Gorgias API of account `{}`.",
                    self.base, self.domain
                )),
                Some(Duration::ZERO),
            ),
            Err(e) => Attempt::Retry(
                Error::transient(format!(
                    "Gorgias answered {path} with a body that is not complete JSON ({})",
                    if e == DocError::Truncated { "it was cut short" } else { "it does not parse" }
                )),
                Some(Duration::ZERO),
            ),
        }
    }

    fn can_refresh(&self) -> bool {
        matches!(
            &self.auth,
            Auth::OAuth {
                refresh: Some(_),
                ..
            }
        )
    }

    /// Refresh five minutes before the token's known expiry, so no request
    /// goes out with a token about to lapse.
    fn token_expiring(&self) -> bool {
        match &self.auth {
            Auth::OAuth {
                expires_at: Some(at),
                refresh: Some(_),
                ..
            } => chrono::Utc::now() + chrono::Duration::minutes(5) >= *at,
            _ => false,
        }
    }

    /// The OAuth2 refresh grant (RFC 6749 §6) against the account's
    /// `/oauth/token`, the app's credentials in HTTP Basic.
    fn refresh_token(&mut self) -> Result<()> {
        let Auth::OAuth {
            refresh: Some(r), ..
        } = &self.auth
        else {
            return Ok(());
        };
        let token_url = match self.base.strip_suffix("/api") {
            Some(host) => format!("{host}/oauth/token"),
            None => format!("{}/oauth/token", self.base),
        };
        let client = format!("{}:{}", r.client_id, r.client_secret.expose());
        let body = format!(
            "grant_type=refresh_token&refresh_token={}",
            form_encode(r.refresh_token.expose())
        );
        let refused = |status: String| {
            Error::config(format!(
                "Gorgias refused to refresh the OAuth2 access token ({status}): check the refresh token, client id and client secret, or authorize the app again."
            ))
        };
        let mut resp = self
            .agent
            .post(&token_url)
            .header("Authorization", format!("Basic {}", base64(client.as_bytes())))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .send(body.as_str())
            .map_err(|e| {
                Error::transient(format!(
                    "The OAuth2 token refresh could not reach Gorgias ({}); run the sync again later.",
                    transport_kind(&e)
                ))
            })?;
        let status = resp.status().as_u16();
        let v: Value = resp
            .body_mut()
            .read_to_vec()
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| refused(format!("HTTP {status} without a JSON token")))?;
        if !(200..300).contains(&status) {
            return Err(refused(format!("HTTP {status}")));
        }
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| refused("no access_token in the answer".into()))?;
        let expires_at = v
            .get("expires_in")
            .and_then(Value::as_i64)
            .map(|secs| chrono::Utc::now() + chrono::Duration::seconds(secs));
        let rotated = v
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(Secret::new);
        if let Auth::OAuth {
            access_token,
            expires_at: at,
            refresh: Some(r),
        } = &mut self.auth
        {
            *access_token = Secret::new(token);
            *at = expires_at;
            if let Some(t) = rotated {
                r.refresh_token = t;
            }
        }
        self.authorization = authorization(&self.auth);
        Ok(())
    }

    fn transport_error(&self, path: &str, e: ureq::Error) -> Attempt {
        use ureq::Error as E;
        match e {
            E::HostNotFound => Attempt::Fail(Error::config(format!(
                "The host of {} cannot be found: check `domain` (and `base_url`, if set).",
                self.base
            ))),
            E::Tls(_) | E::Rustls(_) => Attempt::Fail(Error::config(format!(
                "The TLS connection to {} failed its certificate check: the connector only talks to hosts with a valid certificate; check `base_url`.",
                self.base
            ))),
            E::BodyExceedsLimit(_) => Attempt::Fail(Error::system(format!(
                "Gorgias answered {path} with a page over 256 MiB: lower `page_size` and report it."
            ))),
            E::BadUri(_) | E::Http(_) => Attempt::Fail(Error::config(format!(
                "The request URL for {path} is not valid: check `base_url`."
            ))),
            other => Attempt::Retry(
                Error::transient(format!(
                    "The connection to Gorgias failed while reading {path} ({}).",
                    transport_kind(&other)
                )),
                Some(Duration::ZERO),
            ),
        }
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

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    body.get(start) == Some(&b'<')
}

fn error_text(e: Node<'_>) -> Option<String> {
    if let Some(s) = e.as_str() {
        return Some(s.to_string());
    }
    e.get("msg")
        .or_else(|| e.get("message"))
        .and_then(|m| m.as_str())
        .map(str::to_string)
}

fn error_msg(body: &[u8]) -> Option<String> {
    let doc = Doc::parse(body.to_vec()).ok()?;
    let m = error_text(doc.root().get("error")?)?;
    Some(m.chars().take(200).collect())
}

fn page_from(path: &str, doc: Doc) -> Result<Page> {
    let root = doc.root();
    let next_cursor = if root.is_array() {
        None
    } else if root.is_object() {
        if !root.get("data").is_some_and(|d| d.is_array()) {
            return Err(Error::system(format!(
                "Gorgias answered {path} without a `data` list: the API may have changed; please report it."
            )));
        }
        root.get("meta")
            .and_then(|m| m.get("next_cursor"))
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    } else {
        return Err(Error::system(format!(
            "Gorgias answered {path} with neither a list nor a page: the API may have changed; please report it."
        )));
    };
    Ok(Page { doc, next_cursor })
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

/// `application/x-www-form-urlencoded` for one value.
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard base64 for the Basic header: one tiny function instead of a crate.
fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_host_is_resolved_once_and_another_host_anew() {
        let resolver = RememberedResolver::default();
        let config = ureq::config::Config::default();
        let resolve = |uri: &str| {
            let uri: ureq::http::Uri = uri.parse().unwrap();
            resolver
                .resolve(&uri, &config, NextTimeout::default())
                .map(|a| a.to_vec())
        };
        let first = resolve("http://127.0.0.1:8910/api/tickets").unwrap();
        assert_eq!(first, vec!["127.0.0.1:8910".parse().unwrap()]);
        assert!(resolver.last.lock().unwrap().is_some());
        // Remembered: a changed entry is what comes back.
        if let Some((_, addrs, _)) = resolver.last.lock().unwrap().as_mut() {
            addrs[0] = "127.0.0.2:1".parse().unwrap();
        }
        let again = resolve("http://127.0.0.1:8910/api/users").unwrap();
        assert_eq!(again, vec!["127.0.0.2:1".parse().unwrap()]);
        // Another port (or scheme) is another host.
        let other = resolve("http://127.0.0.1:8911/api").unwrap();
        assert_eq!(other, vec!["127.0.0.1:8911".parse().unwrap()]);
        let https = resolve("https://127.0.0.1/api").unwrap();
        assert_eq!(https, vec!["127.0.0.1:443".parse().unwrap()]);
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

    #[test]
    fn pages_accept_envelope_and_bare_array() {
        let p = page_from(
            "/x",
            Doc::from_value(&json!({"data":[{"id":1}],"meta":{"next_cursor":"abc"}})),
        )
        .unwrap();
        assert_eq!((p.len(), p.next_cursor.as_deref()), (1, Some("abc")));
        let p = page_from(
            "/x",
            Doc::from_value(&json!({"data":[],"meta":{"next_cursor":""}})),
        )
        .unwrap();
        assert_eq!(p.next_cursor, None);
        let p = page_from("/x", Doc::from_value(&json!([{"id":1},{"id":2}]))).unwrap();
        assert_eq!((p.len(), p.next_cursor), (2, None));
        assert!(page_from("/x", Doc::from_value(&json!({"meta":{}})))
            .unwrap_err()
            .message
            .contains("without a `data` list"));
    }
}

/// Remembers the last host's addresses for a minute. ureq resolves the host
/// before every request, even one that reuses a pooled connection, and with a
/// timeout set it does so on a new thread: a thread and a DNS query per page,
/// which cost more CPU than parsing the page. A sync talks to one host.
#[derive(Debug, Default)]
struct RememberedResolver {
    lookup: DefaultResolver,
    last: Mutex<Option<(String, ResolvedSocketAddrs, Instant)>>,
}

impl RememberedResolver {
    const KEEP: Duration = Duration::from_secs(60);
}

impl Resolver for RememberedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        // The scheme too: it names the port when the authority does not.
        let host = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or_default(),
            uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        let remembered = |last: &Option<(String, ResolvedSocketAddrs, Instant)>| match last {
            Some((h, addrs, at)) if *h == host && at.elapsed() < Self::KEEP => Some(addrs.clone()),
            _ => None,
        };
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(addrs) = remembered(&last) {
            return Ok(addrs);
        }
        // Not held across the lookup: it may take seconds.
        drop(last);
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((host, addrs.clone(), Instant::now()));
        Ok(addrs)
    }
}
