//! Classification of `report diff` and `--baseline`.

use crate::fixture::{check, report_of};
use scimlab_reports::diff::{Change, diff, severity};
use scimlab_reports::model::{Level, Verdict};

const S: &str = "RFC 7644 3.3";

fn ids<'c>(list: impl IntoIterator<Item = &'c Change>) -> Vec<&'c str> {
    list.into_iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn every_verdict_pair_is_classified() {
    use Verdict::*;
    let all = [Pass, Fail, Warn, Skip, Error];
    let mut base = Vec::new();
    let mut new = Vec::new();
    for b in all {
        for n in all {
            let id = format!("x/{}-{}", b.as_str(), n.as_str());
            base.push(check(&id, S, Level::Must, b));
            new.push(check(&id, S, Level::Must, n));
        }
    }
    let d = diff(&report_of(base), &report_of(new));
    assert_eq!(
        ids(d.regressions()),
        [
            "x/pass-fail",
            "x/pass-warn",
            "x/pass-error",
            "x/warn-fail",
            "x/skip-fail",
            "x/skip-warn",
            "x/skip-error",
            "x/error-fail",
            "x/error-warn",
        ]
    );
    assert_eq!(ids(&d.fixes), ["x/fail-pass", "x/warn-pass", "x/error-pass"]);
    assert_eq!(
        ids(&d.changed),
        [
            "x/pass-skip",
            "x/fail-warn",
            "x/fail-skip",
            "x/fail-error",
            "x/warn-skip",
            "x/warn-error",
            "x/skip-pass",
            "x/error-skip"
        ]
    );
    assert_eq!(d.unchanged, 5, "a MUST failing in both runs is not a regression");
    assert!(d.regressions().iter().all(|c| severity(c.new) > severity(c.base)));
}

#[test]
fn added_and_removed_checks_are_listed_but_not_regressions() {
    let base = report_of(vec![check("a", S, Level::Must, Verdict::Pass), check("gone", S, Level::Must, Verdict::Pass)]);
    let new = report_of(vec![check("a", S, Level::Must, Verdict::Pass), check("fresh", S, Level::Must, Verdict::Fail)]);
    let d = diff(&base, &new);
    assert!(d.regressions().is_empty());
    assert_eq!(d.added.len(), 1);
    assert_eq!((d.added[0].id.as_str(), d.added[0].verdict), ("fresh", Verdict::Fail));
    assert_eq!(d.removed[0].id, "gone");
    assert!(!d.fails_run(true));
    assert!(!d.is_empty());
    assert_eq!(d.headline(), "0 regressions, 0 fixes, 0 changed, 1 new, 1 removed, 1 unchanged");
}

#[test]
fn baseline_failure_follows_strictness_for_warnings() {
    let base = report_of(vec![check("s", S, Level::Should, Verdict::Pass), check("m", S, Level::May, Verdict::Pass)]);
    let new = report_of(vec![check("s", S, Level::Should, Verdict::Warn), check("m", S, Level::May, Verdict::Warn)]);
    let d = diff(&base, &new);
    assert_eq!(d.regressions().len(), 2);
    assert!(!d.fails_run(false));
    assert!(d.fails_run(true));
    let only_may = diff(&report_of(vec![base.checks[1].clone()]), &report_of(vec![new.checks[1].clone()]));
    assert!(!only_may.fails_run(true), "a MAY missed never fails a run");
    let to_fail = diff(
        &report_of(vec![check("f", S, Level::Must, Verdict::Pass)]),
        &report_of(vec![check("f", S, Level::Must, Verdict::Fail)]),
    );
    assert!(to_fail.fails_run(false));
}

#[test]
fn the_text_names_each_change() {
    let mut failing = check("rfc7644/3.3/create", S, Level::Must, Verdict::Fail);
    failing.reason = Some("answered 200 instead of 201".into());
    let base = report_of(vec![
        check("rfc7644/3.3/create", S, Level::Must, Verdict::Pass),
        check("old", S, Level::May, Verdict::Skip),
    ]);
    let new = report_of(vec![failing, check("new", S, Level::Must, Verdict::Pass)]);
    insta::assert_snapshot!("diff_text", diff(&base, &new).render_text());
}
