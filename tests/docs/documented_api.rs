//! The connector against a sandbox as strict as Gorgias's reference (it
//! answers 400 to any parameter or form an endpoint does not document), and
//! against a lenient one where the client's own checks must hold: the
//! defects a sandbox built from our own assumptions could not show.

use crate::common::*;
use gorgias_sandbox::{Mutation, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn read_with(config: &Value, names: &[&str], state: Option<&Value>) -> Run {
    let mut all = source_gorgias::airbyte::catalog::configured_catalog_all();
    all["streams"]
        .as_array_mut()
        .unwrap()
        .retain(|s| names.contains(&s["stream"]["name"].as_str().unwrap()));
    read_ok(config, &all, state)
}

fn ids(rows: &[&Value], key: &str) -> BTreeSet<i64> {
    rows.iter().map(|r| r[key].as_i64().unwrap()).collect()
}

#[test]
fn view_items_follow_next_items_to_the_end_of_every_view() {
    let sb = sandbox(1500);
    let run = read_with(&config_for(&sb), &["view_items"], None);
    let rows = run.records("view_items");
    let mut largest = 0;
    for v in sb.snapshot("views") {
        let want: BTreeSet<i64> = sb
            .snapshot(&format!("views/{}/items", v["id"]))
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let got: BTreeSet<i64> = rows
            .iter()
            .filter(|r| r["view_id"] == v["id"])
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, want, "view {}", v["name"]);
        largest = largest.max(want.len());
    }
    assert!(largest >= 250, "the largest view holds {largest} tickets");
    // Each next page is the link's query: its cursor, direction and the
    // item to leave out, never a `next_cursor` of another envelope.
    let reqs = sb.requests();
    let paged: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/items") && r.query.contains("cursor="))
        .collect();
    assert!(!paged.is_empty());
    assert!(paged
        .iter()
        .all(|r| r.query.contains("direction=next") && r.query.contains("ignored_item=")));
}

#[test]
fn emit_deletes_never_marks_a_live_ticket_deleted_even_when_the_server_ignores_the_filter() {
    // The lenient sandbox returns every event whatever type is asked for.
    let sb = Sandbox::start(SandboxConfig {
        tickets: 400,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        lenient: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut config = config_for(&sb);
    config["emit_deletes"] = json!(true);
    let streams = ["tickets", "customers"];
    let first = read_with(&config, &streams, None);
    let changed = sb.mutate(&Mutation {
        seed: 3,
        update_tickets: 40,
        new_tickets: 5,
        update_customers: 20,
        delete_tickets: 4,
        delete_customers: 2,
        ..Mutation::default()
    });
    let second = read_with(&config, &streams, Some(&first.last_states()));
    let gone = |stream: &str, key: &str| -> BTreeSet<i64> {
        let rows = second.records(stream);
        let deleted: Vec<&Value> = rows
            .iter()
            .copied()
            .filter(|r| !r["_ab_cdc_deleted_at"].is_null())
            .collect();
        ids(&deleted, key)
    };
    assert_eq!(
        gone("tickets", "ticket_id"),
        changed.deleted_ticket_ids.iter().copied().collect()
    );
    assert_eq!(
        gone("customers", "id"),
        changed.deleted_customer_ids.iter().copied().collect()
    );
    // The filter was asked for in its documented form.
    assert!(sb
        .requests()
        .iter()
        .filter(|r| r.path == "/api/events")
        .all(|r| r.query.contains("types=ticket-deleted")
            || r.query.contains("types=customer-deleted")));
}

#[test]
fn user_roles_are_sent_as_repeated_keys_and_filter_the_users() {
    let sb = sandbox(100);
    let mut config = config_for(&sb);
    config["user_roles"] = json!(["admin", "bot"]);
    let run = read_with(&config, &["users"], None);
    let want: BTreeSet<i64> = sb
        .snapshot("users")
        .iter()
        .filter(|u| u["role"]["name"] == "admin" || u["role"]["name"] == "bot")
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(ids(&run.records("users"), "user_id"), want);
    let reqs = sb.requests();
    let users: Vec<_> = reqs.iter().filter(|r| r.path == "/api/users").collect();
    assert!(users
        .iter()
        .all(|r| r.query.contains("roles=admin&roles=bot")));
}

#[test]
fn archived_macros_and_custom_fields_are_read_with_their_archive_times() {
    let sb = sandbox(300);
    let run = read_with(&config_for(&sb), &["macros", "custom_fields"], None);
    for (stream, collection, field) in [
        ("macros", "macros", "archived_datetime"),
        ("custom_fields", "custom-fields", "deactivated_datetime"),
    ] {
        let all = sb.snapshot(collection);
        let archived: BTreeSet<i64> = all
            .iter()
            .filter(|o| !o[field].is_null())
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        assert!(!archived.is_empty(), "{stream}");
        let rows = run.records(stream);
        assert_eq!(
            ids(&rows, "id"),
            all.iter().map(|o| o["id"].as_i64().unwrap()).collect(),
            "{stream}: every one, archived or not"
        );
        let with_time: Vec<&Value> = rows
            .iter()
            .copied()
            .filter(|r| !r[field].is_null())
            .collect();
        assert_eq!(ids(&with_time, "id"), archived, "{stream}");
    }
    // One request per side of each small list.
    let reqs = sb.requests();
    let count = |p: &str| reqs.iter().filter(|r| r.path == p).count();
    assert_eq!(count("/api/macros"), 2);
    assert_eq!(count("/api/custom-fields"), 4);
}

#[test]
fn trashed_spam_and_deactivated_objects_fill_their_documented_columns() {
    let sb = sandbox(1000);
    let run = read_with(
        &config_for(&sb),
        &["tickets", "integrations", "voice_calls"],
        None,
    );
    let tickets = sb.snapshot("tickets");
    let rows = run.records("tickets");
    assert_eq!(rows.len(), tickets.len());
    let trashed: BTreeSet<i64> = tickets
        .iter()
        .filter(|t| !t["trashed_datetime"].is_null())
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let spam: BTreeSet<i64> = tickets
        .iter()
        .filter(|t| t["spam"] == true)
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(!trashed.is_empty() && !spam.is_empty());
    let pick = |f: &dyn Fn(&Value) -> bool| -> BTreeSet<i64> {
        rows.iter()
            .filter(|r| f(r))
            .map(|r| r["ticket_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(pick(&|r| r["trashed_at"].is_string()), trashed);
    assert_eq!(pick(&|r| r["spam"] == true), spam);
    assert!(rows.iter().all(|r| r["spam"].is_boolean()));

    let deactivated = sb
        .snapshot("integrations")
        .iter()
        .filter(|i| !i["deactivated_datetime"].is_null())
        .count();
    assert!(deactivated > 0);
    let integrations = run.records("integrations");
    assert_eq!(
        integrations
            .iter()
            .filter(|r| r["deactivated_at"].is_string())
            .count(),
        deactivated
    );
    let calls = run.records("voice_calls");
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|c| c["started_datetime"].is_string()));
}

#[test]
fn voice_calls_that_never_changed_are_not_sent_again() {
    let sb = sandbox(1000);
    let never: BTreeSet<i64> = sb
        .snapshot("phone/voice-calls")
        .iter()
        .filter(|c| c["updated_datetime"].is_null())
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(never.len() > 3);
    let config = config_for(&sb);
    let first = read_with(&config, &["voice_calls"], None);
    let state = first.last_states();
    let second = read_with(&config, &["voice_calls"], Some(&state));
    // Nothing changed: at most the calls at the bookmark's own instant.
    let again = second.records("voice_calls");
    let bookmark = state[0]["stream"]["stream_state"]["updated_datetime"]
        .as_str()
        .map(str::to_string);
    assert!(bookmark.is_some(), "{state}");
    assert!(
        again
            .iter()
            .all(|r| Some(r["updated_datetime"].as_str().unwrap().to_string()) == bookmark),
        "{} calls sent again (bookmark {bookmark:?})",
        again.len()
    );
    assert!(again.len() <= 2);
}
