//! RFC 7643 section 2 and RFC 7644 sections 3.3 / 3.5.1: value and resource validation, one test per rule, each
//! asserting the status, the scimType and what the detail names.

use scimlab_protocol::schema::{AttrType, AttributeDef, ENTERPRISE_USER_URN, GROUP_URN, USER_URN};
use scimlab_protocol::validate::{
    Mode, check_element, check_resource, check_value, immutable_violations, is_base64, parse_date_time, strip_read_only,
};
use scimlab_protocol::{SchemaRegistry, ScimError, ScimType};
use serde_json::{Value, json};

fn user_attr(path: &str) -> &'static AttributeDef {
    let (r, sub) = SchemaRegistry::core().user().resolve_dotted(path).expect("attribute resolves");
    sub.unwrap_or(r.attr)
}

#[track_caller]
fn assert_err(r: Result<(), ScimError>, scim_type: ScimType, fragments: &[&str]) {
    let e = r.expect_err("expected an error");
    assert_eq!((e.status, e.scim_type), (400, Some(scim_type)), "{e}");
    for f in fragments {
        assert!(e.detail.contains(f), "detail {:?} should contain {f:?}", e.detail);
    }
}

#[track_caller]
fn value_err(r: Result<(), ScimError>, detail: &str) {
    let e = r.expect_err("expected an error");
    assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidValue)), "{e}");
    assert_eq!(e.detail, detail);
}

fn attr(kind: AttrType) -> AttributeDef {
    AttributeDef::new("x", kind)
}

// ---- check_value: RFC 7643 section 2.3, one data type at a time ----

#[test]
fn string_boolean_in_emails_names_path_expected_and_got() {
    let v = json!([{"value": "a@x.org", "primary": "True"}]);
    value_err(
        check_value(user_attr("emails"), &v, "emails"),
        r#"emails[0].primary: expected a boolean, got the string "True""#,
    );
}

#[test]
fn strings_and_references_must_be_json_strings() {
    assert!(check_value(user_attr("userName"), &json!("bjensen"), "userName").is_ok());
    value_err(
        check_value(user_attr("userName"), &json!(5), "userName"),
        "userName: expected a string, got the number 5",
    );
    assert!(check_value(user_attr("profileUrl"), &json!("https://x.org/b"), "profileUrl").is_ok());
    value_err(
        check_value(user_attr("profileUrl"), &json!({"href": "x"}), "profileUrl"),
        "profileUrl: expected a reference (a URI string), got an object",
    );
}

#[test]
fn booleans_must_be_json_booleans() {
    assert!(check_value(user_attr("active"), &json!(false), "active").is_ok());
    value_err(
        check_value(user_attr("active"), &json!("false"), "active"),
        r#"active: expected a boolean, got the string "false""#,
    );
    value_err(check_value(user_attr("active"), &json!(1), "active"), "active: expected a boolean, got the number 1");
}

#[test]
fn integers_have_no_fraction_and_decimals_take_any_number() {
    let int = attr(AttrType::Integer);
    for ok in [json!(0), json!(-7), json!(u64::MAX)] {
        assert!(check_value(&int, &ok, "x").is_ok(), "{ok}");
    }
    value_err(check_value(&int, &json!(2.5), "x"), "x: expected an integer, got the number 2.5");
    value_err(check_value(&int, &json!(1.0), "x"), "x: expected an integer, got the number 1.0");
    value_err(check_value(&int, &json!("3"), "x"), r#"x: expected an integer, got the string "3""#);
    let dec = attr(AttrType::Decimal);
    for ok in [json!(3), json!(-0.5), json!(1e10)] {
        assert!(check_value(&dec, &ok, "x").is_ok(), "{ok}");
    }
    value_err(check_value(&dec, &json!("3.5"), "x"), r#"x: expected a number, got the string "3.5""#);
}

#[test]
fn date_times_must_be_xsd_date_times() {
    let dt = attr(AttrType::DateTime);
    for ok in [
        "2008-01-23T04:56:22Z",
        "2008-01-23T04:56:22.123456789Z",
        "2008-01-23T06:56:22+02:00",
        "2008-01-23T04:56:22",
        "2024-02-29T23:59:59-14:00",
    ] {
        assert!(check_value(&dt, &json!(ok), "meta.created").is_ok(), "{ok}");
    }
    for bad in [
        "2008-02-30T00:00:00Z",
        "2008-01-23 04:56:22Z",
        "2008-01-23",
        "2008-1-23T04:56:22Z",
        "2008-01-23T04:56:22.Z",
        "2008-01-23T25:00:00Z",
        "2008-01-23T04:56:22+15:00",
        "2008-01-23T04:56:22z",
        "yesterday",
        "0000-01-01T00:00:00Z",
    ] {
        assert_err(
            check_value(&dt, &json!(bad), "meta.created"),
            ScimType::InvalidValue,
            &["meta.created: expected an xsd:dateTime", bad],
        );
    }
    value_err(check_value(&dt, &json!(1_700_000_000), "t"), "t: expected a dateTime string, got the number 1700000000");
    let a = parse_date_time("2008-01-23T06:56:22.5+02:00").expect("parses");
    let b = parse_date_time("2008-01-23T04:56:22.500Z").expect("parses");
    assert_eq!(a, b);
    assert_eq!(parse_date_time("2008-01-23T04:56:22"), parse_date_time("2008-01-23T04:56:22Z"));
}

#[test]
fn binaries_must_be_padded_standard_base64() {
    let certs = user_attr("x509Certificates");
    assert!(
        check_value(certs, &json!([{"value": "TWFu"}, {"value": "TWE="}, {"value": "TQ=="}, {"value": ""}]), "c")
            .is_ok()
    );
    for bad in ["TWE", "TW=a", "T===", "not base64!", "TWF-", "TWFu\n"] {
        assert!(!is_base64(bad), "{bad:?}");
        assert_err(
            check_value(certs, &json!([{"value": bad}]), "x509Certificates"),
            ScimType::InvalidValue,
            &["x509Certificates[0].value: expected a base64 string"],
        );
    }
    value_err(
        check_value(certs, &json!([{"value": 12}]), "x509Certificates"),
        "x509Certificates[0].value: expected a base64 string, got the number 12",
    );
}

#[test]
fn complex_values_are_objects_of_known_sub_attributes() {
    let name = user_attr("name");
    assert!(
        check_value(name, &json!({"givenName": "Barbara", "FAMILYNAME": "Jensen", "middleName": null}), "name").is_ok()
    );
    value_err(
        check_value(name, &json!("Barbara Jensen"), "name"),
        r#"name: expected an object, got the string "Barbara Jensen""#,
    );
    assert_err(
        check_value(name, &json!({"givenName": "B", "nickname": "Babs"}), "name"),
        ScimType::InvalidValue,
        &["name.nickname: unknown sub-attribute \"nickname\" of name", "givenName"],
    );
    value_err(
        check_value(name, &json!({"givenName": 1}), "name"),
        "name.givenName: expected a string, got the number 1",
    );
    assert_err(
        check_value(name, &json!({"givenName": "a", "GIVENNAME": "b"}), "name"),
        ScimType::InvalidValue,
        &["name: sub-attribute \"givenName\" appears twice"],
    );
}

#[test]
fn multi_valued_attributes_take_arrays_and_a_lone_value_is_refused() {
    let emails = user_attr("emails");
    assert!(check_value(emails, &json!([]), "emails").is_ok());
    assert!(
        check_value(emails, &json!([{"value": "a@x.org", "type": "pigeon", "primary": true}]), "emails").is_ok(),
        "canonical values are suggestions"
    );
    value_err(
        check_value(emails, &json!({"value": "a@x.org"}), "emails"),
        "emails: expected an array of objects, got an object",
    );
    value_err(
        check_value(emails, &json!("a@x.org"), "emails"),
        r#"emails: expected an array of objects, got the string "a@x.org""#,
    );
    value_err(check_value(emails, &json!([{"value": "a"}, null]), "emails"), "emails[1]: expected an object, got null");
    value_err(
        check_value(user_attr("name"), &json!([{"givenName": "a"}]), "name"),
        "name: expected an object, got an array of 1 value",
    );
    let mut tags = attr(AttrType::String);
    tags.multi_valued = true;
    value_err(check_value(&tags, &json!(["a", 2]), "tags"), "tags[1]: expected a string, got the number 2");
    assert!(check_element(emails, &json!({"value": "a@x.org"}), "emails").is_ok());
    value_err(check_element(emails, &json!(null), "emails"), "emails: expected an object, got null");
}

#[test]
fn null_means_unassigned_and_always_fits() {
    for path in ["userName", "emails", "name", "active", "x509Certificates", "manager"] {
        assert!(check_value(user_attr(path), &Value::Null, path).is_ok(), "{path}");
    }
}

#[test]
fn long_strings_are_shortened_in_details() {
    let long = "a".repeat(500);
    let e = check_value(user_attr("active"), &json!(long), "active").expect_err("not a boolean");
    assert!(e.detail.len() < 120 && e.detail.ends_with("\"..."), "{}", e.detail);
}

// ---- check_resource: RFC 7644 sections 3.3 and 3.5.1 ----

fn user() -> scimlab_protocol::ResourceView<'static> {
    SchemaRegistry::core().user()
}

fn full_user() -> Value {
    json!({
        "schemas": [USER_URN, ENTERPRISE_USER_URN],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
                 "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
                       "region": "CA", "postalCode": "91608", "country": "USA",
                       "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "primary": true}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "password": "t1meMa$heen",
        "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "$ref": "https://example.com/v2/Groups/e9e30dba",
                    "display": "Tour Guides"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        ENTERPRISE_USER_URN: {"employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915", "displayName": "John Smith"}},
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z",
                 "version": "W/\"3694e05e9dff591\"", "location": "https://example.com/v2/Users/2819c223"}
    })
}

#[test]
fn the_rfc_full_user_passes_on_create_and_replace() {
    for mode in [Mode::Create, Mode::Replace] {
        check_resource(&full_user(), &user(), mode).expect("RFC 7643 section 8.3 user is valid");
        check_resource(&json!({"schemas": [USER_URN], "userName": "b"}), &user(), mode).expect("minimal user");
    }
    let group = json!({"schemas": [GROUP_URN], "displayName": "Tour Guides",
        "members": [{"value": "2819c223", "$ref": "https://example.com/v2/Users/2819c223", "display": "Babs", "type": "User"}]});
    check_resource(&group, &SchemaRegistry::core().group(), Mode::Create).expect("group is valid");
}

#[test]
fn the_body_must_be_an_object() {
    assert_err(
        check_resource(&json!([{"userName": "b"}]), &user(), Mode::Create),
        ScimType::InvalidSyntax,
        &["create body must be a JSON object", "an array of 1 value"],
    );
    assert_err(check_resource(&json!("x"), &user(), Mode::Replace), ScimType::InvalidSyntax, &["replace body"]);
}

#[test]
fn schemas_must_be_present_be_strings_and_list_the_core_schema() {
    assert_err(
        check_resource(&json!({"userName": "b"}), &user(), Mode::Create),
        ScimType::InvalidValue,
        &["no schemas attribute", USER_URN],
    );
    assert_err(
        check_resource(&json!({"schemas": USER_URN, "userName": "b"}), &user(), Mode::Create),
        ScimType::InvalidSyntax,
        &["schemas must be an array of URN strings", "got the string"],
    );
    assert_err(
        check_resource(&json!({"schemas": [USER_URN, 7], "userName": "b"}), &user(), Mode::Create),
        ScimType::InvalidSyntax,
        &["schemas must be an array of URN strings"],
    );
    assert_err(
        check_resource(&json!({"schemas": [ENTERPRISE_USER_URN], "userName": "b"}), &user(), Mode::Create),
        ScimType::InvalidValue,
        &["must list the core schema", USER_URN],
    );
    assert_err(
        check_resource(&json!({"schemas": [USER_URN, "urn:x:custom"], "userName": "b"}), &user(), Mode::Create),
        ScimType::InvalidValue,
        &["schemas lists urn:x:custom", "does not carry"],
    );
    assert_err(
        check_resource(&json!({"schemas": [GROUP_URN], "displayName": "g"}), &user(), Mode::Create),
        ScimType::InvalidValue,
        &["must list the core schema"],
    );
    check_resource(&json!({"schemas": [USER_URN.to_uppercase()], "userName": "b"}), &user(), Mode::Create)
        .expect("URNs compare without case");
    check_resource(&json!({"schemas": [USER_URN, ENTERPRISE_USER_URN], "userName": "b"}), &user(), Mode::Create)
        .expect("listing an extension without data is fine");
}

#[test]
fn unknown_top_level_attributes_are_invalid_syntax() {
    assert_err(
        check_resource(
            &json!({"schemas": [USER_URN], "userName": "b", "favouriteColour": "red"}),
            &user(),
            Mode::Create,
        ),
        ScimType::InvalidSyntax,
        &["unknown attribute \"favouriteColour\"", "User"],
    );
    assert_err(
        check_resource(
            &json!({"schemas": [USER_URN, ENTERPRISE_USER_URN], "userName": "b", "employeeNumber": "1"}),
            &user(),
            Mode::Create,
        ),
        ScimType::InvalidSyntax,
        &["unknown attribute \"employeeNumber\"", "inside its extension's object"],
    );
    assert_err(
        check_resource(
            &json!({"schemas": [GROUP_URN], "displayName": "g", "userName": "b"}),
            &SchemaRegistry::core().group(),
            Mode::Create,
        ),
        ScimType::InvalidSyntax,
        &["\"userName\"", "Group"],
    );
    assert_err(
        check_resource(&json!({"schemas": [USER_URN], "userName": "b", "USERNAME": "c"}), &user(), Mode::Create),
        ScimType::InvalidSyntax,
        &["appears twice"],
    );
    check_resource(
        &json!({"schemas": [USER_URN], "USERNAME": "b", "Emails": [{"VALUE": "a@x"}]}),
        &user(),
        Mode::Create,
    )
    .expect("names compare without case");
}

#[test]
fn extension_objects_must_be_listed_known_and_well_formed() {
    let ext = |value: Value, schemas: Value| json!({"schemas": schemas, "userName": "b", ENTERPRISE_USER_URN: value});
    let both = json!([USER_URN, ENTERPRISE_USER_URN]);
    assert_err(
        check_resource(&ext(json!({"department": "x"}), json!([USER_URN])), &user(), Mode::Create),
        ScimType::InvalidValue,
        &["carries the extension", "schemas does not list it", ENTERPRISE_USER_URN],
    );
    assert_err(
        check_resource(&ext(json!({"shoeSize": 44}), both.clone()), &user(), Mode::Create),
        ScimType::InvalidSyntax,
        &[&format!("unknown attribute {ENTERPRISE_USER_URN}:shoeSize")],
    );
    value_err(
        check_resource(&ext(json!("x"), both.clone()), &user(), Mode::Create),
        &format!("{ENTERPRISE_USER_URN}: expected an object holding the extension's attributes, got the string \"x\""),
    );
    value_err(
        check_resource(&ext(json!({"manager": {"value": 5}}), both.clone()), &user(), Mode::Create),
        &format!("{ENTERPRISE_USER_URN}:manager.value: expected a string, got the number 5"),
    );
    assert_err(
        check_resource(&ext(json!({"manager": {"value": "m", "boss": true}}), both.clone()), &user(), Mode::Create),
        ScimType::InvalidValue,
        &[&format!("{ENTERPRISE_USER_URN}:manager.boss: unknown sub-attribute")],
    );
    let group_with_ext = json!({"schemas": [GROUP_URN], "displayName": "g", ENTERPRISE_USER_URN: {}});
    assert_err(
        check_resource(&group_with_ext, &SchemaRegistry::core().group(), Mode::Create),
        ScimType::InvalidSyntax,
        &["unknown attribute", ENTERPRISE_USER_URN],
    );
}

#[test]
fn required_attributes_must_have_a_value() {
    for body in [
        json!({"schemas": [USER_URN]}),
        json!({"schemas": [USER_URN], "userName": ""}),
        json!({"schemas": [USER_URN], "userName": null}),
    ] {
        assert_err(
            check_resource(&body, &user(), Mode::Create),
            ScimType::InvalidValue,
            &["required attribute userName is missing from the create body"],
        );
    }
    assert_err(
        check_resource(&json!({"schemas": [USER_URN], "displayName": "B"}), &user(), Mode::Replace),
        ScimType::InvalidValue,
        &["userName", "replace body"],
    );
    assert_err(
        check_resource(&json!({"schemas": [GROUP_URN], "members": []}), &SchemaRegistry::core().group(), Mode::Create),
        ScimType::InvalidValue,
        &["required attribute displayName"],
    );
}

#[test]
fn read_only_attributes_are_ignored_not_refused() {
    let body = json!({"schemas": [USER_URN, ENTERPRISE_USER_URN], "id": 12, "meta": "whatever", "userName": "b",
        "groups": "not even an array", ENTERPRISE_USER_URN: {"manager": {"value": "m", "displayName": false}}});
    check_resource(&body, &user(), Mode::Create).expect("readOnly values are ignored, whatever their type");
}

#[test]
fn strip_read_only_removes_what_the_server_ignores_and_keeps_order() {
    let mut body = full_user();
    strip_read_only(&mut body, &user());
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    let original = full_user();
    let expected: Vec<&str> = original
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .filter(|k| !["id", "meta", "groups"].contains(k))
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(
        body[ENTERPRISE_USER_URN]["manager"],
        json!({"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915"})
    );
    assert_eq!(body["schemas"], full_user()["schemas"]);
    assert_eq!(body["password"], "t1meMa$heen", "writeOnly is not readOnly");
    let mut odd = json!({"ID": "x", "Meta": {}, "unknown": 1, "userName": "b"});
    strip_read_only(&mut odd, &user());
    assert_eq!(odd, json!({"unknown": 1, "userName": "b"}));
}

// ---- custom schemas: required sub-attributes, required extensions, immutable attributes ----

const BADGE_URN: &str = "urn:example:params:scim:schemas:extension:badge:2.0:User";

fn custom_registry(extension_required: bool) -> SchemaRegistry {
    let mut r = SchemaRegistry::core().clone();
    r.load_schemas(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [{
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": BADGE_URN,
            "name": "Badge",
            "attributes": [
                {"name": "badgeId", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                 "mutability": "immutable", "returned": "default", "uniqueness": "server"},
                {"name": "issued", "type": "dateTime", "multiValued": false, "mutability": "immutable"},
                {"name": "card", "type": "complex", "multiValued": false, "subAttributes": [
                    {"name": "number", "type": "string", "required": true, "mutability": "immutable"},
                    {"name": "colour", "type": "string"}]},
                {"name": "doors", "type": "complex", "multiValued": true, "subAttributes": [
                    {"name": "code", "type": "integer", "required": true, "mutability": "immutable"}]}
            ]
        }]
    }))
    .expect("schema loads");
    r.load_resource_types(&json!([{
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User", "name": "User", "endpoint": "/Users", "schema": USER_URN,
        "schemaExtensions": [{"schema": ENTERPRISE_USER_URN, "required": false}, {"schema": BADGE_URN, "required": extension_required}]
    }]))
    .expect("resource type loads");
    r
}

#[test]
fn required_sub_attributes_of_present_complex_values() {
    let r = custom_registry(false);
    let view = r.user();
    let body = |badge: Value| json!({"schemas": [USER_URN, BADGE_URN], "userName": "b", BADGE_URN: badge});
    check_resource(&body(json!({"card": {"number": "7"}, "doors": [{"code": 1}]})), &view, Mode::Create)
        .expect("complete");
    check_resource(&body(json!({"badgeId": "b1"})), &view, Mode::Create).expect("absent complex values need nothing");
    assert_err(
        check_resource(&body(json!({"card": {"colour": "red"}})), &view, Mode::Create),
        ScimType::InvalidValue,
        &[&format!("required sub-attribute {BADGE_URN}:card.number is missing")],
    );
    assert_err(
        check_resource(&body(json!({"doors": [{"code": 1}, {}]})), &view, Mode::Create),
        ScimType::InvalidValue,
        &[&format!("{BADGE_URN}:doors[1].code")],
    );
}

#[test]
fn a_required_extension_must_be_present() {
    let r = custom_registry(true);
    assert_err(
        check_resource(&json!({"schemas": [USER_URN], "userName": "b"}), &r.user(), Mode::Create),
        ScimType::InvalidValue,
        &["requires the extension", BADGE_URN],
    );
    check_resource(
        &json!({"schemas": [USER_URN, BADGE_URN], "userName": "b", BADGE_URN: {"badgeId": "x"}}),
        &r.user(),
        Mode::Create,
    )
    .expect("present");
}

#[test]
fn put_may_not_change_an_immutable_value() {
    let r = custom_registry(false);
    let view = r.user();
    let with = |badge: Value| json!({"schemas": [USER_URN, BADGE_URN], "userName": "b", BADGE_URN: badge});
    let old = with(
        json!({"badgeId": "B-1", "issued": "2020-01-01T00:00:00Z", "card": {"number": "7", "colour": "red"}, "doors": [{"code": 1}]}),
    );
    let same = with(
        json!({"badgeId": "b-1", "issued": "2020-01-01T01:00:00+01:00", "card": {"number": "7", "colour": "blue"}, "doors": [{"code": 2}]}),
    );
    immutable_violations(&old, &same, &view)
        .expect("same values under the attribute's rules; mutable parts and multi-valued elements may change");
    assert_err(
        immutable_violations(&old, &with(json!({"badgeId": "B-2"})), &view),
        ScimType::Mutability,
        &[&format!("attribute {BADGE_URN}:badgeId is immutable"), "\"B-1\"", "changes it to \"B-2\""],
    );
    assert_err(
        immutable_violations(&old, &json!({"schemas": [USER_URN], "userName": "b"}), &view),
        ScimType::Mutability,
        &["badgeId", "omits it"],
    );
    assert_err(
        immutable_violations(
            &old,
            &with(json!({"badgeId": "B-1", "issued": "2020-01-01T00:00:00Z", "card": {"number": "8"}})),
            &view,
        ),
        ScimType::Mutability,
        &[&format!("{BADGE_URN}:card.number"), "changes it to \"8\""],
    );
    let unset = json!({"schemas": [USER_URN], "userName": "b"});
    immutable_violations(&unset, &old, &view).expect("an immutable attribute without a value may be set");
    let group = SchemaRegistry::core().group();
    let g = |members: Value| json!({"schemas": [GROUP_URN], "displayName": "g", "members": members});
    immutable_violations(&g(json!([{"value": "a"}])), &g(json!([{"value": "b"}])), &group)
        .expect("members are replaced whole");
}

// ---- properties over generated users (the arbitrary module's population) ----

/// Needs the `arbitrary` feature for the user strategy.
#[cfg(feature = "arbitrary")]
mod generated {
    use super::*;
    use scimlab_protocol::arbitrary::users::arb_user;

    proptest::proptest! {
        #[test]
        fn generated_users_are_valid_and_strip_read_only_is_idempotent(u in arb_user()) {
            let view = user();
            proptest::prop_assert!(check_resource(&u, &view, Mode::Create).is_ok(), "{u}");
            proptest::prop_assert!(immutable_violations(&u, &u, &view).is_ok());
            let mut stripped = u.clone();
            strip_read_only(&mut stripped, &view);
            let obj = stripped.as_object().expect("object");
            proptest::prop_assert!(!obj.contains_key("id") && !obj.contains_key("meta"));
            proptest::prop_assert!(check_resource(&stripped, &view, Mode::Replace).is_ok());
            let mut twice = stripped.clone();
            strip_read_only(&mut twice, &view);
            proptest::prop_assert_eq!(twice, stripped);
        }
    }
}
