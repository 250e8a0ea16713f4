//! Microsoft Entra ID (IDP-TRAFFIC.md section 1): the default dialect, the `aadOptscim062020` one and the
//! tutorial shapes. Entra insists on 200 with the resource for a user PATCH, accepts 200 or 204 for a group PATCH
//! (it expects 204), 204 for DELETE, and reads inactive users and complex managers back.

use super::wire_entra as w;
use super::{ENTRA, member, replay, wire};
use crate::http::{ENT_URN, GROUP_URN, Sp, USER_URN, assert_list, enc, group_values, id_of, ids, member_values};
use axum::http::Method;
use serde_json::{Value, json};

const HIRED: &str = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee";

/// The lookup Entra sends before a create, as on the wire: `+` for spaces, no Content-Type, no Accept.
async fn lookup(sp: &Sp, endpoint: &str, attr: &str, value: &str) -> Value {
    let raw = format!("{endpoint}?filter={attr}+eq+%22{}%22", value.replace('@', "%40"));
    let list = sp.send(Method::GET, &raw, &[], None).await.expect_json(200);
    assert_list(&list);
    list
}

/// Entra's hire: a lookup that misses, then the POST of `create_user_post.json`. Returns the created user.
async fn hire(sp: &Sp) -> Value {
    assert_eq!(lookup(sp, "/Users", "userName", HIRED).await["totalResults"], json!(0));
    replay(sp, Method::POST, "/Users", ENTRA, w::CREATE_USER_POST, &[]).await.expect_json(201)
}

/// A user PATCH: Entra needs 200 with the resource. Returns the body after checking a GET agrees with it.
async fn patch_user(sp: &Sp, id: &str, text: &str, subst: &[(&str, &str)]) -> Value {
    let path = format!("/Users/{id}");
    let r = replay(sp, Method::PATCH, &path, ENTRA, text, subst).await.expect_json(200);
    assert_eq!(id_of(&r), id);
    assert_eq!(sp.read(&path).await, r, "the PATCH response is the stored resource");
    r
}

/// A group PATCH: 204, or 200 with the group. Returns the group as Entra reads it afterwards, and in full.
async fn patch_group(sp: &Sp, id: &str, text: &str, subst: &[(&str, &str)]) -> (Value, Value) {
    let path = format!("/Groups/{id}");
    let r = replay(sp, Method::PATCH, &path, ENTRA, text, subst).await;
    assert!(r.status == 200 || r.status == 204, "group PATCH answered {}", r.status);
    let lean = sp.read(&format!("{path}?excludedAttributes=members")).await;
    assert!(lean.get("members").is_none(), "{lean}");
    (lean, sp.read(&path).await)
}

/// Entra's group create: the lookup (with excludedAttributes=members) misses, then `group_create_post.json`.
async fn entra_group(sp: &Sp) -> String {
    let raw = "/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22";
    assert_eq!(sp.send(Method::GET, raw, &[], None).await.expect_json(200)["totalResults"], json!(0));
    id_of(&replay(sp, Method::POST, "/Groups", ENTRA, w::GROUP_CREATE_POST, &[]).await.expect_json(201))
}

#[tokio::test]
async fn create_user_post() {
    let sp = Sp::new();
    let sent = wire(w::CREATE_USER_POST, &[]);
    let r = replay(&sp, Method::POST, "/Users", ENTRA, w::CREATE_USER_POST, &[]).await.expect(201);
    let location = r.header("location").expect("Location").to_owned();
    let u = r.expect_json(201);
    let id = id_of(&u);
    for attr in ["externalId", "userName", "active", "emails", "name"] {
        assert_eq!(u[attr], sent[attr], "{attr} is stored exactly as sent");
    }
    assert_eq!(u["schemas"], sent["schemas"]);
    assert_eq!(u["meta"]["resourceType"], "User");
    assert_eq!(u["meta"]["location"], json!(location));
    assert_eq!(sp.read(&format!("/Users/{id}")).await, u);
    assert_eq!(ids(&lookup(&sp, "/Users", "userName", HIRED).await), [id.as_str()]);
    assert_eq!(ids(&lookup(&sp, "/Users", "externalId", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef").await), [id.as_str()]);
    // A second create of the same userName (in any case) is a 409 uniqueness error.
    replay(&sp, Method::POST, "/Users", ENTRA, w::CREATE_USER_POST, &[]).await.expect_error(409, Some("uniqueness"));
    let shout = w::CREATE_USER_POST.replace(HIRED, &HIRED.to_uppercase());
    replay(&sp, Method::POST, "/Users", ENTRA, &shout, &[]).await.expect_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn create_user_post_headers() {
    let d = wire(w::CREATE_USER_POST_HEADERS, &[]);
    assert_eq!(member(&d, "body_ref"), "create_user_post.json");
    // Entra's tenant URL is the SCIM base; the descriptor's `/scim` is ours `/scim/v2`.
    let path = member(&d, "path").strip_prefix("/scim").expect("under /scim").to_owned();
    let sp = Sp::new();
    let bearer = format!("Bearer {}", crate::http::TOKEN);
    let headers: Vec<(&str, &str)> = d["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(k, v)| (k.as_str(), if k == "Authorization" { bearer.as_str() } else { v.as_str().expect("header") }))
        .collect();
    assert!(headers.contains(&("Content-Type", "application/scim+json; charset=utf-8")));
    let r = replay(&sp, Method::POST, &path, &headers, w::CREATE_USER_POST, &[]).await.expect(201);
    r.assert_scim_json();
    let u = r.body_json();
    assert_eq!(u["userName"], HIRED);
}

#[tokio::test]
async fn create_user_post_legacy_nulls() {
    // The customappsso-era tutorial body: nulls, and the enterprise URN misspelt with no data under it. A null is
    // an unassigned attribute (RFC 7643 section 2.5), so the create succeeds and stores none of them.
    let sp = Sp::new();
    let u = replay(&sp, Method::POST, "/Users", ENTRA, w::CREATE_USER_POST_LEGACY_NULLS, &[]).await.expect_json(201);
    assert_eq!(u["userName"], "jyoung@testuser.com");
    assert_eq!(u["displayName"], "Joy Young");
    assert_eq!(u["emails"], json!([{"type": "work", "value": "jyoung@Contoso.com", "primary": true}]));
    for null in ["addresses", "phoneNumbers", "preferredLanguage", "title", "department", "manager"] {
        assert!(u.get(null).is_none(), "{null} was sent as null and must not be stored: {u}");
    }
    assert_eq!(u["schemas"], json!([USER_URN]), "only the schemas the server serves are listed");
    assert_eq!(ids(&lookup(&sp, "/Users", "externalId", "jyoung").await), [id_of(&u)]);
}

async fn disable_then_read(text: &str, reactivate: &str) {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let r = patch_user(&sp, &id, text, &[]).await;
    assert_eq!(r["active"], json!(false), "active is stored as a boolean");
    // Inactive users stay readable by id and by filter (IDP-TRAFFIC.md section 5.9).
    let found = lookup(&sp, "/Users", "userName", HIRED).await;
    assert_eq!(ids(&found), [id.as_str()]);
    assert_eq!(found["Resources"][0]["active"], json!(false));
    let by_bool = sp.read(&format!("/Users?filter={}", enc("active eq false"))).await;
    assert_eq!(ids(&by_bool), [id.as_str()]);
    // Reactivation in the same dialect.
    let back = patch_user(&sp, &id, reactivate, &[]).await;
    assert_eq!(back["active"], json!(true));
}

#[tokio::test]
async fn disable_user_patch_default_noflag() {
    let again = w::DISABLE_USER_PATCH_DEFAULT_NOFLAG.replace("\"False\"", "\"True\"");
    disable_then_read(w::DISABLE_USER_PATCH_DEFAULT_NOFLAG, &again).await;
}

#[tokio::test]
async fn disable_user_patch_aadoptscim062020() {
    let again = w::DISABLE_USER_PATCH_AADOPTSCIM062020.replace("false", "true");
    disable_then_read(w::DISABLE_USER_PATCH_AADOPTSCIM062020, &again).await;
}

#[tokio::test]
async fn disable_user_patch_tutorial() {
    let again = w::DISABLE_USER_PATCH_TUTORIAL.replace("false", "true");
    disable_then_read(w::DISABLE_USER_PATCH_TUTORIAL, &again).await;
}

async fn add_nickname(text: &str) {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    assert_eq!(patch_user(&sp, &id, text, &[]).await["nickName"], "Babs");
}

#[tokio::test]
async fn add_single_value_attr_patch_default_noflag() {
    add_nickname(w::ADD_SINGLE_VALUE_ATTR_PATCH_DEFAULT_NOFLAG).await;
}

#[tokio::test]
async fn add_single_value_attr_patch_aadoptscim062020() {
    add_nickname(w::ADD_SINGLE_VALUE_ATTR_PATCH_AADOPTSCIM062020).await;
}

#[tokio::test]
async fn update_user_multivalued_patch() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let r = patch_user(&sp, &id, w::UPDATE_USER_MULTIVALUED_PATCH, &[]).await;
    assert_eq!(r["emails"], json!([{"primary": true, "type": "work", "value": "updatedEmail@microsoft.com"}]));
    assert_eq!(
        r["name"],
        json!({"formatted": "givenName familyName", "familyName": "updatedFamilyName", "givenName": "givenName"})
    );
}

#[tokio::test]
async fn update_username_patch() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let new = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com";
    assert_eq!(patch_user(&sp, &id, w::UPDATE_USERNAME_PATCH, &[]).await["userName"], new);
    assert_eq!(lookup(&sp, "/Users", "userName", HIRED).await["totalResults"], json!(0));
    assert_eq!(ids(&lookup(&sp, "/Users", "userName", new).await), [id]);
    // The old name is free again.
    replay(&sp, Method::POST, "/Users", ENTRA, w::CREATE_USER_POST, &[]).await.expect(201);
}

#[tokio::test]
async fn update_multiple_attrs_patch_default_noflag() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let r = patch_user(&sp, &id, w::UPDATE_MULTIPLE_ATTRS_PATCH_DEFAULT_NOFLAG, &[]).await;
    assert_eq!(r["displayName"], "Pvlo");
    assert_eq!(r["emails"], json!([{"primary": true, "type": "work", "value": "TestBcwqnm@test.microsoft.com"}]));
    assert_eq!(r["name"]["givenName"], "Gtfd");
    assert_eq!(r["name"]["familyName"], "Pkqf");
    assert_eq!(r["name"]["formatted"], "givenName familyName");
    assert_eq!(r["externalId"], "Eqpj");
    assert_eq!(r[ENT_URN], json!({"employeeNumber": "Eqpj"}));
    assert!(r["schemas"].as_array().expect("schemas").contains(&json!(ENT_URN)));
    assert_eq!(ids(&lookup(&sp, "/Users", "externalId", "Eqpj").await), [id]);
}

#[tokio::test]
async fn update_multiple_attrs_patch_aadoptscim062020() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let r = patch_user(&sp, &id, w::UPDATE_MULTIPLE_ATTRS_PATCH_AADOPTSCIM062020, &[]).await;
    assert_eq!(r["emails"], json!([{"primary": true, "type": "work", "value": "TestMhvaes@test.microsoft.com"}]));
    assert_eq!(r["displayName"], "Bjfe");
    assert_eq!(r["name"], json!({"formatted": "givenName familyName", "familyName": "Unua", "givenName": "Kkom"}));
    assert_eq!(r[ENT_URN], json!({"employeeNumber": "Aklq"}));
    // Dotted keys are paths, not attribute names: nothing named "name.givenName" was stored.
    assert!(r.get("name.givenName").is_none() && r.get(format!("{ENT_URN}:employeeNumber")).is_none(), "{r}");
}

/// Entra sets the manager after creating both users (IDP-TRAFFIC.md section 1); the mock SP returns it as the
/// complex `{value, ...}` Entra reads back, whatever form it was sent in.
async fn set_manager(text: &str, placeholder: &str) -> (Sp, String, String) {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let mid = sp.user("manager@testuser.com").await;
    let r = patch_user(&sp, &id, text, &[(placeholder, &mid)]).await;
    let manager = &r[ENT_URN]["manager"];
    assert!(manager.is_object(), "manager must come back complex: {r}");
    assert_eq!(manager["value"], json!(mid));
    (sp, id, mid)
}

#[tokio::test]
async fn manager_add_patch_tutorial_legacy() {
    let placeholder = "00aa00aa-bb11-cc22-dd33-44ee44ee44ee";
    let (sp, id, mid) = set_manager(w::MANAGER_ADD_PATCH_TUTORIAL_LEGACY, placeholder).await;
    let u = sp.read(&format!("/Users/{id}")).await;
    assert_eq!(u[ENT_URN]["manager"]["$ref"], json!(format!("http://.../scim/Users/{mid}")));
    // Before changing a manager Entra asks whether it is already set (the tutorial's Example 4): `manager eq`
    // compares the manager's value.
    let asks = |m: &str| format!("/Users?filter={}", enc(&format!("id eq \"{id}\" and manager eq \"{m}\"")));
    assert_eq!(ids(&sp.read(&asks(&mid)).await), [id.as_str()]);
    assert_eq!(sp.read(&asks("someone-else")).await["totalResults"], json!(0));
}

#[tokio::test]
async fn manager_as_bare_string_observed() {
    // Not a file: the body recorded in Captain-P-Goldfish/SCIM-SDK#541, quoted in IDP-TRAFFIC.md section 1.
    let text = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{{"op":"Add","path":"{ENT_URN}:manager","value":"271"}}]}}"#
    );
    let (sp, id, mid) = set_manager(&text, "271").await;
    assert_eq!(sp.read(&format!("/Users/{id}")).await[ENT_URN]["manager"], json!({"value": mid}));
}

#[tokio::test]
async fn roles_approle_patch_default() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    let r = patch_user(&sp, &id, w::ROLES_APPROLE_PATCH_DEFAULT, &[]).await;
    // The JSON-encoded string is a value like any other: stored and returned exactly.
    assert_eq!(r["roles"], wire(w::ROLES_APPROLE_PATCH_DEFAULT, &[])["Operations"][0]["value"]);
}

#[tokio::test]
async fn roles_assertive_patch() {
    let sp = Sp::new();
    let id = id_of(&hire(&sp).await);
    patch_user(&sp, &id, w::ROLES_APPROLE_PATCH_DEFAULT, &[]).await;
    let r = patch_user(&sp, &id, w::ROLES_ASSERTIVE_PATCH, &[]).await;
    assert_eq!(
        r["roles"],
        wire(w::ROLES_ASSERTIVE_PATCH, &[])["Operations"][0]["value"],
        "replace sets the whole list"
    );
}

#[tokio::test]
async fn roles_single_approle_post() {
    let sp = Sp::new();
    let sent = wire(w::ROLES_SINGLE_APPROLE_POST, &[]);
    let u = replay(&sp, Method::POST, "/Users", ENTRA, w::ROLES_SINGLE_APPROLE_POST, &[]).await.expect_json(201);
    assert_eq!(u["roles"], sent["roles"]);
    assert_eq!(sp.read(&format!("/Users/{}", id_of(&u))).await["roles"], sent["roles"]);
    assert_eq!(ids(&lookup(&sp, "/Users", "userName", "alias@contoso.OnMicrosoft.com").await), [id_of(&u)]);
}

#[tokio::test]
async fn test_connection_get() {
    let d = wire(w::TEST_CONNECTION_GET, &[]);
    let raw = member(&d, "raw_path_and_query").strip_prefix("/scim").expect("under /scim").to_owned();
    let sp = Sp::new();
    sp.user("someone.else@contoso.com").await;
    // No Content-Type, no Accept: only the token.
    let r = sp.send(Method::GET, &raw, &[], None).await.expect(200);
    r.assert_scim_json();
    let list = r.body_json();
    let expected = &d["expected_response"]["body"];
    for m in ["schemas", "totalResults", "Resources", "startIndex"] {
        assert_eq!(list[m], expected[m], "{m}");
    }
    assert_eq!(assert_list(&list), 0);
}

#[tokio::test]
async fn group_lookup_get() {
    let d = wire(w::GROUP_LOOKUP_GET, &[]);
    let sp = Sp::new();
    let uid = sp.user("member@contoso.com").await;
    let gid = sp.group("TEST", &[&uid]).await;
    sp.group("TEST2", &[&uid]).await;
    let list = sp.send(Method::GET, member(&d, "raw_path_and_query"), &[], None).await.expect_json(200);
    assert_eq!(assert_list(&list), 1);
    assert_eq!(ids(&list), [gid.as_str()]);
    assert_eq!(d["decoded"]["filter"], "displayName eq \"TEST\"");
    assert_eq!(list["Resources"][0]["displayName"], "TEST");
    assert!(list["Resources"][0].get("members").is_none(), "excludedAttributes=members on the list");
    let then = member(&d["then"], "raw_path_and_query").replace("40734ae655284ad3abcc", &gid);
    let g = sp.send(Method::GET, &then, &[], None).await.expect_json(200);
    assert!(g.get("members").is_none(), "excludedAttributes=members by id");
    assert_eq!(g["displayName"], "TEST");
    assert_eq!(member_values(&sp.read(&format!("/Groups/{gid}")).await), [uid]);
}

#[tokio::test]
async fn group_create_post() {
    let sp = Sp::new();
    let gid = entra_group(&sp).await;
    let g = sp.read(&format!("/Groups/{gid}?excludedAttributes=members")).await;
    assert_eq!(g["displayName"], "displayName");
    assert_eq!(g["externalId"], "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
    assert_eq!(g["meta"]["resourceType"], "Group");
    assert!(g["schemas"].as_array().expect("schemas").contains(&json!(GROUP_URN)));
    let raw = "/Groups?excludedAttributes=members&filter=externalId+eq+%228aa1a0c0-c4c3-4bc0-b4a5-2ef676900159%22";
    assert_eq!(ids(&sp.send(Method::GET, raw, &[], None).await.expect_json(200)), [gid]);
}

#[tokio::test]
async fn group_add_members_patch() {
    let sp = Sp::new();
    let gid = entra_group(&sp).await;
    let uid = id_of(&hire(&sp).await);
    let (_, full) = patch_group(&sp, &gid, w::GROUP_ADD_MEMBERS_PATCH, &[("f648f8d5ea4e4cd38e9c", &uid)]).await;
    assert_eq!(member_values(&full), [uid.as_str()]);
    assert_eq!(group_values(&sp.read(&format!("/Users/{uid}")).await), [gid.as_str()]);
    // Adding the same member again does not duplicate it.
    let (_, full) = patch_group(&sp, &gid, w::GROUP_ADD_MEMBERS_PATCH, &[("f648f8d5ea4e4cd38e9c", &uid)]).await;
    assert_eq!(member_values(&full), [uid]);
}

async fn remove_member(text: &str, placeholder: &str) {
    let sp = Sp::new();
    let gone = id_of(&hire(&sp).await);
    let stays = sp.user("stays@contoso.com").await;
    let gid = sp.group("Engineering", &[&gone, &stays]).await;
    let (_, full) = patch_group(&sp, &gid, text, &[(placeholder, &gone)]).await;
    assert_eq!(member_values(&full), [stays.as_str()]);
    assert!(sp.read(&format!("/Users/{gone}")).await.get("groups").is_none());
    assert_eq!(group_values(&sp.read(&format!("/Users/{stays}")).await), [gid]);
}

#[tokio::test]
async fn group_remove_member_patch_default_noflag() {
    remove_member(w::GROUP_REMOVE_MEMBER_PATCH_DEFAULT_NOFLAG, "u1091").await;
}

#[tokio::test]
async fn group_remove_member_patch_aadoptscim062020() {
    remove_member(w::GROUP_REMOVE_MEMBER_PATCH_AADOPTSCIM062020, "7f4bc1a3-285e-48ae-8202-5accb43efb0e").await;
}

#[tokio::test]
async fn group_remove_members_patch_tutorial() {
    remove_member(w::GROUP_REMOVE_MEMBERS_PATCH_TUTORIAL, "f648f8d5ea4e4cd38e9c").await;
}

#[tokio::test]
async fn group_rename_patch() {
    let sp = Sp::new();
    let gid = entra_group(&sp).await;
    let (lean, _) = patch_group(&sp, &gid, w::GROUP_RENAME_PATCH, &[]).await;
    let new = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName";
    assert_eq!(lean["displayName"], new);
    assert_eq!(ids(&lookup(&sp, "/Groups", "displayName", new).await), [gid]);
    assert_eq!(lookup(&sp, "/Groups", "displayName", "displayName").await["totalResults"], json!(0));
    // Entra's unassign of a whole group ends with a DELETE: 204, then 404.
    sp.delete(&format!("/Groups/{}", id_of(&lean))).await.expect(204);
    sp.get(&format!("/Groups/{}", id_of(&lean))).await.expect_error(404, None);
}

#[tokio::test]
async fn known_issues_flag_matrix() {
    // Each row's two dialects must leave the resource in the same state.
    let m = wire(w::KNOWN_ISSUES_FLAG_MATRIX, &[]);
    for row in ["disable_user", "add_single_value"] {
        let mut states = Vec::new();
        for dialect in ["default", "flag"] {
            let sp = Sp::new();
            let id = id_of(&hire(&sp).await);
            let body = json!({"schemas": [crate::http::PATCH_URN], "Operations": [m[row][dialect]]});
            let mut r = sp.json(Method::PATCH, &format!("/Users/{id}"), &body).await.expect_json(200);
            r.as_object_mut().expect("object").retain(|k, _| k != "id" && k != "meta");
            states.push(r);
        }
        assert_eq!(states[0], states[1], "{row}");
    }
    let mut members = Vec::new();
    for (dialect, placeholder) in [("default", "u1091"), ("flag", "7f4bc1a3-285e-48ae-8202-5accb43efb0e")] {
        let sp = Sp::new();
        let gone = sp.user("gone").await;
        let stays = sp.user("stays").await;
        let gid = sp.group("g", &[&gone, &stays]).await;
        let op = m["remove_group_member"][dialect].to_string().replace(placeholder, &gone);
        let body = format!(r#"{{"schemas":["{}"],"Operations":[{op}]}}"#, crate::http::PATCH_URN);
        let r = sp.send(Method::PATCH, &format!("/Groups/{gid}"), ENTRA, Some(body.into_bytes())).await;
        assert!(r.status == 200 || r.status == 204, "{dialect}: {}", r.status);
        members.push(member_values(&sp.read(&format!("/Groups/{gid}")).await) == [stays]);
    }
    assert_eq!(members, [true, true]);
}
