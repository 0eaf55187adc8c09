//! The connector's configuration: the raw form users write (which also
//! generates the Airbyte spec), and the validated [`Config`] the core uses.
//! Raw values are checked once, here, and every refusal is one sentence that
//! names the field and says what to write instead.
//!
//! A setting is one entry in the `settings!` list of `settings.rs` (its spec
//! text, its key, its validated field and the expression that reads it),
//! plus its range and default beside the list when it is a number.
//! `written.rs` reads a value as written, `validators.rs` checks the values
//! that need more than a type, `aliases.rs` reads other connectors' configs,
//! and `auth.rs` holds the credentials and [`Secret`].

mod aliases;
mod auth;
mod settings;
mod validators;
mod written;

pub use auth::{Auth, OAuthRefresh, Secret};
pub use settings::{
    connection_specification, Config, RawConfig, CONNECTOR_LABEL, DOCUMENTATION_URL,
    MESSAGES_LOOKBACK_DAYS, PAGE_SIZE, RATE_SHARE, SURVEYS_LOOKBACK_DAYS,
};
pub use validators::{normalize_domain, validate_base_url};
pub use written::{AsWritten, Setting};

use aliases::{apply_aliases, remember_secrets};

use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::Value;

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
    use chrono::Duration;
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
