//! What a handler answers, and the query string it reads: the floor under
//! every endpoint, so the custom-field values and the field edits need not
//! import the router.

use serde_json::{json, Value};

pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    pub(crate) fn error(status: u16, msg: &str) -> Resp {
        Resp::json(status, &json!({"error": {"msg": msg}}))
    }

    pub(crate) fn html(status: u16, title: &str) -> Resp {
        let body = format!(
            "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\
             <body><h1>{title}</h1><p>Gorgias sandbox</p></body></html>\n"
        );
        Resp {
            status,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    pub(crate) fn not_found() -> Resp {
        Resp::html(404, "404 Not Found")
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn pct_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let v = b
                    .get(i + 1)
                    .and_then(|&h| hex_val(h))
                    .zip(b.get(i + 2).and_then(|&l| hex_val(l)))
                    .ok_or_else(|| format!("Malformed percent-encoding in {s:?}"))?;
                out.push(v.0 << 4 | v.1);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "Query string is not UTF-8".to_string())
}

pub(crate) fn parse_query(q: &str) -> Result<Vec<(String, String)>, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((pct_decode(k)?, pct_decode(v)?))
        })
        .collect()
}
