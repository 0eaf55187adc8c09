#!/usr/bin/env bash
# Smoke run of the benchmark (bench/, `gorgias-bench --smoke`): a small
# sandbox (2 000 tickets), every measurement once, the table printed. It
# checks that the benchmark still runs end to end against the current
# connector and sandbox; it asserts no timing (the figures of a shared CI
# machine mean nothing) and appends nothing to docs/benchmarks.md. The real
# run is `cargo run --release -p gorgias-bench -- --tickets 200000`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

cargo build --release --workspace
RELEASE=$(realpath -m "${CARGO_TARGET_DIR:-target}/release")
"$RELEASE/gorgias-bench" --smoke --no-build --no-append "$@"
