//! `satisfaction_surveys`: one row per survey.
//!
//! `/api/satisfaction-surveys` sorts by `created_datetime` only, and a survey
//! is scored days after it is created without any sortable key moving. The
//! stream reads newest first by creation and re-reads a lookback window
//! (30 days by default) so late scores arrive; a score given after the
//! window has passed is only seen by a full refresh. The docs show this list
//! as a bare array while the live API sends the usual envelope: both are read.

use super::{cursor, row_schema, Out, Read, Relation, RowContext, StreamDef, DEFAULTS};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static SATISFACTION_SURVEYS: StreamDef = StreamDef {
    name: "satisfaction_surveys",
    description: "Gorgias satisfaction surveys, one row per survey (natural key: survey_id). Incremental on created_at with a lookback window for late scores.",
    read: Read::NewestFirst { path: "/satisfaction-surveys", lookback: |config| config.surveys_lookback },
    key: &["survey_id"],
    cursor: cursor!("created_at" <- "created_datetime"),
    relations: &[
        Relation::new("customer_id", "customers", "id"),
        Relation::new("ticket_id", "tickets", "ticket_id"),
    ],
    schema: || row_schema::<SatisfactionSurveyRow>(),
    map,
    ..DEFAULTS
};

/// A satisfaction survey sent for a ticket. Natural key: `survey_id`.
#[derive(Serialize, JsonSchema)]
pub struct SatisfactionSurveyRow {
    /// Gorgias survey id (`id`).
    pub survey_id: i64,
    /// The customer surveyed (`customer_id`).
    pub customer_id: Option<i64>,
    /// The ticket surveyed (`ticket_id`).
    pub ticket_id: Option<i64>,
    /// When the survey was sent (`sent_datetime`).
    pub sent_at: Option<Timestamp>,
    /// When the customer scored it (`scored_datetime`); null until scored.
    pub scored_at: Option<Timestamp>,
    /// The customer's comment (`body_text`).
    pub body_text: Option<String>,
    /// The score, 1 to 5 (`score`); null until scored.
    pub score: Option<i64>,
    /// When the survey was created (`created_datetime`): the cursor.
    pub created_at: Option<Timestamp>,
}

fn map(object: Node<'_>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let s = ctx.obj(object);
    let id = s.id("satisfaction survey")?;
    out.push(&SatisfactionSurveyRow {
        survey_id: id,
        customer_id: s.int("customer_id"),
        ticket_id: s.int("ticket_id"),
        sent_at: s.ts("sent_datetime"),
        scored_at: s.ts("scored_datetime"),
        body_text: s.str("body_text"),
        score: s.int("score"),
        created_at: s.ts("created_datetime"),
    })?;
    Ok(())
}
