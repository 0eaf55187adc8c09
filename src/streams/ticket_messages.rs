//! `ticket_messages`: one row per message.
//!
//! Read from `/api/messages`, never one request per ticket (the deprecated
//! `/api/tickets/{id}/messages` N+1 is what made other connectors' message
//! syncs take hours). The endpoint sorts by `created_datetime` only, so the
//! stream reads newest first by creation and re-reads a lookback window
//! (3 days by default) before its bookmark: a message's later changes (sent,
//! failed, deleted) move no sort key, and the lookback is what catches them.

super::dsl::api_stream! {
    TICKET_MESSAGES {
        description: "Messages on Gorgias tickets, one row per message (natural key: message_id, ticket_id). Incremental on created_at with a lookback window.",
        read: Read::NewestFirst { path: "/messages", lookback: |config| config.messages_lookback },
        natural_key: &["message_id", "ticket_id"],
        cursor: cursor!("created_at" <- "created_datetime"),
        // `sender_id` and `receiver_id` are left out: either may be a customer
        // or a user, so neither refers to one stream.
        relationships: &[Relation::new("ticket_id", "tickets", "ticket_id"), Relation::new("integration_id", "integrations", "integration_id")],
    }
    /// A message on a ticket. Natural key: (`message_id`, `ticket_id`).
    TicketMessageRow, "message";
    message_id: id = "Gorgias message id (`id`).",
    ticket_id: int = "The ticket it belongs to (`ticket_id`).",
    public: bool = "Whether the customer can see it; false for internal notes (`public`).",
    channel: str = "Channel of the message: email, chat, … (`channel`).",
    via: str = "How it was created (`via`).",
    from_agent: bool = "Whether an agent sent it (`from_agent`).",
    sender_channel: str <- name_set_via in sender.meta = "How the sender's name was set (`sender.meta.name_set_via`).",
    sender_id: int <- id in sender = "The sender's id (`sender.id`).",
    sender_email: str <- email in sender = "The sender's e-mail (`sender.email`).",
    sender_firstname: str <- firstname in sender = "The sender's first name (`sender.firstname`).",
    sender_lastname: str <- lastname in sender = "The sender's last name (`sender.lastname`).",
    integration_id: int = "The integration it went through (`integration_id`).",
    receiver_id: int <- id in receiver = "The receiver's id (`receiver.id`).",
    receiver_name: str <- name in receiver = "The receiver's name (`receiver.name`).",
    subject: str = "Message subject (`subject`).",
    stripped_text: str = "The text without quoted replies or signature (`stripped_text`).",
    created_at: ts <- created_datetime = "When the message was created (`created_datetime`): the cursor.",
    sent_at: ts <- sent_datetime = "When it was sent (`sent_datetime`); null until sent.",
    from_address: str <- address in source.from = "The address it was sent from: e-mail, phone, … (`source.from.address`).",
    to_addresses: json_array <- to in source = "The recipients, each with its name and address (`source.to`).",
    channel_message_id: str <- message_id = "The message's id at the service that carried it, e.g. the e-mail Message-ID (`message_id`); `message_id` names the Gorgias id.",
    external_id: str = "The message's id in an external system (`external_id`).",
    rule_id: int = "The rule that sent it, if a rule did (`rule_id`).",
    intents: json_array = "The intents Gorgias detected in it, with their names (`intents`).",
    opened_at: ts <- opened_datetime = "When the recipient opened it (`opened_datetime`); null until opened or where the channel cannot tell.",
    failed_at: ts <- failed_datetime = "When sending failed (`failed_datetime`); null unless it failed.",
    deleted_at: ts <- deleted_datetime = "When it was deleted (`deleted_datetime`); null unless deleted.",
    last_sending_error: json_object = "Why the last attempt to send it failed (`last_sending_error`); null unless it failed.",
    body_text: str = "The full text of the message, quoted replies included (`body_text`). It can be large: deselect the column to leave it out.",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::obj::RowContext;
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
        let out = super::super::def::map_value(&TICKET_MESSAGES, &obj, &ctx).unwrap();
        let r = &out[0];
        assert_eq!(r["sender_channel"], "agent");
        assert_eq!(r["receiver_id"], Value::Null);
        assert_eq!(r["created_at"], "2019-11-16T15:59:41.966927Z");
        assert_eq!(
            r["__sync_key"],
            super::super::rows::sync_key(&[&11, &5], "acme")
        );
    }
}
