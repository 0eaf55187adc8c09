//! Customers: their names first, their datetimes once their tickets are known.

use serde_json::{json, Map, Value};

use super::people::{slug, Person, FIRST, LAST};
use super::{next_id, Obj};
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, START};

pub(super) fn people(rng: &mut Rng, n: usize) -> Vec<Person> {
    let customer_count = (n / 2).max(1);
    let mut customer_people = Vec::with_capacity(customer_count);
    let mut id = 2_000_000 + rng.range(0, 1000);
    for _ in 0..customer_count {
        let id = next_id(rng, &mut id);
        let first = rng.pick(&FIRST).to_string();
        let last = rng.pick(&LAST).to_string();
        let provider = rng.pick(&[
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "example.org",
            "proton.me",
        ]);
        let email = format!("{}.{}{}@{provider}", slug(&first), slug(&last), id % 10_000);
        customer_people.push(Person {
            id,
            first,
            last,
            email,
        });
    }
    customer_people
}

/// `span`: each customer's first and last ticket creation, by index.
pub(super) fn generate(
    rng: &mut Rng,
    customer_people: &[Person],
    ticket_span: &[Option<(i64, i64)>],
    integrations: &[Obj],
) -> Vec<Item> {
    let id_of = |ty: &str| {
        integrations
            .iter()
            .find(|i| i.value["type"] == ty)
            .map(|i| i.id)
    };
    let (shopify, http) = (id_of("shopify"), id_of("http"));
    let mut customers = Vec::with_capacity(customer_people.len());
    for (p, span) in customer_people.iter().zip(ticket_span) {
        let st = Style::draw(rng);
        let created = match span {
            Some((first, _)) => st.t(first - rng.range(0, 60 * DAY)),
            None => st.t(START + rng.range(0, 700 * DAY)),
        };
        let base = span.map_or(created, |s| s.1.max(created));
        let updated = st.t(base + rng.range(0, 10 * DAY)).max(base);
        let ints = customer_integrations(rng, p, shopify, http);
        let channels = channels(rng, p, st, created);
        customers.push(Item::from_obj(Obj {
            id: p.id,
            created,
            updated,
            value: json!({
                "id": p.id,
                "uri": format!("/api/customers/{}/", p.id),
                "external_id": rng.chance(0.5).then(|| format!("shop-{}", p.id)),
                "active": true,
                "email": p.email,
                "name": p.name(),
                "firstname": p.first,
                "lastname": p.last,
                "language": rng.pick(&[Some("en"), Some("en"), Some("fr"), Some("de"), None]),
                "timezone": rng.pick(&[Some("America/New_York"), Some("Europe/Paris"), Some("Asia/Tokyo"), None]),
                "channels": channels,
                "integrations": ints,
                "meta": {},
                "note": rng.chance(0.1).then_some("VIP — always ship express"),
                "created_datetime": st.s(created),
                "updated_datetime": st.s(updated),
            }),
        }));
    }
    customers
}

/// What the shop and the loyalty app know of the customer, keyed by
/// integration id.
fn customer_integrations(
    rng: &mut Rng,
    p: &Person,
    shopify: Option<i64>,
    http: Option<i64>,
) -> Map<String, Value> {
    let mut ints = Map::new();
    if let (Some(sid), true) = (shopify, rng.chance(0.4)) {
        ints.insert(
            sid.to_string(),
            json!({
                "__integration_type__": "shopify",
                "customer": {
                    "id": 7_000_000_000i64 + p.id,
                    "email": p.email,
                    "orders_count": rng.range(1, 20),
                    "total_spent": format!("{}.{:02}", rng.range(10, 3000), rng.below(100)),
                }
            }),
        );
    }
    if let (Some(hid), true) = (http, rng.chance(0.2)) {
        ints.insert(
            hid.to_string(),
            json!({"__integration_type__": "http", "data": {"loyalty_points": rng.range(0, 5000)}}),
        );
    }
    ints
}

/// The customer's e-mail address, and a phone number for about a third.
fn channels(rng: &mut Rng, p: &Person, st: Style, created: i64) -> Vec<Value> {
    let mut channels = vec![json!({
        "id": p.id * 10 + 1,
        "type": "email",
        "address": p.email,
        "preferred": true,
        "created_datetime": st.s(created),
        "updated_datetime": st.s(created),
    })];
    if rng.chance(0.3) {
        channels.push(json!({
            "id": p.id * 10 + 2,
            "type": "phone",
            "address": format!("+1555{:07}", rng.below(10_000_000)),
            "preferred": false,
            "created_datetime": st.s(created),
            "updated_datetime": st.s(created),
        }));
    }
    channels
}
