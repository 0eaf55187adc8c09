//! The Gorgias HTTP client: Basic auth, one page at a time, pacing through the
//! [`RateBudget`], retries where they help and one-sentence errors where they
//! don't. Credentials travel only in the Authorization header, never in a
//! URL, and the client never follows a redirect (which could carry them to
//! another host).
//!
//! This file builds a client and holds what the rest of the crate asks of
//! it; each other concern has its own file: `session.rs` what a client
//! holds, `transport.rs` one request, `status.rs` the table that decides
//! every retry (a new retry rule is a row there), `retry.rs` the loop that
//! follows it, `oauth.rs` the token refresh, `rotation.rs` the rotated token
//! on its way to the face, `page.rs` a list's page and the way on.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::json::Doc;
use crate::rate_budget::{Clock, RateBudget, SystemClock};
use crate::resolver::RememberedResolver;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

mod oauth;
mod page;
mod retry;
mod rotation;
mod session;
mod status;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod transport;
use page::page_from;
pub(crate) use page::parse_query;
pub use page::Page;
pub use rotation::{Rotation, RotationSlot};
pub use session::{Client, RequestStats, RetryPolicy};
use transport::authorization;

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
        #[cfg(feature = "test-hooks")]
        test_hooks::panic_if_asked(path);
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

    /// Whether the API has answered a request of this client with JSON:
    /// then the host and credentials are right, whatever fails next.
    pub fn answered(&self) -> bool {
        self.answered
    }

    /// The flag that gives up every request still waiting: for the read
    /// loop to set when the sync has failed and only its error matters.
    pub fn abandon_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.abandoned)
    }
}

/// Leaves a notice for the read loop to log.
fn queue(notices: &Mutex<Vec<String>>, notice: &str) {
    notices
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(notice.to_string());
}

#[cfg(test)]
mod tests {
    use super::status::Action;
    use super::*;
    use crate::rate_budget::Clock;
    use serde_json::json;
    use std::time::Instant;

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
        let verdict = client(json!({})).failed("/account", &ureq::Error::HostNotFound);
        assert!(matches!(verdict.action, Action::Fail));
        assert_eq!(verdict.error.failure, crate::FailureType::Config);
        assert_eq!(
            verdict.error.message,
            "`acme-typo.gorgias.com` does not resolve: check `domain`."
        );
        let proxied = client(json!({"base_url": "https://proxy.example.net/gorgias/api"}))
            .failed("/account", &ureq::Error::HostNotFound);
        assert_eq!(
            proxied.error.message,
            "`proxy.example.net` does not resolve: check `base_url`."
        );
    }
}
