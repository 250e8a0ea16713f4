//! `scimlab load`: flag errors, and a short sharded run against `scimlab serve` whose reports merge.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use std::process::Child;

/// `scimlab serve` on a free loopback port (`--no-auth` unless told otherwise); kills it when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&["--no-auth"])
    }

    fn start_with(auth: &[&str]) -> Server {
        let (child, url) = crate::serve(auth.iter().chain(&["--workers", "1"]));
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn bad_flags_are_usage_errors_that_say_what_would_be_right() {
    scimlab()
        .args(["load", "--url", "http://127.0.0.1:9/scim/v2", "--scenario", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bulk-merge").and(predicate::str::contains("nope")));
    scimlab()
        .args(["load", "--url", "http://127.0.0.1:9/", "--scenario", "read", "--shard", "0/2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("numbered from 1"));
    scimlab()
        .args(["load", "--url", "ftp://127.0.0.1:9/", "--scenario", "read"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected http[s]://host"));
    scimlab()
        .args(["load", "--url", "http://127.0.0.1:9/", "--scenario", "read", "--as", "bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("entra"));
}

#[test]
fn a_short_sharded_load_runs_and_its_reports_merge() {
    let server = Server::start();
    let dir = temp_dir("load");
    for k in ["1", "2"] {
        scimlab()
            .args(["load", "--url", &server.url, "--scenario", "bulk-merge", "--users", "300", "--quiet"])
            .args(["--shard", &format!("{k}/2"), "--run-id", "clishard", "--concurrency", "2"])
            .arg("--report")
            .arg(format!("json={}", dir.join(format!("s{k}.json")).display()))
            .assert()
            .success()
            .stdout(predicate::str::contains("the server holds exactly what was sent"));
    }
    let merged = dir.join("merged.json");
    scimlab()
        .args(["report", "merge"])
        .arg(dir.join("s1.json"))
        .arg(dir.join("s2.json"))
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).expect("merged report")).expect("json");
    let load = &v["load"];
    assert_eq!(load["created"]["users"], 300);
    assert_eq!(load["operations"][0]["operation"], "bulk");
    assert_eq!(load["operations"][0]["responses"], 3);
    assert_eq!(load["shards"].as_array().map(Vec::len), Some(2));
    scimlab()
        .args(["report", "render"])
        .arg(&merged)
        .assert()
        .success()
        .stdout(predicate::str::contains("1:bulk-merge/bulk").and(predicate::str::contains("300/300 users")));
    scimlab()
        .args(["report", "render", "--format", "html"])
        .arg(&merged)
        .assert()
        .success()
        .stdout(predicate::str::contains("<svg").and(predicate::str::contains("Latency by percentile")));
    // The same shard twice would count it twice.
    scimlab()
        .args(["report", "merge"])
        .arg(dir.join("s1.json"))
        .arg(dir.join("s1.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("appears twice"));
    scimlab()
        .args(["load", "--url", &server.url, "--scenario", "read", "--users", "100", "--duration", "1s"])
        .args(["--quiet", "--rate", "50/s"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1:read/get"));
}

/// Regression (issue 13): `load --token` read SCIM_TOKEN through clap's `env`; it now resolves as `test` does: a
/// flag wins over an exported SCIM_TOKEN, the variable is the token when no flag gives one, and a credential load
/// cannot send (`--basic`) is a usage error that names the flag, not the value, even with SCIM_TOKEN exported.
#[test]
fn the_token_flag_wins_over_scim_token_and_basic_is_refused_clearly() {
    const RIGHT: &str = "load-right-token-3b7d";
    const WRONG: &str = "load-wrong-token-91ce";
    let server = Server::start_with(&["--token", RIGHT]);
    let run = |env_token: &str, flags: &[&str]| {
        let mut cmd = scimlab();
        cmd.env("SCIM_TOKEN", env_token)
            .args(["load", "--url", &server.url, "--scenario", "read", "--users", "20", "--max-requests", "20"])
            .args(["--quiet", "--concurrency", "2", "--no-verify"])
            .args(flags);
        cmd.assert()
    };
    for out in [run(WRONG, &["--token", RIGHT]), run(RIGHT, &[])] {
        let out = out.success();
        let o = out.get_output();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(!text.contains(RIGHT) && !text.contains(WRONG), "{text}");
    }
    let refused = run(RIGHT, &["--basic", "ops:basic-pw-5e2a"]).code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(err.contains("--basic") && err.contains("bearer token only"), "{err}");
    assert!(!err.contains("basic-pw-5e2a") && !err.contains(RIGHT), "{err}");
    // The wrong token, from the variable: the server refuses it, and the message does not print it.
    let wrong = run(WRONG, &[]).code(predicate::ne(0));
    let err = String::from_utf8_lossy(&wrong.get_output().stderr).into_owned();
    assert!(!err.contains(WRONG), "{err}");
}
