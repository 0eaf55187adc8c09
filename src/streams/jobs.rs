//! `jobs`: one row per background job (exports, bulk macro applications,
//! bulk updates and deletes).
//!
//! `/api/jobs` sorts by creation only, and a job's `status` and `info`
//! change while it runs without that key moving. The stream reads newest
//! first by creation and re-reads a day before its bookmark, which covers
//! jobs still running at the last sync (jobs take minutes to hours).

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

pub struct Jobs;

/// A Gorgias job. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct JobRow {
    /// Gorgias job id (`id`).
    pub id: i64,
    /// What it does: exportTicket, applyMacro, updateTicket, … (`type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// pending, scheduled, running, done, canceled, errored, … (`status`).
    pub status: Option<String>,
    /// What it was asked to do (`params`).
    pub params: Option<JsonObject>,
    /// Its progress (`info`).
    pub info: Option<JsonObject>,
    /// Metadata (`meta`).
    pub meta: Option<JsonObject>,
    /// When it was created (`created_datetime`): the cursor.
    pub created_datetime: Option<Timestamp>,
    /// When it is or was due to start (`scheduled_datetime`).
    pub scheduled_datetime: Option<Timestamp>,
    /// When it started (`started_datetime`).
    pub started_datetime: Option<Timestamp>,
    /// When it ended (`ended_datetime`).
    pub ended_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for Jobs {
    fn name(&self) -> &'static str {
        "jobs"
    }
    fn description(&self) -> &'static str {
        "Gorgias background jobs, one row per job (natural key: id). Incremental on created_datetime with a one-day lookback for jobs still running."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/jobs",
            order_by: Some("created_datetime:desc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::NewestFirst
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("created_datetime")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("created_datetime")
    }
    fn lookback(&self, _config: &Config) -> Duration {
        Duration::days(1)
    }
    fn schema(&self) -> Value {
        schema_for::<JobRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let j = ctx.obj(object);
        let id = j.id("job")?;
        out.push(&JobRow {
            id,
            kind: j.str("type"),
            status: j.str("status"),
            params: j.json_object("params"),
            info: j.json_object("info"),
            meta: j.json_object("meta"),
            created_datetime: j.ts("created_datetime"),
            scheduled_datetime: j.ts("scheduled_datetime"),
            started_datetime: j.ts("started_datetime"),
            ended_datetime: j.ts("ended_datetime"),
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
            &Jobs,
            &json!({"id": 9000001, "type": "applyMacro", "status": "running",
            "params": {"macro_id": 80001}, "info": {"progress_count": 3, "total": 10}}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["type"], "applyMacro");
        assert_eq!(out[0]["info"]["total"], 10);
    }
}
