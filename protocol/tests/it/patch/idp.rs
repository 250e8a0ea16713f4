//! The PATCH bodies real identity providers send (copied from `shared/reference/idp-wire/`, see
//! IDP-TRAFFIC.md sections 1 and 2): the strict reader applies the ones that keep to RFC 7644 and refuses the
//! others; the lenient one applies them all, recording exactly the leniencies each needed.

use super::{ENT, groups, run, users};
use scimlab_protocol::ScimType;
use scimlab_protocol::patch::{Leniency, PatchOptions};
use serde_json::{Value, json};
use std::path::Path;

use Leniency::{DottedKey, OpCase, RemoveValueList, ScalarForComplex, StringBoolean};

/// One captured body and what each reading of it should do.
struct Case {
    /// The file under `idp-wire/`.
    file: &'static str,
    /// Whether it is a Group PATCH.
    group: bool,
    body: Value,
    /// `None`: strict applies it, to the same result as lenient. `Some(t)`: strict refuses it with `t`.
    strict: Option<ScimType>,
    /// The leniencies the lenient reading records, in order.
    lenient: &'static [Leniency],
    /// Checks the lenient result.
    check: fn(&Value),
}

fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

/// A user as Entra ID provisions it (IDP-TRAFFIC.md section 1, Hire), before the update.
fn entra_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "id": "5b50642d-79fc-4410-9e90-4c077cdd1a59",
        "externalId": "jdoe",
        "userName": "jdoe@contoso.com",
        "active": true,
        "displayName": "Jane Doe",
        "title": "Engineer",
        "emails": [{"type": "work", "value": "jdoe@contoso.com", "primary": true}],
        "name": {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
        ENT: {"employeeNumber": "1001", "department": "R&D"}
    })
}

/// A group with the members the captured bodies name.
fn idp_group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
        "displayName": "Engineering",
        "members": [
            {"value": "7f4bc1a3-285e-48ae-8202-5accb43efb0e"},
            {"value": "u1091"},
            {"value": "f648f8d5ea4e4cd38e9c"},
            {"value": "89bb1940-b905-4575-9e7f-6f887cfb368e", "display": "old.user@okta.local"},
            {"value": "<user id>"}
        ]
    })
}

fn member_ids(g: &Value) -> Vec<&str> {
    g["members"].as_array().map(|m| m.iter().filter_map(|e| e["value"].as_str()).collect()).unwrap_or_default()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            file: "entra/add_single_value_attr_patch_aadOptscim062020.json",
            group: false,
            body: patch_op(json!([{"op": "add", "path": "nickName", "value": "Babs"}])),
            strict: None,
            lenient: &[],
            check: |u| assert_eq!(u["nickName"], "Babs"),
        },
        Case {
            file: "entra/add_single_value_attr_patch_default_noflag.json",
            group: false,
            body: patch_op(json!([{"op": "Add", "path": "nickName", "value": "Babs"}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            check: |u| assert_eq!(u["nickName"], "Babs"),
        },
        Case {
            file: "entra/disable_user_patch_aadOptscim062020.json",
            group: false,
            body: patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
            strict: None,
            lenient: &[],
            check: |u| assert_eq!(u["active"], false),
        },
        Case {
            file: "entra/disable_user_patch_default_noflag.json",
            group: false,
            body: patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, StringBoolean],
            check: |u| assert_eq!(u["active"], false),
        },
        Case {
            file: "entra/disable_user_patch_tutorial.json",
            group: false,
            body: json!({
                "Operations": [{"op": "Replace", "path": "active", "value": false}],
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
            }),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            check: |u| assert_eq!(u["active"], false),
        },
        Case {
            file: "entra/group_add_members_patch.json",
            group: true,
            body: patch_op(
                json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]),
            ),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            // Already a member: the element is not duplicated ($ref null means no $ref).
            check: |g| assert_eq!(member_ids(g).iter().filter(|m| **m == "f648f8d5ea4e4cd38e9c").count(), 1),
        },
        Case {
            file: "entra/group_remove_member_patch_aadOptscim062020.json",
            group: true,
            body: patch_op(
                json!([{"op": "remove", "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}]),
            ),
            strict: None,
            lenient: &[],
            check: |g| assert!(!member_ids(g).contains(&"7f4bc1a3-285e-48ae-8202-5accb43efb0e")),
        },
        Case {
            file: "entra/group_remove_member_patch_default_noflag.json",
            group: true,
            body: patch_op(json!([{"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, RemoveValueList],
            check: |g| {
                assert!(!member_ids(g).contains(&"u1091"));
                assert_eq!(member_ids(g).len(), 4);
            },
        },
        Case {
            file: "entra/group_remove_members_patch_tutorial.json",
            group: true,
            body: patch_op(
                json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]),
            ),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, RemoveValueList],
            check: |g| assert!(!member_ids(g).contains(&"f648f8d5ea4e4cd38e9c")),
        },
        Case {
            file: "entra/group_rename_patch.json",
            group: true,
            body: patch_op(
                json!([{"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]),
            ),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            check: |g| assert_eq!(g["displayName"], "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"),
        },
        Case {
            file: "entra/manager_add_patch_tutorial_legacy.json",
            group: false,
            body: patch_op(json!([{"op": "Add", "path": "manager", "value": [{
                "$ref": "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
                "value": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
            }]}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, ScalarForComplex],
            check: |u| {
                assert_eq!(
                    u[ENT]["manager"],
                    json!({"$ref": "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
                           "value": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"})
                );
            },
        },
        Case {
            file: "entra/roles_approle_patch_default.json",
            group: false,
            body: patch_op(json!([{"op": "Add", "path": "roles", "value": [{
                "value": "{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"
            }]}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            check: |u| assert_eq!(u["roles"].as_array().map(Vec::len), Some(1)),
        },
        Case {
            file: "entra/roles_assertive_patch.json",
            group: false,
            body: patch_op(json!([{"op": "replace", "path": "roles", "value": [
                {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "User", "value": "User"},
                {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "Test", "value": "Test"}
            ]}])),
            strict: None,
            lenient: &[],
            check: |u| assert_eq!(u["roles"][1]["value"], "Test"),
        },
        Case {
            file: "entra/update_multiple_attrs_patch_aadOptscim062020.json",
            group: false,
            body: patch_op(json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
                {"op": "replace", "value": {
                    "displayName": "Bjfe",
                    "name.givenName": "Kkom",
                    "name.familyName": "Unua",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
                }}
            ])),
            strict: Some(ScimType::InvalidValue),
            lenient: &[DottedKey, DottedKey],
            check: |u| {
                assert_eq!(u["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
                assert_eq!(u["displayName"], "Bjfe");
                assert_eq!(u["name"], json!({"formatted": "Jane Doe", "familyName": "Unua", "givenName": "Kkom"}));
                assert_eq!(u[ENT]["employeeNumber"], "Aklq");
            },
        },
        Case {
            file: "entra/update_multiple_attrs_patch_default_noflag.json",
            group: false,
            body: patch_op(json!([
                {"op": "Replace", "path": "displayName", "value": "Pvlo"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
                {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
                {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
                {"op": "Replace", "path": "externalId", "value": "Eqpj"},
                {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "Eqpj"}
            ])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, OpCase, OpCase, OpCase, OpCase, OpCase],
            check: |u| {
                assert_eq!(u["displayName"], "Pvlo");
                assert_eq!(u["emails"][0]["value"], "TestBcwqnm@test.microsoft.com");
                assert_eq!(u["name"]["givenName"], "Gtfd");
                assert_eq!(u["name"]["familyName"], "Pkqf");
                assert_eq!(u["externalId"], "Eqpj");
                assert_eq!(u[ENT]["employeeNumber"], "Eqpj");
            },
        },
        Case {
            file: "entra/update_user_multivalued_patch.json",
            group: false,
            body: patch_op(json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
            ])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase, OpCase],
            check: |u| {
                assert_eq!(
                    u["emails"],
                    json!([{"type": "work", "value": "updatedEmail@microsoft.com", "primary": true}])
                );
                assert_eq!(u["name"]["familyName"], "updatedFamilyName");
            },
        },
        Case {
            file: "entra/update_username_patch.json",
            group: false,
            body: patch_op(
                json!([{"op": "Replace", "path": "userName", "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]),
            ),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[OpCase],
            check: |u| assert_eq!(u["userName"], "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"),
        },
        Case {
            file: "okta/deactivate_user_patch.json",
            group: false,
            body: patch_op(json!([{"op": "replace", "value": {"active": false}}])),
            strict: None,
            lenient: &[],
            check: |u| assert_eq!(u["active"], false),
        },
        Case {
            file: "okta/group_membership_patch.json",
            group: true,
            body: patch_op(json!([
                {"op": "remove", "path": "members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},
                {"op": "add", "path": "members", "value": [{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "display": "test.user@okta.local"}]}
            ])),
            strict: None,
            lenient: &[],
            check: |g| {
                assert_eq!(
                    member_ids(g),
                    [
                        "7f4bc1a3-285e-48ae-8202-5accb43efb0e",
                        "u1091",
                        "f648f8d5ea4e4cd38e9c",
                        "<user id>",
                        "23a35c27-23d3-4c03-b4c5-6443c09e7173"
                    ]
                );
            },
        },
        Case {
            file: "okta/group_membership_replace_all_patch.json",
            group: true,
            body: patch_op(json!([{"op": "replace", "path": "members", "value": [
                {"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "display": "test.user@okta.local"},
                {"value": "89bb1940-b905-4575-9e7f-6f887cfb368e", "display": "test.user@okta.local"}
            ]}])),
            strict: None,
            lenient: &[],
            check: |g| {
                assert_eq!(
                    g["members"],
                    json!([{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "display": "test.user@okta.local"},
                           {"value": "89bb1940-b905-4575-9e7f-6f887cfb368e", "display": "test.user@okta.local"}])
                );
            },
        },
        Case {
            file: "okta/group_rename_patch.json",
            group: true,
            body: patch_op(
                json!([{"op": "replace", "value": {"id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b", "displayName": "Test SCIMv2"}}]),
            ),
            strict: None,
            lenient: &[],
            check: |g| {
                assert_eq!(g["displayName"], "Test SCIMv2");
                assert_eq!(g["id"], "abf4dd94-a4c0-4f67-89c9-76b03340cb9b");
            },
        },
        Case {
            file: "jumpcloud/group_member_patch_secondary.json",
            group: true,
            body: patch_op(json!([{"op": "remove", "path": "members", "value": [{"value": "<user id>"}]}])),
            strict: Some(ScimType::InvalidSyntax),
            lenient: &[RemoveValueList],
            check: |g| assert!(!member_ids(g).contains(&"<user id>")),
        },
    ]
}

#[test]
fn strict_applies_the_rfc_bodies_and_refuses_the_others() {
    for c in cases() {
        let (resource, view) = if c.group { (idp_group(), groups()) } else { (entra_user(), users()) };
        let strict = run(&resource, &c.body, &view, &PatchOptions::strict());
        let lenient = run(&resource, &c.body, &view, &PatchOptions::lenient());
        let (after, outcome, used) = lenient.unwrap_or_else(|e| panic!("{}: lenient refused it: {e}", c.file));
        assert!(outcome.changed || c.file.contains("group_add_members"), "{}: nothing changed", c.file);
        let kinds: Vec<Leniency> = used.iter().map(|u| u.leniency).collect();
        assert_eq!(kinds, c.lenient, "{}: leniencies {used:?}", c.file);
        (c.check)(&after);
        match (c.strict, strict) {
            (None, Ok((strict_after, _, used))) => {
                assert!(used.is_empty(), "{}", c.file);
                assert_eq!(strict_after, after, "{}: strict and lenient differ", c.file);
            }
            (None, Err(e)) => panic!("{}: strict refused an RFC body: {e}", c.file),
            (Some(t), Ok(_)) => panic!("{}: strict accepted it; expected {t}", c.file),
            (Some(t), Err(e)) => {
                assert_eq!((e.status, e.scim_type), (400, Some(t)), "{}: {e}", c.file);
                assert!(e.detail.starts_with("Operations["), "{}: {}", c.file, e.detail);
            }
        }
    }
}

#[test]
fn each_leniency_alone_is_enough_for_its_shape() {
    // With op casing fixed, each remaining quirk needs exactly its own option.
    let cases: [(Value, bool, PatchOptions); 5] = [
        (
            json!([{"op": "replace", "path": "active", "value": "False"}]),
            false,
            PatchOptions { string_booleans: true, ..PatchOptions::strict() },
        ),
        (
            json!([{"op": "remove", "path": "members", "value": [{"value": "u1091"}]}]),
            true,
            PatchOptions { remove_value_list: true, ..PatchOptions::strict() },
        ),
        (
            json!([{"op": "add", "path": format!("{ENT}:manager"), "value": "271"}]),
            false,
            PatchOptions { scalar_for_complex: true, ..PatchOptions::strict() },
        ),
        (
            json!([{"op": "replace", "value": {"name.givenName": "Kkom"}}]),
            false,
            PatchOptions { dotted_keys: true, ..PatchOptions::strict() },
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "h@example.com"}]),
            false,
            PatchOptions { replace_creates_filtered: true, ..PatchOptions::strict() },
        ),
    ];
    for (ops, group, opts) in cases {
        let (resource, view) = if group { (idp_group(), groups()) } else { (entra_user(), users()) };
        let b = patch_op(ops.clone());
        assert!(run(&resource, &b, &view, &PatchOptions::strict()).is_err(), "strict accepted {ops}");
        let (_, _, used) = run(&resource, &b, &view, &opts).unwrap_or_else(|e| panic!("{ops}: {e}"));
        assert_eq!(used.len(), 1, "{ops}: {used:?}");
        assert!(opts.allows(used[0].leniency), "{ops}: {used:?}");
        assert_eq!(used[0].operation, 0);
    }
}

#[test]
fn entra_bare_string_manager_becomes_a_complex_value() {
    // IDP-TRAFFIC.md section 1: `{"op":"Add","path":"urn:...:enterprise:2.0:User:manager","value":"271"}`.
    let b = patch_op(json!([{"op": "Add", "path": format!("{ENT}:manager"), "value": "271"}]));
    let (after, _, used) = run(&entra_user(), &b, &users(), &PatchOptions::lenient()).expect("lenient applies");
    assert_eq!(after[ENT], json!({"employeeNumber": "1001", "department": "R&D", "manager": {"value": "271"}}));
    assert_eq!(used.iter().map(|u| u.leniency).collect::<Vec<_>>(), [OpCase, ScalarForComplex]);
    assert!(used[1].detail.contains("\"271\""), "{}", used[1].detail);
}

#[test]
fn the_embedded_bodies_match_the_reference_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/idp-wire");
    if !root.is_dir() {
        eprintln!("skipped: {} is not present", root.display());
        return;
    }
    let cases = cases();
    for idp in ["entra", "okta", "jumpcloud"] {
        let dir = root.join(idp);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.contains("patch") || !name.ends_with(".json") {
                continue;
            }
            let file = format!("{idp}/{name}");
            let text = std::fs::read_to_string(entry.path()).expect("read reference body");
            let on_disk: Value = serde_json::from_str(&text).expect("reference body is JSON");
            let case = cases.iter().find(|c| c.file == file).unwrap_or_else(|| panic!("{file} has no case"));
            assert_eq!(case.body, on_disk, "{file}: the embedded copy differs from the reference");
        }
    }
}
