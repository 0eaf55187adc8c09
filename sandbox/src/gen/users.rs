//! Users: the account's agents, admins and bots.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::people::{slug, Person, FIRST, LAST};
use super::{next_id, weighted, Obj};
use crate::rng::Rng;
use crate::time::{Style, DAY, END, HOUR, START};

const ROLES: [&str; 6] = [
    "admin",
    "agent",
    "basic-agent",
    "bot",
    "observer-agent",
    "lite-agent",
];

/// The users, their names for the objects that mention them, and the
/// indices of those who can be assigned a ticket.
pub(super) struct Users {
    pub(super) users: Vec<Obj>,
    pub(super) people: Vec<Person>,
    pub(super) agents: Vec<usize>,
}

pub(super) fn generate(rng: &mut Rng, n: usize, domain: &str) -> Users {
    let user_count = (n / 50).max(5);
    let mut users = Vec::with_capacity(user_count);
    let mut user_people = Vec::with_capacity(user_count);
    let mut agents = Vec::new();
    let mut emails = BTreeSet::new();
    let mut id = 1000 + rng.range(0, 50);
    for i in 0..user_count {
        let id = next_id(rng, &mut id);
        let role = if let Some(r) = ROLES.get(i) {
            r
        } else {
            weighted(
                rng,
                &[
                    ("agent", 50),
                    ("basic-agent", 15),
                    ("lite-agent", 10),
                    ("observer-agent", 10),
                    ("admin", 10),
                    ("bot", 5),
                ],
            )
        };
        let (first, last) = if role == "bot" {
            ("Gorgias".to_string(), "Bot".to_string())
        } else {
            (rng.pick(&FIRST).to_string(), rng.pick(&LAST).to_string())
        };
        let mut email = if role == "bot" {
            format!("bot+{id}@gorgias.io")
        } else {
            format!("{}.{}@{domain}.com", slug(&first), slug(&last))
        };
        if !emails.insert(email.clone()) {
            email = email.replacen('@', &format!("{id}@"), 1);
            emails.insert(email.clone());
        }
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(0, 365 * DAY));
        let active = i == 0 || rng.chance(0.85);
        let deactivated = (!active).then(|| st.t(rng.range(created + DAY, END - DAY)).max(created));
        let base = deactivated.unwrap_or(created);
        let updated = st
            .t((base + rng.range(0, 200 * DAY)).min(END - HOUR))
            .max(base);
        let person = Person {
            id,
            first,
            last,
            email,
        };
        if matches!(role, "admin" | "agent" | "basic-agent" | "lite-agent") {
            agents.push(i);
        }
        users.push(Obj {
            id,
            created,
            updated,
            value: json!({
                "id": id,
                "uri": format!("/api/users/{id}/"),
                "external_id": (!rng.chance(0.4)).then(|| format!("agent-{id}")),
                "active": active,
                "email": person.email,
                "name": person.name(),
                "firstname": person.first,
                "lastname": person.last,
                "role": {"name": role},
                "bio": Value::Null,
                "country": Value::Null,
                "language": "en",
                "timezone": "America/New_York",
                "meta": {},
                "created_datetime": st.s(created),
                "updated_datetime": st.s(updated),
                "deactivated_datetime": st.o(deactivated),
            }),
        });
        user_people.push(person);
    }
    Users {
        users,
        people: user_people,
        agents,
    }
}
