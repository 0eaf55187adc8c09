//! The one read loop. Streams declare, this loop does: paging, the stop rule,
//! bookmarks, checkpoints, stream statuses and progress, for every face.
//!
//! Streams that read the same endpoint in the same order (tickets and
//! ticket_tags) share one pass over it.
//!
//! Where a stream's read must cover its whole history (no bookmark and no
//! start date), it reads oldest first and checkpoints after every page: the
//! long first sync of a large account can be killed anywhere and resumes
//! from its last page, and a record changed during the read moves to the end
//! of the order, where the same read still reaches it. Where there is a lower
//! bound, the read goes newest first and stops after a whole page older than
//! the bound; its bookmark moves only at the end of the pass (until the stop
//! page, older changes are unseen), but after every page the state records
//! the window the pass has emitted, and a killed pass resumes around it.
//!
//! A list that does not lead to its end (a cursor repeated, endless empty
//! pages) is read again from its start, then fails. A stream whose read fails
//! on its own endpoint ends alone and the sync goes on with the others;
//! what would fail them all ends the sync.
//!
//! The one list Gorgias filters by time on the server (events) is read
//! oldest first from its bound with the filter sent, and checkpoints after
//! every page. Lists that need a filter value (custom fields per object
//! type), or list one side of a filter per call (`archived` macros and
//! custom fields), are read once per value; child lists (each view's items) after
//! their parent list. Every list, whatever its plan, is paged by [`Pages`].

use crate::client::{Client, Page};
use crate::config::Config;
use crate::datetime;
use crate::error::{Error, FailureType, Reach, Result};
use crate::json::Node;
use crate::state::{Bookmark, Pass};
use crate::streams::{ReadPlan, RowContext, Rows, StreamDef};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    FullRefresh,
    Incremental,
}

/// A stream the user selected, with how to read it and where it resumes.
pub struct Selected {
    pub stream: &'static StreamDef,
    pub mode: SyncMode,
    pub bookmark: Option<Bookmark>,
    /// The newest-first pass an interrupted sync left in progress.
    pub pass: Option<Pass>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamStatus {
    Started,
    Running,
    Complete,
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
}

/// Where the loop's output goes: a protocol face.
pub trait Sink {
    /// One row, as one compact, line-safe JSON object.
    fn record(&mut self, stream: &'static StreamDef, row: &[u8]) -> io::Result<()>;
    /// State that is safe to resume from: every record before it is out
    /// (and, with a pass in progress, every record in its window).
    fn checkpoint(
        &mut self,
        stream: &'static StreamDef,
        bookmark: Option<&Bookmark>,
        pass: Option<&Pass>,
        records: u64,
    ) -> io::Result<()>;
    fn status(&mut self, stream: &'static StreamDef, status: StreamStatus) -> io::Result<()>;
    fn log(&mut self, level: Level, message: &str) -> io::Result<()>;
    /// A stream failed and the sync goes on with the others: why, once per
    /// stream (after its INCOMPLETE status).
    fn failed(&mut self, _stream: &'static StreamDef, error: &Error) -> io::Result<()> {
        self.log(Level::Warn, &error.message)
    }
}

/// What a sync did, per stream: records emitted, and the streams that
/// failed while the others went on.
#[derive(Debug, Default)]
pub struct Summary {
    pub records: Vec<(&'static str, u64)>,
    pub failed: Vec<(&'static str, Error)>,
}

impl Summary {
    /// The one error a sync with failed streams ends with, as Airbyte's CDK
    /// ends it: every failed stream named, each stream's own error already
    /// said what to do.
    pub fn failure(&self) -> Option<Error> {
        if self.failed.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.failed.iter().map(|(n, _)| *n).collect();
        Some(Error::config(format!(
            "During the sync, the following streams did not sync successfully: {}; the other streams' records and state were kept, and each failed stream's error says what to do (deselect it, use an admin's key, or run the sync again later).",
            names.join(", ")
        )))
    }
}

struct Member {
    sel: Selected,
    /// Rows whose cursor is older than this are not emitted.
    lower: Option<DateTime<Utc>>,
    max_seen: Option<DateTime<Utc>>,
    records: u64,
    running: bool,
    /// It started from a bookmark (so deletions since then matter).
    resumed: bool,
    /// It is read by one newest-first pass, checkpointed page by page.
    windowed: bool,
    /// What that pass has emitted so far, this run and earlier ones.
    window: Option<Pass>,
    /// The oldest cursor on the pages this run has read.
    position: Option<DateTime<Utc>>,
}

/// The sync's start time, in microseconds: the precision of the API's
/// timestamps and of most warehouses, so a bookmark clamped to it compares
/// the same everywhere it is stored.
pub fn start_time() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// Runs a sync of the selected streams. `started` is the sync's start time:
/// every row's `__synced_at` and the cap on every bookmark.
pub fn run(
    config: &Config,
    client: &mut Client,
    selected: Vec<Selected>,
    started: DateTime<Utc>,
    sink: &mut dyn Sink,
) -> Result<Summary> {
    let ctx = RowContext::new(&config.domain, started);
    let mut groups: Vec<Vec<Selected>> = Vec::new();
    for sel in selected {
        match groups
            .iter_mut()
            .find(|g| g[0].stream.endpoint() == sel.stream.endpoint())
        {
            Some(g) => g.push(sel),
            None => groups.push(vec![sel]),
        }
    }
    let abandon = client.abandon_flag();
    abandon.store(false, Ordering::Relaxed);
    let client = Mutex::new(client);
    std::thread::scope(|scope| {
        let fetcher = Fetcher::start(scope, &client);
        let read = read_groups(config, &client, &fetcher, &ctx, started, groups, sink);
        // The scope waits for the fetcher: it must not be left pacing or
        // retrying a request for a sync that has already failed.
        if read.is_err() {
            abandon.store(true, Ordering::Relaxed);
        }
        read
    })
}

/// Reads each group in turn: what [`run`] does inside the fetcher's scope.
fn read_groups(
    config: &Config,
    client: &Mutex<&mut Client>,
    fetcher: &Fetcher,
    ctx: &RowContext,
    started: DateTime<Utc>,
    groups: Vec<Vec<Selected>>,
    sink: &mut dyn Sink,
) -> Result<Summary> {
    let mut summary = Summary::default();
    for group in groups {
        let mut members = Vec::new();
        for mut sel in group {
            distrust_the_future(&mut sel, started, sink)?;
            members.push(Member {
                lower: lower_bound(config, &sel),
                resumed: sel.bookmark.is_some(),
                window: sel.pass,
                sel,
                max_seen: None,
                records: 0,
                running: false,
                windowed: false,
                position: None,
            });
        }
        for m in &members {
            sink.status(m.sel.stream, StreamStatus::Started)
                .map_err(Error::output)?;
        }
        let read = read_group(config, client, fetcher, ctx, started, &mut members, sink);
        match read {
            Ok(()) => {}
            // A host that has never answered fails every stream the same
            // way, each after its full retry budget: that ends the sync.
            Err(e)
                if e.reach == Reach::Stream
                    && (e.failure != FailureType::Transient || lock(client).answered()) =>
            {
                for m in &members {
                    let mut failure = e.clone();
                    failure.message = format!(
                        "Stream `{}` ({}) did not sync: {}",
                        m.sel.stream.name(),
                        m.sel.stream.endpoint().path,
                        go_on(&e.message)
                    );
                    sink.status(m.sel.stream, StreamStatus::Incomplete)
                        .map_err(Error::output)?;
                    sink.failed(m.sel.stream, &failure).map_err(Error::output)?;
                    summary.failed.push((m.sel.stream.name(), failure));
                }
            }
            Err(e) => {
                for m in &members {
                    // Best effort: the error itself is what the face reports.
                    let _ = sink.status(m.sel.stream, StreamStatus::Incomplete);
                }
                return Err(e);
            }
        }
        for m in &members {
            summary.records.push((m.sel.stream.name(), m.records));
        }
    }
    Ok(summary)
}

/// A sentence carried on after a colon: its first word in lower case,
/// unless it is a name ("Gorgias", a host).
fn go_on(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second))
            if first.is_uppercase()
                && second.is_lowercase()
                && !sentence.starts_with("Gorgias") =>
        {
            first
                .to_lowercase()
                .chain(sentence[first.len_utf8()..].chars())
                .collect()
        }
        _ => sentence.to_string(),
    }
}

/// A bookmark later than the sync's start was not written by a read that
/// saw it (every bookmark is clamped to its sync's start): trusted, it
/// would hide every change until that date. The stream is read as if it had
/// none, so nothing is lost, and said so.
fn distrust_the_future(
    sel: &mut Selected,
    started: DateTime<Utc>,
    sink: &mut dyn Sink,
) -> Result<()> {
    if sel.mode != SyncMode::Incremental {
        sel.pass = None;
        return Ok(());
    }
    if let Some(b) = sel.bookmark.as_ref().filter(|b| b.value > started) {
        sink.log(
            Level::Warn,
            &format!(
                "{}: the state's bookmark {} = {} is later than this sync's start ({}), so it cannot be trusted: the stream is read as if it had no bookmark (from `start_date`, if set), and the bookmark written back is at most the sync's start.",
                sel.stream.name(),
                b.cursor_field,
                datetime::format(&b.value),
                datetime::format(&started)
            ),
        )
        .map_err(Error::output)?;
        sel.bookmark = None;
        sel.pass = None;
    }
    if sel.pass.is_some_and(|p| p.top > started) {
        sel.pass = None;
    }
    Ok(())
}

/// The oldest cursor a stream still emits: its bookmark less its lookback
/// (incremental), or the start date for streams that honour it.
fn lower_bound(config: &Config, sel: &Selected) -> Option<DateTime<Utc>> {
    let plan = sel.stream.plan();
    if plan == ReadPlan::Single {
        return None;
    }
    let bounded = matches!(plan, ReadPlan::NewestFirst | ReadPlan::ServerFiltered);
    let from_bookmark = match (&sel.mode, &sel.bookmark) {
        // A bookmark near the start of time cannot go further back.
        (SyncMode::Incremental, Some(b)) if bounded => Some(
            b.value
                .checked_sub_signed(sel.stream.lookback(config))
                .unwrap_or(b.value),
        ),
        (SyncMode::Incremental, Some(b)) => Some(b.value),
        _ => None,
    };
    let from_start = config.start_date.filter(|_| bounded);
    from_bookmark.max(from_start)
}

fn read_group(
    config: &Config,
    client: &Mutex<&mut Client>,
    fetcher: &Fetcher,
    ctx: &RowContext,
    started: DateTime<Utc>,
    members: &mut [Member],
    sink: &mut dyn Sink,
) -> Result<()> {
    let lead = members[0].sel.stream;
    let endpoint = lead.endpoint();
    let plan = lead.plan();
    let names: Vec<&str> = members.iter().map(|m| m.sel.stream.name()).collect();
    let names = names.join(" + ");
    let mut rows = Rows::default();
    let began = Instant::now();
    let requests_before: u64 = lock(client).stats.by_path.values().sum();
    let coerced_before = ctx.coerced.get();

    // Maps one object for every member and returns its cursor, read once.
    let mut emit = |obj: Node<'_>,
                    members: &mut [Member],
                    sink: &mut dyn Sink|
     -> Result<Option<DateTime<Utc>>> {
        let cursor = cursor_of(lead, obj);
        for m in members.iter_mut() {
            if let (Some(lower), Some(c)) = (m.lower, cursor) {
                if c < lower {
                    continue;
                }
            }
            // Out already, by this pass or the interrupted run before it.
            if let (Some(w), Some(c)) = (m.window.filter(|_| m.windowed), cursor) {
                if w.down_to < c && c <= w.top {
                    continue;
                }
            }
            rows.clear();
            m.sel.stream.map(obj, ctx, &mut rows)?;
            for row in rows.iter() {
                sink.record(m.sel.stream, row).map_err(Error::output)?;
            }
            m.records += rows.len() as u64;
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
    };

    let mut pager = Pager {
        fetcher,
        names: &names,
        limit: config.page_size.to_string(),
        began,
        pages: 0,
        objects: 0,
        last_log: Instant::now(),
    };
    match plan {
        ReadPlan::Single => {
            let doc = lock(client).get_object(endpoint.path)?;
            emit(doc.root(), members, sink)?;
        }
        ReadPlan::PerParent(parent) => {
            let mut parents = Vec::new();
            let mut pages = pager.list(parent.path, parent.order_by, Vec::new(), None);
            while let Some(page) = pages.next(sink)? {
                if pages.restarted() {
                    parents.clear();
                }
                for p in page.objects() {
                    // A parent without an id has no child list to name; the
                    // tally makes the sync say so.
                    match p.get("id").and_then(|id| id.as_i64()) {
                        Some(id) => parents.push(id),
                        None => ctx.coerced.set(ctx.coerced.get() + 1),
                    }
                }
            }
            drop(pages);
            for id in parents {
                let path = endpoint.path.replace("{id}", &id.to_string());
                let mut pages = pager.list(&path, endpoint.order_by, Vec::new(), None);
                ctx.parent.set(Some(id));
                while let Some(page) = pages.next(sink)? {
                    for item in page.objects() {
                        emit(item, members, sink)?;
                    }
                }
            }
            ctx.parent.set(None);
        }
        _ => {
            // What every member leaves out: only that may be skipped, by a
            // stop page or by a server-side filter.
            let common_lower = members
                .iter()
                .map(|m| m.lower)
                .collect::<Option<Vec<_>>>()
                .and_then(|v| v.into_iter().min());
            let stop_below = common_lower.filter(|_| plan == ReadPlan::NewestFirst);
            let oldest_first = match endpoint.oldest_first() {
                Some(order)
                    if plan == ReadPlan::NewestFirst
                        && stop_below.is_none()
                        && members.iter().any(|m| m.sel.mode == SyncMode::Incremental) =>
                {
                    Some(order)
                }
                _ => None,
            };
            let order_by = oldest_first.as_deref().or(endpoint.order_by);
            let partitions: Vec<Vec<(String, String)>> = match plan {
                ReadPlan::EachOf { param, values } => values
                    .iter()
                    .map(|v| vec![(param.to_string(), v.to_string())])
                    .collect(),
                ReadPlan::ServerFiltered => {
                    let filter = lead
                        .api_cursor()
                        .zip(common_lower)
                        .map(|(field, from)| (format!("{field}[gte]"), datetime::format(&from)));
                    vec![filter.into_iter().collect()]
                }
                _ => vec![Vec::new()],
            };
            let partitions = match lead.sides() {
                Some((param, values)) => partitions
                    .into_iter()
                    .flat_map(|p| {
                        values.iter().map(move |v| {
                            let mut p = p.clone();
                            p.push((param.to_string(), v.to_string()));
                            p
                        })
                    })
                    .collect(),
                None => partitions,
            };
            // A checkpoint claims every older record is out, which holds
            // within one pass only: lists read in several passes (macros'
            // two sides) checkpoint once they are all read.
            let checkpoint_pages = (oldest_first.is_some() || plan == ReadPlan::ServerFiltered)
                && partitions.len() == 1;
            let filters: Vec<(String, String)> = lead
                .filters(config)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            let stop = stop_below.and_then(|below| {
                Some(StopRule {
                    field: lead.api_cursor()?,
                    below,
                })
            });
            // One newest-first list per member is one pass, whose window
            // (what it has emitted) is checkpointed after every page; with
            // several lists the window of one says nothing of the next.
            let one_pass = stop.is_some() && partitions.len() == 1;
            for m in members.iter_mut() {
                m.windowed = one_pass && m.sel.mode == SyncMode::Incremental;
                if !m.windowed {
                    m.window = None;
                }
            }
            // Where the list is in cursor order, a list read again from its
            // start need not emit again what is older than what it has
            // emitted (ties are emitted again: their order is not known).
            let ascending = oldest_first.is_some() || plan == ReadPlan::ServerFiltered;
            for mut extra in partitions {
                extra.extend(filters.iter().cloned());
                let mut pages = pager.list(endpoint.path, order_by, extra, stop);
                let mut emitted_to: Option<DateTime<Utc>> = None;
                let mut skip_below: Option<DateTime<Utc>> = None;
                // The list ends after its stop page: the fetcher judges it.
                while let Some(page) = pages.next(sink)? {
                    if pages.restarted() && ascending {
                        skip_below = emitted_to;
                    }
                    for obj in page.objects() {
                        if let (Some(below), Some(c)) = (skip_below, cursor_of(lead, obj)) {
                            if c < below {
                                continue;
                            }
                        }
                        let c = emit(obj, members, sink)?;
                        emitted_to = emitted_to.max(c);
                    }
                    if checkpoint_pages {
                        for m in members.iter_mut() {
                            checkpoint(m, started, sink)?;
                        }
                    }
                    if one_pass {
                        let oldest = page.objects().filter_map(|o| cursor_of(lead, o)).min();
                        for m in members.iter_mut().filter(|m| m.windowed) {
                            advance_window(m, oldest, started, sink)?;
                        }
                    }
                }
            }
        }
    }

    if config.emit_deletes {
        read_deletions(ctx, members, &mut pager, sink)?;
    }

    let odd = ctx.coerced.get() - coerced_before;
    if odd > 0 {
        sink.log(
            Level::Warn,
            &format!("{names}: {odd} fields from {} had a type the API does not document and were read as null.", endpoint.path),
        )
        .map_err(Error::output)?;
    }
    for m in members.iter_mut() {
        // The pass is over: its window's top was emitted, by this run or
        // one before it, and the bookmark may now move to it.
        if let Some(w) = m.window.take() {
            m.max_seen = m.max_seen.max(Some(w.top));
        }
        checkpoint(m, started, sink)?;
        sink.status(m.sel.stream, StreamStatus::Complete)
            .map_err(Error::output)?;
    }
    let requests: u64 = lock(client).stats.by_path.values().sum::<u64>() - requests_before;
    let records: Vec<String> = members
        .iter()
        .map(|m| format!("{} {}", m.sel.stream.name(), m.records))
        .collect();
    sink.log(
        Level::Info,
        &format!(
            "{names}: done in {:.1}s with {requests} requests to {}; records: {}",
            began.elapsed().as_secs_f64(),
            endpoint.path,
            records.join(", ")
        ),
    )
    .map_err(Error::output)?;
    Ok(())
}

/// Hard deletes never show in a list: `/api/events` is the only record of
/// them. For each resumed incremental member whose objects can be deleted,
/// the deletion events since its lower bound (less five minutes, for events
/// written late) become rows with `_ab_cdc_deleted_at`. A first read needs
/// none: what was deleted before it is simply not listed. The type filter
/// is asked of the server, and each event's `type` and `object_type` are
/// checked here too: a server that ignores the filter returns every event,
/// and a live object must never be reported deleted.
fn read_deletions(
    ctx: &RowContext,
    members: &mut [Member],
    pager: &mut Pager,
    sink: &mut dyn Sink,
) -> Result<()> {
    for m in members.iter_mut() {
        let (Some(kind), Some(lower), true) = (
            m.sel.stream.deleted_by(),
            m.lower,
            m.resumed && m.sel.mode == SyncMode::Incremental,
        ) else {
            continue;
        };
        let from = lower
            .checked_sub_signed(chrono::Duration::minutes(5))
            .unwrap_or(lower);
        let object_type = m.sel.stream.event_object_type();
        let extra = vec![
            ("types".to_string(), kind.to_string()),
            ("created_datetime[gte]".to_string(), datetime::format(&from)),
        ];
        let mut pages = pager.list("/events", Some("created_datetime:asc"), extra, None);
        let mut rows = Rows::default();
        while let Some(page) = pages.next(sink)? {
            for e in page.objects() {
                let is = |field: &str, want: Option<&str>| {
                    want.is_some() && e.get(field).and_then(|v| v.as_str()) == want
                };
                if !is("type", Some(kind)) || !is("object_type", object_type) {
                    continue;
                }
                let id = e
                    .get("object_id")
                    .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
                let at = e
                    .get("created_datetime")
                    .and_then(|c| c.as_str())
                    .and_then(datetime::parse_api);
                let (Some(id), Some(at)) = (id, at) else {
                    ctx.coerced.set(ctx.coerced.get() + 1);
                    continue;
                };
                if let Some(row) = m
                    .sel
                    .stream
                    .deleted_row(id, crate::schema::Timestamp(at), ctx)
                {
                    rows.clear();
                    rows.push(&row)?;
                    for row in rows.iter() {
                        sink.record(m.sel.stream, row).map_err(Error::output)?;
                    }
                    m.records += 1;
                }
            }
        }
    }
    Ok(())
}

/// The stream's cursor in an API object.
fn cursor_of(stream: &StreamDef, obj: Node<'_>) -> Option<DateTime<Utc>> {
    stream
        .api_cursor()
        .and_then(|f| cursor_at(obj, f))
        .or_else(|| cursor_at(obj, stream.api_cursor_fallback()?))
}

fn cursor_at(obj: Node<'_>, field: &str) -> Option<DateTime<Utc>> {
    obj.get(field)
        .and_then(|c| c.as_str())
        .and_then(datetime::parse_api)
}

/// The client, shared between the read loop and the fetching thread.
fn lock<'a, 'c>(client: &'a Mutex<&'c mut Client>) -> MutexGuard<'a, &'c mut Client> {
    // A panic on the other thread ends the sync anyway; what the guard
    // protects (counters, the rate budget) is still sound to read.
    client.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a newest-first list may end early: after a whole page whose
/// `field` is older than `below` (every later page is older still).
#[derive(Clone, Copy)]
struct StopRule {
    field: &'static str,
    below: DateTime<Utc>,
}

impl StopRule {
    /// An object without a readable cursor is never "older".
    fn is_stop_page(&self, page: &Page) -> bool {
        !page.is_empty()
            && page
                .objects()
                .all(|o| cursor_at(o, self.field).is_some_and(|c| c < self.below))
    }
}

/// One list for the fetcher to read to its end.
struct ListJob {
    path: String,
    /// Everything but `cursor`.
    query: Vec<(String, String)>,
    stop: Option<StopRule>,
    names: String,
    delivery: SyncSender<Result<Delivery>>,
}

enum Delivery {
    /// A page, with the requests per second achieved so far.
    Page(Page, f64),
    /// The list could not be read on, and is read again from its start:
    /// the next page is its first.
    Restart(String),
    End,
}

/// A second thread that reads lists: it requests, receives and parses the
/// next page while the read loop maps and writes this one, so neither the
/// network nor the server nor the parse waits on the other. It asks for a
/// page only when it will be read (never past the end or the stop page), one
/// request at a time: the rate budget and the request count are what they
/// are without it. At most two pages wait for the loop, so memory stays flat.
struct Fetcher {
    jobs: Sender<ListJob>,
}

impl Fetcher {
    fn start<'scope>(
        scope: &'scope std::thread::Scope<'scope, '_>,
        client: &'scope Mutex<&mut Client>,
    ) -> Fetcher {
        let (jobs, job_rx) = mpsc::channel::<ListJob>();
        scope.spawn(move || {
            // Ends when the read loop drops its `Fetcher`.
            for job in job_rx {
                read_list(client, job);
            }
        });
        Fetcher { jobs }
    }
}

/// How many times a list that cannot be read on (a repeated cursor, a run
/// of empty pages) is read from its start before its streams fail.
const LIST_READS: u32 = 3;

/// Empty pages in a row, each still naming a next page, that make a list
/// one that cannot be read to its end.
const EMPTY_RUN: u32 = 10;

/// Reads one list to its end, its stop page, or until the loop stops
/// listening (it stopped on an error). A list whose pages do not lead to its
/// end is read again from its start, [`LIST_READS`] times at most, then
/// fails: ending it there would report a part of it as the whole.
fn read_list(client: &Mutex<&mut Client>, job: ListJob) {
    let send = |d: Result<Delivery>| job.delivery.send(d).is_ok();
    let mut cursor: Option<String> = None;
    // What the page before asked the next request to carry besides its
    // cursor (a view's `next_items` link: `direction`, `ignored_item`); it
    // replaces a pair of the job's query with the same key.
    let mut next_query: Vec<(String, String)> = Vec::new();
    let mut seen = CursorLoop::default();
    let mut reads = 1;
    let mut empty_run = 0;
    loop {
        let mut query: Vec<(&str, &str)> = job
            .query
            .iter()
            .filter(|(k, _)| !next_query.iter().any(|(n, _)| n == k))
            .chain(next_query.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let (page, rate) = {
            let mut client = lock(client);
            let page = client.get_page(&job.path, &query);
            (page, client.budget.achieved_rate(Instant::now()))
        };
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                send(Err(e));
                return;
            }
        };
        let stop = job.stop.is_some_and(|s| s.is_stop_page(&page));
        let next = page.next_cursor.clone();
        let empty = page.is_empty();
        let then = page.next_query.clone();
        if !send(Ok(Delivery::Page(page, rate))) {
            return;
        }
        let Some(next) = next.filter(|_| !stop) else {
            break;
        };
        empty_run = if empty { empty_run + 1 } else { 0 };
        let fault = if !seen.is_new(&next) {
            Some("sent a page cursor it had already sent".to_string())
        } else if empty_run >= EMPTY_RUN {
            Some(format!(
                "sent {EMPTY_RUN} empty pages in a row, each naming a next page,"
            ))
        } else {
            None
        };
        match fault {
            None => {
                cursor = Some(next);
                next_query = then;
            }
            Some(fault) if reads < LIST_READS => {
                reads += 1;
                cursor = None;
                next_query.clear();
                seen = CursorLoop::default();
                empty_run = 0;
                let warning = format!(
                    "{}: Gorgias {fault} in the list {}: the list is read again from its start (read {reads} of {LIST_READS}).",
                    job.names, job.path
                );
                if !send(Ok(Delivery::Restart(warning))) {
                    return;
                }
            }
            Some(fault) => {
                send(Err(Error::transient(format!(
                    "Gorgias {fault} in the list {} on each of {LIST_READS} reads, so the list could not be read to its end and the stream's state stays where its records are: run the sync again later, and report it to Gorgias support if it persists.",
                    job.path
                ))));
                return;
            }
        }
    }
    send(Ok(Delivery::End));
}

/// Tells a list whose cursors come round again, in memory that does not
/// grow with the list: the last `RECENT` cursors are compared exactly (a
/// repeat among them stops the read before its page is requested twice), and
/// Brent's cycle check catches a longer loop within two turns of it.
#[derive(Default)]
struct CursorLoop {
    recent: VecDeque<String>,
    /// Brent's tortoise: the cursor the following ones are compared to,
    /// replaced whenever `steps` reaches `power` (which then doubles).
    saved: Option<String>,
    steps: u64,
    power: u64,
}

impl CursorLoop {
    const RECENT: usize = 64;

    /// False when `cursor` was seen before in this list.
    fn is_new(&mut self, cursor: &str) -> bool {
        if self.recent.iter().any(|c| c == cursor) || self.saved.as_deref() == Some(cursor) {
            return false;
        }
        if self.recent.len() == Self::RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(cursor.to_string());
        self.steps += 1;
        if self.steps >= self.power {
            self.saved = Some(cursor.to_string());
            self.power = (self.power * 2).max(Self::RECENT as u64);
            self.steps = 0;
        }
        true
    }
}

/// Progress shared by every list a group reads, for the periodic log line.
struct Pager<'n> {
    fetcher: &'n Fetcher,
    names: &'n str,
    limit: String,
    began: Instant,
    pages: u64,
    objects: u64,
    last_log: Instant,
}

impl<'n> Pager<'n> {
    /// Starts reading a list; the only place that sends `limit` and
    /// `order_by` (the fetcher adds `cursor`).
    fn list(
        &mut self,
        path: &str,
        order_by: Option<&str>,
        extra: Vec<(String, String)>,
        stop: Option<StopRule>,
    ) -> Pages<'_, 'n> {
        let mut query = vec![("limit".to_string(), self.limit.clone())];
        if let Some(o) = order_by {
            query.push(("order_by".to_string(), o.to_string()));
        }
        query.extend(extra);
        let (delivery, pages) = mpsc::sync_channel(1);
        let job = ListJob {
            path: path.to_string(),
            query,
            stop,
            names: self.names.to_string(),
            delivery,
        };
        // A fetcher that is gone shows as a closed channel on the first page.
        let _ = self.fetcher.jobs.send(job);
        Pages {
            pager: self,
            pages,
            ended: false,
            restarted: false,
        }
    }
}

/// One list as the fetcher delivers it, page by page.
struct Pages<'p, 'n> {
    pager: &'p mut Pager<'n>,
    pages: Receiver<Result<Delivery>>,
    ended: bool,
    /// The list started over before the page last returned.
    restarted: bool,
}

impl Pages<'_, '_> {
    /// True once after the list started over: the page just returned is
    /// its first again.
    fn restarted(&mut self) -> bool {
        std::mem::take(&mut self.restarted)
    }

    /// The next page, or `None` at the end of the list.
    fn next(&mut self, sink: &mut dyn Sink) -> Result<Option<Page>> {
        while !self.ended {
            let delivery = self.pages.recv().map_err(|_| {
                Error::system(
                    "The connector's page-fetching thread stopped unexpectedly: please report this.",
                )
                .for_sync()
            })??;
            match delivery {
                Delivery::Page(page, rate) => {
                    self.progress(&page, rate, sink)?;
                    return Ok(Some(page));
                }
                Delivery::Restart(w) => {
                    self.restarted = true;
                    sink.log(Level::Warn, &w).map_err(Error::output)?
                }
                Delivery::End => self.ended = true,
            }
        }
        Ok(None)
    }

    fn progress(&mut self, page: &Page, rate: f64, sink: &mut dyn Sink) -> Result<()> {
        let p = &mut *self.pager;
        p.pages += 1;
        p.objects += page.len() as u64;
        if p.last_log.elapsed() >= Duration::from_secs(10) {
            p.last_log = Instant::now();
            let secs = p.began.elapsed().as_secs_f64().max(0.001);
            sink.log(
                Level::Info,
                &format!(
                    "{}: {} pages, {} objects read ({:.0}/s), {:.1} requests/s",
                    p.names,
                    p.pages,
                    p.objects,
                    p.objects as f64 / secs,
                    rate
                ),
            )
            .map_err(Error::output)?;
        }
        Ok(())
    }
}

/// Moves an incremental member's bookmark to the greatest cursor it has
/// emitted (never past the sync's start, never backwards) and hands it to
/// the sink. Only called where every record up to that cursor is out.
fn checkpoint(m: &mut Member, started: DateTime<Utc>, sink: &mut dyn Sink) -> Result<()> {
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
fn advance_window(
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

#[cfg(test)]
mod tests {
    use super::CursorLoop;

    /// Walks `next` from cursor 0 and returns how many cursors were taken as
    /// new before the loop was seen (None: never, within `limit`).
    fn pages_until_loop(next: impl Fn(u64) -> u64, limit: u64) -> Option<u64> {
        let mut guard = CursorLoop::default();
        let mut c = 0;
        for taken in 0..limit {
            if !guard.is_new(&c.to_string()) {
                return Some(taken);
            }
            c = next(c);
        }
        None
    }

    #[test]
    fn a_stream_failure_carries_the_sentence_on() {
        assert_eq!(super::go_on("The key may not."), "the key may not.");
        assert_eq!(
            super::go_on("Gorgias has no /rules."),
            "Gorgias has no /rules."
        );
        assert_eq!(super::go_on("HTTP 409 came."), "HTTP 409 came.");
    }

    #[test]
    fn a_list_without_a_repeat_is_read_to_its_end() {
        assert_eq!(pages_until_loop(|c| c + 1, 100_000), None);
    }

    #[test]
    fn a_short_loop_stops_at_its_first_repeat() {
        // 0..9, then back to 5: the eleventh cursor is the first repeat.
        assert_eq!(
            pages_until_loop(|c| if c == 9 { 5 } else { c + 1 }, 1000),
            Some(10)
        );
        assert_eq!(pages_until_loop(|c| c, 1000), Some(1));
    }

    #[test]
    fn a_loop_longer_than_the_recent_window_is_still_caught() {
        // 0..=999 then back to 300: a 700-page loop; caught within two turns.
        let taken = pages_until_loop(|c| if c == 999 { 300 } else { c + 1 }, 100_000)
            .expect("the loop is caught");
        assert!((1000..=1000 + 2 * 700 + 64).contains(&taken), "{taken}");
    }
}
