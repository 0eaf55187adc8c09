//! Never a blank screen (issue 22, sections 1 and 5). Against a host that
//! never answers, the first line reaches the reader at once and every retry
//! is told as it happens, on both faces; records reach the reader while the
//! next page is slow; a sync that fails at its first request says so in one
//! sentence.

use crate::common::hostile::{Action, HostileServer};
use crate::common::singer::{path, tap};
use crate::common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A loopback port with nothing listening: every connection is refused.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn dead_host_config(port: u16) -> Value {
    json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": format!("http://127.0.0.1:{port}/api"),
        "backoff_base_ms": 300, "retry_budget_ms": 4000})
}

/// One line of a child's output, with when it arrived.
struct Line {
    at: Duration,
    text: String,
}

/// Runs a binary, reading its stdout and stderr line by line as they come
/// (a reader thread each), so the test sees when each line arrived, not
/// only what the whole run printed.
fn run_timed(bin: &str, args: &[&str]) -> (Vec<Line>, Vec<Line>, Option<i32>) {
    let started = Instant::now();
    let mut child = spawn(bin, args, Stdio::piped());
    let lines_of = |pipe: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for text in BufReader::new(pipe).lines().map_while(|l| l.ok()) {
                let _ = tx.send(Line {
                    at: started.elapsed(),
                    text,
                });
            }
        });
        rx
    };
    let out = lines_of(Box::new(child.stdout.take().unwrap()));
    let err = lines_of(Box::new(child.stderr.take().unwrap()));
    // A deadline, so a connector that hangs fails the test instead.
    let deadline = started + Duration::from_secs(60);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the connector did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout: Vec<Line> = out.iter().collect();
    let stderr: Vec<Line> = err.iter().collect();
    for l in stdout.iter().chain(&stderr) {
        assert!(!l.text.contains(API_KEY), "the key leaked: {}", l.text);
    }
    (stdout, stderr, code)
}

fn texts(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| format!("{:>6} ms  {}", l.at.as_millis(), l.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The attempts the final sentence counts ("after N attempts").
fn attempts_in(sentence: &str) -> usize {
    let (_, rest) = sentence
        .split_once("after ")
        .unwrap_or_else(|| panic!("no attempt count in: {sentence}"));
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

/// `source-gorgias read`, its lines timed as they arrive.
fn read_timed(config: &Path, catalog: &Path) -> (Vec<Line>, Vec<Line>, Option<i32>) {
    run_timed(
        SOURCE,
        &["read", "--config", path(config), "--catalog", path(catalog)],
    )
}

fn configured(streams: &[&str]) -> Value {
    let streams: Vec<Value> = streams
        .iter()
        .map(|name| json!({"stream": {"name": name}, "sync_mode": "full_refresh"}))
        .collect();
    json!({ "streams": streams })
}

#[test]
fn against_a_dead_host_source_gorgias_speaks_at_once_and_after_every_retry() {
    let dir = scratch();
    let c = write_json(&dir, "c.json", &dead_host_config(dead_port()));
    let cat = write_json(&dir, "cat.json", &configured(&["account", "tickets"]));
    let (stdout, _, code) = read_timed(&c, &cat);
    let all = texts(&stdout);
    assert_eq!(code, Some(3), "{all}");
    // The STARTED status is stamped at once and must not wait in a buffer.
    assert!(stdout[0].at < Duration::from_secs(2), "{all}");
    let messages: Vec<Value> = stdout
        .iter()
        .map(|l| serde_json::from_str(&l.text).unwrap())
        .collect();
    let retries: Vec<(Duration, &str)> = stdout
        .iter()
        .zip(&messages)
        .filter(|(_, m)| m["type"] == "LOG" && m["log"]["level"] == "WARN")
        .map(|(l, m)| (l.at, m["log"]["message"].as_str().unwrap()))
        .filter(|(_, m)| m.starts_with("Attempt "))
        .collect();
    let error = messages
        .iter()
        .rev()
        .find(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR")
        .unwrap_or_else(|| panic!("{all}"));
    let error = error["trace"]["error"]["message"].as_str().unwrap();
    // One line per retry: every attempt but the last was followed by one.
    assert_eq!(retries.len(), attempts_in(error) - 1, "{all}");
    for (i, (_, m)) in retries.iter().enumerate() {
        assert!(
            m.starts_with(&format!("Attempt {} to read /account", i + 1)),
            "{m}"
        );
        assert!(
            m.contains("trying again in ") && m.contains("retry budget left"),
            "{m}"
        );
    }
    // Each as it happens, not all at the end: the first well before the last.
    let end = stdout.last().unwrap().at;
    assert!(retries[0].0 + Duration::from_secs(1) < end, "{all}");
}

#[test]
fn against_a_dead_host_tap_gorgias_tells_every_retry_on_stderr_and_fails_in_one_sentence() {
    let dir = scratch();
    let c = write_json(&dir, "c.json", &dead_host_config(dead_port()));
    let (stdout, stderr, code) = run_timed(TAP, &["--config", c.to_str().unwrap()]);
    let all = texts(&stderr);
    assert_eq!(code, Some(3), "{all}");
    // Nothing was read, so no SCHEMA of a table the tap never reached.
    assert!(stdout.is_empty(), "{}", texts(&stdout));
    assert!(stderr[0].at < Duration::from_secs(2), "{all}");
    let last = stderr.last().unwrap();
    assert!(last.text.starts_with("CRITICAL "), "{all}");
    let retries: Vec<&Line> = stderr
        .iter()
        .filter(|l| l.text.starts_with("WARN Attempt "))
        .collect();
    assert_eq!(retries.len(), attempts_in(&last.text) - 1, "{all}");
    assert!(retries[0].at + Duration::from_secs(1) < last.at, "{all}");
    // The retries and the one sentence, nothing that reads as a partial sync.
    assert_eq!(stderr.len(), retries.len() + 1, "{all}");
}

#[test]
fn tap_gorgias_refused_at_its_first_request_prints_one_sentence_only() {
    let server = HostileServer::start(|_| Action::json(401, &json!({"error": "Unauthorized"})));
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
            "base_url": server.base_url(), "backoff_base_ms": 1}),
    );
    let run = tap(&["--config", path(&c)]);
    let stderr = &run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert!(run.messages.is_empty(), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("CRITICAL ") && lines[0].contains("api_key"),
        "{stderr}"
    );
}

/// Tickets whose second page takes three seconds to come.
fn slow_second_page() -> HostileServer {
    HostileServer::start(|r| {
        if r.param("cursor").is_some() {
            std::thread::sleep(Duration::from_secs(3));
            return Action::page(json!([]), None);
        }
        let tickets: Vec<Value> = (1..=5)
            .map(|id| {
                json!({"id": id, "created_datetime": "2020-01-01T00:00:00Z",
                "updated_datetime": "2020-01-02T00:00:00Z", "status": "open",
                "channel": "email", "tags": []})
            })
            .collect();
        Action::page(json!(tickets), Some("next"))
    })
}

#[test]
fn records_and_state_reach_the_reader_while_the_next_page_is_slow() {
    let server = slow_second_page();
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
            "base_url": server.base_url()}),
    );
    let cat = write_json(&dir, "cat.json", &configured(&["tickets"]));
    let (stdout, _, code) = read_timed(&c, &cat);
    let all = texts(&stdout);
    assert_eq!(code, Some(0), "{all}");
    let first_record = stdout
        .iter()
        .find(|l| l.text.starts_with(r#"{"type":"RECORD""#))
        .unwrap_or_else(|| panic!("{all}"));
    // The first page's rows are out before the second page comes.
    assert!(first_record.at < Duration::from_secs(2), "{all}");
    assert!(stdout.last().unwrap().at >= Duration::from_secs(3), "{all}");
}

#[test]
fn an_empty_catalog_is_named_and_said_to_be_empty_on_both_faces() {
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY}),
    );
    let cat = write_text(&dir, "catalog.json", "");
    let cat = cat.to_str().unwrap();
    let run = airbyte(&["read", "--config", c.to_str().unwrap(), "--catalog", cat]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors = run.trace_errors();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(
        errors[0]["message"],
        format!("The catalog file `{cat}` is empty: pass a configured catalog (`source-gorgias catalog --config CONFIG` prints one).")
    );
    let run = tap(&["--config", path(&c), "--catalog", cat]);
    let stderr = &run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("CRITICAL The catalog file `{cat}` is empty: ")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn an_incremental_read_asked_of_the_account_is_read_in_full_with_one_warning() {
    let sb = sandbox(1);
    let catalog = json!({"streams": [{"stream": {"name": "account"}, "sync_mode": "incremental"}]});
    let run = read_ok(&config_for(&sb), &catalog, None);
    assert!(!run.records("account").is_empty(), "{}", run.stdout);
    let warnings: Vec<&str> = run
        .of_type("LOG")
        .into_iter()
        .filter(|m| m["log"]["level"] == "WARN")
        .filter_map(|m| m["log"]["message"].as_str())
        .collect();
    assert_eq!(
        warnings,
        ["The catalog asks for an incremental read of `account`, which supports full refresh only: it is read in full."],
        "{}",
        run.stdout
    );
}

#[test]
fn check_refuses_a_start_date_in_the_future() {
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
            "base_url": format!("http://127.0.0.1:{}/api", dead_port()),
            "start_date": "2999-01-01"}),
    );
    let run = airbyte(&["check", "--config", c.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.messages.len(), 1, "{}", run.stdout);
    let status = &run.messages[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert_eq!(
        status["message"],
        "Config field `start_date` is 2999-01-01T00:00:00Z, in the future, so no record would be read: set a date in the past, or leave it empty to read the whole history."
    );
}

#[test]
fn a_request_the_server_holds_open_is_told_every_ten_seconds() {
    let server = HostileServer::start(|r| {
        if r.param("cursor").is_some() {
            return Action::Hang;
        }
        Action::page(
            json!([{"id": 1, "created_datetime": "2020-01-01T00:00:00Z",
                "updated_datetime": "2020-01-02T00:00:00Z", "status": "open",
                "channel": "email", "tags": []}]),
            Some("next"),
        )
    });
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
            "base_url": server.base_url(), "backoff_base_ms": 1, "retry_budget_ms": 11500}),
    );
    let cat = write_json(&dir, "cat.json", &configured(&["tickets"]));
    let (stdout, _, _) = read_timed(&c, &cat);
    let all = texts(&stdout);
    let waiting: Vec<&Line> = stdout
        .iter()
        .filter(|l| {
            l.text
                .contains("still waiting for Gorgias to answer /tickets")
        })
        .collect();
    assert_eq!(waiting.len(), 1, "{all}");
    assert!(waiting[0].at >= Duration::from_secs(10), "{all}");
    assert!(waiting[0].text.contains("(10s so far)"), "{all}");
    // Told while the request still hung, not after it was given up.
    let given_up = stdout
        .iter()
        .position(|l| l.text.contains(r#""status":"INCOMPLETE""#))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        stdout[..given_up]
            .iter()
            .any(|l| l.text.contains("still waiting")),
        "{all}"
    );
}
