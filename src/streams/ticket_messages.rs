//! `ticket_messages`: one row per message.
//!
//! Read from `/api/messages`, never one request per ticket (the deprecated
//! `/api/tickets/{id}/messages` N+1 is what made other connectors' message
//! syncs take hours). The endpoint sorts by `created_datetime` only, so the
//! stream reads newest first by creation and re-reads a lookback window
//! (3 days by default) before its bookmark: a message's later changes (sent,
//! failed, deleted) move no sort key, and the lookback is what catches them.

use super::{cursor, row_schema, Out, Read, Relation, RowContext, StreamDef, DEFAULTS};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static TICKET_MESSAGES: StreamDef = StreamDef {
    name: "ticket_messages",
    description: "Messages on Gorgias tickets, one row per message (natural key: message_id, ticket_id). Incremental on created_at with a lookback window.",
    read: Read::NewestFirst { path: "/messages", lookback: |config| config.messages_lookback },
    key: &["message_id", "ticket_id"],
    cursor: cursor!("created_at" <- "created_datetime"),
    // or a user, so neither refers to one stream.
    relations: &[
        Relation::new("ticket_id", "tickets", "ticket_id"),
        Relation::new("integration_id", "integrations", "integration_id"),
    ],
    schema: || row_schema::<TicketMessageRow>(),
    map,
    ..DEFAULTS
};

/// A message on a ticket. Natural key: (`message_id`, `ticket_id`).
#[derive(Serialize, JsonSchema)]
pub struct TicketMessageRow {
    /// Gorgias message id (`id`).
    pub message_id: i64,
    /// The ticket it belongs to (`ticket_id`).
    pub ticket_id: Option<i64>,
    /// Whether the customer can see it; false for internal notes (`public`).
    pub public: Option<bool>,
    /// Channel of the message: email, chat, … (`channel`).
    pub channel: Option<String>,
    /// How it was created (`via`).
    pub via: Option<String>,
    /// Whether an agent sent it (`from_agent`).
    pub from_agent: Option<bool>,
    /// How the sender's name was set (`sender.meta.name_set_via`).
    pub sender_channel: Option<String>,
    /// The sender's id (`sender.id`).
    pub sender_id: Option<i64>,
    /// The sender's e-mail (`sender.email`).
    pub sender_email: Option<String>,
    /// The sender's first name (`sender.firstname`).
    pub sender_firstname: Option<String>,
    /// The sender's last name (`sender.lastname`).
    pub sender_lastname: Option<String>,
    /// The integration it went through (`integration_id`).
    pub integration_id: Option<i64>,
    /// The receiver's id (`receiver.id`).
    pub receiver_id: Option<i64>,
    /// The receiver's name (`receiver.name`).
    pub receiver_name: Option<String>,
    /// Message subject (`subject`).
    pub subject: Option<String>,
    /// The text without quoted replies or signature (`stripped_text`).
    pub stripped_text: Option<String>,
    /// When the message was created (`created_datetime`): the cursor.
    pub created_at: Option<Timestamp>,
    /// When it was sent (`sent_datetime`); null until sent.
    pub sent_at: Option<Timestamp>,
}

fn map(object: Node<'_>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let m = ctx.obj(object);
    let id = m.id("message")?;
    let ticket_id = m.int("ticket_id");
    let sender = m.at("sender");
    let receiver = m.at("receiver");
    out.push(&TicketMessageRow {
        message_id: id,
        ticket_id,
        public: m.bool("public"),
        channel: m.str("channel"),
        via: m.str("via"),
        from_agent: m.bool("from_agent"),
        sender_channel: sender.at("meta").str("name_set_via"),
        sender_id: sender.int("id"),
        sender_email: sender.str("email"),
        sender_firstname: sender.str("firstname"),
        sender_lastname: sender.str("lastname"),
        integration_id: m.int("integration_id"),
        receiver_id: receiver.int("id"),
        receiver_name: receiver.str("name"),
        subject: m.str("subject"),
        stripped_text: m.str("stripped_text"),
        created_at: m.ts("created_datetime"),
        sent_at: m.ts("sent_datetime"),
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

    #[test]
    fn sender_meta_and_receiver_flatten() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let obj = json!({"id": 11, "ticket_id": 5, "sender": {"id": 2, "email": "a@x", "meta": {"name_set_via": "agent"}},
            "receiver": null, "created_datetime": "2019-11-16T15:59:41.966927", "sent_datetime": null});
        let out = super::super::map_value(&TICKET_MESSAGES, &obj, &ctx).unwrap();
        let r = &out[0];
        assert_eq!(r["sender_channel"], "agent");
        assert_eq!(r["receiver_id"], Value::Null);
        assert_eq!(r["created_at"], "2019-11-16T15:59:41.966927Z");
        assert_eq!(r["__sync_key"], super::super::sync_key(&[&11, &5], "acme"));
    }
}
