//! The client's retry policy, as one table in two halves. `classify` reads
//! what came of a request (an answer's status, headers and body, or a
//! failure that left no answer) and gives an action, with the failure's
//! type, how much of the sync it ends, and its one sentence; the token
//! endpoint has its own rows in `classify_token`. `next_step` turns an
//! action and the count of tries into what the client does next (back off,
//! wait for the rate budget, refresh the token, fail, give up). Airbyte's
//! CDK keeps its error handling the same way (a mapping from response to
//! resolution); here the table is pure functions, so an answer or a network
//! fault can be asked about without a server. A new retry rule is one row.

use crate::error::{quote_server, Error};
use crate::json::{Doc, DocError, Node};
use serde_json::Value;
use std::time::Duration;

/// What the client does with an answer that is not the data it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Try again after an exponential backoff (with jitter) of at least
    /// this long; the try counts against the retry policy's attempts.
    Backoff(Duration),
    /// Try again when the rate budget allows: a busy account is bounded by
    /// the retry budget's time only, never by a count of tries.
    WaitForBudget,
    /// The same bytes will most likely come again: one more look rules out
    /// a proxy's hiccup, then the error stands.
    LookOnceMore,
    /// Refresh the OAuth2 token once and try again; without a refresh
    /// token, or after one, the error stands.
    RefreshToken,
    Fail,
}

/// The table's answer: what to do, and the error (its failure type, reach
/// and sentence) that stands if nothing else works.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub action: Action,
    pub error: Error,
}

impl Verdict {
    pub fn new(action: Action, error: Error) -> Verdict {
        Verdict { action, error }
    }
}

/// What was asked, and of whom: the facts besides the answer that the
/// table reads.
pub(crate) struct Asked<'a> {
    pub path: &'a str,
    pub base: &'a str,
    pub domain: &'a str,
    /// Some answer came in JSON before: the host is the account's.
    pub answered: bool,
    pub oauth: bool,
    /// The request carried a page cursor.
    pub cursor: bool,
}

impl Asked<'_> {
    /// The account probe: what fails there fails every stream.
    fn is_account(&self) -> bool {
        self.path == "/account"
    }
}

/// One answer, as the table reads it.
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// The Content-Type says HTML.
    pub html: bool,
    /// A Content-Encoding the client did not ask for (and cannot decode).
    pub encoding: Option<String>,
    /// `None` where the status alone decides (a 429's body is never read).
    pub body: Option<Body>,
}

/// What the body turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// JSON: its `error` text (quoted for a sentence), and whether it has `data`.
    Json { error: Option<String>, data: bool },
    /// Not JSON, and it looks like an HTML page (by its type or its first byte).
    Html,
    /// JSON cut short.
    Truncated,
    /// Not JSON at all, not UTF-8 (`utf8: false`), or nested past the limit.
    Unreadable { utf8: bool },
}

impl Body {
    /// Reads what the parse of `bytes` came to; `looks_html` and `utf8`
    /// were taken from the bytes before the parse consumed them.
    pub fn of(doc: &Result<Doc, DocError>, looks_html: bool, utf8: bool) -> Body {
        match doc {
            Ok(doc) => {
                let root = doc.root();
                Body::Json {
                    error: root
                        .get("error")
                        .and_then(error_text)
                        .map(|m| quote_server(&m)),
                    data: root.get("data").is_some(),
                }
            }
            Err(_) if looks_html => Body::Html,
            Err(DocError::Truncated) => Body::Truncated,
            Err(_) => Body::Unreadable { utf8 },
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Body::Json { error, .. } => error.as_deref(),
            _ => None,
        }
    }
}

fn error_text(e: Node<'_>) -> Option<String> {
    if let Some(s) = e.as_str() {
        return Some(s.to_string());
    }
    e.get("msg")
        .or_else(|| e.get("message"))
        .and_then(|m| m.as_str())
        .map(str::to_string)
}

/// A request that got no answer, as the table reads it (the transport
/// names it; the table decides what it means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The host's name does not resolve.
    HostNotFound,
    /// The TLS connection failed its certificate check.
    Tls,
    /// The certificate is not one this system trusts, and why.
    Untrusted(&'static str),
    /// The body is larger than any page the client reads.
    TooLarge,
    /// The request would be longer than a URL can be.
    UrlTooLong,
    /// The request URL is not valid.
    BadUrl,
    /// Any other network failure, by a short name with no URL in it.
    Network(&'static str),
}

/// What came of one request: an answer, or none.
#[derive(Clone, Copy)]
pub(crate) enum Outcome<'a> {
    Answer(&'a Answer),
    Failed(Failure),
}

/// The table. `None`: the answer is the data asked for.
pub(crate) fn classify(asked: &Asked, outcome: Outcome<'_>) -> Option<Verdict> {
    match outcome {
        Outcome::Answer(answer) => answered(asked, answer),
        Outcome::Failed(failure) => Some(failed(asked, failure)),
    }
}

/// The rows for an answer, by its status.
fn answered(asked: &Asked, answer: &Answer) -> Option<Verdict> {
    use Action::*;
    let path = asked.path;
    let reason = answer.body.as_ref().and_then(Body::error);
    let status = answer.status;
    let (action, error) = match status {
        429 => (WaitForBudget, Error::transient(format!(
            "Gorgias kept answering {path} with 429 Too Many Requests: other apps on the account may be using its rate limit."
        ))),
        200..=299 => return classify_body(asked, answer),
        400 => bad_request(asked, reason),
        401 | 403 | 404 => refused(asked, answer),
        500 | 502 | 503 | 504 => (
            Backoff(answer.retry_after.unwrap_or_default()),
            Error::transient(format!("Gorgias answered {path} with {status} (a server error).")),
        ),
        _ => (Fail, Error::system(format!(
            "Gorgias answered {path} with HTTP {status}{}: the connector does not know how to go on; please report it.",
            reason.map(|m| format!(" ({m})")).unwrap_or_default()
        ))),
    };
    Some(Verdict::new(action, error))
}

/// The rows for a request refused (401, 403, 404).
fn refused(asked: &Asked, answer: &Answer) -> (Action, Error) {
    use Action::*;
    let path = asked.path;
    match answer.status {
        401 => (RefreshToken, Error::config(if asked.oauth {
            "Gorgias refused the OAuth2 access token (401 Unauthorized): authorize the app again, or give a refresh token with the app's client id and secret."
        } else {
            "Gorgias refused the credentials (401 Unauthorized): check `email` and `api_key` (Settings → REST API in Gorgias); a regenerated key invalidates the old one."
        })),
        403 => (Fail, Error::config(format!(
            "The API key's user is not allowed to read {path} (403 Forbidden): use the key of a Gorgias admin, or deselect the streams that read {path}."
        )).for_stream()),
        // Once the account has answered, the host is right: an HTML 404
        // is then about this endpoint, not the domain.
        404 if (answer.html && !asked.answered) || asked.is_account() => (Fail, Error::config(format!(
            "No Gorgias account answers at {} (404 Not Found): check that `domain` is your account's subdomain (the `acme` of acme.gorgias.com){}.",
            asked.base,
            if asked.base.ends_with(".gorgias.com/api") { "" } else { " and that `base_url` points at its API" }
        ))),
        _ /* 404 */ => (Fail, Error::config(format!(
            "Gorgias has no {path} for this account (404 Not Found): deselect the streams that read it, or check `base_url`."
        )).for_stream()),
    }
}

/// The rows for a 400 Bad Request, with the reason the body gave.
fn bad_request(asked: &Asked, reason: Option<&str>) -> (Action, Error) {
    let path = asked.path;
    match asked.cursor {
        // Gorgias's cursors are short-lived and may expire: a cursor
        // refused is a list to read again (the fetcher does, and says
        // what came of it), not a wrong config.
        true => (Action::Fail, Error::transient(format!(
            "Gorgias refused the page cursor it had given for {path} as expired (400 Bad Request: {}).",
            reason.unwrap_or("no reason given")
        ))),
        // One endpoint refusing its request says nothing of the others;
        // the account probe refusing it says the host is not the API.
        false => {
            let e = Error::config(format!(
                "Gorgias refused the request for {path} (400 Bad Request: {}): check `base_url` points at the Gorgias API; if it does, please report this.",
                reason.unwrap_or("no reason given")
            ));
            (Action::Fail, if asked.is_account() { e } else { e.for_stream() })
        }
    }
}

/// The rows for a request that got no answer. Only a network fault is
/// worth another try: a name, a certificate or a URL fails the same way
/// every time.
fn failed(asked: &Asked, failure: Failure) -> Verdict {
    use Action::*;
    let (path, base) = (asked.path, asked.base);
    let (action, error) = match failure {
        Failure::HostNotFound => (Fail, host_not_found(asked)),
        Failure::Tls => (Fail, Error::config(format!(
            "The TLS connection to {base} failed its certificate check: the connector only talks to hosts with a valid certificate; check `base_url`."
        ))),
        Failure::Untrusted(reason) => (Fail, Error::config(format!(
            "The TLS certificate of {base} is not one this system trusts ({reason}): the connector only sends credentials to hosts with a valid certificate; check `base_url`, or add the proxy's CA to the system's trust store."
        ))),
        Failure::TooLarge => (Fail, Error::system(format!(
            "Gorgias answered {path} with a page over 256 MiB: lower `page_size` and report it."
        ))),
        Failure::UrlTooLong => (Fail, Error::system(format!(
            "The request for {path} would be longer than a URL can be: please report it."
        ))),
        Failure::BadUrl => (Fail, Error::config(format!(
            "The request URL for {path} is not valid: check `base_url`."
        ))),
        Failure::Network(kind) => (Backoff(Duration::ZERO), Error::transient(format!(
            "The connection to Gorgias failed while reading {path} ({kind})."
        ))),
    };
    Verdict::new(action, error)
}

/// The name that does not resolve, and the config field that gave it.
fn host_not_found(asked: &Asked) -> Error {
    let uri: Option<ureq::http::Uri> = asked.base.parse().ok();
    let host = uri.as_ref().and_then(|u| u.host()).unwrap_or(asked.base);
    let field = if asked.base == format!("https://{}.gorgias.com/api", asked.domain) {
        "domain"
    } else {
        "base_url"
    };
    Error::config(format!("`{host}` does not resolve: check `{field}`."))
}

/// The token endpoint's rows: its JSON token, or what to do instead. Its
/// 400 and 401 say the credentials are wrong; its 429 and 5xx are tried
/// again as any request's are.
pub(crate) fn classify_token(
    status: u16,
    retry_after: Option<Duration>,
    json: Option<Value>,
) -> Result<Value, Verdict> {
    use Action::*;
    let (action, error) = match status {
        200..=299 => return json.filter(Value::is_object).ok_or_else(|| {
            Verdict::new(Fail, Error::system(format!(
                "Gorgias's token endpoint answered HTTP {status} without a JSON token: check that `base_url` points at the Gorgias API, and report it if it does."
            )))
        }),
        400 | 401 => (Fail, token_refused(status, json.as_ref())),
        429 | 500..=599 => (
            Backoff(retry_after.unwrap_or_default()),
            Error::transient(format!(
                "Gorgias's token endpoint answered {status} ({})",
                if status == 429 { "Too Many Requests" } else { "a server error" }
            )),
        ),
        _ => (Fail, Error::system(format!(
            "Gorgias's token endpoint answered HTTP {status}: the connector does not know how to go on; please report it."
        ))),
    };
    Err(Verdict::new(action, error))
}

/// The sentence for the token endpoint's 400 or 401: the credentials are
/// wrong or the grant was revoked, and only the user can fix that.
fn token_refused(status: u16, body: Option<&Value>) -> Error {
    let reason = body
        .and_then(|b| b.get("error_description").or_else(|| b.get("error")))
        .and_then(Value::as_str)
        .map(|r| format!(": {}", quote_server(r)))
        .unwrap_or_default();
    Error::config(format!(
        "Gorgias refused to refresh the OAuth2 access token (HTTP {status}{reason}): check the refresh token, client id and client secret, or authorize the app again."
    ))
}

/// What the retry loop does next about a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Try again after a backoff of at least this long.
    Backoff(Duration),
    /// Try again when the rate budget allows.
    Wait,
    /// Refresh the OAuth2 token, then try again at once.
    Refresh,
    /// The error stands as it is.
    Fail,
    /// The attempts are spent: the error stands, with what was tried.
    GiveUp,
}

/// The second half of the table: an action, at the `attempt`-th try of at
/// most `max_attempts`, becomes a step. `may_refresh`: a refresh token is
/// held and this request has not refreshed yet. How long each wait may be
/// is the retry budget's to say, not the table's.
pub(crate) fn next_step(
    action: Action,
    attempt: u32,
    max_attempts: u32,
    may_refresh: bool,
) -> Step {
    use Action::*;
    match action {
        // An access token can be revoked or expire early: one refresh,
        // then the 401 stands.
        RefreshToken if may_refresh => Step::Refresh,
        RefreshToken | Fail => Step::Fail,
        // An HTML page where JSON belongs is almost always a wrong host,
        // and a body that cannot be read will not be read the next time.
        LookOnceMore if attempt >= 2 => Step::Fail,
        // 429s are paced by the budget and bounded by time only: a busy
        // account is not a reason to give up on the third try.
        WaitForBudget => Step::Wait,
        LookOnceMore | Backoff(_) if attempt >= max_attempts => Step::GiveUp,
        LookOnceMore => Step::Backoff(Duration::ZERO),
        Backoff(at_least) => Step::Backoff(at_least),
    }
}

/// The 2xx rows of the table: what the body says.
fn classify_body(asked: &Asked, answer: &Answer) -> Option<Verdict> {
    use Action::*;
    let path = asked.path;
    if let Some(encoding) = &answer.encoding {
        return Some(Verdict::new(LookOnceMore, Error::system(format!(
            "Gorgias answered {path} with a body in the `{}` encoding, which the connector did not ask for and cannot read: check that nothing between the connector and Gorgias (a proxy) re-encodes answers.",
            quote_server(encoding)
        ))));
    }
    let (action, error) = match answer.body.as_ref()? {
        Body::Json {
            error: Some(msg),
            data: false,
        } => (Fail, Error::system(format!(
            "Gorgias answered {path} with an error instead of data ({msg}): please check the account in Gorgias, and report it if it persists."
        ))),
        Body::Json { .. } => return None,
        Body::Html => (LookOnceMore, Error::config(format!(
            "{} answered {path} with an HTML page instead of JSON: check that `domain` (and `base_url`, if set) point at the Gorgias API of account `{}`.",
            asked.base, asked.domain
        ))),
        Body::Truncated => (Backoff(Duration::ZERO), Error::transient(format!(
            "Gorgias answered {path} with a body that is not complete JSON (it was cut short)"
        ))),
        // Not UTF-8, nested past the limit, or no JSON at all: the same
        // bytes will come again, so one more look and then a system error.
        Body::Unreadable { utf8 } => (LookOnceMore, Error::system(format!(
            "Gorgias answered {path} with a body the connector cannot read ({}): please report it.",
            if *utf8 { "it is not JSON, or nests deeper than the connector reads" } else { "it is not UTF-8 text" }
        ))),
    };
    Some(Verdict::new(action, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FailureType, Reach};
    use serde_json::json;

    const ASKED: Asked = Asked {
        path: "/tickets",
        base: "https://acme.gorgias.com/api",
        domain: "acme",
        answered: true,
        oauth: false,
        cursor: false,
    };

    fn json(error: Option<&str>, data: bool) -> Option<Body> {
        Some(Body::Json {
            error: error.map(str::to_string),
            data,
        })
    }

    fn answer(status: u16, body: Option<Body>) -> Answer {
        Answer {
            status,
            retry_after: None,
            html: false,
            encoding: None,
            body,
        }
    }

    /// (action, failure type, reach, a piece of the sentence).
    fn row(asked: &Asked, answer: &Answer) -> (Action, FailureType, Reach, String) {
        let v = classify(asked, Outcome::Answer(answer)).expect("a verdict");
        (v.action, v.error.failure, v.error.reach, v.error.message)
    }

    #[test]
    fn data_is_accepted_even_beside_an_error() {
        assert!(classify(&ASKED, Outcome::Answer(&answer(200, json(None, true)))).is_none());
        assert!(classify(
            &ASKED,
            Outcome::Answer(&answer(204, json(Some("odd"), true)))
        )
        .is_none());
        let (a, f, _, m) = row(&ASKED, &answer(200, json(Some("Account suspended"), false)));
        assert_eq!((a, f), (Action::Fail, FailureType::System));
        assert!(
            m.contains("error instead of data (Account suspended)"),
            "{m}"
        );
    }

    /// The status rows: (status, action, failure type, reach, a piece of
    /// the sentence), for an answer whose body says "Invalid order_by".
    const STATUS_ROWS: [(u16, Action, FailureType, Reach, &str); 9] = {
        use Action::*;
        use FailureType::*;
        use Reach::*;
        [
            (
                429,
                WaitForBudget,
                Transient,
                Stream,
                "429 Too Many Requests",
            ),
            (401, RefreshToken, Config, Sync, "refused the credentials"),
            (403, Fail, Config, Stream, "not allowed to read /tickets"),
            (404, Fail, Config, Stream, "has no /tickets"),
            (
                400,
                Fail,
                Config,
                Stream,
                "400 Bad Request: Invalid order_by",
            ),
            (
                500,
                Backoff(Duration::ZERO),
                Transient,
                Stream,
                "500 (a server error)",
            ),
            (503, Backoff(Duration::ZERO), Transient, Stream, "503"),
            (409, Fail, System, Stream, "HTTP 409 (Invalid order_by)"),
            (418, Fail, System, Stream, "does not know how to go on"),
        ]
    };

    #[test]
    fn the_status_table() {
        for (status, action, failure, reach, needle) in STATUS_ROWS {
            let got = row(
                &ASKED,
                &answer(status, json(Some("Invalid order_by"), false)),
            );
            assert_eq!((got.0, got.1, got.2), (action, failure, reach), "{status}");
            assert!(got.3.contains(needle), "{status}: {}", got.3);
        }
    }

    #[test]
    fn a_bad_request_on_a_cursor_is_an_expired_cursor_not_a_config_error() {
        let paged = Asked {
            cursor: true,
            ..ASKED
        };
        let (a, f, reach, m) = row(&paged, &answer(400, json(Some("Invalid cursor"), false)));
        assert_eq!(
            (a, f, reach),
            (Action::Fail, FailureType::Transient, Reach::Stream)
        );
        assert!(
            m.contains("page cursor") && m.contains("expired") && !m.contains("base_url"),
            "{m}"
        );
        assert!(m.contains("400 Bad Request: Invalid cursor"), "{m}");
    }

    #[test]
    fn a_server_error_waits_at_least_what_it_asked() {
        let mut a = answer(503, None);
        a.retry_after = Some(Duration::from_secs(7));
        let (action, ..) = row(&ASKED, &a);
        assert_eq!(action, Action::Backoff(Duration::from_secs(7)));
    }

    #[test]
    fn the_account_probe_refused_ends_the_sync() {
        let account = Asked {
            path: "/account",
            ..ASKED
        };
        for status in [400, 404] {
            let (action, _, reach, _) = row(&account, &answer(status, json(None, false)));
            assert_eq!((action, reach), (Action::Fail, Reach::Sync), "{status}");
        }
        let (.., m) = row(&account, &answer(400, json(None, false)));
        assert!(m.contains("400 Bad Request: no reason given"), "{m}");
    }

    #[test]
    fn an_html_404_is_the_domain_until_the_account_answered() {
        let mut a = answer(404, Some(Body::Html));
        a.html = true;
        let first = Asked {
            answered: false,
            ..ASKED
        };
        let (_, _, reach, m) = row(&first, &a);
        assert_eq!(reach, Reach::Sync);
        assert!(m.contains("No Gorgias account answers at"), "{m}");
        let (_, _, reach, m) = row(&ASKED, &a);
        assert_eq!(reach, Reach::Stream);
        assert!(m.contains("has no /tickets"), "{m}");
    }

    #[test]
    fn an_oauth_401_says_to_authorize_again() {
        let oauth = Asked {
            oauth: true,
            ..ASKED
        };
        let (a, _, _, m) = row(&oauth, &answer(401, None));
        assert_eq!(a, Action::RefreshToken);
        assert!(m.contains("OAuth2 access token"), "{m}");
    }

    #[test]
    fn bodies_that_cannot_be_read() {
        use Action::*;
        use FailureType::*;
        let cases = [
            (
                Body::Html,
                LookOnceMore,
                Config,
                "HTML page instead of JSON",
            ),
            (
                Body::Truncated,
                Backoff(Duration::ZERO),
                Transient,
                "cut short",
            ),
            (
                Body::Unreadable { utf8: true },
                LookOnceMore,
                System,
                "it is not JSON",
            ),
            (
                Body::Unreadable { utf8: false },
                LookOnceMore,
                System,
                "not UTF-8",
            ),
        ];
        for (body, action, failure, needle) in cases {
            let (a, f, _, m) = row(&ASKED, &answer(200, Some(body.clone())));
            assert_eq!((a, f), (action, failure), "{body:?}");
            assert!(m.contains(needle), "{body:?}: {m}");
        }
        let mut encoded = answer(200, json(None, true));
        encoded.encoding = Some("gzip".into());
        let (a, f, _, m) = row(&ASKED, &encoded);
        assert_eq!((a, f), (LookOnceMore, System));
        assert!(m.contains("`gzip` encoding"), "{m}");
    }

    /// The rows for a request that got no answer: (failure, action, failure
    /// type, a piece of the sentence).
    const FAILURE_ROWS: [(Failure, Action, FailureType, &str); 7] = {
        use Action::*;
        use FailureType::*;
        [
            (
                Failure::HostNotFound,
                Fail,
                Config,
                "does not resolve: check `domain`",
            ),
            (Failure::Tls, Fail, Config, "failed its certificate check"),
            (
                Failure::Untrusted("it has expired"),
                Fail,
                Config,
                "trusts (it has expired)",
            ),
            (Failure::TooLarge, Fail, System, "a page over 256 MiB"),
            (
                Failure::UrlTooLong,
                Fail,
                System,
                "longer than a URL can be",
            ),
            (
                Failure::BadUrl,
                Fail,
                Config,
                "URL for /tickets is not valid",
            ),
            (
                Failure::Network("timed out"),
                Backoff(Duration::ZERO),
                Transient,
                "reading /tickets (timed out)",
            ),
        ]
    };

    #[test]
    fn the_failure_table() {
        for (failure, action, failure_type, needle) in FAILURE_ROWS {
            let v = classify(&ASKED, Outcome::Failed(failure)).expect("a verdict");
            assert_eq!(
                (v.action, v.error.failure),
                (action, failure_type),
                "{failure:?}"
            );
            assert!(
                v.error.message.contains(needle),
                "{failure:?}: {}",
                v.error.message
            );
        }
        let proxied = Asked {
            base: "https://proxy.example.net/gorgias/api",
            ..ASKED
        };
        let v = classify(&proxied, Outcome::Failed(Failure::HostNotFound)).unwrap();
        assert_eq!(
            v.error.message,
            "`proxy.example.net` does not resolve: check `base_url`."
        );
    }

    /// The steps: (action, attempt, may refresh, step), of at most 3 attempts.
    const STEP_ROWS: [(Action, u32, bool, Step); 12] = {
        use Action::*;
        const SEC: Duration = Duration::from_secs(1);
        [
            (RefreshToken, 1, true, Step::Refresh),
            (RefreshToken, 1, false, Step::Fail),
            (Fail, 1, true, Step::Fail),
            (LookOnceMore, 1, false, Step::Backoff(Duration::ZERO)),
            (LookOnceMore, 2, false, Step::Fail),
            (WaitForBudget, 1, false, Step::Wait),
            // A busy account is bounded by time, never by a count of tries.
            (WaitForBudget, 9, false, Step::Wait),
            (Backoff(SEC), 1, false, Step::Backoff(SEC)),
            (Backoff(SEC), 2, false, Step::Backoff(SEC)),
            (Backoff(SEC), 3, false, Step::GiveUp),
            (Backoff(Duration::ZERO), 4, true, Step::GiveUp),
            (Fail, 3, false, Step::Fail),
        ]
    };

    #[test]
    fn the_step_table() {
        for (action, attempt, may_refresh, step) in STEP_ROWS {
            let got = next_step(action, attempt, 3, may_refresh);
            assert_eq!(
                got, step,
                "{action:?} at attempt {attempt}, may refresh: {may_refresh}"
            );
        }
    }

    #[test]
    fn the_token_table() {
        use Action::*;
        let token = json!({"access_token": "a"});
        assert_eq!(
            classify_token(200, None, Some(token.clone())).unwrap(),
            token
        );
        let cases = [
            (200, None, Fail, "without a JSON token"),
            (
                400,
                Some(json!({"error_description": "bad grant"})),
                Fail,
                "(HTTP 400: bad grant)",
            ),
            (
                401,
                Some(json!({"error": "invalid_client"})),
                Fail,
                "(HTTP 401: invalid_client)",
            ),
            (
                429,
                None,
                Backoff(Duration::ZERO),
                "429 (Too Many Requests)",
            ),
            (502, None, Backoff(Duration::ZERO), "502 (a server error)"),
            (302, None, Fail, "HTTP 302: the connector does not know"),
        ];
        for (status, body, action, needle) in cases {
            let v = classify_token(status, None, body).unwrap_err();
            assert_eq!(v.action, action, "{status}");
            assert!(
                v.error.message.contains(needle),
                "{status}: {}",
                v.error.message
            );
        }
    }
}
