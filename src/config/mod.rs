//! The connector's configuration: the raw form users write (which also
//! generates the Airbyte spec), and the validated [`Config`] the core uses.
//! Raw values are checked once, here, and every refusal is one sentence that
//! names the field and says what to write instead.

use crate::datetime;
use crate::error::{quote, Error, Result};
use crate::schema::schema_for;
use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use serde_json::{Map, Value};
use std::fmt;

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

/// The connector's name wherever a user meets it (spec title, registry
/// metadata, Meltano): `source-gorgias` alone is also Airbyte's own
/// connector, and a user sent to that one's docs configures the wrong thing.
pub const CONNECTOR_LABEL: &str = "Gorgias (Rust)";

/// This connector's own documentation (README), from Cargo.toml's
/// `repository`: the spec's `documentationUrl`, the registry metadata, the
/// Meltano plugin definition. Publishing under another repository is a
/// one-line change there.
pub const DOCUMENTATION_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#readme");

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
    domain: AsWritten<String>,
    /// # Authentication
    /// A REST API key (private apps) or an OAuth2 access token (public apps).
    #[schemars(extend("order" = 1))]
    credentials: AsWritten<RawCredentials>,
    /// # Start date
    /// Records created or updated before this instant are left out (tickets,
    /// ticket tags, ticket custom field values, ticket messages, satisfaction
    /// surveys, customers, customer custom field values, events, macros,
    /// jobs). RFC 3339 or YYYY-MM-DD, UTC. Leave empty to read the whole
    /// history.
    #[schemars(extend("order" = 3, "examples" = ["2024-01-01", "2024-01-01T00:00:00Z"]))]
    start_date: Option<AsWritten<String>>,
    /// # Ticket messages lookback (days)
    /// Messages are listed by creation time only, so each incremental read
    /// re-reads this many days before its bookmark to pick up late changes.
    #[schemars(extend("order" = 4), range(min = MESSAGES_LOOKBACK_DAYS.min, max = MESSAGES_LOOKBACK_DAYS.max), extend("default" = MESSAGES_LOOKBACK_DAYS.default))]
    ticket_messages_lookback_days: Option<AsWritten<u32>>,
    /// # Satisfaction surveys lookback (days)
    /// Surveys are listed by creation time only and are scored days after
    /// they are created: each incremental read re-reads this many days.
    #[schemars(extend("order" = 5), range(min = SURVEYS_LOOKBACK_DAYS.min, max = SURVEYS_LOOKBACK_DAYS.max), extend("default" = SURVEYS_LOOKBACK_DAYS.default))]
    satisfaction_surveys_lookback_days: Option<AsWritten<u32>>,
    /// # Page size
    /// Records per request (the API allows at most 100; fewer only spends more
    /// of the rate limit).
    #[schemars(extend("order" = 6), range(min = PAGE_SIZE.min, max = PAGE_SIZE.max), extend("default" = PAGE_SIZE.default))]
    page_size: Option<AsWritten<u32>>,
    /// # Share of the rate limit
    /// The fraction of the account's API rate limit this sync may use, so
    /// other apps on the account keep their room (1.0 = all of it).
    #[schemars(extend("order" = 7), range(min = RATE_SHARE.min, max = RATE_SHARE.max), extend("default" = RATE_SHARE.default))]
    max_rate_share: Option<AsWritten<f64>>,
    /// # User roles
    /// Read only users with these roles (Daasity reads admin and agent);
    /// empty reads every user.
    #[schemars(extend("order" = 8))]
    user_roles: Option<AsWritten<Vec<UserRole>>>,
    /// # Emit deletions
    /// Read hard deletions of tickets and customers from /api/events and emit
    /// them as rows with `_ab_cdc_deleted_at` set, which deduplicating
    /// destinations apply.
    #[schemars(extend("order" = 9), extend("default" = false))]
    emit_deletes: Option<AsWritten<bool>>,
    /// # API base URL
    /// Override of https://<domain>.gorgias.com/api, for a proxy or the bundled
    /// sandbox. Plain http is accepted only for loopback hosts.
    #[schemars(extend("order" = 10, "examples" = ["http://127.0.0.1:8910/api"]))]
    base_url: Option<AsWritten<String>>,
    /// # View ids
    /// Read `view_items` only for these views (their ids; `probe` lists
    /// every view with its name and id). Each view is read whole on every
    /// sync, one request per page of its tickets, so a view holding most
    /// tickets ("All", "Closed") costs as much as reading the tickets
    /// again. Empty reads every view.
    #[schemars(extend("order" = 11, "examples" = [[12, 34]]), inner(range(min = 1)))]
    view_ids: Option<AsWritten<Vec<u64>>>,
    /// The flat form of the API key credentials (Airbyte's and ingestr's
    /// configs, and ours before `credentials`): not in the spec.
    #[schemars(skip)]
    email: Option<AsWritten<String>>,
    #[schemars(skip)]
    api_key: Option<AsWritten<String>>,
    /// Test knob (not in the spec): see [`Config::backoff_base_ms`].
    #[schemars(skip)]
    backoff_base_ms: Option<AsWritten<u64>>,
    /// Test knob (not in the spec): see [`Config::retry_budget_ms`].
    #[schemars(skip)]
    retry_budget_ms: Option<AsWritten<u64>>,
    /// Test knob (not in the spec): see [`Config::large_view_items`].
    #[schemars(skip)]
    large_view_items: Option<AsWritten<u64>>,
}

/// A config value as it was written, read by serde whatever its JSON type
/// (absent and null are both "not set"), and described in the spec as the
/// `T` it must be: validation, with its own sentences, comes after.
#[derive(Debug, Clone, Default)]
pub struct AsWritten<T> {
    value: Option<Value>,
    _spec: std::marker::PhantomData<T>,
}

impl<T> AsWritten<T> {
    fn get(&self) -> Option<&Value> {
        self.value.as_ref().filter(|v| !v.is_null())
    }
}

/// The value of an optional field, if it was written.
fn written<T>(field: &Option<AsWritten<T>>) -> Option<&Value> {
    field.as_ref().and_then(AsWritten::get)
}

impl<'de, T> Deserialize<'de> for AsWritten<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Through `Option`, so that a missing required key (`domain`) reads
        // as not set, to be refused with our sentence, not serde's.
        Ok(AsWritten {
            value: Option::<Value>::deserialize(d)?,
            _spec: std::marker::PhantomData,
        })
    }
}

impl<T: JsonSchema> JsonSchema for AsWritten<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// How the connector signs in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "auth_type")]
#[allow(dead_code)]
enum RawCredentials {
    /// # REST API key
    /// HTTP Basic with the e-mail of a Gorgias user and its REST API key
    /// (Settings → REST API). The key acts with that user's permissions: an
    /// admin key sees every stream.
    #[serde(rename = "api_key")]
    ApiKey {
        /// # Account e-mail
        /// The e-mail of the Gorgias user who owns the API key.
        #[schemars(extend("order" = 0, "examples" = ["data@acme.com"]))]
        email: String,
        /// # REST API key
        /// The REST API key shown beside the e-mail in Gorgias (Settings → REST API).
        #[schemars(extend("order" = 1, "airbyte_secret" = true))]
        api_key: String,
    },
    /// # OAuth2
    /// A Gorgias OAuth2 app's access token (Bearer). With a refresh token and
    /// the app's client id and secret, the token is refreshed before it
    /// expires.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// # Access token
        /// The app's access token for this account; Airbyte's OAuth flow fills it.
        #[schemars(extend("order" = 0, "airbyte_secret" = true))]
        access_token: String,
        /// # Access token expiry
        /// When the access token expires (RFC 3339); it is refreshed 5 minutes before.
        #[schemars(extend("order" = 1))]
        token_expiry_date: Option<String>,
        /// # Refresh token
        /// Gets a new access token when this one expires (the `offline` scope);
        /// needs the client id and secret.
        #[schemars(extend("order" = 2, "airbyte_secret" = true))]
        refresh_token: Option<String>,
        /// # Client id
        /// The OAuth2 app's client id (Gorgias Developer Portal).
        #[schemars(extend("order" = 3))]
        client_id: Option<String>,
        /// # Client secret
        /// The OAuth2 app's client secret.
        #[schemars(extend("order" = 4, "airbyte_secret" = true))]
        client_secret: Option<String>,
    },
}

/// The roles `/api/users` filters on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum UserRole {
    Admin,
    Agent,
    BasicAgent,
    LiteAgent,
    ObserverAgent,
    InternalAgent,
    Bot,
}

const USER_ROLES: &[&str] = &[
    "admin",
    "agent",
    "basic-agent",
    "lite-agent",
    "observer-agent",
    "internal-agent",
    "bot",
];

/// How requests are signed.
#[derive(Debug, Clone)]
pub enum Auth {
    /// HTTP Basic: e-mail and REST API key.
    ApiKey { email: String, api_key: Secret },
    /// OAuth2 Bearer token, refreshable when the app's credentials are given.
    OAuth {
        access_token: Secret,
        expires_at: Option<DateTime<Utc>>,
        refresh: Option<OAuthRefresh>,
    },
}

#[derive(Debug, Clone)]
pub struct OAuthRefresh {
    pub refresh_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
}

/// A secret that never prints: its Debug and Display are a mask, so it cannot
/// reach a log line or an error chain by accident, and making one remembers
/// it for the redactor, so it cannot reach output through text either.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        crate::error::remember_secret(&s);
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Validated configuration: every field is known good.
#[derive(Debug, Clone)]
pub struct Config {
    /// One DNS label: the account's subdomain, also the rows' `__source_id`.
    pub domain: String,
    pub auth: Auth,
    pub start_date: Option<DateTime<Utc>>,
    pub messages_lookback: Duration,
    pub surveys_lookback: Duration,
    pub page_size: u32,
    pub max_rate_share: f64,
    /// Without a trailing slash: `https://acme.gorgias.com/api`.
    pub base_url: String,
    /// Test knob (not in the spec): the first retry backoff, so fault tests
    /// run in milliseconds instead of seconds.
    pub backoff_base_ms: Option<u64>,
    /// Test knob (not in the spec): the whole retry budget of one request
    /// (15 minutes by default), so the bound can be tested in seconds.
    pub retry_budget_ms: Option<u64>,
    /// Only users with these roles (the API's `roles[]`); empty reads all.
    pub user_roles: Vec<String>,
    /// Read `/api/events` deletions and emit `_ab_cdc_deleted_at` rows.
    pub emit_deletes: bool,
    /// The views whose items `view_items` reads; empty reads every view.
    pub view_ids: Vec<i64>,
    /// A view with more items than this is named in a warning: every sync
    /// reads it whole. 10,000 (one hundred requests), or a test's smaller
    /// number (not in the spec).
    pub large_view_items: u64,
}

impl Config {
    /// Reads a config from the bytes of a config file.
    pub fn from_slice(bytes: &[u8]) -> Result<Config> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            Error::config(format!(
                "The config file is not valid JSON ({}): write it as a JSON object such as {{\"domain\": \"acme\", \"email\": \"…\", \"api_key\": \"…\"}}.",
                short_json_error(&e)
            ))
        })?;
        Config::from_value(&value)
    }

    /// Reads a config in the spec's form, and in the forms other Gorgias
    /// connectors' configs take (so they work unchanged): flat `email` and
    /// `api_key`; Airbyte's `domain_name`, `username`, `password`; ingestr's
    /// `uri` (`gorgias://<domain>?api_key=…&email=…`, or
    /// `gorgias://<email>:<key>@<domain>`); and a domain written
    /// `https://<email>:<key>@<domain>.gorgias.com`. Every value that is or
    /// may hold a secret is remembered for the redactor before any is parsed.
    pub fn from_value(value: &Value) -> Result<Config> {
        let obj = value.as_object().ok_or_else(|| {
            Error::config("The config must be a JSON object with `domain` and `credentials`.")
        })?;
        remember_secrets(obj);
        let mut obj = obj.clone();
        apply_aliases(&mut obj)?;
        let raw = RawConfig::deserialize(Value::Object(obj)).map_err(|_| {
            Error::config("The config must be a JSON object with `domain` and `credentials`.")
        })?;
        Config::try_from(raw)
    }
}

impl TryFrom<RawConfig> for Config {
    type Error = Error;

    /// Validates every value; each refusal is one sentence naming the field.
    fn try_from(raw: RawConfig) -> Result<Config> {
        let domain_raw = required_string(raw.domain.get(), "domain")?;
        let domain = normalize_domain(&domain_raw)?;
        let auth = parse_auth(
            raw.credentials.get(),
            written(&raw.email),
            written(&raw.api_key),
        )?;
        let start_date = match optional_string(written(&raw.start_date), "start_date")? {
            None => None,
            Some(s) => Some(datetime::parse_user(&s).ok_or_else(|| {
                Error::config(format!(
                    "Config field `start_date` is `{}`, which is not a date: write YYYY-MM-DD or an RFC 3339 instant such as 2024-01-01T00:00:00Z.",
                    quote(&s)
                ))
            })?),
        };
        let messages_lookback_days = int_setting(
            written(&raw.ticket_messages_lookback_days),
            "ticket_messages_lookback_days",
            &MESSAGES_LOOKBACK_DAYS,
        )?;
        let surveys_lookback_days = int_setting(
            written(&raw.satisfaction_surveys_lookback_days),
            "satisfaction_surveys_lookback_days",
            &SURVEYS_LOOKBACK_DAYS,
        )?;
        let page_size = int_setting(written(&raw.page_size), "page_size", &PAGE_SIZE)? as u32;
        let max_rate_share = optional_share(written(&raw.max_rate_share), "max_rate_share")?
            .unwrap_or(RATE_SHARE.default);
        let base_url = match optional_string(written(&raw.base_url), "base_url")? {
            None => format!("https://{domain}.gorgias.com/api"),
            Some(u) => validate_base_url(&u)?,
        };
        let user_roles = parse_roles(written(&raw.user_roles))?;
        let emit_deletes = match written(&raw.emit_deletes) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            Some(other) => {
                return Err(Error::config(format!(
                    "Config field `emit_deletes` must be true or false, not {}.",
                    type_name(other)
                )))
            }
        };
        Ok(Config {
            domain,
            auth,
            start_date,
            messages_lookback: Duration::days(messages_lookback_days),
            surveys_lookback: Duration::days(surveys_lookback_days),
            page_size,
            max_rate_share,
            base_url,
            backoff_base_ms: optional_int(
                written(&raw.backoff_base_ms),
                "backoff_base_ms",
                0,
                60_000,
            )?
            .map(|n| n as u64),
            retry_budget_ms: optional_int(
                written(&raw.retry_budget_ms),
                "retry_budget_ms",
                1,
                3_600_000,
            )?
            .map(|n| n as u64),
            user_roles,
            emit_deletes,
            view_ids: parse_view_ids(written(&raw.view_ids))?,
            large_view_items: optional_int(
                written(&raw.large_view_items),
                "large_view_items",
                1,
                i64::MAX,
            )?
            .map_or(LARGE_VIEW_ITEMS, |n| n as u64),
        })
    }
}

/// Remembers every value of the config that is, or may hold, a secret,
/// before any of it is parsed: a refusal of a misplaced value must not be
/// the one message that shows the key.
fn remember_secrets(obj: &Map<String, Value>) {
    const SECRET_KEYS: &[&str] = &[
        "api_key",
        "password",
        "access_token",
        "refresh_token",
        "client_secret",
    ];
    let creds = obj.get("credentials").and_then(Value::as_object);
    for map in std::iter::once(obj).chain(creds) {
        for (k, v) in map {
            if let Some(s) = v.as_str() {
                if SECRET_KEYS.contains(&k.as_str()) {
                    crate::error::remember_secret(s);
                }
                // ingestr's `uri` carries the key as a query value.
                if let Some((_, rest)) = s.split_once("api_key=") {
                    let key = rest.split('&').next().unwrap_or_default();
                    crate::error::remember_secret(key);
                    if let Some(decoded) = percent_decode(key) {
                        crate::error::remember_secret(&decoded);
                    }
                }
                // `uri`, `domain` and the like in the `user:key@host` form.
                if let Some((_, key)) = userinfo(s).and_then(|u| u.split_once(':')) {
                    crate::error::remember_secret(key);
                    if let Some(decoded) = percent_decode(key) {
                        crate::error::remember_secret(&decoded);
                    }
                }
            }
        }
    }
}

/// The `user:password` of a URL-like value (`scheme://user:password@host…`
/// or `user:password@host`), if it has one.
fn userinfo(s: &str) -> Option<&str> {
    let rest = s.trim().split_once("://").map_or(s.trim(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#', '&']).next()?;
    authority.rsplit_once('@').map(|(u, _)| u)
}

/// Splits `[scheme://]user:password@host[/…]` into the value without its
/// credentials and the decoded e-mail and key. `None` when the value has no
/// `@` in its host part or when the part before it is not `e-mail:key`.
fn split_credentials(s: &str) -> Option<(String, String, String)> {
    let trimmed = s.trim();
    let (scheme, rest) = match trimmed.split_once("://") {
        Some((sc, r)) => (format!("{sc}://"), r),
        None => (String::new(), trimmed),
    };
    let end = rest.find(['/', '?', '#', '&']).unwrap_or(rest.len());
    let (user, host) = rest[..end].rsplit_once('@')?;
    let (email, key) = user.split_once(':')?;
    let email = percent_decode(email)?;
    let key = percent_decode(key)?;
    if !email.contains('@') || key.is_empty() {
        return None;
    }
    Some((format!("{scheme}{host}{}", &rest[end..]), email, key))
}

/// Moves other connectors' key names onto ours, never over a key that is set.
fn apply_aliases(obj: &mut Map<String, Value>) -> Result<()> {
    if let Some(uri) = obj.get("uri").and_then(Value::as_str).map(str::to_string) {
        for (k, v) in parse_ingestr_uri(&uri)? {
            obj.entry(k).or_insert(Value::String(v));
        }
    }
    for (alias, ours) in [
        ("domain_name", "domain"),
        ("subdomain", "domain"),
        ("username", "email"),
        ("password", "api_key"),
    ] {
        if let Some(v) = obj.get(alias).cloned() {
            obj.entry(ours.to_string()).or_insert(v);
        }
    }
    // `https://user:key@acme.gorgias.com`: the credentials move to their
    // fields (unless set), the host stays the domain.
    if let Some(domain) = obj
        .get("domain")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        if let Some((host, email, key)) = split_credentials(&domain) {
            obj.insert("domain".into(), Value::String(host));
            if obj.get("credentials").is_none() {
                obj.entry("email").or_insert(Value::String(email));
                obj.entry("api_key").or_insert(Value::String(key));
            }
        }
    }
    Ok(())
}

/// `gorgias://<domain>?api_key=<key>&email=<email>`, as ingestr takes it, and
/// the forms people write for it: `&` for the `?`, and the credentials the
/// usual URI way, `gorgias://<email>:<key>@<domain>` (the `@` of the e-mail
/// written `%40`).
fn parse_ingestr_uri(uri: &str) -> Result<Vec<(String, String)>> {
    let bad = || {
        Error::config(
            "Config field `uri` is not a Gorgias URI: write gorgias://<domain>?api_key=<key>&email=<email>.",
        )
    };
    let rest = uri.trim().strip_prefix("gorgias://").ok_or_else(bad)?;
    let (mut authority, query) = rest
        .split_once('?')
        .or_else(|| rest.split_once('&'))
        .unwrap_or((rest, ""));
    let mut out = Vec::new();
    if let Some((user, host)) = authority.rsplit_once('@') {
        let (email, key) = user.split_once(':').ok_or_else(bad)?;
        out.push(("email".to_string(), percent_decode(email).ok_or_else(bad)?));
        out.push(("api_key".to_string(), percent_decode(key).ok_or_else(bad)?));
        authority = host;
    }
    out.insert(
        0,
        (
            "domain".to_string(),
            percent_decode(authority.trim_end_matches('/')).ok_or_else(bad)?,
        ),
    );
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(bad)?;
        let key = match k {
            "api_key" => "api_key",
            "email" => "email",
            _ => continue,
        };
        out.push((key.to_string(), percent_decode(v).ok_or_else(bad)?));
    }
    Ok(out)
}

/// A percent-encoded value (`+` a space) decoded, or `None` when it is not
/// well formed: a `%` without two hex digits, or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let escapes_ok = s.match_indices('%').all(|(i, _)| {
        s.get(i + 1..i + 3)
            .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if !escapes_ok {
        return None;
    }
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|d| d.into_owned())
}

fn check_email(email: &str, field: &str) -> Result<()> {
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(Error::config(format!(
            "Config field `{field}` is not an e-mail address: use the e-mail of the Gorgias user who owns the API key."
        )));
    }
    Ok(())
}

fn check_secret(secret: &str, field: &str) -> Result<()> {
    if secret.chars().any(|c| c.is_control()) {
        return Err(Error::config(format!(
            "Config field `{field}` contains control characters: paste it exactly as Gorgias shows it."
        )));
    }
    Ok(())
}

/// `credentials` in the spec's form, or the flat `email` + `api_key`.
fn parse_auth(
    credentials: Option<&Value>,
    email: Option<&Value>,
    api_key: Option<&Value>,
) -> Result<Auth> {
    let creds = match credentials {
        None => None,
        Some(Value::Object(c)) => Some(c),
        Some(other) => {
            return Err(Error::config(format!(
                "Config field `credentials` must be an object, not {}.",
                type_name(other)
            )))
        }
    };
    let Some(creds) = creds else {
        if email.is_none() && api_key.is_none() {
            return Err(Error::config(
                "Config field `credentials` is missing: set it with your `email` and REST `api_key` (or an OAuth2 `access_token`).",
            ));
        }
        let email = required_string(email, "email")?;
        check_email(&email, "email")?;
        let api_key = required_string(api_key, "api_key")?;
        check_secret(&api_key, "api_key")?;
        return Ok(Auth::ApiKey {
            email,
            api_key: Secret::new(api_key),
        });
    };
    let kind = optional_string(creds.get("auth_type"), "auth_type")?;
    let oauth = match kind.as_deref() {
        Some("oauth2") | Some("oauth2.0") | Some("oauth") => true,
        Some("api_key") => false,
        None => creds.contains_key("access_token"),
        Some(other) => {
            return Err(Error::config(format!(
                "Config field `credentials.auth_type` is `{}`: use `api_key` or `oauth2`.",
                quote(other)
            )))
        }
    };
    let field = |name: &str| format!("credentials.{name}");
    let required = |name: &str| -> Result<String> {
        optional_string(creds.get(name), name)
            .map_err(|_| Error::config(format!("Config field `{}` must be a string.", field(name))))?
            .ok_or_else(|| {
                Error::config(format!(
                    "Config field `{}` is missing or empty: set it (see the connector's spec for what it holds).",
                    field(name)
                ))
            })
    };
    if !oauth {
        let email = required("email")?;
        check_email(&email, &field("email"))?;
        let api_key = required("api_key")?;
        check_secret(&api_key, &field("api_key"))?;
        return Ok(Auth::ApiKey {
            email,
            api_key: Secret::new(api_key),
        });
    }
    let access_token = required("access_token")?;
    check_secret(&access_token, &field("access_token"))?;
    let expires_at = match optional_string(creds.get("token_expiry_date"), "token_expiry_date")? {
        None => None,
        Some(s) => Some(datetime::parse_user(&s).ok_or_else(|| {
            Error::config(format!(
                "Config field `credentials.token_expiry_date` is `{}`, which is not a date: write an RFC 3339 instant.",
                quote(&s)
            ))
        })?),
    };
    let refresh_token = optional_string(creds.get("refresh_token"), "refresh_token")?;
    let refresh = match refresh_token {
        None => None,
        Some(refresh_token) => {
            let client_id = required("client_id")?;
            let client_secret = required("client_secret")?;
            check_secret(&refresh_token, &field("refresh_token"))?;
            check_secret(&client_secret, &field("client_secret"))?;
            Some(OAuthRefresh {
                refresh_token: Secret::new(refresh_token),
                client_id,
                client_secret: Secret::new(client_secret),
            })
        }
    };
    Ok(Auth::OAuth {
        access_token: Secret::new(access_token),
        expires_at,
        refresh,
    })
}

/// A list setting as written: a JSON list, or a comma-separated string, as
/// Meltano and environment variables pass lists.
fn written_list(field: &str, what: &str, written: Option<&Value>) -> Result<Vec<Value>> {
    match written {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| Value::String(item.to_string()))
            .collect()),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be a list of {what}, not {}.",
            type_name(other)
        ))),
    }
}

fn parse_roles(written: Option<&Value>) -> Result<Vec<String>> {
    let list = written_list("user_roles", "roles", written)?;
    let mut roles = Vec::new();
    for r in list {
        match r.as_str() {
            Some(role) if USER_ROLES.contains(&role) => roles.push(role.to_string()),
            // The value as written, not its JSON (which the message's own
            // JSON would escape again).
            written => {
                return Err(Error::config(format!(
                    "Config field `user_roles` holds `{}`, which is not a Gorgias role: use {}.",
                    quote(&written.map_or_else(|| r.to_string(), str::to_string)),
                    USER_ROLES.join(", ")
                )))
            }
        }
    }
    Ok(roles)
}

/// Items past which a view's cost is worth a warning.
const LARGE_VIEW_ITEMS: u64 = 10_000;

fn parse_view_ids(written: Option<&Value>) -> Result<Vec<i64>> {
    let list = written_list("view_ids", "view ids", written)?;
    let mut ids = Vec::new();
    for v in list {
        let id = match &v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse::<i64>().ok(),
            _ => None,
        };
        match id.filter(|id| *id > 0) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => {
                return Err(Error::config(format!(
                    "Config field `view_ids` holds `{}`, which is not a view id: write the views' numeric ids, which the `probe` command lists with their names.",
                    quote(&v.as_str().map_or_else(|| v.to_string(), str::to_string))
                )))
            }
        }
    }
    Ok(ids)
}

fn short_json_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "it ends too early".to_string()
    } else {
        format!("error at line {} column {}", e.line(), e.column())
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn required_string(written: Option<&Value>, field: &str) -> Result<String> {
    match optional_string(written, field)? {
        Some(s) => Ok(s),
        None => Err(Error::config(format!(
            "Config field `{field}` is missing or empty: set it (see the connector's spec for what it holds)."
        ))),
    }
}

/// A string field; absent, null and blank all mean "not set".
fn optional_string(written: Option<&Value>, field: &str) -> Result<Option<String>> {
    match written {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be a string, not {}.",
            type_name(other)
        ))),
    }
}

/// A whole-number setting, its default when not set.
fn int_setting(written: Option<&Value>, field: &str, s: &Setting<i64>) -> Result<i64> {
    Ok(optional_int(written, field, s.min, s.max)?.unwrap_or(s.default))
}

/// An integer field; numeric strings are accepted because UIs send them.
fn optional_int(written: Option<&Value>, field: &str, min: i64, max: i64) -> Result<Option<i64>> {
    let n = match written {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::config(format!(
            "Config field `{field}` must be a whole number from {min} to {max}."
        ))),
    }
}

fn optional_share(written: Option<&Value>, field: &str) -> Result<Option<f64>> {
    let n = match written {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (RATE_SHARE.min..=RATE_SHARE.max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::config(format!(
            "Config field `{field}` must be a number from {:?} to {:?} (the share of the account's rate limit this sync may use).",
            RATE_SHARE.min, RATE_SHARE.max
        ))),
    }
}

/// Reduces the forms users type (`acme`, `acme.gorgias.com`,
/// `https://acme.gorgias.com/api/`) to one DNS label, and refuses anything
/// else: the label is put into the host name, so anything looser could send
/// the credentials to another host.
pub fn normalize_domain(raw: &str) -> Result<String> {
    let refuse = || {
        let hint =
            "write the part before .gorgias.com, for example `acme` for https://acme.gorgias.com.";
        // A value pasted into the wrong field is often the key: only a
        // value that reads as a host name is quoted back.
        if looks_like_a_host(raw.trim()) {
            Error::config(format!(
                "Config field `domain` is `{}`, which is not a Gorgias subdomain: {hint}",
                quote(raw.trim())
            ))
        } else {
            Error::config(format!(
                "Config field `domain` is not a Gorgias subdomain (its value is not shown, as it may hold a credential): {hint}"
            ))
        }
    };
    let mut s = raw.trim().to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest.to_string();
            break;
        }
    }
    for suffix in ["/api/", "/api", "/"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            break;
        }
    }
    if let Some(rest) = s.strip_suffix(".gorgias.com") {
        s = rest.to_string();
    }
    if is_dns_label(&s) {
        Ok(s)
    } else {
        Err(refuse())
    }
}

/// A host name or a URL of one (`acme.zendesk.com`, `https://10.1.2.3/`),
/// nothing a secret could hide in: host characters only, a dot, and no
/// remembered secret.
fn looks_like_a_host(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:/".contains(c))
        && crate::error::redact(s) == s
}

fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Accepts `https://host[:port][/path]`, or plain http only to a loopback
/// host: an http proxy elsewhere would carry the API key in clear text.
pub fn validate_base_url(raw: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::config(format!(
            "Config field `base_url` {why}: write an https URL such as https://acme.gorgias.com/api (plain http only for 127.0.0.1 or localhost)."
        ))
    };
    let (scheme, rest) = raw.split_once("://").ok_or_else(|| bad("is not a URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad("must start with https://"));
    }
    if rest.contains(['?', '#', ' ', '\\']) || rest.chars().any(|c| c.is_control()) {
        return Err(bad("must not carry a query, a fragment or spaces"));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad(
            "must not carry credentials (they belong in `email` and `api_key`)",
        ));
    }
    let uri: ureq::http::Uri = raw.parse().map_err(|_| bad("has no valid host"))?;
    let (Some(authority), Some(host)) = (uri.authority(), uri.host()) else {
        return Err(bad("has no valid host"));
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    // The parser takes any digits for a port; a socket takes 16 bits.
    let after_host = authority
        .as_str()
        .rsplit_once(']')
        .map_or(authority.as_str(), |(_, r)| r);
    let port_ok = after_host
        .rsplit_once(':')
        .is_none_or(|(_, p)| p.parse::<u16>().is_ok());
    if !host_ok || !port_ok {
        return Err(bad("has no valid host"));
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(bad("uses plain http to a host that is not loopback"));
    }
    let path = uri.path().trim_end_matches('/');
    Ok(format!("{scheme}://{authority}{path}"))
}

/// `localhost`, or an address that is loopback in any of its forms
/// (`127.0.0.2`, `[::1]`, `[0:0:0:0:0:0:0:1]`, `[::ffff:127.0.0.1]`).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn view_ids_are_read_as_a_list_or_as_meltanos_string_and_a_bad_one_is_one_sentence() {
        let with = |ids: Value| {
            Config::from_value(&json!({"domain": "acme", "email": "a@b.c", "api_key": "k",
                "view_ids": ids}))
        };
        assert_eq!(with(json!([12, "34", 12])).unwrap().view_ids, vec![12, 34]);
        assert_eq!(with(json!("12, 34")).unwrap().view_ids, vec![12, 34]);
        assert!(with(Value::Null).unwrap().view_ids.is_empty());
        let e = with(json!([12, "All"])).unwrap_err();
        assert_eq!(e.failure, crate::FailureType::Config);
        assert_eq!(
            e.message,
            "Config field `view_ids` holds `All`, which is not a view id: write the views' numeric ids, which the `probe` command lists with their names."
        );
        let e = with(json!({"id": 1})).unwrap_err();
        assert_eq!(
            e.message,
            "Config field `view_ids` must be a list of view ids, not an object."
        );
        assert!(with(json!([-3])).is_err());
    }

    #[test]
    fn a_wrong_role_is_quoted_as_written_not_as_its_json() {
        let e = Config::from_value(&json!({"domain": "acme", "email": "a@b.c", "api_key": "k",
            "user_roles": ["admin", "supreme-leader"]}))
        .unwrap_err();
        assert!(
            e.message.contains("holds `supreme-leader`, which"),
            "{}",
            e.message
        );
        // JSON-encoded (a TRACE message), the value carries no escapes.
        let encoded = serde_json::to_string(&e.message).unwrap();
        assert!(encoded.contains("`supreme-leader`"), "{encoded}");
        let e = Config::from_value(&json!({"domain": "acme", "email": "a@b.c", "api_key": "k",
            "start_date": "the \"first\" day"}))
        .unwrap_err();
        assert!(
            e.message.contains("is `the \"first\" day`, which"),
            "{}",
            e.message
        );
    }

    #[test]
    fn domain_forms_reduce_to_one_label() {
        for raw in [
            "acme",
            "ACME",
            " acme ",
            "acme.gorgias.com",
            "https://acme.gorgias.com",
            "https://acme.gorgias.com/",
            "https://acme.gorgias.com/api/",
            "http://acme.gorgias.com/api",
        ] {
            assert_eq!(normalize_domain(raw).unwrap(), "acme", "{raw}");
        }
    }

    #[test]
    fn a_refused_domain_is_quoted_only_when_it_reads_as_a_host() {
        for pasted in [
            "k3y_42x",
            "9f8e+7d6c/5b4a==",
            "ac me",
            "me@evil.example",
            "acme/x",
        ] {
            let e = normalize_domain(pasted).unwrap_err();
            assert!(!e.message.contains(pasted), "{}", e.message);
            assert!(
                e.message.starts_with(
                    "Config field `domain` is not a Gorgias subdomain (its value is not shown"
                ),
                "{}",
                e.message
            );
        }
        for host in [
            "acme.evil",
            "http://evil.example/",
            "127.0.0.1",
            "acme.gorgias.com.evil.example",
        ] {
            let e = normalize_domain(host).unwrap_err();
            assert!(e.message.contains(&format!("`{host}`")), "{}", e.message);
        }
    }

    #[test]
    fn domains_that_could_leave_gorgias_are_refused() {
        for raw in [
            "",
            "acme/x",
            "me@evil",
            "acme#x",
            "acme:443",
            "ac me",
            "127.0.0.1",
            "http://evil.example/",
            "acme.gorgias.com.evil.example",
            "-acme",
            "acme.evil",
        ] {
            let e = normalize_domain(raw).unwrap_err();
            assert!(e.message.contains("not a Gorgias subdomain"), "{raw}");
        }
    }

    #[test]
    fn base_url_plain_http_only_on_loopback() {
        assert_eq!(
            validate_base_url("http://127.0.0.1:8910/api/").unwrap(),
            "http://127.0.0.1:8910/api"
        );
        assert!(validate_base_url("http://localhost/api").is_ok());
        assert!(validate_base_url("http://[::1]:80/api").is_ok());
        // Loopback in the forms a string comparison misses.
        for ok in [
            "http://[0:0:0:0:0:0:0:1]:8910/api",
            "http://[::ffff:127.0.0.1]/api",
            "http://127.0.0.2:8910/api",
            "http://LOCALHOST/api",
        ] {
            assert!(validate_base_url(ok).is_ok(), "{ok}");
        }
        assert!(validate_base_url("https://proxy.internal/api").is_ok());
        for bad in [
            "http://evil.example/api",
            "http://10.0.0.1/api",
            "ftp://127.0.0.1/",
            "https://user:pw@proxy/api",
            "https://proxy/api?x=1",
            "not a url",
            "https://:80/",
            "http://[::2]/api",
            "http://[::ffff:10.0.0.1]/api",
            "https://acme.gorgias.com:99999/api",
        ] {
            assert!(validate_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_defaults_and_errors() {
        let c =
            Config::from_value(&json!({"domain":"acme","email":"a@b.c","api_key":"k"})).unwrap();
        assert_eq!(c.base_url, "https://acme.gorgias.com/api");
        assert_eq!(c.page_size, 100);
        assert_eq!(c.messages_lookback, Duration::days(3));
        assert_eq!(c.surveys_lookback, Duration::days(30));
        let e =
            Config::from_value(&json!({"domain":"acme","email":"a@b.c","api_key":5})).unwrap_err();
        assert_eq!(
            e.message,
            "Config field `api_key` must be a string, not a number."
        );
        let e = Config::from_value(&json!({"domain":"acme","email":"a@b.c"})).unwrap_err();
        assert!(e.message.starts_with("Config field `api_key` is missing"));
        let e = Config::from_value(
            &json!({"domain":"acme","email":"a@b.c","api_key":"k","page_size":500}),
        )
        .unwrap_err();
        assert!(e.message.contains("`page_size`"));
    }

    #[test]
    fn credentials_in_a_domain_or_uri_move_to_their_fields() {
        let c = Config::from_value(
            &json!({"domain": "https://me%40x.example:key-1234567@acme.gorgias.com/"}),
        )
        .unwrap();
        assert_eq!(c.domain, "acme");
        assert!(matches!(&c.auth, Auth::ApiKey { email, api_key }
            if email == "me@x.example" && api_key.expose() == "key-1234567"));
        for uri in [
            "gorgias://me%40x.example:key-1234567@acme",
            "gorgias://me@x.example:key-1234567@acme/",
            "gorgias://acme&api_key=key-1234567&email=me%40x.example",
            "gorgias://acme?api_key=key-1234567&email=me%40x.example",
        ] {
            let c = Config::from_value(&json!({ "uri": uri })).unwrap();
            assert_eq!(c.domain, "acme", "{uri}");
            assert!(matches!(&c.auth, Auth::ApiKey { email, .. } if email == "me@x.example"));
        }
        let e = normalize_domain("key-7654321@acme").unwrap_err();
        assert!(!e.message.contains("key-7654321"), "{}", e.message);
    }

    #[test]
    fn secret_never_formats() {
        let s = Secret::new("very-secret-key");
        assert!(!format!("{s:?} {s}").contains("very"));
    }
}
