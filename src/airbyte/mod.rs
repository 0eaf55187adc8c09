//! The Airbyte face: `spec`, `check`, `discover`, `read`, one JSON message per
//! line on the writer it is given (stdout in the binary, a buffer in tests).
//! [`Airbyte`] is the face's command line and how it tells a failure (a
//! TRACE error); [`crate::face::process`] makes it a process.

pub mod catalog;
mod messages;

use crate::client::{Client, RotationSlot};
use crate::error::{Error, Result};
use crate::face::{self, Face, PanicTo};
use crate::state::{Bookmark, Pass};
use crate::streams::StreamDef;
use crate::sync::resume::Resume;
use crate::sync::{self, Level, Sink, StreamStatus};
use clap::{Parser, Subcommand};
use messages::{ConnectionStatus, Message, Out, Status};
use serde_json::Value;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An Airbyte source for the Gorgias helpdesk API.
#[derive(Parser, Debug)]
#[command(name = "source-gorgias", version, about)]
pub struct Airbyte {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the connector's spec (its config schema).
    Spec,
    /// Check that the config's credentials can read the account.
    Check {
        /// The config file: domain, email, api_key (or credentials), and optional start_date, base_url, …
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Print the catalog of streams and their schemas.
    Discover {
        /// The config file (the catalog offers `_ab_cdc_deleted_at` when it sets emit_deletes).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Print a configured catalog for `read` (not an Airbyte command).
    ///
    /// Every stream, or those `--streams` names, with its primary key; full
    /// refresh and overwrite, or with `--incremental` incremental and
    /// append_dedup (with the source's cursor) where the stream supports it.
    ///
    /// `ticket_custom_field_values` and `customer_custom_field_values` cost
    /// no request when the account's lists carry `custom_fields`; otherwise
    /// one request per ticket (customer) read, so a first full read takes
    /// about 2 h per 15,000 tickets at 40 requests per 20 s. A `start_date`
    /// bounds it, incremental reads ask for changed objects only, and
    /// `probe` says which path the account needs.
    Catalog {
        /// The config file (the catalog offers `_ab_cdc_deleted_at` when it sets emit_deletes).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The streams to select, comma-separated (default: every stream).
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        streams: Option<Vec<String>>,
        /// Read incrementally every selected stream that supports it.
        #[arg(long)]
        incremental: bool,
    },
    /// Read the streams a configured catalog selects.
    Read {
        /// The config file: domain, email, api_key (or credentials), and optional start_date, base_url, …
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The configured catalog: the streams to read and their sync modes (`source-gorgias catalog` prints one).
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        /// The state to resume from: the last STATE messages of the previous read.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// Diagnose a real account, stream by stream (not an Airbyte command).
    ///
    /// One small request per stream endpoint, and a table of what it
    /// answered: reachable, 403 or 404; the envelope; fields the mapping
    /// reads that the API did not send; fields the API sent that the mapping
    /// does not know; datetime forms; the rate-limit bucket. Prints field
    /// names only, never a value from the account or a credential, but the
    /// views' names and ids, to choose `view_ids` from (and first the
    /// CONTROL message with the new config when Gorgias rotated
    /// the OAuth2 refresh token).
    Probe {
        /// The config file of the account to probe.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Print one JSON document instead of the table.
        #[arg(long)]
        json: bool,
    },
}

impl Face for Airbyte {
    fn parse(args: Vec<OsString>) -> std::result::Result<Self, clap::Error> {
        Airbyte::try_parse_from(args)
    }

    fn run(&self, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<()> {
        match &self.command {
            Command::Probe { config, json } => probe(config, *json, stdout, stderr),
            Command::Catalog {
                config,
                streams,
                incremental,
            } => print_catalog(config, streams.as_deref(), *incremental, stdout),
            Command::Spec => spec(&mut Out::new(stdout)),
            Command::Check { config } => check(config, &mut Out::new(stdout)),
            Command::Discover { config } => discover(config, &mut Out::new(stdout)),
            Command::Read {
                config,
                catalog,
                state,
            } => read(config, catalog, state.as_deref(), &mut Out::new(stdout)),
        }
    }

    fn usage_error(e: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) {
        let first = face::usage_problem(e);
        let sentence = format!(
            "Invalid command line: {first}. Run `source-gorgias --help` for the commands (spec, check, discover, read, catalog, probe)."
        );
        let mut out = Out::new(stdout);
        let _ = out.trace_error(&Error::config(sentence));
        let _ = out.flush();
        let _ = write!(stderr, "{}", e.render());
    }

    fn fatal(&self, e: &Error, stdout: &mut dyn Write, stderr: &mut dyn Write) {
        // `probe` and `catalog` are not Airbyte's commands: they end as a
        // command-line tool's, with one sentence on stderr.
        if matches!(
            self.command,
            Command::Probe { .. } | Command::Catalog { .. }
        ) {
            let _ = writeln!(stderr, "{}", e.message);
            return;
        }
        // When stdout itself failed (a full disk), the error can only be
        // told on stderr.
        let mut out = Out::new(stdout);
        if out.trace_error(e).and_then(|()| out.flush()).is_err() {
            let _ = writeln!(stderr, "{}", crate::redact::redact(&e.message));
        }
    }

    fn fatal_line(e: &Error) -> String {
        e.to_string()
    }

    fn panic_line(at: &str) -> (PanicTo, String) {
        // After a line end, in case a buffered record was cut mid-line.
        (PanicTo::Stdout, format!("\n{}\n", Message::panic_trace(at)))
    }
}

/// Not a protocol command: a table on stdout, errors as one sentence on
/// stderr, as a command-line tool's.
fn probe(config: &Path, json: bool, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<()> {
    let (config, raw) = face::load_config_and_raw(config)?;
    crate::probe::run(&config, json, stdout, &mut |out, rotation| {
        Out::new(out)
            .control_config(&face::rotated_config(&raw, rotation))
            .and_then(|()| writeln!(stderr, "{PROBE_ROTATED}"))
            .map_err(Error::output)
    })
}

/// What `probe` tells the person at the terminal when the token rotated: the
/// platform is not listening, so the config must be stored by hand.
const PROBE_ROTATED: &str = "Gorgias replaced the OAuth2 refresh token, so the one in the config no longer works: the CONTROL message on the first line of the output holds the whole config with the new tokens; store it as the connector's config.";

/// `catalog`: a configured catalog, pretty, for a person to edit.
fn print_catalog(
    config: &Path,
    streams: Option<&[String]>,
    incremental: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let config = face::load_config(config)?;
    let catalog = catalog::configured_for(streams, incremental, config.emit_deletes)?;
    serde_json::to_writer_pretty(&mut *stdout, &catalog).map_err(|e| Error::output(e.into()))?;
    stdout.write_all(b"\n").map_err(Error::output)?;
    stdout.flush().map_err(Error::output)
}

/// Passes a rotated refresh token on to the platform, as a CONNECTOR_CONFIG
/// control message with the whole config updated (Airbyte's way for
/// single-use refresh tokens), so the next sync starts from the new one.
struct RotationOut {
    slot: Arc<RotationSlot>,
    raw: Value,
}

impl RotationOut {
    fn pass_on(&mut self, out: &mut Out) -> std::io::Result<()> {
        match self.slot.take() {
            Some(r) => out.control_config(&face::rotated_config(&self.raw, &r)),
            None => Ok(()),
        }
    }
}

pub use crate::config::connection_specification;

fn spec_of() -> Message<'static> {
    Message::Spec {
        spec: messages::Spec {
            documentation_url: crate::config::DOCUMENTATION_URL,
            connection_specification: connection_specification(),
            supports_incremental: true,
            supported_destination_sync_modes: &["overwrite", "append", "append_dedup"],
            advanced_auth: crate::plugin::advanced_auth(),
        },
    }
}

/// The SPEC message, as `spec` prints it.
pub fn spec_message() -> Value {
    spec_of().to_value()
}

fn spec(out: &mut Out) -> Result<()> {
    out.message(&spec_of()).map_err(Error::output)
}

fn check(config_path: &Path, out: &mut Out) -> Result<()> {
    let outcome = face::load_config_and_raw(config_path).and_then(|(config, raw)| {
        face::start_date_in_the_past(&config, chrono::Utc::now())?;
        let mut client = Client::new(&config);
        let answer = client.check_account(&mut |m| {
            let _ = out.log(Level::Warn, m);
        });
        let mut rotation = RotationOut {
            slot: client.rotation(),
            raw,
        };
        rotation.pass_on(out).map_err(Error::output)?;
        answer.map(|_| config)
    });
    let connection_status = match outcome {
        Ok(config) => ConnectionStatus {
            status: Status::Succeeded,
            message: format!("Read the Gorgias account `{}`.", config.domain),
        },
        Err(e) => ConnectionStatus {
            status: Status::Failed,
            message: e.message,
        },
    };
    out.message(&Message::ConnectionStatus { connection_status })
        .map_err(Error::output)
}

fn discover(config_path: &Path, out: &mut Out) -> Result<()> {
    // The catalog does not depend on the account, but a config that cannot
    // work is better refused here than at the first read.
    let config = face::load_config(config_path)?;
    out.message(&Message::Catalog {
        catalog: catalog::catalog(config.emit_deletes),
    })
    .map_err(Error::output)
}

fn read(
    config_path: &Path,
    catalog_path: &Path,
    state_path: Option<&Path>,
    out: &mut Out,
) -> Result<()> {
    let (config, raw) = face::load_config_and_raw(config_path)?;
    let catalog_bytes = face::read_document(
        catalog_path,
        "catalog",
        "pass a configured catalog (`source-gorgias catalog --config CONFIG` prints one)",
    )?;
    let configured = catalog::parse_configured(&catalog_bytes)?;
    let state = face::load_state(state_path)?;
    let started = sync::start_time();
    let (selected, resumes): (Vec<_>, Vec<_>) = configured
        .streams
        .into_iter()
        .map(|(stream, mode)| face::select(stream, mode, &state, started))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let warnings = configured.warnings.iter().map(String::as_str);
    for w in warnings.chain(resumes.iter().flatten().filter_map(Resume::warning)) {
        out.log(Level::Warn, w).map_err(Error::output)?;
    }
    let mut client = Client::new(&config);
    let mut sink = AirbyteSink {
        out,
        rotation: RotationOut {
            slot: client.rotation(),
            raw,
        },
        since_state: Vec::new(),
        left_out: configured.left_out,
    };
    let summary = sync::run(&config, &mut client, selected, started, &mut sink);
    // A token rotated in a failed sync must reach the platform all the same.
    sink.rotation.pass_on(sink.out).map_err(Error::output)?;
    let summary = summary?;
    let failure = summary.failure();
    sink.log(
        Level::Info,
        &face::closing_line(&client, &summary, failure.is_some()),
    )
    .map_err(Error::output)?;
    failure.map_or(Ok(()), Err)
}

struct AirbyteSink<'a, 'w> {
    out: &'a mut Out<'w>,
    rotation: RotationOut,
    /// Each stream's RECORDs since its previous STATE: the protocol's
    /// `sourceStats.recordCount`, which the platform checks against its own
    /// count of the records between two STATEs of the stream (airbyte-cdk's
    /// entrypoint counts per stream and resets at each STATE). A list, not
    /// a map: it is touched per record, and holds the few streams of a job.
    since_state: Vec<(&'static StreamDef, u64)>,
    /// The columns the configured catalog's `json_schema` leaves out.
    left_out: Vec<(&'static StreamDef, Vec<String>)>,
}

impl Sink for AirbyteSink<'_, '_> {
    fn record(&mut self, stream: &'static StreamDef, row: &[u8]) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.record(stream.name(), row)?;
        match self
            .since_state
            .iter_mut()
            .find(|(s, _)| s.name() == stream.name())
        {
            Some((_, n)) => *n += 1,
            None => self.since_state.push((stream, 1)),
        }
        Ok(())
    }

    fn checkpoint(
        &mut self,
        stream: &'static StreamDef,
        bookmark: Option<&Bookmark>,
        pass: Option<&Pass>,
        _records_so_far: u64,
    ) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        let records = self
            .since_state
            .iter_mut()
            .find(|(s, _)| s.name() == stream.name())
            .map_or(0, |(_, n)| std::mem::take(n));
        // Flushed, as every message but a RECORD: a checkpoint is only
        // worth something once the platform has it.
        self.out
            .state(stream.name(), Bookmark::to_state(bookmark, pass), records)
    }

    fn left_out(&self, stream: &'static StreamDef) -> Vec<String> {
        self.left_out
            .iter()
            .find(|(s, _)| s.name() == stream.name())
            .map(|(_, columns)| columns.clone())
            .unwrap_or_default()
    }

    fn status(&mut self, stream: &'static StreamDef, status: StreamStatus) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.stream_status(stream.name(), status)
    }

    fn log(&mut self, level: Level, message: &str) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.log(level, message)
    }

    /// As the CDK reports a stream that failed while the sync went on: a
    /// TRACE error carrying the stream's descriptor.
    fn failed(&mut self, stream: &'static StreamDef, error: &Error) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.trace_error_of(error, Some(stream.name()))
    }
}

/// Every stream's name, for sentences that list them.
pub use crate::face::stream_names;
