#!/usr/bin/env python3
"""PyAirbyte end to end: the connector installed the way PyAirbyte installs
Python connectors (`pip_url`, here the wheel ci/wheel.sh builds, into a
venv of PyAirbyte's own), or a binary given as a local executable, read
into DuckDB, against a running sandbox.

    AIRBYTE_OFFLINE_MODE=1 DO_NOT_TRACK=1 AIRBYTE_CACHE_ROOT=DIR \
      python ci/pyairbyte_e2e.py --pip-url target/wheels/source_gorgias-….whl \
        --install-root DIR --base-url http://127.0.0.1:PORT/api
    (or --executable target/release/source-gorgias instead of --pip-url)

Checks the install (source-gorgias in the venv PyAirbyte made), validate_config, check, a first read of every stream (row counts equal
to the sandbox's), then a mutation of the sandbox and a second, incremental
read: the deduplicated tables hold the latest values. Last, the
full-refresh streams read again with write_strategy="replace", as README
tells PyAirbyte users to: each table then holds exactly what the sandbox
holds (PyAirbyte's default merges on the primary key, so a ticket that left
a view would stay in view_items). Prints PASS/FAIL per check; exits 1 if
any failed.
"""

import argparse
import os
import sys
from pathlib import Path

import airbyte as ab

from airbyte_checks import CORE_STREAMS, FULL_REFRESH_ONLY, STREAMS, dump, expected_counts, mutate

failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        failures.append(name)


def attempt(name, fn):
    """Runs fn, reporting an exception as a failed check."""
    try:
        fn()
        check(name, True)
        return True
    except Exception as e:  # noqa: BLE001 - any failure is a FAIL line
        check(name, False, f"{type(e).__name__}: {e}")
        return False


def table_counts(cache):
    return {s: len(cache[s].to_pandas()) for s in STREAMS}


def main():
    ap = argparse.ArgumentParser()
    how = ap.add_mutually_exclusive_group(required=True)
    how.add_argument("--executable", help="run this binary")
    how.add_argument("--pip-url", help="let PyAirbyte pip-install the connector from this")
    ap.add_argument("--install-root", help="where PyAirbyte makes the connector's venv (with --pip-url)")
    ap.add_argument("--base-url", required=True)
    args = ap.parse_args()

    for var in ("AIRBYTE_OFFLINE_MODE", "DO_NOT_TRACK", "AIRBYTE_CACHE_ROOT"):
        if not os.environ.get(var):
            print(f"FAIL setup: {var} is not set", flush=True)
            return 1

    config = {
        "domain": "acme",
        "credentials": {
            "auth_type": "api_key",
            "email": "sandbox@example.com",
            "api_key": "sandbox-api-key",
        },
        "base_url": args.base_url,
    }
    if args.pip_url:
        install_root = Path(args.install_root or os.getcwd()).absolute()
        how = {"pip_url": args.pip_url, "install_root": install_root}
    else:
        how = {"local_executable": os.path.abspath(args.executable)}
    try:
        source = ab.get_source("source-gorgias", config=config, streams="*", **how)
    except Exception as e:  # noqa: BLE001 - any failure is a FAIL line
        check("get_source", False, f"{type(e).__name__}: {e}")
        return 1
    if args.pip_url:
        installed = install_root / ".venv-source-gorgias" / "bin" / "source-gorgias"
        check(
            "pip install of the wheel put source-gorgias in PyAirbyte's venv",
            installed.is_file() and os.access(installed, os.X_OK),
            str(installed),
        )
    if not attempt("validate_config", source.validate_config):
        return 1
    if not attempt("check", source.check):
        return 1
    check("streams", sorted(source.get_available_streams()) == sorted(STREAMS), str(source.get_available_streams()))

    cache = ab.get_default_cache()

    def read_and_count(label, streams):
        """One read into the cache, then each stream's rows against the sandbox's count."""
        if not attempt(label, lambda: source.read(cache=cache)):
            return None
        want, have = expected_counts(args.base_url), table_counts(cache)
        for s in streams:
            check(f"{label} {s} rows", have[s] == want[s], f"{have[s]} in DuckDB, {want[s]} in the sandbox")
        return want, have

    first = read_and_count("first read", STREAMS)
    if first is None:
        return 1
    want = first[0]

    summary = mutate(args.base_url, seed=1, update_tickets=20, add_messages=10, new_tickets=5, update_users=2)
    print(
        f"mutated: {len(summary['ticket_ids'])} tickets, {len(summary['message_ids'])} messages, "
        f"{len(summary['user_ids'])} users",
        flush=True,
    )
    # After a change only the Daasity tables are counted again: a view's
    # items change with its tickets, and a merging cache keeps old members.
    second = read_and_count("second read", CORE_STREAMS)
    if second is None:
        return 1
    want2, have2 = second
    check("new tickets counted", want2["tickets"] == want["tickets"] + 5 and have2["tickets"] == want2["tickets"])

    tickets = cache["tickets"].to_pandas().set_index("ticket_id")
    live = {t["id"]: t for t in dump(args.base_url, "tickets")}
    bad = [
        i
        for i in summary["ticket_ids"]
        if i not in tickets.index
        or tickets.loc[i, "ticket_status"] != live[i]["status"]
        or tickets.loc[i, "ticket_subject"] != live[i]["subject"]
    ]
    check(
        "changed tickets hold the latest status and subject",
        not bad and bool(summary["ticket_ids"]),
        f"{len(summary['ticket_ids'])} changed" + (f", stale: {bad[:5]}" if bad else ""),
    )
    users = cache["users"].to_pandas().set_index("user_id")
    live_users = {u["id"]: u for u in dump(args.base_url, "users")}
    bad = [i for i in summary["user_ids"] if users.loc[i, "user_name"] != live_users[i]["name"]]
    check("changed users hold the latest name", not bad, f"stale: {bad}" if bad else "")
    messages = set(cache["ticket_messages"].to_pandas()["message_id"])
    missing = [i for i in summary["message_ids"] if i not in messages]
    check("new messages are read", not missing, f"missing: {missing}" if missing else "")
    for s in STREAMS:
        keys = cache[s].to_pandas()["__sync_key"]
        check(f"{s} has unique primary keys", keys.is_unique)

    if not attempt(
        "full-refresh streams read with write_strategy=replace",
        lambda: source.read(cache=cache, streams=FULL_REFRESH_ONLY, write_strategy="replace"),
    ):
        return 1
    have3 = {s: len(cache[s].to_pandas()) for s in FULL_REFRESH_ONLY}
    for s in FULL_REFRESH_ONLY:
        print(f"-- {s}: {have2[s]} rows after the merging read, {have3[s]} after replace, {want2[s]} in the sandbox")
        check(f"replace: {s} holds exactly the last read", have3[s] == want2[s], f"{have3[s]} in DuckDB, {want2[s]} read")

    print(f"{'FAIL' if failures else 'PASS'} pyairbyte: {len(failures)} failed check(s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
