//! Projection (RFC 7644 3.9, 3.4.2.5), sorting (3.4.2.3), pagination and ListResponse (3.4.2, 3.4.2.4), and the
//! SearchRequest / query parameters (3.4.3), against the RFC's examples and a hand-built schema that has every
//! `returned` characteristic and every ordered type.

use scimlab_protocol::ScimType;
use scimlab_protocol::list::{DeviationKind, ListResponse, Page, Query, SearchRequest};
use scimlab_protocol::projection::Projection;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, LIST_RESPONSE_URN, SchemaRegistry, USER_URN};
use scimlab_protocol::sort::SortSpec;
use serde_json::{Value, json};

const DEVICE: &str = "urn:example:schemas:Device";
const AUDIT: &str = "urn:example:schemas:extension:Audit";

/// A resource type with `always`, `request` and `never` attributes and sub-attributes, and one of each ordered
/// type.
fn devices() -> SchemaRegistry {
    let mut r = SchemaRegistry::empty();
    let schemas = json!([
        { "id": DEVICE, "name": "Device", "attributes": [
            {"name": "serial", "type": "string", "caseExact": true, "returned": "always"},
            {"name": "label", "type": "string"},
            {"name": "secretQuestion", "type": "string", "returned": "request"},
            {"name": "pin", "type": "string", "returned": "never"},
            {"name": "ports", "type": "integer"},
            {"name": "weight", "type": "decimal"},
            {"name": "online", "type": "boolean"},
            {"name": "seen", "type": "dateTime"},
            {"name": "badge", "type": "complex", "subAttributes": [
                {"name": "code", "type": "string"},
                {"name": "kind", "type": "string", "returned": "always"},
                {"name": "hint", "type": "string", "returned": "request"},
                {"name": "secret", "type": "string", "returned": "never"}]},
            {"name": "tags", "type": "complex", "multiValued": true, "subAttributes": [
                {"name": "value", "type": "string"},
                {"name": "primary", "type": "boolean"},
                {"name": "note", "type": "string", "returned": "request"}]}
        ]},
        { "id": AUDIT, "name": "Audit", "attributes": [
            {"name": "owner", "type": "string"},
            {"name": "auditToken", "type": "string", "returned": "request"}
        ]}
    ]);
    r.load_schemas(&schemas).expect("schemas load");
    let types = json!([{ "name": "Device", "endpoint": "/Devices", "schema": DEVICE,
        "schemaExtensions": [{"schema": AUDIT, "required": false}] }]);
    r.load_resource_types(&types).expect("resource types load");
    r
}

fn device() -> Value {
    json!({
        "schemas": [DEVICE, AUDIT],
        "id": "d1",
        "serial": "S1",
        "label": "Lab",
        "secretQuestion": "q",
        "pin": "1234",
        "badge": {"code": "c", "kind": "k", "hint": "h", "secret": "s"},
        "tags": [{"value": "a", "primary": true, "note": "n"}, {"note": "only a note"}],
        AUDIT: {"owner": "o", "auditToken": "t"},
        "meta": {"resourceType": "Device", "version": "W/\"1\""}
    })
}

/// Projects with both `apply` and `apply_in_place` and checks they agree.
fn project(attrs: Option<&str>, excluded: Option<&str>, reg: &SchemaRegistry, view: &str, v: &Value) -> Value {
    let view = reg.view(view).expect("view");
    let p = Projection::parse(attrs, excluded, &view).expect("projection parses");
    let out = p.apply(v);
    let mut in_place = v.clone();
    p.apply_in_place(&mut in_place);
    assert_eq!(out, in_place, "apply and apply_in_place disagree for {attrs:?} / {excluded:?}");
    out
}

fn dev(attrs: Option<&str>, excluded: Option<&str>) -> Value {
    project(attrs, excluded, &devices(), "Device", &device())
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
}

/// RFC 7644 section 3.4.1's bjensen.
fn bjensen() -> Value {
    json!({
        "schemas": [USER_URN],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "bjensen",
        "meta": {
            "resourceType": "User",
            "created": "2011-08-01T18:29:49.793Z",
            "lastModified": "2011-08-01T18:29:49.793Z",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
            "version": "W/\"f250dd84f0671c3\""
        },
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
        "userName": "bjensen",
        "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
        "emails": [{"value": "bjensen@example.com", "type": "work"}]
    })
}

fn user(attrs: Option<&str>, excluded: Option<&str>, v: &Value) -> Value {
    project(attrs, excluded, SchemaRegistry::core(), "User", v)
}

// ---- projection ----

#[test]
fn rfc7644_3_9_attributes_user_name_example() {
    let out = user(Some("userName"), None, &bjensen());
    assert_eq!(
        out,
        json!({"schemas": [USER_URN], "id": "2819c223-7f76-453a-919d-413861904646", "userName": "bjensen"})
    );
}

#[test]
fn names_are_case_insensitive_urn_qualified_and_whitespace_tolerant() {
    let a = user(Some(" USERNAME , name.GIVENNAME "), None, &bjensen());
    let b = user(Some(&format!("{USER_URN}:userName,{USER_URN}:name.givenName")), None, &bjensen());
    assert_eq!(a, b);
    assert_eq!(a["name"], json!({"givenName": "Barbara"}));
    assert_eq!(keys(&a), ["schemas", "id", "name", "userName"]);
}

#[test]
fn excluded_attributes_cannot_remove_always_attributes() {
    let out = user(None, Some("id,schemas,meta,emails,name.formatted"), &bjensen());
    assert_eq!(keys(&out), ["schemas", "id", "externalId", "name", "userName", "phoneNumbers"]);
    assert_eq!(out["name"], json!({"familyName": "Jensen", "givenName": "Barbara"}));
}

#[test]
fn password_is_never_returned_even_when_asked_for() {
    let mut u = bjensen();
    u["password"] = json!("t1meMa$heen");
    assert!(user(None, None, &u).get("password").is_none());
    assert!(user(Some("password"), None, &u).get("password").is_none());
    assert!(user(None, Some("userName"), &u).get("password").is_none());
}

#[test]
fn a_sub_attribute_keeps_only_that_sub_attribute_of_each_element() {
    let mut u = bjensen();
    u["emails"] = json!([{"value": "a@x", "type": "work", "primary": true}, {"type": "home"}]);
    let out = user(Some("emails.value"), None, &u);
    assert_eq!(out["emails"], json!([{"value": "a@x"}]));
    // No element has the sub-attribute: the attribute goes.
    let out = user(Some("phoneNumbers.display"), None, &u);
    assert!(out.get("phoneNumbers").is_none());
    // Naming the complex keeps it whole.
    assert_eq!(user(Some("emails"), None, &u)["emails"], u["emails"]);
}

#[test]
fn extension_objects_follow_their_own_attributes_and_schemas_follows_them() {
    let mut u = bjensen();
    u["schemas"] = json!([USER_URN, ENTERPRISE_USER_URN]);
    u[ENTERPRISE_USER_URN] = json!({"employeeNumber": "701984", "department": "Tour Operations"});
    let only_number = user(Some(&format!("{ENTERPRISE_USER_URN}:employeeNumber")), None, &u);
    assert_eq!(only_number[ENTERPRISE_USER_URN], json!({"employeeNumber": "701984"}));
    assert_eq!(only_number["schemas"], json!([USER_URN, ENTERPRISE_USER_URN]));
    // Unqualified extension names resolve too (RFC 7644 section 3.10).
    assert_eq!(user(Some("employeeNumber"), None, &u), only_number);
    // Not named: the extension object goes, and so does its URN.
    let no_ext = user(Some("userName"), None, &u);
    assert!(no_ext.get(ENTERPRISE_USER_URN).is_none());
    assert_eq!(no_ext["schemas"], json!([USER_URN]));
    // A bare extension URN names it whole, or excludes it whole.
    assert_eq!(user(Some(ENTERPRISE_USER_URN), None, &u)[ENTERPRISE_USER_URN], u[ENTERPRISE_USER_URN]);
    let excluded = user(None, Some(ENTERPRISE_USER_URN), &u);
    assert!(excluded.get(ENTERPRISE_USER_URN).is_none());
    assert_eq!(excluded["schemas"], json!([USER_URN]));
    // A bare core URN names every core attribute.
    assert_eq!(user(Some(USER_URN), None, &u), no_ext_but_all(&u));
}

fn no_ext_but_all(u: &Value) -> Value {
    let mut v = u.clone();
    let o = v.as_object_mut().expect("object");
    o.shift_remove(ENTERPRISE_USER_URN);
    o.insert("schemas".into(), json!([USER_URN]));
    v
}

#[test]
fn unknown_names_are_ignored_and_bad_notation_is_refused() {
    let min = json!({"schemas": [USER_URN], "id": "2819c223-7f76-453a-919d-413861904646"});
    assert_eq!(user(Some("noSuchAttribute,name.noSuchSub"), None, &bjensen()), min);
    assert_eq!(user(None, Some("noSuchAttribute"), &bjensen()), bjensen());
    // A member the schema lacks still answers to its name.
    let mut u = bjensen();
    u["x-custom"] = json!(1);
    assert_eq!(user(Some("x-custom"), None, &u)["x-custom"], json!(1));
    let view = SchemaRegistry::core().user();
    for bad in ["emails[type eq \"work\"]", "name.givenName.x", "user name", "1st"] {
        let e = Projection::parse(Some(bad), None, &view).expect_err(bad);
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidValue)), "{bad}");
        assert!(e.detail.starts_with("attributes:"), "{}", e.detail);
    }
    let e = Projection::parse(None, Some("a b"), &view).expect_err("bad excluded");
    assert!(e.detail.starts_with("excludedAttributes:"), "{}", e.detail);
}

#[test]
fn returned_characteristics_by_default() {
    let out = dev(None, None);
    assert_eq!(keys(&out), ["schemas", "id", "serial", "label", "badge", "tags", AUDIT, "meta"]);
    assert_eq!(out["badge"], json!({"code": "c", "kind": "k"}));
    assert_eq!(out["tags"], json!([{"value": "a", "primary": true}]));
    assert_eq!(out[AUDIT], json!({"owner": "o"}));
}

#[test]
fn returned_characteristics_with_attributes() {
    let out = dev(Some("label"), None);
    assert_eq!(out, json!({"schemas": [DEVICE], "id": "d1", "serial": "S1", "label": "Lab"}));
    // A named complex keeps its request sub-attributes, never its never ones.
    assert_eq!(dev(Some("badge"), None)["badge"], json!({"code": "c", "kind": "k", "hint": "h"}));
    // A named sub-attribute keeps the always ones beside it.
    assert_eq!(dev(Some("badge.code"), None)["badge"], json!({"code": "c", "kind": "k"}));
    assert_eq!(dev(Some("badge.secret"), None)["badge"], json!({"kind": "k"}));
    let asked = dev(Some("secretQuestion,pin,tags.note"), None);
    assert_eq!(asked["secretQuestion"], "q");
    assert!(asked.get("pin").is_none());
    assert_eq!(asked["tags"], json!([{"note": "n"}, {"note": "only a note"}]));
    assert_eq!(dev(Some(AUDIT), None)[AUDIT], json!({"owner": "o", "auditToken": "t"}));
    assert_eq!(dev(Some("auditToken"), None)[AUDIT], json!({"auditToken": "t"}));
}

#[test]
fn returned_characteristics_with_excluded_attributes() {
    let out = dev(None, Some("serial,label,badge.kind,badge.code,meta"));
    assert_eq!(keys(&out), ["schemas", "id", "serial", "badge", "tags", AUDIT]);
    assert_eq!(out["badge"], json!({"kind": "k"}));
    let out = dev(None, Some("owner"));
    assert!(out.get(AUDIT).is_none());
    assert_eq!(out["schemas"], json!([DEVICE]));
}

#[test]
fn non_objects_and_empty_values_pass_through() {
    let view = devices();
    let view = view.view("Device").expect("view");
    let p = Projection::parse(Some("label"), None, &view).expect("parses");
    assert_eq!(p.apply(&json!([1, 2])), json!([1, 2]));
    let v = json!({"id": "x", "label": [], "badge": {}});
    assert_eq!(p.apply(&v), json!({"id": "x", "label": []}));
    assert!(Projection::default_for(&view).is_default());
}

// ---- sorting ----

fn spec(by: &str, order: Option<&str>, reg: &SchemaRegistry, view: &str) -> SortSpec {
    SortSpec::parse(by, order, &reg.view(view).expect("view")).expect("sortBy parses")
}

fn sorted_ids(s: &SortSpec, mut items: Vec<Value>) -> Vec<String> {
    s.sort(&mut items);
    assert!(s.is_sorted(&items));
    items.iter().map(|i| i["id"].as_str().unwrap_or("?").to_owned()).collect()
}

#[test]
fn strings_sort_case_insensitively_unless_case_exact() {
    let reg = devices();
    let items = vec![
        json!({"id": "1", "label": "bob", "serial": "b"}),
        json!({"id": "2", "label": "Alice", "serial": "B"}),
        json!({"id": "3", "label": "carol", "serial": "a"}),
    ];
    assert_eq!(sorted_ids(&spec("label", None, &reg, "Device"), items.clone()), ["2", "1", "3"]);
    assert_eq!(sorted_ids(&spec("label", Some("Descending"), &reg, "Device"), items.clone()), ["3", "1", "2"]);
    // serial is caseExact: code point order puts "B" before "a".
    assert_eq!(sorted_ids(&spec("serial", None, &reg, "Device"), items), ["2", "3", "1"]);
}

#[test]
fn missing_values_sort_last_ascending_and_first_descending() {
    let reg = devices();
    let items = vec![
        json!({"id": "none"}),
        json!({"id": "b", "label": "b"}),
        json!({"id": "empty", "label": ""}),
        json!({"id": "a", "label": "a"}),
        json!({"id": "null", "label": null}),
    ];
    assert_eq!(sorted_ids(&spec("label", None, &reg, "Device"), items.clone()), ["a", "b", "none", "empty", "null"]);
    assert_eq!(
        sorted_ids(&spec("label", Some("descending"), &reg, "Device"), items),
        ["none", "empty", "null", "b", "a"]
    );
}

#[test]
fn sorting_is_stable_in_both_directions() {
    let reg = devices();
    let items: Vec<Value> = ["x1", "y1", "x2", "y2", "x3"]
        .iter()
        .map(|id| json!({"id": id, "label": if id.starts_with('x') { "X" } else { "y" }}))
        .collect();
    assert_eq!(sorted_ids(&spec("label", None, &reg, "Device"), items.clone()), ["x1", "x2", "x3", "y1", "y2"]);
    assert_eq!(sorted_ids(&spec("label", Some("descending"), &reg, "Device"), items), ["y1", "y2", "x1", "x2", "x3"]);
}

#[test]
fn numbers_booleans_and_date_times_sort_by_value() {
    let reg = devices();
    let items = vec![
        json!({"id": "1", "ports": 10, "weight": 2.5, "online": true, "seen": "2011-08-01T18:29:49Z"}),
        json!({"id": "2", "ports": 9, "weight": -1, "online": false, "seen": "2011-08-01T20:00:00+03:00"}),
        json!({"id": "3", "ports": 100, "weight": 2.25, "online": true, "seen": "2011-08-01T18:00:00"}),
    ];
    assert_eq!(sorted_ids(&spec("ports", None, &reg, "Device"), items.clone()), ["2", "1", "3"]);
    assert_eq!(sorted_ids(&spec("weight", None, &reg, "Device"), items.clone()), ["2", "3", "1"]);
    assert_eq!(sorted_ids(&spec("online", None, &reg, "Device"), items.clone()), ["2", "1", "3"]);
    // 20:00+03:00 is 17:00Z, before 18:00 (no offset: UTC) and 18:29Z.
    assert_eq!(sorted_ids(&spec("seen", None, &reg, "Device"), items), ["2", "3", "1"]);
}

#[test]
fn wrongly_typed_values_sort_after_typed_ones_and_before_missing() {
    let reg = devices();
    let items = vec![json!({"id": "s", "ports": "7"}), json!({"id": "n"}), json!({"id": "i", "ports": 8})];
    assert_eq!(sorted_ids(&spec("ports", None, &reg, "Device"), items), ["i", "s", "n"]);
}

#[test]
fn multi_valued_attributes_sort_by_primary_else_first_value() {
    let reg = SchemaRegistry::core();
    let items = vec![
        json!({"id": "p", "emails": [{"value": "zed@x"}, {"value": "alpha@x", "primary": true}]}),
        json!({"id": "f", "emails": [{"type": "home"}, {"value": "beta@x"}, {"value": "aaa@x"}]}),
        json!({"id": "s", "emails": [{"value": "Aardvark@x", "primary": "True"}]}),
    ];
    let by_value = spec("emails.value", None, reg, "User");
    assert_eq!(sorted_ids(&by_value, items.clone()), ["s", "p", "f"]);
    // `emails` alone means its value sub-attribute.
    assert_eq!(spec("emails", None, reg, "User"), by_value);
    assert_eq!(sorted_ids(&spec("emails.type", None, reg, "User"), items), ["f", "p", "s"]);
}

#[test]
fn extension_and_urn_qualified_sort_keys() {
    let reg = SchemaRegistry::core();
    let ext = |id: &str, n: &str| json!({"id": id, ENTERPRISE_USER_URN: {"employeeNumber": n}});
    let items = vec![ext("b", "2"), json!({"id": "none"}), ext("a", "10")];
    let s = spec(&format!("{ENTERPRISE_USER_URN}:employeeNumber"), None, reg, "User");
    assert_eq!(s.by.urn.as_deref(), Some(ENTERPRISE_USER_URN));
    // employeeNumber is a string: "10" < "2".
    assert_eq!(sorted_ids(&s, items.clone()), ["a", "b", "none"]);
    assert_eq!(sorted_ids(&spec("EMPLOYEENUMBER", None, reg, "User"), items), ["a", "b", "none"]);
    assert_eq!(spec(&format!("{USER_URN}:name.familyName"), None, reg, "User").by.name, "name");
}

#[test]
fn sort_parse_errors_name_the_parameter() {
    let view = SchemaRegistry::core().user();
    for (by, order, starts) in [
        ("noSuch", None, "sortBy:"),
        ("name", None, "sortBy:"),
        ("name.noSuch", None, "sortBy:"),
        ("emails[type eq \"work\"].value", None, "sortBy:"),
        ("userName", Some("downwards"), "sortOrder:"),
    ] {
        let e = SortSpec::parse(by, order, &view).expect_err(by);
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidValue)));
        assert!(e.detail.starts_with(starts), "{}", e.detail);
    }
}

// ---- pagination and ListResponse ----

#[test]
fn page_parameters_follow_rfc7644_3_4_2_4() {
    assert_eq!(Page::from_query(None, None, None), Ok(Page { start_index: 1, count: None }));
    assert_eq!(Page::from_query(Some("0"), Some("-5"), None), Ok(Page { start_index: 1, count: Some(0) }));
    assert_eq!(Page::from_query(Some("-3"), Some("0"), Some(50)), Ok(Page { start_index: 1, count: Some(0) }));
    assert_eq!(Page::from_query(Some("11"), Some("500"), Some(100)), Ok(Page { start_index: 11, count: Some(100) }));
    assert_eq!(Page::from_query(Some(""), None, Some(100)), Ok(Page { start_index: 1, count: Some(100) }));
    for (s, c, param) in
        [(Some("one"), None, "startIndex"), (None, Some("1.5"), "count"), (None, Some("10abc"), "count")]
    {
        let e = Page::from_query(s, c, None).expect_err(param);
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
        assert!(e.detail.starts_with(param), "{}", e.detail);
    }
    let items: Vec<u32> = (1..=25).collect();
    let p = Page { start_index: 11, count: Some(10) };
    assert_eq!(p.slice(&items), &items[10..20]);
    assert_eq!(Page { start_index: 21, count: Some(10) }.slice(&items), &items[20..]);
    assert!(Page { start_index: 30, count: None }.slice(&items).is_empty());
}

#[test]
fn list_response_always_carries_every_member() {
    let all: Vec<Value> = (1..=25).map(|i| json!({"id": i.to_string()})).collect();
    let page = ListResponse::paginate(all.clone(), &Page { start_index: 11, count: Some(10) });
    assert_eq!((page.total_results, page.items_per_page, page.start_index), (25, 10, 11));
    assert_eq!(page.resources.first(), Some(&json!({"id": "11"})));
    let empty = ListResponse::paginate(all, &Page { start_index: 1, count: Some(0) });
    assert_eq!(
        empty.to_json(),
        json!({"schemas": [LIST_RESPONSE_URN], "totalResults": 25, "itemsPerPage": 0, "startIndex": 1, "Resources": []})
    );
    let (back, dev) = ListResponse::read(&page.to_json()).expect("reads");
    assert_eq!((back, dev), (page, vec![]));
}

#[test]
fn list_response_reads_the_rfc_example_without_paging_members() {
    let v = json!({"schemas": [LIST_RESPONSE_URN], "totalResults": 2, "Resources": [
        {"id": "2819c223-7f76-453a-919d-413861904646", "userName": "bjensen"},
        {"id": "c75ad752-64ae-4823-840d-ffa80929976c", "userName": "jsmith"}]});
    let (l, dev) = ListResponse::read(&v).expect("reads");
    assert_eq!((l.total_results, l.items_per_page, l.start_index, l.resources.len()), (2, 2, 1, 2));
    assert_eq!(dev, vec![]);
}

#[test]
fn list_response_reader_reports_liberties() {
    let v = json!({"schemas": ["urn:x"], "totalResults": "100", "itemsPerPage": 3, "resources": [{"id": "1"}]});
    let (l, dev) = ListResponse::read(&v).expect("lenient");
    assert_eq!((l.total_results, l.items_per_page, l.resources.len()), (100, 3, 1));
    let kinds: Vec<(&str, &DeviationKind)> = dev.iter().map(|d| (d.member.as_str(), &d.kind)).collect();
    assert!(kinds.contains(&("schemas", &DeviationKind::WrongSchema)), "{dev:?}");
    assert!(kinds.contains(&("totalResults", &DeviationKind::IntegerAsString)), "{dev:?}");
    assert!(kinds.contains(&("Resources", &DeviationKind::NameCase { found: "resources".into() })), "{dev:?}");
    assert!(kinds.contains(&("startIndex", &DeviationKind::Missing)), "{dev:?}");
    assert!(kinds.iter().any(|(m, k)| *m == "itemsPerPage" && matches!(k, DeviationKind::Inconsistent { .. })));
    let no_resources = json!({"schemas": [LIST_RESPONSE_URN], "totalResults": 3});
    let (_, dev) = ListResponse::read(&no_resources).expect("lenient");
    assert!(dev.iter().any(|d| d.member == "Resources" && d.kind == DeviationKind::Missing), "{dev:?}");
    for bad in [json!([]), json!({"totalResults": -1}), json!({"totalResults": "x"}), json!({"Resources": {}})] {
        let e = ListResponse::from_json(&bad).expect_err("unreadable");
        assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax), "{bad}");
    }
}

// ---- SearchRequest and Query ----

#[test]
fn search_request_rfc7644_3_4_3_example_round_trips() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["displayName", "userName"],
        "filter": "displayName sw \"smith\"",
        "startIndex": 1,
        "count": 10
    });
    let req = SearchRequest::from_json(&body).expect("reads");
    assert_eq!(req.attributes, ["displayName", "userName"]);
    assert_eq!((req.start_index, req.count), (Some(1), Some(10)));
    assert_eq!(req.to_json(), body);
    let q = Query::from_search(&req);
    let get = Query::from_pairs([
        ("attributes", "displayName,userName"),
        ("filter", "displayName sw \"smith\""),
        ("startIndex", "1"),
        ("count", "10"),
    ])
    .expect("reads");
    assert_eq!(q, get);
}

#[test]
fn search_request_refusals() {
    let no_urn = json!({"schemas": [], "filter": "x pr"});
    let e = SearchRequest::from_json(&no_urn).expect_err("no urn");
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
    let urn = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    for (bad, member) in [
        (json!({"schemas": [urn], "attributes": "userName"}), "attributes"),
        (json!({"schemas": [urn], "count": "10"}), "count"),
        (json!({"schemas": [urn], "startIndex": 1.5}), "startIndex"),
        (json!({"schemas": [urn], "filter": 3}), "filter"),
    ] {
        let e = SearchRequest::from_json(&bad).expect_err(member);
        assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
        assert!(e.detail.contains(member), "{}", e.detail);
    }
}

#[test]
fn query_pairs_names_repeats_and_use() {
    let q = Query::from_pairs([
        ("SORTBY", "userName"),
        ("sortorder", "descending"),
        ("attributes", "userName"),
        ("Attributes", "emails"),
        ("domain", "ignored"),
        ("filter", ""),
        ("count", "2"),
    ])
    .expect("reads");
    assert_eq!(q.attributes.as_deref(), Some("userName,emails"));
    assert_eq!(q.filter, None);
    let e = Query::from_pairs([("filter", "a pr"), ("FILTER", "b pr")]).expect_err("repeat");
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    let view = SchemaRegistry::core().user();
    let s = q.sort(&view).expect("sort").expect("given");
    assert!(s.descending);
    assert_eq!(q.page(Some(100)), Ok(Page { start_index: 1, count: Some(2) }));
    assert!(!q.projection(&view).expect("projection").is_default());
    assert_eq!(Query::from_pairs([("sortOrder", "sideways")]).expect("reads").sort(&view), Ok(None));
    assert_eq!(q.to_pairs()[0], ("attributes", "userName,emails"));
}

/// Sorting against a reference: std's stable sort by [`SortSpec::compare`] on generated users.
#[cfg(feature = "arbitrary")]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use scimlab_protocol::arbitrary::users::{arb_user, arb_users};

    const KEYS: [&str; 7] =
        ["userName", "name.familyName", "emails.value", "meta.lastModified", "active", "title", "employeeNumber"];

    proptest! {
        #[test]
        fn sort_matches_a_stable_reference(users in arb_users(0..30), k in 0..KEYS.len(), desc in any::<bool>()) {
            let view = SchemaRegistry::core().user();
            let s = SortSpec::parse(KEYS[k], Some(if desc { "descending" } else { "ascending" }), &view).expect("parses");
            let mut fast = users.clone();
            s.sort(&mut fast);
            let mut reference = users;
            reference.sort_by(|a, b| s.compare(a, b));
            prop_assert_eq!(&fast, &reference);
            prop_assert!(s.is_sorted(&fast));
        }

        #[test]
        fn projection_in_place_equals_copying(u in arb_user(), a in 0..6usize, e in any::<bool>()) {
            let names = ["userName", "emails.value", "name", ENTERPRISE_USER_URN, "employeeNumber,meta.created", "id,nosuch"];
            let view = SchemaRegistry::core().user();
            let p = if e { Projection::parse(None, Some(names[a]), &view) } else { Projection::parse(Some(names[a]), None, &view) };
            let p = p.expect("parses");
            let mut in_place = u.clone();
            p.apply_in_place(&mut in_place);
            prop_assert_eq!(p.apply(&u), in_place);
        }
    }
}
