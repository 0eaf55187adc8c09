//! OAuth2, drop-in configs from other Gorgias connectors, users by
//! role, and deletions as `_ab_cdc_deleted_at` rows, against the sandbox.

use crate::common::*;
use gorgias_sandbox::{
    Mutation, OAUTH_ACCESS_TOKEN, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REFRESH_TOKEN,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn check_and_read(config: &Value, streams: &[&str]) -> Run {
    let dir = scratch();
    let c = write_json(&dir, "c.json", config);
    let check = airbyte(&["check", "--config", c.to_str().unwrap()]);
    assert_eq!(
        check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"],
        "SUCCEEDED",
        "{}",
        check.stdout
    );
    let cat = json!({"streams": streams.iter().map(|s| json!({"stream": {"name": s}, "sync_mode": "full_refresh"})).collect::<Vec<_>>()});
    let cat = write_json(&dir, "cat.json", &cat);
    let run = read_paths(&c, &cat, None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run
}

#[test]
fn the_preferred_credentials_form_and_every_alias_form_read_the_same() {
    let sb = sandbox(60);
    let base = sb.base_url();
    let forms = [
        json!({"domain": "acme", "credentials": {"auth_type": "api_key", "email": EMAIL, "api_key": API_KEY}, "base_url": base}),
        json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": base}),
        // Airbyte's own Gorgias source.
        json!({"domain_name": "acme", "username": EMAIL, "password": API_KEY, "start_date": "2020-01-01T00:00:00Z", "base_url": base}),
        // ingestr's URI.
        json!({"uri": format!("gorgias://acme?api_key={API_KEY}&email={}", EMAIL.replace('@', "%40")), "base_url": base}),
    ];
    let mut counts = BTreeSet::new();
    for f in &forms {
        let run = check_and_read(f, &["tickets", "users"]);
        counts.insert((run.records("tickets").len(), run.records("users").len()));
    }
    assert_eq!(counts.len(), 1, "every form reads the same: {counts:?}");
}

#[test]
fn an_oauth_access_token_reads_and_a_refresh_token_renews_it() {
    let sb = sandbox(40);
    let base = sb.base_url();
    let direct = json!({"domain": "acme", "base_url": base,
        "credentials": {"auth_type": "oauth2", "access_token": OAUTH_ACCESS_TOKEN}});
    let run = check_and_read(&direct, &["tickets"]);
    assert_eq!(run.records("tickets").len(), 40);

    // A revoked token with refresh credentials: the first 401 refreshes it.
    let refreshing = json!({"domain": "acme", "base_url": base,
        "credentials": {"auth_type": "oauth2", "access_token": "revoked-token-0000000000000000",
            "refresh_token": OAUTH_REFRESH_TOKEN, "client_id": OAUTH_CLIENT_ID, "client_secret": OAUTH_CLIENT_SECRET}});
    let run = check_and_read(&refreshing, &["tickets", "users"]);
    assert_eq!(run.records("tickets").len(), 40);
    assert!(!run.stdout.contains(OAUTH_REFRESH_TOKEN) && !run.stdout.contains(OAUTH_CLIENT_SECRET));
    let refreshes = sb
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    assert!(
        (1..=2).contains(&refreshes),
        "{refreshes} refreshes (one per run)"
    );

    // A token that expires within five minutes is refreshed before use.
    let expiring = json!({"domain": "acme", "base_url": base,
        "credentials": {"auth_type": "oauth2", "access_token": OAUTH_ACCESS_TOKEN, "token_expiry_date": "2020-01-01T00:00:00Z",
            "refresh_token": OAUTH_REFRESH_TOKEN, "client_id": OAUTH_CLIENT_ID, "client_secret": OAUTH_CLIENT_SECRET}});
    sb.clear_requests();
    check_and_read(&expiring, &["users"]);
    assert_eq!(
        sb.requests().first().map(|r| r.path.as_str()),
        Some("/oauth/token")
    );

    // Wrong client credentials end in one sentence.
    let wrong = json!({"domain": "acme", "base_url": base,
        "credentials": {"auth_type": "oauth2", "access_token": "revoked", "refresh_token": OAUTH_REFRESH_TOKEN,
            "client_id": OAUTH_CLIENT_ID, "client_secret": "not-the-secret"}});
    let dir = scratch();
    let c = write_json(&dir, "c.json", &wrong);
    let check = airbyte(&["check", "--config", c.to_str().unwrap()]);
    let status = &check.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("refused to refresh the OAuth2 access token"),
        "{status}"
    );
}

#[test]
fn user_roles_filter_the_users_list_on_the_server() {
    let sb = sandbox(600);
    let mut c = config_for(&sb);
    c["user_roles"] = json!(["admin", "agent"]);
    let run = check_and_read(&c, &["users"]);
    let want: BTreeSet<i64> = sb
        .snapshot("users")
        .iter()
        .filter(|u| ["admin", "agent"].contains(&u["role"]["name"].as_str().unwrap_or("")))
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    let got: BTreeSet<i64> = run
        .records("users")
        .iter()
        .map(|r| r["user_id"].as_i64().unwrap())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.path == "/api/users" && r.query.contains("roles=admin&roles=agent")));

    let mut bad = config_for(&sb);
    bad["user_roles"] = json!(["overlord"]);
    let dir = scratch();
    let p = write_json(&dir, "c.json", &bad);
    let run = airbyte(&["check", "--config", p.to_str().unwrap()]);
    assert!(run.stdout.contains("not a Gorgias role"));
}

#[test]
fn deleted_tickets_and_customers_arrive_as_cdc_deleted_rows() {
    let sb = sandbox(300);
    let dir = scratch();
    let mut c = config_for(&sb);
    c["emit_deletes"] = json!(true);
    let c = write_json(&dir, "c.json", &c);
    let discover = airbyte(&["discover", "--config", c.to_str().unwrap()]);
    let streams = &discover.of_type("CATALOG")[0]["catalog"]["streams"];
    let tickets_schema = streams
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tickets")
        .unwrap()["json_schema"]
        .clone();
    assert!(tickets_schema["properties"]["_ab_cdc_deleted_at"].is_object());

    let cat = write_json(
        &dir,
        "cat.json",
        &json!({"streams": [
        {"stream": {"name": "tickets"}, "sync_mode": "incremental"},
        {"stream": {"name": "customers"}, "sync_mode": "incremental"}]}),
    );
    let first = read_paths(&c, &cat, None);
    assert_eq!(first.code, 0, "{}", first.stdout);
    let state = write_json(&dir, "s.json", &first.last_states());
    let gone = sb.mutate(&Mutation {
        seed: 3,
        delete_tickets: 4,
        delete_customers: 2,
        ..Default::default()
    });
    assert_eq!(gone.deleted_ticket_ids.len(), 4);
    let second = read_paths(&c, &cat, Some(&state));
    assert_eq!(second.code, 0, "{}", second.stdout);
    let deleted: BTreeSet<i64> = second
        .records("tickets")
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    assert_eq!(deleted, gone.deleted_ticket_ids.iter().copied().collect());
    let deleted_customers: BTreeSet<i64> = second
        .records("customers")
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        deleted_customers,
        gone.deleted_customer_ids.iter().copied().collect()
    );
    // Deletion rows carry the same key as the live rows they retire.
    for r in second
        .records("tickets")
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
    {
        let live = first
            .records("tickets")
            .into_iter()
            .find(|l| l["ticket_id"] == r["ticket_id"])
            .unwrap();
        assert_eq!(live["__sync_key"], r["__sync_key"]);
    }
    for m in second.of_type("RECORD") {
        let s = m["record"]["stream"].as_str().unwrap();
        let schema = streams
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == s)
            .unwrap()["json_schema"]
            .clone();
        validate(&schema, &m["record"]["data"], s).unwrap();
    }
}
