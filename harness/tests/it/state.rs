//! The stateful differential check (`differential/state/matches-model`) within its default budget: it agrees
//! with the mock SP for every seed tried, and finds each lifecycle deviation for every one of ten seeds, shrunk
//! to a short sequence with a runnable script. Run with `--nocapture` to see the mean lengths before and after
//! shrinking.

use crate::{run_seeded, start_sp};
use scimlab_harness::checks::registry;
use scimlab_reports::model::Verdict;

const CHECK: &str = "differential/state/matches-model";
const SEEDS: std::ops::Range<u64> = 0..10;
const DEVIATIONS: &[&str] = &[
    "rehire-blocked",
    "version-frozen",
    "patch-drops-extension",
    "filter-sees-old-value",
    "sort-within-page",
    "create-race",
    "patch-lost-update",
];

/// `(drawn, shrunk)` lengths from the check's message: `sequence 3 of 16: 11 ops; shrunk to 3 in ...`.
fn lengths(actual: &str) -> Option<(usize, usize)> {
    let (before, after) = actual.split_once(" ops; shrunk to ")?;
    let drawn: usize = before.rsplit(' ').next()?.parse().ok()?;
    let shrunk: usize = after.split(' ').next()?.parse().ok()?;
    Some((drawn, shrunk))
}

/// Whether `sh -n` (parse, run nothing) accepts `script`.
fn parses_as_shell(script: &str) -> bool {
    use std::io::Write;
    let child = std::process::Command::new("sh")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn();
    let mut child = child.expect("sh runs");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(script.as_bytes());
    }
    child.wait().is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agrees_with_the_mock_sp_for_every_seed() {
    let check = registry().into_iter().find(|c| c.id == CHECK).expect("the check is registered");
    let (base, _) = start_sp(&[]).await;
    for seed in SEEDS {
        let report = run_seeded(&base, &[&check], seed).await;
        let c = &report.checks[0];
        assert_eq!(c.verdict, Verdict::Pass, "seed {seed}: {:?} {:?}", c.expected, c.actual);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_each_lifecycle_deviation_for_ten_seeds_of_ten() {
    let check = registry().into_iter().find(|c| c.id == CHECK).expect("the check is registered");
    let mut missed = Vec::new();
    for deviation in DEVIATIONS {
        let (base, _) = start_sp(&[deviation]).await;
        let (mut drawn, mut shrunk) = (0, 0);
        for seed in SEEDS {
            let report = run_seeded(&base, &[&check], seed).await;
            let c = &report.checks[0];
            let actual = c.actual.clone().unwrap_or_default();
            if c.verdict != Verdict::Fail {
                missed.push(format!(
                    "{deviation} seed {seed}: {:?} {}",
                    c.verdict,
                    c.reason.clone().unwrap_or_default()
                ));
                continue;
            }
            assert!(actual.contains("#!/bin/sh") && actual.contains("curl"), "a script reproduces it: {actual}");
            let script = actual.split_once("#!/bin/sh").map(|(_, s)| format!("#!/bin/sh{s}")).unwrap_or_default();
            assert!(parses_as_shell(&script), "the script is valid sh:\n{script}");
            let (d, s) = lengths(&actual).unwrap_or_else(|| panic!("lengths in {actual}"));
            let steps = actual.split_once("requests): ").map_or("", |(_, r)| r).split("; reproduce").next();
            eprintln!("{deviation} seed {seed}: {d} -> {s}: {}", steps.unwrap_or_default());
            assert!(s <= d, "shrinking never grows a sequence: {actual}");
            (drawn, shrunk) = (drawn + d, shrunk + s);
        }
        let n = SEEDS.count().saturating_sub(missed.iter().filter(|m| m.starts_with(deviation)).count()).max(1) as f64;
        eprintln!("{deviation}: mean length {:.1} drawn, {:.1} shrunk", drawn as f64 / n, shrunk as f64 / n);
    }
    assert!(missed.is_empty(), "seeds that did not find their deviation:\n{}", missed.join("\n"));
}
