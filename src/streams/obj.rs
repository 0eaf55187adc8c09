//! The typed reader of API objects: [`Obj`] reads a field as the row wants
//! it (converting what loses nothing, tallying the rest as odd), [`Nested`]
//! keeps a nested object read once per row, and [`RowContext`] holds what
//! every row of a sync shares.

use crate::datetime;
use crate::error::{Error, Result};
use crate::json::{Kind, Node};
use crate::schema::Timestamp;
use chrono::{DateTime, Utc};
use std::cell::{Cell, OnceCell, RefCell};

/// Sync-wide values every row carries, and a tally of fields the API sent
/// with a type we could not use (they become null, and the sync says so).
pub struct RowContext {
    pub source_id: String,
    pub synced_at: Timestamp,
    pub coerced: Cell<u64>,
    /// Every field a mapping looks up, when recording (`probe` compares
    /// them with what the API sent); `None` on a sync, which pays one
    /// branch per lookup for it.
    pub reads: Option<RefCell<Vec<FieldRead>>>,
}

/// One lookup of `key` in the object at `parent` (a [`Node::position`]),
/// and whether the object had that key at all (null counts as sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRead {
    pub parent: u32,
    pub key: Box<str>,
    pub sent: bool,
}

impl RowContext {
    pub fn new(source_id: &str, synced_at: DateTime<Utc>) -> Self {
        RowContext {
            source_id: source_id.to_string(),
            synced_at: Timestamp(synced_at),
            coerced: Cell::new(0),
            reads: None,
        }
    }

    /// A context that records every field the mappings look up.
    pub fn recording(source_id: &str, synced_at: DateTime<Utc>) -> Self {
        RowContext {
            reads: Some(RefCell::new(Vec::new())),
            ..RowContext::new(source_id, synced_at)
        }
    }

    /// The lookups recorded so far, emptied.
    pub fn take_reads(&self) -> Vec<FieldRead> {
        self.reads
            .as_ref()
            .map(|r| std::mem::take(&mut *r.borrow_mut()))
            .unwrap_or_default()
    }

    pub fn obj<'a>(&'a self, v: Node<'a>) -> Obj<'a> {
        Obj {
            v: Some(v),
            ctx: self,
        }
    }
}

/// A typed view of one API object. Fields the API sends with another type
/// than documented are converted when nothing is lost (`"3"` → 3) and
/// otherwise read as null and tallied, so one odd record never stops a sync.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    /// `None` for the empty view of an absent object.
    v: Option<Node<'a>>,
    pub(super) ctx: &'a RowContext,
}

impl<'a> Obj<'a> {
    pub(super) fn raw(&self, key: &str) -> Option<Node<'a>> {
        self.lookup(key).filter(|n| !n.is_null())
    }

    /// Every field lookup goes through here, so a recording context sees it.
    fn lookup(&self, key: &str) -> Option<Node<'a>> {
        let v = self.v?;
        let found = v.get(key);
        if let Some(reads) = &self.ctx.reads {
            reads.borrow_mut().push(FieldRead {
                parent: v.position(),
                key: key.into(),
                sent: found.is_some(),
            });
        }
        found
    }

    pub(super) fn odd(&self) {
        self.ctx.coerced.set(self.ctx.coerced.get() + 1);
    }

    /// A nested object, or an empty view when absent or null.
    pub fn at(&self, key: &str) -> Obj<'a> {
        let v = self.raw(key);
        if v.is_some_and(|v| !v.is_object()) {
            self.odd();
        }
        Obj {
            v: v.filter(Node::is_object),
            ctx: self.ctx,
        }
    }

    pub fn is_present(&self) -> bool {
        self.v.is_some_and(|v| v.is_object())
    }

    /// This object, or `instead` when it is absent (a legacy ticket's
    /// `requester`, else its `customer`).
    pub fn or(self, instead: Obj<'a>) -> Obj<'a> {
        if self.is_present() {
            self
        } else {
            instead
        }
    }

    /// The object itself, when present.
    pub fn node(&self) -> Option<Node<'a>> {
        self.v
    }

    /// A member as it is, null or not.
    pub fn member(&self, key: &str) -> Option<Node<'a>> {
        self.lookup(key)
    }

    /// The objects of a list member (one object alone counts as a list of
    /// one); anything else in the list is skipped.
    pub fn objects(&self, key: &str) -> Vec<Obj<'a>> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let one = |n: Node<'a>| Obj {
            v: Some(n),
            ctx: self.ctx,
        };
        match v.kind() {
            Kind::Array => v.elements().filter(Node::is_object).map(one).collect(),
            Kind::Object => vec![one(v)],
            _ => Vec::new(),
        }
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.raw(key)?.kind() {
            Kind::Str(s) => Some(s.to_string()),
            Kind::Int(n) => Some(n.to_string()),
            Kind::UInt(n) => Some(n.to_string()),
            Kind::Float(f) => serde_json::Number::from_f64(f).map(|n| n.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => {
                self.odd();
                None
            }
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        match v.kind() {
            Kind::Int(n) => Some(n),
            Kind::UInt(n) => i64::try_from(n).ok(),
            Kind::Float(f) => (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64),
            Kind::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
        .or_else(|| {
            self.odd();
            None
        })
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.raw(key)?.kind() {
            Kind::Bool(b) => Some(b),
            Kind::Int(0) => Some(false),
            Kind::Int(1) => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.odd();
                None
            }
        }
    }

    pub fn ts(&self, key: &str) -> Option<Timestamp> {
        match self.raw(key)?.kind() {
            Kind::Str(s) => datetime::parse_api(s).map(Timestamp).or_else(|| {
                self.odd();
                None
            }),
            _ => {
                self.odd();
                None
            }
        }
    }

    /// The object's own `id`: without it a row has no identity, so the
    /// record is refused with a sentence rather than keyed by guesswork.
    pub fn id(&self, what: &str) -> Result<i64> {
        self.int("id").ok_or_else(|| {
            Error::system(format!(
                "Gorgias sent a {what} without a numeric `id`, so it cannot be keyed: please report it to Gorgias support with the time of this sync."
            ))
        })
    }
}

/// A nested object of the object being mapped, read on first use and then
/// kept: the columns flattened from it look it up once, so an odd one is
/// tallied once per row, as a hand-written `map` would.
pub struct Nested<'a, F> {
    read: F,
    kept: OnceCell<Obj<'a>>,
}

impl<'a, F: Fn() -> Obj<'a>> Nested<'a, F> {
    pub fn new(read: F) -> Self {
        Nested {
            read,
            kept: OnceCell::new(),
        }
    }

    pub fn get(&self) -> Obj<'a> {
        *self.kept.get_or_init(&self.read)
    }
}

/// The parent object's id that `map` was given, for streams read per parent.
pub fn parent_id(parent: Option<i64>, what: &str) -> Result<i64> {
    parent.ok_or_else(|| {
        Error::system(format!(
            "The {what} list was read without its parent's id: please report this."
        ))
    })
}
