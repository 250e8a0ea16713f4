//! Unit tests of the root-cause classification, on synthetic results.

use super::*;
use scimlab_protocol::exchange::{HttpRequest, HttpResponse, Timings};

const BASE: &str = "http://sp.test/scim/v2";

/// An exchange at second `at` of the run.
fn x(at: i64, method: &str, path: &str, body: Option<&str>, status: u16, response: Option<&str>) -> Exchange {
    Exchange {
        id: 0,
        started_at: jiff::Timestamp::from_second(1_700_000_000 + at).expect("a time"),
        request: HttpRequest {
            method: method.into(),
            url: format!("{BASE}{path}"),
            headers: vec![("Authorization".into(), "Bearer [redacted]".into())],
            body: body.map(str::to_owned),
        },
        response: Some(HttpResponse { status, headers: vec![], body: response.map(str::to_owned) }),
        timings: Timings { total_us: 1, ttfb_us: None },
        client: None,
        error: None,
    }
}

fn check(id: &str, level: Level, verdict: Verdict, tags: &[&str], evidence: Vec<Exchange>) -> CheckResult {
    CheckResult {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        profiles: vec!["rfc".into()],
        evidence,
        ..CheckResult::bare(id, level, verdict)
    }
}

fn fail(id: &str, evidence: Vec<Exchange>) -> CheckResult {
    check(id, Level::Must, Verdict::Fail, &[], evidence)
}

fn list(names: &[&str]) -> String {
    let resources: Vec<Value> =
        names.iter().map(|n| serde_json::json!({"id": format!("id-{n}"), "userName": n})).collect();
    serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": names.len(), "Resources": resources})
    .to_string()
}

/// A filtered lookup for `wanted` answered with `got`.
fn lookup(wanted: &str, got: &[&str]) -> Exchange {
    let path = format!("/Users?filter=userName%20eq%20%22{wanted}%22");
    x(5, "GET", &path, None, 200, Some(&list(got)))
}

fn ids(causes: &[RootCause]) -> Vec<(CauseKind, Vec<&str>)> {
    causes.iter().map(|c| (c.kind, c.checks.iter().map(String::as_str).collect())).collect()
}

#[test]
fn unfiltered_lists_are_one_cause_however_many_checks_they_fail() {
    let checks = vec![
        fail("f/eq", vec![lookup("a", &["a", "b", "c"])]),
        fail("f/sort", vec![x(1, "POST", "/Users", Some("{}"), 201, None), lookup("b", &["a", "b"])]),
        check("f/ok", Level::Must, Verdict::Pass, &[], vec![lookup("a", &["a"])]),
        fail("f/invalid", vec![x(3, "GET", "/Users?filter=active%20gt%20true", None, 200, Some(&list(&["a"])))]),
        fail("other", vec![x(4, "GET", "/Users/id-a", None, 200, Some("{}"))]),
    ];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::FilterIgnored, vec!["f/eq", "f/sort", "f/invalid"])]);
    let c = &causes[0];
    assert_eq!(c.summary, "the server ignores filter");
    assert_eq!(
        c.evidence.as_deref(),
        Some(
            "GET /scim/v2/Users?filter=userName eq \"a\" answered 200 with 3 resources, 2 of which do not match the filter"
        )
    );
    assert_eq!(c.representatives[0], "f/eq", "the shortest evidence first");
}

#[test]
fn a_check_that_says_the_filter_is_ignored_joins_and_leads() {
    let mut said = fail("rfc7644/3.4.2.2/idp-lookup", vec![x(1, "GET", "/Users?filter=x", None, 200, None)]);
    said.actual = Some("the server ignores filter: every user came back".into());
    let checks = vec![fail("f/eq", vec![lookup("a", &["a", "b"]), lookup("a", &["a", "b"])]), said];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::FilterIgnored, vec!["f/eq", "rfc7644/3.4.2.2/idp-lookup"])]);
    assert_eq!(causes[0].representatives[0], "rfc7644/3.4.2.2/idp-lookup");
}

#[test]
fn correct_filtering_and_projected_lists_are_not_blamed() {
    // Right answers, and a projected list whose resources lack the attribute the filter reads.
    let projected =
        x(1, "GET", "/Users?filter=title%20eq%20%22x%22&attributes=userName", None, 200, Some(&list(&["a"])));
    let checks = vec![
        fail("a", vec![lookup("a", &["a"])]),
        fail("b", vec![lookup("b", &[])]),
        fail("c", vec![projected.clone()]),
        fail("d", vec![projected]),
    ];
    assert_eq!(classify(&checks), []);
}

#[test]
fn some_filters_wrong_is_said_as_such() {
    let clean: Vec<CheckResult> =
        (0..5).map(|i| check(&format!("ok{i}"), Level::Must, Verdict::Pass, &[], vec![lookup("a", &["a"])])).collect();
    let mut checks = vec![fail("co", vec![lookup("a", &["a", "b"])]), fail("sw", vec![lookup("a", &["b"])])];
    checks.extend(clean);
    let causes = classify(&checks);
    assert_eq!(causes[0].summary, "the server answers some filters with resources that do not match");
}

#[test]
fn patch_answered_501_is_one_cause() {
    let patch = |at| x(at, "PATCH", "/Users/u1", Some("{}"), 501, None);
    let checks = vec![
        fail("p/add", vec![x(1, "POST", "/Users", Some("{}"), 201, None), patch(2)]),
        check(
            "p/op-case",
            Level::Should,
            Verdict::Warn,
            &["patch"],
            vec![patch(3), x(4, "GET", "/Users/u1", None, 200, None)],
        ),
        fail("p/remove", vec![patch(5)]),
    ];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::PatchUnsupported, vec!["p/add", "p/op-case", "p/remove"])]);
    assert_eq!(causes[0].summary, "the server does not support PATCH (501)");
    assert_eq!(causes[0].level, Level::Must);
}

#[test]
fn refused_credentials_come_before_everything_they_break() {
    let checks = vec![
        fail("a", vec![x(1, "GET", "/Users?filter=userName%20eq%20%22a%22", None, 401, None)]),
        fail("b", vec![x(2, "PATCH", "/Users/u1", None, 401, None)]),
        check("auth/no-token", Level::Must, Verdict::Fail, &["auth"], vec![x(3, "GET", "/Users", None, 401, None)]),
    ];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::AuthBroken, vec!["a", "b"])]);
    assert_eq!(causes[0].summary, "the server refuses the run's credentials (401)");
}

#[test]
fn a_parameter_that_crashes_the_server_is_named() {
    let sorted = |at, s| x(at, "GET", &format!("/Users?filter=userName%20sw%20%22a%22&sortBy={s}"), None, 500, None);
    let checks = vec![
        fail("s/asc", vec![sorted(1, "userName")]),
        fail("s/desc", vec![sorted(2, "name.familyName")]),
        // The same path without sortBy works, and a lone 500 elsewhere is its own story.
        check("f/ok", Level::Must, Verdict::Pass, &[], vec![lookup("a", &["a"])]),
        fail("g/one", vec![x(3, "GET", "/Groups/g1", None, 500, None)]),
    ];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::ServerCrash, vec!["s/asc", "s/desc"])]);
    assert_eq!(causes[0].summary, "the server fails (500) on requests with sortBy");
}

#[test]
fn throttling_errors_are_one_cause() {
    let mut a = check("a", Level::Must, Verdict::Error, &[], vec![]);
    a.reason = Some("GET http://sp.test/scim/v2/Users: the server is throttling or unstable (429)".into());
    let mut b = check("b", Level::Should, Verdict::Error, &[], vec![]);
    b.reason = Some("connection reset by peer".into());
    let mut c = check("c", Level::Must, Verdict::Error, &[], vec![]);
    c.reason = Some("the check did not finish within 30 s".into());
    let causes = classify(&[a, b, c]);
    assert_eq!(ids(&causes), [(CauseKind::Unstable, vec!["a", "b"])]);
}

#[test]
fn a_server_that_forgets_what_it_answered_lost_its_data() {
    let create = |at, id: &str| x(at, "POST", "/Users", Some("{}"), 201, Some(&format!("{{\"id\":\"{id}\"}}")));
    let checks = vec![
        fail(
            "r/get",
            vec![create(1, "u1"), x(2, "GET", "/Users/u1", None, 200, None), x(9, "GET", "/Users/u1", None, 404, None)],
        ),
        fail(
            "r/put",
            vec![create(3, "u2"), x(4, "GET", "/Users/u2", None, 200, None), x(9, "PUT", "/Users/u2", None, 404, None)],
        ),
        // Deleted first: a 404 is the right answer (this check fails for another reason).
        fail(
            "d/gone",
            vec![
                create(5, "u3"),
                x(6, "GET", "/Users/u3", None, 200, None),
                x(7, "DELETE", "/Users/u3", None, 204, None),
                x(8, "GET", "/Users/u3", None, 404, None),
            ],
        ),
    ];
    let causes = classify(&checks);
    assert_eq!(ids(&causes), [(CauseKind::DataLost, vec!["r/get", "r/put"])]);
}

#[test]
fn a_check_that_says_the_server_lost_data_joins_that_cause() {
    let create = |at, id: &str| x(at, "POST", "/Users", Some("{}"), 201, Some(&format!("{{\"id\":\"{id}\"}}")));
    let mut said = fail("q/sort", vec![x(9, "GET", "/Users?sortBy=userName", None, 200, Some("{\"Resources\":[]}"))]);
    said.actual = Some("the server lost data: GET /Users/u9 answers 404 though this check created it".into());
    let checks = vec![
        fail(
            "r/get",
            vec![create(1, "u1"), x(2, "GET", "/Users/u1", None, 200, None), x(9, "GET", "/Users/u1", None, 404, None)],
        ),
        said,
    ];
    assert_eq!(ids(&classify(&checks)), [(CauseKind::DataLost, vec!["r/get", "q/sort"])]);
}

#[test]
fn the_same_error_answer_groups_from_three() {
    let post = |at| x(at, "POST", "/Groups", Some("{}"), 400, Some("{\"detail\": \"members not supported\"}"));
    let two = vec![fail("a", vec![post(1)]), fail("b", vec![post(2)])];
    assert_eq!(classify(&two), []);
    let three = vec![fail("a", vec![post(1)]), fail("b", vec![post(2)]), fail("c", vec![post(3)])];
    let causes = classify(&three);
    assert_eq!(ids(&causes), [(CauseKind::SameAnswer, vec!["a", "b", "c"])]);
    assert_eq!(causes[0].summary, "POST /Groups answers 400");
    assert_eq!(causes[0].evidence.as_deref(), Some("{\"detail\": \"members not supported\"}"));
    // 200s share a request, not a cause.
    let ok: Vec<CheckResult> =
        (0..4).map(|i| fail(&format!("o{i}"), vec![x(1, "GET", "/Users", None, 200, None)])).collect();
    assert_eq!(classify(&ok), []);
}

#[test]
fn causes_come_must_first_then_largest() {
    let patch = |at| x(at, "PATCH", "/Users/u1", Some("{}"), 405, None);
    let may = |id: &str, at| check(id, Level::May, Verdict::Warn, &[], vec![patch(at)]);
    let mut checks = vec![may("m1", 1), may("m2", 2), may("m3", 3)];
    checks.push(fail("f1", vec![lookup("a", &["a", "b"])]));
    checks.push(fail("f2", vec![lookup("a", &["a", "b"])]));
    let causes = classify(&checks);
    assert_eq!(
        causes.iter().map(|c| (c.kind, c.level)).collect::<Vec<_>>(),
        [(CauseKind::FilterIgnored, Level::Must), (CauseKind::PatchUnsupported, Level::May)]
    );
}

#[test]
fn a_list_cut_short_is_read_up_to_the_cut() {
    let body = list(&["a", "b", "c"]);
    let cut = format!("{}\n... [scimlab kept the first 90 bytes]", &body[..body.find("\"id-c\"").expect("c")]);
    let x = x(1, "GET", "/Users?filter=userName%20eq%20%22a%22", None, 200, Some(&cut));
    assert_eq!(list_of(&x).map(|r| r.len()), Some(2));
    assert_eq!(judge(&x), Filtered::Mismatch { bad: 1, of: 2 });
}

#[test]
fn shapes_keep_endpoints_and_hide_ids() {
    assert_eq!(shape("http://h/scim/v2/Users/2819c223-7f76?x=1"), "/Users/{id}");
    assert_eq!(shape("http://h/scim/v2/Users/.search"), "/Users/.search");
    assert_eq!(shape("http://h/scim/v2/.search"), "/.search");
    assert_eq!(shape("http://h/api/Devices"), "/Devices");
    assert_eq!(shape("http://h/api/Devices/d-12345678"), "/d-12345678".replace("d-12345678", "{id}"));
    assert_eq!(own_id("http://h/scim/v2/Users/a%2Fb"), Some("a/b".into()));
    assert_eq!(own_id("http://h/scim/v2/Users/.search"), None);
    assert_eq!(
        query("http://h/Users?filter=a+eq+%22b%22&count=1"),
        [("filter".to_owned(), "a eq \"b\"".to_owned()), ("count".to_owned(), "1".to_owned())]
    );
}
