//! Comparing what the mappings read with what the API sent: each stream
//! maps the sampled object through a recording [`RowContext`], its lookups
//! are traced back to paths in the object, and the paths are compared, with
//! the envelope, the order and the datetime forms the answers show. Only
//! names and classes leave here: a path segment that is not a field name
//! is masked.

use super::report::{Answer, StreamReport};
use crate::datetime;
use crate::json::{Doc, Node};
use crate::streams::{self, Endpoint, ReadPlan, RowContext, Rows, StreamDef};
use crate::sync::fetcher::SortCheck;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Streams reading one endpoint: one request serves them all.
pub(super) struct Group {
    pub(super) endpoint: Endpoint,
    pub(super) plan: ReadPlan,
    pub(super) streams: Vec<&'static StreamDef>,
}

pub(super) fn groups() -> Vec<Group> {
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
pub(super) enum Got {
    Doc(Doc),
    Failed(Answer),
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
pub(super) fn first_object(root: Node<'_>) -> Option<Node<'_>> {
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

/// The objects under member `v` (at `path`) that the mapping looked into,
/// each with its path: `v` itself, or each object of a list (`path[]`).
fn looked_into<'a>(v: Node<'a>, path: &str, known: &BTreeSet<String>) -> Vec<(Node<'a>, String)> {
    if v.is_object() && navigated(known, path) {
        return vec![(v, path.to_string())];
    }
    let inner = format!("{path}[]");
    if v.is_array() && navigated(known, &inner) {
        return v
            .elements()
            .filter(Node::is_object)
            .map(|e| (e, inner.clone()))
            .collect();
    }
    Vec::new()
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
        for (inner, p) in looked_into(v, &c, known) {
            unknown_fields(inner, &p, known, out);
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
        } else {
            for (inner, p) in looked_into(v, &c, known) {
                datetime_forms(inner, &p, known, out);
            }
        }
    }
}

/// What a group's answers hold before any mapping.
struct Samples<'d> {
    envelopes: BTreeSet<String>,
    /// Reachable, or the first failure: one refused value is worth a row.
    answer: Answer,
    /// The first object of each answer, with the parent id it was read under.
    objects: Vec<(Node<'d>, Option<i64>)>,
    /// Whether every answer kept the `order_by` asked for.
    ordered: bool,
}

fn samples<'d>(group: &Group, got: &'d [(Got, Option<i64>)]) -> Samples<'d> {
    let mut s = Samples {
        envelopes: BTreeSet::new(),
        answer: Answer::Reachable,
        objects: Vec::new(),
        ordered: true,
    };
    for (g, parent) in got {
        match g {
            Got::Doc(d) => {
                s.envelopes.insert(envelope(d.root()));
                s.ordered &= in_order(d.root(), group.endpoint.order_by);
                if let Some(o) = first_object(d.root()) {
                    s.objects.push((o, *parent));
                }
            }
            // The worst answer stands: one refused value is worth a row.
            Got::Failed(a) => {
                if s.answer == Answer::Reachable {
                    s.answer = a.clone();
                }
            }
        }
    }
    s
}

/// What one stream's mapping did with the sampled objects.
struct Traced {
    /// Every path it read, and whether some object sent it.
    reads: BTreeMap<String, bool>,
    /// Fields with a type it could not use.
    odd: u64,
    /// Its first mapping error.
    error: Option<String>,
}

/// Maps each object with a recording context and traces its lookups back
/// to paths in the object (`paths`: each object's node positions).
fn trace(
    s: &StreamDef,
    objects: &[(Node<'_>, Option<i64>)],
    paths: &[HashMap<u32, String>],
    domain: &str,
) -> Traced {
    let mut t = Traced {
        reads: BTreeMap::new(),
        odd: 0,
        error: None,
    };
    for (&(node, parent), paths) in objects.iter().zip(paths) {
        let ctx = RowContext::recording(domain, chrono::Utc::now());
        let mut rows = Rows::default();
        if let Err(e) = s.map_with_parent(node, parent, &ctx, &mut rows) {
            t.error.get_or_insert(e.message);
        }
        t.odd += ctx.coerced.get();
        for r in ctx.take_reads() {
            if let Some(p) = paths.get(&r.parent) {
                *t.reads.entry(join(p, &r.key)).or_default() |= r.sent;
            }
        }
    }
    t
}

/// Maps the sampled objects with every stream of the group and compares
/// what the mappings read with what the API sent.
pub(super) fn analyse(
    group: &Group,
    got: &[(Got, Option<i64>)],
    domain: &str,
) -> Vec<StreamReport> {
    let samples = samples(group, got);
    let paths: Vec<HashMap<u32, String>> = samples
        .objects
        .iter()
        .map(|&(node, _)| {
            let mut paths = HashMap::new();
            index_paths(node, "", &mut paths);
            paths
        })
        .collect();
    let traced: Vec<Traced> = group
        .streams
        .iter()
        .map(|s| trace(s, &samples.objects, &paths, domain))
        .collect();
    // A field any stream of the endpoint reads is known to the mapping.
    let known: BTreeSet<String> = traced
        .iter()
        .flat_map(|t| t.reads.keys().cloned())
        .collect();
    let mut not_known = BTreeSet::new();
    let mut forms = BTreeMap::new();
    for &(node, _) in &samples.objects {
        unknown_fields(node, "", &known, &mut not_known);
        datetime_forms(node, "", &known, &mut forms);
    }
    group
        .streams
        .iter()
        .zip(traced)
        .map(|(s, t)| StreamReport {
            stream: s.name(),
            endpoint: group.endpoint.path,
            answer: samples.answer.clone(),
            envelopes: samples.envelopes.clone(),
            objects_sampled: samples.objects.len(),
            not_sent: t
                .reads
                .iter()
                .filter(|(_, sent)| !**sent)
                .map(|(p, _)| shown(p))
                .collect(),
            not_known: not_known.clone(),
            datetime_forms: forms.clone(),
            odd_types: t.odd,
            mapping_error: t.error,
            out_of_order: group.endpoint.order_by.filter(|_| !samples.ordered),
            note: embedded_path(s, &samples.objects),
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
