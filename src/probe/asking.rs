//! Asking the account: `/account` first (the one answer that must come),
//! then one small request per endpoint, shaped as each group's read plan
//! reads it, and the list of views. Counts the requests and the endpoints,
//! and notes the rate-limit bucket each answer shows.

use super::analysing::{analyse, first_object, groups, Got, Group};
use super::report::{Answer, Bucket, Report};
use crate::client::Client;
use crate::config::{Auth, Config};
use crate::error::{Error, FailureType, Result};
use crate::streams::{self, Endpoint, ReadPlan};
use std::collections::{BTreeSet, HashMap};

const ACCOUNT: &str = "/account";

/// Three objects: enough to see whether the list keeps its order.
const SAMPLE: &str = "3";

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
    let mut session = Session {
        client,
        bucket,
        answers: HashMap::from([(ACCOUNT, Got::Doc(account))]),
        endpoints: BTreeSet::from([ACCOUNT]),
    };
    let mut reports = Vec::new();
    for group in groups() {
        let (got, note) = session.ask(&group, config);
        for mut r in analyse(&group, &got, &config.domain) {
            r.note = [note.clone(), r.note.take()]
                .into_iter()
                .flatten()
                .reduce(|a, b| format!("{a}; {b}"));
            reports.push(r);
        }
        // A list another stream's reads hang under (views) stays known.
        if let Some((g, _)) = got.into_iter().next() {
            session.answers.entry(group.endpoint.path).or_insert(g);
        }
    }
    let views = list_views(session.client);
    note_limit(session.client, &mut session.bucket);
    Ok(Report {
        domain: config.domain.clone(),
        requests: session.client.requests(),
        endpoints: session.endpoints.len(),
        bucket: session.bucket,
        streams: reports,
        views,
    })
}

/// The requests of one probe and what they answered.
struct Session<'c> {
    client: &'c mut Client,
    bucket: Bucket,
    /// Answers by endpoint path, so a parent list is asked once.
    answers: HashMap<&'static str, Got>,
    /// Every endpoint asked, by its template.
    endpoints: BTreeSet<&'static str>,
}

/// A group's answers, each with the parent id a child list was read under.
type Answers = Vec<(Got, Option<i64>)>;

impl Session<'_> {
    /// Asks for a group's sample the way its plan reads the endpoint: its
    /// answers, and how it was sampled when that is not one plain request.
    fn ask(&mut self, group: &Group, config: &Config) -> (Answers, Option<String>) {
        let endpoint = group.endpoint;
        match group.plan {
            ReadPlan::Single => {
                let g = match self.answers.remove(endpoint.path) {
                    Some(g) => g,
                    None => self.fetch(endpoint.path, endpoint.path, &[]),
                };
                (vec![(g, None)], None)
            }
            ReadPlan::PerParent(parent) => {
                let note = format!("read under the first object of {}", parent.path);
                (vec![self.ask_under_parent(endpoint, parent)], Some(note))
            }
            ReadPlan::EachOf { param, values } => {
                // One request per value: each is a list of its own, which
                // the key may be allowed to read or not.
                let note = format!("one request per {param} ({})", values.join(", "));
                let got = values
                    .iter()
                    .map(|v| {
                        let value = [(param.to_string(), v.to_string())];
                        let query = list_query(SAMPLE, endpoint.order_by, &value);
                        (self.fetch(endpoint.path, endpoint.path, &query), None)
                    })
                    .collect();
                (got, Some(note))
            }
            _ => {
                let filters: Vec<(String, String)> = group.streams[0]
                    .filters(config)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                let query = list_query(SAMPLE, endpoint.order_by, &filters);
                (
                    vec![(self.fetch(endpoint.path, endpoint.path, &query), None)],
                    None,
                )
            }
        }
    }

    /// A child list, asked under the first object of its parent's list,
    /// which is asked first unless another stream already did.
    fn ask_under_parent(&mut self, endpoint: Endpoint, parent: Endpoint) -> (Got, Option<i64>) {
        if !self.answers.contains_key(parent.path) {
            let query = list_query(SAMPLE, parent.order_by, &[]);
            let g = self.fetch(parent.path, parent.path, &query);
            self.answers.insert(parent.path, g);
        }
        match parent_id(self.answers.get(parent.path), parent.path) {
            Ok(id) => {
                let path = endpoint.path.replace("{id}", &id.to_string());
                let query = list_query(SAMPLE, endpoint.order_by, &[]);
                (self.fetch(endpoint.path, &path, &query), Some(id))
            }
            Err(a) => (Got::Failed(a), None),
        }
    }

    /// One request to `path`, counted under its endpoint's `template`.
    fn fetch(&mut self, template: &'static str, path: &str, query: &[(String, String)]) -> Got {
        self.endpoints.insert(template);
        let q: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let result = self.client.get_doc(path, &q);
        note_limit(self.client, &mut self.bucket);
        match result {
            Ok(doc) => Got::Doc(doc),
            Err(e) => Got::Failed(failure(self.client.stats.last_status, &e)),
        }
    }
}

/// The id of the first object of a parent list's answer, or why a child
/// list cannot be read under it.
fn parent_id(got: Option<&Got>, parent: &str) -> std::result::Result<i64, Answer> {
    match got {
        Some(Got::Doc(d)) => match first_object(d.root()) {
            Some(p) => p.get("id").and_then(|id| id.as_i64()).ok_or_else(|| {
                Answer::NotProbed(format!("the first object of {parent} has no numeric id"))
            }),
            None => Err(Answer::NotProbed(format!(
                "{parent} is empty, so there is no parent to read it under"
            ))),
        },
        _ => Err(Answer::NotProbed(format!(
            "{parent} could not be read, so there is no parent to read it under"
        ))),
    }
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
