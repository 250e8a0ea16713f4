//! The command line's surface (issue 13): completion scripts and man pages generated from the command tree,
//! examples at the end of every command's `--help`, and names validated against the libraries' own lists.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;

/// The subcommands `scimlab <path> --help` lists under "Commands:" (`help` aside).
fn subcommands(path: &[String]) -> Vec<String> {
    let out = scimlab().args(path).arg("--help").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    let Some(start) = text.find("\nCommands:\n") else { return Vec::new() };
    text[start + "\nCommands:\n".len()..]
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Walks the whole tree through `--help`: every command's help ends with an "Examples:" block of scimlab lines.
#[test]
fn every_commands_help_ends_with_examples() {
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        let out = scimlab().args(&path).arg("--help").assert().success().get_output().stdout.clone();
        let text = String::from_utf8(out).expect("utf-8");
        let examples = text.rfind("\nExamples:\n").unwrap_or_else(|| panic!("scimlab {path:?} --help has no examples"));
        let options = text.rfind("\nOptions:\n").unwrap_or(0);
        assert!(examples > options, "scimlab {path:?}: the examples are not at the end:\n{text}");
        let tail = &text[examples..];
        assert!(tail.lines().skip(2).all(|l| l.is_empty() || l.starts_with("  ")), "{path:?}:\n{tail}");
        assert!(tail.contains("\n  scimlab "), "{path:?}:\n{tail}");
        seen += 1;
        for sub in subcommands(&path) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    assert!(seen >= 26, "walked only {seen} commands");
}

#[test]
fn completion_scripts_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = scimlab().args(["completions", shell]).assert().success().get_output().stdout.clone();
        let script = String::from_utf8(out).expect("utf-8");
        for word in ["replay", "recordings", "completions", "profile", "entra-2020", "bulk-merge"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    scimlab().args(["completions", "tcsh"]).assert().code(2).stderr(predicate::str::contains("bash"));
}

#[test]
fn man_prints_the_main_page_and_writes_one_per_command() {
    let out = scimlab().arg("man").assert().success().get_output().stdout.clone();
    let page = String::from_utf8(out).expect("utf-8");
    assert!(page.contains(".TH scimlab 1") && page.contains("scimlab\\-test(1)"), "{page}");
    let dir = temp_dir("man-pages");
    scimlab().args(["man", "--dir"]).arg(&dir).assert().success();
    for name in ["scimlab.1", "scimlab-test.1", "scimlab-replay.1", "scimlab-report-render.1", "scimlab-man.1"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains(".SH") && text.contains("Examples:"), "{name}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Profiles, personas and report formats are refused by the parser with the libraries' own lists.
#[test]
fn unknown_names_are_refused_with_the_known_ones() {
    scimlab()
        .args(["test", "--profile", "azure"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rfc").and(predicate::str::contains("okta")));
    scimlab().args(["checks", "list", "--profile", "azure"]).assert().code(2).stderr(predicate::str::contains("entra"));
    scimlab().args(["replay", "hire", "--as", "azure"]).assert().code(2).stderr(predicate::str::contains("onelogin"));
    scimlab()
        .args(["test", "--report", "pdf=out.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"pdf\"").and(predicate::str::contains("junit")));
    scimlab().args(["checks", "list", "--profile", "OKTA"]).assert().success();
}
