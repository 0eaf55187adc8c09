//! `views`: one row per saved ticket view.
//!
//! `/api/views` sorts by creation only and a view's filters change without a
//! sortable key moving, so the short list is read whole every time and the
//! stream is full refresh only. The filter stays as Gorgias writes it
//! (`filters`, plus its syntax tree as JSON).

use super::columns::{JsonArray, JsonObject};
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Views;

/// The endpoint `view_items` pages through for its parents.
pub const ENDPOINT: Endpoint = Endpoint {
    path: "/views",
    order_by: Some("created_datetime:asc"),
};

/// A Gorgias view. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct ViewRow {
    /// Gorgias view id (`id`).
    pub id: i64,
    /// The view's name (`name`).
    pub name: Option<String>,
    /// URL-compatible name (`slug`).
    pub slug: Option<String>,
    /// system or user (`category`).
    pub category: Option<String>,
    /// The kind of objects listed: ticket-list (`type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// public, shared or private (`visibility`).
    pub visibility: Option<String>,
    /// The filter expression selecting the view's items (`filters`).
    pub filters: Option<String>,
    /// The filter's syntax tree (`filters_ast`).
    pub filters_ast: Option<JsonObject>,
    /// The attribute items are sorted by (`order_by`).
    pub order_by: Option<String>,
    /// asc or desc (`order_dir`).
    pub order_dir: Option<String>,
    /// The columns shown (`fields`).
    pub fields: Option<JsonArray>,
    /// How it is displayed, e.g. its emoji (`decoration`).
    pub decoration: Option<JsonObject>,
    /// Team ids it is shared with (`shared_with_teams`).
    pub shared_with_teams: Option<JsonArray>,
    /// User ids it is shared with (`shared_with_users`).
    pub shared_with_users: Option<JsonArray>,
    /// When it was deactivated (`deactivated_datetime`).
    pub deactivated_datetime: Option<Timestamp>,
    /// When it was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Views {
    fn name(&self) -> &'static str {
        "views"
    }
    fn description(&self) -> &'static str {
        "Gorgias saved ticket views, one row per view (natural key: id). Read whole every time."
    }
    fn endpoint(&self) -> Endpoint {
        ENDPOINT
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::WholeList
    }
    fn cursor_field(&self) -> Option<&'static str> {
        None
    }
    fn api_cursor(&self) -> Option<&'static str> {
        None
    }
    fn schema(&self) -> Value {
        schema_for::<ViewRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let v = ctx.obj(object);
        let id = v.id("view")?;
        out.push(&ViewRow {
            id,
            name: v.str("name"),
            slug: v.str("slug"),
            category: v.str("category"),
            kind: v.str("type"),
            visibility: v.str("visibility"),
            filters: v.str("filters"),
            filters_ast: v.json_object("filters_ast"),
            order_by: v.str("order_by"),
            order_dir: v.str("order_dir"),
            fields: v.json_array("fields"),
            decoration: v.json_object("decoration"),
            shared_with_teams: v.json_array("shared_with_teams"),
            shared_with_users: v.json_array("shared_with_users"),
            deactivated_datetime: v.ts("deactivated_datetime"),
            created_datetime: v.ts("created_datetime"),
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
    fn the_filter_is_kept_as_written() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let out = super::super::map_value(
            &Views,
            &json!({"id": 1003, "type": "ticket-list", "filters": "eq(ticket.status, 'open')",
            "fields": ["details", "tags"]}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["type"], "ticket-list");
        assert_eq!(out[0]["filters"], "eq(ticket.status, 'open')");
        assert_eq!(out[0]["fields"][1], "tags");
    }
}
