//! Satisfaction surveys, for about 30% of tickets (closed ones).

use serde_json::{json, Value};

use super::people::Person;
use super::tickets::Closing;
use super::{next_id, Obj};
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, HOUR, MIN};

/// A survey before its id: ids follow creation order.
struct SDraft {
    created: i64,
    ticket: usize,
    customer_id: i64,
    style: Style,
    should_send: i64,
    sent: Option<i64>,
    scored: Option<i64>,
    score: Option<i64>,
    body: Option<String>,
}

pub(super) fn generate(
    rng: &mut Rng,
    closings: &[Closing],
    customer_people: &[Person],
) -> Vec<Item> {
    let mut drafts = Vec::new();
    for (i, d) in closings.iter().enumerate() {
        let (Some(closed), Some(c)) = (d.closed, d.customer) else {
            continue;
        };
        if !rng.chance(0.45) {
            continue;
        }
        drafts.push(draft(rng, closed, i, customer_people[c].id));
    }
    drafts.sort_by_key(|s| (s.created, s.ticket));
    let mut surveys = Vec::with_capacity(drafts.len());
    let mut id = 9000 + rng.range(0, 100);
    for d in drafts {
        let id = next_id(rng, &mut id);
        let st = d.style;
        surveys.push(Item::from_obj(Obj {
            id,
            created: d.created,
            updated: d.created,
            value: json!({
                "id": id,
                "uri": format!("/api/satisfaction-surveys/{id}/"),
                "customer_id": d.customer_id,
                "ticket_id": closings[d.ticket].id,
                "score": d.score,
                "body_text": d.body,
                "created_datetime": st.s(d.created),
                "should_send_datetime": st.s(d.should_send),
                "sent_datetime": st.o(d.sent),
                "scored_datetime": st.o(d.scored),
                "meta": if rng.chance(0.5) { json!({"channel": "email"}) } else { Value::Null },
            }),
        }));
    }
    surveys
}

/// A survey sent after the ticket closed, answered for about two in three.
fn draft(rng: &mut Rng, closed: i64, ticket: usize, customer_id: i64) -> SDraft {
    let st = Style::draw(rng);
    let created = st.t(closed + rng.range(HOUR, 2 * DAY)).max(closed);
    let should_send = st.t(created + rng.range(HOUR, DAY)).max(created);
    let sent = rng
        .chance(0.85)
        .then(|| st.t(should_send + rng.range(0, 10 * MIN)).max(should_send));
    let scored = sent.and_then(|s| {
        rng.chance(0.65)
            .then(|| st.t(s + rng.range(10 * MIN, 5 * DAY)).max(s))
    });
    let score = scored.map(|_| match rng.below(100) {
        0..=49 => 5,
        50..=74 => 4,
        75..=84 => 3,
        85..=91 => 2,
        _ => 1,
    });
    let body = scored.and_then(|_| {
        rng.chance(0.5).then(|| {
            rng.pick(&[
                "Great service, thanks!",
                "Rapide et efficace 👍",
                "Took too long to get an answer.",
                "とても親切でした",
                "ok",
            ])
            .to_string()
        })
    });
    SDraft {
        created,
        ticket,
        customer_id,
        style: st,
        should_send,
        sent,
        scored,
        score,
        body,
    }
}
