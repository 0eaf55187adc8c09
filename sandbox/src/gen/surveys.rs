//! Satisfaction surveys, for about 30% of tickets (closed ones).

use serde_json::{json, Value};

use super::people::Person;
use super::tickets::Closing;
use super::{next_id, Obj};
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, HOUR, MIN};

pub(super) fn generate(
    rng: &mut Rng,
    closings: &[Closing],
    customer_people: &[Person],
) -> Vec<Item> {
    let mut drafts_s = Vec::new();
    for (i, d) in closings.iter().enumerate() {
        let (Some(closed), Some(c)) = (d.closed, d.customer) else {
            continue;
        };
        if !rng.chance(0.45) {
            continue;
        }
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
        drafts_s.push((
            created,
            i,
            customer_people[c].id,
            st,
            should_send,
            sent,
            scored,
            score,
            body,
        ));
    }
    drafts_s.sort_by_key(|s| (s.0, s.1));
    let mut surveys = Vec::with_capacity(drafts_s.len());
    let mut id = 9000 + rng.range(0, 100);
    for (created, i, cid, st, should_send, sent, scored, score, body) in drafts_s {
        let id = next_id(rng, &mut id);
        surveys.push(Item::from_obj(Obj {
            id,
            created,
            updated: created,
            value: json!({
                "id": id,
                "uri": format!("/api/satisfaction-surveys/{id}/"),
                "customer_id": cid,
                "ticket_id": closings[i].id,
                "score": score,
                "body_text": body,
                "created_datetime": st.s(created),
                "should_send_datetime": st.s(should_send),
                "sent_datetime": st.o(sent),
                "scored_datetime": st.o(scored),
                "meta": if rng.chance(0.5) { json!({"channel": "email"}) } else { Value::Null },
            }),
        }));
    }
    surveys
}
