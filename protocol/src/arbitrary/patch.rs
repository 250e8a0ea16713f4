//! proptest strategies for PATCH requests (RFC 7644 section 3.5.2) over the core User attributes, for the
//! harness's differential PATCH checks and the protocol crate's own property tests.
//!
//! Every body [`arb_patch_request`] produces is a PatchOp that the strict reader accepts: lowercase ops, paths
//! that parse and name User attributes, values of the right type, no value on remove, at most one `primary` per
//! multi-valued value. Values come from the vocabulary of [`super::users`], so operations often hit what
//! generated users hold. Applying one can still fail in ways the RFC prescribes: a `remove` or `replace` whose
//! value filter matches nothing is a 400 noTarget, and a server must answer it the same way.

use super::users::{
    DEPARTMENTS, DOMAINS, EMAIL_TYPES, FAMILY_NAMES, GIVEN_NAMES, PHONE_TYPES, PHONES, TITLES, USER_TYPES,
};
use crate::schema::{ENTERPRISE_USER_URN, PATCH_OP_URN};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

/// Singular string attributes of the core User that any client may write.
const SINGULAR: &[&str] = &["displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone"];

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(GIVEN_NAMES).prop_map(str::to_owned),
        select(TITLES).prop_map(str::to_owned),
        select(USER_TYPES).prop_map(str::to_owned),
        "[A-Za-z][A-Za-z ]{0,11}",
    ]
}

fn arb_email() -> impl Strategy<Value = String> {
    (select(GIVEN_NAMES), select(DOMAINS)).prop_map(|(g, d)| format!("{}@{d}", g.to_lowercase()))
}

/// An `emails` array of up to three elements, the first possibly primary.
fn arb_emails() -> impl Strategy<Value = Value> {
    (prop::collection::vec((arb_email(), select(EMAIL_TYPES)), 0..3), any::<bool>()).prop_map(|(items, primary)| {
        let elems: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(i, (value, kind))| {
                if i == 0 && primary {
                    json!({"value": value, "type": kind, "primary": true})
                } else {
                    json!({"value": value, "type": kind})
                }
            })
            .collect();
        Value::Array(elems)
    })
}

/// One strict PatchOp operation over core User attributes (and the enterprise `department`).
pub fn arb_patch_operation() -> impl Strategy<Value = Value> {
    let add_or_replace = || select(&["add", "replace"][..]);
    prop_oneof![
        (add_or_replace(), select(SINGULAR), arb_text())
            .prop_map(|(op, path, v)| json!({"op": op, "path": path, "value": v})),
        select(SINGULAR).prop_map(|path| json!({"op": "remove", "path": path})),
        any::<bool>().prop_map(|b| json!({"op": "replace", "path": "active", "value": b})),
        (
            add_or_replace(),
            select(&["name.givenName", "name.familyName"][..]),
            select(GIVEN_NAMES).prop_union(select(FAMILY_NAMES))
        )
            .prop_map(|(op, path, v)| json!({"op": op, "path": path, "value": v})),
        (select(GIVEN_NAMES), select(FAMILY_NAMES))
            .prop_map(|(g, f)| json!({"op": "replace", "path": "name", "value": {"givenName": g, "familyName": f}})),
        select(&["name.middleName", "name", "emails", "phoneNumbers"][..])
            .prop_map(|p| json!({"op": "remove", "path": p})),
        (add_or_replace(), arb_emails()).prop_map(|(op, v)| json!({"op": op, "path": "emails", "value": v})),
        (add_or_replace(), select(EMAIL_TYPES), arb_email())
            .prop_map(|(op, t, v)| { json!({"op": op, "path": format!("emails[type eq \"{t}\"].value"), "value": v}) }),
        select(EMAIL_TYPES).prop_map(|t| json!({"op": "remove", "path": format!("emails[type eq \"{t}\"]")})),
        (select(PHONES), select(PHONE_TYPES))
            .prop_map(|(n, t)| json!({"op": "add", "path": "phoneNumbers", "value": [{"value": n, "type": t}]})),
        (add_or_replace(), arb_text(), select(TITLES), any::<bool>())
            .prop_map(|(op, d, t, a)| { json!({"op": op, "value": {"displayName": d, "title": t, "active": a}}) }),
        (add_or_replace(), select(DEPARTMENTS))
            .prop_map(|(op, d)| { json!({"op": op, "path": format!("{ENTERPRISE_USER_URN}:department"), "value": d}) }),
    ]
}

/// A strict PatchOp body of one to five operations over core User attributes.
pub fn arb_patch_request() -> impl Strategy<Value = Value> {
    prop::collection::vec(arb_patch_operation(), 1..6)
        .prop_map(|ops| json!({"schemas": [PATCH_OP_URN], "Operations": ops}))
}
