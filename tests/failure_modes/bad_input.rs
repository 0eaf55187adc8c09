//! Bad input never crashes (issue 3). Every case ends in one sentence in the
//! protocol's error shape, with the right failure type and exit code, no
//! panic, no backtrace, and never the API key.

use crate::common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

/// A server that answers every request with the same response.
fn fixed_server(status: u16, content_type: &str, body: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nX-Gorgias-Account-Api-Call-Limit: 1/40\r\n\r\n{body}",
        body.len()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 8192];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/api")
}

fn cfg(base_url: &str) -> Value {
    json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY, "base_url": base_url, "backoff_base_ms": 1})
}

/// A one-stream catalog that also names the destination's mode.
fn overwrite_catalog(dir: &Path, stream: &str) -> String {
    write_json(dir, "cat.json", &json!({"streams": [{"stream": {"name": stream}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}))
        .to_str()
        .unwrap()
        .to_string()
}

/// A read that must fail: one TRACE error of this type, and its exit code.
fn read_fails(config: &str, catalog: &str, state: Option<&str>, failure: &str, needle: &str) {
    let mut args = vec!["read", "--config", config, "--catalog", catalog];
    if let Some(s) = state {
        args.extend(["--state", s]);
    }
    let run = airbyte(&args);
    let errors = run.trace_errors();
    let want_code = match failure {
        "config_error" => 1,
        "transient_error" => 3,
        _ => 4,
    };
    // A failure of the stream's own endpoint ends that stream alone, as
    // the CDK does: its error (with its descriptor), then the sync's one
    // error listing it, of the same failure type and exit code (the one
    // stream is every stream that failed).
    if errors.len() == 2 {
        assert!(
            errors[0]["stream_descriptor"]["name"].is_string(),
            "{}",
            run.stdout
        );
        let last = errors[1]["message"].as_str().unwrap();
        assert!(last.contains("did not sync successfully"), "{last}");
        assert_eq!(errors[1]["failure_type"], failure, "{}", run.stdout);
    }
    assert!((1..=2).contains(&errors.len()), "one error: {}", run.stdout);
    assert_eq!(errors[0]["failure_type"], failure, "{}", run.stdout);
    let msg = errors[0]["message"].as_str().unwrap();
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert_eq!(run.code, want_code, "{}", run.stdout);
}

fn check_fails(config: &str, needle: &str) {
    let run = airbyte(&["check", "--config", config]);
    assert_eq!(run.code, 0);
    let st = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(st["status"], "FAILED");
    let msg = st["message"].as_str().unwrap();
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
}

#[test]
fn bad_configs_fail_check_and_read_with_a_sentence_naming_the_field() {
    let dir = scratch();
    let catalog = overwrite_catalog(&dir, "users");
    let base = "http://127.0.0.1:9/api";
    let mut cases: Vec<(String, &str)> = vec![
        ("".into(), "c0.json` is empty: write the config"),
        ("{".into(), "not valid JSON"),
        ("not json".into(), "not valid JSON"),
        ("[1,2]".into(), "must be a JSON object"),
        ("{}".into(), "`domain` is missing"),
    ];
    let mut with = |patch: Value, needle: &'static str| {
        let mut c = cfg(base);
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        cases.push((c.to_string(), needle));
    };
    with(json!({"domain": ""}), "`domain` is missing");
    with(json!({"domain": 42}), "`domain` must be a string");
    with(json!({"email": null}), "`email` is missing");
    with(json!({"email": "not-an-email"}), "`email` is not an e-mail");
    with(json!({"api_key": null}), "`api_key` is missing");
    with(json!({"api_key": ["x"]}), "`api_key` must be a string");
    with(json!({"domain": "acme/evil"}), "not a Gorgias subdomain");
    with(
        json!({"domain": "me@evil.example"}),
        "not a Gorgias subdomain",
    );
    with(json!({"domain": "acme#x"}), "not a Gorgias subdomain");
    with(json!({"domain": "acme:8080"}), "not a Gorgias subdomain");
    with(json!({"domain": "ac me"}), "not a Gorgias subdomain");
    with(json!({"domain": "10.1.2.3"}), "not a Gorgias subdomain");
    with(
        json!({"domain": "http://evil.example/"}),
        "not a Gorgias subdomain",
    );
    with(
        json!({"base_url": "http://evil.example/api"}),
        "not loopback",
    );
    with(
        json!({"base_url": "https://user:pw@proxy.example/api"}),
        "must not carry credentials",
    );
    with(json!({"start_date": "last tuesday"}), "`start_date`");
    with(json!({"page_size": 0}), "`page_size`");
    with(json!({"page_size": "lots"}), "`page_size`");
    with(
        json!({"ticket_messages_lookback_days": -3}),
        "`ticket_messages_lookback_days`",
    );
    with(json!({"max_rate_share": 2}), "`max_rate_share`");
    for (i, (text, needle)) in cases.iter().enumerate() {
        let path = write_text(&dir, &format!("c{i}.json"), text);
        let path = path.to_str().unwrap();
        check_fails(path, needle);
        read_fails(path, &catalog, None, "config_error", needle);
        let run = airbyte(&["discover", "--config", path]);
        assert_eq!(run.code, 1, "{text}");
        assert_eq!(run.trace_errors().len(), 1, "{text}");
    }
    check_fails("/nonexistent/config.json", "Cannot read the config file");
}

#[test]
fn bad_catalogs_and_states_are_refused_with_a_sentence() {
    let dir = scratch();
    let config = write_json(&dir, "c.json", &cfg("http://127.0.0.1:9/api"));
    let config = config.to_str().unwrap();
    let good_catalog = overwrite_catalog(&dir, "tickets");
    let catalogs: Vec<(&str, &str)> = vec![
        ("", "cat0.json` is empty: pass a configured catalog"),
        ("{\"streams\": [", "not valid JSON"),
        ("{}", "no `streams` list"),
        ("{\"streams\": []}", "selects no streams"),
        (
            r#"{"streams": [{"stream": {"name": "orders"}, "sync_mode": "full_refresh"}]}"#,
            "does not have",
        ),
        (
            r#"{"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental", "cursor_field": ["created_at"]}]}"#,
            "cursor",
        ),
        (
            r#"{"streams": [{"stream": {"name": "tickets"}, "sync_mode": "sideways"}]}"#,
            "sync mode `sideways`",
        ),
        (
            r#"{"streams": [{"sync_mode": "full_refresh"}]}"#,
            "no `stream.name`",
        ),
    ];
    for (i, (text, needle)) in catalogs.iter().enumerate() {
        let p = write_text(&dir, &format!("cat{i}.json"), text);
        read_fails(config, p.to_str().unwrap(), None, "config_error", needle);
    }
    read_fails(
        config,
        "/nonexistent/catalog.json",
        None,
        "config_error",
        "Cannot read the catalog file",
    );
    let states: Vec<(&str, &str)> = vec![
        ("garbage", "not valid JSON"),
        ("[{\"type\": \"STREAM\", \"stream\": {", "not valid JSON"),
        ("42", "shape of an Airbyte state"),
        (r#"[{"type": "PER_PARTITION", "x": 1}]"#, "state type"),
        (r#"[{"type": "STREAM"}]"#, "shape of an Airbyte state"),
        (
            r#"{"tickets": {"updated_at": "not a date"}}"#,
            "not a datetime",
        ),
    ];
    let inc_catalog = write_json(
        &dir,
        "inc.json",
        &json!({"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental"}]}),
    );
    for (i, (text, needle)) in states.iter().enumerate() {
        let p = write_text(&dir, &format!("s{i}.json"), text);
        read_fails(
            config,
            inc_catalog.to_str().unwrap(),
            Some(p.to_str().unwrap()),
            "config_error",
            needle,
        );
    }
    read_fails(
        config,
        &good_catalog,
        Some("/nonexistent/state.json"),
        "config_error",
        "Cannot read the state file",
    );
}

#[test]
fn bad_command_lines_exit_2_with_a_sentence() {
    for args in [
        vec!["read", "--config"],
        vec!["read", "--confg", "x.json", "--catalog", "y.json"],
        vec!["frobnicate"],
        vec![],
        vec!["check"],
    ] {
        let run = airbyte(&args);
        assert_eq!(run.code, 2, "{args:?}");
        let e = run.trace_errors();
        assert_eq!(e.len(), 1, "{args:?}");
        assert!(e[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid command line"));
    }
    let help = run_bin(SOURCE, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("discover"));
}

#[test]
fn bad_api_answers_end_in_the_right_failure() {
    let dir = scratch();
    let cases: Vec<(u16, &str, &str, &str, &str, &str)> = vec![
        // (status, content type, body, stream, failure, needle)
        (
            400,
            "application/json",
            r#"{"error":{"msg":"Invalid order_by"}}"#,
            "tickets",
            "config_error",
            "400 Bad Request: Invalid order_by",
        ),
        (
            401,
            "application/json",
            r#"{"error":{"msg":"Unauthorized."}}"#,
            "tickets",
            "config_error",
            "401 Unauthorized",
        ),
        (
            403,
            "application/json",
            r#"{"error":{"msg":"Forbidden"}}"#,
            "users",
            "config_error",
            "not allowed to read /users",
        ),
        (
            404,
            "text/html",
            "<html><body>Not found</body></html>",
            "account",
            "config_error",
            "No Gorgias account answers",
        ),
        (
            404,
            "text/html",
            "<html>nope</html>",
            "tickets",
            "config_error",
            "No Gorgias account answers",
        ),
        (
            200,
            "text/html",
            "<html>login</html>",
            "tickets",
            "config_error",
            "HTML page instead of JSON",
        ),
        (
            200,
            "application/json",
            r#"{"error":{"msg":"Account suspended"}}"#,
            "tickets",
            "system_error",
            "Account suspended",
        ),
        (
            200,
            "application/json",
            r#"{"object":"list","meta":{}}"#,
            "tickets",
            "system_error",
            "without a `data` list",
        ),
        (
            200,
            "application/json",
            r#"{"data":[{"subject":"no id"}],"meta":{"next_cursor":null}}"#,
            "tickets",
            "system_error",
            "without a numeric `id`",
        ),
        (
            200,
            "application/json",
            r#"{"data":[{"id":1,"body":"#,
            "users",
            "transient_error",
            "not complete JSON",
        ),
        (
            503,
            "application/json",
            r#"{"error":{"msg":"down"}}"#,
            "users",
            "transient_error",
            "503",
        ),
        (
            409,
            "application/json",
            r#"{"error":{"msg":"conflict"}}"#,
            "users",
            "system_error",
            "HTTP 409",
        ),
        (
            200,
            "application/json",
            "\"just a string\"",
            "tickets",
            "system_error",
            "neither a list nor a page",
        ),
    ];
    for (i, (status, ct, body, stream, failure, needle)) in cases.into_iter().enumerate() {
        let base = fixed_server(status, ct, body);
        let c = write_json(&dir, &format!("c{i}.json"), &cfg(&base));
        let cat = write_json(
            &dir,
            &format!("cat{i}.json"),
            &json!({"streams": [{"stream": {"name": stream}, "sync_mode": "full_refresh"}]}),
        );
        read_fails(
            c.to_str().unwrap(),
            cat.to_str().unwrap(),
            None,
            failure,
            needle,
        );
        // The stream that failed is reported INCOMPLETE.
        let run = read_paths(&c, &cat, None);
        assert!(run.stdout.contains("\"INCOMPLETE\""), "case {i}");
    }
}

#[test]
fn wrong_field_types_are_read_as_null_and_reported() {
    let dir = scratch();
    let base = fixed_server(
        200,
        "application/json",
        r#"{"data":[{"id":"17","active":"yes","email":5,"created_datetime":"never","updated_datetime":{"x":1},"role":[1]}],"meta":{"next_cursor":null}}"#,
    );
    let c = write_json(&dir, "c.json", &cfg(&base));
    let cat = one_stream_catalog(&dir, "users", "full_refresh");
    let run = read_paths(&c, &cat, None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rows = run.records("users");
    assert_eq!(rows[0]["user_id"], 17);
    assert_eq!(rows[0]["user_email"], "5");
    assert_eq!(rows[0]["active"], Value::Null);
    assert_eq!(rows[0]["created_at"], Value::Null);
    assert!(run.stdout.contains("had a type the API does not document"));
}

#[test]
fn a_closed_stdout_is_a_clean_exit() {
    let sb = sandbox(300);
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let cat = catalog_file(&dir);
    let mut child = spawn(
        SOURCE,
        &[
            "read",
            "--config",
            c.to_str().unwrap(),
            "--catalog",
            cat.to_str().unwrap(),
        ],
        std::process::Stdio::piped(),
    );
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}
