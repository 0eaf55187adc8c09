//! What the connector does (issue 12 items 5–12, issue 15 item 8)
//! against servers and environments that misbehave on purpose. One test per
//! class: server text echoing the credentials, config values carrying the
//! key, a failure on the fetching thread, the retry bound, `check`'s own
//! budget, an untrusted certificate, bodies that can never be read, a full
//! disk, the tap's usage line, and a rotated refresh token.

use crate::common::hostile::{Action, HostileServer, Request};
use crate::common::singer::{self, path};
use crate::common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// One run of a binary, killed if it outlives `deadline` (a hang is a
/// failure, never a stuck test).
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Ran {
    fn messages(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    fn of_type(&self, t: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["type"] == t)
            .collect()
    }

    fn trace_errors(&self) -> Vec<Value> {
        self.of_type("TRACE")
            .into_iter()
            .filter(|m| m["trace"]["type"] == "ERROR")
            .map(|m| m["trace"]["error"].clone())
            .collect()
    }

    /// The error of this failure type (a read that goes on past a failed
    /// stream may add a closing error of its own).
    fn error_of(&self, failure: &str) -> Value {
        let errors = self.trace_errors();
        errors
            .iter()
            .find(|e| e["failure_type"] == failure)
            .cloned()
            .unwrap_or_else(|| panic!("no {failure}: {}", self.stdout))
    }

    fn assert_ended_with(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "ended in {:?}: {}",
            self.took,
            self.output()
        );
    }

    fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn run_within(bin: &str, args: &[&str], deadline: Duration) -> Ran {
    run_bin_env(bin, args, &[], deadline)
}

/// `source-gorgias read` of a config and catalog, given 20 s to end.
fn read_airbyte(config: &Path, catalog: &Path) -> Ran {
    run_within(
        SOURCE,
        &["read", "--config", path(config), "--catalog", path(catalog)],
        Duration::from_secs(20),
    )
}

fn run_bin_env(bin: &str, args: &[&str], env: &[(&str, &str)], deadline: Duration) -> Ran {
    let run = run_bounded(bin, args, env, deadline);
    let ran = Ran {
        code: run.code,
        stdout: run.stdout,
        stderr: run.stderr,
        took: run.took,
    };
    assert!(
        !ran.output().contains("panicked") && !ran.output().contains("stack backtrace"),
        "a panic or a backtrace: {}",
        ran.output()
    );
    assert_no_leak(
        &format!("{args:?}"),
        &[&ran.stdout, &ran.stderr],
        &leak_forms(Some(EMAIL), API_KEY),
    );
    ran
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                T[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

fn api_config(base_url: &str) -> Value {
    json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": base_url, "backoff_base_ms": 1})
}

#[test]
fn server_text_echoing_the_credentials_never_reaches_any_output() {
    let basic = base64(format!("{EMAIL}:{API_KEY}").as_bytes());
    let secrets = [API_KEY.to_string(), basic.clone()];
    // What a proxy or a WAF might echo: the whole header, its credential
    // alone, or the key itself.
    let echoes: [fn(&Request) -> String; 3] = [
        |r| format!("denied for {}", r.header("authorization").unwrap_or("")),
        |r| {
            let h = r.header("authorization").unwrap_or("");
            format!("bad credential {}", h.trim_start_matches("Basic "))
        },
        |_| format!("key {API_KEY} is not allowed here"),
    ];
    for status in [400u16, 409, 418, 422, 200] {
        for (n, echo) in echoes.iter().enumerate() {
            let echo = *echo;
            let server = HostileServer::start(move |r| {
                Action::json(status, &json!({"error": {"msg": echo(r)}}))
            });
            let dir = scratch();
            let config = write_json(&dir, "config.json", &api_config(&server.base_url()));
            let catalog = tags_catalog(&dir);
            let singer_catalog = singer::tags_catalog(&dir, &config);
            let runs = [
                run_within(
                    SOURCE,
                    &["check", "--config", path(&config)],
                    Duration::from_secs(30),
                ),
                run_within(
                    SOURCE,
                    &[
                        "read",
                        "--config",
                        path(&config),
                        "--catalog",
                        path(&catalog),
                    ],
                    Duration::from_secs(30),
                ),
                run_within(
                    TAP,
                    &[
                        "--config",
                        path(&config),
                        "--catalog",
                        path(&singer_catalog),
                    ],
                    Duration::from_secs(30),
                ),
            ];
            for (face, run) in ["check", "read", "tap"].iter().zip(&runs) {
                let all = run.output();
                for s in &secrets {
                    assert!(
                        !all.contains(s.as_str()),
                        "{face} on {status} (echo {n}) leaked a secret: {all}"
                    );
                }
                // The server's text is still quoted, with the secret masked.
                assert!(all.contains("****"), "{face} on {status} (echo {n}): {all}");
            }
            assert_eq!(runs[0].code, Some(0));
            assert_eq!(
                runs[0].of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"],
                "FAILED"
            );
            assert!(!runs[1].trace_errors().is_empty(), "{}", runs[1].stdout);
            assert!(runs[2].stderr.contains("CRITICAL"), "{}", runs[2].stderr);
        }
    }
}

#[test]
fn config_values_carrying_the_key_are_read_or_refused_without_quoting_it() {
    let sb = sandbox(3);
    let base = sb.base_url();
    let encoded_email = EMAIL.replace('@', "%40");
    // The `user:password@host` forms people write: accepted.
    for config in [
        json!({"uri": format!("gorgias://{encoded_email}:{API_KEY}@acme"), "base_url": base}),
        json!({"uri": format!("gorgias://{EMAIL}:{API_KEY}@acme"), "base_url": base}),
        json!({"uri": format!("gorgias://acme&api_key={API_KEY}&email={encoded_email}"), "base_url": base}),
        json!({"domain_name": format!("https://{encoded_email}:{API_KEY}@acme.gorgias.com"), "base_url": base}),
        json!({"domain": format!("https://{EMAIL}:{API_KEY}@acme.gorgias.com/"), "base_url": base}),
    ] {
        let dir = scratch();
        let c = write_json(&dir, "config.json", &config);
        let run = airbyte(&["check", "--config", path(&c)]);
        let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
        assert_eq!(status["status"], "SUCCEEDED", "{config}: {status}");
    }
    // Malformed ones: refused, and the key is never quoted back (the
    // harness fails any run whose output holds the key).
    for config in [
        json!({"domain": format!("{API_KEY}@acme"), "email": EMAIL, "api_key": "another-key-0000"}),
        json!({"domain": format!("https://{API_KEY}@acme.gorgias.com"), "email": EMAIL, "api_key": "another-key-0000"}),
        json!({"uri": format!("gorgias://{API_KEY}@acme/x")}),
        json!({"uri": format!("gorgias://{encoded_email}:{API_KEY}@ac/me")}),
        json!({"domain_name": format!("https://{encoded_email}:{API_KEY}@evil.example")}),
        json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "start_date": API_KEY}),
    ] {
        let dir = scratch();
        let c = write_json(&dir, "config.json", &config);
        let run = airbyte(&["check", "--config", path(&c)]);
        let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
        assert_eq!(status["status"], "FAILED", "{config}: {status}");
        assert!(
            status["message"]
                .as_str()
                .unwrap()
                .starts_with("Config field"),
            "{status}"
        );
    }
}

/// The token answer that once panicked on the fetching thread (and hung the
/// read, its panic hook waiting for the stdout lock the read loop held).
#[test]
fn an_overflowing_token_lifetime_ends_the_read_at_once_with_one_error() {
    let server = HostileServer::start(|r| {
        if r.path == "/oauth/token" {
            Action::json(
                200,
                &json!({"access_token": "fresh-access-token-1234", "expires_in": i64::MAX, "token_type": "Bearer"}),
            )
        } else {
            Action::page(json!([{"id": 1, "name": "x"}]), None)
        }
    });
    let dir = scratch();
    let config = write_json(
        &dir,
        "config.json",
        &json!({"domain": "acme", "base_url": server.base_url(), "backoff_base_ms": 1,
            "credentials": {"auth_type": "oauth2", "access_token": "old-access-token-1234",
                "token_expiry_date": "2020-01-01T00:00:00Z", "refresh_token": "refresh-token-5678",
                "client_id": "app", "client_secret": "client-secret-9012"}}),
    );
    let catalog = tags_catalog(&dir);
    let run = read_airbyte(&config, &catalog);
    run.assert_ended_with(4);
    let error = run.error_of("system_error");
    assert!(
        error["message"].as_str().unwrap().contains("expires_in"),
        "{}",
        error
    );
    for s in [
        "fresh-access-token-1234",
        "refresh-token-5678",
        "client-secret-9012",
    ] {
        assert!(!run.output().contains(s), "{s} leaked: {}", run.output());
    }
}

/// Any panic, on the fetching thread too (which the read loop waits on
/// while it holds the stdout lock), ends the process at once: one line, exit 4.
#[test]
fn a_panic_on_the_fetching_thread_ends_the_process_at_once_with_one_line() {
    let server = HostileServer::start(|_| Action::page(json!([{"id": 1, "name": "x"}]), None));
    let dir = scratch();
    let config = write_json(&dir, "config.json", &api_config(&server.base_url()));
    let catalog = tags_catalog(&dir);
    let singer_catalog = singer::tags_catalog(&dir, &config);
    let panic_env = [("SOURCE_GORGIAS_TEST_PANIC", "/tags")];
    let run = run_bin_env(
        SOURCE,
        &[
            "read",
            "--config",
            path(&config),
            "--catalog",
            path(&catalog),
        ],
        &panic_env,
        Duration::from_secs(20),
    );
    run.assert_ended_with(4);
    let errors = run.trace_errors();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(errors[0]["failure_type"], "system_error");
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let run = run_bin_env(
        TAP,
        &[
            "--config",
            path(&config),
            "--catalog",
            path(&singer_catalog),
        ],
        &panic_env,
        Duration::from_secs(20),
    );
    run.assert_ended_with(4);
    let critical: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("CRITICAL"))
        .collect();
    assert_eq!(critical.len(), 1, "{}", run.stderr);
    assert!(critical[0].contains("internal error"), "{}", critical[0]);
}

#[test]
fn the_retry_budget_bounds_a_request_however_the_server_stalls() {
    type Answer = fn(&Request) -> Action;
    let stalls: Vec<(&str, Answer)> = vec![
        ("never answers", |_| Action::Hang),
        ("503 with Retry-After 999999", |_| {
            Action::json(503, &json!({})).with_header("Retry-After", "999999")
        }),
        ("429 with Retry-After 999999", |_| {
            Action::json(429, &json!({})).with_header("Retry-After", "999999")
        }),
    ];
    for (what, answer) in stalls {
        let server = HostileServer::start(answer);
        let dir = scratch();
        let mut cfg = api_config(&server.base_url());
        // 15 minutes scaled to 2 seconds.
        cfg["retry_budget_ms"] = json!(2000);
        let config = write_json(&dir, "config.json", &cfg);
        let catalog = tags_catalog(&dir);
        let run = read_airbyte(&config, &catalog);
        assert_eq!(run.code, Some(3), "{what}: {:?} {}", run.took, run.output());
        assert!(
            run.took < Duration::from_secs(8),
            "{what}: took {:?}",
            run.took
        );
        run.error_of("transient_error");
    }
}

#[test]
fn check_answers_in_seconds_and_logs_each_retry() {
    // No test knob: check's own budget, at real speed.
    let failing = HostileServer::start(|_| Action::json(503, &json!({})));
    let hanging = HostileServer::start(|_| Action::Hang);
    for (server, most) in [(failing, 10), (hanging, 14)] {
        let dir = scratch();
        let config = write_json(
            &dir,
            "config.json",
            &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": server.base_url()}),
        );
        let run = run_within(
            SOURCE,
            &["check", "--config", path(&config)],
            Duration::from_secs(40),
        );
        assert_eq!(run.code, Some(0), "{:?}: {}", run.took, run.output());
        assert!(run.took < Duration::from_secs(most), "took {:?}", run.took);
        let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
        assert_eq!(status["status"], "FAILED");
        let tries = server.requests_to("/api/account").len();
        let logs = run.of_type("LOG");
        assert_eq!(
            logs.len(),
            tries - 1,
            "a LOG line per retry: {}",
            run.stdout
        );
        for l in &logs {
            assert!(
                l["log"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("trying again"),
                "{l}"
            );
        }
    }
}

#[test]
fn an_untrusted_certificate_is_a_config_error_at_once() {
    let server = HostileServer::start_tls(|_| Action::page(json!([]), None));
    let dir = scratch();
    let config = write_json(&dir, "config.json", &api_config(&server.base_url()));
    let catalog = tags_catalog(&dir);
    let run = read_airbyte(&config, &catalog);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);
    let error = run.error_of("config_error");
    assert!(
        error["message"].as_str().unwrap().contains("certificate"),
        "{}",
        error
    );
    assert_eq!(
        server.requests().len(),
        0,
        "no request passed the handshake"
    );

    let run = run_within(
        SOURCE,
        &["check", "--config", path(&config)],
        Duration::from_secs(20),
    );
    let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert!(
        status["message"].as_str().unwrap().contains("certificate"),
        "{status}"
    );
    assert_eq!(run.of_type("LOG").len(), 0, "not retried: {}", run.stdout);
}

#[test]
fn a_body_that_can_never_be_read_is_a_system_error_after_one_retry() {
    let bodies: Vec<(&str, Action)> = vec![
        (
            "invalid UTF-8",
            Action::Respond {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body:
                    b"{\"data\":[{\"id\":1,\"name\":\"\xff\xfe\"}],\"meta\":{\"next_cursor\":null}}"
                        .to_vec(),
            },
        ),
        (
            "nested too deep",
            Action::Respond {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: format!("{{\"data\":{}{}}}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            },
        ),
        (
            "gzip we did not ask for",
            Action::Respond {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                body: vec![
                    0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xab, 0xae, 5, 0, 0x43, 0xbf, 0xa6, 0xa3,
                    2, 0, 0, 0,
                ],
            },
        ),
    ];
    for (what, action) in bodies {
        let (status, headers, body) = match action {
            Action::Respond {
                status,
                headers,
                body,
            } => (status, headers, body),
            _ => unreachable!(),
        };
        let server = HostileServer::start(move |_| Action::Respond {
            status,
            headers: headers.clone(),
            body: body.clone(),
        });
        let dir = scratch();
        let config = write_json(&dir, "config.json", &api_config(&server.base_url()));
        let catalog = tags_catalog(&dir);
        let run = read_airbyte(&config, &catalog);
        assert_eq!(run.code, Some(4), "{what}: {}", run.output());
        run.error_of("system_error");
        let tries = server.requests_to("/api/tags").len();
        assert!((1..=2).contains(&tries), "{what}: {tries} requests");
    }
}

#[test]
fn a_full_disk_on_stdout_is_one_sentence_on_stderr_and_a_failure() {
    let sb = sandbox(50);
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let catalog = catalog_file(&dir);
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let runs: Vec<(&str, &str, Vec<&str>)> = vec![
        ("spec", SOURCE, vec!["spec"]),
        (
            "read",
            SOURCE,
            vec![
                "read",
                "--config",
                path(&config),
                "--catalog",
                path(&catalog),
            ],
        ),
        (
            "tap discover",
            TAP,
            vec!["--config", path(&config), "--discover"],
        ),
        ("tap sync", TAP, vec!["--config", path(&config)]),
    ];
    for (what, bin, args) in runs {
        let out = Command::new(bin)
            .args(&args)
            .stdout(full())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_ne!(out.status.code(), Some(0), "{what}: {stderr}");
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("Cannot write"))
            .collect();
        assert_eq!(lines.len(), 1, "{what}: {stderr}");
        assert!(
            lines[0].contains("No space left on device"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains(API_KEY));
    }
}

#[test]
fn the_tap_without_arguments_says_so_in_one_line_naming_config() {
    let run = run_within(TAP, &[], Duration::from_secs(10));
    assert_eq!(run.code, Some(2));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with("CRITICAL "), "{}", lines[0]);
    assert!(lines[0].contains("--config"), "{}", lines[0]);
    assert!(!lines[0].contains(":."), "{}", lines[0]);
    assert!(lines[0].ends_with('.'), "{}", lines[0]);
}

#[test]
fn a_rotated_refresh_token_reaches_the_platform_and_the_taps_config_file() {
    const NEW_ACCESS: &str = "rotated-access-token-abcdef123456";
    const NEW_REFRESH: &str = "rotated-refresh-token-fedcba654321";
    let server = HostileServer::start(|r| {
        if r.path == "/oauth/token" {
            Action::json(
                200,
                &json!({"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH, "expires_in": 3600, "token_type": "Bearer"}),
            )
        } else if r.header("authorization") == Some(&format!("Bearer {NEW_ACCESS}")) {
            Action::page(
                json!([{"id": 1, "name": "vip", "uri": "/api/tags/1"}]),
                None,
            )
        } else {
            Action::json(401, &json!({"error": {"msg": "expired"}}))
        }
    });
    let dir = scratch();
    let config_value = json!({"domain": "acme", "base_url": server.base_url(), "backoff_base_ms": 1,
        "start_date": "2024-01-01",
        "credentials": {"auth_type": "oauth2", "access_token": "old-access-token-1234",
            "refresh_token": "old-refresh-token-5678", "client_id": "app", "client_secret": "client-secret-9012"}});
    let config = write_json(&dir, "config.json", &config_value);
    let catalog = tags_catalog(&dir);
    let run = read_airbyte(&config, &catalog);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let controls = run.of_type("CONTROL");
    assert_eq!(controls.len(), 1, "{}", run.stdout);
    let control = &controls[0]["control"];
    assert_eq!(control["type"], "CONNECTOR_CONFIG");
    assert!(control["emitted_at"].is_number());
    let updated = &control["connectorConfig"]["config"];
    assert_eq!(updated["credentials"]["refresh_token"], NEW_REFRESH);
    assert_eq!(updated["credentials"]["access_token"], NEW_ACCESS);
    assert!(updated["credentials"]["token_expiry_date"].is_string());
    // Everything else is the config as it was.
    assert_eq!(updated["start_date"], config_value["start_date"]);
    assert_eq!(
        updated["credentials"]["client_secret"],
        "client-secret-9012"
    );
    // The CONTROL message is the only one that carries the tokens.
    for line in run.stdout.lines().filter(|l| !l.contains("\"CONTROL\"")) {
        assert!(
            !line.contains(NEW_REFRESH) && !line.contains(NEW_ACCESS),
            "{line}"
        );
    }
    assert!(!run.stderr.contains(NEW_REFRESH));
    assert_eq!(run.of_type("RECORD").len(), 1, "{}", run.stdout);

    // The tap has no such message: it writes the tokens into its config
    // file and says so, without the token.
    let singer_catalog = singer::tags_catalog(&dir, &config);
    let run = run_within(
        TAP,
        &[
            "--config",
            path(&config),
            "--catalog",
            path(&singer_catalog),
        ],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(0), "{}", run.output());
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("refresh token"))
        .collect();
    assert_eq!(notes.len(), 1, "{}", run.stderr);
    assert!(notes[0].starts_with("INFO "), "{}", notes[0]);
    let rewritten: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert_eq!(rewritten["credentials"]["refresh_token"], NEW_REFRESH);
    assert!(!run.output().contains(NEW_REFRESH) && !run.output().contains(NEW_ACCESS));
}
