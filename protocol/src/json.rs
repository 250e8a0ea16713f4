//! Helpers over serde_json values that SCIM's rules need everywhere: case-insensitive member lookup
//! (RFC 7643 section 2.1: attribute names are case-insensitive) and the "has a value" test of RFC 7644
//! section 3.4.2.2 (`pr`).

use serde_json::{Map, Value};

/// The member called `key`, compared case-insensitively; an exact match is tried first because it is the
/// common case and the cheapest.
pub fn get_ci<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// The actual key under which `key` is stored, case-insensitively.
pub fn key_ci<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    if let Some((k, _)) = obj.get_key_value(key) {
        return Some(k.as_str());
    }
    obj.keys().find(|k| k.eq_ignore_ascii_case(key)).map(String::as_str)
}

/// Mutable member lookup, case-insensitively.
pub fn get_ci_mut<'v>(obj: &'v mut Map<String, Value>, key: &str) -> Option<&'v mut Value> {
    let k = key_ci(obj, key)?.to_owned();
    obj.get_mut(&k)
}

/// Removes the member called `key` (case-insensitively), keeping the order of the others.
pub fn remove_ci(obj: &mut Map<String, Value>, key: &str) -> Option<Value> {
    if let Some(v) = obj.shift_remove(key) {
        return Some(v);
    }
    let k = obj.keys().find(|k| k.eq_ignore_ascii_case(key))?.clone();
    obj.shift_remove(&k)
}

/// RFC 7644 section 3.4.2.2, `pr`: a value is present when it is not null, not an empty string, not an empty
/// array, and not an object whose members are all absent.
pub fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => o.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_ignores_case_and_prefers_exact() {
        let v = json!({"UserName": "a", "userName": "b"});
        let o = v.as_object().expect("object");
        assert_eq!(get_ci(o, "userName"), Some(&json!("b")));
        assert!(get_ci(o, "USERNAME").is_some());
        assert_eq!(get_ci(o, "nope"), None);
    }

    #[test]
    fn presence_follows_the_rfc() {
        for v in [json!(null), json!(""), json!([]), json!({}), json!([null, ""]), json!({"a": null})] {
            assert!(!is_present(&v), "{v} should be absent");
        }
        for v in [json!(false), json!(0), json!("x"), json!([{"value": "x"}])] {
            assert!(is_present(&v), "{v} should be present");
        }
    }
}
