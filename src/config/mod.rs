//! The connector's configuration: the raw form users write (which also
//! generates the Airbyte spec), and the validated [`Config`] the core uses.
//! Raw values are checked once, here, and every refusal is one sentence that
//! names the field and says what to write instead.

//!
//! One file per concern: [`settings`] declares the settings (and so the
//! spec), [`written`] reads a value as written, [`validators`] checks the
//! values that need more than a type, [`aliases`] reads other connectors'
//! configs, and [`auth`] holds the credentials and [`Secret`].

mod aliases;
mod auth;
mod settings;
mod validators;
mod written;

pub use auth::{Auth, OAuthRefresh, Secret};
pub use settings::{
    connection_specification, RawConfig, Setting, MESSAGES_LOOKBACK_DAYS, PAGE_SIZE, RATE_SHARE,
    SURVEYS_LOOKBACK_DAYS,
};
pub use validators::{normalize_domain, validate_base_url};
pub use written::AsWritten;

use aliases::{apply_aliases, remember_secrets};
use auth::parse_auth;
use settings::LARGE_VIEW_ITEMS;
use validators::{parse_roles, parse_view_ids};
use written::{
    int_setting, optional_int, optional_share, optional_string, required_string, type_name, written,
};

use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

/// The connector's name wherever a user meets it (spec title, registry
/// metadata, Meltano): `source-gorgias` alone is also Airbyte's own
/// connector, and a user sent to that one's docs configures the wrong thing.
pub const CONNECTOR_LABEL: &str = "Gorgias (Rust)";

/// This connector's own documentation (README), from Cargo.toml's
/// `repository`: the spec's `documentationUrl`, the registry metadata, the
/// Meltano plugin definition. Publishing under another repository is a
/// one-line change there.
pub const DOCUMENTATION_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#readme");

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

fn short_json_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "it ends too early".to_string()
    } else {
        format!("error at line {} column {}", e.line(), e.column())
    }
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
}
