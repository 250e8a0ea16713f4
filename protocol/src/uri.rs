//! RFC 3986 percent-encoding as scimlab writes URLs: every byte outside the unreserved set (`A-Z a-z 0-9 - . _ ~`)
//! becomes `%XX`. One rule for query values, for an id put into a path as one segment, and for finding a
//! credential in a URL the way the client wrote it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters (section 2.3).
pub const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `text` with every byte outside RFC 3986's unreserved set percent-encoded.
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(percent_encode("aZ09-._~ /#?%é"), "aZ09-._~%20%2F%23%3F%25%C3%A9");
    }
}
