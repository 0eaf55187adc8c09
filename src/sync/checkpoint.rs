//! Where a sync's state may move, and the moves themselves: a member's
//! bookmark, to the greatest cursor it has emitted once every record up to
//! it is out; and, in a newest-first pass, the window of what the pass has
//! emitted, after every page. The loop says when; this says how far.

use super::plan::{Member, SyncMode};
use crate::error::{Error, Result};
use crate::sink::Sink;
use crate::state::{Bookmark, Pass};
use chrono::{DateTime, Utc};

/// Moves an incremental member's bookmark to the greatest cursor it has
/// emitted (never past the sync's start, never backwards) and hands it to
/// the sink. Only called where every record up to that cursor is out.
pub(crate) fn checkpoint(
    m: &mut Member,
    started: DateTime<Utc>,
    sink: &mut dyn Sink,
) -> Result<()> {
    let Some(field) = m.sel.stream.cursor_field() else {
        return Ok(());
    };
    if m.sel.mode != SyncMode::Incremental {
        return Ok(());
    }
    let seen = m.max_seen.map(|c| c.min(started));
    let next = match (&m.sel.bookmark, seen) {
        (Some(old), Some(new)) if new <= old.value => Some(old.value),
        (_, Some(new)) => Some(new),
        (old, None) => old.as_ref().map(|b| b.value),
    };
    m.sel.bookmark = next.map(|value| Bookmark {
        cursor_field: field.to_string(),
        value,
    });
    sink.checkpoint(m.sel.stream, m.sel.bookmark.as_ref(), None, m.records)
        .map_err(Error::output)
}

/// After a page of a newest-first pass: the pass has read down to the
/// page's `oldest` cursor, so the window of what it has emitted grows to
/// it, and is checkpointed beside the bookmark it started from (which stays
/// put until the pass ends: below the window, changes are unseen). A run
/// that resumed a pass joins its window to the old one once it reaches it;
/// above it, the old window still stands alone.
pub(crate) fn advance_window(
    m: &mut Member,
    oldest: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
    sink: &mut dyn Sink,
) -> Result<()> {
    let position = match (m.position, oldest) {
        (Some(p), Some(o)) => Some(p.min(o)),
        (p, o) => p.or(o),
    };
    m.position = position;
    let Some(position) = position else {
        return Ok(());
    };
    let top = m.max_seen.map(|t| t.min(started));
    let window = match (m.window, top) {
        (Some(w), top) if position <= w.top => Some(Pass {
            top: top.map_or(w.top, |t| t.max(w.top)),
            down_to: position.min(w.down_to),
        }),
        (Some(w), _) => Some(w),
        (None, Some(top)) if position <= top => Some(Pass {
            top,
            down_to: position,
        }),
        (None, _) => None,
    };
    if window == m.window || window.is_none() {
        return Ok(());
    }
    m.window = window;
    sink.checkpoint(
        m.sel.stream,
        m.sel.bookmark.as_ref(),
        m.window.as_ref(),
        m.records,
    )
    .map_err(Error::output)
}
