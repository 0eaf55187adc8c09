//! The read loop: runs the planned jobs in turn, hands each page's objects
//! to the emitter ([`super::emit`]), checkpoints where the plan allows,
//! and says each stream's status; a stream that fails on its own endpoint
//! ends alone. The rules it follows are in [`crate::sync`]'s comment.

use super::checkpoint::{advance_window, checkpoint};
use super::emit::{read_deletions, Emitter};
use super::fetcher::{lock, Fetcher, Pager};
use super::plan::{self, cursor_of, Job, List, Lists, Member, Read, Selected};
use crate::client::Client;
use crate::client::Page;
use crate::config::Config;
use crate::error::{Error, FailureType, Reach, Result};
use crate::sink::{Level, Sink, StreamStatus};
use crate::streams::{RowContext, Rows};
use chrono::{DateTime, Utc};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

/// What a sync did, per stream: records emitted, and the streams that
/// failed while the others went on.
#[derive(Debug, Default)]
pub struct Summary {
    pub records: Vec<(&'static str, u64)>,
    pub failed: Vec<(&'static str, Error)>,
    /// Requests per completed job, by its lead stream: what the closing
    /// line tells a costly stream's share from.
    pub requests: Vec<(&'static str, u64)>,
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
        let mut error = Error::config(format!(
            "During the sync, the following streams did not sync successfully: {}; the other streams' records and state were kept, and each failed stream's error says what to do (deselect it, use an admin's key, or run the sync again later).",
            names.join(", ")
        ));
        // The CDK ends such a sync as a config error; where every failed
        // stream failed the same way, that way tells more (a transient one
        // is worth retrying, and the exit code says so).
        let first = self.failed[0].1.failure;
        if self.failed.iter().all(|(_, e)| e.failure == first) {
            error.failure = first;
        }
        Some(error)
    }
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
    let jobs = plan::plan(config, selected, started);
    let abandon = client.abandon_flag();
    abandon.store(false, Ordering::Relaxed);
    let client = Mutex::new(client);
    std::thread::scope(|scope| {
        let fetcher = Fetcher::start(scope, &client);
        let loop_ = Loop {
            client: &client,
            fetcher: &fetcher,
            ctx: &ctx,
            started,
        };
        let read = loop_.run_jobs(jobs, sink);
        // The scope waits for the fetcher: it must not be left pacing or
        // retrying a request for a sync that has already failed.
        if read.is_err() {
            abandon.store(true, Ordering::Relaxed);
        }
        read
    })
}

/// What every job of a sync reads with: what [`run`] sets up inside the
/// fetcher's scope.
struct Loop<'a, 'c> {
    client: &'a Mutex<&'c mut Client>,
    fetcher: &'a Fetcher,
    ctx: &'a RowContext,
    started: DateTime<Utc>,
}

impl Loop<'_, '_> {
    /// Runs each job in turn; a job whose failure reaches only its streams
    /// fails them and the sync goes on.
    fn run_jobs(&self, jobs: Vec<Job>, sink: &mut dyn Sink) -> Result<Summary> {
        let mut summary = Summary::default();
        for mut job in jobs {
            for warning in &job.warnings {
                sink.log(Level::Warn, warning).map_err(Error::output)?;
            }
            for m in &mut job.members {
                let left_out = sink.left_out(m.sel.stream);
                m.left_out = (!left_out.is_empty()).then(|| left_out.into());
                sink.status(m.sel.stream, StreamStatus::Started)
                    .map_err(Error::output)?;
            }
            match self.run_job(&mut job, sink) {
                Ok(requests) => summary.requests.push((job.lead().name(), requests)),
                Err(e) => self.fail_job(&job, e, &mut summary, sink)?,
            }
            for m in &job.members {
                summary.records.push((m.sel.stream.name(), m.records));
            }
        }
        Ok(summary)
    }

    /// A failed job: its streams alone, or the whole sync.
    fn fail_job(
        &self,
        job: &Job,
        e: Error,
        summary: &mut Summary,
        sink: &mut dyn Sink,
    ) -> Result<()> {
        // A host that has never answered fails every stream the same way,
        // each after its full retry budget: that ends the sync.
        let alone = e.reach == Reach::Stream
            && (e.failure != FailureType::Transient || lock(self.client).answered());
        if !alone {
            for m in &job.members {
                // Best effort: the error itself is what the face reports.
                let _ = sink.status(m.sel.stream, StreamStatus::Incomplete);
            }
            return Err(e);
        }
        for m in &job.members {
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
        Ok(())
    }

    /// One job: its read, its deletions, then its streams' last checkpoint.
    /// Returns the requests it made.
    fn run_job(&self, job: &mut Job, sink: &mut dyn Sink) -> Result<u64> {
        let names = job.names();
        let began = Instant::now();
        let requests_before = self.requests_made();
        let coerced_before = self.ctx.coerced.get();
        let mut pager = Pager::new(self.fetcher, &names, began);
        let mut out = Emitter {
            ctx: self.ctx,
            rows: Rows::default(),
            client: self.client,
        };
        let members = &mut job.members;
        self.read(&job.read, &names, &mut pager, &mut out, members, sink)?;
        for d in &job.deletions {
            read_deletions(&mut pager, &mut out, d, &mut members[d.member], sink)?;
        }
        let odd = self.ctx.coerced.get() - coerced_before;
        let requests = self.requests_made() - requests_before;
        self.finish(job, &names, odd, requests, began, sink)?;
        Ok(requests)
    }

    /// The requests the client has made so far in this sync.
    fn requests_made(&self) -> u64 {
        lock(self.client).stats.by_path.values().sum()
    }

    /// The job's planned read: one object, each parent's children, or lists.
    fn read(
        &self,
        read: &Read,
        names: &str,
        pager: &mut Pager,
        out: &mut Emitter,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        match read {
            Read::Single { path } => self.read_single(path, out, members, sink),
            Read::Children {
                parents,
                children,
                only,
                large,
            } => {
                let chosen = self.parent_ids(pager, parents, sink)?;
                let chosen = only_chosen(chosen, only, names, sink)?;
                let children = Children {
                    list: children,
                    large: *large,
                };
                self.read_children(pager, out, chosen, &children, members, sink)
            }
            Read::Lists(lists) => self.read_lists(pager, out, lists, members, sink),
        }
    }

    /// A single object, read here, not on the fetching thread: its retries
    /// are logged as they happen.
    fn read_single(
        &self,
        path: &str,
        out: &mut Emitter,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        let mut logged = Ok(());
        let doc = lock(self.client).get_object_with(path, &mut |m| {
            if logged.is_ok() {
                logged = sink.log(Level::Warn, m);
            }
        });
        logged.map_err(Error::output)?;
        let doc = doc?;
        out.emit(doc.root(), None, members, sink)?;
        Ok(())
    }

    /// The ids of a parent list's objects, each once, with their names.
    fn parent_ids(
        &self,
        pager: &mut Pager,
        parents: &List,
        sink: &mut dyn Sink,
    ) -> Result<Vec<Parent>> {
        let mut ids = Vec::new();
        let mut pages = pager.list(parents);
        while let Some(page) = pages.next(sink)? {
            if pages.restarted() {
                ids.clear();
            }
            for p in page.objects() {
                // A parent without an id has no child list to name; the
                // tally makes the sync say so.
                match p.get("id").and_then(|id| id.as_i64()) {
                    Some(id) => ids.push(Parent {
                        id,
                        name: p.get("name").and_then(|n| n.as_str()).map(str::to_string),
                    }),
                    None => self.ctx.coerced.set(self.ctx.coerced.get() + 1),
                }
            }
        }
        Ok(ids)
    }

    /// Each parent's child list, read whole; one that is large is named,
    /// with its cost and how to leave it out.
    fn read_children(
        &self,
        pager: &mut Pager,
        out: &mut Emitter,
        parents: Vec<Parent>,
        children: &Children,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        for parent in parents {
            let list = List {
                path: children.list.path.replace("{id}", &parent.id.to_string()),
                ..children.list.clone()
            };
            let mut pages = pager.list(&list);
            let (mut items, mut requests) = (0u64, 0u64);
            while let Some(page) = pages.next(sink)? {
                requests += 1;
                for item in page.objects() {
                    out.emit(item, Some(parent.id), members, sink)?;
                    items += 1;
                }
            }
            if items > children.large {
                let stream = members[0].sel.stream.name();
                let line = large_view(stream, &parent, items, requests);
                sink.log(Level::Warn, &line).map_err(Error::output)?;
            }
        }
        Ok(())
    }

    /// The planned lists in turn, with the checkpoints their pages allow.
    fn read_lists(
        &self,
        pager: &mut Pager,
        out: &mut Emitter,
        lists: &Lists,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        for list in &lists.lists {
            let mut pages = pager.list(list);
            let mut emitted_to: Option<DateTime<Utc>> = None;
            let mut skip_below: Option<DateTime<Utc>> = None;
            // The list ends after its stop page: the fetcher judges it.
            while let Some(page) = pages.next(sink)? {
                // Out of order, no page says the older rows are out: the
                // list is read and emitted whole, checkpointed at its end.
                let ordered = pages.order_trusted();
                if !ordered {
                    skip_below = None;
                    members.iter_mut().for_each(|m| m.windowed = false);
                }
                // Ties are emitted again: their order is not known.
                if pages.restarted() && lists.ascending && ordered {
                    skip_below = emitted_to;
                }
                out.choose_embedded(&page, members, sink)?;
                emitted_to = emitted_to.max(out.emit_page(&page, skip_below, members, sink)?);
                if ordered {
                    self.after_page(&page, lists, members, sink)?;
                }
            }
        }
        Ok(())
    }

    /// The checkpoints an ordered page allows: every member's, where each
    /// page is a checkpoint; the window's, in one newest-first pass.
    fn after_page(
        &self,
        page: &Page,
        lists: &Lists,
        members: &mut [Member],
        sink: &mut dyn Sink,
    ) -> Result<()> {
        if lists.checkpoint_pages {
            for m in members.iter_mut() {
                checkpoint(m, self.started, sink)?;
            }
        }
        if lists.one_pass {
            let lead = members[0].sel.stream;
            let oldest = page.objects().filter_map(|o| cursor_of(lead, o)).min();
            for m in members.iter_mut().filter(|m| m.windowed) {
                advance_window(m, oldest, self.started, sink)?;
            }
        }
        Ok(())
    }

    /// The job's closing: the odd-fields warning, each stream's last
    /// checkpoint and COMPLETE status, and the summary line.
    fn finish(
        &self,
        job: &mut Job,
        names: &str,
        odd: u64,
        requests: u64,
        began: Instant,
        sink: &mut dyn Sink,
    ) -> Result<()> {
        let path = job.lead().endpoint().path;
        if odd > 0 {
            sink.log(
                Level::Warn,
                &format!("{names}: {odd} fields from {path} had a type the API does not document and were read as null."),
            )
            .map_err(Error::output)?;
        }
        tell_per_object_reads(&job.members, sink)?;
        for m in job.members.iter_mut() {
            // The pass is over: its window's top was emitted, by this run or
            // one before it, and the bookmark may now move to it.
            if let Some(w) = m.window.take() {
                m.max_seen = m.max_seen.max(Some(w.top));
            }
            checkpoint(m, self.started, sink)?;
            sink.status(m.sel.stream, StreamStatus::Complete)
                .map_err(Error::output)?;
        }
        let records: Vec<String> = job
            .members
            .iter()
            .map(|m| format!("{} {}", m.sel.stream.name(), m.records))
            .collect();
        let done = format!(
            "{names}: done in {:.1}s with {requests} requests to {path}; records: {}",
            began.elapsed().as_secs_f64(),
            records.join(", ")
        );
        sink.log(Level::Info, &done).map_err(Error::output)
    }
}

/// What the per-object reads of each member that needed them cost.
fn tell_per_object_reads(members: &[Member], sink: &mut dyn Sink) -> Result<()> {
    for m in members.iter().filter(|m| m.per_object == Some(true)) {
        let each = m.sel.stream.embedded.map_or("", |e| e.each);
        sink.log(
            Level::Info,
            &format!(
                "{}: {} requests to /api{each}.",
                m.sel.stream.name(),
                m.per_object_reads
            ),
        )
        .map_err(Error::output)?;
    }
    Ok(())
}

/// A parent of child lists (a view): its id, and its name for the log.
struct Parent {
    id: i64,
    name: Option<String>,
}

impl Parent {
    fn named(&self) -> String {
        match &self.name {
            Some(name) => format!("`{name}` (id {})", self.id),
            None => format!("id {}", self.id),
        }
    }
}

/// The child lists to read under each parent, and the size past which one
/// is worth a warning.
struct Children<'a> {
    list: &'a List,
    large: u64,
}

/// The parents the config chose (all when it chose none), in the API's
/// order; a chosen id the account does not have is said, not fatal: the
/// view may have been deleted since the config was written.
fn only_chosen(
    parents: Vec<Parent>,
    only: &[i64],
    names: &str,
    sink: &mut dyn Sink,
) -> Result<Vec<Parent>> {
    if only.is_empty() {
        return Ok(parents);
    }
    for id in only
        .iter()
        .filter(|id| !parents.iter().any(|p| p.id == **id))
    {
        sink.log(
            Level::Warn,
            &format!("{names}: `view_ids` holds {id}, which is not a view of this account, so no items are read for it: the `probe` command lists the views with their ids."),
        )
        .map_err(Error::output)?;
    }
    Ok(parents
        .into_iter()
        .filter(|p| only.contains(&p.id))
        .collect())
}

/// The warning for a large view: every sync reads it whole again.
fn large_view(stream: &str, parent: &Parent, items: u64, requests: u64) -> String {
    format!(
        "{stream}: view {} lists {items} tickets, read whole on every sync: {requests} requests each time, for rows the tickets stream already holds. To leave it out, set `view_ids` to the ids of the views you need (the `probe` command lists them).",
        parent.named()
    )
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_stream_failure_carries_the_sentence_on() {
        assert_eq!(super::go_on("The key may not."), "the key may not.");
        assert_eq!(
            super::go_on("Gorgias has no /rules."),
            "Gorgias has no /rules."
        );
        assert_eq!(super::go_on("HTTP 409 came."), "HTTP 409 came.");
    }
}
