//! `tags`: one row per tag of the account.
//!
//! `/api/tags` sorts by creation, name or usage, and a tag's `usage` and
//! `decoration` change without any sortable key moving, so the short list
//! is read whole every time (one request per 100 tags) and the stream is
//! full refresh only. Deleted tags vanish; `tag-deleted` events record them.

use super::columns::JsonObject;
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Tags;

/// A Gorgias tag. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct TagRow {
    /// Gorgias tag id (`id`).
    pub id: i64,
    /// The tag's name (`name`).
    pub name: Option<String>,
    /// Its description (`description`).
    pub description: Option<String>,
    /// How it is displayed, e.g. its colour (`decoration`).
    pub decoration: Option<JsonObject>,
    /// Tickets carrying the tag (`usage`).
    pub usage: Option<i64>,
    /// When the tag was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When it was deleted (`deleted_datetime`).
    pub deleted_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Tags {
    fn name(&self) -> &'static str {
        "tags"
    }
    fn description(&self) -> &'static str {
        "Gorgias tags, one row per tag (natural key: id). Read whole every time: usage changes without a sortable key."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/tags",
            order_by: Some("created_datetime:asc"),
        }
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
        schema_for::<TagRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let t = ctx.obj(object);
        let id = t.id("tag")?;
        out.push(&TagRow {
            id,
            name: t.str("name"),
            description: t.str("description"),
            decoration: t.json_object("decoration"),
            usage: t.int("usage"),
            created_datetime: t.ts("created_datetime"),
            deleted_datetime: t.ts("deleted_datetime"),
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
        let out = super::super::map_value(
            &Tags,
            &json!({"id": 401, "name": "vip", "usage": "12", "decoration": {"color": "#ff0000"},
            "created_datetime": "2024-01-02T03:04:05"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["usage"], 12);
        assert_eq!(out[0]["decoration"]["color"], "#ff0000");
        assert_eq!(out[0]["created_datetime"], "2024-01-02T03:04:05Z");
        assert!(Tags.cursor_field().is_none());
    }
}
