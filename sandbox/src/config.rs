//! What shapes a sandbox (its config, rate limit, faults, field edits and
//! change cues) and what it reports (requests seen, mutations made): the
//! public types, below everything that serves them.

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
    pub(crate) fn list(&self) -> &str {
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

/// The sandbox's OAuth2 app: a valid access token, and the refresh token
/// and client credentials `/oauth/token` exchanges for new ones.
pub const OAUTH_ACCESS_TOKEN: &str = "sandbox-oauth-access-token";
pub const OAUTH_REFRESH_TOKEN: &str = "sandbox-oauth-refresh-token";
pub const OAUTH_CLIENT_ID: &str = "sandbox-oauth-client";
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-oauth-client-secret";
