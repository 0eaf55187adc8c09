//! Issue 20's rough edges at the boundaries of a run: a state that is a
//! JSON string, and a standard output that was closed before the run began.

mod common;

use common::*;
use serde_json::{json, Value};
use std::process::{Command, Stdio};

const TAP: &str = env!("CARGO_BIN_EXE_tap-gorgias");

fn tickets_incremental() -> Value {
    json!({"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental", "destination_sync_mode": "append_dedup"}]})
}

#[test]
fn a_state_that_is_a_string_is_warned_naming_the_stream_and_the_stream_read_in_full() {
    let sb = sandbox(40);
    let all = sb.snapshot("tickets").len();
    for state in [
        json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": "2024-06-01T00:00:00Z"}}]),
        json!({"tickets": "2024-06-01T00:00:00Z"}),
    ] {
        let run = read_ok(&config_for(&sb), &tickets_incremental(), Some(&state));
        let warned: Vec<&Value> = run
            .of_type("LOG")
            .into_iter()
            .filter(|m| m["log"]["level"] == "WARN")
            .filter(|m| {
                let text = m["log"]["message"].as_str().unwrap();
                text.starts_with("tickets: ") && text.contains("a JSON string")
            })
            .collect();
        assert_eq!(warned.len(), 1, "{state}: {}", run.stdout);
        assert_eq!(run.records("tickets").len(), all, "{state}");
    }
    // The tap says the same on stderr.
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let s = write_json(
        &dir,
        "s.json",
        &json!({"bookmarks": {"tickets": "2024-06-01"}}),
    );
    let out = Command::new(TAP)
        .args([
            "--config",
            c.to_str().unwrap(),
            "--state",
            s.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("WARN tickets: ") && l.contains("a JSON string")),
        "{stderr}"
    );
}
