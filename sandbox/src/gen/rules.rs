//! Rules: the account's automations.

use serde_json::json;

use super::ts;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

const RULES: [(&str, &str, &str); 8] = [
    (
        "Auto-close spam",
        "ticket-created",
        "if (eq(ticket.spam, true)) { Action('setStatus', {status: 'closed'}) }",
    ),
    (
        "Tag refund requests",
        "ticket-created,ticket-message-created",
        "if (containsAny(message.intents.name, ['refund/request'])) { Action('addTags', {tags: 'refund'}) }",
    ),
    (
        "VIP to Tier 2",
        "ticket-created",
        "if (containsAll(ticket.tags.name, ['vip'])) { Action('setAssignee', {assignee_team: 'Tier 2'}) }",
    ),
    (
        "Auto-reply out of hours",
        "ticket-created",
        "if (!isBusinessHours()) { Action('sendReply', {body_text: 'We will be back soon.'}) }",
    ),
    (
        "Shipping questions",
        "ticket-message-created",
        "if (containsAny(message.body_text, ['tracking', 'livraison'])) { Action('addTags', {tags: 'shipping'}) }",
    ),
    (
        "Snooze after reply",
        "ticket-message-created",
        "if (eq(message.from_agent, true)) { Action('snoozeTicket', {duration: '2d'}) }",
    ),
    (
        "Phone to Tier 1",
        "ticket-created",
        "if (eq(ticket.channel, 'phone')) { Action('setAssignee', {assignee_team: 'Tier 1'}) }",
    ),
    (
        "Legacy: urgent tag",
        "ticket-updated",
        "if (containsAny(ticket.subject, ['urgent'])) { Action('addTags', {tags: 'urgent'}) }",
    ),
];

pub(super) fn generate(rng: &mut Rng) -> Vec<Item> {
    let mut rules = Vec::new();
    let mut id = 200 + rng.range(0, 50);
    for (i, (name, events, code)) in RULES.iter().enumerate() {
        id += rng.range(1, 3);
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 500 * DAY));
        let updated = st.t(created + rng.range(0, 200 * DAY)).max(created);
        let deactivated = (i == RULES.len() - 1).then_some(updated);
        rules.push(Item::new(
            id,
            created,
            updated,
            &json!({
                "id": id,
                "uri": format!("/api/rules/{id}/"),
                "name": name,
                "description": rng.chance(0.5).then(|| format!("{name}, set up by the support lead.")),
                "code": code,
                "code_ast": {"type": "Program", "sourceType": "script", "body": []},
                "event_types": events,
                "priority": 1000 - 10 * i as i64,
                "deactivated_datetime": st.o(deactivated),
                "created_datetime": ts(st, created),
                "updated_datetime": ts(st, updated),
            }),
        ));
    }
    rules
}
