//! The protocol at the edges of a run: the configured-catalog command and
//! what `read` says when given the wrong one, a state that is a JSON string,
//! a closed standard output, and progress lines that reach the reader while
//! a request is slow or never answered.

#[path = "../common/mod.rs"]
mod common;

mod catalog_command;
mod output_edges;
mod progress_output;
