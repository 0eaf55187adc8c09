//! `teams`: one row per team of agents.
//!
//! `/api/teams` sorts by creation or name only and a team's members change
//! without any sortable key moving, so the short list is read whole every
//! time and the stream is full refresh only. `members` stays JSON: a
//! destination can unnest it without the connector guessing a shape.

use super::columns::{JsonArray, JsonObject};
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Teams;

/// A Gorgias team. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct TeamRow {
    /// Gorgias team id (`id`).
    pub id: i64,
    /// The team's name (`name`).
    pub name: Option<String>,
    /// Its description (`description`).
    pub description: Option<String>,
    /// How it is displayed, e.g. its emoji (`decoration`).
    pub decoration: Option<JsonObject>,
    /// Its users: id, name, e-mail (`members`).
    pub members: Option<JsonArray>,
    /// When the team was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Teams {
    fn name(&self) -> &'static str {
        "teams"
    }
    fn description(&self) -> &'static str {
        "Gorgias teams with their members, one row per team (natural key: id). Read whole every time."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/teams",
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
        schema_for::<TeamRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let t = ctx.obj(object);
        let id = t.id("team")?;
        out.push(&TeamRow {
            id,
            name: t.str("name"),
            description: t.str("description"),
            decoration: t.json_object("decoration"),
            members: t.json_array("members"),
            created_datetime: t.ts("created_datetime"),
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
    fn members_stay_a_list() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let out = super::super::map_value(
            &Teams,
            &json!({"id": 33, "name": "Tier 1", "members": [{"id": 1001}, {"id": 1002}]}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["members"][1]["id"], 1002);
        assert_eq!(out[0]["__sync_key"], super::super::sync_key(&[&33], "acme"));
    }
}
