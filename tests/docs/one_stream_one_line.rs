//! "Adding a stream is one file and one line": everything else a stream
//! needs is derived from its declaration, or fails here naming what is
//! missing. For every stream in `streams::ALL`: the sandbox serves its
//! endpoint (a read of it alone emits records, every request answered 200),
//! the endpoint table documents every request it makes, its schema file is
//! in `catalog/`, the generated docs, README's tables and the acceptance
//! config list it, and every row's `__sync_key` is what README's formula
//! for the stream says.

use crate::common::*;
use serde_json::json;
use source_gorgias::{docs, endpoints, streams};
use std::path::Path;

#[test]
fn every_declared_stream_has_a_sandbox_endpoint_a_schema_file_docs_and_an_endpoint_entry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sb = sandbox(30);
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();
    let (erd, streams_md, dbt) = (docs::erd(), docs::streams_md(), docs::dbt_sources());
    let acceptance = std::fs::read_to_string(root.join(docs::ACCEPTANCE_PATH)).unwrap();
    let readme = std::fs::read_to_string(root.join(docs::README_PATH)).unwrap();
    for s in streams::ALL {
        let name = s.name();
        // The sandbox serves it, and the endpoint table knows each request.
        sb.clear_requests();
        let catalog = write_json(
            &dir,
            &format!("{name}.catalog.json"),
            &json!({"streams": [{"stream": {"name": name}, "sync_mode": "full_refresh"}]}),
        );
        let run = airbyte(&[
            "read",
            "--config",
            config,
            "--catalog",
            catalog.to_str().unwrap(),
        ]);
        assert_eq!(
            run.code, 0,
            "{name}: the sandbox does not serve it: {}",
            run.stdout
        );
        assert!(
            !run.records(name).is_empty(),
            "{name}: the sandbox has no rows for it"
        );
        // Every row's `__sync_key` is what README's formula says.
        let mut entries = std::collections::HashMap::new();
        for record in run.records(name) {
            // An account row's entry position: its place among its setting's rows.
            let seen = entries.entry(record["setting_id"].to_string()).or_insert(0);
            let position = *seen;
            *seen += 1;
            assert_eq!(
                record["__sync_key"].as_str(),
                Some(formula_key(s, record, position).as_str()),
                "{name}: __sync_key is not {}",
                docs::sync_key_formula(s)
            );
        }
        for r in sb.requests() {
            assert_eq!(r.status, 200, "{name}: the sandbox refused {r:?}");
            assert!(
                endpoints::find(&r.path).is_some(),
                "{name}: {} is not in the endpoint table (src/endpoints.rs)",
                r.path
            );
        }
        // Its generated schema file.
        assert!(
            root.join("catalog").join(format!("{name}.json")).is_file(),
            "{name}: no catalog/{name}.json (BLESS=1 cargo test --test docs catalog_files)"
        );
        // The generated docs and the acceptance config's per-stream lists.
        assert!(
            streams_md.contains(&format!("\n## {name}\n")),
            "{name}: not in docs/streams.md"
        );
        assert!(
            erd.contains(&format!("    {name} {{")),
            "{name}: not in docs/erd.md"
        );
        assert!(
            dbt.contains(&format!("      - name: {name}\n")),
            "{name}: not in dbt/sources.yml"
        );
        assert!(
            readme.contains(&format!("| [`{name}`](docs/streams.md#{name}) |")),
            "{name}: not in README's streams table (cargo run --bin gen-docs)"
        );
        assert!(
            acceptance.contains(&format!("\n          {name}: ")),
            "{name}: not in acceptance-test-config.yml (cargo run --bin gen-docs)"
        );
    }
}

/// A stream whose member some accounts' lists leave out is served by the
/// sandbox in that shape too, through its per-object endpoint, which the
/// endpoint table documents.
#[test]
fn every_embedded_member_is_served_per_object_when_the_list_leaves_it_out() {
    let sb = gorgias_sandbox::Sandbox::start(gorgias_sandbox::SandboxConfig {
        tickets: 30,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        lists_without_custom_fields: true,
        ..Default::default()
    })
    .unwrap();
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    for s in streams::ALL.iter().filter(|s| s.embedded.is_some()) {
        let name = s.name();
        let each = s.embedded.unwrap().each;
        sb.clear_requests();
        let catalog = json!({"streams": [{"stream": {"name": name}, "sync_mode": "full_refresh"}]});
        let catalog = write_json(&dir, &format!("{name}.catalog.json"), &catalog);
        let run = read_paths(&config, &catalog, None);
        assert_eq!(run.code, 0, "{name}: {}", run.stdout);
        assert!(!run.records(name).is_empty(), "{name}: no rows per object");
        let per_object = sb
            .requests()
            .iter()
            .filter(|r| endpoints::find(&r.path).is_some_and(|e| e.path == each))
            .count();
        assert!(per_object > 0, "{name}: {each} was not read");
        for r in sb.requests() {
            assert_eq!(r.status, 200, "{name}: the sandbox refused {r:?}");
            assert!(
                endpoints::find(&r.path).is_some(),
                "{name}: {} is not in the endpoint table",
                r.path
            );
        }
    }
}

/// `__sync_key` computed from README's formula for the stream: each
/// `{column}` the row's value (a null one empty, or the stated fallback
/// column's value), `{position in …}` the row's `position` (empty for a
/// row without an entry), and the source id last.
fn formula_key(s: &streams::StreamDef, row: &serde_json::Value, position: usize) -> String {
    let formula = docs::sync_key_formula(s);
    let (body, note) = formula
        .trim_start_matches("`md5(\"")
        .split_once("\")`")
        .expect("a formula reads `md5(\"…\")`");
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(t) => t.clone(),
        other => other.to_string(),
    };
    let parts: Vec<String> = body
        .split('|')
        .map(|part| {
            let name = part.trim_matches(|c| c == '{' || c == '}');
            match name {
                "__source_id" => text(&row["__source_id"]),
                n if n.starts_with("position in ") => match row["business_days"] {
                    serde_json::Value::Null => String::new(),
                    _ => position.to_string(),
                },
                n => match (&row[n], note.split('`').nth(1)) {
                    (serde_json::Value::Null, Some(instead))
                        if note.contains(&format!("when `{n}` is null")) =>
                    {
                        text(&row[instead])
                    }
                    (v, _) => text(v),
                },
            }
        })
        .collect();
    let (source, parts) = parts.split_last().unwrap();
    let shown: Vec<&dyn std::fmt::Display> = parts.iter().map(|p| p as _).collect();
    streams::sync_key(&shown, source)
}

/// The promise README makes ("a stream: one file in `src/streams/` and one
/// line in `src/streams/mod.rs`") stays true: every stream file is named on
/// exactly one line of `streams/mod.rs`, and every stream in `ALL` has its
/// own file.
#[test]
fn a_stream_is_one_file_and_one_line_in_the_registry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let registry = std::fs::read_to_string(root.join("src/streams/mod.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join(docs::README_PATH)).unwrap();
    assert!(
        readme.contains("| a stream | one file in `src/streams/`")
            && readme.contains("one line in `ALL` in `src/streams/mod.rs`"),
        "README's table of where one change goes no longer names the stream's file and line"
    );
    for s in streams::ALL {
        let module = s.name();
        assert!(
            root.join(format!("src/streams/{module}.rs")).is_file(),
            "{module}: no file src/streams/{module}.rs"
        );
        let lines: Vec<_> = registry
            .lines()
            .map(|l| l.trim_start().trim_start_matches('&'))
            .filter(|l| {
                l.starts_with(&format!("{module}::")) || l.contains(&format!("mod {module};"))
            })
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{module}: named on {} lines of src/streams/mod.rs, not one: {lines:?}",
            lines.len()
        );
    }
}
