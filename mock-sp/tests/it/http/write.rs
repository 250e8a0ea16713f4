//! Writes: create (RFC 7644 section 3.3), replace (3.5.1), delete (3.6), uniqueness (409), the writeOnly
//! password (RFC 7643 section 4.1.1) and membership kept consistent when a member goes away.

use super::{ENT_URN, GROUP_URN, SEARCH_URN, Sp, USER_URN, enc, group_values, id_of, member_values};
use serde_json::{Value, json};

#[tokio::test]
async fn create_answers_201_with_the_resource_and_its_location() {
    let sp = Sp::new();
    let r = sp
        .post("/Users", &json!({"schemas": [USER_URN], "userName": "new", "id": "client-chosen", "meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await
        .expect(201);
    let location = r.header("location").expect("Location").to_owned();
    let u = r.expect_json(201);
    let id = id_of(&u);
    assert_ne!(id, "client-chosen", "id is assigned by the server (readOnly)");
    assert_eq!(u["meta"]["location"], json!(location));
    assert!(location.ends_with(&format!("/scim/v2/Users/{id}")), "{location}");
    assert_eq!(u["meta"]["resourceType"], "User");
    assert_ne!(u["meta"]["created"], "1999-01-01T00:00:00Z");
    // The store stamps lastModified a moment after the handler sets created, so they may differ by a millisecond.
    let (created, modified) = (u["meta"]["created"].as_str().expect("created"), u["meta"]["lastModified"].as_str());
    assert!(modified.is_some_and(|m| m >= created), "{u}");
    assert_eq!(sp.read(&format!("/Users/{id}")).await, u);
}

#[tokio::test]
async fn user_names_are_unique_case_insensitively() {
    let sp = Sp::new();
    let a = sp.user("Taken@Example.com").await;
    let b = sp.user("free").await;
    for name in ["Taken@Example.com", "taken@example.com", "TAKEN@EXAMPLE.COM"] {
        let d = sp
            .post("/Users", &json!({"schemas": [USER_URN], "userName": name}))
            .await
            .expect_error(409, Some("uniqueness"));
        assert!(d.contains("userName"), "{d}");
    }
    sp.put(&format!("/Users/{b}"), &json!({"schemas": [USER_URN], "userName": "taken@example.com"}))
        .await
        .expect_error(409, Some("uniqueness"));
    sp.patch_ops(&format!("/Users/{b}"), json!([{"op": "replace", "path": "userName", "value": "TAKEN@example.com"}]))
        .await
        .expect_error(409, Some("uniqueness"));
    assert_eq!(sp.read(&format!("/Users/{b}")).await["userName"], "free");
    // Renaming oneself in another case is not a collision.
    let renamed = sp
        .patch_ops(&format!("/Users/{a}"), json!([{"op": "replace", "path": "userName", "value": "taken@example.com"}]))
        .await;
    assert_eq!(renamed.expect_json(200)["userName"], "taken@example.com");
    // Once the holder is gone the name is free again.
    sp.delete(&format!("/Users/{a}")).await.expect(204);
    sp.user("TAKEN@example.com").await;
}

#[tokio::test]
async fn put_replaces_clears_omitted_and_ignores_read_only() {
    let sp = Sp::new();
    let u = sp
        .create(
            "/Users",
            &json!({"schemas": [USER_URN, ENT_URN], "userName": "p", "displayName": "P", "title": "Eng", "nickName": "pp",
                    "emails": [{"value": "p@x.example", "type": "work"}], ENT_URN: {"department": "R&D"}}),
        )
        .await;
    let id = id_of(&u);
    let gid = sp.group("pg", &[&id]).await;
    let created = u["meta"]["created"].clone();
    let put = json!({
        "schemas": [USER_URN],
        "id": id,
        "userName": "p",
        "title": "Lead",
        "groups": [{"value": "not-a-group"}],
        "meta": {"resourceType": "Bogus", "created": "1999-01-01T00:00:00Z", "version": "W/\"forged\""}
    });
    let r = sp.put(&format!("/Users/{id}"), &put).await.expect_json(200);
    assert_eq!(r["title"], "Lead");
    for gone in ["displayName", "nickName", "emails", ENT_URN] {
        assert!(r.get(gone).is_none(), "PUT must clear omitted {gone}: {r}");
    }
    assert_eq!(r["meta"]["resourceType"], "User");
    assert_eq!(r["meta"]["created"], created, "meta is the server's");
    assert_ne!(r["meta"]["version"], "W/\"forged\"");
    assert_eq!(group_values(&r), [gid.as_str()], "groups is readOnly: the client's value is ignored");
    assert_eq!(sp.read(&format!("/Users/{id}")).await, r);

    // An id in the body that contradicts the URL is refused (readOnly, section 3.5.1).
    sp.put(&format!("/Users/{id}"), &json!({"schemas": [USER_URN], "id": "other", "userName": "p"}))
        .await
        .expect_error(400, Some("mutability"));
    // PUT to a Group replaces its members too.
    let b = sp.user("b").await;
    let g = sp
        .put(
            &format!("/Groups/{gid}"),
            &json!({"schemas": [GROUP_URN], "displayName": "pg2", "members": [{"value": b}]}),
        )
        .await;
    assert_eq!(member_values(&g.expect_json(200)), [b.as_str()]);
    assert!(sp.read(&format!("/Users/{id}")).await.get("groups").is_none());
}

fn assert_no_password(v: &Value, what: &str) {
    let text = v.to_string();
    assert!(!text.contains("s3cret-Pa55") && !text.contains("n3w-Pa55"), "{what} leaked the password: {v}");
    assert!(v.get("password").is_none(), "{what}: {v}");
}

#[tokio::test]
async fn password_is_accepted_but_never_returned() {
    let sp = Sp::new();
    let u = sp.create("/Users", &json!({"schemas": [USER_URN], "userName": "pw", "password": "s3cret-Pa55"})).await;
    assert_no_password(&u, "POST");
    let id = id_of(&u);
    let path = format!("/Users/{id}");
    assert_no_password(&sp.read(&path).await, "GET");
    assert_no_password(&sp.read(&format!("{path}?attributes=password")).await, "GET attributes=password");
    assert_no_password(&sp.read("/Users").await, "list");
    assert_no_password(&sp.read("/Users?attributes=password,userName").await, "list attributes=password");
    let s = sp.post("/.search", &json!({"schemas": [SEARCH_URN], "attributes": ["password"]})).await.expect_json(200);
    assert_no_password(&s, ".search");
    let p =
        sp.patch_ops(&path, json!([{"op": "replace", "path": "password", "value": "n3w-Pa55"}])).await.expect_json(200);
    assert_no_password(&p, "PATCH");
    let r =
        sp.put(&path, &json!({"schemas": [USER_URN], "userName": "pw", "password": "n3w-Pa55"})).await.expect_json(200);
    assert_no_password(&r, "PUT");
    // RFC 7643 section 4.1.1 lets a client compare a password for equality in a filter; the match still
    // does not show it.
    let probe = sp.read(&format!("/Users?filter={}", enc("password eq \"n3w-Pa55\""))).await;
    assert_eq!(super::ids(&probe), [id]);
    assert_no_password(&probe, "password filter");
}

#[tokio::test]
async fn deleting_a_user_removes_it_from_its_groups() {
    let sp = Sp::new();
    let a = sp.user("a").await;
    let b = sp.user("b").await;
    let g1 = sp.group("g1", &[&a, &b]).await;
    let g2 = sp.group("g2", &[&a]).await;
    let v1 = sp.read(&format!("/Groups/{g1}")).await["meta"]["version"].clone();
    let user = sp.read(&format!("/Users/{a}")).await;
    let mut gs = group_values(&user);
    gs.sort();
    let mut want = vec![g1.clone(), g2.clone()];
    want.sort();
    assert_eq!(gs, want);

    let r = sp.delete(&format!("/Users/{a}")).await.expect(204);
    assert!(r.body.is_empty(), "204 has no body");
    sp.get(&format!("/Users/{a}")).await.expect_error(404, None);
    sp.delete(&format!("/Users/{a}")).await.expect_error(404, None);
    let after1 = sp.read(&format!("/Groups/{g1}")).await;
    assert_eq!(member_values(&after1), [b.as_str()]);
    assert_ne!(after1["meta"]["version"], v1, "the group changed, so its version did");
    let after2 = sp.read(&format!("/Groups/{g2}")).await;
    assert!(member_values(&after2).is_empty(), "{after2}");
    let l = sp.read(&format!("/Groups?filter={}", enc(&format!("members.value eq \"{a}\"")))).await;
    assert_eq!(l["totalResults"], json!(0));

    // Deleting a group leaves its members alone, and they lose the group.
    sp.delete(&format!("/Groups/{g1}")).await.expect(204);
    assert!(sp.read(&format!("/Users/{b}")).await.get("groups").is_none());
}

#[tokio::test]
async fn patch_adding_an_extension_attribute_lists_the_extension() {
    let sp = Sp::new();
    let id = sp.user("x").await;
    let r = sp
        .patch_ops(
            &format!("/Users/{id}"),
            json!([{"op": "add", "path": format!("{ENT_URN}:employeeNumber"), "value": "42"}]),
        )
        .await
        .expect_json(200);
    assert_eq!(r[ENT_URN]["employeeNumber"], "42");
    assert!(r["schemas"].as_array().expect("schemas").iter().any(|s| s == ENT_URN), "{r}");
    let r = sp
        .patch_ops(&format!("/Users/{id}"), json!([{"op": "remove", "path": format!("{ENT_URN}:employeeNumber")}]))
        .await
        .expect_json(200);
    assert!(r.get(ENT_URN).is_none(), "{r}");
}

#[tokio::test]
async fn patch_of_a_whole_extension_takes_its_attributes_only() {
    // RFC 7644 section 3.5.2.1: the value for a complex target holds its sub-attributes, here the enterprise
    // extension's (RFC 7643 section 4.3). `schemas` belongs to the resource (RFC 7643 section 3), not inside the
    // extension: scim2-tester sends it there (docs/interop.md), and the mock SP refuses it.
    let sp = Sp::new();
    let id = sp.user("x").await;
    let path = format!("/Users/{id}");
    let value = json!({"employeeNumber": "7", "costCenter": "cc"});
    let r = sp.patch_ops(&path, json!([{"op": "add", "path": ENT_URN, "value": value}])).await.expect_json(200);
    assert_eq!(r[ENT_URN], value);
    let with_schemas = json!({"schemas": [ENT_URN], "employeeNumber": "8"});
    for op in ["add", "replace"] {
        let d = sp
            .patch_ops(&path, json!([{"op": op, "path": ENT_URN, "value": with_schemas}]))
            .await
            .expect_error(400, Some("invalidValue"));
        assert!(d.contains("\"schemas\""), "{d}");
    }
    assert_eq!(sp.read(&path).await[ENT_URN], value, "the refused PATCH changed nothing");
}
