//! The redactor: every secret the connector learns (from the config, or
//! from a token answer) is remembered here, and the faces pass every line
//! but a RECORD through [`redact`] before it is written. Text a server sent
//! can reflect the Authorization header, and a misplaced config value can
//! hold the key; catching both at the last step, once, is what no call site
//! can forget.

use std::sync::{Mutex, PoisonError};

/// Every secret seen so far, in each form a server may echo it; it only
/// grows (a rotated token is still a secret).
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The mask a secret is replaced with.
pub const MASK: &str = "****";

/// From this length on a secret is masked wherever it appears; a shorter
/// one only where it stands as a whole token (see [`redact`]), so that a
/// test key `k` or a short token does not garble every word holding it.
const SHORTEST_SECRET: usize = 8;

/// Remembers a secret, so that [`redact`] masks it wherever it appears. An
/// Authorization value (`Basic …`, `Bearer …`) is remembered whole and by its
/// credential part, which a server may echo alone.
pub fn remember_secret(secret: &str) {
    let mut parts = vec![secret.trim()];
    for scheme in ["Basic ", "Bearer "] {
        if let Some(rest) = secret.trim().strip_prefix(scheme) {
            parts.push(rest.trim());
        }
    }
    let mut all = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    for form in parts.into_iter().flat_map(echoed_forms) {
        if !form.is_empty() && !all.contains(&form) {
            all.push(form);
        }
    }
    // Longest first, so a secret that holds another is masked whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// A secret as it is, and as a server may send it back: percent-encoded in
/// a URL or a form (a Location header, an echoed query), and escaped inside
/// a JSON string (an error body).
fn echoed_forms(secret: &str) -> Vec<String> {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    const UNRESERVED: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let percent = utf8_percent_encode(secret, UNRESERVED).to_string();
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    let json = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(secret)
        .to_string();
    let mut forms = vec![
        secret.to_string(),
        percent.clone(),
        lowercase_escapes(&percent),
        percent.replace("%20", "+"),
        json.replace('/', "\\/"),
        json,
    ];
    forms.dedup();
    forms
}

/// `%2F` as `%2f`: the hex digits of each escape in lower case.
fn lowercase_escapes(percent: &str) -> String {
    let mut out = String::with_capacity(percent.len());
    let mut hex_left = 0;
    for c in percent.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            out.push(c);
            hex_left = if c == '%' { 2 } else { 0 };
        }
    }
    out
}

/// The text with every remembered secret masked, and with any credential
/// after `Basic ` or `Bearer ` masked too (a proxy may echo a header we
/// never knew as a secret). A secret shorter than 8 characters is masked
/// where it is a whole token, with no letter or digit on either side:
/// `"ab12"` and `key=ab12` are masked, `cab123` is left alone.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    {
        let all = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
        for s in all.iter() {
            if !out.contains(s.as_str()) {
                continue;
            }
            out = if s.chars().count() >= SHORTEST_SECRET {
                out.replace(s.as_str(), MASK)
            } else {
                mask_whole_tokens(&out, s)
            };
        }
    }
    mask_auth_schemes(&out)
}

/// Masks each occurrence of `secret` with no letter or digit just before or
/// just after it.
fn mask_whole_tokens(text: &str, secret: &str) -> String {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(secret) {
        let end = at + secret.len();
        if alnum(text[..at].chars().next_back()) || alnum(text[end..].chars().next()) {
            continue;
        }
        out.push_str(&text[copied..at]);
        out.push_str(MASK);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Masks the credential after every `Basic`/`Bearer` (any case) that is
/// followed by a token-looking word of 8 characters or more.
fn mask_auth_schemes(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("basic") && !lower.contains("bearer") {
        return text.to_string();
    }
    let is_token = |c: char| c.is_ascii_alphanumeric() || "+/=-._~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        let scheme = ["basic", "bearer"].into_iter().find(|s| {
            rest.starts_with(s) && !lower[..i].ends_with(|c: char| c.is_ascii_alphanumeric())
        });
        if let Some(scheme) = scheme {
            let after = i + scheme.len();
            let gap = text[after..]
                .char_indices()
                .find(|(_, c)| !(c.is_whitespace() || *c == ':' || *c == '='))
                .map(|(n, _)| n)
                .unwrap_or(text.len() - after);
            let start = after + gap;
            let len = text[start..]
                .char_indices()
                .find(|(_, c)| !is_token(*c))
                .map(|(n, _)| n)
                .unwrap_or(text.len() - start);
            let word = &text[start..start + len];
            let looks_secret = word
                .chars()
                .any(|c| c.is_ascii_digit() || "+/=".contains(c));
            if gap > 0 && len >= SHORTEST_SECRET && looks_secret {
                out.push_str(&text[i..start]);
                out.push_str(MASK);
                i = start + len;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// [`redact`] on every string of a message (keys included).
pub fn redact_value(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let r = redact(s);
            if r != *s {
                *s = r;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_value),
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                let r = redact(&k);
                let mut child = o.remove(&k).unwrap_or_default();
                redact_value(&mut child);
                o.insert(r, child);
            }
        }
        _ => {}
    }
}

/// A writer that redacts each line before it passes it on: the faces put
/// stderr behind one, so no log line can carry a secret.
pub struct Redacting<W: std::io::Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: std::io::Write> Redacting<W> {
    pub fn new(inner: W) -> Self {
        Redacting {
            inner,
            line: Vec::new(),
        }
    }

    fn pass_on(&mut self) -> std::io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = redact(&String::from_utf8_lossy(&self.line));
        self.line.clear();
        self.inner.write_all(text.as_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(chunk);
            if chunk.ends_with(b"\n") {
                self.pass_on()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on()?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for Redacting<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    #[test]
    fn remembered_secrets_and_auth_credentials_are_masked() {
        remember_secret("Basic c2VjcmV0LWJhc2U2NC12YWx1ZQ==");
        remember_secret("raw-secret-key-0001");
        assert_eq!(
            redact("echo c2VjcmV0LWJhc2U2NC12YWx1ZQ== and raw-secret-key-0001"),
            "echo **** and ****"
        );
        // A credential we never knew, after its scheme word.
        assert_eq!(
            redact("got Authorization: Bearer abc123def456ghi"),
            "got Authorization: Bearer ****"
        );
        assert_eq!(redact("bearer=Zm9vYmFyYmF6cXV4"), "bearer=****");
        // Plain words are left alone.
        for plain in [
            "basic authentication failed",
            "Bearer token expired",
            "a basic plan",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }

    #[test]
    fn a_short_secret_is_masked_where_it_stands_as_a_whole_token() {
        remember_secret("zq12");
        remember_secret("Q");
        assert_eq!(
            redact(r#"{"zq12": "zq12", "url": "key=zq12&Q=1"}"#),
            r#"{"****": "****", "url": "key=****&****=1"}"#
        );
        // Inside a longer word it is left alone: a key `Q` garbles no `Quote`.
        assert_eq!(redact("Quote czq123 xzq12"), "Quote czq123 xzq12");
        assert_eq!(redact("zq12"), "****");
    }

    #[test]
    fn a_secret_is_masked_in_the_forms_a_server_echoes_it_in() {
        remember_secret("p@ss/w\"quote'd key");
        for echoed in [
            "p@ss/w\"quote'd key",
            "p%40ss%2Fw%22quote%27d%20key",
            "p%40ss%2fw%22quote%27d%20key",
            "p%40ss%2Fw%22quote%27d+key",
            r#"p@ss/w\"quote'd key"#,
            r#"p@ss\/w\"quote'd key"#,
        ] {
            assert_eq!(redact(&format!("<{echoed}>")), "<****>", "{echoed}");
        }
    }

    #[test]
    fn the_redacting_writer_masks_whole_lines() {
        remember_secret("line-secret-0002");
        let mut out = Vec::new();
        {
            let mut w = Redacting::new(&mut out);
            w.write_all(b"WARN line-sec").unwrap();
            w.write_all(b"ret-0002 seen\nlast line-secret-0002")
                .unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "WARN **** seen\nlast ****");
    }
}
