//! The Airbyte runner: the source binary in a child process, every line
//! it prints checked strictly as an Airbyte message.

use super::{assert_no_leak, leak_forms, scratch, write_json, API_KEY, EMAIL, SOURCE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub messages: Vec<Value>,
}

impl Run {
    pub fn of_type(&self, t: &str) -> Vec<&Value> {
        self.messages.iter().filter(|m| m["type"] == t).collect()
    }

    pub fn records(&self, stream: &str) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m["type"] == "RECORD" && m["record"]["stream"] == stream)
            .map(|m| &m["record"]["data"])
            .collect()
    }

    pub fn count_by_stream(&self) -> BTreeMap<String, usize> {
        super::per_stream(self.of_type("RECORD"), |m| &m["record"]["stream"])
    }

    /// The last STATE per stream, as a state file for the next read.
    pub fn last_states(&self) -> Value {
        let mut by_stream = BTreeMap::new();
        for m in self.of_type("STATE") {
            let name = m["state"]["stream"]["stream_descriptor"]["name"]
                .as_str()
                .unwrap()
                .to_string();
            by_stream.insert(name, m["state"].clone());
        }
        Value::Array(by_stream.into_values().collect())
    }

    pub fn trace_errors(&self) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR")
            .map(|m| &m["trace"]["error"])
            .collect()
    }
}

/// `read` of a config and catalog (and state), written to a scratch
/// directory; the read must succeed without a TRACE error.
pub fn read_ok(config: &Value, catalog: &Value, state: Option<&Value>) -> Run {
    let dir = scratch();
    let cfg = write_json(&dir, "config.json", config);
    let cat = write_json(&dir, "catalog.json", catalog);
    let state = state.map(|s| write_json(&dir, "state.json", s));
    let run = read_paths(&cfg, &cat, state.as_deref());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.trace_errors().is_empty(), "{}", run.stdout);
    run
}

/// `read` of a config and catalog (and state) already written to files,
/// whatever its outcome.
pub fn read_paths(config: &Path, catalog: &Path, state: Option<&Path>) -> Run {
    let mut args = vec![
        "read",
        "--config",
        config.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ];
    if let Some(s) = state {
        args.extend(["--state", s.to_str().unwrap()]);
    }
    airbyte(&args)
}

/// Runs the Airbyte binary and checks every stdout line strictly. Never
/// lets the key through: every run is scanned for it.
pub fn airbyte(args: &[&str]) -> Run {
    let out = Command::new(SOURCE)
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_no_leak(
        &format!("{args:?}"),
        &[&stdout, &stderr],
        &leak_forms(Some(EMAIL), API_KEY),
    );
    assert!(
        !stdout.contains("panicked") && !stderr.contains("panicked"),
        "a panic: {stderr}"
    );
    assert!(!stderr.contains("stack backtrace"), "a backtrace: {stderr}");
    let mut messages = Vec::new();
    for line in stdout.lines() {
        let m: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        check_message(&m);
        messages.push(m);
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout,
        stderr,
        messages,
    }
}

/// Strict Airbyte message checks: the payload matches the type and carries
/// its required fields.
pub fn check_message(m: &Value) {
    let t = m["type"].as_str().expect("message has a type");
    let obj = m.as_object().unwrap();
    let payload_key = match t {
        "RECORD" => "record",
        "STATE" => "state",
        "LOG" => "log",
        "SPEC" => "spec",
        "CONNECTION_STATUS" => "connectionStatus",
        "CATALOG" => "catalog",
        "TRACE" => "trace",
        "CONTROL" => "control",
        other => panic!("unknown message type {other}"),
    };
    assert_eq!(obj.len(), 2, "exactly type and payload: {m}");
    let p = &m[payload_key];
    assert!(p.is_object(), "payload object: {m}");
    match t {
        "RECORD" => {
            assert!(
                p["stream"].is_string() && p["data"].is_object() && p["emitted_at"].is_i64(),
                "{m}"
            );
        }
        "STATE" => {
            assert_eq!(p["type"], "STREAM", "one state type: {m}");
            assert!(p["stream"]["stream_descriptor"]["name"].is_string(), "{m}");
            assert!(p["stream"]["stream_state"].is_object(), "{m}");
            assert!(p["sourceStats"]["recordCount"].is_number(), "{m}");
        }
        "LOG" => {
            assert!(
                ["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
                    .contains(&p["level"].as_str().unwrap()),
                "{m}"
            );
            assert!(p["message"].is_string(), "{m}");
        }
        "SPEC" => assert!(p["connectionSpecification"].is_object(), "{m}"),
        "CONNECTION_STATUS" => {
            assert!(
                ["SUCCEEDED", "FAILED"].contains(&p["status"].as_str().unwrap()),
                "{m}"
            );
        }
        "CATALOG" => assert!(p["streams"].is_array(), "{m}"),
        "CONTROL" => {
            assert_eq!(p["type"], "CONNECTOR_CONFIG", "{m}");
            assert!(p["emitted_at"].is_number(), "{m}");
            assert!(p["connectorConfig"]["config"].is_object(), "{m}");
        }
        "TRACE" => {
            assert!(p["emitted_at"].is_number(), "{m}");
            match p["type"].as_str().unwrap() {
                "ERROR" => {
                    let e = &p["error"];
                    let msg = e["message"].as_str().expect("error message");
                    assert!(msg.ends_with('.'), "one sentence: {msg}");
                    assert!(
                        ["config_error", "system_error", "transient_error"]
                            .contains(&e["failure_type"].as_str().unwrap()),
                        "{m}"
                    );
                }
                "STREAM_STATUS" => {
                    assert!(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]
                        .contains(&p["stream_status"]["status"].as_str().unwrap()));
                    assert!(p["stream_status"]["stream_descriptor"]["name"].is_string());
                }
                other => panic!("unexpected trace type {other}"),
            }
        }
        _ => {}
    }
}
