//! The Singer face end to end: the tap binary's discover, catalog
//! selection, SCHEMA/RECORD/STATE output and bookmarks against the
//! in-process sandbox.

mod common;

use common::singer::{path, tap};
use common::{config_for, sandbox, scratch, spawn, write_json, write_text, API_KEY, EMAIL, TAP};
use gorgias_sandbox::{Mutation, Sandbox};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

/// Rows per stream as the sandbox holds them.
/// One row per custom-field value the objects hold.
fn values(objects: &[Value]) -> usize {
    objects
        .iter()
        .map(|o| o["custom_fields"].as_object().map_or(0, |m| m.len()))
        .sum()
}

fn expected_counts(sb: &Sandbox) -> BTreeMap<String, usize> {
    let tickets = sb.snapshot("tickets");
    let account = &sb.snapshot("account")[0];
    let account_rows: usize = account["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["data"]["business_hours"]
                .as_array()
                .map_or(1, |h| h.len().max(1))
        })
        .sum();
    let tags: usize = tickets
        .iter()
        .map(|t| t["tags"].as_array().unwrap().len())
        .sum();
    [
        ("account", account_rows),
        ("users", sb.snapshot("users").len()),
        ("tickets", tickets.len()),
        ("ticket_tags", tags),
        ("ticket_custom_field_values", values(&tickets)),
        ("ticket_messages", sb.snapshot("messages").len()),
        (
            "satisfaction_surveys",
            sb.snapshot("satisfaction-surveys").len(),
        ),
        ("integrations", sb.snapshot("integrations").len()),
        ("customers", sb.snapshot("customers").len()),
        (
            "customer_custom_field_values",
            values(&sb.snapshot("customers")),
        ),
        ("tags", sb.snapshot("tags").len()),
        ("events", sb.snapshot("events").len()),
        ("teams", sb.snapshot("teams").len()),
        ("views", sb.snapshot("views").len()),
        (
            "view_items",
            sb.snapshot("views")
                .iter()
                .map(|v| sb.snapshot(&format!("views/{}/items", v["id"])).len())
                .sum(),
        ),
        ("macros", sb.snapshot("macros").len()),
        ("rules", sb.snapshot("rules").len()),
        ("custom_fields", sb.snapshot("custom-fields").len()),
        ("jobs", sb.snapshot("jobs").len()),
        ("voice_calls", sb.snapshot("phone/voice-calls").len()),
        (
            "voice_call_events",
            sb.snapshot("phone/voice-call-events").len(),
        ),
        (
            "voice_call_recordings",
            sb.snapshot("phone/voice-call-recordings").len(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The incremental streams and their cursors, as the Airbyte face's
/// discover states them (derived, so a new stream needs no line here): the
/// tap must agree with it.
fn incremental() -> Vec<(String, String)> {
    let catalog = source_gorgias::airbyte::catalog::catalog(false);
    catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["supported_sync_modes"]
                .as_array()
                .unwrap()
                .contains(&json!("incremental"))
        })
        .map(|s| {
            let name = s["name"].as_str().unwrap().to_string();
            (
                name,
                s["default_cursor_field"][0].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn discovered(cfg: &Path) -> Value {
    let run = tap(&["--config", path(cfg), "--discover"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.messages.len(), 1);
    run.messages[0].clone()
}

fn entry_metadata<'a>(entry: &'a mut Value, breadcrumb: &Value) -> &'a mut Value {
    entry["metadata"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| &m["breadcrumb"] == breadcrumb)
        .map(|m| &mut m["metadata"])
        .unwrap_or_else(|| panic!("no metadata at {breadcrumb}"))
}

// ---- the tests ---------------------------------------------------------------

#[test]
fn discover_lists_every_stream_with_singer_metadata() {
    let dir = scratch();
    let cfg = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY}),
    );
    // Meltano passes its state to discovery too.
    let state = write_text(&dir, "s.json", r#"{"bookmarks": {}}"#);
    let run = tap(&[
        "--config",
        path(&cfg),
        "--discover",
        "--state",
        path(&state),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.messages.len(), 1, "the catalog is one JSON document");
    let streams = run.messages[0]["streams"].as_array().unwrap();
    let names: BTreeSet<&str> = streams
        .iter()
        .map(|s| s["tap_stream_id"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = source_gorgias::streams::ALL
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(names, want);
    let incremental = incremental();
    for s in streams {
        let name = s["tap_stream_id"].as_str().unwrap();
        assert_eq!(s["stream"], name);
        assert_eq!(s["key_properties"], json!(["__sync_key"]), "{name}");
        let schema = &s["schema"];
        let text = schema.to_string();
        assert!(
            !text.contains("airbyte_type") && !text.contains("$schema"),
            "{name}"
        );
        let props = schema["properties"].as_object().unwrap();
        for (col, p) in props {
            if let Some(t) = p["type"].as_array() {
                assert_eq!(t[0], "null", "{name}.{col}: null first");
            }
            if col.ends_with("_at") {
                assert_eq!(p["format"], "date-time", "{name}.{col}");
            }
        }
        let cursor = incremental
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str());
        let md = s["metadata"].as_array().unwrap();
        let top: Vec<&Value> = md.iter().filter(|m| m["breadcrumb"] == json!([])).collect();
        assert_eq!(top.len(), 1, "{name}");
        let top = &top[0]["metadata"];
        assert_eq!(top["table-key-properties"], json!(["__sync_key"]));
        assert_eq!(top["inclusion"], "available");
        assert_eq!(top["selected-by-default"], true);
        match cursor {
            Some(c) => {
                assert_eq!(top["valid-replication-keys"], json!([c]), "{name}");
                assert_eq!(top["forced-replication-method"], "INCREMENTAL", "{name}");
                assert_eq!(s["replication_key"], c);
                assert_eq!(s["replication_method"], "INCREMENTAL");
            }
            None => {
                assert!(top.get("valid-replication-keys").is_none(), "{name}");
                assert_eq!(top["forced-replication-method"], "FULL_TABLE", "{name}");
                assert_eq!(s["replication_method"], "FULL_TABLE");
            }
        }
        // One property breadcrumb per column.
        let cols: BTreeSet<&str> = md
            .iter()
            .filter(|m| m["breadcrumb"][0] == "properties")
            .map(|m| m["breadcrumb"][1].as_str().unwrap())
            .collect();
        assert_eq!(
            cols,
            props.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            "{name}"
        );
        for m in md.iter().filter(|m| m["breadcrumb"][0] == "properties") {
            let col = m["breadcrumb"][1].as_str().unwrap();
            let automatic = col == "__sync_key" || Some(col) == cursor;
            assert_eq!(
                m["metadata"]["inclusion"],
                if automatic { "automatic" } else { "available" },
                "{name}.{col}"
            );
            assert_eq!(m["metadata"]["selected-by-default"], true);
        }
    }
}

#[test]
fn a_sync_without_catalog_delivers_every_stream_whole() {
    let sb = sandbox(250);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let run = tap(&["--config", path(&cfg)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.counts(), expected_counts(&sb));
    // Each row once.
    for s in source_gorgias::streams::ALL {
        let keys: BTreeSet<&str> = run
            .records(s.name())
            .iter()
            .map(|r| r["__sync_key"].as_str().unwrap())
            .collect();
        assert_eq!(keys.len(), run.records(s.name()).len(), "{}", s.name());
    }
    // SCHEMA declares the bookmark of incremental streams.
    for m in run.of_type("SCHEMA") {
        let name = m["stream"].as_str().unwrap();
        match incremental().iter().find(|(n, _)| n == name) {
            Some((_, c)) => assert_eq!(m["bookmark_properties"], json!([c]), "{name}"),
            None => assert!(m.get("bookmark_properties").is_none(), "{name}"),
        }
    }
    // The last message is the final STATE, with a bookmark per incremental stream.
    assert_eq!(run.messages.last().unwrap()["type"], "STATE");
    let bookmarks = run.last_state()["bookmarks"].clone();
    for (name, cursor) in incremental() {
        assert!(bookmarks[&name][&cursor].is_string(), "{name}: {bookmarks}");
    }
    assert!(run.stderr.contains("INFO Sync complete"), "{}", run.stderr);
}

#[test]
fn a_catalog_selects_streams_and_columns() {
    let sb = sandbox(120);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let mut cat = discovered(&cfg);
    for e in cat["streams"].as_array_mut().unwrap() {
        match e["stream"].as_str().unwrap() {
            "tickets" => {
                entry_metadata(e, &json!([]))["selected"] = json!(true);
                for col in [
                    "ticket_subject",
                    "customer_email",
                    "__sync_key",
                    "updated_at",
                ] {
                    entry_metadata(e, &json!(["properties", col]))["selected"] = json!(false);
                }
            }
            "account" => entry_metadata(e, &json!([]))["selected"] = json!(true),
            "users" => entry_metadata(e, &json!([]))["selected"] = json!(false),
            // The others carry no flag: unselected, since the catalog marks some.
            _ => {}
        }
    }
    let catf = write_json(&dir, "cat.json", &cat);
    let run = tap(&["--config", path(&cfg), "--catalog", path(&catf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = run.counts();
    assert_eq!(
        counts.keys().map(String::as_str).collect::<Vec<_>>(),
        ["account", "tickets"]
    );
    assert_eq!(counts["tickets"], 120);
    let schemas: Vec<&str> = run
        .of_type("SCHEMA")
        .iter()
        .map(|m| m["stream"].as_str().unwrap())
        .collect();
    assert_eq!(schemas, ["account", "tickets"]);
    let schema = &run
        .of_type("SCHEMA")
        .into_iter()
        .find(|m| m["stream"] == "tickets")
        .unwrap()["schema"];
    for r in run.records("tickets") {
        for gone in ["ticket_subject", "customer_email"] {
            assert!(r.get(gone).is_none(), "{gone} was deselected");
            assert!(schema["properties"].get(gone).is_none());
        }
        // Automatic columns stay whatever the catalog says.
        assert!(r["__sync_key"].is_string() && r["updated_at"].is_string());
        assert!(r["ticket_id"].is_i64());
    }
    // The tickets-only pass did not touch the other endpoints.
    let paths: BTreeSet<String> = sb.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/api/account", "/api/tickets"]
            .into_iter()
            .map(String::from)
            .collect()
    );

    // FULL_TABLE by metadata, through the legacy --properties flag: no
    // bookmark is declared or written.
    for e in cat["streams"].as_array_mut().unwrap() {
        if e["stream"] == "tickets" {
            entry_metadata(e, &json!([]))["replication-method"] = json!("FULL_TABLE");
        }
    }
    let catf = write_json(&dir, "cat2.json", &cat);
    let run = tap(&["--config", path(&cfg), "--properties", path(&catf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t = run
        .of_type("SCHEMA")
        .into_iter()
        .find(|m| m["stream"] == "tickets")
        .unwrap();
    assert!(t.get("bookmark_properties").is_none(), "{t}");
    assert_eq!(run.last_state(), json!({"bookmarks": {}}));
}

#[test]
fn the_printed_state_resumes_the_sync() {
    let sb = sandbox(600);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let first = tap(&["--config", path(&cfg)]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // A bookmark of a stream this tap does not know rides along untouched.
    let mut state = first.last_state();
    state["bookmarks"]["someone_else"] = json!({"updated_at": "2020-01-01T00:00:00Z"});
    let statef = write_json(&dir, "state.json", &state);

    let changed = sb.mutate(&Mutation {
        seed: 11,
        update_tickets: 20,
        add_messages: 10,
        new_tickets: 5,
        ..Mutation::default()
    });
    let second = tap(&["--config", path(&cfg), "--state", path(&statef)]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let first_total: usize = first.counts().values().sum();
    let second_total: usize = second.counts().values().sum();
    assert!(
        second_total * 4 < first_total,
        "resumed run read {second_total} records of {first_total}"
    );
    let got: BTreeSet<i64> = second
        .records("tickets")
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    for id in &changed.ticket_ids {
        assert!(got.contains(id), "changed ticket {id} missing");
    }
    let got: BTreeSet<i64> = second
        .records("ticket_messages")
        .iter()
        .map(|r| r["message_id"].as_i64().unwrap())
        .collect();
    for id in &changed.message_ids {
        assert!(got.contains(id), "new message {id} missing");
    }
    let end = second.last_state();
    assert_eq!(
        end["bookmarks"]["someone_else"],
        state["bookmarks"]["someone_else"]
    );
    let before = state["bookmarks"]["tickets"]["updated_at"]
        .as_str()
        .unwrap();
    let after = end["bookmarks"]["tickets"]["updated_at"].as_str().unwrap();
    assert!(after > before, "{before} -> {after}");
    assert!(
        second
            .stderr
            .contains("INFO tickets: INCREMENTAL from updated_at = "),
        "{}",
        second.stderr
    );
}

#[test]
fn bad_input_is_one_critical_sentence_and_a_nonzero_exit() {
    let sb = sandbox(10);
    let dir = scratch();
    let mut bad_domain = config_for(&sb);
    bad_domain["domain"] = json!("acme/evil");
    let mut bad_key = config_for(&sb);
    bad_key["api_key"] = json!("sk-wrong-key-0000000000000000000000000000000000");
    let good = write_json(&dir, "good.json", &config_for(&sb));
    let cases: Vec<(Vec<String>, &str, i32)> = vec![
        (
            vec![
                "--config".into(),
                path(&write_json(&dir, "d.json", &bad_domain)).into(),
            ],
            "Config field `domain`",
            1,
        ),
        (
            vec![
                "--config".into(),
                path(&write_json(&dir, "d2.json", &bad_domain)).into(),
                "--discover".into(),
            ],
            "Config field `domain`",
            1,
        ),
        (
            vec!["--config".into(), path(&dir.join("missing.json")).into()],
            "Cannot read the config file",
            1,
        ),
        (
            vec![
                "--config".into(),
                path(&good).into(),
                "--state".into(),
                path(&write_text(&dir, "s.json", "{not json")).into(),
            ],
            "The state file is not valid JSON",
            1,
        ),
        (
            vec![
                "--config".into(),
                path(&good).into(),
                "--catalog".into(),
                path(&write_text(
                    &dir,
                    "cat.json",
                    r#"{"streams":[{"stream":"nope"}]}"#,
                ))
                .into(),
            ],
            "`nope`",
            1,
        ),
        (
            vec![
                "--config".into(),
                path(&write_json(&dir, "k.json", &bad_key)).into(),
            ],
            "401",
            1,
        ),
    ];
    for (args, want, code) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = tap(&args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        let critical = run.critical();
        assert_eq!(critical.len(), 1, "{args:?}: {}", run.stderr);
        assert!(critical[0].contains(want), "{args:?}: {}", critical[0]);
        assert!(critical[0].ends_with('.'), "one sentence: {}", critical[0]);
        assert!(run.of_type("RECORD").is_empty(), "{args:?}");
    }

    // Usage errors: exit 2, nothing on stdout.
    for args in [
        &[][..],
        &["--config"][..],
        &["--config", "c.json", "--bogus"][..],
    ] {
        let run = tap(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.messages.is_empty());
        assert_eq!(run.critical().len(), 1, "{}", run.stderr);
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let sb = sandbox(400);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let mut child = spawn(TAP, &["--config", path(&cfg)], Stdio::piped());
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("CRITICAL"), "{stderr}");
}

#[test]
fn a_deselected_message_body_is_never_written() {
    let sb = sandbox(60);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let mut cat = discovered(&cfg);
    for e in cat["streams"].as_array_mut().unwrap() {
        let messages = e["stream"] == "ticket_messages";
        entry_metadata(e, &json!([]))["selected"] = json!(messages);
        if messages {
            assert!(e["schema"]["properties"]["body_text"].is_object());
            entry_metadata(e, &json!(["properties", "body_text"]))["selected"] = json!(false);
        }
    }
    let catf = write_json(&dir, "cat.json", &cat);
    let run = tap(&["--config", path(&cfg), "--catalog", path(&catf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.records("ticket_messages");
    assert_eq!(records.len(), sb.snapshot("messages").len());
    for r in records {
        assert!(r.get("body_text").is_none(), "{r}");
        assert!(r["stripped_text"].is_string() || r["stripped_text"].is_null());
        assert!(r.get("deleted_at").is_some() && r["__sync_key"].is_string());
    }
}
