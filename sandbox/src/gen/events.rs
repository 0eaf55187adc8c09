//! Events: the log of every object's creation and last update.

use serde_json::{json, Value};

use crate::item::Item;
use crate::rng::Rng;
use crate::time::{render, Form};

/// The objects whose history the log tells.
pub(super) struct Logged<'a> {
    pub(super) tickets: &'a [Item],
    pub(super) customers: &'a [Item],
    pub(super) users: &'a [Item],
    pub(super) tags: &'a [Item],
    pub(super) macros: &'a [Item],
}

/// An event before its id: (instant, type, object type, object id, user id, data).
type Draft = (i64, &'static str, &'static str, i64, Value, Value);

pub(super) fn generate(rng: &mut Rng, core: &Logged, agents: &[(i64, Value)]) -> Vec<Item> {
    // History: each object's creation (and last update) as the event log
    // would have recorded it, so a first read of events has years to cover.
    let mut drafts = ticket_history(core.tickets);
    let created = [
        (core.customers, "customer-created", "Customer"),
        (core.users, "user-created", "User"),
        (core.tags, "tag-created", "Tag"),
    ];
    for (objects, ty, object_type) in created {
        drafts.extend(
            objects
                .iter()
                .map(|o| (o.created, ty, object_type, o.id, Value::Null, Value::Null)),
        );
    }
    let by = json!(agents.first().map(|a| a.0));
    drafts.extend(core.macros.iter().map(|m| {
        (
            m.created,
            "macro-created",
            "Macro",
            m.id,
            by.clone(),
            Value::Null,
        )
    }));
    drafts.sort_by_key(|d| (d.0, d.3));
    let mut events = Vec::with_capacity(drafts.len());
    let mut id = 70_000_000 + rng.range(0, 1000);
    for (t, ty, object_type, object_id, user_id, data) in drafts {
        id += if rng.chance(0.95) { 1 } else { rng.range(2, 5) };
        events.push(event_item(
            id,
            t,
            ty,
            object_type,
            object_id,
            user_id,
            data,
            rng,
        ));
    }
    events
}

/// Each ticket's creation, by its agent when an agent opened it, and its
/// last update.
fn ticket_history(tickets: &[Item]) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for t in tickets {
        let v = t.value();
        let by = if v["from_agent"] == true {
            v["assignee_user"]["id"].clone()
        } else {
            Value::Null
        };
        drafts.push((
            t.created,
            "ticket-created",
            "Ticket",
            t.id,
            by,
            json!({"channel": v["channel"]}),
        ));
        if t.updated > t.created {
            drafts.push((
                t.updated,
                "ticket-updated",
                "Ticket",
                t.id,
                v["assignee_user"]["id"].clone(),
                Value::Null,
            ));
        }
    }
    drafts
}

/// One event as `/api/events` lists it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_item(
    id: i64,
    t: i64,
    ty: &str,
    object_type: &str,
    object_id: i64,
    user_id: Value,
    data: Value,
    rng: &mut Rng,
) -> Item {
    Item::new(
        id,
        t,
        t,
        &json!({
            "id": id,
            "uri": format!("/api/events/{id}/"),
            "type": ty,
            "object_type": object_type,
            "object_id": object_id,
            "user_id": user_id,
            "context": uuid(rng),
            "data": data,
            "created_datetime": render(t, Form::Offset),
        }),
    )
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}
