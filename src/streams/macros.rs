//! `macros`: one row per macro (saved reply with actions).
//!
//! `/api/macros` sorts by `updated_datetime`, which moves on every edit, so
//! the stream is read like `tickets`: newest first, stopping after a whole
//! page older than the bookmark, oldest first with a checkpoint per page
//! when there is no bookmark yet. `usage` changes without moving that key,
//! so only a full refresh brings usage counts up to date. The list leaves
//! archived macros out unless asked for `archived=true`, which lists only
//! them, so each side is its own newest-first pass with its own stop rule;
//! archived macros come with `archived_datetime` set.

use super::columns::JsonArray;
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Macros;

/// A Gorgias macro. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct MacroRow {
    /// Gorgias macro id (`id`).
    pub id: i64,
    /// Its id in an external system (`external_id`).
    pub external_id: Option<String>,
    /// The macro's name (`name`).
    pub name: Option<String>,
    /// The customer intent it answers, e.g. refund/request (`intent`).
    pub intent: Option<String>,
    /// Its language (`language`).
    pub language: Option<String>,
    /// What applying it does: reply text, tags, status, … (`actions`).
    pub actions: Option<JsonArray>,
    /// How many times it was applied (`usage`).
    pub usage: Option<i64>,
    /// When it was archived (`archived_datetime`).
    pub archived_datetime: Option<Timestamp>,
    /// When it was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When it was last edited (`updated_datetime`): the cursor.
    pub updated_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Macros {
    fn name(&self) -> &'static str {
        "macros"
    }
    fn description(&self) -> &'static str {
        "Gorgias macros, one row per macro (natural key: id). Incremental on updated_datetime, read newest first."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/macros",
            order_by: Some("updated_datetime:desc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::NewestFirst
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
        schema_for::<MacroRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let m = ctx.obj(object);
        let id = m.id("macro")?;
        out.push(&MacroRow {
            id,
            external_id: m.str("external_id"),
            name: m.str("name"),
            intent: m.str("intent"),
            language: m.str("language"),
            actions: m.json_array("actions"),
            usage: m.int("usage"),
            archived_datetime: m.ts("archived_datetime"),
            created_datetime: m.ts("created_datetime"),
            updated_datetime: m.ts("updated_datetime"),
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
    fn actions_stay_json() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let out = super::super::map_value(
            &Macros,
            &json!({"id": 80001, "name": "Refund issued",
            "actions": [{"name": "addTags", "arguments": {"tags": "refund"}}],
            "updated_datetime": "2024-11-01T10:59:29+00:00"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["actions"][0]["arguments"]["tags"], "refund");
        assert_eq!(out[0]["updated_datetime"], "2024-11-01T10:59:29Z");
    }
}
