//! Shared test harness: a sandbox in this process, the connector binary in a
//! child process, and strict checks on every line it prints. Here: the
//! sandbox, scratch files and catalogs; the runners are `airbyte`, `singer`
//! and `process`, the oracle's rules `oracle`, the secret search `leaks`,
//! and the server that misbehaves on cue `hostile`.
#![allow(dead_code)]

mod airbyte;
pub mod hostile;
mod leaks;
mod oracle;
mod process;
pub mod singer;

pub use airbyte::*;
pub use leaks::*;
pub use oracle::*;
pub use process::*;

use gorgias_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A long, distinctive key: any output that contains it leaked it.
pub const API_KEY: &str = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0-DO-NOT-PRINT";
pub const EMAIL: &str = "sandbox@example.com";

pub fn sandbox(tickets: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

pub fn config_for(sb: &Sandbox) -> Value {
    json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": sb.base_url(), "backoff_base_ms": 5})
}

/// A fresh scratch directory per call.
pub fn scratch() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "source-gorgias-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write_json(dir: &std::path::Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p
}

pub fn write_text(dir: &std::path::Path, name: &str, s: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// A configured catalog of one stream read in `mode`, the least a user
/// can write, as `cat.json` in `dir`.
pub fn one_stream_catalog(dir: &Path, name: &str, mode: &str) -> PathBuf {
    write_json(
        dir,
        "cat.json",
        &json!({"streams": [{"stream": {"name": name}, "sync_mode": mode}]}),
    )
}

/// An Airbyte configured catalog of `tags` alone, written as a user would
/// write it by hand (no schema).
pub fn tags_catalog(dir: &std::path::Path) -> PathBuf {
    write_json(
        dir,
        "catalog.json",
        &json!({"streams": [{"stream": {"name": "tags", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}),
    )
}

pub fn catalog_file(dir: &std::path::Path) -> PathBuf {
    write_json(
        dir,
        "catalog.json",
        &source_gorgias::airbyte::catalog::configured_catalog_all(),
    )
}

/// The configured catalog of `discover`, narrowed to `names`, each in its
/// best mode.
pub fn catalog_of(names: &[&str]) -> Value {
    let mut all = source_gorgias::airbyte::catalog::configured_catalog_all();
    all["streams"]
        .as_array_mut()
        .unwrap()
        .retain(|s| names.contains(&s["stream"]["name"].as_str().unwrap()));
    assert_eq!(all["streams"].as_array().unwrap().len(), names.len());
    all
}

/// The generated files whose text differs from what the code generates
/// now; with `BLESS` set, each is rewritten instead and none is stale.
pub fn stale_files(files: impl IntoIterator<Item = (PathBuf, String)>) -> Vec<String> {
    let bless = std::env::var_os("BLESS").is_some();
    let mut stale = Vec::new();
    for (path, want) in files {
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
    stale
}

/// The records counted per stream; `stream_of` says where the protocol's
/// message names its stream (Airbyte nests it in `record`, Singer does not).
pub fn per_stream<'a>(
    records: impl IntoIterator<Item = &'a Value>,
    stream_of: fn(&Value) -> &Value,
) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for m in records {
        *out.entry(stream_of(m).as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}
