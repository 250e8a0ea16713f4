//! Known deviations (`[[known_deviation]]` in `scimlab.toml`): checks a server is known to fail, each with its
//! reason, reported as expected failures and counted apart, so a CI job stays green on what is known and turns
//! red on anything new.
//!
//! Each deviation that matched becomes one [`CauseKind::ExpectedFailures`] root cause, its summary the
//! deviation's reason: checks it explains do not fail the run ([`RunReport::failed`]), every sink shows them
//! under their cause, the Result line counts them apart from `--baseline`'s known problems, and the summary
//! counts them (`expected`). Checks and verdicts are left as they are, so `report diff` still compares the real
//! verdicts.

use crate::config::KnownDeviation;
use scimlab_reports::Sink;
use scimlab_reports::causes::{CauseKind, RootCause};
use scimlab_reports::model::{Level, RunReport, Verdict};

/// What marking found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Marked {
    /// Checks that failed as a deviation says they would.
    pub expected: usize,
    /// Deviations none of whose checks failed: the server may have been fixed.
    pub unused: Vec<String>,
}

/// The summary of a deviation's cause.
fn summary(d: &KnownDeviation) -> String {
    format!("known deviation {}: {}", d.check, d.reason)
}

/// Groups the failed and warned checks each deviation covers under a known-failures cause of its own (taking
/// them out of the causes that held them, which are dropped when left empty). Marking twice gives the same
/// report.
pub fn mark(report: &mut RunReport, deviations: &[KnownDeviation]) -> Marked {
    let mine: Vec<String> = deviations.iter().map(summary).collect();
    report.root_causes.retain(|k| k.kind != CauseKind::ExpectedFailures);
    let mut marked = Marked::default();
    let mut taken: Vec<String> = Vec::new();
    let mut causes = Vec::new();
    for (d, summary) in deviations.iter().zip(mine) {
        let hits: Vec<&scimlab_reports::model::CheckResult> = report
            .checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Warn))
            .filter(|c| d.covers(&c.id) && !taken.contains(&c.id))
            .collect();
        if hits.is_empty() {
            marked.unused.push(d.check.clone());
            continue;
        }
        let level = hits.iter().map(|c| c.level).min().unwrap_or(Level::Must);
        let ids: Vec<String> = hits.iter().map(|c| c.id.clone()).collect();
        marked.expected += ids.len();
        taken.extend(ids.iter().cloned());
        causes.push(RootCause {
            kind: CauseKind::ExpectedFailures,
            level,
            summary,
            evidence: None,
            checks: ids,
            representatives: Vec::new(),
        });
    }
    // Out of every other cause, `--baseline`'s known failures included: a check is explained once.
    for k in report.root_causes.iter_mut() {
        k.checks.retain(|id| !taken.contains(id));
        k.representatives.retain(|id| !taken.contains(id));
    }
    report.root_causes.retain(|k| !k.checks.is_empty());
    report.root_causes.extend(causes);
    report.summary.expected = marked.expected;
    marked
}

/// Sinks that receive the report with the deviations marked ([`mark`]); every other event passes through
/// unchanged.
pub fn expected(deviations: Vec<KnownDeviation>, inner: Vec<Box<dyn Sink>>) -> scimlab_reports::Marked {
    scimlab_reports::Marked::new(
        move |report| {
            mark(report, &deviations);
        },
        inner,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_reports::model::{CheckResult, RunKind, Summary, Target};

    fn report(checks: &[(&str, Verdict)]) -> RunReport {
        let checks: Vec<CheckResult> = checks.iter().map(|(id, v)| CheckResult::bare(*id, Level::Must, *v)).collect();
        RunReport {
            version: scimlab_reports::REPORT_VERSION,
            kind: RunKind::Conformance,
            tool_version: "0".into(),
            started_at: "2024-05-01T12:00:00Z".into(),
            duration_ms: 0.0,
            target: Target { url: "http://127.0.0.1:1".into(), embedded: false },
            profiles: vec![],
            strict: false,
            seed: 0,
            summary: Summary::of(&checks),
            checks,
            root_causes: Vec::new(),
            load: None,
        }
    }

    fn deviation(check: &str) -> KnownDeviation {
        KnownDeviation { check: check.into(), reason: "ticket 12".into() }
    }

    #[test]
    fn a_known_failure_no_longer_fails_the_run_but_a_new_one_does() {
        let mut r = report(&[("a/1", Verdict::Fail), ("a/2", Verdict::Pass), ("b/1", Verdict::Pass)]);
        assert!(r.failed());
        let m = mark(&mut r, &[deviation("a"), deviation("c")]);
        assert_eq!(m, Marked { expected: 1, unused: vec!["c".into()] });
        assert!(!r.failed(), "the only failure is expected");
        assert_eq!(r.checks[0].verdict, Verdict::Fail, "verdicts stay real");
        let again = mark(&mut r, &[deviation("a"), deviation("c")]);
        assert_eq!((again.expected, r.root_causes.len()), (1, 1), "marking twice is marking once");
        assert_eq!(r.summary.expected, 1, "the summary counts them");
        let result = r.result().to_string();
        assert_eq!(result, "passed (1 expected failure (known deviations in the config file))");
        assert!(!result.contains("baseline"), "not the baseline's wording: {result}");
        let mut r = report(&[("a/1", Verdict::Fail), ("b/1", Verdict::Fail)]);
        mark(&mut r, &[deviation("a")]);
        assert!(r.failed(), "b/1 is not a known deviation");
    }
}
