//! The exact-table oracle: every stream read by the binaries from the
//! in-process sandbox and compared, row by row and column by column, with an
//! independent statement of its mapping, in every config form and while the
//! account changes under the read.

#[path = "../common/mod.rs"]
mod common;

mod acceptance;
mod api_field_streams;
mod concurrent_changes;
mod config_forms;
mod custom_field_values;
mod daasity_streams;
mod view_costs;
