//! `probe`: the first contact with a real account, diagnosed. The sandbox
//! was built from the same assumptions as the mappings, so only the real
//! API can say where they are wrong: one small request per endpoint, for
//! one object, shows whether the key may read it, the envelope it answers
//! with, the fields a mapping reads that it did not send, the fields it sent
//! that no mapping knows, and the datetime forms it uses.
//!
//! What is read comes from the mappings themselves: each stream maps the
//! sampled object through a recording [`RowContext`], and the lookups are
//! traced back to paths in the object. The request list comes from the
//! stream declarations, so a new stream is probed without a change here.
//!
//! Only names and classes are printed: a field's name, never its value; a
//! datetime's form, never the datetime; the endpoint's template
//! (`/views/{id}/items`), never the id that filled it. The one exception is
//! the list of views, names and ids, for choosing `view_ids`: they are the
//! account's own settings, not its customers' data.

use crate::client::{Client, Rotation};
use crate::config::{Auth, Config};
use crate::datetime;
use crate::error::{Error, FailureType, Result};
use crate::fetcher::SortCheck;
use crate::json::{Doc, Node};
use crate::streams::{self, Endpoint, ReadPlan, RowContext, Rows, StreamDef};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// What one stream's endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Reachable,
    Forbidden,
    NotFound,
    /// Another failure, in a few words that hold no value from the account.
    Failed(String),
    /// Not asked, and why (e.g. its parent list was empty).
    NotProbed(String),
}

impl Answer {
    fn label(&self) -> &'static str {
        match self {
            Answer::Reachable => "reachable",
            Answer::Forbidden => "403",
            Answer::NotFound => "404",
            Answer::Failed(_) => "error",
            Answer::NotProbed(_) => "not probed",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Answer::Forbidden => Some("403 Forbidden: the key's user may not read it; use an admin's key, or deselect the stream"),
            Answer::NotFound => Some("404 Not Found: the account does not have it; deselect the stream"),
            Answer::Failed(r) | Answer::NotProbed(r) => Some(r),
            Answer::Reachable => None,
        }
    }
}

/// One stream's findings.
#[derive(Debug, Clone)]
pub struct StreamReport {
    pub stream: &'static str,
    /// The endpoint as declared (`/views/{id}/items`), never with an id.
    pub endpoint: &'static str,
    pub answer: Answer,
    /// The envelopes seen, e.g. `list, meta.next_cursor`.
    pub envelopes: BTreeSet<String>,
    pub objects_sampled: usize,
    /// Paths the mapping read that the sampled objects did not have.
    pub not_sent: BTreeSet<String>,
    /// Paths the API sent that no mapping of this endpoint reads.
    pub not_known: BTreeSet<String>,
    /// Datetime form → the paths it was seen at.
    pub datetime_forms: BTreeMap<String, BTreeSet<String>>,
    /// Fields with a type the mapping could not use (read as null).
    pub odd_types: u64,
    pub mapping_error: Option<String>,
    /// The `order_by` asked for, when a sampled page did not keep it.
    pub out_of_order: Option<&'static str>,
    /// How the endpoint was sampled, when it is not one plain request.
    pub note: Option<String>,
}

/// What the rate-limit header said.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    /// Every bucket size (`limit` of `used/limit`) seen.
    pub sizes: BTreeSet<u32>,
    pub api_key: bool,
}

impl Bucket {
    fn size(&self) -> Option<u32> {
        self.sizes.iter().next_back().copied()
    }

    fn meaning(&self) -> String {
        let auth = if self.api_key {
            "the config signs in with an API key"
        } else {
            "the config signs in with an OAuth2 token"
        };
        match self.size() {
            None => "no X-Gorgias-Account-Api-Call-Limit header was seen, so the bucket size cannot be told (a proxy in between may drop it)".to_string(),
            Some(40) => format!("40 requests: the bucket of an API key (private app); {auth}"),
            Some(80) => format!("80 requests: the bucket of an OAuth app; {auth}"),
            Some(n) => format!("{n} requests: not a size Gorgias documents (40 for API keys, 80 for OAuth apps); the connector paces by it anyway"),
        }
    }

    const WINDOW: &'static str = "cannot be told: the header gives the bucket's size, not its window (20 s, or 10 s on Enterprise), and a probe is too short to measure the drain";
}

/// The whole probe.
#[derive(Debug, Clone)]
pub struct Report {
    pub domain: String,
    pub requests: u64,
    pub endpoints: usize,
    pub bucket: Bucket,
    pub streams: Vec<StreamReport>,
    /// Every view (id, name), for `view_ids`; `None` when `/views` could
    /// not be read to its end.
    pub views: Option<Vec<(i64, String)>>,
}

/// Streams reading one endpoint: one request serves them all.
struct Group {
    endpoint: Endpoint,
    plan: ReadPlan,
    streams: Vec<&'static StreamDef>,
}

fn groups() -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for &s in streams::ALL {
        match out.iter_mut().find(|g| g.endpoint == s.endpoint()) {
            Some(g) => g.streams.push(s),
            None => out.push(Group {
                endpoint: s.endpoint(),
                plan: s.plan(),
                streams: vec![s],
            }),
        }
    }
    out
}

/// One request's outcome.
enum Got {
    Doc(Doc),
    Failed(Answer),
}

const ACCOUNT: &str = "/account";

/// Probes the account. Fails (with the usual sentence) only when the
/// account itself cannot be read: a bad config, a host that is not
/// Gorgias, refused credentials.
pub fn probe(config: &Config, client: &mut Client) -> Result<Report> {
    let mut bucket = Bucket {
        api_key: matches!(config.auth, Auth::ApiKey { .. }),
        ..Bucket::default()
    };
    let account = client.get_doc(ACCOUNT, &[]);
    note_limit(client, &mut bucket);
    let account = account?;
    // Answers by endpoint path, so a parent list is asked once.
    let mut answers: HashMap<&'static str, Got> = HashMap::new();
    answers.insert(ACCOUNT, Got::Doc(account));
    // Three objects: enough to see whether the list keeps its order.
    let limit = "3";
    let mut reports = Vec::new();
    let mut endpoints: BTreeSet<&'static str> = BTreeSet::from([ACCOUNT]);
    for group in groups() {
        let endpoint = group.endpoint;
        let mut note = None;
        // (answer per request, parent id for child lists)
        let mut got: Vec<(Got, Option<i64>)> = Vec::new();
        match group.plan {
            ReadPlan::Single => {
                let g = match answers.remove(endpoint.path) {
                    Some(g) => g,
                    None => {
                        endpoints.insert(endpoint.path);
                        fetch(client, &mut bucket, endpoint.path, &[])
                    }
                };
                got.push((g, None));
            }
            ReadPlan::PerParent(parent) => {
                if !answers.contains_key(parent.path) {
                    endpoints.insert(parent.path);
                    let query = list_query(limit, parent.order_by, &[]);
                    let g = fetch(client, &mut bucket, parent.path, &query);
                    answers.insert(parent.path, g);
                }
                let parent_id = match answers.get(parent.path) {
                    Some(Got::Doc(d)) => match first_object(d.root()) {
                        Some(p) => p.get("id").and_then(|id| id.as_i64()).ok_or_else(|| {
                            Answer::NotProbed(format!(
                                "the first object of {} has no numeric id",
                                parent.path
                            ))
                        }),
                        None => Err(Answer::NotProbed(format!(
                            "{} is empty, so there is no parent to read it under",
                            parent.path
                        ))),
                    },
                    _ => Err(Answer::NotProbed(format!(
                        "{} could not be read, so there is no parent to read it under",
                        parent.path
                    ))),
                };
                note = Some(format!("read under the first object of {}", parent.path));
                match parent_id {
                    Ok(id) => {
                        endpoints.insert(endpoint.path);
                        let path = endpoint.path.replace("{id}", &id.to_string());
                        let query = list_query(limit, endpoint.order_by, &[]);
                        got.push((fetch(client, &mut bucket, &path, &query), Some(id)));
                    }
                    Err(a) => got.push((Got::Failed(a), None)),
                }
            }
            ReadPlan::EachOf { param, values } => {
                // One request per value: each is a list of its own, which
                // the key may be allowed to read or not.
                note = Some(format!("one request per {param} ({})", values.join(", ")));
                for v in values {
                    endpoints.insert(endpoint.path);
                    let query = list_query(
                        limit,
                        endpoint.order_by,
                        &[(param.to_string(), v.to_string())],
                    );
                    got.push((fetch(client, &mut bucket, endpoint.path, &query), None));
                }
            }
            _ => {
                endpoints.insert(endpoint.path);
                let filters: Vec<(String, String)> = group.streams[0]
                    .filters(config)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                let query = list_query(limit, endpoint.order_by, &filters);
                let g = fetch(client, &mut bucket, endpoint.path, &query);
                got.push((g, None));
            }
        }
        let g = analyse(&group, &got, &config.domain);
        for mut r in g {
            r.note = [note.clone(), r.note.take()]
                .into_iter()
                .flatten()
                .reduce(|a, b| format!("{a}; {b}"));
            reports.push(r);
        }
        // A list another stream's reads hang under (views) stays known.
        if let Some((g, _)) = got.into_iter().next() {
            answers.entry(endpoint.path).or_insert(g);
        }
    }
    let views = list_views(client);
    note_limit(client, &mut bucket);
    Ok(Report {
        domain: config.domain.clone(),
        requests: client.requests(),
        endpoints: endpoints.len(),
        bucket,
        streams: reports,
        views,
    })
}

/// Every view's id and name, so the user can choose `view_ids`: each chosen
/// view costs a request per page of its tickets on every sync. A short
/// list (one request per 100 views); a failure, or a list that does not
/// end as Gorgias's do, leaves it out of the report.
fn list_views(client: &mut Client) -> Option<Vec<(i64, String)>> {
    // Far more views than any account has, so a list whose cursors come
    // round again still ends.
    const MAX_PAGES: usize = 50;
    let endpoint = streams::find("views")?.endpoint();
    let mut views = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = list_query("100", endpoint.order_by, &[]);
        if let Some(c) = cursor.take() {
            query.push(("cursor".to_string(), c));
        }
        let q: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = client.get_page(endpoint.path, &q).ok()?;
        for v in page.objects() {
            let id = v.get("id").and_then(|id| id.as_i64());
            let name = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
            if let Some(id) = id.filter(|id| !views.iter().any(|(seen, _)| seen == id)) {
                views.push((id, name.to_string()));
            }
        }
        match page.next_cursor {
            // Gorgias's cursors are base64: anything else is not asked for.
            Some(next) if page.dead_end.is_none() && is_base64(&next) => cursor = Some(next),
            Some(_) => return None,
            None => return Some(views),
        }
    }
    None
}

fn is_base64(cursor: &str) -> bool {
    !cursor.is_empty()
        && cursor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b))
}

fn list_query(
    limit: &str,
    order_by: Option<&str>,
    extra: &[(String, String)],
) -> Vec<(String, String)> {
    let mut q = vec![("limit".to_string(), limit.to_string())];
    if let Some(o) = order_by {
        q.push(("order_by".to_string(), o.to_string()));
    }
    q.extend(extra.iter().cloned());
    q
}

fn note_limit(client: &Client, bucket: &mut Bucket) {
    if let Some((_, limit)) = client.stats.last_call_limit {
        if limit >= 1.0 && limit < f64::from(u32::MAX) {
            bucket.sizes.insert(limit.round() as u32);
        }
    }
}

fn fetch(client: &mut Client, bucket: &mut Bucket, path: &str, query: &[(String, String)]) -> Got {
    let q: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let result = client.get_doc(path, &q);
    note_limit(client, bucket);
    match result {
        Ok(doc) => Got::Doc(doc),
        Err(e) => Got::Failed(failure(client.stats.last_status, &e)),
    }
}

/// A failure in a few words of our own: the client's sentence can carry the
/// concrete path (a view's id) or the server's error text.
fn failure(status: Option<u16>, e: &Error) -> Answer {
    match status {
        Some(403) => Answer::Forbidden,
        Some(404) => Answer::NotFound,
        Some(401) => Answer::Failed("401 Unauthorized: the credentials were refused here though /account accepted them".into()),
        Some(400) => Answer::Failed("400 Bad Request: the endpoint refused a parameter the connector sends; please report it".into()),
        Some(429) => Answer::Failed("429 Too Many Requests after every retry: other apps are using the rate limit; probe again later".into()),
        Some(s @ 500..=599) => Answer::Failed(format!("HTTP {s} after every retry")),
        Some(s @ 200..=299) => Answer::Failed(match e.failure {
            FailureType::Config => "an HTML page instead of JSON".into(),
            FailureType::Transient => format!("HTTP {s} with a body that is not complete JSON"),
            FailureType::System => format!("HTTP {s} with an error object instead of data"),
        }),
        Some(s) => Answer::Failed(format!("HTTP {s}")),
        None => Answer::Failed(match e.failure {
            FailureType::Transient => "no answer: the connection kept failing".into(),
            _ => "no answer: the request could not be made".into(),
        }),
    }
}

fn envelope(root: Node<'_>) -> String {
    if root.is_array() {
        return "bare array".into();
    }
    if !root.is_object() {
        return "neither a list nor an object".into();
    }
    match root.get("data") {
        Some(d) if d.is_array() => match root.get("meta") {
            Some(m) if m.get("next_cursor").is_some() => "list, meta.next_cursor".into(),
            Some(m) if m.get("next_items").is_some() => "list, meta.next_items".into(),
            Some(m) if m.is_object() => "list, meta without a next link".into(),
            _ => "list without meta".into(),
        },
        Some(_) => "object whose data is not a list".into(),
        None => "single object".into(),
    }
}

/// Whether a list answer keeps the `order_by` it was asked for (a single
/// object, or a list without an order, trivially does).
fn in_order(root: Node<'_>, order_by: Option<&str>) -> bool {
    let (Some(mut check), Some(list)) = (
        order_by.and_then(SortCheck::new),
        root.get("data")
            .filter(Node::is_array)
            .or_else(|| root.is_array().then_some(root)),
    ) else {
        return true;
    };
    check.all_hold(list.elements())
}

/// The list's first object, or the object itself.
fn first_object(root: Node<'_>) -> Option<Node<'_>> {
    let list = match root.get("data") {
        Some(d) if d.is_array() => d,
        _ if root.is_array() => root,
        _ if root.is_object() => return Some(root),
        _ => return None,
    };
    list.elements().find(Node::is_object)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of every object node under `node`: `customer`, `tags[]`, …
fn index_paths(node: Node<'_>, path: &str, out: &mut HashMap<u32, String>) {
    if node.is_object() {
        out.insert(node.position(), path.to_string());
        for (k, v) in node.members() {
            index_paths(v, &join(path, k), out);
        }
    } else if node.is_array() {
        let p = format!("{path}[]");
        for e in node.elements() {
            index_paths(e, &p, out);
        }
    }
}

/// Whether some read path lies under `path` (`path.x` or `path[]…`): the
/// mapping looked inside it rather than taking it whole.
fn navigated(known: &BTreeSet<String>, path: &str) -> bool {
    known
        .range(path.to_string()..)
        .take_while(|k| k.starts_with(path))
        .any(|k| matches!(k.as_bytes().get(path.len()), Some(b'.') | Some(b'[')))
}

/// API fields under `node` that no read covers. A field read but not looked
/// inside (kept as JSON) covers its whole subtree.
fn unknown_fields(
    node: Node<'_>,
    path: &str,
    known: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    for (k, v) in node.members() {
        let c = join(path, k);
        if !known.contains(&c) && !navigated(known, &c) {
            out.insert(shown(&c));
            continue;
        }
        if v.is_object() && navigated(known, &c) {
            unknown_fields(v, &c, known, out);
        } else if v.is_array() {
            let inner = format!("{c}[]");
            if navigated(known, &inner) {
                for e in v.elements().filter(Node::is_object) {
                    unknown_fields(e, &inner, known, out);
                }
            }
        }
    }
}

/// A path as printed: a segment that does not look like a field name (an
/// id used as a key, free text) is masked, so no value is ever printed.
fn shown(path: &str) -> String {
    path.split('.')
        .map(|seg| {
            let name = seg.trim_end_matches("[]");
            let suffix = &seg[name.len()..];
            let fieldish = !name.is_empty()
                && name.len() <= 64
                && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if fieldish {
                seg.to_string()
            } else {
                format!("<key>{suffix}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The form of a string that looks like a datetime, e.g. `offset+fraction`;
/// `None` for any other string.
pub fn datetime_form(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shaped = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':';
    if !shaped {
        return None;
    }
    if datetime::parse_api(s).is_none() {
        return Some("unreadable".into());
    }
    let mut rest = s.get(19..).unwrap_or_default();
    let fraction = rest.starts_with('.');
    if fraction {
        rest = rest[1..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone = match rest.as_bytes().first() {
        None => "naive",
        Some(b'Z') | Some(b'z') => "Z",
        _ => "offset",
    };
    let mut form = if b[10] == b' ' {
        "space separator, ".to_string()
    } else {
        String::new()
    };
    form.push_str(zone);
    form.push_str(if fraction {
        "+fraction"
    } else {
        ", no fraction"
    });
    Some(form)
}

/// The datetime forms of the strings in the parts of the object the mapping
/// looks into: free-form data kept whole (a customer's `data`) is not
/// walked, so its keys, which a merchant chose, are not printed either.
fn datetime_forms(
    node: Node<'_>,
    path: &str,
    known: &BTreeSet<String>,
    out: &mut BTreeMap<String, BTreeSet<String>>,
) {
    for (k, v) in node.members() {
        let c = join(path, k);
        if let Some(s) = v.as_str() {
            let named = k.ends_with("_datetime");
            let form = datetime_form(s).or_else(|| named.then(|| "unreadable".to_string()));
            if let Some(f) = form {
                out.entry(f).or_default().insert(shown(&c));
            }
        } else if v.is_object() && navigated(known, &c) {
            datetime_forms(v, &c, known, out);
        } else if v.is_array() {
            let inner = format!("{c}[]");
            if navigated(known, &inner) {
                for e in v.elements().filter(Node::is_object) {
                    datetime_forms(e, &inner, known, out);
                }
            }
        }
    }
}

/// Maps the sampled objects with every stream of the group and compares
/// what the mappings read with what the API sent.
fn analyse(group: &Group, got: &[(Got, Option<i64>)], domain: &str) -> Vec<StreamReport> {
    let mut envelopes = BTreeSet::new();
    let mut answer = Answer::Reachable;
    let mut samples: Vec<(Node<'_>, Option<i64>)> = Vec::new();
    let mut ordered = true;
    for (g, parent) in got {
        match g {
            Got::Doc(d) => {
                envelopes.insert(envelope(d.root()));
                ordered &= in_order(d.root(), group.endpoint.order_by);
                if let Some(o) = first_object(d.root()) {
                    samples.push((o, *parent));
                }
            }
            // The worst answer stands: one refused value is worth a row.
            Got::Failed(a) => {
                if answer == Answer::Reachable {
                    answer = a.clone();
                }
            }
        }
    }
    let mut reads: Vec<BTreeMap<String, bool>> = vec![BTreeMap::new(); group.streams.len()];
    let mut odd = vec![0u64; group.streams.len()];
    let mut errors: Vec<Option<String>> = vec![None; group.streams.len()];
    let mut forms = BTreeMap::new();
    for &(node, parent) in &samples {
        let mut paths = HashMap::new();
        index_paths(node, "", &mut paths);
        for (i, s) in group.streams.iter().enumerate() {
            let ctx = RowContext::recording(domain, chrono::Utc::now());
            let mut rows = Rows::default();
            if let Err(e) = s.map_with_parent(node, parent, &ctx, &mut rows) {
                errors[i].get_or_insert(e.message);
            }
            odd[i] += ctx.coerced.get();
            for r in ctx.take_reads() {
                if let Some(p) = paths.get(&r.parent) {
                    *reads[i].entry(join(p, &r.key)).or_default() |= r.sent;
                }
            }
        }
    }
    let known: BTreeSet<String> = reads.iter().flat_map(|r| r.keys().cloned()).collect();
    let mut not_known = BTreeSet::new();
    for &(node, _) in &samples {
        unknown_fields(node, "", &known, &mut not_known);
        datetime_forms(node, "", &known, &mut forms);
    }
    group
        .streams
        .iter()
        .enumerate()
        .map(|(i, s)| StreamReport {
            stream: s.name(),
            endpoint: group.endpoint.path,
            answer: answer.clone(),
            envelopes: envelopes.clone(),
            objects_sampled: samples.len(),
            not_sent: reads[i]
                .iter()
                .filter(|(_, sent)| !**sent)
                .map(|(p, _)| shown(p))
                .collect(),
            not_known: not_known.clone(),
            datetime_forms: forms.clone(),
            odd_types: odd[i],
            mapping_error: errors[i].clone(),
            out_of_order: group.endpoint.order_by.filter(|_| !ordered),
            note: embedded_path(s, &samples),
        })
        .collect()
}

/// Which way a sync reads a stream's embedded member on this account,
/// judged as the sync judges it: from whether the list's objects carry it.
fn embedded_path(s: &StreamDef, samples: &[(Node<'_>, Option<i64>)]) -> Option<String> {
    let e = s.embedded?;
    let (first, _) = samples.first()?;
    Some(match first.get(e.member) {
        Some(_) => format!(
            "the list carries `{}`: a sync reads it from the list's pages, with no extra request",
            e.member
        ),
        None => format!(
            "the list leaves `{}` out: a sync reads /api{} for each object it delivers, one request each (about 2 h per 15,000 on a first full read)",
            e.member, e.each
        ),
    })
}

impl Report {
    /// One JSON document for machines.
    pub fn to_json(&self) -> Value {
        let streams: Vec<Value> = self
            .streams
            .iter()
            .map(|s| {
                json!({
                    "stream": s.stream,
                    "endpoint": s.endpoint,
                    "answer": match s.answer {
                        Answer::Reachable => "reachable",
                        Answer::Forbidden => "forbidden",
                        Answer::NotFound => "not_found",
                        Answer::Failed(_) => "error",
                        Answer::NotProbed(_) => "not_probed",
                    },
                    "reason": s.answer.reason(),
                    "envelopes": s.envelopes,
                    "objects_sampled": s.objects_sampled,
                    "mapping_reads_not_sent": s.not_sent,
                    "api_fields_not_known": s.not_known,
                    "datetime_forms": s.datetime_forms,
                    "fields_with_undocumented_type": s.odd_types,
                    "mapping_error": s.mapping_error,
                    "out_of_order": s.out_of_order,
                    "note": s.note,
                })
            })
            .collect();
        json!({
            "domain": self.domain,
            "account": "answered",
            "requests": self.requests,
            "endpoints": self.endpoints,
            "rate_limit": {
                "header": "X-Gorgias-Account-Api-Call-Limit",
                "bucket_size": self.bucket.size(),
                "means": self.bucket.meaning(),
                "window": Bucket::WINDOW,
            },
            "streams": streams,
            "views": self.views.as_ref().map(|v| {
                v.iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect::<Vec<_>>()
            }),
        })
    }

    /// The human table, then the names behind its counts.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let reachable = self
            .streams
            .iter()
            .filter(|s| s.answer == Answer::Reachable)
            .count();
        out.push_str(&format!(
            "Gorgias account `{}` answered: {reachable} of {} streams reachable, {} requests to {} endpoints.\n",
            self.domain,
            self.streams.len(),
            self.requests,
            self.endpoints
        ));
        out.push_str(&format!(
            "Rate limit (X-Gorgias-Account-Api-Call-Limit): {}.\nRate-limit window: {}.\n\n",
            self.bucket.meaning(),
            Bucket::WINDOW
        ));
        let header = [
            "stream",
            "answer",
            "envelope",
            "datetime forms",
            "not sent",
            "not known",
        ];
        let rows: Vec<[String; 6]> = self
            .streams
            .iter()
            .map(|s| {
                let forms: Vec<&str> = s.datetime_forms.keys().map(String::as_str).collect();
                [
                    s.stream.to_string(),
                    s.answer.label().to_string(),
                    join_or_dash(s.envelopes.iter().map(String::as_str)),
                    join_or_dash(forms.into_iter()),
                    count(s, s.not_sent.len()),
                    count(s, s.not_known.len()),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[&str]| {
            let mut l = String::new();
            for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    l.push_str(c);
                } else {
                    l.push_str(&format!("{c:<w$}  "));
                }
            }
            l.trim_end().to_string() + "\n"
        };
        out.push_str(&line(&header));
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            out.push_str(&line(&cells));
        }
        let mut section = |title: &str, items: Vec<(String, String)>| {
            if items.is_empty() {
                return;
            }
            out.push_str(&format!("\n{title}\n"));
            for (who, what) in items {
                out.push_str(&format!("  {who}: {what}\n"));
            }
        };
        let names = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
        section(
            "Not reachable:",
            self.streams
                .iter()
                .filter_map(|s| {
                    s.answer
                        .reason()
                        .filter(|_| s.answer != Answer::Reachable)
                        .map(|r| (s.stream.to_string(), format!("{} ({})", r, s.endpoint)))
                })
                .collect(),
        );
        section(
            "Reachable but empty (no object to compare):",
            self.streams
                .iter()
                .filter(|s| s.answer == Answer::Reachable && s.objects_sampled == 0)
                .map(|s| {
                    (
                        s.stream.to_string(),
                        format!("{} listed nothing", s.endpoint),
                    )
                })
                .collect(),
        );
        section(
            "Mapping reads, API did not send (in the sampled objects):",
            self.streams
                .iter()
                .filter(|s| !s.not_sent.is_empty())
                .map(|s| (s.stream.to_string(), names(&s.not_sent)))
                .collect(),
        );
        // One line per endpoint: streams sharing it share the finding.
        let mut by_endpoint: Vec<(&str, Vec<&str>, &BTreeSet<String>)> = Vec::new();
        for s in self.streams.iter().filter(|s| !s.not_known.is_empty()) {
            match by_endpoint.iter_mut().find(|(e, _, _)| *e == s.endpoint) {
                Some((_, who, _)) => who.push(s.stream),
                None => by_endpoint.push((s.endpoint, vec![s.stream], &s.not_known)),
            }
        }
        section(
            "API fields not known to the mapping (names only):",
            by_endpoint
                .into_iter()
                .map(|(_, who, n)| (who.join(", "), names(n)))
                .collect(),
        );
        section(
            "Mapping problems:",
            self.streams
                .iter()
                .filter_map(|s| {
                    let mut p = Vec::new();
                    if let Some(e) = &s.mapping_error {
                        p.push(e.trim_end_matches('.').to_string());
                    }
                    if s.odd_types > 0 {
                        p.push(format!(
                            "{} fields had a type the API does not document and were read as null",
                            s.odd_types
                        ));
                    }
                    (!p.is_empty()).then(|| (s.stream.to_string(), p.join("; ")))
                })
                .collect(),
        );
        section(
            "Not in the order asked for (a sync reads these lists to their end, without an early stop):",
            self.streams
                .iter()
                .filter_map(|s| {
                    let order = s.out_of_order?;
                    Some((
                        s.stream.to_string(),
                        format!("{} did not come back in order_by={order}", s.endpoint),
                    ))
                })
                .collect(),
        );
        section(
            "How endpoints were sampled:",
            self.streams
                .iter()
                .filter_map(|s| s.note.as_ref().map(|n| (s.stream.to_string(), n.clone())))
                .collect(),
        );
        if let Some(views) = &self.views {
            section(
                "Views (view_items reads each whole on every sync; set `view_ids` to the ids of those you need):",
                views
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
            );
        }
        out.push_str("\nOnly field names and forms are printed, never a value from the account or a credential, but the views' names and ids.\n");
        out
    }
}

/// A count of fields, or `-` where no object was there to compare.
fn count(s: &StreamReport, n: usize) -> String {
    if s.objects_sampled == 0 {
        "-".into()
    } else {
        n.to_string()
    }
}

fn join_or_dash<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join("; ")
    }
}

/// Runs the probe for a face and writes the table (or the JSON document).
/// A refresh token rotated on the way goes to `pass_on` before anything
/// else is written or fails: the old one no longer works.
pub fn run(
    config: &Config,
    as_json: bool,
    out: &mut dyn Write,
    pass_on: &mut dyn FnMut(&mut dyn Write, &Rotation) -> Result<()>,
) -> Result<()> {
    let mut client = Client::new(config);
    client.use_check_budget();
    let report = probe(config, &mut client);
    if let Some(rotation) = client.rotation().take() {
        pass_on(out, &rotation)?;
    }
    let report = report?;
    // Field names are the server's text, and a server can name a field
    // after the key: the report passes the redactor like every message.
    if as_json {
        let mut report = report.to_json();
        crate::error::redact_value(&mut report);
        serde_json::to_writer_pretty(&mut *out, &report).map_err(|e| Error::output(e.into()))?;
        out.write_all(b"\n").map_err(Error::output)?;
    } else {
        out.write_all(crate::error::redact(&report.to_table()).as_bytes())
            .map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_forms_are_classified_without_the_value() {
        for (s, want) in [
            ("2024-06-20T07:39:36.514848+00:00", "offset+fraction"),
            ("2024-11-01T10:59:29+00:00", "offset, no fraction"),
            ("2019-11-16T15:59:41.966927", "naive+fraction"),
            ("2019-11-16T15:59:41", "naive, no fraction"),
            (
                "2024-06-20 07:39:36.5+00:00",
                "space separator, offset+fraction",
            ),
            ("2024-06-20T07:39:36Z", "Z, no fraction"),
            ("2024-13-40T07:39:36Z", "unreadable"),
        ] {
            assert_eq!(datetime_form(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(datetime_form("hello world, how are you"), None);
        assert_eq!(datetime_form("2024"), None);
    }

    #[test]
    fn keys_that_are_not_names_are_masked() {
        assert_eq!(shown("customer.email"), "customer.email");
        assert_eq!(shown("tags[].uri"), "tags[].uri");
        assert_eq!(shown("integrations.12345.x"), "integrations.<key>.x");
        assert_eq!(shown("data.Hello World"), "data.<key>");
    }

    #[test]
    fn reads_are_traced_to_paths_and_compared() {
        let obj = serde_json::json!({"id": 1, "customer": {"id": 2, "email": "e", "shoe_size": 9},
            "tags": [{"id": 3, "name": "vip", "uri": "/x"}], "brand_new": {"a": 1},
            "updated_datetime": "2024-11-01T10:59:29+00:00"});
        let doc = Doc::from_value(&obj);
        let group = groups()
            .into_iter()
            .find(|g| g.endpoint.path == "/tickets")
            .unwrap();
        let reports = analyse(&group, &[(Got::Doc(doc), None)], "acme");
        let tickets = reports.iter().find(|r| r.stream == "tickets").unwrap();
        assert!(
            tickets.not_known.contains("brand_new"),
            "{:?}",
            tickets.not_known
        );
        assert!(tickets.not_known.contains("customer.shoe_size"));
        assert!(tickets.not_known.contains("tags[].uri"));
        // ticket_tags reads the tags, so they are known on this endpoint.
        assert!(!tickets.not_known.contains("tags"));
        assert!(tickets.not_sent.contains("subject"));
        assert!(tickets.not_sent.contains("customer.firstname"));
        assert!(!tickets.not_sent.contains("assignee_user.email"));
        assert_eq!(
            tickets.datetime_forms.keys().collect::<Vec<_>>(),
            ["offset, no fraction"]
        );
    }
}
