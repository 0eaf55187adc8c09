//! JSON Schemas for the rows and the spec: schemars, draft-07 (what Airbyte
//! reads), every subschema inlined (a UI cannot follow `$ref`s).

use crate::datetime;
use chrono::{DateTime, Utc};
use schemars::{generate::SchemaSettings, JsonSchema, Schema};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

pub fn schema_for<T: JsonSchema>() -> serde_json::Value {
    let mut settings = SchemaSettings::draft07();
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut v = schema.to_value();
    tidy(&mut v);
    if let Some(obj) = v.as_object_mut() {
        // Row schemas describe a record, not a document: the title and the
        // `$schema` of the root belong to the spec only (added by its caller).
        obj.remove("title");
    }
    v
}

/// Doc comments wrap lines; descriptions should not. schemars also adds
/// Rust's numeric formats (`int64`, `uint32`, `double`), which no JSON Schema
/// consumer we serve knows: only `date-time` means something downstream.
fn tidy(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            if let Some(serde_json::Value::String(d)) = o.get_mut("description") {
                *d = d.split_whitespace().collect::<Vec<_>>().join(" ");
            }
            if o.get("format").is_some_and(|f| f != "date-time") {
                o.remove("format");
            }
            o.values_mut().for_each(tidy);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// An instant as every row carries it: RFC 3339 UTC, typed for Airbyte as a
/// timestamp with time zone and for Singer as `format: date-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&datetime::format(&self.0))
    }
}

impl JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "airbyte_type": "timestamp_with_timezone"
        })
    }
}
