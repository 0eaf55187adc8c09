//! The emitter: maps each API object to every member's rows and writes
//! them, reading an embedded member per object where the account's list
//! does not carry it, and writes the deletion rows a deletion read finds.
//! The read loop above decides what to read; this floor what to emit.

use super::fetcher::{lock, Pager};
use super::plan::{cursor_at, cursor_of, DeletionRead, Member};
use crate::client::Client;
use crate::client::Page;
use crate::error::{Error, Result};
use crate::json::{Doc, Node};
use crate::schema::Timestamp;
use crate::sink::{Level, Sink, StreamStatus};
use crate::streams::{Embedded, RowContext, Rows};
use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// Per-object reads answered 404 in a row, with none found, that make the
/// per-object endpoint one the account does not have.
const MISSING_ENDPOINT: u64 = 3;

/// Maps API objects to every member's rows and writes them.
pub(super) struct Emitter<'a, 'c> {
    pub(super) ctx: &'a RowContext,
    pub(super) rows: Rows,
    /// For the per-object reads of embedded members.
    pub(super) client: &'a Mutex<&'c mut Client>,
}

impl Emitter<'_, '_> {
    /// Decides, on the first page with objects, how each member with an
    /// embedded member is read: from the page when the account's list
    /// carries it, else one request per object. Said either way, with its
    /// cost, since the second can take hours on a first full read.
    pub(super) fn choose_embedded(
        &self,
        page: &Page,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        for m in members.iter_mut().filter(|m| m.per_object.is_none()) {
            let Some(e) = m.sel.stream.embedded else {
                continue;
            };
            if page.is_empty() {
                continue;
            }
            let carried = page.objects().any(|o| o.get(e.member).is_some());
            m.per_object = Some(!carried);
            let name = m.sel.stream.name();
            let message = match carried {
                true => format!("{name}: this account's list carries `{}`, so the values are read from its pages (no extra request).", e.member),
                false => format!("{name}: this account's list does not carry `{}`, so each object it delivers is read at /api{}: one request per object (a first full read of 15,000 takes about 2 h at 40 requests per 20 s; `start_date` bounds it, incremental reads ask for changed objects only).", e.member, e.each),
            };
            sink.log(Level::Info, &message).map_err(Error::output)?;
        }
        Ok(())
    }

    /// The member's rows from the per-object endpoint's answer (a bare
    /// array or `{data: [...]}`), mapped on a copy of the host object. An
    /// object deleted since its page was read (404) has no values left,
    /// unless no object at all is found there.
    fn map_per_object(&mut self, obj: Node<'_>, e: Embedded, m: &mut Member) -> Result<()> {
        let Some(id) = obj.get("id").and_then(|n| n.as_i64()) else {
            return m.sel.stream.map(obj, self.ctx, &mut self.rows);
        };
        let path = e.each.replace("{id}", &id.to_string());
        let Some(answer) = self.read_per_object(&path, e, m)? else {
            return Ok(());
        };
        let items = per_object_items(answer.root(), &path)?;
        let mut host = obj.to_value();
        host[e.member] = items.to_value();
        let host = Doc::from_value(&host);
        m.sel.stream.map(host.root(), self.ctx, &mut self.rows)
    }

    /// One object's answer at the per-object endpoint, `None` for an object
    /// deleted since its page was read (404).
    fn read_per_object(&self, path: &str, e: Embedded, m: &mut Member) -> Result<Option<Doc>> {
        let mut client = lock(self.client);
        let answer = client.get_doc(path, &[]);
        m.per_object_reads += 1;
        match answer {
            // Deleted since its page was read: no values. But an
            // endpoint that finds none of the first objects is one this
            // account does not have, and its values would be lost
            // silently.
            Err(_) if client.stats.last_status == Some(404) => {
                if m.per_object_found == 0 && m.per_object_reads >= MISSING_ENDPOINT {
                    return Err(Error::system(format!(
                        "Gorgias answered 404 (not found) to /api{} for each of the first {MISSING_ENDPOINT} objects the list gave, so the endpoint is not there for this account and {} cannot be read: deselect the stream, and report it.",
                        e.each,
                        m.sel.stream.name()
                    )));
                }
                Ok(None)
            }
            a => {
                let answer = a?;
                m.per_object_found += 1;
                Ok(Some(answer))
            }
        }
    }

    /// A page's objects for every member, but those below `skip_below`
    /// (out before the list started over); the newest cursor emitted.
    pub(super) fn emit_page(
        &mut self,
        page: &Page,
        skip_below: Option<DateTime<Utc>>,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<Option<DateTime<Utc>>> {
        let lead = members[0].sel.stream;
        let mut emitted_to = None;
        for obj in page.objects() {
            let cursor = cursor_of(lead, obj);
            if skip_below.zip(cursor).is_some_and(|(below, c)| c < below) {
                continue;
            }
            self.emit(obj, None, members, sink)?;
            emitted_to = emitted_to.max(cursor);
        }
        Ok(emitted_to)
    }

    /// Maps one object for every member and returns its cursor, read once.
    pub(super) fn emit(
        &mut self,
        obj: Node<'_>,
        parent: Option<i64>,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<Option<DateTime<Utc>>> {
        let cursor = cursor_of(members[0].sel.stream, obj);
        for m in members.iter_mut().filter(|m| !passed_over(m, cursor)) {
            self.rows.clear();
            self.rows.leave_out(m.left_out.clone());
            match (m.per_object, m.sel.stream.embedded) {
                (Some(true), Some(e)) => self.map_per_object(obj, e, m)?,
                _ => m
                    .sel
                    .stream
                    .map_with_parent(obj, parent, self.ctx, &mut self.rows)?,
            }
            for row in self.rows.iter() {
                sink.record(m.sel.stream, row).map_err(Error::output)?;
            }
            m.records += self.rows.len() as u64;
            if !m.running && m.records > 0 {
                m.running = true;
                sink.status(m.sel.stream, StreamStatus::Running)
                    .map_err(Error::output)?;
            }
            if let Some(c) = cursor {
                m.max_seen = m.max_seen.max(Some(c));
            }
        }
        Ok(cursor)
    }
}

/// An object this member does not emit: below its lower bound, or out
/// already, by this pass or the interrupted run before it.
fn passed_over(m: &Member, cursor: Option<DateTime<Utc>>) -> bool {
    let window = m.window.filter(|_| m.windowed);
    m.lower.zip(cursor).is_some_and(|(lower, c)| c < lower)
        || window
            .zip(cursor)
            .is_some_and(|(w, c)| w.down_to < c && c <= w.top)
}

/// The values in a per-object answer: a bare array or `{data: [...]}`.
fn per_object_items<'d>(root: Node<'d>, path: &str) -> Result<Node<'d>> {
    match root.get("data") {
        Some(data) if data.is_array() => Ok(data),
        _ if root.is_array() => Ok(root),
        _ => Err(Error::system(format!(
            "Gorgias answered /api{path} with neither a list nor {{\"data\": [...]}}: the API may have changed; please report it."
        ))),
    }
}

/// The planned deletion events of one member, checked as they are read: a
/// server that ignores the type filter returns every event, and a live
/// object must never be reported deleted.
pub(super) fn read_deletions(
    pager: &mut Pager,
    out: &mut Emitter,
    read: &DeletionRead,
    m: &mut Member,
    sink: &mut dyn Sink,
) -> Result<()> {
    let ctx = out.ctx;
    let mut pages = pager.list(&read.list);
    while let Some(page) = pages.next(sink)? {
        for e in page.objects() {
            let is = |field: &str, want: Option<&str>| {
                want.is_some() && e.get(field).and_then(|v| v.as_str()) == want
            };
            if !is("type", Some(read.kind)) || !is("object_type", read.object_type) {
                continue;
            }
            let id = e
                .get("object_id")
                .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
            let (Some(id), Some(at)) = (id, cursor_at(e, read.at)) else {
                ctx.coerced.set(ctx.coerced.get() + 1);
                continue;
            };
            if let Some(row) = m.sel.stream.deleted_row(id, Timestamp(at), ctx) {
                out.rows.clear();
                out.rows.leave_out(m.left_out.clone());
                out.rows.push(&row)?;
                for row in out.rows.iter() {
                    sink.record(m.sel.stream, row).map_err(Error::output)?;
                }
                m.records += 1;
            }
        }
    }
    Ok(())
}
