//! `tickets`: one row per ticket.
//!
//! `/api/tickets` sorts by `updated_datetime`, which moves on every change, so
//! the stream reads newest first and stops after a whole page older than its
//! bookmark: an incremental read costs about one request per 100 changed
//! tickets. Stopping at the first older ticket instead would drop the other
//! tickets sharing its timestamp on the next page. Trashed tickets are listed
//! too (the API's default), with `trashed_at` set, and spam with `spam`;
//! hard-deleted ones vanish from the list.

super::dsl::api_stream! {
    TICKETS {
        description: "Gorgias tickets, one row per ticket (natural key: ticket_id). Incremental on updated_at, read newest first.",
        read: Read::NewestFirst { path: "/tickets", lookback: no_lookback },
        natural_key: &["ticket_id"],
        cursor: cursor!("updated_at" <- "updated_datetime"),
        // `requester_id` is left out: on legacy tickets it is `requester.id`,
        // an object this connector cannot tie to a customer row.
        relationships: &[Relation::new("customer_id", "customers", "id"), Relation::new("assignee_id", "users", "user_id")],
        deletion: Some(Deletion { event: "ticket-deleted", object_type: "Ticket" }),
    }
    /// A Gorgias ticket, with its customer, (legacy) requester and assignee
    /// flattened. Natural key: `ticket_id`.
    TicketRow, "ticket";
    objects { customer = customer, requester = requester | customer, assignee = assignee_user, team = assignee_team };
    ticket_id: id = "Gorgias ticket id (`id`).",
    external_id: str = "The ticket's id in an external system (`external_id`).",
    ticket_channel: str <- channel = "Channel the ticket came in through: email, chat, phone, … (`channel`).",
    via: str = "How the ticket was created: helpdesk, api, email, … (`via`).",
    from_agent: bool = "Whether an agent opened the ticket (`from_agent`).",
    ticket_status: str <- status = "open or closed (`status`).",
    ticket_priority: str <- priority = "Ticket priority (`priority`).",
    requester_id: int <- id in requester = "Requester id: `requester.id` on legacy tickets, else `customer.id`.",
    requester_email: str <- email in requester = "Requester e-mail: `requester.email`, else `customer.email`.",
    requester_name: str <- name in requester = "Requester name: `requester.name`, else `customer.name`.",
    requester_firstname: str <- firstname in requester = "Requester first name: `requester.firstname`, else `customer.firstname`.",
    requester_lastname: str <- lastname in requester = "Requester last name: `requester.lastname`, else `customer.lastname`.",
    customer_id: int <- id in customer = "The customer's id (`customer.id`).",
    customer_email: str <- email in customer = "The customer's e-mail (`customer.email`).",
    customer_name: str <- name in customer = "The customer's full name (`customer.name`).",
    customer_firstname: str <- firstname in customer = "The customer's first name (`customer.firstname`).",
    customer_lastname: str <- lastname in customer = "The customer's last name (`customer.lastname`).",
    assignee_firstname: str <- firstname in assignee = "The assigned agent's first name (`assignee_user.firstname`); null when unassigned.",
    assignee_lastname: str <- lastname in assignee = "The assigned agent's last name (`assignee_user.lastname`).",
    assignee_id: int <- id in assignee = "The assigned agent's user id (`assignee_user.id`).",
    assignee_email: str <- email in assignee = "The assigned agent's e-mail (`assignee_user.email`).",
    ticket_subject: str <- subject = "Ticket subject (`subject`).",
    ticket_excerpt: str <- excerpt = "Start of the last message (`excerpt`).",
    messages_count: int = "Messages in the ticket (`messages_count`).",
    is_unread: bool = "Whether agents have unread messages on it (`is_unread`).",
    created_at: ts <- created_datetime = "When the ticket was created (`created_datetime`).",
    opened_at: ts <- opened_datetime = "When an agent first opened it (`opened_datetime`).",
    last_received_at: ts <- last_received_message_datetime = "When the last customer message arrived (`last_received_message_datetime`).",
    last_message_at: ts <- last_message_datetime = "When the last message was sent or received (`last_message_datetime`).",
    updated_at: ts <- updated_datetime = "When the ticket last changed (`updated_datetime`): the cursor.",
    closed_at: ts <- closed_datetime = "When it was closed (`closed_datetime`); null while open.",
    trashed_at: ts <- trashed_datetime = "When it was moved to the trash (`trashed_datetime`); null for a ticket that is not in the trash. Trashed tickets stay listed.",
    spam: bool = "Whether it was marked as spam (`spam`).",
    assignee_team_id: int <- id in team = "The assigned team's id (`assignee_team.id`); null when no team is assigned.",
    assignee_team_name: str <- name in team = "The assigned team's name (`assignee_team.name`).",
    language: str = "The ticket's language as Gorgias detected it, e.g. en (`language`).",
    snooze_at: ts <- snooze_datetime = "When a snoozed ticket reopens (`snooze_datetime`); null unless snoozed.",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::obj::RowContext;
    use chrono::TimeZone;
    use serde_json::json;
    #[allow(unused_imports)]
    use serde_json::Value;

    fn ctx() -> RowContext {
        RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        )
    }

    #[test]
    fn requester_falls_back_to_customer() {
        let obj = json!({"id": 7, "customer": {"id": 3, "email": "c@x", "name": "C D", "firstname": "C", "lastname": "D"},
            "assignee_user": null, "updated_datetime": "2024-11-01T10:59:29+00:00", "messages_count": "4"});
        let out = super::super::def::map_value(&TICKETS, &obj, &ctx()).unwrap();
        let r = &out[0];
        assert_eq!(r["requester_id"], 3);
        assert_eq!(r["requester_email"], "c@x");
        assert_eq!(r["assignee_id"], Value::Null);
        assert_eq!(r["messages_count"], 4);
        assert_eq!(r["updated_at"], "2024-11-01T10:59:29Z");
        assert_eq!(r["__source_id"], "acme");
        assert_eq!(r["__synced_at"], "2025-01-01T00:00:00Z");
        assert_eq!(r["__sync_key"], super::super::rows::sync_key(&[&7], "acme"));
    }

    #[test]
    fn legacy_requester_wins() {
        let obj = json!({"id": 7, "customer": {"id": 3}, "requester": {"id": 9, "email": "r@x"}});
        let out = super::super::def::map_value(&TICKETS, &obj, &ctx()).unwrap();
        assert_eq!(out[0]["requester_id"], 9);
        assert_eq!(out[0]["customer_id"], 3);
    }

    #[test]
    fn a_ticket_without_id_is_refused_with_a_sentence() {
        let e =
            super::super::def::map_value(&TICKETS, &json!({"subject": "x"}), &ctx()).unwrap_err();
        assert!(e.message.contains("ticket without a numeric `id`"));
    }

    #[test]
    fn wrong_types_become_null_and_are_tallied() {
        let c = ctx();
        let out = super::super::def::map_value(
            &TICKETS,
            &json!({"id": 1, "is_unread": "maybe", "customer": "x", "created_datetime": 5}),
            &c,
        )
        .unwrap();
        assert_eq!(out[0]["is_unread"], Value::Null);
        assert_eq!(out[0]["created_at"], Value::Null);
        assert_eq!(c.coerced.get(), 3);
    }
}
