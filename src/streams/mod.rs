//! The streams: each declares what it reads and how one API object becomes
//! rows; [`crate::sync`] does the reading. Adding a stream is one file here
//! and one line in [`ALL`].

use crate::config::Config;
use crate::datetime;
use crate::error::{Error, Result};
use crate::json::{Kind, Node};
use crate::schema::Timestamp;
use chrono::{DateTime, Duration, Utc};
use md5::{Digest, Md5};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::cell::{Cell, RefCell};

mod account;
mod columns;
mod custom_fields;
mod customers;
mod events;
mod integrations;
mod jobs;
mod macros;
mod rules;
mod satisfaction_surveys;
mod tags;
mod teams;
mod ticket_messages;
mod ticket_tags;
mod tickets;
mod users;
mod view_items;
mod views;
mod voice_calls;

/// Every stream, in catalog order.
pub static ALL: &[&dyn Stream] = &[
    &account::Account,
    &users::Users,
    &tickets::Tickets,
    &ticket_tags::TicketTags,
    &ticket_messages::TicketMessages,
    &satisfaction_surveys::SatisfactionSurveys,
    &integrations::Integrations,
    &customers::Customers,
    &tags::Tags,
    &events::Events,
    &teams::Teams,
    &views::Views,
    &view_items::ViewItems,
    &macros::Macros,
    &rules::Rules,
    &custom_fields::CustomFields,
    &jobs::Jobs,
    &voice_calls::VoiceCalls,
];

pub fn find(name: &str) -> Option<&'static dyn Stream> {
    ALL.iter().copied().find(|s| s.name() == name)
}

/// How an endpoint can be read, which decides what incremental means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPlan {
    /// One object (`/api/account`): always read whole.
    Single,
    /// The whole list every time: the endpoint cannot sort by a key that
    /// changes, so an incremental read filters rows on our side.
    WholeList,
    /// Newest first on the endpoint's change key, stopping after a whole page
    /// older than the bookmark (less the stream's lookback).
    NewestFirst,
    /// Oldest first on a key the endpoint filters on server-side
    /// (`<api_cursor>[gte]=<lower bound>`): only what is new is fetched, and
    /// every page is a checkpoint.
    ServerFiltered,
    /// The whole list once per value of a filter the endpoint requires
    /// (custom fields are listed per `object_type`).
    EachOf {
        param: &'static str,
        values: &'static [&'static str],
    },
    /// The child list of every object of a parent list, each read whole: the
    /// stream's endpoint path holds `{id}`, replaced by each parent's id, and
    /// `map` receives `{"parent": <parent object>, "item": <child object>}`.
    PerParent(Endpoint),
}

/// An endpoint and its order. Streams with equal endpoints share one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub path: &'static str,
    /// Sent as `order_by` on every page; `None` for single objects. For
    /// `NewestFirst` streams this is the `field:desc` order.
    pub order_by: Option<&'static str>,
}

impl Endpoint {
    /// The same key oldest first (`field:asc`), for reads that start from
    /// the beginning of history and checkpoint as they go.
    pub fn oldest_first(&self) -> Option<String> {
        self.order_by
            .and_then(|o| o.strip_suffix(":desc"))
            .map(|field| format!("{field}:asc"))
    }
}

pub trait Stream: Sync {
    fn name(&self) -> &'static str;
    /// One paragraph for the catalog: what a row is and its natural key.
    fn description(&self) -> &'static str;
    fn endpoint(&self) -> Endpoint;
    fn plan(&self) -> ReadPlan;
    /// The row column holding the cursor, when the stream is incremental.
    fn cursor_field(&self) -> Option<&'static str>;
    /// The API object's field the cursor is read from (the sort key for
    /// `NewestFirst`).
    fn api_cursor(&self) -> Option<&'static str>;
    /// Where the change time is read when `api_cursor` is absent or null:
    /// a record that never changed has only its creation time, and without
    /// one an incremental read would send it again every time.
    fn api_cursor_fallback(&self) -> Option<&'static str> {
        None
    }
    /// How far before its bookmark an incremental read starts again: for
    /// streams whose records change without their sort key moving.
    fn lookback(&self, _config: &Config) -> Duration {
        Duration::zero()
    }
    /// The row's JSON Schema (draft-07).
    fn schema(&self) -> Value;
    /// Maps one API object to this stream's rows.
    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()>;
    /// The natural key columns: what `__sync_key` hashes, in that order.
    fn natural_key(&self) -> &'static [&'static str] {
        &[]
    }
    /// Foreign keys to other streams, for the generated docs (ERD, dbt tests).
    fn relationships(&self) -> &'static [Relation] {
        &[]
    }
    /// A filter of which the endpoint lists one side per call: the list is
    /// read once per value, each pass under the stream's plan (its stop
    /// rule included) and within each of the plan's own partitions.
    /// `/api/macros` leaves archived macros out unless `archived=true`,
    /// which lists only them.
    fn sides(&self) -> Option<(&'static str, &'static [&'static str])> {
        None
    }
    /// Query filters from the config, sent on every page (e.g. user roles).
    fn filters(&self, _config: &Config) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// The `/api/events` type that reports a hard delete of this stream's
    /// objects (whose `object_id` is the row's id), when the API has one.
    fn deleted_by(&self) -> Option<&'static str> {
        None
    }
    /// The `object_type` `/api/events` gives this stream's objects (`Ticket`,
    /// `Customer`): a deletion counts only for an event of the `deleted_by`
    /// type that names this object type, whatever a server returned.
    fn event_object_type(&self) -> Option<&'static str> {
        None
    }
    /// The row that tells a destination an object is gone: its key columns,
    /// `_ab_cdc_deleted_at`, and nulls. Only for streams with `deleted_by`.
    fn deleted_row(&self, _id: i64, _at: Timestamp, _ctx: &RowContext) -> Option<Value> {
        None
    }
}

/// A foreign key: this stream's `column` refers to `stream`.`key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub column: &'static str,
    pub stream: &'static str,
    pub key: &'static str,
}

/// Sync-wide values every row carries, and a tally of fields the API sent
/// with a type we could not use (they become null, and the sync says so).
pub struct RowContext {
    pub source_id: String,
    pub synced_at: Timestamp,
    pub coerced: Cell<u64>,
    /// For child lists (`ReadPlan::PerParent`): the id of the parent whose
    /// list is being read.
    pub parent: Cell<Option<i64>>,
    /// Every field a mapping looks up, when recording (`probe` compares
    /// them with what the API sent); `None` on a sync, which pays one
    /// branch per lookup for it.
    pub reads: Option<RefCell<Vec<FieldRead>>>,
}

/// One lookup of `key` in the object at `parent` (a [`Node::position`]),
/// and whether the object had that key at all (null counts as sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRead {
    pub parent: u32,
    pub key: Box<str>,
    pub sent: bool,
}

impl RowContext {
    pub fn new(source_id: &str, synced_at: DateTime<Utc>) -> Self {
        RowContext {
            source_id: source_id.to_string(),
            synced_at: Timestamp(synced_at),
            coerced: Cell::new(0),
            parent: Cell::new(None),
            reads: None,
        }
    }

    /// A context that records every field the mappings look up.
    pub fn recording(source_id: &str, synced_at: DateTime<Utc>) -> Self {
        RowContext {
            reads: Some(RefCell::new(Vec::new())),
            ..RowContext::new(source_id, synced_at)
        }
    }

    /// The lookups recorded so far, emptied.
    pub fn take_reads(&self) -> Vec<FieldRead> {
        self.reads
            .as_ref()
            .map(|r| std::mem::take(&mut *r.borrow_mut()))
            .unwrap_or_default()
    }

    /// The parent object's id, for streams read per parent.
    pub fn parent_id(&self, what: &str) -> Result<i64> {
        self.parent.get().ok_or_else(|| {
            Error::system(format!(
                "The {what} list was read without its parent's id: please report this."
            ))
        })
    }

    /// The three bookkeeping columns, keyed by the row's identity.
    pub fn meta(&self, identity: &[&dyn std::fmt::Display]) -> SyncMeta {
        SyncMeta {
            source_id: self.source_id.clone(),
            sync_key: sync_key(identity, &self.source_id),
            synced_at: self.synced_at,
        }
    }

    pub fn obj<'a>(&'a self, v: Node<'a>) -> Obj<'a> {
        Obj {
            v: Some(v),
            ctx: self,
        }
    }
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

/// A typed view of one API object. Fields the API sends with another type
/// than documented are converted when nothing is lost (`"3"` → 3) and
/// otherwise read as null and tallied, so one odd record never stops a sync.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    /// `None` for the empty view of an absent object.
    v: Option<Node<'a>>,
    ctx: &'a RowContext,
}

impl<'a> Obj<'a> {
    fn raw(&self, key: &str) -> Option<Node<'a>> {
        self.lookup(key).filter(|n| !n.is_null())
    }

    /// Every field lookup goes through here, so a recording context sees it.
    fn lookup(&self, key: &str) -> Option<Node<'a>> {
        let v = self.v?;
        let found = v.get(key);
        if let Some(reads) = &self.ctx.reads {
            reads.borrow_mut().push(FieldRead {
                parent: v.position(),
                key: key.into(),
                sent: found.is_some(),
            });
        }
        found
    }

    fn odd(&self) {
        self.ctx.coerced.set(self.ctx.coerced.get() + 1);
    }

    /// A nested object, or an empty view when absent or null.
    pub fn at(&self, key: &str) -> Obj<'a> {
        let v = self.raw(key);
        if v.is_some_and(|v| !v.is_object()) {
            self.odd();
        }
        Obj {
            v: v.filter(Node::is_object),
            ctx: self.ctx,
        }
    }

    pub fn is_present(&self) -> bool {
        self.v.is_some_and(|v| v.is_object())
    }

    /// The object itself, when present.
    pub fn node(&self) -> Option<Node<'a>> {
        self.v
    }

    /// A member as it is, null or not.
    pub fn member(&self, key: &str) -> Option<Node<'a>> {
        self.lookup(key)
    }

    /// The objects of a list member (one object alone counts as a list of
    /// one); anything else in the list is skipped.
    pub fn objects(&self, key: &str) -> Vec<Obj<'a>> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let one = |n: Node<'a>| Obj {
            v: Some(n),
            ctx: self.ctx,
        };
        match v.kind() {
            Kind::Array => v.elements().filter(Node::is_object).map(one).collect(),
            Kind::Object => vec![one(v)],
            _ => Vec::new(),
        }
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.raw(key)?.kind() {
            Kind::Str(s) => Some(s.to_string()),
            Kind::Int(n) => Some(n.to_string()),
            Kind::UInt(n) => Some(n.to_string()),
            Kind::Float(f) => serde_json::Number::from_f64(f).map(|n| n.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => {
                self.odd();
                None
            }
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        match v.kind() {
            Kind::Int(n) => Some(n),
            Kind::UInt(n) => i64::try_from(n).ok(),
            Kind::Float(f) => (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64),
            Kind::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
        .or_else(|| {
            self.odd();
            None
        })
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.raw(key)?.kind() {
            Kind::Bool(b) => Some(b),
            Kind::Int(0) => Some(false),
            Kind::Int(1) => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.odd();
                None
            }
        }
    }

    pub fn ts(&self, key: &str) -> Option<Timestamp> {
        match self.raw(key)?.kind() {
            Kind::Str(s) => datetime::parse_api(s).map(Timestamp).or_else(|| {
                self.odd();
                None
            }),
            _ => {
                self.odd();
                None
            }
        }
    }

    /// The object's own `id`: without it a row has no identity, so the
    /// record is refused with a sentence rather than keyed by guesswork.
    pub fn id(&self, what: &str) -> Result<i64> {
        self.int("id").ok_or_else(|| {
            Error::system(format!(
                "Gorgias sent a {what} without a numeric `id`, so it cannot be keyed: please report it to Gorgias support with the time of this sync."
            ))
        })
    }
}

/// The column a destination reads as "this row was deleted" (Airbyte's CDC
/// convention, which its dedup destinations apply).
pub const DELETED_AT: &str = "_ab_cdc_deleted_at";

/// A deletion row: the key column, `_ab_cdc_deleted_at`, the bookkeeping
/// columns; every other column is absent (null).
pub fn deleted_row(id_column: &str, id: i64, at: Timestamp, ctx: &RowContext) -> Value {
    let meta = serde_json::to_value(ctx.meta(&[&id])).unwrap_or(Value::Null);
    let mut v = serde_json::json!({ id_column: id, DELETED_AT: at });
    if let (Some(o), Value::Object(m)) = (v.as_object_mut(), meta) {
        o.extend(m);
    }
    v
}

/// The stream's schema as a sync with this config emits it: with
/// `_ab_cdc_deleted_at` when deletions are read for it.
pub fn schema_for_config(s: &dyn Stream, emit_deletes: bool) -> Value {
    let mut schema = s.schema();
    if emit_deletes && s.deleted_by().is_some() {
        schema["properties"][DELETED_AT] = serde_json::json!({
            "description": "When Gorgias reported the object deleted (an /api/events deletion); null for live rows.",
            "type": ["string", "null"],
            "format": "date-time",
            "airbyte_type": "timestamp_with_timezone"
        });
    }
    schema
}

/// The rows one API object maps to, each already serialised as one JSON
/// object (line-safe, see [`crate::output`]): a row is written once, by the
/// face, around its envelope, with no `Value` in between.
#[derive(Default)]
pub struct Rows {
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl Rows {
    pub fn push<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<()> {
        let start = self.text.len();
        if let Err(e) = crate::output::write_json(&mut self.text, row) {
            self.text.truncate(start);
            return Err(Error::system(format!(
                "A row could not be written as JSON ({e}): please report this."
            )));
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

/// Maps one object given as a value: for tests and tools.
pub fn map_value(s: &dyn Stream, object: &Value, ctx: &RowContext) -> Result<Vec<Value>> {
    let doc = crate::json::Doc::from_value(object);
    let mut rows = Rows::default();
    s.map(doc.root(), ctx, &mut rows)?;
    Ok(rows.values())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<_> = ALL.iter().map(|s| s.name()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

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
    fn every_schema_declares_its_cursor_and_key() {
        for s in ALL {
            let schema = s.schema();
            let props = schema["properties"].as_object().unwrap();
            assert!(props.contains_key("__sync_key"), "{}", s.name());
            if let Some(c) = s.cursor_field() {
                assert!(props.contains_key(c), "{}: {c}", s.name());
            }
        }
    }
}
