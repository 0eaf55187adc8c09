//! A row written without the columns a catalog deselected, in the one pass
//! that writes it: the top-level keys are held back until their name is
//! known, and a deselected entry's bytes go nowhere. No row is parsed again.

use super::LineSafeFormatter;
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use std::io::{self, Write};

/// Writes `value` as [`super::write_json`] does, leaving out the entries of
/// its top-level object whose key is in `left_out`.
pub fn write_json_without<W: Write + ?Sized, T: Serialize + ?Sized>(
    w: &mut W,
    value: &T,
    left_out: &[String],
) -> io::Result<()> {
    if left_out.is_empty() {
        return super::write_json(w, value);
    }
    let formatter = Selecting {
        left_out,
        depth: 0,
        key: None,
        skipping: false,
        written: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(w, formatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

struct Selecting<'a> {
    left_out: &'a [String],
    /// Objects open around the current token: 1 inside the row itself.
    depth: usize,
    /// A top-level key being written, held back until it is whole.
    key: Option<Vec<u8>>,
    /// The current top-level entry is deselected.
    skipping: bool,
    /// A top-level entry is out already (the next one needs a comma).
    written: bool,
}

impl Selecting<'_> {
    /// Where the current token goes: nowhere, the held-back key, or out.
    fn to<'w, W: Write + ?Sized>(&'w mut self, writer: &'w mut W) -> Target<'w, W> {
        if self.skipping {
            Target::Nowhere(io::sink())
        } else if let Some(key) = self.key.as_mut() {
            Target::Key(key)
        } else {
            Target::Out(writer)
        }
    }
}

enum Target<'w, W: ?Sized> {
    Nowhere(io::Sink),
    Key(&'w mut Vec<u8>),
    Out(&'w mut W),
}

impl<W: Write + ?Sized> Write for Target<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Nowhere(s) => s.write(buf),
            Target::Key(k) => k.write(buf),
            Target::Out(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Target::Nowhere(_) => Ok(()),
            Target::Key(k) => k.write_all(buf),
            Target::Out(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Every token goes through the line-safe formatter to its [`Target`].
macro_rules! routed {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            LineSafeFormatter.$name(&mut self.to(writer) $(, $arg)*)
        })*
    };
}

impl Formatter for Selecting<'_> {
    routed! {
        write_null();
        write_bool(value: bool);
        write_i8(value: i8);
        write_i16(value: i16);
        write_i32(value: i32);
        write_i64(value: i64);
        write_i128(value: i128);
        write_u8(value: u8);
        write_u16(value: u16);
        write_u32(value: u32);
        write_u64(value: u64);
        write_u128(value: u128);
        write_f32(value: f32);
        write_f64(value: f64);
        write_number_str(value: &str);
        begin_string();
        end_string();
        write_string_fragment(fragment: &str);
        write_char_escape(char_escape: CharEscape);
        write_byte_array(value: &[u8]);
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        write_raw_fragment(fragment: &str);
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        LineSafeFormatter.begin_object(&mut self.to(writer))
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        LineSafeFormatter.end_object(&mut self.to(writer))
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if self.depth != 1 {
            return LineSafeFormatter.begin_object_key(&mut self.to(writer), first);
        }
        self.key = Some(Vec::new());
        Ok(())
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.depth != 1 {
            return LineSafeFormatter.end_object_key(&mut self.to(writer));
        }
        let key = self.key.take().unwrap_or_default();
        // The key as written, quotes included; column names need no escapes.
        let name = key.get(1..key.len().saturating_sub(1)).unwrap_or_default();
        self.skipping = self.left_out.iter().any(|c| c.as_bytes() == name);
        if self.skipping {
            return Ok(());
        }
        if std::mem::replace(&mut self.written, true) {
            writer.write_all(b",")?;
        }
        writer.write_all(&key)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        LineSafeFormatter.begin_object_value(&mut self.to(writer))
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.depth == 1 {
            self.skipping = false;
            return Ok(());
        }
        LineSafeFormatter.end_object_value(&mut self.to(writer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(v: &serde_json::Value, left_out: &[&str]) -> String {
        let left_out: Vec<String> = left_out.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        write_json_without(&mut out, v, &left_out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn deselected_entries_vanish_whatever_their_place_and_shape() {
        let v = json!({"a": 1, "body_text": "long\u{2028}text", "c": {"body_text": [1, {"x": null}]}, "d": "e"});
        assert_eq!(
            written(&v, &["body_text"]),
            r#"{"a":1,"c":{"body_text":[1,{"x":null}]},"d":"e"}"#
        );
        assert_eq!(
            written(&v, &["a"]),
            r#"{"body_text":"long\u2028text","c":{"body_text":[1,{"x":null}]},"d":"e"}"#
        );
        assert_eq!(written(&v, &["a", "body_text", "c", "d"]), "{}");
        assert_eq!(
            written(&v, &[]),
            serde_json::to_string(&v)
                .unwrap()
                .replace('\u{2028}', "\\u2028")
        );
    }
}
