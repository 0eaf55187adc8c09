//! `customers`: one row per customer, with the API's own field names.
//!
//! `/api/customers` sorts by `updated_datetime`, which moves on every change,
//! so the stream is read like `tickets`: newest first, stopping after a whole
//! page older than the bookmark (about one request per 100 changed
//! customers), oldest first with a checkpoint per page when there is no
//! bookmark yet. `integrations` is keyed by integration id, so it stays one
//! JSON column. Deleted customers vanish from the list: the `events` stream
//! carries their `customer-deleted` events.

use super::columns::{JsonArray, JsonObject};
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Customers;

/// A Gorgias customer. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct CustomerRow {
    /// Gorgias customer id (`id`).
    pub id: i64,
    /// The customer's id in an external system, e.g. the shop (`external_id`).
    pub external_id: Option<String>,
    /// Whether the customer is active (`active`).
    pub active: Option<bool>,
    /// Main e-mail address (`email`).
    pub email: Option<String>,
    /// Full name (`name`).
    pub name: Option<String>,
    /// First name (`firstname`).
    pub firstname: Option<String>,
    /// Last name (`lastname`).
    pub lastname: Option<String>,
    /// Preferred language (`language`).
    pub language: Option<String>,
    /// Time zone (`timezone`).
    pub timezone: Option<String>,
    /// Agents' note on the customer (`note`).
    pub note: Option<String>,
    /// E-mail addresses, phone numbers, … with their type (`channels`).
    pub channels: Option<JsonArray>,
    /// Data from each integration, keyed by integration id (`integrations`).
    pub integrations: Option<JsonObject>,
    /// Free-form data set through the API (`data`).
    pub data: Option<JsonObject>,
    /// Metadata (`meta`).
    pub meta: Option<JsonObject>,
    /// When the customer was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When the customer last changed (`updated_datetime`): the cursor.
    pub updated_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Customers {
    fn name(&self) -> &'static str {
        "customers"
    }
    fn description(&self) -> &'static str {
        "Gorgias customers, one row per customer (natural key: id). Incremental on updated_datetime, read newest first; deletions appear in events."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/customers",
            order_by: Some("updated_datetime:desc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::NewestFirst
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn schema(&self) -> Value {
        schema_for::<CustomerRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn deleted_by(&self) -> Option<&'static str> {
        Some("customer-deleted")
    }

    fn event_object_type(&self) -> Option<&'static str> {
        Some("Customer")
    }

    fn deleted_row(&self, id: i64, at: Timestamp, ctx: &RowContext) -> Option<Value> {
        Some(super::deleted_row("id", id, at, ctx))
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let c = ctx.obj(object);
        let id = c.id("customer")?;
        out.push(&CustomerRow {
            id,
            external_id: c.str("external_id"),
            active: c.bool("active"),
            email: c.str("email"),
            name: c.str("name"),
            firstname: c.str("firstname"),
            lastname: c.str("lastname"),
            language: c.str("language"),
            timezone: c.str("timezone"),
            note: c.str("note"),
            channels: c.json_array("channels"),
            integrations: c.json_object("integrations"),
            data: c.json_object("data"),
            meta: c.json_object("meta"),
            created_datetime: c.ts("created_datetime"),
            updated_datetime: c.ts("updated_datetime"),
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
    fn integrations_keep_their_dynamic_keys_and_odd_types_become_null() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let obj = json!({"id": 2000123, "email": "a@b.c", "channels": "oops",
            "integrations": {"5003": {"__integration_type__": "shopify", "customer": {"id": 9}}},
            "updated_datetime": "2024-06-20 07:39:36.5+00:00"});
        let out = super::super::map_value(&Customers, &obj, &ctx).unwrap();
        let r = &out[0];
        assert_eq!(r["integrations"]["5003"]["customer"]["id"], 9);
        assert_eq!(r["channels"], Value::Null);
        assert_eq!(ctx.coerced.get(), 1);
        assert_eq!(r["updated_datetime"], "2024-06-20T07:39:36.500Z");
        assert_eq!(r["__sync_key"], super::super::sync_key(&[&2000123], "acme"));
    }
}
