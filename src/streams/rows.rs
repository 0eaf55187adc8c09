//! A stream's rows as they leave `map`: [`Out`] gives each row its
//! bookkeeping columns, `__sync_key` hashed from the declared key
//! ([`Identity`], [`sync_key`]), and [`Rows`] holds them as JSON text.

use super::obj::RowContext;
use crate::error::{Error, Result};
use crate::schema::Timestamp;
use md5::{Digest, Md5};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// A row's identity beyond its key columns' values. `Out` hashes it into
/// `__sync_key`, so no `map` builds a key of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The key columns' values, a null one as empty text.
    Key,
    /// As `Key`, but a null `column` is replaced by `instead`'s value: a
    /// ticket's tag without an id is keyed by its name.
    KeyOr {
        column: &'static str,
        instead: &'static str,
    },
    /// The key columns, then the row's position in the `list` it came from,
    /// which is no column (an account's business-hours entries); `map`
    /// passes it with [`Out::push_at`].
    KeyAndPosition { list: &'static str },
}

/// `__sync_key`: the lowercase hex MD5 of the row's identity values and the
/// source id, written as decimal or text and joined with `|`. For a ticket:
/// `md5("12345|acme")`; for a ticket tag: `md5("12345|67|acme")`.
pub fn sync_key(identity: &[&dyn std::fmt::Display], source_id: &str) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(48);
    for part in identity {
        let _ = write!(text, "{part}|");
    }
    text.push_str(source_id);
    // Hex by table: a `format!` per byte was 7 % of a sync's instructions.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in Md5::digest(text.as_bytes()) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A row's schema with the bookkeeping columns every row carries.
pub fn row_schema<T: JsonSchema>() -> Value {
    let mut schema = crate::schema::schema_for::<T>();
    let meta = crate::schema::schema_for::<SyncMeta>();
    if let (Some(props), Some(more)) = (
        schema["properties"].as_object_mut(),
        meta["properties"].as_object(),
    ) {
        props.extend(more.clone());
    }
    if let (Some(o), Some(more)) = (schema.as_object_mut(), meta["required"].as_array()) {
        let required = o
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(req) = required.as_array_mut() {
            req.extend(more.iter().cloned());
        }
    }
    schema
}

/// The bookkeeping columns on every row.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncMeta {
    /// The Gorgias account (its subdomain) the row was read from.
    #[serde(rename = "__source_id")]
    pub source_id: String,
    /// Hex MD5 of the row's natural key and `__source_id`: the primary key.
    #[serde(rename = "__sync_key")]
    pub sync_key: String,
    /// When the sync that read this row started.
    #[serde(rename = "__synced_at")]
    pub synced_at: Timestamp,
}

impl SyncMeta {
    /// The three bookkeeping columns, keyed by the row's identity.
    fn new(ctx: &RowContext, identity: &[&dyn std::fmt::Display]) -> Self {
        SyncMeta {
            source_id: ctx.source_id.clone(),
            sync_key: sync_key(identity, &ctx.source_id),
            synced_at: ctx.synced_at,
        }
    }
}

/// The column a destination reads as "this row was deleted" (Airbyte's CDC
/// convention, which its dedup destinations apply).
pub const DELETED_AT: &str = "_ab_cdc_deleted_at";

/// A deletion row: the key column, `_ab_cdc_deleted_at`, the bookkeeping
/// columns; every other column is absent (null).
pub fn deleted_row(id_column: &str, id: i64, at: Timestamp, ctx: &RowContext) -> Value {
    let meta = serde_json::to_value(SyncMeta::new(ctx, &[&id])).unwrap_or(Value::Null);
    let mut v = serde_json::json!({ id_column: id, DELETED_AT: at });
    if let (Some(o), Value::Object(m)) = (v.as_object_mut(), meta) {
        o.extend(m);
    }
    v
}

/// The rows one API object maps to, each already serialised as one JSON
/// object (line-safe, see [`crate::output`]): a row is written once, by the
/// face, around its envelope, with no `Value` in between.
#[derive(Default)]
pub struct Rows {
    text: Vec<u8>,
    ends: Vec<usize>,
    /// The row columns the catalog deselected: never written.
    left_out: Option<std::sync::Arc<[String]>>,
}

impl Rows {
    /// Leaves `columns` out of the rows pushed from now on.
    pub fn leave_out(&mut self, columns: Option<std::sync::Arc<[String]>>) {
        self.left_out = columns;
    }

    pub fn push<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<()> {
        let start = self.text.len();
        let left_out = self.left_out.as_deref().unwrap_or_default();
        if let Err(e) = crate::output::write_json_without(&mut self.text, row, left_out) {
            self.text.truncate(start);
            return Err(Error::system(format!(
                "A row could not be written as JSON ({e}): please report this."
            )));
        }
        self.ends.push(self.text.len());
        Ok(())
    }

    /// A row with its bookkeeping columns appended (the row's own columns
    /// first, as a destination shows them).
    fn push_with<T: Serialize>(&mut self, row: &T, meta: &SyncMeta) -> Result<()> {
        let start = self.text.len();
        self.push(row)?;
        self.ends.pop();
        if self.text.last() == Some(&b'}') {
            self.text.pop();
            let empty = self.text.last() == Some(&b'{');
            let at = self.text.len();
            if let Err(e) = crate::output::write_json(&mut self.text, meta) {
                self.text.truncate(start);
                return Err(Error::system(format!(
                    "A row could not be written as JSON ({e}): please report this."
                )));
            }
            // The meta object's own `{` becomes the separator.
            if empty {
                self.text.remove(at);
            } else {
                self.text[at] = b',';
            }
        }
        self.ends.push(self.text.len());
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Each row's JSON text.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let row = &self.text[start..end];
            start = end;
            row
        })
    }

    /// The rows as values (tests and the rare face that edits a row).
    pub fn values(&self) -> Vec<Value> {
        self.iter()
            .map(|r| serde_json::from_slice(r).unwrap_or(Value::Null))
            .collect()
    }
}

/// Where a stream's `map` puts its rows: each row gets its bookkeeping
/// columns here, `__sync_key` hashed from the values of the stream's
/// declared key columns, so the key the docs show is the key the rows carry.
pub struct Out<'a> {
    rows: &'a mut Rows,
    ctx: &'a RowContext,
    key: &'static [&'static str],
    identity: Identity,
}

impl<'a> Out<'a> {
    /// Rows keyed by `key` (the stream's natural key) and `identity`.
    pub(super) fn new(
        rows: &'a mut Rows,
        ctx: &'a RowContext,
        key: &'static [&'static str],
        identity: Identity,
    ) -> Self {
        Out {
            rows,
            ctx,
            key,
            identity,
        }
    }

    /// One row, keyed by its stream's declared [`Identity`].
    pub fn push<T: Serialize>(&mut self, row: &T) -> Result<()> {
        self.push_identified(row, None)
    }

    /// One row of a stream keyed by [`Identity::KeyAndPosition`]: its place
    /// in that list, `None` for the one row of an absent or empty list
    /// (hashed as empty text).
    pub fn push_at<T: Serialize>(&mut self, row: &T, position: Option<usize>) -> Result<()> {
        self.push_identified(row, Some(position))
    }

    fn push_identified<T: Serialize>(
        &mut self,
        row: &T,
        position: Option<Option<usize>>,
    ) -> Result<()> {
        let (or, instead) = match self.identity {
            Identity::KeyOr { column, instead } => (Some(column), Some(instead)),
            _ => (None, None),
        };
        let mut parts = KeyParts::new(self.key, instead);
        let positioned = matches!(self.identity, Identity::KeyAndPosition { .. });
        if row.serialize(&mut parts).is_err()
            || !parts.complete()
            || positioned != position.is_some()
        {
            return Err(Error::system(format!(
                "A row lacks one of its key columns ({}): please report this.",
                self.key.join(", ")
            )));
        }
        let position = position.flatten().map(|p| p.to_string());
        let mut identity: [&dyn std::fmt::Display; KEY_PARTS + 1] = [&""; KEY_PARTS + 1];
        let mut n = 0;
        for (name, part) in parts.columns() {
            identity[n] = match (part, or == Some(name), parts.instead()) {
                (Part::Null, true, Some(Part::Text(t))) => t,
                (Part::Text(t), _, _) => t,
                _ => &"",
            };
            n += 1;
        }
        if let Some(p) = &position {
            identity[n] = p;
            n += 1;
        } else if positioned {
            n += 1;
        }
        self.rows
            .push_with(row, &SyncMeta::new(self.ctx, &identity[..n]))
    }
}

/// The most key columns a row may declare (with a fallback column).
const KEY_PARTS: usize = 4;

/// One key column's value as the row serialised it.
#[derive(Default)]
enum Part {
    /// Not (yet) seen: the row has no such field.
    #[default]
    Missing,
    Null,
    Text(String),
}

/// The declared key columns of a row (and the fallback of one of them), read
/// as it serialises (one pass that writes nothing but those values), in the
/// key's order. Bookkeeping columns (`__source_id`) are no row field: the
/// hash always ends with the source id.
struct KeyParts {
    names: [&'static str; KEY_PARTS],
    parts: [Part; KEY_PARTS],
    /// How many of `names` are key columns; one more is the fallback.
    key_len: usize,
    len: usize,
}

impl KeyParts {
    fn new(key: &'static [&'static str], instead: Option<&'static str>) -> Self {
        let mut names = [""; KEY_PARTS];
        let mut len = 0;
        let row_columns = key.iter().filter(|k| !k.starts_with("__"));
        for name in row_columns.clone().chain(instead.iter()) {
            if len == KEY_PARTS {
                // Too many to hold: `complete` says so.
                len += 1;
                break;
            }
            names[len] = name;
            len += 1;
        }
        KeyParts {
            names,
            parts: Default::default(),
            key_len: row_columns.count(),
            len,
        }
    }

    /// Whether every declared column was a field of the row.
    fn complete(&self) -> bool {
        self.len <= KEY_PARTS
            && self.parts[..self.len]
                .iter()
                .all(|p| !matches!(p, Part::Missing))
    }

    fn columns(&self) -> impl Iterator<Item = (&'static str, &Part)> {
        self.names.into_iter().zip(&self.parts).take(self.key_len)
    }

    fn instead(&self) -> Option<&Part> {
        (self.len > self.key_len).then(|| &self.parts[self.key_len])
    }
}

type KeyError = serde_json::Error;

fn not_a_row() -> KeyError {
    serde::ser::Error::custom("not a flat row")
}

macro_rules! refuse {
    ($($name:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> std::result::Result<$ok, KeyError> {
            Err(not_a_row())
        })*
    };
}

impl serde::Serializer for &mut KeyParts {
    type Ok = ();
    type Error = KeyError;
    type SerializeSeq = serde::ser::Impossible<(), KeyError>;
    type SerializeTuple = serde::ser::Impossible<(), KeyError>;
    type SerializeTupleStruct = serde::ser::Impossible<(), KeyError>;
    type SerializeTupleVariant = serde::ser::Impossible<(), KeyError>;
    type SerializeMap = serde::ser::Impossible<(), KeyError>;
    type SerializeStruct = Self;
    type SerializeStructVariant = serde::ser::Impossible<(), KeyError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, KeyError> {
        Ok(self)
    }
    refuse! {
        serialize_bool(bool) -> (); serialize_i8(i8) -> (); serialize_i16(i16) -> ();
        serialize_i32(i32) -> (); serialize_i64(i64) -> (); serialize_u8(u8) -> ();
        serialize_u16(u16) -> (); serialize_u32(u32) -> (); serialize_u64(u64) -> ();
        serialize_f32(f32) -> (); serialize_f64(f64) -> (); serialize_char(char) -> ();
        serialize_str(&str) -> (); serialize_bytes(&[u8]) -> (); serialize_none() -> ();
        serialize_unit() -> (); serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> std::result::Result<(), KeyError> {
        Err(not_a_row())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<(), KeyError> {
        Err(not_a_row())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<(), KeyError> {
        Err(not_a_row())
    }
}

impl serde::ser::SerializeStruct for &mut KeyParts {
    type Ok = ();
    type Error = KeyError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> std::result::Result<(), KeyError> {
        let len = self.len.min(KEY_PARTS);
        if let Some(i) = self.names[..len].iter().position(|k| *k == name) {
            self.parts[i] = match serde_json::to_value(value)? {
                Value::String(s) => Part::Text(s),
                Value::Null => Part::Null,
                other => Part::Text(other.to_string()),
            };
        }
        Ok(())
    }
    fn end(self) -> std::result::Result<(), KeyError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::{events, map_value, module_name, ticket_messages};
    use chrono::Utc;

    #[test]
    fn sync_key_formula() {
        // md5("12345|acme")
        assert_eq!(
            sync_key(&[&12345], "acme"),
            format!("{:x}", Md5::digest(b"12345|acme"))
        );
        assert_ne!(sync_key(&[&1, &23], "a"), sync_key(&[&12, &3], "a"));
    }

    #[test]
    fn the_sync_key_hashes_the_declared_key_columns_a_null_one_as_empty() {
        let ctx = RowContext::new("acme", Utc::now());
        let with = serde_json::json!({"id": 9, "ticket_id": 4});
        let without = serde_json::json!({"id": 9});
        let rows = map_value(&ticket_messages::TICKET_MESSAGES, &with, &ctx).unwrap();
        assert_eq!(rows[0]["__sync_key"], sync_key(&[&9, &4], "acme"));
        let rows = map_value(&ticket_messages::TICKET_MESSAGES, &without, &ctx).unwrap();
        assert_eq!(rows[0]["__sync_key"], sync_key(&[&9, &""], "acme"));
    }

    #[test]
    fn a_row_without_its_declared_key_column_is_refused_with_a_sentence() {
        #[derive(Serialize)]
        struct Row {
            id: i64,
        }
        let ctx = RowContext::new("acme", Utc::now());
        let mut rows = Rows::default();
        let mut out = Out {
            rows: &mut rows,
            ctx: &ctx,
            key: &["id", "missing"],
            identity: Identity::Key,
        };
        let e = out.push(&Row { id: 1 }).unwrap_err();
        assert!(e
            .message
            .contains("lacks one of its key columns (id, missing)"));
        assert!(rows.is_empty());
    }

    #[test]
    fn bookkeeping_columns_follow_the_row_and_a_column_named_like_a_keyword_reads_its_field() {
        let ctx = RowContext::new("acme", Utc::now());
        let rows = map_value(
            &events::EVENTS,
            &serde_json::json!({"id": 3, "type": "x"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(rows[0]["type"], "x");
        let text = String::from_utf8(ctx_rows(&ctx)).unwrap();
        assert!(text.starts_with(r#"{"id":3,"#) && text.contains(r#","__source_id":"acme","#));
        assert_eq!(
            module_name("source_gorgias::streams::view_items"),
            "view_items"
        );
    }

    fn ctx_rows(ctx: &RowContext) -> Vec<u8> {
        let doc = crate::json::Doc::from_value(&serde_json::json!({"id": 3, "type": "x"}));
        let mut rows = Rows::default();
        events::EVENTS.map(doc.root(), ctx, &mut rows).unwrap();
        let row = rows.iter().next().unwrap().to_vec();
        row
    }
}
