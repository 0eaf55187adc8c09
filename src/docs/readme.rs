//! README.md's generated parts: the streams table, the `__sync_key`
//! formulas and the PyAirbyte read of the full-refresh streams, each
//! written between its markers.

use super::reading::{endpoint_text, sync_modes};
use super::text::{code_list, md_cell, COMMAND};
use crate::streams::{Identity, StreamDef, ALL};
use crate::sync::supports_incremental;
use std::fmt::Write;

/// README.md with its two stream tables (the streams, the `__sync_key`
/// formulas) written between their markers; the prose around them comes
/// back as it is. A stream's name is hand-written nowhere else in README's
/// lists, so a new stream appears there by regenerating.
pub fn readme(current: &str) -> String {
    let streams = replace_block(current, "streams table", &readme_streams_table());
    let keys = replace_block(&streams, "sync key formulas", &readme_sync_keys());
    replace_block(&keys, "pyairbyte replace", &readme_pyairbyte_replace())
}

/// The PyAirbyte read that replaces the full-refresh streams' tables
/// (PyAirbyte's default merges on the primary key, keeping rows the
/// source no longer has), with those streams named.
fn readme_pyairbyte_replace() -> String {
    let full: Vec<String> = ALL
        .iter()
        .filter(|s| !supports_incremental(s))
        .map(|s| format!("\"{}\"", s.name()))
        .collect();
    format!(
        "```python\nsource.read(cache=cache)  # every stream; the incremental ones merge on __sync_key\nsource.read(cache=cache, streams=[{}], write_strategy=\"replace\")\n```\n",
        full.join(", ")
    )
}

/// `current` with the lines between `<!-- {name}: ... -->` and
/// `<!-- end of {name} -->` replaced by `body`; unchanged without markers.
fn replace_block(current: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}: written by `{COMMAND}` from src/streams/, do not edit -->\n");
    let end = format!("<!-- end of {name} -->");
    let (Some(b), Some(e)) = (current.find(&begin), current.find(&end)) else {
        return current.to_string();
    };
    if e < b {
        return current.to_string();
    }
    format!("{}{begin}{body}{}", &current[..b], &current[e..])
}

fn readme_streams_table() -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "| stream | endpoint and order | natural key | cursor | sync modes | what a row is |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for &s in ALL {
        let cursor = s
            .cursor_field()
            .filter(|_| supports_incremental(s))
            .map(|c| format!("`{c}`"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| [`{0}`](docs/streams.md#{0}) | {1} | {2} | {cursor} | {3} | {4} |",
            s.name(),
            md_cell(&endpoint_text(s)),
            natural_key_text(s),
            sync_modes(s),
            md_cell(s.description()),
        );
    }
    o
}

/// The key columns, and the position that tells an account's rows apart.
fn natural_key_text(s: &StreamDef) -> String {
    let columns = code_list(s.natural_key());
    match s.identity {
        Identity::KeyAndPosition { list } => format!("{columns}, position in `{list}`"),
        _ => columns,
    }
}

/// The text `__sync_key` hashes, as README shows it: the key's row columns,
/// what the stream's identity adds, then the source id.
pub fn sync_key_formula(s: &StreamDef) -> String {
    let mut parts: Vec<String> = s
        .natural_key()
        .iter()
        .filter(|k| !k.starts_with("__"))
        .map(|k| format!("{{{k}}}"))
        .collect();
    let mut note = String::new();
    match s.identity {
        Identity::Key => {}
        Identity::KeyOr { column, instead } => {
            note = format!(" (`{instead}` when `{column}` is null)");
        }
        Identity::KeyAndPosition { list } => {
            parts.push(format!("{{position in {list}}}"));
            note = format!(" (the entry's position in `{list}` from 0; empty text for none)");
        }
    }
    parts.push("{__source_id}".to_string());
    format!("`md5(\"{}\")`{note}", parts.join("|"))
}

fn readme_sync_keys() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "| stream | formula |\n|---|---|");
    for &s in ALL {
        let _ = writeln!(o, "| {} | {} |", s.name(), md_cell(&sync_key_formula(s)));
    }
    o
}
