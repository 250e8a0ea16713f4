//! RFC 7643 section 2 and RFC 7644 sections 3.3 / 3.5.1: value and resource validation.

use scimlab_protocol::schema::AttributeDef;
use scimlab_protocol::validate::check_value;
use scimlab_protocol::{ScimError, ScimType, SchemaRegistry};
use serde_json::json;

fn user_attr(path: &str) -> &'static AttributeDef {
    let (r, sub) = SchemaRegistry::core().user().resolve_dotted(path).expect("attribute resolves");
    sub.unwrap_or(r.attr)
}

fn err(r: Result<(), ScimError>) -> ScimError {
    r.expect_err("expected an error")
}

#[expect(dead_code)]
fn assert_err(r: Result<(), ScimError>, scim_type: ScimType, fragments: &[&str]) {
    let e = err(r);
    assert_eq!((e.status, e.scim_type), (400, Some(scim_type)), "{e}");
    for f in fragments {
        assert!(e.detail.contains(f), "detail {:?} should contain {f:?}", e.detail);
    }
}

#[test]
fn string_boolean_in_emails_names_path_expected_and_got() {
    let v = json!([{"value": "a@x.org", "primary": "True"}]);
    let e = err(check_value(user_attr("emails"), &v, "emails"));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert_eq!(e.detail, r#"emails[0].primary: expected a boolean, got the string "True""#);
}
