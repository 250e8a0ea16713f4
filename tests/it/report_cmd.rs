//! `scimlab report render`, `diff` and `merge`: formats, exit statuses, and errors that name the file.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn check(id: &str, verdict: &str) -> Value {
    json!({
        "id": id, "level": "MUST", "section": "RFC 7644 3.3", "tags": ["create"], "profiles": ["rfc"],
        "requirement": format!("requirement of {id}"), "verdict": verdict, "durationMs": 1.0
    })
}

fn report(checks: &[(&str, &str)]) -> Value {
    let checks: Vec<Value> = checks.iter().map(|(id, v)| check(id, v)).collect();
    let count = |v: &str| checks.iter().filter(|c| c["verdict"] == v).count();
    json!({
        "version": 1, "kind": "conformance", "toolVersion": "0.1.0", "startedAt": "2024-05-01T12:00:00Z",
        "durationMs": 10.0, "target": {"url": "http://127.0.0.1:8080/scim/v2", "embedded": false},
        "profiles": ["rfc"], "strict": false, "seed": 1,
        "summary": {"total": checks.len(), "pass": count("pass"), "fail": count("fail"), "warn": count("warn"),
            "skip": count("skip"), "error": count("error")},
        "checks": checks
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).expect("json")).expect("write report");
    path
}

#[test]
fn render_writes_each_format() {
    let dir = temp_dir("report-render");
    let run = write(&dir, "run.json", &report(&[("a/ok", "pass"), ("a/bad", "fail")]));
    scimlab()
        .args(["report", "render"])
        .arg(&run)
        .args(["--format", "text"])
        .assert()
        .success()
        .stdout(predicate::str::contains("FAIL a/bad").and(predicate::str::contains("Result: FAILED")));
    let html = dir.join("out/page.html");
    scimlab().args(["report", "render"]).arg(&run).args(["--format", "html", "--output"]).arg(&html).assert().success();
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("a&#x2f;bad"));
    for (format, needle) in
        [("junit", "<testsuite name=\"RFC 7644 3.3\""), ("md", "| FAIL | 1 |"), ("json", "\"version\": 1")]
    {
        scimlab()
            .args(["report", "render"])
            .arg(&run)
            .args(["--format", format])
            .assert()
            .success()
            .stdout(predicate::str::contains(needle));
    }
}

#[test]
fn render_errors_name_the_file() {
    let dir = temp_dir("report-render-errors");
    scimlab()
        .args(["report", "render", "no/such/run.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/run.json"));
    let mut newer = report(&[]);
    newer["version"] = json!(99);
    let newer = write(&dir, "newer.json", &newer);
    scimlab()
        .args(["report", "render"])
        .arg(&newer)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("newer.json").and(predicate::str::contains("version 99 is newer")));
    scimlab()
        .args(["report", "render"])
        .arg(&newer)
        .args(["--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pdf"));
}

#[test]
fn diff_exits_1_only_on_regressions() {
    let dir = temp_dir("report-diff");
    let base = write(&dir, "base.json", &report(&[("a/create", "pass"), ("a/known", "fail")]));
    let same = write(&dir, "same.json", &report(&[("a/create", "pass"), ("a/known", "fail"), ("a/new", "fail")]));
    let worse = write(&dir, "worse.json", &report(&[("a/create", "fail"), ("a/known", "fail")]));
    scimlab()
        .args(["report", "diff"])
        .arg(&base)
        .arg(&same)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("0 regressions").and(predicate::str::contains("New checks:")));
    scimlab()
        .args(["report", "diff"])
        .arg(&base)
        .arg(&worse)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PASS -> FAIL").and(predicate::str::contains("a/create")));
    scimlab()
        .args(["report", "diff"])
        .arg(&base)
        .arg(dir.join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
}

#[test]
fn merge_joins_shards() {
    let dir = temp_dir("report-merge");
    let a = write(&dir, "a.json", &report(&[("a/one", "pass")]));
    let b = write(&dir, "b.json", &report(&[("a/two", "fail")]));
    let out = dir.join("merged/all.json");
    scimlab().args(["report", "merge"]).arg(&a).arg(&b).arg("--output").arg(&out).assert().success();
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    assert_eq!(merged["checks"].as_array().map(Vec::len), Some(2));
    assert_eq!(merged["summary"]["total"], 2);
    let mut elsewhere = report(&[]);
    elsewhere["target"]["url"] = json!("http://elsewhere/scim");
    let c = write(&dir, "c.json", &elsewhere);
    scimlab()
        .args(["report", "merge"])
        .arg(&a)
        .arg(&c)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("elsewhere").and(predicate::str::contains("c.json")));
}

/// An output that cannot be written is exit 3 naming it and the OS error (it was exit 2, and `diff` on a full
/// standard output panicked).
#[test]
fn an_output_that_cannot_be_written_is_exit_3() {
    let dir = temp_dir("report-unwritable");
    let run = write(&dir, "run.json", &report(&[("a/one", "pass")]));
    let blocker = dir.join("plain-file");
    std::fs::write(&blocker, "x").expect("a plain file");
    scimlab()
        .args(["report", "render"])
        .arg(&run)
        .arg("--output")
        .arg(blocker.join("sub/out.txt"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("plain-file/sub").and(predicate::str::contains("Not a directory")));
    use std::os::unix::fs::FileTypeExt;
    if !std::fs::metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device()) {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("scimlab");
    for args in [vec!["report", "render"], vec!["report", "diff", run.to_str().unwrap_or_default()]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
        let out = std::process::Command::new(&bin).args(&args).arg(&run).stdout(full).output().expect("run scimlab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("standard output") && stderr.contains("No space left"), "{args:?}: {stderr}");
    }
}
