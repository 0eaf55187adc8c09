//! Airbyte protocol messages on a line writer.

use crate::error::{redact_value, Error};
use crate::output::{write_json, write_line};
use crate::sync::Level;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Out<'w> {
    w: &'w mut dyn Write,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl<'w> Out<'w> {
    pub fn new(w: &'w mut dyn Write) -> Self {
        Out { w }
    }

    /// Any message but a RECORD or a CONTROL: redacted, so no text a server
    /// or a config sent can carry a secret out.
    pub fn message(&mut self, m: &Value) -> io::Result<()> {
        let mut m = m.clone();
        redact_value(&mut m);
        write_line(self.w, &m)
    }

    /// The CONNECTOR_CONFIG control message: the one message that carries
    /// the config's secrets, because the platform must store the rotated
    /// token it holds. Flushed at once: the old token no longer works.
    pub fn control_config(&mut self, config: &Value) -> io::Result<()> {
        write_line(
            self.w,
            &json!({"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG",
                "emitted_at": now_ms() as f64, "connectorConfig": {"config": config}}}),
        )?;
        self.w.flush()
    }

    /// A RECORD around a row that is already JSON: written by hand, so the
    /// row is never parsed or serialised again.
    pub fn record(&mut self, stream: &str, data: &[u8]) -> io::Result<()> {
        let w = &mut *self.w;
        w.write_all(br#"{"type":"RECORD","record":{"stream":"#)?;
        write_json(w, stream)?;
        w.write_all(br#","data":"#)?;
        w.write_all(data)?;
        writeln!(w, r#","emitted_at":{}}}}}"#, now_ms())
    }

    pub fn log(&mut self, level: Level, message: &str) -> io::Result<()> {
        let level = match level {
            Level::Info => "INFO",
            Level::Warn => "WARN",
        };
        self.message(&json!({"type": "LOG", "log": {"level": level, "message": message}}))
    }

    pub fn trace(&mut self, mut trace: Value) -> io::Result<()> {
        trace["emitted_at"] = json!(now_ms() as f64);
        self.message(&json!({"type": "TRACE", "trace": trace}))
    }

    pub fn trace_error(&mut self, e: &Error) -> io::Result<()> {
        self.trace_error_of(e, None)
    }

    /// A TRACE error, naming the stream it ended when it ended only one.
    pub fn trace_error_of(&mut self, e: &Error, stream: Option<&str>) -> io::Result<()> {
        let mut error = json!({"message": e.message, "failure_type": e.failure.as_airbyte()});
        if let Some(d) = &e.detail {
            error["internal_message"] = json!(d);
        }
        if let Some(name) = stream {
            error["stream_descriptor"] = json!({"name": name});
        }
        self.trace(json!({"type": "ERROR", "error": error}))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}
