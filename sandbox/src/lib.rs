//! A local emulator of the Gorgias REST API: a deterministic dataset served
//! over a hand-written HTTP/1.1 server with Gorgias's pagination, errors,
//! rate limiting and injectable faults, so the connector can be tested and
//! benchmarked without a real account.

mod api;
mod b64;
mod data;
mod edits;
mod field_values;
mod gen;
mod http;
mod index;
mod item;
mod resp;
mod rng;
mod time;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// Everything that shapes a sandbox; two sandboxes with equal configs serve
/// identical data.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub tickets: usize,
    pub seed: u64,
    pub domain: String,
    pub email: String,
    pub api_key: String,
    /// 0 lets the OS choose a free port.
    pub port: u16,
    pub rate_limit: Option<RateLimit>,
    pub faults: Option<Faults>,
    /// Answer as a forgiving server would instead of as the documentation
    /// says: query parameters an endpoint does not document are ignored
    /// rather than refused with a 400, and so is the events `types` filter,
    /// so `/api/events` returns every event whatever type was asked for.
    /// For tests of the connector's own filtering; off by default.
    pub lenient: bool,
    /// Fields taken out of or put into the objects an endpoint serves.
    pub field_edits: Vec<FieldEdit>,
    /// Changes made while a client pages a list, as a busy account makes
    /// them during a sync.
    pub changes: Vec<ChangeCue>,
    /// An account whose ticket and customer lists leave `custom_fields` out,
    /// so only `/api/{tickets|customers}/{id}/custom-fields` tells them.
    pub lists_without_custom_fields: bool,
}

/// "Change `objects` objects right after serving page `after_page` of
/// `path`": objects spread evenly over the collection (by id) get a new
/// `updated_datetime`, as an agent's edit gives them, so a list sorted on
/// it sees them move. `path` is the list's path, with or without `/api`
/// (`tickets`, `/api/customers`, `views/7/items`); a page is any 200 answer
/// of that path, whatever its query. Each cue fires once. Objects without
/// an `updated_datetime` do not change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeCue {
    pub path: String,
    pub after_page: u32,
    pub objects: usize,
}

impl ChangeCue {
    /// `PATH:K:N`, the command line's form.
    pub fn parse(s: &str) -> Option<ChangeCue> {
        let mut parts = s.rsplitn(3, ':');
        let objects = parts.next()?.parse().ok()?;
        let after_page = parts.next()?.parse().ok().filter(|&k| k > 0)?;
        let path = parts.next().filter(|p| !p.is_empty())?.to_string();
        Some(ChangeCue {
            path,
            after_page,
            objects,
        })
    }

    /// The list path the cue names, as the router names it.
    fn list(&self) -> &str {
        let p = self.path.trim_matches('/');
        p.strip_prefix("api/").unwrap_or(p).trim_matches('/')
    }
}

/// One field of every object `endpoint` (e.g. `/api/tickets`, or
/// `/api/views/{id}/items`) serves: removed when `add` is `None`, else set
/// to that value.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEdit {
    pub endpoint: String,
    pub field: String,
    pub add: Option<Value>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            tickets: 1000,
            seed: 42,
            domain: "acme".to_string(),
            email: "sandbox@example.com".to_string(),
            api_key: "sandbox-api-key".to_string(),
            port: 0,
            rate_limit: None,
            faults: None,
            lenient: false,
            field_edits: Vec::new(),
            changes: Vec::new(),
            lists_without_custom_fields: false,
        }
    }
}

/// A leaky bucket of `limit` requests draining at `limit / window` per second,
/// like Gorgias's per-account limit (40 per 20 s for API keys).
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimit {
    pub limit: u32,
    pub window: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            limit: 40,
            window: Duration::from_secs(20),
        }
    }
}

/// Random infrastructure failures on `/api` requests, each request failing
/// with probability `rate`, drawn from a PRNG seeded with `seed`.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    pub rate: f64,
    pub seed: u64,
    /// Chosen uniformly per faulted request; an empty list means no faults.
    pub kinds: Vec<FaultKind>,
}

impl Faults {
    /// Every kind, with `slow` as the delay of `FaultKind::Slow`.
    pub fn all_kinds(rate: f64, seed: u64, slow: Duration) -> Faults {
        Faults {
            rate,
            seed,
            kinds: FaultKind::all(slow),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    Status500,
    Status502,
    Status503,
    Status504,
    /// Close the socket without answering.
    Reset,
    /// Promise the full Content-Length, send half the body, close.
    Truncated,
    /// Answer normally after this delay.
    Slow(Duration),
    /// 200 with an HTML page, as a captive portal or a misrouted proxy would.
    HtmlOk,
}

impl FaultKind {
    pub fn all(slow: Duration) -> Vec<FaultKind> {
        vec![
            FaultKind::Status500,
            FaultKind::Status502,
            FaultKind::Status503,
            FaultKind::Status504,
            FaultKind::Reset,
            FaultKind::Truncated,
            FaultKind::Slow(slow),
            FaultKind::HtmlOk,
        ]
    }
}

/// One request as the sandbox saw it. `status` is 0 when no complete response
/// was sent (reset or truncated faults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

/// Changes to apply to the live dataset; each count is how many objects to
/// touch. `seed` picks which ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mutation {
    pub seed: u64,
    pub update_tickets: usize,
    pub add_tags: usize,
    pub remove_tags: usize,
    pub add_messages: usize,
    pub score_surveys: usize,
    pub new_tickets: usize,
    pub update_users: usize,
    /// Changes note and language, bumping `updated_datetime`.
    pub update_customers: usize,
    /// Hard deletes, with their messages and surveys; a `ticket-deleted`
    /// event each.
    pub delete_tickets: usize,
    /// Hard deletes among customers without tickets; a `customer-deleted`
    /// event each.
    pub delete_customers: usize,
    /// Tickets, and as many customers, whose custom-field values change:
    /// one value changed, one removed.
    pub update_custom_fields: usize,
}

/// Ids touched or created by a mutation, each list sorted and deduplicated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MutationSummary {
    pub ticket_ids: Vec<i64>,
    pub message_ids: Vec<i64>,
    pub survey_ids: Vec<i64>,
    pub user_ids: Vec<i64>,
    pub customer_ids: Vec<i64>,
    pub deleted_ticket_ids: Vec<i64>,
    pub deleted_customer_ids: Vec<i64>,
}

pub(crate) struct Shared {
    pub(crate) cfg: SandboxConfig,
    pub(crate) store: Mutex<data::Store>,
    pub(crate) log: Mutex<Vec<RequestRecord>>,
    pub(crate) bucket: Option<Mutex<http::Bucket>>,
    pub(crate) faults: Option<Mutex<http::FaultState>>,
    pub(crate) shutdown: AtomicBool,
    pub(crate) conns: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) next_conn: AtomicU64,
    /// Bearer tokens the API accepts: the OAuth app's first token and every
    /// one `/oauth/token` has issued since.
    pub(crate) tokens: Mutex<Vec<String>>,
    /// Pages served so far per list path, for the change cues.
    pub(crate) pages_served: Mutex<HashMap<String, u32>>,
}

impl Shared {
    /// After a page of the list `name` was served: the changes cued for
    /// right after it.
    pub(crate) fn page_served(&self, store: &mut data::Store, name: &str, coll: item::Coll) {
        if self.cfg.changes.is_empty() {
            return;
        }
        let served = {
            let mut pages = lock(&self.pages_served);
            let n = pages.entry(name.to_string()).or_default();
            *n += 1;
            *n
        };
        for cue in &self.cfg.changes {
            if cue.list() == name && cue.after_page == served {
                store.touch_spread(coll, cue.objects);
            }
        }
    }
}

/// The sandbox's OAuth2 app: a valid access token, and the refresh token
/// and client credentials `/oauth/token` exchanges for new ones.
pub const OAUTH_ACCESS_TOKEN: &str = "sandbox-oauth-access-token";
pub const OAUTH_REFRESH_TOKEN: &str = "sandbox-oauth-refresh-token";
pub const OAUTH_CLIENT_ID: &str = "sandbox-oauth-client";
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-oauth-client-secret";

/// A poisoned lock only means a handler thread panicked; the data it guards
/// is still the best we have, and a test harness should keep serving.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running sandbox; it stops serving when shut down or dropped.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl Sandbox {
    pub fn start(mut cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        if cfg.lists_without_custom_fields {
            for endpoint in ["/api/tickets", "/api/customers"] {
                cfg.field_edits.push(FieldEdit {
                    endpoint: endpoint.to_string(),
                    field: "custom_fields".to_string(),
                    add: None,
                });
            }
        }
        let listener = TcpListener::bind(("127.0.0.1", cfg.port))?;
        let addr = listener.local_addr()?;
        let store = data::Store::generate(&cfg);
        let shared = Arc::new(Shared {
            bucket: cfg
                .rate_limit
                .clone()
                .map(|r| Mutex::new(http::Bucket::new(r))),
            faults: cfg
                .faults
                .clone()
                .map(|f| Mutex::new(http::FaultState::new(f))),
            cfg,
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
            shutdown: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            tokens: Mutex::new(vec![OAUTH_ACCESS_TOKEN.to_string()]),
            pages_served: Mutex::new(HashMap::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("sandbox-accept".into())
                .spawn(move || http::accept_loop(listener, shared))?
        };
        Ok(Sandbox {
            shared,
            addr,
            accept: Some(accept),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// The objects of `collection` exactly as the list endpoint serves them,
    /// in ascending id order; empty for an unknown collection.
    pub fn snapshot(&self, collection: &str) -> Vec<Value> {
        lock(&self.shared.store).snapshot(collection)
    }

    pub fn mutate(&self, m: &Mutation) -> MutationSummary {
        lock(&self.shared.store).mutate(m)
    }

    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // accept() has no timeout: a throwaway connection wakes it so it can
        // see the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = accept.join();
        for (_, conn) in lock(&self.shared.conns).drain() {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;
