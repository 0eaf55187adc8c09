//! The connector's configuration: the raw form users write (which also
//! generates the Airbyte spec), and the validated [`Config`] the core uses.
//! Raw values are checked once, here, and every refusal is one sentence that
//! names the field and says what to write instead.

use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// # Gorgias Spec
/// Reads a Gorgias helpdesk account with a REST API key.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // the struct exists to generate the spec; parsing is field by field
pub struct RawConfig {
    /// # Gorgias domain
    /// The account's subdomain, as in https://<domain>.gorgias.com. `acme`,
    /// `acme.gorgias.com` and `https://acme.gorgias.com/api/` are all accepted.
    #[schemars(extend("order" = 0, "examples" = ["acme", "acme.gorgias.com"]))]
    domain: String,
    /// # Account e-mail
    /// The e-mail of the Gorgias user who owns the API key (Settings → REST API).
    #[schemars(extend("order" = 1, "examples" = ["data@acme.com"]))]
    email: String,
    /// # REST API key
    /// The REST API key shown beside the e-mail in Gorgias (Settings → REST API).
    /// It acts with that user's permissions: an admin key sees every stream.
    #[schemars(extend("order" = 2, "airbyte_secret" = true))]
    api_key: String,
    /// # Start date
    /// Records created or updated before this instant are not read (tickets,
    /// ticket tags, ticket messages, satisfaction surveys). RFC 3339 or
    /// YYYY-MM-DD, UTC. Leave empty to read the whole history.
    #[schemars(extend("order" = 3, "examples" = ["2024-01-01", "2024-01-01T00:00:00Z"]))]
    start_date: Option<String>,
    /// # Ticket messages lookback (days)
    /// Messages are listed by creation time only, so each incremental read
    /// re-reads this many days before its bookmark to pick up late changes.
    #[schemars(extend("order" = 4), range(min = 0, max = 365), extend("default" = 3))]
    ticket_messages_lookback_days: Option<u32>,
    /// # Satisfaction surveys lookback (days)
    /// Surveys are listed by creation time only and are scored days after
    /// they are created: each incremental read re-reads this many days.
    #[schemars(extend("order" = 5), range(min = 0, max = 365), extend("default" = 30))]
    satisfaction_surveys_lookback_days: Option<u32>,
    /// # Page size
    /// Records per request (the API allows at most 100; fewer only spends more
    /// of the rate limit).
    #[schemars(extend("order" = 6), range(min = 1, max = 100), extend("default" = 100))]
    page_size: Option<u32>,
    /// # Share of the rate limit
    /// The fraction of the account's API rate limit this sync may use, so
    /// other apps on the account keep their room (1.0 = all of it).
    #[schemars(extend("order" = 7), range(min = 0.05, max = 1.0), extend("default" = 1.0))]
    max_rate_share: Option<f64>,
    /// # API base URL
    /// Override of https://<domain>.gorgias.com/api, for a proxy or the bundled
    /// sandbox. Plain http is accepted only for loopback hosts.
    #[schemars(extend("order" = 8, "examples" = ["http://127.0.0.1:8910/api"]))]
    base_url: Option<String>,
}

/// A secret that never prints: its Debug and Display are a mask, so it cannot
/// reach a log line or an error chain by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
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
    pub email: String,
    pub api_key: Secret,
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

    pub fn from_value(value: &Value) -> Result<Config> {
        let obj = value.as_object().ok_or_else(|| {
            Error::config("The config must be a JSON object with `domain`, `email` and `api_key`.")
        })?;
        let domain_raw = required_string(obj, "domain")?;
        let domain = normalize_domain(&domain_raw)?;
        let email = required_string(obj, "email")?;
        if !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(Error::config(
                "Config field `email` is not an e-mail address: use the e-mail of the Gorgias user who owns the API key.",
            ));
        }
        let api_key = Secret::new(required_string(obj, "api_key")?);
        if api_key.expose().chars().any(|c| c.is_control()) {
            return Err(Error::config(
                "Config field `api_key` contains control characters: paste the key exactly as Gorgias shows it.",
            ));
        }
        let start_date = match optional_string(obj, "start_date")? {
            None => None,
            Some(s) => Some(datetime::parse_user(&s).ok_or_else(|| {
                Error::config(format!(
                    "Config field `start_date` is `{}`, which is not a date: write YYYY-MM-DD or an RFC 3339 instant such as 2024-01-01T00:00:00Z.",
                    quote(&s)
                ))
            })?),
        };
        let messages_lookback_days =
            optional_int(obj, "ticket_messages_lookback_days", 0, 365)?.unwrap_or(3);
        let surveys_lookback_days =
            optional_int(obj, "satisfaction_surveys_lookback_days", 0, 365)?.unwrap_or(30);
        let page_size = optional_int(obj, "page_size", 1, 100)?.unwrap_or(100) as u32;
        let max_rate_share = optional_share(obj, "max_rate_share")?.unwrap_or(1.0);
        let base_url = match optional_string(obj, "base_url")? {
            None => format!("https://{domain}.gorgias.com/api"),
            Some(u) => validate_base_url(&u)?,
        };
        Ok(Config {
            domain,
            email,
            api_key,
            start_date,
            messages_lookback: Duration::days(messages_lookback_days),
            surveys_lookback: Duration::days(surveys_lookback_days),
            page_size,
            max_rate_share,
            base_url,
            backoff_base_ms: optional_int(obj, "backoff_base_ms", 0, 60_000)?.map(|n| n as u64),
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

fn required_string(obj: &Map<String, Value>, field: &str) -> Result<String> {
    match optional_string(obj, field)? {
        Some(s) => Ok(s),
        None => Err(Error::config(format!(
            "Config field `{field}` is missing or empty: set it (see the connector's spec for what it holds)."
        ))),
    }
}

/// A string field; absent, null and blank all mean "not set".
fn optional_string(obj: &Map<String, Value>, field: &str) -> Result<Option<String>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be a string, not {}.",
            type_name(other)
        ))),
    }
}

/// An integer field; numeric strings are accepted because UIs send them.
fn optional_int(obj: &Map<String, Value>, field: &str, min: i64, max: i64) -> Result<Option<i64>> {
    let n = match obj.get(field) {
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

fn optional_share(obj: &Map<String, Value>, field: &str) -> Result<Option<f64>> {
    let n = match obj.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (0.05..=1.0).contains(&n) => Ok(Some(n)),
        _ => Err(Error::config(format!(
            "Config field `{field}` must be a number from 0.05 to 1.0 (the share of the account's rate limit this sync may use)."
        ))),
    }
}

/// Reduces the forms users type (`acme`, `acme.gorgias.com`,
/// `https://acme.gorgias.com/api/`) to one DNS label, and refuses anything
/// else: the label is put into the host name, so anything looser could send
/// the credentials to another host.
pub fn normalize_domain(raw: &str) -> Result<String> {
    let refuse = || {
        Error::config(format!(
            "Config field `domain` is `{}`, which is not a Gorgias subdomain: write the part before .gorgias.com, for example `acme` for https://acme.gorgias.com.",
            quote(raw.trim())
        ))
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
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad(
            "must not carry credentials (they belong in `email` and `api_key`)",
        ));
    }
    let host = host_of(authority).ok_or_else(|| bad("has no valid host"))?;
    if scheme == "http" && !is_loopback(&host) {
        return Err(bad("uses plain http to a host that is not loopback"));
    }
    let path = path.trim_end_matches('/');
    Ok(format!("{scheme}://{authority}{path}"))
}

fn host_of(authority: &str) -> Option<String> {
    if authority.is_empty() {
        return None;
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        (&rest[..end], rest[end + 1..].strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if let Some(p) = port {
        p.parse::<u16>().ok()?;
    }
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    ok.then(|| host.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert!(validate_base_url("https://proxy.internal/api").is_ok());
        for bad in [
            "http://evil.example/api",
            "http://10.0.0.1/api",
            "ftp://127.0.0.1/",
            "https://user:pw@proxy/api",
            "https://proxy/api?x=1",
            "not a url",
            "https://:80/",
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
    fn secret_never_formats() {
        let s = Secret::new("very-secret-key");
        assert!(!format!("{s:?} {s}").contains("very"));
    }
}
