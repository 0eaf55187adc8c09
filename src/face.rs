//! What both faces do the same way, written once. [`process`] is a face's
//! whole `main`: the panic hook, the check for a closed stdout, the
//! buffered stdout and its last flush (a broken pipe is a clean exit), the
//! redacted stderr and the exit code of what happened; a face says only
//! how its protocol parses a command line, runs it, and tells a failure
//! (the [`Face`] trait). Beside it the helpers both faces call: reading the
//! files a command line names, loading the config, turning clap's error
//! into the sentence a usage error starts with, where each selected stream
//! resumes, and the closing line of a sync.

use crate::client::{Client, Rotation};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::redact::Redacting;
use crate::state::StateInput;
use crate::streams::{self, StreamDef};
use crate::sync::resume::Resume;
use crate::sync::{self, SyncMode};
use serde_json::Value;
use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// A protocol: how it reads its command line, runs a command, and tells
/// what went wrong. Everything else about a process is [`process`]'s.
pub trait Face: Sized + 'static {
    /// The command line, or clap's word on why it is not one.
    fn parse(args: Vec<OsString>) -> std::result::Result<Self, clap::Error>;
    /// The command: its output on `stdout`; `stderr` is already redacted.
    fn run(&self, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<()>;
    /// A command line that is not one (not `--help` or `--version`), told
    /// in the protocol's way; the process then exits with 2.
    fn usage_error(e: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write);
    /// A command that failed, told on its output when the protocol can.
    fn fatal(&self, e: &Error, stdout: &mut dyn Write, stderr: &mut dyn Write);
    /// A failure that no output can carry (stdout is closed or cannot be
    /// written), as one line for stderr.
    fn fatal_line(e: &Error) -> String;
    /// The line a panic ends the process with, and where it goes; `at` is
    /// ` at FILE:LINE`, or empty.
    fn panic_line(at: &str) -> (PanicTo, String);
}

/// Where a face's panic line is written.
pub enum PanicTo {
    Stdout,
    Stderr,
}

/// A face's whole process: runs the command line it was given and exits
/// with the code of what happened.
pub fn process<F: Face>() -> ! {
    on_panic::<F>();
    let mut err = io::stderr();
    if let Some(e) = crate::output::closed_stdout() {
        let _ = writeln!(err, "{}", F::fatal_line(&e));
        std::process::exit(e.failure.exit_code());
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let code = run::<F>(std::env::args_os().collect(), &mut out, &mut err);
    let code = match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe && code == 0 => {
            let _ = writeln!(err, "{}", F::fatal_line(&Error::output(e)));
            4
        }
        _ => code,
    };
    std::process::exit(code);
}

/// A bug on any thread must end the process at once as the face's one
/// panic line, never a backtrace and never a hang: the line is written past
/// std's locks (the read loop holds stdout's for the whole sync), and the
/// process exits with 4.
fn on_panic<F: Face>() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let (to, line) = F::panic_line(&at);
        let fd = match to {
            PanicTo::Stdout => 1,
            PanicTo::Stderr => 2,
        };
        crate::output::write_unlocked(fd, line.as_bytes());
        std::process::exit(4);
    }));
}

/// Runs one command line and returns the process exit code: 0 on success,
/// else the failure type's code (1 config, 2 usage, 3 transient, 4 system).
/// Every line on `stderr` passes the redactor: none can carry a secret.
pub fn run<F: Face>(args: Vec<OsString>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let mut stderr = Redacting::new(stderr);
    let stderr: &mut dyn Write = &mut stderr;
    let face = match F::parse(args) {
        Ok(face) => face,
        Err(e) => return usage_exit::<F>(&e, stdout, stderr),
    };
    let result = face
        .run(stdout, stderr)
        .and_then(|()| stdout.flush().map_err(Error::output));
    match result {
        Ok(()) => 0,
        Err(e) if e.output_closed => 0,
        Err(e) => {
            face.fatal(&e, stdout, stderr);
            e.failure.exit_code()
        }
    }
}

fn usage_exit<F: Face>(e: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(stdout, "{}", e.render());
        return 0;
    }
    F::usage_error(e, stdout, stderr);
    2
}

/// The bytes of a file the command line names; `what` says which file in
/// the sentence (config, catalog, state).
pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "Cannot read the {what} file `{}`: {}. Pass the path of an existing JSON file.",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// A file that must hold a JSON document (config, catalog): an empty one
/// is named and said to be empty, with `what_to_do`, rather than called
/// JSON that ends too early.
pub fn read_document(path: &Path, what: &str, what_to_do: &str) -> Result<Vec<u8>> {
    let bytes = read_file(path, what)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::config(format!(
            "The {what} file `{}` is empty: {what_to_do}.",
            path.display()
        )));
    }
    Ok(bytes)
}

/// What to do about an empty or unreadable config file.
pub const WRITE_CONFIG: &str = "write the config as a JSON object such as {\"domain\": \"acme\", \"email\": \"…\", \"api_key\": \"…\"}";

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

/// `check`'s look at the start date: one in the future reads no record,
/// and a sync that reads nothing would pass for one that worked.
pub fn start_date_in_the_past(config: &Config, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    match config.start_date {
        Some(start) if start > now => Err(Error::config(format!(
            "Config field `start_date` is {}, in the future, so no record would be read: set a date in the past, or leave it empty to read the whole history.",
            crate::datetime::format(&start)
        ))),
        _ => Ok(()),
    }
}

/// The state file a command line names, or no state: every stream from
/// the start.
pub fn load_state(path: Option<&Path>) -> Result<StateInput> {
    match path {
        Some(p) => StateInput::from_slice(&read_file(p, "state")?),
        None => Ok(StateInput::default()),
    }
}

/// The config file read and validated.
pub fn load_config(path: &Path) -> Result<Config> {
    Config::from_slice(&read_document(path, "config", WRITE_CONFIG)?)
}

/// Every stream's name, for sentences that list them.
pub fn stream_names() -> String {
    streams::ALL
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was wrong with a command line, in a few words without a full stop,
/// from clap's error kind and context rather than its rendered text (whose
/// layout is clap's to change): `unexpected argument '--confg' found`.
pub fn usage_problem(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(" ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    let problem = match e.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            Some("no command given".to_string())
        }
        ErrorKind::UnknownArgument => Some(format!("unexpected argument '{arg}' found")),
        ErrorKind::InvalidSubcommand => context(ContextKind::InvalidSubcommand)
            .map(|s| format!("unrecognized subcommand '{s}'")),
        ErrorKind::MissingRequiredArgument => Some(format!(
            "the following required arguments were not provided: {arg}"
        )),
        ErrorKind::InvalidValue => match context(ContextKind::InvalidValue) {
            Some(v) if !v.is_empty() => Some(format!("invalid value '{v}' for '{arg}'")),
            _ => Some(format!(
                "a value is required for '{arg}' but none was supplied"
            )),
        },
        ErrorKind::TooManyValues => context(ContextKind::InvalidValue)
            .map(|v| format!("unexpected value '{v}' for '{arg}' found; no more were expected")),
        ErrorKind::ArgumentConflict => context(ContextKind::PriorArg)
            .map(|prior| format!("the argument '{arg}' cannot be used with '{prior}'")),
        _ => None,
    };
    problem
        .filter(|p| !p.trim().is_empty())
        .or_else(|| {
            e.kind()
                .as_str()
                .map(|k| k.trim_end_matches('.').to_lowercase())
        })
        .unwrap_or_else(|| "invalid arguments".to_string())
}

/// A stream as the read loop takes it, and where it resumes when it is
/// read incrementally (`None`: from the beginning, every row).
pub fn select(
    stream: &'static StreamDef,
    mode: SyncMode,
    state: &StateInput,
    started: chrono::DateTime<chrono::Utc>,
) -> Result<(sync::Selected, Option<Resume>)> {
    let resume = match mode {
        SyncMode::Incremental => Resume::decide(stream, state, started)?,
        SyncMode::FullRefresh => None,
    };
    let selected = sync::Selected {
        stream,
        mode,
        bookmark: resume.as_ref().and_then(Resume::bookmark),
        pass: resume.as_ref().and_then(|r| r.pass),
    };
    Ok((selected, resume))
}

/// The closing line of a sync: records, requests, retries, the pace beside
/// the limit, and whether the API refused any request as over it.
pub fn closing_line(client: &Client, summary: &sync::Summary, failed: bool) -> String {
    let total: u64 = summary.records.iter().map(|(_, n)| n).sum();
    let refused = match client.throttled() {
        0 => "no request was refused as over the limit (429)".to_string(),
        1 => "1 request was refused as over the limit (429) and tried again".to_string(),
        n => format!("{n} requests were refused as over the limit (429) and tried again"),
    };
    format!(
        "Sync {}: {total} records in {} requests ({} retried) at {}; {refused}{}.",
        if failed {
            "finished with failed streams"
        } else {
            "complete"
        },
        client.requests(),
        client.retries(),
        client.pace(),
        view_items_share(summary, client.requests()),
    )
}

/// view_items' part of the requests: it reads every view whole on every
/// sync, which on a real account was most of an incremental sync's cost.
fn view_items_share(summary: &sync::Summary, total: u64) -> String {
    let made: u64 = summary
        .requests
        .iter()
        .filter(|(stream, _)| *stream == "view_items")
        .map(|(_, n)| n)
        .sum();
    if made == 0 || total == 0 {
        return String::new();
    }
    format!(
        "; view_items made {made} of them ({}%), reading every chosen view whole: `view_ids` limits it to the views you need",
        (made * 100 + total / 2) / total
    )
}

/// The config, and the JSON it was read from: what a rotated refresh token
/// is written back into, in the form the user gave it.
pub fn load_config_and_raw(path: &Path) -> Result<(Config, Value)> {
    let bytes = read_document(path, "config", WRITE_CONFIG)?;
    let config = Config::from_slice(&bytes)?;
    let raw = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok((config, raw))
}

/// The whole config with a rotated refresh token's new values, where the
/// config keeps its tokens (`credentials`, or the top level): every other
/// key as it was, as Airbyte's CDK updates the config it emits.
pub fn rotated_config(raw: &Value, rotation: &Rotation) -> Value {
    let mut config = raw.clone();
    let holder = match config.get("credentials") {
        Some(Value::Object(_)) => config.get_mut("credentials"),
        _ => Some(&mut config),
    };
    if let Some(tokens) = holder.and_then(Value::as_object_mut) {
        tokens.insert("access_token".into(), rotation.access_token.expose().into());
        tokens.insert(
            "refresh_token".into(),
            rotation.refresh_token.expose().into(),
        );
        match rotation.expires_at {
            Some(at) => tokens.insert(
                "token_expiry_date".into(),
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into(),
            ),
            // A date left from the old token would be wrong about the new one.
            None => tokens.remove("token_expiry_date"),
        };
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_a_start_date_in_the_future_in_one_sentence() {
        let config = |start: &str| {
            crate::config::Config::from_value(&serde_json::json!(
                {"domain": "acme", "email": "a@b.c", "api_key": "k", "start_date": start}))
            .unwrap()
        };
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert!(start_date_in_the_past(&config("2025-12-31"), now).is_ok());
        let e = start_date_in_the_past(&config("2030-01-01"), now).unwrap_err();
        assert_eq!(e.failure, crate::FailureType::Config);
        assert_eq!(
            e.message,
            "Config field `start_date` is 2030-01-01T00:00:00Z, in the future, so no record would be read: set a date in the past, or leave it empty to read the whole history."
        );
    }

    #[test]
    fn the_closing_line_says_the_requests_the_limit_and_whether_any_429_came() {
        let config = crate::config::Config::from_value(
            &serde_json::json!({"domain": "acme", "email": "a@b.c", "api_key": "k"}),
        )
        .unwrap();
        let mut client = Client::new(&config);
        let summary = sync::Summary {
            records: vec![("tickets", 7)],
            ..Default::default()
        };
        let line = closing_line(&client, &summary, false);
        assert_eq!(
            line,
            "Sync complete: 7 records in 0 requests (0 retried) at 0 requests in 0.0 s, within the first burst of a limit of 40 requests per 20 s; no request was refused as over the limit (429)."
        );
        client.budget.throttled(std::time::Instant::now(), None);
        let line = closing_line(&client, &summary, true);
        assert!(
            line.starts_with("Sync finished with failed streams: "),
            "{line}"
        );
        assert!(
            line.ends_with("; 1 request was refused as over the limit (429) and tried again."),
            "{line}"
        );
        assert!(!line.contains('%'), "{line}");
    }
}
