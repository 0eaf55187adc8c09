//! Writes the generated reference docs (`docs/erd.md`, `docs/streams.md`,
//! `dbt/sources.yml`, `docs/endpoints.md`) from the stream declarations and
//! the endpoint table, Meltano's plugin files from the settings, the
//! per-stream lists of `acceptance-test-config.yml` and README's stream
//! tables: `cargo run --bin gen-docs`. What each file says is in
//! `src/docs/`, one file per document.
//! With `--check` it writes nothing and exits 1 when a file is stale, for
//! hooks that should not touch the tree.

use source_gorgias::docs;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    // The crate root, not the working directory: the files belong to the
    // source tree wherever the command is run from.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = 0;
    let files =
        docs::every_file(&|rel| std::fs::read_to_string(root.join(rel)).unwrap_or_default());
    for (rel, want) in files {
        let path = root.join(rel);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have == want {
            continue;
        }
        if check {
            eprintln!("stale: {rel}");
            stale += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("cannot create {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(&path, want) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {rel}");
    }
    if stale > 0 {
        eprintln!("run `{}` to regenerate", docs::COMMAND);
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
