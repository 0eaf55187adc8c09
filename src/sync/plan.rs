//! The plan: what a sync reads, before it reads. From the selected streams,
//! the config and the state, it decides which lists are read, in which
//! order, with which query pairs, where a list may stop early, which rows are
//! left out (lower bounds, a resumed pass's window), when state may be
//! checkpointed, the partitions a list is read in (custom fields' object
//! types, the `archived` sides) and the deletion events to read after. It
//! asks nothing of the network or the output, so every rule in
//! [`crate::sync`]'s comment can be tested without a server.

use crate::client::Page;
use crate::config::Config;
use crate::datetime;
use crate::json::Node;
use crate::state::{Bookmark, Pass};
use crate::streams::{self, ReadPlan, StreamDef};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    FullRefresh,
    Incremental,
}

/// Whether a stream can resume from a bookmark: a single object cannot.
pub fn supports_incremental(s: &StreamDef) -> bool {
    s.cursor_field().is_some() && s.plan() != ReadPlan::Single
}

/// A stream the user selected, with how to read it and where it resumes.
pub struct Selected {
    pub stream: &'static StreamDef,
    pub mode: SyncMode,
    pub bookmark: Option<Bookmark>,
    /// The newest-first pass an interrupted sync left in progress.
    pub pass: Option<Pass>,
}

/// The stream's cursor in an API object.
pub(crate) fn cursor_of(stream: &StreamDef, obj: Node<'_>) -> Option<DateTime<Utc>> {
    stream
        .api_cursor()
        .and_then(|f| cursor_at(obj, f))
        .or_else(|| cursor_at(obj, stream.api_cursor_fallback()?))
}

pub(crate) fn cursor_at(obj: Node<'_>, field: &str) -> Option<DateTime<Utc>> {
    obj.get(field)
        .and_then(|c| c.as_str())
        .and_then(datetime::parse_api)
}

/// One endpoint's read: the streams its pages feed and the lists it pages.
pub(crate) struct Job {
    pub members: Vec<Member>,
    pub read: Read,
    /// Deletion events read after it, one list per member that wants them.
    pub deletions: Vec<DeletionRead>,
    /// Said before the job starts: state of a member that was not trusted.
    pub warnings: Vec<String>,
}

impl Job {
    /// The streams the job feeds, for its log lines.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.members.iter().map(|m| m.sel.stream.name()).collect();
        names.join(" + ")
    }

    pub fn lead(&self) -> &'static StreamDef {
        self.members[0].sel.stream
    }
}

pub(crate) enum Read {
    /// One object.
    Single { path: &'static str },
    /// The parent list, then each parent's child list: `{id}` in the
    /// children's path is the parent's id.
    Children {
        parents: List,
        children: List,
        /// The parents whose lists are read (the config's `view_ids`);
        /// empty for every parent.
        only: Vec<i64>,
        /// A child list longer than this is named in a warning: it is read
        /// whole on every sync.
        large: u64,
    },
    /// Lists read in turn, one per partition.
    Lists(Lists),
}

pub(crate) struct Lists {
    pub lists: Vec<List>,
    /// Every member is checkpointed after every page.
    pub checkpoint_pages: bool,
    /// One newest-first pass: each page grows the windowed members' window.
    pub one_pass: bool,
    /// The lists come in cursor order: a list read again from its start
    /// need not emit again what is older than what it emitted.
    pub ascending: bool,
}

/// One list for the fetcher to read to its end (or its stop page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct List {
    pub path: String,
    /// Everything but `cursor`: `limit`, `order_by`, then the rest.
    pub query: Vec<(String, String)>,
    pub stop: Option<StopRule>,
}

/// The hard deletes of one member's objects, from the event log.
#[derive(Debug)]
pub(crate) struct DeletionRead {
    /// Its index in the job's members.
    pub member: usize,
    /// The event type that reports the delete.
    pub kind: &'static str,
    pub object_type: Option<&'static str>,
    /// The event's time field.
    pub at: &'static str,
    pub list: List,
}

/// A selected stream within its job: how it is bounded, and what the read
/// has done for it so far.
pub(crate) struct Member {
    pub sel: Selected,
    /// Rows whose cursor is older than this are not emitted.
    pub lower: Option<DateTime<Utc>>,
    pub max_seen: Option<DateTime<Utc>>,
    pub records: u64,
    pub running: bool,
    /// It started from a bookmark (so deletions since then matter).
    pub resumed: bool,
    /// It is read by one newest-first pass, checkpointed page by page.
    pub windowed: bool,
    /// What that pass has emitted so far, this run and earlier ones.
    pub window: Option<Pass>,
    /// The oldest cursor on the pages this run has read.
    pub position: Option<DateTime<Utc>>,
    /// The columns the catalog deselected (see [`crate::sink::Sink::left_out`]).
    pub left_out: Option<std::sync::Arc<[String]>>,
    /// For a stream with an embedded member: whether this account's list
    /// leaves it out, so each object is read at the per-object endpoint
    /// (`None` until the first page with objects says).
    pub per_object: Option<bool>,
    /// The per-object requests made for it.
    pub per_object_reads: u64,
    /// How many of those found their object (not a 404).
    pub per_object_found: u64,
}

/// Where a newest-first list may end early: after a whole page whose
/// `field` is older than `below` (every later page is older still).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StopRule {
    pub field: &'static str,
    pub below: DateTime<Utc>,
}

impl StopRule {
    /// An object without a readable cursor is never "older".
    pub fn is_stop_page(&self, page: &Page) -> bool {
        !page.is_empty()
            && page
                .objects()
                .all(|o| cursor_at(o, self.field).is_some_and(|c| c < self.below))
    }
}

/// The jobs of a sync, in the order of the selection: streams that read the
/// same endpoint in the same order (tickets and ticket_tags) share one job.
pub(crate) fn plan(config: &Config, selected: Vec<Selected>, started: DateTime<Utc>) -> Vec<Job> {
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
    groups
        .into_iter()
        .map(|group| job(config, group, started))
        .collect()
}

fn job(config: &Config, group: Vec<Selected>, started: DateTime<Utc>) -> Job {
    let mut warnings = Vec::new();
    let mut members: Vec<Member> = group
        .into_iter()
        .map(|mut sel| {
            warnings.extend(distrust_the_future(&mut sel, started));
            Member::new(config, sel)
        })
        .collect();
    let limit = config.page_size.to_string();
    let read = read(config, &mut members, &limit);
    let deletions = match config.emit_deletes {
        true => deletion_reads(config, &members, &limit),
        false => Vec::new(),
    };
    Job {
        members,
        read,
        deletions,
        warnings,
    }
}

impl Member {
    /// A selected stream before its read: its lower bound, and the window of
    /// the pass it left in progress.
    fn new(config: &Config, sel: Selected) -> Member {
        Member {
            lower: lower_bound(config, &sel),
            resumed: sel.bookmark.is_some(),
            window: sel.pass,
            sel,
            max_seen: None,
            records: 0,
            running: false,
            windowed: false,
            position: None,
            left_out: None,
            per_object: None,
            per_object_reads: 0,
            per_object_found: 0,
        }
    }
}

/// How the job's endpoint is read, by its lead stream's plan: one object,
/// each parent's child list, or lists.
fn read(config: &Config, members: &mut [Member], limit: &str) -> Read {
    let lead = members[0].sel.stream;
    let endpoint = lead.endpoint();
    match lead.plan() {
        ReadPlan::Single => Read::Single {
            path: endpoint.path,
        },
        ReadPlan::PerParent(parent) => Read::Children {
            parents: List {
                path: parent.path.to_string(),
                query: query(limit, parent.order_by, Vec::new()),
                stop: None,
            },
            children: List {
                path: endpoint.path.to_string(),
                query: query(limit, endpoint.order_by, Vec::new()),
                stop: None,
            },
            only: config.view_ids.clone(),
            large: config.large_view_items,
        },
        plan => Read::Lists(lists(config, plan, members, limit)),
    }
}

/// `limit` and `order_by` first, then the rest: the one place a list's
/// query is put together (the fetcher adds `cursor`).
fn query(
    limit: &str,
    order_by: Option<&str>,
    rest: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut query = vec![("limit".to_string(), limit.to_string())];
    if let Some(o) = order_by {
        query.push(("order_by".to_string(), o.to_string()));
    }
    query.extend(rest);
    query
}

/// A bookmark later than the sync's start was not written by a read that
/// saw it (every bookmark is clamped to its sync's start): trusted, it
/// would hide every change until that date. The stream is read as if it had
/// none, so nothing is lost, and said so.
fn distrust_the_future(sel: &mut Selected, started: DateTime<Utc>) -> Option<String> {
    if sel.mode != SyncMode::Incremental {
        sel.pass = None;
        return None;
    }
    let warning = sel.bookmark.as_ref().filter(|b| super::resume::from_the_future(b, started)).map(|b| {
        format!(
            "{}: the state's bookmark {} = {} is later than this sync's start ({}), so it cannot be trusted: the stream is read as if it had no bookmark (from `start_date`, if set), and the bookmark written back is at most the sync's start.",
            sel.stream.name(),
            b.cursor_field,
            datetime::format(&b.value),
            datetime::format(&started)
        )
    });
    if warning.is_some() {
        sel.bookmark = None;
        sel.pass = None;
    }
    if sel.pass.is_some_and(|p| p.top > started) {
        sel.pass = None;
    }
    warning
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

/// The lists of an endpoint read whole, newest first, filtered on the
/// server or once per value, and what each page of them means.
fn lists(config: &Config, plan: ReadPlan, members: &mut [Member], limit: &str) -> Lists {
    let lead = members[0].sel.stream;
    let common_lower = common_lower(members);
    let order = Order::of(lead, plan, members, common_lower);
    let partitions = partitions(lead, plan, common_lower);
    // One newest-first list per member is one pass, whose window (what it
    // has emitted) is checkpointed after every page; with several lists
    // the window of one says nothing of the next.
    let one_pass = order.stop.is_some() && partitions.len() == 1;
    for m in members.iter_mut() {
        m.windowed = one_pass && m.sel.mode == SyncMode::Incremental;
        if !m.windowed {
            m.window = None;
        }
    }
    let ascending = order.oldest_first || plan == ReadPlan::ServerFiltered;
    // A checkpoint claims every older record is out, which holds within
    // one pass only: lists read in several passes (macros' two sides)
    // checkpoint once they are all read.
    let checkpoint_pages = ascending && partitions.len() == 1;
    Lists {
        lists: partition_lists(config, lead, partitions, &order, limit),
        checkpoint_pages,
        one_pass,
        ascending,
    }
}

/// What every member leaves out: only that may be skipped, by a stop page
/// or by a server-side filter.
fn common_lower(members: &[Member]) -> Option<DateTime<Utc>> {
    members
        .iter()
        .map(|m| m.lower)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().min())
}

/// The order an endpoint's lists are read in, and where they may stop.
struct Order {
    order_by: Option<String>,
    /// A newest-first endpoint turned oldest first.
    oldest_first: bool,
    stop: Option<StopRule>,
}

impl Order {
    fn of(
        lead: &'static StreamDef,
        plan: ReadPlan,
        members: &[Member],
        common_lower: Option<DateTime<Utc>>,
    ) -> Order {
        let endpoint = lead.endpoint();
        // Newest first on a key that moves, a row that changes before the read
        // reaches it jumps above the cursor and is never returned: only a read
        // whose every member is incremental from a lower bound may go that way
        // (its next sync reads what moved, as it is newer than the bookmark
        // written). A full refresh reads oldest first, where a row that changes
        // moves ahead and is read again: its snapshot may hold a row twice,
        // never miss one.
        let snapshot =
            sort_key_moves(lead) && members.iter().any(|m| m.sel.mode != SyncMode::Incremental);
        let stop_below = common_lower.filter(|_| plan == ReadPlan::NewestFirst && !snapshot);
        let oldest_first = endpoint
            .oldest_first()
            .filter(|_| plan == ReadPlan::NewestFirst && stop_below.is_none());
        let stop = stop_below.and_then(|below| {
            Some(StopRule {
                field: lead.api_cursor()?,
                below,
            })
        });
        Order {
            oldest_first: oldest_first.is_some(),
            order_by: oldest_first.or(endpoint.order_by.map(str::to_string)),
            stop,
        }
    }
}

/// One list per partition: its own pairs, then the stream's filters.
fn partition_lists(
    config: &Config,
    lead: &'static StreamDef,
    partitions: Vec<Vec<(String, String)>>,
    order: &Order,
    limit: &str,
) -> Vec<List> {
    let filters: Vec<(String, String)> = lead
        .filters(config)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    partitions
        .into_iter()
        .map(|mut extra| {
            extra.extend(filters.iter().cloned());
            List {
                path: lead.endpoint().path.to_string(),
                query: query(limit, order.order_by.as_deref(), extra),
                stop: order.stop,
            }
        })
        .collect()
}

/// Whether a change to a row moves it in its newest-first order. A
/// creation time never moves: a newest-first read of one misses nothing
/// that existed when it began, and may stop at a start date.
pub(crate) fn sort_key_moves(stream: &StreamDef) -> bool {
    stream
        .api_cursor()
        .is_some_and(|field| field != "created_datetime")
}

/// The query pairs of each list an endpoint is read in: one per value of
/// the plan's parameter (or the server's time filter), times each side.
fn partitions(
    lead: &'static StreamDef,
    plan: ReadPlan,
    common_lower: Option<DateTime<Utc>>,
) -> Vec<Vec<(String, String)>> {
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
    let Some((param, values)) = lead.sides() else {
        return partitions;
    };
    partitions
        .into_iter()
        .flat_map(|p| {
            values.iter().map(move |v| {
                let mut p = p.clone();
                p.push((param.to_string(), v.to_string()));
                p
            })
        })
        .collect()
}

/// Hard deletes never show in a list: the event log is the only record of
/// them, read as its own stream declares it (endpoint, order, time field,
/// and its lookback for events written late). Only for resumed incremental
/// members whose objects can be deleted: what was deleted before a first
/// read is simply not listed. The type filter is asked of the server, and
/// checked again as the events are read.
fn deletion_reads(config: &Config, members: &[Member], limit: &str) -> Vec<DeletionRead> {
    // Always declared: the plan's unit tests read a deletion list from it.
    let Some(events) = streams::find("events") else {
        return Vec::new();
    };
    let (endpoint, Some(at)) = (events.endpoint(), events.api_cursor()) else {
        return Vec::new();
    };
    let wanted = |(i, m): (usize, &Member)| {
        let (Some(kind), Some(lower), true) = (
            m.sel.stream.deleted_by(),
            m.lower,
            m.resumed && m.sel.mode == SyncMode::Incremental,
        ) else {
            return None;
        };
        let from = lower
            .checked_sub_signed(events.lookback(config))
            .unwrap_or(lower);
        let rest = vec![
            ("types".to_string(), kind.to_string()),
            (format!("{at}[gte]"), datetime::format(&from)),
        ];
        Some(DeletionRead {
            member: i,
            kind,
            object_type: m.sel.stream.event_object_type(),
            at,
            list: List {
                path: endpoint.path.to_string(),
                query: query(limit, endpoint.order_by, rest),
                stop: None,
            },
        })
    };
    members.iter().enumerate().filter_map(wanted).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::{json, Value};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, day, 0, 0, 0).unwrap()
    }

    fn config(more: Value) -> Config {
        let mut c =
            json!({"domain": "acme", "email": "a@example.com", "api_key": "k", "page_size": 50});
        c.as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        Config::from_value(&c).unwrap()
    }

    fn sel(name: &str, mode: SyncMode, bookmark: Option<DateTime<Utc>>) -> Selected {
        let stream = streams::find(name).unwrap();
        Selected {
            stream,
            mode,
            bookmark: bookmark.map(|value| Bookmark {
                cursor_field: stream.cursor_field().unwrap().to_string(),
                value,
            }),
            pass: None,
        }
    }

    fn pairs(list: &List) -> Vec<(&str, &str)> {
        list.query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn lists(job: &Job) -> &Lists {
        match &job.read {
            Read::Lists(l) => l,
            _ => panic!("a list read"),
        }
    }

    #[test]
    fn a_first_incremental_read_goes_oldest_first_and_checkpoints_every_page() {
        let jobs = plan(
            &config(json!({})),
            vec![sel("customers", SyncMode::Incremental, None)],
            at(10),
        );
        let l = lists(&jobs[0]);
        assert_eq!(l.lists.len(), 1);
        assert_eq!(
            pairs(&l.lists[0]),
            [("limit", "50"), ("order_by", "updated_datetime:asc")]
        );
        assert_eq!(l.lists[0].stop, None);
        assert!(l.checkpoint_pages && l.ascending && !l.one_pass);
        assert!(jobs[0].deletions.is_empty() && jobs[0].warnings.is_empty());
    }

    #[test]
    fn a_resumed_read_goes_newest_first_to_its_stop_page_in_one_windowed_pass() {
        let mut resumed = sel("customers", SyncMode::Incremental, Some(at(5)));
        resumed.pass = Some(Pass {
            top: at(9),
            down_to: at(7),
        });
        let jobs = plan(&config(json!({})), vec![resumed], at(10));
        let l = lists(&jobs[0]);
        assert_eq!(
            pairs(&l.lists[0]),
            [("limit", "50"), ("order_by", "updated_datetime:desc")]
        );
        assert_eq!(
            l.lists[0].stop,
            Some(StopRule {
                field: "updated_datetime",
                below: at(5)
            })
        );
        assert!(l.one_pass && !l.checkpoint_pages && !l.ascending);
        let m = &jobs[0].members[0];
        assert!(m.windowed && m.resumed);
        assert_eq!(m.lower, Some(at(5)));
        assert_eq!(m.window.map(|w| (w.top, w.down_to)), Some((at(9), at(7))));
    }

    #[test]
    fn a_bookmark_from_the_future_is_read_as_none_and_said() {
        let jobs = plan(
            &config(json!({})),
            vec![sel("customers", SyncMode::Incremental, Some(at(20)))],
            at(10),
        );
        assert_eq!(jobs[0].warnings.len(), 1);
        assert!(jobs[0].warnings[0].contains("cannot be trusted"));
        assert_eq!(jobs[0].members[0].lower, None);
    }

    #[test]
    fn a_full_refresh_reads_the_whole_list_oldest_first() {
        let mut full = sel("customers", SyncMode::FullRefresh, Some(at(5)));
        full.pass = Some(Pass {
            top: at(9),
            down_to: at(7),
        });
        let jobs = plan(&config(json!({"emit_deletes": true})), vec![full], at(10));
        let l = lists(&jobs[0]);
        assert_eq!(
            pairs(&l.lists[0]),
            [("limit", "50"), ("order_by", "updated_datetime:asc")]
        );
        assert_eq!(l.lists[0].stop, None);
        assert!(l.ascending && !l.one_pass);
        let m = &jobs[0].members[0];
        assert_eq!((m.lower, m.window, m.windowed), (None, None, false));
        assert!(jobs[0].deletions.is_empty());
    }

    #[test]
    fn a_full_refresh_of_a_key_that_moves_never_stops_early_and_goes_oldest_first() {
        // A start date bounds a full refresh, yet it may not stop early:
        // rows older than it are left out on this side.
        let start = config(json!({"start_date": "2025-06-02"}));
        for name in ["tickets", "customers", "macros", "jobs", "ticket_messages"] {
            for c in [config(json!({})), start.clone()] {
                let jobs = plan(&c, vec![sel(name, SyncMode::FullRefresh, None)], at(10));
                let moves = sort_key_moves(jobs[0].lead());
                assert_eq!(moves, !["jobs", "ticket_messages"].contains(&name));
                for list in &lists(&jobs[0]).lists {
                    if moves || c.start_date.is_none() {
                        assert!(pairs(list)[1].1.ends_with(":asc"), "{name}");
                        assert_eq!(list.stop, None, "{name}");
                    } else {
                        // A creation time cannot move past the read: it may
                        // go newest first and stop at the start date.
                        assert!(pairs(list)[1].1.ends_with(":desc"), "{name}");
                        assert_eq!(list.stop.map(|s| s.below), c.start_date, "{name}");
                    }
                }
            }
        }
        // Shared pages: a full-refresh member makes the pass a snapshot.
        let jobs = plan(
            &start,
            vec![
                sel("tickets", SyncMode::FullRefresh, None),
                sel("ticket_tags", SyncMode::Incremental, Some(at(5))),
            ],
            at(10),
        );
        let l = lists(&jobs[0]);
        assert_eq!(pairs(&l.lists[0])[1], ("order_by", "updated_datetime:asc"));
        assert!(l.lists[0].stop.is_none() && l.checkpoint_pages);
    }

    #[test]
    fn tickets_and_ticket_tags_share_one_job_bounded_by_the_older_bookmark() {
        let jobs = plan(
            &config(json!({})),
            vec![
                sel("tickets", SyncMode::Incremental, Some(at(5))),
                sel("users", SyncMode::FullRefresh, None),
                sel("ticket_tags", SyncMode::Incremental, Some(at(3))),
            ],
            at(10),
        );
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].names(), "tickets + ticket_tags");
        let l = lists(&jobs[0]);
        assert_eq!(l.lists.len(), 1);
        assert_eq!(l.lists[0].path, "/tickets");
        assert_eq!(l.lists[0].stop.map(|s| s.below), Some(at(3)));
        assert_eq!(jobs[0].members[0].lower, Some(at(5)));
    }

    #[test]
    fn custom_fields_are_read_per_object_type_and_archived_side() {
        let jobs = plan(
            &config(json!({})),
            vec![sel("custom_fields", SyncMode::Incremental, Some(at(5)))],
            at(10),
        );
        let ReadPlan::EachOf { param, values } = jobs[0].lead().plan() else {
            panic!("custom fields are read per value");
        };
        let l = lists(&jobs[0]);
        assert_eq!(l.lists.len(), values.len() * 2);
        for (i, list) in l.lists.iter().enumerate() {
            let p = pairs(list);
            assert_eq!(&p[..2], [("limit", "50"), ("order_by", "priority:asc")]);
            assert_eq!(p[2], (param, values[i / 2]));
            assert_eq!(p[3], ("archived", ["false", "true"][i % 2]));
            assert_eq!(list.stop, None);
        }
        // Several lists: no page may claim every older row is out.
        assert!(!l.checkpoint_pages && !l.one_pass);
    }

    #[test]
    fn events_are_filtered_on_the_server_from_the_bookmark_less_the_lookback() {
        let jobs = plan(
            &config(json!({})),
            vec![sel("events", SyncMode::Incremental, Some(at(5)))],
            at(10),
        );
        let l = lists(&jobs[0]);
        assert_eq!(
            pairs(&l.lists[0]),
            [
                ("limit", "50"),
                ("order_by", "created_datetime:asc"),
                ("created_datetime[gte]", "2025-06-04T23:55:00Z")
            ]
        );
        assert!(l.checkpoint_pages && l.ascending && l.lists[0].stop.is_none());
    }

    #[test]
    fn deletions_are_read_only_for_a_resumed_incremental_read_with_emit_deletes() {
        let deletes = config(json!({"emit_deletes": true}));
        let resumed = || sel("tickets", SyncMode::Incremental, Some(at(5)));
        let cases = [
            (config(json!({})), resumed(), 0),
            (
                deletes.clone(),
                sel("tickets", SyncMode::Incremental, None),
                0,
            ),
            (
                deletes.clone(),
                sel("tickets", SyncMode::FullRefresh, Some(at(5))),
                0,
            ),
            (
                deletes.clone(),
                sel("users", SyncMode::Incremental, Some(at(5))),
                0,
            ),
            (deletes.clone(), resumed(), 1),
        ];
        for (i, (config, s, want)) in cases.into_iter().enumerate() {
            let jobs = plan(&config, vec![s], at(10));
            assert_eq!(jobs[0].deletions.len(), want, "case {i}");
        }
    }

    #[test]
    fn a_deletion_read_asks_the_event_log_for_its_type_from_the_bookmark_less_the_lookback() {
        let deletes = config(json!({"emit_deletes": true}));
        let resumed = sel("tickets", SyncMode::Incremental, Some(at(5)));
        let jobs = plan(&deletes, vec![resumed], at(10));
        let d = &jobs[0].deletions[0];
        assert_eq!(
            (d.member, d.kind, d.object_type, d.at),
            (0, "ticket-deleted", Some("Ticket"), "created_datetime")
        );
        assert_eq!(d.list.path, "/events");
        assert_eq!(
            pairs(&d.list),
            [
                ("limit", "50"),
                ("order_by", "created_datetime:asc"),
                ("types", "ticket-deleted"),
                ("created_datetime[gte]", "2025-06-04T23:55:00Z")
            ]
        );
    }
}
