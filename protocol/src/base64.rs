//! Standard base64 (RFC 4648 section 4, padded): the encoding of RFC 7643 `binary` values and of HTTP Basic
//! credentials, through the `base64` crate. This module only fixes which of the crate's engines scimlab means.

use base64::Engine as _;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

/// The standard alphabet with `=` padding, required on decode. Pad bits that are not zero are tolerated:
/// RFC 4648 section 3.5 lets a decoder reject them but does not make it, and RFC 7643 says nothing stricter.
const STANDARD: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));

/// Encodes `input` with the standard alphabet and `=` padding.
pub fn encode(input: &[u8]) -> String {
    STANDARD.encode(input)
}

/// Decodes padded standard base64; `None` when `text` is not that (wrong alphabet, a length that is not a
/// multiple of four, padding missing or misplaced, whitespace).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// The URL-safe alphabet without padding (RFC 4648 section 5), as JOSE writes every part of a JWT and every
/// key parameter of a JWK (RFC 7515 section 2).
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// Encodes `input` as unpadded base64url.
pub fn encode_url(input: &[u8]) -> String {
    URL_SAFE.encode(input)
}

/// Decodes unpadded base64url; `None` when `text` is not that (padding included).
pub fn decode_url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc4648_test_vectors() {
        for (i, o) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(encode(i.as_bytes()), o);
            assert_eq!(decode(o).as_deref(), Some(i.as_bytes()));
            assert!(crate::validate::is_base64(o));
        }
    }

    #[test]
    fn decoding_needs_padding_and_the_standard_alphabet() {
        for bad in ["Zg", "Zm8", "Zg=", "Z===", "Zm9-", "Zm9_", "Zm9v\n", "Zm 9v", "=Zm9"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        // Non-zero pad bits ("Zh==" carries a stray bit after "f") are tolerated.
        assert_eq!(decode("Zh==").as_deref(), Some(&b"f"[..]));
    }

    #[test]
    fn base64url_is_unpadded_and_url_safe() {
        assert_eq!(encode_url(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode_url("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode_url("-_8="), None);
        assert_eq!(decode_url("+/8"), None);
    }
}
