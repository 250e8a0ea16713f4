//! The rules of RFC 7644 sections 3.5.2.1 to 3.5.2.3 one by one, beyond the RFC's own examples: value-path
//! creation, duplicates, extensions and `schemas`, `primary`, `changed`, member order, names in any case.

use super::{ENT, bjensen, body, groups, run, strict, tour_guides, users};
use scimlab_protocol::patch::{Leniency, PatchOptions};
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn minimal() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "min"})
}

#[test]
fn add_on_a_value_path_creates_the_missing_element() {
    let after = strict(
        &minimal(),
        json!([{"op": "add", "path": "emails[type eq \"work\"].value", "value": "w@example.com"}]),
        &users(),
    );
    assert_eq!(after["emails"], json!([{"type": "work", "value": "w@example.com"}]));
    // Two eq terms joined by and both go into the element.
    let after = strict(
        &minimal(),
        json!([{"op": "add", "path": "phoneNumbers[type eq \"work\" and display eq \"desk\"].value", "value": "555"}]),
        &users(),
    );
    assert_eq!(after["phoneNumbers"], json!([{"type": "work", "display": "desk", "value": "555"}]));
}

#[test]
fn add_on_a_value_path_sets_the_sub_attribute_of_every_match() {
    let mut u = minimal();
    u["emails"] = json!([{"type": "work", "value": "a@x.com"}, {"type": "home", "value": "b@x.com"}, {"type": "work", "value": "c@x.com"}]);
    let after =
        strict(&u, json!([{"op": "add", "path": "emails[type eq \"work\"].display", "value": "Work"}]), &users());
    assert_eq!(
        after["emails"],
        json!([{"type": "work", "value": "a@x.com", "display": "Work"}, {"type": "home", "value": "b@x.com"},
               {"type": "work", "value": "c@x.com", "display": "Work"}])
    );
    // Without a sub-attribute, add merges the given members into each match.
    let after =
        strict(&u, json!([{"op": "add", "path": "emails[type eq \"home\"]", "value": {"display": "Home"}}]), &users());
    assert_eq!(after["emails"][1], json!({"type": "home", "value": "b@x.com", "display": "Home"}));
}

#[test]
fn add_does_not_duplicate_a_value_already_present() {
    let (after, outcome, _) = run(
        &bjensen(),
        &body(json!([{"op": "add", "path": "emails", "value": [{"type": "home", "value": "babs@jensen.org"}]}])),
        &users(),
        &PatchOptions::strict(),
    )
    .expect("applies");
    assert_eq!(after, bjensen());
    assert!(!outcome.changed);
}

#[test]
fn setting_a_value_to_itself_is_not_a_change() {
    for ops in [
        json!([{"op": "replace", "path": "displayName", "value": "Babs Jensen"}]),
        json!([{"op": "replace", "value": {"active": true, "name": {"givenName": "Barbara"}}}]),
        json!([{"op": "remove", "path": "nickName"}]),
        json!([{"op": "add", "path": "title", "value": "x"}, {"op": "remove", "path": "title"}]),
    ] {
        let (after, outcome, _) =
            run(&bjensen(), &body(ops.clone()), &users(), &PatchOptions::strict()).expect("applies");
        assert_eq!(after, bjensen(), "{ops}");
        assert_eq!(keys(&after), keys(&bjensen()), "{ops}");
        assert!(!outcome.changed, "{ops}");
    }
}

#[test]
fn replacing_keeps_member_order_and_stored_spelling() {
    let after = strict(&bjensen(), json!([{"op": "replace", "path": "DISPLAYNAME", "value": "B"}]), &users());
    assert_eq!(keys(&after), keys(&bjensen()));
    let mut odd = minimal();
    odd["DisplayName"] = json!("Old");
    let after = strict(&odd, json!([{"op": "replace", "path": "displayName", "value": "New"}]), &users());
    assert_eq!(
        after,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "min", "DisplayName": "New"})
    );
}

#[test]
fn urn_qualified_names_resolve() {
    let after = strict(
        &bjensen(),
        json!([
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName", "value": "babs"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", "value": "Babs"},
            {"op": "replace", "value": {"urn:ietf:params:scim:schemas:core:2.0:User:nickName": "B"}}
        ]),
        &users(),
    );
    assert_eq!(
        (&after["userName"], &after["name"]["givenName"], &after["nickName"]),
        (&json!("babs"), &json!("Babs"), &json!("B"))
    );
}

#[test]
fn adding_an_extension_attribute_lists_the_extension() {
    let after =
        strict(&minimal(), json!([{"op": "add", "path": format!("{ENT}:department"), "value": "Sales"}]), &users());
    assert_eq!(
        after,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT], "id": "u1", "userName": "min",
               ENT: {"department": "Sales"}})
    );
    // The same through a path-less value holding the extension's object, and through the extension as the path.
    let a = strict(&minimal(), json!([{"op": "add", "value": {ENT: {"department": "Sales"}}}]), &users());
    let b = strict(&minimal(), json!([{"op": "add", "path": ENT, "value": {"department": "Sales"}}]), &users());
    assert_eq!(a, after);
    assert_eq!(b, after);
    // An unqualified extension attribute name resolves to the extension too.
    let c = strict(&minimal(), json!([{"op": "add", "value": {"department": "Sales"}}]), &users());
    assert_eq!(c, after);
}

#[test]
fn an_extension_left_empty_is_dropped_with_its_urn() {
    let mut u = minimal();
    u["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]);
    u[ENT] = json!({"department": "Sales"});
    let after = strict(&u, json!([{"op": "remove", "path": format!("{ENT}:department")}]), &users());
    assert_eq!(after, minimal());
    let after = strict(&bjensen(), json!([{"op": "remove", "path": ENT}]), &users());
    let mut expected = bjensen();
    expected.as_object_mut().expect("object").shift_remove(ENT);
    expected["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User"]);
    assert_eq!(after, expected);
}

#[test]
fn the_element_just_made_primary_wins() {
    let after = strict(
        &bjensen(),
        json!([{"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "other", "primary": true}]}]),
        &users(),
    );
    assert_eq!(
        after["emails"],
        json!([{"value": "bjensen@example.com", "type": "work", "primary": false}, {"value": "babs@jensen.org", "type": "home"},
               {"value": "new@example.com", "type": "other", "primary": true}])
    );
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]),
        &users(),
    );
    assert_eq!(after["emails"][0]["primary"], false);
    assert_eq!(after["emails"][1]["primary"], true);
    // The RFC's work-address replace marks it primary; the home address was not, so nothing else changes.
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "path": "addresses[type eq \"home\"]", "value": {"type": "home", "primary": true}}]),
        &users(),
    );
    assert_eq!(
        after["addresses"],
        json!([
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA",
             "postalCode": "91608", "country": "US", "primary": false},
            {"type": "home", "primary": true}
        ])
    );
}

#[test]
fn sub_attribute_paths_without_a_filter() {
    // name.givenName on a singular complex attribute.
    let after = strict(&minimal(), json!([{"op": "add", "path": "name.givenName", "value": "Min"}]), &users());
    assert_eq!(after["name"], json!({"givenName": "Min"}));
    let after = strict(&after, json!([{"op": "remove", "path": "name.givenName"}]), &users());
    assert_eq!(after, minimal());
    // emails.type on every element of a multi-valued one.
    let after = strict(&bjensen(), json!([{"op": "replace", "path": "emails.type", "value": "other"}]), &users());
    assert_eq!(after["emails"][0]["type"], "other");
    assert_eq!(after["emails"][1]["type"], "other");
    let after = strict(&bjensen(), json!([{"op": "remove", "path": "emails.type"}]), &users());
    assert_eq!(
        after["emails"],
        json!([{"value": "bjensen@example.com", "primary": true}, {"value": "babs@jensen.org"}])
    );
}

#[test]
fn removing_a_filtered_sub_attribute_keeps_the_element() {
    let mut u = minimal();
    u["emails"] = json!([{"type": "work", "value": "a@x.com", "display": "A"}, {"type": "home", "value": "b@x.com", "display": "B"}]);
    let after = strict(&u, json!([{"op": "remove", "path": "emails[type eq \"work\"].display"}]), &users());
    assert_eq!(
        after["emails"],
        json!([{"type": "work", "value": "a@x.com"}, {"type": "home", "value": "b@x.com", "display": "B"}])
    );
}

#[test]
fn replacing_with_an_empty_array_unassigns() {
    let after = strict(&tour_guides(), json!([{"op": "replace", "path": "members", "value": []}]), &groups());
    assert!(after.get("members").is_none());
    let after = strict(&tour_guides(), json!([{"op": "replace", "value": {"members": []}}]), &groups());
    assert!(after.get("members").is_none());
}

#[test]
fn null_in_a_path_less_value_unassigns() {
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "value": {"displayName": null, "name": {"formatted": null}}}]),
        &users(),
    );
    assert!(after.get("displayName").is_none());
    assert_eq!(after["name"], json!({"familyName": "Jensen", "givenName": "Barbara"}));
}

#[test]
fn lenient_string_booleans_reach_primary_inside_elements() {
    let (after, _, used) = run(
        &bjensen(),
        &body(json!([{"op": "add", "path": "emails", "value": [{"value": "x@example.com", "primary": "True"}]}])),
        &users(),
        &PatchOptions::lenient(),
    )
    .expect("applies");
    assert_eq!(after["emails"][2], json!({"value": "x@example.com", "primary": true}));
    assert_eq!(after["emails"][0]["primary"], false);
    assert_eq!(used.iter().map(|u| u.leniency).collect::<Vec<_>>(), [Leniency::StringBoolean]);
}

#[test]
fn lenient_dotted_urn_keys() {
    let (after, _, used) = run(
        &bjensen(),
        &body(json!([{"op": "replace", "value": {format!("{ENT}:manager.value"): "271"}}])),
        &users(),
        &PatchOptions::lenient(),
    )
    .expect("applies");
    assert_eq!(after[ENT]["manager"], json!({"value": "271", "displayName": "John Smith"}));
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].leniency, Leniency::DottedKey);
}

#[test]
fn lenient_replace_creates_a_filtered_element() {
    let (after, _, used) = run(
        &minimal(),
        &body(json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w@example.com"}])),
        &users(),
        &PatchOptions::lenient(),
    )
    .expect("applies");
    assert_eq!(after["emails"], json!([{"type": "work", "value": "w@example.com"}]));
    assert_eq!(used.iter().map(|u| u.leniency).collect::<Vec<_>>(), [Leniency::ReplaceCreatesFiltered]);
}

#[test]
fn removing_an_attribute_without_a_value_is_a_no_op() {
    let (after, outcome, _) = run(
        &minimal(),
        &body(json!([{"op": "remove", "path": "emails"}, {"op": "remove", "path": format!("{ENT}:manager")}])),
        &users(),
        &PatchOptions::strict(),
    )
    .expect("applies");
    assert_eq!(after, minimal());
    assert!(!outcome.changed);
}

#[test]
fn an_extension_the_request_does_not_change_keeps_its_schemas_entry() {
    let mut u = minimal();
    u["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]);
    let (after, outcome, _) = run(
        &u,
        &body(json!([{"op": "remove", "path": format!("{ENT}:department")}])),
        &users(),
        &PatchOptions::strict(),
    )
    .expect("applies");
    assert_eq!(after, u);
    assert!(!outcome.changed);
}

#[test]
fn only_an_operation_that_sets_primary_settles_it() {
    let mut u = minimal();
    u["emails"] = json!([{"type": "work", "value": "a@x.com", "primary": true}, {"type": "home", "value": "b@x.com", "primary": true}]);
    // Editing another sub-attribute leaves a stored pair of primaries alone.
    let after =
        strict(&u, json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "c@x.com"}]), &users());
    assert_eq!(after["emails"][1]["primary"], true);
    assert_eq!(after["emails"][0]["primary"], true);
    // Making one primary picks it.
    let after =
        strict(&u, json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]), &users());
    assert_eq!(
        after["emails"],
        json!([{"type": "work", "value": "a@x.com", "primary": false}, {"type": "home", "value": "b@x.com", "primary": true}])
    );
}

#[test]
fn writing_to_an_unlisted_extension_lists_it() {
    let mut u = minimal();
    u[ENT] = json!({"department": "Sales"});
    let after = strict(&u, json!([{"op": "replace", "path": format!("{ENT}:department"), "value": "Ops"}]), &users());
    assert_eq!(after["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]));
    assert_eq!(after[ENT], json!({"department": "Ops"}));
}
