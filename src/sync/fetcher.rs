//! The fetching thread: the speed layer's part in the read loop. Before it,
//! the loop requested, received and parsed a page, then mapped and wrote it,
//! each waiting on the other; with it, the next page is on its way while this
//! one is written. On the 20 000-ticket bench the wall-time rate went from
//! 42 988 to 127 335 records/s for the same CPU (docs/benchmarks.md,
//! "Connector optimisations", step 3). It asks for a page only when the page
//! will be read, one request at a time, so request counts and the rate
//! budget are what they would be without it; at most three pages are alive
//! (one fetched, one waiting, one mapped), so memory stays flat.
//!
//! What the loop sees of it: [`Pager::list`] hands it a planned [`List`] and
//! returns its [`Pages`], page by page, with the periodic progress line.
//!
//! It also checks each page against the `order_by` its list asked for
//! ([`SortCheck`]), since the stop page it judges and the loop's checkpoints
//! rely on it: on the first break it says so once, and the job trusts the
//! order no more ([`Pages::order_trusted`]).

use super::plan::{List, StopRule};
use crate::client::{Client, Page};
use crate::datetime;
use crate::error::{Error, Result};
use crate::json::Node;
use crate::sink::{Level, Sink};
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The client, shared between the read loop and the fetching thread.
pub(crate) fn lock<'a, 'c>(client: &'a Mutex<&'c mut Client>) -> MutexGuard<'a, &'c mut Client> {
    // A panic on the other thread ends the sync anyway; what the guard
    // protects (counters, the rate budget) is still sound to read.
    client.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One list for the fetcher to read to its end.
struct ListJob {
    path: String,
    /// Everything but `cursor`.
    query: Vec<(String, String)>,
    stop: Option<StopRule>,
    /// The job has not yet seen the server break the order it asked for.
    trusted: bool,
    names: String,
    delivery: SyncSender<Result<Delivery>>,
}

enum Delivery {
    /// A page, with the requests per second achieved so far.
    Page(Page, f64),
    /// The list could not be read on, and is read again from its start:
    /// the next page is its first.
    Restart(String),
    /// The next page breaks the order the list asked for: from it on, no
    /// page may be taken to say where the older rows are.
    Disorder(String),
    End,
}

/// A second thread that reads lists: it requests, receives and parses the
/// next page while the read loop maps and writes this one, so neither the
/// network nor the server nor the parse waits on the other. It asks for a
/// page only when it will be read (never past the end or the stop page), one
/// request at a time: the rate budget and the request count are what they
/// are without it. At most two pages wait for the loop, so memory stays flat.
pub(crate) struct Fetcher {
    jobs: Sender<ListJob>,
    /// The client's retries and long waits, said while the loop waits for
    /// a page.
    notices: Arc<Mutex<Vec<String>>>,
}

impl Fetcher {
    pub(crate) fn start<'scope>(
        scope: &'scope std::thread::Scope<'scope, '_>,
        client: &'scope Mutex<&mut Client>,
    ) -> Fetcher {
        let (jobs, job_rx) = mpsc::channel::<ListJob>();
        let notices = lock(client).notices();
        scope.spawn(move || {
            // Ends when the read loop drops its `Fetcher`.
            for job in job_rx {
                read_list(client, job);
            }
        });
        Fetcher { jobs, notices }
    }
}

/// How often the loop, waiting for a page, looks for retries to log.
const NOTICE_EVERY: Duration = Duration::from_millis(200);

/// How long the loop waits for a page in silence before it says so: the
/// progress line's period.
const STILL_WAITING: Duration = Duration::from_secs(10);

/// Since when the loop has waited for a page, and when it last said so.
struct Waiting {
    since: Instant,
    said: Instant,
}

impl Waiting {
    fn since(at: Instant) -> Waiting {
        Waiting {
            since: at,
            said: at,
        }
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
    let mut read = ListRead::default();
    let order = job.query.iter().find(|(k, _)| k == "order_by");
    let order = order.map_or("", |(_, o)| o.as_str());
    // Checked until the job's server first breaks its order (a list
    // without `order_by` has no stop page to trust).
    let mut sorted = SortCheck::new(order).filter(|_| job.trusted);
    let mut reads = 1;
    // Pages into the read at which a cursor was refused as expired.
    let mut expired_at: Option<u64> = None;
    loop {
        let (page, rate, status) = request(client, &job, &read);
        let fault = match page {
            Ok(page) => match deliver(&job, &mut read, &mut sorted, order, page, rate) {
                None => return,
                Some(Step::On) => continue,
                Some(Step::End) => break,
                Some(Step::Fault(fault)) => Ok(fault),
            },
            Err(e) => expired_cursor(e, status, &read, &mut expired_at),
        };
        match fault.and_then(|fault| read_again(&job, reads + 1, &fault)) {
            Ok(warning) => {
                reads += 1;
                read = ListRead::default();
                sorted = sorted.and(SortCheck::new(order));
                if !send(Ok(Delivery::Restart(warning))) {
                    return;
                }
            }
            Err(e) => {
                send(Err(e));
                return;
            }
        }
    }
    send(Ok(Delivery::End));
}

/// A request that failed: a page cursor refused as expired is a fault the
/// list is read again for; any other failure ends the list.
fn expired_cursor(
    e: Error,
    status: Option<u16>,
    read: &ListRead,
    expired_at: &mut Option<u64>,
) -> Result<String> {
    // Short-lived cursors expire: the list is read again, and only a
    // refusal at the very page it met before ends it.
    if read.cursor.is_none() || status != Some(400) {
        return Err(e);
    }
    if *expired_at == Some(read.pages) {
        return Err(Error::transient(format!(
            "{}, at the same page on two reads of the list from its start, so the list could not be read to its end and the stream's state stays where its records are: run the sync again later, and report it to Gorgias support if it persists.",
            e.message.trim_end_matches('.')
        )));
    }
    *expired_at = Some(read.pages);
    Ok("refused an expired page cursor (400 Bad Request)".to_string())
}

/// After a fault, the list's read number `next` from its start, with the
/// WARN that says so; past [`LIST_READS`], the list's failure.
fn read_again(job: &ListJob, next: u32, fault: &str) -> Result<String> {
    if next > LIST_READS {
        return Err(Error::transient(format!(
            "Gorgias {fault} in the list {} on each of {LIST_READS} reads, so the list could not be read to its end and the stream's state stays where its records are: run the sync again later, and report it to Gorgias support if it persists.",
            job.path
        )));
    }
    Ok(format!(
        "{}: Gorgias {fault} in the list {}: the list is read again from its start (read {next} of {LIST_READS}).",
        job.names, job.path
    ))
}

/// Where one read of a list, from its start, stands.
#[derive(Default)]
struct ListRead {
    cursor: Option<String>,
    /// What the page before asked the next request to carry besides its
    /// cursor (a view's `next_items` link: `direction`, `ignored_item`); it
    /// replaces a pair of the job's query with the same key.
    next_query: Vec<(String, String)>,
    seen: CursorLoop,
    empty_run: u32,
    /// Pages received.
    pages: u64,
}

/// What a page leads to.
enum Step {
    On,
    End,
    /// The list cannot be read on from here, for this reason.
    Fault(String),
}

impl ListRead {
    fn step(&mut self, page: &Page, stop: Option<StopRule>) -> Step {
        self.pages += 1;
        if stop.is_some_and(|s| s.is_stop_page(page)) {
            return Step::End;
        }
        let Some(next) = &page.next_cursor else {
            return page.dead_end.clone().map_or(Step::End, Step::Fault);
        };
        self.empty_run = if page.is_empty() {
            self.empty_run + 1
        } else {
            0
        };
        if let Some(fault) = fault(&mut self.seen, next, self.empty_run) {
            return Step::Fault(fault);
        }
        self.cursor = Some(next.clone());
        self.next_query = page.next_query.clone();
        Step::On
    }
}

/// Sends a page to the loop, after the news that it broke the order asked
/// for (a server that broke it may have older rows to come, so no page is a
/// stop page from then on), and says where it leads; `None` when the loop
/// stopped listening.
fn deliver(
    job: &ListJob,
    read: &mut ListRead,
    sorted: &mut Option<SortCheck>,
    order: &str,
    page: Page,
    rate: f64,
) -> Option<Step> {
    let send = |d: Result<Delivery>| job.delivery.send(d).is_ok();
    if sorted.as_mut().is_some_and(|s| !s.holds(&page)) {
        *sorted = None;
        if !send(Ok(Delivery::Disorder(disorder(job, order)))) {
            return None;
        }
    }
    let step = read.step(&page, job.stop.filter(|_| sorted.is_some()));
    send(Ok(Delivery::Page(page, rate))).then_some(step)
}

/// One page's request: the job's query with what the page before asked
/// for in place of the pairs of the same key, then the cursor; the
/// requests per second achieved so far, and the answer's HTTP status.
fn request(
    client: &Mutex<&mut Client>,
    job: &ListJob,
    read: &ListRead,
) -> (Result<Page>, f64, Option<u16>) {
    let next_query = &read.next_query;
    let mut query: Vec<(&str, &str)> = job
        .query
        .iter()
        .filter(|(k, _)| !next_query.iter().any(|(n, _)| n == k))
        .chain(next_query.iter())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Some(c) = &read.cursor {
        query.push(("cursor", c));
    }
    let mut client = lock(client);
    let page = client.get_page(&job.path, &query);
    let rate = client.budget.achieved_rate(Instant::now());
    (page, rate, client.stats.last_status)
}

/// The WARN that a list came out of the order it asked for, naming it.
fn disorder(job: &ListJob, order: &str) -> String {
    format!(
        "{}: Gorgias returned {} out of the order asked for (order_by={order}): for the rest of this sync its lists are read to their end, without an early stop or a checkpoint between pages, so no record is skipped.",
        job.names, job.path
    )
}

/// The order a list asked for (`order_by=field:asc|desc`), checked object
/// by object within each page and across pages: every early stop and
/// every checkpoint between pages relies on the server honouring it.
/// Ties and objects without a readable value are never a break.
pub(crate) struct SortCheck {
    field: String,
    descending: bool,
    last: Option<SortValue>,
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum SortValue {
    At(chrono::DateTime<chrono::Utc>),
    Number(f64),
}

impl SortCheck {
    pub(crate) fn new(order_by: &str) -> Option<SortCheck> {
        let (field, direction) = order_by.split_once(':')?;
        Some(SortCheck {
            field: field.to_string(),
            descending: direction == "desc",
            last: None,
        })
    }

    /// False when an object of `page` comes before one it should follow.
    pub(crate) fn holds(&mut self, page: &Page) -> bool {
        self.all_hold(page.objects())
    }

    pub(crate) fn all_hold<'d>(&mut self, objects: impl Iterator<Item = Node<'d>>) -> bool {
        for o in objects {
            let Some(next) = o.get(&self.field).and_then(|v| {
                v.as_str()
                    .and_then(datetime::parse_api)
                    .map(SortValue::At)
                    .or_else(|| v.as_f64().map(SortValue::Number))
            }) else {
                continue;
            };
            let broken = self.last.is_some_and(|last| {
                let comparable = matches!(
                    (last, next),
                    (SortValue::At(_), SortValue::At(_))
                        | (SortValue::Number(_), SortValue::Number(_))
                );
                comparable
                    && if self.descending {
                        next > last
                    } else {
                        next < last
                    }
            });
            if broken {
                return false;
            }
            self.last = Some(next);
        }
        true
    }
}

/// Why a list cannot be read on to its `next` page, when it cannot.
fn fault(seen: &mut CursorLoop, next: &str, empty_run: u32) -> Option<String> {
    if !seen.is_new(next) {
        Some("sent a page cursor it had already sent".to_string())
    } else if empty_run >= EMPTY_RUN {
        Some(format!(
            "sent {EMPTY_RUN} empty pages in a row, each naming a next page,"
        ))
    } else {
        None
    }
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
pub(crate) struct Pager<'n> {
    fetcher: &'n Fetcher,
    names: &'n str,
    began: Instant,
    pages: u64,
    objects: u64,
    last_log: Instant,
    /// No list of the job has broken the order it asked for.
    order_trusted: bool,
}

impl<'n> Pager<'n> {
    pub(crate) fn new(fetcher: &'n Fetcher, names: &'n str, began: Instant) -> Pager<'n> {
        Pager {
            fetcher,
            names,
            began,
            pages: 0,
            objects: 0,
            last_log: Instant::now(),
            order_trusted: true,
        }
    }
}

impl<'n> Pager<'n> {
    /// Starts reading a planned list.
    pub(crate) fn list(&mut self, list: &List) -> Pages<'_, 'n> {
        let (delivery, pages) = mpsc::sync_channel(1);
        let job = ListJob {
            path: list.path.clone(),
            query: list.query.clone(),
            stop: list.stop,
            trusted: self.order_trusted,
            names: self.names.to_string(),
            delivery,
        };
        // A fetcher that is gone shows as a closed channel on the first page.
        let _ = self.fetcher.jobs.send(job);
        Pages {
            pager: self,
            pages,
            path: list.path.clone(),
            ended: false,
            restarted: false,
        }
    }
}

/// One list as the fetcher delivers it, page by page.
pub(crate) struct Pages<'p, 'n> {
    pager: &'p mut Pager<'n>,
    pages: Receiver<Result<Delivery>>,
    path: String,
    ended: bool,
    /// The list started over before the page last returned.
    restarted: bool,
}

impl Pages<'_, '_> {
    /// True once after the list started over: the page just returned is
    /// its first again.
    pub(crate) fn restarted(&mut self) -> bool {
        std::mem::take(&mut self.restarted)
    }

    /// False once a list of the job broke the order it asked for: no page
    /// then says that every older row is out.
    pub(crate) fn order_trusted(&self) -> bool {
        self.pager.order_trusted
    }

    /// The next page, or `None` at the end of the list.
    pub(crate) fn next(&mut self, sink: &mut dyn Sink) -> Result<Option<Page>> {
        let mut waiting = Waiting::since(Instant::now());
        while !self.ended {
            let delivery = match self.pages.recv_timeout(NOTICE_EVERY) {
                Ok(d) => d,
                Err(RecvTimeoutError::Timeout) => {
                    self.still_waiting(&mut waiting, sink)?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::system(
                        "The connector's page-fetching thread stopped unexpectedly: please report this.",
                    )
                    .for_sync())
                }
            };
            self.tell_notices(sink)?;
            let delivery = delivery?;
            match delivery {
                Delivery::Page(page, rate) => {
                    self.progress(&page, rate, sink)?;
                    return Ok(Some(page));
                }
                Delivery::Restart(w) => {
                    self.restarted = true;
                    sink.log(Level::Warn, &w).map_err(Error::output)?
                }
                Delivery::Disorder(w) => {
                    self.pager.order_trusted = false;
                    sink.log(Level::Warn, &w).map_err(Error::output)?
                }
                Delivery::End => self.ended = true,
            }
        }
        Ok(None)
    }

    /// While no page comes: the client's retries as they happen, and when
    /// it has nothing to say (a request the server holds open), a line
    /// every [`STILL_WAITING`], so a sync that waits is never silent.
    fn still_waiting(&self, waiting: &mut Waiting, sink: &mut dyn Sink) -> Result<()> {
        if self.tell_notices(sink)? {
            waiting.said = Instant::now();
        } else if waiting.said.elapsed() >= STILL_WAITING {
            waiting.said = Instant::now();
            let line = format!(
                "{}: still waiting for Gorgias to answer {} ({:.0}s so far).",
                self.pager.names,
                self.path,
                waiting.since.elapsed().as_secs_f64()
            );
            sink.log(Level::Info, &line).map_err(Error::output)?;
        }
        Ok(())
    }

    /// Logs what the client said of retries and long waits since the last
    /// look; true when it said anything.
    fn tell_notices(&self, sink: &mut dyn Sink) -> Result<bool> {
        let notices = std::mem::take(
            &mut *self
                .pager
                .fetcher
                .notices
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for n in &notices {
            sink.log(Level::Warn, n).map_err(Error::output)?;
        }
        Ok(!notices.is_empty())
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

#[cfg(test)]
mod tests {
    use super::{CursorLoop, SortCheck};
    use crate::json::Doc;
    use serde_json::json;

    /// Whether the pages, in turn, keep the order `order_by` asked for.
    fn in_order(order_by: &str, pages: &[serde_json::Value]) -> bool {
        let mut check = SortCheck::new(order_by).unwrap();
        pages.iter().all(|p| {
            let doc = Doc::from_value(p);
            check.all_hold(doc.root().elements())
        })
    }

    #[test]
    fn the_order_asked_for_is_checked_within_and_across_pages() {
        let at = |d: u32| json!({"updated_datetime": format!("2024-01-{d:02}T00:00:00+00:00")});
        let desc = "updated_datetime:desc";
        let asc = "updated_datetime:asc";
        assert!(in_order(
            desc,
            &[json!([at(9), at(8)]), json!([at(8), at(3)])]
        ));
        assert!(in_order(asc, &[json!([at(1), at(1)]), json!([at(2)])]));
        // Within a page, and across the page boundary.
        assert!(!in_order(desc, &[json!([at(9), at(3), at(8)])]));
        assert!(!in_order(desc, &[json!([at(9), at(8)]), json!([at(10)])]));
        assert!(!in_order(asc, &[json!([at(2)]), json!([at(1)])]));
        // Other forms of the same instant are ties; unreadable values and
        // objects without the field say nothing.
        let naive = json!({"updated_datetime": "2024-01-09T00:00:00"});
        let z = json!({"updated_datetime": "2024-01-09T00:00:00Z"});
        assert!(in_order(
            desc,
            &[json!([z, naive, {"id": 1}, {"updated_datetime": "soon"}, at(8)])]
        ));
        // A number key (custom fields' priority).
        assert!(in_order(
            "priority:asc",
            &[json!([{"priority": 1}, {"priority": 2}])]
        ));
        assert!(!in_order(
            "priority:asc",
            &[json!([{"priority": 2}, {"priority": 1}])]
        ));
        assert!(SortCheck::new("").is_none());
    }

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
