#!/usr/bin/env python3
"""Checks shared by the end-to-end Airbyte scripts (standard library only).

- what the sandbox holds: its row count per stream, from /_sandbox/dump;
- strict checks on a connector's stdout (one Airbyte message per line).

As a command, checks one captured stdout:

    python3 ci/airbyte_checks.py spec|check|discover|read FILE [--sandbox URL]

where URL is the sandbox root (http://127.0.0.1:PORT). For `read`, the
record count of every stream must equal the sandbox's.
"""

import json
import sys
from pathlib import Path
import urllib.request
from collections import Counter

def _discovered():
    """The streams as discover lists them, from the generated
    catalog/configured_catalog.json (tests/docs/catalog_files.rs keeps it equal to
    what the code declares), so a new stream needs no line here."""
    path = Path(__file__).resolve().parent.parent / "catalog" / "configured_catalog.json"
    return [e["stream"] for e in json.loads(path.read_text(encoding="utf-8"))["streams"]]


STREAMS = [s["name"] for s in _discovered()]

# The Daasity tables, first in the catalog: their counts are checked again
# after a change.
CORE_STREAMS = STREAMS[:7]

# Streams without a cursor: they need no STATE.
FULL_REFRESH_ONLY = [s["name"] for s in _discovered() if "incremental" not in s["supported_sync_modes"]]

PAYLOAD = {
    "RECORD": "record",
    "STATE": "state",
    "LOG": "log",
    "SPEC": "spec",
    "CONNECTION_STATUS": "connectionStatus",
    "CATALOG": "catalog",
    "TRACE": "trace",
}


def sandbox_root(url):
    """http://127.0.0.1:PORT from http://127.0.0.1:PORT/api (or the root)."""
    url = url.rstrip("/")
    return url[: -len("/api")] if url.endswith("/api") else url


def dump(root, collection):
    with urllib.request.urlopen(f"{sandbox_root(root)}/_sandbox/dump/{collection}", timeout=30) as r:
        return json.load(r)


def mutate(root, **counts):
    body = json.dumps(counts).encode()
    req = urllib.request.Request(
        f"{sandbox_root(root)}/_sandbox/mutate",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def expected_counts(root):
    """Rows per stream the sandbox's data maps to."""
    account = dump(root, "account")[0]
    tickets = dump(root, "tickets")
    views = dump(root, "views")
    customers = dump(root, "customers")
    account_rows = sum(
        max(1, len(((s.get("data") or {}).get("business_hours")) or []))
        for s in account["settings"]
    )
    return {
        "account": account_rows,
        "users": len(dump(root, "users")),
        "tickets": len(tickets),
        "ticket_tags": sum(len(t.get("tags") or []) for t in tickets),
        "ticket_custom_field_values": sum(len(t.get("custom_fields") or {}) for t in tickets),
        "ticket_messages": len(dump(root, "messages")),
        "satisfaction_surveys": len(dump(root, "satisfaction-surveys")),
        "integrations": len(dump(root, "integrations")),
        "customers": len(customers),
        "customer_custom_field_values": sum(len(c.get("custom_fields") or {}) for c in customers),
        "tags": len(dump(root, "tags")),
        "events": len(dump(root, "events")),
        "teams": len(dump(root, "teams")),
        "views": len(views),
        "view_items": sum(len(dump(root, f"views/{v['id']}/items")) for v in views),
        "macros": len(dump(root, "macros")),
        "rules": len(dump(root, "rules")),
        "custom_fields": len(dump(root, "custom-fields")),
        "jobs": len(dump(root, "jobs")),
        "voice_calls": len(dump(root, "phone/voice-calls")),
        "voice_call_events": len(dump(root, "phone/voice-call-events")),
        "voice_call_recordings": len(dump(root, "phone/voice-call-recordings")),
    }


def check_message(m):
    """Raises AssertionError unless `m` is a well-formed Airbyte message."""
    t = m.get("type")
    assert t in PAYLOAD, f"unknown type: {m}"
    assert set(m) == {"type", PAYLOAD[t]}, f"exactly type and payload: {m}"
    p = m[PAYLOAD[t]]
    assert isinstance(p, dict), f"payload object: {m}"
    if t == "RECORD":
        assert isinstance(p.get("stream"), str), m
        assert isinstance(p.get("data"), dict), m
        assert isinstance(p.get("emitted_at"), int), m
    elif t == "STATE":
        assert p.get("type") == "STREAM", m
        assert isinstance(p["stream"]["stream_descriptor"]["name"], str), m
        assert isinstance(p["stream"]["stream_state"], dict), m
    elif t == "LOG":
        assert p.get("level") in ("FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"), m
        assert isinstance(p.get("message"), str), m
    elif t == "SPEC":
        assert isinstance(p.get("connectionSpecification"), dict), m
    elif t == "CONNECTION_STATUS":
        assert p.get("status") in ("SUCCEEDED", "FAILED"), m
    elif t == "CATALOG":
        assert isinstance(p.get("streams"), list), m
    elif t == "TRACE":
        assert p.get("type") in ("ERROR", "STREAM_STATUS", "ESTIMATE", "ANALYTICS"), m


def parse_output(text):
    """Every line of a connector's stdout as a checked message."""
    messages = []
    # Split on newlines only: str.splitlines would also split on U+2028.
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        try:
            m = json.loads(line)
        except ValueError as e:
            raise AssertionError(f"line {n} is not JSON ({e}): {line[:200]}")
        check_message(m)
        messages.append(m)
    return messages


def of_type(messages, t):
    return [m[PAYLOAD[t]] for m in messages if m["type"] == t]


def check_output(kind, text, sandbox=None):
    """Checks a command's output; returns a one-line summary."""
    messages = parse_output(text)
    errors = [t for t in of_type(messages, "TRACE") if t["type"] == "ERROR"]
    assert not errors, f"error traces: {errors}"
    if kind == "spec":
        (spec,) = of_type(messages, "SPEC")
        props = spec["connectionSpecification"]["properties"]
        api_key = next(
            o["properties"]["api_key"]
            for o in props["credentials"]["oneOf"]
            if "api_key" in o.get("properties", {})
        )
        assert api_key.get("airbyte_secret") is True, "api_key is a secret"
        return f"spec: {len(props)} properties"
    if kind == "check":
        (status,) = of_type(messages, "CONNECTION_STATUS")
        assert status["status"] == "SUCCEEDED", status
        return f"check: {status['status']}: {status.get('message')}"
    if kind == "discover":
        (catalog,) = of_type(messages, "CATALOG")
        names = [s["name"] for s in catalog["streams"]]
        assert names == STREAMS, names
        return f"discover: {len(names)} streams"
    if kind == "read":
        counts = Counter(r["stream"] for r in of_type(messages, "RECORD"))
        states = {s["stream"]["stream_descriptor"]["name"] for s in of_type(messages, "STATE")}
        want_states = set(STREAMS) - set(FULL_REFRESH_ONLY)
        assert want_states <= states, f"a STATE per incremental stream: {sorted(states)}"
        if sandbox:
            want = expected_counts(sandbox)
            assert dict(counts) == want, f"records {dict(counts)} != sandbox {want}"
        return "read: " + ", ".join(f"{s}={counts[s]}" for s in STREAMS)
    raise ValueError(kind)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("spec", "check", "discover", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path = argv[0], argv[1]
    sandbox = argv[argv.index("--sandbox") + 1] if "--sandbox" in argv else None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        print("PASS " + check_output(kind, text, sandbox))
    except AssertionError as e:
        print(f"FAIL {kind}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
