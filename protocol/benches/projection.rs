//! Projection (RFC 7644 section 3.9) and sorting (section 3.4.2.3): what `?attributes=`, `?excludedAttributes=`
//! and `?sortBy=` cost a server per response.
//!
//! - `projection/attributes_username_emails_value/1_user`: `attributes=userName,emails.value` on the full User of
//!   RFC 7643 section 8.2, copying the kept parts ([`Projection::apply`]).
//! - `projection/excluded_members/group_1000_members`: `excludedAttributes=members` on a Group of 1,000 members,
//!   the request Entra and Okta make before they page through members.
//! - `sort/username/10k_users`: `sortBy=userName` over 10,000 users in shuffled order with mixed-case names
//!   (the clone that restores the shuffled order each round is not measured).
//!
//! The data is built here, so the bench needs no feature: `cargo bench -p scimlab-protocol --bench projection`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::projection::Projection;
use scimlab_protocol::sort::SortSpec;
use serde_json::{Value, json};
use std::hint::black_box;

/// RFC 7643 section 8.2's full User (bjensen), with the enterprise extension.
fn full_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
                 "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
                       "region": "CA", "postalCode": "91608", "country": "USA",
                       "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "primary": true},
                      {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood",
                       "region": "CA", "postalCode": "91608", "country": "USA",
                       "formatted": "456 Hollywood Blvd\nHollywood, CA 91608 USA"}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile"}],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"},
                   {"value": "https://photos.example.com/profilephoto/72930000000Ccne/T", "type": "thumbnail"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "password": "t1meMa$heen",
        "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
                    "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
                    "display": "Tour Guides"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d",
                        "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}},
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z",
                 "version": "W/\"3694e05e9dff591\"",
                 "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}
    })
}

fn group(members: usize) -> Value {
    let members: Vec<Value> = (0..members)
        .map(|i| {
            let id = format!("{i:08x}-0000-4000-8000-{i:012x}");
            json!({"value": id, "$ref": format!("https://example.com/v2/Users/{id}"), "display": format!("User {i}"),
                   "type": "User"})
        })
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": members,
        "meta": {"resourceType": "Group", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z",
                 "version": "W/\"3694e05e9dff591\"",
                 "location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"}
    })
}

/// 10,000 small users, shuffled by a fixed multiplicative permutation, every third name capitalised.
fn users(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let k = (i * 7919) % n;
            let name = if k.is_multiple_of(3) { format!("User{k:05}") } else { format!("user{k:05}") };
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": format!("id-{k}"),
                   "userName": name, "active": k.is_multiple_of(2),
                   "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]})
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let registry = SchemaRegistry::core();
    let user_view = registry.user();
    let group_view = registry.group();

    let user = full_user();
    let p = Projection::parse(Some("userName,emails.value"), None, &user_view)
        .unwrap_or_else(|e| panic!("bench projection must parse: {e}"));
    let out = p.apply(&user);
    assert_eq!(out["emails"], json!([{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}]));
    c.bench_function("projection/attributes_username_emails_value/1_user", |b| b.iter(|| p.apply(black_box(&user))));

    let g = group(1000);
    let p = Projection::parse(None, Some("members"), &group_view)
        .unwrap_or_else(|e| panic!("bench projection must parse: {e}"));
    assert!(p.apply(&g).get("members").is_none());
    c.bench_function("projection/excluded_members/group_1000_members", |b| b.iter(|| p.apply(black_box(&g))));

    let population = users(10_000);
    let s = SortSpec::parse("userName", None, &user_view).unwrap_or_else(|e| panic!("bench sortBy must parse: {e}"));
    let mut check = population.clone();
    s.sort(&mut check);
    assert!(s.is_sorted(&check));
    assert_eq!(check[0]["userName"], "User00000");
    c.bench_function("sort/username/10k_users", |b| {
        b.iter_batched(
            || population.clone(),
            |mut u| {
                s.sort(black_box(&mut u));
                u
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(group_all, bench);
criterion_main!(group_all);
