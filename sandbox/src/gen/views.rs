//! Views and the rule each lists its tickets by.

use serde_json::{json, Value};

use super::ts;
use crate::item::{Item, Meta};
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

/// Which tickets a view lists. The view object carries the same rule as
/// Gorgias's filter expression text; the sandbox evaluates this instead of
/// parsing that language.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ViewPred {
    Open,
    Unassigned,
    Closed,
    Tag(&'static str),
    Channel(&'static str),
    Spam,
    Trashed,
}

impl ViewPred {
    /// Reads the facts `Item::new` pulled out of the ticket, not the JSON:
    /// a list request may test every ticket, and parsing each one cost
    /// milliseconds per page.
    pub(crate) fn matches(self, t: &Meta) -> bool {
        let trashed = t.trashed;
        let spam = t.spam;
        // User views hide trash and spam, as the helpdesk does; the two
        // system views are exactly those.
        let live = !trashed && !spam;
        let status = t.status.as_deref();
        match self {
            ViewPred::Open => live && status == Some("open"),
            ViewPred::Unassigned => live && status == Some("open") && !t.assigned,
            ViewPred::Closed => live && status == Some("closed"),
            ViewPred::Tag(name) => live && t.tag_names.iter().any(|g| &**g == name),
            ViewPred::Channel(c) => live && t.channel.as_deref() == Some(c),
            ViewPred::Spam => spam && !trashed,
            ViewPred::Trashed => trashed,
        }
    }
}

const VIEWS: [(&str, &str, &str, ViewPred); 7] = [
    ("Inbox", "user", "eq(ticket.status, 'open')", ViewPred::Open),
    (
        "Unassigned",
        "user",
        "eq(ticket.status, 'open') && isEmpty(ticket.assignee_user.id)",
        ViewPred::Unassigned,
    ),
    (
        "Closed",
        "user",
        "eq(ticket.status, 'closed')",
        ViewPred::Closed,
    ),
    (
        "VIP",
        "user",
        "containsAll(ticket.tags.name, ['vip'])",
        ViewPred::Tag("vip"),
    ),
    (
        "Phone calls",
        "user",
        "eq(ticket.channel, 'phone')",
        ViewPred::Channel("phone"),
    ),
    ("Spam", "system", "eq(ticket.spam, true)", ViewPred::Spam),
    (
        "Trash",
        "system",
        "isNotEmpty(ticket.trashed_datetime)",
        ViewPred::Trashed,
    ),
];

pub(super) fn generate(rng: &mut Rng, teams: &[Item]) -> (Vec<Item>, Vec<(i64, ViewPred)>) {
    let mut views = Vec::new();
    let mut view_preds = Vec::new();
    let mut id = 1_000 + rng.range(0, 100);
    for (name, category, filters, pred) in VIEWS {
        id += rng.range(1, 4);
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(0, 300 * DAY));
        let slug: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let shared_teams: Vec<i64> = if category == "user" && rng.chance(0.4) {
            vec![teams[rng.below(teams.len() as u64) as usize].id]
        } else {
            Vec::new()
        };
        views.push(Item::new(
            id,
            created,
            created,
            &json!({
                "id": id,
                "uri": format!("/api/views/{id}/"),
                "name": name,
                "slug": slug,
                "category": category,
                "type": "ticket-list",
                "visibility": if shared_teams.is_empty() { "public" } else { "shared" },
                "filters": filters,
                "filters_ast": {"type": "Program", "body": [{"type": "ExpressionStatement", "expression": {"type": "Literal", "raw": filters}}]},
                "order_by": "updated_datetime",
                "order_dir": "desc",
                "fields": ["details", "tags", "customer", "updated"],
                "decoration": if category == "user" { json!({"emoji": *rng.pick(&["📥", "🙋", "✅", "⭐", "📞"])}) } else { Value::Null },
                "search": Value::Null,
                "shared_with_teams": shared_teams,
                "shared_with_users": [],
                "deactivated_datetime": Value::Null,
                "created_datetime": ts(st, created),
            }),
        ));
        view_preds.push((id, pred));
    }
    (views, view_preds)
}
