//! Paging and rate headers against a server that misbehaves on cue (issue
//! 20 items 2 and 4): a page that gives no way on is not taken for the end
//! of its list, an expired cursor starts its list again instead of failing
//! as a config error, and rate headers or `Retry-After` values no bucket
//! could mean neither stall the sync nor hide why it gave up.

use crate::common::hostile::{Action, HostileServer, Request};
use crate::common::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A read of one stream against `server`, with config keys `extra` and an
/// optional bookmark (`updated_at`).
fn read(server: &HostileServer, extra: Value, stream: (&str, &str), bookmark: Option<&str>) -> Run {
    let dir = scratch();
    let mut config = json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": server.base_url(), "backoff_base_ms": 1});
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    let c = write_json(&dir, "c.json", &config);
    let catalog = json!({"streams": [{"stream": {"name": stream.0}, "sync_mode": stream.1}]});
    let cat = write_json(&dir, "cat.json", &catalog);
    let mut args = vec!["read", "--config", c.to_str().unwrap()];
    args.extend(["--catalog", cat.to_str().unwrap()]);
    let state;
    if let Some(at) = bookmark {
        let s = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": stream.0},
            "stream_state": {"updated_at": at}}}]);
        state = write_json(&dir, "state.json", &s);
        args.extend(["--state", state.to_str().unwrap()]);
    }
    airbyte(&args)
}

fn ticket(id: i64) -> Value {
    json!({"id": id, "created_datetime": "2020-01-01T00:00:00Z",
        "updated_datetime": format!("2024-03-{id:02}T00:00:00Z"),
        "status": "open", "channel": "email", "tags": []})
}

fn last_status(run: &Run, stream: &str) -> String {
    run.of_type("TRACE")
        .iter()
        .filter(|m| m["trace"]["type"] == "STREAM_STATUS")
        .filter(|m| m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
        .filter_map(|m| m["trace"]["stream_status"]["status"].as_str())
        .next_back()
        .unwrap_or("none")
        .to_string()
}

fn bookmarks(run: &Run) -> Vec<Value> {
    run.of_type("STATE")
        .iter()
        .map(|m| m["state"]["stream"]["stream_state"]["updated_at"].clone())
        .collect()
}

fn ids(run: &Run, stream: &str, key: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = run
        .records(stream)
        .iter()
        .map(|r| r[key].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

fn stream_error(run: &Run) -> (String, String) {
    let errors = run.trace_errors();
    let e = errors
        .first()
        .unwrap_or_else(|| panic!("no error: {}", run.stdout));
    (
        e["failure_type"].as_str().unwrap().to_string(),
        e["message"].as_str().unwrap().to_string(),
    )
}

fn warnings(run: &Run) -> Vec<String> {
    run.of_type("LOG")
        .iter()
        .filter(|m| m["log"]["level"] == "WARN")
        .map(|m| m["log"]["message"].as_str().unwrap().to_string())
        .collect()
}

fn starts(server: &HostileServer, path: &str) -> usize {
    server
        .requests_to(path)
        .iter()
        .filter(|r| r.param("cursor").is_none())
        .count()
}

/// 31 tags, 10 a page, paged by numeric cursors: each is the next page's
/// cursor as its text, and the list is read to its end.
#[test]
fn a_numeric_cursor_is_followed_to_the_end_of_the_list() {
    let server = HostileServer::start(|r: &Request| {
        let page: i64 = r.param("cursor").map_or(0, |c| c.parse().unwrap());
        let tags: Vec<Value> = (page * 10..(page * 10 + 10).min(31))
            .map(|id| json!({"id": id, "name": format!("t{id}")}))
            .collect();
        let next = if page < 3 {
            json!(page + 1)
        } else {
            Value::Null
        };
        Action::json(200, &json!({"data": tags, "meta": {"next_cursor": next}}))
    });
    let run = read(
        &server,
        json!({"page_size": 10}),
        ("tags", "full_refresh"),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(ids(&run, "tags", "id"), (0..31).collect::<Vec<_>>());
    assert_eq!(last_status(&run, "tags"), "COMPLETE");
}

/// A page of `page_size` records with no `meta` may have more behind it:
/// the stream fails (after reading the list again), its bookmark stays. A
/// short one, or a full one whose `next_cursor` is null, is the end.
#[test]
fn a_full_page_without_meta_fails_its_stream_but_a_short_one_ends_the_list() {
    let bare = HostileServer::start(|r: &Request| match r.param("cursor") {
        None => Action::json(200, &json!({"data": [ticket(9), ticket(8)]})),
        Some(_) => Action::json(200, &json!({"data": [ticket(7)]})),
    });
    let at = "2024-01-01T00:00:00Z";
    let run = read(
        &bare,
        json!({"page_size": 2}),
        ("tickets", "incremental"),
        Some(at),
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(last_status(&run, "tickets"), "INCOMPLETE");
    let (failure, msg) = stream_error(&run);
    assert_eq!(failure, "transient_error");
    assert!(
        msg.contains("full page") && msg.contains("no `meta`") && msg.contains("/tickets"),
        "{msg}"
    );
    assert!(bookmarks(&run).iter().all(|b| b == at), "{}", run.stdout);
    assert_eq!(starts(&bare, "/api/tickets"), 3);

    let run = read(
        &bare,
        json!({"page_size": 3}),
        ("tickets", "incremental"),
        Some(at),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(ids(&run, "tickets", "ticket_id"), [8, 9]);

    let ended =
        HostileServer::start(|_: &Request| Action::page(json!([ticket(9), ticket(8)]), None));
    let run = read(
        &ended,
        json!({"page_size": 2}),
        ("tickets", "incremental"),
        Some(at),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(last_status(&run, "tickets"), "COMPLETE");
}

/// Tickets 1, 2 on the first page; the cursor to 3, 4 is refused once
/// (`refusals` times in all), then honoured.
fn expiring(refusals: usize) -> HostileServer {
    let refused = Arc::new(AtomicUsize::new(0));
    HostileServer::start(move |r: &Request| match r.param("cursor") {
        None => Action::page(json!([ticket(1), ticket(2)]), Some("c1")),
        Some(_) if refused.fetch_add(1, Ordering::SeqCst) < refusals => {
            Action::json(400, &json!({"error": {"msg": "Invalid cursor"}}))
        }
        Some(_) => Action::page(json!([ticket(3), ticket(4)]), None),
    })
}

/// An expired cursor starts the list again (oldest first, so what was
/// emitted is skipped but the tie) and the stream completes.
#[test]
fn an_expired_cursor_starts_its_list_again_and_the_list_completes() {
    let server = expiring(1);
    let run = read(&server, json!({}), ("tickets", "incremental"), None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(last_status(&run, "tickets"), "COMPLETE");
    let got = ids(&run, "tickets", "ticket_id");
    assert_eq!(got, [1, 2, 2, 3, 4], "every ticket, the tie again");
    assert_eq!(starts(&server, "/api/tickets"), 2);
    assert!(
        warnings(&run)
            .iter()
            .any(|w| w.contains("expired page cursor") && w.contains("read again from its start")),
        "{:?}",
        warnings(&run)
    );
    assert_eq!(
        bookmarks(&run).last().unwrap(),
        "2024-03-04T00:00:00Z",
        "{}",
        run.stdout
    );
}

/// Refused again at the same page: the stream fails, saying the cursor
/// expired (not "check `base_url`"), and its bookmark never moves.
#[test]
fn a_cursor_refused_twice_at_the_same_page_fails_its_stream_naming_the_expired_cursor() {
    let server = expiring(usize::MAX);
    let at = "2024-01-01T00:00:00Z";
    let run = read(&server, json!({}), ("tickets", "incremental"), Some(at));
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(last_status(&run, "tickets"), "INCOMPLETE");
    let (failure, msg) = stream_error(&run);
    assert_eq!(failure, "transient_error");
    assert!(
        msg.contains("page cursor")
            && msg.contains("expired")
            && msg.contains("same page")
            && !msg.contains("base_url"),
        "{msg}"
    );
    assert!(bookmarks(&run).iter().all(|b| b == at), "{}", run.stdout);
    assert_eq!(starts(&server, "/api/tickets"), 2);
}

/// `999999/40` is more than a bucket of 40 can hold: it paces like a full
/// bucket (a second or two), not for the 120 s it once asked.
#[test]
fn a_call_limit_past_the_bucket_waits_one_window_at_most() {
    let server = HostileServer::start(|r: &Request| {
        let (used, next) = match r.param("cursor") {
            None => ("999999/40", Some("c1")),
            Some("c1") => ("1/40", Some("c2")),
            Some(_) => ("1/40", None),
        };
        Action::page(json!([{"id": r.seq, "name": "t"}]), next)
            .with_header("X-Gorgias-Account-Api-Call-Limit", used)
    });
    // The old wait was cut only by the retry budget: 10 s here.
    let began = Instant::now();
    let run = read(
        &server,
        json!({"retry_budget_ms": 10_000}),
        ("tags", "full_refresh"),
        None,
    );
    let took = began.elapsed();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.records("tags").len(), 3);
    assert!(took < Duration::from_secs(6), "took {took:?}");
}

/// A `Retry-After` longer than the retry budget gives up at once, saying
/// so, not "after 1 attempts".
#[test]
fn a_retry_after_past_the_retry_budget_says_the_server_asked_for_too_long() {
    for status in [429, 503] {
        let server = HostileServer::start(move |_: &Request| {
            Action::json(status, &json!({})).with_header("Retry-After", "1e12")
        });
        let began = Instant::now();
        let run = read(
            &server,
            json!({"retry_budget_ms": 2000}),
            ("tags", "full_refresh"),
            None,
        );
        assert!(began.elapsed() < Duration::from_secs(8), "{status}");
        assert_eq!(run.code, 3, "{status}: {}", run.stdout);
        let (failure, msg) = stream_error(&run);
        assert_eq!(failure, "transient_error");
        assert!(
            msg.contains(&format!("with {status}"))
                && msg.contains("asked (Retry-After) for a wait longer than the retry budget")
                && !msg.contains("attempts"),
            "{status}: {msg}"
        );
        assert_eq!(server.requests_to("/api/tags").len(), 1, "{status}");
    }
}

/// A server that echoes the request into its next cursor grows the cursor
/// page by page: past what a URL can carry, the list is one that cannot be
/// read to its end (the stream fails in one sentence), never a panic.
#[test]
fn a_cursor_that_grows_past_what_a_url_carries_fails_its_stream_without_a_panic() {
    let server = HostileServer::start(|r: &Request| {
        let cursor = r.param("cursor").unwrap_or("c");
        let next = format!("{cursor}{}", "x".repeat(cursor.len().max(512)));
        let tags =
            json!([{"id": cursor.len(), "name": "t"}, {"id": cursor.len() + 1, "name": "u"}]);
        Action::json(200, &json!({"data": tags, "meta": {"next_cursor": next}}))
    });
    let run = read(
        &server,
        json!({"page_size": 2}),
        ("tags", "full_refresh"),
        None,
    );
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(last_status(&run, "tags"), "INCOMPLETE");
    let (failure, msg) = stream_error(&run);
    assert_eq!(failure, "transient_error");
    assert!(msg.contains("longer than 8 KiB"), "{msg}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
