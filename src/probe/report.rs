//! What a probe found: per stream, the answer and the differences between
//! what its mapping reads and what the API sent; for the account, the
//! rate-limit bucket and the views. Plain data, rendered by `rendering`.

use std::collections::{BTreeMap, BTreeSet};

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
    pub(super) fn label(&self) -> &'static str {
        match self {
            Answer::Reachable => "reachable",
            Answer::Forbidden => "403",
            Answer::NotFound => "404",
            Answer::Failed(_) => "error",
            Answer::NotProbed(_) => "not probed",
        }
    }

    pub(super) fn reason(&self) -> Option<&str> {
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
    pub(super) fn size(&self) -> Option<u32> {
        self.sizes.iter().next_back().copied()
    }

    pub(super) fn meaning(&self) -> String {
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

    pub(super) const WINDOW: &'static str = "cannot be told: the header gives the bucket's size, not its window (20 s, or 10 s on Enterprise), and a probe is too short to measure the drain";
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
