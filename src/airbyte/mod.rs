//! The Airbyte face: `spec`, `check`, `discover`, `read`, one JSON message per
//! line on the writer it is given (stdout in the binary, a buffer in tests).

pub mod catalog;
mod messages;

use crate::client::{Client, Rotation};
use crate::config::{Config, RawConfig};
use crate::error::{Error, Redacting, Result};
use crate::schema::schema_for;
use crate::state::{Bookmark, Pass, StateInput};
use crate::streams::{self, StreamDef};
use crate::sync::{self, Level, Sink, StreamStatus};
use clap::{Parser, Subcommand};
use messages::Out;
use serde_json::{json, Value};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// An Airbyte source for the Gorgias helpdesk API.
#[derive(Parser, Debug)]
#[command(name = "source-gorgias", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the connector's spec (its config schema).
    Spec,
    /// Check that the config's credentials can read the account.
    Check {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Print the catalog of streams and their schemas.
    Discover {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Read the streams a configured catalog selects.
    Read {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// Diagnose a real account, stream by stream (not an Airbyte command).
    ///
    /// One small request per stream endpoint, and a table of what it
    /// answered: reachable, 403 or 404; the envelope; fields the mapping
    /// reads that the API did not send; fields the API sent that the mapping
    /// does not know; datetime forms; the rate-limit bucket. Prints field
    /// names only, never a value from the account or a credential.
    Probe {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Print one JSON document instead of the table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one command and returns the process exit code: 0 on success, else
/// the failure type's code (1 config, 2 usage, 3 transient, 4 system).
pub fn run(args: Vec<OsString>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let mut stderr = Redacting::new(stderr);
    let stderr: &mut dyn Write = &mut stderr;
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e, stdout, stderr),
    };
    // Not a protocol command: a table on stdout, errors as one sentence on
    // stderr, as a command-line tool's.
    if let Command::Probe { config, json } = &cli.command {
        let result = load_config(config).and_then(|c| crate::probe::run(&c, *json, stdout));
        return match result {
            Ok(()) => 0,
            Err(e) if e.output_closed => 0,
            Err(e) => {
                let _ = writeln!(stderr, "{}", e.message);
                e.failure.exit_code()
            }
        };
    }
    let mut out = Out::new(stdout);
    let result = match cli.command {
        Command::Spec => spec(&mut out),
        Command::Check { config } => check(&config, &mut out),
        Command::Discover { config } => discover(&config, &mut out),
        Command::Read {
            config,
            catalog,
            state,
        } => read(&config, &catalog, state.as_deref(), &mut out),
        Command::Probe { .. } => Ok(()),
    };
    let result = result.and_then(|()| out.flush().map_err(Error::output));
    match result {
        Ok(()) => 0,
        Err(e) if e.output_closed => 0,
        Err(e) => {
            // When stdout itself failed (a full disk), the error can only
            // be told on stderr.
            if out.trace_error(&e).and_then(|()| out.flush()).is_err() {
                let _ = writeln!(stderr, "{}", crate::error::redact(&e.message));
            }
            e.failure.exit_code()
        }
    }
}

fn usage_error(e: clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(stdout, "{}", e.render());
        return 0;
    }
    let rendered = e.render().to_string();
    let first = if matches!(
        e.kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand
    ) {
        "no command given".to_string()
    } else {
        // clap's message runs until its usage block; keep it on one line.
        let text = rendered
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split("\nFor more information")
            .next()
            .unwrap_or_default();
        let text = text.trim_start_matches("error: ");
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(['.', ':'])
            .to_string()
    };
    let sentence = format!(
        "Invalid command line: {first}. Run `source-gorgias --help` for the commands (spec, check, discover, read, probe)."
    );
    let mut out = Out::new(stdout);
    let _ = out.trace_error(&Error::config(sentence));
    let _ = out.flush();
    let _ = write!(stderr, "{rendered}");
    2
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "Cannot read the {what} file `{}`: {}. Pass the path of an existing JSON file.",
            path.display(),
            io_reason(&e)
        ))
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

fn load_config(path: &Path) -> Result<Config> {
    Ok(load_config_and_raw(path)?.0)
}

/// The config and the JSON it was read from, which a CONTROL message
/// repeats with a rotated token.
fn load_config_and_raw(path: &Path) -> Result<(Config, Value)> {
    let bytes = read_file(path, "config")?;
    let config = Config::from_slice(&bytes)?;
    let raw = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok((config, raw))
}

/// Passes a rotated refresh token on to the platform, as a CONNECTOR_CONFIG
/// control message with the whole config updated (Airbyte's way for
/// single-use refresh tokens), so the next sync starts from the new one.
struct RotationOut {
    rotation: Arc<Mutex<Option<Rotation>>>,
    raw: Value,
}

impl RotationOut {
    fn pass_on(&mut self, out: &mut Out) -> std::io::Result<()> {
        let Some(r) = self
            .rotation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return Ok(());
        };
        if let Some(creds) = self
            .raw
            .get_mut("credentials")
            .and_then(Value::as_object_mut)
        {
            creds.insert("access_token".into(), json!(r.access_token.expose()));
            creds.insert("refresh_token".into(), json!(r.refresh_token.expose()));
            if let Some(at) = r.expires_at {
                creds.insert(
                    "token_expiry_date".into(),
                    json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                );
            }
            out.control_config(&self.raw)?;
        }
        Ok(())
    }
}

/// The spec's `connectionSpecification`, generated from [`RawConfig`].
pub fn connection_specification() -> Value {
    let mut schema = schema_for::<RawConfig>();
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        o.insert("title".into(), json!("Gorgias Spec"));
        // Unknown keys are allowed: Airbyte adds its own, and configs
        // written for other Gorgias connectors carry theirs.
        o.insert("additionalProperties".into(), json!(true));
        // Airbyte's form builder (and CAT) want a oneOf under an object type.
        if let Some(c) = o
            .get_mut("properties")
            .and_then(|p| p.get_mut("credentials"))
        {
            c["type"] = json!("object");
        }
    }
    schema
}

pub fn spec_message() -> Value {
    json!({
        "type": "SPEC",
        "spec": {
            "documentationUrl": "https://developers.gorgias.com/reference/introduction",
            "connectionSpecification": connection_specification(),
            "supportsIncremental": true,
            "supported_destination_sync_modes": ["overwrite", "append", "append_dedup"]
        }
    })
}

fn spec(out: &mut Out) -> Result<()> {
    out.message(&spec_message()).map_err(Error::output)
}

fn check(config_path: &Path, out: &mut Out) -> Result<()> {
    let outcome = load_config_and_raw(config_path).and_then(|(config, raw)| {
        let mut client = Client::new(&config);
        let answer = client.check_account(&mut |m| {
            let _ = out.log(Level::Warn, m);
        });
        let mut rotation = RotationOut {
            rotation: client.rotation(),
            raw,
        };
        rotation.pass_on(out).map_err(Error::output)?;
        answer.map(|_| config)
    });
    let status = match outcome {
        Ok(config) => {
            json!({"status": "SUCCEEDED", "message": format!("Read the Gorgias account `{}`.", config.domain)})
        }
        Err(e) => json!({"status": "FAILED", "message": e.message}),
    };
    out.message(&json!({"type": "CONNECTION_STATUS", "connectionStatus": status}))
        .map_err(Error::output)
}

fn discover(config_path: &Path, out: &mut Out) -> Result<()> {
    // The catalog does not depend on the account, but a config that cannot
    // work is better refused here than at the first read.
    let config = load_config(config_path)?;
    out.message(&json!({"type": "CATALOG", "catalog": catalog::catalog(config.emit_deletes)}))
        .map_err(Error::output)
}

fn read(
    config_path: &Path,
    catalog_path: &Path,
    state_path: Option<&Path>,
    out: &mut Out,
) -> Result<()> {
    let (config, raw) = load_config_and_raw(config_path)?;
    let configured = catalog::parse_configured(&read_file(catalog_path, "catalog")?)?;
    let state = match state_path {
        Some(p) => StateInput::from_slice(&read_file(p, "state")?)?,
        None => StateInput::default(),
    };
    let mut selected = Vec::new();
    for (stream, mode) in configured {
        let (bookmark, pass) = match (mode, stream.cursor_field()) {
            (sync::SyncMode::Incremental, Some(field)) => (
                state.bookmark(stream.name(), field, stream.api_cursor())?,
                state.pass(stream.name()),
            ),
            _ => (None, None),
        };
        selected.push(sync::Selected {
            stream,
            mode,
            bookmark,
            pass,
        });
    }
    let started = sync::start_time();
    let mut client = Client::new(&config);
    let mut sink = AirbyteSink {
        out,
        rotation: RotationOut {
            rotation: client.rotation(),
            raw,
        },
    };
    let summary = sync::run(&config, &mut client, selected, started, &mut sink);
    // A token rotated in a failed sync must reach the platform all the same.
    sink.rotation.pass_on(sink.out).map_err(Error::output)?;
    let summary = summary?;
    let total: u64 = summary.records.iter().map(|(_, n)| n).sum();
    let requests: u64 = client.stats.by_path.values().sum();
    let failure = summary.failure();
    sink.log(
        Level::Info,
        &format!(
            "Sync {}: {total} records in {requests} requests ({} retried, {} answered 429), {:.1} requests/s against a limit of {:.0}.",
            if failure.is_some() { "finished with failed streams" } else { "complete" },
            client.stats.retries,
            client.budget.throttled,
            client.budget.achieved_rate(std::time::Instant::now()),
            client.budget.limit()
        ),
    )
    .map_err(Error::output)?;
    failure.map_or(Ok(()), Err)
}

struct AirbyteSink<'a, 'w> {
    out: &'a mut Out<'w>,
    rotation: RotationOut,
}

impl Sink for AirbyteSink<'_, '_> {
    fn record(&mut self, stream: &'static StreamDef, row: &[u8]) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.record(stream.name(), row)
    }

    fn checkpoint(
        &mut self,
        stream: &'static StreamDef,
        bookmark: Option<&Bookmark>,
        pass: Option<&Pass>,
        records: u64,
    ) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.message(&json!({
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {
                    "stream_descriptor": {"name": stream.name()},
                    "stream_state": Bookmark::to_state(bookmark, pass)
                },
                "sourceStats": {"recordCount": records as f64}
            }
        }))?;
        // A checkpoint is only worth something once the platform has it.
        self.out.flush()
    }

    fn status(&mut self, stream: &'static StreamDef, status: StreamStatus) -> std::io::Result<()> {
        let status = match status {
            StreamStatus::Started => "STARTED",
            StreamStatus::Running => "RUNNING",
            StreamStatus::Complete => "COMPLETE",
            StreamStatus::Incomplete => "INCOMPLETE",
        };
        self.out.trace(json!({
            "type": "STREAM_STATUS",
            "stream_status": {"stream_descriptor": {"name": stream.name()}, "status": status}
        }))
    }

    fn log(&mut self, level: Level, message: &str) -> std::io::Result<()> {
        self.rotation.pass_on(self.out)?;
        self.out.log(level, message)
    }

    /// As the CDK reports a stream that failed while the sync went on: a
    /// TRACE error carrying the stream's descriptor.
    fn failed(&mut self, stream: &'static StreamDef, error: &Error) -> std::io::Result<()> {
        self.out.trace_error_of(error, Some(stream.name()))
    }
}

/// Every stream's name, for sentences that list them.
pub fn stream_names() -> String {
    streams::ALL
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}
