//! The Singer face (tap-gorgias): `--discover` prints the catalog; a sync
//! prints SCHEMA, RECORD and STATE messages, one per line on the writer it is
//! given. Logs and errors go to the other writer, stdout carries only Singer
//! messages.

pub mod catalog;
mod config_file;

use crate::client::Client;
use crate::datetime;
use crate::error::{redact_value, Error, Redacting, Result};
use crate::face;
use crate::output::{write_json, write_line, FlushPacer};
use crate::state::{Bookmark, Pass, StateInput};
use crate::streams::StreamDef;
use crate::sync::{self, Level, Sink, StreamStatus, SyncMode};
use catalog::Choice;
use chrono::{SubsecRound, Utc};
use clap::Parser;
use config_file::ConfigWriteBack;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A Singer tap for the Gorgias helpdesk API.
#[derive(Parser, Debug)]
#[command(name = "tap-gorgias", version, about)]
struct Cli {
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

/// Runs tap-gorgias and returns the process exit code: 0 on success, else
/// the failure type's code (1 config, 2 usage, 3 transient, 4 system).
pub fn run(args: Vec<OsString>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    // Every log line passes the redactor: none can carry a secret.
    let mut stderr = Redacting::new(stderr);
    let stderr: &mut dyn Write = &mut stderr;
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e, stdout, stderr),
    };
    let result = match (&cli.config, cli.about) {
        (_, true) => about(cli.format, stdout),
        // clap requires --config without --about.
        (None, false) => Ok(()),
        (Some(config), false) if cli.probe => {
            face::load_config_and_raw(config).and_then(|(c, raw)| {
                crate::probe::run(&c, cli.json, stdout, &mut |_, rotation| {
                    config_file::write_rotation(config, &raw, rotation, stderr)
                        .map_err(Error::output)
                })
            })
        }
        // Meltano passes --state to discovery too; the catalog does not depend on it.
        (Some(config), false) if cli.discover => discover(config, stdout),
        (Some(config), false) => {
            let catalog = cli.catalog.as_deref().or(cli.properties.as_deref());
            sync_streams(config, catalog, cli.state.as_deref(), stdout, stderr)
        }
    };
    let result = result.and_then(|()| stdout.flush().map_err(Error::output));
    match result {
        Ok(()) => 0,
        Err(e) if e.output_closed => 0,
        Err(e) => {
            let _ = stdout.flush();
            let _ = writeln!(stderr, "CRITICAL {}", one_line(&e.message));
            e.failure.exit_code()
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn usage_error(e: clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(stdout, "{}", e.render());
        return 0;
    }
    let first = crate::face::usage_problem(&e);
    let _ = writeln!(
        stderr,
        "CRITICAL Invalid command line: {first}. Run `tap-gorgias --config config.json` to sync, or `tap-gorgias --help` for the options (--config, --discover, --catalog, --state, --probe, --about)."
    );
    2
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
    let (choices, warnings) = match catalog_path {
        Some(p) => {
            let bytes = face::read_document(
                p,
                "catalog",
                "pass the catalog `tap-gorgias --discover` prints, with the streams to sync marked `selected`",
            )?;
            let parsed = catalog::parse(&bytes)?;
            (parsed.choices, parsed.warnings)
        }
        None => (Choice::every_stream(), Vec::new()),
    };
    let state = match state_path {
        Some(p) => StateInput::from_slice(&face::read_file(p, "state")?)?,
        None => StateInput::default(),
    };
    let mut sink = SingerSink {
        out,
        err,
        streams: HashMap::new(),
        bookmarks: Map::new(),
        stated: BTreeSet::new(),
        extracted: (i64::MIN, String::new()),
        write_back: None,
        pacer: FlushPacer::new(),
    };
    // Bookmarks of streams this run does not touch are carried forward, so
    // the state it prints resumes every stream, not only the selected ones.
    for (name, value) in &state.streams {
        if value.as_object().is_some_and(|o| !o.is_empty()) {
            sink.bookmarks.insert(name.clone(), value.clone());
        }
    }
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
    let mut selected = Vec::new();
    for choice in choices {
        let stream = choice.stream;
        let chosen = face::select(stream, choice.mode, &state)?;
        for w in face::unreadable_states(std::slice::from_ref(&chosen), &state) {
            sink.log(Level::Warn, &w).map_err(Error::output)?;
        }
        let bookmark = &chosen.bookmark;
        let describe = match (&choice.mode, bookmark) {
            // The read loop warns why.
            (SyncMode::Incremental, Some(b)) if b.value > started => {
                // Not carried forward either, whatever becomes of the read.
                sink.bookmarks.remove(stream.name());
                "INCREMENTAL, its bookmark from the future ignored".to_string()
            }
            (SyncMode::Incremental, Some(b)) => format!(
                "INCREMENTAL from {} = {}",
                b.cursor_field,
                datetime::format(&b.value)
            ),
            (SyncMode::Incremental, None) => "INCREMENTAL from the start".to_string(),
            (SyncMode::FullRefresh, _) => "FULL_TABLE".to_string(),
        };
        sink.streams.insert(
            stream.name(),
            StreamOut {
                schema: Some(choice.schema(config.emit_deletes)),
                cursor: choice.cursor(),
                dropped: choice.dropped.clone(),
                describe,
            },
        );
        selected.push(chosen);
    }
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

impl SingerSink<'_> {
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
        let mut m = json!({
            "type": "SCHEMA",
            "stream": stream.name(),
            "schema": schema,
            "key_properties": [catalog::KEY],
        });
        if let Some(c) = s.cursor {
            m["bookmark_properties"] = json!([c]);
        }
        let line = format!("INFO {}: {}", stream.name(), s.describe);
        redact_value(&mut m);
        write_line(self.out, &m)?;
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
        let mut m = json!({"type": "STATE", "value": {"bookmarks": self.bookmarks}});
        redact_value(&mut m);
        write_line(self.out, &m)?;
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
