//! `docs/streams.md`: every stream, how it is read, and every column.

use super::columns::{all_relationships, columns};
use super::reading::{endpoint_text, how_it_is_read, lookback_text, sync_modes};
use super::text::{code_list, generated_from_streams, md_cell};
use crate::streams::{StreamDef, ALL};
use crate::sync::supports_incremental;
use std::fmt::Write;

/// `docs/streams.md`: the reference of every stream and column.
pub fn streams_md() -> String {
    let mut o = generated_from_streams(
        "Streams reference",
        "Every stream, how it is read and every column: generated from the code (`src/streams/<stream>.rs`, whose opening comment says why each endpoint is read the way it is). The diagram of keys and relationships is [erd.md](erd.md); the dbt source is [../dbt/sources.yml](../dbt/sources.yml).",
    );
    let _ = writeln!(
        o,
        "Every row carries `__source_id` (the account), `__sync_key` (the primary key: the MD5 of the natural key's values and `__source_id`, see the README) and `__synced_at`. Lookbacks are the defaults of a config that sets none.\n"
    );
    for &s in ALL {
        let _ = writeln!(o, "- [`{0}`](#{0})", s.name());
    }
    for &s in ALL {
        stream_section(&mut o, s);
    }
    o
}

/// One stream's section: what it is, its facts, how it is read, its
/// columns.
fn stream_section(o: &mut String, s: &StreamDef) {
    let _ = writeln!(o, "\n## {}\n", s.name());
    let _ = writeln!(o, "{}\n", s.description());
    facts_table(o, s);
    let _ = writeln!(o, "\n**How it is read.** {}\n", how_it_is_read(s));
    columns_table(o, s);
}

/// The two-column table of the stream's endpoint, keys, cursor, modes,
/// lookback and relationships.
fn facts_table(o: &mut String, s: &StreamDef) {
    let schema = s.schema();
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| endpoint | {} |", md_cell(&endpoint_text(s)));
    let _ = writeln!(
        o,
        "| row | {} |",
        md_cell(schema["description"].as_str().unwrap_or_default())
    );
    let _ = writeln!(o, "| natural key | {} |", code_list(s.natural_key()));
    let _ = writeln!(o, "| primary key | `__sync_key` |");
    let cursor = match (
        s.cursor_field().filter(|_| supports_incremental(s)),
        s.api_cursor(),
    ) {
        (Some(c), Some(a)) => format!("`{c}` (from `{a}`)"),
        (Some(c), None) => format!("`{c}`"),
        _ => "none".to_string(),
    };
    let _ = writeln!(o, "| cursor | {cursor} |");
    let _ = writeln!(o, "| sync modes | {} |", sync_modes(s));
    let _ = writeln!(
        o,
        "| lookback | {} |",
        lookback_text(s).unwrap_or_else(|| "none".to_string())
    );
    let refers: Vec<String> = s
        .relationships()
        .iter()
        .map(|r| format!("`{}` → `{}.{}`", r.column, r.stream, r.key))
        .collect();
    let _ = writeln!(o, "| refers to | {} |", joined_or_none(refers));
    let referred: Vec<String> = all_relationships()
        .into_iter()
        .filter(|(_, r)| r.stream == s.name())
        .map(|(from, r)| format!("`{from}.{}` → `{}`", r.column, r.key))
        .collect();
    let _ = writeln!(o, "| referred to by | {} |", joined_or_none(referred));
}

fn joined_or_none(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Every column with its type, nullability, description and the Gorgias
/// element it is read from.
fn columns_table(o: &mut String, s: &StreamDef) {
    let _ = writeln!(
        o,
        "| column | type | nullable | description | Gorgias element |\n|---|---|---|---|---|"
    );
    for c in columns(s) {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} |",
            c.name,
            c.kind,
            if c.nullable { "yes" } else { "no" },
            md_cell(&c.description),
            c.source
                .as_deref()
                .map(|e| e
                    .split(" / ")
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" / "))
                .unwrap_or_else(|| "—".to_string())
        );
    }
}
