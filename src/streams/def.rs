//! What a stream declares: [`StreamDef`], how its endpoint is read
//! ([`Read`], [`Cursor`]), its foreign keys and deletions, and the answers the
//! read loop, the faces and the docs derive from it ([`Endpoint`],
//! [`ReadPlan`]).

use super::obj::RowContext;
use super::rows::{deleted_row, Identity, Out, Rows, DELETED_AT};
use crate::config::Config;
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use chrono::Duration;
use serde_json::Value;

/// A stream, declared as a value: what it reads and how, its identity, and
/// how one API object becomes rows. Everything the read loop, the faces and
/// the docs ask of a stream is derived from these fields by the accessors
/// below, so a fact is written once (the sort order from the cursor, the
/// shared pages from [`Read::RidesOn`], `__sync_key` from `natural_key`).
pub struct StreamDef {
    pub name: &'static str,
    /// One paragraph for the catalog: what a row is and its natural key.
    pub description: &'static str,
    pub read: Read,
    /// The natural key columns: what `__sync_key` hashes, in that order
    /// (a bookkeeping column such as `__source_id` is always hashed last).
    pub natural_key: &'static [&'static str],
    /// What else tells two rows apart, for the two streams whose key
    /// columns alone do not.
    pub identity: Identity,
    /// `None` for a stream that is full refresh only.
    pub cursor: Option<Cursor>,
    /// Foreign keys to other streams, for the generated docs (ERD, dbt tests).
    pub relationships: &'static [Relation],
    /// How `/api/events` reports a hard delete of this stream's objects.
    pub deletion: Option<Deletion>,
    /// A filter of which the endpoint lists one side per call: the list is
    /// read once per value, each pass under the stream's plan (its stop
    /// rule included) and within each of the plan's own partitions.
    /// `/api/macros` leaves archived macros out unless `archived=true`,
    /// which lists only them.
    pub sides: Option<(&'static str, &'static [&'static str])>,
    /// Query filters from the config, sent on every page (e.g. user roles).
    pub filters: fn(&Config) -> Vec<(&'static str, String)>,
    /// The row's JSON Schema (draft-07), bookkeeping columns included.
    pub schema: fn() -> Value,
    /// Maps one API object to this stream's rows; the parent's id is given
    /// for a child list ([`Read::PerParent`]), `None` otherwise.
    pub map: fn(Node<'_>, Option<i64>, &RowContext, &mut Out<'_>) -> Result<()>,
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
    /// list, each read whole; `map` is given the parent's id.
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
    natural_key: &[],
    identity: Identity::Key,
    cursor: None,
    relationships: &[],
    deletion: None,
    sides: None,
    filters: |_| Vec::new(),
    schema: || Value::Null,
    map: |_, _, _, _| Ok(()),
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
    /// Maps one API object to this stream's rows, each keyed by its `natural_key`.
    pub fn map(&self, object: Node<'_>, ctx: &RowContext, rows: &mut Rows) -> Result<()> {
        self.map_with_parent(object, None, ctx, rows)
    }
    /// As [`StreamDef::map`], given the id of the object whose child list
    /// holds `object` ([`Read::PerParent`]).
    pub fn map_with_parent(
        &self,
        object: Node<'_>,
        parent: Option<i64>,
        ctx: &RowContext,
        rows: &mut Rows,
    ) -> Result<()> {
        let mut out = Out::new(rows, ctx, self.natural_key, self.identity);
        (self.map)(object, parent, ctx, &mut out)
    }
    pub fn natural_key(&self) -> &'static [&'static str] {
        self.natural_key
    }
    pub fn relationships(&self) -> &'static [Relation] {
        self.relationships
    }
    pub fn sides(&self) -> Option<(&'static str, &'static [&'static str])> {
        self.sides
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
        let column = self.natural_key.first()?;
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
    use crate::streams::{ticket_tags, tickets, ALL};

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
}
