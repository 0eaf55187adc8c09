//! The streams a Daasity replacement needs (account, users, tickets,
//! ticket_tags, ticket_messages, integrations, satisfaction_surveys): the
//! Airbyte binary's check, discover and reads against the sandbox, every
//! row and column compared with an independent statement of the mapping.

use crate::common::*;
use chrono::{DateTime, Utc};
use gorgias_sandbox::Mutation;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

// ---- an independent statement of the mapping (the seed's table) ----------

fn ts(v: &Value) -> Value {
    expected_ts(v)
}

fn md5key(parts: &[String]) -> String {
    expected_key(parts)
}

fn s(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(_) => v.clone(),
        other => json!(other.to_string()),
    }
}

fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn expected_ticket(t: &Value) -> Map<String, Value> {
    let c = &t["customer"];
    let r = if t["requester"].is_object() {
        &t["requester"]
    } else {
        c
    };
    let a = &t["assignee_user"];
    let id = t["id"].as_i64().unwrap();
    obj(&[
        ("ticket_id", json!(id)),
        ("external_id", s(&t["external_id"])),
        ("ticket_channel", s(&t["channel"])),
        ("via", s(&t["via"])),
        ("from_agent", t["from_agent"].clone()),
        ("ticket_status", s(&t["status"])),
        ("ticket_priority", s(&t["priority"])),
        ("requester_id", r["id"].clone()),
        ("requester_email", s(&r["email"])),
        ("requester_name", s(&r["name"])),
        ("requester_firstname", s(&r["firstname"])),
        ("requester_lastname", s(&r["lastname"])),
        ("customer_id", c["id"].clone()),
        ("customer_email", s(&c["email"])),
        ("customer_name", s(&c["name"])),
        ("customer_firstname", s(&c["firstname"])),
        ("customer_lastname", s(&c["lastname"])),
        ("assignee_firstname", s(&a["firstname"])),
        ("assignee_lastname", s(&a["lastname"])),
        ("assignee_id", a["id"].clone()),
        ("assignee_email", s(&a["email"])),
        ("ticket_subject", s(&t["subject"])),
        ("ticket_excerpt", s(&t["excerpt"])),
        ("messages_count", t["messages_count"].clone()),
        ("is_unread", t["is_unread"].clone()),
        ("created_at", ts(&t["created_datetime"])),
        ("opened_at", ts(&t["opened_datetime"])),
        ("last_received_at", ts(&t["last_received_message_datetime"])),
        ("last_message_at", ts(&t["last_message_datetime"])),
        ("updated_at", ts(&t["updated_datetime"])),
        ("closed_at", ts(&t["closed_datetime"])),
        // Beyond Daasity's columns: trashed and spam tickets say so.
        ("trashed_at", ts(&t["trashed_datetime"])),
        ("spam", t["spam"].clone()),
        ("assignee_team_id", t["assignee_team"]["id"].clone()),
        ("assignee_team_name", s(&t["assignee_team"]["name"])),
        ("language", s(&t["language"])),
        ("snooze_at", ts(&t["snooze_datetime"])),
        ("__source_id", json!("acme")),
        (
            "__sync_key",
            json!(md5key(&[id.to_string(), "acme".into()])),
        ),
    ])
}

fn expected_tags(t: &Value) -> Vec<Map<String, Value>> {
    let id = t["id"].as_i64().unwrap();
    t["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            obj(&[
                ("ticket_id", json!(id)),
                ("tag_name", s(&g["name"])),
                ("tag_id", g["id"].clone()),
                ("ticket_updated_at", ts(&t["updated_datetime"])),
                ("__source_id", json!("acme")),
                (
                    "__sync_key",
                    json!(md5key(&[
                        id.to_string(),
                        g["id"].to_string(),
                        "acme".into()
                    ])),
                ),
            ])
        })
        .collect()
}

fn expected_message(m: &Value) -> Map<String, Value> {
    let id = m["id"].as_i64().unwrap();
    let snd = &m["sender"];
    let rcv = &m["receiver"];
    obj(&[
        ("message_id", json!(id)),
        ("ticket_id", m["ticket_id"].clone()),
        ("public", m["public"].clone()),
        ("channel", s(&m["channel"])),
        ("via", s(&m["via"])),
        ("from_agent", m["from_agent"].clone()),
        ("sender_channel", s(&snd["meta"]["name_set_via"])),
        ("sender_id", snd["id"].clone()),
        ("sender_email", s(&snd["email"])),
        ("sender_firstname", s(&snd["firstname"])),
        ("sender_lastname", s(&snd["lastname"])),
        ("integration_id", m["integration_id"].clone()),
        ("receiver_id", rcv["id"].clone()),
        ("receiver_name", s(&rcv["name"])),
        ("subject", s(&m["subject"])),
        ("stripped_text", s(&m["stripped_text"])),
        ("created_at", ts(&m["created_datetime"])),
        ("sent_at", ts(&m["sent_datetime"])),
        // Beyond Daasity's columns.
        ("from_address", s(&m["source"]["from"]["address"])),
        ("to_addresses", m["source"]["to"].clone()),
        ("channel_message_id", s(&m["message_id"])),
        ("external_id", s(&m["external_id"])),
        ("rule_id", m["rule_id"].clone()),
        ("intents", m["intents"].clone()),
        ("opened_at", ts(&m["opened_datetime"])),
        ("failed_at", ts(&m["failed_datetime"])),
        ("deleted_at", ts(&m["deleted_datetime"])),
        ("last_sending_error", m["last_sending_error"].clone()),
        ("body_text", s(&m["body_text"])),
        ("__source_id", json!("acme")),
        (
            "__sync_key",
            json!(md5key(&[
                id.to_string(),
                m["ticket_id"].to_string(),
                "acme".into()
            ])),
        ),
    ])
}

fn expected_survey(v: &Value) -> Map<String, Value> {
    let id = v["id"].as_i64().unwrap();
    obj(&[
        ("survey_id", json!(id)),
        ("customer_id", v["customer_id"].clone()),
        ("ticket_id", v["ticket_id"].clone()),
        ("sent_at", ts(&v["sent_datetime"])),
        ("scored_at", ts(&v["scored_datetime"])),
        ("body_text", s(&v["body_text"])),
        ("score", v["score"].clone()),
        ("created_at", ts(&v["created_datetime"])),
        ("should_send_at", ts(&v["should_send_datetime"])),
        ("__source_id", json!("acme")),
        (
            "__sync_key",
            json!(md5key(&[id.to_string(), "acme".into()])),
        ),
    ])
}

fn expected_user(u: &Value) -> Map<String, Value> {
    let id = u["id"].as_i64().unwrap();
    obj(&[
        ("user_id", json!(id)),
        ("external_id", s(&u["external_id"])),
        ("active", u["active"].clone()),
        ("user_email", s(&u["email"])),
        ("user_name", s(&u["name"])),
        ("first_name", s(&u["firstname"])),
        ("last_name", s(&u["lastname"])),
        ("created_at", ts(&u["created_datetime"])),
        ("updated_at", ts(&u["updated_datetime"])),
        ("role", s(&u["role"]["name"])),
        ("deactivated_at", ts(&u["deactivated_datetime"])),
        ("timezone", s(&u["timezone"])),
        ("language", s(&u["language"])),
        ("__source_id", json!("acme")),
        (
            "__sync_key",
            json!(md5key(&[id.to_string(), "acme".into()])),
        ),
    ])
}

fn expected_integration(i: &Value) -> Map<String, Value> {
    let id = i["id"].as_i64().unwrap();
    obj(&[
        ("integration_id", json!(id)),
        ("integration_user_id", i["user"]["id"].clone()),
        ("integration_type", s(&i["type"])),
        ("integration_name", s(&i["name"])),
        ("created_at", ts(&i["created_datetime"])),
        ("updated_at", ts(&i["updated_datetime"])),
        ("deactivated_at", ts(&i["deactivated_datetime"])),
        ("description", s(&i["description"])),
        ("deleted_at", ts(&i["deleted_datetime"])),
        ("locked_at", ts(&i["locked_datetime"])),
        ("__source_id", json!("acme")),
        (
            "__sync_key",
            json!(md5key(&[id.to_string(), "acme".into()])),
        ),
    ])
}

fn expected_account(a: &Value) -> Vec<Map<String, Value>> {
    let mut rows = Vec::new();
    for s_ in a["settings"].as_array().unwrap() {
        let hours: Vec<Value> = s_["data"]["business_hours"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let entries: Vec<(Option<usize>, Value)> = if hours.is_empty() {
            vec![(None, Value::Null)]
        } else {
            hours
                .into_iter()
                .enumerate()
                .map(|(i, h)| (Some(i), h))
                .collect()
        };
        for (i, h) in entries {
            rows.push(obj(&[
                ("domain", s(&a["domain"])),
                ("status", s(&a["status"]["status"])),
                ("created_at", ts(&a["created_datetime"])),
                ("subscription_plan", s(&a["current_subscription"]["plan"])),
                (
                    "subscription_created_at",
                    ts(&a["current_subscription"]["start_datetime"]),
                ),
                (
                    "subscription_status",
                    s(&a["current_subscription"]["status"]),
                ),
                ("setting_id", s_["id"].clone()),
                ("setting_type", s(&s_["type"])),
                ("timezone", s(&s_["data"]["timezone"])),
                ("business_days", s(&h["days"])),
                ("business_close", s(&h["to_time"])),
                ("business_open", s(&h["from_time"])),
                ("__source_id", json!("acme")),
                (
                    "__sync_key",
                    json!(md5key(&[
                        s_["id"].to_string(),
                        i.map(|i| i.to_string()).unwrap_or_default(),
                        "acme".into()
                    ])),
                ),
            ]));
        }
    }
    rows
}

fn expected_all(sb: &gorgias_sandbox::Sandbox) -> BTreeMap<&'static str, Vec<Map<String, Value>>> {
    let tickets = sb.snapshot("tickets");
    let mut m = BTreeMap::new();
    m.insert("account", expected_account(&sb.snapshot("account")[0]));
    m.insert(
        "users",
        sb.snapshot("users").iter().map(expected_user).collect(),
    );
    m.insert("tickets", tickets.iter().map(expected_ticket).collect());
    m.insert(
        "ticket_tags",
        tickets.iter().flat_map(expected_tags).collect(),
    );
    m.insert(
        "ticket_messages",
        sb.snapshot("messages")
            .iter()
            .map(expected_message)
            .collect(),
    );
    m.insert(
        "satisfaction_surveys",
        sb.snapshot("satisfaction-surveys")
            .iter()
            .map(expected_survey)
            .collect(),
    );
    m.insert(
        "integrations",
        sb.snapshot("integrations")
            .iter()
            .map(expected_integration)
            .collect(),
    );
    m
}

// ---- the tests ---------------------------------------------------------------

#[test]
fn check_passes_with_good_credentials_and_fails_with_bad_ones() {
    let sb = sandbox(20);
    let dir = scratch();
    let good = write_json(&dir, "good.json", &config_for(&sb));
    let run = airbyte(&["check", "--config", good.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"],
        "SUCCEEDED"
    );

    let mut bad = config_for(&sb);
    bad["api_key"] = json!("sk-wrong-key-0000000000000000000000000000000000");
    let bad = write_json(&dir, "bad.json", &bad);
    let run = airbyte(&["check", "--config", bad.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert!(
        status["message"].as_str().unwrap().contains("401"),
        "{status}"
    );

    let mut nohost = config_for(&sb);
    nohost["base_url"] = json!(format!("http://127.0.0.1:{}/nothing-here", sb.port()));
    let nohost = write_json(&dir, "nohost.json", &nohost);
    let run = airbyte(&["check", "--config", nohost.to_str().unwrap()]);
    let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("No Gorgias account answers"),
        "{status}"
    );
}

#[test]
fn discover_gives_the_daasity_streams_their_daasity_and_added_columns() {
    let dir = scratch();
    let cfg = write_json(
        &dir,
        "c.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY}),
    );
    let run = airbyte(&["discover", "--config", cfg.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let streams = run.of_type("CATALOG")[0]["catalog"]["streams"]
        .as_array()
        .unwrap()
        .clone();
    // The Daasity columns, then those added after them.
    let want: &[(&str, &str, &str)] = &[
        ("account", "domain status created_at subscription_plan subscription_created_at subscription_status setting_id setting_type timezone business_days business_close business_open", ""),
        ("users", "user_id external_id active user_email user_name first_name last_name created_at updated_at", "role deactivated_at timezone language"),
        ("tickets", "ticket_id external_id ticket_channel via from_agent ticket_status ticket_priority requester_id requester_email requester_name requester_firstname requester_lastname customer_id customer_email customer_name customer_firstname customer_lastname assignee_firstname assignee_lastname assignee_id assignee_email ticket_subject ticket_excerpt messages_count is_unread created_at opened_at last_received_at last_message_at updated_at closed_at trashed_at spam", "assignee_team_id assignee_team_name language snooze_at"),
        ("integrations", "integration_id integration_user_id integration_type integration_name created_at updated_at deactivated_at", "description deleted_at locked_at"),
        ("ticket_tags", "ticket_id tag_name tag_id ticket_updated_at", ""),
        ("ticket_messages", "message_id ticket_id public channel via from_agent sender_channel sender_id sender_email sender_firstname sender_lastname integration_id receiver_id receiver_name subject stripped_text created_at sent_at", "from_address to_addresses channel_message_id external_id rule_id intents opened_at failed_at deleted_at last_sending_error body_text"),
        ("satisfaction_surveys", "survey_id customer_id ticket_id sent_at scored_at body_text score created_at", "should_send_at"),
    ];
    assert!(streams.len() >= want.len());
    for (name, daasity, added) in want {
        let s = streams
            .iter()
            .find(|s| s["name"] == *name)
            .unwrap_or_else(|| panic!("{name}"));
        let have: BTreeSet<&str> = s["json_schema"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want: BTreeSet<&str> = daasity.split(' ').chain(added.split_whitespace()).collect();
        want.extend(["__source_id", "__sync_key", "__synced_at"]);
        assert_eq!(have, want, "{name}");
        assert_eq!(s["source_defined_primary_key"], json!([["__sync_key"]]));
    }
}

#[test]
fn a_full_read_returns_every_sandbox_row_once_with_every_column_exact() {
    let sb = sandbox(700);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let cat = catalog_file(&dir);
    let run = read_paths(&cfg, &cat, None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_records_valid(&run);
    for (stream, rows) in expected_all(&sb) {
        let got = run.records(stream);
        let keyed_got = keyed(&got);
        assert_eq!(keyed_got.len(), got.len(), "{stream}: a row came twice");
        let want: BTreeMap<String, Map<String, Value>> = rows
            .into_iter()
            .map(|r| (r["__sync_key"].as_str().unwrap().to_string(), r))
            .collect();
        assert_eq!(keyed_got.len(), want.len(), "{stream}: row count");
        for (k, w) in &want {
            let g = keyed_got
                .get(k)
                .unwrap_or_else(|| panic!("{stream}: missing {w:?}"));
            assert_eq!(g, w, "{stream}");
        }
    }
    // Statuses: every stream started, ran and completed.
    let statuses: Vec<(String, String)> = run
        .of_type("TRACE")
        .iter()
        .filter(|m| m["trace"]["type"] == "STREAM_STATUS")
        .map(|m| {
            let s = &m["trace"]["stream_status"];
            (
                s["stream_descriptor"]["name"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    for s in source_gorgias::streams::ALL {
        for st in ["STARTED", "RUNNING", "COMPLETE"] {
            assert!(
                statuses.contains(&(s.name().into(), st.into())),
                "{} {st}",
                s.name()
            );
        }
    }
    // tickets and ticket_tags shared one pass; every list sent limit=100 and order_by.
    let reqs = sb.requests();
    let ticket_pages = reqs.iter().filter(|r| r.path == "/api/tickets").count();
    assert_eq!(ticket_pages, 700usize.div_ceil(100));
    for r in reqs
        .iter()
        .filter(|r| r.path != "/api/account" && !r.path.starts_with("/api/phone/"))
    {
        assert!(
            r.query.contains("limit=100") && r.query.contains("order_by="),
            "{r:?}"
        );
    }
}

#[test]
fn an_incremental_read_after_changes_delivers_every_change_with_few_requests() {
    let sb = sandbox(1500);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let cat = catalog_file(&dir);
    let first = read_paths(&cfg, &cat, None);
    assert_eq!(first.code, 0);
    let state = write_json(&dir, "state.json", &first.last_states());

    let changed = sb.mutate(&Mutation {
        seed: 7,
        update_tickets: 120,
        add_tags: 30,
        remove_tags: 20,
        add_messages: 150,
        score_surveys: 10,
        new_tickets: 15,
        update_users: 3,
        ..Default::default()
    });
    sb.clear_requests();
    let second = read_paths(&cfg, &cat, Some(&state));
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert_records_valid(&second);

    // Merge both reads as a dedup destination would, the later read winning.
    let want = expected_all(&sb);
    for stream in [
        "tickets",
        "ticket_messages",
        "users",
        "integrations",
        "account",
    ] {
        let mut merged = keyed(&first.records(stream));
        merged.extend(keyed(&second.records(stream)));
        let want: BTreeMap<String, Map<String, Value>> = want[stream]
            .iter()
            .map(|r| (r["__sync_key"].as_str().unwrap().to_string(), r.clone()))
            .collect();
        assert_eq!(merged, want, "{stream} after merge");
    }
    // Tags: for each ticket, the rows of its newest version are its tag set.
    let mut latest: BTreeMap<i64, (String, BTreeSet<i64>)> = BTreeMap::new();
    for r in first
        .records("ticket_tags")
        .into_iter()
        .chain(second.records("ticket_tags"))
    {
        let t = r["ticket_id"].as_i64().unwrap();
        let at = r["ticket_updated_at"].as_str().unwrap().to_string();
        let e = latest.entry(t).or_insert((at.clone(), BTreeSet::new()));
        if at > e.0 {
            *e = (at.clone(), BTreeSet::new());
        }
        if at == e.0 {
            e.1.insert(r["tag_id"].as_i64().unwrap());
        }
    }
    // A tag row is current when its ticket_updated_at equals the ticket's
    // updated_at (a ticket that lost its last tag has no rows of its new version).
    for t in sb.snapshot("tickets") {
        let tags: BTreeSet<i64> = t["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_i64().unwrap())
            .collect();
        let now = ts(&t["updated_datetime"]);
        let have = latest
            .get(&t["id"].as_i64().unwrap())
            .filter(|e| now == json!(e.0))
            .map(|e| e.1.clone())
            .unwrap_or_default();
        assert_eq!(have, tags, "ticket {} tags", t["id"]);
    }
    // Surveys scored within the lookback arrive; every survey row is exact.
    let surveys = keyed(&second.records("satisfaction_surveys"));
    for id in &changed.survey_ids {
        let snap = sb.snapshot("satisfaction-surveys");
        let sv = snap.iter().find(|v| v["id"] == *id).unwrap();
        let k = md5key(&[id.to_string(), "acme".into()]);
        let created = ts(&sv["created_datetime"]);
        if let Some(got) = surveys.get(&k) {
            assert_eq!(got, &expected_survey(sv));
        } else {
            // Only a score on a survey created before the lookback may be missed (documented).
            let bookmark = first
                .last_states()
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["stream"]["stream_descriptor"]["name"] == "satisfaction_surveys")
                .unwrap()["stream"]["stream_state"]["created_at"]
                .clone();
            let b = DateTime::parse_from_rfc3339(bookmark.as_str().unwrap()).unwrap();
            let c = DateTime::parse_from_rfc3339(created.as_str().unwrap()).unwrap();
            assert!(
                c < b - chrono::Duration::days(30),
                "survey {id} inside the lookback was missed"
            );
        }
    }

    // Requests: about one per 100 changed records per stream, not a re-read.
    let reqs = sb.requests();
    let count = |p: &str| reqs.iter().filter(|r| r.path == p).count();
    let changed_tickets = changed.ticket_ids.len();
    assert!(
        count("/api/tickets") <= changed_tickets.div_ceil(100) + 2,
        "tickets: {} requests for {changed_tickets} changes",
        count("/api/tickets")
    );
    let msgs = second.records("ticket_messages").len();
    assert!(msgs >= changed.message_ids.len());
    assert!(
        count("/api/messages") <= msgs.div_ceil(100) + 1,
        "messages: {} requests for {msgs} rows",
        count("/api/messages")
    );
    assert!(
        count("/api/messages") < 1500 * 3 / 100 / 4,
        "messages were re-read"
    );
    // State moved forward and never past the sync's start.
    for st in second.last_states().as_array().unwrap() {
        let v = st["stream"]["stream_state"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .cloned();
        if let Some(Value::String(v)) = v {
            assert!(DateTime::parse_from_rfc3339(&v).unwrap() <= Utc::now());
        }
    }
}

#[test]
fn every_stdout_line_is_valid_and_tied_timestamps_straddling_pages_are_not_lost() {
    // Ties: a bookmark inside a run of equal updated_datetime values must
    // re-read the whole run (the stop rule is "a whole page older").
    let sb = sandbox(900);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let tickets = sb.snapshot("tickets");
    let mut by_ts: BTreeMap<String, usize> = BTreeMap::new();
    for t in &tickets {
        *by_ts
            .entry(ts(&t["updated_datetime"]).as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let (tie, n) = by_ts.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(*n > 100, "the sandbox has a tie run longer than a page");
    let state = write_json(
        &dir,
        "s.json",
        &json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": {"updated_at": tie}}}]),
    );
    let cat = write_json(
        &dir,
        "cat.json",
        &json!({"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental", "destination_sync_mode": "append_dedup"}]}),
    );
    let run = read_paths(&cfg, &cat, Some(&state));
    assert_eq!(run.code, 0);
    let got: BTreeSet<i64> = run
        .records("tickets")
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    let want: BTreeSet<i64> = tickets
        .iter()
        .filter(|t| ts(&t["updated_datetime"]).as_str().unwrap() >= tie.as_str())
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn every_state_counts_its_streams_records_since_that_streams_previous_state() {
    // Several streams over several pages, tickets and ticket_tags read from
    // one list and so interleaved: each STATE's recordCount is what
    // airbyte-cdk's entrypoint would write, that stream's RECORDs since
    // that stream's previous STATE, for the platform compares the two.
    let sb = sandbox(300);
    let mut config = config_for(&sb);
    config["page_size"] = json!(30);
    let catalog = source_gorgias::airbyte::catalog::configured_catalog_all();
    let run = read_ok(&config, &catalog, None);
    let mut since: BTreeMap<String, u64> = BTreeMap::new();
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for m in &run.messages {
        match m["type"].as_str() {
            Some("RECORD") => {
                let stream = m["record"]["stream"].as_str().unwrap();
                *since.entry(stream.to_string()).or_default() += 1;
            }
            Some("STATE") => {
                let stream = m["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap();
                let want = since.remove(stream).unwrap_or(0) as f64;
                assert_eq!(m["state"]["sourceStats"]["recordCount"], json!(want), "{m}");
                *states.entry(stream.to_string()).or_default() += 1;
            }
            _ => {}
        }
    }
    let unstated: Vec<_> = since
        .iter()
        .filter(|(stream, n)| **n > 0 && states.contains_key(*stream))
        .collect();
    assert!(
        unstated.is_empty(),
        "records after the last STATE: {unstated:?}"
    );
    let many: Vec<_> = states.iter().filter(|(_, n)| **n > 3).collect();
    assert!(
        many.len() >= 3,
        "several streams over several pages: {states:?}"
    );
}

#[test]
fn columns_left_out_of_the_configured_json_schema_are_never_written() {
    let sb = sandbox(60);
    let mut catalog = source_gorgias::airbyte::catalog::configured_for(
        Some(&["ticket_messages".to_string(), "users".to_string()]),
        false,
        false,
    )
    .unwrap();
    let messages = &mut catalog["streams"][0]["stream"];
    assert_eq!(messages["name"], "ticket_messages");
    let props = messages["json_schema"]["properties"]
        .as_object_mut()
        .unwrap();
    assert!(props.remove("body_text").is_some());
    props.remove("subject");
    // The key and the cursor are never left out: a destination dedupes and
    // a state advances on them.
    assert!(props.remove("message_id").is_some() && props.remove("created_at").is_some());
    let run = read_ok(&config_for(&sb), &catalog, None);
    let want: BTreeMap<_, _> = sb
        .snapshot("messages")
        .iter()
        .map(expected_message)
        .map(|r| (r["__sync_key"].as_str().unwrap().to_string(), r))
        .collect();
    let got = run.records("ticket_messages");
    assert_eq!(got.len(), want.len());
    for r in got {
        let mut expected = want[r["__sync_key"].as_str().unwrap()].clone();
        expected.remove("body_text");
        expected.remove("subject");
        let mut r = r.as_object().unwrap().clone();
        assert!(r.remove("__synced_at").is_some());
        assert_eq!(r, expected);
    }
    // A stream whose schema is whole keeps every column.
    assert!(run
        .records("users")
        .iter()
        .all(|u| u.get("timezone").is_some()));
}
