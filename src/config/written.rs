//! A value as it was written, and the readers that turn it into a typed
//! value: absent, null and blank all mean "not set", numbers may come as
//! strings (UIs send them), and every refusal is one sentence naming the field.

use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// A number setting's range and default, written once beside its
/// declaration: the spec's attributes and the parser both read them, so
/// they cannot drift.
pub struct Setting<T> {
    pub min: T,
    pub max: T,
    pub default: T,
}

/// A config value as it was written, read by serde whatever its JSON type
/// (absent and null are both "not set"), and described in the spec as the
/// `T` it must be: validation, with its own sentences, comes after.
#[derive(Debug, Clone, Default)]
pub struct AsWritten<T> {
    value: Option<Value>,
    _spec: std::marker::PhantomData<T>,
}

/// A key's value, if it was written: a required key is an [`AsWritten`],
/// an optional one an `Option` of it, and both read the same.
pub(super) trait Written {
    fn written(&self) -> Option<&Value>;
}

impl<T> Written for AsWritten<T> {
    fn written(&self) -> Option<&Value> {
        self.value.as_ref().filter(|v| !v.is_null())
    }
}

impl<T> Written for Option<AsWritten<T>> {
    fn written(&self) -> Option<&Value> {
        self.as_ref().and_then(Written::written)
    }
}

impl<'de, T> Deserialize<'de> for AsWritten<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Through `Option`, so that a missing required key (`domain`) reads
        // as not set, to be refused with our sentence, not serde's.
        Ok(AsWritten {
            value: Option::<Value>::deserialize(d)?,
            _spec: std::marker::PhantomData,
        })
    }
}

impl<T: JsonSchema> JsonSchema for AsWritten<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A list setting as written: a JSON list, or a comma-separated string, as
/// Meltano and environment variables pass lists.
pub(super) fn written_list(field: &str, what: &str, written: Option<&Value>) -> Result<Vec<Value>> {
    match written {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| Value::String(item.to_string()))
            .collect()),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be a list of {what}, not {}.",
            type_name(other)
        ))),
    }
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(super) fn required_string(written: Option<&Value>, field: &str) -> Result<String> {
    match optional_string(written, field)? {
        Some(s) => Ok(s),
        None => Err(Error::config(format!(
            "Config field `{field}` is missing or empty: set it (see the connector's spec for what it holds)."
        ))),
    }
}

/// A string field; absent, null and blank all mean "not set".
pub(super) fn optional_string(written: Option<&Value>, field: &str) -> Result<Option<String>> {
    match written {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be a string, not {}.",
            type_name(other)
        ))),
    }
}

/// A true-or-false setting, false when not set; `"true"` and `"false"` are
/// accepted as UIs and environment variables send them.
pub(super) fn flag(written: Option<&Value>, field: &str) -> Result<bool> {
    match written {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(other) => Err(Error::config(format!(
            "Config field `{field}` must be true or false, not {}.",
            type_name(other)
        ))),
    }
}

/// A whole-number setting, its default when not set.
pub(super) fn int_setting(written: Option<&Value>, field: &str, s: &Setting<i64>) -> Result<i64> {
    Ok(optional_int(written, field, s.min, s.max)?.unwrap_or(s.default))
}

/// An integer field; numeric strings are accepted because UIs send them.
pub(super) fn optional_int(
    written: Option<&Value>,
    field: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>> {
    let n = match written {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::config(format!(
            "Config field `{field}` must be a whole number from {min} to {max}."
        ))),
    }
}

/// A fractional setting, its default when not set (only the rate share is
/// one, and its sentence says so).
pub(super) fn share_setting(written: Option<&Value>, field: &str, s: &Setting<f64>) -> Result<f64> {
    let n = match written {
        None | Some(Value::Null) => return Ok(s.default),
        Some(Value::String(t)) if t.trim().is_empty() => return Ok(s.default),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(t)) => t.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (s.min..=s.max).contains(&n) => Ok(n),
        _ => Err(Error::config(format!(
            "Config field `{field}` must be a number from {:?} to {:?} (the share of the account's rate limit this sync may use).",
            s.min, s.max
        ))),
    }
}
