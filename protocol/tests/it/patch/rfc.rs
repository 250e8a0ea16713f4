//! The PATCH examples of RFC 7644 sections 3.5.2.1 to 3.5.2.3, applied to concrete resources, with the whole
//! expected result written out.

use super::{bjensen, groups, strict, tour_guides, users};
use serde_json::{Value, json};

const BABS: &str = "2819c223-7f76-453a-919d-413861904646";
const MANDY: &str = "902c246b-6245-4190-8e05-00816be7344a";
const JAMES: &str = "08e1d05d-121c-4561-8b96-473d93df9210";

fn member(id: &str, name: &str) -> Value {
    json!({"display": name, "$ref": format!("https://example.com/v2/Users/{id}"), "value": id})
}

fn stored_member(id: &str, name: &str) -> Value {
    json!({"value": id, "$ref": format!("https://example.com/v2/Users/{id}"), "display": name})
}

fn group_with(members: Option<Vec<Value>>) -> Value {
    let mut g = tour_guides();
    match members {
        Some(m) => g["members"] = Value::Array(m),
        None => {
            g.as_object_mut().expect("object").shift_remove("members");
        }
    }
    g
}

#[test]
fn add_a_member_to_a_group() {
    // RFC 7644 section 3.5.2.1, first example: one member added to the group.
    let before = group_with(Some(vec![stored_member(MANDY, "Mandy Pepperidge")]));
    let after =
        strict(&before, json!([{"op": "add", "path": "members", "value": [member(BABS, "Babs Jensen")]}]), &groups());
    assert_eq!(after, group_with(Some(vec![stored_member(MANDY, "Mandy Pepperidge"), member(BABS, "Babs Jensen")])));
}

#[test]
fn add_without_a_path_adds_each_attribute() {
    // RFC 7644 section 3.5.2.1: a path-less add of an email and a nickname.
    let before = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": BABS,
        "userName": "bjensen@example.com",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]
    });
    let after = strict(
        &before,
        json!([{"op": "add", "value": {"emails": [{"value": "babs@jensen.org", "type": "home"}], "nickname": "Babs"}}]),
        &users(),
    );
    assert_eq!(
        after,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": BABS,
            "userName": "bjensen@example.com",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "nickName": "Babs"
        })
    );
}

#[test]
fn remove_one_member_by_filter() {
    // RFC 7644 section 3.5.2.2: remove a single member.
    let after =
        strict(&tour_guides(), json!([{"op": "remove", "path": format!("members[value eq \"{BABS}\"]")}]), &groups());
    assert_eq!(after, group_with(Some(vec![stored_member(MANDY, "Mandy Pepperidge")])));
}

#[test]
fn remove_all_members() {
    // RFC 7644 section 3.5.2.2: remove every member; the attribute is unassigned.
    let after = strict(&tour_guides(), json!([{"op": "remove", "path": "members"}]), &groups());
    assert_eq!(after, group_with(None));
    assert!(after.get("members").is_none());
}

#[test]
fn remove_all_members_then_add_new_ones() {
    // RFC 7644 section 3.5.2.2: replace the member list with a remove followed by an add, in one request.
    let after = strict(
        &tour_guides(),
        json!([
            {"op": "remove", "path": "members"},
            {"op": "add", "path": "members", "value": [member(BABS, "Babs Jensen"), member(JAMES, "James Smith")]}
        ]),
        &groups(),
    );
    assert_eq!(after, group_with(Some(vec![member(BABS, "Babs Jensen"), member(JAMES, "James Smith")])));
    // The member stays where it was among the group's attributes.
    let keys: Vec<&String> = after.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["schemas", "id", "displayName", "members"]);
}

#[test]
fn remove_emails_by_a_compound_filter() {
    // RFC 7644 section 3.5.2.2: remove the work emails ending in example.com.
    let after = strict(
        &bjensen(),
        json!([{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]),
        &users(),
    );
    let mut expected = bjensen();
    expected["emails"] = json!([{"value": "babs@jensen.org", "type": "home"}]);
    assert_eq!(after, expected);
}

#[test]
fn replace_all_members() {
    // RFC 7644 section 3.5.2.3: replace the whole member list.
    let after = strict(
        &tour_guides(),
        json!([{"op": "replace", "path": "members", "value": [member(BABS, "Babs Jensen"), member(JAMES, "James Smith")]}]),
        &groups(),
    );
    assert_eq!(after, group_with(Some(vec![member(BABS, "Babs Jensen"), member(JAMES, "James Smith")])));
}

#[test]
fn replace_without_a_path() {
    // RFC 7644 section 3.5.2.3: a path-less replace of the emails and the nickname.
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "value": {
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            "nickname": "Babs"
        }}]),
        &users(),
    );
    let mut expected = bjensen();
    expected["emails"] = json!([{"value": "bjensen@example.com", "type": "work", "primary": true}]);
    expected["nickName"] = json!("Babs");
    assert_eq!(after, expected);
}

#[test]
fn replace_the_work_address() {
    // RFC 7644 section 3.5.2.3: the matching element is replaced whole.
    let new_work = json!({
        "type": "work",
        "streetAddress": "911 Universal City Plaza",
        "locality": "Hollywood",
        "region": "CA",
        "postalCode": "91608",
        "country": "US",
        "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
        "primary": true
    });
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": new_work.clone()}]),
        &users(),
    );
    let mut expected = bjensen();
    expected["addresses"][0] = new_work;
    assert_eq!(after, expected);
}

#[test]
fn replace_a_sub_attribute_of_the_filtered_element() {
    // RFC 7644 section 3.5.2.3: only streetAddress of the work address changes.
    let after = strict(
        &bjensen(),
        json!([{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}]),
        &users(),
    );
    let mut expected = bjensen();
    expected["addresses"][0]["streetAddress"] = json!("1010 Broadway Ave");
    assert_eq!(after, expected);
}

#[test]
fn add_with_a_complex_path_merges_sub_attributes() {
    // RFC 7644 section 3.5.2.1: adding to a complex attribute sets the given sub-attributes, keeps the others.
    let after = strict(&bjensen(), json!([{"op": "add", "path": "name", "value": {"middleName": "Jane"}}]), &users());
    let mut expected = bjensen();
    expected["name"]["middleName"] = json!("Jane");
    assert_eq!(after, expected);
}

#[test]
fn replace_of_an_absent_attribute_adds_it() {
    // RFC 7644 section 3.5.2.3: a replace whose target does not exist is an add.
    let after = strict(&bjensen(), json!([{"op": "replace", "path": "title", "value": "Tour Guide"}]), &users());
    let mut expected = bjensen();
    expected["title"] = json!("Tour Guide");
    assert_eq!(after, expected);
}
