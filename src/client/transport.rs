//! The HTTP transport: one GET with the credentials in its header, the
//! answer's headers and body read into what the table in `status.rs` reads,
//! and a failure with no answer named as a [`Failure`]. No decision is made
//! here: what an answer or a failure means is the table's.

use super::session::Client;
use super::status::{classify, Action, Answer, Asked, Body, Failure, Outcome, Verdict};
use crate::config::{Auth, Secret};
use crate::error::Error;
use crate::json::Doc;
use crate::rate_budget::{parse_call_limit, parse_retry_after};
use std::time::{Duration, Instant};

/// What one attempt came to: the data, or the table's verdict on it.
pub(super) type Attempt = std::result::Result<Doc, Verdict>;

impl Client {
    /// One request and what the table makes of what came of it.
    pub(super) fn attempt(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> Attempt {
        let cursor = query.iter().any(|(k, _)| *k == "cursor");
        let mut resp = match self.send(path, query, timeout) {
            Ok(r) => r,
            Err(e) => {
                self.observe(None, None);
                return Err(self.failed(path, &e));
            }
        };
        let (mut answer, used) = answer_of(&resp);
        let now = self.observe(Some(&answer), used);
        if answer.status == 429 {
            self.budget.throttled(now, answer.retry_after);
            return Err(self
                .judge(path, cursor, &answer)
                .unwrap_or_else(|| unreachable_verdict(path)));
        }
        let body = read_body(&mut resp).map_err(|e| self.failed(path, &ureq::Error::from(e)))?;
        let looks_html = answer.html || looks_like_html(&body);
        let utf8 = std::str::from_utf8(&body).is_ok();
        let doc = Doc::parse(body);
        answer.body = Some(Body::of(&doc, looks_html, utf8));
        match (self.judge(path, cursor, &answer), doc) {
            (Some(verdict), _) => Err(verdict),
            (None, Ok(doc)) => {
                self.answered = true;
                Ok(doc)
            }
            (None, Err(_)) => Err(unreachable_verdict(path)),
        }
    }

    /// Takes an answer (or none, `None`) into the rate budget and the stats.
    fn observe(&mut self, answer: Option<&Answer>, used: Option<(f64, f64)>) -> Instant {
        let now = self.clock.now();
        self.budget.observe(now, used);
        self.stats.last_status = answer.map(|a| a.status);
        self.stats.last_retry_after = answer.and_then(|a| a.retry_after);
        self.stats.last_call_limit = used.or(self.stats.last_call_limit);
        now
    }

    /// What was asked of whom, as the table reads it.
    fn asked<'a>(&'a self, path: &'a str, cursor: bool) -> Asked<'a> {
        Asked {
            path,
            base: &self.base,
            domain: &self.domain,
            answered: self.answered,
            oauth: matches!(self.auth, Auth::OAuth { .. }),
            cursor,
        }
    }

    /// The table's verdict on an answer; `None`: it is the data.
    fn judge(&self, path: &str, cursor: bool, answer: &Answer) -> Option<Verdict> {
        classify(&self.asked(path, cursor), Outcome::Answer(answer))
    }

    /// The table's verdict on a request to `path` that got no answer.
    pub(super) fn failed(&self, path: &str, e: &ureq::Error) -> Verdict {
        classify(&self.asked(path, false), Outcome::Failed(failure(e)))
            .unwrap_or_else(|| unreachable_verdict(path))
    }

    /// Sends the GET, credentials in the header only.
    fn send(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let url = format!("{}{}", self.base, path);
        // Past the `http` crate's bound, ureq panics building the URL;
        // percent-encoding at most triples a value.
        let length = url.len()
            + query
                .iter()
                .map(|(k, v)| 3 * (k.len() + v.len()) + 2)
                .sum::<usize>();
        if length >= URL_BOUND {
            return Err(ureq::Error::BadUri(URL_TOO_LONG.to_string()));
        }
        let mut req = self
            .agent
            .get(&url)
            .header("Authorization", self.authorization.expose())
            .header("Accept", "application/json");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        req.config()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(30))))
            .build()
            .call()
    }
}

/// Below the `http` crate's bound on a URL (`u16::MAX`).
const URL_BOUND: usize = 60_000;
const URL_TOO_LONG: &str = "longer than a URL can be";

/// ureq hands a failed certificate check over as an I/O error wrapping
/// rustls's: retrying it would only fail the same way.
fn certificate_refused(io: &std::io::Error) -> bool {
    matches!(
        io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::InvalidCertificate(_))
    )
}

fn certificate_reason(io: &std::io::Error) -> &'static str {
    use rustls::CertificateError as C;
    match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            C::UnknownIssuer => "it is signed by an unknown authority, or self-signed",
            C::Expired | C::ExpiredContext { .. } => "it has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet",
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "it is not issued for this host"
            }
            C::Revoked => "it has been revoked",
            _ => "it failed verification",
        },
        _ => "it failed verification",
    }
}

/// A short name for a network failure, with no URL or header in it.
fn transport_kind(e: &ureq::Error) -> &'static str {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => "timed out",
        E::ConnectionFailed => "could not connect",
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused",
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionReset => "connection reset",
        E::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => "connection closed early",
        E::Io(_) => "network I/O error",
        E::Protocol(_) => "malformed HTTP answer",
        _ => "network error",
    }
}

/// The whole body, within [`BODY_LIMIT`].
pub(super) fn read_body(resp: &mut ureq::http::Response<ureq::Body>) -> std::io::Result<Vec<u8>> {
    // Sized once from Content-Length: growing by doubling left up to
    // half of every buffer unused, and the largest page sets the peak.
    // A claim beyond any real page grows as it arrives instead.
    let size = resp
        .body()
        .content_length()
        .unwrap_or(64 * 1024)
        .min(16 * 1024 * 1024);
    let mut buf = Vec::with_capacity(size as usize);
    std::io::Read::read_to_end(
        &mut resp.body_mut().with_config().limit(BODY_LIMIT).reader(),
        &mut buf,
    )?;
    Ok(buf)
}

const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// Where the table accepted an answer it could not have: said, not panicked.
fn unreachable_verdict(path: &str) -> Verdict {
    Verdict::new(
        Action::Fail,
        Error::system(format!(
            "The connector could not decide what to make of Gorgias's answer to {path}: please report this."
        )),
    )
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    body.get(start) == Some(&b'<')
}

/// The Authorization header value for the credentials.
pub(super) fn authorization(auth: &Auth) -> Secret {
    match auth {
        Auth::ApiKey { email, api_key } => {
            let credentials = format!("{email}:{}", api_key.expose());
            Secret::new(format!("Basic {}", base64(credentials.as_bytes())))
        }
        Auth::OAuth { access_token, .. } => {
            Secret::new(format!("Bearer {}", access_token.expose()))
        }
    }
}

/// Standard base64 (padded), as the Basic header wants it.
pub(super) fn base64(input: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// An answer's status and headers, as the table reads them, and the
/// account's call-limit reading.
fn answer_of(resp: &ureq::http::Response<ureq::Body>) -> (Answer, Option<(f64, f64)>) {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let used = header("x-gorgias-account-api-call-limit").and_then(|v| parse_call_limit(&v));
    let answer = Answer {
        status: resp.status().as_u16(),
        retry_after: header("retry-after").and_then(|v| parse_retry_after(&v)),
        html: header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("html")),
        // We ask for no encoding and decode none: such a body can never be read.
        encoding: header("content-encoding")
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "identity"),
        body: None,
    };
    (answer, used)
}

/// What a request that got no answer came to, by name.
fn failure(e: &ureq::Error) -> Failure {
    use ureq::Error as E;
    match e {
        E::HostNotFound => Failure::HostNotFound,
        E::Tls(_) | E::Rustls(_) => Failure::Tls,
        E::Io(io) if certificate_refused(io) => Failure::Untrusted(certificate_reason(io)),
        E::BodyExceedsLimit(_) => Failure::TooLarge,
        E::BadUri(m) if m == URL_TOO_LONG => Failure::UrlTooLong,
        E::BadUri(_) | E::Http(_) => Failure::BadUrl,
        other => Failure::Network(transport_kind(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
