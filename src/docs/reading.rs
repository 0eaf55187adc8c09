//! How each stream is read, in words, from its plan: the endpoint and
//! order (README's table, streams.md), the sync modes, the lookback, and
//! the "How it is read" paragraph of streams.md with what an incremental
//! read can and cannot see.

use super::text::code_list;
use crate::config::Config;
use crate::streams::{Endpoint, ReadPlan, StreamDef, ALL};
use crate::sync::supports_incremental;
use chrono::Duration;
use serde_json::json;
use std::fmt::Write;

fn default_config() -> Config {
    // The lookbacks the docs quote are the defaults: a config with only the
    // required fields.
    Config::from_value(&json!({"domain": "acme", "email": "a@b.c", "api_key": "k"}))
        .expect("the minimal config is valid")
}

/// The spec field that sets the stream's lookback, found by changing each
/// `*_lookback_days` field in turn and seeing whose lookback moves.
fn lookback_setting(s: &StreamDef) -> Option<String> {
    let base = s.lookback(&default_config());
    let spec = crate::config::connection_specification();
    let props = spec["properties"].as_object()?;
    props
        .keys()
        .filter(|k| k.ends_with("_lookback_days"))
        .find(|k| {
            let mut raw = json!({"domain": "acme", "email": "a@b.c", "api_key": "k"});
            raw[k.as_str()] = json!(1);
            Config::from_value(&raw).is_ok_and(|c| s.lookback(&c) != base)
        })
        .cloned()
}

fn fmt_duration(d: Duration) -> String {
    let secs = d.num_seconds();
    let (n, unit) = if secs % 86_400 == 0 {
        (secs / 86_400, "day")
    } else if secs % 3_600 == 0 {
        (secs / 3_600, "hour")
    } else if secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The lookback as prose: "3 days (`ticket_messages_lookback_days`)".
pub fn lookback_text(s: &StreamDef) -> Option<String> {
    let d = s.lookback(&default_config());
    if d.is_zero() {
        return None;
    }
    Some(match lookback_setting(s) {
        Some(k) => format!("{}, the default of `{k}`", fmt_duration(d)),
        None => fmt_duration(d),
    })
}

fn api(path: &str) -> String {
    format!("/api{path}")
}

pub fn endpoint_text(s: &StreamDef) -> String {
    let e = s.endpoint();
    let order = |o: Option<&str>| o.map(|o| format!(" `order_by={o}`")).unwrap_or_default();
    let sides = s
        .sides()
        .map(|(param, values)| format!(", once per `{param}`: {}", code_list(values)))
        .unwrap_or_default();
    let text = match s.plan() {
        ReadPlan::Single => format!("`GET {}`", api(e.path)),
        ReadPlan::EachOf { param, values } => format!(
            "`GET {}`{} once per `{param}`: {}",
            api(e.path),
            order(e.order_by),
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ReadPlan::PerParent(parent) => format!(
            "`GET {}`{}, then `GET {}`{} for each",
            api(parent.path),
            order(parent.order_by),
            api(e.path),
            order(e.order_by)
        ),
        ReadPlan::NewestFirst => format!(
            "`GET {}`{}, or{} {} a bookmark or `start_date`",
            api(e.path),
            order(e.oldest_first().as_deref()),
            order(e.order_by),
            match crate::sync::plan::sort_key_moves(s) {
                true => "for an incremental read from",
                false => "from",
            }
        ),
        ReadPlan::ServerFiltered => format!(
            "`GET {}`{} `{}[gte]=<bound>`",
            api(e.path),
            order(e.order_by),
            s.api_cursor().unwrap_or("?")
        ),
        _ => match e.order_by {
            Some(_) => format!("`GET {}`{}", api(e.path), order(e.order_by)),
            None => format!(
                "`GET {}` (the endpoint takes no `order_by`: the API's own order)",
                api(e.path)
            ),
        },
    };
    format!("{text}{sides}")
}

pub fn sync_modes(s: &StreamDef) -> &'static str {
    if supports_incremental(s) {
        "full refresh, incremental"
    } else {
        "full refresh"
    }
}

/// What an incremental read of a list read whole can and cannot see.
fn whole_list_incremental(s: &StreamDef) -> String {
    match (s.cursor_field().filter(|_| supports_incremental(s)), s.api_cursor()) {
        (Some(c), Some(a)) => format!(
            " Incremental mode sends the same requests and emits only rows whose `{c}` reached the bookmark: it sees every change that moves `{a}`, but not one that leaves `{a}` alone, nor an object that leaves the list."
        ),
        _ => " No column says when a row changed, so the stream is full refresh only.".to_string(),
    }
}

/// How the stream is read, and what an incremental read can and cannot see,
/// from its plan. The reasons each endpoint is read so are in the opening
/// comment of its `src/streams/<stream>.rs`.
pub fn how_it_is_read(s: &StreamDef) -> String {
    let mut text = match s.plan() {
        ReadPlan::Single => {
            "One object, read whole every sync: full refresh only.".to_string()
        }
        ReadPlan::WholeList => {
            let order = match s.endpoint().order_by {
                Some(o) => format!(" by `{o}`"),
                None => " in the API's own order".to_string(),
            };
            format!(
                "The whole list is read every sync{order}: the endpoint cannot sort by a key that moves when a row changes.{}",
                whole_list_incremental(s)
            )
        }
        ReadPlan::EachOf { param, values } => format!(
            "The whole list is read every sync, once per `{param}` ({}), because the endpoint requires that filter and cannot sort by a key that moves when a row changes.{}",
            values.join(", "),
            whole_list_incremental(s)
        ),
        ReadPlan::NewestFirst => newest_first(s),
        ReadPlan::ServerFiltered => server_filtered(s),
        ReadPlan::PerParent(parent) => per_parent(s, parent),
    };
    passes(s, &mut text);
    beyond_the_list(s, &mut text);
    text
}

/// A list read newest first down to the bookmark, and oldest first without
/// one.
fn newest_first(s: &StreamDef) -> String {
    let api_cursor = s.api_cursor().unwrap_or("?");
    let lookback = lookback_text(s);
    let less = lookback
        .as_ref()
        .map(|l| format!(" less the lookback ({l})"))
        .unwrap_or_default();
    let moves = crate::sync::plan::sort_key_moves(s);
    let first = s
        .endpoint()
        .oldest_first()
        .map(|o| oldest_first(s, &o, moves))
        .unwrap_or_default();
    let from = match moves {
        true => "An incremental read from a bookmark or `start_date`",
        false => "A read from a bookmark or `start_date` (incremental, or a full refresh with a `start_date`)",
    };
    let sees = if lookback.is_none() {
        format!(" Incremental sees every change that moves `{api_cursor}`; a change that does not move it is seen only by a full refresh.")
    } else {
        format!(" A change that does not move `{api_cursor}` is caught while the row's `{api_cursor}` is within the lookback of the bookmark, and after that only by a full refresh.")
    };
    format!(
        "{from} goes newest first by `{api_cursor}` and stops after a whole page older than the bookmark{less} or `start_date`, whichever is later: a whole page, not the first older row, so rows sharing a timestamp across a page boundary are kept.{first}{sees}"
    )
}

/// The read without a bookmark, oldest first by `o`, and what a
/// row changing during it does, which depends on whether the sort key
/// `moves`.
fn oldest_first(s: &StreamDef, o: &str, moves: bool) -> String {
    let api_cursor = s.api_cursor().unwrap_or("?");
    let checkpoints = match s.sides() {
        None => "after every page, so a first sync that is stopped resumes from its last page",
        Some(_) => "once every pass is read",
    };
    if moves {
        format!(" A full refresh, like an incremental read without a bookmark or `start_date`, goes oldest first (`{o}`) over the whole list (a full refresh leaves rows older than `start_date` out on its side): a row that changes during the read moves ahead of it and is read again, so the snapshot holds every row that existed when the read began and was not deleted during it, one that changed perhaps twice (its newer version last). The incremental one checkpoints {checkpoints}.")
    } else {
        format!(" Without a bookmark or `start_date`, a read goes oldest first (`{o}`); the incremental one checkpoints {checkpoints}. `{api_cursor}` never changes, so in either order no row that existed when the read began can move past it.")
    }
}

/// A list the server filters by the bookmark.
fn server_filtered(s: &StreamDef) -> String {
    let api_cursor = s.api_cursor().unwrap_or("?");
    let less = lookback_text(s)
        .map(|l| format!(" less {l}"))
        .unwrap_or_default();
    format!(
        "Oldest first by `{api_cursor}`, and the server filters: `{api_cursor}[gte]` is sent with the bookmark{less} (or `start_date`), so an incremental read fetches only what is new, with a checkpoint after every page. A change to a row older than that bound is seen only by a full refresh."
    )
}

/// A child list read whole under each object of its parent's list.
fn per_parent(s: &StreamDef, parent: Endpoint) -> String {
    let e = s.endpoint();
    let mut t = format!(
        "Pages through `{}`, then reads each parent's `{}` list whole, every sync.",
        api(parent.path),
        api(e.path)
    );
    if crate::endpoints::find(e.path)
        .is_some_and(|d| d.envelope == crate::endpoints::Envelope::ItemLinks)
    {
        t.push_str(" Each list is paged by its `meta.next_items` link, whose `cursor`, `direction` and `ignored_item` the next request sends, until the link is null.");
    }
    if !supports_incremental(s) {
        t.push_str(" Nothing says when a row joined or left its parent, so the stream is full refresh only.");
    }
    // Measured on a real account: 224 of an incremental sync's 261
    // requests were view_items'.
    t.push_str(" Its cost is one request per page of every chosen view on every sync, incremental or not: it can be most of a sync's requests (224 of 261 on one account), and the closing line gives its share. `view_ids` limits it to the views you need (`probe` lists them); a view past 10,000 items is named in a WARN line with its cost.");
    t
}

/// How many passes a read makes (one per side) and which streams ride on
/// the same pass.
fn passes(s: &StreamDef, text: &mut String) {
    if let Some((param, values)) = s.sides() {
        let _ = write!(
            text,
            " The endpoint lists one side of `{param}` per call, so every read is made once per value ({}), each pass with the rules above.",
            code_list(values)
        );
    }
    let e = s.endpoint();
    let sharing: Vec<String> = ALL
        .iter()
        .filter(|o| o.name() != s.name() && o.endpoint() == e && o.plan() == s.plan())
        .map(|o| format!("`{}`", o.name()))
        .collect();
    if !sharing.is_empty() {
        let _ = write!(
            text,
            " Shares one pass over these pages with {} when both are selected.",
            sharing.join(", ")
        );
    }
}

/// What the list's pages do not hold: values read per object when the list
/// leaves them out, and hard deletes, which only `events` records.
fn beyond_the_list(s: &StreamDef, text: &mut String) {
    if let Some(e) = s.embedded {
        let _ = write!(
            text,
            " The values come from each object's `{m}` on those pages when the account's list carries it (no extra request). The first page decides: when its objects leave `{m}` out, each object the pass delivers is read at `GET /api{each}` (a bare array or `{{data: [...]}}`), one request per object; a first full read of 15,000 takes about 2 h at 40 requests per 20 s, which a `start_date` bounds, and an incremental read asks for changed objects only. The sync log and `probe` say which path the account takes. Each object read brings its whole current set, stamped with its cursor: keep, per object, only the rows of its newest cursor, and a removed value is gone.",
            m = e.member,
            each = e.each
        );
    }
    if let Some(kind) = s.deleted_by() {
        let key = s.natural_key().first().copied().unwrap_or("id");
        let _ = write!(
            text,
            " Hard deletes vanish from the list; `events` records them as `{kind}` events whose `object_id` is the row's `{key}`. With `emit_deletes`, an incremental read asks `/api/events` for `types={kind}` and turns into a deletion row only an event of that `type` and `object_type` `{}`.",
            s.event_object_type().unwrap_or("?")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(fmt_duration(Duration::days(1)), "1 day");
        assert_eq!(fmt_duration(Duration::days(30)), "30 days");
        assert_eq!(fmt_duration(Duration::minutes(5)), "5 minutes");
    }
}
