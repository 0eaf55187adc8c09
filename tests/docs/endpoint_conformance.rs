//! Every request a sync makes is one the endpoint table
//! (`src/endpoints.rs`, `docs/endpoints.md`) says we send: its path, its
//! parameters, its `order_by`, list values as repeated keys. Driven over full
//! reads of every stream, full refresh and incremental, with every option
//! on, so a new parameter cannot reach Gorgias without being written down
//! (and confirmed) there first.

use crate::common::*;
use gorgias_sandbox::{Mutation, Sandbox};
use serde_json::json;

fn assert_conforms(sb: &Sandbox, what: &str) {
    let reqs = sb.requests();
    assert!(!reqs.is_empty(), "{what}: no requests");
    let mut problems: Vec<String> = Vec::new();
    for r in &reqs {
        assert_eq!(r.method, "GET", "{what}: {r:?}");
        assert_eq!(r.status, 200, "{what}: the strict sandbox refused {r:?}");
        problems.extend(source_gorgias::endpoints::check_request(&r.path, &r.query));
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{what}: {problems:#?}");
    sb.clear_requests();
}

#[test]
fn every_request_of_every_stream_is_one_the_endpoint_table_documents() {
    let sb = sandbox(600);
    let mut config = config_for(&sb);
    config["emit_deletes"] = json!(true);
    config["user_roles"] = json!(["admin", "agent", "bot"]);
    config["ticket_messages_lookback_days"] = json!(2);
    let incremental = source_gorgias::airbyte::catalog::configured_catalog_all();
    let mut full = incremental.clone();
    for s in full["streams"].as_array_mut().unwrap() {
        s["sync_mode"] = json!("full_refresh");
        s["destination_sync_mode"] = json!("overwrite");
        s["cursor_field"] = json!([]);
    }

    read_ok(&config, &full, None);
    assert_conforms(&sb, "full refresh");

    // Incremental from nothing (oldest first), then from its state after
    // changes and deletes (newest first with stop pages, deletion events).
    let first = read_ok(&config, &incremental, None);
    assert_conforms(&sb, "first incremental");
    sb.mutate(&Mutation {
        seed: 9,
        update_tickets: 30,
        new_tickets: 3,
        update_customers: 10,
        delete_tickets: 2,
        delete_customers: 1,
        ..Mutation::default()
    });
    read_ok(&config, &incremental, Some(&first.last_states()));
    assert_conforms(&sb, "incremental from state");

    // With a start date every bounded list is read newest first from it.
    config["start_date"] = json!("2025-01-01");
    read_ok(&config, &incremental, None);
    assert_conforms(&sb, "incremental from a start date");
}
