//! `probe`: the first contact with a real account, diagnosed. The sandbox
//! was built from the same assumptions as the mappings, so only the real
//! API can say where they are wrong: one small request per endpoint, for
//! one object, shows whether the key may read it, the envelope it answers
//! with, the fields a mapping reads that it did not send, the fields it sent
//! that no mapping knows, and the datetime forms it uses.
//!
//! What is read comes from the mappings themselves: each stream maps the
//! sampled object through a recording [`RowContext`], and the lookups are
//! traced back to paths in the object. The request list comes from the
//! stream declarations, so a new stream is probed without a change here.
//!
//! Only names and classes are printed: a field's name, never its value; a
//! datetime's form, never the datetime; the endpoint's template
//! (`/views/{id}/items`), never the id that filled it. The one exception is
//! the list of views, names and ids, for choosing `view_ids`: they are the
//! account's own settings, not its customers' data.
//!
//! One file per step: `asking` makes the requests, `analysing` compares
//! mappings and answers, `report` holds the findings and `rendering` prints
//! them.

mod analysing;
mod asking;
mod rendering;
mod report;

pub use analysing::datetime_form;
pub use asking::probe;
pub use report::{Answer, Bucket, Report, StreamReport};

use crate::client::{Client, Rotation};
use crate::config::Config;
use crate::error::{Error, Result};
use std::io::Write;

/// Runs the probe for a face and writes the table (or the JSON document).
/// A refresh token rotated on the way goes to `pass_on` before anything
/// else is written or fails: the old one no longer works.
pub fn run(
    config: &Config,
    as_json: bool,
    out: &mut dyn Write,
    pass_on: &mut dyn FnMut(&mut dyn Write, &Rotation) -> Result<()>,
) -> Result<()> {
    let mut client = Client::new(config);
    client.use_check_budget();
    let report = probe(config, &mut client);
    if let Some(rotation) = client.rotation().take() {
        pass_on(out, &rotation)?;
    }
    let report = report?;
    // Field names are the server's text, and a server can name a field
    // after the key: the report passes the redactor like every message.
    if as_json {
        let mut report = report.to_json();
        crate::redact::redact_value(&mut report);
        serde_json::to_writer_pretty(&mut *out, &report).map_err(|e| Error::output(e.into()))?;
        out.write_all(b"\n").map_err(Error::output)?;
    } else {
        out.write_all(crate::redact::redact(&report.to_table()).as_bytes())
            .map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)
}
