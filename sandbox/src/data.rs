//! The dataset: generated once from (seed, ticket count), then changed only
//! by mutations. Objects are stored as the JSON the API serves, next to the
//! canonical instants they sort by.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::extras::{self, ViewPred};
use crate::rng::Rng;
use crate::time::{now_us, render, Form, Style, DAY, END, HOUR, MIN, SEC, START};
use crate::{Mutation, MutationSummary, SandboxConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coll {
    Users,
    Tickets,
    Integrations,
    Tags,
    Messages,
    Surveys,
    Customers,
    Teams,
    Events,
    Macros,
    Views,
    /// `/api/views/{id}/items`: tickets, through the view's rule.
    ViewItems,
    Rules,
    CustomFields,
    Jobs,
    VoiceCalls,
    VoiceCallEvents,
    VoiceCallRecordings,
}

/// Every list served at `/api/<name>` (and dumped at `/_sandbox/dump/<name>`);
/// `views/{id}/items` is reached through its view.
pub(crate) const NAMES: [(&str, Coll); 17] = [
    ("users", Coll::Users),
    ("tickets", Coll::Tickets),
    ("integrations", Coll::Integrations),
    ("tags", Coll::Tags),
    ("messages", Coll::Messages),
    ("satisfaction-surveys", Coll::Surveys),
    ("customers", Coll::Customers),
    ("teams", Coll::Teams),
    ("events", Coll::Events),
    ("macros", Coll::Macros),
    ("views", Coll::Views),
    ("rules", Coll::Rules),
    ("custom-fields", Coll::CustomFields),
    ("jobs", Coll::Jobs),
    ("phone/voice-calls", Coll::VoiceCalls),
    ("phone/voice-call-events", Coll::VoiceCallEvents),
    ("phone/voice-call-recordings", Coll::VoiceCallRecordings),
];

impl Coll {
    pub(crate) fn from_name(name: &str) -> Option<Coll> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }
}

/// An object while the dataset is being generated.
struct Obj {
    id: i64,
    created: i64,
    updated: i64,
    value: Value,
}

/// What filters and sort keys read, pulled out of the JSON once so a list
/// request never has to parse the stored objects.
#[derive(Default)]
pub(crate) struct Meta {
    pub(crate) customer_id: Option<i64>,
    pub(crate) ticket_id: Option<i64>,
    pub(crate) call_id: Option<i64>,
    pub(crate) trashed: bool,
    pub(crate) role: Option<Box<str>>,
    pub(crate) email: Option<Box<str>>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) external_id: Option<Box<str>>,
    pub(crate) kind: Option<Box<str>>,
    pub(crate) usage: i64,
    pub(crate) tag_count: usize,
    /// This and the next three are what view rules read (`ViewPred`), so
    /// building a view's index never parses a ticket.
    pub(crate) tag_names: Box<[Box<str>]>,
    pub(crate) spam: bool,
    pub(crate) assigned: bool,
    pub(crate) channel: Option<Box<str>>,
    pub(crate) unscored: bool,
    pub(crate) object_type: Option<Box<str>>,
    pub(crate) object_id: Option<i64>,
    pub(crate) category: Option<Box<str>>,
    pub(crate) status: Option<Box<str>>,
    pub(crate) priority: i64,
    /// An archived macro (`archived_datetime`) or custom field
    /// (`deactivated_datetime`): what their lists' `archived` filter reads.
    pub(crate) archived: bool,
}

/// A stored object: the exact JSON text served, so pages are built by
/// concatenation and a large dataset costs a fraction of a `Value` tree.
pub(crate) struct Item {
    pub(crate) id: i64,
    pub(crate) created: i64,
    /// Equal to `created` for objects without an updated_datetime.
    pub(crate) updated: i64,
    pub(crate) raw: Box<str>,
    pub(crate) meta: Meta,
}

impl Item {
    pub(crate) fn new(id: i64, created: i64, updated: i64, v: &Value) -> Item {
        let s = |v: &Value| v.as_str().map(Box::from);
        let meta = Meta {
            customer_id: v["customer"]["id"].as_i64().or(v["customer_id"].as_i64()),
            ticket_id: v["ticket_id"].as_i64(),
            call_id: v["call_id"].as_i64(),
            trashed: !v["trashed_datetime"].is_null(),
            role: s(&v["role"]["name"]),
            email: s(&v["email"]),
            name: s(&v["name"]),
            external_id: s(&v["external_id"]),
            kind: s(&v["type"]),
            usage: v["usage"].as_i64().unwrap_or(0),
            tag_count: v["tags"].as_array().map_or(0, Vec::len),
            tag_names: v["tags"]
                .as_array()
                .map_or_else(Vec::new, |a| {
                    a.iter().filter_map(|g| s(&g["name"])).collect()
                })
                .into(),
            spam: v["spam"] == true,
            assigned: !v["assignee_user"].is_null(),
            channel: s(&v["channel"]),
            unscored: v.get("score").is_some_and(Value::is_null),
            object_type: s(&v["object_type"]),
            object_id: v["object_id"].as_i64(),
            category: s(&v["category"]),
            status: s(&v["status"]),
            priority: v["priority"].as_i64().unwrap_or(0),
            archived: !v["archived_datetime"].is_null()
                || (v.get("definition").is_some() && !v["deactivated_datetime"].is_null()),
        };
        Item {
            id,
            created,
            updated,
            raw: serde_json::to_string(v).unwrap_or_default().into(),
            meta,
        }
    }

    fn from_obj(o: Obj) -> Item {
        Item::new(o.id, o.created, o.updated, &o.value)
    }

    pub(crate) fn value(&self) -> Value {
        serde_json::from_str(&self.raw).unwrap_or(Value::Null)
    }

    /// Mutations are rare: parsing and re-serialising one object is cheap
    /// next to keeping every object as a `Value`.
    pub(crate) fn edit(&mut self, f: impl FnOnce(&mut Value)) {
        let mut v = self.value();
        f(&mut v);
        *self = Item::new(self.id, self.created, self.updated, &v);
    }
}

pub(crate) struct Store {
    domain: String,
    /// (id, type) of each integration, to pick a new message's integration.
    int_types: Vec<(i64, String)>,
    pub(crate) account: Value,
    pub(crate) users: Vec<Item>,
    pub(crate) tickets: Vec<Item>,
    pub(crate) integrations: Vec<Item>,
    pub(crate) tags: Vec<Item>,
    pub(crate) messages: Vec<Item>,
    pub(crate) surveys: Vec<Item>,
    pub(crate) customers: Vec<Item>,
    pub(crate) teams: Vec<Item>,
    pub(crate) events: Vec<Item>,
    pub(crate) macros: Vec<Item>,
    pub(crate) views: Vec<Item>,
    pub(crate) view_preds: Vec<(i64, ViewPred)>,
    pub(crate) rules: Vec<Item>,
    pub(crate) custom_fields: Vec<Item>,
    pub(crate) jobs: Vec<Item>,
    pub(crate) voice_calls: Vec<Item>,
    pub(crate) voice_call_events: Vec<Item>,
    pub(crate) voice_call_recordings: Vec<Item>,
    /// Seeds the `context` of events that mutations record.
    event_rng: Rng,
    /// Mutation instants never go backwards, even if the clock does or the
    /// clock is behind the generated data.
    last_stamp: i64,
    /// Sorted listing indexes (performance only), rebuilt after changes.
    pub(crate) indexes: crate::index::Indexes<Coll, crate::api::Key>,
    /// The same for each view's tickets, by view id.
    pub(crate) view_indexes: crate::index::Indexes<i64, crate::api::Key>,
}

const ROLES: [&str; 6] = [
    "admin",
    "agent",
    "basic-agent",
    "bot",
    "observer-agent",
    "lite-agent",
];

const FIRST: [&str; 32] = [
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

const LAST: [&str; 22] = [
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

const SUBJECTS: [&str; 20] = [
    "Where is my order #{n}?",
    "Refund request for order #{n}",
    "Wrong size received",
    "Problème de livraison 📦",
    "Rückerstattung für Bestellung {n}",
    "注文について質問があります",
    "Can I change my shipping address?",
    "Damaged item 😞",
    "Question about your return policy",
    "Discount code not working",
    "Facture manquante — commande {n}",
    "¿Dónde está mi pedido?",
    "Order arrived late",
    "Product question: size guide",
    "Cancel my subscription",
    "Help!! 🙏🙏",
    "Tracking number shows delivered but nothing here",
    "Exchange for a different colour",
    "快递什么时候到？",
    "Account login issue",
];

const PRODUCTS: [&str; 6] = [
    "the linen shirt",
    "a pair of running shoes",
    "the ceramic mug set",
    "the wool scarf",
    "the yoga mat",
    "a gift card",
];

const CHANNELS: [(&str, u64); 6] = [
    ("email", 45),
    ("chat", 25),
    ("phone", 8),
    ("sms", 5),
    ("facebook", 10),
    ("api", 7),
];

const INTEGRATIONS: [(&str, &str); 6] = [
    ("email", "Support email"),
    ("gmail", "Gmail – support"),
    ("shopify", "Acme Store"),
    ("http", "Loyalty points"),
    ("facebook", "Acme on Facebook"),
    ("smooch_inside", "Website chat"),
];

fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.below(total);
    for (name, w) in items {
        if x < *w {
            return name;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// E-mail local parts must stay ASCII even when names are not.
fn slug(s: &str) -> String {
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
struct Person {
    id: i64,
    first: String,
    last: String,
    email: String,
}

impl Person {
    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "email": self.email,
            "name": self.name(),
            "firstname": self.first,
            "lastname": self.last,
        })
    }
}

/// Id sequences with occasional gaps, as deletions leave in a real account.
fn next_id(rng: &mut Rng, id: &mut i64) -> i64 {
    *id += if rng.chance(0.9) { 1 } else { rng.range(2, 5) };
    *id
}

fn sender_json(summary: &Value, agent: bool, rng: &mut Rng) -> Value {
    let mut s = summary.clone();
    let meta = if agent {
        json!({"name_set_via": "agent"})
    } else {
        match rng.below(10) {
            0..=5 => json!({"name_set_via": "email"}),
            6 => json!({"name_set_via": "shopify"}),
            _ => Value::Null,
        }
    };
    s["meta"] = meta;
    s
}

fn receiver_json(summary: &Value) -> Value {
    json!({"id": summary["id"], "name": summary["name"], "email": summary["email"]})
}

fn first_name(summary: &Value) -> String {
    summary["firstname"].as_str().unwrap_or("there").to_string()
}

fn long_body(rng: &mut Rng) -> String {
    let para = "Here is the full history of my order, copied from the previous e-mails so you have everything in one place. \
                Voici l'historique complet — ça fait trois semaines que j'attends. 🙂 ";
    let mut s = String::with_capacity(20_500);
    while s.len() < 20_000 {
        s.push_str(para);
        s.push_str(&format!("(ref {})\n", rng.below(1_000_000)));
    }
    s
}

/// (body_text, stripped_text): stripped drops the quoted signature as Gorgias does.
fn compose(
    rng: &mut Rng,
    from_agent: bool,
    public: bool,
    customer: &str,
    agent: &str,
    order: u64,
) -> (String, String) {
    if !public {
        let note = match rng.below(3) {
            0 => "Checked with the warehouse — shipping is delayed.".to_string(),
            1 => format!("@{agent} can you take this one?"),
            _ => format!("Refund for order #{order} approved by finance."),
        };
        return (note.clone(), note);
    }
    if rng.chance(0.005) {
        let b = long_body(rng);
        return (b.clone(), b);
    }
    let stripped = if from_agent {
        match rng.below(4) {
            0 => format!("Hi {customer},\n\nThanks for reaching out! I've checked order #{order} and it is on its way. Track it here: https://track.example.com/{order}"),
            1 => format!("Hello {customer}, I've issued a refund of ${}.{:02}. It should appear within 5-7 business days.", rng.range(5, 300), rng.below(100)),
            2 => format!("Bonjour {customer}, nous avons bien reçu votre demande 👍 Nous revenons vers vous très vite."),
            _ => format!("Hi {customer}, could you send us a photo of the item? Thanks!"),
        }
    } else {
        match rng.below(7) {
            0 => format!("Hi,\n\nI ordered {} and haven't received it yet. Could you check order #{order}?\n\nThanks,\n{customer}", PRODUCTS[rng.below(6) as usize]),
            1 => format!("Bonjour, je n'ai toujours pas reçu ma commande n°{order}. Merci d'avance !"),
            2 => format!("こんにちは、注文番号{order}の配送状況を教えてください。"),
            3 => "Hallo, die Größe passt leider nicht. Können Sie mir helfen? 🙂".to_string(),
            4 => "The box was crushed 😡 see photo".to_string(),
            5 if rng.chance(0.15) => format!("Line one\u{2028}line two\u{2029}Order #{order}"),
            _ => format!("Any update on order #{order}? It's been a week."),
        }
    };
    let body = if from_agent {
        format!("{stripped}\n\n--\n{agent} from Acme Support")
    } else {
        stripped.clone()
    };
    (body, stripped)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

struct MsgSpec<'a> {
    id: i64,
    ticket_id: i64,
    channel: &'a str,
    via: &'a str,
    from_agent: bool,
    public: bool,
    sender: Value,
    receiver: Value,
    integration_id: Option<i64>,
    subject: Option<String>,
    body: String,
    stripped: String,
    created: i64,
    style: Style,
    domain: &'a str,
}

fn message_json(m: MsgSpec, rng: &mut Rng) -> Value {
    let st = m.style;
    let (sent, failed) = if m.from_agent {
        if m.public && rng.chance(0.03) {
            (None, Some(st.t(m.created + rng.range(SEC, MIN))))
        } else {
            (
                Some(st.t(m.created + rng.range(0, 5 * SEC)).max(m.created)),
                None,
            )
        }
    } else if rng.chance(0.85) {
        (Some(m.created), None)
    } else {
        (None, None)
    };
    let opened = match sent {
        Some(s) if m.from_agent && m.public && rng.chance(0.4) => {
            Some(st.t(s + rng.range(MIN, DAY)).max(s))
        }
        _ => None,
    };
    let deleted = rng
        .chance(0.01)
        .then(|| st.t(m.created + rng.range(MIN, 10 * DAY)).max(m.created));
    let (channel, via) = if m.public {
        (m.channel, m.via)
    } else {
        ("internal-note", "helpdesk")
    };
    let addr = |v: &Value| json!({"name": v["name"], "address": v["email"]});
    let to = if m.receiver.is_null() {
        json!([])
    } else {
        json!([addr(&m.receiver)])
    };
    json!({
        "id": m.id,
        "uri": format!("/api/tickets/{}/messages/{}/", m.ticket_id, m.id),
        "message_id": (channel == "email").then(|| format!("<{}.{}@mail.{}.com>", m.id, m.ticket_id, m.domain)),
        "ticket_id": m.ticket_id,
        "external_id": Value::Null,
        "public": m.public,
        "channel": channel,
        "via": via,
        "source": {"type": channel, "from": addr(&m.sender), "to": to},
        "sender": m.sender,
        "receiver": m.receiver,
        "integration_id": m.integration_id,
        "rule_id": Value::Null,
        "intents": [],
        "from_agent": m.from_agent,
        "subject": m.subject,
        "body_text": m.body,
        "body_html": format!("<div>{}</div>", html_escape(&m.body)),
        "stripped_text": m.stripped,
        "stripped_html": format!("<div>{}</div>", html_escape(&m.stripped)),
        "stripped_signature": Value::Null,
        "attachments": [],
        "actions": Value::Null,
        "macros": [],
        "meta": if channel == "chat" { json!({"current_page": "https://shop.example.com/cart"}) } else { Value::Null },
        "created_datetime": st.s(m.created),
        "sent_datetime": st.o(sent),
        "opened_datetime": st.o(opened),
        "failed_datetime": st.o(failed),
        "deleted_datetime": st.o(deleted),
        "last_sending_error": if failed.is_some() { json!({"error": "Mailbox unavailable"}) } else { Value::Null },
        "is_retriable": failed.is_some(),
    })
}

fn tag_summary(tag: &Value) -> Value {
    json!({"id": tag["id"], "name": tag["name"], "uri": tag["uri"], "decoration": tag["decoration"]})
}

fn subject_for(rng: &mut Rng, channel: &str, from_agent: bool, order: u64) -> Option<String> {
    if from_agent {
        return Some(format!("Following up on your order #{order}"));
    }
    match channel {
        "phone" => Some(format!("Incoming call from +1 555 {:04}", order % 10_000)),
        "sms" => Some(format!("SMS from +1 555 {:04}", order % 10_000)),
        _ if rng.chance(0.02) => None,
        _ => Some(rng.pick(&SUBJECTS).replace("{n}", &order.to_string())),
    }
}

fn integration_for(integrations: &[(i64, String)], channel: &str, via: &str) -> Option<i64> {
    let ty = match (channel, via) {
        ("email", "gmail") => "gmail",
        ("email", _) => "email",
        ("chat", _) => "smooch_inside",
        ("facebook", _) => "facebook",
        _ => return None,
    };
    integrations.iter().find(|i| i.1 == ty).map(|i| i.0)
}

/// Sets a datetime field in the object's own rendering, so a naive-form
/// object stays naive after a change.
fn set_time(v: &mut Value, field: &str, us: Option<i64>) {
    let form = match v["created_datetime"].as_str() {
        Some(s) if s.contains(' ') => Form::Space,
        Some(s) if !s.ends_with("+00:00") => Form::Naive,
        _ => Form::Offset,
    };
    v[field] = us.map_or(Value::Null, |us| Value::String(render(us, form)));
}

struct MDraft {
    ticket: usize,
    seq: usize,
    created: i64,
    from_agent: bool,
    public: bool,
    style: Style,
}

impl Store {
    pub(crate) fn generate(cfg: &SandboxConfig) -> Store {
        let n = cfg.tickets;
        let domain = cfg.domain.as_str();
        let mut root = Rng::new(cfg.seed);
        let mut r_users = root.fork(1);
        let mut r_integrations = root.fork(2);
        let mut r_tags = root.fork(3);
        let mut r_customers = root.fork(4);
        let mut r_tickets = root.fork(5);
        let mut r_messages = root.fork(6);
        let mut r_surveys = root.fork(7);

        // Users.
        let user_count = (n / 50).max(5);
        let mut users = Vec::with_capacity(user_count);
        let mut user_people = Vec::with_capacity(user_count);
        let mut agents = Vec::new();
        let mut emails = BTreeSet::new();
        let rng = &mut r_users;
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
            let deactivated =
                (!active).then(|| st.t(rng.range(created + DAY, END - DAY)).max(created));
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

        // Integrations.
        let rng = &mut r_integrations;
        let mut integrations = Vec::new();
        let mut id = 5000 + rng.range(0, 100);
        for (i, (ty, name)) in INTEGRATIONS.iter().enumerate() {
            let id = next_id(rng, &mut id);
            let st = Style::draw(rng);
            let created = st.t(START - rng.range(30 * DAY, 400 * DAY));
            let deleted = (*ty == "facebook").then(|| st.t(END - rng.range(10 * DAY, 90 * DAY)));
            let updated = st
                .t(deleted.unwrap_or(created) + rng.range(0, 30 * DAY))
                .max(deleted.unwrap_or(created));
            let user = if *ty == "http" {
                Value::Null
            } else {
                json!({"id": users[agents[i % agents.len()]].id})
            };
            let meta = match *ty {
                "email" | "gmail" => json!({"address": format!("support@{domain}.com")}),
                "shopify" => json!({"shop_name": format!("{domain}-store")}),
                "facebook" => json!({"page_id": "104938572"}),
                _ => json!({}),
            };
            let http = if *ty == "http" {
                json!({"url": "https://loyalty.example.com/points", "method": "GET"})
            } else {
                Value::Null
            };
            integrations.push(Obj {
                id,
                created,
                updated,
                value: json!({
                    "id": id,
                    "uri": format!("/api/integrations/{id}/"),
                    "type": ty,
                    "name": name,
                    "description": Value::Null,
                    "user": user,
                    "meta": meta,
                    "http": http,
                    "managed": false,
                    "created_datetime": st.s(created),
                    "updated_datetime": st.s(updated),
                    "deactivated_datetime": st.o(deleted),
                    "deleted_datetime": st.o(deleted),
                    "locked_datetime": Value::Null,
                }),
            });
        }

        let int_types: Vec<(i64, String)> = integrations
            .iter()
            .map(|i| (i.id, i.value["type"].as_str().unwrap_or("").to_string()))
            .collect();

        // Tags (usage filled in once tickets exist).
        let rng = &mut r_tags;
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

        // Customers: names now, datetimes once their tickets are known.
        let rng = &mut r_customers;
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

        // Tickets and their messages.
        let rng = &mut r_tickets;
        let span = (END - 10 * DAY) - START;
        let mut created_at: Vec<i64> = (0..n).map(|_| START + rng.range(0, span)).collect();
        created_at.sort_unstable();
        let mut ticket_ids = Vec::with_capacity(n);
        let mut id = 100_000 + rng.range(0, 100);
        for _ in 0..n {
            ticket_ids.push(next_id(rng, &mut id));
        }
        struct TDraft {
            style: Style,
            created: i64,
            channel: &'static str,
            via: &'static str,
            from_agent: bool,
            customer: Option<usize>,
            assignee: Option<usize>,
            open: bool,
            order: u64,
        }
        let mut drafts = Vec::with_capacity(n);
        let mut msgs: Vec<MDraft> = Vec::with_capacity(n * 4);
        for (i, created) in created_at.iter().enumerate() {
            let style = Style::draw(rng);
            let created = style.t(*created);
            let channel = weighted(rng, &CHANNELS);
            let from_agent = rng.chance(0.15);
            let via = match channel {
                _ if from_agent => "helpdesk",
                "email" if rng.chance(0.3) => "gmail",
                c => c,
            };
            let customer = (!rng.chance(0.01)).then(|| rng.below(customer_count as u64) as usize);
            let assignee = rng
                .chance(0.7)
                .then(|| agents[rng.below(agents.len() as u64) as usize]);
            let open = rng.chance(0.08 + 0.45 * i as f64 / n as f64);
            let k = match rng.below(100) {
                0..=9 => 1,
                10..=24 => 2,
                25..=49 => 3,
                50..=74 => 4,
                75..=89 => 5,
                _ => 6,
            };
            let mut t = created;
            let mut agent_turn = from_agent;
            for seq in 0..k {
                let style = Style::draw(rng);
                if seq > 0 {
                    t += rng.range(5 * MIN, 2 * DAY);
                    agent_turn = if agent_turn {
                        rng.chance(0.3)
                    } else {
                        rng.chance(0.8)
                    };
                }
                let public = !(seq > 0 && agent_turn && rng.chance(0.08));
                msgs.push(MDraft {
                    ticket: i,
                    seq,
                    created: if seq == 0 {
                        created
                    } else {
                        style.t(t).max(created)
                    },
                    from_agent: agent_turn,
                    public,
                    style,
                });
            }
            drafts.push(TDraft {
                style,
                created,
                channel,
                via,
                from_agent,
                customer,
                assignee,
                open,
                order: 10_000 + rng.below(90_000),
            });
        }

        // A bulk import gave many messages one created instant, so ties on
        // messages' only sort key straddle page boundaries.
        if n >= 8 {
            let target = (msgs.len() / 4).clamp(2, 150);
            let start = msgs.partition_point(|m| m.ticket < n * 35 / 100);
            let mut end = start;
            while end < msgs.len()
                && (end - start < target || msgs[end].ticket == msgs[end - 1].ticket)
            {
                end += 1;
            }
            let max = msgs[start..end]
                .iter()
                .map(|m| m.created)
                .max()
                .unwrap_or(START);
            let tie = max - max.rem_euclid(SEC) + SEC + 271_828;
            for m in &mut msgs[start..end] {
                m.created = tie;
            }
        }

        // Derived ticket instants.
        let mut per_ticket: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (j, m) in msgs.iter().enumerate() {
            per_ticket[m.ticket].push(j);
        }
        struct TTimes {
            opened: Option<i64>,
            last_recv: Option<i64>,
            last_msg: i64,
            closed: Option<i64>,
            updated: i64,
            trashed: Option<i64>,
        }
        let mut times = Vec::with_capacity(n);
        for (i, d) in drafts.iter().enumerate() {
            let st = d.style;
            let ms = &per_ticket[i];
            let last_msg = ms
                .iter()
                .map(|&j| msgs[j].created)
                .max()
                .unwrap_or(d.created);
            let last_recv = ms
                .iter()
                .filter(|&&j| !msgs[j].from_agent)
                .map(|&j| msgs[j].created)
                .max();
            let opened = rng
                .chance(0.85)
                .then(|| st.t(d.created + rng.range(MIN, DAY)).max(d.created));
            let closed = (!d.open).then(|| st.t(last_msg + rng.range(MIN, 2 * DAY)).max(last_msg));
            let base = closed
                .unwrap_or(last_msg)
                .max(opened.unwrap_or(0))
                .max(last_msg);
            let mut updated = st.t(base + rng.range(0, 6 * HOUR)).max(base);
            let trashed = rng.chance(0.02).then(|| {
                let t = updated;
                updated = st.t(t + rng.range(0, MIN)).max(t);
                t
            });
            times.push(TTimes {
                opened,
                last_recv,
                last_msg,
                closed,
                updated,
                trashed,
            });
        }

        // Bulk actions (a macro, a tag rename) set one updated instant on a
        // run of consecutive tickets; runs longer than a page make ties that
        // straddle page boundaries in updated_datetime order.
        let groups: Vec<(usize, usize)> = if n >= 300 {
            let g = (n / 300).min(3);
            (0..g)
                .map(|k| {
                    let size = rng.range(130, 171) as usize;
                    let center = n * (2 * k + 1) / (2 * g);
                    let start = center.saturating_sub(size / 2);
                    (start, (start + size).min(n))
                })
                .collect()
        } else if n >= 4 {
            let size = (n / 4).max(2);
            vec![(n / 2 - size / 2, n / 2 - size / 2 + size)]
        } else {
            Vec::new()
        };
        for (a, b) in groups {
            let max = times[a..b].iter().map(|t| t.updated).max().unwrap_or(START);
            let tie = max - max.rem_euclid(SEC) + HOUR + 514_848;
            for t in &mut times[a..b] {
                t.updated = tie;
            }
        }

        // Message ids follow creation order, as the live API's do.
        let mut order: Vec<usize> = (0..msgs.len()).collect();
        order.sort_by_key(|&j| (msgs[j].created, msgs[j].ticket, msgs[j].seq));
        let mut msg_ids = vec![0i64; msgs.len()];
        let mut id = 30_000_000 + r_messages.range(0, 1000);
        for &j in &order {
            msg_ids[j] = next_id(&mut r_messages, &mut id);
        }

        let mut tickets = Vec::with_capacity(n);
        let mut messages: Vec<Item> = Vec::with_capacity(msgs.len());
        let mut ticket_span: Vec<Option<(i64, i64)>> = vec![None; customer_count];
        let mut tag_usage = vec![0i64; tags.len()];
        for (i, d) in drafts.iter().enumerate() {
            let tid = ticket_ids[i];
            let st = d.style;
            let tm = &times[i];
            let customer = d.customer.map(|c| &customer_people[c]);
            if let Some(c) = d.customer {
                let span = ticket_span[c].get_or_insert((d.created, d.created));
                span.0 = span.0.min(d.created);
                span.1 = span.1.max(d.created);
            }
            // Tickets whose customer was merged away still have a sender.
            let cust_summary = customer
                .unwrap_or(&customer_people[i % customer_count])
                .summary();
            let agent_summary =
                user_people[d.assignee.unwrap_or(agents[i % agents.len()])].summary();
            let subject = subject_for(rng, d.channel, d.from_agent, d.order);
            let subject = if i == n / 3 {
                Some(format!(
                    "Order #{}\u{2028}second line of the subject",
                    d.order
                ))
            } else {
                subject
            };
            let integration_id = integration_for(&int_types, d.channel, d.via);
            let mut excerpt = String::new();
            for (pos, &j) in per_ticket[i].iter().enumerate() {
                let m = &msgs[j];
                let rngm = &mut r_messages;
                let (body, stripped) = compose(
                    rngm,
                    m.from_agent,
                    m.public,
                    &first_name(&cust_summary),
                    &first_name(&agent_summary),
                    d.order,
                );
                if pos == 0 {
                    excerpt = stripped.chars().take(100).collect();
                }
                let (sender, receiver) = if m.from_agent {
                    (
                        sender_json(&agent_summary, true, rngm),
                        if m.public {
                            receiver_json(&cust_summary)
                        } else {
                            Value::Null
                        },
                    )
                } else {
                    (
                        sender_json(&cust_summary, false, rngm),
                        if d.assignee.is_some() {
                            receiver_json(&agent_summary)
                        } else {
                            Value::Null
                        },
                    )
                };
                let msg_subject = if d.channel == "email" {
                    subject.as_ref().map(|s| {
                        if pos == 0 {
                            s.clone()
                        } else {
                            format!("Re: {s}")
                        }
                    })
                } else {
                    None
                };
                let mid = msg_ids[j];
                messages.push(Item::from_obj(Obj {
                    id: mid,
                    created: m.created,
                    updated: m.created,
                    value: message_json(
                        MsgSpec {
                            id: mid,
                            ticket_id: tid,
                            channel: d.channel,
                            via: d.via,
                            from_agent: m.from_agent,
                            public: m.public,
                            sender,
                            receiver,
                            integration_id,
                            subject: msg_subject,
                            body,
                            stripped,
                            created: m.created,
                            style: m.style,
                            domain,
                        },
                        rngm,
                    ),
                }));
            }
            let tag_count = match rng.below(100) {
                0..=34 => 0,
                35..=69 => 1,
                70..=89 => 2,
                _ => 3,
            };
            let tag_idx = rng.sample(tags.len(), tag_count);
            for &t in &tag_idx {
                tag_usage[t] += 1;
            }
            let ticket_tags: Vec<Value> = tag_idx
                .iter()
                .map(|&t| tag_summary(&tags[t].value))
                .collect();
            let mut v = json!({
                "id": tid,
                "uri": format!("/api/tickets/{tid}/"),
                "external_id": rng.chance(0.15).then(|| format!("ext-{}", d.order)),
                "language": rng.pick(&["en", "en", "en", "fr", "de", "ja"]),
                "status": if d.open { "open" } else { "closed" },
                "priority": weighted(rng, &[("normal", 75), ("high", 15), ("low", 10)]),
                "channel": d.channel,
                "via": d.via,
                "from_agent": d.from_agent,
                "customer": customer.map(Person::summary),
                "assignee_user": d.assignee.map(|u| user_people[u].summary()),
                "assignee_team": Value::Null,
                "subject": subject,
                "excerpt": excerpt,
                "integrations": [],
                "meta": if rng.chance(0.3) { json!({"sla": {"policy": "standard"}}) } else { Value::Null },
                "tags": ticket_tags,
                "messages_count": per_ticket[i].len(),
                "is_unread": d.open && rng.chance(0.4),
                "spam": rng.chance(0.01),
                "created_datetime": st.s(d.created),
                "opened_datetime": st.o(tm.opened),
                "last_received_message_datetime": st.o(tm.last_recv),
                "last_message_datetime": st.s(tm.last_msg),
                "updated_datetime": st.s(tm.updated),
                "closed_datetime": st.o(tm.closed),
                "snooze_datetime": Value::Null,
                "trashed_datetime": st.o(tm.trashed),
            });
            // Legacy field: only the oldest tickets carry it at all.
            if i < n / 4 && rng.chance(0.4) {
                let req = if rng.chance(0.8) {
                    cust_summary.clone()
                } else {
                    customer_people[rng.below(customer_count as u64) as usize].summary()
                };
                v["requester"] = req;
            }
            tickets.push(Item::from_obj(Obj {
                id: tid,
                created: d.created,
                updated: tm.updated,
                value: v,
            }));
        }
        messages.sort_by_key(|m| m.id);
        for (t, usage) in tags.iter_mut().zip(tag_usage) {
            t.value["usage"] = json!(usage);
        }

        // Satisfaction surveys, for about 30% of tickets (closed ones).
        let rng = &mut r_surveys;
        let mut drafts_s = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            let (Some(closed), Some(c)) = (times[i].closed, d.customer) else {
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
                    "ticket_id": ticket_ids[i],
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

        // Customers, now that their first and last tickets are known.
        let rng = &mut r_customers;
        let shopify = integrations
            .iter()
            .find(|i| i.value["type"] == "shopify")
            .map(|i| i.id);
        let http = integrations
            .iter()
            .find(|i| i.value["type"] == "http")
            .map(|i| i.id);
        let mut customers = Vec::with_capacity(customer_count);
        for (p, span) in customer_people.iter().zip(&ticket_span) {
            let st = Style::draw(rng);
            let created = match span {
                Some((first, _)) => st.t(first - rng.range(0, 60 * DAY)),
                None => st.t(START + rng.range(0, 700 * DAY)),
            };
            let base = span.map_or(created, |s| s.1.max(created));
            let updated = st.t(base + rng.range(0, 10 * DAY)).max(base);
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

        let acct = Style {
            form: Form::Offset,
            whole: false,
        };
        let account = json!({
            "domain": domain,
            "created_datetime": acct.s(START - 400 * DAY + 123_456),
            "status": {"status": "active"},
            "current_subscription": {"plan": "pro", "status": "active", "start_datetime": acct.s(START - 30 * DAY + 654_321)},
            "settings": [
                {"id": 1, "type": "business-hours", "data": {"timezone": "America/New_York", "business_hours": [
                    {"days": "1,2,3,4,5", "from_time": "09:00", "to_time": "17:00"},
                    {"days": "6", "from_time": "10:00", "to_time": "14:00"}
                ]}},
                {"id": 2, "type": "satisfaction-surveys", "data": {"send_survey_for_chat": true}}
            ],
            "meta": {"hmac_algorithm": "sha256"},
        });

        let conv = |v: Vec<Obj>| v.into_iter().map(Item::from_obj).collect::<Vec<_>>();
        let (users, integrations, tags) = (conv(users), conv(integrations), conv(tags));
        let x = extras::generate(
            &mut root,
            n,
            &extras::Core {
                tickets: &tickets,
                users: &users,
                customers: &customers,
                tags: &tags,
            },
        );
        let (mut tickets, mut customers) = (tickets, customers);
        crate::field_values::assign(&mut tickets, &x.custom_fields, "Ticket");
        crate::field_values::assign(&mut customers, &x.custom_fields, "Customer");
        let all = [
            &users,
            &tickets,
            &integrations,
            &tags,
            &messages,
            &surveys,
            &customers,
            &x.teams,
            &x.events,
            &x.macros,
            &x.views,
            &x.rules,
            &x.custom_fields,
            &x.jobs,
            &x.voice_calls,
            &x.voice_call_events,
            &x.voice_call_recordings,
        ];
        let last_stamp = all
            .iter()
            .flat_map(|c| c.iter())
            .map(|i| i.updated.max(i.created))
            .max()
            .unwrap_or(END);
        Store {
            domain: domain.to_string(),
            int_types,
            account,
            users,
            tickets,
            integrations,
            tags,
            messages,
            surveys,
            customers,
            teams: x.teams,
            events: x.events,
            macros: x.macros,
            views: x.views,
            view_preds: x.view_preds,
            rules: x.rules,
            custom_fields: x.custom_fields,
            jobs: x.jobs,
            voice_calls: x.voice_calls,
            voice_call_events: x.voice_call_events,
            voice_call_recordings: x.voice_call_recordings,
            event_rng: root.fork(16),
            last_stamp,
            indexes: Default::default(),
            view_indexes: Default::default(),
        }
    }

    /// Changes whenever the data may have: every change is stamped (see
    /// [`Store::stamp`]) and collections only grow. Keys the listing indexes.
    pub(crate) fn version(&self, c: Coll) -> (i64, usize) {
        (self.last_stamp, self.items(c).len())
    }

    pub(crate) fn items(&self, c: Coll) -> &[Item] {
        match c {
            Coll::Users => &self.users,
            Coll::Tickets => &self.tickets,
            Coll::Integrations => &self.integrations,
            Coll::Tags => &self.tags,
            Coll::Messages => &self.messages,
            Coll::Surveys => &self.surveys,
            Coll::Customers => &self.customers,
            Coll::Teams => &self.teams,
            Coll::Events => &self.events,
            Coll::Macros => &self.macros,
            Coll::Views => &self.views,
            Coll::ViewItems => &self.tickets,
            Coll::Rules => &self.rules,
            Coll::CustomFields => &self.custom_fields,
            Coll::Jobs => &self.jobs,
            Coll::VoiceCalls => &self.voice_calls,
            Coll::VoiceCallEvents => &self.voice_call_events,
            Coll::VoiceCallRecordings => &self.voice_call_recordings,
        }
    }

    pub(crate) fn view_pred(&self, view_id: i64) -> Option<ViewPred> {
        self.view_preds
            .iter()
            .find(|(id, _)| *id == view_id)
            .map(|(_, p)| *p)
    }

    pub(crate) fn snapshot(&self, collection: &str) -> Vec<Value> {
        if collection == "account" {
            return vec![self.account.clone()];
        }
        if let Some(pred) = collection
            .strip_prefix("views/")
            .and_then(|r| r.strip_suffix("/items"))
            .and_then(|id| id.parse().ok())
            .and_then(|id| self.view_pred(id))
        {
            return self
                .tickets
                .iter()
                .filter(|t| pred.matches(&t.meta))
                .map(Item::value)
                .collect();
        }
        Coll::from_name(collection).map_or_else(Vec::new, |c| {
            self.items(c).iter().map(Item::value).collect()
        })
    }

    /// A fresh instant for a change: the wall clock, but never earlier than
    /// anything already stored and never on a whole second, so it always
    /// renders with microseconds.
    fn stamp(&mut self) -> i64 {
        let mut t = now_us().max(self.last_stamp + 1);
        if t.rem_euclid(SEC) == 0 {
            t += 1;
        }
        self.last_stamp = t;
        t
    }

    /// A change cue: `n` objects of `c`, evenly spread over it, get a new
    /// `updated_datetime` (those without one are left as they are).
    pub(crate) fn touch_spread(&mut self, c: Coll, n: usize) {
        let len = self.items(c).len();
        if n == 0 || len == 0 {
            return;
        }
        let mut ids: Vec<(i64, usize)> = self
            .items(c)
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id, i))
            .collect();
        ids.sort_unstable();
        let step = (len / n.min(len)).max(1);
        for &(_, idx) in ids.iter().step_by(step).take(n) {
            let t = self.stamp();
            let Some(item) = self.items_mut(c).get_mut(idx) else {
                continue;
            };
            if !item.raw.contains("\"updated_datetime\"") {
                continue;
            }
            item.updated = t;
            item.edit(|v| set_time(v, "updated_datetime", Some(t)));
        }
    }

    fn items_mut(&mut self, c: Coll) -> &mut Vec<Item> {
        match c {
            Coll::Users => &mut self.users,
            Coll::Tickets | Coll::ViewItems => &mut self.tickets,
            Coll::Integrations => &mut self.integrations,
            Coll::Tags => &mut self.tags,
            Coll::Messages => &mut self.messages,
            Coll::Surveys => &mut self.surveys,
            Coll::Customers => &mut self.customers,
            Coll::Teams => &mut self.teams,
            Coll::Events => &mut self.events,
            Coll::Macros => &mut self.macros,
            Coll::Views => &mut self.views,
            Coll::Rules => &mut self.rules,
            Coll::CustomFields => &mut self.custom_fields,
            Coll::Jobs => &mut self.jobs,
            Coll::VoiceCalls => &mut self.voice_calls,
            Coll::VoiceCallEvents => &mut self.voice_call_events,
            Coll::VoiceCallRecordings => &mut self.voice_call_recordings,
        }
    }

    /// `update_custom_fields` tickets and as many customers each get one
    /// value changed and one removed, bumping `updated_datetime`; drawn from
    /// their own stream so the other changes stay as they were.
    fn change_custom_fields(
        &mut self,
        m: &Mutation,
        tickets: &mut BTreeSet<i64>,
        customers: &mut BTreeSet<i64>,
    ) {
        let mut rng = Rng::new(m.seed ^ 0xC0_57F1_E1D5);
        for idx in rng.sample(self.tickets.len(), m.update_custom_fields) {
            let pick = rng.next_u64() % 1000;
            let item = &mut self.tickets[idx];
            crate::field_values::change(item, &self.custom_fields, "Ticket", pick);
            self.touch_ticket(idx);
            tickets.insert(self.tickets[idx].id);
        }
        for idx in rng.sample(self.customers.len(), m.update_custom_fields) {
            let pick = rng.next_u64() % 1000;
            let t = self.stamp();
            let item = &mut self.customers[idx];
            crate::field_values::change(item, &self.custom_fields, "Customer", pick);
            item.updated = t;
            item.edit(|v| set_time(v, "updated_datetime", Some(t)));
            let id = item.id;
            customers.insert(id);
            let changes = json!({"changes": ["custom_fields"]});
            self.record(t, "customer-updated", "Customer", id, changes);
        }
    }

    fn touch_ticket(&mut self, idx: usize) {
        let t = self.stamp();
        let item = &mut self.tickets[idx];
        item.updated = t;
        item.edit(|v| set_time(v, "updated_datetime", Some(t)));
        let id = item.id;
        self.record(
            t,
            "ticket-updated",
            "Ticket",
            id,
            json!({"changes": ["tags"]}),
        );
    }

    /// Appends to the event log what a change at `t` would have written there.
    fn record(&mut self, t: i64, ty: &str, object_type: &str, object_id: i64, data: Value) {
        let id = self.events.last().map_or(70_000_000, |e| e.id) + 1;
        let user = json!(self.users.first().map(|u| u.id));
        let ev = extras::event_item(
            id,
            t,
            ty,
            object_type,
            object_id,
            user,
            data,
            &mut self.event_rng,
        );
        self.events.push(ev);
    }

    fn add_message(&mut self, rng: &mut Rng, idx: usize, from_agent: bool) -> i64 {
        let created = self.stamp();
        let id = self.messages.last().map_or(30_000_000, |m| m.id) + 1;
        let t = self.tickets[idx].value();
        let tid = self.tickets[idx].id;
        let channel = t["channel"].as_str().unwrap_or("email").to_string();
        let via = t["via"].as_str().unwrap_or("email").to_string();
        // A ticket without customer or assignee still needs two parties.
        let cust = if t["customer"].is_null() {
            self.customers[0].value()
        } else {
            t["customer"].clone()
        };
        let agent = if t["assignee_user"].is_null() {
            self.users[0].value()
        } else {
            t["assignee_user"].clone()
        };
        let summary = |p: &Value| json!({"id": p["id"], "email": p["email"], "name": p["name"], "firstname": p["firstname"], "lastname": p["lastname"]});
        let (cust, agent) = (summary(&cust), summary(&agent));
        let order = 10_000 + rng.below(90_000);
        let (body, stripped) = compose(
            rng,
            from_agent,
            true,
            &first_name(&cust),
            &first_name(&agent),
            order,
        );
        let (sender, receiver) = if from_agent {
            (sender_json(&agent, true, rng), receiver_json(&cust))
        } else {
            (sender_json(&cust, false, rng), receiver_json(&agent))
        };
        let subject = (channel == "email")
            .then(|| t["subject"].as_str().map(|s| format!("Re: {s}")))
            .flatten();
        let integration_id = integration_for(&self.int_types, &channel, &via);
        let value = message_json(
            MsgSpec {
                id,
                ticket_id: tid,
                channel: &channel,
                via: &via,
                from_agent,
                public: true,
                sender,
                receiver,
                integration_id,
                subject,
                body,
                stripped,
                created,
                style: Style {
                    form: Form::Offset,
                    whole: false,
                },
                domain: &self.domain,
            },
            rng,
        );
        self.messages.push(Item::new(id, created, created, &value));
        self.record(
            created,
            "message-created",
            "Message",
            id,
            json!({"ticket_id": tid}),
        );
        let item = &mut self.tickets[idx];
        item.updated = created;
        item.edit(|v| {
            let count = v["messages_count"].as_i64().unwrap_or(0) + 1;
            v["messages_count"] = json!(count);
            set_time(v, "last_message_datetime", Some(created));
            if !from_agent {
                set_time(v, "last_received_message_datetime", Some(created));
                v["is_unread"] = json!(true);
            }
            set_time(v, "updated_datetime", Some(created));
        });
        id
    }

    pub(crate) fn mutate(&mut self, m: &Mutation) -> MutationSummary {
        let mut rng = Rng::new(m.seed ^ 0x5EED_0FC0_FFEE);
        let mut tickets = BTreeSet::new();
        let mut messages = BTreeSet::new();
        let mut surveys = BTreeSet::new();
        let mut users = BTreeSet::new();

        for idx in rng.sample(self.tickets.len(), m.update_tickets) {
            let t = self.stamp();
            let priority = *rng.pick(&["normal", "high", "low"]);
            let subject = rng
                .pick(&SUBJECTS)
                .replace("{n}", &rng.range(10_000, 99_999).to_string());
            let item = &mut self.tickets[idx];
            item.updated = t;
            item.edit(|v| {
                let open = v["status"] == "open";
                v["status"] = json!(if open { "closed" } else { "open" });
                set_time(v, "closed_datetime", open.then_some(t));
                v["priority"] = json!(priority);
                v["subject"] = json!(format!("{subject} (edited)"));
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            tickets.insert(id);
            self.record(
                t,
                "ticket-updated",
                "Ticket",
                id,
                json!({"changes": ["status", "priority", "subject"]}),
            );
        }

        let with_room: Vec<usize> = (0..self.tickets.len())
            .filter(|&i| self.tickets[i].meta.tag_count < 3)
            .collect();
        for k in rng.sample(with_room.len(), m.add_tags) {
            let idx = with_room[k];
            let present: Vec<i64> = self.tickets[idx].value()["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t["id"].as_i64()).collect())
                .unwrap_or_default();
            let free: Vec<usize> = (0..self.tags.len())
                .filter(|&t| !present.contains(&self.tags[t].id))
                .collect();
            let tag = free[rng.below(free.len() as u64) as usize];
            let summary = tag_summary(&self.tags[tag].value());
            self.tags[tag].edit(|v| {
                let usage = v["usage"].as_i64().unwrap_or(0) + 1;
                v["usage"] = json!(usage);
            });
            self.tickets[idx].edit(|v| {
                if let Some(a) = v["tags"].as_array_mut() {
                    a.push(summary);
                }
            });
            self.touch_ticket(idx);
            tickets.insert(self.tickets[idx].id);
        }

        let tagged: Vec<usize> = (0..self.tickets.len())
            .filter(|&i| self.tickets[i].meta.tag_count > 0)
            .collect();
        for k in rng.sample(tagged.len(), m.remove_tags) {
            let idx = tagged[k];
            let mut removed = None;
            let pick = rng.next_u64();
            self.tickets[idx].edit(|v| {
                if let Some(a) = v["tags"].as_array_mut() {
                    if !a.is_empty() {
                        removed = Some(a.remove(pick as usize % a.len()));
                    }
                }
            });
            if let Some(tag_id) = removed.and_then(|t| t["id"].as_i64()) {
                if let Some(t) = self.tags.iter_mut().find(|t| t.id == tag_id) {
                    t.edit(|v| {
                        let usage = (v["usage"].as_i64().unwrap_or(1) - 1).max(0);
                        v["usage"] = json!(usage);
                    });
                }
            }
            self.touch_ticket(idx);
            tickets.insert(self.tickets[idx].id);
        }

        if !self.tickets.is_empty() {
            for _ in 0..m.add_messages {
                let idx = rng.below(self.tickets.len() as u64) as usize;
                let from_agent = rng.chance(0.5);
                messages.insert(self.add_message(&mut rng, idx, from_agent));
                tickets.insert(self.tickets[idx].id);
            }
        }

        let unscored: Vec<usize> = (0..self.surveys.len())
            .filter(|&i| self.surveys[i].meta.unscored)
            .collect();
        for k in rng.sample(unscored.len(), m.score_surveys) {
            let t = self.stamp();
            let score = rng.range(1, 6);
            let comment = rng.chance(0.5);
            let item = &mut self.surveys[unscored[k]];
            // Only score fields change: created_datetime, the one sort key,
            // stays put, which is what makes surveys hard to sync.
            item.edit(|v| {
                v["score"] = json!(score);
                if v["sent_datetime"].is_null() {
                    set_time(v, "sent_datetime", Some(t));
                }
                set_time(v, "scored_datetime", Some(t));
                if comment {
                    v["body_text"] = json!("Thanks for the quick reply!");
                }
            });
            let id = item.id;
            surveys.insert(id);
            self.record(
                t,
                "satisfaction-survey-responded",
                "SatisfactionSurvey",
                id,
                Value::Null,
            );
        }

        for _ in 0..m.new_tickets {
            if self.customers.is_empty() {
                break;
            }
            let t = self.stamp();
            let id = self.tickets.last().map_or(100_000, |t| t.id) + 1;
            let cust = self.customers[rng.below(self.customers.len() as u64) as usize].value();
            let customer = json!({"id": cust["id"], "email": cust["email"], "name": cust["name"], "firstname": cust["firstname"], "lastname": cust["lastname"]});
            let channel = weighted(&mut rng, &CHANNELS);
            let order = 10_000 + rng.below(90_000);
            let subject = subject_for(&mut rng, channel, false, order);
            let st = Style {
                form: Form::Offset,
                whole: false,
            };
            let value = json!({
                "id": id,
                "uri": format!("/api/tickets/{id}/"),
                "external_id": Value::Null,
                "language": "en",
                "status": "open",
                "priority": "normal",
                "channel": channel,
                "via": channel,
                "from_agent": false,
                "customer": customer,
                "assignee_user": Value::Null,
                "assignee_team": Value::Null,
                "subject": subject,
                "excerpt": "",
                "integrations": [],
                "meta": Value::Null,
                "tags": [],
                "messages_count": 0,
                "is_unread": true,
                "spam": false,
                "created_datetime": st.s(t),
                "opened_datetime": Value::Null,
                "last_received_message_datetime": Value::Null,
                "last_message_datetime": Value::Null,
                "updated_datetime": st.s(t),
                "closed_datetime": Value::Null,
                "snooze_datetime": Value::Null,
                "trashed_datetime": Value::Null,
            });
            self.tickets.push(Item::new(id, t, t, &value));
            let idx = self.tickets.len() - 1;
            let mid = self.add_message(&mut rng, idx, false);
            // The first message carries the ticket's creation instant, so the
            // ticket stays created == updated as a brand-new ticket is.
            let first = self.messages[self.messages.len() - 1].value();
            let created = self.messages[self.messages.len() - 1].created;
            let excerpt: String = first["stripped_text"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(100)
                .collect();
            let item = &mut self.tickets[idx];
            item.created = created;
            item.edit(|v| {
                set_time(v, "created_datetime", Some(created));
                v["excerpt"] = json!(excerpt);
            });
            messages.insert(mid);
            tickets.insert(id);
            self.record(
                created,
                "ticket-created",
                "Ticket",
                id,
                json!({"channel": channel}),
            );
        }

        for idx in rng.sample(self.users.len(), m.update_users) {
            let t = self.stamp();
            let first = rng.pick(&FIRST).to_string();
            let last = rng.pick(&LAST).to_string();
            let item = &mut self.users[idx];
            item.updated = t;
            item.edit(|v| {
                v["firstname"] = json!(first);
                v["lastname"] = json!(last);
                v["name"] = json!(format!("{first} {last}"));
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            users.insert(id);
            self.record(
                t,
                "user-updated",
                "User",
                id,
                json!({"changes": ["firstname", "lastname", "name"]}),
            );
        }

        let mut customers = BTreeSet::new();
        for idx in rng.sample(self.customers.len(), m.update_customers) {
            let t = self.stamp();
            let note = rng
                .pick(&[
                    "Prefers e-mail.",
                    "VIP — always ship express",
                    "Asked for a callback.",
                ])
                .to_string();
            let language = *rng.pick(&["en", "fr", "de"]);
            let item = &mut self.customers[idx];
            item.updated = t;
            item.edit(|v| {
                v["note"] = json!(note);
                v["language"] = json!(language);
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            customers.insert(id);
            self.record(
                t,
                "customer-updated",
                "Customer",
                id,
                json!({"changes": ["note", "language"]}),
            );
        }

        if m.update_custom_fields > 0 {
            self.change_custom_fields(m, &mut tickets, &mut customers);
        }

        // Hard deletes: the object leaves every list; only the event log
        // still tells a reader it existed.
        let mut deleted_tickets = BTreeSet::new();
        let mut gone: Vec<usize> = rng.sample(self.tickets.len(), m.delete_tickets);
        gone.sort_unstable();
        for &idx in gone.iter().rev() {
            let item = self.tickets.remove(idx);
            let v = item.value();
            for tag in v["tags"].as_array().into_iter().flatten() {
                if let Some(t) = self
                    .tags
                    .iter_mut()
                    .find(|t| t.id == tag["id"].as_i64().unwrap_or(-1))
                {
                    t.edit(|v| {
                        let usage = (v["usage"].as_i64().unwrap_or(1) - 1).max(0);
                        v["usage"] = json!(usage);
                    });
                }
            }
            self.messages.retain(|m| m.meta.ticket_id != Some(item.id));
            self.surveys.retain(|s| s.meta.ticket_id != Some(item.id));
            let calls: BTreeSet<i64> = self
                .voice_calls
                .iter()
                .filter(|c| c.meta.ticket_id == Some(item.id))
                .map(|c| c.id)
                .collect();
            self.voice_calls
                .retain(|c| c.meta.ticket_id != Some(item.id));
            self.voice_call_events
                .retain(|e| e.meta.call_id.is_none_or(|c| !calls.contains(&c)));
            self.voice_call_recordings
                .retain(|r| r.meta.call_id.is_none_or(|c| !calls.contains(&c)));
            deleted_tickets.insert(item.id);
        }
        for &id in &deleted_tickets {
            let t = self.stamp();
            self.record(t, "ticket-deleted", "Ticket", id, Value::Null);
        }

        // Only customers without tickets are deleted, so no ticket or survey
        // is left pointing at a customer that no longer exists.
        let with_tickets: BTreeSet<i64> = self
            .tickets
            .iter()
            .filter_map(|t| t.meta.customer_id)
            .chain(self.surveys.iter().filter_map(|s| s.meta.customer_id))
            .collect();
        let free: Vec<usize> = (0..self.customers.len())
            .filter(|&i| !with_tickets.contains(&self.customers[i].id))
            .collect();
        let mut gone: Vec<usize> = rng
            .sample(free.len(), m.delete_customers.min(free.len()))
            .into_iter()
            .map(|k| free[k])
            .collect();
        gone.sort_unstable();
        let mut deleted_customers = BTreeSet::new();
        for &idx in gone.iter().rev() {
            deleted_customers.insert(self.customers.remove(idx).id);
        }
        for &id in &deleted_customers {
            customers.remove(&id);
            let t = self.stamp();
            self.record(t, "customer-deleted", "Customer", id, Value::Null);
        }

        MutationSummary {
            ticket_ids: tickets.difference(&deleted_tickets).copied().collect(),
            message_ids: messages.into_iter().collect(),
            survey_ids: surveys.into_iter().collect(),
            user_ids: users.into_iter().collect(),
            customer_ids: customers.into_iter().collect(),
            deleted_ticket_ids: deleted_tickets.into_iter().collect(),
            deleted_customer_ids: deleted_customers.into_iter().collect(),
        }
    }
}
