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

mod columns;
#[cfg(test)]
mod map_tests;

/// Declares each stream's module and lists its `StreamDef` in [`ALL`], in
/// the order streams are read and documented: a new stream is one line here.
macro_rules! registry {
    ($($module:ident :: $def:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every stream, in the order they are read and documented.
        pub static ALL: &[&StreamDef] = &[$(&$module::$def),*];
    };
}

registry! {
    account::ACCOUNT,
    users::USERS,
    tickets::TICKETS,
    ticket_tags::TICKET_TAGS,
    ticket_custom_field_values::TICKET_CUSTOM_FIELD_VALUES,
    ticket_messages::TICKET_MESSAGES,
    satisfaction_surveys::SATISFACTION_SURVEYS,
    integrations::INTEGRATIONS,
    customers::CUSTOMERS,
    customer_custom_field_values::CUSTOMER_CUSTOM_FIELD_VALUES,
    tags::TAGS,
    events::EVENTS,
    teams::TEAMS,
    views::VIEWS,
    view_items::VIEW_ITEMS,
    macros::MACROS,
    rules::RULES,
    custom_fields::CUSTOM_FIELDS,
    jobs::JOBS,
    voice_calls::VOICE_CALLS,
    voice_call_events::VOICE_CALL_EVENTS,
    voice_call_recordings::VOICE_CALL_RECORDINGS,
}

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
