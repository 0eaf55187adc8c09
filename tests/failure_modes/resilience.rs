//! The rate budget on the sandbox's leaky bucket, reads under
//! injected faults, kill-and-resume, and changes made during a read.

use crate::common::*;
use gorgias_sandbox::{Faults, Mutation, RateLimit, Sandbox, SandboxConfig};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn start(tickets: usize, rate_limit: Option<RateLimit>, faults: Option<Faults>) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets,
        api_key: API_KEY.into(),
        email: EMAIL.into(),
        rate_limit,
        faults,
        ..SandboxConfig::default()
    })
    .unwrap()
}

/// (stream, __sync_key) → the row without `__synced_at`.
fn rows(run: &Run) -> BTreeMap<(String, String), Map<String, Value>> {
    let mut out = BTreeMap::new();
    for m in run.of_type("RECORD") {
        let mut data = m["record"]["data"].as_object().unwrap().clone();
        data.remove("__synced_at");
        let key = data["__sync_key"].as_str().unwrap().to_string();
        out.insert(
            (m["record"]["stream"].as_str().unwrap().to_string(), key),
            data,
        );
    }
    out
}

fn full_read(sb: &Sandbox, extra: Value) -> Run {
    let dir = scratch();
    let mut c = config_for(sb);
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    let c = write_json(&dir, "c.json", &c);
    let cat = catalog_file(&dir);
    read_paths(&c, &cat, None)
}

#[test]
fn a_full_read_under_injected_faults_returns_every_row_exactly() {
    let reference = rows(&full_read(&start(400, None, None), json!({})));
    let faulty = start(
        400,
        None,
        Some(Faults::all_kinds(0.2, 99, Duration::from_millis(30))),
    );
    let run = full_read(&faulty, json!({}));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let got = rows(&run);
    assert_eq!(got.len(), reference.len());
    assert!(got == reference, "rows differ under faults");
    let statuses: Vec<u16> = faulty.requests().iter().map(|r| r.status).collect();
    let faults = statuses.iter().filter(|s| **s != 200).count();
    assert!(faults >= 5, "the sandbox injected faults ({faults})");
    // Each record arrived exactly once.
    assert_eq!(run.of_type("RECORD").len(), reference.len());
}

#[test]
fn the_rate_budget_sustains_the_limit_with_few_429s() {
    // The real bucket is 40 per 20 s; scaled 20x so the test takes seconds,
    // and slow enough that a debug build on a busy machine is not the limit.
    let limit = RateLimit {
        limit: 40,
        window: Duration::from_secs(1),
    };
    let drain = 40.0;
    let sb = start(1200, Some(limit), None);
    let dir = scratch();
    let mut c = config_for(&sb);
    c["page_size"] = json!(10);
    let c = write_json(&dir, "c.json", &c);
    let cat = write_json(
        &dir,
        "cat.json",
        &json!({"streams": [
            {"stream": {"name": "tickets"}, "sync_mode": "full_refresh"},
            {"stream": {"name": "ticket_messages"}, "sync_mode": "full_refresh"}
        ]}),
    );
    let began = Instant::now();
    let run = read_paths(&c, &cat, None);
    let secs = began.elapsed().as_secs_f64();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let reqs = sb.requests();
    let total = reqs.len() as f64;
    let throttled = reqs.iter().filter(|r| r.status == 429).count() as f64;
    let ok = total - throttled;
    // The first `limit` requests ride on the empty bucket: judge the rest.
    let share = (ok - 40.0) / secs / drain;
    eprintln!(
        "{ok} ok requests, {throttled} 429s in {secs:.2}s: {:.0}% of the limit",
        share * 100.0
    );
    assert!(total >= 400.0, "enough requests to measure: {total}");
    assert!(share >= 0.9, "achieved {:.0}% of the limit", share * 100.0);
    assert!(
        throttled / total <= 0.01,
        "{throttled} of {total} answered 429"
    );
    // The limit in its own units (the sandbox's scaled window), and the
    // share of it the sync achieved.
    let line = run
        .of_type("LOG")
        .into_iter()
        .filter_map(|m| m["log"]["message"].as_str())
        .find(|m| m.starts_with("Sync complete: "))
        .unwrap_or_else(|| panic!("no closing line: {}", run.stdout))
        .to_string();
    let (rate, pace) = line
        .split_once(" requests/s against a limit of 40 requests per ")
        .expect("the achieved rate beside the limit");
    let rate: f64 = rate.rsplit(' ').next().unwrap().parse().unwrap();
    let (window, _) = pace
        .split_once(" s (")
        .unwrap_or_else(|| panic!("the limit in its units: {line}"));
    let window: f64 = window.parse().unwrap();
    assert!(rate * window / 40.0 >= 0.8, "{line}");
    assert!(line.contains("refused as over the limit (429)"), "{line}");
    assert!((window - 40.0 / drain).abs() < 0.3 * 40.0 / drain, "{line}");
}

#[test]
fn the_share_cap_leaves_other_apps_room() {
    let limit = RateLimit {
        limit: 40,
        window: Duration::from_millis(500),
    };
    let sb = start(100, Some(limit), None);
    let began = Instant::now();
    let run = full_read(&sb, json!({"page_size": 10, "max_rate_share": 0.5}));
    let secs = began.elapsed().as_secs_f64();
    assert_eq!(run.code, 0);
    let ok = sb.requests().iter().filter(|r| r.status != 429).count() as f64;
    let share = (ok - 20.0) / secs / 80.0;
    eprintln!(
        "{ok} requests in {secs:.2}s: {:.0}% of the limit with a 50% cap",
        share * 100.0
    );
    assert!(share <= 0.6, "used {:.0}% with a 50% cap", share * 100.0);
    // Below the limit the bucket's drain can only be learned from bursts, so
    // on a window this much faster than the real 20 s the cap errs low.
    assert!(
        share >= 0.05,
        "crawled at {:.0}% with a 50% cap",
        share * 100.0
    );
}

/// Runs a read and kills it after `kill_after` stdout lines; returns the
/// lines it got out.
fn read_until_killed(
    config: &str,
    catalog: &str,
    state: Option<&str>,
    kill_after: usize,
) -> (Vec<Value>, bool) {
    let mut args = vec!["read", "--config", config, "--catalog", catalog];
    if let Some(s) = state {
        args.extend(["--state", s]);
    }
    let mut child = spawn(SOURCE, &args, Stdio::null());
    let mut lines = Vec::new();
    let reader = BufReader::new(child.stdout.take().unwrap());
    let mut finished = true;
    for line in reader.lines() {
        let line = line.unwrap();
        let m: Value = serde_json::from_str(&line).unwrap();
        check_message(&m);
        lines.push(m);
        if lines.len() >= kill_after {
            child.kill().unwrap();
            finished = false;
            break;
        }
    }
    let status = child.wait().unwrap();
    if finished {
        assert_eq!(status.code(), Some(0));
    }
    (lines, finished)
}

#[test]
fn a_sync_killed_at_many_points_and_resumed_loses_nothing() {
    let sb = start(
        600,
        None,
        Some(Faults {
            rate: 0.05,
            seed: 5,
            kinds: vec![gorgias_sandbox::FaultKind::Status503],
        }),
    );
    let reference = rows(&full_read(&sb, json!({})));
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let cat = catalog_file(&dir);
    let mut state: BTreeMap<String, Value> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut emitted = 0usize;
    let mut kills = 0;
    // Kill points: early, mid-page, between streams, late; then let it finish.
    for (round, kill_after) in [3usize, 40, 130, 260, 700, 1500, 2600, usize::MAX]
        .into_iter()
        .enumerate()
    {
        let state_path = write_json(
            &dir,
            &format!("state{round}.json"),
            &Value::Array(state.values().cloned().collect()),
        );
        let (lines, finished) = read_until_killed(
            c.to_str().unwrap(),
            cat.to_str().unwrap(),
            Some(state_path.to_str().unwrap()),
            kill_after,
        );
        for m in &lines {
            match m["type"].as_str().unwrap() {
                "RECORD" => {
                    emitted += 1;
                    seen.insert((
                        m["record"]["stream"].as_str().unwrap().to_string(),
                        m["record"]["data"]["__sync_key"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                    ));
                }
                "STATE" => {
                    let name = m["state"]["stream"]["stream_descriptor"]["name"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    state.insert(name, m["state"].clone());
                }
                _ => {}
            }
        }
        if finished {
            break;
        }
        kills += 1;
    }
    assert!(kills >= 5, "killed {kills} times");
    let want: BTreeSet<(String, String)> = reference.keys().cloned().collect();
    let missing: Vec<_> = want.difference(&seen).take(5).collect();
    assert!(missing.is_empty(), "lost records: {missing:?}");
    // Duplicates are bounded by what was in flight at each kill: the
    // full-list streams and the unfinished pass of the killed stream.
    assert!(
        emitted <= want.len() * 2,
        "{emitted} records emitted for {} rows",
        want.len()
    );
}

#[test]
fn a_ticket_updated_during_a_read_is_delivered_by_the_next_read() {
    let sb = start(
        800,
        Some(RateLimit {
            limit: 10,
            window: Duration::from_millis(500),
        }),
        None,
    );
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let cat = one_stream_catalog(&dir, "tickets", "incremental");
    // A first read sets the bookmark; the second is running while tickets change.
    let first = read_paths(&c, &cat, None);
    let s1 = write_json(&dir, "s1.json", &first.last_states());
    sb.mutate(&Mutation {
        seed: 1,
        update_tickets: 150,
        ..Default::default()
    });
    let args = [&c, &cat, &s1].map(|p| p.to_str().unwrap());
    let mut child = spawn(
        SOURCE,
        &[
            "read",
            "--config",
            args[0],
            "--catalog",
            args[1],
            "--state",
            args[2],
        ],
        Stdio::null(),
    );
    std::thread::sleep(Duration::from_millis(150));
    let during = sb.mutate(&Mutation {
        seed: 2,
        update_tickets: 40,
        ..Default::default()
    });
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(child.wait().unwrap().success());
    let second: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut last_state = Value::Null;
    let mut got: BTreeMap<i64, String> = BTreeMap::new();
    for m in &second {
        if m["type"] == "STATE" {
            last_state = m["state"].clone();
        }
        if m["type"] == "RECORD" {
            got.insert(
                m["record"]["data"]["ticket_id"].as_i64().unwrap(),
                m["record"]["data"]["updated_at"].as_str().unwrap().into(),
            );
        }
    }
    let s2 = write_json(&dir, "s2.json", &json!([last_state]));
    let third = read_paths(&c, &cat, Some(&s2));
    for r in third.records("tickets") {
        got.insert(
            r["ticket_id"].as_i64().unwrap(),
            r["updated_at"].as_str().unwrap().into(),
        );
    }
    // Every ticket changed during the second read is delivered, at its latest version.
    for t in sb
        .snapshot("tickets")
        .iter()
        .filter(|t| during.ticket_ids.contains(&t["id"].as_i64().unwrap()))
    {
        let id = t["id"].as_i64().unwrap();
        let want = chrono::DateTime::parse_from_rfc3339(
            &t["updated_datetime"]
                .as_str()
                .unwrap()
                .replacen(' ', "T", 1),
        )
        .unwrap();
        let have = got
            .get(&id)
            .unwrap_or_else(|| panic!("ticket {id} changed during a read was never delivered"));
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(have).unwrap(),
            want,
            "ticket {id}"
        );
    }
}

/// A face whose output is gone (a closed pipe) from the first record on.
struct ClosedOutput;

impl source_gorgias::sync::Sink for ClosedOutput {
    fn record(
        &mut self,
        _: &'static source_gorgias::streams::StreamDef,
        _: &[u8],
    ) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn checkpoint(
        &mut self,
        _: &'static source_gorgias::streams::StreamDef,
        _: Option<&source_gorgias::state::Bookmark>,
        _: Option<&source_gorgias::state::Pass>,
        _: u64,
    ) -> std::io::Result<()> {
        Ok(())
    }
    fn status(
        &mut self,
        _: &'static source_gorgias::streams::StreamDef,
        _: source_gorgias::sync::StreamStatus,
    ) -> std::io::Result<()> {
        Ok(())
    }
    fn log(&mut self, _: source_gorgias::sync::Level, _: &str) -> std::io::Result<()> {
        Ok(())
    }
}

/// The page after the first is requested on the fetching thread while the
/// first is written; with a bucket of one request a minute, that request
/// waits about a minute. A sync whose output fails meanwhile must end now,
/// with its own error, not after that wait.
#[test]
fn a_failed_output_ends_the_sync_without_waiting_for_the_next_page() {
    use source_gorgias::sync::{self, Selected, SyncMode};
    let sb = start(
        300,
        Some(RateLimit {
            limit: 1,
            window: Duration::from_secs(60),
        }),
        None,
    );
    let config = source_gorgias::config::Config::from_value(&config_for(&sb)).unwrap();
    let mut client = source_gorgias::client::Client::new(&config);
    let selected = vec![Selected {
        stream: source_gorgias::streams::find("tickets").unwrap(),
        mode: SyncMode::FullRefresh,
        bookmark: None,
        pass: None,
    }];
    let began = Instant::now();
    let result = sync::run(
        &config,
        &mut client,
        selected,
        sync::start_time(),
        &mut ClosedOutput,
    );
    let took = began.elapsed();
    let err = result.expect_err("the closed output ends the sync");
    assert!(
        err.message.contains("pipe") || err.message.contains("output"),
        "{}",
        err.message
    );
    assert!(
        took < Duration::from_secs(20),
        "the sync waited {took:?} for a page it would never write"
    );
}

/// Issue 12.4: a resumed newest-first pass that is killed before its end,
/// again and again, still advances: each run checkpoints the window it has
/// emitted, the next emits only what lies outside it, and the fourth run
/// (each is killed after the same number of lines, fewer than the pass
/// needs) finishes with every change delivered at its latest version.
#[test]
fn a_newest_first_pass_killed_three_times_in_a_row_converges_with_nothing_lost() {
    let sb = start(900, None, None);
    let dir = scratch();
    let c = write_json(&dir, "c.json", &config_for(&sb));
    let cat = one_stream_catalog(&dir, "tickets", "incremental");
    let (c, cat) = (c.to_str().unwrap(), cat.to_str().unwrap());
    let first = airbyte(&["read", "--config", c, "--catalog", cat]);
    assert_eq!(first.code, 0);
    let mut state = first.last_states();
    let bookmark = state[0]["stream"]["stream_state"]["updated_at"].clone();
    let changed = sb.mutate(&Mutation {
        seed: 4,
        update_tickets: 350,
        ..Default::default()
    });
    let mut got: BTreeMap<i64, String> = BTreeMap::new();
    let mut kills = 0;
    let mut finished = false;
    let mut windows = 0;
    for round in 0..6 {
        let s = write_json(&dir, &format!("s{round}.json"), &state);
        let (lines, done) = read_until_killed(c, cat, Some(s.to_str().unwrap()), 150);
        for m in &lines {
            match m["type"].as_str().unwrap() {
                "RECORD" => {
                    got.insert(
                        m["record"]["data"]["ticket_id"].as_i64().unwrap(),
                        m["record"]["data"]["updated_at"].as_str().unwrap().into(),
                    );
                }
                "STATE" => {
                    let st = &m["state"]["stream"]["stream_state"];
                    if st.get("pass").is_some() {
                        windows += 1;
                        // The bookmark waits for the end of the pass.
                        assert_eq!(st["updated_at"], bookmark, "{st}");
                    }
                    state = json!([m["state"].clone()]);
                }
                _ => {}
            }
        }
        if done {
            finished = true;
            break;
        }
        kills += 1;
    }
    assert!(kills >= 3, "killed {kills} times");
    assert!(finished, "the pass never finished: {kills} kills in a row");
    assert!(windows >= 3, "{windows} window checkpoints");
    let end = &state[0]["stream"]["stream_state"];
    assert!(end.get("pass").is_none(), "{end}");
    for t in sb
        .snapshot("tickets")
        .iter()
        .filter(|t| changed.ticket_ids.contains(&t["id"].as_i64().unwrap()))
    {
        let id = t["id"].as_i64().unwrap();
        let want = expected_ts(&t["updated_datetime"]);
        let have = got
            .get(&id)
            .unwrap_or_else(|| panic!("changed ticket {id} was never delivered"));
        assert_eq!(json!(have), want, "ticket {id}");
    }
}
