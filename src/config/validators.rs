//! The values that need more than a type: the domain (it becomes a host
//! name, so nothing looser than one DNS label), the base URL (https, or
//! plain http only to loopback), the start date, user roles and view ids.

use super::written::{optional_string, written_list};
use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The roles `/api/users` filters on, as written.
const USER_ROLES: &[&str] = &[
    "admin",
    "agent",
    "basic-agent",
    "lite-agent",
    "observer-agent",
    "internal-agent",
    "bot",
];

pub(super) fn parse_roles(written: Option<&Value>) -> Result<Vec<String>> {
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

pub(super) fn parse_view_ids(written: Option<&Value>) -> Result<Vec<i64>> {
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

/// A date or an instant (`start_date`), if set.
pub(super) fn instant(written: Option<&Value>, field: &str) -> Result<Option<DateTime<Utc>>> {
    let Some(s) = optional_string(written, field)? else {
        return Ok(None);
    };
    let date = datetime::parse_user(&s).ok_or_else(|| {
        Error::config(format!(
            "Config field `{field}` is `{}`, which is not a date: write YYYY-MM-DD or an RFC 3339 instant such as 2024-01-01T00:00:00Z.",
            quote(&s)
        ))
    })?;
    Ok(Some(date))
}

/// `base_url` as written and checked, or the account's own API.
pub(super) fn base_url(written: Option<&Value>, domain: &str) -> Result<String> {
    match optional_string(written, "base_url")? {
        None => Ok(format!("https://{domain}.gorgias.com/api")),
        Some(u) => validate_base_url(&u),
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
pub(super) fn looks_like_a_host(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:/".contains(c))
        && crate::redact::redact(s) == s
}

pub(super) fn is_dns_label(s: &str) -> bool {
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
pub(super) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
