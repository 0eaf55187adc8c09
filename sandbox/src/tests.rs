//! End-to-end tests over real sockets, with a deliberately dumb client so the
//! server's wire behaviour is what gets tested.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;
use crate::time::parse;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The body is shorter than Content-Length promised.
    truncated: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))?
        .1
        .parse()
        .ok()?;
    let body = raw[end + 4..].to_vec();
    Some(Reply {
        status,
        truncated: body.len() < len,
        body: body[..len.min(body.len())].to_vec(),
        headers,
    })
}

const CREDS: (&str, &str) = ("sandbox@example.com", "sandbox-api-key");

fn request(
    port: u16,
    method: &str,
    target: &str,
    auth: Option<(&str, &str)>,
    body: &[u8],
) -> Option<Reply> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some((u, p)) = auth {
        req.push_str(&format!(
            "Authorization: Basic {}\r\n",
            b64::encode_std(format!("{u}:{p}").as_bytes())
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_reply(&raw)
}

fn get(sb: &Sandbox, target: &str) -> Reply {
    request(sb.port(), "GET", target, Some(CREDS), b"").expect("a complete reply")
}

fn start(tickets: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets,
        ..SandboxConfig::default()
    })
    .unwrap()
}

fn instant(v: &Value, field: &str) -> i64 {
    let s = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"));
    parse(s).unwrap_or_else(|| panic!("unparseable {field}: {s}"))
}

/// Reads every page following next_cursor (or, for a view's items, the
/// query of `next_items`); returns the pages' data.
fn walk(sb: &Sandbox, endpoint: &str, order: &str, limit: usize) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        let mut target = format!("/api/{endpoint}{sep}limit={limit}&order_by={order}");
        if let Some(c) = &cursor {
            target.push('&');
            target.push_str(c);
        }
        let r = get(sb, &target);
        assert_eq!(
            r.status,
            200,
            "{target}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let v = r.json();
        assert_eq!(v["object"], "list");
        pages.push(v["data"].as_array().unwrap().clone());
        let next = match v["meta"]["next_items"].as_str() {
            Some(link) => link.split_once('?').map(|(_, q)| q.to_string()),
            None => v["meta"]["next_cursor"]
                .as_str()
                .map(|c| format!("cursor={c}")),
        };
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages.len() < 10_000, "pagination does not end");
    }
    pages
}

#[test]
fn dataset_shapes_and_invariants() {
    let cfg = SandboxConfig::default();
    let store = data::Store::generate(&cfg);
    let snap = |c: &str| store.snapshot(c);
    let tickets = snap("tickets");
    let messages = snap("messages");
    assert_eq!(tickets.len(), 1000);
    assert_eq!(snap("users").len(), 20);
    assert_eq!(snap("integrations").len(), 6);
    assert_eq!(snap("tags").len(), 25);
    assert_eq!(snap("customers").len(), 500);
    assert_eq!(snap("account").len(), 1);
    let ratio = messages.len() as f64 / tickets.len() as f64;
    assert!((3.0..=4.0).contains(&ratio), "{ratio}");
    let surveys = snap("satisfaction-surveys");
    let sr = surveys.len() as f64 / tickets.len() as f64;
    assert!((0.2..=0.4).contains(&sr), "{sr}");
    assert!(surveys.iter().any(|s| s["score"].is_null()));
    assert!(surveys.iter().any(|s| s["sent_datetime"].is_null()));
    assert!(surveys.iter().any(|s| s["score"].is_i64()));

    let mut counts: HashMap<i64, i64> = HashMap::new();
    for m in &messages {
        *counts.entry(m["ticket_id"].as_i64().unwrap()).or_default() += 1;
    }
    for t in &tickets {
        let id = t["id"].as_i64().unwrap();
        assert_eq!(
            t["messages_count"].as_i64(),
            counts.get(&id).copied(),
            "ticket {id}"
        );
        assert!(instant(t, "updated_datetime") >= instant(t, "created_datetime"));
        assert!(t["tags"].as_array().unwrap().len() <= 3);
    }
    for c in ["users", "customers", "integrations"] {
        for o in snap(c) {
            assert!(
                instant(&o, "updated_datetime") >= instant(&o, "created_datetime"),
                "{o}"
            );
        }
    }
    // Every datetime shape appears.
    let created: Vec<&str> = tickets
        .iter()
        .map(|t| t["created_datetime"].as_str().unwrap())
        .collect();
    assert!(created
        .iter()
        .any(|s| s.contains('.') && s.ends_with("+00:00") && s.contains('T')));
    assert!(created.iter().any(|s| !s.contains('.')));
    assert!(created.iter().any(|s| !s.ends_with("+00:00")));
    assert!(created.iter().any(|s| s.contains(' ')));
    // Big tie groups on updated_datetime and on message created_datetime.
    let mut upd: HashMap<i64, usize> = HashMap::new();
    for t in &tickets {
        *upd.entry(instant(t, "updated_datetime")).or_default() += 1;
    }
    assert!(
        upd.values().filter(|&&n| n >= 130).count() >= 3,
        "{:?}",
        upd.values().max()
    );
    let mut mc: HashMap<i64, usize> = HashMap::new();
    for m in &messages {
        *mc.entry(instant(m, "created_datetime")).or_default() += 1;
    }
    assert!(mc.values().any(|&n| n >= 130));
    assert_eq!(
        tickets
            .iter()
            .filter(|t| t["subject"]
                .as_str()
                .is_some_and(|s| s.contains('\u{2028}')))
            .count(),
        1
    );
    let req = tickets
        .iter()
        .filter(|t| t.get("requester").is_some())
        .count();
    assert!((50..=150).contains(&req), "{req}");
    assert!(tickets.iter().any(|t| t["customer"].is_null()));
    assert!(tickets.iter().any(|t| t["assignee_user"].is_null()));
    assert!(messages
        .iter()
        .any(|m| m["body_text"].as_str().unwrap().len() > 20_000));
    let users = snap("users");
    for role in [
        "admin",
        "agent",
        "basic-agent",
        "bot",
        "observer-agent",
        "lite-agent",
    ] {
        assert!(users.iter().any(|u| u["role"]["name"] == role), "{role}");
    }
    assert!(users
        .iter()
        .any(|u| u["active"] == false && u["deactivated_datetime"].is_string()));
    assert!(users.iter().any(|u| u["external_id"].is_null()));
    let ints = snap("integrations");
    assert_eq!(ints.iter().filter(|i| i["user"].is_null()).count(), 1);
    assert_eq!(
        ints.iter()
            .filter(|i| i["deleted_datetime"].is_string())
            .count(),
        1
    );
    assert!(snap("customers")
        .iter()
        .any(|c| c["integrations"].as_object().is_some_and(|o| !o.is_empty())));
}

#[test]
fn generation_is_deterministic() {
    let cfg = SandboxConfig {
        tickets: 200,
        ..SandboxConfig::default()
    };
    let a = data::Store::generate(&cfg);
    let b = data::Store::generate(&cfg);
    let c = data::Store::generate(&SandboxConfig { seed: 43, ..cfg });
    for coll in [
        "tickets",
        "messages",
        "users",
        "customers",
        "satisfaction-surveys",
    ] {
        assert_eq!(a.snapshot(coll), b.snapshot(coll), "{coll}");
        assert_ne!(a.snapshot(coll), c.snapshot(coll), "{coll}");
    }
    for n in [0, 1, 3, 10, 50, 299, 650] {
        let s = data::Store::generate(&SandboxConfig {
            tickets: n,
            ..SandboxConfig::default()
        });
        assert_eq!(s.snapshot("tickets").len(), n);
    }
}

#[test]
fn pagination_visits_every_ticket_once_both_ways() {
    let sb = start(1000);
    for order in [
        "updated_datetime:desc",
        "updated_datetime:asc",
        "created_datetime:desc",
        "created_datetime:asc",
    ] {
        let (field, dir) = order.split_once(':').unwrap();
        let pages = walk(&sb, "tickets", order, 100);
        let rows: Vec<&Value> = pages.iter().flatten().collect();
        let ids: Vec<i64> = rows.iter().map(|t| t["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 1000, "{order}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1000, "{order}");
        let keys: Vec<(i64, i64)> = rows
            .iter()
            .map(|t| (instant(t, field), t["id"].as_i64().unwrap()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if dir == "desc" {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "{order}");

        // Back from the last page along prev_cursor: the same pages, reversed.
        let last = {
            let mut target = format!("/api/tickets?limit=100&order_by={order}");
            let mut r = get(&sb, &target).json();
            while let Some(c) = r["meta"]["next_cursor"].as_str() {
                target = format!("/api/tickets?limit=100&order_by={order}&cursor={c}");
                r = get(&sb, &target).json();
            }
            r
        };
        let mut back = vec![last["data"].as_array().unwrap().clone()];
        let mut cur = last;
        while let Some(c) = cur["meta"]["prev_cursor"].as_str() {
            cur = get(
                &sb,
                &format!("/api/tickets?limit=100&order_by={order}&cursor={c}"),
            )
            .json();
            back.push(cur["data"].as_array().unwrap().clone());
        }
        back.reverse();
        assert_eq!(back, pages, "{order}");
    }
    // The default order and limit.
    let r = get(&sb, "/api/tickets").json();
    assert_eq!(r["data"].as_array().unwrap().len(), 30);
    assert!(r["meta"]["prev_cursor"].is_null());
    assert_eq!(r["uri"], "/api/tickets");
}

#[test]
fn every_list_endpoint_paginates_completely() {
    let sb = start(300);
    let orders: &[(&str, &[&str])] = &[
        (
            "users",
            &[
                "name:asc",
                "email:desc",
                "role.name:asc",
                "created_datetime:desc",
            ],
        ),
        ("integrations", &["created_datetime:asc"]),
        ("tags", &["name:asc", "usage:desc", "created_datetime:asc"]),
        ("messages", &["created_datetime:desc"]),
        ("satisfaction-surveys", &["created_datetime:desc"]),
        (
            "customers",
            &["updated_datetime:desc", "created_datetime:asc"],
        ),
    ];
    for (endpoint, os) in orders {
        let total = sb.snapshot(endpoint).len();
        for order in *os {
            let ids: Vec<i64> = walk(&sb, endpoint, order, 7)
                .into_iter()
                .flatten()
                .map(|v| v["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids.len(), total, "{endpoint} {order}");
            assert_eq!(
                ids.iter().collect::<HashSet<_>>().len(),
                total,
                "{endpoint} {order}"
            );
        }
    }
    let acct = get(&sb, "/api/account").json();
    assert_eq!(acct["domain"], "acme");
    assert_eq!(
        acct["settings"][0]["data"]["business_hours"][1]["days"],
        "6"
    );
}

#[test]
fn ties_straddle_page_boundaries() {
    let sb = start(1000);
    let straddles = |endpoint: &str, order: &str| {
        let field = order.split(':').next().unwrap();
        let pages = walk(&sb, endpoint, order, 100);
        pages
            .windows(2)
            .filter(|w| instant(w[0].last().unwrap(), field) == instant(&w[1][0], field))
            .count()
    };
    assert!(straddles("tickets", "updated_datetime:desc") >= 3);
    assert!(straddles("tickets", "updated_datetime:asc") >= 3);
    assert!(straddles("messages", "created_datetime:desc") >= 1);
}

#[test]
fn bad_parameters_get_400_json() {
    let sb = start(50);
    for target in [
        "/api/tickets?limit=0",
        "/api/tickets?limit=101",
        "/api/tickets?limit=ten",
        "/api/tickets?order_by=id:asc",
        "/api/tickets?order_by=updated_datetime",
        "/api/tickets?order_by=updated_datetime:up",
        "/api/messages?order_by=updated_datetime:desc",
        "/api/users?order_by=updated_datetime:desc",
        "/api/tickets?cursor=garbage",
        "/api/tickets?cursor=",
        "/api/tickets?foo=1",
        "/api/tickets?page=2",
        "/api/tickets?customer_id=abc",
        "/api/tickets?limit=10&limit=20",
        "/api/users?roles=wizard",
        // The bracketed forms are not documented: refused, never ignored.
        "/api/users?roles[]=admin",
        "/api/events?types[]=ticket-deleted",
        "/api/tickets?ticket_ids[]=1",
        "/api/macros?archived=maybe",
        "/api/macros?order_by=relevance:desc",
        "/api/messages?customer_id=1",
        "/api/account?limit=5",
    ] {
        let r = get(&sb, target);
        assert_eq!(r.status, 400, "{target}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.json()["error"]["msg"].is_string(), "{target}");
    }
    // A cursor is bound to the order it was issued for.
    let r = get(&sb, "/api/tickets?limit=5&order_by=created_datetime:desc").json();
    let c = r["meta"]["next_cursor"].as_str().unwrap();
    assert_eq!(
        get(
            &sb,
            &format!("/api/tickets?limit=5&order_by=updated_datetime:desc&cursor={c}")
        )
        .status,
        400
    );
    assert_eq!(
        get(
            &sb,
            &format!("/api/tickets?limit=5&order_by=created_datetime:desc&cursor={c}")
        )
        .status,
        200
    );
}

#[test]
fn auth_is_required() {
    let sb = start(10);
    for auth in [
        None,
        Some(("sandbox@example.com", "wrong")),
        Some(("other@example.com", "sandbox-api-key")),
    ] {
        for path in ["/api/account", "/api/tickets"] {
            let r = request(sb.port(), "GET", path, auth, b"").unwrap();
            assert_eq!(r.status, 401);
            assert_eq!(
                r.json(),
                serde_json::json!({"error": {"msg": "Unauthorized."}})
            );
        }
    }
    assert_eq!(get(&sb, "/api/account").status, 200);
}

#[test]
fn unknown_paths_are_404_html() {
    let sb = start(10);
    for path in [
        "/api/nope",
        "/nope",
        "/",
        "/api/tickets/123/messages",
        "/_sandbox/nope",
    ] {
        let r = get(&sb, path);
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.header("content-type").unwrap().starts_with("text/html"),
            "{path}"
        );
        assert!(String::from_utf8_lossy(&r.body).contains("<html>"));
    }
}

#[test]
fn filters() {
    let sb = start(300);
    let tickets = sb.snapshot("tickets");
    let cid = tickets
        .iter()
        .find_map(|t| t["customer"]["id"].as_i64())
        .unwrap();
    let want = tickets
        .iter()
        .filter(|t| t["customer"]["id"] == cid)
        .count();
    let got = walk(
        &sb,
        &format!("tickets?customer_id={cid}"),
        "created_datetime:desc",
        100,
    );
    assert_eq!(got.iter().flatten().count(), want);

    let some: Vec<i64> = tickets
        .iter()
        .step_by(37)
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let q: String = some.iter().map(|i| format!("ticket_ids={i}&")).collect();
    let r = get(&sb, &format!("/api/tickets?{q}limit=100")).json();
    assert_eq!(r["data"].as_array().unwrap().len(), some.len());

    let untrashed = tickets
        .iter()
        .filter(|t| t["trashed_datetime"].is_null())
        .count();
    assert!(untrashed < tickets.len());
    let got: usize = walk(&sb, "tickets?trashed=false", "created_datetime:desc", 100)
        .iter()
        .map(Vec::len)
        .sum();
    assert_eq!(got, untrashed);

    let tid = tickets[5]["id"].as_i64().unwrap();
    let r = get(&sb, &format!("/api/messages?ticket_id={tid}&limit=100")).json();
    assert_eq!(
        r["data"].as_array().unwrap().len() as i64,
        tickets[5]["messages_count"].as_i64().unwrap()
    );

    let users = sb.snapshot("users");
    let want = users
        .iter()
        .filter(|u| u["role"]["name"] == "admin" || u["role"]["name"] == "bot")
        .count();
    let r = get(&sb, "/api/users?roles=admin&roles=bot&limit=100").json();
    assert_eq!(r["data"].as_array().unwrap().len(), want);
    let email = users[0]["email"].as_str().unwrap();
    let r = get(&sb, &format!("/api/users?email={email}")).json();
    assert_eq!(r["data"].as_array().unwrap().len(), 1);
}

#[test]
fn headers_and_keep_alive() {
    let sb = start(10);
    let mut s = TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let auth = b64::encode_std(b"sandbox@example.com:sandbox-api-key");
    let mut replies = Vec::new();
    for _ in 0..3 {
        write!(
            s,
            "GET /api/tags?limit=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n"
        )
        .unwrap();
        // Read exactly one response: head, then Content-Length bytes.
        let mut raw = Vec::new();
        let mut byte = [0u8; 1];
        while !raw.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut byte).unwrap();
            raw.push(byte[0]);
        }
        let head = String::from_utf8(raw.clone()).unwrap();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let mut body = vec![0; len];
        s.read_exact(&mut body).unwrap();
        raw.extend(body);
        replies.push(parse_reply(&raw).unwrap());
    }
    for r in &replies {
        assert_eq!(r.status, 200);
        assert_eq!(r.header("X-Gorgias-Account-Api-Call-Limit"), Some("0/40"));
        assert_eq!(r.header("Retry-after"), Some("0"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
    }
    assert_eq!(sb.requests().len(), 3);
    assert_eq!(sb.requests()[0].path, "/api/tags");
    assert_eq!(sb.requests()[0].query, "limit=2");
    sb.clear_requests();
    assert!(sb.requests().is_empty());
}

#[test]
fn mutations_bump_updated_and_stay_consistent() {
    let sb = start(500);
    let before = sb.snapshot("tickets");
    let max_before = before
        .iter()
        .map(|t| instant(t, "updated_datetime"))
        .max()
        .unwrap();
    let max_id = before
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .max()
        .unwrap();
    let surveys_before: BTreeMap<i64, Value> = sb
        .snapshot("satisfaction-surveys")
        .into_iter()
        .map(|s| (s["id"].as_i64().unwrap(), s))
        .collect();
    let m = Mutation {
        seed: 9,
        update_tickets: 5,
        add_tags: 4,
        remove_tags: 3,
        add_messages: 6,
        score_surveys: 4,
        new_tickets: 2,
        update_users: 2,
        ..Mutation::default()
    };
    let s = sb.mutate(&m);
    assert!(s.ticket_ids.len() >= 5 + 2);
    assert_eq!(s.message_ids.len(), 6 + 2);
    assert_eq!(s.survey_ids.len(), 4);
    assert_eq!(s.user_ids.len(), 2);

    let after = sb.snapshot("tickets");
    assert_eq!(after.len(), 502);
    let by_id: HashMap<i64, &Value> = after
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t))
        .collect();
    for id in &s.ticket_ids {
        let t = by_id[id];
        assert!(instant(t, "updated_datetime") > max_before, "{t}");
        let u = t["updated_datetime"].as_str().unwrap();
        assert!(u.contains('.'), "{u}");
    }
    assert_eq!(s.ticket_ids.iter().filter(|&&id| id > max_id).count(), 2);
    for id in s.ticket_ids.iter().filter(|&&id| id > max_id) {
        let t = by_id[id];
        assert_eq!(t["created_datetime"], t["updated_datetime"]);
    }
    let messages = sb.snapshot("messages");
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for msg in &messages {
        *counts
            .entry(msg["ticket_id"].as_i64().unwrap())
            .or_default() += 1;
    }
    for t in &after {
        assert_eq!(
            t["messages_count"].as_i64(),
            counts.get(&t["id"].as_i64().unwrap()).copied()
        );
        assert!(instant(t, "updated_datetime") >= instant(t, "created_datetime"));
    }
    for s_id in &s.survey_ids {
        let now = sb
            .snapshot("satisfaction-surveys")
            .into_iter()
            .find(|x| x["id"] == *s_id)
            .unwrap();
        let was = &surveys_before[s_id];
        assert!(was["score"].is_null());
        assert!(now["score"].is_i64());
        assert!(now["scored_datetime"].is_string());
        assert_eq!(now["created_datetime"], was["created_datetime"]);
    }
    // The touched tickets lead an updated_datetime:desc read.
    let r = get(
        &sb,
        &format!(
            "/api/tickets?limit={}&order_by=updated_datetime:desc",
            s.ticket_ids.len()
        ),
    )
    .json();
    let mut first: Vec<i64> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    first.sort();
    assert_eq!(first, s.ticket_ids);
    // Tag usage follows the tickets.
    let mut usage: HashMap<i64, i64> = HashMap::new();
    for t in &after {
        for tag in t["tags"].as_array().unwrap() {
            *usage.entry(tag["id"].as_i64().unwrap()).or_default() += 1;
        }
    }
    for tag in sb.snapshot("tags") {
        assert_eq!(
            tag["usage"].as_i64().unwrap(),
            usage
                .get(&tag["id"].as_i64().unwrap())
                .copied()
                .unwrap_or(0)
        );
    }
}

#[test]
fn keyset_cursor_survives_changes_between_pages() {
    let sb = start(300);
    let first = get(&sb, "/api/tickets?limit=50&order_by=created_datetime:asc").json();
    let c = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    let expected = get(
        &sb,
        &format!("/api/tickets?limit=50&order_by=created_datetime:asc&cursor={c}"),
    )
    .json();
    sb.mutate(&Mutation {
        seed: 1,
        new_tickets: 5,
        update_tickets: 20,
        ..Mutation::default()
    });
    let again = get(
        &sb,
        &format!("/api/tickets?limit=50&order_by=created_datetime:asc&cursor={c}"),
    )
    .json();
    let ids = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&expected), ids(&again));
}

#[test]
fn admin_endpoints() {
    let sb = start(100);
    get(&sb, "/api/account");
    let port = sb.port();
    let r = request(port, "GET", "/_sandbox/requests", None, b"").unwrap();
    let log = r.json();
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["path"], "/api/account");
    assert_eq!(log[0]["status"], 200);
    let r = request(
        port,
        "POST",
        "/_sandbox/mutate",
        None,
        br#"{"seed": 3, "update_users": 2, "add_messages": 1}"#,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let s = r.json();
    assert_eq!(s["user_ids"].as_array().unwrap().len(), 2);
    assert_eq!(s["message_ids"].as_array().unwrap().len(), 1);
    assert_eq!(
        request(port, "POST", "/_sandbox/mutate", None, br#"{"bogus": 1}"#)
            .unwrap()
            .status,
        400
    );
    assert_eq!(
        request(port, "POST", "/_sandbox/mutate", None, b"not json")
            .unwrap()
            .status,
        400
    );
    let dump = request(port, "GET", "/_sandbox/dump/tickets", None, b"")
        .unwrap()
        .json();
    assert_eq!(dump.as_array().unwrap().len(), 100);
    assert_eq!(dump, Value::Array(sb.snapshot("tickets")));
    assert_eq!(
        request(port, "GET", "/_sandbox/dump/nope", None, b"")
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        request(port, "DELETE", "/_sandbox/requests", None, b"")
            .unwrap()
            .status,
        200
    );
    assert!(sb.requests().is_empty());
}

#[test]
fn shutdown_stops_serving() {
    let sb = start(5);
    let port = sb.port();
    // An idle keep-alive connection must not keep the sandbox alive.
    let _idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert_eq!(get(&sb, "/api/account").status, 200);
    sb.shutdown();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err()
            || request(port, "GET", "/api/account", Some(CREDS), b"").is_none()
    );
}

#[test]
fn rate_limit_leaky_bucket() {
    let sb = Sandbox::start(SandboxConfig {
        tickets: 10,
        rate_limit: Some(RateLimit {
            limit: 5,
            window: Duration::from_millis(500),
        }),
        ..SandboxConfig::default()
    })
    .unwrap();
    let replies: Vec<Reply> = (0..8).map(|_| get(&sb, "/api/account")).collect();
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(ok >= 5 && !limited.is_empty(), "ok {ok}");
    assert_eq!(
        replies[0].header("X-Gorgias-Account-Api-Call-Limit"),
        Some("1/5")
    );
    let r = limited[0];
    assert_eq!(r.header("X-Gorgias-Account-Api-Call-Limit"), Some("5/5"));
    assert_eq!(r.header("Retry-after"), Some("1"));
    let ms: u64 = r
        .header("X-Sandbox-Retry-After-Ms")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=100).contains(&ms), "{ms}");
    assert!(r.json()["error"]["msg"].is_string());
    assert_eq!(
        sb.requests().iter().filter(|x| x.status == 429).count(),
        limited.len()
    );
    std::thread::sleep(Duration::from_millis(ms + 5));
    assert_eq!(get(&sb, "/api/account").status, 200);
    // A client pacing at the drain rate is never limited.
    std::thread::sleep(Duration::from_millis(600));
    let start = Instant::now();
    for i in 0..15u64 {
        let due = Duration::from_millis(i * 110);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        assert_eq!(get(&sb, "/api/account").status, 200, "request {i}");
    }
}

fn faulty(seed: u64, kinds: Vec<FaultKind>) -> Sandbox {
    Sandbox::start(SandboxConfig {
        tickets: 50,
        faults: Some(Faults {
            rate: 0.5,
            seed,
            kinds,
        }),
        ..SandboxConfig::default()
    })
    .unwrap()
}

#[test]
fn faults_are_reproducible_and_never_repeat_back_to_back() {
    let run = |seed| {
        let sb = faulty(seed, FaultKind::all(Duration::from_millis(20)));
        let mut statuses = Vec::new();
        for i in 0..120 {
            let target = format!("/api/tickets?limit={}", 1 + i % 3);
            let r = request(sb.port(), "GET", &target, Some(CREDS), b"");
            statuses.push(match r {
                Some(r) if r.truncated => 0,
                Some(r) => r.status,
                None => 0,
            });
        }
        let log: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
        (statuses, log, sb.requests())
    };
    let (a, log_a, records) = run(5);
    let (b, _, _) = run(5);
    let (c, _, _) = run(6);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The log holds 0 for reset and truncated; what the client saw matches.
    assert_eq!(a, log_a);
    assert!(a.contains(&0), "{a:?}");
    assert!(a.iter().any(|s| [500, 502, 503, 504].contains(s)));
    // A fault on a target is always followed by a success on that target.
    let mut last: HashMap<String, bool> = HashMap::new();
    for (r, status) in records.iter().zip(&a) {
        let faulted = *status != 200;
        let key = format!("{}?{}", r.path, r.query);
        if faulted {
            assert_ne!(last.get(&key), Some(&true), "{key} faulted twice in a row");
        }
        last.insert(key, faulted);
    }
}

#[test]
fn each_fault_kind_on_the_wire() {
    let kinds = [
        (FaultKind::Status500, 500),
        (FaultKind::Status502, 502),
        (FaultKind::Status503, 503),
        (FaultKind::Status504, 504),
        (FaultKind::HtmlOk, 200),
        (FaultKind::Reset, 0),
        (FaultKind::Truncated, 0),
        (FaultKind::Slow(Duration::from_millis(150)), 200),
    ];
    for (kind, status) in kinds {
        let sb = Sandbox::start(SandboxConfig {
            tickets: 20,
            faults: Some(Faults {
                rate: 1.0,
                seed: 1,
                kinds: vec![kind.clone()],
            }),
            ..SandboxConfig::default()
        })
        .unwrap();
        let t0 = Instant::now();
        let r = request(sb.port(), "GET", "/api/tickets?limit=5", Some(CREDS), b"");
        match &kind {
            FaultKind::Reset => assert!(r.is_none()),
            FaultKind::Truncated => {
                let r = r.unwrap();
                assert!(r.truncated);
                assert_eq!(r.status, 200);
            }
            FaultKind::Slow(d) => {
                assert!(t0.elapsed() >= *d);
                assert_eq!(r.unwrap().json()["object"], "list");
            }
            FaultKind::HtmlOk => {
                let r = r.unwrap();
                assert!(r.header("content-type").unwrap().starts_with("text/html"));
            }
            FaultKind::Status500 => assert!(r.unwrap().json()["error"]["msg"].is_string()),
            _ => assert!(r
                .unwrap()
                .header("content-type")
                .unwrap()
                .starts_with("text/html")),
        }
        assert_eq!(sb.requests()[0].status, status, "{kind:?}");
        // Rate 1.0, yet the retry of the same target succeeds.
        let again = get(&sb, "/api/tickets?limit=5");
        assert_eq!(again.status, 200, "{kind:?}");
        assert_eq!(again.json()["data"].as_array().unwrap().len(), 5);
    }
}

#[test]
fn the_extra_endpoints_validate_their_parameters_like_the_api() {
    let sb = start(200);
    let status = |t: &str| get(&sb, t).status;
    // Voice calls take no order at all; custom fields need an object type.
    assert_eq!(status("/api/phone/voice-calls?limit=100"), 200);
    assert_eq!(
        status("/api/phone/voice-calls?order_by=created_datetime:desc"),
        400
    );
    assert_eq!(status("/api/custom-fields?limit=10"), 400);
    assert_eq!(status("/api/custom-fields?object_type=Order"), 400);
    assert_eq!(
        status("/api/custom-fields?object_type=Ticket&order_by=priority:asc"),
        200
    );
    assert_eq!(status("/api/events?order_by=updated_datetime:asc"), 400);
    assert_eq!(
        status("/api/events?created_datetime%5Bgte%5D=yesterday"),
        400
    );
    assert_eq!(status("/api/teams?search=x"), 400);
    assert_eq!(status("/api/views/1/items"), 404);
    assert_eq!(status("/api/macros?order_by=updated_datetime:desc"), 200);
    // Every view's items are its rule applied to the tickets.
    for v in sb.snapshot("views") {
        let items = walk(
            &sb,
            &format!("views/{}/items", v["id"]),
            "created_datetime:asc",
            37,
        );
        let ids: Vec<i64> = items
            .into_iter()
            .flatten()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let want: Vec<i64> = sb
            .snapshot(&format!("views/{}/items", v["id"]))
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, want, "{}", v["name"]);
    }
}

#[test]
fn events_filter_by_time_type_and_object_and_record_mutations() {
    let sb = start(300);
    let all = sb.snapshot("events");
    let mid = all[all.len() / 2]["created_datetime"]
        .as_str()
        .unwrap()
        .to_string();
    let at = parse(&mid).unwrap();
    let q = |f: &str| {
        walk(&sb, &format!("events?{f}"), "created_datetime:asc", 100)
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
    };
    let enc = mid.replace('+', "%2B").replace(' ', "%20");
    let gte = q(&format!("created_datetime%5Bgte%5D={enc}"));
    assert!(!gte.is_empty());
    assert!(gte
        .iter()
        .all(|e| parse(e["created_datetime"].as_str().unwrap()).unwrap() >= at));
    assert_eq!(
        gte.len() + q(&format!("created_datetime%5Blt%5D={enc}")).len(),
        all.len()
    );
    let created = q("types=ticket-created&object_type=Ticket");
    assert_eq!(created.len(), sb.snapshot("tickets").len());

    let s = sb.mutate(&Mutation {
        seed: 3,
        update_customers: 4,
        delete_tickets: 3,
        delete_customers: 2,
        update_tickets: 2,
        ..Mutation::default()
    });
    // An updated customer deleted in the same mutation is reported deleted only.
    assert!(s
        .customer_ids
        .iter()
        .all(|id| !s.deleted_customer_ids.contains(id)));
    assert_eq!(s.deleted_ticket_ids.len(), 3);
    assert_eq!(s.deleted_customer_ids.len(), 2);
    let tickets = sb.snapshot("tickets");
    for id in &s.deleted_ticket_ids {
        assert!(tickets.iter().all(|t| t["id"] != *id));
        assert!(sb
            .snapshot("messages")
            .iter()
            .all(|m| m["ticket_id"] != *id));
        let ev = q(&format!("types=ticket-deleted&object_id={id}"));
        assert_eq!(ev.len(), 1);
    }
    for id in &s.deleted_customer_ids {
        assert!(sb.snapshot("customers").iter().all(|c| c["id"] != *id));
        assert_eq!(
            q(&format!("types=customer-deleted&object_id={id}")).len(),
            1
        );
    }
    let after = sb.snapshot("events");
    assert_eq!(after.len(), all.len() + 4 + 3 + 2 + 2);
    assert!(after
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
}

#[test]
fn view_items_page_by_their_own_links_and_refuse_other_forms() {
    let sb = start(300);
    let view = sb.snapshot("views")[0]["id"].as_i64().unwrap();
    let base = format!("/api/views/{view}/items?limit=5&order_by=created_datetime:asc");
    let first = get(&sb, &base).json();
    let meta = &first["meta"];
    assert!(meta.get("next_cursor").is_none(), "{meta}");
    assert_eq!(meta["current_cursor"], Value::Null);
    assert_eq!(meta["prev_items"], Value::Null);
    let link = meta["next_items"].as_str().unwrap();
    let last = first["data"][4]["id"].as_i64().unwrap();
    assert!(
        link.starts_with(&format!("/api/views/{view}/items?cursor="))
            && link.ends_with(&format!("&direction=next&ignored_item={last}")),
        "{link}"
    );
    let (_, q) = link.split_once('?').unwrap();
    let second = get(&sb, &format!("{base}&{q}")).json();
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    assert!(second["meta"]["current_cursor"].is_string());
    // Back along prev_items: the first page again.
    let (_, q) = second["meta"]["prev_items"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap();
    assert_eq!(
        get(&sb, &format!("{base}&{q}")).json()["data"],
        first["data"]
    );
    for bad in [
        "direction=sideways",
        "ignored_item=x",
        "next_cursor=x",
        "archived=true",
    ] {
        assert_eq!(get(&sb, &format!("{base}&{bad}")).status, 400, "{bad}");
    }
}

#[test]
fn macros_and_custom_fields_list_one_side_of_archived_per_call() {
    let sb = start(300);
    let ids = |target: &str| -> Vec<i64> {
        walk(&sb, target, "priority:asc", 100)
            .into_iter()
            .flatten()
            .map(|v| v["id"].as_i64().unwrap())
            .collect()
    };
    let macros = |target: &str| -> Vec<i64> {
        walk(&sb, target, "created_datetime:asc", 100)
            .into_iter()
            .flatten()
            .map(|v| v["id"].as_i64().unwrap())
            .collect()
    };
    let all = sb.snapshot("macros");
    let archived: Vec<i64> = all
        .iter()
        .filter(|m| !m["archived_datetime"].is_null())
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert!(!archived.is_empty());
    let live = macros("macros");
    assert_eq!(macros("macros?archived=false"), live);
    assert_eq!(live.len() + archived.len(), all.len());
    assert!(live.iter().all(|id| !archived.contains(id)));
    let mut got = macros("macros?archived=true");
    got.sort();
    assert_eq!(got, archived);

    let fields = sb.snapshot("custom-fields");
    let gone = fields
        .iter()
        .filter(|f| !f["deactivated_datetime"].is_null())
        .count();
    assert!(gone > 0);
    let mut seen = 0;
    for ty in ["Ticket", "Customer"] {
        let live = ids(&format!("custom-fields?object_type={ty}"));
        let old = ids(&format!("custom-fields?object_type={ty}&archived=true"));
        assert!(live.iter().all(|id| !old.contains(id)));
        seen += live.len() + old.len();
    }
    assert_eq!(seen, fields.len());
}

#[test]
fn the_lenient_sandbox_ignores_what_the_strict_one_refuses() {
    let sb = Sandbox::start(SandboxConfig {
        tickets: 100,
        lenient: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let all = sb.snapshot("events").len();
    let events = |q: &str| {
        walk(&sb, &format!("events?{q}"), "created_datetime:asc", 100)
            .into_iter()
            .flatten()
            .count()
    };
    // Whatever form the type filter takes, every event comes back.
    assert_eq!(events("types=ticket-deleted"), all);
    assert_eq!(events("types[]=ticket-deleted"), all);
    assert_eq!(get(&sb, "/api/users?roles[]=admin&foo=1").status, 200);
    // Documented filters still apply.
    let users = get(&sb, "/api/users?roles=bot&limit=100").json();
    assert!(users["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["role"]["name"] == "bot"));
    // Strict by default.
    let strict = start(10);
    assert_eq!(get(&strict, "/api/users?roles[]=admin").status, 400);
    assert_eq!(
        get(&strict, "/api/events?types[]=ticket-deleted").status,
        400
    );
}

#[test]
fn the_readme_lists_every_collection_served() {
    let readme = include_str!("../README.md");
    let listed = readme
        .split("<!-- collections -->")
        .nth(1)
        .and_then(|r| r.split("<!-- /collections -->").next())
        .expect("the README marks its collection list");
    let listed: std::collections::BTreeSet<&str> =
        listed.split(", ").map(|n| n.trim_matches('`')).collect();
    let mut served: std::collections::BTreeSet<&str> =
        crate::item::NAMES.iter().map(|(n, _)| *n).collect();
    served.extend(["account", "views/{id}/items"]);
    assert_eq!(listed, served);
    for (name, _) in crate::item::NAMES {
        assert!(readme.contains(&format!("`/api/{name}`")), "{name}");
    }
}

#[test]
fn a_change_cue_moves_objects_right_after_the_page_it_names() {
    let sb = Sandbox::start(SandboxConfig {
        tickets: 300,
        changes: vec![ChangeCue::parse("/api/customers:2:10").unwrap()],
        ..SandboxConfig::default()
    })
    .unwrap();
    let updated = |sb: &Sandbox| -> BTreeMap<i64, Value> {
        sb.snapshot("customers")
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c["updated_datetime"].clone()))
            .collect()
    };
    let first = updated(&sb);
    let before: BTreeSet<i64> = first.keys().copied().collect();
    // Newest first, the moved objects jump above the cursor: the read
    // misses them, as it would on the live API.
    let desc: Vec<i64> = walk(&sb, "customers", "updated_datetime:desc", 20)
        .concat()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let missed = before.iter().filter(|id| !desc.contains(id)).count();
    assert!((5..=10).contains(&missed), "{missed} missed");
    let moved = updated(&sb)
        .iter()
        .filter(|(id, at)| first[*id] != **at)
        .count();
    assert_eq!(moved, 10);
    // Fired once: a second read sees everything.
    let again = walk(&sb, "customers", "updated_datetime:asc", 20).concat();
    assert_eq!(again.len(), before.len());
    for bad in [
        "tickets",
        "tickets:0:5",
        "tickets:x:5",
        ":1:5",
        "tickets:1:",
    ] {
        assert_eq!(ChangeCue::parse(bad), None, "{bad}");
    }
    assert_eq!(
        ChangeCue::parse("views/7/items:3:4"),
        Some(ChangeCue {
            path: "views/7/items".into(),
            after_page: 3,
            objects: 4
        })
    );
}

#[test]
fn voice_call_events_and_recordings_take_only_a_cursor_a_limit_and_a_call_id() {
    let sb = start(300);
    let calls = sb.snapshot("phone/voice-calls");
    let events = sb.snapshot("phone/voice-call-events");
    let recordings = sb.snapshot("phone/voice-call-recordings");
    assert!(!calls.is_empty() && !recordings.is_empty());
    // Every call has its events, and every event and recording its call.
    let call_ids: std::collections::BTreeSet<i64> =
        calls.iter().filter_map(|c| c["id"].as_i64()).collect();
    for row in events.iter().chain(&recordings) {
        assert!(call_ids.contains(&row["call_id"].as_i64().unwrap()));
    }
    assert!(events.len() >= 3 * calls.len());
    // A URL and a duration, or the reason there is no URL; never audio.
    for r in &recordings {
        assert!(r["url"].is_string() != r["error_code"].is_string(), "{r}");
        assert!(r["duration"].is_i64() || r["duration"].is_null());
    }
    for path in ["phone/voice-call-events", "phone/voice-call-recordings"] {
        let status = |q: &str| get(&sb, &format!("/api/{path}?{q}")).status;
        assert_eq!(status("limit=100"), 200, "{path}");
        assert_eq!(status("order_by=created_datetime:desc"), 400, "{path}");
        assert_eq!(status("ticket_id=1"), 400, "{path}");
        assert_eq!(
            status("created_datetime%5Bgte%5D=2024-01-01"),
            400,
            "{path}"
        );
        let call = recordings[0]["call_id"].as_i64().unwrap();
        let page = get(&sb, &format!("/api/{path}?call_id={call}&limit=100")).json();
        let rows = page["data"].as_array().unwrap();
        assert!(!rows.is_empty(), "{path}");
        assert!(rows.iter().all(|r| r["call_id"] == call), "{path}");
    }
}
