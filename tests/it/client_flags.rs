//! `--evidence-bytes` and `--retry-budget`: the client's bounds, as flags of `test` and `replay`.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;

#[test]
fn evidence_bodies_are_cut_to_the_asked_size() {
    let dir = temp_dir("evidence-bytes");
    let path = dir.join("r.json");
    scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.4.2", "--evidence-bytes", "1024", "--report"])
        .arg(format!("json={}", path.display()))
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("JSON");
    let bodies: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .flat_map(|c| c["evidence"].as_array().cloned().unwrap_or_default())
        .filter_map(|x| x["response"]["body"].as_str().map(str::to_owned))
        .collect();
    assert!(!bodies.is_empty(), "the run kept evidence");
    let note = "\n... [scimlab kept the first 1024 of ";
    assert!(bodies.iter().any(|b| b.contains(note)), "some list answer is longer than 1 KiB and was cut");
    for b in &bodies {
        let kept = b.find(note).unwrap_or(b.len());
        assert!(kept <= 1024, "a body kept {kept} bytes");
    }
}

#[test]
fn client_bounds_out_of_range_are_usage_errors_naming_the_flag() {
    scimlab()
        .args(["test", "--evidence-bytes", "100"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--evidence-bytes"));
    scimlab()
        .args(["replay", "hire", "--retry-budget", "5000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--retry-budget"));
}

#[test]
fn a_rate_limit_spaces_the_runs_requests() {
    let dir = temp_dir("rate");
    let path = dir.join("r.json");
    scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.3", "--rate", "40/s", "--report"])
        .arg(format!("json={}", path.display()))
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("JSON");
    let sent: usize =
        report["checks"].as_array().expect("checks").iter().map(|c| c["evidence"].as_array().map_or(0, Vec::len)).sum();
    // At 40 a second, n requests span at least (n - 1) / 40 s: a bound a busy machine can only widen.
    let floor_ms = (sent.saturating_sub(1) as f64) * 1000.0 / 40.0;
    let took = report["durationMs"].as_f64().expect("durationMs");
    assert!(sent >= 10 && took >= floor_ms, "{sent} requests in {took} ms");
    scimlab().args(["test", "--rate", "fast"]).assert().code(2).stderr(predicate::str::contains("--rate"));
}
