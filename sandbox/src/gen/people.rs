//! Names and e-mail addresses shared by users and customers.

use serde_json::{json, Value};

pub(crate) const FIRST: [&str; 32] = [
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Emma",
    "François",
    "Grace",
    "Hiroshi",
    "Inès",
    "Jamal",
    "Katarzyna",
    "Liam",
    "María",
    "Noah",
    "Olivia",
    "Pedro",
    "Quinn",
    "Rosa",
    "Søren",
    "Tomás",
    "Uma",
    "Victor",
    "Wei",
    "Xavier",
    "Yuki",
    "Zoë",
    "Łukasz",
    "Ana",
    "Ben",
    "Carla",
    "美咲",
    "Ömer",
];

pub(crate) const LAST: [&str; 22] = [
    "Smith",
    "García",
    "Müller",
    "Dubois",
    "Rossi",
    "Kowalski",
    "Tanaka",
    "Nguyen",
    "O'Brien",
    "Johansson",
    "Silva",
    "Novák",
    "Ivanova",
    "Haddad",
    "Kim",
    "Brown",
    "Martin",
    "Lefèvre",
    "Schmidt",
    "Dupont",
    "佐藤",
    "Ólafsson",
];

/// E-mail local parts must stay ASCII even when names are not.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ł' => 'l',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        }
    }
    out
}

#[derive(Clone)]
pub(crate) struct Person {
    pub(crate) id: i64,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) email: String,
}

impl Person {
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    pub(crate) fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "email": self.email,
            "name": self.name(),
            "firstname": self.first,
            "lastname": self.last,
        })
    }
}
