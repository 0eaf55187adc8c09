//! The settings as users write them: [`RawConfig`] is at once the list of
//! keys serde reads and the Airbyte spec (each field's doc comment is its
//! description), and each number setting's range and default is written
//! once beside it.

use super::auth::RawCredentials;
use super::written::AsWritten;
use super::CONNECTOR_LABEL;
use crate::schema::schema_for;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// A number setting's range and default, written once: the spec's
/// attributes below and the parser both read them, so they cannot drift.
pub struct Setting<T> {
    pub min: T,
    pub max: T,
    pub default: T,
}

pub const MESSAGES_LOOKBACK_DAYS: Setting<i64> = Setting {
    min: 0,
    max: 365,
    default: 3,
};
pub const SURVEYS_LOOKBACK_DAYS: Setting<i64> = Setting {
    min: 0,
    max: 365,
    default: 30,
};
pub const PAGE_SIZE: Setting<i64> = Setting {
    min: 1,
    max: 100,
    default: 100,
};
pub const RATE_SHARE: Setting<f64> = Setting {
    min: 0.05,
    max: 1.0,
    default: 1.0,
};

// The config as written, after the other connectors' forms are moved onto
// these keys: serde reads it (this struct is the parser's list of keys, and
// the spec's), then `Config::try_from` validates each value. A value is kept
// as the JSON it was (`AsWritten`) so that a wrong one is refused with a
// sentence naming its field, not serde's. (Not a doc comment: the doc
// comment is the spec's description.)
/// # Gorgias (Rust) Spec
/// The Rust Gorgias connector (source-gorgias and tap-gorgias in one
/// package), not Airbyte's own Gorgias source, which has the same image name.
/// Reads a Gorgias helpdesk account with a REST API key or OAuth2.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RawConfig {
    /// # Gorgias domain
    /// The account's subdomain, as in https://<domain>.gorgias.com. `acme`,
    /// `acme.gorgias.com` and `https://acme.gorgias.com/api/` are all accepted.
    #[schemars(extend("order" = 0, "examples" = ["acme", "acme.gorgias.com"]))]
    pub(super) domain: AsWritten<String>,
    /// # Authentication
    /// A REST API key (private apps) or an OAuth2 access token (public apps).
    #[schemars(extend("order" = 1))]
    pub(super) credentials: AsWritten<RawCredentials>,
    /// # Start date
    /// Records created or updated before this instant are left out (tickets,
    /// ticket tags, ticket custom field values, ticket messages, satisfaction
    /// surveys, customers, customer custom field values, events, macros,
    /// jobs). RFC 3339 or YYYY-MM-DD, UTC. Leave empty to read the whole
    /// history.
    #[schemars(extend("order" = 3, "examples" = ["2024-01-01", "2024-01-01T00:00:00Z"]))]
    pub(super) start_date: Option<AsWritten<String>>,
    /// # Ticket messages lookback (days)
    /// Messages are listed by creation time only, so each incremental read
    /// re-reads this many days before its bookmark to pick up late changes.
    #[schemars(extend("order" = 4), range(min = MESSAGES_LOOKBACK_DAYS.min, max = MESSAGES_LOOKBACK_DAYS.max), extend("default" = MESSAGES_LOOKBACK_DAYS.default))]
    pub(super) ticket_messages_lookback_days: Option<AsWritten<u32>>,
    /// # Satisfaction surveys lookback (days)
    /// Surveys are listed by creation time only and are scored days after
    /// they are created: each incremental read re-reads this many days.
    #[schemars(extend("order" = 5), range(min = SURVEYS_LOOKBACK_DAYS.min, max = SURVEYS_LOOKBACK_DAYS.max), extend("default" = SURVEYS_LOOKBACK_DAYS.default))]
    pub(super) satisfaction_surveys_lookback_days: Option<AsWritten<u32>>,
    /// # Page size
    /// Records per request (the API allows at most 100; fewer only spends more
    /// of the rate limit).
    #[schemars(extend("order" = 6), range(min = PAGE_SIZE.min, max = PAGE_SIZE.max), extend("default" = PAGE_SIZE.default))]
    pub(super) page_size: Option<AsWritten<u32>>,
    /// # Share of the rate limit
    /// The fraction of the account's API rate limit this sync may use, so
    /// other apps on the account keep their room (1.0 = all of it).
    #[schemars(extend("order" = 7), range(min = RATE_SHARE.min, max = RATE_SHARE.max), extend("default" = RATE_SHARE.default))]
    pub(super) max_rate_share: Option<AsWritten<f64>>,
    /// # User roles
    /// Read only users with these roles (Daasity reads admin and agent);
    /// empty reads every user.
    #[schemars(extend("order" = 8))]
    pub(super) user_roles: Option<AsWritten<Vec<UserRole>>>,
    /// # Emit deletions
    /// Read hard deletions of tickets and customers from /api/events and emit
    /// them as rows with `_ab_cdc_deleted_at` set, which deduplicating
    /// destinations apply.
    #[schemars(extend("order" = 9), extend("default" = false))]
    pub(super) emit_deletes: Option<AsWritten<bool>>,
    /// # API base URL
    /// Override of https://<domain>.gorgias.com/api, for a proxy or the bundled
    /// sandbox. Plain http is accepted only for loopback hosts.
    #[schemars(extend("order" = 10, "examples" = ["http://127.0.0.1:8910/api"]))]
    pub(super) base_url: Option<AsWritten<String>>,
    /// # View ids
    /// Read `view_items` only for these views (their ids; `probe` lists
    /// every view with its name and id). Each view is read whole on every
    /// sync, one request per page of its tickets, so a view holding most
    /// tickets ("All", "Closed") costs as much as reading the tickets
    /// again. Empty reads every view.
    #[schemars(extend("order" = 11, "examples" = [[12, 34]]), inner(range(min = 1)))]
    pub(super) view_ids: Option<AsWritten<Vec<u64>>>,
    /// The flat form of the API key credentials (Airbyte's and ingestr's
    /// configs, and ours before `credentials`): not in the spec.
    #[schemars(skip)]
    pub(super) email: Option<AsWritten<String>>,
    #[schemars(skip)]
    pub(super) api_key: Option<AsWritten<String>>,
    /// Test knob (not in the spec): see [`Config::backoff_base_ms`].
    #[schemars(skip)]
    pub(super) backoff_base_ms: Option<AsWritten<u64>>,
    /// Test knob (not in the spec): see [`Config::retry_budget_ms`].
    #[schemars(skip)]
    pub(super) retry_budget_ms: Option<AsWritten<u64>>,
    /// Test knob (not in the spec): see [`Config::large_view_items`].
    #[schemars(skip)]
    pub(super) large_view_items: Option<AsWritten<u64>>,
}

/// The roles `/api/users` filters on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub(super) enum UserRole {
    Admin,
    Agent,
    BasicAgent,
    LiteAgent,
    ObserverAgent,
    InternalAgent,
    Bot,
}

pub(super) const USER_ROLES: &[&str] = &[
    "admin",
    "agent",
    "basic-agent",
    "lite-agent",
    "observer-agent",
    "internal-agent",
    "bot",
];

/// Items past which a view's cost is worth a warning.
pub(super) const LARGE_VIEW_ITEMS: u64 = 10_000;

/// The spec's `connectionSpecification`, generated from [`RawConfig`]: in
/// the core, because the docs quote it as well as the Airbyte face.
pub fn connection_specification() -> Value {
    let mut schema = schema_for::<RawConfig>();
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        o.insert("title".into(), json!(format!("{CONNECTOR_LABEL} Spec")));
        // Unknown keys are allowed: Airbyte adds its own, and configs
        // written for other Gorgias connectors carry theirs.
        o.insert("additionalProperties".into(), json!(true));
        // Airbyte's form builder (and CAT) want a oneOf under an object type.
        if let Some(c) = o
            .get_mut("properties")
            .and_then(|p| p.get_mut("credentials"))
        {
            c["type"] = json!("object");
        }
    }
    schema
}
