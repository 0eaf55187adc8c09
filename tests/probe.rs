//! `source-gorgias probe` and `tap-gorgias --probe` against the sandbox with
//! its objects edited (a field taken out, a field put in) and against a
//! hostile server that refuses some endpoints: what the report says, what
//! it never prints, and how few requests it makes.

mod common;

use common::hostile::{Action, HostileServer};
use common::{
    config_for, run_bin, sandbox, scratch, write_json, Output, API_KEY, EMAIL, SOURCE, TAP,
};
use gorgias_sandbox::{FieldEdit, RateLimit, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// The added field's value: it must never be printed.
const CANARY: &str = "canary-value-5d1c-never-print";

fn source(args: &[&str]) -> Output {
    run_bin(SOURCE, args)
}

fn tap(args: &[&str]) -> Output {
    run_bin(TAP, args)
}

/// A config file for a hostile server, retrying after `backoff_ms`.
fn hostile_config(server: &HostileServer, backoff_ms: u64) -> PathBuf {
    write_json(
        &scratch(),
        "config.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": server.base_url(), "backoff_base_ms": backoff_ms}),
    )
}

/// A sandbox whose tickets lack `subject` and whose customers carry an
/// undocumented field, behind an 80-request bucket (an OAuth app's size,
/// not the connector's default guess of 40).
fn edited_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets: 30,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        rate_limit: Some(RateLimit {
            limit: 80,
            window: Duration::from_secs(20),
        }),
        field_edits: vec![
            FieldEdit {
                endpoint: "/api/tickets".into(),
                field: "subject".into(),
                add: None,
            },
            FieldEdit {
                endpoint: "/api/customers".into(),
                field: "loyalty_tier".into(),
                add: Some(json!(CANARY)),
            },
        ],
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

fn stream<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect()
}

/// Distinctive values of the account: every text, e-mail and datetime of
/// the collections the probe samples (whichever object it samples).
fn account_values(sb: &Sandbox) -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s)
                if s.len() >= 10
                    && s.contains(|c: char| c.is_ascii_digit() || c == '@' || c == ' ') =>
            {
                out.push(s.clone())
            }
            Value::Array(a) => a.iter().for_each(|e| strings(e, out)),
            Value::Object(o) => o.values().for_each(|e| strings(e, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for coll in ["tickets", "customers", "users", "messages", "views"] {
        for mut obj in sb.snapshot(coll) {
            // A view's name is printed on purpose: `view_ids` is chosen by it.
            if coll == "views" {
                obj["name"] = Value::Null;
            }
            strings(&obj, &mut out);
        }
    }
    out.sort();
    out.dedup();
    assert!(out.len() > 100, "too few values to look for: {}", out.len());
    out
}

#[test]
fn a_removed_field_is_not_sent_an_added_one_is_not_known_and_no_value_is_printed() {
    let sb = edited_sandbox();
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();

    let o = source(&["probe", "--config", config, "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).expect("--json prints one JSON document");
    let requests = sb.requests();

    // Every declared stream is probed, in catalog order.
    let probed: Vec<&str> = report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stream"].as_str().unwrap())
        .collect();
    let declared: Vec<&str> = source_gorgias::streams::ALL
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(probed, declared);
    assert!(report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["answer"] == "reachable" && s["objects_sampled"].as_u64() > Some(0)));

    let tickets = stream(&report, "tickets");
    assert_eq!(tickets["answer"], "reachable");
    assert!(
        names(&tickets["mapping_reads_not_sent"]).contains(&"subject"),
        "{tickets}"
    );
    let customers = stream(&report, "customers");
    assert!(
        names(&customers["api_fields_not_known"]).contains(&"loyalty_tier"),
        "{customers}"
    );
    // Untouched endpoints do not report the edits.
    assert!(!names(&stream(&report, "users")["api_fields_not_known"]).contains(&"loyalty_tier"));
    assert!(!names(&customers["mapping_reads_not_sent"]).contains(&"subject"));
    // The sandbox sends offsets with and without a fraction, and naive ones.
    let forms: Vec<String> = report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["datetime_forms"].as_object().unwrap().keys().cloned())
        .collect();
    assert!(forms.iter().any(|f| f == "offset+fraction"), "{forms:?}");

    // The bucket size is the header's, not the connector's first guess.
    assert_eq!(
        report["rate_limit"]["bucket_size"], 80,
        "{}",
        report["rate_limit"]
    );
    assert!(report["rate_limit"]["means"]
        .as_str()
        .unwrap()
        .contains("OAuth"));

    // About one request per endpoint: a per-object-type list twice, the
    // view items under the one view already listed.
    assert_eq!(report["requests"], requests.len() as u64);
    let endpoints = report["endpoints"].as_u64().unwrap() as usize;
    assert!(
        (endpoints..=endpoints + 2).contains(&requests.len()),
        "{} requests to {endpoints} endpoints",
        requests.len()
    );
    assert!(
        (15..=24).contains(&requests.len()),
        "{} requests: {:?}",
        requests.len(),
        requests.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert!(requests.iter().all(|r| r.status == 200), "{requests:?}");
    // Samples of three, but the one listing of every view (for `view_ids`).
    let listing = |r: &&gorgias_sandbox::RequestRecord| {
        r.path == "/api/views" && r.query.contains("limit=100")
    };
    assert_eq!(requests.iter().filter(listing).count(), 1);
    assert!(requests
        .iter()
        .filter(|r| r.path != "/api/account" && !listing(r))
        .all(|r| r.query.contains("limit=3")));
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path == "/api/views" && !listing(r))
            .count(),
        1,
        "the parent list is sampled once"
    );
    assert!(requests
        .iter()
        .any(|r| r.path.starts_with("/api/views/") && r.path.ends_with("/items")));

    // The table says the same, in words.
    sb.clear_requests();
    let t = source(&["probe", "--config", config]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    let not_sent = t
        .stdout
        .split("Mapping reads, API did not send")
        .nth(1)
        .expect("a not-sent section");
    assert!(
        not_sent
            .lines()
            .any(|l| l.trim_start().starts_with("tickets:") && l.contains("subject")),
        "{}",
        t.stdout
    );
    let not_known = t
        .stdout
        .split("API fields not known")
        .nth(1)
        .expect("a not-known section");
    assert!(
        not_known
            .lines()
            .any(|l| l.contains("customers") && l.contains("loyalty_tier")),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("80 requests"), "{}", t.stdout);

    let values = account_values(&sb);
    for text in [&o.stdout, &o.stderr, &t.stdout, &t.stderr] {
        assert!(
            !text.contains(CANARY),
            "the added field's value was printed"
        );
        assert!(!text.contains(EMAIL), "the e-mail was printed");
        for v in &values {
            assert!(
                !text.contains(v.as_str()),
                "an account value was printed: {v}"
            );
        }
    }
}

/// A server that answers every list with one object, and refuses two.
fn refusing_server() -> HostileServer {
    HostileServer::start(|r| match r.path.as_str() {
        "/api/account" => Action::json(
            200,
            &json!({"domain": "acme", "created_datetime": "2020-01-01T00:00:00+00:00"}),
        ),
        "/api/rules" => Action::json(403, &json!({"error": {"msg": "Forbidden."}})),
        "/api/jobs" => Action::json(404, &json!({"error": {"msg": "Not found."}})),
        "/api/views" => Action::page(json!([{"id": 7, "name": "Inbox"}]), None),
        "/api/teams" => Action::page(json!([]), None),
        _ => Action::page(
            json!([{"id": 1, "created_datetime": "2024-06-20 07:39:36"}]),
            None,
        ),
    })
}

#[test]
fn a_forbidden_and_a_missing_endpoint_are_reported_and_the_probe_still_succeeds() {
    let server = refusing_server();
    let config = hostile_config(&server, 5);
    let o = source(&["probe", "--config", config.to_str().unwrap(), "--json"]);
    assert_eq!(o.code, 0, "the account answered: {}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(stream(&report, "rules")["answer"], "forbidden");
    assert_eq!(stream(&report, "jobs")["answer"], "not_found");
    assert_eq!(stream(&report, "tags")["answer"], "reachable");
    assert_eq!(stream(&report, "view_items")["answer"], "reachable");
    // Not retried: one request each.
    assert_eq!(server.requests_to("/api/rules").len(), 1);
    assert_eq!(server.requests_to("/api/jobs").len(), 1);
    // The view's id went into the request, never into the report.
    assert_eq!(server.requests_to("/api/views/7/items").len(), 1);
    assert_eq!(
        stream(&report, "view_items")["endpoint"],
        "/views/{id}/items"
    );
    assert!(!o.stdout.contains("/views/7"), "{}", o.stdout);
    // The hostile server's naive, space-separated datetimes are classified.
    assert!(
        stream(&report, "tags")["datetime_forms"]["space separator, naive, no fraction"].is_array()
    );
    // The default header of the hostile server: a 40-request bucket.
    assert_eq!(report["rate_limit"]["bucket_size"], 40);

    // An empty list is reachable, with nothing to compare.
    assert_eq!(stream(&report, "teams")["answer"], "reachable");
    assert_eq!(stream(&report, "teams")["objects_sampled"], 0);

    let t = source(&["probe", "--config", config.to_str().unwrap()]);
    assert_eq!(t.code, 0);
    let row = |name: &str| {
        t.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row: {}", t.stdout))
            .to_string()
    };
    assert_eq!(row("rules").split_whitespace().nth(1), Some("403"));
    assert_eq!(row("jobs").split_whitespace().nth(1), Some("404"));
    assert_eq!(row("tags").split_whitespace().nth(1), Some("reachable"));
    assert!(
        t.stdout.contains("teams: /teams listed nothing"),
        "{}",
        t.stdout
    );
}

#[test]
fn tap_gorgias_probe_prints_the_same_report() {
    let sb = edited_sandbox();
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();
    let o = tap(&["--config", config, "--probe", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(names(&stream(&report, "tickets")["mapping_reads_not_sent"]).contains(&"subject"));
    assert_eq!(report["rate_limit"]["bucket_size"], 80);
    let t = tap(&["--config", config, "--probe"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout.starts_with("Gorgias account `acme` answered"),
        "{}",
        t.stdout
    );
    assert!(!t.stdout.contains(CANARY));
    // --json alone is not a command.
    assert_eq!(tap(&["--config", config, "--json"]).code, 2);
}

#[test]
fn refused_credentials_end_in_one_sentence_and_the_config_exit_code() {
    let sb = common::sandbox(5);
    let dir = scratch();
    let mut cfg = config_for(&sb);
    cfg["api_key"] = json!(format!("{API_KEY}-wrong"));
    let config = write_json(&dir, "config.json", &cfg);
    let config = config.to_str().unwrap();
    for (o, prefix) in [
        (source(&["probe", "--config", config]), ""),
        (tap(&["--config", config, "--probe"]), "CRITICAL "),
    ] {
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(o.stdout.is_empty(), "{}", o.stdout);
        let lines: Vec<&str> = o.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{}", o.stderr);
        assert!(
            lines[0].starts_with(prefix) && lines[0].contains("401") && lines[0].ends_with('.'),
            "{}",
            lines[0]
        );
    }
    // Only the account was asked: the probe stops at refused credentials.
    assert!(sb.requests().iter().all(|r| r.path == "/api/account"));
}

#[test]
fn a_bad_config_and_an_unreachable_account_end_in_one_sentence() {
    let dir = scratch();
    let bad = write_json(
        &dir,
        "bad.json",
        &json!({"email": EMAIL, "api_key": API_KEY}),
    );
    let o = source(&["probe", "--config", bad.to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(o.stderr.trim_end().ends_with('.'));

    // A loopback port nobody listens on: the connection is retried, then
    // the transient exit code.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = write_json(
        &dir,
        "closed.json",
        &json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
                "base_url": format!("http://127.0.0.1:{port}/api"), "backoff_base_ms": 1}),
    );
    let o = source(&["probe", "--config", cfg.to_str().unwrap(), "--json"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
}

#[test]
fn help_names_the_probe() {
    let o = source(&["--help"]);
    assert!(o.stdout.contains("probe"), "{}", o.stdout);
    let o = source(&["probe", "--help"]);
    assert!(
        o.stdout.contains("--json") && o.stdout.contains("never a value"),
        "{}",
        o.stdout
    );
    let o = tap(&["--help"]);
    assert!(o.stdout.contains("--probe"), "{}", o.stdout);
}

#[test]
fn a_failing_endpoint_is_tried_within_checks_short_budget() {
    // The sync's policy would try eight times (and for up to 15 minutes
    // with the default backoff); a person waiting on probe gets check's three.
    let server = HostileServer::start(|r| match r.path.as_str() {
        "/api/account" => Action::json(200, &json!({"domain": "acme"})),
        "/api/tags" => Action::json(500, &json!({"error": {"msg": "Internal error."}})),
        _ => Action::page(json!([]), None),
    });
    let config = hostile_config(&server, 1);
    let o = source(&["probe", "--config", config.to_str().unwrap(), "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(stream(&report, "tags")["answer"], "error");
    assert_eq!(server.requests_to("/api/tags").len(), 3);
}

#[test]
fn an_endpoint_that_does_not_keep_the_order_asked_for_is_reported() {
    // Customers come back by name, not by `updated_datetime:desc`.
    let server = HostileServer::start(|r| match r.path.as_str() {
        "/api/account" => Action::json(200, &json!({"domain": "acme"})),
        "/api/customers" => Action::page(
            json!([
                {"id": 1, "name": "Ada", "updated_datetime": "2024-01-01T00:00:00Z"},
                {"id": 2, "name": "Bo", "updated_datetime": "2024-03-01T00:00:00Z"},
                {"id": 3, "name": "Cy", "updated_datetime": "2024-02-01T00:00:00Z"}
            ]),
            None,
        ),
        _ => Action::page(
            json!([
                {"id": 2, "created_datetime": "2024-01-01T00:00:00Z", "updated_datetime": "2024-01-02T00:00:00Z"},
                {"id": 1, "created_datetime": "2024-01-01T00:00:00Z", "updated_datetime": "2024-01-02T00:00:00Z"}
            ]),
            None,
        ),
    });
    let config = hostile_config(&server, 1);
    let o = source(&["probe", "--config", config.to_str().unwrap(), "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    for s in report["streams"].as_array().unwrap() {
        let want = match s["stream"].as_str().unwrap() {
            // The values ride on the same pages, so they share the finding.
            "customers" | "customer_custom_field_values" => json!("updated_datetime:desc"),
            _ => Value::Null,
        };
        assert_eq!(s["out_of_order"], want, "{}", s["stream"]);
    }
    assert!(server
        .requests_to("/api/customers")
        .iter()
        .all(|r| r.param("limit") == Some("3")));
    let o = source(&["probe", "--config", config.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("customers: /customers did not come back in order_by=updated_datetime:desc"),
        "{}",
        o.stdout
    );
}

#[test]
fn every_field_the_mapping_leaves_out_is_left_out_on_purpose() {
    let sb = common::sandbox(200);
    let dir = scratch();
    let config = write_json(&dir, "c.json", &config_for(&sb));
    let o = source(&["probe", "--config", config.to_str().unwrap(), "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut unexplained = Vec::new();
    for s in report["streams"].as_array().unwrap() {
        let endpoint = s["endpoint"].as_str().unwrap();
        for field in names(&s["api_fields_not_known"]) {
            if source_gorgias::endpoints::fields::not_carried_why(endpoint, field).is_none() {
                unexplained.push(format!("{endpoint} {field}"));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "not carried and not explained in docs/endpoints.md: {unexplained:?}"
    );
}

#[test]
fn the_probe_lists_every_view_with_its_name_and_id_for_view_ids() {
    let sb = sandbox(60);
    let dir = scratch();
    let config = write_json(&dir, "config.json", &config_for(&sb));
    let config = config.to_str().unwrap();
    let o = source(&["probe", "--config", config, "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    let want: Vec<Value> = sb
        .snapshot("views")
        .iter()
        .map(|v| json!({"id": v["id"], "name": v["name"]}))
        .collect();
    assert!(want.len() >= 5);
    let mut got = report["views"].as_array().expect("a views list").clone();
    let by_id = |v: &Value| v["id"].as_i64().unwrap();
    got.sort_by_key(by_id);
    let mut want = want;
    want.sort_by_key(by_id);
    assert_eq!(got, want);
    let t = source(&["probe", "--config", config]);
    let listed = t
        .stdout
        .split("set `view_ids` to the ids of those you need):\n")
        .nth(1)
        .expect("a views section");
    for v in &want {
        assert!(
            listed.contains(&format!("  {}: {}\n", v["id"], v["name"].as_str().unwrap())),
            "{}",
            t.stdout
        );
    }
}

/// Issue 21 §1: probe says whether the account's lists carry custom-field
/// values or a sync must read them per object.
#[test]
fn probe_reports_which_path_custom_field_values_take() {
    for (without, says) in [
        (false, "the list carries `custom_fields`"),
        (true, "the list leaves `custom_fields` out"),
    ] {
        let sb = Sandbox::start(SandboxConfig {
            tickets: 10,
            api_key: API_KEY.into(),
            email: EMAIL.into(),
            lists_without_custom_fields: without,
            ..SandboxConfig::default()
        })
        .expect("sandbox starts");
        let dir = scratch();
        let config = write_json(&dir, "config.json", &config_for(&sb));
        let o = source(&["probe", "--config", config.to_str().unwrap(), "--json"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let report: Value = serde_json::from_str(&o.stdout).unwrap();
        for name in ["ticket_custom_field_values", "customer_custom_field_values"] {
            let note = stream(&report, name)["note"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(note.contains(says), "{name}: {note}");
        }
        let table = source(&["probe", "--config", config.to_str().unwrap()]);
        assert!(table.stdout.contains(says), "{}", table.stdout);
    }
}
