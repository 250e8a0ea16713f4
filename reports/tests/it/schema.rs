//! The committed JSON Schema matches the model. Set `SCIMLAB_UPDATE_SCHEMA=1` to rewrite it.

use std::path::Path;

#[test]
fn the_committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/run-report.schema.json");
    let fresh = scimlab_reports::schema::run_report_schema_text();
    if std::env::var_os("SCIMLAB_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date with the RunReport model; update it with\n  SCIMLAB_UPDATE_SCHEMA=1 cargo test -p scimlab-reports the_committed_schema_is_up_to_date\nand commit the result",
        path.display()
    );
}

#[test]
fn the_fixture_fits_the_schema_shape() {
    // Without a validator at hand, check the parts a consumer relies on: every top-level member the fixture
    // writes is described, and the required members are the ones the model cannot do without.
    let schema = scimlab_reports::run_report_schema();
    let report = serde_json::to_value(crate::fixture::report()).expect("serialises");
    let props = schema["properties"].as_object().expect("properties");
    for key in report.as_object().expect("object").keys() {
        assert!(props.contains_key(key), "{key} is not in the schema");
    }
    let required: Vec<&str> =
        schema["required"].as_array().expect("required").iter().filter_map(|v| v.as_str()).collect();
    for key in ["version", "kind", "checks", "summary", "target"] {
        assert!(required.contains(&key), "{key} should be required");
    }
    let check_props = schema["$defs"]["CheckResult"]["properties"].as_object().expect("CheckResult");
    for key in report["checks"][2].as_object().expect("check").keys() {
        assert!(check_props.contains_key(key), "check member {key} is not in the schema");
    }
    let exchange_props = schema["$defs"]["ExchangeDoc"]["properties"].as_object().expect("ExchangeDoc");
    for key in report["checks"][2]["evidence"][0].as_object().expect("exchange").keys() {
        assert!(exchange_props.contains_key(key), "exchange member {key} is not in the schema");
    }
}
