//! `voice_calls`: one row per phone call.
//!
//! `/api/phone/voice-calls` takes no `order_by` at all (only `cursor`,
//! `limit` and `ticket_id`), so the list is read whole in the API's own
//! order every time; incremental mode emits only calls whose
//! `updated_datetime` reached the bookmark. A call that never changed has
//! none: its creation time stands in, or every read would send it again.

// `phone_number_id` is left out: no stream lists the phone numbers.
super::dsl::api_stream! {
    VOICE_CALLS {
        description: "Gorgias phone calls, one row per call (natural key: id). The list is read whole; incremental emits calls updated since the bookmark.",
        read: Read::WholeList { path: "/phone/voice-calls", order: None },
        natural_key: &["id"],
        cursor: cursor!("updated_datetime" <- "updated_datetime" or "created_datetime"),
        relationships: &[Relation::new("integration_id", "integrations", "integration_id"), Relation::new("ticket_id", "tickets", "ticket_id"), Relation::new("customer_id", "customers", "id"), Relation::new("initiated_by_agent_id", "users", "user_id"), Relation::new("last_answered_by_agent_id", "users", "user_id"), Relation::new("last_rang_agent_id", "users", "user_id")],
    }
    /// A Gorgias voice call. Natural key: `id`.
    VoiceCallRow, "voice call";
    id: id = "Gorgias voice call id (`id`).",
    external_id: str = "The call's id at the telephony provider (`external_id`).",
    integration_id: int = "The phone integration (`integration_id`).",
    ticket_id: int = "The ticket the call belongs to (`ticket_id`).",
    customer_id: int = "The customer on the call (`customer_id`).",
    phone_number_id: int = "The account's phone number used (`phone_number_id`).",
    direction: str = "inbound or outbound (`direction`).",
    status: str = "answered, missed, voicemail, … (`status`).",
    provider: str = "Telephony provider (`provider`).",
    phone_number_source: str = "Calling number (`phone_number_source`).",
    phone_number_destination: str = "Called number (`phone_number_destination`).",
    initiated_by_agent_id: int = "The agent who placed an outbound call (`initiated_by_agent_id`).",
    last_answered_by_agent_id: int = "The agent who last answered (`last_answered_by_agent_id`).",
    duration: int = "Length in seconds (`duration`).",
    has_voicemail: bool = "Whether a voicemail was left (`has_voicemail`).",
    has_call_recording: bool = "Whether the call was recorded (`has_call_recording`).",
    created_datetime: ts = "When the call was created (`created_datetime`).",
    started_datetime: ts = "When the call started (`started_datetime`).",
    updated_datetime: ts or created_datetime = "When it last changed (`updated_datetime`, else `created_datetime` for a call that never changed): the cursor.",
    status_in_queue: str = "Where the call stands in the call queue (`status_in_queue`).",
    queue_id: int = "The call queue it went through (`queue_id`).",
    last_rang_agent_id: int = "The agent whose phone rang last (`last_rang_agent_id`).",
    country_source: str = "Country of the calling number (`country_source`).",
    country_destination: str = "Country of the called number (`country_destination`).",
}
