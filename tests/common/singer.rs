//! The Singer runner: the tap binary in a child process, every line it
//! prints checked as a Singer consumer would read it.

use super::{assert_no_leak, leak_forms, validate, write_json, API_KEY, EMAIL, TAP};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the tap printed: its exit code, its stderr, and its stdout as
/// messages (discover's one catalog document as the only message).
pub struct Tap {
    pub code: i32,
    pub stderr: String,
    pub messages: Vec<Value>,
}

impl Tap {
    pub fn of_type(&self, t: &str) -> Vec<&Value> {
        self.messages.iter().filter(|m| m["type"] == t).collect()
    }

    pub fn records(&self, stream: &str) -> Vec<&Value> {
        self.of_type("RECORD")
            .into_iter()
            .filter(|m| m["stream"] == stream)
            .map(|m| &m["record"])
            .collect()
    }

    pub fn counts(&self) -> BTreeMap<String, usize> {
        super::per_stream(self.of_type("RECORD"), |m| &m["stream"])
    }

    pub fn last_state(&self) -> Value {
        self.of_type("STATE").last().expect("a STATE")["value"].clone()
    }

    pub fn critical(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("CRITICAL "))
            .collect()
    }
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the tap and checks what every Singer consumer relies on: stdout is
/// only Singer messages, every RECORD follows its stream's SCHEMA and fits
/// it, stderr is plain lines, the key never shows.
pub fn tap(args: &[&str]) -> Tap {
    let out = Command::new(TAP).args(args).output().expect("binary runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_no_leak(
        &format!("{args:?}"),
        &[&stdout, &stderr],
        &leak_forms(Some(EMAIL), API_KEY),
    );
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    for line in stderr.lines() {
        assert!(
            [
                "INFO ",
                "WARN ",
                "ERROR ",
                "CRITICAL ",
                "Usage:",
                "  ",
                "For more",
            ]
            .iter()
            .any(|p| line.starts_with(p)),
            "stderr line without a level: {line}"
        );
    }
    let mut schemas: BTreeMap<String, Value> = BTreeMap::new();
    let mut messages = Vec::new();
    let discovering = args.contains(&"--discover");
    if discovering && !stdout.trim().is_empty() {
        // The catalog is one pretty-printed document, not JSON lines.
        let catalog: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("discover printed no JSON document ({e})"));
        return Tap {
            code: out.status.code().unwrap_or(-1),
            stderr,
            messages: vec![catalog],
        };
    }
    for line in stdout.lines() {
        let m: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if !discovering {
            check_message(&m, &mut schemas);
        }
        messages.push(m);
    }
    Tap {
        code: out.status.code().unwrap_or(-1),
        stderr,
        messages,
    }
}

fn check_message(m: &Value, schemas: &mut BTreeMap<String, Value>) {
    let obj = m.as_object().expect("a message is an object");
    match m["type"].as_str().expect("a type") {
        "SCHEMA" => {
            let allowed = [
                "type",
                "stream",
                "schema",
                "key_properties",
                "bookmark_properties",
            ];
            assert!(obj.keys().all(|k| allowed.contains(&k.as_str())), "{m}");
            let stream = m["stream"].as_str().unwrap();
            assert_eq!(m["key_properties"], json!(["__sync_key"]), "{m}");
            let props = m["schema"]["properties"].as_object().unwrap();
            for b in m["bookmark_properties"].as_array().into_iter().flatten() {
                assert!(props.contains_key(b.as_str().unwrap()), "{m}");
            }
            assert!(
                schemas
                    .insert(stream.to_string(), m["schema"].clone())
                    .is_none(),
                "two SCHEMAs for {stream}"
            );
        }
        "RECORD" => {
            assert_eq!(obj.len(), 4, "{m}");
            let stream = m["stream"].as_str().unwrap();
            let schema = schemas
                .get(stream)
                .unwrap_or_else(|| panic!("RECORD of {stream} before its SCHEMA"));
            validate(schema, &m["record"], stream).unwrap();
            let t = m["time_extracted"].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(t).is_ok() && t.ends_with('Z'),
                "{t}"
            );
        }
        "STATE" => {
            assert_eq!(obj.len(), 2, "{m}");
            assert!(m["value"]["bookmarks"].is_object(), "{m}");
        }
        other => panic!("not a Singer message type: {other}"),
    }
}

/// The tap's discovered catalog with `tags` alone selected.
pub fn tags_catalog(dir: &Path, config: &Path) -> PathBuf {
    let discovered = tap(&["--config", path(config), "--discover"]);
    let mut catalog = discovered.messages[0].clone();
    for s in catalog["streams"].as_array_mut().unwrap() {
        let selected = s["tap_stream_id"] == "tags";
        for m in s["metadata"].as_array_mut().unwrap() {
            if m["breadcrumb"] == json!([]) {
                m["metadata"]["selected"] = json!(selected);
            }
        }
    }
    write_json(dir, "singer-catalog.json", &catalog)
}
