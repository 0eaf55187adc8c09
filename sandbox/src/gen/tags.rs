//! Tags; their usage is counted once tickets exist.

use serde_json::{json, Value};

use super::{next_id, Obj};
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

const TAGS: [&str; 25] = [
    "refund",
    "shipping",
    "vip",
    "urgent",
    "return",
    "exchange",
    "billing",
    "damaged",
    "wrong-item",
    "late-delivery",
    "discount",
    "subscription",
    "feedback",
    "complaint",
    "pre-sale",
    "wholesale",
    "spam-suspect",
    "auto-close",
    "délai",
    "発送",
    "size-guide",
    "gift",
    "warranty",
    "account",
    "follow-up",
];

pub(super) fn generate(rng: &mut Rng) -> Vec<Obj> {
    let mut tags = Vec::new();
    let mut id = 400 + rng.range(0, 100);
    for name in TAGS {
        let id = next_id(rng, &mut id);
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 700 * DAY));
        let decoration = if rng.chance(0.8) {
            json!({"color": format!("#{:06x}", rng.below(0x100_0000))})
        } else {
            Value::Null
        };
        tags.push(Obj {
            id,
            created,
            updated: created,
            value: json!({
                "id": id,
                "uri": format!("/api/tags/{id}/"),
                "name": name,
                "description": Value::Null,
                "decoration": decoration,
                "usage": 0,
                "created_datetime": st.s(created),
                "deleted_datetime": Value::Null,
            }),
        });
    }
    tags
}

pub(crate) fn tag_summary(tag: &Value) -> Value {
    json!({"id": tag["id"], "name": tag["name"], "uri": tag["uri"], "decoration": tag["decoration"]})
}
