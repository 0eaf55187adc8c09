//! Fuzzing on stable Rust (issue 3). cargo-fuzz needs a nightly toolchain,
//! which this project's machines do not have, so these are seeded random
//! and mutation-based fuzz loops in the test suite: every parser a user's
//! input reaches (config, catalog, state) and every stream's mapping of
//! arbitrary API objects, checked for panics and for errors that are not
//! one sentence. CI runs a short box; a long run is
//! `FUZZ_ITERS=2000000 cargo test --release --test failure_modes fuzz -- --nocapture`
//! (and `FUZZ_SEED=N` to vary the stream of inputs).

use serde_json::{json, Map, Value};
use source_gorgias::airbyte::catalog::parse_configured;
use source_gorgias::config::Config;
use source_gorgias::json::{Doc, DocError};
use source_gorgias::state::StateInput;
use source_gorgias::streams::{RowContext, Rows, ALL};
use std::panic::{catch_unwind, AssertUnwindSafe};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn iters() -> usize {
    std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000)
}

fn rng(target: u64) -> Rng {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    Rng(seed.wrapping_mul(1_000_003) ^ target)
}

const KEYS: &[&str] = &[
    "id",
    "domain",
    "email",
    "api_key",
    "start_date",
    "base_url",
    "page_size",
    "max_rate_share",
    "ticket_messages_lookback_days",
    "satisfaction_surveys_lookback_days",
    "streams",
    "stream",
    "name",
    "sync_mode",
    "cursor_field",
    "type",
    "state",
    "global",
    "stream_states",
    "stream_descriptor",
    "stream_state",
    "data",
    "bookmarks",
    "updated_at",
    "created_at",
    "updated_datetime",
    "created_datetime",
    "customer",
    "requester",
    "assignee_user",
    "tags",
    "sender",
    "receiver",
    "meta",
    "name_set_via",
    "settings",
    "business_hours",
    "status",
    "current_subscription",
    "user",
    "score",
    "ticket_id",
    "tickets",
    "users",
    "ticket_messages",
    "LEGACY",
    "STREAM",
    "GLOBAL",
    "incremental",
    "full_refresh",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "acme",
    "acme.gorgias.com",
    "https://acme.gorgias.com/api/",
    "http://evil.example/",
    "a@b.c",
    "2024-06-20T07:39:36.514848+00:00",
    "2024-11-01 10:59:29",
    "2019-11-16T15:59:41.966927",
    "2024-01-01",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    "tickets",
    "account",
    "incremental",
    "STREAM",
    "é\u{2028}\u{0}",
    "http://127.0.0.1:1/api",
    "1e400",
    "NaN",
    "true",
    "2024-06-2é 07:39:36",
    "2024-02-30T00:00:00Z",
];

fn arbitrary(r: &mut Rng, depth: u32) -> Value {
    match r.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => json!(*r.pick(&[
            0i64,
            1,
            -1,
            100,
            101,
            i64::MAX,
            i64::MIN,
            -8_334_601_228_800,
            253_402_300_799
        ])),
        3 => json!(*r.pick(&[0.5f64, -0.0, 1e300, 3.0, 0.05])),
        4 | 5 => json!(r.pick(STRINGS).to_string()),
        6 | 7 => {
            let mut m = Map::new();
            for _ in 0..r.below(6) {
                m.insert(r.pick(KEYS).to_string(), arbitrary(r, depth + 1));
            }
            Value::Object(m)
        }
        _ => Value::Array((0..r.below(4)).map(|_| arbitrary(r, depth + 1)).collect()),
    }
}

/// Byte-level damage to a valid document: flips, cuts, splices.
fn mutate_bytes(r: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + r.below(4) {
        if b.is_empty() {
            break;
        }
        let i = r.below(b.len());
        match r.below(4) {
            0 => b[i] = r.next() as u8,
            1 => b.truncate(i),
            2 => b.insert(i, *r.pick(b"{}[]\",:0\\")),
            _ => {
                b.remove(i);
            }
        }
    }
    b
}

/// Replaces a random value somewhere in a document with an arbitrary one.
fn mutate_value(r: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(m) if !m.is_empty() && r.below(3) != 0 => {
            let k = m.keys().nth(r.below(m.len())).unwrap().clone();
            mutate_value(r, m.get_mut(&k).unwrap());
        }
        Value::Array(a) if !a.is_empty() && r.below(3) != 0 => {
            let i = r.below(a.len());
            mutate_value(r, &mut a[i]);
        }
        _ => *v = arbitrary(r, 2),
    }
}

fn sentence(msg: &str, what: &str, input: &[u8]) {
    assert!(
        msg.ends_with('.') && !msg.contains('\n'),
        "{what}: not one sentence: {msg:?} for input {:?}",
        String::from_utf8_lossy(input)
    );
}

fn no_panic<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked on {:?}", String::from_utf8_lossy(input)))
}

fn seeds_and_mutants(r: &mut Rng, seeds: &[Value], n: usize, mut check: impl FnMut(&[u8])) {
    for _ in 0..n {
        let base = r.pick(seeds).clone();
        let bytes = match r.below(3) {
            0 => mutate_bytes(r, serde_json::to_vec(&base).unwrap()),
            1 => {
                let mut v = base;
                mutate_value(r, &mut v);
                serde_json::to_vec(&v).unwrap()
            }
            _ => serde_json::to_vec(&arbitrary(r, 0)).unwrap(),
        };
        check(&bytes);
    }
}

#[test]
fn fuzz_config_parsing() {
    let mut r = rng(1);
    let seeds = [
        json!({"domain": "acme", "email": "a@b.c", "api_key": "k"}),
        json!({"domain": "https://acme.gorgias.com/api/", "email": "a@b.c", "api_key": "k", "start_date": "2024-01-01",
               "page_size": 50, "base_url": "http://127.0.0.1:8910/api", "max_rate_share": 0.5, "ticket_messages_lookback_days": 2}),
    ];
    seeds_and_mutants(&mut r, &seeds, iters(), |b| {
        if let Err(e) = no_panic("config", b, || Config::from_slice(b)) {
            sentence(&e.message, "config", b);
        }
    });
}

#[test]
fn fuzz_catalog_parsing() {
    let mut r = rng(2);
    let seeds = [
        source_gorgias::airbyte::catalog::configured_catalog_all(),
        json!({"streams": [{"stream": {"name": "tickets"}, "sync_mode": "incremental", "cursor_field": ["updated_at"]}]}),
    ];
    seeds_and_mutants(&mut r, &seeds, iters() / 4, |b| {
        if let Err(e) = no_panic("catalog", b, || parse_configured(b)) {
            sentence(&e.message, "catalog", b);
        }
    });
}

#[test]
fn fuzz_state_parsing() {
    let mut r = rng(3);
    let seeds = [
        json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": {"updated_at": "2024-01-02T03:04:05Z"}}, "sourceStats": {"recordCount": 1.0}}]),
        json!({"type": "LEGACY", "data": {"tickets": {"updated_at": "2024-01-02T03:04:05Z"}}}),
        json!([{"type": "GLOBAL", "global": {"stream_states": [{"stream_descriptor": {"name": "users"}, "stream_state": {"updated_at": 1700000000}}]}}]),
        json!({"bookmarks": {"ticket_messages": {"created_at": "2024-01-01"}}}),
    ];
    seeds_and_mutants(&mut r, &seeds, iters(), |b| {
        let parsed = no_panic("state", b, || StateInput::from_slice(b));
        match parsed {
            Err(e) => sentence(&e.message, "state", b),
            Ok(state) => {
                for s in ALL {
                    if let Some(field) = s.cursor_field() {
                        let got = no_panic("bookmark", b, || {
                            state.bookmark(s.name(), field, s.api_cursor())
                        });
                        if let Err(e) = got {
                            sentence(&e.message, "bookmark", b);
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn fuzz_every_stream_mapping() {
    let mut r = rng(4);
    let ctx = RowContext::new("acme", chrono::Utc::now());
    let seeds = [
        json!({"id": 1, "customer": {"id": 2, "email": "c@x"}, "assignee_user": null, "tags": [{"id": 3, "name": "vip"}],
               "updated_datetime": "2024-06-20T07:39:36.514848+00:00", "messages_count": 3}),
        json!({"id": 5, "ticket_id": 1, "sender": {"id": 2, "meta": {"name_set_via": "agent"}}, "receiver": {"id": 3},
               "created_datetime": "2024-11-01T10:59:29+00:00"}),
        json!({"domain": "acme", "status": {"status": "active"}, "current_subscription": {"plan": "pro"},
               "settings": [{"id": 1, "type": "business-hours", "data": {"timezone": "UTC", "business_hours": [{"days": "1"}]}}]}),
    ];
    for _ in 0..iters() {
        let mut obj = r.pick(&seeds).clone();
        for _ in 0..1 + r.below(3) {
            mutate_value(&mut r, &mut obj);
        }
        let bytes = serde_json::to_vec(&obj).unwrap();
        let doc = Doc::parse(bytes.clone()).expect("serde_json's own output parses");
        assert_eq!(doc.root().to_value(), obj);
        for s in ALL {
            let mut out = Rows::default();
            let res = no_panic(s.name(), &bytes, || s.map(doc.root(), &ctx, &mut out));
            match res {
                Err(e) => sentence(&e.message, s.name(), &bytes),
                Ok(()) => {
                    for row in &out.values() {
                        assert!(
                            row["__sync_key"].as_str().is_some_and(|k| k.len() == 32),
                            "{}: {row}",
                            s.name()
                        );
                    }
                }
            }
        }
    }
}

/// Differential: a page body parses to a `Doc` exactly when serde_json
/// parses it to a `Value`, to the same value, and a cut body is told apart
/// from a broken one the same way.
#[test]
fn fuzz_page_bodies_against_serde_json() {
    let mut r = rng(6);
    let seeds = [
        json!({"data": [{"id": 1, "subject": "caf\u{e9} \"q\" \u{2028}", "tags": [{"id": 2, "name": "vip"}],
                "customer": null, "n": -1.5e3, "big": 18446744073709551615u64}], "meta": {"next_cursor": "abc", "prev_cursor": null}}),
        json!([{"id": 1}, {"id": 2, "a": [[], {}, [null]]}]),
        json!({"error": {"msg": "nope"}}),
    ];
    seeds_and_mutants(&mut r, &seeds, iters(), |b| {
        let doc = no_panic("page body", b, || Doc::parse(b.to_vec()));
        match (serde_json::from_slice::<Value>(b), doc) {
            (Ok(v), Ok(d)) => {
                assert_eq!(d.root().to_value(), v, "{:?}", String::from_utf8_lossy(b))
            }
            (Err(e), Err(de)) => assert_eq!(
                e.is_eof(),
                de == DocError::Truncated,
                "{:?}",
                String::from_utf8_lossy(b)
            ),
            (v, d) => panic!(
                "serde_json {:?} but Doc {:?} for {:?}",
                v.is_ok(),
                d.is_ok(),
                String::from_utf8_lossy(b)
            ),
        }
    });
}

#[test]
fn fuzz_datetime_parsing() {
    let mut r = rng(5);
    for _ in 0..iters() * 4 {
        let base = r.pick(STRINGS).as_bytes().to_vec();
        let b = mutate_bytes(&mut r, base);
        let s = String::from_utf8_lossy(&b).into_owned();
        if let Some(dt) = no_panic("datetime", &b, || source_gorgias::datetime::parse_api(&s)) {
            let out = source_gorgias::datetime::format(&dt);
            assert_eq!(
                source_gorgias::datetime::parse_api(&out),
                Some(dt),
                "round trip of {s:?}"
            );
        }
        no_panic("user datetime", &b, || {
            source_gorgias::datetime::parse_user(&s)
        });
    }
}
