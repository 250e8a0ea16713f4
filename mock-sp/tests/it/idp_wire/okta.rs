//! Okta (IDP-TRAFFIC.md section 2): the OIN client's bodies with its header set, its `%20`-encoded lookups with
//! `startIndex=1&count=100`, import paging, and the published SPEC test suite. Okta needs 201 with a body on
//! create, 409 on a duplicate, 200 with the resource (or 204) on PATCH, and a stable order for paging.

use super::wire_okta as w;
use super::{OKTA, member, replay, wire};
use crate::http::{ERROR_URN, GROUP_URN, Sp, USER_URN, assert_list, enc, group_values, id_of, ids, member_values};
use axum::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const OKTA_USER: &str = "test.user@okta.local";

/// Okta's "does the user exist" query, encoded as Okta encodes it (`%20`, `%22`, `%40`).
async fn lookup(sp: &Sp, user_name: &str) -> Value {
    let raw = format!("/Users?filter={}&startIndex=1&count=100", enc(&format!("userName eq \"{user_name}\"")));
    let list = sp.send(Method::GET, &raw, OKTA, None).await.expect_json(200);
    assert_list(&list);
    list
}

/// Okta's create of `create_user_post.json` after a lookup miss. Returns the created user.
async fn provision(sp: &Sp) -> Value {
    assert_eq!(lookup(sp, OKTA_USER).await["totalResults"], json!(0));
    replay(sp, Method::POST, "/Users", OKTA, w::CREATE_USER_POST, &[]).await.expect_json(201)
}

/// A group PATCH: 200 with the group, or 204. Returns the group read back.
async fn patch_group(sp: &Sp, gid: &str, text: &str, subst: &[(&str, &str)]) -> Value {
    let r = replay(sp, Method::PATCH, &format!("/Groups/{gid}"), OKTA, text, subst).await;
    assert!(r.status == 200 || r.status == 204, "group PATCH answered {}", r.status);
    sp.read(&format!("/Groups/{gid}")).await
}

#[tokio::test]
async fn create_user_post() {
    let sp = Sp::new();
    let sent = wire(w::CREATE_USER_POST, &[]);
    let u = provision(&sp).await;
    let id = id_of(&u);
    assert!(!id.is_empty() && !id.contains("bulkId"));
    for attr in ["userName", "name", "emails", "displayName", "locale", "externalId", "active"] {
        assert_eq!(u[attr], sent[attr], "{attr}");
    }
    assert!(u.get("password").is_none(), "password is writeOnly: {u}");
    assert_eq!(sp.read(&format!("/Users/{id}")).await, u);
    assert_eq!(ids(&lookup(&sp, OKTA_USER).await), [id]);
    let d =
        replay(&sp, Method::POST, "/Users", OKTA, w::CREATE_USER_POST, &[]).await.expect_error(409, Some("uniqueness"));
    assert!(d.contains(OKTA_USER), "{d}");
}

#[tokio::test]
async fn user_lookup_get() {
    let d = wire(w::USER_LOOKUP_GET, &[]);
    let raw = member(&d, "raw_path_and_query").strip_prefix("/scim/v2").expect("under /scim/v2").to_owned();
    let sp = Sp::new();
    assert_eq!(sp.send(Method::GET, &raw, OKTA, None).await.expect_json(200)["totalResults"], json!(0));
    let id = id_of(&provision(&sp).await);
    let found = sp.send(Method::GET, &raw, OKTA, None).await.expect_json(200);
    assert_eq!(assert_list(&found), 1);
    assert_eq!(ids(&found), [id.as_str()]);
    // userName is not caseExact.
    assert_eq!(ids(&lookup(&sp, "Test.User@OKTA.local").await), [id]);

    // Import: pages of 100 by startIndex until totalResults, in a stable order.
    for i in 1..250 {
        sp.user(&format!("import.{i:03}@okta.local")).await;
    }
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let page =
            sp.send(Method::GET, &format!("/Users?startIndex={start}&count=100"), OKTA, None).await.expect_json(200);
        assert_eq!(assert_list(&page), 250);
        assert_eq!(page["startIndex"], json!(start));
        let got = ids(&page);
        assert_eq!(got.len(), (250 - (start - 1)).min(100));
        seen.extend(got);
        start += 100;
        if start > 250 {
            break;
        }
    }
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 250, "no resource twice, none missed");
    let again: Vec<String> = ids(&sp.read("/Users?startIndex=101&count=100").await);
    assert_eq!(again, seen[100..200], "the same page twice is the same page");
    // The credential probe.
    let probe = sp.send(Method::GET, "/Users?startIndex=1&count=2", OKTA, None).await.expect_json(200);
    assert_eq!(ids(&probe), seen[..2]);
    assert_eq!(probe["totalResults"], json!(250));
}

#[tokio::test]
async fn deactivate_user_patch() {
    let sp = Sp::new();
    let id = id_of(&provision(&sp).await);
    let path = format!("/Users/{id}");
    let r = replay(&sp, Method::PATCH, &path, OKTA, w::DEACTIVATE_USER_PATCH, &[]).await.expect_json(200);
    assert_eq!(r["active"], json!(false));
    assert_eq!(sp.read(&path).await["active"], json!(false));
    let found = lookup(&sp, OKTA_USER).await;
    assert_eq!(ids(&found), [id.as_str()]);
    assert_eq!(found["Resources"][0]["active"], json!(false));
    let reactivate = w::DEACTIVATE_USER_PATCH.replace("false", "true");
    let r = replay(&sp, Method::PATCH, &path, OKTA, &reactivate, &[]).await.expect_json(200);
    assert_eq!(r["active"], json!(true));
}

/// Okta reads the user, then PUTs it back whole (`update_user_put.json`, its id being the created user's).
async fn put_back(sp: &Sp, headers: &[(&str, &str)], text: &str) -> (String, Value) {
    let id = id_of(&provision(sp).await);
    sp.read(&format!("/Users/{id}")).await;
    let r = replay(
        sp,
        Method::PUT,
        &format!("/Users/{id}"),
        headers,
        text,
        &[("23a35c27-23d3-4c03-b4c5-6443c09e7173", &id)],
    )
    .await;
    let u = r.expect_json(200);
    assert_eq!(sp.read(&format!("/Users/{id}")).await, u);
    (id, u)
}

#[tokio::test]
async fn update_user_put() {
    let sp = Sp::new();
    let (_, u) = put_back(&sp, OKTA, w::UPDATE_USER_PUT).await;
    assert_eq!(u["name"], json!({"givenName": "Another", "middleName": "Excited", "familyName": "User"}));
    assert_eq!(u["emails"][0]["display"], OKTA_USER);
    assert_eq!(u["active"], json!(true));
    // PUT replaces: what the body omits is gone.
    for omitted in ["displayName", "locale", "externalId"] {
        assert!(u.get(omitted).is_none(), "{omitted} survived a PUT that omitted it: {u}");
    }
    assert!(u.get("password").is_none());
}

#[tokio::test]
async fn request_headers_observed() {
    let d = wire(w::REQUEST_HEADERS_OBSERVED, &[]);
    assert_eq!(member(&d, "method"), "PUT");
    let headers: Vec<(String, String)> = d["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .filter(|(k, _)| *k != "Authorization")
        .map(|(k, v)| (k.to_lowercase(), v.as_str().expect("header").to_owned()))
        .collect();
    let ours: Vec<(String, String)> = OKTA.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    assert_eq!(headers, ours, "the OKTA header set is the observed one");
    // The capture is a PUT that deactivates a user (an AIW app deactivates by PUT).
    let sp = Sp::new();
    let deactivate = w::UPDATE_USER_PUT.replace("\"active\": true", "\"active\": false");
    let (id, u) = put_back(&sp, OKTA, &deactivate).await;
    assert_eq!(u["active"], json!(false));
    assert_eq!(ids(&lookup(&sp, OKTA_USER).await), [id]);
    // Okta's Accept-Encoding: gzip,deflate gets a gzip answer, which Reply decodes as Okta does.
    let schemas = sp.send(Method::GET, "/Schemas", OKTA, None).await;
    assert_eq!(schemas.header("content-encoding"), Some("gzip"));
    assert_eq!(schemas.header("vary"), Some("accept-encoding"));
    assert!(schemas.expect_json(200)["totalResults"].as_u64().is_some_and(|n| n > 0));
}

#[tokio::test]
async fn group_create_post() {
    let sp = Sp::new();
    let list =
        sp.send(Method::GET, &format!("/Groups?filter={}", enc("displayName eq \"Test SCIMv2\"")), OKTA, None).await;
    assert_eq!(list.expect_json(200)["totalResults"], json!(0));
    let g = replay(&sp, Method::POST, "/Groups", OKTA, w::GROUP_CREATE_POST, &[]).await.expect_json(201);
    assert_eq!(g["displayName"], "Test SCIMv2");
    assert!(member_values(&g).is_empty());
    assert_eq!(g["schemas"], json!([GROUP_URN]));
    let list =
        sp.send(Method::GET, &format!("/Groups?filter={}", enc("displayName eq \"Test SCIMv2\"")), OKTA, None).await;
    assert_eq!(ids(&list.expect_json(200)), [id_of(&g)]);
}

#[tokio::test]
async fn group_membership_patch() {
    let sp = Sp::new();
    let leaving = sp.user("old.user@okta.local").await;
    let joining = id_of(&provision(&sp).await);
    let gid = sp.group("Test SCIMv2", &[&leaving]).await;
    let subst = [
        ("89bb1940-b905-4575-9e7f-6f887cfb368e", leaving.as_str()),
        ("23a35c27-23d3-4c03-b4c5-6443c09e7173", &joining),
    ];
    let g = patch_group(&sp, &gid, w::GROUP_MEMBERSHIP_PATCH, &subst).await;
    assert_eq!(g["members"], json!([{"value": joining, "display": OKTA_USER}]));
    assert!(sp.read(&format!("/Users/{leaving}")).await.get("groups").is_none());
    assert_eq!(group_values(&sp.read(&format!("/Users/{joining}")).await), [gid]);
}

#[tokio::test]
async fn group_membership_replace_all_patch() {
    let sp = Sp::new();
    let a = id_of(&provision(&sp).await);
    let b = sp.user("second@okta.local").await;
    let c = sp.user("dropped@okta.local").await;
    let gid = sp.group("Test SCIMv2", &[&c]).await;
    let subst = [("23a35c27-23d3-4c03-b4c5-6443c09e7173", a.as_str()), ("89bb1940-b905-4575-9e7f-6f887cfb368e", &b)];
    let g = patch_group(&sp, &gid, w::GROUP_MEMBERSHIP_REPLACE_ALL_PATCH, &subst).await;
    assert_eq!(member_values(&g), [a.clone(), b.clone()]);
    assert!(sp.read(&format!("/Users/{c}")).await.get("groups").is_none());
    // "Push now" of an empty group replaces the members with [] (IDP-TRAFFIC.md sections 2 and 5.6).
    let empty =
        json!({"schemas": [crate::http::PATCH_URN], "Operations": [{"op": "replace", "path": "members", "value": []}]});
    let r = sp.json(Method::PATCH, &format!("/Groups/{gid}"), &empty).await;
    assert!(r.status == 200 || r.status == 204);
    assert!(member_values(&sp.read(&format!("/Groups/{gid}")).await).is_empty());
    assert!(sp.read(&format!("/Users/{a}")).await.get("groups").is_none());
}

#[tokio::test]
async fn group_rename_patch() {
    let sp = Sp::new();
    let uid = sp.user("m@okta.local").await;
    let gid = sp.group("Before Rename", &[&uid]).await;
    let g = patch_group(&sp, &gid, w::GROUP_RENAME_PATCH, &[("abf4dd94-a4c0-4f67-89c9-76b03340cb9b", &gid)]).await;
    assert_eq!(g["displayName"], "Test SCIMv2");
    assert_eq!(id_of(&g), gid, "the id in the value is the group's own: nothing changes");
    assert_eq!(member_values(&g), [uid], "a rename keeps the members");
}

/// Fills the SPEC suite's `{{variables}}`.
fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut s = template.to_owned();
    for (k, v) in vars {
        s = s.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(!s.contains("{{"), "unfilled variable in {s}");
    s
}

#[tokio::test]
async fn runscope_spec_test_scim20_condensed() {
    let suite = wire(w::RUNSCOPE_SPEC_TEST_SCIM20_CONDENSED, &[]);
    let sp = Sp::new();
    // The suite needs a user and a group that already exist.
    sp.create(
        "/Users",
        &json!({"schemas": [USER_URN], "userName": "seed@okta.local", "active": true, "name": {"givenName": "Seed", "familyName": "User"},
                "emails": [{"value": "seed@okta.local", "type": "work", "primary": true}]}),
    )
    .await;
    sp.group("Seed Group", &[]).await;
    let mut vars: Vec<(&str, String)> = vec![
        ("InvalidUserEmail", "nobody.here@okta.local".into()),
        ("UserIdThatDoesNotExist", "010101001010101011".into()),
        ("randomEmail", "Runscope.Random@atko.com".into()),
        ("randomUsername", "Runscope.Random@atko.com".into()),
        ("randomUsernameCaps", "RUNSCOPE.RANDOM@ATKO.COM".into()),
        ("randomGivenName", "Runscope".into()),
        ("randomFamilyName", "Random".into()),
    ];
    let runscope: &[(&str, &str)] = &[
        ("accept-charset", "utf-8"),
        ("content-type", "application/scim+json; charset=utf-8"),
        ("accept", "application/scim+json"),
        ("user-agent", "OKTA SCIM Integration"),
    ];
    // The POST steps send only the credential and this Accept (the suite's Content-Type bug).
    let runscope_post: &[(&str, &str)] = &[("accept", "application/scim+json; charset=utf-8")];
    let mut last_body = Value::Null;
    for step in suite["steps"].as_array().expect("steps") {
        let method: Method = member(step, "method").parse().expect("method");
        let url = fill(member(step, "url"), &vars).replace(' ', "%20").replace('"', "%22").replace('@', "%40");
        let expect = u16::try_from(step["expect"].as_u64().expect("expect")).expect("status");
        let (headers, body) = match (&method, &step["body"]) {
            (&Method::POST, Value::String(s)) if s == "same as above" => {
                (runscope_post, Some(last_body.to_string().into_bytes()))
            }
            (_, Value::String(s)) => (runscope, Some(s.replace("\\r\\n", "\r\n").into_bytes())),
            (_, Value::Object(_)) => {
                last_body = serde_json::from_str(&fill(&step["body"].to_string(), &vars)).expect("body");
                (runscope_post, Some(last_body.to_string().into_bytes()))
            }
            _ => (runscope, None),
        };
        let r = sp.send(method.clone(), &url, headers, body).await.expect(expect);
        let what = format!("{method} {url}");
        let v = r.body_json();
        let template = member(step, "url");
        match (method.as_str(), template) {
            ("GET", "/ServiceProviderConfig") => {
                assert!(
                    v["schemas"]
                        .as_array()
                        .expect("schemas")
                        .contains(&json!("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"))
                );
                for p in [
                    "/patch/supported",
                    "/bulk/supported",
                    "/bulk/maxOperations",
                    "/bulk/maxPayloadSize",
                    "/filter/supported",
                    "/filter/maxResults",
                    "/changePassword/supported",
                    "/sort/supported",
                    "/etag/supported",
                    "/authenticationSchemes/0/type",
                    "/authenticationSchemes/0/description",
                ] {
                    assert!(v.pointer(p).is_some_and(|x| !x.is_null() && x != ""), "{what}: {p} in {v}");
                }
            }
            ("GET", "/ResourceTypes") => {
                assert_list(&v);
                for m in ["name", "endpoint", "schema"] {
                    assert!(v["Resources"][0][m].as_str().is_some_and(|s| !s.is_empty()), "{what}: {m}");
                }
            }
            ("GET", "/Schemas") => {
                assert_list(&v);
                assert!(
                    v["Resources"][0]["id"].is_string()
                        && v["Resources"][0]["attributes"].as_array().is_some_and(|a| !a.is_empty())
                );
            }
            ("GET", "/Users?count=1&startIndex=1") => {
                assert_list(&v);
                let u = &v["Resources"][0];
                for p in ["/id", "/name/familyName", "/name/givenName", "/userName", "/active", "/emails/0/value"] {
                    assert!(u.pointer(p).is_some(), "{what}: {p} in {u}");
                }
                vars.push(("ISVUserid", id_of(u)));
            }
            ("GET", "/Users/{{ISVUserid}}") => {
                assert_eq!(v["id"].as_str(), vars.iter().find(|(k, _)| *k == "ISVUserid").map(|(_, v)| v.as_str()));
                for p in ["/name/familyName", "/name/givenName", "/userName", "/active", "/emails/0/value"] {
                    assert!(v.pointer(p).is_some(), "{what}: {p}");
                }
            }
            ("GET", "/Users/{{UserIdThatDoesNotExist}}") | ("POST", "/Users") if expect >= 400 => {
                assert!(v["schemas"].as_array().expect("schemas").contains(&json!(ERROR_URN)), "{what}: {v}");
                assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()));
            }
            ("GET", t) if t.starts_with("/Users?filter=userName") => assert_eq!(v["totalResults"], json!(0), "{what}"),
            ("POST", "/Users") => {
                assert_eq!(v["active"], json!(true));
                assert_eq!(v["userName"], last_body["userName"]);
                assert_eq!(v["name"], last_body["name"]);
                assert!(v["schemas"].as_array().expect("schemas").contains(&json!(USER_URN)));
                vars.push(("idUserOne", id_of(&v)));
            }
            ("GET", "/Groups") => {
                assert!(v["totalResults"].as_u64().is_some_and(|n| n >= 1) && v["Resources"].is_array(), "{what}");
            }
            _ => {}
        }
    }
    assert!(vars.iter().any(|(k, _)| *k == "idUserOne"), "the create step ran");
    let l = sp.read(&format!("/Users?filter={}", enc("userName eq \"RUNSCOPE.RANDOM@ATKO.COM\""))).await;
    assert_eq!(l["totalResults"], json!(1), "the case variant finds the user (userName is not caseExact)");
}
