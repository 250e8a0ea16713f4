//! `scimlab test --baseline BASE`: a run fails only on regressions. The problems that are not regressions (the
//! baseline had them too, or did not check them) are grouped under one [`CauseKind::KnownFailures`] root cause,
//! so that [`RunReport::result`] says `passed (no regression against the baseline; ...)` exactly when the exit
//! status is 0, in every sink, instead of `Result: FAILED` beside exit 0.
//!
//! The rule is [`ReportDiff::fails_run`]'s: a check whose change from the baseline fails the run stays a failure;
//! every other fail, warn or error is known. [`against_baseline`] wraps the sinks of a run so that they receive the
//! marked report.

use crate::causes::{CauseKind, RootCause};
use crate::diff::{Change, diff};
use crate::event::{Marked, Sink};
use crate::model::{Level, RunReport, Verdict};
use crate::sinks::common::is_problem;

/// The summary of the known-failures cause.
pub const KNOWN_SUMMARY: &str = "not regressions: the baseline had these problems too, or did not check them";

/// Whether a change fails a `--baseline` run (as [`crate::ReportDiff::fails_run`] judges one).
fn fails(c: &Change, strict: bool) -> bool {
    match c.new {
        Verdict::Fail | Verdict::Error => true,
        Verdict::Warn => strict && c.level == Level::Should,
        Verdict::Pass | Verdict::Skip => false,
    }
}

/// Groups the problems of `report` that are not run-failing regressions against `base` under one
/// [`CauseKind::KnownFailures`] cause (taking them out of other causes, which are dropped when left empty).
/// Returns how many were marked. Checks and verdicts are unchanged, so `report diff` reads the report as before.
pub fn mark_known(report: &mut RunReport, base: &RunReport) -> usize {
    let d = diff(base, report);
    let failing: Vec<&str> = d.regressions.iter().filter(|c| fails(c, report.strict)).map(|c| c.id.as_str()).collect();
    let known: Vec<String> = report
        .checks
        .iter()
        .filter(|c| is_problem(c.verdict) && !failing.contains(&c.id.as_str()))
        .map(|c| c.id.clone())
        .collect();
    report.root_causes.retain(|k| k.kind != CauseKind::KnownFailures);
    if known.is_empty() {
        return 0;
    }
    for k in &mut report.root_causes {
        k.checks.retain(|id| !known.contains(id));
        k.representatives.retain(|id| !known.contains(id));
    }
    report.root_causes.retain(|k| !k.checks.is_empty());
    let level = report.checks.iter().filter(|c| known.contains(&c.id)).map(|c| c.level).min().unwrap_or(Level::Must);
    let n = known.len();
    report.root_causes.push(RootCause {
        kind: CauseKind::KnownFailures,
        level,
        summary: KNOWN_SUMMARY.to_owned(),
        evidence: None,
        checks: known,
        representatives: Vec::new(),
    });
    n
}

/// Sinks that receive the report marked against a baseline ([`mark_known`]); every other event passes through
/// unchanged.
pub fn against_baseline(base: RunReport, inner: Vec<Box<dyn Sink>>) -> Marked {
    Marked::new(
        move |report| {
            mark_known(report, &base);
        },
        inner,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CheckResult;

    fn report(verdicts: &[(&str, Verdict)]) -> RunReport {
        let checks: Vec<CheckResult> = verdicts.iter().map(|(id, v)| CheckResult::bare(*id, Level::Must, *v)).collect();
        RunReport {
            version: crate::REPORT_VERSION,
            kind: crate::RunKind::Conformance,
            tool_version: "0".into(),
            started_at: "2024-05-01T12:00:00Z".into(),
            duration_ms: 1.0,
            target: crate::Target { url: "http://127.0.0.1:1/scim/v2".into(), embedded: false },
            profiles: vec!["rfc".into()],
            strict: false,
            seed: 1,
            summary: crate::Summary::of(&checks),
            checks,
            root_causes: Vec::new(),
            load: None,
        }
    }

    /// Regression: `--baseline` with only known failures exited 0 while every sink said `Result: FAILED`.
    #[test]
    fn only_known_failures_pass_in_every_sink_and_a_regression_still_fails() {
        let base = report(&[("a", Verdict::Fail), ("b", Verdict::Pass), ("c", Verdict::Error)]);
        let mut same = report(&[("a", Verdict::Fail), ("b", Verdict::Pass), ("c", Verdict::Error)]);
        assert_eq!(same.result().word(), "FAILED");
        assert_eq!(mark_known(&mut same, &base), 2);
        assert!(!same.failed());
        let result = same.result();
        assert_eq!(result.word(), "passed");
        assert!(result.to_string().contains("no regression against the baseline; 2 known problems"), "{result}");
        let text = crate::render(&same, "text").expect("text");
        assert!(!text.contains("FAILED"), "{text}");
        let junit = crate::render(&same, "junit").expect("junit");
        assert!(junit.contains("failures=\"0\"") && junit.contains("errors=\"0\""), "{junit}");
        let md = crate::render(&same, "md").expect("md");
        assert!(md.contains("## scimlab conformance: passed") && !md.contains("FAILED"), "{md}");

        let mut worse = report(&[("a", Verdict::Fail), ("b", Verdict::Fail), ("c", Verdict::Error)]);
        assert_eq!(mark_known(&mut worse, &base), 2);
        assert!(worse.failed());
        assert_eq!(worse.result().word(), "FAILED");
        let junit = crate::render(&worse, "junit").expect("junit");
        assert!(junit.contains("failures=\"1\""), "only the regression fails: {junit}");
    }
}
