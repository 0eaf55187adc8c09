//! The settings, declared once: the `settings!` list below makes
//! [`RawConfig`] (the keys serde reads, and the Airbyte spec: each key's doc
//! comment is its description), the validated [`Config`], and the validation
//! between them. Each number setting's range and default is written once
//! beside the list.

use super::auth::{parse_auth, Auth, RawCredentials};
use super::validators::{base_url, instant, normalize_domain, parse_roles, parse_view_ids};
use super::written::{
    flag, int_setting, optional_int, required_string, share_setting, AsWritten, Setting, Written,
};
use crate::error::{Error, Result};
use crate::schema::schema_for;
use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

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

/// The connector's name wherever a user meets it (spec title, registry
/// metadata, Meltano): `source-gorgias` alone is also Airbyte's own
/// connector, and a user sent to that one's docs configures the wrong thing.
pub const CONNECTOR_LABEL: &str = "Gorgias (Rust)";

/// This connector's own documentation (README), from Cargo.toml's
/// `repository`: the spec's `documentationUrl`, the registry metadata, the
/// Meltano plugin definition. Publishing under another repository is a
/// one-line change there.
pub const DOCUMENTATION_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#readme");

/// Declares the settings once: each entry is a key as users write it (its
/// doc comment and attributes are the spec's), and, for the keys the core
/// reads, the validated field and the expression that reads it. The macro
/// makes [`RawConfig`], [`Config`] and the validation from that one list,
/// so a setting cannot be in the spec and not read, or read and not in it.
/// Entries are validated in the order written (the first refusal is the one
/// a user sees). A reader sees its entry's value as written and its key
/// under the names the list's first line gives them, and may use the
/// fields validated before it.
macro_rules! settings {
    (
        $raw:ident, $value:ident, $name:ident;
        $(#[$raw_attr:meta])* pub struct $Raw:ident;
        $(#[$config_attr:meta])* pub struct $Config:ident;
        $(
            $(#[$attr:meta])*
            $key:ident: $written:ty
            $(=> $(#[$doc:meta])* $field:ident: $ty:ty = $read:expr)?;
        )*
    ) => {
        $(#[$raw_attr])*
        pub struct $Raw {
            $($(#[$attr])* pub(super) $key: $written,)*
        }

        $(#[$config_attr])*
        pub struct $Config {
            $($($(#[$doc])* pub $field: $ty,)?)*
        }

        impl TryFrom<$Raw> for $Config {
            type Error = Error;

            /// Validates every value; each refusal is one sentence naming the field.
            fn try_from($raw: $Raw) -> Result<$Config> {
                $($(
                    let $field: $ty = {
                        #[allow(unused_variables)]
                        let ($value, $name) = ($raw.$key.written(), stringify!($key));
                        $read
                    };
                )?)*
                Ok($Config { $($($field,)?)* })
            }
        }
    };
}

settings! {
    // The names the readers below use: the config as written, and an
    // entry's value as written and its key.
    raw, value, key;
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
    pub struct RawConfig;
    /// Validated configuration: every field is known good.
    #[derive(Debug, Clone)]
    pub struct Config;

    /// # Gorgias domain
    /// The account's subdomain, as in https://<domain>.gorgias.com. `acme`,
    /// `acme.gorgias.com` and `https://acme.gorgias.com/api/` are all accepted.
    #[schemars(extend("order" = 0, "examples" = ["acme", "acme.gorgias.com"]))]
    domain: AsWritten<String> =>
        /// One DNS label: the account's subdomain, also the rows' `__source_id`.
        domain: String = normalize_domain(&required_string(value, key)?)?;
    /// # Authentication
    /// A REST API key (private apps) or an OAuth2 access token (public apps).
    #[schemars(extend("order" = 1))]
    credentials: AsWritten<RawCredentials> =>
        auth: Auth = parse_auth(value, raw.email.written(), raw.api_key.written())?;
    /// The flat form of the API key credentials (Airbyte's and ingestr's
    /// configs, and ours before `credentials`): not in the spec.
    #[schemars(skip)]
    email: Option<AsWritten<String>>;
    #[schemars(skip)]
    api_key: Option<AsWritten<String>>;
    /// # Start date
    /// Records created or updated before this instant are left out (tickets,
    /// ticket tags, ticket custom field values, ticket messages, satisfaction
    /// surveys, customers, customer custom field values, events, macros,
    /// jobs). RFC 3339 or YYYY-MM-DD, UTC. Leave empty to read the whole
    /// history.
    #[schemars(extend("order" = 3, "examples" = ["2024-01-01", "2024-01-01T00:00:00Z"]))]
    start_date: Option<AsWritten<String>> =>
        start_date: Option<DateTime<Utc>> = instant(value, key)?;
    /// # Ticket messages lookback (days)
    /// Messages are listed by creation time only, so each incremental read
    /// re-reads this many days before its bookmark to pick up late changes.
    #[schemars(extend("order" = 4), range(min = MESSAGES_LOOKBACK_DAYS.min, max = MESSAGES_LOOKBACK_DAYS.max), extend("default" = MESSAGES_LOOKBACK_DAYS.default))]
    ticket_messages_lookback_days: Option<AsWritten<u32>> =>
        messages_lookback: Duration =
            Duration::days(int_setting(value, key, &MESSAGES_LOOKBACK_DAYS)?);
    /// # Satisfaction surveys lookback (days)
    /// Surveys are listed by creation time only and are scored days after
    /// they are created: each incremental read re-reads this many days.
    #[schemars(extend("order" = 5), range(min = SURVEYS_LOOKBACK_DAYS.min, max = SURVEYS_LOOKBACK_DAYS.max), extend("default" = SURVEYS_LOOKBACK_DAYS.default))]
    satisfaction_surveys_lookback_days: Option<AsWritten<u32>> =>
        surveys_lookback: Duration =
            Duration::days(int_setting(value, key, &SURVEYS_LOOKBACK_DAYS)?);
    /// # Page size
    /// Records per request (the API allows at most 100; fewer only spends more
    /// of the rate limit).
    #[schemars(extend("order" = 6), range(min = PAGE_SIZE.min, max = PAGE_SIZE.max), extend("default" = PAGE_SIZE.default))]
    page_size: Option<AsWritten<u32>> =>
        page_size: u32 = int_setting(value, key, &PAGE_SIZE)? as u32;
    /// # Share of the rate limit
    /// The fraction of the account's API rate limit this sync may use, so
    /// other apps on the account keep their room (1.0 = all of it).
    #[schemars(extend("order" = 7), range(min = RATE_SHARE.min, max = RATE_SHARE.max), extend("default" = RATE_SHARE.default))]
    max_rate_share: Option<AsWritten<f64>> =>
        max_rate_share: f64 = share_setting(value, key, &RATE_SHARE)?;
    /// # API base URL
    /// Override of https://<domain>.gorgias.com/api, for a proxy or the bundled
    /// sandbox. Plain http is accepted only for loopback hosts.
    #[schemars(extend("order" = 10, "examples" = ["http://127.0.0.1:8910/api"]))]
    base_url: Option<AsWritten<String>> =>
        /// Without a trailing slash: `https://acme.gorgias.com/api`.
        base_url: String = base_url(value, &domain)?;
    /// # User roles
    /// Read only users with these roles (Daasity reads admin and agent);
    /// empty reads every user.
    #[schemars(extend("order" = 8))]
    user_roles: Option<AsWritten<Vec<UserRole>>> =>
        /// Only users with these roles (the API's `roles[]`); empty reads all.
        user_roles: Vec<String> = parse_roles(value)?;
    /// # Emit deletions
    /// Read hard deletions of tickets and customers from /api/events and emit
    /// them as rows with `_ab_cdc_deleted_at` set, which deduplicating
    /// destinations apply.
    #[schemars(extend("order" = 9), extend("default" = false))]
    emit_deletes: Option<AsWritten<bool>> =>
        /// Read `/api/events` deletions and emit `_ab_cdc_deleted_at` rows.
        emit_deletes: bool = flag(value, key)?;
    #[schemars(skip)]
    backoff_base_ms: Option<AsWritten<u64>> =>
        /// Test knob (not in the spec): the first retry backoff, so fault tests
        /// run in milliseconds instead of seconds.
        backoff_base_ms: Option<u64> =
            optional_int(value, key, 0, 60_000)?.map(|n| n as u64);
    #[schemars(skip)]
    retry_budget_ms: Option<AsWritten<u64>> =>
        /// Test knob (not in the spec): the whole retry budget of one request
        /// (15 minutes by default), so the bound can be tested in seconds.
        retry_budget_ms: Option<u64> =
            optional_int(value, key, 1, 3_600_000)?.map(|n| n as u64);
    /// # View ids
    /// Read `view_items` only for these views (their ids; `probe` lists
    /// every view with its name and id). Each view is read whole on every
    /// sync, one request per page of its tickets, so a view holding most
    /// tickets ("All", "Closed") costs as much as reading the tickets
    /// again. Empty reads every view.
    #[schemars(extend("order" = 11, "examples" = [[12, 34]]), inner(range(min = 1)))]
    view_ids: Option<AsWritten<Vec<u64>>> =>
        /// The views whose items `view_items` reads; empty reads every view.
        view_ids: Vec<i64> = parse_view_ids(value)?;
    #[schemars(skip)]
    large_view_items: Option<AsWritten<u64>> =>
        /// A view with more items than this is named in a warning: every sync
        /// reads it whole. 10,000 (one hundred requests), or a test's smaller
        /// number (not in the spec).
        large_view_items: u64 =
            optional_int(value, key, 1, i64::MAX)?.map_or(LARGE_VIEW_ITEMS, |n| n as u64);
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

/// Items past which a view's cost is worth a warning.
const LARGE_VIEW_ITEMS: u64 = 10_000;

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
