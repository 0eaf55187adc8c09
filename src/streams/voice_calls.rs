//! `voice_calls`: one row per phone call.
//!
//! `/api/phone/voice-calls` takes no `order_by` at all (only `cursor`,
//! `limit` and `ticket_id`), so the list is read whole in the API's own
//! order every time; incremental mode emits only calls whose
//! `updated_datetime` reached the bookmark. Calls that never changed have
//! no `updated_datetime`; their creation time stands in for it, or every
//! incremental read would send them again.

use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct VoiceCalls;

/// A Gorgias voice call. Natural key: `id`.
#[derive(Serialize, JsonSchema)]
pub struct VoiceCallRow {
    /// Gorgias voice call id (`id`).
    pub id: i64,
    /// The call's id at the telephony provider (`external_id`).
    pub external_id: Option<String>,
    /// The phone integration (`integration_id`).
    pub integration_id: Option<i64>,
    /// The ticket the call belongs to (`ticket_id`).
    pub ticket_id: Option<i64>,
    /// The customer on the call (`customer_id`).
    pub customer_id: Option<i64>,
    /// The account's phone number used (`phone_number_id`).
    pub phone_number_id: Option<i64>,
    /// inbound or outbound (`direction`).
    pub direction: Option<String>,
    /// answered, missed, voicemail, … (`status`).
    pub status: Option<String>,
    /// Telephony provider (`provider`).
    pub provider: Option<String>,
    /// Calling number (`phone_number_source`).
    pub phone_number_source: Option<String>,
    /// Called number (`phone_number_destination`).
    pub phone_number_destination: Option<String>,
    /// The agent who placed an outbound call (`initiated_by_agent_id`).
    pub initiated_by_agent_id: Option<i64>,
    /// The agent who last answered (`last_answered_by_agent_id`).
    pub last_answered_by_agent_id: Option<i64>,
    /// Length in seconds (`duration`).
    pub duration: Option<i64>,
    /// Whether a voicemail was left (`has_voicemail`).
    pub has_voicemail: Option<bool>,
    /// Whether the call was recorded (`has_call_recording`).
    pub has_call_recording: Option<bool>,
    /// When the call was created (`created_datetime`).
    pub created_datetime: Option<Timestamp>,
    /// When the call started (`started_datetime`).
    pub started_datetime: Option<Timestamp>,
    /// When it last changed (`updated_datetime`, else `created_datetime` for
    /// a call that never changed): the cursor.
    pub updated_datetime: Option<Timestamp>,
    #[serde(flatten)]
    pub sync: SyncMeta,
}

impl Stream for VoiceCalls {
    fn name(&self) -> &'static str {
        "voice_calls"
    }
    fn description(&self) -> &'static str {
        "Gorgias phone calls, one row per call (natural key: id). The list is read whole; incremental emits calls updated since the bookmark."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/phone/voice-calls",
            order_by: None,
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
    fn api_cursor_fallback(&self) -> Option<&'static str> {
        Some("created_datetime")
    }
    fn schema(&self) -> Value {
        schema_for::<VoiceCallRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["id"]
    }
    // `phone_number_id` is left out: no stream lists the phone numbers.
    fn relationships(&self) -> &'static [super::Relation] {
        &[
            super::Relation {
                column: "integration_id",
                stream: "integrations",
                key: "integration_id",
            },
            super::Relation {
                column: "ticket_id",
                stream: "tickets",
                key: "ticket_id",
            },
            super::Relation {
                column: "customer_id",
                stream: "customers",
                key: "id",
            },
            super::Relation {
                column: "initiated_by_agent_id",
                stream: "users",
                key: "user_id",
            },
            super::Relation {
                column: "last_answered_by_agent_id",
                stream: "users",
                key: "user_id",
            },
        ]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
        let c = ctx.obj(object);
        let id = c.id("voice call")?;
        out.push(&VoiceCallRow {
            id,
            external_id: c.str("external_id"),
            integration_id: c.int("integration_id"),
            ticket_id: c.int("ticket_id"),
            customer_id: c.int("customer_id"),
            phone_number_id: c.int("phone_number_id"),
            direction: c.str("direction"),
            status: c.str("status"),
            provider: c.str("provider"),
            phone_number_source: c.str("phone_number_source"),
            phone_number_destination: c.str("phone_number_destination"),
            initiated_by_agent_id: c.int("initiated_by_agent_id"),
            last_answered_by_agent_id: c.int("last_answered_by_agent_id"),
            duration: c.int("duration"),
            has_voicemail: c.bool("has_voicemail"),
            has_call_recording: c.bool("has_call_recording"),
            created_datetime: c.ts("created_datetime"),
            started_datetime: c.ts("started_datetime"),
            updated_datetime: c
                .ts("updated_datetime")
                .or_else(|| c.ts("created_datetime")),
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
            &VoiceCalls,
            &json!({"id": 600001, "ticket_id": 100101, "direction": "inbound",
            "duration": "95", "status": "answered"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["duration"], 95);
        assert_eq!(out[0]["updated_datetime"], Value::Null);
        let out = super::super::map_value(
            &VoiceCalls,
            &json!({"id": 600002, "created_datetime": "2024-11-01T10:59:29+00:00",
            "started_datetime": "2024-11-01T10:59:31+00:00", "updated_datetime": null}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["updated_datetime"], "2024-11-01T10:59:29Z");
        assert_eq!(out[0]["started_datetime"], "2024-11-01T10:59:31Z");
        assert!(VoiceCalls.endpoint().order_by.is_none());
    }
}
