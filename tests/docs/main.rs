//! What is written about the connector matches the code: the generated
//! catalog, docs, dbt and Meltano files, the endpoint table every request
//! keeps to (against a sandbox as strict as Gorgias's reference), and the
//! rule that a new stream is one file and one line in `streams/mod.rs`.

#[path = "../common/mod.rs"]
mod common;

mod catalog_files;
mod docs_files;
mod documented_api;
mod endpoint_conformance;
mod one_stream_one_line;
mod platform_plugins;
