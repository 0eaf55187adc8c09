//! The generated files under `catalog/` must match what the code generates.
//! Regenerate them with `BLESS=1 cargo test --test docs catalog_files`.

use crate::common::stale_files;
use source_gorgias::airbyte::{catalog, spec_message};
use source_gorgias::streams::ALL;
use std::path::PathBuf;

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

fn expected_files() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let mut files = vec![
        (dir.join("spec.json"), pretty(&spec_message()["spec"])),
        (
            dir.join("configured_catalog.json"),
            pretty(&catalog::configured_catalog_all()),
        ),
    ];
    for s in ALL {
        files.push((
            dir.join(format!("{}.json", s.name())),
            pretty(&catalog::stream_entry(s)["json_schema"]),
        ));
    }
    files
}

#[test]
fn catalog_files_are_fresh() {
    let stale = stale_files(expected_files());
    assert!(
        stale.is_empty(),
        "stale generated files (run `BLESS=1 cargo test --test docs catalog_files`): {stale:?}"
    );
}
