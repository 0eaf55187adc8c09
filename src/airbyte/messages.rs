//! Airbyte protocol messages: serde types for every message this source
//! writes, and the line writer that puts them out.
//!
//! Every message but a RECORD is built as one of [`Message`]'s variants,
//! turned into a JSON value, redacted and written; the one exception is the
//! RECORD line, framed by hand around a row that is already JSON, because a
//! sync writes millions of them and the row must not be parsed or
//! serialised twice.

use crate::error::Error;
use crate::output::{write_json, write_line, FlushPacer};
use crate::redact::redact_value;
use crate::sync::{Level, StreamStatus};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// One Airbyte message, tagged on `type` as the protocol has it.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Message<'a> {
    Spec {
        spec: Spec,
    },
    ConnectionStatus {
        #[serde(rename = "connectionStatus")]
        connection_status: ConnectionStatus,
    },
    Catalog {
        catalog: Value,
    },
    Log {
        log: Log<'a>,
    },
    Trace {
        trace: Trace<'a>,
    },
    State {
        state: State<'a>,
    },
    Control {
        control: Control<'a>,
    },
}

#[derive(Serialize)]
pub struct Spec {
    #[serde(rename = "documentationUrl")]
    pub documentation_url: &'static str,
    #[serde(rename = "connectionSpecification")]
    pub connection_specification: Value,
    #[serde(rename = "supportsIncremental")]
    pub supports_incremental: bool,
    pub supported_destination_sync_modes: &'static [&'static str],
    /// The OAuth consent flow Airbyte's UI runs ([`crate::plugin::advanced_auth`]).
    pub advanced_auth: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Succeeded,
    Failed,
}

#[derive(Serialize)]
pub struct ConnectionStatus {
    pub status: Status,
    pub message: String,
}

#[derive(Serialize)]
pub struct Log<'a> {
    pub level: &'static str,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct StreamDescriptor<'a> {
    pub name: &'a str,
}

#[derive(Serialize)]
pub struct Trace<'a> {
    pub emitted_at: f64,
    #[serde(flatten)]
    pub kind: TraceKind<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceKind<'a> {
    Error {
        error: TraceError<'a>,
    },
    StreamStatus {
        stream_status: StreamStatusTrace<'a>,
    },
}

#[derive(Serialize)]
pub struct TraceError<'a> {
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_message: Option<&'a str>,
    pub failure_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_descriptor: Option<StreamDescriptor<'a>>,
}

#[derive(Serialize)]
pub struct StreamStatusTrace<'a> {
    pub stream_descriptor: StreamDescriptor<'a>,
    pub status: &'static str,
}

/// A per-stream STATE (the only kind this source writes).
#[derive(Serialize)]
pub struct State<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stream: StreamState<'a>,
    #[serde(rename = "sourceStats")]
    pub source_stats: SourceStats,
}

#[derive(Serialize)]
pub struct StreamState<'a> {
    pub stream_descriptor: StreamDescriptor<'a>,
    pub stream_state: Value,
}

#[derive(Serialize)]
pub struct SourceStats {
    #[serde(rename = "recordCount")]
    pub record_count: f64,
}

#[derive(Serialize)]
pub struct Control<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub emitted_at: f64,
    #[serde(rename = "connectorConfig")]
    pub connector_config: ConnectorConfig<'a>,
}

#[derive(Serialize)]
pub struct ConnectorConfig<'a> {
    pub config: &'a Value,
}

impl Message<'_> {
    /// The message as a JSON value (keys in order, as every line before).
    pub fn to_value(&self) -> Value {
        // Only strings, numbers and JSON values: serialising cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Message<'_> {
    /// The TRACE a panic ends the process with: `at` is where it happened
    /// (` at FILE:LINE`, or empty), for the internal message.
    pub fn panic_trace(at: &str) -> Value {
        let internal = format!("panic{at}");
        Message::Trace {
            trace: Trace {
                emitted_at: now_ms() as f64,
                kind: TraceKind::Error {
                    error: TraceError {
                        message: "The connector hit an internal error and stopped: please report it with the connector's version.",
                        internal_message: Some(&internal),
                        failure_type: crate::FailureType::System.as_airbyte(),
                        stream_descriptor: None,
                    },
                },
            },
        }
        .to_value()
    }
}

pub struct Out<'w> {
    w: &'w mut dyn Write,
    pacer: FlushPacer,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl<'w> Out<'w> {
    pub fn new(w: &'w mut dyn Write) -> Self {
        Out {
            w,
            pacer: FlushPacer::new(),
        }
    }

    /// Any message but a RECORD or a CONTROL: redacted, so no text a server
    /// or a config sent can carry a secret out. Flushed at once: these are
    /// few, and each tells the platform where the sync is.
    pub fn message(&mut self, m: &Message) -> io::Result<()> {
        let mut m = m.to_value();
        redact_value(&mut m);
        write_line(self.w, &m)?;
        self.flush()
    }

    /// The CONNECTOR_CONFIG control message: the one message that carries
    /// the config's secrets, because the platform must store the rotated
    /// token it holds. Flushed at once: the old token no longer works.
    pub fn control_config(&mut self, config: &Value) -> io::Result<()> {
        let m = Message::Control {
            control: Control {
                kind: "CONNECTOR_CONFIG",
                emitted_at: now_ms() as f64,
                connector_config: ConnectorConfig { config },
            },
        };
        write_line(self.w, &m.to_value())?;
        self.flush()
    }

    /// A RECORD around a row that is already JSON: written by hand, so the
    /// row is never parsed or serialised again.
    pub fn record(&mut self, stream: &str, data: &[u8]) -> io::Result<()> {
        let w = &mut *self.w;
        w.write_all(br#"{"type":"RECORD","record":{"stream":"#)?;
        write_json(w, stream)?;
        w.write_all(br#","data":"#)?;
        w.write_all(data)?;
        writeln!(w, r#","emitted_at":{}}}}}"#, now_ms())?;
        if self.pacer.record_due() {
            self.w.flush()?;
        }
        Ok(())
    }

    pub fn log(&mut self, level: Level, message: &str) -> io::Result<()> {
        let level = match level {
            Level::Info => "INFO",
            Level::Warn => "WARN",
        };
        self.message(&Message::Log {
            log: Log { level, message },
        })
    }

    fn trace(&mut self, kind: TraceKind) -> io::Result<()> {
        self.message(&Message::Trace {
            trace: Trace {
                emitted_at: now_ms() as f64,
                kind,
            },
        })
    }

    pub fn stream_status(&mut self, stream: &str, status: StreamStatus) -> io::Result<()> {
        let status = match status {
            StreamStatus::Started => "STARTED",
            StreamStatus::Running => "RUNNING",
            StreamStatus::Complete => "COMPLETE",
            StreamStatus::Incomplete => "INCOMPLETE",
        };
        self.trace(TraceKind::StreamStatus {
            stream_status: StreamStatusTrace {
                stream_descriptor: StreamDescriptor { name: stream },
                status,
            },
        })
    }

    /// A per-stream STATE with the stream's records since its previous STATE.
    pub fn state(&mut self, stream: &str, stream_state: Value, records: u64) -> io::Result<()> {
        self.message(&Message::State {
            state: State {
                kind: "STREAM",
                stream: StreamState {
                    stream_descriptor: StreamDescriptor { name: stream },
                    stream_state,
                },
                source_stats: SourceStats {
                    record_count: records as f64,
                },
            },
        })
    }

    pub fn trace_error(&mut self, e: &Error) -> io::Result<()> {
        self.trace_error_of(e, None)
    }

    /// A TRACE error, naming the stream it ended when it ended only one.
    pub fn trace_error_of(&mut self, e: &Error, stream: Option<&str>) -> io::Result<()> {
        self.trace(TraceKind::Error {
            error: TraceError {
                message: &e.message,
                internal_message: e.detail.as_deref(),
                failure_type: e.failure.as_airbyte(),
                stream_descriptor: stream.map(|name| StreamDescriptor { name }),
            },
        })
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.pacer.flushed();
        self.w.flush()
    }
}
