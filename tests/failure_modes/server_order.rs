//! The read does not trust the server's sort order (issue 20.3). Every stop
//! page and every checkpoint between pages assumes the API honours
//! `order_by`; a server that breaks it, within a page or across pages, is
//! caught on the first break, said once in a WARN naming the endpoint, and
//! its lists are read to their end for the rest of the sync, so no record
//! is lost.

use crate::common::hostile::{Action, HostileServer, Request};
use crate::common::*;
use serde_json::{json, Value};

fn ticket(id: i64, day: &str) -> Value {
    json!({"id": id, "created_datetime": "2020-01-01T00:00:00Z",
        "updated_datetime": format!("2024-{day}T00:00:00Z"), "status": "open",
        "channel": "email", "tags": []})
}

/// A server whose `/api/tickets` pages are `pages` in turn (cursors p1…).
fn serving(pages: Vec<Value>) -> HostileServer {
    HostileServer::start(move |r: &Request| {
        if r.path != "/api/tickets" {
            return Action::page(json!([]), None);
        }
        let n: usize = r
            .param("cursor")
            .and_then(|c| c.strip_prefix('p'))
            .map_or(0, |c| c.parse().unwrap());
        let next = (n + 1 < pages.len()).then(|| format!("p{}", n + 1));
        Action::page(pages[n].clone(), next.as_deref())
    })
}

fn read_tickets(server: &HostileServer, bookmark: Option<&str>) -> Run {
    let dir = scratch();
    let c = json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": server.base_url(), "backoff_base_ms": 1});
    let cfg = write_json(&dir, "c.json", &c);
    let cat = json!({"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental",
        "cursor_field": ["updated_at"], "destination_sync_mode": "append_dedup"}]});
    let cat = write_json(&dir, "cat.json", &cat);
    let mut args = vec![
        "read".to_string(),
        "--config".into(),
        cfg.to_str().unwrap().into(),
        "--catalog".into(),
        cat.to_str().unwrap().into(),
    ];
    if let Some(b) = bookmark {
        let state = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"},
            "stream_state": {"updated_at": b}}}]);
        let s = write_json(&dir, "state.json", &state);
        args.extend(["--state".into(), s.to_str().unwrap().into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = airbyte(&args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    run
}

fn ids(run: &Run) -> Vec<i64> {
    run.records("tickets")
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect()
}

fn order_warnings(run: &Run) -> Vec<String> {
    run.of_type("LOG")
        .iter()
        .filter(|m| m["log"]["level"] == "WARN")
        .map(|m| m["log"]["message"].as_str().unwrap().to_string())
        .filter(|m| m.contains("out of the order"))
        .collect()
}

#[test]
fn a_newest_first_read_out_of_order_reads_past_its_stop_page() {
    // The page after the break is wholly older than the bookmark: a read
    // that trusted the order would stop there and never see ticket 8.
    let within = vec![
        json!([ticket(10, "03-10"), ticket(5, "01-05"), ticket(9, "03-09")]),
        json!([ticket(4, "01-04"), ticket(3, "01-03")]),
        json!([ticket(8, "03-08")]),
    ];
    let across = vec![
        json!([ticket(10, "03-10"), ticket(9, "03-09")]),
        json!([ticket(11, "03-11"), ticket(2, "01-02")]),
        json!([ticket(1, "01-01")]),
        json!([ticket(8, "03-08")]),
    ];
    let cases = [
        (within, vec![10, 9, 8], "2024-03-10T00:00:00Z"),
        (across, vec![10, 9, 11, 8], "2024-03-11T00:00:00Z"),
    ];
    for (pages, want, newest) in cases {
        let server = serving(pages);
        let run = read_tickets(&server, Some("2024-02-01T00:00:00Z"));
        assert_eq!(ids(&run), want);
        let warnings = order_warnings(&run);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("/tickets") && warnings[0].contains("updated_datetime:desc"),
            "{}",
            warnings[0]
        );
        let last = run.of_type("STATE").last().unwrap()["state"]["stream"]["stream_state"].clone();
        assert_eq!(last["updated_at"], newest);
    }
}

#[test]
fn an_oldest_first_read_out_of_order_checkpoints_only_at_its_end() {
    // Ticket 4 comes after 5: a checkpoint at 5 before it would, if the
    // sync were cut there, resume past ticket 4.
    let server = serving(vec![
        json!([ticket(1, "01-01"), ticket(2, "01-02")]),
        json!([ticket(5, "01-05"), ticket(3, "01-03")]),
        json!([ticket(4, "01-04")]),
    ]);
    let run = read_tickets(&server, None);
    assert_eq!(ids(&run), [1, 2, 5, 3, 4]);
    // No record follows a STATE whose bookmark is past it.
    let mut bookmark = String::new();
    for m in &run.messages {
        match m["type"].as_str() {
            Some("STATE") => {
                bookmark = m["state"]["stream"]["stream_state"]["updated_at"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
            Some("RECORD") => {
                let at = m["record"]["data"]["updated_at"].as_str().unwrap();
                assert!(
                    at >= bookmark.as_str(),
                    "{at} emitted after a STATE at {bookmark}"
                );
            }
            _ => {}
        }
    }
    assert_eq!(bookmark, "2024-01-05T00:00:00Z");
    assert_eq!(order_warnings(&run).len(), 1);
}

#[test]
fn a_server_that_keeps_the_order_gets_no_warning() {
    let server = serving(vec![
        json!([ticket(10, "03-10"), ticket(9, "03-09")]),
        json!([ticket(4, "01-04"), ticket(3, "01-03")]),
        json!([ticket(8, "03-08")]),
    ]);
    let run = read_tickets(&server, Some("2024-02-01T00:00:00Z"));
    // Ordered, the stop page ends the read: the third page is not asked for.
    assert_eq!(ids(&run), [10, 9]);
    assert!(order_warnings(&run).is_empty());
    assert_eq!(server.requests_to("/api/tickets").len(), 2);
}
