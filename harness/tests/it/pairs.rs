//! Every check passes against the mock SP and fails against the mock SP with each deviation it exists to catch.

use crate::{run_checks, start_sp};
use scimlab_harness::check::Check;
use scimlab_harness::checks::registry;
use scimlab_reports::model::Verdict;
use std::collections::BTreeMap;

/// The checks to pair: all, or those whose id starts with `SCIMLAB_PAIRS_ONLY` (a comma-separated list of
/// prefixes) while working on one area.
fn chosen() -> Vec<Check> {
    let only = std::env::var("SCIMLAB_PAIRS_ONLY").unwrap_or_default();
    let prefixes: Vec<&str> = only.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    registry().into_iter().filter(|c| prefixes.is_empty() || prefixes.iter().any(|p| c.id.starts_with(p))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_passes_against_the_mock_sp() {
    let all = chosen();
    let refs: Vec<&Check> = all.iter().collect();
    let (base, _) = start_sp(&[]).await;
    let report = run_checks(&base, &refs).await;
    let bad: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| {
            format!(
                "{} {:?}: {} | expected {} | actual {}",
                c.id,
                c.verdict,
                c.reason.clone().unwrap_or_default(),
                c.expected.clone().unwrap_or_default(),
                c.actual.clone().unwrap_or_default()
            )
        })
        .collect();
    assert!(bad.is_empty(), "checks that do not pass against the mock SP:\n{}", bad.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_fails_under_the_deviation_it_catches() {
    let all = chosen();
    let mut by_deviation: BTreeMap<&str, Vec<&Check>> = BTreeMap::new();
    for c in &all {
        for d in c.catches {
            by_deviation.entry(d).or_default().push(c);
        }
    }
    let mut survivors = Vec::new();
    for (deviation, checks) in by_deviation {
        let (base, _) = start_sp(&[deviation]).await;
        let report = run_checks(&base, &checks).await;
        for c in &report.checks {
            if !matches!(c.verdict, Verdict::Fail | Verdict::Warn) {
                survivors.push(format!(
                    "{} under {deviation}: {:?} {}",
                    c.id,
                    c.verdict,
                    c.reason.clone().unwrap_or_default()
                ));
            }
        }
    }
    assert!(survivors.is_empty(), "checks that did not fail under their deviation:\n{}", survivors.join("\n"));
}
