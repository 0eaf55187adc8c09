//! A stored object and what lists read of it: the collection it belongs to,
//! the facts filters and sort keys use, and the sort key itself. The floor
//! under both the store and the generators.

use serde_json::{json, Value};

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

/// A list's sort key, as a cursor carries it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Null,
    Int(i64),
    Str(String),
}

impl Key {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Key::Null => Value::Null,
            Key::Int(i) => json!(i),
            Key::Str(s) => json!(s),
        }
    }
}
