# Sourced by the end-to-end scripts (ci/e2e-*.sh): what each needs around
# its checks, written once so a script keeps only what it tests.
#   - the checkout as working directory, ROOT, RELEASE (the workspace's
#     release binaries, honouring CARGO_TARGET_DIR) and VENVS;
#   - a throwaway $work, removed on exit after every command in
#     $cleanup_hooks has run and every process in $pids is killed;
#   - say/pass/fail: the lines a run is read by; fail counts in $failures;
#   - ci/installs.sh, venv, start_sandbox and write_config (below).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
RELEASE=$(realpath -m "${CARGO_TARGET_DIR:-target}/release")
VENVS=$ROOT/target/venvs

work=$(mktemp -d)
# Containers the scripts start read files under it as another user.
chmod 0755 "$work"
pids=()
cleanup_hooks=()
failures=0
cleanup() {
  local hook pid
  for hook in "${cleanup_hooks[@]}"; do "$hook"; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "-- $*"; }
pass() { echo "PASS $*"; }
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

source ci/installs.sh

# venv NAME PIP_SPEC: $VENVS/NAME with these pinned packages (PIP_SPEC is
# split on spaces), rebuilt only when the pins change, so a re-run costs
# nothing here. pip's output goes to $work/pip-NAME.log, shown on failure.
venv() {
  # shellcheck disable=SC2086
  pip_venv "$VENVS/$1" $2 >"$work/pip-$1.log" 2>&1 || {
    tail -20 "$work/pip-$1.log"
    return 1
  }
}

# start_sandbox LABEL ARGS...: a release sandbox on a free port with these
# flags, killed on exit; sets SANDBOX_URL (…/api) and SANDBOX_ROOT. A
# sandbox that does not start is a FAIL that ends the script.
start_sandbox() {
  local out="$work/sandbox-$1.out"
  shift
  "$RELEASE/gorgias-sandbox" --port 0 "$@" >"$out" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    if SANDBOX_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/api' "$out" 2>/dev/null); then
      SANDBOX_ROOT=${SANDBOX_URL%/api}
      say "sandbox $* at $SANDBOX_URL"
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL sandbox did not start: $(cat "$out")"
  exit 1
}

# write_config URL FILE [flat]: a config for the sandbox at URL, its
# credentials under `credentials` as the spec has them or, with `flat`, as
# top-level email and api_key (the older form, still read).
write_config() {
  if [ "${3:-}" = flat ]; then
    printf '{"domain":"acme","email":"sandbox@example.com","api_key":"sandbox-api-key","base_url":"%s"}\n' "$1" >"$2"
  else
    printf '{"domain":"acme","credentials":{"auth_type":"api_key","email":"sandbox@example.com","api_key":"sandbox-api-key"},"base_url":"%s"}\n' "$1" >"$2"
  fi
}
