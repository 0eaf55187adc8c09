//! Base64 by hand: the standard alphabet for HTTP Basic credentials, the
//! URL-safe unpadded one for cursors so they survive a query string unescaped.

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode_with(data: &[u8], table: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

fn decode_with(text: &str, table: &[u8; 64]) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = table.iter().position(|&t| t == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Six leftover bits can only come from a truncated string.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
pub(crate) fn encode_std(data: &[u8]) -> String {
    encode_with(data, STD, true)
}

pub(crate) fn decode_std(text: &str) -> Option<Vec<u8>> {
    decode_with(text, STD)
}

pub(crate) fn encode_url(data: &[u8]) -> String {
    encode_with(data, URL, false)
}

pub(crate) fn decode_url(text: &str) -> Option<Vec<u8>> {
    decode_with(text, URL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(
            encode_std(b"sandbox@example.com:sandbox-api-key"),
            "c2FuZGJveEBleGFtcGxlLmNvbTpzYW5kYm94LWFwaS1rZXk="
        );
        for n in 0..40 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode_std(&encode_std(&data)).unwrap(), data);
            assert_eq!(decode_url(&encode_url(&data)).unwrap(), data);
        }
        assert!(decode_url("a").is_none());
        assert!(decode_url("ab*c").is_none());
    }
}
