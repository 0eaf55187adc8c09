//! A full refresh under a busy account: objects change while the read pages
//! through their list. Every row that existed when the read began must be
//! in the snapshot (a row may come twice, never not at all), on both faces.
//! The sandbox's change cue moves objects right after a page is served, as
//! agents' edits do on a live account; its cursors are keyset cursors like
//! Gorgias's, so a moved row jumps over the read's position.

use crate::common::*;
use gorgias_sandbox::{ChangeCue, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every list the streams read, with a change cue after its first page.
const LISTS: &[&str] = &[
    "users",
    "tickets",
    "integrations",
    "tags",
    "messages",
    "satisfaction-surveys",
    "customers",
    "events",
    "teams",
    "views",
    "macros",
    "rules",
    "custom-fields",
    "jobs",
    "phone/voice-calls",
];

fn start(cued: bool) -> Sandbox {
    let changes = LISTS
        .iter()
        .filter(|_| cued)
        .map(|p| ChangeCue {
            path: p.to_string(),
            after_page: 1,
            objects: 12,
        })
        .collect();
    Sandbox::start(SandboxConfig {
        tickets: 100,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        changes,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

fn config(sb: &Sandbox, dir: &Path) -> String {
    let mut c = config_for(sb);
    // Small pages: even the short lists (macros) take several.
    c["page_size"] = json!(4);
    let p = write_json(dir, "config.json", &c);
    p.to_str().unwrap().to_string()
}

fn run(bin: &str, args: &[&str]) -> String {
    let out = run_bin(bin, args);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    out.stdout
}

/// `__sync_key`s per stream of the RECORD lines of `stdout`, each once.
fn keys(stdout: &str, record: impl Fn(&Value) -> Option<(&str, &Value)>) -> Snapshot {
    let mut by_stream = Snapshot::new();
    for line in stdout.lines() {
        let m: Value = serde_json::from_str(line).expect("JSON lines");
        if let Some((stream, row)) = record(&m) {
            by_stream
                .entry(stream.to_string())
                .or_default()
                .insert(row["__sync_key"].as_str().unwrap().to_string());
        }
    }
    by_stream
}

type Snapshot = BTreeMap<String, BTreeSet<String>>;

/// Every stream, full refresh, through the Airbyte face.
fn airbyte_full_refresh(sb: &Sandbox) -> Snapshot {
    let dir = scratch();
    let cfg = config(sb, &dir);
    let bin = SOURCE;
    let catalog = run(bin, &["catalog", "--config", &cfg]);
    let cat = write_text(&dir, "catalog.json", &catalog);
    let out = run(
        bin,
        &["read", "--config", &cfg, "--catalog", cat.to_str().unwrap()],
    );
    keys(&out, |m| {
        (m["type"] == "RECORD").then(|| {
            (
                m["record"]["stream"].as_str().unwrap(),
                &m["record"]["data"],
            )
        })
    })
}

/// Every stream, FULL_TABLE, through the Singer face.
fn singer_full_table(sb: &Sandbox) -> Snapshot {
    let dir = scratch();
    let cfg = config(sb, &dir);
    let bin = TAP;
    let mut catalog: Value =
        serde_json::from_str(&run(bin, &["--config", &cfg, "--discover"])).unwrap();
    for s in catalog["streams"].as_array_mut().unwrap() {
        s["replication_method"] = json!("FULL_TABLE");
    }
    let cat = write_json(&dir, "catalog.json", &catalog);
    let out = run(bin, &["--config", &cfg, "--catalog", cat.to_str().unwrap()]);
    keys(&out, |m| {
        (m["type"] == "RECORD").then(|| (m["stream"].as_str().unwrap(), &m["record"]))
    })
}

/// What a read of the cued sandbox left out of each stream, next to a read
/// of the same data kept still.
fn missed(read: fn(&Sandbox) -> Snapshot) -> BTreeMap<String, usize> {
    let still = read(&start(false));
    let moving = read(&start(true));
    assert_eq!(still.len(), source_gorgias::streams::ALL.len());
    still
        .iter()
        .map(|(stream, want)| {
            let got = moving.get(stream).cloned().unwrap_or_default();
            (stream.clone(), want.difference(&got).count())
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn an_airbyte_full_refresh_misses_no_row_that_changes_while_it_reads() {
    assert_eq!(missed(airbyte_full_refresh), BTreeMap::new());
}

#[test]
fn a_singer_full_table_sync_misses_no_row_that_changes_while_it_reads() {
    assert_eq!(missed(singer_full_table), BTreeMap::new());
}
