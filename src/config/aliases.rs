//! Other Gorgias connectors' configs, read unchanged: their key names
//! (Airbyte's `domain_name`, `username`, `password`), ingestr's `uri`, and
//! credentials written into a domain URL, all moved onto our keys before
//! the config is read. Every value in those forms that may hold a secret is
//! remembered for the redactor first.

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Remembers every value of the config that is, or may hold, a secret,
/// before any of it is parsed: a refusal of a misplaced value must not be
/// the one message that shows the key.
pub(super) fn remember_secrets(obj: &Map<String, Value>) {
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
                    crate::redact::remember_secret(s);
                }
                // ingestr's `uri` carries the key as a query value.
                if let Some((_, rest)) = s.split_once("api_key=") {
                    let key = rest.split('&').next().unwrap_or_default();
                    crate::redact::remember_secret(key);
                    if let Some(decoded) = percent_decode(key) {
                        crate::redact::remember_secret(&decoded);
                    }
                }
                // `uri`, `domain` and the like in the `user:key@host` form.
                if let Some((_, key)) = userinfo(s).and_then(|u| u.split_once(':')) {
                    crate::redact::remember_secret(key);
                    if let Some(decoded) = percent_decode(key) {
                        crate::redact::remember_secret(&decoded);
                    }
                }
            }
        }
    }
}

/// The `user:password` of a URL-like value (`scheme://user:password@host…`
/// or `user:password@host`), if it has one.
pub(super) fn userinfo(s: &str) -> Option<&str> {
    let rest = s.trim().split_once("://").map_or(s.trim(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#', '&']).next()?;
    authority.rsplit_once('@').map(|(u, _)| u)
}

/// Splits `[scheme://]user:password@host[/…]` into the value without its
/// credentials and the decoded e-mail and key. `None` when the value has no
/// `@` in its host part or when the part before it is not `e-mail:key`.
pub(super) fn split_credentials(s: &str) -> Option<(String, String, String)> {
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
pub(super) fn apply_aliases(obj: &mut Map<String, Value>) -> Result<()> {
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
pub(super) fn parse_ingestr_uri(uri: &str) -> Result<Vec<(String, String)>> {
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
pub(super) fn percent_decode(s: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use crate::config::{normalize_domain, Auth, Config};
    use serde_json::json;

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
}
