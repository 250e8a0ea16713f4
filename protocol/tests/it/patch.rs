//! RFC 7644 section 3.5.2 PATCH: the RFC's own examples, every error, atomicity, the IdP bodies in
//! `shared/reference/idp-wire/`, and property tests against a small reference model.

mod errors;
mod idp;
mod model;
mod rfc;
mod semantics;

use scimlab_protocol::patch::{self, LeniencyUse, PatchOptions, PatchOutcome, PatchRequest};
use scimlab_protocol::schema::PATCH_OP_URN;
use scimlab_protocol::{ResourceView, SchemaRegistry, ScimError, ScimType};
use serde_json::{Value, json};

/// The enterprise extension's URN.
pub(crate) const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub(crate) fn users() -> ResourceView<'static> {
    SchemaRegistry::core().user()
}

pub(crate) fn groups() -> ResourceView<'static> {
    SchemaRegistry::core().group()
}

/// A PatchOp body around `ops`.
pub(crate) fn body(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP_URN], "Operations": ops})
}

/// Reads and applies `body` to a copy of `resource`; returns the result, the outcome, and every leniency used
/// (reading and applying). On error, checks that the copy is byte-for-byte what it was.
pub(crate) fn run(
    resource: &Value,
    body: &Value,
    view: &ResourceView<'_>,
    opts: &PatchOptions,
) -> Result<(Value, PatchOutcome, Vec<LeniencyUse>), ScimError> {
    let (req, mut used) = PatchRequest::from_json(body, opts)?;
    let mut target = resource.clone();
    match patch::apply(&mut target, &req, view, opts) {
        Ok(outcome) => {
            used.extend(outcome.leniencies.iter().cloned());
            Ok((target, outcome, used))
        }
        Err(e) => {
            assert_eq!(
                serde_json::to_string(&target).expect("serialise"),
                serde_json::to_string(resource).expect("serialise"),
                "a failed PATCH must leave the resource exactly as it was ({e})"
            );
            Err(e)
        }
    }
}

/// Applies `ops` strictly and returns the result; panics on error.
pub(crate) fn strict(resource: &Value, ops: Value, view: &ResourceView<'_>) -> Value {
    match run(resource, &body(ops), view, &PatchOptions::strict()) {
        Ok((v, _, used)) => {
            assert!(used.is_empty(), "strict mode used leniencies: {used:?}");
            v
        }
        Err(e) => panic!("expected success, got {e}"),
    }
}

/// Applies `ops` with `opts` and returns the error; panics on success. Checks status 400 and the scimType.
pub(crate) fn refused(
    resource: &Value,
    ops: Value,
    view: &ResourceView<'_>,
    opts: &PatchOptions,
    scim_type: ScimType,
) -> ScimError {
    match run(resource, &body(ops), view, opts) {
        Ok((v, _, _)) => panic!("expected {scim_type}, got success: {v:#}"),
        Err(e) => {
            assert_eq!((e.status, e.scim_type), (400, Some(scim_type)), "wrong error: {e}");
            e
        }
    }
}

/// Babs Jensen, a User close to RFC 7643 section 8.2, with the enterprise extension.
pub(crate) fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Babs Jensen",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "addresses": [
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA",
             "postalCode": "91608", "country": "US", "primary": true},
            {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood", "region": "CA",
             "postalCode": "91608", "country": "US"}
        ],
        "active": true,
        ENT: {
            "employeeNumber": "701984",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
        },
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff591\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
        }
    })
}

/// The Tour Guides group of RFC 7644 section 3.5.2, with Babs and Mandy as members.
pub(crate) fn tour_guides() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": [
            {"value": "2819c223-7f76-453a-919d-413861904646",
             "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a",
             "$ref": "https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"}
        ]
    })
}
