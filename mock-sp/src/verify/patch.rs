//! RFC 7644 section 3.5.2: what a client's PATCH body must look like, and the well-known ways real identity
//! providers break it (capitalised `op`, `"False"` for `false`, dotted keys, remove with a value list, a bare
//! string for a complex value).
//!
//! The protocol crate's PATCH reader already knows each of those breaks as a leniency it can switch on, and it
//! reports every leniency it had to use. So the checks read each operation with every leniency on and apply it
//! to a scratch resource of the endpoint's type (the recorded request does not carry the resource it changed);
//! each [`LeniencyUse`] is a client deviation, attributed to its operation. Operations are read one by one, so
//! one broken operation does not hide what the others did.

use super::subject::{Subject, excerpt_json, view_of};
use super::{Check, Finding, Level};
use crate::store::Kind;
use scimlab_protocol::ScimType;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::patch::{self, Leniency, LeniencyUse, PatchOpKind, PatchOptions, PatchRequest};
use scimlab_protocol::schema::{GROUP_URN, PATCH_OP_URN, USER_URN};
use serde_json::{Value, json};

/// The checks of this area, in registry order.
pub(super) const CHECKS: &[&Check] = &[
    &PATCHOP_SCHEMAS,
    &OPERATIONS,
    &OP_LOWERCASE,
    &PATH_GRAMMAR,
    &STRING_BOOLEAN,
    &DOTTED_KEYS,
    &REMOVE_WITHOUT_VALUE,
    &COMPLEX_IS_OBJECT,
];

/// RFC 7644 section 3.5.2: the body is a PatchOp message.
pub(super) static PATCHOP_SCHEMAS: Check = Check {
    id: "client/rfc7644/3.5.2/patchop-schemas",
    level: Level::Must,
    section: "RFC 7644 3.5.2",
    requirement: "a PATCH body is a JSON object whose schemas lists urn:ietf:params:scim:api:messages:2.0:PatchOp",
    judge: patchop_schemas,
};

/// RFC 7644 section 3.5.2: the operations are well formed.
pub(super) static OPERATIONS: Check = Check {
    id: "client/rfc7644/3.5.2/operations-well-formed",
    level: Level::Must,
    section: "RFC 7644 3.5.2",
    requirement: "Operations is a non-empty array of objects, each with an op of add, remove or replace, a path \
                  where remove needs one, and a value where add and replace need one",
    judge: operations,
};

/// RFC 7644 section 3.5.2: the three op names, as the RFC spells them.
pub(super) static OP_LOWERCASE: Check = Check {
    id: "client/rfc7644/3.5.2/op-lowercase",
    level: Level::Must,
    section: "RFC 7644 3.5.2",
    requirement: "op is one of the names the RFC defines, spelled as it spells them: \"add\", \"remove\", \
                  \"replace\" (not \"Replace\")",
    judge: op_lowercase,
};

/// RFC 7644 section 3.5.2: the PATH grammar.
pub(super) static PATH_GRAMMAR: Check = Check {
    id: "client/rfc7644/3.5.2/path-grammar",
    level: Level::Must,
    section: "RFC 7644 3.5.2",
    requirement: "a path is a string in the PATH grammar: an attribute, optionally URN-qualified, optionally \
                  narrowed by [filter], optionally followed by .subAttribute",
    judge: path_grammar,
};

/// RFC 7643 section 2.3.2: booleans are JSON `true` / `false`.
pub(super) static STRING_BOOLEAN: Check = Check {
    id: "client/rfc7643/2.3.2/boolean-not-string",
    level: Level::Must,
    section: "RFC 7643 2.3.2",
    requirement: "a boolean attribute gets the JSON literal true or false, never the string \"True\" or \"False\"",
    judge: string_boolean,
};

/// RFC 7644 section 3.5.2: path-less values name attributes as nested members.
pub(super) static DOTTED_KEYS: Check = Check {
    id: "client/rfc7644/3.5.2/no-dotted-keys",
    level: Level::Must,
    section: "RFC 7644 3.5.2",
    requirement: "a path-less add or replace gives sub-attributes as nested objects ({\"name\": {\"givenName\": \
                  ...}}), not as dotted member names (\"name.givenName\")",
    judge: dotted_keys,
};

/// RFC 7644 section 3.5.2.2: remove names its target in `path` and takes no value.
pub(super) static REMOVE_WITHOUT_VALUE: Check = Check {
    id: "client/rfc7644/3.5.2.2/remove-without-value",
    level: Level::Must,
    section: "RFC 7644 3.5.2.2",
    requirement: "remove says what to remove in its path (members[value eq \"id\"]) and carries no value list",
    judge: remove_without_value,
};

/// RFC 7643 section 2.3.8: complex values are JSON objects. Found where the reader needs its `scalar_for_complex`
/// leniency: a bare string for a complex attribute with a `value` sub-attribute (Entra's manager), or a one-element
/// array for a single-valued one. Other wrongly typed PATCH values are not judged: whether they fail can depend on
/// the resource the client patched, which a recording does not hold.
pub(super) static COMPLEX_IS_OBJECT: Check = Check {
    id: "client/rfc7643/2.3.8/complex-is-object",
    level: Level::Must,
    section: "RFC 7643 2.3.8",
    requirement: "a complex attribute gets a JSON object (an array of them when multi-valued), not a bare string \
                  or, for a single-valued one such as manager, an array",
    judge: complex_is_object,
};

/// What the PATCH checks share about one request, worked out once ([`Subject::patch_facts`]).
#[derive(Debug, Default)]
pub(super) struct PatchFacts {
    /// Why the body as a whole is not a PatchOp with operations, if it is not.
    shape: Option<String>,
    /// Every leniency the reader and applier needed, with the index of its operation.
    uses: Vec<LeniencyUse>,
    /// Operations whose path does not parse: (index, detail).
    path_errors: Vec<(usize, String)>,
    /// Operations malformed otherwise: (index, detail).
    op_errors: Vec<(usize, String)>,
}

impl PatchFacts {
    /// Reads every operation of a PATCH request on its own, with every leniency on, and applies the ones that
    /// read to a scratch resource of the endpoint's type (a User when the endpoint names none).
    pub(super) fn of(s: &Subject<'_>) -> PatchFacts {
        let mut facts = PatchFacts::default();
        let ops = match s.json() {
            Some(Value::Object(body)) => match get_ci(body, "Operations") {
                Some(Value::Array(ops)) if !ops.is_empty() => ops,
                Some(Value::Array(_)) => {
                    return facts.shaped("Operations is empty; a PATCH needs one operation or more");
                }
                None | Some(Value::Null) => return facts.shaped("the body has no Operations array"),
                Some(other) => return facts.shaped(format!("Operations must be an array, got {other}")),
            },
            Some(other) => return facts.shaped(format!("the body is JSON but not an object: {}", excerpt_json(other))),
            None if s.body().is_some() => return facts.shaped("the body is not valid JSON"),
            None => return facts.shaped("the request has no body"),
        };
        let kind = s.kind().unwrap_or(Kind::User);
        let view = view_of(kind);
        let opts = PatchOptions::lenient();
        let mut scratch = match kind {
            Kind::User => json!({"schemas": [USER_URN], "id": "scratch", "userName": "scratch"}),
            Kind::Group => json!({"schemas": [GROUP_URN], "id": "scratch", "displayName": "scratch"}),
        };
        for (i, op) in ops.iter().enumerate() {
            let single = json!({"schemas": [PATCH_OP_URN], "Operations": [op]});
            let renumber = |d: &str| d.replacen("Operations[0]", &format!("Operations[{i}]"), 1);
            match PatchRequest::from_json(&single, &opts) {
                Ok((req, used)) => {
                    facts.uses.extend(used.into_iter().map(|u| LeniencyUse { operation: i, ..u }));
                    // A failure here depends on the resource the client really patched, which the recording
                    // does not have; only the leniencies of operations that applied are evidence.
                    if let Ok(outcome) = patch::apply(&mut scratch, &req, &view, &opts) {
                        facts.uses.extend(outcome.leniencies.into_iter().map(|u| LeniencyUse { operation: i, ..u }));
                    }
                }
                Err(e) if e.scim_type == Some(ScimType::InvalidPath) => {
                    facts.path_errors.push((i, renumber(&e.detail)))
                }
                Err(e) => facts.op_errors.push((i, renumber(&e.detail))),
            }
        }
        facts
    }

    fn shaped(mut self, why: impl Into<String>) -> Self {
        self.shape = Some(why.into());
        self
    }
}

/// The operation at `index`, as sent, for an excerpt.
fn op_text(s: &Subject<'_>, index: usize) -> Option<String> {
    let Some(Value::Object(body)) = s.json() else { return None };
    get_ci(body, "Operations").and_then(|ops| ops.get(index)).map(excerpt_json)
}

/// A finding listing `items` (operation index, detail), with the operations concerned as the excerpt.
fn per_operation(s: &Subject<'_>, lead: &str, items: &[(usize, String)]) -> Option<Finding> {
    if items.is_empty() {
        return None;
    }
    let details: Vec<&str> = items.iter().map(|(_, d)| d.as_str()).collect();
    let mut indexes: Vec<usize> = items.iter().map(|(i, _)| *i).collect();
    indexes.dedup();
    let excerpt: Vec<String> = indexes.iter().filter_map(|&i| op_text(s, i)).collect();
    let finding = Finding::new(format!("{} {lead}: {}", s.target(), details.join("; ")));
    Some(if excerpt.is_empty() { finding } else { finding.with_excerpt(excerpt.join("\n")) })
}

/// The uses of one leniency, as (operation index, `Operations[i]: detail`).
fn uses_of(s: &Subject<'_>, leniency: Leniency) -> Vec<(usize, String)> {
    s.patch_facts()
        .uses
        .iter()
        .filter(|u| u.leniency == leniency)
        .map(|u| (u.operation, format!("Operations[{}]: {}", u.operation, u.detail)))
        .collect()
}

fn patchop_schemas(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    let why = match s.json() {
        Some(Value::Object(body)) => match get_ci(body, "schemas") {
            Some(Value::Array(urns))
                if urns.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN))) =>
            {
                return None;
            }
            Some(v @ Value::Array(_)) => format!("schemas is {v}, which does not list {PATCH_OP_URN}"),
            Some(v) => format!("schemas must be an array listing {PATCH_OP_URN}, got {v}"),
            None => format!("the body has no schemas; it must list {PATCH_OP_URN}"),
        },
        Some(other) => format!("the body must be a JSON object, got {}", excerpt_json(other)),
        None if s.body().is_some() => "the body is not valid JSON".to_owned(),
        None => "the request has no body; a PATCH carries a PatchOp message".to_owned(),
    };
    let finding = Finding::new(format!("{}: {why}", s.target()));
    Some(match s.body() {
        Some(b) => finding.with_excerpt(super::subject::clip(b)),
        None => finding,
    })
}

fn operations(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    let facts = s.patch_facts();
    if let Some(why) = &facts.shape {
        // A body that is not JSON or not an object is patchop-schemas' finding already.
        return matches!(s.json(), Some(Value::Object(_))).then(|| Finding::new(format!("{}: {why}", s.target())));
    }
    per_operation(s, "has malformed operations", &facts.op_errors)
}

fn op_lowercase(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    let items: Vec<(usize, String)> = s
        .patch_facts()
        .uses
        .iter()
        .filter(|u| u.leniency == Leniency::OpCase)
        .map(|u| {
            let sent = op_name(s, u.operation).unwrap_or_default();
            let right = PatchOpKind::parse_any_case(&sent).map_or("add, remove or replace", PatchOpKind::as_str);
            (u.operation, format!("Operations[{}] sends op {sent:?}, which the RFC spells {right:?}", u.operation))
        })
        .collect();
    per_operation(s, "capitalises op", &items)
}

/// The `op` of operation `index` as sent.
fn op_name(s: &Subject<'_>, index: usize) -> Option<String> {
    let Some(Value::Object(body)) = s.json() else { return None };
    let op = get_ci(body, "Operations")?.get(index)?.as_object()?;
    get_ci(op, "op")?.as_str().map(str::to_owned)
}

fn path_grammar(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    per_operation(s, "has invalid paths", &s.patch_facts().path_errors)
}

fn string_boolean(s: &Subject<'_>) -> Option<Finding> {
    if s.is("PATCH") {
        return per_operation(s, "sends strings where booleans belong", &uses_of(s, Leniency::StringBoolean));
    }
    // POST and PUT bodies: the same rule, found by walking the body under its type's schema.
    let (kind, _) = super::resource::resource_write(s)?;
    let found = super::resource::string_booleans(s.json()?, &view_of(kind));
    if found.is_empty() {
        return None;
    }
    Some(
        Finding::new(format!("{} sends strings where booleans belong: {}", s.target(), found.join("; ")))
            .with_excerpt(found.join("\n")),
    )
}

fn dotted_keys(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    per_operation(s, "uses dotted member names in path-less values", &uses_of(s, Leniency::DottedKey))
}

/// Read from the body itself rather than from the applier's leniency record: a value on remove breaks the rule
/// whatever the path names, while the applier records the leniency only where it can read the value list.
fn remove_without_value(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    let Some(Value::Object(body)) = s.json() else { return None };
    let Some(Value::Array(ops)) = get_ci(body, "Operations") else { return None };
    let items: Vec<(usize, String)> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let op = op.as_object()?;
            let name = get_ci(op, "op")?.as_str()?;
            let value = get_ci(op, "value").filter(|v| !v.is_null())?;
            (PatchOpKind::parse_any_case(name) == Some(PatchOpKind::Remove)).then(|| {
                let path = get_ci(op, "path").and_then(Value::as_str).unwrap_or("");
                let hint = match value {
                    Value::Array(items) => match items.first().and_then(|v| v.get("value")) {
                        Some(Value::String(id)) => format!("; name the element in the path: {path}[value eq {id:?}]"),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                (i, format!("Operations[{i}] removes with a value ({}){hint}", excerpt_json(value)))
            })
        })
        .collect();
    per_operation(s, "sends remove with a value", &items)
}

fn complex_is_object(s: &Subject<'_>) -> Option<Finding> {
    if !s.is("PATCH") {
        return None;
    }
    per_operation(s, "sends non-object values for complex attributes", &uses_of(s, Leniency::ScalarForComplex))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{clean_headers, exchange, patch_body};
    use super::*;

    fn patch(url: &str, ops: Value) -> scimlab_protocol::exchange::Exchange {
        exchange("PATCH", url, clean_headers(), Some(&patch_body(ops).to_string()))
    }

    #[test]
    fn patchop_schemas_must_be_listed() {
        let clean = patch("/Users/1", json!([{"op": "replace", "path": "active", "value": false}]));
        assert_eq!(PATCHOP_SCHEMAS.run(&clean), None);
        let missing = exchange(
            "PATCH",
            "/Users/1",
            clean_headers(),
            Some(r#"{"Operations":[{"op":"replace","path":"active","value":false}]}"#),
        );
        assert!(PATCHOP_SCHEMAS.run(&missing).expect("no schemas").detail.contains("has no schemas"));
        let wrong = exchange(
            "PATCH",
            "/Users/1",
            clean_headers(),
            Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[]}"#),
        );
        assert!(PATCHOP_SCHEMAS.run(&wrong).expect("wrong schemas").detail.contains("does not list"));
        let garbage = exchange("PATCH", "/Users/1", clean_headers(), Some("op=replace"));
        assert!(PATCHOP_SCHEMAS.run(&garbage).expect("not JSON").detail.contains("not valid JSON"));
    }

    #[test]
    fn operations_must_be_well_formed() {
        let clean = patch("/Groups/1", json!([{"op": "add", "path": "members", "value": [{"value": "u1"}]}]));
        assert_eq!(OPERATIONS.run(&clean), None);
        let empty = patch("/Users/1", json!([]));
        assert!(OPERATIONS.run(&empty).expect("empty").detail.contains("Operations is empty"));
        let bad = patch(
            "/Users/1",
            json!([{"op": "replace", "path": "active", "value": true}, {"op": "update", "path": "title"},
                   {"op": "add", "path": "title"}]),
        );
        let f = OPERATIONS.run(&bad).expect("unknown op and missing value");
        assert!(f.detail.contains("Operations[1]") && f.detail.contains("unknown op"), "{}", f.detail);
        assert!(f.detail.contains("Operations[2]") && f.detail.contains("requires a value"), "{}", f.detail);
        assert_eq!(f.excerpt.as_deref().map(|e| e.lines().count()), Some(2));
    }

    #[test]
    fn path_must_follow_the_grammar() {
        let clean =
            patch("/Users/1", json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a"}]));
        assert_eq!(PATH_GRAMMAR.run(&clean), None);
        let bad = patch(
            "/Users/1",
            json!([{"op": "replace", "path": "title", "value": "x"},
                   {"op": "replace", "path": "emails[type eq work].value", "value": "a"}]),
        );
        let f = PATH_GRAMMAR.run(&bad).expect("unquoted filter value");
        assert!(f.detail.starts_with("PATCH /Users/1 has invalid paths: Operations[1]"), "{}", f.detail);
        assert_eq!(OPERATIONS.run(&bad), None, "path errors are path-grammar's findings only");
    }

    #[test]
    fn string_booleans_in_post_and_put_bodies_are_found_too() {
        let body = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":"False"}"#;
        let post = exchange("POST", "/Users", clean_headers(), Some(body));
        assert_eq!(STRING_BOOLEAN.run(&post).and_then(|f| f.excerpt).as_deref(), Some("active: \"False\""));
        let put = exchange("PUT", "/Users/1", clean_headers(), Some(&body.replace("\"False\"", "false")));
        assert_eq!(STRING_BOOLEAN.run(&put), None);
    }

    #[test]
    fn remove_takes_no_value() {
        let clean = patch("/Groups/1", json!([{"op": "remove", "path": "members[value eq \"u1\"]"}]));
        assert_eq!(REMOVE_WITHOUT_VALUE.run(&clean), None);
        let bad = patch("/Groups/1", json!([{"op": "remove", "path": "members", "value": [{"value": "u1"}]}]));
        let f = REMOVE_WITHOUT_VALUE.run(&bad).expect("value list");
        assert!(f.detail.contains(r#"members[value eq "u1"]"#), "{}", f.detail);
    }

    #[test]
    fn leniencies_are_attributed_to_their_operations() {
        let body = json!([
            {"op": "replace", "path": "displayName", "value": "x"},
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "replace", "value": {"name.givenName": "B"}},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "7"}
        ]);
        let e = patch("/Users/1", body);
        let lower = OP_LOWERCASE.run(&e).expect("Replace");
        assert!(lower.detail.contains(r#"Operations[1] sends op "Replace", which the RFC spells "replace""#));
        assert_eq!(lower.excerpt.as_deref(), Some(r#"{"op":"Replace","path":"active","value":"False"}"#));
        assert!(STRING_BOOLEAN.run(&e).expect("False").detail.contains("Operations[1]"));
        assert!(DOTTED_KEYS.run(&e).expect("dotted").detail.contains("Operations[2]"));
        assert!(COMPLEX_IS_OBJECT.run(&e).expect("bare manager").detail.contains("Operations[3]"));
        let clean =
            patch("/Users/1", json!([{"op": "replace", "value": {"name": {"givenName": "B"}, "active": false}}]));
        for c in [&OP_LOWERCASE, &STRING_BOOLEAN, &DOTTED_KEYS, &COMPLEX_IS_OBJECT] {
            assert_eq!(c.run(&clean), None, "{}", c.id);
        }
    }

    #[test]
    fn a_role_sent_as_a_json_encoded_string_is_a_finding_and_entras_shape_is_not() {
        let role = r#"{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}"#;
        let bare = patch("/Users/1", json!([{"op": "Add", "path": "roles", "value": role}]));
        let f = COMPLEX_IS_OBJECT.run(&bare).expect("roles is complex");
        assert!(f.detail.contains("Operations[0]") && f.detail.contains("roles"), "{}", f.detail);
        // Entra's documented shape: the JSON-encoded string is the value sub-attribute, a string as the schema says.
        let entra = patch("/Users/1", json!([{"op": "Add", "path": "roles", "value": [{"value": role}]}]));
        assert_eq!(COMPLEX_IS_OBJECT.run(&entra), None);
        let posted = exchange(
            "POST",
            "/Users",
            clean_headers(),
            Some(
                &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "roles": role})
                    .to_string(),
            ),
        );
        let f = super::super::resource::BODY_FITS.run(&posted).expect("roles is complex in a POST too");
        assert!(f.detail.contains("roles"), "{}", f.detail);
    }
}
