//! Where each column added beyond the Daasity tables was confirmed: a
//! field the reference does not document is not carried, and a field only
//! one source shows is left out until another confirms it.

/// The columns added to one stream, all documented on one object.
pub struct Added {
    pub stream: &'static str,
    /// The reference's object the fields are documented on.
    pub object: &'static str,
    /// Each added column and the API field it reads, dotted for a nested
    /// one.
    pub columns: &'static [(&'static str, &'static str)],
}

/// A connector that reads the live API and names every one of these
/// fields in its table definitions.
pub const LIVE_CLIENT: &str = "DataLakeHouse's Gorgias connector (`io.datalakehouse.common.GorgiasConstants`, its column lists per entity)";

/// Per stream, its columns in the order they follow the
/// Daasity ones.
pub static ADDED: &[Added] = &[
    Added {
        stream: "users",
        object: "User",
        columns: &[
            ("role", "role.name"),
            ("deactivated_at", "deactivated_datetime"),
            ("timezone", "timezone"),
            ("language", "language"),
        ],
    },
    Added {
        stream: "tickets",
        object: "Ticket",
        columns: &[
            ("assignee_team_id", "assignee_team.id"),
            ("assignee_team_name", "assignee_team.name"),
            ("language", "language"),
            ("snooze_at", "snooze_datetime"),
        ],
    },
    Added {
        stream: "ticket_messages",
        object: "Message",
        columns: &[
            ("from_address", "source.from.address"),
            ("to_addresses", "source.to"),
            ("channel_message_id", "message_id"),
            ("external_id", "external_id"),
            ("rule_id", "rule_id"),
            ("intents", "intents"),
            ("opened_at", "opened_datetime"),
            ("failed_at", "failed_datetime"),
            ("deleted_at", "deleted_datetime"),
            ("last_sending_error", "last_sending_error"),
            ("body_text", "body_text"),
        ],
    },
    Added {
        stream: "integrations",
        object: "Integration",
        columns: &[
            ("description", "description"),
            ("deleted_at", "deleted_datetime"),
            ("locked_at", "locked_datetime"),
        ],
    },
    Added {
        stream: "satisfaction_surveys",
        object: "Satisfaction survey",
        columns: &[("should_send_at", "should_send_datetime")],
    },
    Added {
        stream: "voice_calls",
        object: "Voice call",
        columns: &[
            ("status_in_queue", "status_in_queue"),
            ("queue_id", "queue_id"),
            ("last_rang_agent_id", "last_rang_agent_id"),
            ("country_source", "country_source"),
            ("country_destination", "country_destination"),
        ],
    },
    Added {
        stream: "custom_fields",
        object: "Custom field",
        columns: &[
            ("external_id", "external_id"),
            ("requirement_type", "requirement_type"),
        ],
    },
];

/// Fields asked for that no second source confirmed, and why each is out.
pub static LEFT_OUT: &[(&str, &str, &str)] = &[
    ("ticket_messages", "sender_type", "not confirmed: neither the Message object's documented fields as read here nor the live client's column list has it"),
    ("voice_calls", "ended_datetime", "not confirmed: the live client's voice call columns have no end time; `started_datetime` and `duration` (both carried) give it"),
];

/// Fields of a mapped object that no column carries on purpose, per
/// endpoint (a path under it; `[]` for each element of a list), and why:
/// what `probe` lists as not known to the mapping should all be here.
pub static NOT_CARRIED: &[(&str, &str, &str)] = &[
    ("/account", "meta", "free-form account metadata with no documented shape"),
    ("/account", "settings[].data.send_survey_for_chat", "a survey setting; the account rows carry the business hours"),
    ("/users", "uri", "the object's API address, derived from its id"),
    ("/users", "bio", "free profile text, not an analysis field"),
    ("/users", "country", "the agent's profile country, not among the fields asked for; `timezone` and `language` are carried"),
    ("/users", "meta", "free-form metadata with no documented shape"),
    ("/tickets", "uri", "the object's API address, derived from its id"),
    ("/tickets", "meta", "free-form metadata with no documented shape"),
    ("/tickets", "integrations", "the integrations the ticket went through: `ticket_messages.integration_id` carries them per message"),
    ("/tickets", "tags[].uri", "the tag's API address; `ticket_tags` carries its id and name"),
    ("/tickets", "tags[].decoration", "the tag's colour, in the `tags` stream"),
    ("/tickets", "custom_fields.<key>.id", "not a `tickets` column: `ticket_custom_field_values` carries each value as a row (`field_id`)"),
    ("/tickets", "custom_fields.<key>.value", "not a `tickets` column: `ticket_custom_field_values` carries each value as a row (`value`, `value_json`)"),
    ("/messages", "uri", "the object's API address, derived from its id"),
    ("/messages", "meta", "free-form metadata with no documented shape"),
    ("/messages", "body_html", "the HTML form of `body_text`, which is carried"),
    ("/messages", "stripped_html", "the HTML form of `stripped_text`, which is carried"),
    ("/messages", "stripped_signature", "the signature cut from `stripped_text`"),
    ("/messages", "attachments", "file addresses and sizes; the files are not read"),
    ("/messages", "actions", "what a macro's actions did, in a shape Gorgias changes; `macros` and `rules` carry the definitions"),
    ("/messages", "macros", "the macros applied, as the macro objects of the `macros` stream"),
    ("/messages", "is_retriable", "a flag for the helpdesk's resend button; `failed_at` and `last_sending_error` are carried"),
    ("/messages", "sender.name", "the sender's full name: `sender_firstname` and `sender_lastname` are carried"),
    ("/messages", "receiver.email", "the receiver's address is in `to_addresses`"),
    ("/messages", "source.type", "the channel, carried as `channel`"),
    ("/messages", "source.from.name", "the sender's name as the channel shows it; `from_address` and the sender columns are carried"),
    ("/satisfaction-surveys", "uri", "the object's API address, derived from its id"),
    ("/satisfaction-surveys", "meta", "free-form metadata with no documented shape"),
    ("/integrations", "uri", "the object's API address, derived from its id"),
    ("/integrations", "meta", "the integration's settings, which can hold credentials"),
    ("/integrations", "http", "an HTTP integration's request, whose headers can hold credentials"),
    ("/integrations", "managed", "whether Gorgias manages the integration, a helpdesk display flag"),
    ("/customers", "uri", "the object's API address, derived from its id"),
    ("/customers", "custom_fields.<key>.id", "not a `customers` column: `customer_custom_field_values` carries each value as a row (`field_id`)"),
    ("/customers", "custom_fields.<key>.value", "not a `customers` column: `customer_custom_field_values` carries each value as a row (`value`, `value_json`)"),
    ("/tags", "uri", "the object's API address, derived from its id"),
    ("/events", "uri", "the object's API address, derived from its id"),
    ("/teams", "uri", "the object's API address, derived from its id"),
    ("/views", "uri", "the object's API address, derived from its id"),
    ("/views", "search", "the view's free-text search as typed; `filters` carries what it selects"),
    ("/views/{id}/items", "*", "an item is a ticket (or customer) whose own stream carries its fields; `view_items` carries which items a view holds"),
    ("/macros", "uri", "the object's API address, derived from its id"),
    ("/rules", "uri", "the object's API address, derived from its id"),
    ("/custom-fields", "uri", "the object's API address, derived from its id"),
    ("/jobs", "uri", "the object's API address, derived from its id"),
];

/// Why `field` of `endpoint`'s objects is not carried, if it is on purpose.
pub fn not_carried_why(endpoint: &str, field: &str) -> Option<&'static str> {
    NOT_CARRIED
        .iter()
        .find(|(e, f, _)| *e == endpoint && (*f == field || *f == "*"))
        .map(|(_, _, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_added_column_is_in_its_schema_citing_its_field() {
        for a in ADDED {
            let s = crate::streams::find(a.stream).unwrap_or_else(|| panic!("{}", a.stream));
            let schema = (s.schema)();
            for (column, field) in a.columns {
                let doc = schema["properties"][column]["description"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}.{column} has no column", a.stream));
                assert!(
                    doc.contains(&format!("`{field}`")),
                    "{}.{column}: {doc}",
                    a.stream
                );
            }
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
