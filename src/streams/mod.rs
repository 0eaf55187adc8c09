//! The streams: each declares what it reads and how one API object becomes
//! rows; [`crate::sync`] does the reading. Adding a stream is one file here
//! and one line in [`ALL`].
//!
//! A stream file is written with what the files below it hold, in floors
//! that only look down: `obj` (the typed reader of API objects) under `rows`
//! (rows, their bookkeeping columns and `__sync_key`) under `def` (the
//! declaration, [`StreamDef`]); `dsl` holds the grammar (`api_stream!`,
//! `cursor!`). This file is the registry above them all, and re-exports
//! what the rest of the crate uses.

mod def;
mod dsl;
mod obj;
mod rows;

pub use def::{
    map_value, no_lookback, schema_for_config, Cursor, Deletion, Embedded, Endpoint, Read,
    ReadPlan, Relation, StreamDef, DEFAULTS,
};
pub use dsl::{api_field, module_name};
pub(crate) use dsl::{api_stream, column_type, column_value, cursor};
pub use obj::{parent_id, FieldRead, Nested, Obj, RowContext};
pub use rows::{deleted_row, row_schema, sync_key, Identity, Out, Rows, SyncMeta, DELETED_AT};

mod account;
mod columns;
mod custom_fields;
mod customer_custom_field_values;
mod customers;
mod events;
mod integrations;
mod jobs;
mod macros;
#[cfg(test)]
mod map_tests;
mod rules;
mod satisfaction_surveys;
mod tags;
mod teams;
mod ticket_custom_field_values;
mod ticket_messages;
mod ticket_tags;
mod tickets;
mod users;
mod view_items;
mod views;
mod voice_call_events;
mod voice_call_recordings;
mod voice_calls;

/// Every stream, in catalog order.
pub static ALL: &[&StreamDef] = &[
    &account::ACCOUNT,
    &users::USERS,
    &tickets::TICKETS,
    &ticket_tags::TICKET_TAGS,
    &ticket_custom_field_values::TICKET_CUSTOM_FIELD_VALUES,
    &ticket_messages::TICKET_MESSAGES,
    &satisfaction_surveys::SATISFACTION_SURVEYS,
    &integrations::INTEGRATIONS,
    &customers::CUSTOMERS,
    &customer_custom_field_values::CUSTOMER_CUSTOM_FIELD_VALUES,
    &tags::TAGS,
    &events::EVENTS,
    &teams::TEAMS,
    &views::VIEWS,
    &view_items::VIEW_ITEMS,
    &macros::MACROS,
    &rules::RULES,
    &custom_fields::CUSTOM_FIELDS,
    &jobs::JOBS,
    &voice_calls::VOICE_CALLS,
    &voice_call_events::VOICE_CALL_EVENTS,
    &voice_call_recordings::VOICE_CALL_RECORDINGS,
];

pub fn find(name: &str) -> Option<&'static StreamDef> {
    ALL.iter().copied().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<_> = ALL.iter().map(|s| s.name()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn every_schema_declares_its_cursor_and_key() {
        for s in ALL {
            let schema = s.schema();
            let props = schema["properties"].as_object().unwrap();
            assert!(props.contains_key("__sync_key"), "{}", s.name());
            if let Some(c) = s.cursor_field() {
                assert!(props.contains_key(c), "{}: {c}", s.name());
            }
        }
    }
}
