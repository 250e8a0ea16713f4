//! Streams (issue 13): results on stdout, progress and diagnostics on stderr; a reader that goes away ends a
//! listing quietly with status 0; at most one `--report FORMAT=-` owns standard output.

use crate::scimlab;
use predicates::prelude::*;
use std::process::{Command, Stdio};

/// Runs scimlab with `args` and its standard output a pipe whose reading end is already closed, so the first
/// write fails with EPIPE whatever the timing. Returns the exit code and stderr.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(assert_cmd::cargo::cargo_bin("scimlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run scimlab");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Regression: `scimlab checks list | head` exited 141 (and `recordings list | head` printed "Broken pipe").
#[test]
fn a_listing_whose_reader_went_away_exits_0_without_a_word() {
    for args in [
        &["checks", "list"][..],
        &["checks", "explain", "rfc7644/3.4.2.2/eq-exact-match"],
        &["replay", "--list"],
        &["serve", "--fault", "list"],
        &["filter", "parse", "userName eq \"x\""],
    ] {
        let (code, stderr) = with_closed_stdout(args);
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args:?}");
    }
}

/// `checks list | head -1`: the reader takes one line and closes the pipe while scimlab may still be writing.
#[test]
fn checks_list_into_a_reader_that_stops_after_one_line_is_quiet() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("scimlab"))
        .args(["checks", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scimlab");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
    let out = child.wait_with_output().expect("wait");
    assert!(first.contains("rfc"), "{first}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn test_results_go_to_stdout_and_progress_to_stderr() {
    let out = scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.3"])
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .get_output()
        .clone();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Summary: ") && stdout.contains("Result: passed"), "stdout:\n{stdout}");
    assert!(!stderr.contains("Result: "), "stderr:\n{stderr}");
    assert!(stderr.contains("seed "), "diagnostics stay on stderr:\n{stderr}");
}

#[test]
fn replay_results_go_to_stdout_and_its_steps_to_stderr() {
    let out = scimlab().args(["replay", "hire"]).env("NO_COLOR", "1").assert().success().get_output().clone();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Result: passed"), "stdout:\n{stdout}");
    assert!(stderr.contains("replay/hire/entra/") && !stderr.contains("Result: "), "stderr:\n{stderr}");
}

/// A report on `-` owns standard output: it holds the document alone, and the terminal output moves to stderr.
#[test]
fn a_report_on_stdout_is_the_only_thing_there() {
    let out = scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.3", "--report", "json=-"])
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report alone");
    assert_eq!(json["kind"], "conformance");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Result: passed"));
}

/// Regression: two `--report …=-` were written one after the other on stdout.
#[test]
fn two_reports_on_stdout_are_a_usage_error() {
    for cmd in [&["test"][..], &["replay", "hire"]] {
        scimlab().args(cmd).args(["--report", "json=-", "--report", "junit=-"]).assert().code(2).stdout("").stderr(
            predicate::str::contains("--report json=-, --report junit=-").and(predicate::str::contains("at most one")),
        );
    }
}
