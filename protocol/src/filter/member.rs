//! Member lookup for the filter evaluator: the answer of `crate::members::get_ci`, found with fewer
//! instructions, and optionally by scanning from the end of the object.
//!
//! An object's members sit in one array (serde_json's `preserve_order` map), each with its key's length inline;
//! a lookup compares lengths and reads only the keys of the right length. Keys are short, so the bytes are
//! compared in at most two word-sized loads instead of a call to `memcmp`, which was a tenth of the
//! instructions of a scan. Since no two keys of an object are spelled the same, the member spelled exactly as
//! asked can be searched for in any order; [`find`] can start from the end, which for an attribute that usually
//! sits late in a resource (`emails` after the names, `title`, `active` and so on) reads a third of the array
//! instead of all of it. Only when no key is spelled exactly as asked does the order matter: then the first
//! member in order whose key matches ignoring ASCII case wins (RFC 7643 section 2.1), as in `crate::json::get_ci`.

use crate::members::{self, SCAN_LIMIT};
use serde_json::{Map, Value};

/// The member called `name` (case-insensitively, preferring the exact spelling), with its position. `from_end`
/// only chooses where the search for the exact spelling starts; the answer is the same either way.
#[inline]
pub(super) fn find<'m>(m: &'m Map<String, Value>, name: &str, from_end: bool) -> Option<(usize, &'m Value)> {
    if m.len() > SCAN_LIMIT {
        return members::get_ci(m, name).map(|v| (0, v));
    }
    let n = name.as_bytes();
    let exact = |(_, (k, _)): &(usize, (&String, &Value))| same(k.as_bytes(), n);
    let found = match from_end {
        false => m.iter().enumerate().find(exact),
        true => m.iter().enumerate().rev().find(exact),
    };
    found.or_else(|| m.iter().enumerate().find(|(_, (k, _))| k.eq_ignore_ascii_case(name))).map(|(i, (_, v))| (i, v))
}

/// The member called `name`, case-insensitively, as `crate::members::get_ci` finds it.
#[inline]
pub(super) fn get_ci<'m>(m: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    find(m, name, false).map(|(_, v)| v)
}

/// Whether two byte strings are equal; short ones (every SCIM attribute name but the extension URNs) are
/// compared with one or two overlapping loads.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let len = a.len();
    let word4 =
        |s: &[u8], at: usize| s.get(at..at + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map(u32::from_ne_bytes);
    let word8 =
        |s: &[u8], at: usize| s.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_ne_bytes);
    match len {
        0..4 => a == b,
        4..8 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_agrees_with_slice_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abce",
            "bbcd",
            "value",
            "valuf",
            "walue",
            "emails",
            "active",
            "userName",
            "username",
            "userNamf",
            "displayName",
            "displayNamf",
            "eisplayName",
            "phoneNumbers",
            "x509Certificates",
            "x509Certificatez",
            "urn:ietf:params:scim:schemas:core:2.0:User",
        ];
        for a in words {
            for b in words {
                assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn find_answers_as_members_get_ci_from_either_end() {
        let v = json!({"UserName": "a", "userName": "b", "USERNAME": "c", "x": 1, "emails": [], "EMAILS": 2});
        let small = v.as_object().expect("object");
        let mut big = small.clone();
        for i in 0..SCAN_LIMIT {
            big.insert(format!("k{i}"), json!(i));
        }
        for m in [small, &big] {
            for name in ["userName", "USERNAME", "username", "UserName", "nope", "X", "emails", "Emails", "k7", "K7"] {
                for from_end in [false, true] {
                    assert_eq!(find(m, name, from_end).map(|(_, v)| v), members::get_ci(m, name), "{name}");
                }
            }
        }
        assert_eq!(find(small, "emails", true), Some((4, &json!([]))));
    }
}
