//! Shared test harness: a sandbox in this process, the connector binary in a
//! child process, and strict checks on every line it prints.
#![allow(dead_code)]

pub mod hostile;
pub mod singer;

use gorgias_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A long, distinctive key: any output that contains it leaked it.
pub const API_KEY: &str = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0-DO-NOT-PRINT";
pub const EMAIL: &str = "sandbox@example.com";

pub fn sandbox(tickets: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

pub fn config_for(sb: &Sandbox) -> Value {
    json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": sb.base_url(), "backoff_base_ms": 5})
}

/// A fresh scratch directory per call.
pub fn scratch() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "source-gorgias-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write_json(dir: &std::path::Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p
}

pub fn write_text(dir: &std::path::Path, name: &str, s: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

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
        let mut out = BTreeMap::new();
        for m in self.of_type("RECORD") {
            *out.entry(m["record"]["stream"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        out
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

pub const SOURCE: &str = env!("CARGO_BIN_EXE_source-gorgias");
pub const TAP: &str = env!("CARGO_BIN_EXE_tap-gorgias");

/// What a binary printed and how it ended, for runs whose output is not
/// (only) protocol lines.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs either binary and checks only what every run must hold: no form
/// of the key in any output, no panic.
pub fn run_bin(bin: &str, args: &[&str]) -> Output {
    let out = Command::new(bin).args(args).output().expect("binary runs");
    let o = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    };
    assert_no_leak(
        &format!("{args:?}"),
        &[&o.stdout, &o.stderr],
        &leak_forms(Some(EMAIL), API_KEY),
    );
    for text in [&o.stdout, &o.stderr] {
        assert!(!text.contains("panicked"), "a panic: {text}");
    }
    o
}

/// A run that may hang: its exit code (none when it outlived its deadline
/// and was killed), what it printed, and how long it took.
pub struct Bounded {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs either binary with its pipes drained on threads (a full pipe must
/// not stall it), killed once it outlives `deadline`.
pub fn run_bounded(bin: &str, args: &[&str], env: &[(&str, &str)], deadline: Duration) -> Bounded {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let o = drain(Box::new(child.stdout.take().unwrap()));
    let e = drain(Box::new(child.stderr.take().unwrap()));
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Bounded {
        code,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
        took: started.elapsed(),
    }
}

/// An Airbyte configured catalog of `tags` alone, written as a user would
/// write it by hand (no schema).
pub fn tags_catalog(dir: &std::path::Path) -> PathBuf {
    write_json(
        dir,
        "catalog.json",
        &json!({"streams": [{"stream": {"name": "tags", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}),
    )
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

/// The subset of JSON Schema our schemas use: type (with null), format
/// date-time, properties. Unknown properties in a record are an error: a
/// destination would drop them.
pub fn validate(schema: &Value, v: &Value, path: &str) -> Result<(), String> {
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            _ => false,
        });
        if !ok {
            return Err(format!("{path}: {v} is not {types:?}"));
        }
    }
    if schema.get("format") == Some(&json!("date-time")) {
        if let Some(s) = v.as_str() {
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| format!("{path}: {s} is not date-time"))?;
            if !s.ends_with('Z') {
                return Err(format!("{path}: {s} is not UTC"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        v.as_object(),
    ) {
        for (k, val) in obj {
            let sub = props
                .get(k)
                .ok_or_else(|| format!("{path}.{k}: not declared in the schema"))?;
            validate(sub, val, &format!("{path}.{k}"))?;
        }
        if let Some(req) = schema.get("required").and_then(Value::as_array) {
            for r in req {
                let r = r.as_str().unwrap();
                if !obj.contains_key(r) {
                    return Err(format!("{path}.{r}: required but missing"));
                }
            }
        }
    }
    Ok(())
}

pub fn catalog_file(dir: &std::path::Path) -> PathBuf {
    write_json(
        dir,
        "catalog.json",
        &source_gorgias::airbyte::catalog::configured_catalog_all(),
    )
}

/// The test oracle's datetime rule, stated independently of the crate:
/// any form the sandbox sends, as RFC 3339 UTC with the fraction only when
/// there is one.
pub fn expected_ts(v: &Value) -> Value {
    use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
    let Some(s) = v.as_str() else {
        return Value::Null;
    };
    let s = s.replacen(' ', "T", 1);
    let dt = DateTime::parse_from_rfc3339(&s)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc()))
        .unwrap_or_else(|_| panic!("sandbox datetime {s}"));
    json!(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// The README's `__sync_key` formula: hex MD5 of the parts joined by `|`.
pub fn expected_key(parts: &[String]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(parts.join("|").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every form a secret could leak in: as it is, percent-encoded (upper and
/// lower case escapes, `+` for a space), escaped inside a JSON string, and,
/// given the e-mail it goes with, the base64 of `email:secret` that a Basic
/// Authorization header carries.
pub fn leak_forms(email: Option<&str>, secret: &str) -> Vec<String> {
    use base64::Engine;
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let upper = utf8_percent_encode(secret, NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
        .replace("%7E", "~");
    let lower = upper
        .split('%')
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_string(),
            _ => format!(
                "{}{}",
                part.get(..2).unwrap_or(part).to_lowercase(),
                part.get(2..).unwrap_or("")
            ),
        })
        .collect::<Vec<_>>()
        .join("%");
    let json = serde_json::to_string(secret).unwrap();
    let mut forms = vec![
        secret.to_string(),
        upper.clone(),
        lower,
        upper.replace("%20", "+"),
        json[1..json.len() - 1].to_string(),
    ];
    if let Some(email) = email {
        forms.push(base64::engine::general_purpose::STANDARD.encode(format!("{email}:{secret}")));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Fails, naming the form and the line, when any output holds any form of a
/// secret: a form of 8 characters or more anywhere, a shorter one where it
/// stands as a whole token (no letter or digit touching it), since `k3y`
/// inside `k3yboard` is no leak.
pub fn assert_no_leak(what: &str, outputs: &[&str], forms: &[String]) {
    for output in outputs {
        for form in forms {
            let leaked = output.match_indices(form.as_str()).any(|(at, _)| {
                let touches = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                form.chars().count() >= 8
                    || !(touches(output[..at].chars().next_back())
                        || touches(output[at + form.len()..].chars().next()))
            });
            if leaked {
                let line = output
                    .lines()
                    .find(|l| l.contains(form.as_str()))
                    .unwrap_or("");
                panic!("{what}: a secret leaked as `{form}` in: {line}");
            }
        }
    }
}

/// Records by `__sync_key`, without `__synced_at` (the sync's own clock).
pub fn keyed(rows: &[&Value]) -> BTreeMap<String, Map<String, Value>> {
    rows.iter()
        .map(|r| {
            let mut o = r.as_object().unwrap().clone();
            o.remove("__synced_at");
            (o["__sync_key"].as_str().unwrap().to_string(), o)
        })
        .collect()
}

/// Every record fits its stream's declared schema.
pub fn assert_records_valid(run: &Run) {
    let schemas: BTreeMap<&str, Value> = source_gorgias::streams::ALL
        .iter()
        .map(|s| (s.name(), s.schema()))
        .collect();
    for m in run.of_type("RECORD") {
        let stream = m["record"]["stream"].as_str().unwrap();
        validate(&schemas[stream], &m["record"]["data"], stream).unwrap();
    }
}

/// The configured catalog of `discover`, narrowed to `names`, each in its
/// best mode.
pub fn catalog_of(names: &[&str]) -> Value {
    let mut all = source_gorgias::airbyte::catalog::configured_catalog_all();
    all["streams"]
        .as_array_mut()
        .unwrap()
        .retain(|s| names.contains(&s["stream"]["name"].as_str().unwrap()));
    assert_eq!(all["streams"].as_array().unwrap().len(), names.len());
    all
}
