//! The Singer face (tap-gorgias): `--discover` prints the catalog; a sync
//! prints SCHEMA, RECORD and STATE messages, one per line on the writer it is
//! given. Logs and errors go to the other writer, stdout carries only Singer
//! messages. [`Singer`] is the face's command line and how it tells a
//! failure (a CRITICAL line); [`crate::face::process`] makes it a process.

pub mod catalog;
mod config_file;

use crate::client::Client;
use crate::datetime;
use crate::error::{Error, Result};
use crate::face::{self, Face, PanicTo};
use crate::output::{write_json, write_line, FlushPacer};
use crate::redact::redact_value;
use crate::state::{Bookmark, Pass, StateInput};
use crate::streams::StreamDef;
use crate::sync::resume::{ReadFrom, Resume};
use crate::sync::{self, Level, Sink, StreamStatus, SyncMode};
use catalog::Choice;
use chrono::{DateTime, SubsecRound, Utc};
use clap::Parser;
use config_file::ConfigWriteBack;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A Singer tap for the Gorgias helpdesk API.
#[derive(Parser, Debug)]
#[command(name = "tap-gorgias", version, about)]
pub struct Singer {
    /// The config file: domain, email, api_key, and optional start_date, base_url, …
    #[arg(long, value_name = "FILE", required_unless_present = "about")]
    config: Option<PathBuf>,
    /// Print the catalog of streams, their schemas and metadata, and exit.
    #[arg(long)]
    discover: bool,
    /// The catalog selecting the streams and columns to sync (default: every stream).
    #[arg(long, value_name = "FILE", conflicts_with = "properties")]
    catalog: Option<PathBuf>,
    /// The legacy name of --catalog.
    #[arg(long, value_name = "FILE")]
    properties: Option<PathBuf>,
    /// The last STATE's value, to resume from its bookmarks.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Diagnose the account, stream by stream, instead of syncing.
    ///
    /// One small request per stream endpoint, and a table of what it
    /// answered: reachable, 403 or 404; the envelope; fields the mapping
    /// reads that the API did not send; fields the API sent that the mapping
    /// does not know; datetime forms; the rate-limit bucket. Prints field
    /// names only, never a value from the account or a credential, but the
    /// views' names and ids, to choose `view_ids` from.
    #[arg(long, conflicts_with_all = ["discover", "catalog", "properties"])]
    probe: bool,
    /// With --probe: print one JSON document instead of the table.
    #[arg(long, requires = "probe")]
    json: bool,
    /// Print the tap's name, description, capabilities and settings (as
    /// Meltano SDK taps do), and exit; no config needed.
    #[arg(long, conflicts_with_all = ["discover", "catalog", "properties", "state", "probe"])]
    about: bool,
    /// With --about: `json` or `markdown` (the default).
    #[arg(long, requires = "about", value_enum, default_value_t = AboutFormat::Markdown)]
    format: AboutFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum AboutFormat {
    Json,
    Markdown,
}

fn about(format: AboutFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        AboutFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &crate::plugin::about_json())
                .map_err(|e| Error::output(e.into()))?;
            out.write_all(b"\n").map_err(Error::output)
        }
        AboutFormat::Markdown => out
            .write_all(crate::plugin::about_markdown().as_bytes())
            .map_err(Error::output),
    }
}

impl Face for Singer {
    fn parse(args: Vec<OsString>) -> std::result::Result<Self, clap::Error> {
        Singer::try_parse_from(args)
    }

    fn run(&self, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<()> {
        match (&self.config, self.about) {
            (_, true) => about(self.format, stdout),
            // clap requires --config without --about.
            (None, false) => Ok(()),
            (Some(config), false) if self.probe => probe(config, self.json, stdout, stderr),
            // Meltano passes --state to discovery too; the catalog does not depend on it.
            (Some(config), false) if self.discover => discover(config, stdout),
            (Some(config), false) => {
                let catalog = self.catalog.as_deref().or(self.properties.as_deref());
                sync_streams(config, catalog, self.state.as_deref(), stdout, stderr)
            }
        }
    }

    fn usage_error(e: &clap::Error, _stdout: &mut dyn Write, stderr: &mut dyn Write) {
        let first = face::usage_problem(e);
        let _ = writeln!(
            stderr,
            "CRITICAL Invalid command line: {first}. Run `tap-gorgias --config config.json` to sync, or `tap-gorgias --help` for the options (--config, --discover, --catalog, --state, --probe, --about)."
        );
    }

    fn fatal(&self, e: &Error, stdout: &mut dyn Write, stderr: &mut dyn Write) {
        let _ = stdout.flush();
        let _ = writeln!(stderr, "CRITICAL {}", one_line(&e.message));
    }

    fn fatal_line(e: &Error) -> String {
        format!("CRITICAL {e}")
    }

    fn panic_line(at: &str) -> (PanicTo, String) {
        (
            PanicTo::Stderr,
            format!(
                "CRITICAL The tap hit an internal error{at} and stopped: please report it with the tap's version.\n"
            ),
        )
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `--probe`: a rotated refresh token is written back into the config file.
fn probe(config: &Path, json: bool, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<()> {
    let (c, raw) = face::load_config_and_raw(config)?;
    crate::probe::run(&c, json, stdout, &mut |_, rotation| {
        config_file::write_rotation(config, &raw, rotation, stderr).map_err(Error::output)
    })
}

fn discover(config_path: &Path, out: &mut dyn Write) -> Result<()> {
    // The catalog does not depend on the account, but a config that cannot
    // work is better refused here than at the first sync.
    let config = face::load_config(config_path)?;
    // Pretty, as Singer catalogs usually are: Meltano reads a tap's discover
    // output through a line reader capped at 64 KiB, and the 18 streams' catalog
    // on one line is longer than that.
    serde_json::to_writer_pretty(&mut *out, &catalog::catalog(config.emit_deletes))
        .map_err(|e| Error::output(e.into()))?;
    out.write_all(b"\n").map_err(Error::output)
}

fn sync_streams(
    config_path: &Path,
    catalog_path: Option<&Path>,
    state_path: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let (config, raw) = face::load_config_and_raw(config_path)?;
    let (choices, warnings) = load_choices(catalog_path)?;
    let state = face::load_state(state_path)?;
    let mut sink = SingerSink::new(out, err, &state);
    for w in &warnings {
        sink.log(Level::Warn, w).map_err(Error::output)?;
    }
    if choices.is_empty() {
        sink.log(
            Level::Warn,
            "The catalog selects no streams, so nothing is synced: mark streams `selected: true` in their metadata.",
        )
        .map_err(Error::output)?;
    }
    let started = sync::start_time();
    let selected = choices
        .into_iter()
        .map(|choice| sink.select(choice, &state, started, config.emit_deletes))
        .collect::<Result<Vec<_>>>()?;
    let mut client = Client::new(&config);
    sink.write_back = Some(ConfigWriteBack {
        slot: client.rotation(),
        path: config_path.to_path_buf(),
        raw,
    });
    let summary = sync::run(&config, &mut client, selected, started, &mut sink);
    // A token rotated in a failed sync must reach the file all the same.
    sink.pass_on_rotation().map_err(Error::output)?;
    // With failed streams too: the others' bookmarks are kept.
    let summary = summary?;
    sink.state().map_err(Error::output)?;
    let failure = summary.failure();
    sink.log(
        Level::Info,
        &face::closing_line(&client, &summary, failure.is_some()),
    )
    .map_err(Error::output)?;
    failure.map_or(Ok(()), Err)
}

/// The streams the catalog selects and what it says about them, or every
/// stream when no catalog is given.
fn load_choices(catalog_path: Option<&Path>) -> Result<(Vec<Choice>, Vec<String>)> {
    let Some(p) = catalog_path else {
        return Ok((Choice::every_stream(), Vec::new()));
    };
    let bytes = face::read_document(
        p,
        "catalog",
        "pass the catalog `tap-gorgias --discover` prints, with the streams to sync marked `selected`",
    )?;
    let parsed = catalog::parse(&bytes)?;
    Ok((parsed.choices, parsed.warnings))
}

/// How a stream's SCHEMA line says it is read: the resume decision,
/// rendered.
fn describe(mode: SyncMode, resume: Option<&Resume>) -> String {
    match (mode, resume.map(|r| &r.from)) {
        (SyncMode::FullRefresh, _) => "FULL_TABLE".to_string(),
        // The read loop warns why.
        (SyncMode::Incremental, Some(ReadFrom::TheFuture(_))) => {
            "INCREMENTAL, its bookmark from the future ignored".to_string()
        }
        (SyncMode::Incremental, Some(ReadFrom::Bookmark(b))) => format!(
            "INCREMENTAL from {} = {}",
            b.cursor_field,
            datetime::format(&b.value)
        ),
        (SyncMode::Incremental, _) => "INCREMENTAL from the start".to_string(),
    }
}

/// The Singer messages this tap writes but RECORD, which is framed by hand
/// around a row that is already JSON.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
enum Message<'a> {
    Schema {
        stream: &'a str,
        schema: Value,
        key_properties: [&'static str; 1],
        #[serde(skip_serializing_if = "Option::is_none")]
        bookmark_properties: Option<[&'static str; 1]>,
    },
    State {
        value: Bookmarks<'a>,
    },
}

#[derive(Serialize)]
struct Bookmarks<'a> {
    bookmarks: &'a Map<String, Value>,
}

/// A SCHEMA or a STATE, redacted: no text a server or a config sent can
/// carry a secret out.
fn write_message(out: &mut dyn Write, m: &Message) -> io::Result<()> {
    // Through a JSON value: its keys in the order every line had before.
    let mut m = serde_json::to_value(m).map_err(io::Error::from)?;
    redact_value(&mut m);
    write_line(out, &m)
}

/// What the sink needs to know of one selected stream.
struct StreamOut {
    /// Taken when the SCHEMA message is written: it is written once.
    schema: Option<Value>,
    cursor: Option<&'static str>,
    dropped: BTreeSet<String>,
    describe: String,
}

struct SingerSink<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    streams: HashMap<&'static str, StreamOut>,
    /// Every stream's bookmark so far, as the STATE value carries it.
    bookmarks: Map<String, Value>,
    /// The streams whose bookmark a printed STATE carries.
    stated: BTreeSet<String>,
    /// `time_extracted`, formatted once per millisecond.
    extracted: (i64, String),
    /// Where a rotated refresh token goes: the config file.
    write_back: Option<ConfigWriteBack>,
    /// Records reach the target at least once a second.
    pacer: FlushPacer,
}

impl<'a> SingerSink<'a> {
    /// Bookmarks of streams this run does not touch are carried forward, so
    /// the state it prints resumes every stream, not only the selected ones.
    fn new(out: &'a mut dyn Write, err: &'a mut dyn Write, state: &StateInput) -> Self {
        let bookmarks = state
            .streams
            .iter()
            .filter(|(_, value)| value.as_object().is_some_and(|o| !o.is_empty()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        SingerSink {
            out,
            err,
            streams: HashMap::new(),
            bookmarks,
            stated: BTreeSet::new(),
            extracted: (i64::MIN, String::new()),
            write_back: None,
            pacer: FlushPacer::new(),
        }
    }

    /// A stream the catalog chose, as the read loop takes it; what its
    /// state says is told now, and how it is read with its SCHEMA.
    fn select(
        &mut self,
        choice: Choice,
        state: &StateInput,
        started: DateTime<Utc>,
        emit_deletes: bool,
    ) -> Result<sync::Selected> {
        let stream = choice.stream;
        let (selected, resume) = face::select(stream, choice.mode, state, started)?;
        if let Some(w) = resume.as_ref().and_then(Resume::warning) {
            self.log(Level::Warn, w).map_err(Error::output)?;
        }
        if let Some(ReadFrom::TheFuture(_)) = resume.as_ref().map(|r| &r.from) {
            // Not carried forward either, whatever becomes of the read.
            self.bookmarks.remove(stream.name());
        }
        let out = StreamOut {
            schema: Some(choice.schema(emit_deletes)),
            cursor: choice.cursor(),
            describe: describe(choice.mode, resume.as_ref()),
            dropped: choice.dropped,
        };
        self.streams.insert(stream.name(), out);
        Ok(selected)
    }

    /// Writes a rotated refresh token into the config file before any
    /// other output, so nothing that fails after it can lose the token.
    fn pass_on_rotation(&mut self) -> io::Result<()> {
        match &self.write_back {
            Some(w) => w.pass_on(self.err),
            None => Ok(()),
        }
    }

    fn schema(&mut self, stream: &'static StreamDef) -> io::Result<()> {
        let Some(s) = self.streams.get_mut(stream.name()) else {
            return Ok(());
        };
        let Some(schema) = s.schema.take() else {
            return Ok(());
        };
        let line = format!("INFO {}: {}", stream.name(), s.describe);
        let m = Message::Schema {
            stream: stream.name(),
            schema,
            key_properties: [catalog::KEY],
            bookmark_properties: s.cursor.map(|c| [c]),
        };
        write_message(self.out, &m)?;
        // A target creates the table on SCHEMA: it need not wait for rows.
        self.flush()?;
        writeln!(self.err, "{line}")
    }

    /// Where a stream that stopped early resumes.
    fn stopped(&mut self, stream: &'static StreamDef) -> io::Result<()> {
        let name = stream.name();
        let resumes = if self.stated.contains(name) {
            "it resumes from the last STATE printed"
        } else if self.bookmarks.contains_key(name) {
            "it resumes from its bookmark in the state this sync was given"
        } else {
            "the next sync reads it again from the start"
        };
        writeln!(self.err, "WARN {name}: stopped before the end; {resumes}.")
    }

    /// The stream's SCHEMA (so nothing of it) is not out yet.
    fn schema_pending(&self, stream: &'static StreamDef) -> bool {
        self.streams
            .get(stream.name())
            .is_some_and(|s| s.schema.is_some())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pacer.flushed();
        self.out.flush()
    }

    fn state(&mut self) -> io::Result<()> {
        let m = Message::State {
            value: Bookmarks {
                bookmarks: &self.bookmarks,
            },
        };
        write_message(self.out, &m)?;
        self.stated.extend(self.bookmarks.keys().cloned());
        // A STATE is only worth something once the target has it.
        self.flush()
    }
}

impl Sink for SingerSink<'_> {
    fn record(&mut self, stream: &'static StreamDef, row: &[u8]) -> io::Result<()> {
        self.pass_on_rotation()?;
        self.schema(stream)?;
        let now = Utc::now();
        if self.extracted.0 != now.timestamp_millis() {
            self.extracted = (
                now.timestamp_millis(),
                datetime::format(&now.trunc_subsecs(3)),
            );
        }
        let out = &mut *self.out;
        out.write_all(br#"{"type":"RECORD","stream":"#)?;
        write_json(out, stream.name())?;
        out.write_all(br#","record":"#)?;
        out.write_all(row)?;
        out.write_all(br#","time_extracted":"#)?;
        write_json(out, &self.extracted.1)?;
        out.write_all(b"}\n")?;
        if self.pacer.record_due() {
            self.out.flush()?;
        }
        Ok(())
    }

    fn checkpoint(
        &mut self,
        stream: &'static StreamDef,
        bookmark: Option<&Bookmark>,
        pass: Option<&Pass>,
        _records: u64,
    ) -> io::Result<()> {
        self.pass_on_rotation()?;
        self.schema(stream)?;
        if bookmark.is_some() || pass.is_some() {
            self.bookmarks.insert(
                stream.name().to_string(),
                Bookmark::to_state(bookmark, pass),
            );
        } else {
            // No bookmark is the truth now (one from the future was
            // dropped): carrying the old one forward would bring it back.
            self.bookmarks.remove(stream.name());
        }
        self.state()
    }

    fn left_out(&self, stream: &'static StreamDef) -> Vec<String> {
        self.streams
            .get(stream.name())
            .map(|s| s.dropped.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn status(&mut self, stream: &'static StreamDef, status: StreamStatus) -> io::Result<()> {
        self.pass_on_rotation()?;
        match status {
            // Not before the stream's first answer: a sync that fails at
            // its first request (a wrong key, a wrong host) says so in one
            // sentence, with no SCHEMA of a table it never reads.
            StreamStatus::Started | StreamStatus::Running => Ok(()),
            // Before its STATE even with no rows, so a target can create
            // the table.
            StreamStatus::Complete => self.schema(stream),
            // Nothing out yet: a sync that ends here says why in its one
            // CRITICAL line; a stream that fails alone says it after its
            // ERROR line.
            StreamStatus::Incomplete if self.schema_pending(stream) => Ok(()),
            StreamStatus::Incomplete => self.stopped(stream),
        }
    }

    fn log(&mut self, level: Level, message: &str) -> io::Result<()> {
        self.pass_on_rotation()?;
        let level = match level {
            Level::Info => "INFO",
            Level::Warn => "WARN",
        };
        writeln!(self.err, "{level} {}", one_line(message))
    }

    /// Singer's way: an ERROR line for the stream, and the sync goes on.
    fn failed(&mut self, stream: &'static StreamDef, error: &Error) -> io::Result<()> {
        self.pass_on_rotation()?;
        writeln!(self.err, "ERROR {}", one_line(&error.message))?;
        if self.schema_pending(stream) {
            self.stopped(stream)?;
        }
        Ok(())
    }
}
