//! The Singer catalog we discover and the one we are given back: which
//! streams to sync, how, and which columns to keep.

use crate::error::{Error, Result};
use crate::streams::{self, StreamDef};
use crate::sync::SyncMode;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

pub const KEY: &str = "__sync_key";

pub use crate::sync::supports_incremental;

/// Columns a user cannot deselect: without the key a target cannot upsert,
/// without the cursor the state means nothing.
pub fn is_automatic(s: &StreamDef, column: &str) -> bool {
    column == KEY || (supports_incremental(s) && s.cursor_field() == Some(column))
}

/// The stream's row schema as Singer targets read it (with
/// `_ab_cdc_deleted_at` when the config asks for deletions).
pub fn singer_schema(s: &StreamDef, emit_deletes: bool) -> Value {
    let mut schema = streams::schema_for_config(s, emit_deletes);
    singerize(&mut schema);
    if let Some(o) = schema.as_object_mut() {
        o.insert("description".into(), json!(s.description()));
    }
    schema
}

/// Singer targets pick a column's SQL type from the first non-null entry of
/// `type` and several only recognise nullability when "null" comes first;
/// Airbyte's keywords mean nothing to them and some refuse `$schema`.
fn singerize(schema: &mut Value) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    o.remove("airbyte_type");
    o.remove("$schema");
    if let Some(Value::Array(types)) = o.get_mut("type") {
        if let Some(i) = types.iter().position(|t| t == "null") {
            let null = types.remove(i);
            types.insert(0, null);
        }
    }
    // Without bounds pipelinewise-target-postgres makes an integer column
    // `numeric`; with them, `bigint`, which is what our ids are.
    let integer = match o.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    };
    if integer && !o.contains_key("maximum") {
        o.insert("minimum".into(), json!(i64::MIN));
        o.insert("maximum".into(), json!(i64::MAX));
    }
    if let Some(Value::Object(props)) = o.get_mut("properties") {
        props.values_mut().for_each(singerize);
    }
    if let Some(items) = o.get_mut("items") {
        singerize(items);
    }
}

fn method(incremental: bool) -> &'static str {
    if incremental {
        "INCREMENTAL"
    } else {
        "FULL_TABLE"
    }
}

/// One stream as `--discover` lists it.
pub fn stream_entry(s: &StreamDef, emit_deletes: bool) -> Value {
    let schema = singer_schema(s, emit_deletes);
    let incremental = supports_incremental(s);
    let mut top = json!({
        "table-key-properties": [KEY],
        "forced-replication-method": method(incremental),
        "inclusion": "available",
        "selected-by-default": true,
    });
    if let Some(c) = s.cursor_field().filter(|_| incremental) {
        top["valid-replication-keys"] = json!([c]);
        top["replication-key"] = json!(c);
    }
    let mut metadata = vec![json!({"breadcrumb": [], "metadata": top})];
    if let Some(props) = schema["properties"].as_object() {
        for col in props.keys() {
            let inclusion = if is_automatic(s, col) {
                "automatic"
            } else {
                "available"
            };
            metadata.push(json!({
                "breadcrumb": ["properties", col],
                "metadata": {"inclusion": inclusion, "selected-by-default": true}
            }));
        }
    }
    let mut entry = json!({
        "tap_stream_id": s.name(),
        "stream": s.name(),
        "schema": schema,
        "key_properties": [KEY],
        "replication_method": method(incremental),
        "metadata": metadata,
    });
    if let Some(c) = s.cursor_field().filter(|_| incremental) {
        entry["replication_key"] = json!(c);
    }
    entry
}

pub fn catalog(emit_deletes: bool) -> Value {
    json!({"streams": streams::ALL.iter().map(|s| stream_entry(s, emit_deletes)).collect::<Vec<_>>()})
}

/// A stream to sync, how, and the columns the catalog deselected.
pub struct Choice {
    pub stream: &'static StreamDef,
    pub mode: SyncMode,
    pub dropped: BTreeSet<String>,
}

impl Choice {
    /// Every stream in its best mode with every column: a run without a catalog.
    pub fn every_stream() -> Vec<Choice> {
        streams::ALL
            .iter()
            .map(|s| Choice {
                stream: s,
                mode: best_mode(s),
                dropped: BTreeSet::new(),
            })
            .collect()
    }

    /// The schema the SCHEMA message declares: the deselected columns gone,
    /// so a target never creates a column no record will fill.
    pub fn schema(&self, emit_deletes: bool) -> Value {
        let mut schema = singer_schema(self.stream, emit_deletes);
        if self.dropped.is_empty() {
            return schema;
        }
        if let Some(Value::Object(props)) = schema.get_mut("properties") {
            props.retain(|k, _| !self.dropped.contains(k));
        }
        if let Some(Value::Array(req)) = schema.get_mut("required") {
            req.retain(|r| r.as_str().is_none_or(|r| !self.dropped.contains(r)));
        }
        schema
    }

    pub fn cursor(&self) -> Option<&'static str> {
        self.stream
            .cursor_field()
            .filter(|_| self.mode == SyncMode::Incremental)
    }
}

fn best_mode(s: &StreamDef) -> SyncMode {
    if supports_incremental(s) {
        SyncMode::Incremental
    } else {
        SyncMode::FullRefresh
    }
}

/// What a catalog asks for, plus remarks worth a WARN line.
pub struct Parsed {
    pub choices: Vec<Choice>,
    pub warnings: Vec<String>,
}

use crate::face::stream_names;

/// The `metadata` entry at `breadcrumb`, if any.
fn metadata_at<'a>(entry: &'a Value, breadcrumb: &[&str]) -> Option<&'a Map<String, Value>> {
    entry
        .get("metadata")?
        .as_array()?
        .iter()
        .find(|m| {
            m.get("breadcrumb")
                .and_then(Value::as_array)
                .is_some_and(|b| {
                    b.iter()
                        .map(Value::as_str)
                        .eq(breadcrumb.iter().map(|s| Some(*s)))
                })
        })?
        .get("metadata")?
        .as_object()
}

/// The stream's own selection flag: metadata first, then the legacy
/// `schema.selected` older taps and tools write.
fn selected_flag(entry: &Value) -> Option<bool> {
    metadata_at(entry, &[])
        .and_then(|m| m.get("selected"))
        .and_then(Value::as_bool)
        .or_else(|| {
            entry
                .get("schema")
                .and_then(|s| s.get("selected"))
                .and_then(Value::as_bool)
        })
}

/// Reads a Singer catalog (`--catalog` or the legacy `--properties`).
pub fn parse(bytes: &[u8]) -> Result<Parsed> {
    let v: Value = serde_json::from_slice(bytes).map_err(|_| {
        Error::config("The catalog file is not valid JSON: pass the catalog `tap-gorgias --discover` prints, with the streams to sync marked `selected`.")
    })?;
    let entries = v.get("streams").and_then(Value::as_array).ok_or_else(|| {
        Error::config("The catalog has no `streams` list: pass the catalog `tap-gorgias --discover` prints, with the streams to sync marked `selected`.")
    })?;
    // A catalog that marks nothing is a discovered catalog passed back as
    // is: syncing it whole is what its user expects. Once anything is
    // marked, an unmarked stream is one the user left out.
    let any_marked = entries.iter().any(|e| selected_flag(e).is_some());
    let mut parsed = Parsed {
        choices: Vec::new(),
        warnings: Vec::new(),
    };
    for entry in entries {
        let stream = entry_stream(entry)?;
        if !selected_flag(entry).unwrap_or(!any_marked)
            || parsed
                .choices
                .iter()
                .any(|c| c.stream.name() == stream.name())
        {
            continue;
        }
        let mode = entry_mode(entry, stream, &mut parsed.warnings)?;
        parsed.choices.push(Choice {
            stream,
            mode,
            dropped: dropped_columns(entry, stream),
        });
    }
    Ok(parsed)
}

/// The stream an entry names.
fn entry_stream(entry: &Value) -> Result<&'static StreamDef> {
    let name = entry
        .get("tap_stream_id")
        .or_else(|| entry.get("stream"))
        .and_then(Value::as_str)
        .ok_or_else(|| Error::config("A catalog entry has neither `tap_stream_id` nor `stream`: pass the catalog `tap-gorgias --discover` prints."))?;
    streams::find(name).ok_or_else(|| {
        Error::config(format!(
            "The catalog names a stream `{name}` that this tap does not have: select from {}.",
            stream_names()
        ))
    })
}

/// How a selected entry is synced: its replication method, or the best the
/// stream supports when it names none. What the tap does otherwise than
/// asked is added to `warnings`.
fn entry_mode(
    entry: &Value,
    stream: &'static StreamDef,
    warnings: &mut Vec<String>,
) -> Result<SyncMode> {
    let name = stream.name();
    let asked = metadata_at(entry, &[])
        .and_then(|m| m.get("replication-method"))
        .or_else(|| entry.get("replication_method"))
        .and_then(Value::as_str);
    let mode = match asked.map(str::to_ascii_uppercase).as_deref() {
        None => best_mode(stream),
        Some("FULL_TABLE") => SyncMode::FullRefresh,
        Some("INCREMENTAL") if supports_incremental(stream) => SyncMode::Incremental,
        Some("INCREMENTAL") => {
            warnings.push(format!(
                "The catalog asks for an INCREMENTAL sync of `{name}`, which has no replication key: it is synced FULL_TABLE."
            ));
            SyncMode::FullRefresh
        }
        Some(_) => {
            return Err(Error::config(format!(
                "The catalog asks for replication method `{}` on stream `{name}`: use INCREMENTAL or FULL_TABLE.",
                asked.unwrap_or_default()
            )))
        }
    };
    if mode == SyncMode::Incremental {
        let key = metadata_at(entry, &[])
            .and_then(|m| m.get("replication-key"))
            .or_else(|| entry.get("replication_key"))
            .and_then(Value::as_str);
        let ours = stream.cursor_field().unwrap_or_default();
        if let Some(k) = key.filter(|k| *k != ours) {
            warnings.push(format!(
                "The catalog sets replication key `{k}` on `{name}`, whose key is defined by the tap: it resumes on `{ours}`."
            ));
        }
    }
    Ok(mode)
}

/// The columns an entry deselects, in its metadata or its schema; the
/// automatic columns are written all the same.
fn dropped_columns(entry: &Value, stream: &'static StreamDef) -> BTreeSet<String> {
    let mut dropped = BTreeSet::new();
    let schema = singer_schema(stream, true);
    let Some(props) = schema["properties"].as_object() else {
        return dropped;
    };
    for col in props.keys() {
        let by_metadata = metadata_at(entry, &["properties", col])
            .and_then(|m| m.get("selected"))
            .and_then(Value::as_bool);
        let by_schema = entry
            .get("schema")
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(col))
            .and_then(|c| c.get("selected"))
            .and_then(Value::as_bool);
        if by_metadata.or(by_schema) == Some(false) && !is_automatic(stream, col) {
            dropped.insert(col.clone());
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str) -> &'static StreamDef {
        streams::find(name).unwrap()
    }

    #[test]
    fn schemas_put_null_first_and_drop_airbyte_keywords() {
        for s in streams::ALL {
            let schema = singer_schema(s, false);
            let text = schema.to_string();
            assert!(!text.contains("airbyte_type") && !text.contains("$schema"));
            for (col, p) in schema["properties"].as_object().unwrap() {
                if let Some(t) = p["type"].as_array() {
                    assert_eq!(t[0], "null", "{}.{col}", s.name());
                }
            }
        }
        let t = singer_schema(find("tickets"), false);
        assert_eq!(
            t["properties"]["updated_at"]["type"],
            json!(["null", "string"])
        );
        assert_eq!(t["properties"]["updated_at"]["format"], "date-time");
        assert_eq!(t["properties"]["ticket_id"]["type"], "integer");
        assert_eq!(t["properties"]["ticket_id"]["maximum"], json!(i64::MAX));
    }

    #[test]
    fn a_discovered_catalog_passed_back_selects_everything() {
        let parsed = parse(catalog(false).to_string().as_bytes()).unwrap();
        assert_eq!(parsed.choices.len(), streams::ALL.len());
        let account = parsed
            .choices
            .iter()
            .find(|c| c.stream.name() == "account")
            .unwrap();
        assert_eq!(account.mode, SyncMode::FullRefresh);
        let tickets = parsed
            .choices
            .iter()
            .find(|c| c.stream.name() == "tickets")
            .unwrap();
        assert_eq!(tickets.mode, SyncMode::Incremental);
    }

    #[test]
    fn selection_method_and_columns() {
        let mut cat = catalog(false);
        for e in cat["streams"].as_array_mut().unwrap() {
            let name = e["stream"].as_str().unwrap().to_string();
            let md = e["metadata"].as_array_mut().unwrap();
            if name == "tickets" || name == "users" {
                md[0]["metadata"]["selected"] = json!(true);
            }
            if name == "users" {
                md[0]["metadata"]["replication-method"] = json!("FULL_TABLE");
            }
            for m in md.iter_mut() {
                let b = m["breadcrumb"].clone();
                if b == json!(["properties", "ticket_subject"])
                    || b == json!(["properties", "updated_at"])
                    || b == json!(["properties", "__sync_key"])
                {
                    m["metadata"]["selected"] = json!(false);
                }
            }
        }
        let parsed = parse(cat.to_string().as_bytes()).unwrap();
        let names: Vec<_> = parsed.choices.iter().map(|c| c.stream.name()).collect();
        assert_eq!(names, ["users", "tickets"]);
        assert_eq!(parsed.choices[0].mode, SyncMode::FullRefresh);
        assert_eq!(parsed.choices[1].mode, SyncMode::Incremental);
        // updated_at is users' cursor but users is FULL_TABLE here; still the
        // cursor, so automatic either way.
        assert!(parsed.choices[0].dropped.is_empty());
        let t = &parsed.choices[1];
        assert_eq!(t.dropped.iter().collect::<Vec<_>>(), ["ticket_subject"]);
        let schema = t.schema(false);
        assert!(schema["properties"].get("ticket_subject").is_none());
        assert!(schema["properties"].get("updated_at").is_some());
    }

    #[test]
    fn legacy_schema_selected_and_bad_methods() {
        let cat = json!({"streams": [
            {"tap_stream_id": "users", "schema": {"selected": true, "properties": {"user_name": {"selected": false}}}},
            {"tap_stream_id": "tickets", "schema": {}},
        ]});
        let parsed = parse(cat.to_string().as_bytes()).unwrap();
        assert_eq!(parsed.choices.len(), 1);
        assert!(parsed.choices[0].dropped.contains("user_name"));

        let cat = json!({"streams": [{"stream": "tickets", "replication_method": "LOG_BASED"}]});
        let e = parse(cat.to_string().as_bytes()).err().unwrap();
        assert!(e.message.contains("LOG_BASED"), "{}", e.message);
        let e = parse(br#"{"streams":[{"stream":"nope"}]}"#).err().unwrap();
        assert!(e.message.contains("`nope`"), "{}", e.message);
        assert!(parse(b"{").is_err());
        assert!(parse(b"{}").is_err());
    }
}
