//! The one read loop. Streams declare, this loop does: paging, the stop rule,
//! bookmarks, checkpoints, stream statuses and progress, for every face.
//!
//! Streams that read the same endpoint in the same order (tickets and
//! ticket_tags) share one pass over it.
//!
//! Where a stream's read must cover its whole history (a full refresh, or a
//! first incremental sync without a start date), it reads oldest first and
//! checkpoints after every page: the long first sync of a large account can
//! be killed anywhere and resumes from its last page, and a record changed
//! during the read moves to the end of the order, where the same read still
//! reaches it (a snapshot may hold it twice, never miss it). Where an
//! incremental read has a lower bound, it goes newest first and stops after
//! a whole page older than the bound; its bookmark moves only at the end of
//! the pass (until the stop page, older changes are unseen), but after every
//! page the state records the window the pass has emitted, and a killed pass
//! resumes around it. A record that changes under that pass is newer than
//! the bookmark it writes, so the next sync reads it.
//!
//! Each of these rules trusts the server to honour `order_by`. The fetcher
//! checks every page against it; on the first break it says so once, and
//! for the rest of the sync the job's lists are read to their end, emitted
//! whole and checkpointed only when read.
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
//! their parent list. Every list, whatever its plan, is paged by the fetcher.
//!
//! It is written in floors, each importing only the ones below it:
//! `read_loop` runs the jobs in turn and says when state may move; `emit`
//! maps each object to rows and hands them on; `checkpoint` moves a bookmark
//! or a pass's window that far; `fetcher` pages each planned list on a
//! second thread; `plan` decides all of the above before a request is made
//! (pure, and unit-tested), asking `resume` where each stream starts. What
//! the loop hands the faces is [`crate::sink`]'s contract.

mod checkpoint;
mod emit;
pub(crate) mod fetcher;
pub(crate) mod plan;
mod read_loop;
pub mod resume;

pub use crate::sink::{Level, Sink, StreamStatus};
pub use plan::{supports_incremental, Selected, SyncMode};
pub use read_loop::{run, start_time, Summary};
