//! Member lookup in the small JSON objects that resources are made of, by scanning instead of hashing.
//!
//! With serde_json's `preserve_order`, a `Map` is an IndexMap: its entries sit in one array, each with its key's
//! length inline, beside a hash index. A lookup through the index hashes the key with SipHash, then reads the
//! index table, an entry and the key. A scan over a dozen entries compares lengths, reads only the keys of the
//! right length, and walks memory in order. On the objects of a SCIM resource (a dozen members at the top, a
//! handful in a complex value) the scan is cheaper whether the object is in cache or not: scanning instead of
//! hashing cut the instructions of a six-operation PATCH by a fifth, and over 10,000 users that are not in cache,
//! hashing made `userName eq` about nine times slower. Objects with more than [`SCAN_LIMIT`] members use the
//! index, so that no lookup costs more than a few dozen comparisons.
//!
//! Case-insensitive lookups give the answer of [`crate::json::get_ci`]: the member spelled exactly as asked,
//! else the first member (in order) whose name matches ignoring ASCII case (RFC 7643 section 2.1).

use serde_json::{Map, Value};

/// Objects with more members than this are looked up through their hash index.
pub(crate) const SCAN_LIMIT: usize = 24;

/// The member called `name`, case-insensitively, with the key it is stored under.
#[inline]
pub(crate) fn entry_ci<'m>(m: &'m Map<String, Value>, name: &str) -> Option<(&'m str, &'m Value)> {
    if m.len() > SCAN_LIMIT {
        let hashed = m.get_key_value(name);
        return hashed.or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))).map(|(k, v)| (k.as_str(), v));
    }
    // The exact spelling first, in a tight loop over the lengths; then any case, which is rare.
    let exact = m.iter().find(|(k, _)| k.len() == name.len() && k.as_bytes() == name.as_bytes());
    exact.or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))).map(|(k, v)| (k.as_str(), v))
}

/// The member called `name`, case-insensitively. The same search as [`entry_ci`], kept apart because the filter
/// evaluator runs it for every resource it scans and returning the key as well costs a few instructions there.
pub(crate) fn get_ci<'m>(m: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    if m.len() > SCAN_LIMIT {
        return m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v));
    }
    let exact = m.iter().find(|(k, _)| k.len() == name.len() && k.as_bytes() == name.as_bytes());
    exact.or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))).map(|(_, v)| v)
}

/// The key `name` is stored under, case-insensitively.
pub(crate) fn key_ci<'m>(m: &'m Map<String, Value>, name: &str) -> Option<&'m str> {
    entry_ci(m, name).map(|(k, _)| k)
}

/// The member stored under exactly `key`.
pub(crate) fn get<'m>(m: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if m.len() > SCAN_LIMIT {
        return m.get(key);
    }
    m.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The member stored under exactly `key`, to change.
pub(crate) fn get_mut<'m>(m: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Value> {
    if m.len() > SCAN_LIMIT {
        return m.get_mut(key);
    }
    m.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_prefer_the_exact_spelling_then_the_first_in_any_case_like_json_get_ci() {
        let v = json!({"UserName": "a", "userName": "b", "USERNAME": "c", "x": 1});
        let small = v.as_object().expect("object");
        let mut big = small.clone();
        for i in 0..SCAN_LIMIT {
            big.insert(format!("k{i}"), json!(i));
        }
        for m in [small, &big] {
            for name in ["userName", "USERNAME", "username", "UserName", "nope", "X", "k7", "K7"] {
                assert_eq!(get_ci(m, name), crate::json::get_ci(m, name), "{name}");
                assert_eq!(key_ci(m, name), crate::json::key_ci(m, name), "{name}");
                assert_eq!(get(m, name), m.get(name), "{name}");
            }
        }
        assert_eq!(get_ci(small, "username"), Some(&json!("a")));
        let mut m = small.clone();
        *get_mut(&mut m, "USERNAME").expect("present") = json!("d");
        assert_eq!(m["USERNAME"], "d");
        assert!(get_mut(&mut m, "username").is_none());
        *get_mut(&mut big, "k3").expect("present") = json!("e");
        assert_eq!(big["k3"], "e");
    }
}
