//! Root causes, readiness and the coverage truth in every sink: a failure a root cause explains is an id under
//! it (its evidence kept for a few representatives), every report says how the run ends in the exit rule's words
//! and ends with one readiness line per IdP.

use crate::fixture::{self, check, exchange, report_of};
use scimlab_reports::model::{CauseKind, CheckResult, Level, RootCause, RunReport, Verdict};
use scimlab_reports::{RunResult, render};

/// A list answer with `n` users, about `n` * 300 bytes.
fn big_list(n: usize) -> String {
    let users: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"u-{i}","userName":"someone-{i}","displayName":"Someone {i} with a longer name","emails":[{{"value":"someone-{i}@example.com","type":"work"}}]}}"#))
        .collect();
    format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":{n},"Resources":[{}]}}"#,
        users.join(",")
    )
}

/// A failed filter check whose `exchanges` all answered with a long unfiltered list.
fn filter_fail(i: usize, exchanges: usize) -> CheckResult {
    let body = big_list(200);
    let evidence = (0..exchanges)
        .map(|k| exchange(0, "GET", &format!("/Users?filter=userName%20eq%20%22x-{i}-{k}%22"), None, 200, Some(&body)))
        .collect();
    CheckResult {
        reason: Some(format!("filter check {i} got every user")),
        expected: Some("1 user".into()),
        actual: Some("200 users".into()),
        profiles: vec!["rfc".into(), "entra".into()],
        evidence,
        ..check(&format!("rfc7644/3.4.2.2/filter-{i:02}"), "RFC 7644 3.4.2.2", Level::Must, Verdict::Fail)
    }
}

/// 60 failures one cause explains (one with 300 exchanges), 150 passes with evidence, one other failure.
fn cascade() -> RunReport {
    let mut checks: Vec<CheckResult> = (0..60).map(|i| filter_fail(i, if i == 59 { 300 } else { 3 })).collect();
    checks.push(CheckResult {
        reason: Some("the PUT was refused".into()),
        evidence: vec![exchange(0, "PUT", "/Users/u-1", Some("{}"), 400, Some(r#"{"detail":"no"}"#))],
        ..check("rfc7644/3.5.1/put-replaces", "RFC 7644 3.5.1", Level::Must, Verdict::Fail)
    });
    for i in 0..150 {
        checks.push(CheckResult {
            profiles: vec!["rfc".into(), "entra".into(), "okta".into()],
            evidence: vec![
                exchange(0, "POST", "/Users", Some("{}"), 201, Some(r#"{"id":"u-1"}"#)),
                exchange(0, "GET", "/Users/u-1", None, 200, Some(&big_list(20))),
            ],
            ..check(&format!("rfc7644/3.3/pass-{i:03}"), "RFC 7644 3.3", Level::Must, Verdict::Pass)
        });
    }
    let mut report = report_of(checks);
    report.profiles = vec!["rfc".into(), "entra".into(), "okta".into()];
    report.root_causes = vec![RootCause {
        kind: CauseKind::FilterIgnored,
        level: Level::Must,
        summary: "the server ignores filter".into(),
        evidence: Some("GET /Users?filter=userName eq \"x\" answered 200 with 200 resources".into()),
        checks: (0..60).map(|i| format!("rfc7644/3.4.2.2/filter-{i:02}")).collect(),
        representatives: vec!["rfc7644/3.4.2.2/filter-59".into(), "rfc7644/3.4.2.2/filter-00".into()],
    }];
    report
}

#[test]
fn the_terminal_puts_the_root_cause_first_and_stays_short() {
    let text = render(&cascade(), "text").expect("renders");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() < 200, "{} lines:\n{text}", lines.len());
    assert_eq!(lines[2], "Root cause: 1 root cause explains 60 failures: the server ignores filter", "{text}");
    assert!(text.contains("rfc7644/3.4.2.2/filter-01  rfc7644/3.4.2.2/filter-02"), "explained checks are ids: {text}");
    assert_eq!(text.matches("filter check 1 got every user").count(), 0, "no details of an explained failure");
    assert_eq!(text.matches("FAIL rfc7644/3.4.2.2/filter-59 (MUST").count(), 1, "one representative in full");
    let other = text.find("Other failures, warnings and errors:").expect("the unexplained failure");
    assert!(
        other > text.find("Root cause:").expect("cause") && text[other..].contains("FAIL rfc7644/3.5.1/put-replaces")
    );
    let tail: Vec<&str> = lines[lines.len() - 6..].to_vec();
    assert_eq!(
        tail,
        [
            "Result: FAILED (a MUST requirement was missed)",
            "Microsoft Entra ID: 1 blocking problem (the server ignores filter: 60 entra checks)",
            "Okta: ready",
            "Google Workspace: not tested (the google profile was not selected)",
            "JumpCloud: not tested (the jumpcloud profile was not selected)",
            "PingFederate / PingOne: not tested (the ping profile was not selected)",
        ]
    );
}

#[test]
fn the_html_shows_problems_first_within_two_megabytes() {
    let html = render(&cascade(), "html").expect("renders");
    assert!(html.len() < 2_000_000, "the HTML is {} bytes", html.len());
    let causes = html.find("<h2 id=\"root-causes\">").expect("root causes");
    let problems = html.find("<h2 id=\"problems\">").expect("problems");
    let checks = html.find("<h2 id=\"checks\">Checks</h2>").expect("checks");
    let summary = html.find("<h2 id=\"summary\">").expect("summary");
    assert!(causes < problems && problems < summary && summary < checks, "the page opens on the failures");
    assert!(html.contains("<input type=\"search\" id=\"search\""), "a search box");
    assert!(!html.contains("<script src") && !html.contains("<link "), "no external assets");
    // A section of passing checks is collapsed; one with a failure is open and coloured.
    assert!(html.contains("<details class=\"section worst-pass\" id=\"section-"), "passing sections collapse");
    assert!(!html.contains("worst-pass\" id=\"section-2\" data-section open"));
    assert!(html.contains("<details class=\"section worst-fail\" id=\"section-1\" data-section open>"));
    // Representatives and the unexplained failure in full, the rest as ids.
    assert!(
        html.contains("id=\"problem-rfc7644&#x2f;3.4.2.2&#x2f;filter-59\"")
            || html.contains("id=\"problem-rfc7644/3.4.2.2/filter-59\"")
    );
    assert_eq!(
        html.matches("filter check 1 got every user").count(),
        1,
        "an explained check is listed once, without evidence"
    );
    assert!(
        html.contains("292 earlier exchanges of this check are in the JSON report"),
        "the long check shows its last 8"
    );
    assert!(html.contains("<h4>#300 GET"), "exchanges are numbered within their check");
    assert!(html.contains("<h4>#1 POST") && html.contains("<h4>#2 GET"));
    assert!(html.contains("class=\"worst-fail\""), "problem rows are highlighted");
    assert!(html.contains("Microsoft Entra ID: 1 blocking problem (the server ignores filter: 60 entra checks)"));
}

#[test]
fn markdown_and_junit_name_the_root_cause() {
    let report = cascade();
    let md = render(&report, "markdown").expect("renders");
    let causes = md.find("### Root causes").expect("root causes");
    assert!(causes < md.find("### Failures, warnings and errors").expect("problems"));
    assert!(md.contains("**1 root cause explains 60 failures: the server ignores filter**"));
    assert!(md.contains("- Okta: ready\n"), "{}", &md[md.len() - 400..]);
    assert!(md.trim_end().ends_with("- PingFederate / PingOne: not tested (the ping profile was not selected)"));
    let junit = render(&report, "junit").expect("renders");
    assert!(junit.contains("root cause: the server ignores filter (explains 60 checks)"));
    assert!(junit.contains("Microsoft Entra ID: 1 blocking problem"));
}

/// 10 MUST checks of which 8 are skipped because filter is announced unsupported; nothing fails.
fn barely() -> RunReport {
    let mut checks: Vec<CheckResult> = (0..8)
        .map(|i| CheckResult {
            reason: Some("the server announces filter.supported false".into()),
            ..check(&format!("f/{i}"), "RFC 7644 3.4.2.2", Level::Must, Verdict::Skip)
        })
        .collect();
    checks.push(check("a/1", "RFC 7644 3.3", Level::Must, Verdict::Pass));
    checks.push(check("a/2", "RFC 7644 3.3", Level::Must, Verdict::Pass));
    report_of(checks)
}

#[test]
fn every_sink_says_a_barely_exercised_run_did_not_pass() {
    let report = barely();
    assert!(matches!(report.result(), RunResult::NotExercised(_)));
    let why = "NOT EXERCISED (8 of 10 MUST checks skipped: the server announces filter.supported false (8))";
    let text = render(&report, "text").expect("text");
    assert!(text.contains(&format!("Result: {why}")), "{text}");
    assert!(text.contains("Skipped: 8 checks, by reason:\n  8  the server announces filter.supported false"), "{text}");
    assert!(render(&report, "markdown").expect("md").contains("## scimlab conformance: NOT EXERCISED"));
    let html = render(&report, "html").expect("html");
    assert!(html.contains("<span class=\"result-NOT-EXERCISED\">NOT EXERCISED</span>"));
    let junit = render(&report, "junit").expect("junit");
    assert!(junit.contains("run/coverage") && junit.contains("the run did not exercise the server"), "{junit}");
    // A failure still fails, and says the run was thin too.
    let mut failed = barely();
    failed.checks[8].verdict = Verdict::Fail;
    assert!(render(&failed, "text").expect("text").contains(
        "Result: FAILED (a MUST requirement was missed; the run also barely exercised the server: 8 of 10 MUST checks skipped"
    ));
}

#[test]
fn readiness_is_never_ready_without_evidence() {
    // The fixture selects rfc and entra; its entra checks pass, fail (a MUST) and error.
    let lines: Vec<String> = fixture::report().readiness().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "Microsoft Entra ID: 1 blocking problem (rfc7644/3.5.2.1/add-appends-to-multivalued)",
            "Okta: not tested (the okta profile was not selected)",
            "Google Workspace: not tested (the google profile was not selected)",
            "JumpCloud: not tested (the jumpcloud profile was not selected)",
            "PingFederate / PingOne: not tested (the ping profile was not selected)",
        ]
    );
    let mut all_skipped = barely();
    all_skipped.profiles = vec!["rfc".into(), "entra".into(), "okta".into()];
    for c in &mut all_skipped.checks {
        c.profiles = if c.verdict == Verdict::Skip { vec!["okta".into()] } else { vec!["rfc".into()] };
    }
    let lines: Vec<String> = all_skipped.readiness().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "Microsoft Entra ID: not tested (no entra check was selected)",
            "Okta: not tested (every okta check was skipped: the server announces filter.supported false)",
            "Google Workspace: not tested (the google profile was not selected)",
            "JumpCloud: not tested (the jumpcloud profile was not selected)",
            "PingFederate / PingOne: not tested (the ping profile was not selected)",
        ]
    );
}

#[test]
fn root_causes_round_trip_and_older_reports_read_without_them() {
    let mut report = cascade();
    report.number_evidence();
    let json = render(&report, "json").expect("json");
    assert!(json.contains("\"rootCauses\"") && json.contains("\"kind\": \"filter-ignored\""));
    assert_eq!(RunReport::from_json(&json).expect("reads"), report);
    let old = render(&fixture::report(), "json").expect("json");
    assert!(!old.contains("rootCauses"), "a run with no root cause writes what version 1 always wrote");
    assert_eq!(RunReport::from_json(&old).expect("reads").root_causes, []);
}

#[test]
fn merged_shards_report_a_shared_cause_once() {
    let mut a = cascade();
    let mut b = cascade();
    a.root_causes[0].checks.truncate(30);
    b.root_causes[0].checks.drain(..30);
    b.root_causes[0].level = Level::Should;
    let merged = scimlab_reports::merge(&[a, b]).expect("merges");
    assert_eq!(merged.root_causes.len(), 1);
    assert_eq!(merged.root_causes[0].checks.len(), 60);
    assert_eq!(merged.root_causes[0].level, Level::Must);
}
