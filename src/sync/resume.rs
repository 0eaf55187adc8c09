//! Where a stream read incrementally resumes, decided once from the state a
//! sync was given: from its bookmark; from the start, when the state holds
//! none for it or holds something that is not a bookmark (said in a
//! warning); or as if it had none, when its bookmark is later than the
//! sync's start. A bookmark that is not a datetime is refused in one
//! sentence. Pure: the faces render the decision (Singer's "INCREMENTAL
//! from …" line, which bookmarks it carries forward), and the plan reads
//! the stream from what it says.

use crate::error::Result;
use crate::state::{Bookmark, Pass, StateInput};
use crate::streams::StreamDef;
use chrono::{DateTime, Utc};

/// What a stream's state says about where its read starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFrom {
    /// The state holds no bookmark for the stream: read from the start
    /// (from `start_date`, if set).
    TheStart,
    /// The state holds a JSON string, a number or a list where an object
    /// with a bookmark was wanted: read from the start, and the warning
    /// says why, as a hand-written `"tickets": "2024-06-01"` needs.
    Unreadable { warning: String },
    /// From the bookmark.
    Bookmark(Bookmark),
    /// The bookmark is later than the sync's start: read as if there were
    /// none (see [`from_the_future`]).
    TheFuture(Bookmark),
}

/// Where one stream read incrementally resumes: its bookmark, and the
/// newest-first pass under way when the previous sync stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub from: ReadFrom,
    pub pass: Option<Pass>,
}

impl Resume {
    /// The decision for `stream` from `state`, for a sync that started at
    /// `started`; `None` when the stream has no cursor to resume on.
    pub fn decide(
        stream: &'static StreamDef,
        state: &StateInput,
        started: DateTime<Utc>,
    ) -> Result<Option<Resume>> {
        let Some(field) = stream.cursor_field() else {
            return Ok(None);
        };
        let name = stream.name();
        let from = match state.bookmark(name, field, stream.api_cursor())? {
            Some(b) if from_the_future(&b, started) => ReadFrom::TheFuture(b),
            Some(b) => ReadFrom::Bookmark(b),
            None => match state.unreadable(name) {
                Some(warning) => ReadFrom::Unreadable { warning },
                None => ReadFrom::TheStart,
            },
        };
        Ok(Some(Resume {
            from,
            pass: state.pass(name),
        }))
    }

    /// The bookmark the read loop is handed. One from the future is handed
    /// on too: the plan drops it when the stream's job starts, and says
    /// why there, among the job's lines.
    pub fn bookmark(&self) -> Option<Bookmark> {
        match &self.from {
            ReadFrom::Bookmark(b) | ReadFrom::TheFuture(b) => Some(b.clone()),
            ReadFrom::TheStart | ReadFrom::Unreadable { .. } => None,
        }
    }

    /// What the user is told before the sync starts.
    pub fn warning(&self) -> Option<&str> {
        match &self.from {
            ReadFrom::Unreadable { warning } => Some(warning),
            _ => None,
        }
    }
}

/// Every bookmark written is clamped to its sync's start, so one later than
/// this sync's start was not written by a read that saw it: trusted, it
/// would hide every change until that date.
pub fn from_the_future(bookmark: &Bookmark, started: DateTime<Utc>) -> bool {
    bookmark.value > started
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams;

    fn decide(state: &str, stream: &str) -> Result<Option<Resume>> {
        let state = StateInput::from_slice(state.as_bytes())?;
        let started = crate::datetime::parse_user("2026-01-01T00:00:00Z").unwrap();
        Resume::decide(streams::find(stream).unwrap(), &state, started)
    }

    fn from(state: &str) -> ReadFrom {
        decide(state, "tickets").unwrap().unwrap().from
    }

    #[test]
    fn a_bookmark_in_the_past_is_resumed_from() {
        let from = from(r#"{"tickets": {"updated_at": "2025-06-01T00:00:00Z"}}"#);
        assert!(matches!(&from, ReadFrom::Bookmark(b) if b.cursor_field == "updated_at"));
    }

    #[test]
    fn a_bookmark_from_the_future_is_named_and_still_handed_to_the_plan() {
        let resume = decide(
            r#"{"tickets": {"updated_at": "2030-01-01T00:00:00Z"}}"#,
            "tickets",
        )
        .unwrap()
        .unwrap();
        assert!(matches!(resume.from, ReadFrom::TheFuture(_)));
        assert!(resume.bookmark().is_some());
        assert_eq!(resume.warning(), None);
    }

    #[test]
    fn no_state_for_the_stream_reads_it_from_the_start() {
        assert_eq!(
            from(r#"{"users": {"updated_at": "2025-06-01"}}"#),
            ReadFrom::TheStart
        );
        assert_eq!(from("{}"), ReadFrom::TheStart);
    }

    #[test]
    fn state_that_is_no_object_reads_from_the_start_and_says_why() {
        let resume = decide(r#"{"tickets": "2024-06-01"}"#, "tickets")
            .unwrap()
            .unwrap();
        assert_eq!(resume.bookmark(), None);
        let warning = resume.warning().unwrap();
        assert!(
            warning.starts_with("tickets: the state of this stream is a JSON string"),
            "{warning}"
        );
    }

    #[test]
    fn a_bookmark_that_is_no_datetime_is_refused() {
        let e = decide(r#"{"tickets": {"updated_at": "soon"}}"#, "tickets").unwrap_err();
        assert_eq!(e.failure, crate::FailureType::Config);
    }

    #[test]
    fn a_stream_without_a_cursor_has_nothing_to_resume() {
        assert_eq!(decide("{}", "account").unwrap(), None);
    }
}
