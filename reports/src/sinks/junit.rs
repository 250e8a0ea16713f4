//! The JUnit XML reporter (quick-junit), for CI systems that show test results: one `<testsuite>` per RFC section
//! (or profile, or load thresholds), one `<testcase>` per check named by its id.
//!
//! Mapping: pass is a success; fail is a `<failure>` whose message is the requirement, whose type is the level,
//! and whose text is expected / actual / reason; skip is `<skipped>` with the reason; error is an `<error>` (the
//! harness failed, not the server). A warn (a SHOULD or MAY missed) is a `<failure>` only when the run was
//! `--strict`, since only then does it fail the run; otherwise it is a success whose `system-out` says what was
//! missed, so the JUnit view and scimlab's exit status agree. A case's evidence (its last exchange, numbered, and
//! the reproducer) is in its `system-out`; a failure a root cause explains names it first. A last suite,
//! `scimlab run`, carries the result line and the readiness lines, and an erroring `run/coverage` case when the
//! run did not exercise the server.
//!
//! The document keeps to what the strict readers accept (the Jenkins / GitLab JUnit schema, xunitparser): the
//! run's properties (target, seed, kind...) appear once, on the first suite, since readers that pool every
//! suite's properties refuse a repeated name; test cases carry no `<properties>`; the root `<testsuites>` holds
//! only name, tests, failures, errors and time.

use super::common::{body_excerpt, by_section, duration_of, label, request_line, status_text, truncate};
use super::output::Output;
use crate::causes::{CauseKind, RootCause, cause_of};
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunReport, RunResult, Verdict};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

/// How many characters of a response body `system-out` shows.
const BODY_EXCERPT: usize = 500;
/// The longest expected / actual / reason / reproducer / request line shown (bytes; a longer one is cut with a
/// note of its full size).
const VALUE_MAX: usize = 4_000;

/// The expected / actual / reason text of a check, one `name: value` block per field present.
fn details(c: &CheckResult) -> String {
    let mut parts = Vec::new();
    for (name, value) in [("expected", &c.expected), ("actual", &c.actual), ("reason", &c.reason)] {
        if let Some(v) = value {
            parts.push(format!("{name}: {}", truncate(v, VALUE_MAX)));
        }
    }
    parts.join("\n")
}

/// The evidence text of a check: its last exchange (numbered within the check) and its reproducer.
fn evidence(c: &CheckResult) -> String {
    let mut parts = Vec::new();
    if let Some(x) = c.evidence.last() {
        let n = c.evidence.len();
        let mut line = format!("exchange #{n} of {n}: {} -> {}", truncate(&request_line(x), VALUE_MAX), status_text(x));
        if let Some(body) = x.response.as_ref().and_then(|r| r.body.as_deref()).filter(|b| !b.trim().is_empty()) {
            line.push('\n');
            line.push_str(&body_excerpt(body, BODY_EXCERPT));
        }
        parts.push(line);
    }
    if let Some(cmd) = super::problem_reproducer(c) {
        parts.push(format!("reproduce:\n{}", truncate(&cmd, VALUE_MAX)));
    }
    parts.join("\n\n")
}

fn test_case(c: &CheckResult, strict: bool, cause: Option<&RootCause>) -> TestCase {
    let known = cause.map(|k| k.kind);
    let status = match c.verdict {
        // With --baseline, a problem that is not a regression does not fail the run, nor the JUnit view.
        Verdict::Fail | Verdict::Warn | Verdict::Error if known.is_some_and(CauseKind::is_known) => {
            let mut s = TestCaseStatus::skipped();
            let why = c.reason.as_deref().unwrap_or(c.requirement.as_str());
            let what = if known == Some(CauseKind::ExpectedFailures) {
                "expected failure (a known deviation)"
            } else {
                "not a regression"
            };
            s.set_message(truncate(&format!("known {}, {what}: {why}", c.verdict.as_str()), VALUE_MAX));
            s
        }
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Warn if !strict => TestCaseStatus::success(),
        Verdict::Fail | Verdict::Warn => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let mut text = details(c);
            if let Some(k) = cause {
                text = format!("root cause: {} (explains {} checks)\n{text}", k.summary, k.checks.len());
            }
            s.set_message(c.requirement.as_str()).set_type(c.level.as_str()).set_description(text);
            s
        }
        Verdict::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(truncate(c.reason.as_deref().unwrap_or("skipped"), VALUE_MAX));
            s
        }
        Verdict::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(truncate(c.reason.as_deref().unwrap_or("the harness failed"), VALUE_MAX))
                .set_type("harness error")
                .set_description(format!("requirement: {}\n{}", c.requirement, details(c)));
            s
        }
    };
    let mut case = TestCase::new(c.id.as_str(), status);
    case.set_classname(c.section.as_str()).set_time(duration_of(c.duration_ms));
    let mut out = String::new();
    if c.verdict == Verdict::Warn && !strict {
        out =
            format!("{}: {} requirement missed: {}\n{}", label(c.verdict), c.level.as_str(), c.requirement, details(c));
    }
    if c.verdict != Verdict::Pass {
        let ev = evidence(c);
        if !ev.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&ev);
        }
    }
    if !out.is_empty() {
        case.set_system_out(out);
    }
    case
}

/// The suite `scimlab run`: its `system-out` holds the result line, the root-cause headline and the readiness
/// lines; a run that did not exercise the server (exit 3, though no check failed) has an erroring test case
/// `run/coverage`, so a CI view of the JUnit file is not green either.
fn run_suite(report: &RunReport) -> TestSuite {
    let mut suite = TestSuite::new("scimlab run");
    let result = report.result();
    if let RunResult::NotExercised(coverage) = &result {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(format!("the run did not exercise the server: {coverage}")).set_type("not exercised");
        suite.add_test_case(TestCase::new("run/coverage", s));
    }
    let mut out = format!("Result: {result}\n");
    if let Some(h) = crate::causes::headline(&report.root_causes, &report.checks) {
        out.push_str(&format!("Root cause: {h}\n"));
    }
    for r in report.readiness() {
        out.push_str(&format!("{r}\n"));
    }
    suite.set_system_out(out);
    suite
}

/// The run's properties, written once (on the first suite).
fn run_properties(report: &RunReport) -> Vec<Property> {
    let kind = serde_json::to_value(report.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    vec![
        Property::new("kind", kind),
        Property::new("target", report.target.url.as_str()),
        Property::new("profiles", report.profiles.join(",")),
        Property::new("strict", report.strict.to_string()),
        Property::new("seed", report.seed.to_string()),
        Property::new("scimlab", report.tool_version.as_str()),
        Property::new("result", report.result().word()),
    ]
}

/// The report as JUnit XML.
pub fn render_junit(report: &RunReport) -> Result<String, ReportError> {
    let mut junit = Report::new("scimlab");
    junit.set_time(duration_of(report.duration_ms));
    for (section, checks) in by_section(&report.checks) {
        let mut suite = TestSuite::new(section);
        suite.set_time(checks.iter().map(|c| duration_of(c.duration_ms)).sum());
        suite.add_test_cases(
            checks.into_iter().map(|c| test_case(c, report.strict, cause_of(&report.root_causes, &c.id))),
        );
        junit.add_test_suite(suite);
    }
    junit.add_test_suite(run_suite(report));
    if let Some(first) = junit.test_suites.first_mut() {
        first.add_properties(run_properties(report));
    }
    let text =
        junit.to_string().map_err(|e| ReportError::Write { path: "JUnit XML".to_owned(), reason: e.to_string() })?;
    Ok(without_root_skipped(text))
}

/// The document without the `skipped` count on its root `<testsuites>` element, which the Jenkins / GitLab
/// schema does not allow there (each `<testsuite>` keeps its own). The root tag holds only numbers and the fixed
/// name `scimlab`, so the attribute is found by its text.
fn without_root_skipped(mut xml: String) -> String {
    let Some(start) = xml.find("<testsuites ") else { return xml };
    let Some(len) = xml[start..].find('>') else { return xml };
    let tag = &xml[start..start + len];
    if let Some(at) = tag.find(" skipped=\"") {
        let value_start = start + at + " skipped=\"".len();
        if let Some(value_len) = xml[value_start..].find('"') {
            xml.replace_range(start + at..value_start + value_len + 1, "");
        }
    }
    xml
}

/// Writes the report as JUnit XML at the end of the run.
#[derive(Debug)]
pub struct JunitSink {
    output: Output,
}

impl JunitSink {
    /// A reporter writing to `output`.
    pub fn new(output: Output) -> JunitSink {
        JunitSink { output }
    }
}

impl Sink for JunitSink {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { .. } => Ok(()),
            Event::CheckFinished(_) => Ok(()),
            Event::RunFinished(report) => {
                let text = render_junit(report)?;
                self.output.write_document(&text)
            }
        }
    }
}
