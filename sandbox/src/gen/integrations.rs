//! Integrations: the channels and apps connected to the account.

use serde_json::{json, Value};

use super::{next_id, Obj};
use crate::rng::Rng;
use crate::time::{Style, DAY, END, START};

const INTEGRATIONS: [(&str, &str); 6] = [
    ("email", "Support email"),
    ("gmail", "Gmail – support"),
    ("shopify", "Acme Store"),
    ("http", "Loyalty points"),
    ("facebook", "Acme on Facebook"),
    ("smooch_inside", "Website chat"),
];

pub(super) fn generate(rng: &mut Rng, domain: &str, users: &[Obj], agents: &[usize]) -> Vec<Obj> {
    let mut integrations = Vec::new();
    let mut id = 5000 + rng.range(0, 100);
    for (i, (ty, name)) in INTEGRATIONS.iter().enumerate() {
        let id = next_id(rng, &mut id);
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(30 * DAY, 400 * DAY));
        let deleted = (*ty == "facebook").then(|| st.t(END - rng.range(10 * DAY, 90 * DAY)));
        let updated = st
            .t(deleted.unwrap_or(created) + rng.range(0, 30 * DAY))
            .max(deleted.unwrap_or(created));
        let user = if *ty == "http" {
            Value::Null
        } else {
            json!({"id": users[agents[i % agents.len()]].id})
        };
        let meta = match *ty {
            "email" | "gmail" => json!({"address": format!("support@{domain}.com")}),
            "shopify" => json!({"shop_name": format!("{domain}-store")}),
            "facebook" => json!({"page_id": "104938572"}),
            _ => json!({}),
        };
        let http = if *ty == "http" {
            json!({"url": "https://loyalty.example.com/points", "method": "GET"})
        } else {
            Value::Null
        };
        integrations.push(Obj {
            id,
            created,
            updated,
            value: json!({
                "id": id,
                "uri": format!("/api/integrations/{id}/"),
                "type": ty,
                "name": name,
                "description": Value::Null,
                "user": user,
                "meta": meta,
                "http": http,
                "managed": false,
                "created_datetime": st.s(created),
                "updated_datetime": st.s(updated),
                "deactivated_datetime": st.o(deleted),
                "deleted_datetime": st.o(deleted),
                "locked_datetime": Value::Null,
            }),
        });
    }
    integrations
}
