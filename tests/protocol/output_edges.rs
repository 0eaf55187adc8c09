//! Rough edges at the boundaries of a run (issue 20): a state that is a
//! JSON string, and a standard output that was closed before the run began.

use crate::common::singer::{path, tap};
use crate::common::*;
use serde_json::{json, Value};
use std::process::{Command, Stdio};

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
    let run = tap(&["--config", path(&c), "--state", path(&s)]);
    let stderr = &run.stderr;
    assert_eq!(run.code, 0, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("WARN tickets: ") && l.contains("a JSON string")),
        "{stderr}"
    );
}

#[test]
fn a_standard_output_closed_before_the_run_is_a_system_error_not_a_silent_success() {
    let sb = sandbox(20);
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let cat = catalog_file(&dir);
    let (c, cat) = (c.to_str().unwrap(), cat.to_str().unwrap());
    let airbyte = SOURCE;
    for (bin, args, prefix) in [
        (airbyte, vec!["read", "--config", c, "--catalog", cat], ""),
        (TAP, vec!["--config", c], "CRITICAL "),
    ] {
        // `>&-` as a shell writes it: descriptor 1 not open at all.
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#"bin="$1"; shift; exec "$bin" "$@" >&-"#)
            .arg("sh")
            .arg(bin)
            .args(&args)
            .stdout(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(4), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            format!("{prefix}Cannot write the connector's output: standard output is closed. Run it with its output going to a pipe or a file.\n"),
            "{args:?}"
        );
    }
    // Sent to /dev/null on purpose, it is open: the read runs.
    let out = Command::new(airbyte)
        .args(["read", "--config", c, "--catalog", cat])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
