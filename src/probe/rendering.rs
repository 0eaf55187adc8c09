//! A probe's report for people (an aligned table, then the names behind
//! its counts) and for machines (one JSON document).

use super::report::{Answer, Bucket, Report, StreamReport};
use serde_json::{json, Value};
use std::collections::BTreeSet;

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
        let mut out = self.summary();
        out.push_str(&self.status_table());
        for (title, items) in self.sections() {
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title}\n"));
            for (who, what) in items {
                out.push_str(&format!("  {who}: {what}\n"));
            }
        }
        out.push_str("\nOnly field names and forms are printed, never a value from the account or a credential, but the views' names and ids.\n");
        out
    }

    /// The opening lines: how much answered, and the rate-limit bucket.
    fn summary(&self) -> String {
        let reachable = self
            .streams
            .iter()
            .filter(|s| s.answer == Answer::Reachable)
            .count();
        format!(
            "Gorgias account `{}` answered: {reachable} of {} streams reachable, {} requests to {} endpoints.\n\
             Rate limit (X-Gorgias-Account-Api-Call-Limit): {}.\nRate-limit window: {}.\n\n",
            self.domain,
            self.streams.len(),
            self.requests,
            self.endpoints,
            self.bucket.meaning(),
            Bucket::WINDOW
        )
    }

    /// One aligned line per stream: its answer and its counts.
    fn status_table(&self) -> String {
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
        let mut out = aligned(&header, &widths);
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            out.push_str(&aligned(&cells, &widths));
        }
        out
    }

    /// The sections under the table, in order: a title and its lines, each
    /// naming a stream (or a view) and what was found. A section without
    /// lines is not printed.
    fn sections(&self) -> Vec<(&'static str, Lines)> {
        let mut all = vec![
            ("Not reachable:", self.not_reachable()),
            (
                "Reachable but empty (no object to compare):",
                self.lines(|s| {
                    (s.answer == Answer::Reachable && s.objects_sampled == 0)
                        .then(|| format!("{} listed nothing", s.endpoint))
                }),
            ),
            (
                "Mapping reads, API did not send (in the sampled objects):",
                self.lines(|s| (!s.not_sent.is_empty()).then(|| names(&s.not_sent))),
            ),
            (
                "API fields not known to the mapping (names only):",
                self.not_known_by_endpoint(),
            ),
            ("Mapping problems:", self.lines(mapping_problems)),
            (
                "Not in the order asked for (a sync reads these lists to their end, without an early stop):",
                self.lines(|s| {
                    let order = s.out_of_order?;
                    Some(format!("{} did not come back in order_by={order}", s.endpoint))
                }),
            ),
            ("How endpoints were sampled:", self.lines(|s| s.note.clone())),
        ];
        if let Some(views) = &self.views {
            all.push((
                "Views (view_items reads each whole on every sync; set `view_ids` to the ids of those you need):",
                views
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
            ));
        }
        all
    }

    /// A line per stream that `what` has something to say about.
    fn lines(&self, what: impl Fn(&StreamReport) -> Option<String>) -> Lines {
        self.streams
            .iter()
            .filter_map(|s| what(s).map(|w| (s.stream.to_string(), w)))
            .collect()
    }

    fn not_reachable(&self) -> Lines {
        self.lines(|s| {
            s.answer
                .reason()
                .filter(|_| s.answer != Answer::Reachable)
                .map(|r| format!("{} ({})", r, s.endpoint))
        })
    }

    /// One line per endpoint: streams sharing it share the finding.
    fn not_known_by_endpoint(&self) -> Lines {
        let mut by_endpoint: Vec<(&str, Vec<&str>, &BTreeSet<String>)> = Vec::new();
        for s in self.streams.iter().filter(|s| !s.not_known.is_empty()) {
            match by_endpoint.iter_mut().find(|(e, _, _)| *e == s.endpoint) {
                Some((_, who, _)) => who.push(s.stream),
                None => by_endpoint.push((s.endpoint, vec![s.stream], &s.not_known)),
            }
        }
        by_endpoint
            .into_iter()
            .map(|(_, who, n)| (who.join(", "), names(n)))
            .collect()
    }
}

/// A section's lines: who, and what was found.
type Lines = Vec<(String, String)>;

/// The cells of one table line, each padded to its column's width but the
/// last.
fn aligned(cells: &[&str], widths: &[usize; 6]) -> String {
    let mut l = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        if i + 1 == cells.len() {
            l.push_str(c);
        } else {
            l.push_str(&format!("{c:<w$}  "));
        }
    }
    l.trim_end().to_string() + "\n"
}

fn names(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A stream's mapping error and its fields of an undocumented type.
fn mapping_problems(s: &StreamReport) -> Option<String> {
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
    (!p.is_empty()).then(|| p.join("; "))
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
