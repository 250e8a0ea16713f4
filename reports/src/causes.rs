//! Root causes: one explanation for many failures ("1 root cause explains 62 failures: the server ignores
//! filter"), as the harness found them (`scimlab_harness::rootcause` classifies; this crate only carries and
//! shows the result).
//!
//! A root cause names the checks it explains by id; every check stays in the report whole, so a cause is an index
//! over the results, never a replacement for them. The sinks show an explained failure collapsed under its cause
//! (its id only) and keep the evidence of a few representatives.

use crate::model::{CheckResult, Level, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of cause explains a group of failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CauseKind {
    /// Filtered lists come back with resources that do not match the filter.
    FilterIgnored,
    /// PATCH is answered 501 or 405.
    PatchUnsupported,
    /// Requests with the run's credentials are answered 401 or 403.
    AuthBroken,
    /// One parameter or one endpoint makes the server answer 5xx.
    ServerCrash,
    /// The server throttled or dropped connections until the retry budget ran out.
    Unstable,
    /// Resources the run created and read were answered 404 later: the server lost its data.
    DataLost,
    /// Several failures met the same error answer to the same request shape.
    SameAnswer,
    /// Not regressions: with `--baseline`, the problems that the baseline run had too (or that it did not
    /// check). They do not fail the run, and every sink says so.
    KnownFailures,
    /// Expected failures: checks a known deviation in the config file (`[[known_deviation]]`, with its reason)
    /// says the server fails. They do not fail the run, and every sink counts them apart.
    ExpectedFailures,
    /// A kind this version of scimlab does not know (written by a newer one).
    #[serde(other)]
    Other,
}

impl CauseKind {
    /// Whether checks this cause explains are known problems that do not fail the run: a baseline's
    /// ([`CauseKind::KnownFailures`]) or the config file's known deviations ([`CauseKind::ExpectedFailures`]).
    pub fn is_known(self) -> bool {
        matches!(self, CauseKind::KnownFailures | CauseKind::ExpectedFailures)
    }
}

/// A cause that explains several failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RootCause {
    /// What kind of cause.
    pub kind: CauseKind,
    /// The most demanding level among the checks it explains.
    pub level: Level,
    /// The cause in a few words, e.g. `the server ignores filter`.
    pub summary: String,
    /// What shows it, e.g. `GET /Users?filter=userName eq "x" answered 200 with 13 resources, 12 not matching`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The ids of the checks it explains, in report order.
    pub checks: Vec<String>,
    /// The checks whose evidence documents keep in full (a few of `checks`, the clearest first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub representatives: Vec<String>,
}

/// How many representatives a document shows in full per cause.
pub const REPRESENTATIVES: usize = 3;

impl RootCause {
    /// The checks whose evidence a document keeps: the recorded representatives, or the first few checks when a
    /// report recorded none.
    pub fn shown(&self) -> impl Iterator<Item = &str> {
        let from = if self.representatives.is_empty() { &self.checks } else { &self.representatives };
        from.iter().take(REPRESENTATIVES).map(String::as_str)
    }

    /// `62 failures and 3 warnings`: what the cause explains, by verdict, counted over `checks`.
    pub fn tally(&self, checks: &[CheckResult]) -> String {
        let mut n = [0usize; 3];
        for c in checks.iter().filter(|c| self.checks.contains(&c.id)) {
            match c.verdict {
                Verdict::Fail => n[0] += 1,
                Verdict::Warn => n[1] += 1,
                Verdict::Error => n[2] += 1,
                Verdict::Pass | Verdict::Skip => {}
            }
        }
        let words = [("failure", "failures"), ("warning", "warnings"), ("error", "errors")];
        let parts: Vec<String> = n
            .iter()
            .zip(words)
            .filter(|(k, _)| **k > 0)
            .map(|(k, (one, many))| format!("{k} {}", if *k == 1 { one } else { many }))
            .collect();
        match parts.as_slice() {
            [] => format!("{} checks", self.checks.len()),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// The causes of `causes` in the order reports list them: MUST before SHOULD before MAY, then the cause that
/// explains most checks first (ties keep their order).
pub fn sort(causes: &mut [RootCause]) {
    causes.sort_by_key(|c| (c.level, std::cmp::Reverse(c.checks.len())));
}

/// The headline over all causes: `1 root cause explains 62 failures and 3 warnings: the server ignores filter`, or
/// `2 root causes explain 70 failures` when there are several (their summaries follow, one a line).
pub fn headline(causes: &[RootCause], checks: &[CheckResult]) -> Option<String> {
    match causes {
        [] => None,
        [one] => Some(format!("1 root cause explains {}: {}", one.tally(checks), one.summary)),
        many => {
            let all = RootCause {
                kind: CauseKind::Other,
                level: Level::Must,
                summary: String::new(),
                evidence: None,
                checks: many.iter().flat_map(|c| c.checks.iter().cloned()).collect(),
                representatives: Vec::new(),
            };
            Some(format!("{} root causes explain {}", many.len(), all.tally(checks)))
        }
    }
}

/// The cause that explains the check called `id`, if any.
pub fn cause_of<'a>(causes: &'a [RootCause], id: &str) -> Option<&'a RootCause> {
    causes.iter().find(|c| c.checks.iter().any(|x| x == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, verdict: Verdict) -> CheckResult {
        CheckResult::bare(id, Level::Must, verdict)
    }

    fn cause(level: Level, checks: &[&str]) -> RootCause {
        RootCause {
            kind: CauseKind::SameAnswer,
            level,
            summary: format!("{} cause", checks.len()),
            evidence: None,
            checks: checks.iter().map(|s| (*s).to_owned()).collect(),
            representatives: vec![],
        }
    }

    #[test]
    fn headline_counts_by_verdict() {
        let checks = vec![check("a", Verdict::Fail), check("b", Verdict::Fail), check("c", Verdict::Warn)];
        let one = [cause(Level::Must, &["a", "b", "c"])];
        assert_eq!(headline(&one, &checks).as_deref(), Some("1 root cause explains 2 failures and 1 warning: 3 cause"));
        let two = [cause(Level::Must, &["a", "b"]), cause(Level::Should, &["c"])];
        assert_eq!(headline(&two, &checks).as_deref(), Some("2 root causes explain 2 failures and 1 warning"));
        assert_eq!(headline(&[], &checks), None);
    }

    #[test]
    fn must_before_should_before_may_then_largest() {
        let mut causes = vec![
            cause(Level::May, &["a", "b", "c"]),
            cause(Level::Must, &["d", "e"]),
            cause(Level::Must, &["f", "g", "h"]),
        ];
        sort(&mut causes);
        let order: Vec<(Level, usize)> = causes.iter().map(|c| (c.level, c.checks.len())).collect();
        assert_eq!(order, [(Level::Must, 3), (Level::Must, 2), (Level::May, 3)]);
    }

    #[test]
    fn an_unknown_kind_reads_as_other() {
        let c: RootCause =
            serde_json::from_str(r#"{"kind":"cosmic-rays","level":"MUST","summary":"s","checks":["a"]}"#)
                .expect("reads");
        assert_eq!(c.kind, CauseKind::Other);
        assert_eq!(c.shown().collect::<Vec<_>>(), ["a"]);
    }
}
