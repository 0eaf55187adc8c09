//! Macros: canned replies, some archived.

use serde_json::json;

use super::ts;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

const MACROS: [(&str, &str); 12] = [
    ("Where is my order", "shipping/status"),
    ("Refund issued", "refund/status"),
    ("Return label", "return/request"),
    ("Exchange accepted", "exchange/request"),
    ("Discount code help", "discount/request"),
    ("Damaged item — photo please", "order/damaged"),
    ("Cancel order", "order/cancel"),
    ("Thanks & close", "other/thanks"),
    ("Size guide", "product/question"),
    ("Délai de livraison", "shipping/delivery-issue"),
    ("Subscription change", "subscription/change"),
    ("Out of stock", "stock/request"),
];

pub(super) fn generate(rng: &mut Rng, n: usize) -> Vec<Item> {
    let count = (n / 25).clamp(12, 120);
    let mut macros = Vec::with_capacity(count);
    let mut id = 80_000 + rng.range(0, 500);
    for i in 0..count {
        id += if rng.chance(0.85) { 1 } else { rng.range(2, 6) };
        let (base, intent) = MACROS[i % MACROS.len()];
        let name = if i < MACROS.len() {
            base.to_string()
        } else {
            format!("{base} (v{})", i / MACROS.len() + 1)
        };
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 600 * DAY));
        let updated = st.t(created + rng.range(0, 120 * DAY)).max(created);
        let archived = rng
            .chance(0.1)
            .then(|| st.t(updated + rng.range(0, DAY)).max(updated));
        let updated = archived.unwrap_or(updated);
        let mut actions = vec![json!({
            "name": "setResponseText",
            "title": "Add response text",
            "type": "user",
            "arguments": {"body_text": format!("Hi {{{{ticket.customer.firstname}}}}, {}", base.to_lowercase()),
                          "body_html": format!("<div>Hi {{{{ticket.customer.firstname}}}}, {}</div>", base.to_lowercase())},
        })];
        if rng.chance(0.5) {
            actions.push(
                json!({"name": "addTags", "title": "Add tags", "type": "user",
                "arguments": {"tags": *rng.pick(&["refund", "shipping", "return", "vip"])}}),
            );
        }
        macros.push(Item::new(
            id,
            created,
            updated,
            &json!({
                "id": id,
                "uri": format!("/api/macros/{id}/"),
                "external_id": rng.chance(0.2).then(|| format!("mc-{id}")),
                "name": name,
                "intent": intent,
                "language": *rng.pick(&[Some("en"), Some("en"), Some("fr"), None]),
                "actions": actions,
                "usage": rng.range(0, 5000),
                "archived_datetime": st.o(archived),
                "created_datetime": ts(st, created),
                "updated_datetime": ts(st, updated),
            }),
        ));
    }
    macros
}
