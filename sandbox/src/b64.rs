//! Base64 through the `base64` crate (already built for ureq): the standard
//! alphabet for HTTP Basic credentials, the URL-safe unpadded one for cursors
//! so they survive a query string unescaped. Decoding is lenient as a server's
//! would be: padding optional, stray low bits ignored.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

#[cfg(test)]
pub(crate) fn encode_std(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub(crate) fn decode_std(text: &str) -> Option<Vec<u8>> {
    STD.decode(text).ok()
}

pub(crate) fn encode_url(data: &[u8]) -> String {
    URL.encode(data)
}

pub(crate) fn decode_url(text: &str) -> Option<Vec<u8>> {
    URL.decode(text).ok()
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
