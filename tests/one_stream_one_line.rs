//! "Adding a stream is one file and one line": everything else a stream
//! needs is derived from its declaration, or fails here naming what is
//! missing. For every stream in `streams::ALL`: the sandbox serves its
//! endpoint (a read of it alone emits records, every request answered 200),
//! the endpoint table documents every request it makes, its schema file is
//! in `catalog/`, and the generated docs and the acceptance config list it.

mod common;

use common::*;
use serde_json::json;
use source_gorgias::{docs, endpoints, streams};
use std::path::Path;

#[test]
fn every_declared_stream_has_a_sandbox_endpoint_a_schema_file_docs_and_an_endpoint_entry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sb = sandbox(30);
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();
    let (erd, streams_md, dbt) = (docs::erd(), docs::streams_md(), docs::dbt_sources());
    let acceptance = std::fs::read_to_string(root.join(docs::ACCEPTANCE_PATH)).unwrap();
    for s in streams::ALL {
        let name = s.name();
        // The sandbox serves it, and the endpoint table knows each request.
        sb.clear_requests();
        let catalog = write_json(
            &dir,
            &format!("{name}.catalog.json"),
            &json!({"streams": [{"stream": {"name": name}, "sync_mode": "full_refresh"}]}),
        );
        let run = airbyte(&[
            "read",
            "--config",
            config,
            "--catalog",
            catalog.to_str().unwrap(),
        ]);
        assert_eq!(
            run.code, 0,
            "{name}: the sandbox does not serve it: {}",
            run.stdout
        );
        assert!(
            !run.records(name).is_empty(),
            "{name}: the sandbox has no rows for it"
        );
        for r in sb.requests() {
            assert_eq!(r.status, 200, "{name}: the sandbox refused {r:?}");
            assert!(
                endpoints::find(&r.path).is_some(),
                "{name}: {} is not in the endpoint table (src/endpoints.rs)",
                r.path
            );
        }
        // Its generated schema file.
        assert!(
            root.join("catalog").join(format!("{name}.json")).is_file(),
            "{name}: no catalog/{name}.json (BLESS=1 cargo test --test catalog_files)"
        );
        // The generated docs and the acceptance config's per-stream lists.
        assert!(
            streams_md.contains(&format!("\n## {name}\n")),
            "{name}: not in docs/streams.md"
        );
        assert!(
            erd.contains(&format!("    {name} {{")),
            "{name}: not in docs/erd.md"
        );
        assert!(
            dbt.contains(&format!("      - name: {name}\n")),
            "{name}: not in dbt/sources.yml"
        );
        assert!(
            acceptance.contains(&format!("\n          {name}: ")),
            "{name}: not in acceptance-test-config.yml (cargo run --bin gen-docs)"
        );
    }
}
