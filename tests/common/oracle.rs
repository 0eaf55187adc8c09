//! The test oracle's own statements of the output's rules (schema subset,
//! datetime form, `__sync_key`), written independently of the crate.

use super::Run;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The subset of JSON Schema our schemas use: type (with null), format
/// date-time, properties. Unknown properties in a record are an error: a
/// destination would drop them.
pub fn validate(schema: &Value, v: &Value, path: &str) -> Result<(), String> {
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            _ => false,
        });
        if !ok {
            return Err(format!("{path}: {v} is not {types:?}"));
        }
    }
    if schema.get("format") == Some(&json!("date-time")) {
        if let Some(s) = v.as_str() {
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| format!("{path}: {s} is not date-time"))?;
            if !s.ends_with('Z') {
                return Err(format!("{path}: {s} is not UTC"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        v.as_object(),
    ) {
        for (k, val) in obj {
            let sub = props
                .get(k)
                .ok_or_else(|| format!("{path}.{k}: not declared in the schema"))?;
            validate(sub, val, &format!("{path}.{k}"))?;
        }
        if let Some(req) = schema.get("required").and_then(Value::as_array) {
            for r in req {
                let r = r.as_str().unwrap();
                if !obj.contains_key(r) {
                    return Err(format!("{path}.{r}: required but missing"));
                }
            }
        }
    }
    Ok(())
}

/// The test oracle's datetime rule, stated independently of the crate:
/// any form the sandbox sends, as RFC 3339 UTC with the fraction only when
/// there is one.
pub fn expected_ts(v: &Value) -> Value {
    use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
    let Some(s) = v.as_str() else {
        return Value::Null;
    };
    let s = s.replacen(' ', "T", 1);
    let dt = DateTime::parse_from_rfc3339(&s)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc()))
        .unwrap_or_else(|_| panic!("sandbox datetime {s}"));
    json!(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// The README's `__sync_key` formula: hex MD5 of the parts joined by `|`.
pub fn expected_key(parts: &[String]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(parts.join("|").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records by `__sync_key`, without `__synced_at` (the sync's own clock).
pub fn keyed(rows: &[&Value]) -> BTreeMap<String, Map<String, Value>> {
    rows.iter()
        .map(|r| {
            let mut o = r.as_object().unwrap().clone();
            o.remove("__synced_at");
            (o["__sync_key"].as_str().unwrap().to_string(), o)
        })
        .collect()
}

/// Every record fits its stream's declared schema.
pub fn assert_records_valid(run: &Run) {
    let schemas: BTreeMap<&str, Value> = source_gorgias::streams::ALL
        .iter()
        .map(|s| (s.name(), s.schema()))
        .collect();
    for m in run.of_type("RECORD") {
        let stream = m["record"]["stream"].as_str().unwrap();
        validate(&schemas[stream], &m["record"]["data"], stream).unwrap();
    }
}
