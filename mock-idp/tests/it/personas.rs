//! Personas without a server: insta snapshots pin every persona's wire requests for every intent, and the
//! bodies, queries and headers are compared with the reference captures in `shared/reference/idp-wire/` where
//! one exists.

use scimlab_mock_idp::Persona;
use scimlab_mock_idp::intent::{GroupProfile, Intent, Member, UserChanges, UserProfile};
use scimlab_mock_idp::persona::wire::over_fetched;
use scimlab_mock_idp::persona::{Planned, PlannedBody};
use serde_json::{Value, json};
use std::path::PathBuf;

fn ada() -> UserProfile {
    UserProfile {
        user_name: "ada.lovelace@example.com".into(),
        external_id: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef".into(),
        given_name: Some("Ada".into()),
        family_name: Some("Lovelace".into()),
        display_name: Some("Ada Lovelace".into()),
        email: Some("ada.lovelace@example.com".into()),
        title: Some("Engineer".into()),
        department: Some("Analytical Engines".into()),
        employee_number: Some("1815".into()),
        manager: Some(grace()),
        active: true,
        ..UserProfile::default()
    }
}

fn grace() -> Member {
    Member { id: "u-grace".into(), display: "grace.hopper@example.com".into() }
}

fn bob() -> Member {
    Member { id: "u-bob".into(), display: "bob@example.com".into() }
}

fn ada_member() -> Member {
    Member { id: "u-ada".into(), display: "ada.lovelace@example.com".into() }
}

fn engineers() -> GroupProfile {
    GroupProfile {
        display_name: "Engineers".into(),
        external_id: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159".into(),
        members: vec![ada_member(), bob()],
    }
}

fn promotion() -> UserChanges {
    UserChanges {
        title: Some("Chief Engineer".into()),
        department: Some("Research".into()),
        manager: Some(bob()),
        ..UserChanges::default()
    }
}

/// Every intent, with the name of its snapshot section.
fn intents() -> Vec<Intent> {
    vec![
        Intent::TestConnection { probe: "7d420df3-9995-4831-a406-ecf8166f5f6a".into() },
        Intent::Hire { user: ada() },
        Intent::Update { id: "u-ada".into(), before: ada(), changes: promotion() },
        Intent::ChangeRoles {
            id: "u-ada".into(),
            before: UserProfile { roles: vec!["Engineer".into()], ..ada() },
            add: vec!["Lead".into()],
            remove: vec!["Engineer".into()],
        },
        Intent::Deactivate { id: "u-ada".into(), before: ada() },
        Intent::Reactivate {
            id: "u-ada".into(),
            before: UserProfile { active: false, ..ada() },
            changes: UserChanges { title: Some("Consultant".into()), ..UserChanges::default() },
        },
        Intent::DeleteUser { id: "u-ada".into(), user: ada() },
        Intent::CreateGroup { group: GroupProfile { members: Vec::new(), ..engineers() } },
        Intent::ChangeMembers { id: "g-eng".into(), group: engineers(), add: vec![grace()], remove: vec![bob()] },
        Intent::PushMembers { id: "g-eng".into(), group: engineers(), members: Vec::new() },
        Intent::RenameGroup { id: "g-eng".into(), group: engineers(), display_name: "Engineering".into() },
        Intent::DeleteGroup { id: "g-eng".into(), group: engineers() },
    ]
}

/// What a server would answer to the GET before a PUT, for rendering GET-then-PUT plans.
fn fetched_ada() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "u-ada", "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": "ada.lovelace@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"}, "displayName": "Ada Lovelace", "title": "Engineer",
        "emails": [{"primary": true, "value": "ada.lovelace@example.com", "type": "work"}], "active": true,
        "groups": [{"value": "g-eng", "display": "Engineers"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "1815", "department": "Analytical Engines", "manager": {"value": "u-grace"}},
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z", "location": "https://sp.example/scim/v2/Users/u-ada", "version": "W/\"1\""}
    })
}

fn render(persona: &Persona) -> String {
    let credential = if persona.name.starts_with("okta") { "Basic [redacted]" } else { "Bearer [redacted]" };
    let mut out = format!("persona {}: {}\n", persona.name, persona.summary);
    let mut intents = intents();
    if !persona.group_body.create_empty {
        // A persona that creates no empty group creates it with its first members.
        let group = GroupProfile { members: vec![ada_member()], ..engineers() };
        intents.insert(8, Intent::CreateGroup { group });
    }
    for intent in intents {
        out.push_str(&format!("\n======== {}\n", intent.name()));
        let plan = persona.plan(&intent);
        if plan.is_empty() {
            out.push_str(&format!("(nothing sent: {})\n", persona.silent_reason(&intent).unwrap_or("no change")));
        }
        for p in plan {
            out.push_str(&format!("--- {}\n", p.label));
            out.push_str(&p.render(Some(credential), Some(&fetched_ada())));
        }
    }
    out
}

#[test]
fn every_persona_plans_every_intent() {
    for persona in Persona::all() {
        insta::assert_snapshot!(format!("persona_{}", persona.name.replace('-', "_")), render(persona));
    }
}

#[test]
fn persona_names_resolve_and_entra_is_first() {
    assert_eq!(Persona::all()[0].name, "entra");
    let names = [
        "rfc",
        "entra",
        "entra-2020",
        "okta",
        "okta-aiw",
        "onelogin",
        "google",
        "jumpcloud",
        "ping",
        "ping-delete",
        "ping-emu",
    ];
    for name in names {
        assert!(Persona::by_name(name).is_some(), "{name}");
    }
    assert_eq!(Persona::all().len(), names.len());
    assert!(Persona::by_name("ENTRA").is_some());
    assert!(Persona::by_name("azure").is_none());
    for p in Persona::all() {
        assert!(!p.sources.is_empty(), "{} cites no source", p.name);
    }
}

// ---- the reference captures ----

fn reference_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/idp-wire");
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("skipped: {} is not present", root.display());
        None
    }
}

fn reference(file: &str) -> Option<Value> {
    let text = std::fs::read_to_string(reference_dir()?.join(file)).expect("reference file is readable");
    Some(serde_json::from_str(&text).expect("reference file is JSON"))
}

fn persona(name: &str) -> &'static Persona {
    Persona::by_name(name).expect("persona exists")
}

fn body(p: &Planned) -> Value {
    match &p.body {
        PlannedBody::Json(v) => v.clone(),
        other => panic!("{} has no literal body: {other:?}", p.label),
    }
}

fn only(plan: Vec<Planned>, label: &str) -> Planned {
    let found: Vec<Planned> = plan.into_iter().filter(|p| p.label == label).collect();
    assert_eq!(found.len(), 1, "one {label} request");
    found.into_iter().next().expect("one")
}

fn reference_user() -> UserProfile {
    // The data of idp-wire/entra/create_user_post.json.
    UserProfile {
        user_name: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee".into(),
        external_id: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef".into(),
        given_name: Some("givenName".into()),
        family_name: Some("familyName".into()),
        email: Some("Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com".into()),
        active: true,
        ..UserProfile::default()
    }
}

#[test]
fn entra_create_user_matches_the_reference() {
    let Some(want) = reference("entra/create_user_post.json") else { return };
    let create = only(persona("entra").plan(&Intent::Hire { user: reference_user() }), "create");
    assert_eq!(body(&create), want);
    let Some(headers) = reference("entra/create_user_post_headers.json") else { return };
    let ct = create.headers.iter().find(|(k, _)| k == "Content-Type").map(|(_, v)| v.as_str());
    assert_eq!(ct, headers["headers"]["Content-Type"].as_str());
}

#[test]
fn entra_lookups_match_the_references() {
    let Some(tc) = reference("entra/test_connection_get.json") else { return };
    let probe = Intent::TestConnection { probe: "7d420df3-9995-4831-a406-ecf8166f5f6a".into() };
    let get = only(persona("entra").plan(&probe), "test-connection");
    let raw = tc["raw_path_and_query"].as_str().expect("raw");
    assert_eq!(format!("/scim{}", get.target()), raw);
    assert!(get.omit.iter().any(|h| h == "Accept"), "Entra sends no scim+json Accept on this GET");
    assert!(!get.headers.iter().any(|(k, _)| k == "Content-Type"));

    let Some(lookup) = reference("entra/group_lookup_get.json") else { return };
    let group = GroupProfile { display_name: "TEST".into(), ..GroupProfile::default() };
    let get = only(persona("entra").plan(&Intent::CreateGroup { group }), "lookup");
    assert_eq!(get.target(), lookup["raw_path_and_query"].as_str().expect("raw"));
}

#[test]
fn entra_deactivation_matches_the_references() {
    let intent = Intent::Deactivate { id: "x".into(), before: ada() };
    for (name, file) in [
        ("entra", "entra/disable_user_patch_default_noflag.json"),
        ("entra-2020", "entra/disable_user_patch_aadOptscim062020.json"),
    ] {
        let Some(want) = reference(file) else { return };
        assert_eq!(body(&only(persona(name).plan(&intent), "update")), want, "{name}");
    }
}

#[test]
fn entra_attribute_updates_match_the_references() {
    let before = UserProfile { employee_number: Some("1".into()), email: Some("old@x".into()), ..reference_user() };
    let before = UserProfile { display_name: Some("old".into()), ..before };
    let changes = |v: &Value, key: &str| {
        v["Operations"].as_array().expect("ops").iter().find_map(|op| {
            if op.get("path").and_then(Value::as_str) == Some(key) {
                op["value"].as_str().map(str::to_owned)
            } else {
                None
            }
        })
    };
    // Default: one Replace per attribute, in Entra's order.
    let Some(want) = reference("entra/update_multiple_attrs_patch_default_noflag.json") else { return };
    let c = UserChanges {
        display_name: changes(&want, "displayName"),
        email: changes(&want, "emails[type eq \"work\"].value"),
        given_name: changes(&want, "name.givenName"),
        family_name: changes(&want, "name.familyName"),
        external_id: changes(&want, "externalId"),
        employee_number: changes(&want, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"),
        ..UserChanges::default()
    };
    let plan = persona("entra").plan(&Intent::Update { id: "x".into(), before: before.clone(), changes: c });
    assert_eq!(body(&only(plan, "update")), want);

    // With the flag: the filtered path alone, the rest merged into one path-less replace with dotted keys.
    let Some(want) = reference("entra/update_multiple_attrs_patch_aadOptscim062020.json") else { return };
    let merged = &want["Operations"][1]["value"];
    let c = UserChanges {
        email: want["Operations"][0]["value"].as_str().map(str::to_owned),
        display_name: merged["displayName"].as_str().map(str::to_owned),
        given_name: merged["name.givenName"].as_str().map(str::to_owned),
        family_name: merged["name.familyName"].as_str().map(str::to_owned),
        employee_number: merged["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"]
            .as_str()
            .map(str::to_owned),
        ..UserChanges::default()
    };
    let plan = persona("entra-2020").plan(&Intent::Update { id: "x".into(), before: before.clone(), changes: c });
    assert_eq!(body(&only(plan, "update")), want);

    // A value set for the first time is an Add (add with the flag), with its path.
    for (name, file) in [
        ("entra", "entra/add_single_value_attr_patch_default_noflag.json"),
        ("entra-2020", "entra/add_single_value_attr_patch_aadOptscim062020.json"),
    ] {
        let Some(want) = reference(file) else { return };
        let c = UserChanges { nick_name: Some("Babs".into()), ..UserChanges::default() };
        let plan = persona(name).plan(&Intent::Update { id: "x".into(), before: before.clone(), changes: c });
        assert_eq!(body(&only(plan, "update")), want, "{name}");
    }

    for file in ["entra/update_user_multivalued_patch.json", "entra/update_username_patch.json"] {
        let Some(want) = reference(file) else { return };
        let c = UserChanges {
            email: changes(&want, "emails[type eq \"work\"].value"),
            family_name: changes(&want, "name.familyName"),
            user_name: changes(&want, "userName"),
            ..UserChanges::default()
        };
        let plan = persona("entra").plan(&Intent::Update { id: "x".into(), before: before.clone(), changes: c });
        assert_eq!(body(&only(plan, "update")), want, "{file}");
    }
}

#[test]
fn entra_sets_the_manager_as_a_bare_string_after_a_check() {
    // IDP-TRAFFIC.md section 1: {"op":"Add","path":"urn:…:enterprise:2.0:User:manager","value":"271"}.
    let user = UserProfile { manager: Some(Member { id: "271".into(), display: "m".into() }), ..reference_user() };
    let plan = persona("entra").plan(&Intent::Hire { user });
    let labels: Vec<&str> = plan.iter().map(|p| p.label).collect();
    assert_eq!(labels, ["lookup", "create", "manager-check", "set-manager"]);
    assert!(body(&plan[1]).get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").is_none());
    assert_eq!(plan[2].target(), "/Users?filter=id+eq+%22{id}%22+and+manager+eq+%22271%22");
    assert_eq!(
        body(&plan[3])["Operations"],
        json!([{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "271"}])
    );
}

#[test]
fn entra_group_requests_match_the_references() {
    let Some(want) = reference("entra/group_create_post.json") else { return };
    let group = GroupProfile {
        display_name: "displayName".into(),
        external_id: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159".into(),
        members: Vec::new(),
    };
    assert_eq!(body(&only(persona("entra").plan(&Intent::CreateGroup { group: group.clone() }), "create")), want);

    let m = |id: &str| Member { id: id.into(), display: String::new() };
    let cases = [
        ("entra", "entra/group_add_members_patch.json", vec![m("f648f8d5ea4e4cd38e9c")], vec![]),
        ("entra", "entra/group_remove_member_patch_default_noflag.json", vec![], vec![m("u1091")]),
        (
            "entra-2020",
            "entra/group_remove_member_patch_aadOptscim062020.json",
            vec![],
            vec![m("7f4bc1a3-285e-48ae-8202-5accb43efb0e")],
        ),
    ];
    for (name, file, add, remove) in cases {
        let Some(want) = reference(file) else { return };
        let intent = Intent::ChangeMembers { id: "g".into(), group: group.clone(), add, remove };
        assert_eq!(body(&only(persona(name).plan(&intent), "members")), want, "{file}");
    }

    let Some(want) = reference("entra/group_rename_patch.json") else { return };
    let new_name = want["Operations"][0]["value"].as_str().expect("name").to_owned();
    let intent = Intent::RenameGroup { id: "g".into(), group, display_name: new_name };
    assert_eq!(body(&only(persona("entra").plan(&intent), "rename")), want);
}

fn okta_user() -> UserProfile {
    // The data of idp-wire/okta/create_user_post.json.
    UserProfile {
        user_name: "test.user@okta.local".into(),
        external_id: "00ujl29u0le5T6Aj10h7".into(),
        given_name: Some("Test".into()),
        family_name: Some("User".into()),
        display_name: Some("Test User".into()),
        email: Some("test.user@okta.local".into()),
        locale: Some("en-US".into()),
        password: Some("1mz050nq".into()),
        active: true,
        ..UserProfile::default()
    }
}

#[test]
fn okta_user_requests_match_the_references() {
    for name in ["okta", "okta-aiw"] {
        let plan = persona(name).plan(&Intent::Hire { user: okta_user() });
        if let Some(want) = reference("okta/create_user_post.json") {
            assert_eq!(body(&plan[1]), want, "{name}");
        }
        if let Some(want) = reference("okta/user_lookup_get.json") {
            let raw = want["raw_path_and_query"].as_str().expect("raw");
            assert_eq!(format!("/scim/v2{}", plan[0].target()), raw, "{name}");
        }
        if let Some(want) = reference("okta/request_headers_observed.json") {
            for h in ["Accept", "Accept-Charset", "Content-Type", "User-Agent"] {
                let sent = plan[1].headers.iter().find(|(k, _)| k == h).map(|(_, v)| v.as_str());
                assert_eq!(sent, want["headers"][h].as_str(), "{name} {h}");
            }
        }
    }
    let Some(want) = reference("okta/deactivate_user_patch.json") else { return };
    let plan = persona("okta").plan(&Intent::Deactivate { id: "x".into(), before: okta_user() });
    assert_eq!(body(&only(plan, "activation")), want);
}

#[test]
fn okta_puts_back_what_it_read_with_the_change() {
    let Some(want) = reference("okta/update_user_put.json") else { return };
    // What the server answered to the GET: the reference body less the change, plus server-side members.
    let mut fetched = want.clone();
    fetched["name"]["givenName"] = json!("Test");
    fetched["groups"] = json!([{"value": "g1", "display": "Group 1"}]);
    fetched["meta"] =
        json!({"resourceType": "User", "created": "2024-01-01T00:00:00Z", "location": "https://x/Users/1"});
    let changes = UserChanges { given_name: Some("Another".into()), ..UserChanges::default() };
    for name in ["okta", "okta-aiw"] {
        let plan =
            persona(name).plan(&Intent::Update { id: "x".into(), before: okta_user(), changes: changes.clone() });
        assert_eq!(plan.iter().map(|p| (p.label, p.method)).collect::<Vec<_>>(), [("fetch", "GET"), ("update", "PUT")]);
        let PlannedBody::OverFetched(overlay) = &plan[1].body else { panic!("{name}: PUT over the fetched user") };
        assert_eq!(over_fetched(&fetched, overlay), want, "{name}");
    }
}

#[test]
fn okta_group_requests_match_the_references() {
    let m = |id: &str| Member { id: id.into(), display: "test.user@okta.local".into() };
    let group = GroupProfile { display_name: "Test SCIMv2".into(), external_id: String::new(), members: Vec::new() };
    if let Some(want) = reference("okta/group_create_post.json") {
        let plan = persona("okta").plan(&Intent::CreateGroup { group: group.clone() });
        assert_eq!(body(&plan[1]), want);
    }
    let in_group = GroupProfile { members: vec![m("89bb1940-b905-4575-9e7f-6f887cfb368e")], ..group.clone() };
    if let Some(want) = reference("okta/group_membership_patch.json") {
        let intent = Intent::ChangeMembers {
            id: "g".into(),
            group: in_group.clone(),
            add: vec![m("23a35c27-23d3-4c03-b4c5-6443c09e7173")],
            remove: vec![m("89bb1940-b905-4575-9e7f-6f887cfb368e")],
        };
        let plan = persona("okta").plan(&intent);
        assert_eq!(body(&plan[0]), want);
        assert_eq!(plan[1].label, "rename", "Okta renames after every membership update");
    }
    if let Some(want) = reference("okta/group_membership_replace_all_patch.json") {
        let members = vec![m("23a35c27-23d3-4c03-b4c5-6443c09e7173"), m("89bb1940-b905-4575-9e7f-6f887cfb368e")];
        let plan = persona("okta").plan(&Intent::PushMembers { id: "g".into(), group: in_group.clone(), members });
        assert_eq!(body(&plan[0]), want);
    }
    if let Some(want) = reference("okta/group_rename_patch.json") {
        let id = want["Operations"][0]["value"]["id"].as_str().expect("id").to_owned();
        let intent = Intent::RenameGroup { id, group, display_name: "Test SCIMv2".into() };
        assert_eq!(body(&only(persona("okta").plan(&intent), "rename")), want);
    }
}

#[test]
fn okta_never_deletes_users_and_says_why() {
    for name in ["okta", "okta-aiw"] {
        let intent = Intent::DeleteUser { id: "x".into(), user: okta_user() };
        assert!(persona(name).plan(&intent).is_empty());
        assert!(persona(name).silent_reason(&intent).is_some_and(|r| r.contains("never")));
    }
}

#[test]
fn onelogin_puts_its_template_with_a_trailing_question_mark() {
    let plan = persona("onelogin").plan(&Intent::Deactivate { id: "u1".into(), before: ada() });
    let put = only(plan, "update");
    assert_eq!(put.target(), "/Users/u1?");
    let b = body(&put);
    assert_eq!(b["schemas"], json!(["urn:scim:schemas:core:2.0", "urn:scim:schemas:extension:enterprise:2.0"]));
    assert_eq!(b["active"], json!(false));
    assert_eq!(b["id"], json!("u1"));
    let hire = persona("onelogin").plan(&Intent::Hire { user: UserProfile { title: None, ..ada() } });
    assert!(hire[0].target().ends_with("%22&"), "{}", hire[0].target());
    assert_eq!(body(&hire[1])["title"], json!(""), "unset template values are sent as empty strings");
}

#[test]
fn a_planned_request_goes_on_the_wire_with_the_persona_headers_and_the_id_as_one_segment() {
    // The conformance harness's profile checks send persona requests through `Persona::to_request`.
    let entra = persona("entra");
    let get = only(entra.plan(&Intent::TestConnection { probe: "p".into() }), "test-connection");
    let req = entra.to_request(&get, None, None);
    assert_eq!(req.raw_query.as_deref(), Some("filter=userName+eq+%22p%22"));
    for h in ["Accept", "User-Agent"] {
        assert!(req.omit_headers.iter().any(|o| o == h), "Entra sends no {h}");
    }
    let okta = persona("okta");
    let plan = okta.plan(&Intent::Update { id: "a/b".into(), before: okta_user(), changes: UserChanges::default() });
    let fetch = only(plan, "fetch");
    let req =
        okta.to_request(&fetch.clone().at(format!("/Users/{}", scimlab_mock_idp::persona::ID)), Some("a/b"), None);
    assert_eq!(req.path, "/Users/a%2Fb");
    assert!(req.headers.iter().any(|(k, v)| k == "User-Agent" && v == "Okta SCIM Client 1.0.0"));
    assert_eq!(scimlab_mock_idp::persona::Idp::Entra.display_name(), "Microsoft Entra ID");
    assert_eq!(scimlab_mock_idp::persona::Idp::Okta.display_name(), "Okta");
}
