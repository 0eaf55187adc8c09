//! `view_items`: one row per ticket listed in a view, for every view.
//!
//! Items live under each view (`/api/views/{id}/items`, with its own envelope,
//! see [`crate::client::Page`]). Membership changes with no key saying when a
//! ticket left, so each view is read whole every time by `created_datetime`,
//! which never moves (none skipped or listed twice). Two views, two rows.

super::dsl::api_stream! {
    VIEW_ITEMS {
        description: "The tickets each Gorgias view lists, one row per (view, ticket) (natural key: view_id, id). Every view is read whole every time.",
        read: Read::PerParent { path: "/views/{id}/items", order: "created_datetime:asc", parent: &super::views::VIEWS },
        natural_key: &["view_id", "id"],
        relationships: &[Relation::new("view_id", "views", "id"), Relation::new("id", "tickets", "ticket_id")],
    }
    /// A ticket as a view lists it. Natural key: (`view_id`, `id`).
    ViewItemRow, "view item";
    view_id: parent = "The view listing the ticket (the parent view's `id`).",
    id: id = "Gorgias ticket id (`id`).",
    external_id: str = "The ticket's id in an external system (`external_id`).",
    subject: str = "Subject (`subject`).",
    status: str = "open or closed (`status`).",
    channel: str = "Channel: email, chat, phone, … (`channel`).",
    via: str = "How it was created (`via`).",
    priority: str = "Priority (`priority`).",
    spam: bool = "Whether it is spam (`spam`).",
    is_unread: bool = "Whether agents have unread messages on it (`is_unread`).",
    messages_count: int = "Messages in the ticket (`messages_count`).",
    customer: json_object = "The customer: id, e-mail, name (`customer`).",
    assignee_user: json_object = "The assigned agent (`assignee_user`).",
    assignee_team: json_object = "The assigned team (`assignee_team`).",
    tags: json_array = "Tags: id, name (`tags`).",
    created_datetime: ts = "When the ticket was created (`created_datetime`).",
    updated_datetime: ts = "When it last changed (`updated_datetime`).",
    last_message_datetime: ts = "When the last message was sent or received (`last_message_datetime`).",
    last_received_message_datetime: ts = "When the last customer message arrived (`last_received_message_datetime`).",
    closed_datetime: ts = "When it was closed (`closed_datetime`).",
    snooze_datetime: ts = "Until when it is snoozed (`snooze_datetime`).",
    trashed_datetime: ts = "When it was moved to the trash (`trashed_datetime`).",
}
