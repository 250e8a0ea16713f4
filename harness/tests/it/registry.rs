//! The registry's rules: unique ids, ids inside their file's section, well-formed sections, a pass / fail pair
//! for every MUST, and the size of the suite.

use scimlab_harness::check::Level;
use scimlab_harness::checks::{registry, sections};
use std::collections::HashSet;

#[test]
fn ids_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for c in registry() {
        assert!(seen.insert(c.id), "duplicate check id {}", c.id);
        let parts: Vec<&str> = c.id.split('/').collect();
        assert_eq!(parts.len(), 3, "{}: ids are section-kind/section/name", c.id);
        assert!(
            ["rfc7643", "rfc7644", "profile", "differential", "concurrency", "lifecycle"].contains(&parts[0]),
            "{}: unknown id root {}",
            c.id,
            parts[0]
        );
        assert!(
            parts[2].chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{}: the name part is lowercase-kebab",
            c.id
        );
        assert!(!c.requirement.is_empty() && !c.sends.is_empty(), "{}: requirement and sends are written", c.id);
        assert!(!c.tags.is_empty() && !c.profiles.is_empty(), "{}: has tags and profiles", c.id);
    }
}

#[test]
fn ids_sit_in_their_files_section() {
    for (section, checks) in sections() {
        for c in checks {
            assert!(
                c.id.starts_with(&format!("{section}/")) || c.id.starts_with(&format!("{section}.")),
                "{} is declared in the file of section {section}",
                c.id
            );
        }
    }
}

#[test]
fn every_must_has_a_pass_fail_pair() {
    let missing: Vec<&str> =
        registry().iter().filter(|c| c.level == Level::Must && c.catches.is_empty()).map(|c| c.id).collect();
    assert!(missing.is_empty(), "MUST checks without a deviation that makes them fail: {missing:?}");
}

#[test]
fn every_named_deviation_exists_in_the_mock_sp() {
    for c in registry() {
        for name in c.catches {
            assert!(
                scimlab_mock_sp::faults::Deviation::from_name(name).is_some(),
                "{} names an unknown deviation {name:?}; add it to mock-sp/src/faults.rs",
                c.id
            );
        }
    }
}

/// The runner starts the long chains first (`runner::admission_order`), which it finds by id: a new check with a
/// long critical path that the rule misses would run last and be the run's tail. Against the mock SP, every check
/// of ten round trips or more is one the rule names, and the rule names no check of three or fewer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_long_chains_are_the_ones_the_runner_starts_first() {
    let all = registry();
    let checks: Vec<_> = all.iter().collect();
    let (base, _) = crate::start_sp(&[]).await;
    let report = crate::run_checks(&base, &checks).await;
    let mut long = 0;
    for (check, result) in checks.iter().zip(&report.checks) {
        assert_eq!(check.id, result.id);
        let trips = result.cost.as_ref().map_or(0, |c| c.round_trips);
        let named = scimlab_harness::runner::long_chain(check);
        assert!(named || trips < 10, "{}: {trips} round trips, not started first", check.id);
        assert!(!named || trips > 3, "{}: {trips} round trips, started first", check.id);
        long += usize::from(named);
    }
    let order = scimlab_harness::runner::admission_order(&checks);
    assert!(order[..long].iter().all(|&i| scimlab_harness::runner::long_chain(checks[i])));
    assert!(order[long..].windows(2).all(|w| w[0] < w[1]), "the rest keep their order");
}
