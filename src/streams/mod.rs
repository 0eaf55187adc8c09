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
mod customer_custom_field_values;
mod customers;
mod events;
mod integrations;
mod jobs;
mod macros;
#[cfg(test)]
mod map_tests;
mod rules;
mod satisfaction_surveys;
mod tags;
mod teams;
mod ticket_custom_field_values;
mod ticket_messages;
mod ticket_tags;
mod tickets;
mod users;
mod view_items;
mod views;
mod voice_call_events;
mod voice_call_recordings;
mod voice_calls;

/// Every stream, in catalog order.
pub static ALL: &[&StreamDef] = &[
    &account::ACCOUNT,
    &users::USERS,
    &tickets::TICKETS,
    &ticket_tags::TICKET_TAGS,
    &ticket_custom_field_values::TICKET_CUSTOM_FIELD_VALUES,
    &ticket_messages::TICKET_MESSAGES,
    &satisfaction_surveys::SATISFACTION_SURVEYS,
    &integrations::INTEGRATIONS,
    &customers::CUSTOMERS,
    &customer_custom_field_values::CUSTOMER_CUSTOM_FIELD_VALUES,
    &tags::TAGS,
    &events::EVENTS,
    &teams::TEAMS,
    &views::VIEWS,
    &view_items::VIEW_ITEMS,
    &macros::MACROS,
    &rules::RULES,
    &custom_fields::CUSTOM_FIELDS,
    &jobs::JOBS,
    &voice_calls::VOICE_CALLS,
    &voice_call_events::VOICE_CALL_EVENTS,
    &voice_call_recordings::VOICE_CALL_RECORDINGS,
];

pub fn find(name: &str) -> Option<&'static StreamDef> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// A stream, declared as a value: what it reads and how, its identity, and
/// how one API object becomes rows. Everything the read loop, the faces and
/// the docs ask of a stream is derived from these fields by the accessors
/// below, so a fact is written once (the sort order from the cursor, the
/// shared pages from [`Read::RidesOn`], `__sync_key` from `key`).
pub struct StreamDef {
    pub name: &'static str,
    /// One paragraph for the catalog: what a row is and its natural key.
    pub description: &'static str,
    pub read: Read,
    /// The natural key columns: what `__sync_key` hashes, in that order
    /// (a bookkeeping column such as `__source_id` is always hashed last).
    pub key: &'static [&'static str],
    /// What else tells two rows apart, for the two streams whose key
    /// columns alone do not.
    pub identity: Identity,
    /// `None` for a stream that is full refresh only.
    pub cursor: Option<Cursor>,
    /// Foreign keys to other streams, for the generated docs (ERD, dbt tests).
    pub relations: &'static [Relation],
    /// How `/api/events` reports a hard delete of this stream's objects.
    pub deletion: Option<Deletion>,
    /// A filter of which the endpoint lists one side per call: the list is
    /// read once per value, each pass under the stream's plan (its stop
    /// rule included) and within each of the plan's own partitions.
    /// `/api/macros` leaves archived macros out unless `archived=true`,
    /// which lists only them.
    pub archived: Option<(&'static str, &'static [&'static str])>,
    /// Query filters from the config, sent on every page (e.g. user roles).
    pub filters: fn(&Config) -> Vec<(&'static str, String)>,
    /// The row's JSON Schema (draft-07), bookkeeping columns included.
    pub schema: fn() -> Value,
    /// Maps one API object to this stream's rows.
    pub map: fn(Node<'_>, &RowContext, &mut Out<'_>) -> Result<()>,
    /// For a stream that rides on its host's pages: the member of the host
    /// object it maps, and the per-object endpoint that answers it when an
    /// account's list leaves that member out.
    pub embedded: Option<Embedded>,
}

/// A member of a host object that some accounts' lists leave out, and the
/// per-object endpoint (`path` holds `{id}`) that serves it instead. The
/// read decides from the first page which of the two an account needs; the
/// answer (a bare array or `{data: [...]}`) is mapped as if it were the
/// member, on a copy of the host object's id and cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedded {
    pub member: &'static str,
    pub each: &'static str,
}

/// How the stream's endpoint is read, which decides what incremental means
/// for it. A list's order is its cursor's field where the plan depends on
/// it (newest first, server-filtered), so it is never written twice.
#[derive(Clone, Copy)]
pub enum Read {
    /// One object (`/api/account`): always read whole.
    Single { path: &'static str },
    /// The whole list every time, in `order` (`None`: the endpoint takes no
    /// `order_by`): it cannot sort by a key that changes, so an incremental
    /// read filters rows on our side.
    WholeList {
        path: &'static str,
        order: Option<&'static str>,
    },
    /// Newest first on the cursor's field, stopping after a whole page older
    /// than the bookmark less `lookback` (for records that change without
    /// their sort key moving); oldest first when there is no bookmark yet.
    NewestFirst {
        path: &'static str,
        lookback: fn(&Config) -> Duration,
    },
    /// Oldest first on the cursor's field, which the endpoint filters on
    /// server-side (`<field>[gte]=<lower bound less lookback>`): only what is
    /// new is fetched, and every page is a checkpoint.
    ServerFiltered {
        path: &'static str,
        lookback: fn(&Config) -> Duration,
    },
    /// The whole list once per value of a filter the endpoint requires
    /// (custom fields are listed per `object_type`).
    EachOf {
        path: &'static str,
        order: &'static str,
        param: &'static str,
        values: &'static [&'static str],
    },
    /// The child list (`path` holds `{id}`) of every object of `parent`'s
    /// list, each read whole; `map` runs with [`RowContext::parent`] set.
    PerParent {
        path: &'static str,
        order: &'static str,
        parent: &'static StreamDef,
    },
    /// Rows drawn from another stream's objects (a ticket embeds its tags):
    /// read in the same pass, under that stream's plan.
    RidesOn(&'static StreamDef),
}

/// The cursor: the row column, and the API field it is read from (the sort
/// key of newest-first and server-filtered reads). Built by [`cursor!`],
/// which spells out both orders on that field once, at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub column: &'static str,
    pub api: &'static str,
    /// Where the change time is read when `api` is absent or null: a record
    /// that never changed has only its creation time, and without one an
    /// incremental read would send it again every time.
    pub fallback: Option<&'static str>,
    newest_first: &'static str,
    oldest_first: &'static str,
}

/// `cursor!("updated_at" <- "updated_datetime")`, optionally
/// `or "created_datetime"` for the fallback.
macro_rules! cursor {
    ($column:literal <- $api:literal) => {
        $crate::streams::cursor!(@ $column, $api, None)
    };
    ($column:literal <- $api:literal or $fallback:literal) => {
        $crate::streams::cursor!(@ $column, $api, Some($fallback))
    };
    (@ $column:literal, $api:literal, $fallback:expr) => {
        Some($crate::streams::Cursor::new(
            $column,
            $api,
            $fallback,
            concat!($api, ":desc"),
            concat!($api, ":asc"),
        ))
    };
}
pub(crate) use cursor;

impl Cursor {
    #[doc(hidden)]
    pub const fn new(
        column: &'static str,
        api: &'static str,
        fallback: Option<&'static str>,
        newest_first: &'static str,
        oldest_first: &'static str,
    ) -> Self {
        Cursor {
            column,
            api,
            fallback,
            newest_first,
            oldest_first,
        }
    }
}

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

/// How `/api/events` reports a hard delete: events of type `event` (e.g.
/// `ticket-deleted`) whose `object_type` is `object_type` (`Ticket`) and
/// whose `object_id` is the row's first key column. The object type is
/// checked whatever a server returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    pub event: &'static str,
    pub object_type: &'static str,
}

/// The fields most streams leave at their default, for `..DEFAULTS`.
pub const DEFAULTS: StreamDef = StreamDef {
    name: "",
    description: "",
    read: Read::Single { path: "" },
    key: &[],
    identity: Identity::Key,
    cursor: None,
    relations: &[],
    deletion: None,
    archived: None,
    filters: |_| Vec::new(),
    schema: || Value::Null,
    map: |_, _, _| Ok(()),
    embedded: None,
};

/// No lookback: for streams whose records move their sort key on change.
pub fn no_lookback(_: &Config) -> Duration {
    Duration::zero()
}

/// An endpoint and its order. Streams with equal endpoints share one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub path: &'static str,
    /// Sent as `order_by` on every page; `None` for single objects. For
    /// `NewestFirst` streams this is the `field:desc` order.
    pub order_by: Option<&'static str>,
    /// For newest-first reads, the same key oldest first.
    oldest: Option<&'static str>,
}

impl Endpoint {
    /// The same key oldest first (`field:asc`), for reads that start from
    /// the beginning of history and checkpoint as they go.
    pub fn oldest_first(&self) -> Option<String> {
        self.oldest.map(str::to_string)
    }
}

/// The answers the read loop, the faces and the docs ask of a stream, all
/// derived from its declaration.
impl StreamDef {
    pub fn name(&self) -> &'static str {
        self.name
    }
    pub fn description(&self) -> &'static str {
        self.description
    }
    /// The stream whose pages this one's rows come from: itself, or the one
    /// it rides on.
    pub fn pages(&'static self) -> &'static StreamDef {
        match self.read {
            Read::RidesOn(host) => host.pages(),
            _ => self,
        }
    }
    pub fn endpoint(&self) -> Endpoint {
        let list = |path, order_by| Endpoint {
            path,
            order_by,
            oldest: None,
        };
        let cursor = self.cursor.unwrap_or(Cursor::new("", "", None, "", ""));
        match self.read {
            Read::Single { path } => list(path, None),
            Read::WholeList { path, order } => list(path, order),
            Read::NewestFirst { path, .. } => Endpoint {
                path,
                order_by: Some(cursor.newest_first),
                oldest: Some(cursor.oldest_first),
            },
            Read::ServerFiltered { path, .. } => list(path, Some(cursor.oldest_first)),
            Read::EachOf { path, order, .. } | Read::PerParent { path, order, .. } => {
                list(path, Some(order))
            }
            Read::RidesOn(host) => host.endpoint(),
        }
    }
    pub fn plan(&self) -> ReadPlan {
        match self.read {
            Read::Single { .. } => ReadPlan::Single,
            Read::WholeList { .. } => ReadPlan::WholeList,
            Read::NewestFirst { .. } => ReadPlan::NewestFirst,
            Read::ServerFiltered { .. } => ReadPlan::ServerFiltered,
            Read::EachOf { param, values, .. } => ReadPlan::EachOf { param, values },
            Read::PerParent { parent, .. } => ReadPlan::PerParent(parent.endpoint()),
            Read::RidesOn(host) => host.plan(),
        }
    }
    /// The row column holding the cursor, when the stream is incremental.
    pub fn cursor_field(&self) -> Option<&'static str> {
        self.cursor.map(|c| c.column)
    }
    /// The API object's field the cursor is read from.
    pub fn api_cursor(&self) -> Option<&'static str> {
        self.cursor.map(|c| c.api)
    }
    pub fn api_cursor_fallback(&self) -> Option<&'static str> {
        self.cursor.and_then(|c| c.fallback)
    }
    /// How far before its bookmark an incremental read starts again.
    pub fn lookback(&self, config: &Config) -> Duration {
        match self.read {
            Read::NewestFirst { lookback, .. } | Read::ServerFiltered { lookback, .. } => {
                lookback(config)
            }
            Read::RidesOn(host) => host.lookback(config),
            _ => Duration::zero(),
        }
    }
    pub fn schema(&self) -> Value {
        (self.schema)()
    }
    /// Maps one API object to this stream's rows, each keyed by `key`.
    pub fn map(&self, object: Node<'_>, ctx: &RowContext, rows: &mut Rows) -> Result<()> {
        let mut out = Out {
            rows,
            ctx,
            key: self.key,
            identity: self.identity,
        };
        (self.map)(object, ctx, &mut out)
    }
    pub fn natural_key(&self) -> &'static [&'static str] {
        self.key
    }
    pub fn relationships(&self) -> &'static [Relation] {
        self.relations
    }
    pub fn sides(&self) -> Option<(&'static str, &'static [&'static str])> {
        self.archived
    }
    pub fn filters(&self, config: &Config) -> Vec<(&'static str, String)> {
        (self.filters)(config)
    }
    /// The `/api/events` type that reports a hard delete of this stream's
    /// objects (whose `object_id` is the row's id), when the API has one.
    pub fn deleted_by(&self) -> Option<&'static str> {
        self.deletion.map(|d| d.event)
    }
    /// The `object_type` `/api/events` gives this stream's objects.
    pub fn event_object_type(&self) -> Option<&'static str> {
        self.deletion.map(|d| d.object_type)
    }
    /// The row that tells a destination an object is gone: its key column,
    /// `_ab_cdc_deleted_at`, and nulls. Only for streams with a deletion.
    pub fn deleted_row(&self, id: i64, at: Timestamp, ctx: &RowContext) -> Option<Value> {
        let column = self.key.first()?;
        self.deletion.map(|_| deleted_row(column, id, at, ctx))
    }
}

/// How an endpoint is read, as the read loop sees it (derived from
/// [`Read`], with a riding stream showing its host's plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPlan {
    Single,
    WholeList,
    NewestFirst,
    ServerFiltered,
    EachOf {
        param: &'static str,
        values: &'static [&'static str],
    },
    /// The parent list's endpoint; `map` receives each child object.
    PerParent(Endpoint),
}

/// A foreign key: this stream's `column` refers to `stream`.`key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub column: &'static str,
    pub stream: &'static str,
    pub key: &'static str,
}

impl Relation {
    pub const fn new(column: &'static str, stream: &'static str, key: &'static str) -> Self {
        Relation {
            column,
            stream,
            key,
        }
    }
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
    fn meta(&self, identity: &[&dyn std::fmt::Display]) -> SyncMeta {
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

/// The API field a column copies: the column's own name (`r#type` is `type`).
pub const fn api_field(column: &'static str) -> &'static str {
    match column.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => column,
        },
        _ => column,
    }
}

/// A stream whose columns are API fields, declared from ONE list: the
/// stream's static (named like `TAGS`, its name the module's, its other
/// [`StreamDef`] fields in braces), then the row's doc, its type and the
/// noun for errors ("tag"), then `column: getter = "description",` per
/// column. The getter is an [`Obj`] reader (`str`, `int`, `bool`, `ts`,
/// `json_object`, `json_array`, `json`) of the API field of the column's
/// name, `id` (the object's id, refused without one) or `parent` (the
/// parent's id, for a child list). `str <- email` reads a field of another
/// name, `int <- id in user` a field of a nested object (`in sender.meta`
/// for a deeper one), and `ts or
/// other_field` reads `other_field` when the field is absent or null. It
/// builds the row struct (its descriptions become the schema's), `map` and
/// `schema`.
macro_rules! api_stream {
    ($stream:ident { $($def:tt)* }
     $(#[$doc:meta])* $row:ident, $what:literal;
     $($col:ident: $get:ident $(<- $field:ident $(in $($parent:ident).+)?)? $(or $alt:ident)?
       = $desc:literal,)+) => {
        #[allow(unused_imports)]
        use $crate::streams::{cursor, no_lookback, Deletion, Read, Relation, StreamDef, DEFAULTS};
        #[allow(unused_imports)]
        use chrono::Duration;

        pub static $stream: StreamDef = StreamDef {
            name: $crate::streams::module_name(module_path!()),
            $($def)*
            schema,
            map,
            ..DEFAULTS
        };

        $(#[$doc])*
        #[derive(serde::Serialize, schemars::JsonSchema)]
        pub struct $row {
            $(#[doc = $desc] pub $col: $crate::streams::column_type!($get),)+
        }

        pub fn map(
            object: $crate::json::Node<'_>,
            ctx: &$crate::streams::RowContext,
            out: &mut $crate::streams::Out<'_>,
        ) -> $crate::error::Result<()> {
            let o = ctx.obj(object);
            out.push(&$row {
                $($col: $crate::streams::column_value!(
                    o, ctx, $what, $col, $get $(<- $field $(in $($parent).+)?)? $(or $alt)?
                ),)+
            })
        }

        pub fn schema() -> serde_json::Value {
            $crate::streams::row_schema::<$row>()
        }
    };
}
pub(crate) use api_stream;

/// The last segment of a module path: a stream's name is its file's.
pub const fn module_name(path: &'static str) -> &'static str {
    let bytes = path.as_bytes();
    let mut i = bytes.len();
    while i > 0 && bytes[i - 1] != b':' {
        i -= 1;
    }
    match std::str::from_utf8(bytes.split_at(i).1) {
        Ok(name) => name,
        Err(_) => path,
    }
}

macro_rules! column_type {
    (id) => { i64 };
    (parent) => { i64 };
    (str) => { Option<String> };
    (int) => { Option<i64> };
    (bool) => { Option<bool> };
    (ts) => { Option<$crate::schema::Timestamp> };
    (json) => { Option<$crate::streams::columns::Json> };
    (json_object) => { Option<$crate::streams::columns::JsonObject> };
    (json_array) => { Option<$crate::streams::columns::JsonArray> };
}
pub(crate) use column_type;

macro_rules! column_value {
    ($o:ident, $ctx:ident, $what:literal, $col:ident, id) => {
        $o.id($what)?
    };
    ($o:ident, $ctx:ident, $what:literal, $col:ident, parent) => {
        $ctx.parent_id($what)?
    };
    ($o:ident, $ctx:ident, $what:literal, $col:ident, $get:ident <- $field:ident in $($parent:ident).+) => {
        $o$(.at(stringify!($parent)))+.$get(stringify!($field))
    };
    ($o:ident, $ctx:ident, $what:literal, $col:ident, $get:ident <- $field:ident $(or $alt:ident)?) => {
        $crate::streams::column_value!(@read $o, $get, stringify!($field) $(, $alt)?)
    };
    ($o:ident, $ctx:ident, $what:literal, $col:ident, $get:ident $(or $alt:ident)?) => {
        $crate::streams::column_value!(
            @read $o, $get, $crate::streams::api_field(stringify!($col)) $(, $alt)?
        )
    };
    (@read $o:ident, $get:ident, $field:expr) => {
        $o.$get($field)
    };
    (@read $o:ident, $get:ident, $field:expr, $alt:ident) => {
        $o.$get($field).or_else(|| $o.$get(stringify!($alt)))
    };
}
pub(crate) use column_value;

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
pub fn schema_for_config(s: &StreamDef, emit_deletes: bool) -> Value {
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

impl Out<'_> {
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
        self.rows.push_with(row, &self.ctx.meta(&identity[..n]))
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

/// Maps one object given as a value: for tests and tools.
pub fn map_value(s: &StreamDef, object: &Value, ctx: &RowContext) -> Result<Vec<Value>> {
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

    #[test]
    fn a_riding_stream_reads_its_hosts_pages_under_its_hosts_plan() {
        let (rider, host) = (&ticket_tags::TICKET_TAGS, &tickets::TICKETS);
        assert!(std::ptr::eq(rider.pages(), host));
        assert_eq!(rider.endpoint(), host.endpoint());
        assert_eq!(rider.plan(), host.plan());
        assert_eq!(rider.api_cursor(), host.api_cursor());
    }

    #[test]
    fn a_sorted_read_sorts_on_its_cursor_in_both_directions() {
        for s in ALL {
            let e = s.endpoint();
            let api = s.api_cursor();
            match s.plan() {
                ReadPlan::NewestFirst => {
                    let api = api.unwrap_or_else(|| panic!("{}: no cursor", s.name));
                    assert_eq!(
                        e.order_by,
                        Some(format!("{api}:desc").as_str()),
                        "{}",
                        s.name
                    );
                    assert_eq!(e.oldest_first(), Some(format!("{api}:asc")), "{}", s.name);
                }
                ReadPlan::ServerFiltered => {
                    let api = api.unwrap_or_else(|| panic!("{}: no cursor", s.name));
                    assert_eq!(
                        e.order_by,
                        Some(format!("{api}:asc").as_str()),
                        "{}",
                        s.name
                    );
                }
                _ => assert_eq!(e.oldest_first(), None, "{}", s.name),
            }
        }
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
