#!/usr/bin/env bash
# Builds the connector's wheel (pyproject.toml: maturin, the two
# executables) from the checkout and prints its path. The e2e scripts that
# install the connector the way Meltano and PyAirbyte users do call it.
# Every call builds: into a new, empty folder under target/ci-wheels/, never
# target/wheels/ (where `maturin build` and a user's `pip install .` leave
# wheels), so what CI tests is always this checkout's build and a broken
# build fails here instead of passing on an older wheel. cargo reuses the
# release build the tests made when the sources are unchanged. Nothing is
# uploaded. Installs maturin (pinned as in pyproject.toml) in
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
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# The previous runs' folders go; this run's is new and empty.
rm -rf "$TARGET/ci-wheels"
mkdir -p "$TARGET/ci-wheels"
OUT=$(mktemp -d "$TARGET/ci-wheels/XXXXXX")

source ci/installs.sh
# stdout carries only the wheel's path.
pip_venv "$VENV" "$PIP_SPEC" >&2 || {
  echo "FAIL wheel: pip install $PIP_SPEC" >&2
  exit 1
}

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$VENV/bin/maturin" build --release --locked --out "$OUT" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "FAIL wheel: maturin build" >&2
  exit 1
fi
wheels=("$OUT"/source_gorgias-"$version"-*.whl)
if [ ${#wheels[@]} -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "FAIL wheel: maturin left ${#wheels[@]} wheels for version $version in $OUT: $(ls "$OUT")" >&2
  exit 1
fi
wheel=${wheels[0]}
# Exactly the two executables, on PATH once installed.
scripts=$(python3 -m zipfile -l "$wheel" | grep -o '\.data/scripts/[^ ]*' | sed 's#.*/##' | sort | tr '\n' ' ')
if [ "$scripts" != "source-gorgias tap-gorgias " ]; then
  echo "FAIL wheel: $wheel holds the executables '$scripts', not 'source-gorgias tap-gorgias'" >&2
  exit 1
fi
echo "-- wheel $wheel ($scripts)" >&2
echo "$wheel"
