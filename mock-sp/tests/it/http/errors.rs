//! Refusals: every failure is a SCIM Error resource with the right HTTP status and scimType (RFC 7644 section
//! 3.12), served as `application/scim+json`, never a framework's plain-text rejection.

use super::{ERROR_URN, GROUP_URN, Sp, USER_URN, enc};
use axum::http::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn missing_or_wrong_credentials_get_401_with_a_scim_error() {
    let sp = Sp::new();
    for (path, auth) in [
        ("/Users", ""),
        ("/Users", "Bearer not-the-token"),
        ("/Users", "Basic dXNlcjpwYXNz"),
        ("/Groups/whatever", ""),
        ("/ServiceProviderConfig", "Bearer"),
        ("/Schemas", "Bearer it-secret-token-but-longer"),
        ("/NoSuchEndpoint", ""),
    ] {
        let r = sp.send(Method::GET, path, &[("authorization", auth)], None).await.expect(401);
        assert!(r.header("www-authenticate").is_some_and(|c| c.starts_with("Bearer")), "{path}: no challenge");
        let detail = r.expect_error(401, None);
        assert!(detail.contains("Authorization"), "{detail}");
    }
    // A write without credentials is refused before its body is looked at, and changes nothing.
    let body = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "intruder"})).expect("json");
    sp.send(Method::POST, "/Users", &[("authorization", ""), ("content-type", "application/scim+json")], Some(body))
        .await
        .expect_error(401, None);
    assert_eq!(sp.read("/Users").await["totalResults"], json!(0));
    // The right token in any scheme case works.
    sp.send(Method::GET, "/Users", &[("authorization", "bearer it-secret-token")], None).await.expect(200);
}

#[tokio::test]
async fn basic_credentials_when_configured() {
    let sp = Sp::with(|c| c.auth = scimlab_mock_sp::Auth::Basic { user: "okta".into(), pass: "pw".into() });
    let good = format!("Basic {}", scimlab_protocol::base64::encode(b"okta:pw"));
    sp.send(Method::GET, "/Users", &[("authorization", &good)], None).await.expect(200);
    let r = sp.send(Method::GET, "/Users", &[("authorization", "Bearer it-secret-token")], None).await.expect(401);
    assert!(r.header("www-authenticate").is_some_and(|c| c.starts_with("Basic")));
    r.expect_error(401, None);
}

#[tokio::test]
async fn oauth_tokens_from_the_token_endpoint_open_the_api_and_are_announced() {
    use scimlab_mock_sp::oauth::OAuthIssuer;
    let issuer = OAuthIssuer::new("ping".into(), "pw-oauth".into(), std::time::Duration::from_secs(60), None);
    let sp = Sp::with(|c| c.oauth = Some(std::sync::Arc::new(issuer)));
    let basic = format!("Basic {}", scimlab_protocol::base64::encode(b"ping:pw-oauth"));
    let form = [("authorization", basic.as_str()), ("content-type", "application/x-www-form-urlencoded")];
    let token = sp.send(Method::POST, "//oauth/token", &form, Some(b"grant_type=client_credentials".to_vec())).await;
    let token: Value = serde_json::from_slice(&token.expect(200).body).expect("RFC 6749 section 5.1 JSON");
    let token = token["access_token"].as_str().expect("access_token").to_owned();
    sp.send(Method::GET, "/Users", &[("authorization", &format!("Bearer {token}"))], None).await.expect(200);
    // The static token still works beside it; an unknown token is invalid_token.
    sp.get("/Users").await.expect(200);
    let r = sp.send(Method::GET, "/Users", &[("authorization", "Bearer made-up")], None).await.expect(401);
    assert!(r.header("www-authenticate").is_some_and(|c| c.contains("error=\"invalid_token\"")));
    // RFC 7643 section 5: both schemes are announced.
    let spc = sp.read("/ServiceProviderConfig").await;
    let kinds: Vec<&str> =
        spc["authenticationSchemes"].as_array().expect("schemes").iter().filter_map(|s| s["type"].as_str()).collect();
    assert_eq!(kinds, ["oauthbearertoken", "oauthbearertoken"]);
    // The token endpoint is POST only.
    sp.send(Method::GET, "//oauth/token", &[], None).await.expect(405);
}

#[tokio::test]
async fn unknown_ids_and_endpoints_are_404_scim_errors() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    for path in [
        "/Users/00000000-0000-0000-0000-000000000000",
        "/Users/0",
        "/Groups/00000000-0000-0000-0000-000000000000",
        // A User's id is not a Group's.
        &format!("/Groups/{uid}"),
        "/Widgets",
        "/Widgets/1",
        "/Widgets/.search",
        "/Users/a/b",
        "/ResourceTypes/Widget",
        "/Schemas/urn:x:nothing",
        "//elsewhere",
        "//scim/v3/Users",
    ] {
        sp.get(path).await.expect_error(404, None);
    }
    for method in [Method::DELETE, Method::PUT, Method::PATCH] {
        let r = sp.json(method.clone(), "/Users/nope", &json!({"schemas": [USER_URN], "userName": "x"})).await;
        if method == Method::PATCH {
            // A body that is not a PatchOp may be refused as such before the id is looked up; either is a SCIM
            // Error, but a PATCH with a valid body must say 404.
            assert!(r.status == 400 || r.status == 404, "{}", r.status);
        } else {
            r.expect_error(404, None);
        }
    }
    sp.patch_ops("/Users/nope", json!([{"op": "replace", "path": "active", "value": false}]))
        .await
        .expect_error(404, None);
}

#[tokio::test]
async fn methods_that_do_not_apply_are_405_with_allow() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    let cases: [(Method, String); 10] = [
        (Method::POST, "/ServiceProviderConfig".into()),
        (Method::PUT, "/ServiceProviderConfig".into()),
        (Method::POST, "/Schemas".into()),
        (Method::DELETE, format!("/Schemas/{USER_URN}")),
        (Method::POST, "/ResourceTypes".into()),
        (Method::PATCH, "/ResourceTypes/User".into()),
        (Method::PUT, "/Users".into()),
        (Method::PATCH, "/Groups".into()),
        (Method::DELETE, "/Users".into()),
        (Method::POST, format!("/Users/{uid}")),
    ];
    for (method, path) in cases {
        let r = sp
            .send(method.clone(), &path, &[("content-type", "application/scim+json")], Some(b"test\r\n\r\n".to_vec()))
            .await;
        let r = r.expect(405);
        assert!(r.header("allow").is_some_and(|a| a.contains("GET") || a.contains("POST")), "{method} {path}: Allow");
        r.expect_error(405, None);
    }
    sp.get("/.search").await.expect_error(405, None);
    sp.get("/Users/.search").await.expect_error(405, None);
    // The user is untouched by the refused POST.
    sp.read(&format!("/Users/{uid}")).await;
}

#[tokio::test]
async fn malformed_json_is_400_invalid_syntax() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    for (method, path) in [
        (Method::POST, "/Users".to_owned()),
        (Method::POST, "/Groups".to_owned()),
        (Method::PUT, format!("/Users/{uid}")),
        (Method::PATCH, format!("/Users/{uid}")),
        (Method::POST, "/Users/.search".to_owned()),
        (Method::POST, "/.search".to_owned()),
    ] {
        for body in [&b"{\"schemas\":"[..], b"not json", b"", b"{\"a\":1}{", b"[1,2"] {
            let r =
                sp.send(method.clone(), &path, &[("content-type", "application/scim+json")], Some(body.to_vec())).await;
            r.expect_error(400, Some("invalidSyntax"));
        }
    }
    // A body that is JSON but not an object.
    sp.post("/Users", &json!(["not", "an", "object"])).await.expect_error(400, Some("invalidSyntax"));
    assert_eq!(sp.read(&format!("/Users/{uid}")).await["userName"], "someone");
}

#[tokio::test]
async fn unknown_attributes_and_bad_values_are_400() {
    let sp = Sp::new();
    let d = sp
        .post("/Users", &json!({"schemas": [USER_URN], "userName": "a", "favouriteColour": "red"}))
        .await
        .expect_error(400, Some("invalidSyntax"));
    assert!(d.contains("favouriteColour"), "{d}");
    let d = sp.post("/Users", &json!({"schemas": [USER_URN], "userName": "a", "active": "yes"})).await;
    assert!(d.expect_error(400, Some("invalidValue")).contains("active"));
    // A required attribute missing.
    sp.post("/Users", &json!({"schemas": [USER_URN], "displayName": "no userName"}))
        .await
        .expect_error(400, Some("invalidValue"));
    sp.post("/Groups", &json!({"schemas": [GROUP_URN]})).await.expect_error(400, Some("invalidValue"));
    // A member that is not a resource of this server.
    sp.post("/Groups", &json!({"schemas": [GROUP_URN], "displayName": "g", "members": [{"value": "ghost"}]}))
        .await
        .expect_error(400, Some("invalidValue"));
    // Nothing was created.
    assert_eq!(sp.read("/Users").await["totalResults"], json!(0));
    assert_eq!(sp.read("/Groups").await["totalResults"], json!(0));
}

#[tokio::test]
async fn invalid_filters_are_400_invalid_filter() {
    let sp = Sp::new();
    sp.user("someone").await;
    for f in [
        "AbCdEf",
        "userName eq",
        "userName eq \"a",
        "userName xx \"a\"",
        "(userName eq \"a\"",
        "userName eq \"a\" and",
        "emails[type eq \"work\"",
    ] {
        let d = sp.get(&format!("/Users?filter={}", enc(f))).await.expect_error(400, Some("invalidFilter"));
        assert!(!d.is_empty());
        sp.post("/Users/.search", &json!({"schemas": [super::SEARCH_URN], "filter": f}))
            .await
            .expect_error(400, Some("invalidFilter"));
    }
}

#[tokio::test]
async fn invalid_patch_paths_are_400_invalid_path() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    let gid = sp.group("g", &[&uid]).await;
    for path in [
        "emails[type eq \"work\"",
        "name..givenName",
        "noSuchAttribute",
        "urn:x:nope:attr",
        "emails[value xx 1].value",
        "",
    ] {
        let r = sp.patch_ops(&format!("/Users/{uid}"), json!([{"op": "replace", "path": path, "value": "x"}])).await;
        let detail = r.expect_error(400, Some("invalidPath"));
        assert!(!detail.is_empty());
    }
    sp.patch_ops(&format!("/Groups/{gid}"), json!([{"op": "remove", "path": "members[value eq"}]))
        .await
        .expect_error(400, Some("invalidPath"));
    // A PATCH that fails changes nothing, even when earlier operations were fine (section 3.5.2: atomic).
    sp.patch_ops(
        &format!("/Users/{uid}"),
        json!([{"op": "replace", "path": "displayName", "value": "changed"}, {"op": "replace", "path": "bogus", "value": 1}]),
    )
    .await
    .expect_error(400, Some("invalidPath"));
    assert!(sp.read(&format!("/Users/{uid}")).await.get("displayName").is_none());
    // Not a PatchOp at all: the message does not fit its schema.
    sp.json(Method::PATCH, &format!("/Users/{uid}"), &json!({"schemas": [super::PATCH_URN]}))
        .await
        .expect_error(400, Some("invalidSyntax"));
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let sp = Sp::with(|c| c.max_payload_bytes = 2048);
    let uid = sp.user("small").await;
    let big = json!({"schemas": [USER_URN], "userName": "big", "displayName": "x".repeat(4096)});
    sp.post("/Users", &big).await.expect_error(413, None);
    sp.put(&format!("/Users/{uid}"), &big).await.expect_error(413, None);
    sp.patch_ops(
        &format!("/Users/{uid}"),
        json!([{"op": "replace", "path": "displayName", "value": "x".repeat(4096)}]),
    )
    .await
    .expect_error(413, None);
    sp.post(
        "/.search",
        &json!({"schemas": [super::SEARCH_URN], "filter": format!("userName eq \"{}\"", "x".repeat(4096))}),
    )
    .await
    .expect_error(413, None);
    // The published limit is the enforced one.
    let spc = sp.read("/ServiceProviderConfig").await;
    assert_eq!(spc["bulk"]["maxPayloadSize"], json!(2048));
    // Just under the limit is fine.
    sp.post("/Users", &json!({"schemas": [USER_URN], "userName": "fits", "displayName": "x".repeat(1500)}))
        .await
        .expect(201);
}

#[tokio::test]
async fn wrong_content_types_are_415() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    let body = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "other"})).expect("json");
    for ct in ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
    {
        for (method, path) in [
            (Method::POST, "/Users".to_owned()),
            (Method::PUT, format!("/Users/{uid}")),
            (Method::POST, "/.search".to_owned()),
        ] {
            sp.send(method, &path, &[("content-type", ct)], Some(body.clone())).await.expect_error(415, None);
        }
    }
    // application/json and scim+json with parameters in any case are SCIM bodies; so is a body without a type.
    for ct in ["application/json", "Application/SCIM+JSON; Charset=UTF-8", "application/json;charset=utf-8"] {
        let name = format!("user-{}", ct.len());
        let b = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": name})).expect("json");
        sp.send(Method::POST, "/Users", &[("content-type", ct)], Some(b)).await.expect(201);
    }
    let b = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "untyped"})).expect("json");
    sp.send(Method::POST, "/Users", &[], Some(b)).await.expect(201);
}

#[tokio::test]
async fn me_is_501_and_says_why() {
    let sp = Sp::new();
    for method in [Method::GET, Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
        let d = sp.send(method, "/Me", &[], None).await.expect_error(501, None);
        assert!(d.contains("/Me"), "{d}");
    }
}

#[tokio::test]
async fn every_response_is_scim_json() {
    let sp = Sp::new();
    let uid = sp.user("someone").await;
    for path in [
        "/ServiceProviderConfig",
        "/ResourceTypes",
        "/ResourceTypes/User",
        "/Schemas",
        &format!("/Schemas/{USER_URN}"),
        "/Users",
        &format!("/Users/{uid}"),
        "/Groups",
        "/nope",
    ] {
        let r = sp.get(path).await;
        r.assert_scim_json();
        let v: Value = r.body_json();
        assert!(v["schemas"].is_array(), "{path}: {v}");
    }
    let e = sp.get("/Users/nope").await.body_json();
    assert_eq!(e["schemas"][0], ERROR_URN);
    // A request outside the base path is still answered with a SCIM Error.
    sp.get("//scim/v2").await.expect_error(404, None);
    sp.get("//").await.expect_error(404, None);
}
