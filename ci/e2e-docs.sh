#!/usr/bin/env bash
# The generated dbt source (dbt/sources.yml), checked three ways:
#   1. as YAML against dbt's documented source properties (version 2, one
#      source, tables, columns, data_tests) and against catalog/*.json: every
#      stream a table, every column described;
#   2. by dbt itself: `dbt parse` of a throwaway project holding the file,
#      on DuckDB with a throwaway profile;
#   3. on real rows: a full read of every stream from the sandbox loaded into
#      DuckDB, then `dbt test`: unique/not_null must pass, and the declared
#      relationships (warnings in the file) must hold on the sandbox's data.
# Called by .ci/run after the tests (it uses their release binaries). Installs
# what it needs in a venv under target/venvs/docs, reused when present.
# Prints PASS/FAIL per check and exits non-zero on any FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export PIP_DISABLE_PIP_VERSION_CHECK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false DO_NOT_TRACK=1

VENV=$VENVS/docs
# dbt-core 1.12 pulls a parser wheel from outside PyPI at install time, so
# the 1.11 line is pinned.
PIP_SPEC="pyyaml==6.0.2 dbt-core~=1.11.0 dbt-duckdb~=1.10.0"

# ---- install ---------------------------------------------------------------------

venv docs "$PIP_SPEC" || {
  echo "FAIL pip install $PIP_SPEC"
  exit 1
}
PY=$VENV/bin/python
DBT=$VENV/bin/dbt

# ---- 1. the YAML against dbt's source properties and the catalog -----------------

if "$PY" - "$ROOT" <<'PY'; then pass "dbt/sources.yml has dbt's source shape and describes every stream and column of catalog/"; else fail "dbt/sources.yml shape (above)"; fi
import json, pathlib, sys, yaml

root = pathlib.Path(sys.argv[1])
doc = yaml.safe_load((root / "dbt/sources.yml").read_text())
errors = []

def need(cond, msg):
    if not cond:
        errors.append(msg)

# https://docs.getdbt.com/reference/source-properties
SOURCE_KEYS = {"name", "description", "database", "schema", "loader", "loaded_at_field",
               "meta", "tags", "config", "overrides", "freshness", "quoting", "tables"}
TABLE_KEYS = {"name", "description", "meta", "identifier", "loaded_at_field", "tests",
              "data_tests", "tags", "freshness", "config", "quoting", "external", "columns"}
COLUMN_KEYS = {"name", "description", "meta", "quote", "tests", "data_tests", "tags",
               "data_type", "config"}
GENERIC = {"unique", "not_null", "accepted_values", "relationships"}

need(isinstance(doc, dict) and doc.get("version") == 2, "version: 2 missing")
sources = doc.get("sources") if isinstance(doc, dict) else None
need(isinstance(sources, list) and len(sources) == 1, "one source expected")
src = sources[0] if sources else {}
need(set(src) <= SOURCE_KEYS, f"unknown source keys {set(src) - SOURCE_KEYS}")
need(src.get("name") == "gorgias", "source name is not gorgias")
tables = {t.get("name"): t for t in src.get("tables", [])}
need(len(tables) == len(src.get("tables", [])), "duplicate table names")

streams = {p.stem: json.loads(p.read_text()) for p in (root / "catalog").glob("*.json")
           if p.stem not in ("spec", "configured_catalog")}
need(set(tables) == set(streams), f"tables {sorted(set(tables) ^ set(streams))} differ from catalog/")
for name, t in tables.items():
    need(set(t) <= TABLE_KEYS, f"{name}: unknown table keys {set(t) - TABLE_KEYS}")
    need(isinstance(t.get("description"), str) and t["description"], f"{name}: no description")
    cols = {c["name"]: c for c in t.get("columns", [])}
    props = streams.get(name, {}).get("properties", {})
    need(set(cols) == set(props), f"{name}: columns {sorted(set(cols) ^ set(props))} differ from catalog/{name}.json")
    need("unique" in cols.get("__sync_key", {}).get("data_tests", []), f"{name}: __sync_key not unique-tested")
    for cname, c in cols.items():
        need(set(c) <= COLUMN_KEYS, f"{name}.{cname}: unknown column keys {set(c) - COLUMN_KEYS}")
        need(isinstance(c.get("description"), str) and c["description"], f"{name}.{cname}: no description")
        for test in c.get("data_tests", []):
            if isinstance(test, str):
                need(test in GENERIC, f"{name}.{cname}: unknown test {test}")
                continue
            need(isinstance(test, dict) and len(test) == 1, f"{name}.{cname}: a test is one key")
            (kind, args), = test.items()
            need(kind in GENERIC, f"{name}.{cname}: unknown test {kind}")
            if kind == "relationships":
                # dbt 1.10+ takes a generic test's arguments under `arguments`.
                need(set(args) <= {"arguments", "config"}, f"{name}.{cname}: relationships keys {set(args)}")
                to, field = args.get("arguments", {}).get("to", ""), args.get("arguments", {}).get("field")
                parent = to.removeprefix("source('gorgias', '").removesuffix("')")
                need(parent in tables and to == f"source('gorgias', '{parent}')",
                     f"{name}.{cname}: relationships to {to!r} is not a gorgias table")
                need(field in streams.get(parent, {}).get("properties", {}),
                     f"{name}.{cname}: {parent} has no column {field}")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY

# ---- 2 and 3. dbt on DuckDB, loaded from a sandbox read --------------------------

project=$work/project
mkdir -p "$project/models"
cp dbt/sources.yml "$project/models/sources.yml"
cat >"$project/dbt_project.yml" <<'YML'
name: gorgias_docs_check
version: "1.0"
config-version: 2
profile: gorgias_docs_check
YML
cat >"$project/profiles.yml" <<YML
gorgias_docs_check:
  target: ci
  outputs:
    ci:
      type: duckdb
      path: "$work/warehouse.duckdb"
      threads: 2
YML
dbt() { (cd "$project" && "$DBT" "$@" --profiles-dir "$project" --no-use-colors); }

if dbt parse --warn-error >"$work/parse.log" 2>&1; then
  pass "dbt parse accepts dbt/sources.yml (no warnings)"
else
  tail -30 "$work/parse.log"
  fail "dbt parse of dbt/sources.yml"
fi

if [ ! -x "$RELEASE/source-gorgias" ] || [ ! -x "$RELEASE/gorgias-sandbox" ]; then
  fail "release binaries missing in $RELEASE (run cargo test --workspace --release first)"
  echo "e2e-docs: $failures failed"
  exit 1
fi

start_sandbox docs --tickets 200
write_config "$SANDBOX_URL" "$work/config.json" flat
say "full read of every stream from the sandbox at $SANDBOX_URL"
"$RELEASE/source-gorgias" read --config "$work/config.json" \
  --catalog catalog/configured_catalog.json >"$work/read.jsonl" 2>"$work/read.err" || {
  tail -5 "$work/read.err"
  fail "source-gorgias read"
}

# One DuckDB table per stream, typed from its catalog schema, holding the
# stream's records: the dedup a destination does is not needed, as a full
# read emits each key once.
if "$PY" - "$ROOT" "$work/read.jsonl" "$work/warehouse.duckdb" <<'PY'; then pass "sandbox rows loaded into DuckDB"; else fail "loading the sandbox rows into DuckDB"; fi
import json, pathlib, sys, duckdb

root, records, db = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = {}
for line in open(records):
    m = json.loads(line)
    if m.get("type") == "RECORD":
        rows.setdefault(m["record"]["stream"], []).append(m["record"]["data"])

def sql_type(p):
    types = p["type"] if isinstance(p["type"], list) else [p["type"]]
    if p.get("format") == "date-time":
        return "TIMESTAMPTZ"
    if "object" in types or "array" in types:
        return "JSON"
    return {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}.get(
        next(t for t in types if t != "null"), "VARCHAR")

con = duckdb.connect(db)
con.execute("CREATE SCHEMA IF NOT EXISTS gorgias")
for path in sorted((root / "catalog").glob("*.json")):
    if path.stem in ("spec", "configured_catalog"):
        continue
    props = json.loads(path.read_text())["properties"]
    cols = sorted(props)
    con.execute(f'CREATE OR REPLACE TABLE gorgias.{path.stem} ('
                + ", ".join(f'"{c}" {sql_type(props[c])}' for c in cols) + ")")
    data = [[json.dumps(r.get(c)) if sql_type(props[c]) == "JSON" and r.get(c) is not None else r.get(c)
             for c in cols] for r in rows.get(path.stem, [])]
    if data:
        con.executemany(f"INSERT INTO gorgias.{path.stem} VALUES ({', '.join('?' * len(cols))})", data)
    print(f"  {path.stem}: {len(data)} rows")
con.close()
PY

if dbt test >"$work/test.log" 2>&1; then
  pass "dbt test: every unique and not_null test passes on the sandbox's rows"
else
  grep -E "FAIL|ERROR|Error" "$work/test.log" | head -30
  fail "dbt test on the sandbox's rows"
fi
summary=$(grep -E "^.*Done\. PASS=" "$work/test.log" | tail -1 || true)
say "${summary:-no dbt summary}"
# The relationships are warnings in the file (a real account can miss a
# parent), but the sandbox's data is whole, so here each one must pass.
if grep -Eq "PASS=[1-9][0-9]* WARN=0 ERROR=0 " <<<"$summary"; then
  pass "every declared relationship holds on the sandbox's rows"
else
  grep -E "WARN " "$work/test.log" | head -30
  fail "a declared relationship does not hold on the sandbox's rows"
fi

echo "e2e-docs: $failures failed"
[ "$failures" -eq 0 ]
