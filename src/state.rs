//! Bookmarks: where each incremental stream resumes. One bookmark per stream,
//! the greatest cursor value the stream has emitted, clamped to the sync's
//! start so a clock running ahead on the API side cannot push it past what a
//! later read will see. Input is read leniently (every state shape Airbyte
//! and PyAirbyte have written, unknown and repeated keys); what cannot be a
//! bookmark is refused with a sentence, never silently reset.

use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The stream's resume point: its cursor column and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub cursor_field: String,
    pub value: DateTime<Utc>,
}

/// A newest-first pass that has not reached its end: every object whose
/// cursor lies in `(down_to, top]` is out. A resumed pass emits only what
/// lies outside it (changes above `top`, and from `down_to` down to the
/// bookmark less its lookback), so each interrupted run moves `down_to`
/// further down. Written beside the bookmark as `"pass": {"top": …,
/// "down_to": …}`; the bookmark itself moves only when the pass ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub top: DateTime<Utc>,
    pub down_to: DateTime<Utc>,
}

impl Bookmark {
    /// The stream state as it is written out: `{"updated_at": "…"}`, with
    /// the pass in progress, if any, beside it.
    pub fn to_state(bookmark: Option<&Bookmark>, pass: Option<&Pass>) -> Value {
        let mut m = Map::new();
        if let Some(b) = bookmark {
            m.insert(
                b.cursor_field.clone(),
                Value::String(datetime::format(&b.value)),
            );
        }
        if let Some(p) = pass {
            let mut w = Map::new();
            w.insert("top".into(), Value::String(datetime::format(&p.top)));
            w.insert(
                "down_to".into(),
                Value::String(datetime::format(&p.down_to)),
            );
            m.insert(PASS_KEY.into(), Value::Object(w));
        }
        Value::Object(m)
    }
}

/// The key of the pass in progress in a stream's state.
pub const PASS_KEY: &str = "pass";

/// Raw per-stream states found in a state file, by stream name.
#[derive(Debug, Default, Clone)]
pub struct StateInput {
    pub streams: BTreeMap<String, Value>,
}

impl StateInput {
    /// Parses the bytes of a state file in any shape Airbyte has used:
    /// a list of STREAM/GLOBAL/LEGACY state messages (the payload alone or
    /// wrapped in `{"type": "STATE", "state": …}`), a legacy object keyed by
    /// stream name, a Singer `{"bookmarks": …}`, an empty file, `[]` or `null`.
    pub fn from_slice(bytes: &[u8]) -> Result<StateInput> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(StateInput::default());
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            Error::config(format!(
                "The state file is not valid JSON ({}): pass the last STATE the connector printed, or no state to read everything again.",
                if e.is_eof() { "it ends too early".to_string() } else { format!("error at line {} column {}", e.line(), e.column()) }
            ))
        })?;
        let mut out = StateInput::default();
        out.absorb(&v)?;
        Ok(out)
    }

    fn absorb(&mut self, v: &Value) -> Result<()> {
        match v {
            Value::Null => Ok(()),
            Value::Array(items) => items.iter().try_for_each(|i| self.absorb(i)),
            Value::Object(o) => {
                if let Some(inner) = o
                    .get("state")
                    .filter(|_| o.get("type").and_then(Value::as_str) == Some("STATE"))
                {
                    return self.absorb(inner);
                }
                match o.get("type").and_then(Value::as_str) {
                    Some("STREAM") => {
                        let stream = o.get("stream").ok_or_else(bad_shape)?;
                        let name = stream
                            .get("stream_descriptor")
                            .and_then(|d| d.get("name"))
                            .and_then(Value::as_str)
                            .ok_or_else(bad_shape)?;
                        let state = stream.get("stream_state").cloned().unwrap_or(Value::Null);
                        self.streams.insert(name.to_string(), state);
                        Ok(())
                    }
                    Some("GLOBAL") => {
                        let global = o.get("global").ok_or_else(bad_shape)?;
                        if let Some(Value::Array(states)) = global.get("stream_states") {
                            for s in states {
                                let name = s
                                    .get("stream_descriptor")
                                    .and_then(|d| d.get("name"))
                                    .and_then(Value::as_str)
                                    .ok_or_else(bad_shape)?;
                                let state = s.get("stream_state").cloned().unwrap_or(Value::Null);
                                self.streams.insert(name.to_string(), state);
                            }
                        }
                        Ok(())
                    }
                    Some("LEGACY") => match o.get("data") {
                        Some(d) => self.absorb_legacy(d),
                        None => Ok(()),
                    },
                    Some(other) => Err(Error::config(format!(
                        "The state has a `{}` entry, a state type this connector does not know: pass the last STATE it printed, or no state to read everything again.",
                        quote(other)
                    ))),
                    None => {
                        if let Some(b) = o.get("bookmarks") {
                            return self.absorb_legacy(b);
                        }
                        if let Some(d) = o.get("data").filter(|d| d.is_object()) {
                            return self.absorb_legacy(d);
                        }
                        self.absorb_legacy(v)
                    }
                }
            }
            _ => Err(bad_shape()),
        }
    }

    /// `{"tickets": {"updated_at": "…"}, …}`.
    fn absorb_legacy(&mut self, v: &Value) -> Result<()> {
        let o = v.as_object().ok_or_else(bad_shape)?;
        for (name, state) in o {
            // A state that is no object is kept too, so that the stream it
            // belongs to can be warned of (see `unreadable`).
            self.streams.insert(name.clone(), state.clone());
        }
        Ok(())
    }

    /// The warning for a stream whose state holds no bookmark that can be
    /// read (a JSON string, a number, a list): the stream is read again in
    /// full, and a user who hand-wrote `"tickets": "2024-06-01"` must be
    /// told why, as for a bookmark from the future.
    pub fn unreadable(&self, stream: &str) -> Option<String> {
        let state = self.streams.get(stream)?;
        let kind = match state {
            Value::Null | Value::Object(_) => return None,
            Value::String(_) => "a JSON string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true or false",
            Value::Array(_) => "a list",
        };
        Some(format!(
            "{stream}: the state of this stream is {kind} (`{}`), not an object holding its bookmark, so it cannot be read: the stream is read as if it had no bookmark (from `start_date`, if set). Pass the last STATE the connector printed to resume it.",
            quote(&state.to_string())
        ))
    }

    /// The bookmark of one stream, read from its state. Accepts the cursor
    /// column's name and, from older shapes, the API field's name.
    pub fn bookmark(
        &self,
        stream: &str,
        cursor_field: &str,
        api_field: Option<&str>,
    ) -> Result<Option<Bookmark>> {
        let Some(state) = self.streams.get(stream) else {
            return Ok(None);
        };
        let Some(obj) = state.as_object() else {
            return Ok(None);
        };
        let found = [Some(cursor_field), api_field]
            .into_iter()
            .flatten()
            .find_map(|k| obj.get(k).filter(|v| !v.is_null()));
        let Some(raw) = found else { return Ok(None) };
        let value = raw
            .as_str()
            .and_then(datetime::parse_user)
            .or_else(|| raw.as_i64().and_then(|secs| DateTime::from_timestamp(secs, 0)))
            .ok_or_else(|| {
                Error::config(format!(
                    "The state's bookmark for stream `{stream}` is `{}`, which is not a datetime: fix it to an RFC 3339 instant, or remove the stream's state to read it again from the start.",
                    quote(&raw.to_string())
                ))
            })?;
        Ok(Some(Bookmark {
            cursor_field: cursor_field.to_string(),
            value,
        }))
    }
}

impl StateInput {
    /// The newest-first pass a stream's state records as in progress. A
    /// pass that cannot be read (an older connector never wrote one; a hand
    /// edit) is no pass: the stream's pass then starts over, losing nothing.
    pub fn pass(&self, stream: &str) -> Option<Pass> {
        let p = self.streams.get(stream)?.get(PASS_KEY)?;
        let at = |k: &str| p.get(k)?.as_str().and_then(datetime::parse_user);
        let (top, down_to) = (at("top")?, at("down_to")?);
        (down_to <= top).then_some(Pass { top, down_to })
    }
}

fn bad_shape() -> Error {
    Error::config(
        "The state file does not have the shape of an Airbyte state: pass the last STATE the connector printed (or the list of them), or no state to read everything again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(input: &str, stream: &str) -> Result<Option<String>> {
        let s = StateInput::from_slice(input.as_bytes())?;
        Ok(s.bookmark(stream, "updated_at", Some("updated_datetime"))?
            .map(|b| datetime::format(&b.value)))
    }

    #[test]
    fn every_known_shape_reads() {
        let want = Some("2024-01-02T03:04:05Z".to_string());
        let shapes = [
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets","namespace":null},"stream_state":{"updated_at":"2024-01-02T03:04:05Z"}},"sourceStats":{"recordCount":5.0}}]"#,
            r#"{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"updated_at":"2024-01-02T03:04:05+00:00"}}}"#,
            r#"[{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"updated_at":"2024-01-02T03:04:05Z"}}}}]"#,
            r#"{"tickets":{"updated_datetime":"2024-01-02T03:04:05"}}"#,
            r#"{"type":"LEGACY","data":{"tickets":{"updated_at":"2024-01-02T03:04:05Z"}}}"#,
            r#"{"bookmarks":{"tickets":{"updated_at":"2024-01-02T03:04:05Z"}}}"#,
            r#"[{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"tickets"},"stream_state":{"updated_at":"2024-01-02T03:04:05Z"}}]}}]"#,
            r#"{"global_":1,"global_":2,"tickets":{"updated_at":"2024-01-02T03:04:05Z"}}"#,
        ];
        for s in shapes {
            assert_eq!(bm(s, "tickets").unwrap(), want, "{s}");
        }
    }

    #[test]
    fn empty_states_mean_no_bookmark() {
        for s in [
            "",
            "  ",
            "[]",
            "{}",
            "null",
            r#"{"tickets":{}}"#,
            r#"{"users":{"updated_at":"2024-01-01"}}"#,
        ] {
            assert_eq!(bm(s, "tickets").unwrap(), None, "{s}");
        }
    }

    #[test]
    fn a_pass_in_progress_is_written_and_read_back() {
        let at = |s: &str| datetime::parse_user(s).unwrap();
        let b = Bookmark {
            cursor_field: "updated_at".into(),
            value: at("2024-01-01T00:00:00Z"),
        };
        let p = Pass {
            top: at("2024-03-01T00:00:00Z"),
            down_to: at("2024-02-01T00:00:00Z"),
        };
        let state = serde_json::json!({"tickets": Bookmark::to_state(Some(&b), Some(&p))});
        let s = StateInput::from_slice(&serde_json::to_vec(&state).unwrap()).unwrap();
        assert_eq!(s.pass("tickets"), Some(p));
        assert_eq!(s.bookmark("tickets", "updated_at", None).unwrap(), Some(b));
        // The tap's bookmarks carry it the same way.
        let singer = serde_json::json!({"bookmarks": state});
        let s = StateInput::from_slice(&serde_json::to_vec(&singer).unwrap()).unwrap();
        assert_eq!(s.pass("tickets"), Some(p));
        // Older states have none; a pass upside down is no pass.
        for bad in [
            r#"{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}"#,
            r#"{"tickets":{"pass":{"top":"2024-01-01T00:00:00Z","down_to":"2024-02-01T00:00:00Z"}}}"#,
            r#"{"tickets":{"pass":{"top":"soon"}}}"#,
        ] {
            assert_eq!(
                StateInput::from_slice(bad.as_bytes())
                    .unwrap()
                    .pass("tickets"),
                None
            );
        }
    }

    #[test]
    fn garbage_is_refused_with_a_sentence() {
        for s in [
            "{",
            "garbage",
            "42",
            r#"[{"type":"PER_DIMENSION"}]"#,
            r#"{"tickets":{"updated_at":"soon"}}"#,
            r#"[{"type":"STREAM"}]"#,
        ] {
            let e = bm(s, "tickets").unwrap_err();
            assert_eq!(e.failure, crate::FailureType::Config, "{s}");
            assert!(e.message.ends_with('.'), "{s}");
        }
    }
}
