//! The verdicts of a load run: the checks of its thresholds ([`crate::thresholds`]) and of what it set out to do
//! (`load/bulk-merge/created`, `load/bulk-merge/read-back`, `load/cleanup`), which [`crate::run_report`] puts in
//! the run's report, so every sink and the exit status read the same verdicts; and [`rejudge`], which judges a
//! merged report again on the merged numbers.

use crate::report::LoadSection;
use crate::thresholds::{RUN_SECTION, THRESHOLD_ID, Threshold};
use scimlab_reports::model::{CheckResult, Level, RunReport, Verdict};

/// The checks of what the run set out to do: every user and group of a bulk-merge created, the read-back
/// matching what was sent, cleanup deleting everything (a SHOULD: leftovers do not fail the run).
pub fn run_checks(s: &LoadSection) -> Vec<CheckResult> {
    let mut checks = Vec::new();
    let check = |id: &str, level: Level, ok: bool, requirement: &str| CheckResult {
        section: RUN_SECTION.to_owned(),
        tags: vec!["load".to_owned()],
        requirement: requirement.to_owned(),
        ..CheckResult::bare(
            id,
            level,
            match (ok, level) {
                (true, _) => Verdict::Pass,
                (false, Level::Must) => Verdict::Fail,
                (false, _) => Verdict::Warn,
            },
        )
    };
    if let Some(c) = &s.created {
        let ok = c.users == c.expected_users && c.groups == c.expected_groups;
        let mut r = check("load/bulk-merge/created", Level::Must, ok, "the bulk-merge creates every user and group");
        r.expected = Some(format!("{} users, {} groups", c.expected_users, c.expected_groups));
        r.actual = Some(format!(
            "{} of {} users, {} of {} groups created",
            c.users, c.expected_users, c.groups, c.expected_groups
        ));
        if !ok {
            r.reason = Some(format!(
                "{} users and {} groups were not created",
                c.expected_users.saturating_sub(c.users),
                c.expected_groups.saturating_sub(c.groups)
            ));
        }
        checks.push(r);
    }
    if let Some(v) = &s.verify {
        let ok = v.ok();
        let mut r =
            check("load/bulk-merge/read-back", Level::Must, ok, "the server holds exactly what the bulk-merge sent");
        r.expected = Some(format!("{} groups with all {} memberships", v.groups_checked, v.memberships_expected));
        let users = match (v.users_expected, v.users_found) {
            (Some(e), Some(f)) => format!("; {f} of {e} users found by the run's prefix"),
            _ => String::new(),
        };
        r.actual = Some(format!(
            "{} of {} groups wrong; {} of {} memberships found{users}",
            v.groups_wrong, v.groups_checked, v.memberships_found, v.memberships_expected
        ));
        if !ok {
            r.reason =
                Some(if v.problems.is_empty() { "the read-back differs".to_owned() } else { v.problems.join("; ") });
        }
        checks.push(r);
    }
    if let Some(c) = &s.cleanup {
        let ok = c.failed == 0 && c.left == 0;
        let mut r = check("load/cleanup", Level::Should, ok, "cleanup deletes everything the run created");
        r.expected = Some("every resource the run created deleted".to_owned());
        r.actual =
            Some(format!("{} deleted, {} already gone, {} failed, {} left", c.deleted, c.not_found, c.failed, c.left));
        if !ok {
            r.reason = Some(format!(
                "{} deletes failed and {} resources were left; their names start with {}",
                c.failed, c.left, s.run_id
            ));
        }
        checks.push(r);
    }
    checks
}

/// Every check of a load run: the thresholds' (the defaults when `thresholds` is empty), then the run's.
pub fn checks(thresholds: &[Threshold], s: &LoadSection) -> Vec<CheckResult> {
    let defaults;
    let thresholds = if thresholds.is_empty() {
        defaults = crate::thresholds::defaults();
        &defaults
    } else {
        thresholds
    };
    let mut out: Vec<CheckResult> = thresholds.iter().map(|t| t.check(s)).collect();
    out.extend(run_checks(s));
    out
}

/// Judges a load report again from its (merged) load section: the thresholds its checks name (the defaults
/// when it names none) over the section as it now is. `scimlab report merge` calls it, so a merged report's
/// verdicts are those of the whole run, not a pile of the shards'.
pub fn rejudge(report: &mut RunReport) -> Result<(), String> {
    let Some(section) = report.load.clone() else { return Ok(()) };
    let mut thresholds: Vec<Threshold> = Vec::new();
    for c in &report.checks {
        if let Some(t) = c.id.strip_prefix(THRESHOLD_ID) {
            let t: Threshold = t.parse()?;
            if !thresholds.contains(&t) {
                thresholds.push(t);
            }
        }
    }
    report.checks = checks(&thresholds, &section);
    report.summary = scimlab_reports::Summary::of(&report.checks);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thresholds::parse_all;
    use crate::thresholds::tests::{report_of, section};

    /// Regression: `scimlab load` exited 1 with hundreds of 5xx while the HTML said "passed" in green, the
    /// Markdown "passed, 0 checks" and the JUnit `tests="0"`. The default thresholds fail such a run, and every
    /// sink says so.
    #[test]
    fn hundreds_of_5xx_fail_the_default_thresholds_in_every_sink() {
        let s = section(600, 400);
        let report = report_of(checks(&[], &s), &s);
        assert!(report.failed());
        assert_eq!(report.result().word(), "FAILED");
        let c = &report.checks[0];
        assert_eq!((c.id.as_str(), c.verdict), ("load/threshold/errors<1%", Verdict::Fail));
        assert_eq!(c.actual.as_deref(), Some("40.00% (400 of 1000)"));
        let junit = scimlab_reports::render(&report, "junit").expect("junit");
        assert!(junit.contains("tests=\"1\"") && junit.contains("failures=\"1\""), "{junit}");
        assert!(junit.contains("<testcase name=\"load/threshold/errors&lt;1%\""), "{junit}");
        let md = scimlab_reports::render(&report, "md").expect("markdown");
        assert!(md.contains("## scimlab load: FAILED") && md.contains("errors&lt;1%"), "{md}");
        assert!(md.contains("| FAIL | `load/threshold/errors<1%` | errors&lt;1% | 40.00% (400 of 1000) |"), "{md}");
        let html = scimlab_reports::render(&report, "html").expect("html");
        assert!(html.contains("load report: <span class=\"result-FAILED\">FAILED</span>"));
        let verdicts = html.find("<h2 id=\"verdicts\">").expect("a verdicts table");
        assert!(verdicts < html.find("<h2 id=\"summary\">").expect("summary"), "the verdicts come first");
        assert!(html.contains("<tr class=\"worst-fail\"><td class=\"v v-fail\">FAIL</td>"), "{html}");
        let text = crate::table::render_verdicts(&report);
        assert!(text.contains("FAIL  load/threshold/errors<1%: 40.00% (400 of 1000)"), "{text}");
        assert!(text.ends_with("Result: FAILED (a MUST requirement was missed)\n"), "{text}");
        let table = crate::table::render_table(&s);
        assert!(table.contains("errors by scimType: 400 without a scimType"), "{table}");
    }

    #[test]
    fn a_bulk_merge_that_created_less_than_it_sent_fails_and_leftovers_warn() {
        let mut s = section(30, 0);
        s.created =
            Some(crate::report::CreatedDoc { expected_users: 3000, users: 2900, expected_groups: 30, groups: 30 });
        s.cleanup = Some(crate::report::CleanupDoc { deleted: 2929, failed: 1, ..Default::default() });
        let c = run_checks(&s);
        assert_eq!(c[0].id, "load/bulk-merge/created");
        assert_eq!(c[0].verdict, Verdict::Fail);
        assert_eq!(c[0].actual.as_deref(), Some("2900 of 3000 users, 30 of 30 groups created"));
        assert_eq!((c[1].id.as_str(), c[1].verdict), ("load/cleanup", Verdict::Warn));
    }

    /// A merged report is judged on the merged numbers, by the thresholds its shards were judged by.
    #[test]
    fn rejudging_keeps_the_thresholds_and_reads_the_section() {
        let s = section(1000, 0);
        let t: Vec<Threshold> = parse_all(&["p99<50ms", "errors<1%"]).expect("thresholds");
        let mut report = report_of(checks(&t, &section(10, 10)), &s);
        assert!(report.failed());
        rejudge(&mut report).expect("rejudged");
        let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["load/threshold/p99<50ms", "load/threshold/errors<1%"]);
        assert_eq!(report.checks[1].verdict, Verdict::Pass);
        assert_eq!(report.summary.total, 2);
    }
}
