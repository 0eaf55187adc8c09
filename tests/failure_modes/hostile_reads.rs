//! No silent data loss and partial success (issues 12 and 15.7), against a
//! server that misbehaves on cue: a list that repeats a cursor or never ends
//! is a failed read of its stream, never a complete one; a bookmark from the
//! future is not trusted; a stream the key may not read fails alone and the
//! others keep their records and state, on both faces.

use crate::common::hostile::{Action, HostileServer, Request};
use crate::common::singer::{path, tap};
use crate::common::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn config(server: &HostileServer, extra: Value) -> Value {
    let mut c = json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": server.base_url(), "backoff_base_ms": 1});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// A read of these `(stream, sync_mode)`s, with an optional state.
fn read(
    server: &HostileServer,
    extra: Value,
    streams: &[(&str, &str)],
    state: Option<Value>,
) -> Run {
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config(server, extra));
    let streams: Vec<Value> = streams
        .iter()
        .map(|(name, mode)| json!({"stream": {"name": name}, "sync_mode": mode}))
        .collect();
    let cat = write_json(&dir, "cat.json", &json!({ "streams": streams }));
    let mut args = vec![
        "read".to_string(),
        "--config".into(),
        c.to_str().unwrap().into(),
        "--catalog".into(),
        cat.to_str().unwrap().into(),
    ];
    if let Some(s) = state {
        let s = write_json(&dir, "state.json", &s);
        args.extend(["--state".into(), s.to_str().unwrap().into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    airbyte(&args)
}

fn ticket(id: i64, updated: &str) -> Value {
    json!({"id": id, "created_datetime": "2020-01-01T00:00:00Z", "updated_datetime": updated,
        "status": "open", "channel": "email", "tags": []})
}

fn statuses(run: &Run, stream: &str) -> Vec<String> {
    run.of_type("TRACE")
        .iter()
        .filter(|m| m["trace"]["type"] == "STREAM_STATUS")
        .filter(|m| m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
        .map(|m| {
            m["trace"]["stream_status"]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn states(run: &Run, stream: &str) -> Vec<Value> {
    run.of_type("STATE")
        .iter()
        .filter(|m| m["state"]["stream"]["stream_descriptor"]["name"] == stream)
        .map(|m| m["state"]["stream"]["stream_state"].clone())
        .collect()
}

fn ids(run: &Run, stream: &str, key: &str) -> Vec<i64> {
    run.records(stream)
        .iter()
        .map(|r| r[key].as_i64().unwrap())
        .collect()
}

fn logs(run: &Run, level: &str) -> Vec<String> {
    run.of_type("LOG")
        .iter()
        .filter(|m| m["log"]["level"] == level)
        .map(|m| m["log"]["message"].as_str().unwrap().to_string())
        .collect()
}

/// The stream's own TRACE error (with its descriptor) and the sync's last one.
/// A 400 on one stream's endpoint says nothing of the others: that stream
/// fails alone, like a 403 or a 404. On the account probe it ends the sync.
#[test]
fn a_bad_request_on_one_endpoint_fails_its_stream_alone_but_on_the_account_ends_the_sync() {
    let refused = |path: &'static str| {
        HostileServer::start(move |r: &Request| {
            if r.path == path {
                return Action::json(400, &json!({"error": {"msg": "Invalid order_by"}}));
            }
            match r.path.as_str() {
                "/api/account" => Action::json(200, &json!({"domain": "acme", "status": "active"})),
                "/api/tags" => Action::page(json!([{"id": 1, "name": "vip"}]), None),
                _ => Action::page(json!([]), None),
            }
        })
    };
    let streams = [
        ("account", "full_refresh"),
        ("rules", "full_refresh"),
        ("tags", "full_refresh"),
    ];
    let server = refused("/api/rules");
    let run = read(&server, json!({}), &streams, None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        statuses(&run, "rules").last().map(String::as_str),
        Some("INCOMPLETE")
    );
    let msg = stream_error(&run, "rules")["message"].as_str().unwrap();
    assert!(msg.contains("400 Bad Request: Invalid order_by"), "{msg}");
    assert_eq!(ids(&run, "tags", "id"), [1]);
    assert_eq!(
        statuses(&run, "tags").last().map(String::as_str),
        Some("COMPLETE")
    );
    assert!(final_error(&run).contains("rules"));

    let server = refused("/api/account");
    let run = read(&server, json!({}), &streams, None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.trace_errors().len(), 1, "{}", run.stdout);
    assert!(ids(&run, "tags", "id").is_empty(), "{}", run.stdout);
}

fn stream_error<'r>(run: &'r Run, stream: &str) -> &'r Value {
    let errors = run.trace_errors();
    errors
        .iter()
        .find(|e| e["stream_descriptor"]["name"] == stream)
        .unwrap_or_else(|| panic!("no TRACE error for {stream}: {}", run.stdout))
}

fn final_error(run: &Run) -> String {
    let errors = run.trace_errors();
    let last = errors.last().expect("a final error");
    assert!(last.get("stream_descriptor").is_none(), "{last}");
    last["message"].as_str().unwrap().to_string()
}

#[test]
fn a_list_that_repeats_its_cursor_fails_its_stream_and_its_bookmark_stays() {
    let server = HostileServer::start(|r: &Request| match r.path.as_str() {
        "/api/tickets" => match r.param("cursor") {
            None => Action::page(
                json!([
                    ticket(9, "2024-03-09T00:00:00Z"),
                    ticket(8, "2024-03-08T00:00:00Z")
                ]),
                Some("c1"),
            ),
            // Forever the same next page: tickets 1..7 are never reached.
            Some(_) => Action::page(json!([ticket(7, "2024-03-07T00:00:00Z")]), Some("c1")),
        },
        "/api/tags" => Action::page(json!([{"id": 1, "name": "vip"}]), None),
        _ => Action::json(404, &json!({"error": {"msg": "no"}})),
    });
    let state = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"},
        "stream_state": {"updated_at": "2024-01-01T00:00:00Z"}}}]);
    let run = read(
        &server,
        json!({}),
        &[("tickets", "incremental"), ("tags", "full_refresh")],
        Some(state),
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    let tickets = statuses(&run, "tickets");
    assert_eq!(
        tickets.last().map(String::as_str),
        Some("INCOMPLETE"),
        "{tickets:?}"
    );
    assert!(!tickets.contains(&"COMPLETE".to_string()), "{tickets:?}");
    let e = stream_error(&run, "tickets");
    assert_eq!(e["failure_type"], "transient_error");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("tickets") && msg.contains("/tickets"), "{msg}");
    // The bookmark never passes tickets 1..7, which were never read.
    for s in states(&run, "tickets") {
        assert_eq!(s["updated_at"], "2024-01-01T00:00:00Z", "{s}");
    }
    // The list was read again from its start, within a budget.
    let starts = server
        .requests_to("/api/tickets")
        .iter()
        .filter(|r| r.param("cursor").is_none())
        .count();
    assert_eq!(starts, 3, "reads of the list from its start");
    // The other stream is whole, and the sync says which stream failed.
    assert_eq!(
        statuses(&run, "tags").last().map(String::as_str),
        Some("COMPLETE")
    );
    assert_eq!(ids(&run, "tags", "id"), [1]);
    assert!(final_error(&run).contains("tickets"));
}

#[test]
fn a_cursor_repeated_once_is_read_again_and_the_list_completes() {
    let starts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&starts);
    // Oldest first (no bookmark): the second read skips what the first
    // emitted, but the tie at its last cursor.
    let server = HostileServer::start(move |r: &Request| {
        let at = |n: i64| ticket(n, &format!("2024-01-0{n}T00:00:00Z"));
        match r.param("cursor") {
            None => {
                seen.fetch_add(1, Ordering::SeqCst);
                Action::page(json!([at(1), at(2)]), Some("c1"))
            }
            Some("c1") if seen.load(Ordering::SeqCst) == 1 => {
                Action::page(json!([at(3), at(4)]), Some("c1"))
            }
            Some("c1") => Action::page(json!([at(3), at(4)]), Some("c2")),
            Some(_) => Action::page(json!([at(5), at(6)]), None),
        }
    });
    let run = read(&server, json!({}), &[("tickets", "incremental")], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        statuses(&run, "tickets").last().map(String::as_str),
        Some("COMPLETE")
    );
    let got = ids(&run, "tickets", "ticket_id");
    for id in 1..=6 {
        assert!(got.contains(&id), "ticket {id} missing: {got:?}");
    }
    assert!(got.len() <= 7, "re-emitted more than the tie: {got:?}");
    assert_eq!(starts.load(Ordering::SeqCst), 2);
    assert!(logs(&run, "WARN")
        .iter()
        .any(|w| w.contains("read again from its start")));
    assert_eq!(
        states(&run, "tickets").last().unwrap()["updated_at"],
        "2024-01-06T00:00:00Z"
    );
}

#[test]
fn endless_empty_pages_fail_their_stream_after_a_bounded_number_of_requests() {
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    let server = HostileServer::start(move |r: &Request| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        match r.param("cursor") {
            None => Action::page(json!([{"id": 1, "name": "vip"}]), Some("e0")),
            // A fresh cursor every time (a safety stop for the old code).
            Some(_) if n < 400 => Action::page(json!([]), Some(&format!("e{n}"))),
            Some(_) => Action::page(json!([]), None),
        }
    });
    let run = read(&server, json!({}), &[("tags", "full_refresh")], None);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let tags = statuses(&run, "tags");
    assert_eq!(
        tags.last().map(String::as_str),
        Some("INCOMPLETE"),
        "{tags:?}"
    );
    assert!(!tags.contains(&"COMPLETE".to_string()));
    assert_eq!(
        stream_error(&run, "tags")["failure_type"],
        "transient_error"
    );
    let requests = server.requests().len();
    assert!(requests <= 40, "{requests} requests for an endless list");
}

#[test]
fn a_bookmark_in_the_future_is_warned_and_the_stream_read_from_start_date() {
    let server = HostileServer::start(|r: &Request| match r.param("cursor") {
        None => Action::page(
            json!([
                ticket(3, "2025-06-01T00:00:00Z"),
                ticket(2, "2024-06-01T00:00:00Z")
            ]),
            Some("p2"),
        ),
        Some(_) => Action::page(json!([ticket(1, "2023-06-01T00:00:00Z")]), None),
    });
    let state = json!({"tickets": {"updated_at": "2099-01-01T00:00:00Z"}});
    let before = chrono::Utc::now();
    let run = read(
        &server,
        json!({"start_date": "2024-01-01T00:00:00Z"}),
        &[("tickets", "incremental")],
        Some(state),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warned = logs(&run, "WARN");
    assert!(
        warned
            .iter()
            .any(|w| w.starts_with("tickets:") && w.contains("2099")),
        "{warned:?}"
    );
    let mut got = ids(&run, "tickets", "ticket_id");
    got.sort();
    assert_eq!(got, [2, 3], "from start_date");
    let last = states(&run, "tickets").pop().expect("a STATE");
    let written = chrono::DateTime::parse_from_rfc3339(last["updated_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(
        written <= before,
        "a bookmark past the sync's start: {last}"
    );
    assert_eq!(last["updated_at"], "2025-06-01T00:00:00Z");
}

/// An account whose key may not read /teams and that has no /rules (an
/// HTML 404, after /account answered), beside streams that read fine.
fn partly_forbidden() -> HostileServer {
    HostileServer::start(|r: &Request| match r.path.as_str() {
        "/api/account" => Action::json(200, &json!({"domain": "acme", "status": "active"})),
        "/api/rules" => Action::Respond {
            status: 404,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html>Not found</html>".to_vec(),
        },
        "/api/teams" => Action::json(403, &json!({"error": {"msg": "Forbidden"}})),
        "/api/tags" => Action::page(
            json!([{"id": 1, "name": "vip"}, {"id": 2, "name": "new"}]),
            None,
        ),
        "/api/tickets" => Action::page(json!([ticket(1, "2024-01-01T00:00:00Z")]), None),
        // Every other list is empty (the tap reads every stream).
        _ => Action::page(json!([]), None),
    })
}

const PARTLY: [(&str, &str); 5] = [
    ("account", "full_refresh"),
    ("rules", "full_refresh"),
    ("teams", "full_refresh"),
    ("tags", "full_refresh"),
    ("tickets", "incremental"),
];

#[test]
fn a_stream_refused_fails_alone_and_the_others_keep_their_records_and_state() {
    let server = partly_forbidden();
    let run = read(&server, json!({}), &PARTLY, None);
    assert_ne!(run.code, 0, "{}", run.stdout);
    for failed in ["rules", "teams"] {
        assert_eq!(
            statuses(&run, failed).last().map(String::as_str),
            Some("INCOMPLETE")
        );
        let msg = stream_error(&run, failed)["message"].as_str().unwrap();
        assert!(
            msg.contains(failed) && msg.contains(&format!("/{failed}")),
            "{msg}"
        );
    }
    let rules = stream_error(&run, "rules")["message"].as_str().unwrap();
    assert!(!rules.contains("No Gorgias account answers"), "{rules}");
    assert!(stream_error(&run, "teams")["message"]
        .as_str()
        .unwrap()
        .contains("admin"));
    for ok in ["account", "tags", "tickets"] {
        assert_eq!(
            statuses(&run, ok).last().map(String::as_str),
            Some("COMPLETE"),
            "{ok}"
        );
    }
    assert_eq!(ids(&run, "tags", "id"), [1, 2]);
    assert_eq!(ids(&run, "tickets", "ticket_id"), [1]);
    assert_eq!(
        states(&run, "tickets").last().unwrap()["updated_at"],
        "2024-01-01T00:00:00Z"
    );
    // One final error, the last message, naming both failed streams.
    let last = final_error(&run);
    assert!(last.contains("rules") && last.contains("teams"), "{last}");
    assert_eq!(run.messages.last().unwrap()["type"], "TRACE");
    assert_eq!(run.trace_errors().len(), 3);
}

#[test]
fn tap_gorgias_goes_on_past_a_failed_stream_and_ends_with_one_critical_line() {
    let server = partly_forbidden();
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config(&server, json!({})));
    let run = tap(&["--config", path(&c)]);
    let stderr = &run.stderr;
    assert_ne!(run.code, 0, "{stderr}");
    assert_eq!(run.records("tags").len(), 2, "{stderr}");
    assert_eq!(run.records("tickets").len(), 1);
    assert_eq!(
        run.last_state()["bookmarks"]["tickets"]["updated_at"],
        "2024-01-01T00:00:00Z"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    for failed in ["rules", "teams"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("ERROR ") && l.contains(&format!("`{failed}`"))),
            "{stderr}"
        );
        // A full-table stream printed no STATE: it is read again next time.
        let warn = lines
            .iter()
            .find(|l| l.starts_with(&format!("WARN {failed}: stopped")))
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(!warn.contains("last STATE printed"), "{warn}");
    }
    let critical: Vec<&&str> = lines.iter().filter(|l| l.starts_with("CRITICAL")).collect();
    assert_eq!(critical.len(), 1, "{stderr}");
    assert!(critical[0].contains("rules") && critical[0].contains("teams"));
    assert!(lines.last().unwrap().starts_with("CRITICAL"), "{stderr}");
}

#[test]
fn tap_gorgias_distrusts_a_bookmark_in_the_future_and_never_writes_it_back() {
    let server = HostileServer::start(|r: &Request| match r.path.as_str() {
        "/api/account" => Action::json(200, &json!({"domain": "acme", "status": "active"})),
        "/api/tickets" => Action::page(
            json!([
                ticket(3, "2025-06-01T00:00:00Z"),
                ticket(1, "2023-06-01T00:00:00Z")
            ]),
            None,
        ),
        _ => Action::page(json!([]), None),
    });
    let dir = scratch();
    let c = write_json(
        &dir,
        "c.json",
        &config(&server, json!({"start_date": "2024-01-01T00:00:00Z"})),
    );
    let state = write_json(
        &dir,
        "state.json",
        &json!({"bookmarks": {"tickets": {"updated_at": "2099-01-01T00:00:00Z"},
            "users": {"updated_at": "2099-01-01T00:00:00Z"}}}),
    );
    let run = tap(&["--config", path(&c), "--state", path(&state)]);
    let stderr = &run.stderr;
    assert_eq!(run.code, 0, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("WARN tickets:") && l.contains("2099")),
        "{stderr}"
    );
    let tickets: Vec<i64> = run
        .records("tickets")
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    assert_eq!(tickets, [3], "read from start_date");
    assert_eq!(
        run.last_state()["bookmarks"]["tickets"]["updated_at"],
        "2025-06-01T00:00:00Z"
    );
    // No STATE carries the future forward, for any stream.
    assert!(
        run.of_type("STATE")
            .iter()
            .all(|m| !m.to_string().contains("2099")),
        "{:?}",
        run.messages
    );
}

#[test]
fn a_stream_failing_every_retry_fails_alone_but_refused_credentials_end_the_sync_at_once() {
    let serve = |tags: fn() -> Action| {
        HostileServer::start(move |r: &Request| match r.path.as_str() {
            "/api/account" => Action::json(200, &json!({"domain": "acme", "status": "active"})),
            "/api/tags" => tags(),
            _ => Action::page(json!([ticket(1, "2024-01-01T00:00:00Z")]), None),
        })
    };
    let streams = [
        ("account", "full_refresh"),
        ("tags", "full_refresh"),
        ("tickets", "incremental"),
    ];
    let down = serve(|| Action::json(503, &json!({"error": {"msg": "down"}})));
    let run = read(&down, json!({}), &streams, None);
    // Every failed stream failed transiently: the sync's error says so.
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(
        stream_error(&run, "tags")["failure_type"],
        "transient_error"
    );
    assert_eq!(
        statuses(&run, "tickets").last().map(String::as_str),
        Some("COMPLETE")
    );
    assert_eq!(ids(&run, "tickets", "ticket_id"), [1]);
    assert!(final_error(&run).contains("tags"));

    let refused = serve(|| Action::json(401, &json!({"error": {"msg": "Unauthorized."}})));
    let run = read(&refused, json!({}), &streams, None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors = run.trace_errors();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert!(errors[0]["message"].as_str().unwrap().contains("401"));
    assert!(
        refused.requests_to("/api/tickets").is_empty(),
        "the sync went on"
    );
}

/// A pass that an interrupted sync left at `(down_to, top]`, resumed: above
/// `top` (a change since) and from `down_to` down to the bookmark is
/// emitted, the window is paged through without a record, and the end of
/// the pass drops the window and moves the bookmark.
fn resumable_pass() -> HostileServer {
    HostileServer::start(|r: &Request| match (r.path.as_str(), r.param("cursor")) {
        ("/api/account", _) => Action::json(200, &json!({"domain": "acme", "status": "active"})),
        ("/api/tickets", None) => Action::page(
            json!([
                ticket(10, "2024-03-10T00:00:00Z"),
                ticket(9, "2024-03-05T00:00:00Z"),
                ticket(8, "2024-03-03T00:00:00Z")
            ]),
            Some("p2"),
        ),
        ("/api/tickets", Some("p2")) => Action::page(
            json!([
                ticket(7, "2024-03-02T00:00:00Z"),
                ticket(6, "2024-02-15T00:00:00Z"),
                ticket(5, "2024-01-15T00:00:00Z")
            ]),
            Some("p3"),
        ),
        ("/api/tickets", Some("p3")) => Action::page(
            json!([
                ticket(4, "2024-01-10T00:00:00Z"),
                ticket(3, "2024-01-05T00:00:00Z")
            ]),
            Some("p4"),
        ),
        ("/api/tickets", Some(_)) => {
            Action::json(500, &json!({"error": {"msg": "past the stop page"}}))
        }
        _ => Action::page(json!([]), None),
    })
}

const IN_PROGRESS: &str = r#"{"updated_at": "2024-02-01T00:00:00Z",
    "pass": {"top": "2024-03-06T00:00:00Z", "down_to": "2024-03-02T00:00:00Z"}}"#;

#[test]
fn a_resumed_pass_emits_only_what_lies_outside_its_window_on_both_faces() {
    let in_progress: Value = serde_json::from_str(IN_PROGRESS).unwrap();
    let server = resumable_pass();
    let state = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"},
        "stream_state": in_progress}}]);
    let run = read(
        &server,
        json!({}),
        &[("tickets", "incremental")],
        Some(state),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(ids(&run, "tickets", "ticket_id"), [10, 7, 6]);
    let last = states(&run, "tickets").pop().unwrap();
    assert_eq!(last, json!({"updated_at": "2024-03-10T00:00:00Z"}));

    let server = resumable_pass();
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config(&server, json!({})));
    // ticket_tags and ticket_custom_field_values share the pass over
    // /tickets (with no bookmark of its own either would make the pass one
    // of the whole history).
    let riders =
        json!({"ticket_updated_at": in_progress["updated_at"], "pass": in_progress["pass"]});
    let s = write_json(
        &dir,
        "s.json",
        &json!({"bookmarks": {"tickets": in_progress, "ticket_tags": riders,
            "ticket_custom_field_values": riders}}),
    );
    let run = tap(&["--config", path(&c), "--state", path(&s)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tickets: Vec<i64> = run
        .records("tickets")
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    assert_eq!(tickets, [10, 7, 6]);
    assert_eq!(
        run.last_state()["bookmarks"]["tickets"],
        json!({"updated_at": "2024-03-10T00:00:00Z"})
    );
}
