//! The reference docs, written from what each stream declares (endpoint,
//! plan, cursor, lookback, key, relationships, and the doc comment of every
//! column) so they cannot drift from the code: `docs/erd.md`,
//! `docs/streams.md` and `dbt/sources.yml`, `docs/endpoints.md` from
//! [`crate::endpoints`], Meltano's files from [`crate::plugin`], and the
//! generated parts of two hand-written files (the acceptance config's
//! per-stream lists, README's stream tables). One file here per document;
//! `cargo run --bin gen-docs` writes them and `tests/docs/docs_files.rs` fails
//! when they are stale.
//!
//! Every function here is pure and deterministic: streams in catalog order,
//! columns in a fixed order, no clock and no environment. Nothing outside
//! the binary and the tests imports this room, so the tables it reads
//! (streams, endpoints, plugin settings) never depend on their docs.

mod acceptance;
mod columns;
mod dbt;
mod endpoints_md;
mod erd;
mod meltano;
mod reading;
mod readme;
mod streams_md;
mod text;

pub use acceptance::acceptance_config;
pub use columns::{all_relationships, columns, source_element, Column};
pub use dbt::{dbt_sources, DBT_SOURCE};
pub use endpoints_md::endpoints_md;
pub use erd::erd;
pub use meltano::{hub_definition, meltano_project, HUB_PATH, MELTANO_PROJECT_PATH};
pub use reading::how_it_is_read;
pub use readme::{readme, sync_key_formula};
pub use streams_md::streams_md;
pub use text::COMMAND;

pub const ERD_PATH: &str = "docs/erd.md";
pub const STREAMS_PATH: &str = "docs/streams.md";
pub const DBT_PATH: &str = "dbt/sources.yml";
pub const ENDPOINTS_PATH: &str = "docs/endpoints.md";
pub const ACCEPTANCE_PATH: &str = "acceptance-test-config.yml";
pub const README_PATH: &str = "README.md";

/// Every generated file: its path under the crate root and its content.
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        (ERD_PATH, erd()),
        (STREAMS_PATH, streams_md()),
        (DBT_PATH, dbt_sources()),
        (ENDPOINTS_PATH, endpoints_md()),
        (HUB_PATH, hub_definition()),
    ]
}

/// The hand-written files with generated parts (the acceptance config's
/// per-stream lists, README's stream tables), each as it should be given
/// its current text, which `read` returns for a path (empty when absent).
pub fn partly_generated(read: &dyn Fn(&str) -> String) -> Vec<(&'static str, String)> {
    vec![
        (ACCEPTANCE_PATH, acceptance_config(&read(ACCEPTANCE_PATH))),
        (README_PATH, readme(&read(README_PATH))),
        (
            MELTANO_PROJECT_PATH,
            meltano_project(&read(MELTANO_PROJECT_PATH)),
        ),
    ]
}

/// [`files`] and [`partly_generated`]: every file `gen-docs` writes, as it
/// should be.
pub fn every_file(read: &dyn Fn(&str) -> String) -> Vec<(&'static str, String)> {
    let mut all = files();
    all.extend(partly_generated(read));
    all
}
