//! OAuth2: the refresh grant (RFC 6749 §6) against the account's
//! `/oauth/token`, and the rotated refresh token set aside for the face.
//!
//! A token answer that carries a new refresh token voids the old one at
//! once, so the new one is set aside before anything else in the answer is
//! judged: whatever fails next (a lifetime the client cannot read, an access
//! token that cannot go into a header), the face still passes the new token
//! on. The token endpoint is retried like any request (5xx, 429, timeouts),
//! within the same backoff and budget; only its 400 and 401 say the
//! credentials are wrong.

use super::rotation::Rotation;
use super::session::Client;
use super::status::{classify_token, Action, Verdict};
use super::transport::{authorization, base64, read_body};
use crate::config::{Auth, OAuthRefresh, Secret};
use crate::error::{quote_server, Error, Result};
use crate::rate_budget::parse_retry_after;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The token endpoint, as the retry sentences name it.
const TOKEN_PATH: &str = "/oauth/token";

impl Client {
    pub(super) fn can_refresh(&self) -> bool {
        matches!(
            &self.auth,
            Auth::OAuth {
                refresh: Some(_),
                ..
            }
        )
    }

    /// Refresh before the token's known expiry (by `refresh_margin`), so no
    /// request goes out with a token about to lapse.
    pub(super) fn token_expiring(&self) -> bool {
        match &self.auth {
            Auth::OAuth {
                expires_at: Some(at),
                refresh: Some(_),
                ..
            } => Utc::now() + self.refresh_margin >= *at,
            _ => false,
        }
    }

    /// A new access token, within the retry budget of the request begun at
    /// `started`: 5xx, 429 and network failures are tried again as any
    /// request's are, and end as a transient failure when they persist.
    pub(super) fn refresh_token(
        &mut self,
        started: Instant,
        on_retry: &mut dyn FnMut(&str),
    ) -> Result<()> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let verdict = match self.token_attempt(self.timeout(started)) {
                Ok(answer) => return self.take_token_answer(&answer),
                Err(verdict) => verdict,
            };
            // A token request never refreshes itself: the table's step is
            // to fail, give up, or wait and try again.
            self.step_after(TOKEN_PATH, verdict, attempt, false, started, on_retry)?;
        }
    }

    /// One POST of the refresh grant, the app's credentials in HTTP Basic:
    /// the JSON answer, or what to do about its failure.
    fn token_attempt(&mut self, timeout: Duration) -> std::result::Result<Value, Verdict> {
        let Auth::OAuth {
            refresh: Some(r), ..
        } = &self.auth
        else {
            return Err(Verdict::new(
                Action::Fail,
                Error::system("The connector tried to refresh a token it has no refresh token for: please report this."),
            ));
        };
        let (client, body) = grant(r);
        let mut resp = self
            .agent
            .post(self.token_url())
            .header("Authorization", client.expose())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .config()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(30))))
            .build()
            .send(body.as_str())
            .map_err(|e| self.failed(TOKEN_PATH, &e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body =
            read_body(&mut resp).map_err(|e| self.failed(TOKEN_PATH, &ureq::Error::from(e)))?;
        classify_token(status, retry_after, serde_json::from_slice(&body).ok())
    }

    /// The token endpoint: beside the API, on the same host.
    fn token_url(&self) -> String {
        match self.base.strip_suffix("/api") {
            Some(host) => format!("{host}{TOKEN_PATH}"),
            None => format!("{}{TOKEN_PATH}", self.base),
        }
    }

    /// Takes a token answer in: the rotated refresh token first, set aside
    /// for the face, then the access token and its lifetime, whose faults
    /// are reported only once the new refresh token is safe.
    fn take_token_answer(&mut self, answer: &Value) -> Result<()> {
        let now = Utc::now();
        let access = new_access_token(answer);
        let lifetime = expiry(answer.get("expires_in"), now);
        let issued = answer
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty());
        let Auth::OAuth {
            access_token,
            expires_at,
            refresh: Some(r),
        } = &mut self.auth
        else {
            return Ok(());
        };
        let passed_on = hold(access_token, expires_at, &access, &lifetime, now);
        if let Some(margin) = refresh_margin(&access, &lifetime, now) {
            self.refresh_margin = margin;
        }
        if let Some(new) = issued.filter(|t| *t != r.refresh_token.expose()) {
            r.refresh_token = Secret::new(new);
            self.rotation.put(Rotation {
                access_token: access_token.clone(),
                refresh_token: r.refresh_token.clone(),
                expires_at: passed_on,
            });
        }
        self.authorization = authorization(&self.auth);
        access?;
        lifetime?;
        Ok(())
    }
}

/// The refresh grant: the app's credentials as an HTTP Basic header, and
/// the form body that carries the refresh token.
fn grant(r: &OAuthRefresh) -> (Secret, String) {
    let client = Secret::new(format!(
        "Basic {}",
        base64(format!("{}:{}", r.client_id, r.client_secret.expose()).as_bytes())
    ));
    let body = format!(
        "grant_type=refresh_token&refresh_token={}",
        form_encode(r.refresh_token.expose())
    );
    (client, body)
}

/// Puts a token answer's access token and lifetime in place, and gives the
/// expiry the face passes on: the token's own, so the next run refreshes
/// first when it is already past.
fn hold(
    access_token: &mut Secret,
    expires_at: &mut Option<DateTime<Utc>>,
    access: &Result<Secret>,
    lifetime: &Result<Option<DateTime<Utc>>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if let Ok(token) = access {
        *access_token = token.clone();
    }
    match (access, lifetime) {
        (Ok(_), Ok(at)) => {
            // Already expired: this run uses it until it is refused (a 401
            // refreshes once), never refreshing before every request.
            *expires_at = at.filter(|at| *at - now > chrono::Duration::zero());
            *at
        }
        // Whatever went wrong, the token held now is as good as expired:
        // the next run refreshes before its first request.
        _ => {
            *expires_at = Some(now);
            Some(now)
        }
    }
}

/// How long before its expiry a token with a known, future lifetime is
/// refreshed: five minutes, or half its lifetime when that is shorter.
fn refresh_margin(
    access: &Result<Secret>,
    lifetime: &Result<Option<DateTime<Utc>>>,
    now: DateTime<Utc>,
) -> Option<chrono::Duration> {
    let (Ok(_), Ok(Some(at))) = (access, lifetime) else {
        return None;
    };
    let life = *at - now;
    (life > chrono::Duration::zero()).then(|| (life / 2).min(chrono::Duration::minutes(5)))
}

/// The answer's access token, if it can go into an Authorization header: a
/// line break or NUL in it is the token endpoint's fault, not the config's.
fn new_access_token(answer: &Value) -> Result<Secret> {
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::system(
                "Gorgias's token endpoint answered without an access token: run the sync again, and report it to Gorgias if it persists.",
            )
        })?;
    let token = Secret::new(token);
    if token.expose().chars().any(char::is_control) {
        return Err(Error::system(
            "Gorgias's token endpoint answered with an access token that cannot be sent in an HTTP header (it holds a line break or another control character): the token endpoint is at fault, not the config; run the sync again, and report it to Gorgias if it persists.",
        ));
    }
    Ok(token)
}

/// When the access token expires. No `expires_in`: unknown, and the token is
/// used until it is refused. Zero or less: already expired, so the next
/// request refreshes first (a request refreshes at most once, so this never
/// loops). A number of seconds may come as an integer, a float (`3600.0`,
/// cut to whole seconds) or a string of either.
fn expiry(expires_in: Option<&Value>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let secs = match expires_in {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().and_then(whole_seconds)),
        Some(Value::String(s)) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(whole_seconds))
        }
        Some(_) => None,
    };
    let at = secs.and_then(|s| match s {
        ..=0 => Some(now),
        s => chrono::Duration::try_seconds(s).and_then(|d| now.checked_add_signed(d)),
    });
    match at {
        Some(at) => Ok(Some(at)),
        None => Err(Error::system(format!(
            "Gorgias's token endpoint answered with an `expires_in` of {}, which is not a lifetime in seconds the connector can use: run the sync again, and report it if it persists.",
            quote_server(&expires_in.map(Value::to_string).unwrap_or_default())
        ))),
    }
}

fn whole_seconds(f: f64) -> Option<i64> {
    (f.is_finite() && f.abs() < 1e15).then(|| f.trunc() as i64)
}

/// `application/x-www-form-urlencoded` for one value: every byte but the
/// unreserved ones (RFC 3986) escaped.
fn form_encode(s: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_lifetime_may_be_a_float_a_string_or_already_over() {
        let now = Utc::now();
        let hour = Some(now + chrono::Duration::seconds(3600));
        for v in [json!(3600), json!(3600.0), json!("3600"), json!(" 3600.0 ")] {
            assert_eq!(expiry(Some(&v), now).unwrap(), hour, "{v}");
        }
        for v in [json!(0), json!(-5), json!(-0.5), json!("0")] {
            assert_eq!(expiry(Some(&v), now).unwrap(), Some(now), "{v}");
        }
        assert_eq!(expiry(None, now).unwrap(), None);
        assert_eq!(expiry(Some(&Value::Null), now).unwrap(), None);
        for v in [json!("soon"), json!(true), json!(i64::MAX), json!(1e300)] {
            let e = expiry(Some(&v), now).unwrap_err();
            assert!(e.message.contains("expires_in"), "{v}: {}", e.message);
        }
    }

    #[test]
    fn an_access_token_that_cannot_be_a_header_blames_the_token_endpoint() {
        for bad in ["tok\r\nen-0123456789", "tok\0en-0123456789"] {
            let e = new_access_token(&json!({ "access_token": bad })).unwrap_err();
            assert!(
                e.message.contains("token endpoint is at fault"),
                "{}",
                e.message
            );
            assert!(!e.message.contains("base_url"), "{}", e.message);
        }
        assert!(new_access_token(&json!({"access_token": "fine-token-0123"})).is_ok());
    }
}
