//! `satisfaction_surveys`: one row per survey.
//!
//! `/api/satisfaction-surveys` sorts by `created_datetime` only, and a survey
//! is scored days after it is created without any sortable key moving. The
//! stream reads newest first by creation and re-reads a lookback window
//! (30 days by default) so late scores arrive; a score given after the
//! window has passed is only seen by a full refresh. The docs show this list
//! as a bare array while the live API sends the usual envelope: both are read.

super::dsl::api_stream! {
    SATISFACTION_SURVEYS {
        description: "Gorgias satisfaction surveys, one row per survey (natural key: survey_id). Incremental on created_at with a lookback window for late scores.",
        read: Read::NewestFirst { path: "/satisfaction-surveys", lookback: |config| config.surveys_lookback },
        natural_key: &["survey_id"],
        cursor: cursor!("created_at" <- "created_datetime"),
        relationships: &[Relation::new("customer_id", "customers", "id"), Relation::new("ticket_id", "tickets", "ticket_id")],
    }
    /// A satisfaction survey sent for a ticket. Natural key: `survey_id`.
    SatisfactionSurveyRow, "satisfaction survey";
    survey_id: id = "Gorgias survey id (`id`).",
    customer_id: int = "The customer surveyed (`customer_id`).",
    ticket_id: int = "The ticket surveyed (`ticket_id`).",
    sent_at: ts <- sent_datetime = "When the survey was sent (`sent_datetime`).",
    scored_at: ts <- scored_datetime = "When the customer scored it (`scored_datetime`); null until scored.",
    body_text: str = "The customer's comment (`body_text`).",
    score: int = "The score, 1 to 5 (`score`); null until scored.",
    created_at: ts <- created_datetime = "When the survey was created (`created_datetime`): the cursor.",
    should_send_at: ts <- should_send_datetime = "When the survey is due to be sent (`should_send_datetime`).",
}
