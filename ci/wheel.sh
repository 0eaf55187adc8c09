#!/usr/bin/env bash
# Builds the connector's wheel (pyproject.toml: maturin, the two
# executables) from the checkout into target/wheels/ and prints its path.
# The e2e scripts that install the connector the way Meltano and PyAirbyte
# users do call it; the release build it packages is the one .ci/run's
# tests already made, and a wheel newer than those binaries is reused, so
# one run builds it once. Nothing is uploaded. Installs maturin (pinned as in pyproject.toml) in
# target/venvs/maturin.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never PIP_DISABLE_PIP_VERSION_CHECK=1

ROOT=$(pwd)
VENV=$ROOT/target/venvs/maturin
PIP_SPEC=$(sed -n 's/^requires = \["\(maturin==[^"]*\)"\]/\1/p' pyproject.toml)
[ -n "$PIP_SPEC" ] || {
  echo "FAIL wheel: pyproject.toml pins no maturin version" >&2
  exit 1
}
OUT=${CARGO_TARGET_DIR:-$ROOT/target}/wheels

if [ ! -f "$VENV/.installed" ] || [ "$(cat "$VENV/.installed")" != "$PIP_SPEC" ]; then
  echo "-- installing $PIP_SPEC into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "$PIP_SPEC" >&2
  echo "$PIP_SPEC" >"$VENV/.installed"
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
release=${CARGO_TARGET_DIR:-$ROOT/target}/release
wheel=$(ls "$OUT"/source_gorgias-"$version"-*.whl 2>/dev/null | head -n 1 || true)
# One wheel per run: reused while it is newer than what it packages (cargo
# still checks the binaries are current first).
cargo build --release --locked --bin source-gorgias --bin tap-gorgias >&2
fresh=false
if [ -n "$wheel" ]; then
  fresh=true
  for f in "$release/source-gorgias" "$release/tap-gorgias" pyproject.toml Cargo.toml; do
    [ "$wheel" -nt "$f" ] || fresh=false
  done
fi
if ! $fresh; then
  rm -f "$OUT"/source_gorgias-*.whl
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! "$VENV/bin/maturin" build --release --locked --out "$OUT" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "FAIL wheel: maturin build" >&2
    exit 1
  fi
  wheel=$(ls "$OUT"/source_gorgias-"$version"-*.whl)
fi
# Exactly the two executables, on PATH once installed.
scripts=$(python3 -m zipfile -l "$wheel" | grep -o '\.data/scripts/[^ ]*' | sed 's#.*/##' | sort | tr '\n' ' ')
if [ "$scripts" != "source-gorgias tap-gorgias " ]; then
  echo "FAIL wheel: $wheel holds the executables '$scripts', not 'source-gorgias tap-gorgias'" >&2
  exit 1
fi
echo "-- wheel $wheel ($scripts)" >&2
echo "$wheel"
