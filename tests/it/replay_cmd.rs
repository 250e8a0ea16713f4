//! `scimlab replay`: listing, the embedded mock SP, reports, usage errors, and a replay failing where Entra would
//! against `scimlab serve` with a deviation.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;

#[test]
fn list_shows_scenarios_and_personas() {
    let out = scimlab().args(["replay", "--list"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    for name in ["hire", "promotion", "role-change", "offboarding", "rehire", "group-push", "bulk-merge"] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
    // Every persona of the catalog (mock-idp's own tests pin the names).
    let personas = scimlab_mock_idp::Persona::all().iter().map(|p| p.name);
    for name in personas {
        assert!(text.contains(&format!("  {name} ")), "{name} missing from\n{text}");
    }
}

#[test]
fn hire_as_okta_against_the_embedded_sp_writes_a_replay_report() {
    let dir = temp_dir("replay-report");
    let path = dir.join("replay.json");
    scimlab()
        .args(["replay", "hire", "offboarding", "--as", "okta", "--report"])
        .arg(format!("json={}", path.display()))
        .assert()
        .success()
        .stderr(predicate::str::contains("replay/hire/okta/hire-employee"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json");
    assert_eq!(report["kind"], "replay");
    assert_eq!(report["profiles"], serde_json::json!(["okta"]));
    let checks = report["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 11);
    assert_eq!(checks[0]["id"], "replay/hire/okta/test-connection");
    assert_eq!(checks[0]["section"], "replay hire");
    assert_eq!(checks[0]["level"], "MUST");
    let skipped: Vec<&str> =
        checks.iter().filter(|c| c["verdict"] == "skip").filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(skipped, ["replay/offboarding/okta/delete"]);
    let delete = checks.iter().find(|c| c["verdict"] == "skip").expect("skip");
    assert!(delete["reason"].as_str().is_some_and(|r| r.contains("Okta never sends DELETE")), "{delete}");
    let text = std::fs::read_to_string(&path).expect("report");
    assert!(!text.contains("Bearer ey") && text.contains("[redacted]"), "the credential must not be saved");
}

#[test]
fn usage_errors_exit_2() {
    scimlab().args(["replay"]).assert().code(2).stderr(predicate::str::contains("--list"));
    scimlab().args(["replay", "hire", "--as", "azure"]).assert().code(2).stderr(predicate::str::contains("entra-2020"));
    scimlab().args(["replay", "no-such-scenario"]).assert().code(2).stderr(predicate::str::contains("group-push"));
    scimlab()
        .args(["replay", "hire", "--as", "entra", "--url", "http://127.0.0.1:9/scim/v2", "--basic", "a:b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot authenticate with HTTP Basic"));
    let dir = temp_dir("replay-bad-yaml");
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "name: x\ndescription: y\nsteps: []\nextra: 1\n").expect("write");
    scimlab().arg("replay").arg(&file).assert().code(2).stderr(predicate::str::contains("extra"));
}

#[test]
fn an_unreachable_server_exits_3() {
    scimlab()
        .args(["replay", "hire", "--url", "http://127.0.0.1:9/scim/v2", "--token", "t"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("unreachable"));
}

/// `scimlab serve` on a free port with `args`; the child and its base URL.
fn serve(args: &[&str]) -> (std::process::Child, String) {
    crate::serve(["--token", "replay-cmd-token"].iter().chain(args))
}

#[test]
fn entra_fails_at_deactivate_when_string_booleans_are_refused() {
    let (mut child, url) = serve(&["--fault", "string-booleans-refused"]);
    let assert = scimlab()
        .args(["replay", "offboarding", "--as", "entra", "--url", &url])
        .env("SCIM_TOKEN", "replay-cmd-token")
        .assert();
    let _ = child.kill();
    let _ = child.wait();
    let out = assert.code(1).get_output().clone();
    // Verdicts go to stdout and progress to stderr; the token must be in neither.
    let err = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(err.contains("FAIL") && err.contains("replay/offboarding/entra/deactivate"), "{err}");
    assert!(err.contains("Entra will mark this user as failed"), "{err}");
    assert!(!err.contains("replay-cmd-token"), "the token must never be printed");
}

/// The personas whose wire requests differ from the others' in ways a real server sees (Okta's `Accept-Encoding:
/// gzip,deflate`; Google's `application/json` bodies; JumpCloud's test user and group; Ping's paged group listing
/// and `/Users/0` check) replay every shipped scenario against `scimlab serve` without a failure. Okta's answers
/// come back gzip-compressed, as serve compresses what Okta's `Accept-Encoding` allows.
#[test]
fn every_shipped_scenario_passes_against_scimlab_serve_as_the_newer_personas() {
    let (mut child, url) = serve(&[]);
    let dir = temp_dir("replay-newer-personas");
    let scenarios = ["hire", "promotion", "role-change", "offboarding", "rehire", "group-push", "bulk-merge"];
    let mut failures = Vec::new();
    for persona in ["okta", "okta-aiw", "google", "jumpcloud", "ping", "ping-delete", "ping-emu"] {
        let report = dir.join(format!("{persona}.json"));
        let out = scimlab()
            .arg("replay")
            .args(scenarios)
            .args(["--as", persona, "--users", "40", "--url", &url, "--report"])
            .arg(format!("json={}", report.display()))
            .env("SCIM_TOKEN", "replay-cmd-token")
            .output()
            .expect("scimlab runs");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default()).unwrap_or_default();
        let gzipped =
            json["checks"].as_array().into_iter().flatten().flat_map(|c| c["evidence"].as_array()).flatten().any(|e| {
                e["response"]["headers"].as_array().into_iter().flatten().any(|h| {
                    h[0].as_str().is_some_and(|k| k.eq_ignore_ascii_case("content-encoding")) && h[1] == "gzip"
                })
            });
        if persona.starts_with("okta") && !gzipped {
            failures.push(format!("{persona}: no answer came back gzip-compressed"));
        }
        if !out.status.success() {
            failures.push(format!(
                "{persona}: exit {:?}\n{}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
