//! The generated docs (`docs/erd.md`, `docs/streams.md`, `dbt/sources.yml`,
//! the per-stream lists of `acceptance-test-config.yml`, README's stream
//! tables) must match what the
//! code generates, and the declarations they are made
//! from must make sense. Regenerate them with `cargo run --bin gen-docs` or
//! `BLESS=1 cargo test --test docs docs_files`.

use crate::common::stale_files;
use source_gorgias::docs;
use source_gorgias::streams::{find, ALL};
use std::path::PathBuf;

#[test]
fn docs_files_are_fresh() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = docs::files();
    files.extend(docs::partly_generated(&|rel| {
        std::fs::read_to_string(root.join(rel)).unwrap()
    }));
    let stale = stale_files(files.into_iter().map(|(rel, want)| (root.join(rel), want)));
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run --bin gen-docs` or `BLESS=1 cargo test --test docs docs_files`): {stale:?}"
    );
}

#[test]
fn every_stream_declares_a_natural_key_of_its_own_columns() {
    for s in ALL {
        let cols: Vec<String> = docs::columns(s).into_iter().map(|c| c.name).collect();
        assert!(!s.natural_key().is_empty(), "{}: no natural key", s.name());
        for k in s.natural_key() {
            assert!(
                cols.iter().any(|c| c == k),
                "{}: key {k} is not a column",
                s.name()
            );
        }
    }
}

#[test]
fn every_relationship_joins_a_column_to_another_streams_key() {
    for s in ALL {
        let cols = docs::columns(s);
        for r in s.relationships() {
            let from = cols.iter().find(|c| c.name == r.column);
            let from = from.unwrap_or_else(|| panic!("{}: {} is not a column", s.name(), r.column));
            let to =
                find(r.stream).unwrap_or_else(|| panic!("{}: no stream {}", s.name(), r.stream));
            assert_eq!(
                to.natural_key(),
                [r.key],
                "{}.{} must refer to the whole key of {}",
                s.name(),
                r.column,
                r.stream
            );
            let target = docs::columns(to)
                .into_iter()
                .find(|c| c.name == r.key)
                .unwrap();
            assert_eq!(
                from.kind,
                target.kind,
                "{}.{}: type differs from {}.{}",
                s.name(),
                r.column,
                r.stream,
                r.key
            );
        }
    }
}

#[test]
fn every_column_is_described_and_names_its_gorgias_element() {
    for s in ALL {
        for c in docs::columns(s) {
            let d = c.description.trim();
            assert!(
                d.len() > 3 && !d.contains('\n'),
                "{}.{}: no one-line description",
                s.name(),
                c.name
            );
            assert_eq!(
                c.source.is_none(),
                c.is_bookkeeping(),
                "{}.{}: a column read from Gorgias names its JSON element in backticks",
                s.name(),
                c.name
            );
        }
    }
}

#[test]
fn the_docs_cover_every_stream() {
    let (erd, streams, dbt) = (docs::erd(), docs::streams_md(), docs::dbt_sources());
    for s in ALL {
        let n = s.name();
        assert!(erd.contains(&format!("    {n} {{")), "erd: {n}");
        assert!(streams.contains(&format!("\n## {n}\n")), "streams.md: {n}");
        assert!(
            dbt.contains(&format!("      - name: {n}\n")),
            "sources.yml: {n}"
        );
    }
}

#[test]
fn the_specs_start_date_names_the_streams_it_bounds() {
    // The streams whose generated "How it is read" paragraph says the read
    // stops at (or filters from) `start_date`: the spec must name exactly
    // those, in words.
    let md = docs::streams_md();
    let mut bounded: Vec<String> = Vec::new();
    for section in md.split("\n## ").skip(1) {
        let name = section.lines().next().unwrap().trim();
        if section
            .lines()
            .any(|l| l.starts_with("**How it is read.**") && l.contains("`start_date`"))
        {
            bounded.push(name.replace('_', " "));
        }
    }
    let spec = source_gorgias::config::connection_specification();
    let text = spec["properties"]["start_date"]["description"]
        .as_str()
        .unwrap();
    let listed = text
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list)
        .unwrap();
    let mut listed: Vec<String> = listed.split(", ").map(str::to_string).collect();
    listed.sort();
    bounded.sort();
    assert!(!bounded.is_empty());
    assert_eq!(listed, bounded, "{text}");
}
