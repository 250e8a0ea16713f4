//! `scimlab filter parse` and `scimlab filter eval`.

use crate::scimlab;
use predicates::prelude::*;

#[test]
fn parse_prints_the_canonical_form() {
    scimlab()
        .args(["filter", "parse", r#"userName EQ "bjensen" AND (title PR OR NOT (userType eq "Intern"))"#])
        .assert()
        .success()
        .stdout(r#"userName eq "bjensen" and (title pr or not (userType eq "Intern"))"#.to_owned() + "\n");
}

#[test]
fn parse_of_a_malformed_filter_points_at_the_error() {
    scimlab()
        .args(["filter", "parse", r#"userName eq bjensen"#])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("offset 12").and(predicate::str::contains("^")));
}

#[test]
fn eval_prints_matching_ids_in_input_order() {
    scimlab()
        .args([
            "filter",
            "eval",
            r#"emails[type eq "work" and value co "@example.com"] or userType eq "Intern""#,
            "--resources",
            "examples/users.json",
        ])
        .assert()
        .success()
        .stdout("2819c223-7f76-453a-919d-413861904646\nc3a1e7b0-0c1f-4b8a-9a57-5f2b6f9f0a11\n");
}

#[test]
fn eval_compares_datetimes_as_instants() {
    // 2011-05-13T06:42:34+02:00 is the same instant as 2011-05-13T04:42:34Z.
    scimlab()
        .args([
            "filter",
            "eval",
            r#"meta.lastModified eq "2011-05-13T04:42:34Z""#,
            "--resources",
            "examples/users.json",
        ])
        .assert()
        .success()
        .stdout("2819c223-7f76-453a-919d-413861904646\n26118915-6090-4610-87e4-49d8ca9f808d\n");
}

#[test]
fn eval_of_an_invalid_filter_exits_1() {
    scimlab()
        .args(["filter", "eval", r#"active gt true"#, "--resources", "examples/users.json"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("active"));
}

#[test]
fn eval_with_a_missing_file_is_a_usage_error() {
    scimlab()
        .args(["filter", "eval", r#"title pr"#, "--resources", "no/such/file.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.json"));
}
