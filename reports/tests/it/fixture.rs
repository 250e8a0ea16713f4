//! A hand-built RunReport with one check of every verdict, evidence with JSON bodies, and fixed values for every
//! time, port and id.

use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Timings};
use scimlab_reports::model::{CheckResult, Level, RunKind, RunReport, Summary, Target, Verdict};

/// The base URL every fixture exchange talks to.
pub const BASE: &str = "http://127.0.0.1:8080/scim/v2";

fn json_headers() -> Vec<(String, String)> {
    vec![("Content-Type".into(), "application/scim+json".into())]
}

/// An exchange with fixed id and times.
pub fn exchange(
    id: u64,
    method: &str,
    path: &str,
    body: Option<&str>,
    status: u16,
    response: Option<&str>,
) -> Exchange {
    let mut request_headers = vec![("Authorization".into(), "Bearer [redacted]".into())];
    if body.is_some() {
        request_headers.extend(json_headers());
    }
    Exchange {
        id,
        started_at: "2024-05-01T12:00:00.100Z".parse().expect("timestamp"),
        request: HttpRequest {
            method: method.into(),
            url: format!("{BASE}{path}"),
            headers: request_headers,
            body: body.map(str::to_owned),
        },
        response: Some(HttpResponse {
            status,
            headers: if response.is_some() { json_headers() } else { vec![] },
            body: response.map(str::to_owned),
        }),
        timings: Timings { total_us: 1_250, ttfb_us: Some(1_000) },
        client: None,
        error: None,
    }
}

/// A passing check in `section` with no details.
pub fn check(id: &str, section: &str, level: Level, verdict: Verdict) -> CheckResult {
    CheckResult {
        id: id.into(),
        level,
        section: section.into(),
        tags: vec!["core".into()],
        profiles: vec!["rfc".into()],
        requirement: format!("requirement of {id}"),
        verdict,
        reason: None,
        expected: None,
        actual: None,
        reproducer: None,
        evidence: vec![],
        duration_ms: 1.5,
        cost: None,
    }
}

/// A report over `checks` with fixed metadata.
pub fn report_of(checks: Vec<CheckResult>) -> RunReport {
    RunReport {
        version: scimlab_reports::REPORT_VERSION,
        kind: RunKind::Conformance,
        tool_version: "0.1.0".into(),
        started_at: "2024-05-01T12:00:00Z".into(),
        duration_ms: 842.5,
        target: Target { url: BASE.into(), embedded: false },
        profiles: vec!["rfc".into(), "entra".into()],
        strict: false,
        seed: 42,
        summary: Summary::of(&checks),
        checks,
        root_causes: vec![],
        load: None,
    }
}

/// The fixture: pass, fail (with evidence and reproducer), warn, skip and error checks over four sections.
pub fn report() -> RunReport {
    let pass = CheckResult {
        id: "rfc7644/3.4.2.2/filter-eq-username".into(),
        level: Level::Must,
        section: "RFC 7644 3.4.2.2".into(),
        tags: vec!["filter".into(), "core".into()],
        profiles: vec!["rfc".into(), "entra".into(), "okta".into()],
        requirement: "A userName eq filter returns exactly the matching user.".into(),
        verdict: Verdict::Pass,
        evidence: vec![exchange(
            1,
            "GET",
            "/Users?filter=userName%20eq%20%22scimlab-0000002a-bjensen%22",
            None,
            200,
            Some(
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"u-1","userName":"scimlab-0000002a-bjensen"}]}"#,
            ),
        )],
        duration_ms: 3.25,
        ..check("", "", Level::Must, Verdict::Pass)
    };
    let warn = CheckResult {
        id: "rfc7644/3.4.2.2/filter-co-case-insensitive".into(),
        level: Level::Should,
        section: "RFC 7644 3.4.2.2".into(),
        tags: vec!["filter".into()],
        profiles: vec!["rfc".into()],
        requirement: "A co filter on a caseExact=false attribute ignores case.".into(),
        verdict: Verdict::Warn,
        reason: Some("the filter matched case-sensitively".into()),
        expected: Some("1 result for userName co \"BJENSEN\"".into()),
        actual: Some("0 results".into()),
        evidence: vec![exchange(
            2,
            "GET",
            "/Users?filter=userName%20co%20%22BJENSEN%22",
            None,
            200,
            Some(
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#,
            ),
        )],
        duration_ms: 2.5,
        ..check("", "", Level::Should, Verdict::Warn)
    };
    let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"home"}]}]}"#;
    let fail = CheckResult {
        id: "rfc7644/3.5.2.1/add-appends-to-multivalued".into(),
        level: Level::Must,
        section: "RFC 7644 3.5.2.1".into(),
        tags: vec!["patch".into()],
        profiles: vec!["rfc".into(), "entra".into()],
        requirement: "PATCH add to a multi-valued attribute appends the values instead of replacing them.".into(),
        verdict: Verdict::Fail,
        reason: Some("the existing work email was dropped".into()),
        expected: Some("emails: [work a@example.com, home b@example.com]".into()),
        actual: Some("emails: [home b@example.com]".into()),
        reproducer: Some(format!(
            "curl --globoff \\\n  -X PATCH \\\n  {BASE}/Users/u-2 \\\n  -H 'Authorization: Bearer '\"$SCIM_TOKEN\" \\\n  --data-binary '{patch}'"
        )),
        evidence: vec![
            exchange(3, "PATCH", "/Users/u-2", Some(patch), 204, None),
            exchange(
                4,
                "GET",
                "/Users/u-2",
                None,
                200,
                Some(
                    r#"{"id":"u-2","userName":"scimlab-0000002a-jsmith","emails":[{"value":"b@example.com","type":"home"}]}"#,
                ),
            ),
        ],
        duration_ms: 12.75,
        cost: None,
    };
    let skip = CheckResult {
        id: "rfc7644/3.7/bulk-fail-on-errors".into(),
        section: "RFC 7644 3.7".into(),
        tags: vec!["bulk".into()],
        requirement: "Bulk processing stops after failOnErrors errors.".into(),
        reason: Some("the server declares bulk.supported = false".into()),
        duration_ms: 0.0,
        ..check("", "", Level::Must, Verdict::Skip)
    };
    let mut timed_out = exchange(5, "POST", "/Users", Some(r#"{"userName":"scimlab-0000002a-slow"}"#), 0, None);
    timed_out.response = None;
    timed_out.error = Some("operation timed out".into());
    let error = CheckResult {
        id: "rfc7644/3.3/create-returns-201".into(),
        section: "RFC 7644 3.3".into(),
        tags: vec!["create".into()],
        requirement: "Creating a resource answers 201 Created with the resource.".into(),
        reason: Some("the check did not finish within 10 s".into()),
        evidence: vec![timed_out],
        duration_ms: 10_000.0,
        ..check("", "", Level::Must, Verdict::Error)
    };
    report_of(vec![pass, warn, fail, skip, error])
}

/// A load section with one `read / get` operation of `requests` requests (latencies 1-5 ms, one error).
pub fn load_section(requests: u64) -> scimlab_reports::load::LoadSection {
    serde_json::from_value(serde_json::json!({
        "format": 1, "scenario": "read", "persona": "entra", "runId": "sl0000002a", "users": 0, "block": 100,
        "shards": [{"shard": "1/1", "users": [0, 0], "startedAt": "2024-05-01T12:00:00Z", "durationMs": 1000.0}],
        "lanes": [{"workload": "read", "model": "closed", "concurrency": 4}],
        "durationMs": 1000.0,
        "operations": [{"lane": 0, "workload": "read", "operation": "get", "requests": requests,
            "responses": requests, "errors": 1, "throughput": requests as f64, "items": 0, "itemsPerSecond": 0.0,
            "itemErrors": 0, "statusClasses": {"2xx": requests - 1, "5xx": 1},
            "statuses": {"200": requests - 1, "500": 1}, "scimTypes": {"none": 1}, "transportErrors": 0,
            "throttled": 0, "throttleWaitMs": 0.0,
            "latencyMs": {"min": 1.0, "mean": 2.0, "p50": 2.0, "p90": 4.0, "p99": 5.0, "p999": 5.0, "max": 5.0},
            "histogram": {"lowestUs": 1, "highestUs": 3_600_000_000u64, "significantDigits": 3, "buckets": []},
            "timeline": {"intervalMs": 100, "count": [], "errors": [], "sumUs": [], "maxUs": []}}],
        "cleanup": {"deleted": 0, "notFound": 0, "failed": 0, "left": 0, "durationMs": 0.0},
    }))
    .expect("a load section")
}
