//! `source-gorgias catalog`: a configured catalog without hand-editing
//! discover's output, and what `read` says when it is given discover's
//! output instead. Also the flag descriptions in every command's `--help`.

use crate::common::*;
use assert_cmd::Command;
use serde_json::{json, Value};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn source(args: &[&str]) -> Out {
    let out = Command::cargo_bin("source-gorgias")
        .expect("the binary is built")
        .args(args)
        .output()
        .expect("binary runs");
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    };
    for text in [&o.stdout, &o.stderr] {
        assert!(!text.contains(API_KEY), "the API key leaked: {text}");
        assert!(!text.contains("panicked"), "a panic: {text}");
    }
    o
}

fn offline_config(dir: &std::path::Path) -> String {
    let c = json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": "http://127.0.0.1:9/api"});
    write_json(dir, "config.json", &c)
        .to_str()
        .unwrap()
        .to_string()
}

fn catalog(args: &[&str]) -> Value {
    let o = source(args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).expect("one JSON document")
}

fn discovered() -> Vec<Value> {
    let dir = scratch();
    let o = source(&["discover", "--config", &offline_config(&dir)]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let m: Value = serde_json::from_str(o.stdout.trim()).unwrap();
    m["catalog"]["streams"].as_array().unwrap().clone()
}

#[test]
fn catalog_selects_every_discovered_stream_in_full_refresh_by_default() {
    let dir = scratch();
    let config = offline_config(&dir);
    let c = catalog(&["catalog", "--config", &config]);
    let entries = c["streams"].as_array().unwrap();
    let discovered = discovered();
    assert_eq!(entries.len(), discovered.len());
    for (e, d) in entries.iter().zip(&discovered) {
        assert_eq!(&e["stream"], d, "the stream as discover lists it");
        assert_eq!(e["sync_mode"], "full_refresh");
        assert_eq!(e["destination_sync_mode"], "overwrite");
        assert_eq!(e["cursor_field"], json!([]));
        assert_eq!(e["primary_key"], d["source_defined_primary_key"]);
    }
}

#[test]
fn catalog_incremental_reads_incrementally_where_the_stream_supports_it() {
    let dir = scratch();
    let config = offline_config(&dir);
    let c = catalog(&["catalog", "--config", &config, "--incremental"]);
    let mut incremental = 0;
    for (e, d) in c["streams"].as_array().unwrap().iter().zip(discovered()) {
        let supports = d["supported_sync_modes"]
            .as_array()
            .unwrap()
            .contains(&json!("incremental"));
        let name = &d["name"];
        if supports {
            incremental += 1;
            assert_eq!(e["sync_mode"], "incremental", "{name}");
            assert_eq!(e["destination_sync_mode"], "append_dedup", "{name}");
            assert_eq!(e["cursor_field"], d["default_cursor_field"], "{name}");
        } else {
            assert_eq!(e["sync_mode"], "full_refresh", "{name}");
            assert_eq!(e["destination_sync_mode"], "overwrite", "{name}");
        }
    }
    assert!(incremental > 0);
    // With every stream and --incremental it is the committed catalog.
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/catalog/configured_catalog.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(c, committed);
}

#[test]
fn catalog_streams_selects_the_named_streams_in_their_order() {
    let dir = scratch();
    let config = offline_config(&dir);
    let c = catalog(&[
        "catalog",
        "--config",
        &config,
        "--streams",
        "tickets,account,tickets",
        "--incremental",
    ]);
    let names: Vec<&str> = c["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["stream"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tickets", "account"]);
    assert_eq!(c["streams"][0]["sync_mode"], "incremental");
    assert_eq!(c["streams"][1]["sync_mode"], "full_refresh");

    let o = source(&[
        "catalog",
        "--config",
        &config,
        "--streams",
        "tickets,orders",
    ]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(o.stderr.contains("`orders`") && o.stderr.contains("tickets"));
}

#[test]
fn catalogs_output_is_read_as_is() {
    let sb = sandbox(5);
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();
    let o = source(&[
        "catalog",
        "--config",
        config,
        "--streams",
        "tickets,tags",
        "--incremental",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let cat = write_text(&dir, "configured.json", &o.stdout);
    let run = airbyte(&[
        "read",
        "--config",
        config,
        "--catalog",
        cat.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let counts = run.count_by_stream();
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["tags", "tickets"]);
}

#[test]
fn discovers_output_given_to_read_names_the_catalog_command() {
    let dir = scratch();
    let config = offline_config(&dir);
    let o = source(&["discover", "--config", &config]);
    let message = write_text(&dir, "message.json", &o.stdout);
    let bare: Value = serde_json::from_str(o.stdout.trim()).unwrap();
    let bare = write_json(&dir, "bare.json", &bare["catalog"]);
    for path in [message, bare] {
        let run = airbyte(&[
            "read",
            "--config",
            &config,
            "--catalog",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        let errors = run.trace_errors();
        assert_eq!(errors.len(), 1, "{}", run.stdout);
        let message = errors[0]["message"].as_str().unwrap();
        assert!(
            message.contains("discover's catalog") && message.contains("source-gorgias catalog"),
            "{message}"
        );
    }
}

/// The flags in a `--help` text without a description, on their line or
/// (in clap's long help) on the lines below.
fn undescribed(help: &str) -> Vec<String> {
    let options = help.split("Options:").nth(1).expect("an options block");
    let lines: Vec<&str> = options.lines().collect();
    let mut bare = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(flag) = line.trim_start().strip_prefix("--") else {
            continue;
        };
        let same_line = line
            .trim_start()
            .split_once("  ")
            .is_some_and(|(_, d)| !d.trim().is_empty());
        let below = lines
            .get(i + 1)
            .is_some_and(|n| !n.trim().is_empty() && !n.trim_start().starts_with('-'));
        if !same_line && !below {
            bare.push(format!(
                "--{}",
                flag.split_whitespace().next().unwrap_or_default()
            ));
        }
    }
    bare
}

#[test]
fn every_flag_of_every_command_is_described() {
    for command in ["check", "discover", "read", "catalog", "probe"] {
        let o = source(&[command, "--help"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("--config"), "{}", o.stdout);
        assert_eq!(
            undescribed(&o.stdout),
            Vec::<String>::new(),
            "{command}: {}",
            o.stdout
        );
    }
    let read = source(&["read", "--help"]);
    for flag in ["--config", "--catalog", "--state"] {
        assert!(read.stdout.contains(flag), "{}", read.stdout);
    }
    let tap = Command::cargo_bin("tap-gorgias")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(tap.stdout).unwrap();
    assert_eq!(undescribed(&help), Vec::<String>::new(), "{help}");
}
