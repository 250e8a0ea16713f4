//! The thinner evidence of IDP-TRAFFIC.md section 3: Google Workspace's headers, JumpCloud's test connection and
//! member removal, Ping's connection check and PUT updates, and OneLogin's trailing `&` / `?`.

use super::wire_others as w;
use super::{member, replay, wire};
use crate::http::{GROUP_URN, Sp, USER_URN, assert_list, enc, group_values, id_of, ids, member_values};
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn google_request_headers_observed() {
    let d = wire(w::GOOGLE_REQUEST_HEADERS_OBSERVED, &[]);
    let h = &d["headers"];
    let headers = [("user-agent", member(h, "User-Agent")), ("content-type", member(h, "Content-Type"))];
    assert_eq!(headers[1].1, "application/json", "Google sends plain JSON, which a SCIM server must accept");
    let sp = Sp::new();
    let body = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "g.user@example.com", "active": true}))
        .expect("json");
    let u = sp.send(Method::POST, "/Users", &headers, Some(body)).await.expect_json(201);
    let patch = serde_json::to_vec(&json!({"schemas": [crate::http::PATCH_URN], "Operations": [{"op": "replace", "path": "active", "value": false}]}))
        .expect("json");
    let r = sp.send(Method::PATCH, &format!("/Users/{}", id_of(&u)), &headers, Some(patch)).await.expect_json(200);
    assert_eq!(r["active"], json!(false));
}

#[tokio::test]
async fn jumpcloud_behaviour_notes() {
    let d = wire(w::JUMPCLOUD_BEHAVIOUR_NOTES, &[]);
    assert_eq!(d["groups"]["empty_groups_created"], json!(false));
    let sp = Sp::new();
    // Test connection: lookup, create a test user and a (non-empty) test group, then DELETE both.
    let q = format!("/Users?filter={}", enc("userName eq \"jc.test@example.com\""));
    assert_eq!(sp.read(&q).await["totalResults"], json!(0));
    let uid = sp.user("jc.test@example.com").await;
    let gid = sp.group("JumpCloud Test Group", &[&uid]).await;
    assert_eq!(group_values(&sp.read(&format!("/Users/{uid}")).await), [gid.as_str()]);
    // An existing group of the same name is adopted: the lookup finds it.
    let g = sp.read(&format!("/Groups?filter={}", enc("displayName eq \"JumpCloud Test Group\""))).await;
    assert_eq!(ids(&g), [gid.as_str()]);
    sp.delete(&format!("/Groups/{gid}")).await.expect(204);
    sp.delete(&format!("/Users/{uid}")).await.expect(204);
    sp.get(&format!("/Groups/{gid}")).await.expect_error(404, None);
    sp.get(&format!("/Users/{uid}")).await.expect_error(404, None);
    // Deprovision without DELETE: set inactive, still readable.
    let uid = sp.user("jc.other@example.com").await;
    let r = sp.patch_ops(&format!("/Users/{uid}"), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_eq!(r.expect_json(200)["active"], json!(false));
}

#[tokio::test]
async fn jumpcloud_group_member_patch_secondary() {
    let sp = Sp::new();
    let gone = sp.user("gone@example.com").await;
    let stays = sp.user("stays@example.com").await;
    let gid = sp.group("jc", &[&gone, &stays]).await;
    let r = replay(
        &sp,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        super::ENTRA,
        w::JUMPCLOUD_GROUP_MEMBER_PATCH_SECONDARY,
        &[("<user id>", &gone)],
    )
    .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    assert_eq!(member_values(&sp.read(&format!("/Groups/{gid}")).await), [stays]);
    // And the add in the same shape (members + value array, no display, no type).
    let add = w::JUMPCLOUD_GROUP_MEMBER_PATCH_SECONDARY.replace("\"remove\"", "\"add\"");
    replay(&sp, Method::PATCH, &format!("/Groups/{gid}"), super::ENTRA, &add, &[("<user id>", &gone)]).await;
    assert_eq!(member_values(&sp.read(&format!("/Groups/{gid}")).await).len(), 2);
}

#[tokio::test]
async fn ping_behaviour_notes() {
    let d = wire(w::PING_BEHAVIOUR_NOTES, &[]);
    assert!(member(&d, "quirk_example").contains("/Users/0"));
    let sp = Sp::new();
    // The connection check before every operation expects 404.
    sp.get("/Users/0").await.expect_error(404, None);
    // Users are matched on userName and updated with PUT.
    let q = format!("/Users?filter={}", enc("userName eq \"ping.user@example.com\""));
    assert_eq!(sp.read(&q).await["totalResults"], json!(0));
    let uid = sp.user("ping.user@example.com").await;
    let put = json!({"schemas": [USER_URN], "userName": "ping.user@example.com", "title": "Analyst", "active": true});
    assert_eq!(sp.put(&format!("/Users/{uid}"), &put).await.expect_json(200)["title"], "Analyst");
    // Groups are found by listing them all, and updated with PATCH.
    sp.group("other", &[]).await;
    let gid = sp.group("ping group", &[]).await;
    let all = sp.read("/Groups").await;
    assert_eq!(assert_list(&all), 2);
    assert!(ids(&all).contains(&gid));
    sp.patch_ops(&format!("/Groups/{gid}"), json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]))
        .await
        .expect(200);
    // Remove User Action: Disable (PUT active=false, still readable), then Delete.
    let disabled =
        json!({"schemas": [USER_URN], "userName": "ping.user@example.com", "title": "Analyst", "active": false});
    sp.put(&format!("/Users/{uid}"), &disabled).await.expect(200);
    assert_eq!(sp.read(&q).await["Resources"][0]["active"], json!(false));
    sp.delete(&format!("/Users/{uid}")).await.expect(204);
    assert!(member_values(&sp.read(&format!("/Groups/{gid}")).await).is_empty());
}

#[tokio::test]
async fn onelogin_trailing_separators_and_empty_user_agent() {
    // Not a file: the v2-Enterprise flow captured in authentik#11249 (IDP-TRAFFIC.md section 3).
    let sp = Sp::new();
    let uid = sp.user("ol.user@example.com").await;
    let list = sp
        .send(Method::GET, "/Users?filter=userName+eq+%22ol.user%40example.com%22&", &[], None)
        .await
        .expect_json(200);
    assert_eq!(ids(&list), [uid.as_str()]);
    let put =
        serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "ol.user@example.com", "displayName": "OL"}))
            .expect("json");
    let u =
        sp.send(Method::PUT, &format!("/Users/{uid}?"), &[("content-type", "application/scim+json")], Some(put)).await;
    assert_eq!(u.expect_json(200)["displayName"], "OL");
    let gid = sp.create("/Groups", &json!({"schemas": [GROUP_URN], "displayName": "ol"})).await;
    let gid = id_of(&gid);
    let patch = serde_json::to_vec(&json!({"schemas": [crate::http::PATCH_URN], "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]}))
        .expect("json");
    let r = sp
        .send(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            &[("content-type", "application/scim+json"), ("user-agent", "")],
            Some(patch),
        )
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    assert_eq!(member_values(&sp.read(&format!("/Groups/{gid}")).await), [uid]);
}
