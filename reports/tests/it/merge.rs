//! `report merge`: checks concatenated, summaries summed, `load` left to the load engine's function.

use crate::fixture::{self, check, report_of};
use scimlab_reports::model::{Level, ReportError, Summary, Verdict};
use scimlab_reports::{merge, merge_with};

#[test]
fn checks_are_concatenated_and_summaries_summed() {
    let a = fixture::report();
    let mut b = report_of(vec![check("x/extra", "RFC 7644 3.3", Level::Must, Verdict::Pass)]);
    b.duration_ms = 2_000.0;
    b.profiles = vec!["okta".into(), "rfc".into()];
    let m = merge(&[a.clone(), b.clone()]).expect("merges");
    assert_eq!(m.checks.len(), 6);
    assert_eq!(m.checks[5].id, "x/extra");
    assert_eq!(m.summary, Summary { total: 6, pass: 2, fail: 1, warn: 1, skip: 1, error: 1, expected: 0 });
    assert_eq!(m.summary, Summary::of(&m.checks));
    assert_eq!(m.duration_ms, 2_000.0, "shards run side by side");
    assert_eq!(m.profiles, ["rfc", "entra", "okta"]);
    assert_eq!(m.started_at, a.started_at);
}

#[test]
fn mismatched_reports_are_refused() {
    let a = fixture::report();
    let mut other = fixture::report();
    other.target.url = "http://elsewhere/scim".into();
    let err = merge(&[a.clone(), other]).expect_err("different targets");
    assert!(err.to_string().contains("elsewhere"), "{err}");
    assert!(matches!(merge(&[]), Err(ReportError::Merge(_))));
}

#[test]
fn load_is_left_to_the_load_engine() {
    let mut a = fixture::report();
    let mut b = fixture::report();
    a.load = Some(fixture::load_section(10));
    assert_eq!(merge(&[a.clone(), b.clone()]).expect("one load").load, a.load);
    b.load = Some(fixture::load_section(5));
    let err = merge(&[a.clone(), b.clone()]).expect_err("two loads need the load engine");
    assert!(err.to_string().contains("load"), "{err}");
    let summed = merge_with(&[a, b], |loads| {
        let mut merged = loads[0].clone();
        merged.operations[0].requests = loads.iter().map(|l| l.operations[0].requests).sum();
        Ok(Some(merged))
    })
    .expect("merges with the engine's function");
    assert_eq!(summed.load.map(|l| l.operations[0].requests), Some(15));
}
