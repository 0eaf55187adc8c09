//! `voice_call_events`: one row per event in a phone call's life (ringing,
//! answered, recorded, ended, …).
//!
//! `/api/phone/voice-call-events` takes only `cursor`, `limit` and
//! `call_id`: no `order_by`, no time filter. So the list is read whole in the
//! API's own order every time; incremental mode emits only events whose
//! `created_datetime` reached the bookmark. Events never change once written.

super::dsl::api_stream! {
    VOICE_CALL_EVENTS {
        description: "Gorgias voice call events, one row per event of a call (natural key: id). The list is read whole; incremental emits events created since the bookmark.",
        read: Read::WholeList { path: "/phone/voice-call-events", order: None },
        natural_key: &["id"],
        cursor: cursor!("created_datetime" <- "created_datetime"),
        relationships: &[Relation::new("call_id", "voice_calls", "id"), Relation::new("customer_id", "customers", "id"), Relation::new("user_id", "users", "user_id")],
    }
    /// A Gorgias voice call event. Natural key: `id`.
    VoiceCallEventRow, "voice call event";
    id: id = "Gorgias voice call event id (`id`).",
    account_id: int = "The Gorgias account the event belongs to (`account_id`).",
    call_id: int = "The voice call it happened to (`call_id`).",
    customer_id: int = "The customer on the call (`customer_id`).",
    user_id: int = "The agent involved, when one was (`user_id`).",
    r#type: str = "What happened: incoming-phone-call, phone-call-ringing, phone-call-answered, call-recording, completed-phone-call, … (`type`).",
    meta: json_object = "Data attached to the event (`meta`).",
    created_datetime: ts = "When it happened (`created_datetime`): the cursor.",
}
