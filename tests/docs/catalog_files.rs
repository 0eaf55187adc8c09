//! The generated files under `catalog/` must match what the code generates.
//! Regenerate them with `BLESS=1 cargo test --test docs catalog_files`.

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
    let bless = std::env::var_os("BLESS").is_some();
    let mut stale = Vec::new();
    for (path, want) in expected_files() {
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `BLESS=1 cargo test --test docs catalog_files`): {stale:?}"
    );
}
