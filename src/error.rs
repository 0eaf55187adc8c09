//! One error type for the whole connector. Every error carries the sentence a
//! user reads (what is wrong and what to do) and its failure type, which the
//! faces turn into an Airbyte TRACE error, a FAILED connection status, or a
//! Singer error line and exit code. The secrets those sentences must never
//! show are masked by [`crate::redact`].

use std::fmt;

use crate::redact::redact;

/// Text a server sent, fit to quote inside a sentence: redacted, capped at
/// 200 characters, on one line.
pub fn quote_server(text: &str) -> String {
    let text = redact(text);
    let mut out: String = text
        .chars()
        .take(200)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Who has to act on a failure: Airbyte's `failure_type` vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureType {
    /// The user must change something: config, catalog, state, credentials.
    Config,
    /// The network or the API failed after every retry; running again may work.
    Transient,
    /// Something the user cannot fix (the API sent what we cannot read, a bug).
    System,
}

impl FailureType {
    pub fn as_airbyte(self) -> &'static str {
        match self {
            FailureType::Config => "config_error",
            FailureType::Transient => "transient_error",
            FailureType::System => "system_error",
        }
    }

    /// Process exit codes, documented in README: 1 config, 2 usage (clap),
    /// 3 transient, 4 system.
    pub fn exit_code(self) -> i32 {
        match self {
            FailureType::Config => 1,
            FailureType::Transient => 3,
            FailureType::System => 4,
        }
    }
}

/// A failure with its user sentence. `detail` is for the internal message
/// (status codes, parser positions). Neither may hold a secret; the faces
/// [`redact`] both anyway, since server text can reflect one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub failure: FailureType,
    pub message: String,
    pub detail: Option<String>,
    /// The reader of our output went away (a closed pipe): the faces end
    /// quietly with success, as command-line tools do.
    pub output_closed: bool,
    /// How much of a sync the failure ends: see [`Reach`].
    pub reach: Reach,
}

/// What a failure during a sync dooms. A stream's own endpoint failing
/// (403, 404, retries exhausted, a list that cannot be read to its end)
/// ends that stream and the sync goes on with the others, as Airbyte's CDK
/// does; what every stream would meet again (credentials refused, a wrong
/// host, our own output gone) ends the sync at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Sync,
    Stream,
}

/// Shows a value the user gave inside a sentence: at most 80 characters,
/// control characters escaped, so an echoed value can neither break the
/// one-line message nor flood it.
pub fn quote(value: &str) -> String {
    // Only what would break the line: escaping quotes and backslashes too
    // reads as the value's JSON once the message is JSON-encoded.
    let mut out: String = value
        .chars()
        .take(80)
        .flat_map(|c| {
            let escape = c.is_control() || c == '\u{2028}' || c == '\u{2029}';
            let v: Vec<char> = if escape {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            v
        })
        .collect();
    if value.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The safety net under [`quote`]: whatever reaches a message stays on one line.
fn one_line(message: String) -> String {
    if message
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        message
            .chars()
            .flat_map(|c| {
                let escape = c.is_control() || c == '\u{2028}' || c == '\u{2029}';
                let v: Vec<char> = if escape {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                v
            })
            .collect()
    } else {
        message
    }
}

impl Error {
    pub fn config(message: impl Into<String>) -> Self {
        Error {
            failure: FailureType::Config,
            message: one_line(message.into()),
            detail: None,
            output_closed: false,
            reach: Reach::Sync,
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Error {
            failure: FailureType::Transient,
            message: one_line(message.into()),
            detail: None,
            output_closed: false,
            reach: Reach::Stream,
        }
    }

    pub fn system(message: impl Into<String>) -> Self {
        Error {
            failure: FailureType::System,
            message: one_line(message.into()),
            detail: None,
            output_closed: false,
            reach: Reach::Stream,
        }
    }

    /// Writing our own output failed.
    pub fn output(e: std::io::Error) -> Self {
        let mut err = Error::system(format!("Cannot write the connector's output: {e}."));
        err.output_closed = e.kind() == std::io::ErrorKind::BrokenPipe;
        err.reach = Reach::Sync;
        err
    }

    /// The failure ends only the stream that met it.
    pub fn for_stream(mut self) -> Self {
        self.reach = Reach::Stream;
        self
    }

    /// The failure ends the whole sync.
    pub fn for_sync(mut self) -> Self {
        self.reach = Reach::Sync;
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_capped_and_kept_on_one_line() {
        let q = quote_server(&format!("a\nb{}", "x".repeat(300)));
        assert!(q.starts_with("a\\nb"));
        assert!(q.ends_with('…'));
        assert!(q.chars().count() < 210);
    }
}
