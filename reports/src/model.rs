//! The RunReport: what one scimlab run found, as written to `--report json=FILE` and read back by
//! `scimlab report render | diff | merge` and `--baseline`.
//!
//! The format carries a version ([`REPORT_VERSION`]); a reader refuses a newer major version rather than
//! misreading it. Field names are camelCase and stable. `schema/run-report.schema.json` in this crate is generated
//! from these types and checked in CI.

pub use crate::causes::{CauseKind, RootCause};
use schemars::JsonSchema;
use scimlab_protocol::exchange::Exchange;
use serde::{Deserialize, Serialize};

/// The report format version. Bump on any incompatible change. Adding an optional member is compatible (readers
/// of this format ignore members they do not know, and read an absent one as empty), so `rootCauses` kept 1.
pub const REPORT_VERSION: u32 = 1;

/// Which scimlab job produced the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// `scimlab test`: conformance checks against a service provider.
    Conformance,
    /// `scimlab replay`: IdP lifecycle scenarios.
    Replay,
    /// `scimlab load`: throughput and latency.
    Load,
    /// `scimlab recordings verify`: the passive client checks over what the mock SP recorded.
    Recordings,
}

/// RFC 2119 requirement level of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// An absolute requirement: a miss fails the run.
    Must,
    /// A recommendation: a miss is a warning (a failure with `--strict`).
    Should,
    /// An option: a miss is informational.
    May,
}

impl Level {
    /// `MUST`, `SHOULD` or `MAY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// The verdict on one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The requirement holds.
    Pass,
    /// A MUST requirement was missed.
    Fail,
    /// A SHOULD or MAY requirement was missed.
    Warn,
    /// Not run, with the reason (capability declared unsupported, prerequisite failed, not selected by profile).
    Skip,
    /// The harness itself failed; never blamed on the server.
    Error,
}

impl Verdict {
    /// The verdict's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Skip => "skip",
            Verdict::Error => "error",
        }
    }
}

/// What was tested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Base URL of the service provider (never with credentials).
    pub url: String,
    /// Whether this was the embedded mock SP (`scimlab test` with no `--url`).
    pub embedded: bool,
}

/// The result of one check (or one replay step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// Stable id, e.g. `rfc7644/3.4.2.2/filter-co-substring`.
    pub id: String,
    /// Requirement level.
    pub level: Level,
    /// RFC section, e.g. `RFC 7644 3.4.2.2`, or a profile name.
    pub section: String,
    /// Tags from the fixed list.
    pub tags: Vec<String>,
    /// Profiles the check belongs to (`rfc`, `entra`, `okta`).
    pub profiles: Vec<String>,
    /// The requirement in one line.
    pub requirement: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why: the skip reason, the error, or a one-line summary of the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the requirement expected to see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the server did instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// A command that reproduces the failure (curl, with `$SCIM_TOKEN` in place of the credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducer: Option<String>,
    /// The exchanges that prove the verdict, redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<crate::schema::ExchangeDoc>")]
    pub evidence: Vec<Exchange>,
    /// Wall time of the check, in milliseconds.
    pub duration_ms: f64,
    /// What the check cost the server: requests and critical-path round trips (absent when not measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

/// What a check cost: the HTTP requests it sent (retries included) and the round trips on its critical path, the
/// longest chain of its requests each sent after the one before was answered. Against a server `L` away the
/// check takes at least `roundTrips * L`, however many requests run side by side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// HTTP requests sent.
    pub requests: usize,
    /// Round trips on the critical path.
    pub round_trips: usize,
}

/// Counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Checks run or skipped.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// Failed (MUST missed).
    pub fail: usize,
    /// Warned (SHOULD / MAY missed).
    pub warn: usize,
    /// Skipped.
    pub skip: usize,
    /// Harness errors.
    pub error: usize,
    /// Of the failed and warned checks, those a known deviation of the config file expected (counted in `fail`
    /// and `warn` as well; they do not fail the run).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expected: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// Counts the verdicts of `checks`.
    pub fn of(checks: &[CheckResult]) -> Summary {
        let mut s = Summary { total: checks.len(), ..Summary::default() };
        for c in checks {
            match c.verdict {
                Verdict::Pass => s.pass += 1,
                Verdict::Fail => s.fail += 1,
                Verdict::Warn => s.warn += 1,
                Verdict::Skip => s.skip += 1,
                Verdict::Error => s.error += 1,
            }
        }
        s
    }
}

/// How much of a run judged the server: the MUST checks of the selection (all its checks when it holds no MUST
/// check), how many reached a verdict, how many were skipped and why. Computed from the checks, never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// `MUST`, or empty when the selection holds no MUST check and every check counts.
    pub level: &'static str,
    /// Checks counted.
    pub selected: usize,
    /// Of those, how many passed or missed (pass, fail, warn).
    pub judged: usize,
    /// Of those, how many were skipped.
    pub skipped: usize,
    /// Skip reasons with their counts, most frequent first (ties in first-seen order).
    pub reasons: Vec<(String, usize)>,
}

impl Coverage {
    /// The coverage of `checks`: their MUST checks, or all of them when none is a MUST.
    pub(crate) fn of(checks: &[&CheckResult]) -> Coverage {
        let has_must = checks.iter().any(|c| c.level == Level::Must);
        let mut cov = Coverage {
            level: if has_must { "MUST" } else { "" },
            selected: 0,
            judged: 0,
            skipped: 0,
            reasons: Vec::new(),
        };
        for c in checks.iter().filter(|c| !has_must || c.level == Level::Must) {
            cov.count(c);
        }
        cov.finish();
        cov
    }

    /// Counts one check of the selection.
    fn count(&mut self, c: &CheckResult) {
        self.selected += 1;
        match c.verdict {
            Verdict::Pass | Verdict::Fail | Verdict::Warn => self.judged += 1,
            Verdict::Error => {}
            Verdict::Skip => {
                self.skipped += 1;
                let reason = c.reason.as_deref().unwrap_or("no reason given");
                match self.reasons.iter_mut().find(|(r, _)| r == reason) {
                    Some((_, n)) => *n += 1,
                    None => self.reasons.push((reason.to_owned(), 1)),
                }
            }
        }
    }

    /// Orders the reasons, most frequent first.
    fn finish(&mut self) {
        self.reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    }

    /// The rule of "no false greens": a run exercised the server unless it has checks and either none of them
    /// reached a verdict or more than half of them were skipped.
    pub fn exercised(&self) -> bool {
        self.selected == 0 || (self.judged > 0 && self.skipped * 2 <= self.selected)
    }
}

impl std::fmt::Display for Coverage {
    /// `171 of 183 MUST checks skipped: the server announces filter.supported false (171)`, with the most
    /// frequent reasons.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = if self.level.is_empty() { String::new() } else { format!("{} ", self.level) };
        write!(f, "{} of {} {level}checks skipped", self.skipped, self.selected)?;
        if self.judged == 0 && self.skipped < self.selected {
            write!(f, " and none of the others reached a verdict")?;
        }
        // Three reasons, or four when the fourth is the last: "1 for 1 other reason" says nothing.
        let shown = if self.reasons.len() <= 4 { self.reasons.len() } else { 3 };
        let mut sep = ": ";
        for (reason, n) in &self.reasons[..shown] {
            write!(f, "{sep}{reason} ({n})")?;
            sep = ", ";
        }
        let rest: usize = self.reasons[shown..].iter().map(|(_, n)| n).sum();
        if rest > 0 {
            write!(f, "{sep}{rest} for {} other reasons", self.reasons.len() - shown)?;
        }
        Ok(())
    }
}

impl CheckResult {
    /// A result with only its id, level and verdict: no section, tags, profiles, texts or evidence (fill in what
    /// applies with struct update syntax).
    pub fn bare(id: impl Into<String>, level: Level, verdict: Verdict) -> CheckResult {
        CheckResult {
            id: id.into(),
            level,
            section: String::new(),
            tags: Vec::new(),
            profiles: Vec::new(),
            requirement: String::new(),
            verdict,
            reason: None,
            expected: None,
            actual: None,
            reproducer: None,
            evidence: Vec::new(),
            duration_ms: 0.0,
            cost: None,
        }
    }

    /// The ERROR result ([`INTERRUPTED_ID`]) that marks a run the user stopped: `finished` of `selected` `units`
    /// (checks, steps) ran, and what cleanup did.
    pub fn interrupted(finished: usize, selected: usize, units: &str, cleanup: &str) -> CheckResult {
        CheckResult {
            section: "run".to_owned(),
            requirement: "the run completes".to_owned(),
            reason: Some(format!(
                "interrupted (Ctrl-C) after {finished} of {selected} {units} finished; the rest did not run; {cleanup}"
            )),
            ..CheckResult::bare(INTERRUPTED_ID, Level::Must, Verdict::Error)
        }
    }
}

impl CheckResult {
    /// Whether the evidence carries usable numbers: every id non-zero and strictly increasing (the mock SP's
    /// recordings keep their store's sequence numbers; the harness and replay leave every exchange at 0).
    pub fn evidence_numbered(&self) -> bool {
        self.evidence.first().is_none_or(|x| x.id != 0) && self.evidence.windows(2).all(|w| w[0].id < w[1].id)
    }

    /// Numbers the evidence 1..n in order, unless it already carries usable numbers ([`Self::evidence_numbered`]),
    /// so every exchange of a check can be named (`#3`) in every sink.
    pub fn number_evidence(&mut self) {
        if !self.evidence_numbered() {
            for (i, x) in self.evidence.iter_mut().enumerate() {
                x.id = i as u64 + 1;
            }
        }
    }
}

/// How a run ends: the word of every sink's `Result:` line and what `scimlab test` exits by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunResult {
    /// Every selected requirement that ran held, and enough of them ran.
    Passed,
    /// A MUST requirement was missed (with `strict`, a SHOULD too); `barely` when the run also judged too little.
    Failed {
        /// Whether SHOULD misses counted.
        strict: bool,
        /// The coverage, when the run barely exercised the server.
        barely: Option<Coverage>,
    },
    /// Nothing failed, but the run judged too little of the server to pass it.
    NotExercised(Coverage),
    /// Nothing failed, but the harness could not judge `errors` checks.
    Incomplete {
        /// Checks in error.
        errors: usize,
    },
    /// The user stopped the run (Ctrl-C); the report holds what finished.
    Interrupted(String),
    /// Nothing failed but known problems: with `--baseline`, `known` ones the baseline had too, and
    /// `expected` ones that the config file's known deviations name.
    NoRegression {
        /// Problems that are not regressions (`--baseline`).
        known: usize,
        /// Expected failures (known deviations).
        expected: usize,
    },
}

/// The id of the ERROR result that marks a run the user interrupted (its reason says how far it got).
pub const INTERRUPTED_ID: &str = "run/interrupted";

impl RunResult {
    /// `passed` (also with only known failures), `FAILED`, `NOT EXERCISED`, `INCOMPLETE` or `INTERRUPTED`.
    pub fn word(&self) -> &'static str {
        match self {
            RunResult::Passed | RunResult::NoRegression { .. } => "passed",
            RunResult::Failed { .. } => "FAILED",
            RunResult::NotExercised(_) => "NOT EXERCISED",
            RunResult::Incomplete { .. } => "INCOMPLETE",
            RunResult::Interrupted(_) => "INTERRUPTED",
        }
    }

    /// Why, in words (none for a pass).
    pub fn why(&self) -> Option<String> {
        match self {
            RunResult::Passed => None,
            RunResult::Failed { strict, barely } => {
                let missed = if *strict {
                    "a MUST or SHOULD requirement was missed (--strict)"
                } else {
                    "a MUST requirement was missed"
                };
                Some(match barely {
                    Some(c) => format!("{missed}; the run also barely exercised the server: {c}"),
                    None => missed.to_owned(),
                })
            }
            RunResult::NotExercised(c) => Some(c.to_string()),
            RunResult::Incomplete { errors } => {
                Some(format!("the harness could not judge {errors} check{}", if *errors == 1 { "" } else { "s" }))
            }
            RunResult::Interrupted(why) => Some(why.clone()),
            RunResult::NoRegression { known, expected } => {
                let s = |n: usize| if n == 1 { "" } else { "s" };
                let mut parts = Vec::new();
                if *known > 0 {
                    parts.push(format!(
                        "no regression against the baseline; {known} known problem{} (the baseline had them, or \
                         did not check them)",
                        s(*known)
                    ));
                }
                if *expected > 0 {
                    parts.push(format!(
                        "{expected} expected failure{} (known deviations in the config file)",
                        s(*expected)
                    ));
                }
                Some(parts.join("; "))
            }
        }
    }
}

impl std::fmt::Display for RunResult {
    /// `FAILED (a MUST requirement was missed)`, `NOT EXERCISED (126 of 183 MUST checks skipped: ...)`, `passed`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.why() {
            Some(why) => write!(f, "{} ({why})", self.word()),
            None => write!(f, "{}", self.word()),
        }
    }
}

/// One run of scimlab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Format version, [`REPORT_VERSION`].
    pub version: u32,
    /// Which job ran.
    pub kind: RunKind,
    /// scimlab's version.
    pub tool_version: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: f64,
    /// What was tested.
    pub target: Target,
    /// Profiles selected (`rfc`, `entra`, `okta`).
    pub profiles: Vec<String>,
    /// Whether SHOULD misses failed the run (`--strict`).
    pub strict: bool,
    /// The seed of the run's random choices (`--seed` reproduces it).
    pub seed: u64,
    /// Verdict counts.
    pub summary: Summary,
    /// Every check, in registry order.
    pub checks: Vec<CheckResult>,
    /// Failures that share a cause, grouped: MUST before SHOULD before MAY, then the largest group first. Empty
    /// when no cause explains more than one failure, and in reports written before root causes existed (format
    /// version 1 without this member reads as empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub root_causes: Vec<RootCause>,
    /// Load-test results (`scimlab load`): per operation counts, latencies and histograms, what the run created,
    /// the read-back and the cleanup. The verdicts on them are the load checks in `checks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<crate::load::LoadSection>,
}

impl RunReport {
    /// Whether the run failed: a MUST missed, or with `strict` a SHOULD missed too. Skips never fail a run, and
    /// neither do known failures (a [`CauseKind::KnownFailures`] cause: with `--baseline`, what the baseline
    /// had too).
    pub fn failed(&self) -> bool {
        let known = self.known_failures();
        self.checks.iter().filter(|c| !known.contains(&c.id.as_str())).any(|c| {
            c.verdict == Verdict::Fail || (self.strict && c.verdict == Verdict::Warn && c.level == Level::Should)
        })
    }

    /// The ids of the checks a [`CauseKind::KnownFailures`] cause (`--baseline`) or a
    /// [`CauseKind::ExpectedFailures`] cause (known deviations) explains.
    pub fn known_failures(&self) -> Vec<&str> {
        self.root_causes
            .iter()
            .filter(|k| k.kind.is_known())
            .flat_map(|k| k.checks.iter().map(String::as_str))
            .collect()
    }

    /// How many checks a cause of `kind` explains.
    fn explained_by(&self, kind: CauseKind) -> usize {
        self.root_causes.iter().filter(|k| k.kind == kind).map(|k| k.checks.len()).sum()
    }

    /// What share of the selection judged the server ([`Coverage::exercised`] is the rule `scimlab test` exits by).
    pub fn coverage(&self) -> Coverage {
        Coverage::of(&self.checks.iter().collect::<Vec<_>>())
    }

    /// How the run ends, as every sink's `Result:` line says it and `scimlab test` exits by: FAILED when a
    /// requirement was missed (exit 1), NOT EXERCISED when a conformance run judged too little of the server
    /// ([`Coverage::exercised`], exit 3), INCOMPLETE when the harness could not judge some checks (exit 3),
    /// passed otherwise.
    pub fn result(&self) -> RunResult {
        if let Some(c) = self.checks.iter().find(|c| c.id == INTERRUPTED_ID) {
            return RunResult::Interrupted(c.reason.clone().unwrap_or_else(|| "interrupted".to_owned()));
        }
        let coverage = (self.kind == RunKind::Conformance).then(|| self.coverage()).filter(|c| !c.exercised());
        if self.failed() {
            return RunResult::Failed { strict: self.strict, barely: coverage };
        }
        if let Some(c) = coverage {
            return RunResult::NotExercised(c);
        }
        let known = self.known_failures();
        let errors =
            self.checks.iter().filter(|c| c.verdict == Verdict::Error && !known.contains(&c.id.as_str())).count();
        if errors > 0 {
            RunResult::Incomplete { errors }
        } else if known.is_empty() {
            RunResult::Passed
        } else {
            RunResult::NoRegression {
                known: self.explained_by(CauseKind::KnownFailures),
                expected: self.explained_by(CauseKind::ExpectedFailures),
            }
        }
    }

    /// Numbers every check's evidence ([`CheckResult::number_evidence`]).
    pub fn number_evidence(&mut self) {
        self.checks.iter_mut().for_each(CheckResult::number_evidence);
    }

    /// Whether every check's evidence is numbered ([`CheckResult::evidence_numbered`]).
    pub fn evidence_numbered(&self) -> bool {
        self.checks.iter().all(CheckResult::evidence_numbered)
    }

    /// Reads a report, refusing a newer format version.
    pub fn from_json(text: &str) -> Result<RunReport, ReportError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ReportError::Parse(e.to_string()))?;
        let version = v.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if version > u64::from(REPORT_VERSION) {
            return Err(ReportError::Version { found: version, supported: REPORT_VERSION });
        }
        let load_format = v.get("load").and_then(|l| l.get("format")).and_then(serde_json::Value::as_u64);
        if let Some(found) = load_format.filter(|f| *f > u64::from(crate::load::LOAD_FORMAT)) {
            return Err(ReportError::Parse(format!(
                "its load results have format {found}, newer than this scimlab understands ({})",
                crate::load::LOAD_FORMAT
            )));
        }
        let mut report: RunReport = serde_json::from_value(v).map_err(|e| ReportError::Parse(e.to_string()))?;
        report.number_evidence();
        Ok(report)
    }
}

/// Why a report could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not a RunReport.
    #[error("not a scimlab run report: {0}")]
    Parse(String),
    /// Written by a newer scimlab.
    #[error("report format version {found} is newer than this scimlab understands ({supported})")]
    Version {
        /// Found in the file.
        found: u64,
        /// Understood here.
        supported: u32,
    },
    /// Writing failed.
    #[error("cannot write the report to {path}: {reason}")]
    Write {
        /// Destination.
        path: String,
        /// What failed.
        reason: String,
    },
    /// A `--report FORMAT=PATH` argument that cannot be used.
    #[error("invalid report spec {spec:?}: {reason}")]
    Spec {
        /// The argument as given.
        spec: String,
        /// What is wrong with it and what would be right.
        reason: String,
    },
    /// A report format name that is not known.
    #[error("unknown report format {format:?}; known formats are {known}")]
    Format {
        /// The name as given.
        format: String,
        /// The formats that are known, for the message.
        known: &'static str,
    },
    /// The HTML template could not be read or rendered.
    #[error("cannot use the HTML template {path}: {reason}")]
    Template {
        /// The template's path, or `built-in`.
        path: String,
        /// What failed.
        reason: String,
    },
    /// Reports that cannot be merged into one.
    #[error("cannot merge the reports: {0}")]
    Merge(String),
}
