//! The Airbyte catalog we offer and the configured catalog we are given.

use crate::error::{quote, Error, Result};
use crate::face::stream_names;
use crate::streams::{self, StreamDef};
use crate::sync::{supports_incremental, SyncMode};
use serde_json::{json, Value};

/// One stream as `discover` lists it for the default config.
pub fn stream_entry(s: &StreamDef) -> Value {
    stream_entry_for(s, false)
}

/// One stream as `discover` lists it: with `_ab_cdc_deleted_at` when the
/// config asks for deletions.
pub fn stream_entry_for(s: &StreamDef, emit_deletes: bool) -> Value {
    let mut schema = streams::schema_for_config(s, emit_deletes);
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        o.insert("description".into(), json!(s.description()));
    }
    let incremental = supports_incremental(s);
    let mut entry = json!({
        "name": s.name(),
        "json_schema": schema,
        "supported_sync_modes": if incremental { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
        "source_defined_primary_key": [["__sync_key"]],
        "is_resumable": incremental,
    });
    if let Some(c) = s.cursor_field().filter(|_| incremental) {
        entry["source_defined_cursor"] = json!(true);
        entry["default_cursor_field"] = json!([c]);
    }
    entry
}

pub fn catalog(emit_deletes: bool) -> Value {
    json!({"streams": streams::ALL.iter().map(|s| stream_entry_for(s, emit_deletes)).collect::<Vec<_>>()})
}

/// The configured catalog selecting every stream in its best mode: what
/// `catalog/configured_catalog.json` holds.
pub fn configured_catalog_all() -> Value {
    configured(streams::ALL, true, false)
}

/// What `source-gorgias catalog` prints: the streams `names` selects (every
/// stream when none), each incremental where it can be when `incremental`
/// asks, else full refresh; the destination mode to match (append_dedup for
/// incremental, overwrite for full refresh).
pub fn configured_for(
    names: Option<&[String]>,
    incremental: bool,
    emit_deletes: bool,
) -> Result<Value> {
    let selected: Vec<&'static StreamDef> = match names {
        None => streams::ALL.to_vec(),
        Some(names) => {
            let mut selected: Vec<&'static StreamDef> = Vec::new();
            for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                let stream = streams::find(name).ok_or_else(|| {
                    Error::config(format!(
                        "--streams names a stream `{}` that this connector does not have: select from {}.",
                        quote(name),
                        stream_names()
                    ))
                })?;
                if !selected.iter().any(|s| s.name() == stream.name()) {
                    selected.push(stream);
                }
            }
            if selected.is_empty() {
                return Err(Error::config(format!(
                    "--streams selects no streams: name at least one of {}.",
                    stream_names()
                )));
            }
            selected
        }
    };
    Ok(configured(&selected, incremental, emit_deletes))
}

fn configured(selected: &[&'static StreamDef], incremental: bool, emit_deletes: bool) -> Value {
    let streams: Vec<Value> = selected
        .iter()
        .map(|s| {
            let entry = stream_entry_for(s, emit_deletes);
            let incremental = incremental
                && entry["supported_sync_modes"].as_array().is_some_and(|m| m.len() > 1);
            json!({
                "stream": entry,
                "sync_mode": if incremental { "incremental" } else { "full_refresh" },
                "destination_sync_mode": if incremental { "append_dedup" } else { "overwrite" },
                "cursor_field": s.cursor_field().filter(|_| incremental).map(|c| vec![c]).unwrap_or_default(),
                "primary_key": [["__sync_key"]],
            })
        })
        .collect();
    json!({"streams": streams})
}

/// Discover's output given where a configured catalog belongs: a CATALOG
/// message, or its bare catalog (streams without a `stream` object).
fn is_discovered(v: &Value) -> bool {
    if v.get("type").and_then(Value::as_str) == Some("CATALOG") {
        return true;
    }
    v.get("streams")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .is_some_and(|e| e.get("stream").is_none() && e.get("json_schema").is_some())
}

/// A configured catalog as read: the streams to sync, in its order, with
/// their modes, and what the read should warn of.
pub struct Configured {
    pub streams: Vec<(&'static StreamDef, SyncMode)>,
    /// Per stream, the columns its `json_schema` leaves out (column
    /// selection): its rows are written without them.
    pub left_out: Vec<(&'static StreamDef, Vec<String>)>,
    pub warnings: Vec<String>,
}

/// The row columns of `stream` that a configured entry's `json_schema`
/// does not list. No `properties` at all selects every column; the
/// bookkeeping columns (`__…`, `_ab_cdc_deleted_at`), the natural key and
/// the cursor are always written, as Singer's `automatic` columns are: a
/// destination dedupes and a state advances on them.
fn deselected(stream: &StreamDef, entry: &Value) -> Vec<String> {
    let Some(listed) = entry
        .get("stream")
        .and_then(|s| s.get("json_schema"))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let schema = stream.schema();
    let Some(ours) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    ours.keys()
        .filter(|c| !c.starts_with('_') && !listed.contains_key(*c))
        .filter(|c| stream.cursor_field() != Some(c.as_str()))
        .filter(|c| !stream.natural_key().contains(&c.as_str()))
        .cloned()
        .collect()
}

/// Reads a configured catalog. Unknown keys (generation ids, sync ids) are
/// ignored.
pub fn parse_configured(bytes: &[u8]) -> Result<Configured> {
    let v: Value = serde_json::from_slice(bytes).map_err(|_| {
        Error::config("The catalog file is not valid JSON: pass the configured catalog, for example catalog/configured_catalog.json.")
    })?;
    let mut out: Vec<(&'static StreamDef, SyncMode)> = Vec::new();
    let mut left_out = Vec::new();
    let mut warnings = Vec::new();
    for entry in configured_entries(&v)? {
        let stream = entry_stream(entry)?;
        let name = stream.name();
        let seen = out.iter().any(|(s, _)| s.name() == name);
        let mut mode = entry_mode(entry, name)?;
        if mode == SyncMode::Incremental && !supports_incremental(stream) {
            // PyAirbyte asks every stream for incremental; like the Python
            // CDK, a stream that cannot be read incrementally is read whole.
            mode = SyncMode::FullRefresh;
            if !seen {
                warnings.push(format!(
                    "The catalog asks for an incremental read of `{name}`, which supports full refresh only: it is read in full."
                ));
            }
        }
        if mode == SyncMode::Incremental {
            check_cursor(entry, stream)?;
        }
        if seen {
            continue;
        }
        let columns = deselected(stream, entry);
        if !columns.is_empty() {
            left_out.push((stream, columns));
        }
        out.push((stream, mode));
    }
    Ok(Configured {
        streams: out,
        left_out,
        warnings,
    })
}

/// The entries of a configured catalog, or why the document is not one.
fn configured_entries(v: &Value) -> Result<&Vec<Value>> {
    if is_discovered(v) {
        return Err(Error::config(
            "The catalog file holds discover's catalog, not a configured catalog: run `source-gorgias catalog --config CONFIG > configured_catalog.json` (add `--incremental` for incremental reads) and pass that file.",
        ));
    }
    let entries = v.get("streams").and_then(Value::as_array).ok_or_else(|| {
        Error::config("The catalog has no `streams` list: pass a configured catalog (run discover to see the streams).")
    })?;
    if entries.is_empty() {
        return Err(Error::config(format!(
            "The catalog selects no streams: select at least one of {}.",
            stream_names()
        )));
    }
    Ok(entries)
}

/// The stream an entry names.
fn entry_stream(entry: &Value) -> Result<&'static StreamDef> {
    let name = entry
        .get("stream")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| Error::config("A catalog entry has no `stream.name`: pass a configured catalog as discover describes it."))?;
    streams::find(name).ok_or_else(|| {
        Error::config(format!(
            "The catalog names a stream `{}` that this connector does not have: select from {}.",
            quote(name),
            stream_names()
        ))
    })
}

/// The sync mode an entry asks for (full refresh when it names none).
fn entry_mode(entry: &Value, name: &str) -> Result<SyncMode> {
    match entry.get("sync_mode").and_then(Value::as_str) {
        None | Some("full_refresh") => Ok(SyncMode::FullRefresh),
        Some("incremental") => Ok(SyncMode::Incremental),
        Some(other) => Err(Error::config(format!(
            "The catalog asks for sync mode `{}` on stream `{name}`: use full_refresh or incremental.",
            quote(other)
        ))),
    }
}

/// An incremental entry's `cursor_field`, when it sets one, must be the
/// stream's own: the source defines the cursor.
fn check_cursor(entry: &Value, stream: &StreamDef) -> Result<()> {
    let Some(fields) = entry.get("cursor_field").and_then(Value::as_array) else {
        return Ok(());
    };
    let name = stream.name();
    let want = stream.cursor_field().unwrap_or_default();
    let given: Vec<&str> = fields.iter().filter_map(Value::as_str).collect();
    if !given.is_empty() && given != [want] {
        return Err(Error::config(format!(
            "The catalog sets cursor `{}` on stream `{name}`, whose cursor is defined by the source as `{want}`: use `{want}` or leave cursor_field empty.",
            quote(&given.join("."))
        )));
    }
    Ok(())
}
