//! RFC 7643 section 3 and RFC 7644 sections 3.3 (POST) and 3.5.1 (PUT): the resource bodies a client writes.
//!
//! A body lists its schemas (the core schema of its type, and every extension it carries), holds only attributes
//! those schemas define, and gives each the type and the required presence the schema asks for. The judging is
//! the protocol crate's [`check_resource`], the rule the mock SP itself applies; each check here looks at one
//! part of it, on a copy of the body in which the parts other checks report are put right, so that one mistake
//! is reported once, by the check about it. Types are the RFC 7643 core User (with the enterprise extension) and
//! Group, which is what the mock SP publishes at /Schemas and /ResourceTypes.

use super::subject::{Endpoint, Subject, clip, view_of};
use super::{Check, Finding, Level};
use crate::store::Kind;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::schema::{AttrType, AttributeDef, Mutability, ResourceView};
use scimlab_protocol::validate::{Mode, check_resource};
use serde_json::{Map, Value};

/// The checks of this area, in registry order.
pub(super) const CHECKS: &[&Check] = &[&SCHEMAS_LIST_CORE, &SCHEMAS_KNOWN, &KNOWN_ATTRIBUTES, &BODY_FITS];

/// RFC 7643 section 3: `schemas` names the schemas of the representation.
pub(super) static SCHEMAS_LIST_CORE: Check = Check {
    id: "client/rfc7643/3/schemas-list-core",
    level: Level::Must,
    section: "RFC 7643 3",
    requirement: "a POST or PUT body has a schemas array listing its type's core schema and every extension \
                  whose object it carries",
    judge: schemas_list_core,
};

/// RFC 7643 section 3: the URNs listed are schemas of the resource type.
pub(super) static SCHEMAS_KNOWN: Check = Check {
    id: "client/rfc7643/3/schemas-known",
    level: Level::Should,
    section: "RFC 7643 3",
    requirement: "every URN in schemas is the core schema or an extension the server publishes for the type \
                  (/ResourceTypes), spelled as published",
    judge: schemas_known,
};

/// RFC 7644 section 3.3: attributes the server does not define may be refused.
pub(super) static KNOWN_ATTRIBUTES: Check = Check {
    id: "client/rfc7644/3.3/known-attributes",
    level: Level::Should,
    section: "RFC 7644 3.3",
    requirement: "a POST or PUT body holds only attributes its schemas define, extension attributes inside their \
                  extension's object",
    judge: known_attributes,
};

/// RFC 7644 sections 3.3 and 3.5.1 with RFC 7643 section 2.3: values fit their attributes.
pub(super) static BODY_FITS: Check = Check {
    id: "client/rfc7644/3.3/body-fits-schema",
    level: Level::Must,
    section: "RFC 7644 3.3",
    requirement: "a POST or PUT body is a JSON object whose values have the types, and which has the required \
                  attributes, that its type's schemas define",
    judge: body_fits,
};

/// The resource kind and mode of a POST to `/{type}` or a PUT to `/{type}/{id}`.
pub(super) fn resource_write(s: &Subject<'_>) -> Option<(Kind, Mode)> {
    match s.endpoint {
        Endpoint::Collection(k) if s.is("POST") => Some((k, Mode::Create)),
        Endpoint::Resource(k) if s.is("PUT") => Some((k, Mode::Replace)),
        _ => None,
    }
}

/// A core or common attribute (RFC 7643 section 3.1) of the type: what may sit at a body's top level.
fn top_level<'v>(view: &ResourceView<'v>, key: &str) -> Option<&'v AttributeDef> {
    view.core.attribute(key).or_else(|| view.common().iter().find(|a| a.name.eq_ignore_ascii_case(key)))
}

fn is_urn(key: &str) -> bool {
    key.len() > 4 && key.is_char_boundary(4) && key[..4].eq_ignore_ascii_case("urn:")
}

/// The strings found where a boolean belongs (RFC 7643 section 2.3.2), as `path: "value"`, in body order.
/// readOnly attributes are left out: the server ignores them.
pub(super) fn string_booleans(body: &Value, view: &ResourceView<'_>) -> Vec<String> {
    let mut copy = body.clone();
    let mut found = Vec::new();
    coerce_string_booleans(&mut copy, view, &mut found);
    found
}

/// Replaces `"true"` / `"false"` strings (any case) where a boolean belongs with the boolean, noting each.
fn coerce_string_booleans(body: &mut Value, view: &ResourceView<'_>, found: &mut Vec<String>) {
    let Value::Object(members) = body else { return };
    for (key, value) in members.iter_mut() {
        if let Some(ext) = view.extension(key) {
            if let Value::Object(inner) = value {
                for (name, v) in inner.iter_mut() {
                    if let Some(attr) = ext.attribute(name) {
                        walk(attr, v, &format!("{}:{}", ext.id, attr.name), found);
                    }
                }
            }
        } else if let Some(attr) = top_level(view, key) {
            walk(attr, value, &attr.name, found);
        }
    }
}

fn walk(attr: &AttributeDef, v: &mut Value, path: &str, found: &mut Vec<String>) {
    if attr.mutability == Mutability::ReadOnly {
        return;
    }
    match v {
        Value::Array(items) if attr.multi_valued => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_one(attr, item, &format!("{path}[{i}]"), found);
            }
        }
        _ => walk_one(attr, v, path, found),
    }
}

fn walk_one(attr: &AttributeDef, v: &mut Value, path: &str, found: &mut Vec<String>) {
    match (attr.kind, &mut *v) {
        (AttrType::Boolean, Value::String(s)) => {
            let b = if s.eq_ignore_ascii_case("true") {
                true
            } else if s.eq_ignore_ascii_case("false") {
                false
            } else {
                return;
            };
            found.push(format!("{path}: {v}"));
            *v = Value::Bool(b);
        }
        (AttrType::Complex, Value::Object(members)) => {
            for (key, sv) in members.iter_mut() {
                if let Some(sub) = attr.sub(key) {
                    walk(sub, sv, &format!("{path}.{}", sub.name), found);
                }
            }
        }
        _ => {}
    }
}

/// The names in a body that its type does not define: top-level members that are neither core, common nor a
/// known extension's key, and members of a known extension's object that the extension does not define.
fn unknown_attributes(body: &Map<String, Value>, view: &ResourceView<'_>) -> Vec<String> {
    let mut unknown = Vec::new();
    for (key, value) in body {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = view.extension(key) {
            if let Value::Object(inner) = value {
                unknown.extend(inner.keys().filter(|n| ext.attribute(n).is_none()).map(|n| format!("{key}:{n}")));
            }
        } else if top_level(view, key).is_none() {
            unknown.push(key.clone());
        }
    }
    unknown
}

fn schemas_list_core(s: &Subject<'_>) -> Option<Finding> {
    let (kind, _) = resource_write(s)?;
    let Some(Value::Object(body)) = s.json() else { return None };
    let view = view_of(kind);
    let core = &view.core.id;
    let why = match get_ci(body, "schemas") {
        None | Some(Value::Null) => format!("the body has no schemas; it must list {core}"),
        Some(Value::Array(urns)) if urns.iter().all(Value::is_string) => {
            let listed: Vec<&str> = urns.iter().filter_map(Value::as_str).collect();
            let mut problems = Vec::new();
            if !listed.iter().any(|u| view.is_core_urn(u)) {
                problems.push(format!("schemas does not list the core schema {core}"));
            }
            for key in body.keys().filter(|k| view.extension(k).is_some()) {
                if !listed.iter().any(|u| u.eq_ignore_ascii_case(key)) {
                    problems.push(format!("the body carries the extension {key} but schemas does not list it"));
                }
            }
            if problems.is_empty() {
                return None;
            }
            problems.join("; ")
        }
        Some(other) => format!("schemas must be an array of URN strings, got {other}"),
    };
    let excerpt = get_ci(body, "schemas").map_or_else(|| "(no schemas)".to_owned(), |v| format!("\"schemas\": {v}"));
    Some(Finding::new(format!("{}: {why}", s.target())).with_excerpt(excerpt))
}

fn schemas_known(s: &Subject<'_>) -> Option<Finding> {
    let (kind, _) = resource_write(s)?;
    let Some(Value::Object(body)) = s.json() else { return None };
    let Some(Value::Array(urns)) = get_ci(body, "schemas") else { return None };
    let view = view_of(kind);
    let strangers: Vec<&str> =
        urns.iter().filter_map(Value::as_str).filter(|u| !view.is_core_urn(u) && view.extension(u).is_none()).collect();
    if strangers.is_empty() {
        return None;
    }
    let known: Vec<&str> = view.schema_urns().collect();
    Some(
        Finding::new(format!(
            "{}: schemas lists {}, which the server does not publish for {} (it publishes {})",
            s.target(),
            strangers.join(", "),
            view.resource_type.name,
            known.join(", ")
        ))
        .with_excerpt(format!("\"schemas\": {}", Value::Array(urns.clone()))),
    )
}

fn known_attributes(s: &Subject<'_>) -> Option<Finding> {
    let (kind, _) = resource_write(s)?;
    let Some(Value::Object(body)) = s.json() else { return None };
    let view = view_of(kind);
    let unknown = unknown_attributes(body, &view);
    if unknown.is_empty() {
        return None;
    }
    let hint = if unknown.iter().any(|k| !is_urn(k) && view.resolve(None, k).is_some()) {
        " (an extension attribute belongs inside its extension's object, under the extension URN)"
    } else {
        ""
    };
    Some(
        Finding::new(format!(
            "{}: {} defines no {}{hint}",
            s.target(),
            view.resource_type.name,
            unknown.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
        ))
        .with_excerpt(unknown.join("\n")),
    )
}

fn body_fits(s: &Subject<'_>) -> Option<Finding> {
    let (kind, mode) = resource_write(s)?;
    let view = view_of(kind);
    let Some(json) = s.json() else {
        let why = if s.body().is_some() { "the body is not valid JSON" } else { "the request has no body" };
        return Some(Finding::new(format!(
            "{}: {why}; a {} resource was expected",
            s.target(),
            view.resource_type.name
        )));
    };
    let mut fixed = json.clone();
    if let Value::Object(body) = &mut fixed {
        // What the other checks report is put right first, so this one reports only types and presence.
        for name in unknown_attributes(body, &view) {
            match name.rsplit_once(':').filter(|_| is_urn(&name)) {
                Some((ext, member)) if view.extension(ext).is_some() => {
                    if let Some(Value::Object(inner)) = body.get_mut(ext) {
                        inner.shift_remove(member);
                    }
                }
                _ => {
                    body.shift_remove(&name);
                }
            }
        }
        let mut schemas: Vec<Value> = vec![Value::String(view.core.id.clone())];
        schemas.extend(body.keys().filter_map(|k| view.extension(k)).map(|ext| Value::String(ext.id.clone())));
        if let Some(key) = scimlab_protocol::json::key_ci(body, "schemas").map(str::to_owned) {
            body.shift_remove(&key);
        }
        body.insert("schemas".to_owned(), Value::Array(schemas));
        coerce_string_booleans(&mut fixed, &view, &mut Vec::new());
    }
    let e = check_resource(&fixed, &view, mode).err()?;
    let finding = Finding::new(format!("{}: {}", s.target(), e.detail));
    Some(match s.body() {
        Some(b) => finding.with_excerpt(clip(b)),
        None => finding,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{clean_headers, exchange};
    use super::*;
    use scimlab_protocol::schema::{ENTERPRISE_USER_URN, USER_URN};
    use serde_json::json;

    fn post_user(body: Value) -> scimlab_protocol::exchange::Exchange {
        exchange("POST", "/scim/v2/Users", clean_headers(), Some(&body.to_string()))
    }

    #[test]
    fn schemas_must_list_the_core_schema_and_carried_extensions() {
        let clean = post_user(json!({"schemas": [USER_URN], "userName": "a"}));
        assert_eq!(SCHEMAS_LIST_CORE.run(&clean), None);
        let missing = post_user(json!({"userName": "a"}));
        assert!(SCHEMAS_LIST_CORE.run(&missing).expect("no schemas").detail.contains("has no schemas"));
        let ext_unlisted =
            post_user(json!({"schemas": [USER_URN], "userName": "a", ENTERPRISE_USER_URN: {"department": "R&D"}}));
        let f = SCHEMAS_LIST_CORE.run(&ext_unlisted).expect("extension not listed");
        assert!(f.detail.contains("carries the extension"), "{}", f.detail);
        let put = exchange("PUT", "/Users/1", clean_headers(), Some(r#"{"schemas":"x","userName":"a"}"#));
        assert!(SCHEMAS_LIST_CORE.run(&put).expect("not an array").detail.contains("must be an array"));
        // Not a resource write: a POST to /.search is a query.
        let search = exchange("POST", "/Users/.search", clean_headers(), Some(r#"{"filter":"userName pr"}"#));
        assert_eq!(SCHEMAS_LIST_CORE.run(&search), None);
    }

    #[test]
    fn string_booleans_in_bodies_are_found_where_booleans_belong() {
        let body = json!({"schemas": [USER_URN], "userName": "a", "active": "True", "title": "false",
                          "emails": [{"value": "a@b.c", "primary": "false"}], "meta": {"x": "true"}});
        let found = string_booleans(&body, &view_of(Kind::User));
        assert_eq!(found, ["active: \"True\"", "emails[0].primary: \"false\""]);
    }

    #[test]
    fn body_fits_reports_types_once() {
        let clean = post_user(json!({"schemas": [USER_URN], "userName": "a", "active": true}));
        assert_eq!(BODY_FITS.run(&clean), None);
        let wrong_type = post_user(json!({"schemas": [USER_URN], "userName": "a", "emails": {"value": "a@b.c"}}));
        assert!(BODY_FITS.run(&wrong_type).expect("emails must be an array").detail.contains("emails"));
        let no_user_name = post_user(json!({"schemas": [USER_URN], "displayName": "A"}));
        assert!(BODY_FITS.run(&no_user_name).expect("userName is required").detail.contains("userName"));
        // Each of these is another check's finding, not this one's.
        let others = post_user(json!({"userName": "a", "active": "False", "department": "R&D"}));
        assert_eq!(BODY_FITS.run(&others), None);
        let not_json = exchange("POST", "/Users", clean_headers(), Some("userName=a"));
        assert!(BODY_FITS.run(&not_json).expect("not JSON").detail.contains("not valid JSON"));
    }
}
