//! The face contract: what the read loop hands a protocol face (rows,
//! checkpoints, stream statuses, log lines), and nothing of how the face
//! writes them. It sits below both: the loop and the fetcher log through it
//! without knowing the face, and a face implements it without knowing the loop.

use crate::error::Error;
use crate::state::{Bookmark, Pass};
use crate::streams::StreamDef;
use std::io;

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
    /// The columns of `stream` the catalog deselected: its rows are written
    /// without them (bookkeeping columns are never among them).
    fn left_out(&self, _stream: &'static StreamDef) -> Vec<String> {
        Vec::new()
    }
    fn log(&mut self, level: Level, message: &str) -> io::Result<()>;
    /// A stream failed and the sync goes on with the others: why, once per
    /// stream (after its INCOMPLETE status).
    fn failed(&mut self, _stream: &'static StreamDef, error: &Error) -> io::Result<()> {
        self.log(Level::Warn, &error.message)
    }
}
