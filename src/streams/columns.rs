//! Column types for the streams that carry the API object's own fields.

use super::Obj;
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// A nested object or list kept whole: its keys are dynamic (a customer's
/// `integrations` is keyed by integration id) or its shape is Gorgias's to
/// change (macro actions, rule ASTs), so flattening it would drop data. The
/// schema names the JSON types rather than `{}`, which some destinations
/// type as a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Json(pub Value);

impl JsonSchema for Json {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Json".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> Schema {
        schemars::json_schema!({"type": ["object", "array"]})
    }
}

impl Obj<'_> {
    /// A nested object or list, kept as JSON; any other type is tallied and
    /// read as null like every other odd field.
    pub fn json(&self, key: &str) -> Option<Json> {
        match self.raw(key)? {
            v if v.is_object() || v.is_array() => Some(Json(v.to_value())),
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
    }

    #[test]
    fn an_optional_json_column_admits_objects_lists_and_null() {
        let s = schema_for::<Row>();
        assert_eq!(
            s["properties"]["x"]["type"],
            serde_json::json!(["object", "array", "null"])
        );
    }
}
