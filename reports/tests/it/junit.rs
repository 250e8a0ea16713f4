//! The JUnit XML parses back, with one suite per section and the verdicts mapped as documented.

use crate::fixture;
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use scimlab_reports::model::RunKind;
use scimlab_reports::render;

fn parse(report: &scimlab_reports::RunReport) -> Report {
    let xml = render(report, "junit").expect("renders");
    Report::deserialize_from_str(&xml).expect("the JUnit output is well-formed XML")
}

#[test]
fn one_suite_per_section_in_report_order() {
    let junit = parse(&fixture::report());
    let names: Vec<&str> = junit.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["RFC 7644 3.4.2.2", "RFC 7644 3.5.2.1", "RFC 7644 3.7", "RFC 7644 3.3", "scimlab run"]);
    assert_eq!(junit.tests, 5, "the run suite has no test case when the run exercised the server");
    let skipped: usize = junit.test_suites.iter().map(|s| s.skipped).sum();
    assert_eq!((junit.failures, junit.errors, skipped), (1, 1, 1));
    assert_eq!(junit.test_suites[0].test_cases.len(), 2);
}

#[test]
fn verdicts_map_to_junit_statuses() {
    let report = fixture::report();
    let junit = parse(&report);
    let case = |id: &str| {
        junit.test_suites.iter().flat_map(|s| &s.test_cases).find(|c| c.name.as_str() == id).expect("case present")
    };
    let fail = case("rfc7644/3.5.2.1/add-appends-to-multivalued");
    let TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, message, description, .. } = &fail.status else {
        panic!("a fail is a failure: {:?}", fail.status);
    };
    assert_eq!(message.as_ref().map(|m| m.as_str()), Some(report.checks[2].requirement.as_str()));
    let description = description.as_ref().expect("description").as_str();
    assert!(
        description.contains("expected: emails: [work a@example.com") && description.contains("actual: emails: [home")
    );
    assert!(fail.system_out.as_ref().expect("evidence").as_str().contains("$SCIM_TOKEN"));
    let skip = case("rfc7644/3.7/bulk-fail-on-errors");
    assert!(
        matches!(&skip.status, TestCaseStatus::Skipped { message: Some(m), .. } if m.as_str().contains("bulk.supported"))
    );
    let error = case("rfc7644/3.3/create-returns-201");
    assert!(matches!(&error.status, TestCaseStatus::NonSuccess { kind: NonSuccessKind::Error, .. }));
    let warn = case("rfc7644/3.4.2.2/filter-co-case-insensitive");
    assert!(matches!(warn.status, TestCaseStatus::Success { .. }), "a warn does not fail a non-strict run");
    assert!(warn.system_out.as_ref().expect("noted").as_str().starts_with("WARN: SHOULD requirement missed"));
}

#[test]
fn strict_runs_report_warnings_as_failures() {
    let mut report = fixture::report();
    report.strict = true;
    let junit = parse(&report);
    assert_eq!(junit.failures, 2);
}

/// Regression: the run's properties were repeated in every suite, which xunitparser refuses (it pools the
/// properties of all suites and asserts each name is new), and test cases carried `<properties>`, which the
/// Jenkins / GitLab schema does not allow; the root element carried `skipped`, which that schema does not allow.
#[test]
fn properties_appear_once_on_the_first_suite_and_never_in_test_cases() {
    let xml = render(&fixture::report(), "junit").expect("renders");
    assert_eq!(xml.matches("<properties>").count(), 1, "{xml}");
    let first_suite = xml.find("<testsuite ").expect("a suite");
    let second_suite = xml[first_suite + 1..].find("<testsuite ").map(|i| i + first_suite + 1).expect("two suites");
    let props = xml.find("<properties>").expect("properties");
    assert!(first_suite < props && props < second_suite, "the properties belong to the first suite");
    assert!(!xml[props..].split("</properties>").nth(1).unwrap_or("").contains("<property "), "no other property");
    for name in ["kind", "target", "seed", "result"] {
        assert_eq!(xml.matches(&format!("<property name=\"{name}\"")).count(), 1, "{name} once");
    }
    let root = &xml[xml.find("<testsuites ").expect("root")..];
    let root = &root[..root.find('>').expect("tag end")];
    assert!(!root.contains("skipped="), "{root}");
    assert!(root.contains("tests=\"5\"") && root.contains("failures=\"1\"") && root.contains("errors=\"1\""), "{root}");
    let junit = parse(&fixture::report());
    assert!(junit.test_suites.iter().flat_map(|s| &s.test_cases).all(|c| c.properties.is_empty()));
    assert_eq!(junit.test_suites[0].properties.len(), 7);
    assert!(junit.test_suites[1..].iter().all(|s| s.properties.is_empty()));
}

#[test]
fn every_kind_of_run_ends_with_the_run_suite_and_its_result() {
    for kind in [RunKind::Conformance, RunKind::Replay, RunKind::Load, RunKind::Recordings] {
        let mut report = fixture::report();
        report.kind = kind;
        let junit = parse(&report);
        let last = junit.test_suites.last().expect("suites");
        assert_eq!(last.name.as_str(), "scimlab run");
        let out = last.system_out.as_ref().expect("the result line").as_str();
        assert!(out.starts_with("Result: FAILED"), "{kind:?}: {out}");
    }
}
