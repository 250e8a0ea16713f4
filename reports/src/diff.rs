//! Comparing two runs: `scimlab report diff BASE NEW` and `scimlab test --baseline BASE`.
//!
//! Checks are matched by id. Each verdict has a severity: pass and skip 0 (nothing wrong was shown), error 1 (the
//! harness could not judge), warn 2 (a SHOULD or MAY missed), fail 3 (a MUST missed). A check present in both runs
//! is a **regression** when its severity rose (pass -> fail / warn / error, skip -> fail, warn -> fail, error ->
//! fail...), a **fix** when it failed, warned or errored before and passes now, and otherwise **changed** when its
//! verdict differs in another way (fail -> skip, pass -> skip, fail -> error...), or unchanged.
//!
//! Decisions where the brief left a choice:
//! - A check failing in both runs is not a regression: that is what a baseline accepts.
//! - A check in the base that is missing from the new run is **removed**, not a regression. Which checks run
//!   depends on the selection (`--only`, `--skip`, profiles) and on scimlab's version, never on the server (a
//!   server that stops supporting something gets a skip with a reason, not a missing check).
//! - A check missing from the base is **new**, not a regression, whatever its verdict: a new scimlab that brings
//!   new checks must not break a pipeline whose server did not change. It is listed with its verdict, so the
//!   baseline can be refreshed.

use crate::model::{CheckResult, Level, RunReport, Verdict};
use crate::sinks::common::{one_line, visible};
use crate::sinks::label;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// How bad a verdict is, for comparing runs (see the module documentation).
pub fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Pass | Verdict::Skip => 0,
        Verdict::Error => 1,
        Verdict::Warn => 2,
        Verdict::Fail => 3,
    }
}

/// A check whose verdict differs between the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The check's id.
    pub id: String,
    /// Its level in the new run.
    pub level: Level,
    /// Its section in the new run.
    pub section: String,
    /// The verdict in the base run.
    pub base: Verdict,
    /// The verdict in the new run.
    pub new: Verdict,
    /// The new run's reason, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for Change {
    /// `PASS -> FAIL  rfc7644/3.3/create-returns-201 (MUST, RFC 7644 3.3)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let arrow = format!("{} -> {}", label(self.base), label(self.new));
        write!(f, "{arrow:<14} {} ({}, {})", visible(&self.id), self.level.as_str(), visible(&self.section))
    }
}

/// A check present in only one of the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// The check's id.
    pub id: String,
    /// Its level.
    pub level: Level,
    /// Its verdict in the run that has it.
    pub verdict: Verdict,
}

/// What changed from a base run to a new one. Lists follow the new run's order (the base's for removed checks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportDiff {
    /// Checks whose severity rose.
    pub regressions: Vec<Change>,
    /// Checks that failed, warned or errored before and pass now.
    pub fixes: Vec<Change>,
    /// Checks whose verdict changed without being a regression or a fix.
    pub changed: Vec<Change>,
    /// Checks only in the new run.
    pub added: Vec<Presence>,
    /// Checks only in the base run.
    pub removed: Vec<Presence>,
    /// Checks with the same verdict in both.
    pub unchanged: usize,
}

fn change(base: &CheckResult, new: &CheckResult) -> Change {
    Change {
        id: new.id.clone(),
        level: new.level,
        section: new.section.clone(),
        base: base.verdict,
        new: new.verdict,
        reason: new.reason.clone(),
    }
}

/// Compares `new` with `base` (see the module documentation for the classification).
pub fn diff(base: &RunReport, new: &RunReport) -> ReportDiff {
    let base_by_id: HashMap<&str, &CheckResult> = base.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let new_ids: HashMap<&str, ()> = new.checks.iter().map(|c| (c.id.as_str(), ())).collect();
    let mut d = ReportDiff::default();
    for n in &new.checks {
        let Some(b) = base_by_id.get(n.id.as_str()) else {
            d.added.push(Presence { id: n.id.clone(), level: n.level, verdict: n.verdict });
            continue;
        };
        if b.verdict == n.verdict {
            d.unchanged += 1;
        } else if severity(n.verdict) > severity(b.verdict) {
            d.regressions.push(change(b, n));
        } else if n.verdict == Verdict::Pass && severity(b.verdict) > 0 {
            d.fixes.push(change(b, n));
        } else {
            d.changed.push(change(b, n));
        }
    }
    for b in &base.checks {
        if !new_ids.contains_key(b.id.as_str()) {
            d.removed.push(Presence { id: b.id.clone(), level: b.level, verdict: b.verdict });
        }
    }
    d
}

impl ReportDiff {
    /// The regressions: the checks that make `report diff` exit 1 and a `--baseline` run fail.
    pub fn regressions(&self) -> Vec<&Change> {
        self.regressions.iter().collect()
    }

    /// Whether a `--baseline` run with these differences fails: a regression to fail or to error does; a
    /// regression to warn does only when `strict` and the check is a SHOULD, as in [`RunReport::failed`]. (`report
    /// diff` is stricter: it exits 1 on any regression.)
    pub fn fails_run(&self, strict: bool) -> bool {
        self.regressions.iter().any(|c| match c.new {
            Verdict::Fail | Verdict::Error => true,
            Verdict::Warn => strict && c.level == Level::Should,
            Verdict::Pass | Verdict::Skip => false,
        })
    }

    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.regressions.is_empty()
            && self.fixes.is_empty()
            && self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
    }

    /// A one-line account: `2 regressions, 1 fix, 0 changed, 3 new, 1 removed, 120 unchanged`.
    pub fn headline(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {}, {} changed, {} new, {} removed, {} unchanged",
            plural(self.regressions.len(), "regression", "regressions"),
            plural(self.fixes.len(), "fix", "fixes"),
            self.changed.len(),
            self.added.len(),
            self.removed.len(),
            self.unchanged
        )
    }

    /// The differences as text for a terminal: the headline, then each list with `base -> new` verdicts.
    pub fn render_text(&self) -> String {
        let mut out = format!("{}\n", self.headline());
        let changes = [("Regressions", &self.regressions), ("Fixes", &self.fixes), ("Changed", &self.changed)];
        for (title, list) in changes {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for c in list {
                let _ = writeln!(out, "  {c}");
                if let Some(r) = c.reason.as_deref().filter(|_| severity(c.new) > 0) {
                    let _ = writeln!(out, "  {:<14} {}", "", visible(&one_line(r, 160)));
                }
            }
        }
        for (title, list) in [("New checks", &self.added), ("Removed checks", &self.removed)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for p in list {
                let _ = writeln!(out, "  {:<14} {} ({})", label(p.verdict), visible(&p.id), p.level.as_str());
            }
        }
        out
    }
}
