//! The scenario format: every shipped scenario parses and is consistent, unknown keys are refused, and the
//! committed JSON Schema (`scenarios/schema.json`) matches the types.

use scimlab_mock_idp::scenario::{SHIPPED, Scenario, scenario_schema_text, shipped};
use std::path::Path;

#[test]
fn every_shipped_scenario_parses_and_names_itself() {
    assert_eq!(SHIPPED.len(), 7);
    for (name, text) in SHIPPED {
        let s = Scenario::from_yaml(text, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&s.name, name);
        assert!(!s.steps.is_empty());
    }
    assert!(shipped("HIRE").is_some());
    assert!(shipped("nope").is_none());
}

#[test]
fn unknown_keys_are_refused_with_their_place() {
    let text = "name: x\ndescription: y\nsteps:\n  - id: a\n    do:\n      hire:\n        as: u\n        user: {userName: a, givenName: A, familyName: B, shoeSize: 9}\n";
    let err = Scenario::from_yaml(text, "x.yaml").expect_err("unknown key").to_string();
    assert!(err.contains("shoeSize") && err.contains("x.yaml"), "{err}");
    let text = "name: x\ndescription: y\nsteps: []\ncolour: blue\n";
    assert!(Scenario::from_yaml(text, "x.yaml").is_err());
    let text = "name: x\ndescription: y\nsteps:\n  - id: a\n    do: {fire: {user: u}}\n";
    assert!(Scenario::from_yaml(text, "x.yaml").expect_err("unknown action").to_string().contains("fire"));
}

#[test]
fn captures_must_exist_before_use() {
    let text = "name: x\ndescription: y\nsteps:\n  - id: a\n    do: {deactivate: {user: ghost}}\n";
    let err = Scenario::from_yaml(text, "x.yaml").expect_err("ghost").to_string();
    assert!(err.contains("ghost") && err.contains("steps[0]"), "{err}");
    let text = "name: x\ndescription: y\nsteps:\n  - id: a\n    do: {test-connection: {}}\n  - id: a\n    do: {test-connection: {}}\n";
    assert!(Scenario::from_yaml(text, "x.yaml").expect_err("dup").to_string().contains("twice"));
}

#[test]
fn the_files_on_disk_are_the_shipped_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    for (name, text) in SHIPPED {
        let on_disk = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("scenario file");
        assert_eq!(&on_disk, text);
    }
}

#[test]
fn the_committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/schema.json");
    let fresh = scenario_schema_text();
    if std::env::var_os("SCIMLAB_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date; update it with\n  SCIMLAB_UPDATE_SCHEMA=1 cargo test -p scimlab-mock-idp the_committed_schema_is_up_to_date",
        path.display()
    );
    let v: serde_json::Value = serde_json::from_str(&committed).expect("json");
    assert_eq!(v["additionalProperties"], serde_json::json!(false), "unknown keys are refused at the top");
}
