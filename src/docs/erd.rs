//! `docs/erd.md`: the streams' keys and relationships as a Mermaid diagram.

use super::columns::{all_relationships, columns};
use super::text::generated_from_streams;
use crate::streams::{Relation, StreamDef, ALL};
use crate::sync::supports_incremental;
use std::fmt::Write;

/// `docs/erd.md`: a Mermaid `erDiagram` of every stream with its natural
/// key, its foreign keys, its cursor and `__sync_key`. The other columns
/// are left to `streams.md`, so the picture stays readable.
pub fn erd() -> String {
    let mut o = generated_from_streams(
        "Entity-relationship diagram",
        "Every stream with its natural key (PK), its foreign keys (FK), its cursor and `__sync_key` (UK, the primary key destinations use). A line joins a foreign key to the stream it refers to; `|o` means the column may be null. Every column is in [streams.md](streams.md).",
    );
    let _ = writeln!(o, "```mermaid\nerDiagram");
    for &s in ALL {
        entity(&mut o, s);
    }
    for (from, r) in all_relationships() {
        relationship_line(&mut o, from, &r);
    }
    let _ = writeln!(o, "```");
    o
}

/// One stream's box: the columns that are a key, a foreign key, the
/// cursor or `__sync_key`, each with its marks and notes.
fn entity(o: &mut String, s: &StreamDef) {
    let key = s.natural_key();
    let rels = s.relationships();
    let cursor = s.cursor_field().filter(|_| supports_incremental(s));
    let _ = writeln!(o, "    {} {{", s.name());
    for c in columns(s) {
        let is_key = key.contains(&c.name.as_str());
        let fk: Vec<&Relation> = rels.iter().filter(|r| r.column == c.name).collect();
        let is_cursor = cursor == Some(c.name.as_str());
        let is_sync_key = c.name == "__sync_key";
        if !(is_key || !fk.is_empty() || is_cursor || is_sync_key) {
            continue;
        }
        let marks: Vec<&str> = [(is_key, "PK"), (!fk.is_empty(), "FK"), (is_sync_key, "UK")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, m)| *m)
            .collect();
        let mut notes: Vec<String> = Vec::new();
        if is_key {
            notes.push("natural key".into());
        }
        for r in &fk {
            notes.push(format!("refers to {}.{}", r.stream, r.key));
        }
        if is_cursor {
            notes.push("cursor".into());
        }
        if is_sync_key {
            notes.push("md5 of the natural key and __source_id".into());
        }
        if c.nullable {
            notes.push("nullable".into());
        }
        let _ = writeln!(
            o,
            "        {} {}{} \"{}\"",
            c.kind,
            c.name,
            if marks.is_empty() {
                String::new()
            } else {
                format!(" {}", marks.join(", "))
            },
            notes.join("; ")
        );
    }
    let _ = writeln!(o, "    }}");
}

/// The line from the referred stream to the one that refers to it,
/// `|o` when the foreign key may be null.
fn relationship_line(o: &mut String, from: &str, r: &Relation) {
    let nullable = ALL
        .iter()
        .find(|s| s.name() == from)
        .map(|s| columns(s))
        .and_then(|cols| cols.into_iter().find(|c| c.name == r.column))
        .is_none_or(|c| c.nullable);
    let _ = writeln!(
        o,
        "    {} {}--o{{ {} : \"{}\"",
        r.stream,
        if nullable { "|o" } else { "||" },
        from,
        r.column
    );
}
