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
    let mut out = Users {
        users: Vec::with_capacity(user_count),
        people: Vec::with_capacity(user_count),
        agents: Vec::new(),
    };
    let mut emails = BTreeSet::new();
    let mut id = 1000 + rng.range(0, 50);
    for i in 0..user_count {
        let id = next_id(rng, &mut id);
        let (role, person) = person(rng, i, id, domain, &mut emails);
        if matches!(role, "admin" | "agent" | "basic-agent" | "lite-agent") {
            out.agents.push(i);
        }
        out.users.push(user(rng, i, role, &person));
        out.people.push(person);
    }
    out
}

/// The `i`th user's role and name: the first six users hold one role each,
/// so every role exists; an e-mail already taken gets the id in it.
fn person(
    rng: &mut Rng,
    i: usize,
    id: i64,
    domain: &str,
    emails: &mut BTreeSet<String>,
) -> (&'static str, Person) {
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
    let person = Person {
        id,
        first,
        last,
        email,
    };
    (role, person)
}

fn user(rng: &mut Rng, i: usize, role: &str, person: &Person) -> Obj {
    let id = person.id;
    let st = Style::draw(rng);
    let created = st.t(START - rng.range(0, 365 * DAY));
    let active = i == 0 || rng.chance(0.85);
    let deactivated = (!active).then(|| st.t(rng.range(created + DAY, END - DAY)).max(created));
    let base = deactivated.unwrap_or(created);
    let updated = st
        .t((base + rng.range(0, 200 * DAY)).min(END - HOUR))
        .max(base);
    Obj {
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
    }
}
