//! `scimlab serve`: the options that end before a socket is opened (`--fault list`, a bad `--fault`).

use crate::scimlab;
use predicates::prelude::*;

#[test]
fn fault_list_prints_every_fault_with_a_description() {
    let out = scimlab().args(["serve", "--fault", "list"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    for line in ["latency=DURATION", "429=P%[:retry-after=S]", "5xx=P%", "drop=P%"] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    for name in ["patch-noop", "filter-ignored", "wrong-content-type", "no-etag", "auth-ignored", "401-no-body"] {
        let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or_else(|| {
            panic!("{name} missing from:\n{text}");
        });
        assert!(line.len() > name.len() + 10, "{name} has no description: {line:?}");
    }
}

#[test]
fn a_bad_fault_is_a_usage_error_naming_it_and_the_valid_ones() {
    scimlab().args(["serve", "--no-auth", "--fault", "bogus"]).assert().code(2).stdout("").stderr(
        predicate::str::contains("\"bogus\"")
            .and(predicate::str::contains("patch-noop"))
            .and(predicate::str::contains("latency=DURATION"))
            .and(predicate::str::contains("drop=P%")),
    );
    scimlab()
        .args(["serve", "--no-auth", "--fault", "429=60%", "--fault", "drop=50%"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over 100%"));
}
