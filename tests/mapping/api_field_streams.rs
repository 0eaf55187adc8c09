//! The streams that carry the API object's own fields
//! (customers, tags, events, teams, views, view_items, macros, rules,
//! custom_fields, jobs, voice_calls, voice_call_events,
//! voice_call_recordings), read by the Airbyte binary from the
//! sandbox and compared with an independent statement of their mapping.

use crate::common::singer::{path, tap};
use crate::common::*;
use chrono::{DateTime, Utc};
use gorgias_sandbox::{Mutation, Sandbox};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const API_FIELD_STREAMS: [&str; 13] = [
    "customers",
    "tags",
    "events",
    "teams",
    "views",
    "view_items",
    "macros",
    "rules",
    "custom_fields",
    "jobs",
    "voice_calls",
    "voice_call_events",
    "voice_call_recordings",
];

// ---- the mapping, stated independently: columns are the API's fields ------

#[derive(Clone, Copy)]
enum K {
    Int,
    Str,
    Bool,
    Ts,
    Json,
}

fn ts(v: &Value) -> Value {
    expected_ts(v)
}

fn md5key(parts: &[String]) -> String {
    expected_key(parts)
}

fn column(v: &Value, k: K) -> Value {
    match (k, v) {
        (_, Value::Null) => Value::Null,
        (K::Int, Value::Number(_)) | (K::Bool, Value::Bool(_)) | (K::Str, Value::String(_)) => {
            v.clone()
        }
        (K::Str, other) => json!(other.to_string()),
        (K::Ts, _) => ts(v),
        (K::Json, Value::Object(_) | Value::Array(_)) => v.clone(),
        _ => panic!("the sandbox sent {v} where the API documents {:?}", k as u8),
    }
}

/// One row: every listed API field as the column of the same name, keyed
/// by `keys` (API values, in order) and the source.
fn expected(o: &Value, cols: &[(&str, K)], keys: &[&Value]) -> Map<String, Value> {
    let mut m: Map<String, Value> = cols
        .iter()
        .map(|(c, k)| (c.to_string(), column(&o[*c], *k)))
        .collect();
    m.insert("__source_id".into(), json!("acme"));
    let mut parts: Vec<String> = keys.iter().map(|v| v.to_string()).collect();
    parts.push("acme".into());
    m.insert("__sync_key".into(), json!(md5key(&parts)));
    m
}

use K::*;

/// A stream's columns: API field (= column) names and their kinds.
type Cols = &'static [(&'static str, K)];

const CUSTOMER: Cols = &[
    ("id", Int),
    ("external_id", Str),
    ("active", Bool),
    ("email", Str),
    ("name", Str),
    ("firstname", Str),
    ("lastname", Str),
    ("language", Str),
    ("timezone", Str),
    ("note", Str),
    ("channels", Json),
    ("integrations", Json),
    ("data", Json),
    ("meta", Json),
    ("created_datetime", Ts),
    ("updated_datetime", Ts),
];
const TAG: Cols = &[
    ("id", Int),
    ("name", Str),
    ("description", Str),
    ("decoration", Json),
    ("usage", Int),
    ("created_datetime", Ts),
    ("deleted_datetime", Ts),
];
const EVENT: Cols = &[
    ("id", Int),
    ("type", Str),
    ("object_type", Str),
    ("object_id", Int),
    ("user_id", Int),
    ("context", Str),
    ("data", Json),
    ("created_datetime", Ts),
];
const TEAM: Cols = &[
    ("id", Int),
    ("name", Str),
    ("description", Str),
    ("decoration", Json),
    ("members", Json),
    ("created_datetime", Ts),
];
const VIEW: Cols = &[
    ("id", Int),
    ("name", Str),
    ("slug", Str),
    ("category", Str),
    ("type", Str),
    ("visibility", Str),
    ("filters", Str),
    ("filters_ast", Json),
    ("order_by", Str),
    ("order_dir", Str),
    ("fields", Json),
    ("decoration", Json),
    ("shared_with_teams", Json),
    ("shared_with_users", Json),
    ("deactivated_datetime", Ts),
    ("created_datetime", Ts),
];
const VIEW_ITEM: Cols = &[
    ("id", Int),
    ("external_id", Str),
    ("subject", Str),
    ("status", Str),
    ("channel", Str),
    ("via", Str),
    ("priority", Str),
    ("spam", Bool),
    ("is_unread", Bool),
    ("messages_count", Int),
    ("customer", Json),
    ("assignee_user", Json),
    ("assignee_team", Json),
    ("tags", Json),
    ("created_datetime", Ts),
    ("updated_datetime", Ts),
    ("last_message_datetime", Ts),
    ("last_received_message_datetime", Ts),
    ("closed_datetime", Ts),
    ("snooze_datetime", Ts),
    ("trashed_datetime", Ts),
];
const MACRO: Cols = &[
    ("id", Int),
    ("external_id", Str),
    ("name", Str),
    ("intent", Str),
    ("language", Str),
    ("actions", Json),
    ("usage", Int),
    ("archived_datetime", Ts),
    ("created_datetime", Ts),
    ("updated_datetime", Ts),
];
const RULE: Cols = &[
    ("id", Int),
    ("name", Str),
    ("description", Str),
    ("code", Str),
    ("code_ast", Json),
    ("event_types", Str),
    ("priority", Int),
    ("deactivated_datetime", Ts),
    ("created_datetime", Ts),
    ("updated_datetime", Ts),
];
const CUSTOM_FIELD: Cols = &[
    ("id", Int),
    ("object_type", Str),
    ("label", Str),
    ("description", Str),
    ("priority", Int),
    ("required", Bool),
    ("managed_type", Str),
    ("definition", Json),
    ("deactivated_datetime", Ts),
    ("created_datetime", Ts),
    ("updated_datetime", Ts),
    ("external_id", Str),
    ("requirement_type", Str),
];
const JOB: Cols = &[
    ("id", Int),
    ("type", Str),
    ("status", Str),
    ("params", Json),
    ("info", Json),
    ("meta", Json),
    ("created_datetime", Ts),
    ("scheduled_datetime", Ts),
    ("started_datetime", Ts),
    ("ended_datetime", Ts),
];
const VOICE_CALL: Cols = &[
    ("id", Int),
    ("external_id", Str),
    ("integration_id", Int),
    ("ticket_id", Int),
    ("customer_id", Int),
    ("phone_number_id", Int),
    ("direction", Str),
    ("status", Str),
    ("provider", Str),
    ("phone_number_source", Str),
    ("phone_number_destination", Str),
    ("initiated_by_agent_id", Int),
    ("last_answered_by_agent_id", Int),
    ("duration", Int),
    ("has_voicemail", Bool),
    ("has_call_recording", Bool),
    ("created_datetime", Ts),
    ("started_datetime", Ts),
    ("updated_datetime", Ts),
    ("status_in_queue", Str),
    ("queue_id", Int),
    ("last_rang_agent_id", Int),
    ("country_source", Str),
    ("country_destination", Str),
];

const VOICE_CALL_EVENT: Cols = &[
    ("id", Int),
    ("account_id", Int),
    ("call_id", Int),
    ("customer_id", Int),
    ("user_id", Int),
    ("type", Str),
    ("meta", Json),
    ("created_datetime", Ts),
];
// A URL and a duration: the audio itself is never read.
const VOICE_CALL_RECORDING: Cols = &[
    ("id", Int),
    ("call_id", Int),
    ("external_id", Str),
    ("type", Str),
    ("url", Str),
    ("duration", Int),
    ("error_code", Str),
    ("transcription_status", Str),
    ("created_datetime", Ts),
    ("deleted_datetime", Ts),
    ("deleted_by_user_id", Int),
];

type Rows = BTreeMap<String, Map<String, Value>>;

fn by_key(rows: Vec<Map<String, Value>>) -> Rows {
    rows.into_iter()
        .map(|r| (r["__sync_key"].as_str().unwrap().to_string(), r))
        .collect()
}

fn simple(sb: &Sandbox, collection: &str, cols: &[(&str, K)]) -> Rows {
    by_key(
        sb.snapshot(collection)
            .iter()
            .map(|o| expected(o, cols, &[&o["id"]]))
            .collect(),
    )
}

fn expected_all(sb: &Sandbox) -> BTreeMap<&'static str, Rows> {
    let mut m = BTreeMap::new();
    m.insert("customers", simple(sb, "customers", CUSTOMER));
    m.insert("tags", simple(sb, "tags", TAG));
    m.insert("events", simple(sb, "events", EVENT));
    m.insert("teams", simple(sb, "teams", TEAM));
    m.insert("views", simple(sb, "views", VIEW));
    let mut items = Vec::new();
    for v in sb.snapshot("views") {
        for t in sb.snapshot(&format!("views/{}/items", v["id"])) {
            let mut row = expected(&t, VIEW_ITEM, &[&v["id"], &t["id"]]);
            row.insert("view_id".into(), v["id"].clone());
            items.push(row);
        }
    }
    m.insert("view_items", by_key(items));
    m.insert("macros", simple(sb, "macros", MACRO));
    m.insert("rules", simple(sb, "rules", RULE));
    m.insert("custom_fields", simple(sb, "custom-fields", CUSTOM_FIELD));
    m.insert("jobs", simple(sb, "jobs", JOB));
    // A call that never changed has its creation time as its change time.
    let mut calls = simple(sb, "phone/voice-calls", VOICE_CALL);
    for row in calls.values_mut() {
        if row["updated_datetime"].is_null() {
            row["updated_datetime"] = row["created_datetime"].clone();
        }
    }
    m.insert("voice_calls", calls);
    m.insert(
        "voice_call_events",
        simple(sb, "phone/voice-call-events", VOICE_CALL_EVENT),
    );
    m.insert(
        "voice_call_recordings",
        simple(sb, "phone/voice-call-recordings", VOICE_CALL_RECORDING),
    );
    m
}

fn read(sb: &Sandbox, names: &[&str], state: Option<&Value>) -> Run {
    let run = read_ok(&config_for(sb), &catalog_of(names), state);
    assert_records_valid(&run);
    run
}

// ---- the tests ---------------------------------------------------------------

#[test]
fn discover_lists_the_api_field_streams_with_their_columns() {
    let names: Vec<&str> = source_gorgias::streams::ALL
        .iter()
        .map(|s| s.name())
        .collect();
    assert!(names.len() >= 18, "{names:?}");
    let entries = source_gorgias::airbyte::catalog::catalog(false)["streams"]
        .as_array()
        .unwrap()
        .clone();
    let cols: [(&str, Cols, Option<&str>); 13] = [
        ("customers", CUSTOMER, Some("updated_datetime")),
        ("tags", TAG, None),
        ("events", EVENT, Some("created_datetime")),
        ("teams", TEAM, None),
        ("views", VIEW, None),
        ("view_items", VIEW_ITEM, None),
        ("macros", MACRO, Some("updated_datetime")),
        ("rules", RULE, Some("updated_datetime")),
        ("custom_fields", CUSTOM_FIELD, Some("updated_datetime")),
        ("jobs", JOB, Some("created_datetime")),
        ("voice_calls", VOICE_CALL, Some("updated_datetime")),
        (
            "voice_call_events",
            VOICE_CALL_EVENT,
            Some("created_datetime"),
        ),
        (
            "voice_call_recordings",
            VOICE_CALL_RECORDING,
            Some("created_datetime"),
        ),
    ];
    for (name, cols, cursor) in cols {
        let e = entries
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not discovered"));
        let have: BTreeSet<&str> = e["json_schema"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want: BTreeSet<&str> = cols.iter().map(|c| c.0).collect();
        want.extend(["__source_id", "__sync_key", "__synced_at"]);
        if name == "view_items" {
            want.insert("view_id");
        }
        assert_eq!(have, want, "{name}");
        assert_eq!(e["source_defined_primary_key"], json!([["__sync_key"]]));
        match cursor {
            Some(c) => {
                assert_eq!(e["default_cursor_field"], json!([c]), "{name}");
                assert_eq!(
                    e["supported_sync_modes"],
                    json!(["full_refresh", "incremental"])
                );
            }
            None => assert_eq!(e["supported_sync_modes"], json!(["full_refresh"]), "{name}"),
        }
    }
}

#[test]
fn a_full_read_of_every_api_field_stream_equals_the_sandbox() {
    let sb = sandbox(700);
    let run = read(&sb, &API_FIELD_STREAMS, None);
    for (stream, want) in expected_all(&sb) {
        let got = run.records(stream);
        let have = keyed(&got);
        assert_eq!(have.len(), got.len(), "{stream}: a row came twice");
        assert!(!want.is_empty(), "{stream}: the sandbox has rows");
        assert_eq!(have.len(), want.len(), "{stream}: row count");
        for (k, w) in &want {
            let g = have
                .get(k)
                .unwrap_or_else(|| panic!("{stream}: missing {w:?}"));
            assert_eq!(g, w, "{stream}");
        }
    }
    // A ticket listed by two views is a row in each.
    let items = run.records("view_items");
    let views_of_tickets: BTreeSet<i64> = items
        .iter()
        .map(|r| r["view_id"].as_i64().unwrap())
        .collect();
    assert!(views_of_tickets.len() >= 5);

    // What each endpoint was sent: every list a page size and an order it
    // accepts, except the voice lists, which accept no order at all.
    let reqs = sb.requests();
    assert!(reqs.iter().all(|r| r.status == 200), "{reqs:?}");
    for r in &reqs {
        assert!(r.query.contains("limit=100"), "{r:?}");
        assert_eq!(
            r.query.contains("order_by="),
            !r.path.starts_with("/api/phone/"),
            "{r:?}"
        );
    }
    let custom: BTreeSet<&str> = reqs
        .iter()
        .filter(|r| r.path == "/api/custom-fields")
        .map(|r| r.query.as_str())
        .collect();
    assert!(custom.iter().any(|q| q.contains("object_type=Ticket")));
    assert!(custom.iter().any(|q| q.contains("object_type=Customer")));
    // view_items pages through the views, then each view's items.
    let views = sb.snapshot("views");
    for v in &views {
        let path = format!("/api/views/{}/items", v["id"]);
        assert!(reqs.iter().any(|r| r.path == path), "{path}");
    }
}

#[test]
fn a_first_events_read_goes_oldest_first_and_checkpoints_every_page() {
    let sb = sandbox(400);
    let run = read(&sb, &["events"], None);
    let created: Vec<String> = run
        .records("events")
        .iter()
        .map(|r| r["created_datetime"].as_str().unwrap().to_string())
        .collect();
    let times: Vec<DateTime<Utc>> = created
        .iter()
        .map(|c| DateTime::parse_from_rfc3339(c).unwrap().with_timezone(&Utc))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let pages = sb
        .requests()
        .iter()
        .filter(|r| r.path == "/api/events")
        .count();
    assert!(pages > 3);
    let states: Vec<DateTime<Utc>> = run
        .of_type("STATE")
        .iter()
        .map(|m| {
            let v = m["state"]["stream"]["stream_state"]["created_datetime"]
                .as_str()
                .unwrap();
            DateTime::parse_from_rfc3339(v).unwrap().with_timezone(&Utc)
        })
        .collect();
    assert!(
        states.len() >= pages,
        "{} states for {pages} pages",
        states.len()
    );
    assert!(states.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(states.last(), times.last());
    // No bookmark and no start date: no time filter was sent.
    assert!(sb
        .requests()
        .iter()
        .all(|r| !r.query.contains("gte") && r.query.contains("order_by=created_datetime%3Aasc")));
}

#[test]
fn an_incremental_read_after_changes_delivers_them_and_the_deletes_with_few_requests() {
    let sb = sandbox(1500);
    let incremental = [
        "customers",
        "events",
        "macros",
        "rules",
        "custom_fields",
        "jobs",
        "voice_calls",
        "voice_call_events",
        "voice_call_recordings",
    ];
    let first = read(&sb, &incremental, None);
    let state = first.last_states();
    let events_before = sb.snapshot("events").len();

    let changed = sb.mutate(&Mutation {
        seed: 5,
        update_customers: 150,
        update_tickets: 60,
        add_messages: 30,
        new_tickets: 5,
        delete_tickets: 7,
        delete_customers: 4,
        ..Mutation::default()
    });
    assert_eq!(changed.deleted_ticket_ids.len(), 7);
    assert_eq!(changed.deleted_customer_ids.len(), 4);
    sb.clear_requests();
    let second = read(&sb, &incremental, Some(&state));
    let reqs = sb.requests();
    let count = |p: &str| reqs.iter().filter(|r| r.path == p).count();

    // Customers: every change, the latest values, about one request per 100.
    let want = expected_all(&sb);
    let mut merged = keyed(&first.records("customers"));
    merged.extend(keyed(&second.records("customers")));
    for id in &changed.deleted_customer_ids {
        merged.remove(&md5key(&[id.to_string(), "acme".into()]));
    }
    assert_eq!(merged, want["customers"], "customers after merge");
    let got: BTreeSet<i64> = second
        .records("customers")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(changed.customer_ids.iter().all(|id| got.contains(id)));
    assert!(
        count("/api/customers") <= changed.customer_ids.len().div_ceil(100) + 2,
        "customers: {} requests for {} changes",
        count("/api/customers"),
        changed.customer_ids.len()
    );

    // Events: only the new ones are asked for, and the deletes are there.
    let new_events = sb.snapshot("events").len() - events_before;
    assert!(new_events >= 150 + 60 + 30 + 5 + 7 + 4);
    let events = second.records("events");
    assert!(events.len() >= new_events);
    assert!(
        events.len() < new_events + 100,
        "re-read {} events for {new_events} new",
        events.len()
    );
    assert!(count("/api/events") <= events.len().div_ceil(100) + 1);
    assert!(reqs
        .iter()
        .filter(|r| r.path == "/api/events")
        .all(|r| r.query.contains("created_datetime%5Bgte%5D=")
            || r.query.contains("created_datetime[gte]=")));
    let deleted = |ty: &str| -> BTreeSet<i64> {
        events
            .iter()
            .filter(|e| e["type"] == ty)
            .map(|e| e["object_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        deleted("ticket-deleted"),
        changed.deleted_ticket_ids.iter().copied().collect()
    );
    assert_eq!(
        deleted("customer-deleted"),
        changed.deleted_customer_ids.iter().copied().collect()
    );
    let mut all_events = keyed(&first.records("events"));
    all_events.extend(keyed(&events));
    assert_eq!(all_events, want["events"], "events after merge");

    // Nothing else changed: one page each, and only the last instant again.
    for (stream, path) in [
        ("macros", "/api/macros"),
        ("jobs", "/api/jobs"),
        ("rules", "/api/rules"),
        ("voice_calls", "/api/phone/voice-calls"),
    ] {
        assert!(count(path) <= 2, "{stream}: {} requests", count(path));
        for r in second.records(stream) {
            let k = r["__sync_key"].as_str().unwrap();
            let mut r = r.as_object().unwrap().clone();
            r.remove("__synced_at");
            assert_eq!(want[stream].get(k), Some(&r), "{stream}");
        }
    }
    // Deleted tickets took their calls with them; the rest is unchanged.
    assert!(second.records("voice_calls").len() <= 2);
    // The voice lists take no order and no filter: each is read whole
    // again, and only what sits at the bookmark's instant comes again.
    for (stream, path) in [
        ("voice_call_events", "/api/phone/voice-call-events"),
        ("voice_call_recordings", "/api/phone/voice-call-recordings"),
    ] {
        let rows = sb.snapshot(&path["/api/".len()..]).len();
        assert_eq!(count(path), rows.div_ceil(100).max(1), "{stream}");
        assert!(!first.records(stream).is_empty(), "{stream}");
        assert!(second.records(stream).len() <= 6, "{stream}");
    }
    // Per object type and per side of `archived`.
    assert_eq!(count("/api/custom-fields"), 4);
}

#[test]
fn an_incremental_macros_read_from_a_bookmark_emits_what_changed_since() {
    let sb = sandbox(1500);
    let macros = sb.snapshot("macros");
    let mut times: Vec<Value> = macros.iter().map(|m| ts(&m["updated_datetime"])).collect();
    times.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    let bookmark = times[times.len() - 10].clone();
    let state = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "macros"},
        "stream_state": {"updated_datetime": bookmark}}}]);
    let run = read(&sb, &["macros"], Some(&state));
    let got: BTreeSet<i64> = run
        .records("macros")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let want: BTreeSet<i64> = macros
        .iter()
        .filter(|m| ts(&m["updated_datetime"]).as_str() >= bookmark.as_str())
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want);
    // One newest-first page per side of `archived`.
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    for (r, side) in reqs.iter().zip(["archived=false", "archived=true"]) {
        assert!(
            r.query.contains("order_by=updated_datetime%3Adesc")
                || r.query.contains("order_by=updated_datetime:desc")
        );
        assert!(r.query.contains(side), "{}", r.query);
    }
}

#[test]
fn the_singer_tap_discovers_and_reads_the_api_field_streams() {
    let sb = sandbox(60);
    let dir = scratch();
    let cfg = write_json(&dir, "c.json", &config_for(&sb));
    let discovered = tap(&["--config", path(&cfg), "--discover"]);
    assert_eq!(discovered.code, 0, "{}", discovered.stderr);
    let mut catalog = discovered.messages[0].clone();
    let streams = catalog["streams"].as_array_mut().unwrap();
    for name in API_FIELD_STREAMS {
        assert!(
            streams.iter().any(|s| s["tap_stream_id"] == name),
            "{name} is not in the tap's catalog"
        );
    }
    streams.retain(|s| API_FIELD_STREAMS.contains(&s["tap_stream_id"].as_str().unwrap()));
    for s in streams.iter_mut() {
        for m in s["metadata"].as_array_mut().unwrap() {
            if m["breadcrumb"] == json!([]) {
                m["metadata"]["selected"] = json!(true);
            }
        }
    }
    let cat = write_json(&dir, "catalog.json", &catalog);
    let run = tap(&["--config", path(&cfg), "--catalog", path(&cat)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = run.counts();
    let want = expected_all(&sb);
    for name in API_FIELD_STREAMS {
        assert_eq!(
            counts.get(name).copied().unwrap_or(0),
            want[name].len(),
            "{name}"
        );
    }
}
