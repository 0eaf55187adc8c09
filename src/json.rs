//! A page body parsed once, in place. Every API object a sync reads is looked
//! at for a dozen fields and then dropped, so building a `serde_json::Value`
//! tree for it (a `BTreeMap` and a `String` per key, a `String` per value)
//! was a third of a sync's instructions. A [`Doc`] keeps the body's text and
//! a flat list of slots, one per JSON value in document order; a string
//! without escapes is a range of the body, and an object or array knows where
//! its last descendant ends, so a lookup skips whole subtrees.
//!
//! A `Doc` owns everything it refers to, so a parsed page can cross threads.
//!
//! This is the speed layer's page parser, and the measurement behind it:
//! with rows serialised once into a reusable buffer beside it, a full read
//! of the 1 000-ticket sandbox went from 1 646 M to 744 M instructions
//! (158 000 to 72 000 per record, `valgrind --tool=callgrind`), and the bench
//! from 3.98 to 1.22 CPU s per 100 000 records; byte comparisons in key
//! lookups then took it to 513 M (docs/benchmarks.md, "Connector
//! optimisations", steps 1 and 2). The floor is 2.00 CPU s.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// A string as written in the body (it had no escapes).
    Text {
        start: u32,
        len: u32,
    },
    /// A string that had escapes, decoded into the side buffer.
    Decoded {
        start: u32,
        len: u32,
    },
    /// `end` is the index of the first slot after the last descendant; an
    /// object's descendants alternate key (a string slot) and value.
    Array {
        end: u32,
    },
    Object {
        end: u32,
    },
}

/// Why a body is not a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocError {
    /// It ends before the JSON does: a cut connection.
    Truncated,
    /// It is not JSON (or not UTF-8).
    Invalid,
}

/// One JSON text, parsed.
#[derive(Debug, Clone)]
pub struct Doc {
    text: String,
    decoded: String,
    slots: Vec<Slot>,
}

impl Doc {
    pub fn parse(body: Vec<u8>) -> Result<Doc, DocError> {
        let text = match String::from_utf8(body) {
            Ok(t) => t,
            // Not UTF-8: serde_json's own scan says whether it was cut short.
            Err(e) => {
                return Err(match serde_json::from_slice::<Value>(e.as_bytes()) {
                    Err(e) if e.is_eof() => DocError::Truncated,
                    _ => DocError::Invalid,
                })
            }
        };
        if text.len() >= u32::MAX as usize {
            return Err(DocError::Invalid);
        }
        let mut b = Builder {
            base: text.as_ptr() as usize,
            len: text.len(),
            decoded: String::new(),
            // About one value per 12 bytes of API JSON.
            slots: Vec::with_capacity(text.len() / 12 + 4),
        };
        let mut de = serde_json::Deserializer::from_str(&text);
        let parsed = NodeSeed { b: &mut b }
            .deserialize(&mut de)
            .and_then(|()| de.end());
        match parsed {
            Ok(()) => Ok(Doc {
                text,
                decoded: b.decoded,
                slots: b.slots,
            }),
            Err(e) if e.is_eof() => Err(DocError::Truncated),
            Err(_) => Err(DocError::Invalid),
        }
    }

    /// The document of a value (tests, and callers holding a `Value`).
    pub fn from_value(v: &Value) -> Doc {
        let body = serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec());
        Doc::parse(body).unwrap_or_else(|_| Doc {
            text: String::new(),
            decoded: String::new(),
            slots: vec![Slot::Null],
        })
    }

    fn key_is(&self, slot: Slot, key: &[u8]) -> bool {
        let (text, start, len) = match slot {
            Slot::Text { start, len } => (&self.text, start, len),
            Slot::Decoded { start, len } => (&self.decoded, start, len),
            _ => return false,
        };
        len as usize == key.len()
            && text.as_bytes().get(start as usize..(start + len) as usize) == Some(key)
    }

    pub fn root(&self) -> Node<'_> {
        Node { doc: self, i: 0 }
    }
}

/// One value of a [`Doc`]. Lookups mirror `serde_json::Value`'s: a missing
/// key and a value of another type both give `None`.
#[derive(Clone, Copy)]
pub struct Node<'d> {
    doc: &'d Doc,
    i: u32,
}

/// The node's kind, with its scalar payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind<'d> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'d str),
    Array,
    Object,
}

impl<'d> Node<'d> {
    fn slot(&self) -> Slot {
        self.doc.slots[self.i as usize]
    }

    /// The index just past this node and its descendants.
    fn end(&self) -> u32 {
        match self.slot() {
            Slot::Array { end } | Slot::Object { end } => end,
            _ => self.i + 1,
        }
    }

    fn at(&self, i: u32) -> Node<'d> {
        Node { doc: self.doc, i }
    }

    pub fn kind(&self) -> Kind<'d> {
        match self.slot() {
            Slot::Null => Kind::Null,
            Slot::Bool(b) => Kind::Bool(b),
            Slot::Int(n) => Kind::Int(n),
            Slot::UInt(n) => Kind::UInt(n),
            Slot::Float(f) => Kind::Float(f),
            Slot::Text { start, len } => {
                Kind::Str(&self.doc.text[start as usize..(start + len) as usize])
            }
            Slot::Decoded { start, len } => {
                Kind::Str(&self.doc.decoded[start as usize..(start + len) as usize])
            }
            Slot::Array { .. } => Kind::Array,
            Slot::Object { .. } => Kind::Object,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.slot(), Slot::Null)
    }

    /// The node's place in its document: the same node always has the same
    /// one, so a record of which nodes were looked at can be traced back to
    /// their paths (see `probe`).
    pub fn position(&self) -> u32 {
        self.i
    }

    pub fn is_object(&self) -> bool {
        matches!(self.slot(), Slot::Object { .. })
    }

    pub fn is_array(&self) -> bool {
        matches!(self.slot(), Slot::Array { .. })
    }

    pub fn as_str(&self) -> Option<&'d str> {
        match self.slot() {
            Slot::Text { start, len } => self.doc.text.get(start as usize..(start + len) as usize),
            Slot::Decoded { start, len } => {
                self.doc.decoded.get(start as usize..(start + len) as usize)
            }
            _ => None,
        }
    }

    /// An integer, as `serde_json::Value::as_i64` reads one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.slot() {
            Slot::Int(n) => Some(n),
            Slot::UInt(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.slot() {
            Slot::Int(n) => Some(n as f64),
            Slot::UInt(n) => Some(n as f64),
            Slot::Float(f) => Some(f),
            _ => None,
        }
    }

    /// A member of an object; the first one when a key repeats (RFC 8259
    /// leaves that case to the reader, and the API never sends one).
    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        let slots = &self.doc.slots;
        let Slot::Object { end } = slots[self.i as usize] else {
            return None;
        };
        let (end, key) = (end as usize, key.as_bytes());
        let mut k = self.i as usize + 1;
        // The hot loop of every mapping: compare lengths, then bytes, and
        // step over each value's subtree in one move.
        while k + 1 < end {
            if self.doc.key_is(slots[k], key) {
                return Some(self.at(k as u32 + 1));
            }
            k = match slots[k + 1] {
                Slot::Array { end } | Slot::Object { end } => end as usize,
                _ => k + 2,
            };
        }
        None
    }

    /// An array's elements; empty for anything else.
    pub fn elements(&self) -> Elements<'d> {
        let (next, end) = match self.slot() {
            Slot::Array { end } => (self.i + 1, end),
            _ => (0, 0),
        };
        Elements {
            doc: self.doc,
            next,
            end,
        }
    }

    /// An object's members in document order; empty for anything else.
    pub fn members(&self) -> Members<'d> {
        let (next, end) = match self.slot() {
            Slot::Object { end } => (self.i + 1, end),
            _ => (0, 0),
        };
        Members {
            doc: self.doc,
            next,
            end,
        }
    }

    /// The node as a `serde_json::Value` (an owned copy).
    pub fn to_value(&self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Int(n) => Value::from(n),
            Kind::UInt(n) => Value::from(n),
            Kind::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Kind::Str(s) => Value::String(s.to_string()),
            Kind::Array => Value::Array(self.elements().map(|e| e.to_value()).collect()),
            Kind::Object => Value::Object(
                self.members()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

pub struct Elements<'d> {
    doc: &'d Doc,
    next: u32,
    end: u32,
}

impl<'d> Iterator for Elements<'d> {
    type Item = Node<'d>;
    fn next(&mut self) -> Option<Node<'d>> {
        if self.next >= self.end {
            return None;
        }
        let n = Node {
            doc: self.doc,
            i: self.next,
        };
        self.next = n.end();
        Some(n)
    }
}

pub struct Members<'d> {
    doc: &'d Doc,
    next: u32,
    end: u32,
}

impl<'d> Iterator for Members<'d> {
    type Item = (&'d str, Node<'d>);
    fn next(&mut self) -> Option<(&'d str, Node<'d>)> {
        if self.next >= self.end {
            return None;
        }
        let key = Node {
            doc: self.doc,
            i: self.next,
        };
        let value = Node {
            doc: self.doc,
            i: self.next + 1,
        };
        self.next = value.end();
        Some((key.as_str().unwrap_or_default(), value))
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.kind() {
            Kind::Null => s.serialize_unit(),
            Kind::Bool(b) => s.serialize_bool(b),
            Kind::Int(n) => s.serialize_i64(n),
            Kind::UInt(n) => s.serialize_u64(n),
            Kind::Float(f) => s.serialize_f64(f),
            Kind::Str(t) => s.serialize_str(t),
            Kind::Array => {
                let mut seq = s.serialize_seq(None)?;
                for e in self.elements() {
                    seq.serialize_element(&e)?;
                }
                seq.end()
            }
            Kind::Object => {
                let mut map = s.serialize_map(None)?;
                for (k, v) in self.members() {
                    map.serialize_entry(k, &v)?;
                }
                map.end()
            }
        }
    }
}

struct Builder {
    base: usize,
    len: usize,
    decoded: String,
    slots: Vec<Slot>,
}

impl Builder {
    fn string(&mut self, s: &str, borrowed: bool) {
        let at = (s.as_ptr() as usize).wrapping_sub(self.base);
        // Offsets fit in u32: `parse` refuses bodies of 4 GiB or more.
        if borrowed && at <= self.len && s.len() <= self.len - at {
            self.slots.push(Slot::Text {
                start: at as u32,
                len: s.len() as u32,
            });
        } else {
            let start = self.decoded.len() as u32;
            self.decoded.push_str(s);
            self.slots.push(Slot::Decoded {
                start,
                len: s.len() as u32,
            });
        }
    }
}

struct NodeSeed<'b> {
    b: &'b mut Builder,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.b.slots.push(Slot::Null);
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.b.slots.push(Slot::Bool(v));
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.b.slots.push(Slot::Int(v));
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.b.slots.push(match i64::try_from(v) {
            Ok(n) => Slot::Int(n),
            Err(_) => Slot::UInt(v),
        });
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.b.slots.push(Slot::Float(v));
        Ok(())
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.b.string(v, true);
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.b.string(v, false);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let b = self.b;
        let at = b.slots.len();
        b.slots.push(Slot::Array { end: 0 });
        while seq.next_element_seed(NodeSeed { b: &mut *b })?.is_some() {}
        b.slots[at] = Slot::Array {
            end: b.slots.len() as u32,
        };
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.b;
        let at = b.slots.len();
        b.slots.push(Slot::Object { end: 0 });
        // serde_json hands every key to `visit_str` (or the borrowed form),
        // so a key is a string slot.
        while map.next_key_seed(NodeSeed { b: &mut *b })?.is_some() {
            map.next_value_seed(NodeSeed { b: &mut *b })?;
        }
        b.slots[at] = Slot::Object {
            end: b.slots.len() as u32,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(text: &str) -> Doc {
        Doc::parse(text.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn round_trips_every_kind_of_value() {
        let v = json!({"a": [1, -2, 18446744073709551615u64, 2.5, true, false, null],
            "b": {"c": "plain", "d": "esc\"aped\n\u{e9}\u{2028}", "e": {}}, "f": [], "g": [[{"h": "x"}]]});
        let d = Doc::from_value(&v);
        assert_eq!(d.root().to_value(), v);
        assert_eq!(serde_json::to_value(d.root()).unwrap(), v);
    }

    /// Pages are parsed on the fetcher thread, whose stack is a spawned
    /// thread's default: nesting past serde_json's depth limit must be an
    /// error, and nesting within it must fit, parse and serialise there.
    #[test]
    fn deep_nesting_is_refused_or_read_on_a_spawned_threads_stack() {
        std::thread::spawn(|| {
            let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
            assert_eq!(
                Doc::parse(deep.into_bytes()).unwrap_err(),
                DocError::Invalid
            );
            let mut within = String::from("1");
            for _ in 0..63 {
                within = format!(r#"{{"a":[{within}]}}"#);
            }
            let d = Doc::parse(within.clone().into_bytes()).unwrap();
            assert_eq!(serde_json::to_string(&d.root()).unwrap(), within);
            assert_eq!(d.root().to_value().to_string(), within);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn lookups_skip_nested_values_and_read_like_serde_json() {
        let d =
            doc(r#"{"x": {"id": 1, "name": "in"}, "id": 7, "name": "out", "l": [{"id": 2}, 3]}"#);
        let r = d.root();
        assert_eq!(r.get("id").and_then(|n| n.as_i64()), Some(7));
        assert_eq!(r.get("name").and_then(|n| n.as_str()), Some("out"));
        assert_eq!(r.get("x").and_then(|x| x.get("name")?.as_str()), Some("in"));
        assert!(r.get("missing").is_none());
        assert!(r.get("l").unwrap().get("id").is_none());
        let l: Vec<_> = r
            .get("l")
            .unwrap()
            .elements()
            .map(|e| e.to_value())
            .collect();
        assert_eq!(l, vec![json!({"id": 2}), json!(3)]);
        let keys: Vec<_> = r.members().map(|(k, _)| k).collect();
        assert_eq!(keys, ["x", "id", "name", "l"]);
    }

    #[test]
    fn a_repeated_key_reads_its_first_value() {
        let d = doc(r#"{"a": 1, "b": {"a": 3}, "a": 2}"#);
        assert_eq!(d.root().get("a").and_then(|n| n.as_i64()), Some(1));
        assert_eq!(
            d.root().get("b").and_then(|b| b.get("a")?.as_i64()),
            Some(3)
        );
    }

    #[test]
    fn escaped_keys_and_strings_are_decoded() {
        let d = doc(r#"{"k\u0065y": "v\u00e9", "t": "a\\b"}"#);
        assert_eq!(d.root().get("key").and_then(|n| n.as_str()), Some("vé"));
        assert_eq!(d.root().get("t").and_then(|n| n.as_str()), Some("a\\b"));
    }

    #[test]
    fn cut_and_broken_bodies_are_told_apart() {
        assert_eq!(
            Doc::parse(br#"{"data": [{"id": 1}"#.to_vec()).unwrap_err(),
            DocError::Truncated
        );
        assert_eq!(
            Doc::parse(b"<html>".to_vec()).unwrap_err(),
            DocError::Invalid
        );
        assert_eq!(Doc::parse(b"{} x".to_vec()).unwrap_err(), DocError::Invalid);
        assert_eq!(
            Doc::parse(vec![b'"', 0xff, b'"']).unwrap_err(),
            DocError::Invalid
        );
    }
}
