//! `events`: one row per entry of the account's event log.
//!
//! `/api/events` is the one list Gorgias filters by time on the server
//! (`created_datetime[gte]`), so an incremental read asks only for what is
//! new: oldest first from the bookmark, less five minutes for events
//! committed a little after their timestamp, with a checkpoint after every
//! page. Events never change once written. They are the only record of hard
//! deletes (`ticket-deleted`, `customer-deleted`, `tag-deleted`, with the
//! deleted object's `object_id`); `emit_deletes` asks for them with the
//! `types` filter in its documented form, repeated keys.

// `object_id` is left out: it refers to the stream `object_type` names.
super::dsl::api_stream! {
    EVENTS {
        description: "The Gorgias event log, one row per event (natural key: id), including hard deletes. Incremental on created_datetime, filtered by the server.",
        read: Read::ServerFiltered { path: "/events", lookback: |_| Duration::minutes(5) },
        natural_key: &["id"],
        cursor: cursor!("created_datetime" <- "created_datetime"),
        relationships: &[Relation::new("user_id", "users", "user_id")],
    }
    /// A Gorgias event. Natural key: `id`.
    EventRow, "event";
    id: id = "Gorgias event id (`id`).",
    r#type: str = "What happened: ticket-created, ticket-deleted, customer-deleted, … (`type`).",
    object_type: str = "The kind of object it happened to: Ticket, Customer, User, … (`object_type`).",
    object_id: int = "That object's id (`object_id`).",
    user_id: int = "The user who caused it, when a user did (`user_id`).",
    context: str = "Identifier of the request or process that caused it (`context`).",
    data: json_object = "Details of the change (`data`).",
    created_datetime: ts = "When it happened (`created_datetime`): the cursor.",
}
