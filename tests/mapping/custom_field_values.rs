//! Ticket and customer custom-field values, exact on the
//! sandbox in both account shapes (the lists carry `custom_fields`, or only
//! the per-object endpoint does), a changed value delivered and a removed
//! one gone from its object's newest set.

use crate::common;

use crate::common::*;
use gorgias_sandbox::{Mutation, Sandbox, SandboxConfig};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// (object id, field id, value as JSON text).
type Values = BTreeSet<(i64, i64, String)>;

const VALUE_STREAMS: [(&str, &str, &str, &str); 2] = [
    (
        "tickets",
        "ticket_custom_field_values",
        "ticket_id",
        "ticket_updated_at",
    ),
    (
        "customers",
        "customer_custom_field_values",
        "customer_id",
        "customer_updated_at",
    ),
];

fn start(lists_without_custom_fields: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets: 150,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        lists_without_custom_fields,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// What the sandbox holds now, per object, for one of its collections.
fn expected(sb: &Sandbox, collection: &str) -> Values {
    let mut want = Values::new();
    for o in sb.snapshot(collection) {
        let id = o["id"].as_i64().unwrap();
        for (fid, v) in o["custom_fields"].as_object().unwrap() {
            want.insert((id, fid.parse().unwrap(), v["value"].to_string()));
        }
    }
    want
}

/// The newest set of each object over the reads, as a destination keeps
/// it: rows stamped with an object's latest cursor replace older ones.
fn merged(runs: &[&Run], stream: &str, id: &str, cursor: &str) -> Values {
    let mut latest: BTreeMap<i64, (String, Values)> = BTreeMap::new();
    for r in runs.iter().flat_map(|run| run.records(stream)) {
        let o = r[id].as_i64().unwrap();
        let at = r[cursor].as_str().unwrap().to_string();
        let e = latest.entry(o).or_insert((at.clone(), Values::new()));
        if at > e.0 {
            *e = (at.clone(), Values::new());
        }
        if at == e.0 {
            let row = (
                o,
                r["field_id"].as_i64().unwrap(),
                r["value_json"].as_str().unwrap().to_string(),
            );
            e.1.insert(row);
        }
    }
    latest.into_values().flat_map(|(_, v)| v).collect()
}

fn per_object_requests(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.path.ends_with("/custom-fields"))
        .count()
}

fn all_streams() -> Vec<&'static str> {
    VALUE_STREAMS
        .iter()
        .flat_map(|(host, values, _, _)| [*host, *values])
        .collect()
}

/// Both reads, checked exactly; returns the requests of the first read.
fn exact_in_both_reads(sb: &Sandbox) -> Vec<gorgias_sandbox::RequestRecord> {
    let config = config_for(sb);
    let first = read_ok(&config, &catalog_of(&all_streams()), None);
    let first_requests = sb.requests();
    for (host, stream, id, cursor) in VALUE_STREAMS {
        assert_eq!(
            merged(&[&first], stream, id, cursor),
            expected(sb, host),
            "{stream}"
        );
        assert!(!first.records(stream).is_empty(), "{stream}");
    }
    let changed = sb.mutate(&Mutation {
        seed: 7,
        update_custom_fields: 4,
        ..Mutation::default()
    });
    assert_eq!(changed.ticket_ids.len(), 4);
    sb.clear_requests();
    let second = read_ok(
        &config,
        &catalog_of(&all_streams()),
        Some(&first.last_states()),
    );
    for (host, stream, id, cursor) in VALUE_STREAMS {
        let now = expected(sb, host);
        assert_eq!(
            merged(&[&first, &second], stream, id, cursor),
            now,
            "{stream} after changes"
        );
        // The changed objects came again (and the bookmark's own tie, read
        // again on purpose), not the whole list.
        let again: BTreeSet<i64> = second
            .records(stream)
            .iter()
            .map(|r| r[id].as_i64().unwrap())
            .collect();
        let ids = if host == "tickets" {
            &changed.ticket_ids
        } else {
            &changed.customer_ids
        };
        assert!(
            ids.iter().all(|i| again.contains(i)),
            "{stream}: {again:?} {ids:?}"
        );
        assert!(again.len() <= ids.len() + 2, "{stream}: {again:?}");
    }
    // The per-object endpoint, if used, was asked about changed objects only.
    let delivered = second.records("tickets").len() + second.records("customers").len();
    assert!(
        per_object_requests(sb) <= delivered,
        "{}",
        per_object_requests(sb)
    );
    first_requests
}

#[test]
fn values_ride_on_lists_that_carry_them_at_no_extra_request() {
    let sb = start(false);
    let hosts_only = read_ok(
        &config_for(&sb),
        &catalog_of(&["tickets", "customers"]),
        None,
    );
    let hosts_requests = sb.requests().len();
    assert!(!hosts_only.records("tickets").is_empty());
    sb.clear_requests();
    let requests = exact_in_both_reads(&sb);
    assert_eq!(requests.len(), hosts_requests, "{requests:?}");
    assert!(!requests.iter().any(|r| r.path.ends_with("/custom-fields")));
}

#[test]
fn values_are_read_per_object_when_the_lists_leave_them_out() {
    let sb = start(true);
    let listed = sb.snapshot("tickets").len() + sb.snapshot("customers").len();
    let requests = exact_in_both_reads(&sb);
    let per_object = requests
        .iter()
        .filter(|r| r.path.ends_with("/custom-fields"))
        .count();
    assert_eq!(per_object, listed);
    assert!(requests.iter().all(|r| r.status == 200), "{requests:?}");
}

#[test]
fn the_read_says_which_path_the_account_needs() {
    for (without, says) in [
        (false, "carries `custom_fields`"),
        (true, "does not carry `custom_fields`"),
    ] {
        let sb = start(without);
        let run = read_ok(
            &config_for(&sb),
            &catalog_of(&["ticket_custom_field_values"]),
            None,
        );
        let logs: Vec<&str> = run
            .of_type("LOG")
            .iter()
            .filter_map(|m| m["log"]["message"].as_str())
            .collect();
        assert!(
            logs.iter()
                .any(|l| l.starts_with("ticket_custom_field_values: ") && l.contains(says)),
            "{logs:?}"
        );
    }
}

fn hostile_ticket(id: i64) -> Value {
    serde_json::json!({"id": id, "created_datetime": "2020-01-01T00:00:00Z",
        "updated_datetime": format!("2024-03-0{id}T00:00:00Z"), "status": "open", "tags": []})
}

fn value_item(field: i64, value: Value) -> Value {
    serde_json::json!({"id": 9000 + field, "field": {"id": field, "label": "Reason"}, "value": value, "prediction": null})
}

/// A full refresh of `ticket_custom_field_values` against `server`.
fn read_values_from(server: &common::hostile::HostileServer) -> Run {
    let dir = scratch();
    let config = serde_json::json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": server.base_url(), "backoff_base_ms": 5, "retry_budget_ms": 200});
    let cfg = write_json(&dir, "c.json", &config);
    let cat = one_stream_catalog(&dir, "ticket_custom_field_values", "full_refresh");
    read_paths(&cfg, &cat, None)
}

fn hostile_read(per_ticket_3: Value) -> (common::hostile::HostileServer, Run) {
    use crate::common::hostile::{Action, HostileServer, Request};
    let server = HostileServer::start(move |r: &Request| match r.path.as_str() {
        "/api/account" => Action::json(200, &serde_json::json!({"domain": "acme"})),
        "/api/tickets" => Action::page(
            serde_json::json!([hostile_ticket(1), hostile_ticket(2), hostile_ticket(3)]),
            None,
        ),
        "/api/tickets/1/custom-fields" => Action::json(
            200,
            &serde_json::json!([value_item(31, serde_json::json!("Other"))]),
        ),
        // Deleted between its page and this request.
        "/api/tickets/2/custom-fields" => {
            Action::json(404, &serde_json::json!({"error": {"msg": "Not found"}}))
        }
        "/api/tickets/3/custom-fields" => Action::json(200, &per_ticket_3),
        _ => Action::json(404, &serde_json::json!({"error": {"msg": "Not found"}})),
    });
    let run = read_values_from(&server);
    (server, run)
}

#[test]
fn per_object_answers_are_read_in_both_forms_and_a_deleted_object_has_none() {
    let answer = serde_json::json!({"data": [value_item(32, serde_json::json!(["a", "b"]))]});
    let (server, run) = hostile_read(answer);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rows: Vec<(i64, i64, String)> = run
        .records("ticket_custom_field_values")
        .iter()
        .map(|r| {
            (
                r["ticket_id"].as_i64().unwrap(),
                r["field_id"].as_i64().unwrap(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, 31, "Other".to_string()),
            (3, 32, "[\"a\",\"b\"]".to_string())
        ]
    );
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/custom-fields"))
            .count(),
        3
    );
    assert!(
        run.stdout
            .contains("3 requests to /api/tickets/{id}/custom-fields"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_per_object_answer_of_another_shape_fails_the_stream_in_one_sentence() {
    let (_server, run) = hostile_read(serde_json::json!({"values": []}));
    assert_ne!(run.code, 0, "{}", run.stdout);
    let said = run
        .trace_errors()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .any(|m| m.contains("/api/tickets/3/custom-fields with neither a list nor"));
    assert!(said, "{}", run.stdout);
}

/// An account where the per-object endpoint answers 404 for every object
/// does not have it: the stream fails in one sentence, never a silent
/// success with no values.
#[test]
fn a_per_object_endpoint_that_finds_no_object_fails_the_stream() {
    use crate::common::hostile::{Action, HostileServer, Request};
    let server = HostileServer::start(|r: &Request| match r.path.as_str() {
        "/api/tickets" => Action::page(
            serde_json::json!([hostile_ticket(1), hostile_ticket(2), hostile_ticket(3)]),
            None,
        ),
        _ => Action::json(404, &serde_json::json!({"error": {"msg": "Not found"}})),
    });
    let run = read_values_from(&server);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let errors = run.trace_errors();
    let said = errors[0]["message"].as_str().unwrap();
    assert!(
        said.contains("404")
            && said.contains("/api/tickets/{id}/custom-fields")
            && said.contains("ticket_custom_field_values"),
        "{said}"
    );
}
