//! Teams of agents.

use serde_json::{json, Value};

use super::ts;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

const TEAMS: [(&str, &str, &str); 4] = [
    ("Tier 1", "📨", "First line: every new conversation."),
    ("Tier 2", "🛠️", "Escalations and technical questions."),
    ("Billing", "💳", "Refunds, invoices and subscriptions."),
    ("VIP care", "⭐", "Customers tagged vip."),
];

pub(super) fn generate(rng: &mut Rng, agents: &[(i64, Value)]) -> Vec<Item> {
    let mut teams = Vec::new();
    let mut id = 30 + rng.range(0, 20);
    for (name, emoji, description) in TEAMS {
        id += rng.range(1, 4);
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(30 * DAY, 300 * DAY));
        let k = rng.range(1, 5) as usize;
        let members: Vec<Value> = rng
            .sample(agents.len(), k.min(agents.len()))
            .into_iter()
            .map(|i| {
                let u = &agents[i].1;
                json!({"id": u["id"], "name": u["name"], "email": u["email"], "meta": Value::Null})
            })
            .collect();
        teams.push(Item::new(
            id,
            created,
            created,
            &json!({
                "id": id,
                "uri": format!("/api/teams/{id}/"),
                "name": name,
                "description": description,
                "decoration": {"emoji": emoji},
                "members": members,
                "created_datetime": ts(st, created),
            }),
        ));
    }
    teams
}
