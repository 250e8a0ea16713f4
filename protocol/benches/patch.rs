//! PATCH (RFC 7644 section 3.5.2): the cost of applying an Entra ID-style six-operation update to a typical
//! user, and of reading its body.
//!
//! `patch/entra_6_ops` measures [`patch::apply`] on a request read once (the user is cloned outside the timed
//! part with `iter_batched`); `patch/entra_6_ops_from_json` measures [`PatchRequest::from_json`] alone. The batches
//! are small (`LargeInput`), so each user is patched soon after it was cloned, as a server patches a resource it
//! has just read from its store; with hundreds of clones per batch the measure would mostly be cache misses. The six
//! operations are what Entra ID sends without the `aadOptscim062020` flag: capitalised ops, a value-path email,
//! an enterprise URN path and `"False"` for `active`, so the lenient options are on. Budget: over 500,000
//! six-operation PATCHes per second, so `apply` under 2 us.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::patch::{self, PatchOptions, PatchRequest};
use serde_json::{Value, json};
use std::hint::black_box;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A user as Entra ID provisions one (IDP-TRAFFIC.md section 1), after the server added `id` and `meta`.
fn typical_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "id": "5b50642d-79fc-4410-9e90-4c077cdd1a59",
        "externalId": "jdoe",
        "userName": "jdoe@contoso.com",
        "active": true,
        "displayName": "Jane Doe",
        "name": {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
        "emails": [
            {"type": "work", "value": "jdoe@contoso.com", "primary": true},
            {"type": "home", "value": "jane@example.org"}
        ],
        "phoneNumbers": [{"type": "work", "value": "+1 555 555 0100"}, {"type": "mobile", "value": "+1 555 555 0101"}],
        "addresses": [{"type": "work", "streetAddress": "1 Microsoft Way", "locality": "Redmond", "region": "WA",
                       "postalCode": "98052", "country": "US", "primary": true}],
        "roles": [],
        ENT: {"employeeNumber": "1001", "department": "R&D", "manager": {"value": "271"}},
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-01-01T00:00:00Z",
                 "version": "W/\"1\"", "location": "https://example.com/scim/v2/Users/5b50642d-79fc-4410-9e90-4c077cdd1a59"}
    })
}

fn entra_6_ops() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Jane Q. Doe"},
            {"op": "Replace", "path": "name.familyName", "value": "Doe-Smith"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "jane.doe-smith@contoso.com"},
            {"op": "Add", "path": "title", "value": "Principal Engineer"},
            {"op": "Replace", "path": format!("{ENT}:department"), "value": "Platform"},
            {"op": "Replace", "path": "active", "value": "False"}
        ]
    })
}

fn bench(c: &mut Criterion) {
    let view = SchemaRegistry::core().user();
    let opts = PatchOptions::lenient();
    let body = entra_6_ops();
    let user = typical_user();
    let (req, used) = PatchRequest::from_json(&body, &opts).expect("the bench body reads");
    assert_eq!(used.len(), 6, "six capitalised ops");
    let mut check = user.clone();
    let outcome = patch::apply(&mut check, &req, &view, &opts).expect("the bench body applies");
    assert!(outcome.changed);
    assert_eq!(check["active"], false);
    assert_eq!(check["emails"][0]["value"], "jane.doe-smith@contoso.com");

    let mut group = c.benchmark_group("patch");
    group.bench_function("entra_6_ops", |b| {
        b.iter_batched(
            || user.clone(),
            |mut u| {
                let outcome = patch::apply(&mut u, black_box(&req), &view, &opts);
                (u, outcome)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("entra_6_ops_from_json", |b| b.iter(|| PatchRequest::from_json(black_box(&body), &opts)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
