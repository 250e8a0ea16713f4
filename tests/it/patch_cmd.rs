//! `scimlab patch apply`, strict and lenient.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use serde_json::{Value, json};

fn write(dir: &std::path::Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).expect("write fixture");
    p.display().to_string()
}

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "u1",
        "userName": "bjensen",
        "active": true,
        "emails": [{"value": "b@example.com", "type": "work", "primary": true}]
    })
}

fn entra_disable() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
    })
}

#[test]
fn strict_apply_refuses_entra_capitalised_ops() {
    let dir = temp_dir("patch-strict");
    let out = scimlab()
        .args(["patch", "apply", "--resource", &write(&dir, "u.json", &user())])
        .args(["--request", &write(&dir, "p.json", &entra_disable())])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let err: Value = serde_json::from_slice(&out).expect("stdout is the SCIM Error JSON");
    assert_eq!(err["status"], "400");
    assert_eq!(err["scimType"], "invalidSyntax");
}

#[test]
fn lenient_apply_accepts_entra_disable_and_reports_leniencies() {
    let dir = temp_dir("patch-lenient");
    let out = scimlab()
        .args(["patch", "apply", "--lenient", "--resource", &write(&dir, "u.json", &user())])
        .args(["--request", &write(&dir, "p.json", &entra_disable())])
        .assert()
        .success()
        .stderr(predicate::str::contains("leniency used"))
        .get_output()
        .stdout
        .clone();
    let result: Value = serde_json::from_slice(&out).expect("stdout is the resource");
    assert_eq!(result["active"], json!(false));
    assert_eq!(result["userName"], "bjensen");
}

#[test]
fn apply_adds_an_email_by_value_path() {
    let dir = temp_dir("patch-add");
    let req = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "emails", "value": [{"value": "h@example.org", "type": "home"}]}]
    });
    let out = scimlab()
        .args(["patch", "apply", "--resource", &write(&dir, "u.json", &user())])
        .args(["--request", &write(&dir, "p.json", &req)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let result: Value = serde_json::from_slice(&out).expect("stdout is the resource");
    assert_eq!(result["emails"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_resource_that_is_not_json_is_a_usage_error() {
    let dir = temp_dir("patch-bad");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{not json").expect("write");
    scimlab()
        .args(["patch", "apply", "--resource", &bad.display().to_string()])
        .args(["--request", &write(&dir, "p.json", &entra_disable())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid JSON"));
}

#[test]
fn a_group_is_patched_as_a_group_without_being_told() {
    let dir = temp_dir("patch-group");
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g1",
        "displayName": "Engineering",
        "members": [{"value": "u1"}]
    });
    let add = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": "u2"}]}]
    });
    let out = scimlab()
        .args(["patch", "apply", "--resource", &write(&dir, "g.json", &group)])
        .args(["--request", &write(&dir, "p.json", &add)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let got: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(got["members"].as_array().map(Vec::len), Some(2), "{got}");
    // The explicit flag still wins: as a User, members is not an attribute.
    scimlab()
        .args(["patch", "apply", "--resource", &write(&dir, "g.json", &group), "--resource-type", "User"])
        .args(["--request", &write(&dir, "p.json", &add)])
        .assert()
        .code(1);
}

#[test]
fn a_resource_that_names_no_type_asks_for_the_flag() {
    let dir = temp_dir("patch-untyped");
    scimlab()
        .args(["patch", "apply", "--resource", &write(&dir, "x.json", &json!({"id": "x"}))])
        .args(["--request", &write(&dir, "p.json", &entra_disable())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--resource-type"));
}
