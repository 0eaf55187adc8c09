//! `custom_fields`: one row per custom field definition, of tickets and of
//! customers.
//!
//! `/api/custom-fields` requires `object_type`, lists one side of
//! `archived` per call and sorts by `priority` only, so the list is read
//! whole once per object type (Ticket, then Customer) and per side (live,
//! then archived, whose `deactivated_datetime` is set); incremental mode
//! emits only fields whose `updated_datetime` reached the bookmark. Field
//! ids are unique across object types.

use super::columns::JsonObject;
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct CustomFields;

/// A custom field definition. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct CustomFieldRow {
    /// Gorgias custom field id (`id`).
    pub id: i64,
    /// Ticket or Customer (`object_type`).
    pub object_type: Option<String>,
    /// The field's label (`label`).
    pub label: Option<String>,
    /// Its description (`description`).
    pub description: Option<String>,
    /// Display order (`priority`).
    pub priority: Option<i64>,
    /// Whether a value is required (`required`).
    pub required: Option<bool>,
    /// The Gorgias-managed role of the field, e.g. contact_reason (`managed_type`).
    pub managed_type: Option<String>,
    /// Data type and input settings, e.g. dropdown choices (`definition`).
    pub definition: Option<JsonObject>,
    /// When it was archived (`deactivated_datetime`).
    pub deactivated_datetime: Option<Timestamp>,
    /// When it was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When it last changed (`updated_datetime`): the cursor.
    pub updated_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for CustomFields {
    fn name(&self) -> &'static str {
        "custom_fields"
    }
    fn description(&self) -> &'static str {
        "Gorgias custom field definitions of tickets and customers, one row per field (natural key: id). Read whole per object type; incremental emits fields updated since the bookmark."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/custom-fields",
            order_by: Some("priority:asc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::EachOf {
            param: "object_type",
            values: &["Ticket", "Customer"],
        }
    }
    fn sides(&self) -> Option<(&'static str, &'static [&'static str])> {
        Some(("archived", &["false", "true"]))
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn schema(&self) -> Value {
        schema_for::<CustomFieldRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let f = ctx.obj(object);
        let id = f.id("custom field")?;
        out.push(&CustomFieldRow {
            id,
            object_type: f.str("object_type"),
            label: f.str("label"),
            description: f.str("description"),
            priority: f.int("priority"),
            required: f.bool("required"),
            managed_type: f.str("managed_type"),
            definition: f.json_object("definition"),
            deactivated_datetime: f.ts("deactivated_datetime"),
            created_datetime: f.ts("created_datetime"),
            updated_datetime: f.ts("updated_datetime"),
            sync: ctx.meta(&[&id]),
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn maps_the_api_fields() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let out = super::super::map_value(&CustomFields, &json!({"id": 3001, "object_type": "Customer", "label": "Customer type",
            "required": false, "definition": {"data_type": "text", "input_settings": {"choices": ["B2B"]}}}), &ctx).unwrap();
        assert_eq!(out[0]["object_type"], "Customer");
        assert_eq!(out[0]["definition"]["input_settings"]["choices"][0], "B2B");
    }
}
