//! Servers that echo the credentials back in
//! every place a server can (the Authorization header, the query, JSON
//! field names and values, error bodies, response headers, a Location
//! header), run through every command of both binaries, with secrets of
//! every length. Every byte of every output is searched for every form of
//! every configured secret.

use crate::common::hostile::{Action, HostileServer, Request};
use crate::common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const OPS: &str = "ops@example.com";

/// What the server echoes, in its own words: the Authorization header
/// whole, its credential alone, the query, and the short secrets a test
/// configures (the server knows them, as a misconfigured proxy would).
fn echo(r: &Request, secrets: &[&str]) -> String {
    let auth = r.header("authorization").unwrap_or("");
    let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "denied for {auth} (credential {}) on {}?{} with {}",
        auth.split_once(' ').map_or(auth, |(_, c)| c),
        r.path,
        query.join("&"),
        secrets.join(", ")
    )
}

/// The answer of a server that echoes one way (`kind`).
fn respond(kind: &str, secrets: &[String], r: &Request) -> Action {
    let s: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let text = echo(r, &s);
    let pct: Vec<String> = s.iter().map(|x| percent(x)).collect();
    match kind {
        "401 body" => Action::json(401, &json!({"error": text, "message": s})),
        "403 header" => Action::json(403, &json!({"error": "forbidden"}))
            .with_header(
                "WWW-Authenticate",
                &format!("Basic realm=\"{}\"", s.join(" ")),
            )
            .with_header("X-Echo", &text),
        "400 query" => Action::json(400, &json!({"error": {"message": text, "query": r.query}})),
        "500 body" => Action::Respond {
            status: 500,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: format!("<pre>{text}</pre><p>{}</p>", pct.join("&amp;")).into_bytes(),
        },
        "302 location" => Action::Respond {
            status: 302,
            headers: vec![(
                "Location".into(),
                format!(
                    "https://login.example/sso?next={}&token={}",
                    pct.join("%26"),
                    pct.join("&k=")
                ),
            )],
            body: Vec::new(),
        },
        // A 200 whose objects are named and filled with the secrets: the
        // field names reach probe's report, the values the type checks.
        _ => {
            let mut o = serde_json::Map::new();
            o.insert("id".into(), json!(s[0]));
            o.insert("name".into(), json!(text));
            for x in &s {
                o.insert((*x).to_string(), json!(x));
                o.insert(format!("{x}_at"), json!(x));
                o.insert(format!("x-{x}"), json!({ *x: [x] }));
            }
            let one = Value::Object(o);
            if r.path == "/api/account" {
                Action::json(200, &one)
            } else {
                Action::page(json!([one]), Some(&text))
            }
        }
    }
}

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// One run of a binary, which must end within 60 s; its stdout and stderr.
fn run(bin: &str, args: &[&str]) -> (String, String) {
    let run = run_bounded(bin, args, &[], Duration::from_secs(60));
    assert!(run.code.is_some(), "{args:?} hangs");
    let (o, e) = (run.stdout, run.stderr);
    assert!(!format!("{o}{e}").contains("panicked"), "{args:?}: {e}");
    (o, e)
}

/// Every command of both binaries on one config; every output searched.
fn every_command(what: &str, config: &Value, forms: &[String]) {
    let dir = scratch();
    let c = write_json(&dir, "config.json", config);
    let cat = catalog_file(&dir);
    let c = c.to_str().unwrap();
    let p = |p: &Path| p.to_str().unwrap().to_string();
    let cat = p(&cat);
    let runs: [(&str, Vec<&str>); 8] = [
        (SOURCE, vec!["check", "--config", c]),
        (SOURCE, vec!["discover", "--config", c]),
        (SOURCE, vec!["read", "--config", c, "--catalog", &cat]),
        (SOURCE, vec!["probe", "--config", c]),
        (SOURCE, vec!["probe", "--config", c, "--json"]),
        (TAP, vec!["--config", c]),
        (TAP, vec!["--config", c, "--probe"]),
        (TAP, vec!["--config", c, "--probe", "--json"]),
    ];
    for (bin, args) in runs {
        let (out, err) = run(bin, &args);
        let name = format!("{what}: {} {}", bin.rsplit('/').next().unwrap(), args[0]);
        assert_no_leak(&name, &[&out, &err], forms);
    }
}

/// The configs: a short key, a short key with characters every encoding
/// changes, a short OAuth token, and a short key pasted into `domain`.
fn configs(base_url: &str) -> Vec<(Value, Vec<String>, Vec<String>)> {
    let knobs =
        json!({"base_url": base_url, "backoff_base_ms": 1, "retry_budget_ms": 50, "page_size": 5});
    let with = |mut c: Value| {
        for (k, v) in knobs.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let forms = |email: Option<&str>, secret: &str| leak_forms(email, secret);
    vec![
        (
            with(json!({"domain": "acme", "email": OPS, "api_key": "k3y42x"})),
            vec!["k3y42x".into()],
            forms(Some(OPS), "k3y42x"),
        ),
        (
            with(json!({"domain": "acme", "email": OPS, "api_key": "k\"3+y/"})),
            vec!["k\"3+y/".into()],
            forms(Some(OPS), "k\"3+y/"),
        ),
        (
            with(
                json!({"domain": "acme", "credentials": {"auth_type": "oauth2", "access_token": "tq12"}}),
            ),
            vec!["tq12".into()],
            forms(None, "tq12"),
        ),
        (
            with(json!({"domain": "k3y_42x", "email": OPS, "api_key": "k3y_42x"})),
            vec!["k3y_42x".into()],
            forms(Some(OPS), "k3y_42x"),
        ),
    ]
}

#[test]
fn no_output_of_any_command_holds_a_secret_however_short_or_encoded() {
    for kind in [
        "401 body",
        "403 header",
        "400 query",
        "500 body",
        "302 location",
        "200 named",
    ] {
        // The server is started before the config exists: its port is
        // part of the config, so the secrets are given to it afterwards.
        let secrets = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let known = std::sync::Arc::clone(&secrets);
        let srv = HostileServer::start(move |r| respond(kind, &known.lock().unwrap(), r));
        for (config, raw, forms) in configs(&srv.base_url()) {
            *secrets.lock().unwrap() = raw;
            every_command(&format!("{kind}, {}", config["domain"]), &config, &forms);
        }
        assert!(!srv.requests().is_empty(), "{kind}: the server was asked");
    }
}

#[test]
fn probe_never_prints_a_key_that_a_server_named_its_fields_after() {
    let srv = HostileServer::start(|r| respond("200 named", &[API_KEY.to_string()], r));
    let dir = scratch();
    let config = json!({"domain": "acme", "email": EMAIL, "api_key": API_KEY,
        "base_url": srv.base_url(), "backoff_base_ms": 1});
    let c = write_json(&dir, "config.json", &config);
    let c = c.to_str().unwrap();
    for (bin, args) in [
        (SOURCE, vec!["probe", "--config", c]),
        (SOURCE, vec!["probe", "--config", c, "--json"]),
        (TAP, vec!["--config", c, "--probe"]),
    ] {
        let (out, err) = run(bin, &args);
        // The report is there, the key's fields counted but not named.
        assert!(out.contains("tags"), "{out}\n{err}");
        assert_no_leak(
            &format!("{args:?}"),
            &[&out, &err],
            &leak_forms(Some(EMAIL), API_KEY),
        );
    }
}
