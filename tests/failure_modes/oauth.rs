//! A rotated OAuth2 refresh token is never lost (issue 20). The hostile
//! server plays a token endpoint that rotates its refresh token on every
//! grant and refuses any refresh token but the latest, as single-use
//! refresh tokens work; each face must pass the new token on (Airbyte: a
//! CONTROL message before anything that can fail; Singer: the config file
//! rewritten) through read, check, probe, and whatever the answer holds.

use crate::common::hostile::{parse_query, Action, HostileServer};
use crate::common::singer;
use crate::common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const FIRST_REFRESH: &str = "initial-refresh-token-0000";
const CLIENT_SECRET: &str = "client-secret-9012-abcdef";

fn access(n: u32) -> String {
    format!("issued-access-{n}-abcdef123456")
}

fn refresh(n: u32) -> String {
    format!("issued-refresh-{n}-fedcba654321")
}

/// One scripted answer, made afresh for each request.
type Answer = fn() -> Action;

/// What the token endpoint answers to its `n`-th request (from 1) when the
/// refresh token is the latest; `None` for the usual rotation.
type Script = dyn Fn(u32) -> Option<Action> + Send + Sync;

/// An account whose token endpoint rotates the refresh token on every grant
/// and refuses any but the latest, and whose API takes any issued access
/// token. `tags` has `pages` pages of one tag each.
struct Account {
    server: HostileServer,
}

impl Account {
    fn start(expires_in: Value, pages: u32, script: Box<Script>) -> Account {
        let grants = Arc::new(Mutex::new(0u32));
        let asked = Arc::new(Mutex::new(0u32));
        let server = HostileServer::start(move |r| {
            if r.path == "/oauth/token" {
                let form = parse_query(&String::from_utf8_lossy(&r.body));
                let sent = form.iter().find(|(k, _)| k == "refresh_token");
                let mut n = grants.lock().unwrap();
                let latest = if *n == 0 {
                    FIRST_REFRESH.to_string()
                } else {
                    refresh(*n)
                };
                if sent.map(|(_, v)| v.as_str()) != Some(latest.as_str()) {
                    return Action::json(400, &json!({"error": "invalid_grant"}));
                }
                let mut asked = asked.lock().unwrap();
                *asked += 1;
                if let Some(action) = script(*asked) {
                    return action;
                }
                *n += 1;
                return Action::json(
                    200,
                    &json!({"access_token": access(*n), "refresh_token": refresh(*n),
                        "expires_in": expires_in, "token_type": "Bearer"}),
                );
            }
            if !r
                .header("authorization")
                .is_some_and(|a| a.starts_with("Bearer issued-access-"))
            {
                return Action::json(401, &json!({"error": {"msg": "expired"}}));
            }
            if r.path == "/api/account" {
                return Action::json(
                    200,
                    &json!({"domain": "acme", "status": {"status": "active"}}),
                );
            }
            let page: u32 = r.param("cursor").map_or(1, |c| c.parse().unwrap());
            let next = (page < pages).then(|| (page + 1).to_string());
            Action::page(
                json!([{"id": page, "name": format!("tag{page}"), "uri": format!("/api/tags/{page}")}]),
                next.as_deref(),
            )
        });
        Account { server }
    }

    fn rotating(expires_in: Value) -> Account {
        Account::start(expires_in, 1, Box::new(|_| None))
    }

    /// A config whose access token has expired, with a key the connector
    /// does not know: the rewritten config must keep it.
    fn config(&self) -> Value {
        json!({"domain": "acme", "base_url": self.server.base_url(), "backoff_base_ms": 1,
            "retry_budget_ms": 3000, "start_date": "2024-01-01", "x_kept": {"a": [1]},
            "credentials": {"auth_type": "oauth2", "access_token": "initial-access-token-0000",
                "token_expiry_date": "2020-01-01T00:00:00Z", "refresh_token": FIRST_REFRESH,
                "client_id": "app", "client_secret": CLIENT_SECRET}})
    }

    fn grants(&self) -> usize {
        self.server.requests_to("/oauth/token").len()
    }

    fn api_requests(&self) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .count()
    }
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn messages(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .inspect(check_message)
            .collect()
    }

    /// The configs the CONTROL messages carried, in order.
    fn controls(&self) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["type"] == "CONTROL")
            .map(|m| m["control"]["connectorConfig"]["config"].clone())
            .collect()
    }

    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn run(bin: &str, args: &[&Path]) -> Ran {
    let out = Command::new(bin).args(args).output().expect("binary runs");
    let ran = Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!ran.all().contains("panicked"), "{}", ran.all());
    // Only the CONTROL message may carry the config's secrets.
    for line in ran.stdout.lines().filter(|l| !l.contains("\"CONTROL\"")) {
        assert!(!line.contains(CLIENT_SECRET), "{line}");
    }
    assert!(!ran.stderr.contains(CLIENT_SECRET), "{}", ran.stderr);
    ran
}

/// `tap-gorgias` syncing a config and a Singer catalog.
fn sync(config: &Path, catalog: &Path) -> Ran {
    run(
        TAP,
        &[
            Path::new("--config"),
            config,
            Path::new("--catalog"),
            catalog,
        ],
    )
}

fn read(config: &Path, catalog: &Path) -> Ran {
    run(
        SOURCE,
        &[
            Path::new("read"),
            Path::new("--config"),
            config,
            Path::new("--catalog"),
            catalog,
        ],
    )
}

fn airbyte_cmd(command: &str, config: &Path) -> Ran {
    run(SOURCE, &[Path::new(command), Path::new("--config"), config])
}

/// The config as passed on: the new tokens, everything else as given.
fn assert_passed_on(config: &Value, original: &Value, n: u32) {
    let creds = &config["credentials"];
    assert_eq!(creds["refresh_token"], json!(refresh(n)), "{config}");
    assert_eq!(creds["access_token"], json!(access(n)), "{config}");
    assert_eq!(creds["client_secret"], json!(CLIENT_SECRET));
    assert_eq!(config["x_kept"], original["x_kept"]);
    assert_eq!(config["start_date"], original["start_date"]);
}

fn expiry_of(config: &Value) -> chrono::DateTime<chrono::Utc> {
    let s = config["credentials"]["token_expiry_date"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(s).unwrap().into()
}

/// Item 6: `probe` refreshed and passed nothing on, so the next `check`
/// was refused. Now the Airbyte probe's first line is the CONTROL message,
/// the tap's --probe rewrites its config file, and the next check works.
#[test]
fn probe_passes_a_rotated_token_on_and_the_next_check_works() {
    let account = Account::rotating(json!(3600));
    let dir = scratch();
    let original = account.config();
    let config = write_json(&dir, "config.json", &original);
    let probe = airbyte_cmd("probe", &config);
    assert_eq!(probe.code, 0, "{}", probe.all());
    let first: Value = serde_json::from_str(probe.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "CONTROL", "{}", probe.stdout);
    let passed_on = &first["control"]["connectorConfig"]["config"];
    assert_passed_on(passed_on, &original, 1);
    assert!(probe.stderr.contains("CONTROL message"), "{}", probe.stderr);
    let rest: String = probe.stdout.lines().skip(1).collect();
    assert!(!rest.contains(&refresh(1)) && !probe.stderr.contains(&refresh(1)));

    // The next check, its access token expired, refreshes with the
    // passed-on refresh token (the old one is refused, as Gorgias would).
    let expired = |config: &Value| {
        let mut c = config.clone();
        c["credentials"]["token_expiry_date"] = json!("2020-01-01T00:00:00Z");
        c
    };
    let next = write_json(&dir, "next.json", &expired(passed_on));
    let check = airbyte_cmd("check", &next);
    let status = check
        .messages()
        .into_iter()
        .find(|m| m["type"] == "CONNECTION_STATUS")
        .unwrap();
    assert_eq!(
        status["connectionStatus"]["status"],
        "SUCCEEDED",
        "{}",
        check.all()
    );
    let types: Vec<Value> = check.messages().iter().map(|m| m["type"].clone()).collect();
    assert_eq!(
        types,
        [json!("CONTROL"), json!("CONNECTION_STATUS")],
        "{}",
        check.stdout
    );
    assert_passed_on(&check.controls()[0], &original, 2);

    // The tap, its token expired again: the file it was given now holds
    // the third grant's tokens.
    let tap_config = write_json(&dir, "tap.json", &expired(&check.controls()[0]));
    let probe = run(
        TAP,
        &[
            &PathBuf::from("--config"),
            &tap_config,
            Path::new("--probe"),
        ],
    );
    assert_eq!(probe.code, 0, "{}", probe.all());
    let rewritten: Value = serde_json::from_slice(&std::fs::read(&tap_config).unwrap()).unwrap();
    assert_passed_on(&rewritten, &original, 3);
    let lines: Vec<&str> = probe
        .stderr
        .lines()
        .filter(|l| l.contains("refresh token"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", probe.stderr);
    assert!(
        lines[0].starts_with("INFO ") && lines[0].contains("tap.json"),
        "{}",
        lines[0]
    );
    assert!(!probe.all().contains(&refresh(3)) && !probe.all().contains(&access(3)));
    let check = airbyte_cmd(
        "check",
        &write_json(&dir, "last.json", &expired(&rewritten)),
    );
    assert!(check.stdout.contains("SUCCEEDED"), "{}", check.all());
    assert_eq!(account.grants(), 4);
}

/// Item 7: a lifetime as a float, zero or negative was refused before the
/// new refresh token was stored. Each is now read; the rotated token
/// reaches the platform and the tap's file; zero or less never loops.
#[test]
fn every_lifetime_keeps_the_rotated_token_and_none_loops() {
    for expires_in in [json!(3600.0), json!(0), json!(-5)] {
        let account = Account::start(expires_in.clone(), 3, Box::new(|_| None));
        let dir = scratch();
        let original = account.config();
        let config = write_json(&dir, "config.json", &original);
        let ran = read(&config, &tags_catalog(&dir));
        assert_eq!(ran.code, 0, "{expires_in}: {}", ran.all());
        let records = ran
            .messages()
            .iter()
            .filter(|m| m["type"] == "RECORD")
            .count();
        assert_eq!(records, 3, "{expires_in}: {}", ran.stdout);
        let grants = account.grants() as u32;
        let controls = ran.controls();
        let last = controls.last().expect("a CONTROL message");
        assert_passed_on(last, &original, grants);
        let now = chrono::Utc::now();
        if expires_in == json!(3600.0) {
            assert_eq!(grants, 1);
            let left = expiry_of(last) - now;
            assert!((3500..=3600).contains(&left.num_seconds()), "{left}");
        } else {
            // Expired on arrival: passed on as expired, so the next run
            // refreshes first; this run uses it until it is refused, and
            // never refreshes again before each request.
            assert!(expiry_of(last) <= now, "{last}");
            assert!(account.api_requests() > 1, "{}", account.api_requests());
            assert_eq!(grants, 1, "{grants} grants");
        }
        // No LOG or TRACE carries a token.
        for line in ran.stdout.lines().filter(|l| !l.contains("\"CONTROL\"")) {
            assert!(!line.contains("issued-"), "{line}");
        }

        // The tap writes the latest tokens into its file.
        let account = Account::start(expires_in.clone(), 3, Box::new(|_| None));
        let dir = scratch();
        let original = account.config();
        let config = write_json(&dir, "config.json", &original);
        let catalog = singer::tags_catalog(&dir, &config);
        let ran = sync(&config, &catalog);
        assert_eq!(ran.code, 0, "{expires_in}: {}", ran.all());
        assert_eq!(
            ran.stdout.matches("\"RECORD\"").count(),
            3,
            "{}",
            ran.stdout
        );
        let rewritten: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
        assert_passed_on(&rewritten, &original, account.grants() as u32);
        assert!(!ran.all().contains("issued-"), "{}", ran.all());
    }
}

/// The order the faces promise: a rotation refreshed on the fetching thread
/// reaches stdout before the stream's end is reported, each CONTROL newer
/// than the one before.
#[test]
fn rotations_on_the_fetching_thread_reach_the_output_in_order() {
    let account = Account::start(json!(0), 4, Box::new(|_| None));
    let dir = scratch();
    let config = write_json(&dir, "config.json", &account.config());
    let ran = read(&config, &tags_catalog(&dir));
    assert_eq!(ran.code, 0, "{}", ran.all());
    let messages = ran.messages();
    let issued: Vec<u32> = ran
        .controls()
        .iter()
        .map(|c| {
            let t = c["credentials"]["refresh_token"].as_str().unwrap();
            t.split('-').nth(2).unwrap().parse().unwrap()
        })
        .collect();
    assert!(issued.windows(2).all(|w| w[0] < w[1]), "{issued:?}");
    assert_eq!(issued.last().copied(), Some(account.grants() as u32));
    let last_control = messages
        .iter()
        .rposition(|m| m["type"] == "CONTROL")
        .unwrap();
    let complete = messages
        .iter()
        .position(|m| m["trace"]["stream_status"]["status"] == "COMPLETE")
        .unwrap();
    assert!(last_control < complete, "{}", ran.stdout);
}

/// Item 8: a 5xx from the token endpoint was a config error, never
/// retried. Now it is retried like any request; when it persists the
/// failure is transient (exit 3); only 400 and 401 are config errors.
#[test]
fn the_token_endpoint_is_retried_and_only_its_400_and_401_blame_the_config() {
    // 500, then 503, then the grant: the read goes on.
    let account = Account::start(
        json!(3600),
        1,
        Box::new(|n| match n {
            1 => Some(Action::json(500, &json!({"error": "oops"}))),
            2 => Some(Action::json(503, &json!({}))),
            _ => None,
        }),
    );
    let dir = scratch();
    let original = account.config();
    let config = write_json(&dir, "config.json", &original);
    let ran = read(&config, &tags_catalog(&dir));
    assert_eq!(ran.code, 0, "{}", ran.all());
    assert_eq!(account.server.requests_to("/oauth/token").len(), 3);
    assert_passed_on(&ran.controls()[0], &original, 1);

    // A 500 or a hang that persists: transient, and nothing to re-authorize.
    let failing: [(&str, Answer); 2] = [
        ("500", || Action::json(500, &json!({}))),
        ("hang", || Action::Hang),
    ];
    for (what, answer) in failing {
        let account = Account::start(json!(3600), 1, Box::new(move |_| Some(answer())));
        let dir = scratch();
        let mut c = account.config();
        c["retry_budget_ms"] = json!(1500);
        let config = write_json(&dir, "config.json", &c);
        let ran = read(&config, &tags_catalog(&dir));
        assert_eq!(ran.code, 3, "{what}: {}", ran.all());
        let errors: Vec<Value> = ran
            .messages()
            .into_iter()
            .filter(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR")
            .collect();
        let error = &errors.last().unwrap()["trace"]["error"];
        assert_eq!(error["failure_type"], "transient_error", "{what}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("token endpoint") || message.contains("/oauth/token"),
            "{message}"
        );
        assert!(!message.contains("authorize"), "{what}: {message}");
        let check = airbyte_cmd("check", &config);
        assert_eq!(check.code, 0, "{}", check.all());
        assert!(check.stdout.contains("FAILED"), "{}", check.stdout);
    }
    // A 500 is tried more than once.
    let account = Account::start(
        json!(3600),
        1,
        Box::new(|_| Some(Action::json(500, &json!({})))),
    );
    let dir = scratch();
    let config = write_json(&dir, "config.json", &account.config());
    assert_eq!(read(&config, &tags_catalog(&dir)).code, 3);
    assert!(account.grants() > 1, "{} tries", account.grants());

    // 400 and 401: the credentials, once, exit 1.
    for status in [400, 401] {
        let account = Account::start(
            json!(3600),
            1,
            Box::new(move |_| Some(Action::json(status, &json!({"error": "invalid_client"})))),
        );
        let dir = scratch();
        let config = write_json(&dir, "config.json", &account.config());
        let ran = read(&config, &tags_catalog(&dir));
        assert_eq!(ran.code, 1, "{status}: {}", ran.all());
        assert!(
            ran.stdout.contains("authorize the app again"),
            "{}",
            ran.stdout
        );
        assert_eq!(account.grants(), 1);
    }
}

/// Items 7 and 8: an access token that cannot go into a header is the
/// token endpoint's fault (not `base_url`'s), and the refresh token the
/// same answer rotated is passed on before the error.
#[test]
fn a_failing_token_answer_still_passes_its_new_refresh_token_on_first() {
    let answers = [
        json!({"access_token": "bad-access\r\nX-Injected: 1", "refresh_token": refresh(1), "expires_in": 3600}),
        json!({"access_token": "bad-access-token\u{0}0000", "refresh_token": refresh(1), "expires_in": 3600}),
        json!({"access_token": access(1), "refresh_token": refresh(1), "expires_in": "soon"}),
        json!({"refresh_token": refresh(1), "expires_in": 3600}),
    ];
    for answer in answers {
        let body = answer.clone();
        let account = Account::start(
            json!(3600),
            1,
            Box::new(move |_| Some(Action::json(200, &body))),
        );
        let dir = scratch();
        let original = account.config();
        let config = write_json(&dir, "config.json", &original);
        let ran = read(&config, &tags_catalog(&dir));
        assert_eq!(ran.code, 4, "{answer}: {}", ran.all());
        let messages = ran.messages();
        let control = messages.iter().position(|m| m["type"] == "CONTROL");
        let error = messages
            .iter()
            .position(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR");
        assert!(
            control.is_some() && control < error,
            "{answer}: {}",
            ran.stdout
        );
        let passed_on = &ran.controls()[0];
        assert_eq!(passed_on["credentials"]["refresh_token"], json!(refresh(1)));
        // The next run refreshes first, with the new refresh token.
        assert!(expiry_of(passed_on) <= chrono::Utc::now());
        let message = messages[error.unwrap()]["trace"]["error"]["message"]
            .as_str()
            .unwrap();
        assert!(message.contains("token endpoint"), "{message}");
        assert!(!message.contains("base_url"), "{message}");
        assert!(!ran.stdout.contains("X-Injected: 1\""), "{}", ran.stdout);

        // The tap rewrites its file before it fails.
        let account = Account::start(json!(3600), 1, {
            let body = answer.clone();
            Box::new(move |_| Some(Action::json(200, &body)))
        });
        let dir = scratch();
        let config = write_json(&dir, "config.json", &account.config());
        let catalog = singer::tags_catalog(&dir, &config);
        let ran = sync(&config, &catalog);
        assert_eq!(ran.code, 4, "{answer}: {}", ran.all());
        let rewritten: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
        assert_eq!(rewritten["credentials"]["refresh_token"], json!(refresh(1)));
        assert!(!ran.all().contains(&refresh(1)), "{}", ran.all());
    }
}

/// `discover` never asks the API, so it never spends a refresh token.
#[test]
fn discover_never_spends_the_refresh_token() {
    let account = Account::rotating(json!(3600));
    let dir = scratch();
    let config = write_json(&dir, "config.json", &account.config());
    let ran = airbyte_cmd("discover", &config);
    assert_eq!(ran.code, 0, "{}", ran.all());
    assert!(ran.controls().is_empty());
    let ran = run(
        TAP,
        &[Path::new("--config"), &config, Path::new("--discover")],
    );
    assert_eq!(ran.code, 0, "{}", ran.all());
    assert!(account.server.requests().is_empty());
}
