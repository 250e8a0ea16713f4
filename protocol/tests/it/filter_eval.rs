//! RFC 7644 section 3.4.2.2: the filter evaluator over a small population.
//!
//! The population is the RFC's Barbara Jensen (RFC 7643 sections 8.2 and 8.3, with the enterprise extension)
//! and four users built to sit on either side of each rule. Every filter example of section 3.4.2.2 is run with
//! the ids it must match written out; then each type rule, each invalidFilter case, and proptest laws checked
//! against a naive reference evaluator.

use scimlab_protocol::filter::{self, AttrExp, AttrPath, CompValue, CompareOp, Filter, Matcher, Test, ValuePath};
use scimlab_protocol::schema::{AttrType, AttributeDef, ResourceType, Schema, SchemaRegistry};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::{Value, json};

const BJENSEN: &str = "2819c223-7f76-453a-919d-413861904646";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": BJENSEN,
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III"
        },
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "phoneNumbers": [
            {"value": "555-555-5555", "type": "work"},
            {"value": "555-555-4444", "type": "mobile"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        ENTERPRISE: {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Universal Studios",
            "division": "Theme Park",
            "department": "Tour Operations",
            "manager": {
                "value": "26118915-6090-4610-87e4-49d8ca9f808d",
                "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
                "displayName": "John Smith"
            }
        },
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff591\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
        }
    })
}

/// bjensen plus: c1 (mixed-case userName, O'Malley, an xmpp im, bjensen's instant at +02:00, inactive), c2
/// (Employee with the enterprise extension and bjensen as manager), c3 (empty title, earlier instant at -05:00),
/// c4 (almost empty, a non-ASCII userName, an invalid lastModified).
fn population() -> Vec<Value> {
    vec![
        bjensen(),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "c1", "userName": "BJensen", "userType": "Intern", "active": false,
            "name": {"givenName": "Barbara", "familyName": "O'Malley"},
            "emails": [{"value": "bj@example.org", "type": "home"}],
            "ims": [{"value": "bj@foo.com", "type": "xmpp"}],
            "meta": {"lastModified": "2011-05-13T06:42:34+02:00"}
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "c2", "externalId": "Ext-2", "userName": "jsmith", "title": "Manager", "userType": "Employee",
            "active": true,
            "name": {"givenName": "John", "familyName": "Smith"},
            "emails": [{"value": "JSmith@Example.COM", "type": "work", "primary": true}],
            ENTERPRISE: {"employeeNumber": "42", "manager": {"value": BJENSEN}},
            "meta": {"lastModified": "2012-01-01T00:00:00Z"}
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "c3", "userName": "Jane.Doe", "userType": "Contractor", "title": "",
            "emails": [{"value": "jane@example.org", "type": "work"}],
            "meta": {"lastModified": "2010-12-31T23:00:00-05:00"}
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "c4", "userName": "Zoë", "name": {"givenName": ""},
            "meta": {"lastModified": "not a date"}
        }),
    ]
}

fn parse(text: &str) -> Filter {
    filter::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e:?}"))
}

fn compile(text: &str) -> Result<Matcher, ScimError> {
    Matcher::compile(&parse(text), &SchemaRegistry::core().user())
}

/// The ids of the users of `users` that `text` matches, in population order.
fn ids_in(users: &[Value], text: &str) -> Vec<String> {
    let m = compile(text).unwrap_or_else(|e| panic!("{text:?} should compile: {e}"));
    users.iter().filter(|u| m.matches(u)).map(|u| u["id"].as_str().unwrap_or("?").to_owned()).collect()
}

#[track_caller]
fn check(text: &str, expected: &[&str]) {
    assert_eq!(ids_in(&population(), text), expected, "filter {text}");
}

#[track_caller]
fn refused(text: &str, names: &str) -> String {
    let e = compile(text).err().unwrap_or_else(|| panic!("{text:?} should be refused"));
    assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidFilter)), "{text}: {e}");
    assert!(e.detail.contains(names), "{text}: detail {:?} should name {names}", e.detail);
    e.detail
}

#[test]
fn rfc7644_3_4_2_2_examples() {
    let all_but_c4 = [BJENSEN, "c1", "c2", "c3"];
    check(r#"userName eq "bjensen""#, &["c1"]);
    check(r#"name.familyName co "O'Malley""#, &["c1"]);
    check(r#"userName sw "J""#, &["c2", "c3"]);
    check(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#, &["c2", "c3"]);
    check("title pr", &[BJENSEN, "c2"]);
    check(r#"meta.lastModified gt "2011-05-13T04:42:34Z""#, &["c2"]);
    check(r#"meta.lastModified ge "2011-05-13T04:42:34Z""#, &[BJENSEN, "c1", "c2"]);
    check(r#"meta.lastModified lt "2011-05-13T04:42:34Z""#, &["c3"]);
    check(r#"meta.lastModified le "2011-05-13T04:42:34Z""#, &[BJENSEN, "c1", "c3"]);
    check(r#"title pr and userType eq "Employee""#, &[BJENSEN, "c2"]);
    check(r#"title pr or userType eq "Intern""#, &[BJENSEN, "c1", "c2"]);
    check(r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#, &[BJENSEN, "c2"]);
    check(r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#, &[BJENSEN, "c2"]);
    check(r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#, &["c4"]);
    check(r#"userType eq "Employee" and (emails.type eq "work")"#, &[BJENSEN, "c2"]);
    check(r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#, &[BJENSEN, "c2"]);
    check(
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        &[BJENSEN, "c1", "c2"],
    );
    check("userName pr", &[BJENSEN, "c1", "c2", "c3", "c4"]);
    check("meta.lastModified pr", &[BJENSEN, "c1", "c2", "c3", "c4"]);
    check(r#"not (meta.lastModified eq "2000-01-01T00:00:00Z")"#, &[BJENSEN, "c1", "c2", "c3", "c4"]);
    check("emails pr", &all_but_c4);
}

#[test]
fn case_rules_follow_case_exact() {
    // userName is caseExact=false; id and externalId are caseExact=true (RFC 7643 sections 3.1 and 4.1.1).
    check(r#"userName eq "JSMITH""#, &["c2"]);
    check(r#"userName eq "ZOË""#, &["c4"]);
    check(r#"userName co "OË""#, &["c4"]);
    check(r#"id eq "c2""#, &["c2"]);
    check(r#"id eq "C2""#, &[]);
    check(r#"externalId eq "Ext-2""#, &["c2"]);
    check(r#"externalId eq "ext-2""#, &[]);
    check(r#"emails.value eq "jsmith@example.com""#, &["c2"]);
    // Reference attributes are always case-exact.
    check(r#"schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER""#, &[]);
    check(r#"profileUrl sw "https://login""#, &[BJENSEN]);
    check(r#"profileUrl sw "HTTPS://login""#, &[]);
    // Ordering compares folded code points.
    check(r#"userName gt "jane.doe""#, &["c2", "c4"]);
    check(r#"userName lt "C""#, &[BJENSEN, "c1"]);
}

#[test]
fn attribute_names_are_case_insensitive_in_filter_and_resource() {
    check(r#"USERNAME eq "jsmith""#, &["c2"]);
    check(r#"Name.FamilyName eq "smith""#, &["c2"]);
    check(r#"EMAILS[TYPE eq "work" AND VALUE co "example"]"#, &[BJENSEN, "c2", "c3"]);
    let odd = json!({
        "id": "odd", "UserName": "x", "NAME": {"GIVENNAME": "Y"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "7"},
        "Meta": {"LastModified": "2011-05-13T04:42:34Z"}
    });
    let users = [odd];
    assert_eq!(ids_in(&users, r#"userName eq "X""#), ["odd"]);
    assert_eq!(ids_in(&users, r#"name.givenName eq "y""#), ["odd"]);
    assert_eq!(ids_in(&users, r#"employeeNumber eq "7""#), ["odd"]);
    assert_eq!(ids_in(&users, r#"meta.lastModified eq "2011-05-13T04:42:34Z""#), ["odd"]);
}

#[test]
fn urn_qualified_names_resolve_in_core_and_extension() {
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "2819c223-7f76-453a-919d-413861904646""#,
        &["c2"],
    );
    check(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#, &[BJENSEN]);
    check(r#"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:department sw "tour""#, &[BJENSEN]);
    check(r#"employeeNumber eq "42""#, &["c2"]);
    check(r#"manager.value pr"#, &[BJENSEN, "c2"]);
    check(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "barbara""#, &[BJENSEN, "c1"]);
    // An extension attribute is not read from the top level, nor a core attribute from under the extension.
    let misplaced = [json!({"id": "m", "employeeNumber": "42", ENTERPRISE: {"userName": "jsmith"}})];
    assert!(ids_in(&misplaced, r#"employeeNumber eq "42""#).is_empty());
    assert!(ids_in(&misplaced, r#"userName eq "jsmith""#).is_empty());
}

#[test]
fn multi_valued_and_complex_rules() {
    // Any value matches; a complex attribute without a sub-attribute compares its `value`.
    check(r#"emails.value ew ".org""#, &[BJENSEN, "c1", "c3"]);
    check(r#"emails eq "babs@jensen.org""#, &[BJENSEN]);
    check(r#"phoneNumbers co "4444""#, &[BJENSEN]);
    check(r#"name eq "Barbara""#, &[]);
    check("name pr", &[BJENSEN, "c1", "c2"]);
    check("name.givenName pr", &[BJENSEN, "c1", "c2"]);
    check("emails.primary eq true", &[BJENSEN, "c2"]);
    // `ne` matches when no value equals the literal; absent attributes match `ne`.
    check(r#"emails.value ne "bjensen@example.com""#, &["c1", "c2", "c3", "c4"]);
    check(r#"emails.type ne "work""#, &["c1", "c4"]);
    check(r#"title ne "Manager""#, &[BJENSEN, "c1", "c3", "c4"]);
    check(r#"not (title eq "Manager")"#, &[BJENSEN, "c1", "c3", "c4"]);
    // null compares presence.
    check("title eq null", &["c1", "c3", "c4"]);
    check("title ne null", &[BJENSEN, "c2"]);
    check("emails eq null", &["c4"]);
}

#[test]
fn value_paths() {
    check(r#"emails[type eq "home"]"#, &[BJENSEN, "c1"]);
    check(r#"emails[not (type eq "work")]"#, &[BJENSEN, "c1"]);
    check(r#"emails[type eq "work" and (value ew ".org" or primary eq true)]"#, &[BJENSEN, "c2", "c3"]);
    // The bracket and the trailing test must hold for the same element.
    check(r#"emails[type eq "home"].value co "example""#, &["c1"]);
    check(r#"emails[type eq "home"] and emails.value co "example""#, &[BJENSEN, "c1"]);
    check(r#"emails[type eq "work"].primary eq true"#, &[BJENSEN, "c2"]);
    check(r#"emails[type eq "work"].primary ne true"#, &["c3"]);
    // On a single-valued complex attribute the bracket applies to its one object.
    check(r#"name[givenName eq "barbara" and familyName sw "J"]"#, &[BJENSEN]);
    check(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value pr]"#, &[BJENSEN, "c2"]);
}

#[test]
fn compile_for_element_tests_one_element() {
    let view = SchemaRegistry::core().user();
    let emails = view.resolve(None, "emails").expect("emails").attr;
    let m = Matcher::compile_for_element(&parse(r#"type eq "WORK" and value co "@example""#), &view, emails)
        .expect("compiles");
    let elements = bjensen()["emails"].as_array().expect("emails").clone();
    assert_eq!(elements.iter().map(|e| m.matches(e)).collect::<Vec<_>>(), [true, false]);
    let e = Matcher::compile_for_element(&parse("primary gt true"), &view, emails).expect_err("refused");
    assert!(e.detail.contains("emails.primary"), "{}", e.detail);
}

#[test]
fn datetimes_compare_as_instants() {
    check(r#"meta.lastModified eq "2011-05-13T04:42:34Z""#, &[BJENSEN, "c1"]);
    check(r#"meta.lastModified eq "2011-05-12T23:42:34-05:00""#, &[BJENSEN, "c1"]);
    check(r#"meta.lastModified eq "2011-05-13T04:42:34.000Z""#, &[BJENSEN, "c1"]);
    check(r#"meta.lastModified gt "2011-05-13T04:42:33.999Z""#, &[BJENSEN, "c1", "c2"]);
    check(r#"meta.lastModified eq "2011-01-01T04:00:00Z""#, &["c3"]);
    // An invalid stored value never matches eq or an ordering, so it matches ne.
    check(r#"meta.lastModified ne "2011-05-13T04:42:34Z""#, &["c2", "c3", "c4"]);
    // co / sw / ew look at the text.
    check(r#"meta.lastModified sw "2011-05-13""#, &[BJENSEN, "c1"]);
    check(r#"meta.lastModified ew "+02:00""#, &["c1"]);
    check(r#"meta.created lt "2011-01-01T00:00:00Z""#, &[BJENSEN]);
}

#[test]
fn invalid_filters_name_the_attribute() {
    refused("active gt true", "active");
    refused(r#"active co "t""#, "active");
    refused(r#"active eq "true""#, "active");
    refused("active eq 1", "active");
    refused("userName eq 5", "userName");
    refused("USERNAME ne true", "USERNAME");
    refused(r#"x509Certificates.value gt "MII""#, "x509Certificates.value");
    refused(r#"meta.lastModified eq "yesterday""#, "meta.lastModified");
    refused(r#"meta.lastModified gt "2011-05-13""#, "meta.lastModified");
    refused("meta.lastModified lt 5", "meta.lastModified");
    refused("userName gt null", "userName");
    refused(r#"emails[primary sw "t"]"#, "emails.primary");
    refused(r#"emails[type eq "work"].primary eq "yes""#, "emails.primary");
    refused(r#"userName[value eq "x"]"#, "userName");
    let view = SchemaRegistry::core().user();
    let nested = Filter::ValuePath(ValuePath {
        attr: AttrPath::simple("emails"),
        filter: Box::new(Filter::ValuePath(ValuePath {
            attr: AttrPath::simple("type"),
            filter: Box::new(Filter::present(AttrPath::simple("value"))),
            then: None,
        })),
        then: None,
    });
    let e = Matcher::compile(&nested, &view).expect_err("nested value paths are refused");
    assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
    assert!(e.detail.contains("emails.type"), "{}", e.detail);
    let qualified = Filter::ValuePath(ValuePath {
        attr: AttrPath::simple("emails"),
        filter: Box::new(Filter::compare(
            AttrPath { urn: Some("urn:ietf:params:scim:schemas:core:2.0:User".into()), name: "type".into(), sub: None },
            CompareOp::Eq,
            CompValue::String("work".into()),
        )),
        then: None,
    });
    let e = Matcher::compile(&qualified, &view).expect_err("URNs inside brackets are refused");
    assert!(e.detail.contains("emails"), "{}", e.detail);
}

#[test]
fn unknown_attributes_evaluate_untyped() {
    let users = [json!({"id": "a", "nickname2": "Babs", "level": 3, "vip": true}), json!({"id": "b"})];
    assert_eq!(ids_in(&users, r#"nickname2 eq "BABS""#), ["a"]);
    assert_eq!(ids_in(&users, r#"nickname2 ne "x""#), ["a", "b"]);
    assert_eq!(ids_in(&users, "level ge 2.5"), ["a"]);
    assert_eq!(ids_in(&users, r#"level eq "3""#), Vec::<String>::new());
    assert_eq!(ids_in(&users, "vip eq true"), ["a"]);
    assert_eq!(ids_in(&users, "vip gt true"), Vec::<String>::new());
    assert_eq!(ids_in(&users, "nosuch pr"), Vec::<String>::new());
    assert_eq!(ids_in(&users, r#"urn:example:ext:2.0:User:x eq "y""#), Vec::<String>::new());
}

#[test]
fn stored_values_of_the_wrong_type_never_compare() {
    let users = [json!({"id": "s", "active": "true", "userName": 5, "meta": {"lastModified": 1}})];
    for text in ["active eq true", r#"userName eq "5""#, r#"meta.lastModified gt "2000-01-01T00:00:00Z""#] {
        assert!(ids_in(&users, text).is_empty(), "{text}");
    }
    assert_eq!(ids_in(&users, "active pr and userName pr"), ["s"]);
}

/// A registry with one resource type whose attributes cover the types the User schema lacks.
fn widget_registry() -> SchemaRegistry {
    let attr = |name: &str, kind, mv: bool, exact: bool| {
        let mut a = AttributeDef::new(name, kind);
        a.multi_valued = mv;
        a.case_exact = exact;
        a
    };
    let mut r = SchemaRegistry::empty();
    r.add_schema(Schema {
        id: "urn:example:Widget".into(),
        name: "Widget".into(),
        description: String::new(),
        attributes: vec![
            attr("count", AttrType::Integer, false, false),
            attr("price", AttrType::Decimal, false, false),
            attr("sizes", AttrType::Integer, true, false),
            attr("blob", AttrType::Binary, false, false),
            attr("code", AttrType::String, false, true),
        ],
    });
    r.add_resource_type(ResourceType {
        id: None,
        name: "Widget".into(),
        endpoint: "/Widgets".into(),
        description: String::new(),
        schema: "urn:example:Widget".into(),
        schema_extensions: Vec::new(),
    });
    r
}

#[test]
fn integers_and_decimals_compare_numerically() {
    let reg = widget_registry();
    let view = reg.view("Widget").expect("widget view");
    let widgets = [
        json!({"id": "w1", "count": 3, "price": 9.5, "sizes": [1, 2], "blob": "QUJD", "code": "Ab"}),
        json!({"id": "w2", "count": 10, "price": 10, "sizes": [], "code": "ab"}),
        json!({"id": "w3", "count": 9007199254740993_i64, "price": 10.25}),
    ];
    let ids = |text: &str| -> Result<Vec<String>, ScimError> {
        let m = Matcher::compile(&parse(text), &view)?;
        Ok(widgets.iter().filter(|w| m.matches(w)).map(|w| w["id"].as_str().unwrap_or("?").to_owned()).collect())
    };
    let ok = |text: &str| ids(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(ok("count gt 3"), ["w2", "w3"]);
    assert_eq!(ok("count eq 3.0"), ["w1"]);
    assert_eq!(ok("count gt 9007199254740992"), ["w3"]);
    assert_eq!(ok("price le 10"), ["w1", "w2"]);
    assert_eq!(ok("price gt 10.2"), ["w3"]);
    assert_eq!(ok("sizes eq 2"), ["w1"]);
    assert_eq!(ok("sizes ne 2"), ["w2", "w3"]);
    assert_eq!(ok(r#"blob eq "QUJD""#), ["w1"]);
    assert_eq!(ok(r#"blob eq "qujd""#), Vec::<String>::new());
    assert_eq!(ok(r#"code eq "ab""#), ["w2"]);
    for (text, name) in [
        (r#"count co "3""#, "count"),
        (r#"count eq "3""#, "count"),
        ("price sw 1", "price"),
        ("price eq true", "price"),
        (r#"blob lt "QUJD""#, "blob"),
        ("code eq 3", "code"),
    ] {
        let e = ids(text).expect_err(text);
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidFilter)), "{text}");
        assert!(e.detail.contains(name), "{text}: {}", e.detail);
    }
}

#[test]
fn the_convenience_function_compiles_and_tests() {
    let view = SchemaRegistry::core().user();
    assert_eq!(filter::matches(&parse(r#"userName eq "BJENSEN@example.com""#), &view, &bjensen()), Ok(true));
    assert!(filter::matches(&parse("active lt true"), &view, &bjensen()).is_err());
}

/// Laws over generated populations and filters (needs the `arbitrary` feature for the strategies).
#[cfg(feature = "arbitrary")]
mod laws {
    use super::*;
    use proptest::prelude::*;
    use scimlab_protocol::arbitrary::users::{arb_user_filter, arb_users};

    /// A deliberately naive reading of the rules, enough for the filters `arb_user_filter` produces: keys compared by
    /// lowercasing, case-insensitive strings lowercased on both sides, instants parsed on both sides, no compilation.
    fn reference(f: &Filter, ctx: &Value) -> bool {
        match f {
            Filter::And(a, b) => reference(a, ctx) && reference(b, ctx),
            Filter::Or(a, b) => reference(a, ctx) || reference(b, ctx),
            Filter::Not(a) => !reference(a, ctx),
            Filter::ValuePath(vp) => values_at(ctx, &vp.attr).into_iter().any(|e| reference(&vp.filter, e)),
            Filter::Attr(e) => {
                let values = values_at(ctx, &e.path);
                let name = e.path.sub.as_deref().unwrap_or(&e.path.name).to_lowercase();
                match &e.test {
                    Test::Present => values.iter().any(|v| !matches!(v, Value::Null) && *v != ""),
                    Test::Compare(CompareOp::Ne, lit) => {
                        let eq = Test::Compare(CompareOp::Eq, lit.clone());
                        !reference(&Filter::Attr(AttrExp { path: e.path.clone(), test: eq }), ctx)
                    }
                    Test::Compare(op, lit) => values.iter().any(|v| naive_compare(&name, v, *op, lit)),
                }
            }
        }
    }

    fn naive_compare(name: &str, v: &Value, op: CompareOp, lit: &CompValue) -> bool {
        match (v, lit) {
            (Value::Bool(b), CompValue::Bool(l)) => op == CompareOp::Eq && b == l,
            (Value::String(s), CompValue::String(l)) if name == "lastmodified" => {
                let (Ok(a), Ok(b)) = (s.parse::<jiff::Timestamp>(), l.parse::<jiff::Timestamp>()) else {
                    return false;
                };
                match op {
                    CompareOp::Eq => a == b,
                    CompareOp::Gt => a > b,
                    CompareOp::Ge => a >= b,
                    CompareOp::Lt => a < b,
                    CompareOp::Le => a <= b,
                    _ => false,
                }
            }
            (Value::String(s), CompValue::String(l)) => {
                let (s, l) = if name == "id" { (s.clone(), l.clone()) } else { (s.to_lowercase(), l.to_lowercase()) };
                match op {
                    CompareOp::Eq => s == l,
                    CompareOp::Co => s.contains(&l),
                    CompareOp::Sw => s.starts_with(&l),
                    CompareOp::Ew => s.ends_with(&l),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The values a path reaches, arrays flattened; enterprise names are looked up under the extension.
    fn values_at<'v>(ctx: &'v Value, path: &AttrPath) -> Vec<&'v Value> {
        fn member<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
            v.as_object()?.iter().find(|(k, _)| k.to_lowercase() == key.to_lowercase()).map(|(_, v)| v)
        }
        fn flat<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
            match v {
                Value::Array(items) => items.iter().for_each(|i| flat(i, out)),
                _ => out.push(v),
            }
        }
        let in_extension = ["employeenumber", "department", "manager"].contains(&path.name.to_lowercase().as_str());
        let scope = match (&path.urn, in_extension) {
            (Some(urn), _) => member(ctx, urn),
            (None, true) => member(ctx, ENTERPRISE),
            (None, false) => Some(ctx),
        };
        let mut top = Vec::new();
        if let Some(v) = scope.and_then(|s| member(s, &path.name)) {
            flat(v, &mut top);
        }
        let Some(sub) = &path.sub else {
            return top;
        };
        let mut out = Vec::new();
        for v in top.into_iter().filter_map(|e| member(e, sub)) {
            flat(v, &mut out);
        }
        out
    }

    fn matched(f: &Filter, users: &[Value]) -> Vec<bool> {
        let m = Matcher::compile(f, &SchemaRegistry::core().user()).unwrap_or_else(|e| panic!("{f}: {e}"));
        users.iter().map(|u| m.matches(u)).collect()
    }

    /// Single-valued attributes and literals their users hold, for the `ne` law.
    fn arb_single_valued_eq() -> impl Strategy<Value = (AttrPath, CompValue)> {
        let s = |t: &str| CompValue::String(t.to_owned());
        prop_oneof![
            prop::sample::select(vec!["bjensen", "asmith", "BLee"])
                .prop_map(move |t| (AttrPath::simple("userName"), s(t))),
            prop::sample::select(vec!["Engineer", "tour guide"]).prop_map(move |t| (AttrPath::simple("title"), s(t))),
            prop::sample::select(vec!["Barbara", "ALICE"])
                .prop_map(move |t| (AttrPath::with_sub("name", "givenName"), s(t))),
            any::<bool>().prop_map(|b| (AttrPath::simple("active"), CompValue::Bool(b))),
            prop::sample::select(vec!["2011-05-13T04:42:34Z", "2015-07-01T14:00:00+02:00"])
                .prop_map(move |t| (AttrPath::with_sub("meta", "lastModified"), s(t))),
            prop::sample::select(vec!["1", "5"]).prop_map(move |t| (AttrPath::simple("employeeNumber"), s(t))),
            prop::sample::select(vec!["user-1", "user-3"])
                .prop_map(move |t| (AttrPath::with_sub("manager", "value"), s(t))),
        ]
    }

    proptest! {
        #[test]
        fn matcher_agrees_with_the_naive_reference(users in arb_users(0..12), f in arb_user_filter()) {
            let expected: Vec<bool> = users.iter().map(|u| reference(&f, u)).collect();
            prop_assert_eq!(matched(&f, &users), expected, "{}", f);
        }

        #[test]
        fn boolean_laws_hold(users in arb_users(0..12), a in arb_user_filter(), b in arb_user_filter()) {
            let (ma, mb) = (matched(&a, &users), matched(&b, &users));
            let not_a: Vec<bool> = ma.iter().map(|x| !x).collect();
            prop_assert_eq!(&matched(&Filter::not(a.clone()), &users), &not_a, "not is the complement");
            let both: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x && *y).collect();
            let either: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x || *y).collect();
            prop_assert_eq!(&matched(&Filter::and(a.clone(), b.clone()), &users), &both);
            prop_assert_eq!(&matched(&Filter::and(b.clone(), a.clone()), &users), &both, "and commutes");
            prop_assert_eq!(&matched(&Filter::or(a.clone(), b.clone()), &users), &either);
            prop_assert_eq!(&matched(&Filter::or(b.clone(), a.clone()), &users), &either, "or commutes");
            prop_assert_eq!(&matched(&Filter::and(a.clone(), a.clone()), &users), &ma, "and is idempotent");
            let (na, nb) = (Filter::not(a.clone()), Filter::not(b.clone()));
            prop_assert_eq!(
                matched(&Filter::not(Filter::and(a.clone(), b.clone())), &users),
                matched(&Filter::or(na.clone(), nb.clone()), &users),
                "De Morgan (and)"
            );
            prop_assert_eq!(
                matched(&Filter::not(Filter::or(a.clone(), b.clone())), &users),
                matched(&Filter::and(na, nb), &users),
                "De Morgan (or)"
            );
            // The printed text evaluates as the tree does.
            prop_assert_eq!(matched(&parse(&a.to_string()), &users), ma, "{}", a);
        }

        #[test]
        fn ne_is_not_eq_on_single_valued_attributes(users in arb_users(0..12), (path, lit) in arb_single_valued_eq()) {
            let ne = Filter::compare(path.clone(), CompareOp::Ne, lit.clone());
            let not_eq = Filter::not(Filter::compare(path, CompareOp::Eq, lit));
            prop_assert_eq!(matched(&ne, &users), matched(&not_eq, &users), "{}", ne);
        }
    }
}
