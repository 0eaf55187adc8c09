//! The reference docs, written from what each stream declares (endpoint,
//! plan, cursor, lookback, key, relationships, and the doc comment of every
//! column) so they cannot drift from the code: `docs/erd.md`,
//! `docs/streams.md` and `dbt/sources.yml`, and `docs/endpoints.md` from
//! [`crate::endpoints`], and the generated parts of two hand-written files
//! (the acceptance config's per-stream lists, README's stream tables).
//! `cargo run --bin gen-docs` writes them and `tests/docs_files.rs` fails
//! when they are stale.
//!
//! Every function here is pure and deterministic: streams in catalog order,
//! columns in a fixed order, no clock and no environment.

use crate::config::Config;
use crate::streams::{Identity, ReadPlan, Relation, StreamDef, ALL};
use crate::sync::supports_incremental;
use chrono::Duration;
use serde_json::{json, Value};
use std::fmt::Write;

pub const ERD_PATH: &str = "docs/erd.md";
pub const STREAMS_PATH: &str = "docs/streams.md";
pub const DBT_PATH: &str = "dbt/sources.yml";
pub const ENDPOINTS_PATH: &str = "docs/endpoints.md";
pub const ACCEPTANCE_PATH: &str = "acceptance-test-config.yml";
pub const README_PATH: &str = "README.md";

/// The dbt source name, also used in its `source()` references.
pub const DBT_SOURCE: &str = "gorgias";

/// The command that rewrites the generated files, quoted in each of them.
pub const COMMAND: &str = "cargo run --bin gen-docs";

/// Every generated file: its path under the crate root and its content.
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        (ERD_PATH, erd()),
        (STREAMS_PATH, streams_md()),
        (DBT_PATH, dbt_sources()),
        (ENDPOINTS_PATH, crate::endpoints::endpoints_md()),
        (crate::plugin::HUB_PATH, crate::plugin::hub_definition()),
    ]
}

/// The hand-written files with generated parts (the acceptance config's
/// per-stream lists, README's stream tables), each as it should be given
/// its current text, which `read` returns for a path (empty when absent).
pub fn partly_generated(read: &dyn Fn(&str) -> String) -> Vec<(&'static str, String)> {
    vec![
        (ACCEPTANCE_PATH, acceptance_config(&read(ACCEPTANCE_PATH))),
        (README_PATH, readme(&read(README_PATH))),
        (
            crate::plugin::MELTANO_PROJECT_PATH,
            crate::plugin::meltano_project(&read(crate::plugin::MELTANO_PROJECT_PATH)),
        ),
    ]
}

/// README.md with its two stream tables (the streams, the `__sync_key`
/// formulas) written between their markers; the prose around them comes
/// back as it is. A stream's name is hand-written nowhere else in README's
/// lists, so a new stream appears there by regenerating.
pub fn readme(current: &str) -> String {
    let streams = replace_block(current, "streams table", &readme_streams_table());
    let keys = replace_block(&streams, "sync key formulas", &readme_sync_keys());
    replace_block(&keys, "pyairbyte replace", &readme_pyairbyte_replace())
}

/// The PyAirbyte read that replaces the full-refresh streams' tables
/// (PyAirbyte's default merges on the primary key, keeping rows the
/// source no longer has), with those streams named.
fn readme_pyairbyte_replace() -> String {
    let full: Vec<String> = ALL
        .iter()
        .filter(|s| !supports_incremental(s))
        .map(|s| format!("\"{}\"", s.name()))
        .collect();
    format!(
        "```python\nsource.read(cache=cache)  # every stream; the incremental ones merge on __sync_key\nsource.read(cache=cache, streams=[{}], write_strategy=\"replace\")\n```\n",
        full.join(", ")
    )
}

/// `current` with the lines between `<!-- {name}: ... -->` and
/// `<!-- end of {name} -->` replaced by `body`; unchanged without markers.
fn replace_block(current: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}: written by `{COMMAND}` from src/streams/, do not edit -->\n");
    let end = format!("<!-- end of {name} -->");
    let (Some(b), Some(e)) = (current.find(&begin), current.find(&end)) else {
        return current.to_string();
    };
    if e < b {
        return current.to_string();
    }
    format!("{}{begin}{body}{}", &current[..b], &current[e..])
}

fn readme_streams_table() -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "| stream | endpoint and order | natural key | cursor | sync modes | what a row is |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for &s in ALL {
        let cursor = s
            .cursor_field()
            .filter(|_| supports_incremental(s))
            .map(|c| format!("`{c}`"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| [`{0}`](docs/streams.md#{0}) | {1} | {2} | {cursor} | {3} | {4} |",
            s.name(),
            md_cell(&endpoint_text(s)),
            natural_key_text(s),
            sync_modes(s),
            md_cell(s.description()),
        );
    }
    o
}

/// The key columns, and the position that tells an account's rows apart.
fn natural_key_text(s: &StreamDef) -> String {
    let columns = code_list(s.natural_key());
    match s.identity {
        Identity::KeyAndPosition { list } => format!("{columns}, position in `{list}`"),
        _ => columns,
    }
}

/// The text `__sync_key` hashes, as README shows it: the key's row columns,
/// what the stream's identity adds, then the source id.
pub fn sync_key_formula(s: &StreamDef) -> String {
    let mut parts: Vec<String> = s
        .natural_key()
        .iter()
        .filter(|k| !k.starts_with("__"))
        .map(|k| format!("{{{k}}}"))
        .collect();
    let mut note = String::new();
    match s.identity {
        Identity::Key => {}
        Identity::KeyOr { column, instead } => {
            note = format!(" (`{instead}` when `{column}` is null)");
        }
        Identity::KeyAndPosition { list } => {
            parts.push(format!("{{position in {list}}}"));
            note = format!(" (the entry's position in `{list}` from 0; empty text for none)");
        }
    }
    parts.push("{__source_id}".to_string());
    format!("`md5(\"{}\")`{note}", parts.join("|"))
}

fn readme_sync_keys() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "| stream | formula |\n|---|---|");
    for &s in ALL {
        let _ = writeln!(o, "| {} | {} |", s.name(), md_cell(&sync_key_formula(s)));
    }
    o
}

/// `acceptance-test-config.yml` with its per-stream lists (every
/// `ignored_fields:` block: each stream's `__synced_at`, which differs on
/// every run) written from the streams; the rest of the file is hand-written
/// and comes back as it is. Pure, like the rest: the caller reads the file.
pub fn acceptance_config(current: &str) -> String {
    const HEADER: &str = "        ignored_fields:";
    let mut out = String::with_capacity(current.len());
    let mut lines = current.lines().peekable();
    let mut anchored = false;
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != HEADER {
            continue;
        }
        // The old block: every line indented deeper than its header.
        while lines.peek().is_some_and(|l| l.starts_with("          ")) {
            lines.next();
        }
        let _ = writeln!(out, "          # every stream: written by `{COMMAND}`");
        for s in ALL {
            if anchored {
                let _ = writeln!(out, "          {}: *synced_at", s.name());
            } else {
                anchored = true;
                let _ = writeln!(out, "          {}: &synced_at", s.name());
                out.push_str("            - name: __synced_at\n");
                out.push_str("              bypass_reason: The start time of the sync that read the row; differs on every run.\n");
            }
        }
    }
    out
}

/// One column of a stream's rows, as its JSON Schema describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// One word, also valid as a Mermaid attribute type: integer, number,
    /// string, boolean, timestamp or json.
    pub kind: &'static str,
    pub nullable: bool,
    pub description: String,
    /// The Gorgias JSON element the column is read from, `None` for the
    /// connector's own bookkeeping columns.
    pub source: Option<String>,
}

impl Column {
    pub fn is_bookkeeping(&self) -> bool {
        self.name.starts_with("__")
    }
}

/// The stream's columns: natural key first (in key order), then the others
/// by name, then the bookkeeping columns. The schema's properties come
/// sorted by name, not in struct order, so this order is imposed here.
pub fn columns(s: &StreamDef) -> Vec<Column> {
    let schema = s.schema();
    let Some(props) = schema["properties"].as_object() else {
        return Vec::new();
    };
    let key = s.natural_key();
    let rank = |name: &str| match key.iter().position(|k| *k == name) {
        Some(i) => (0, i),
        None if name.starts_with("__") => (2, 0),
        None => (1, 0),
    };
    let mut cols: Vec<Column> = props.iter().map(|(name, p)| column(name, p)).collect();
    cols.sort_by(|a, b| (rank(&a.name), &a.name).cmp(&(rank(&b.name), &b.name)));
    cols
}

fn column(name: &str, p: &Value) -> Column {
    let types: Vec<&str> = match &p["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null");
    let kind = if p["format"] == "date-time" {
        "timestamp"
    } else if types.iter().any(|t| *t == "object" || *t == "array") {
        "json"
    } else {
        match types.iter().find(|t| **t != "null") {
            Some(&"integer") => "integer",
            Some(&"number") => "number",
            Some(&"boolean") => "boolean",
            Some(&"string") => "string",
            _ => "json",
        }
    };
    let description = p["description"].as_str().unwrap_or_default().to_string();
    let source = if name.starts_with("__") {
        None
    } else {
        source_element(&description)
    };
    Column {
        name: name.to_string(),
        kind,
        nullable,
        description,
        source,
    }
}

/// The JSON element named in a column's description: each one's doc comment
/// ends with it in backticks. A column read from one element or another
/// (`requester.id`, else `customer.id`) names both, joined by " / ".
pub fn source_element(description: &str) -> Option<String> {
    let spans: Vec<&str> = description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    match spans.as_slice() {
        [] => None,
        [.., last] if !description.contains(", else ") => Some(last.to_string()),
        all => Some(all.join(" / ")),
    }
}

/// The streams' `Relation`s, each with the stream that declares it, in
/// catalog order.
pub fn all_relationships() -> Vec<(&'static str, Relation)> {
    ALL.iter()
        .flat_map(|s| s.relationships().iter().map(move |r| (s.name(), *r)))
        .collect()
}

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
fn lookback_text(s: &StreamDef) -> Option<String> {
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

fn endpoint_text(s: &StreamDef) -> String {
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

fn sync_modes(s: &StreamDef) -> &'static str {
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
    let e = s.endpoint();
    let api_cursor = s.api_cursor().unwrap_or("?");
    let lookback = lookback_text(s);
    let mut text = match s.plan() {
        ReadPlan::Single => {
            "One object, read whole every sync: full refresh only.".to_string()
        }
        ReadPlan::WholeList => {
            let order = match e.order_by {
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
        ReadPlan::NewestFirst => {
            let less = lookback
                .as_ref()
                .map(|l| format!(" less the lookback ({l})"))
                .unwrap_or_default();
            let moves = crate::sync::plan::sort_key_moves(s);
            let first = e
                .oldest_first()
                .map(|o| {
                    let checkpoints = match s.sides() {
                        None => "after every page, so a first sync that is stopped resumes from its last page",
                        Some(_) => "once every pass is read",
                    };
                    if moves {
                        format!(" A full refresh, like an incremental read without a bookmark or `start_date`, goes oldest first (`{o}`) over the whole list (a full refresh leaves rows older than `start_date` out on its side): a row that changes during the read moves ahead of it and is read again, so the snapshot holds every row that existed when the read began and was not deleted during it, one that changed perhaps twice (its newer version last). The incremental one checkpoints {checkpoints}.")
                    } else {
                        format!(" Without a bookmark or `start_date`, a read goes oldest first (`{o}`); the incremental one checkpoints {checkpoints}. `{api_cursor}` never changes, so in either order no row that existed when the read began can move past it.")
                    }
                })
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
        ReadPlan::ServerFiltered => {
            let less = lookback
                .as_ref()
                .map(|l| format!(" less {l}"))
                .unwrap_or_default();
            format!(
                "Oldest first by `{api_cursor}`, and the server filters: `{api_cursor}[gte]` is sent with the bookmark{less} (or `start_date`), so an incremental read fetches only what is new, with a checkpoint after every page. A change to a row older than that bound is seen only by a full refresh."
            )
        }
        ReadPlan::PerParent(parent) => {
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
    };
    if let Some((param, values)) = s.sides() {
        let _ = write!(
            text,
            " The endpoint lists one side of `{param}` per call, so every read is made once per value ({}), each pass with the rules above.",
            code_list(values)
        );
    }
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
    text
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `docs/streams.md`: the reference of every stream and column.
pub fn streams_md() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Streams reference\n");
    let _ = writeln!(
        o,
        "<!-- Generated by `{COMMAND}` from the stream declarations in src/streams/: do not edit. -->\n"
    );
    let _ = writeln!(
        o,
        "Every stream, how it is read and every column: generated from the code (`src/streams/<stream>.rs`, whose opening comment says why each endpoint is read the way it is). The diagram of keys and relationships is [erd.md](erd.md); the dbt source is [../dbt/sources.yml](../dbt/sources.yml).\n"
    );
    let _ = writeln!(
        o,
        "Every row carries `__source_id` (the account), `__sync_key` (the primary key: the MD5 of the natural key's values and `__source_id`, see the README) and `__synced_at`. Lookbacks are the defaults of a config that sets none.\n"
    );
    for &s in ALL {
        let _ = writeln!(o, "- [`{0}`](#{0})", s.name());
    }
    for &s in ALL {
        let schema = s.schema();
        let _ = writeln!(o, "\n## {}\n", s.name());
        let _ = writeln!(o, "{}\n", s.description());
        let _ = writeln!(o, "| | |\n|---|---|");
        let _ = writeln!(o, "| endpoint | {} |", md_cell(&endpoint_text(s)));
        let _ = writeln!(
            o,
            "| row | {} |",
            md_cell(schema["description"].as_str().unwrap_or_default())
        );
        let _ = writeln!(o, "| natural key | {} |", code_list(s.natural_key()));
        let _ = writeln!(o, "| primary key | `__sync_key` |");
        let cursor = match (
            s.cursor_field().filter(|_| supports_incremental(s)),
            s.api_cursor(),
        ) {
            (Some(c), Some(a)) => format!("`{c}` (from `{a}`)"),
            (Some(c), None) => format!("`{c}`"),
            _ => "none".to_string(),
        };
        let _ = writeln!(o, "| cursor | {cursor} |");
        let _ = writeln!(o, "| sync modes | {} |", sync_modes(s));
        let _ = writeln!(
            o,
            "| lookback | {} |",
            lookback_text(s).unwrap_or_else(|| "none".to_string())
        );
        let refers: Vec<String> = s
            .relationships()
            .iter()
            .map(|r| format!("`{}` → `{}.{}`", r.column, r.stream, r.key))
            .collect();
        let _ = writeln!(
            o,
            "| refers to | {} |",
            if refers.is_empty() {
                "none".to_string()
            } else {
                refers.join(", ")
            }
        );
        let referred: Vec<String> = all_relationships()
            .into_iter()
            .filter(|(_, r)| r.stream == s.name())
            .map(|(from, r)| format!("`{from}.{}` → `{}`", r.column, r.key))
            .collect();
        let _ = writeln!(
            o,
            "| referred to by | {} |",
            if referred.is_empty() {
                "none".to_string()
            } else {
                referred.join(", ")
            }
        );
        let _ = writeln!(o, "\n**How it is read.** {}\n", how_it_is_read(s));
        let _ = writeln!(
            o,
            "| column | type | nullable | description | Gorgias element |\n|---|---|---|---|---|"
        );
        for c in columns(s) {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} |",
                c.name,
                c.kind,
                if c.nullable { "yes" } else { "no" },
                md_cell(&c.description),
                c.source
                    .as_deref()
                    .map(|e| e
                        .split(" / ")
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(" / "))
                    .unwrap_or_else(|| "—".to_string())
            );
        }
    }
    o
}

/// `docs/erd.md`: a Mermaid `erDiagram` of every stream with its natural
/// key, its foreign keys, its cursor and `__sync_key`. The other columns
/// are left to `streams.md`, so the picture stays readable.
pub fn erd() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Entity-relationship diagram\n");
    let _ = writeln!(
        o,
        "<!-- Generated by `{COMMAND}` from the stream declarations in src/streams/: do not edit. -->\n"
    );
    let _ = writeln!(
        o,
        "Every stream with its natural key (PK), its foreign keys (FK), its cursor and `__sync_key` (UK, the primary key destinations use). A line joins a foreign key to the stream it refers to; `|o` means the column may be null. Every column is in [streams.md](streams.md).\n"
    );
    let _ = writeln!(o, "```mermaid\nerDiagram");
    for &s in ALL {
        let key = s.natural_key();
        let rels = s.relationships();
        let cursor = s.cursor_field().filter(|_| supports_incremental(s));
        let _ = writeln!(o, "    {} {{", s.name());
        for c in columns(s) {
            let is_key = key.contains(&c.name.as_str());
            let fk: Vec<&Relation> = rels.iter().filter(|r| r.column == c.name).collect();
            let is_cursor = cursor == Some(c.name.as_str());
            let is_sync_key = c.name == "__sync_key";
            if !(is_key || !fk.is_empty() || is_cursor || is_sync_key) {
                continue;
            }
            let marks: Vec<&str> = [(is_key, "PK"), (!fk.is_empty(), "FK"), (is_sync_key, "UK")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, m)| *m)
                .collect();
            let mut notes: Vec<String> = Vec::new();
            if is_key {
                notes.push("natural key".into());
            }
            for r in &fk {
                notes.push(format!("refers to {}.{}", r.stream, r.key));
            }
            if is_cursor {
                notes.push("cursor".into());
            }
            if is_sync_key {
                notes.push("md5 of the natural key and __source_id".into());
            }
            if c.nullable {
                notes.push("nullable".into());
            }
            let _ = writeln!(
                o,
                "        {} {}{} \"{}\"",
                c.kind,
                c.name,
                if marks.is_empty() {
                    String::new()
                } else {
                    format!(" {}", marks.join(", "))
                },
                notes.join("; ")
            );
        }
        let _ = writeln!(o, "    }}");
    }
    for (from, r) in all_relationships() {
        let nullable = ALL
            .iter()
            .find(|s| s.name() == from)
            .map(|s| columns(s))
            .and_then(|cols| cols.into_iter().find(|c| c.name == r.column))
            .is_none_or(|c| c.nullable);
        let _ = writeln!(
            o,
            "    {} {}--o{{ {} : \"{}\"",
            r.stream,
            if nullable { "|o" } else { "||" },
            from,
            r.column
        );
    }
    let _ = writeln!(o, "```");
    o
}

/// A YAML scalar: JSON's double-quoted strings are valid YAML, and quoting
/// every string keeps backticks, colons and `#` from meaning anything.
fn y(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `dbt/sources.yml`: one dbt source with every stream as a table and every
/// column described, with the tests that hold for any account: `__sync_key`
/// unique and not null, every column the schema says is never null not
/// null, and the relationships (as warnings: see the source's description).
pub fn dbt_sources() -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Generated by `{COMMAND}` from the stream declarations in src/streams/: do not edit."
    );
    let _ = writeln!(o, "version: 2\n\nsources:");
    let _ = writeln!(o, "  - name: {DBT_SOURCE}");
    let _ = writeln!(
        o,
        "    description: {}",
        y("Gorgias helpdesk data loaded by source-gorgias (Airbyte) or tap-gorgias (Singer). The tests assume a deduplicated destination (full refresh overwrite, or incremental append + deduped on __sync_key). Relationship tests warn rather than fail: a referenced row may lie outside what was read (before start_date, hard-deleted in Gorgias, or changed after the sync read its stream). Set the var gorgias_schema when the tables are not in the schema gorgias.")
    );
    let _ = writeln!(
        o,
        "    schema: {}",
        y(&format!("{{{{ var('gorgias_schema', '{DBT_SOURCE}') }}}}"))
    );
    let _ = writeln!(o, "    tables:");
    for &s in ALL {
        let _ = writeln!(o, "      - name: {}", s.name());
        let _ = writeln!(o, "        description: {}", y(s.description()));
        let _ = writeln!(o, "        columns:");
        for c in columns(s) {
            let _ = writeln!(o, "          - name: {}", c.name);
            let _ = writeln!(o, "            description: {}", y(&c.description));
            let mut tests: Vec<String> = Vec::new();
            if c.name == "__sync_key" {
                tests.push("unique".into());
            }
            if !c.nullable {
                tests.push("not_null".into());
            }
            for r in s.relationships().iter().filter(|r| r.column == c.name) {
                tests.push(format!(
                    "relationships:\n                  arguments:\n                    to: {}\n                    field: {}\n                  config:\n                    severity: warn",
                    y(&format!("source('{DBT_SOURCE}', '{}')", r.stream)),
                    r.key
                ));
            }
            if tests.is_empty() {
                continue;
            }
            let _ = writeln!(o, "            data_tests:");
            for t in tests {
                let _ = writeln!(o, "              - {t}");
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_element_is_the_last_backticked_name_or_both_alternatives() {
        assert_eq!(
            source_element("When the ticket was created (`created_datetime`)."),
            Some("created_datetime".into())
        );
        assert_eq!(
            source_element("Requester id: `requester.id` on legacy tickets, else `customer.id`."),
            Some("requester.id / customer.id".into())
        );
        assert_eq!(source_element("When the sync started."), None);
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(fmt_duration(Duration::days(1)), "1 day");
        assert_eq!(fmt_duration(Duration::days(30)), "30 days");
        assert_eq!(fmt_duration(Duration::minutes(5)), "5 minutes");
    }

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(y("a: `b` # c"), "\"a: `b` # c\"");
    }
}
