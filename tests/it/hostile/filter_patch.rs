//! The hostile server's small filter and PATCH readers: `attr op "value"` filters and plain-path PATCH
//! operations, enough for scimlab's checks and replays to proceed; anything richer is refused or ignored.

use super::text::first_quoted;
use serde_json::{Map, Value};

/// `attr op "value"` (or `attr pr`), the only filters this server understands.
pub struct SimpleFilter {
    attr: String,
    op: String,
    value: String,
}

impl SimpleFilter {
    /// Reads a filter; `None` when it is anything richer.
    pub fn parse(filter: &str) -> Option<SimpleFilter> {
        let mut parts = filter.trim().splitn(3, ' ');
        let attr = parts.next()?.to_owned();
        let op = parts.next()?.to_ascii_lowercase();
        if op == "pr" {
            return parts.next().is_none().then(|| SimpleFilter { attr, op, value: String::new() });
        }
        let rest = parts.next()?.trim();
        let value = rest.strip_prefix('"')?.strip_suffix('"')?;
        if value.contains('"') && !value.contains("\\\"") || attr.contains('[') || attr.contains('(') {
            return None;
        }
        ["eq", "ne", "co", "sw", "ew"].contains(&op.as_str()).then(|| SimpleFilter {
            attr,
            op,
            value: value.replace("\\\"", "\""),
        })
    }

    /// Whether `resource` matches.
    pub fn matches(&self, resource: &Value) -> bool {
        let key = self.attr.rsplit(':').next().unwrap_or(&self.attr);
        let found = resource
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .and_then(|(_, v)| v.as_str());
        let Some(have) = found else { return self.op == "ne" };
        let exact = key == "id" || key.eq_ignore_ascii_case("externalId");
        let (have, want) = if exact {
            (have.to_owned(), self.value.clone())
        } else {
            (have.to_lowercase(), self.value.to_lowercase())
        };
        match self.op.as_str() {
            "eq" => have == want,
            "ne" => have != want,
            "co" => have.contains(&want),
            "sw" => have.starts_with(&want),
            "ew" => have.ends_with(&want),
            _ => true,
        }
    }
}

/// Why a PATCH operation is refused (a 400 with this scimType).
pub struct PatchError {
    /// The scimType of RFC 7644 section 3.12.
    pub scim_type: &'static str,
    /// The detail.
    pub detail: &'static str,
}

/// A naive PATCH: path-less value objects merge, plain attribute paths add / replace / remove, and a
/// `members[value eq "x"]` remove drops that member. Anything else is accepted and ignored.
pub fn apply_op(resource: &mut Value, op: &Value) -> Result<(), PatchError> {
    let name = op.get("op").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    let path = op.get("path").and_then(Value::as_str);
    let value = op.get("value").cloned();
    let Some(obj) = resource.as_object_mut() else { return Ok(()) };
    match (name.as_str(), path, value) {
        ("add" | "replace", None, Some(Value::Object(v))) => {
            for (k, v) in v {
                set(obj, &k, v, name == "add");
            }
            Ok(())
        }
        ("add" | "replace", Some(p), Some(v)) if !p.contains('[') => {
            set(obj, p, v, name == "add");
            Ok(())
        }
        ("add" | "replace", _, None) => Err(PatchError { scim_type: "invalidValue", detail: "no value" }),
        ("remove", None, _) => Err(PatchError { scim_type: "noTarget", detail: "remove needs a path" }),
        ("remove", Some(p), _) if !p.contains('[') => {
            obj.remove(p);
            Ok(())
        }
        ("remove", Some(p), _) => {
            if let (Some(attr), Some(value)) = (p.split('[').next(), first_quoted(p))
                && let Some(list) = obj.get_mut(attr).and_then(Value::as_array_mut)
            {
                list.retain(|m| m.get("value").and_then(Value::as_str) != Some(value.as_str()));
            }
            Ok(())
        }
        ("add" | "replace", _, _) => Ok(()),
        _ => Err(PatchError { scim_type: "invalidSyntax", detail: "unknown op" }),
    }
}

fn set(obj: &mut Map<String, Value>, key: &str, value: Value, append: bool) {
    if key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("meta") {
        return;
    }
    match (obj.get_mut(key), value) {
        (Some(Value::Array(have)), Value::Array(more)) if append => have.extend(more),
        (_, v) => {
            obj.insert(key.to_owned(), v);
        }
    }
}

/// Every string value equal to `from` replaced by `to` (bulkId references).
pub fn substitute(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, from, to)),
        _ => {}
    }
}
