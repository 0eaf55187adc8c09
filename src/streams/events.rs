//! `events`: one row per entry of the account's event log.
//!
//! `/api/events` is the one list Gorgias filters by time on the server
//! (`created_datetime[gte]`), so an incremental read asks only for what is
//! new: oldest first from the bookmark, less five minutes for events
//! committed a little after their timestamp, with a checkpoint after every
//! page. Events never change once written. They are the only record of hard
//! deletes (`ticket-deleted`, `customer-deleted`, `tag-deleted`, with the
//! deleted object's `object_id`); `emit_deletes` asks for them with the
//! `types` filter in its documented form, repeated keys.

use super::columns::JsonObject;
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::config::Config;
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use chrono::Duration;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Events;

/// A Gorgias event. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct EventRow {
    /// Gorgias event id (`id`).
    pub id: i64,
    /// What happened: ticket-created, ticket-deleted, customer-deleted, … (`type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The kind of object it happened to: Ticket, Customer, User, … (`object_type`).
    pub object_type: Option<String>,
    /// That object's id (`object_id`).
    pub object_id: Option<i64>,
    /// The user who caused it, when a user did (`user_id`).
    pub user_id: Option<i64>,
    /// Identifier of the request or process that caused it (`context`).
    pub context: Option<String>,
    /// Details of the change (`data`).
    pub data: Option<JsonObject>,
    /// When it happened (`created_datetime`): the cursor.
    pub created_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Events {
    fn name(&self) -> &'static str {
        "events"
    }
    fn description(&self) -> &'static str {
        "The Gorgias event log, one row per event (natural key: id), including hard deletes. Incremental on created_datetime, filtered by the server."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/events",
            order_by: Some("created_datetime:asc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::ServerFiltered
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("created_datetime")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("created_datetime")
    }
    fn lookback(&self, _config: &Config) -> Duration {
        Duration::minutes(5)
    }
    fn schema(&self) -> Value {
        schema_for::<EventRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }
    // `object_id` is left out: it refers to the stream `object_type` names.
    fn relationships(&self) -> &'static [super::Relation] {
        &[super::Relation {
            column: "user_id",
            stream: "users",
            key: "user_id",
        }]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let e = ctx.obj(object);
        let id = e.id("event")?;
        out.push(&EventRow {
            id,
            kind: e.str("type"),
            object_type: e.str("object_type"),
            object_id: e.int("object_id"),
            user_id: e.int("user_id"),
            context: e.str("context"),
            data: e.json_object("data"),
            created_datetime: e.ts("created_datetime"),
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
    fn a_delete_event_names_the_deleted_object() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let out = super::super::map_value(
            &Events,
            &json!({"id": 70000001, "type": "ticket-deleted", "object_type": "Ticket",
            "object_id": 100234, "user_id": null, "data": null,
            "created_datetime": "2025-06-02T10:00:00.123456+00:00"}),
            &ctx,
        )
        .unwrap();
        let r = &out[0];
        assert_eq!(r["type"], "ticket-deleted");
        assert_eq!(r["object_id"], 100234);
        assert_eq!(r["data"], Value::Null);
        assert_eq!(r["created_datetime"], "2025-06-02T10:00:00.123456Z");
        assert_eq!(ctx.coerced.get(), 0);
    }
}
