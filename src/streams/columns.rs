//! Column types for the streams that carry the API object's own fields.

use super::obj::Obj;
use crate::json::Node;
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// A nested object or list kept whole: its keys are dynamic (a customer's
/// `integrations` is keyed by integration id) or its shape is Gorgias's to
/// change (macro actions, rule ASTs), so flattening it would drop data. The
/// schema names the JSON types rather than `{}`, which some destinations
/// type as a string. Only for a field whose type is truly unknown: a column
/// typed both ways makes PyAirbyte warn for every one, so a field the API
/// sends as one type is a [`JsonObject`] or a [`JsonArray`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Json(pub Value);

/// A nested object kept whole (see [`Json`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct JsonObject(pub Value);

/// A nested list kept whole (see [`Json`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct JsonArray(pub Value);

macro_rules! json_column {
    ($ty:ident, $name:literal, $($schema:tt)+) => {
        impl JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> Schema {
                schemars::json_schema!($($schema)+)
            }
        }
    };
}
json_column!(Json, "Json", {"type": ["object", "array"]});
json_column!(JsonObject, "JsonObject", {"type": "object"});
json_column!(JsonArray, "JsonArray", {"type": "array"});

impl Obj<'_> {
    /// A nested object or list, kept as JSON; any other type is tallied and
    /// read as null like every other odd field.
    pub fn json(&self, key: &str) -> Option<Json> {
        self.json_if(key, |v| v.is_object() || v.is_array())
            .map(Json)
    }

    /// A nested object kept as JSON; a list or a scalar is tallied and read
    /// as null, as the column's type promises.
    pub fn json_object(&self, key: &str) -> Option<JsonObject> {
        self.json_if(key, |v| v.is_object()).map(JsonObject)
    }

    /// A nested list kept as JSON; anything else is tallied and read as null.
    pub fn json_array(&self, key: &str) -> Option<JsonArray> {
        self.json_if(key, |v| v.is_array()).map(JsonArray)
    }

    fn json_if(&self, key: &str, fits: impl Fn(&Node<'_>) -> bool) -> Option<Value> {
        match self.raw(key)? {
            v if fits(&v) => Some(v.to_value()),
            _ => {
                self.odd();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::schema_for;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Row {
        /// A nested object.
        x: Option<Json>,
        /// A nested list.
        y: Option<JsonArray>,
    }

    #[test]
    fn an_optional_json_column_admits_objects_lists_and_null() {
        let s = schema_for::<Row>();
        assert_eq!(
            s["properties"]["x"]["type"],
            serde_json::json!(["object", "array", "null"])
        );
        assert_eq!(
            s["properties"]["y"]["type"],
            serde_json::json!(["array", "null"])
        );
    }
}
