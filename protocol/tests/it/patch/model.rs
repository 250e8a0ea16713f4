//! Property tests: `apply` against a small reference model of add / replace / remove on singular strings and on
//! a multi-valued `emails` list; `apply` never panics on arbitrary bodies and resources; the strategy the harness
//! uses produces bodies the strict reader accepts.

use super::{ENT, bjensen, body, groups, tour_guides, users};
use proptest::prelude::*;
use proptest::sample::select;
use scimlab_protocol::ScimType;
use scimlab_protocol::arbitrary::patch::arb_patch_request;
use scimlab_protocol::arbitrary::users::arb_user;
use scimlab_protocol::patch::{self, PatchOptions, PatchRequest};
use serde_json::{Map, Value, json};

const SINGLES: &[&str] = &["displayName", "nickName", "title"];
const KINDS: &[&str] = &["add", "replace", "remove"];

/// The operations the model knows.
#[derive(Debug, Clone)]
enum Op {
    /// add / replace / remove on a singular string attribute.
    Single(&'static str, &'static str, String),
    /// add / replace / remove on `emails` as a whole, with (value, type) elements.
    Emails(&'static str, Vec<(String, String)>),
    /// remove `emails[<field> eq "<lit>"]`.
    RemoveWhere(&'static str, String),
    /// add / replace `emails[type eq "<type>"].value`.
    SetValueWhere(&'static str, String, String),
    /// add / replace / remove `name.<sub>`.
    NameSub(&'static str, &'static str, String),
    /// add / replace / remove the enterprise `department`.
    Department(&'static str, String),
    /// An operation on an attribute the schema does not have: invalidPath.
    Unknown,
}

fn lit() -> impl Strategy<Value = String> {
    "[a-c]{1,2}"
}

fn email_type() -> impl Strategy<Value = String> {
    select(&["work", "home"][..]).prop_map(str::to_owned)
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (select(KINDS), select(SINGLES), lit()).prop_map(|(k, a, v)| Op::Single(k, a, v)),
        (select(KINDS), prop::collection::vec((lit(), email_type()), 0..3)).prop_map(|(k, es)| Op::Emails(k, es)),
        (select(&["value", "type"][..]), prop_oneof![lit(), email_type()]).prop_map(|(f, l)| Op::RemoveWhere(f, l)),
        (select(&["add", "replace"][..]), email_type(), lit()).prop_map(|(k, t, v)| Op::SetValueWhere(k, t, v)),
        (select(KINDS), select(&["givenName", "familyName"][..]), lit()).prop_map(|(k, n, v)| Op::NameSub(k, n, v)),
        (select(KINDS), lit()).prop_map(|(k, v)| Op::Department(k, v)),
        Just(Op::Unknown),
    ]
}

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn arb_resource() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(prop::option::of(lit()), 3),
        prop::option::of(prop::collection::vec((lit(), email_type()), 0..3)),
        prop::option::of(lit()),
        prop::option::of(lit()),
    )
        .prop_map(|(singles, emails, given, department)| {
            let mut r = Map::new();
            let schemas = if department.is_some() { json!([CORE, ENT]) } else { json!([CORE]) };
            r.insert("schemas".into(), schemas);
            r.insert("userName".into(), json!("model"));
            if let Some(g) = given {
                r.insert("name".into(), json!({"givenName": g}));
            }
            if let Some(d) = department {
                r.insert(ENT.into(), json!({"department": d}));
            }
            for (name, v) in SINGLES.iter().zip(singles) {
                if let Some(v) = v {
                    r.insert((*name).to_owned(), json!(v));
                }
            }
            if let Some(es) = emails.filter(|es| !es.is_empty()) {
                r.insert("emails".into(), es.iter().map(|(v, t)| json!({"value": v, "type": t})).collect());
            }
            Value::Object(r)
        })
}

fn to_json(op: &Op) -> Value {
    let email = |(v, t): &(String, String)| json!({"value": v, "type": t});
    match op {
        Op::Single("remove", a, _) => json!({"op": "remove", "path": a}),
        Op::Single(k, a, v) => json!({"op": k, "path": a, "value": v}),
        Op::Emails("remove", _) => json!({"op": "remove", "path": "emails"}),
        Op::Emails(k, es) => json!({"op": k, "path": "emails", "value": es.iter().map(email).collect::<Vec<_>>()}),
        Op::RemoveWhere(f, l) => json!({"op": "remove", "path": format!("emails[{f} eq \"{l}\"]")}),
        Op::SetValueWhere(k, t, v) => json!({"op": k, "path": format!("emails[type eq \"{t}\"].value"), "value": v}),
        Op::NameSub("remove", n, _) => json!({"op": "remove", "path": format!("name.{n}")}),
        Op::NameSub(k, n, v) => json!({"op": k, "path": format!("name.{n}"), "value": v}),
        Op::Department("remove", _) => json!({"op": "remove", "path": format!("{ENT}:department")}),
        Op::Department(k, v) => json!({"op": k, "path": format!("{ENT}:department"), "value": v}),
        Op::Unknown => json!({"op": "replace", "path": "nickNames", "value": "x"}),
    }
}

/// Sets or removes `key` of the object at `outer`, dropping the object when it ends up empty.
fn set_in(r: &mut Map<String, Value>, outer: &str, key: &str, v: Option<&String>) {
    let mut inner = r.get(outer).and_then(Value::as_object).cloned().unwrap_or_default();
    match v {
        Some(v) => inner.insert(key.to_owned(), json!(v)),
        None => inner.shift_remove(key),
    };
    if inner.is_empty() {
        r.shift_remove(outer);
    } else {
        r.insert(outer.to_owned(), Value::Object(inner));
    }
}

/// The reference model: RFC 7644 section 3.5.2 for these shapes, in the most direct code.
fn model(resource: &Value, ops: &[Op]) -> Result<Value, ScimType> {
    let mut r = resource.as_object().cloned().unwrap_or_default();
    for op in ops {
        match op {
            Op::Unknown => return Err(ScimType::InvalidPath),
            Op::NameSub(k, n, v) => {
                set_in(&mut r, "name", n, (*k != "remove").then_some(v));
                continue;
            }
            Op::Department(k, v) => {
                let before = r.get(ENT).cloned();
                set_in(&mut r, ENT, "department", (*k != "remove").then_some(v));
                if r.get(ENT) != before.as_ref() {
                    let schemas = if r.contains_key(ENT) { json!([CORE, ENT]) } else { json!([CORE]) };
                    r.insert("schemas".into(), schemas);
                }
                continue;
            }
            _ => {}
        }
        let emails: Vec<Value> = r.get("emails").and_then(Value::as_array).cloned().unwrap_or_default();
        let new_emails = match op {
            Op::Single("remove", a, _) => {
                r.shift_remove(*a);
                continue;
            }
            Op::Single(_, a, v) => {
                r.insert((*a).to_owned(), json!(v));
                continue;
            }
            Op::Emails("remove", _) => Vec::new(),
            Op::Emails("replace", es) => es.iter().map(|(v, t)| json!({"value": v, "type": t})).collect(),
            Op::Emails(_, es) => es.iter().map(|(v, t)| json!({"value": v, "type": t})).fold(emails, |mut acc, e| {
                if !acc.contains(&e) {
                    acc.push(e);
                }
                acc
            }),
            Op::RemoveWhere(f, l) => {
                let kept: Vec<Value> = emails.iter().filter(|e| e[*f] != json!(l)).cloned().collect();
                if kept.len() == emails.len() {
                    return Err(ScimType::NoTarget);
                }
                kept
            }
            Op::NameSub(..) | Op::Department(..) | Op::Unknown => continue,
            Op::SetValueWhere(k, t, v) => {
                let mut emails = emails;
                let hits = emails.iter().filter(|e| e["type"] == json!(t)).count();
                match (hits, *k) {
                    (0, "replace") => return Err(ScimType::NoTarget),
                    (0, _) => emails.push(json!({"type": t, "value": v})),
                    _ => emails.iter_mut().filter(|e| e["type"] == json!(t)).for_each(|e| e["value"] = json!(v)),
                }
                emails
            }
        };
        r.shift_remove("emails");
        if !new_emails.is_empty() {
            r.insert("emails".into(), Value::Array(new_emails));
        }
    }
    Ok(Value::Object(r))
}

proptest! {
    #[test]
    fn apply_agrees_with_the_reference_model(resource in arb_resource(), ops in prop::collection::vec(arb_op(), 1..6)) {
        let b = body(ops.iter().map(to_json).collect());
        let (req, _) = PatchRequest::from_json(&b, &PatchOptions::strict()).expect("model bodies are strict PatchOps");
        let mut got = resource.clone();
        let result = patch::apply(&mut got, &req, &users(), &PatchOptions::strict());
        match (model(&resource, &ops), result) {
            (Ok(expected), Ok(outcome)) => {
                prop_assert_eq!(&got, &expected);
                prop_assert_eq!(outcome.changed, expected != resource);
            }
            (Err(t), Err(e)) => {
                prop_assert_eq!(e.scim_type, Some(t));
                prop_assert_eq!(serde_json::to_string(&got).ok(), serde_json::to_string(&resource).ok());
            }
            (expected, result) => prop_assert!(false, "model {:?} but apply {:?} ({})", expected, result, got),
        }
    }

    #[test]
    fn apply_never_panics_on_arbitrary_json(b in arb_json(), resource in prop_oneof![arb_json(), Just(bjensen())]) {
        for opts in [PatchOptions::strict(), PatchOptions::lenient()] {
            if let Ok((req, _)) = PatchRequest::from_json(&b, &opts) {
                let mut r = resource.clone();
                let _ = patch::apply(&mut r, &req, &users(), &opts);
            }
        }
    }

    #[test]
    fn apply_never_panics_on_patch_shaped_bodies(ops in prop::collection::vec(arb_loose_op(), 1..5), group in any::<bool>()) {
        let b = body(Value::Array(ops));
        let (resource, view) = if group { (tour_guides(), groups()) } else { (bjensen(), users()) };
        for opts in [PatchOptions::strict(), PatchOptions::lenient()] {
            if let Ok((req, _)) = PatchRequest::from_json(&b, &opts) {
                let mut r = resource.clone();
                if patch::apply(&mut r, &req, &view, &opts).is_err() {
                    prop_assert_eq!(&r, &resource);
                }
            }
        }
    }

    #[test]
    fn generated_requests_are_strict_and_apply_to_generated_users(b in arb_patch_request(), user in arb_user()) {
        let (req, used) = PatchRequest::from_json(&b, &PatchOptions::strict()).expect("a strict PatchOp");
        prop_assert!(used.is_empty());
        let mut r = user.clone();
        match patch::apply(&mut r, &req, &users(), &PatchOptions::strict()) {
            Ok(outcome) => prop_assert!(outcome.leniencies.is_empty()),
            Err(e) => {
                prop_assert_eq!(e.scim_type, Some(ScimType::NoTarget), "{}", e);
                prop_assert_eq!(&r, &user);
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        select(&["add", "Remove", "replace", "True", "emails", "members", "value", ""][..]).prop_map(|s| json!(s)),
        "[a-zA-Z.:\\[\\]\" ]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        let key = prop_oneof![
            select(
                &[
                    "schemas",
                    "Operations",
                    "op",
                    "path",
                    "value",
                    "emails",
                    "name",
                    "members",
                    "active",
                    "primary",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "name.givenName",
                    "id",
                    "meta"
                ][..]
            )
            .prop_map(str::to_owned),
            "[a-z]{1,5}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Operations shaped like PATCH ops, with any op, a path from a list of real and broken ones, and any value.
fn arb_loose_op() -> impl Strategy<Value = Value> {
    let paths = select(
        &[
            "emails",
            "emails[type eq \"work\"]",
            "emails[type eq \"work\"].value",
            "emails.primary",
            "name",
            "name.givenName",
            "members",
            "members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"]",
            "members[value eq \"x\"].display",
            "displayName",
            "id",
            "meta",
            "groups",
            "active",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "addresses[primary eq true]",
            "emails[type eq \"work\" or value pr]",
            "emails[not (type eq \"x\")].type",
            "x509Certificates",
            "[",
            "a..b",
        ][..],
    );
    (
        select(&["add", "Add", "remove", "replace", "Replace", "bogus"][..]),
        prop::option::of(paths),
        prop::option::of(arb_json()),
    )
        .prop_map(|(op, path, value)| {
            let mut m = Map::new();
            m.insert("op".into(), json!(op));
            if let Some(p) = path {
                m.insert("path".into(), json!(p));
            }
            if let Some(v) = value {
                m.insert("value".into(), v);
            }
            Value::Object(m)
        })
}
