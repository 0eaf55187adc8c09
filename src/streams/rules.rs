//! `rules`: one row per automation rule.
//!
//! `/api/rules` sorts by creation only, so the short list is read whole
//! every time (one request per 100 rules); incremental mode emits only rules
//! whose `updated_datetime` reached the bookmark.

use super::columns::JsonObject;
use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Rules;

/// A Gorgias rule. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct RuleRow {
    /// Gorgias rule id (`id`).
    pub id: i64,
    /// The rule's name (`name`).
    pub name: Option<String>,
    /// Its description (`description`).
    pub description: Option<String>,
    /// The rule as code (`code`).
    pub code: Option<String>,
    /// The code's syntax tree (`code_ast`).
    pub code_ast: Option<JsonObject>,
    /// Events that run it, comma-separated (`event_types`).
    pub event_types: Option<String>,
    /// Rules with a higher priority run first (`priority`).
    pub priority: Option<i64>,
    /// When it was deactivated (`deactivated_datetime`).
    pub deactivated_datetime: Option<Timestamp>,
    /// When it was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When it last changed (`updated_datetime`): the cursor.
    pub updated_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Rules {
    fn name(&self) -> &'static str {
        "rules"
    }
    fn description(&self) -> &'static str {
        "Gorgias automation rules, one row per rule (natural key: id). The list is read whole; incremental emits rules updated since the bookmark."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/rules",
            order_by: Some("created_datetime:asc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::WholeList
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn schema(&self) -> Value {
        schema_for::<RuleRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let r = ctx.obj(object);
        let id = r.id("rule")?;
        out.push(&RuleRow {
            id,
            name: r.str("name"),
            description: r.str("description"),
            code: r.str("code"),
            code_ast: r.json_object("code_ast"),
            event_types: r.str("event_types"),
            priority: r.int("priority"),
            deactivated_datetime: r.ts("deactivated_datetime"),
            created_datetime: r.ts("created_datetime"),
            updated_datetime: r.ts("updated_datetime"),
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
            &Rules,
            &json!({"id": 201, "code": "if (x) {}", "event_types": "ticket-created",
            "priority": 990, "code_ast": {"type": "Program"}}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["priority"], 990);
        assert_eq!(out[0]["code_ast"]["type"], "Program");
    }
}
