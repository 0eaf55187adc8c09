//! `view_items`: one row per ticket listed in a view, for every view.
//!
//! Items live under each view (`/api/views/{id}/items`), so the read pages
//! through `/api/views` and then through each view's items. That list has
//! an envelope of its own: no `next_cursor`, but a `meta.next_items` link
//! whose `cursor`, `direction` and `ignored_item` the next request carries
//! (see [`crate::client::Page`]), followed until it is null. Membership
//! changes whenever a ticket does, with no key saying when it left a view,
//! so every view is read whole every time (full refresh only), by
//! `created_datetime`, which never moves, so a ticket changed mid-read is
//! neither skipped nor listed twice. A ticket in two views is two rows.

use super::columns::{JsonArray, JsonObject};
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct ViewItems;

/// A ticket as a view lists it. Natural key: (`view_id`, `id`).
#[derive(Serialize, JsonSchema)]
pub struct ViewItemRow {
    /// The view listing the ticket (the parent view's `id`).
    pub view_id: i64,
    /// Gorgias ticket id (`id`).
    pub id: i64,
    /// The ticket's id in an external system (`external_id`).
    pub external_id: Option<String>,
    /// Subject (`subject`).
    pub subject: Option<String>,
    /// open or closed (`status`).
    pub status: Option<String>,
    /// Channel: email, chat, phone, … (`channel`).
    pub channel: Option<String>,
    /// How it was created (`via`).
    pub via: Option<String>,
    /// Priority (`priority`).
    pub priority: Option<String>,
    /// Whether it is spam (`spam`).
    pub spam: Option<bool>,
    /// Whether agents have unread messages on it (`is_unread`).
    pub is_unread: Option<bool>,
    /// Messages in the ticket (`messages_count`).
    pub messages_count: Option<i64>,
    /// The customer: id, e-mail, name (`customer`).
    pub customer: Option<JsonObject>,
    /// The assigned agent (`assignee_user`).
    pub assignee_user: Option<JsonObject>,
    /// The assigned team (`assignee_team`).
    pub assignee_team: Option<JsonObject>,
    /// Tags: id, name (`tags`).
    pub tags: Option<JsonArray>,
    /// When the ticket was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When it last changed (`updated_datetime`).
    pub updated_datetime: Option<Timestamp>,
    /// When the last message was sent or received (`last_message_datetime`).
    pub last_message_datetime: Option<Timestamp>,
    /// When the last customer message arrived (`last_received_message_datetime`).
    pub last_received_message_datetime: Option<Timestamp>,
    /// When it was closed (`closed_datetime`).
    pub closed_datetime: Option<Timestamp>,
    /// Until when it is snoozed (`snooze_datetime`).
    pub snooze_datetime: Option<Timestamp>,
    /// When it was moved to the trash (`trashed_datetime`).
    pub trashed_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for ViewItems {
    fn name(&self) -> &'static str {
        "view_items"
    }
    fn description(&self) -> &'static str {
        "The tickets each Gorgias view lists, one row per (view, ticket) (natural key: view_id, id). Every view is read whole every time."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/views/{id}/items",
            order_by: Some("created_datetime:asc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::PerParent(super::views::ENDPOINT)
    }
    fn cursor_field(&self) -> Option<&'static str> {
        None
    }
    fn api_cursor(&self) -> Option<&'static str> {
        None
    }
    fn schema(&self) -> Value {
        schema_for::<ViewItemRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["view_id", "id"]
    }
    fn relationships(&self) -> &'static [super::Relation] {
        &[
            super::Relation {
                column: "view_id",
                stream: "views",
                key: "id",
            },
            super::Relation {
                column: "id",
                stream: "tickets",
                key: "ticket_id",
            },
        ]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let view_id = ctx.parent_id("view item")?;
        let t = ctx.obj(object);
        let id = t.id("view item")?;
        out.push(&ViewItemRow {
            view_id,
            id,
            external_id: t.str("external_id"),
            subject: t.str("subject"),
            status: t.str("status"),
            channel: t.str("channel"),
            via: t.str("via"),
            priority: t.str("priority"),
            spam: t.bool("spam"),
            is_unread: t.bool("is_unread"),
            messages_count: t.int("messages_count"),
            customer: t.json_object("customer"),
            assignee_user: t.json_object("assignee_user"),
            assignee_team: t.json_object("assignee_team"),
            tags: t.json_array("tags"),
            created_datetime: t.ts("created_datetime"),
            updated_datetime: t.ts("updated_datetime"),
            last_message_datetime: t.ts("last_message_datetime"),
            last_received_message_datetime: t.ts("last_received_message_datetime"),
            closed_datetime: t.ts("closed_datetime"),
            snooze_datetime: t.ts("snooze_datetime"),
            trashed_datetime: t.ts("trashed_datetime"),
            sync: ctx.meta(&[&view_id, &id]),
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
    fn keyed_by_view_and_ticket() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let item = json!({"id": 100200, "status": "open", "tags": [{"id": 401, "name": "vip"}]});
        assert!(super::super::map_value(&ViewItems, &item, &ctx)
            .unwrap_err()
            .message
            .contains("without its parent's id"));
        ctx.parent.set(Some(1003));
        let out = super::super::map_value(&ViewItems, &item, &ctx).unwrap();
        assert_eq!(out[0]["view_id"], 1003);
        assert_eq!(out[0]["tags"][0]["name"], "vip");
        assert_eq!(
            out[0]["__sync_key"],
            super::super::sync_key(&[&1003, &100200], "acme")
        );
    }
}
