//! Helpers for the checks' unit tests, the registry's own tests, and the IdP corpus: every body in
//! `shared/reference/idp-wire/` trips exactly the checks it should, and the RFC-clean ones trip none.

use super::idp_bodies::IDP_BODIES;
use super::{Level, checks, judge, verify};
use jiff::Timestamp;
use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Timings};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Headers as Okta sends them (IDP-TRAFFIC.md section 2): everything a check looks for, done right.
pub(super) fn clean_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Accept", "application/scim+json"),
        ("Accept-Charset", "utf-8"),
        ("Content-Type", "application/scim+json; charset=utf-8"),
        ("User-Agent", "Okta SCIM Client 1.0.0"),
        ("Authorization", "Bearer 0123456789abcdef"),
    ]
}

/// `headers` without the one called `name`.
pub(super) fn without(headers: Vec<(&'static str, &'static str)>, name: &str) -> Vec<(&'static str, &'static str)> {
    headers.into_iter().filter(|(n, _)| !n.eq_ignore_ascii_case(name)).collect()
}

/// A recorded exchange of this request, answered 200.
pub(super) fn exchange(method: &str, url: &str, headers: Vec<(&str, &str)>, body: Option<&str>) -> Exchange {
    Exchange {
        id: 1,
        started_at: Timestamp::UNIX_EPOCH,
        request: HttpRequest {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: headers.into_iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
            body: body.map(str::to_owned),
        },
        response: Some(HttpResponse { status: 200, headers: Vec::new(), body: None }),
        timings: Timings::default(),
        client: None,
        error: None,
    }
}

/// A PatchOp body with these operations.
pub(super) fn patch_body(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[test]
fn ids_are_unique_and_carry_their_section() {
    let mut seen = HashSet::new();
    for c in checks() {
        assert!(seen.insert(c.id), "duplicate id {}", c.id);
        // `RFC 7644 3.5.2` <-> `client/rfc7644/3.5.2/<slug>`.
        let (rfc, section) = c.section.strip_prefix("RFC ").and_then(|s| s.split_once(' ')).expect("RFC n s.s");
        let prefix = format!("client/rfc{rfc}/{section}/");
        let slug = c.id.strip_prefix(&prefix).unwrap_or_else(|| panic!("{} does not start with {prefix}", c.id));
        assert!(!slug.is_empty() && slug.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{}", c.id);
        assert!(!c.requirement.is_empty() && !c.requirement.ends_with('.'), "{}", c.id);
        assert_eq!(super::check(c.id).map(|f| f.id), Some(c.id));
    }
    assert!(checks().len() >= 20, "{} checks", checks().len());
    assert!(checks().iter().any(|c| c.level == Level::Should));
}

/// One failing and one passing exchange for every check in the registry, by slug.
fn pass_fail_pairs() -> Vec<(&'static str, Exchange, Exchange)> {
    const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}"#;
    let h = clean_headers;
    let patch = |ops: Value| Some(patch_body(ops).to_string());
    let post = |body: &str| exchange("POST", "/Users", h(), Some(body));
    let patch_user = |ops: Value| exchange("PATCH", "/Users/1", h(), patch(ops).as_deref());
    let get = |url: &str| exchange("GET", url, h(), None);
    let replace_active = json!([{"op": "replace", "path": "active", "value": false}]);
    vec![
        ("content-type-json", exchange("POST", "/Users", without(h(), "content-type"), Some(USER)), post(USER)),
        (
            "content-type-scim",
            exchange("POST", "/Users", vec![("Content-Type", "application/json")], Some(USER)),
            post(USER),
        ),
        ("accept-json", exchange("GET", "/Users", without(h(), "accept"), None), get("/Users")),
        ("authorization-scheme", exchange("GET", "/Users", vec![("Authorization", "tok")], None), get("/Users")),
        ("user-agent", exchange("GET", "/Users", without(h(), "user-agent"), None), get("/Users")),
        ("get-without-body", exchange("GET", "/Users", h(), Some("{}")), get("/Users")),
        (
            "patchop-schemas",
            exchange("PATCH", "/Users/1", h(), Some(r#"{"Operations":[]}"#)),
            patch_user(replace_active.clone()),
        ),
        (
            "operations-well-formed",
            patch_user(json!([{"op": "add", "path": "title"}])),
            patch_user(replace_active.clone()),
        ),
        (
            "op-lowercase",
            patch_user(json!([{"op": "Add", "path": "title", "value": "x"}])),
            patch_user(replace_active.clone()),
        ),
        (
            "path-grammar",
            patch_user(json!([{"op": "add", "path": "emails[", "value": "x"}])),
            patch_user(replace_active.clone()),
        ),
        (
            "boolean-not-string",
            patch_user(json!([{"op": "replace", "path": "active", "value": "false"}])),
            patch_user(replace_active.clone()),
        ),
        (
            "no-dotted-keys",
            patch_user(json!([{"op": "replace", "value": {"name.givenName": "x"}}])),
            patch_user(json!([{"op": "replace", "value": {"name": {"givenName": "x"}}}])),
        ),
        (
            "remove-without-value",
            exchange(
                "PATCH",
                "/Groups/1",
                h(),
                patch(json!([{"op": "remove", "path": "members", "value": [{"value": "u"}]}])).as_deref(),
            ),
            exchange(
                "PATCH",
                "/Groups/1",
                h(),
                patch(json!([{"op": "remove", "path": "members[value eq \"u\"]"}])).as_deref(),
            ),
        ),
        (
            "complex-is-object",
            patch_user(
                json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "7"}]),
            ),
            patch_user(json!([{"op": "replace", "path": "name", "value": {"givenName": "x"}}])),
        ),
        ("schemas-list-core", post(r#"{"schemas":[],"userName":"a"}"#), post(USER)),
        (
            "schemas-known",
            post(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x:custom"],"userName":"a"}"#),
            post(USER),
        ),
        (
            "known-attributes",
            post(
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","favouriteColour":"red"}"#,
            ),
            post(USER),
        ),
        (
            "body-fits-schema",
            post(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":7}"#),
            post(USER),
        ),
        ("filter-syntax", get("/Users?filter=userName%20eq"), get("/Users?filter=userName%20eq%20%22a%22")),
        ("filter-types", get("/Users?filter=active%20co%20%22t%22"), get("/Users?filter=active%20eq%20true")),
    ]
}

#[test]
fn every_check_has_a_failing_and_a_passing_exchange() {
    let pairs = pass_fail_pairs();
    for c in checks() {
        let slug = c.id.rsplit('/').next().unwrap_or("");
        let (_, fail, pass) = pairs.iter().find(|(s, ..)| *s == slug).unwrap_or_else(|| panic!("no pair for {}", c.id));
        assert!(c.run(fail).is_some(), "{} passes its failing exchange", c.id);
        assert_eq!(c.run(pass), None, "{} fails its passing exchange", c.id);
    }
    assert_eq!(pairs.len(), checks().len(), "a pair names a check that is not registered");
}

#[test]
fn idp_bodies_trip_exactly_the_checks_they_should() {
    for case in IDP_BODIES {
        let e = exchange(case.method, case.url, clean_headers(), Some(case.body));
        let tripped: Vec<&str> = judge(&e).iter().map(|(c, _)| c.id.rsplit('/').next().unwrap_or("")).collect();
        assert_eq!(tripped, case.trips, "{}: {:#?}", case.file, judge(&e));
    }
}

#[test]
fn entra_default_bodies_trip_must_checks_and_rfc_clean_ones_pass() {
    let default: Vec<_> =
        IDP_BODIES.iter().filter(|c| c.file.starts_with("entra/") && c.file.contains("default_noflag")).collect();
    assert!(default.len() >= 4);
    for case in default {
        let e = exchange(case.method, case.url, clean_headers(), Some(case.body));
        assert!(judge(&e).iter().any(|(c, _)| c.level == Level::Must), "{} must trip a MUST check", case.file);
    }
    let clean: Vec<_> = IDP_BODIES
        .iter()
        .filter(|c| c.file.starts_with("okta/") || c.file.contains("aadOptscim062020") && !c.file.contains("multiple"))
        .collect();
    assert!(clean.len() >= 8);
    for case in clean {
        let e = exchange(case.method, case.url, clean_headers(), Some(case.body));
        assert_eq!(judge(&e), [], "{}", case.file);
    }
}

#[test]
fn idp_request_lines_and_headers_are_judged_too() {
    // Entra's Test Connection (IDP-TRAFFIC.md section 1): no Accept, no User-Agent, a fine filter.
    let entra = exchange(
        "GET",
        "/scim/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22",
        vec![("Authorization", "Bearer secret")],
        None,
    );
    let ids: Vec<&str> = judge(&entra).iter().map(|(c, _)| c.id).collect();
    assert_eq!(ids, ["client/rfc7644/3.8/accept-json", "client/rfc7231/5.5.3/user-agent"]);
    // Google Workspace's headers (idp-wire/google/request_headers_observed.json) on a create.
    let google = exchange(
        "POST",
        "/Users",
        vec![
            ("User-Agent", "Google-Auto-Provisioning"),
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer t"),
        ],
        Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"g"}"#),
    );
    let ids: Vec<&str> = judge(&google).iter().map(|(c, _)| c.id).collect();
    assert_eq!(ids, ["client/rfc7644/8.1/content-type-scim", "client/rfc7644/3.8/accept-json"]);
    // Okta's lookup and Entra's group lookup, with Okta's headers: clean.
    for url in [
        "/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
        "/Groups?excludedAttributes=members&filter=displayName+eq+%22TEST%22",
        "/Groups/40734ae655284ad3abcc?excludedAttributes=members",
    ] {
        assert_eq!(judge(&exchange("GET", url, clean_headers(), None)), [], "{url}");
    }
}

#[test]
fn verify_groups_verdicts_by_check_then_sequence() {
    let bodies: Vec<Exchange> = IDP_BODIES
        .iter()
        .filter(|c| c.file.contains("default_noflag"))
        .map(|c| exchange(c.method, c.url, clean_headers(), Some(c.body)))
        .collect();
    let verdicts = verify(bodies.iter().enumerate().map(|(i, e)| (i as u64 + 10, e)));
    let order: Vec<(usize, u64)> = verdicts
        .iter()
        .map(|v| (checks().iter().position(|c| c.id == v.check.id).unwrap_or(usize::MAX), v.seq))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert!(verdicts.iter().filter(|v| v.check.id.ends_with("/op-lowercase")).count() >= 4);
}

#[test]
fn idp_bodies_match_the_reference_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/idp-wire");
    if !root.is_dir() {
        eprintln!("skipped: {} is not present", root.display());
        return;
    }
    for case in IDP_BODIES {
        let text = std::fs::read_to_string(root.join(case.file)).expect("reference file");
        let on_disk: Value = serde_json::from_str(&text).expect("reference file is JSON");
        let embedded: Value = serde_json::from_str(case.body).expect("embedded body is JSON");
        assert_eq!(embedded, on_disk, "{} differs from the reference file", case.file);
    }
}
