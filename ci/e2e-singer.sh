#!/usr/bin/env bash
# End to end with Singer's own tooling, against the sandbox on loopback:
#   1. singer-check-tap on the tap's output, and in its --tap mode (which
#      runs the tap with no catalog, then again with the state it kept);
#   2. tap | target-jsonl: one file per stream with the sandbox's row counts;
#   3. tap | pipelinewise-target-postgres into a PostgreSQL started here,
#      then again with the saved state after the sandbox's data changed;
#   4. meltano install of the example project in meltano/, which
#      pip-installs the tap from the wheel (ci/wheel.sh, built from this
#      checkout), then meltano run tap-gorgias target-jsonl twice: the second
#      run resumes from Meltano's stored state.
# Called by .ci/run after the tests. Installs what it needs (pip: one venv
# per tool under target/venvs/, reused when present; apt: postgresql when
# missing). Prints PASS/FAIL per check and exits non-zero on any FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export CARGO_TERM_COLOR=never
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false PIP_DISABLE_PIP_VERSION_CHECK=1

TAP=$RELEASE/tap-gorgias
TICKETS=300
SCHEMA=gorgias

pg_data=""
stop_postgres() {
  if [ -n "$pg_data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
}
cleanup_hooks+=(stop_postgres)

# ---- installs ------------------------------------------------------------------

say "installing singer-tools, target-jsonl, pipelinewise-target-postgres, meltano"
mkdir -p "$VENVS"
venv_pids=()
venv singer-tools singer-tools==0.4.1 & venv_pids+=("$!")
venv target-jsonl target-jsonl==0.1.4 & venv_pids+=("$!")
venv target-postgres pipelinewise-target-postgres==2.1.2 & venv_pids+=("$!")
venv meltano meltano==4.4.1 & venv_pids+=("$!")

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
apt_want postgresql test -n "$PG_BIN" -a -x "$PG_BIN/pg_ctl"
apt_want postgresql-client command -v psql
apt_install_wanted
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

say "cargo build --release --workspace"
cargo build --release --workspace
WHEEL=$(bash ci/wheel.sh)

for pid in "${venv_pids[@]}"; do
  wait "$pid" || { echo "FAIL installing the Python tools"; exit 1; }
done

# ---- the sandbox -----------------------------------------------------------------

start_sandbox singer --tickets "$TICKETS"

CONFIG=$work/tap-config.json
write_config "$SANDBOX_URL" "$CONFIG" flat

mutate() { # JSON body
  curl -fsS -X POST -H 'content-type: application/json' -d "$1" "$SANDBOX_ROOT/_sandbox/mutate" >"$work/mutation.json"
}

# Rows per stream as the sandbox holds them now: "stream count" lines.
# With "core", only the streams whose rows a change can only add or update
# (a view's items, by contrast, lose members, which an upsert keeps).
expected_counts() {
  python3 - "$SANDBOX_ROOT" "${1:-all}" <<'PY'
import sys
sys.path.insert(0, "ci")
from airbyte_checks import expected_counts
counts = expected_counts(sys.argv[1])
if sys.argv[2] == "core":
    core = ["account", "users", "tickets", "ticket_messages", "satisfaction_surveys", "integrations", "customers", "events"]
    counts = {k: v for k, v in counts.items() if k in core}
for k in sorted(counts):
    print(k, counts[k])
PY
}

# RECORD messages in a file of tap output.
records_in() { grep -c '"type":"RECORD"' "$1" || true; }
# RECORD messages of one stream: resuming is judged on tickets, since the
# full-table streams are read whole on every run.
records_of() { grep '"type":"RECORD"' "$1" | grep -c "\"stream\":\"$2\"" || true; }

# ---- 1. singer-check-tap -----------------------------------------------------------

say "singer-check-tap"
expected_counts >"$work/expected.txt"
"$TAP" --config "$CONFIG" >"$work/tap.out" 2>"$work/tap.err" || true
if "$VENVS/singer-tools/bin/singer-check-tap" <"$work/tap.out" >"$work/check-stdin.out" 2>&1; then
  pass "singer-check-tap on the tap's output: $(grep -o 'It contained .*' "$work/check-stdin.out")"
else
  fail "singer-check-tap on the tap's output"
  tail -20 "$work/check-stdin.out"
fi

# singer-check-tap --tap returns its reader thread's summary right after the
# tap exits, without joining the thread: a tap that exits as soon as its
# last line is written leaves it None and the checker crashes. The wrapper
# runs the real binary with the checker's arguments, closes the pipe (so the
# reader reaches EOF) and only then exits.
cat >"$work/tap-for-check" <<SH
#!/bin/sh
"$TAP" "\$@"
rc=\$?
exec 1>&-
sleep 1
exit \$rc
SH
chmod +x "$work/tap-for-check"
if (cd "$work" && "$VENVS/singer-tools/bin/singer-check-tap" --tap "$work/tap-for-check" --config "$CONFIG") \
  >"$work/check-tap.out" 2>&1 && grep -q 'Now re-running tap with state' "$work/check-tap.out"; then
  pass "singer-check-tap --tap (no catalog, then with its state): $(grep -o 'It contained .*' "$work/check-tap.out" | tr '\n' ';')"
else
  fail "singer-check-tap --tap"
  tail -20 "$work/check-tap.out"
fi

# ---- 2. target-jsonl ---------------------------------------------------------------

# The streams whose JSONL file in directory $1 does not hold the count
# $work/expected.txt gives it, as " stream=got(want n)" words; empty when all match.
count_mismatches() {
  local bad="" stream want got
  while read -r stream want; do
    got=$(wc -l <"$1/$stream.jsonl" 2>/dev/null || echo missing)
    [ "$got" = "$want" ] || bad="$bad $stream=$got(want $want)"
  done <"$work/expected.txt"
  printf '%s' "$bad"
}

say "target-jsonl"
mkdir -p "$work/jsonl"
printf '{"destination_path":"%s","do_timestamp_file":false}\n' "$work/jsonl" >"$work/jsonl-config.json"
if "$TAP" --config "$CONFIG" 2>"$work/tap-jsonl.err" |
  "$VENVS/target-jsonl/bin/target-jsonl" --config "$work/jsonl-config.json" >"$work/jsonl-state.out" 2>"$work/jsonl.err"; then
  bad=$(count_mismatches "$work/jsonl")
  if [ -z "$bad" ]; then
    pass "target-jsonl: one file per stream with the sandbox's counts ($(tr '\n' ' ' <"$work/expected.txt"))"
  else
    fail "target-jsonl row counts:$bad"
  fi
else
  fail "tap | target-jsonl exited non-zero"
  tail -5 "$work/jsonl.err" "$work/tap-jsonl.err"
fi

# ---- 3. pipelinewise-target-postgres --------------------------------------------------

say "pipelinewise-target-postgres"
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_dir=$work/pg
mkdir -p "$pg_dir"
chown postgres "$pg_dir"
runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres >"$work/initdb.log" 2>&1
pg_data=$pg_dir/data
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_data" -l "$pg_dir/log" -w \
  -o "-p $PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -X -q -At -F $'\t' -c "$1"; }
printf '{"host":"127.0.0.1","port":%s,"user":"postgres","password":"unused","dbname":"postgres","default_target_schema":"%s"}\n' \
  "$PG_PORT" "$SCHEMA" >"$work/pg-config.json"

# to_postgres STATE_FILE_OR_EMPTY TAG: a tap run into PostgreSQL; its last
# STATE goes to $work/pg-state-TAG.json and its output to $work/pg-tap-TAG.out.
to_postgres() {
  local state_args=()
  [ -n "$1" ] && state_args=(--state "$1")
  "$TAP" --config "$CONFIG" "${state_args[@]}" 2>"$work/pg-tap-$2.err" | tee "$work/pg-tap-$2.out" |
    "$VENVS/target-postgres/bin/target-postgres" --config "$work/pg-config.json" >"$work/pg-states-$2.out" 2>"$work/pg-$2.err" &&
    tail -1 "$work/pg-states-$2.out" >"$work/pg-state-$2.json"
}

pg_counts_match() { # TAG
  local bad=""
  while read -r stream want; do
    got=$(sql "select count(*) from $SCHEMA.$stream" 2>/dev/null || echo missing)
    [ "$got" = "$want" ] || bad="$bad $stream=$got(want $want)"
  done <"$work/expected.txt"
  if [ -z "$bad" ]; then
    pass "target-postgres $1: every table has the sandbox's row count"
  else
    fail "target-postgres $1 row counts:$bad"
  fi
}

if to_postgres "" first; then
  pg_counts_match "first load"
  types=$(sql "select data_type from information_schema.columns where table_schema = '$SCHEMA' and table_name = 'tickets' and column_name in ('ticket_id', 'updated_at') order by column_name")
  if [ "$types" = $'bigint\ntimestamp without time zone' ]; then
    pass "target-postgres typed ticket_id bigint and updated_at timestamp"
  else
    fail "target-postgres column types: $(echo "$types" | tr '\n' ' ')"
  fi
else
  fail "tap | target-postgres (first load) exited non-zero"
  tail -5 "$work/pg-first.err" "$work/pg-tap-first.err"
fi

mutate '{"seed":1,"update_tickets":20,"add_messages":10,"new_tickets":5}'
expected_counts core >"$work/expected.txt"
if [ -s "$work/pg-state-first.json" ] && to_postgres "$work/pg-state-first.json" second; then
  pg_counts_match "second load with state"
  first_n=$(records_of "$work/pg-tap-first.out" tickets)
  second_n=$(records_of "$work/pg-tap-second.out" tickets)
  if [ "$second_n" -gt 0 ] && [ $((second_n * 4)) -lt "$first_n" ]; then
    pass "target-postgres second run resumed from the saved state: $second_n ticket records (first: $first_n)"
  else
    fail "target-postgres second run read $second_n records (first: $first_n): the state did not resume it"
  fi
  # Every edited ticket's new subject and status, as the sandbox has them.
  python3 - "$SANDBOX_ROOT" >"$work/edited-want.tsv" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_sandbox/dump/tickets") as r:
    tickets = json.load(r)
for t in sorted(tickets, key=lambda t: t["id"]):
    if (t.get("subject") or "").endswith("(edited)"):
        print(f'{t["id"]}\t{t["subject"]}\t{t["status"]}')
PY
  sql "select ticket_id, ticket_subject, ticket_status from $SCHEMA.tickets where ticket_subject like '%(edited)' order by ticket_id" >"$work/edited-got.tsv"
  if [ -s "$work/edited-want.tsv" ] && diff -q "$work/edited-want.tsv" "$work/edited-got.tsv" >/dev/null; then
    pass "target-postgres upserted the $(wc -l <"$work/edited-want.tsv") edited tickets (subject and status match the sandbox)"
  else
    fail "target-postgres edited tickets differ from the sandbox"
    diff "$work/edited-want.tsv" "$work/edited-got.tsv" | head -5 || true
  fi
else
  fail "tap | target-postgres (second load with state) exited non-zero"
  tail -5 "$work/pg-second.err" "$work/pg-tap-second.err" 2>/dev/null || true
fi

# ---- 4. meltano ------------------------------------------------------------------

say "meltano run tap-gorgias target-jsonl"
project=$work/meltano
cp -r meltano "$project"
rm -rf "$project/.meltano" "$project/output"
# The example installs the tap from the checkout one level up (compiling
# it again); the copy lives elsewhere and installs this run's wheel.
sed -i "s#^\( *pip_url:\) \.\.\$#\1 $WHEEL#" "$project/meltano.yml"
grep -q "pip_url: $WHEEL" "$project/meltano.yml" || fail "meltano/meltano.yml declares the tap with no 'pip_url: ..' to point at the wheel"
# The credentials are the nested settings credentials.* (Meltano nests a
# dotted name back into the config): their variables, and one set with
# Meltano 4's command form as README shows it.
export TAP_GORGIAS_DOMAIN=acme TAP_GORGIAS_CREDENTIALS_EMAIL=sandbox@example.com \
  TAP_GORGIAS_CREDENTIALS_API_KEY=sandbox-api-key TAP_GORGIAS_BASE_URL=$SANDBOX_URL
meltano() { (cd "$project" && "$VENVS/meltano/bin/meltano" "$@"); }
if meltano config set tap-gorgias credentials.auth_type api_key >"$work/meltano-config.log" 2>&1; then
  pass "meltano config set tap-gorgias credentials.auth_type api_key"
else
  fail "meltano config set tap-gorgias credentials.auth_type: $(tail -n 3 "$work/meltano-config.log" | tr '\n' ' ')"
fi
lines_out() { cat "$project"/output/*.jsonl 2>/dev/null | wc -l; }

if meltano install >"$work/meltano-install.log" 2>&1; then
  installed=$project/.meltano/extractors/tap-gorgias/venv/bin/tap-gorgias
  if [ -x "$installed" ] && cmp -s "$installed" "$TAP"; then
    pass "meltano install pip-installed tap-gorgias from the wheel (.meltano/extractors/tap-gorgias/venv/bin/tap-gorgias)"
  else
    fail "meltano install did not put this build's tap-gorgias in the extractor's venv ($installed)"
  fi
  # --about as Meltano and its Hub tooling call it, from the installed tap.
  if meltano invoke tap-gorgias --about --format=json >"$work/about.json" 2>"$work/about.err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"] == "tap-gorgias" and d["settings_list"]' "$work/about.json"; then
    pass "meltano invoke tap-gorgias --about --format=json"
  else
    fail "meltano invoke tap-gorgias --about --format=json: $(tail -n 3 "$work/about.err" | tr '\n' ' ')"
  fi
  expected_counts >"$work/expected.txt"
  if meltano run tap-gorgias target-jsonl >"$work/meltano-1.log" 2>&1; then
    bad=$(count_mismatches "$project/output")
    if [ -z "$bad" ]; then
      pass "meltano run moved every stream with the sandbox's counts"
    else
      fail "meltano run row counts:$bad"
    fi
    first_n=$(wc -l <"$project/output/tickets.jsonl")
    mutate '{"seed":2,"update_tickets":15,"add_messages":8,"new_tickets":3}'
    if meltano run tap-gorgias target-jsonl >"$work/meltano-2.log" 2>&1; then
      second_n=$(($(wc -l <"$project/output/tickets.jsonl") - first_n))
      if grep -q 'INCREMENTAL from updated_at' "$work/meltano-2.log" &&
        [ "$second_n" -gt 0 ] && [ $((second_n * 4)) -lt "$first_n" ]; then
        pass "meltano second run resumed from Meltano's state: $second_n ticket records (first: $first_n)"
      else
        fail "meltano second run wrote $second_n records (first: $first_n): it did not resume"
      fi
    else
      fail "meltano second run exited non-zero"
      tail -20 "$work/meltano-2.log"
    fi
  else
    fail "meltano run exited non-zero"
    tail -20 "$work/meltano-1.log"
  fi
else
  fail "meltano install"
  tail -20 "$work/meltano-install.log"
fi

# ---- the key never shows --------------------------------------------------------

if grep -l "sandbox-api-key" "$work"/*.err "$work"/*.out "$work"/meltano-*.log >/dev/null 2>&1; then
  fail "the API key appears in the tap's output or logs"
else
  pass "the API key appears in no output or log"
fi

if [ "$failures" -gt 0 ]; then
  echo "e2e-singer: $failures check(s) FAILED"
  exit 1
fi
echo "e2e-singer: all checks passed"
