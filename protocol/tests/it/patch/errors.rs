//! Every error PATCH can answer, with its scimType and a detail naming the operation and path; and atomicity:
//! a failed request leaves the resource exactly as it was (the `run` helper checks that for every test here).

use super::{ENT, bjensen, body, groups, refused, run, strict, tour_guides, users};
use scimlab_protocol::patch::{PatchOptions, PatchRequest};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::{Value, json};

fn strict_opts() -> PatchOptions {
    PatchOptions::strict()
}

fn read_error(b: Value) -> ScimError {
    match PatchRequest::from_json(&b, &strict_opts()) {
        Ok(r) => panic!("expected an error, read {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn malformed_bodies_are_invalid_syntax() {
    let cases = [
        (json!([]), "must be a JSON object"),
        (json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}), "schemas"),
        (json!({"schemas": ["urn:x"], "Operations": [{"op": "add", "path": "title", "value": "x"}]}), "schemas"),
        (json!({"schemas": [scimlab_protocol::schema::PATCH_OP_URN]}), "Operations is missing"),
        (body(json!([])), "Operations is empty"),
        (body(json!({"op": "add"})), "Operations must be an array"),
        (body(json!(["add"])), "Operations[0]: an operation must be an object"),
        (
            body(json!([{"op": "add", "path": "title", "value": "x"}, {"op": "move", "path": "title"}])),
            "Operations[1] (move title): unknown op \"move\"",
        ),
        (body(json!([{"path": "title", "value": "x"}])), "Operations[0] (path title): op is missing"),
        (body(json!([{"op": 1, "path": "title", "value": "x"}])), "Operations[0] (path title): op must be the string"),
        (
            body(json!([{"op": "Replace", "path": "title", "value": "x"}])),
            "Operations[0] (Replace title): op \"Replace\" must be written \"replace\"",
        ),
        (
            body(json!([{"op": "remove", "path": "members", "value": [{"value": "1"}]}])),
            "Operations[0] (remove members): remove takes no value",
        ),
    ];
    for (b, needle) in cases {
        let e = read_error(b.clone());
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidSyntax)), "{b}: {e}");
        assert!(e.detail.contains(needle), "{b}: detail {:?} lacks {needle:?}", e.detail);
    }
}

#[test]
fn member_names_of_the_body_ignore_case() {
    let b = json!({"SCHEMAS": [scimlab_protocol::schema::PATCH_OP_URN], "operations": [{"OP": "add", "Path": "title", "VALUE": "x"}]});
    let (req, used) = PatchRequest::from_json(&b, &strict_opts()).expect("reads");
    assert!(used.is_empty());
    assert_eq!(req.operations.len(), 1);
    assert_eq!(req.operations[0].raw_path.as_deref(), Some("title"));
}

#[test]
fn add_and_replace_need_a_value() {
    for ops in [json!([{"op": "add", "path": "title"}]), json!([{"op": "replace", "path": "title", "value": null}])] {
        let e = read_error(body(ops.clone()));
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{ops}: {e}");
        assert!(e.detail.starts_with("Operations[0] ("), "{}", e.detail);
    }
}

#[test]
fn remove_without_a_path_is_no_target() {
    let e = read_error(body(json!([{"op": "remove"}])));
    assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    assert!(e.detail.starts_with("Operations[0] (remove): "), "{}", e.detail);
}

#[test]
fn bad_paths_are_invalid_path() {
    let cases: [(&str, Value, bool, &str); 8] = [
        ("emails[type eq", json!("x"), true, "Operations[0] (replace emails[type eq): "),
        ("nickNames", json!("x"), true, "no attribute \"nickNames\""),
        ("name.nick", json!("x"), true, "name has no sub-attribute \"nick\""),
        ("userName.first", json!("x"), true, "userName is not complex"),
        ("name[givenName eq \"Barbara\"].familyName", json!("x"), true, "name is single-valued"),
        ("emails[kind eq \"work\"].value", json!("x"), true, "the filter names \"kind\""),
        ("urn:example:ext:1.0:User:badge", json!("x"), true, "is not a schema of the User resource type"),
        ("urn:ietf:params:scim:schemas:core:2.0:User", json!({"title": "x"}), true, "is the core schema"),
    ];
    for (path, value, user, needle) in cases {
        let view = if user { users() } else { groups() };
        let e = refused(
            &bjensen(),
            json!([{"op": "replace", "path": path, "value": value}]),
            &view,
            &strict_opts(),
            ScimType::InvalidPath,
        );
        assert!(e.detail.contains(needle), "{path}: detail {:?} lacks {needle:?}", e.detail);
    }
}

#[test]
fn the_rfcs_own_display_name_path_is_invalid_for_the_core_group_schema() {
    // RFC 7644 section 3.5.2 shows `members[value eq "..."].displayName`, but RFC 7643's Group members have
    // `display`, not `displayName`.
    let e = refused(
        &tour_guides(),
        json!([{"op": "remove", "path": "members[value eq \"2819c223-7f76-453a-919d-413861904646\"].displayName"}]),
        &groups(),
        &strict_opts(),
        ScimType::InvalidPath,
    );
    assert!(e.detail.contains("members has no sub-attribute \"displayName\""), "{}", e.detail);
}

#[test]
fn a_filter_that_matches_nothing_is_no_target() {
    let e = refused(
        &bjensen(),
        json!([
            {"op": "replace", "path": "displayName", "value": "Babs"},
            {"op": "add", "path": "title", "value": "Guide"},
            {"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@example.com"}
        ]),
        &users(),
        &strict_opts(),
        ScimType::NoTarget,
    );
    assert!(
        e.detail.starts_with(
            "Operations[2] (replace emails[type eq \"other\"].value): no element of emails matches the filter"
        ),
        "{}",
        e.detail
    );
    let e = refused(
        &tour_guides(),
        json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
        &groups(),
        &strict_opts(),
        ScimType::NoTarget,
    );
    assert!(e.detail.starts_with("Operations[0] (remove members[value eq \"nobody\"]): no element of members"));
    // add creates a missing element only when the filter says what it holds.
    let work_only = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "w",
                           "emails": [{"type": "work", "value": "w@example.com"}]});
    let e = refused(
        &work_only,
        json!([{"op": "add", "path": "emails[type ne \"work\"].value", "value": "x@example.com"}]),
        &users(),
        &strict_opts(),
        ScimType::NoTarget,
    );
    assert!(e.detail.contains("only eq terms joined by and"), "{}", e.detail);
    // Remove by filter on an attribute without a value finds nothing either.
    refused(
        &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}),
        json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
        &users(),
        &strict_opts(),
        ScimType::NoTarget,
    );
}

#[test]
fn values_of_the_wrong_type_are_invalid_value() {
    let cases = [
        (json!([{"op": "replace", "path": "active", "value": "yes"}]), "expected a boolean"),
        (json!([{"op": "replace", "path": "active", "value": "False"}]), "expected a boolean"),
        (json!([{"op": "add", "path": "emails", "value": {"value": "a@b.c"}}]), "expected an array"),
        (
            json!([{"op": "add", "path": "emails", "value": [{"value": "a@b.c", "kind": "x"}]}]),
            "unknown sub-attribute \"kind\"",
        ),
        (json!([{"op": "replace", "path": "name", "value": "Barbara Jensen"}]), "expected an object"),
        (json!([{"op": "replace", "path": "userName", "value": ["a"]}]), "expected a string"),
        (json!([{"op": "replace", "value": "Babs"}]), "a path-less replace takes an object"),
        (json!([{"op": "replace", "value": {"nickNames": "Babs"}}]), "no attribute \"nickNames\""),
        (json!([{"op": "replace", "value": {"name.givenName": "Babs"}}]), "dotted name"),
        (json!([{"op": "replace", "value": {ENT: "x"}}]), "takes an object of its attributes"),
        (
            json!([{"op": "add", "path": "emails", "value": [
                {"value": "a@example.com", "primary": true}, {"value": "b@example.com", "primary": true}
            ]}]),
            "more than one element of emails would be primary",
        ),
        (
            json!([{"op": "replace", "path": "emails.primary", "value": true}]),
            "more than one element of emails would be primary",
        ),
        (
            json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "271"}]),
            "expected an object",
        ),
    ];
    for (ops, needle) in cases {
        let e = refused(&bjensen(), ops.clone(), &users(), &strict_opts(), ScimType::InvalidValue);
        assert!(e.detail.starts_with("Operations[0] ("), "{}", e.detail);
        assert!(e.detail.contains(needle), "{ops}: detail {:?} lacks {needle:?}", e.detail);
    }
}

#[test]
fn read_only_attributes_refuse_changes_but_not_their_own_value() {
    let cases = [
        json!([{"op": "replace", "path": "id", "value": "other"}]),
        json!([{"op": "remove", "path": "meta"}]),
        json!([{"op": "replace", "path": "meta.version", "value": "W/\"1\""}]),
        json!([{"op": "add", "path": "groups", "value": [{"value": "g1"}]}]),
        json!([{"op": "replace", "value": {"id": "other", "displayName": "B"}}]),
        json!([{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "value": "Jane"}]),
        json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "1", "displayName": "Jane"}}]),
    ];
    for ops in cases {
        let e = refused(&bjensen(), ops.clone(), &users(), &strict_opts(), ScimType::Mutability);
        assert!(e.detail.starts_with("Operations[0] ("), "{}", e.detail);
        assert!(e.detail.contains("readOnly"), "{ops}: {}", e.detail);
    }
    // Okta's path-less replace repeats the unchanged id: nothing is modified, so it is allowed.
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "value": {"id": "2819c223-7f76-453a-919d-413861904646", "displayName": "B"}}]),
        &users(),
    );
    assert_eq!(after["displayName"], "B");
    // Replacing the manager's value leaves its readOnly displayName alone.
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "path": format!("{ENT}:manager"), "value": {"value": "271"}}]),
        &users(),
    );
    assert_eq!(after[ENT]["manager"], json!({"value": "271", "displayName": "John Smith"}));
}

#[test]
fn immutable_member_sub_attributes_allow_new_elements_only() {
    let babs = "2819c223-7f76-453a-919d-413861904646";
    // A new member element may carry value, display and $ref: they have no value yet.
    let after = strict(
        &tour_guides(),
        json!([{"op": "add", "path": "members", "value": [{"value": "u3", "display": "Cy"}]}]),
        &groups(),
    );
    assert_eq!(after["members"][2], json!({"value": "u3", "display": "Cy"}));
    // Changing or removing them on a stored element is refused.
    let cases = [
        json!([{"op": "replace", "path": format!("members[value eq \"{babs}\"].value"), "value": "other"}]),
        json!([{"op": "replace", "path": format!("members[value eq \"{babs}\"]"), "value": {"value": "other"}}]),
        json!([{"op": "remove", "path": format!("members[value eq \"{babs}\"].display")}]),
        json!([{"op": "add", "path": format!("members[value eq \"{babs}\"].display"), "value": "Barbara"}]),
        json!([{"op": "replace", "path": "members.display", "value": "Same"}]),
    ];
    for ops in cases {
        let e = refused(&tour_guides(), ops.clone(), &groups(), &strict_opts(), ScimType::Mutability);
        assert!(e.detail.contains("immutable"), "{ops}: {}", e.detail);
    }
    // Setting an immutable sub-attribute that has no value yet is allowed.
    let after = strict(
        &tour_guides(),
        json!([{"op": "add", "path": format!("members[value eq \"{babs}\"].type"), "value": "User"}]),
        &groups(),
    );
    assert_eq!(after["members"][0]["type"], "User");
    // Removing whole members is fine.
    let after =
        strict(&tour_guides(), json!([{"op": "remove", "path": format!("members[value eq \"{babs}\"]")}]), &groups());
    assert_eq!(after["members"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_failed_request_leaves_the_resource_byte_for_byte() {
    let before = bjensen();
    let before_text = serde_json::to_string(&before).expect("serialise");
    let (req, _) = PatchRequest::from_json(
        &body(json!([
            {"op": "remove", "path": "displayName"},
            {"op": "add", "path": "nickName", "value": "Babs"},
            {"op": "replace", "path": format!("{ENT}:department"), "value": "Sales"},
            {"op": "remove", "path": ENT},
            {"op": "remove", "path": "emails[type eq \"work\"]"},
            {"op": "replace", "path": "active", "value": "no"}
        ])),
        &strict_opts(),
    )
    .expect("reads");
    let mut target = before.clone();
    let e = scimlab_protocol::patch::apply(&mut target, &req, &users(), &strict_opts()).expect_err("op 5 fails");
    assert!(e.detail.starts_with("Operations[5] (replace active): "), "{}", e.detail);
    assert_eq!(serde_json::to_string(&target).expect("serialise"), before_text);
}

#[test]
fn errors_are_reported_with_the_first_failing_operation() {
    let e = refused(
        &bjensen(),
        json!([
            {"op": "add", "path": "title", "value": "Guide"},
            {"op": "replace", "path": "userName", "value": 7},
            {"op": "replace", "path": "nope", "value": 1}
        ]),
        &users(),
        &strict_opts(),
        ScimType::InvalidValue,
    );
    assert!(e.detail.starts_with("Operations[1] (replace userName): "), "{}", e.detail);
    let (after, outcome, _) =
        run(&bjensen(), &body(json!([{"op": "add", "path": "title", "value": "x"}])), &users(), &strict_opts())
            .expect("applies");
    assert!(outcome.changed);
    assert_eq!(after["title"], "x");
}

#[test]
fn a_required_attribute_cannot_be_unassigned() {
    // RFC 7644 section 3.5.2: removing (or unassigning) a required attribute is answered with mutability.
    for ops in [
        json!([{"op": "remove", "path": "userName"}]),
        json!([{"op": "replace", "value": {"userName": null}}]),
        json!([{"op": "remove", "path": "schemas"}]),
    ] {
        let e = refused(&bjensen(), ops.clone(), &users(), &strict_opts(), ScimType::Mutability);
        assert!(e.detail.contains("is required"), "{ops}: {}", e.detail);
    }
    let e = refused(
        &tour_guides(),
        json!([{"op": "remove", "path": "displayName"}]),
        &groups(),
        &strict_opts(),
        ScimType::Mutability,
    );
    assert!(e.detail.starts_with("Operations[0] (remove displayName): displayName is required"), "{}", e.detail);
    // Changing it is fine.
    let after = strict(&bjensen(), json!([{"op": "replace", "path": "userName", "value": "babs"}]), &users());
    assert_eq!(after["userName"], "babs");
}
