//! Where each column added beyond the Daasity tables was confirmed: a
//! field the reference does not document is not carried, and a field only
//! one source shows is left out until another confirms it.

use std::fmt::Write;

/// One added column and the API field it reads.
pub struct AddedField {
    pub stream: &'static str,
    pub column: &'static str,
    /// The API field, dotted for a nested one.
    pub field: &'static str,
    /// The reference's object the field is documented on.
    pub object: &'static str,
}

/// A connector that reads the live API and names every one of these
/// fields in its table definitions.
const LIVE_CLIENT: &str = "DataLakeHouse's Gorgias connector (`io.datalakehouse.common.GorgiasConstants`, its column lists per entity)";

const fn f(
    stream: &'static str,
    column: &'static str,
    field: &'static str,
    object: &'static str,
) -> AddedField {
    AddedField {
        stream,
        column,
        field,
        object,
    }
}

pub static ADDED: &[AddedField] = &[
    f("users", "role", "role.name", "User"),
    f("users", "deactivated_at", "deactivated_datetime", "User"),
    f("users", "timezone", "timezone", "User"),
    f("users", "language", "language", "User"),
    f("tickets", "assignee_team_id", "assignee_team.id", "Ticket"),
    f(
        "tickets",
        "assignee_team_name",
        "assignee_team.name",
        "Ticket",
    ),
    f("tickets", "language", "language", "Ticket"),
    f("tickets", "snooze_at", "snooze_datetime", "Ticket"),
    f(
        "ticket_messages",
        "from_address",
        "source.from.address",
        "Message",
    ),
    f("ticket_messages", "to_addresses", "source.to", "Message"),
    f(
        "ticket_messages",
        "channel_message_id",
        "message_id",
        "Message",
    ),
    f("ticket_messages", "external_id", "external_id", "Message"),
    f("ticket_messages", "rule_id", "rule_id", "Message"),
    f("ticket_messages", "intents", "intents", "Message"),
    f("ticket_messages", "opened_at", "opened_datetime", "Message"),
    f("ticket_messages", "failed_at", "failed_datetime", "Message"),
    f(
        "ticket_messages",
        "deleted_at",
        "deleted_datetime",
        "Message",
    ),
    f(
        "ticket_messages",
        "last_sending_error",
        "last_sending_error",
        "Message",
    ),
    f("ticket_messages", "body_text", "body_text", "Message"),
    f("integrations", "description", "description", "Integration"),
    f(
        "integrations",
        "deleted_at",
        "deleted_datetime",
        "Integration",
    ),
    f(
        "integrations",
        "locked_at",
        "locked_datetime",
        "Integration",
    ),
    f(
        "satisfaction_surveys",
        "should_send_at",
        "should_send_datetime",
        "Satisfaction survey",
    ),
    f(
        "voice_calls",
        "status_in_queue",
        "status_in_queue",
        "Voice call",
    ),
    f("voice_calls", "queue_id", "queue_id", "Voice call"),
    f(
        "voice_calls",
        "last_rang_agent_id",
        "last_rang_agent_id",
        "Voice call",
    ),
    f(
        "voice_calls",
        "country_source",
        "country_source",
        "Voice call",
    ),
    f(
        "voice_calls",
        "country_destination",
        "country_destination",
        "Voice call",
    ),
    f(
        "custom_fields",
        "external_id",
        "external_id",
        "Custom field",
    ),
    f(
        "custom_fields",
        "requirement_type",
        "requirement_type",
        "Custom field",
    ),
];

/// Fields asked for that no second source confirmed, and why each is out.
pub static LEFT_OUT: &[(&str, &str, &str)] = &[
    ("ticket_messages", "sender_type", "not confirmed: neither the Message object's documented fields as read here nor the live client's column list has it"),
    ("voice_calls", "ended_datetime", "not confirmed: the live client's voice call columns have no end time; `started_datetime` and `duration` (both carried) give it"),
];

/// The section of `docs/endpoints.md` on the added columns.
pub fn section(reference: &str) -> String {
    let mut out = format!(
        "\n## Columns beyond the Daasity tables\n\n\
         Each is documented on its object in Gorgias's API reference ({reference}) and read \
         by a live client, {LIVE_CLIENT}. They follow the Daasity columns, which stay as they \
         were, and are null where the API sends nothing.\n\n\
         | stream | column | Gorgias field | documented on |\n|---|---|---|---|\n"
    );
    for a in ADDED {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | `{}` | {} object |",
            a.stream, a.column, a.field, a.object
        );
    }
    out.push_str("\nAsked for but not carried:\n\n");
    for (stream, field, why) in LEFT_OUT {
        let _ = writeln!(out, "- `{stream}`: `{field}`: {why}.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_added_column_is_in_its_schema_citing_its_field() {
        for a in ADDED {
            let s = crate::streams::find(a.stream).unwrap_or_else(|| panic!("{}", a.stream));
            let schema = (s.schema)();
            let doc = schema["properties"][a.column]["description"]
                .as_str()
                .unwrap_or_else(|| panic!("{}.{} has no column", a.stream, a.column));
            assert!(
                doc.contains(&format!("`{}`", a.field)),
                "{}.{}: {doc}",
                a.stream,
                a.column
            );
        }
    }

    #[test]
    fn a_field_left_out_is_not_carried() {
        for (stream, field, _) in LEFT_OUT {
            let s = crate::streams::find(stream).unwrap();
            let schema = (s.schema)().to_string();
            assert!(!schema.contains(&format!("`{field}`")), "{stream}.{field}");
        }
    }
}
