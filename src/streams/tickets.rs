//! `tickets`: one row per ticket.
//!
//! `/api/tickets` sorts by `updated_datetime`, which moves on every change, so
//! the stream reads newest first and stops after a whole page older than its
//! bookmark: an incremental read costs about one request per 100 changed
//! tickets. Stopping at the first older ticket instead would drop the other
//! tickets sharing its timestamp on the next page. Trashed tickets are listed
//! too (the API's default), with `trashed_at` set, and spam with `spam`;
//! hard-deleted ones vanish from the list.

use super::{
    cursor, no_lookback, row_schema, Deletion, Out, Read, Relation, RowContext, StreamDef, DEFAULTS,
};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static TICKETS: StreamDef = StreamDef {
    name: "tickets",
    description: "Gorgias tickets, one row per ticket (natural key: ticket_id). Incremental on updated_at, read newest first.",
    read: Read::NewestFirst { path: "/tickets", lookback: no_lookback },
    natural_key: &["ticket_id"],
    cursor: cursor!("updated_at" <- "updated_datetime"),
    // `requester_id` is left out: on legacy tickets it is `requester.id`,
    // an object this connector cannot tie to a customer row.
    relationships: &[
        Relation::new("customer_id", "customers", "id"),
        Relation::new("assignee_id", "users", "user_id"),
    ],
    deletion: Some(Deletion { event: "ticket-deleted", object_type: "Ticket" }),
    schema: || row_schema::<TicketRow>(),
    map,
    ..DEFAULTS
};

/// A Gorgias ticket, with its customer, (legacy) requester and assignee
/// flattened. Natural key: `ticket_id`.
#[derive(Serialize, JsonSchema)]
pub struct TicketRow {
    /// Gorgias ticket id (`id`).
    pub ticket_id: i64,
    /// The ticket's id in an external system (`external_id`).
    pub external_id: Option<String>,
    /// Channel the ticket came in through: email, chat, phone, … (`channel`).
    pub ticket_channel: Option<String>,
    /// How the ticket was created: helpdesk, api, email, … (`via`).
    pub via: Option<String>,
    /// Whether an agent opened the ticket (`from_agent`).
    pub from_agent: Option<bool>,
    /// open or closed (`status`).
    pub ticket_status: Option<String>,
    /// Ticket priority (`priority`).
    pub ticket_priority: Option<String>,
    /// Requester id: `requester.id` on legacy tickets, else `customer.id`.
    pub requester_id: Option<i64>,
    /// Requester e-mail: `requester.email`, else `customer.email`.
    pub requester_email: Option<String>,
    /// Requester name: `requester.name`, else `customer.name`.
    pub requester_name: Option<String>,
    /// Requester first name: `requester.firstname`, else `customer.firstname`.
    pub requester_firstname: Option<String>,
    /// Requester last name: `requester.lastname`, else `customer.lastname`.
    pub requester_lastname: Option<String>,
    /// The customer's id (`customer.id`).
    pub customer_id: Option<i64>,
    /// The customer's e-mail (`customer.email`).
    pub customer_email: Option<String>,
    /// The customer's full name (`customer.name`).
    pub customer_name: Option<String>,
    /// The customer's first name (`customer.firstname`).
    pub customer_firstname: Option<String>,
    /// The customer's last name (`customer.lastname`).
    pub customer_lastname: Option<String>,
    /// The assigned agent's first name (`assignee_user.firstname`); null when unassigned.
    pub assignee_firstname: Option<String>,
    /// The assigned agent's last name (`assignee_user.lastname`).
    pub assignee_lastname: Option<String>,
    /// The assigned agent's user id (`assignee_user.id`).
    pub assignee_id: Option<i64>,
    /// The assigned agent's e-mail (`assignee_user.email`).
    pub assignee_email: Option<String>,
    /// Ticket subject (`subject`).
    pub ticket_subject: Option<String>,
    /// Start of the last message (`excerpt`).
    pub ticket_excerpt: Option<String>,
    /// Messages in the ticket (`messages_count`).
    pub messages_count: Option<i64>,
    /// Whether agents have unread messages on it (`is_unread`).
    pub is_unread: Option<bool>,
    /// When the ticket was created (`created_datetime`).
    pub created_at: Option<Timestamp>,
    /// When an agent first opened it (`opened_datetime`).
    pub opened_at: Option<Timestamp>,
    /// When the last customer message arrived (`last_received_message_datetime`).
    pub last_received_at: Option<Timestamp>,
    /// When the last message was sent or received (`last_message_datetime`).
    pub last_message_at: Option<Timestamp>,
    /// When the ticket last changed (`updated_datetime`): the cursor.
    pub updated_at: Option<Timestamp>,
    /// When it was closed (`closed_datetime`); null while open.
    pub closed_at: Option<Timestamp>,
    /// When it was moved to the trash (`trashed_datetime`); null for a
    /// ticket that is not in the trash. Trashed tickets stay listed.
    pub trashed_at: Option<Timestamp>,
    /// Whether it was marked as spam (`spam`).
    pub spam: Option<bool>,
    /// The assigned team's id (`assignee_team.id`); null when no team is assigned.
    pub assignee_team_id: Option<i64>,
    /// The assigned team's name (`assignee_team.name`).
    pub assignee_team_name: Option<String>,
    /// The ticket's language as Gorgias detected it, e.g. en (`language`).
    pub language: Option<String>,
    /// When a snoozed ticket reopens (`snooze_datetime`); null unless snoozed.
    pub snooze_at: Option<Timestamp>,
}

fn map(object: Node<'_>, _: Option<i64>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let t = ctx.obj(object);
    let id = t.id("ticket")?;
    let customer = t.at("customer");
    let legacy = t.at("requester");
    let requester = if legacy.is_present() {
        legacy
    } else {
        customer
    };
    let assignee = t.at("assignee_user");
    let team = t.at("assignee_team");
    out.push(&TicketRow {
        ticket_id: id,
        external_id: t.str("external_id"),
        ticket_channel: t.str("channel"),
        via: t.str("via"),
        from_agent: t.bool("from_agent"),
        ticket_status: t.str("status"),
        ticket_priority: t.str("priority"),
        requester_id: requester.int("id"),
        requester_email: requester.str("email"),
        requester_name: requester.str("name"),
        requester_firstname: requester.str("firstname"),
        requester_lastname: requester.str("lastname"),
        customer_id: customer.int("id"),
        customer_email: customer.str("email"),
        customer_name: customer.str("name"),
        customer_firstname: customer.str("firstname"),
        customer_lastname: customer.str("lastname"),
        assignee_firstname: assignee.str("firstname"),
        assignee_lastname: assignee.str("lastname"),
        assignee_id: assignee.int("id"),
        assignee_email: assignee.str("email"),
        ticket_subject: t.str("subject"),
        ticket_excerpt: t.str("excerpt"),
        messages_count: t.int("messages_count"),
        is_unread: t.bool("is_unread"),
        created_at: t.ts("created_datetime"),
        opened_at: t.ts("opened_datetime"),
        last_received_at: t.ts("last_received_message_datetime"),
        last_message_at: t.ts("last_message_datetime"),
        updated_at: t.ts("updated_datetime"),
        closed_at: t.ts("closed_datetime"),
        trashed_at: t.ts("trashed_datetime"),
        spam: t.bool("spam"),
        assignee_team_id: team.int("id"),
        assignee_team_name: team.str("name"),
        language: t.str("language"),
        snooze_at: t.ts("snooze_datetime"),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let out = super::super::map_value(&TICKETS, &obj, &ctx()).unwrap();
        let r = &out[0];
        assert_eq!(r["requester_id"], 3);
        assert_eq!(r["requester_email"], "c@x");
        assert_eq!(r["assignee_id"], Value::Null);
        assert_eq!(r["messages_count"], 4);
        assert_eq!(r["updated_at"], "2024-11-01T10:59:29Z");
        assert_eq!(r["__source_id"], "acme");
        assert_eq!(r["__synced_at"], "2025-01-01T00:00:00Z");
        assert_eq!(r["__sync_key"], super::super::sync_key(&[&7], "acme"));
    }

    #[test]
    fn legacy_requester_wins() {
        let obj = json!({"id": 7, "customer": {"id": 3}, "requester": {"id": 9, "email": "r@x"}});
        let out = super::super::map_value(&TICKETS, &obj, &ctx()).unwrap();
        assert_eq!(out[0]["requester_id"], 9);
        assert_eq!(out[0]["customer_id"], 3);
    }

    #[test]
    fn a_ticket_without_id_is_refused_with_a_sentence() {
        let e = super::super::map_value(&TICKETS, &json!({"subject": "x"}), &ctx()).unwrap_err();
        assert!(e.message.contains("ticket without a numeric `id`"));
    }

    #[test]
    fn wrong_types_become_null_and_are_tallied() {
        let c = ctx();
        let out = super::super::map_value(
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
