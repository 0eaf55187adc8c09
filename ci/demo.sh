#!/usr/bin/env bash
# The README's demo: a real sync against the bundled sandbox, first full,
# then incremental after the sandbox's data changes.
set -euo pipefail
cd "$(dirname "$0")/.."
# A first build takes a couple of minutes: cargo's own progress shows it.
echo "== cargo build --release --workspace (a few minutes the first time)"
cargo build --release --workspace
work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/gorgias-sandbox --port 0 --tickets "${TICKETS:-1000}" > "$work/sandbox.out" &
sandbox_pid=$!
for _ in $(seq 50); do grep -q listening "$work/sandbox.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/sandbox.out")
echo "sandbox: $base"
cat > "$work/config.json" <<JSON
{"domain": "acme", "email": "sandbox@example.com", "api_key": "sandbox-api-key", "base_url": "$base"}
JSON
src=target/release/source-gorgias
echo "== check"; $src check --config "$work/config.json"
echo "== discover"; $src discover --config "$work/config.json" | python3 -c 'import json,sys; print(", ".join(s["name"] for s in json.load(sys.stdin)["catalog"]["streams"]))'
summarise() {
python3 - "$1" "$2" <<'PY'
import json, sys, collections
counts, sample, states = collections.Counter(), {}, {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "RECORD":
        s = m["record"]["stream"]; counts[s] += 1; sample.setdefault(s, m["record"]["data"])
    elif m["type"] == "STATE":
        st = m["state"]["stream"]; states[st["stream_descriptor"]["name"]] = st["stream_state"]
    elif m["type"] == "TRACE" and m["trace"]["type"] == "ERROR":
        print("ERROR:", m["trace"]["error"]["message"]); sys.exit(1)
print("records per stream:")
for s, n in counts.items(): print(f"  {s:22} {n}")
if sys.argv[2] == "full":
    print("a sample row of each stream:")
    for s, row in sample.items(): print(f"  {s}: {json.dumps(row, ensure_ascii=False)[:300]}")
print("final state:")
for s, st in states.items(): print(f"  {s:22} {json.dumps(st)}")
json.dump([{"type": "STREAM", "stream": {"stream_descriptor": {"name": s}, "stream_state": st}} for s, st in states.items()], open(sys.argv[1] + ".state", "w"))
PY
}
echo "== read (full)"
$src read --config "$work/config.json" --catalog catalog/configured_catalog.json > "$work/full.jsonl"
summarise "$work/full.jsonl" full
echo "== the sandbox's data changes"
# The answer lists every id it touched: one line of counts says enough.
curl -s -X POST "${base%/api}/_sandbox/mutate" -d '{"seed": 1, "update_tickets": 50, "add_tags": 10, "add_messages": 40, "score_surveys": 5, "new_tickets": 5, "update_users": 2}' \
  | python3 -c 'import json,sys; a=json.load(sys.stdin); print("changed:", ", ".join("%d %ss" % (len(v), k[:-4].replace("_", " ")) for k, v in a.items() if k.endswith("_ids") and v))'
echo "== read (incremental, from the saved state)"
$src read --config "$work/config.json" --catalog catalog/configured_catalog.json --state "$work/full.jsonl.state" > "$work/inc.jsonl"
summarise "$work/inc.jsonl" inc
