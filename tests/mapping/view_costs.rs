//! `view_items` without surprise costs (issue 21 §4): every view is read
//! whole on every sync, so the user can choose the views (`view_ids`), a
//! large view is named with its cost and the way out, and the closing line
//! gives view_items' share of the requests.

use crate::common::*;
use gorgias_sandbox::Sandbox;
use serde_json::Value;
use std::collections::BTreeSet;

fn read_streams(config: &Value, names: &[&str]) -> Run {
    let mut all = source_gorgias::airbyte::catalog::configured_catalog_all();
    all["streams"]
        .as_array_mut()
        .unwrap()
        .retain(|s| names.contains(&s["stream"]["name"].as_str().unwrap()));
    read_ok(config, &all, None)
}

fn logs(run: &Run, level: &str) -> Vec<String> {
    run.of_type("LOG")
        .into_iter()
        .filter(|m| m["log"]["level"] == level)
        .map(|m| m["log"]["message"].as_str().unwrap().to_string())
        .collect()
}

/// Views as (id, name, items), largest first.
fn views(sb: &Sandbox) -> Vec<(i64, String, usize)> {
    let mut v: Vec<(i64, String, usize)> = sb
        .snapshot("views")
        .iter()
        .map(|v| {
            let id = v["id"].as_i64().unwrap();
            let items = sb.snapshot(&format!("views/{id}/items")).len();
            (id, v["name"].as_str().unwrap().to_string(), items)
        })
        .collect();
    v.sort_by_key(|(_, _, n)| std::cmp::Reverse(*n));
    v
}

fn item_paths(sb: &Sandbox) -> BTreeSet<String> {
    sb.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/items"))
        .map(|r| r.path)
        .collect()
}

#[test]
fn view_ids_limit_the_requests_and_rows_to_the_chosen_views() {
    let sb = sandbox(400);
    let all = views(&sb);
    let chosen = [all[1].0, all[3].0];
    let mut config = config_for(&sb);
    // The largest view left out; an id the account lacks is said, not fatal.
    config["view_ids"] = serde_json::json!([chosen[0], chosen[1], 999_999_999]);
    sb.clear_requests();
    let run = read_streams(&config, &["view_items"]);
    let want: BTreeSet<String> = chosen
        .iter()
        .map(|id| format!("/api/views/{id}/items"))
        .collect();
    assert_eq!(item_paths(&sb), want);
    let got: BTreeSet<i64> = run
        .records("view_items")
        .iter()
        .map(|r| r["view_id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, chosen.into_iter().collect());
    assert_eq!(
        run.records("view_items").len(),
        all[1].2 + all[3].2,
        "every item of the chosen views"
    );
    let warns = logs(&run, "WARN");
    assert!(
        warns
            .iter()
            .any(|w| w.contains("999999999") && w.contains("probe")),
        "{warns:?}"
    );
    // Without the setting, every view is read.
    sb.clear_requests();
    read_streams(&config_for(&sb), &["view_items"]);
    assert_eq!(item_paths(&sb).len(), all.len());
}

#[test]
fn a_large_view_is_named_once_with_its_cost_and_how_to_leave_it_out() {
    let sb = sandbox(400);
    let all = views(&sb);
    // The threshold scaled down: the sandbox's views hold hundreds, not
    // tens of thousands.
    let large = all[1].2 as u64;
    assert!(all[0].2 as u64 > large, "{all:?}");
    let mut config = config_for(&sb);
    config["large_view_items"] = large.into();
    config["page_size"] = 50.into();
    let run = read_streams(&config, &["view_items"]);
    let warns: Vec<String> = logs(&run, "WARN")
        .into_iter()
        .filter(|w| w.contains("read whole on every sync"))
        .collect();
    let (id, name, items) = &all[0];
    assert_eq!(warns.len(), 1, "{warns:?}");
    let w = &warns[0];
    assert!(w.contains(&format!("`{name}` (id {id})")), "{w}");
    assert!(w.contains(&format!("lists {items} tickets")), "{w}");
    let requests = items.div_ceil(50);
    assert!(
        w.contains(&format!(": {requests} requests each time")),
        "{w}"
    );
    assert!(w.contains("`view_ids`") && w.contains("probe"), "{w}");
    // Left out, it is not read and not named.
    config["view_ids"] = serde_json::json!([all[1].0]);
    let run = read_streams(&config, &["view_items"]);
    assert!(logs(&run, "WARN").is_empty(), "{:?}", logs(&run, "WARN"));
}

#[test]
fn the_closing_line_gives_view_items_share_of_the_requests() {
    let sb = sandbox(400);
    sb.clear_requests();
    let run = read_streams(&config_for(&sb), &["tickets", "view_items"]);
    let reqs = sb.requests();
    let views = reqs
        .iter()
        .filter(|r| r.path.starts_with("/api/views"))
        .count();
    let closing = logs(&run, "INFO")
        .into_iter()
        .find(|l| l.starts_with("Sync complete"))
        .expect("a closing line");
    let share = (views * 100 + reqs.len() / 2) / reqs.len();
    assert!(
        closing.contains(&format!(
            "; view_items made {views} of them ({share}%), reading every chosen view whole: `view_ids` limits it to the views you need."
        )),
        "{closing}"
    );
    // A sync without it says nothing of it.
    let run = read_streams(&config_for(&sb), &["tickets"]);
    let closing = logs(&run, "INFO")
        .into_iter()
        .find(|l| l.starts_with("Sync complete"))
        .unwrap();
    assert!(!closing.contains("view_items"), "{closing}");
}
