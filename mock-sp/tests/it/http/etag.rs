//! Versioning (RFC 7644 section 3.14): every resource carries a weak ETag equal to `meta.version`;
//! If-None-Match on a read answers 304 while the version is current, and If-Match on a write answers 412 once it
//! is not, leaving the resource as it was.

use super::{Sp, USER_URN};
use axum::http::Method;
use serde_json::{Value, json};

fn version(v: &Value) -> String {
    v["meta"]["version"].as_str().unwrap_or_else(|| panic!("no meta.version in {v}")).to_owned()
}

#[tokio::test]
async fn etag_header_is_meta_version_on_every_write_and_read() {
    let sp = Sp::new();
    let r = sp.post("/Users", &json!({"schemas": [USER_URN], "userName": "e"})).await.expect(201);
    let etag = r.header("etag").expect("ETag on 201").to_owned();
    let created = r.expect_json(201);
    assert_eq!(etag, version(&created));
    assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "a weak entity tag: {etag}");
    let path = format!("/Users/{}", created["id"].as_str().expect("id"));

    let r = sp.get(&path).await.expect(200);
    assert_eq!(r.header("etag"), Some(etag.as_str()));

    let r = sp.patch_ops(&path, json!([{"op": "replace", "path": "displayName", "value": "E"}])).await.expect(200);
    let patched_tag = r.header("etag").expect("ETag on PATCH").to_owned();
    let patched = r.expect_json(200);
    assert_eq!(patched_tag, version(&patched));
    assert_ne!(patched_tag, etag, "a change makes a new version");

    let r = sp.put(&path, &json!({"schemas": [USER_URN], "userName": "e", "title": "t"})).await.expect(200);
    let put_tag = r.header("etag").expect("ETag on PUT").to_owned();
    assert_eq!(put_tag, version(&r.expect_json(200)));
    assert_ne!(put_tag, patched_tag);

    // A PATCH that changes nothing keeps the version.
    let r = sp.patch_ops(&path, json!([{"op": "replace", "path": "title", "value": "t"}])).await.expect(200);
    assert_eq!(r.header("etag"), Some(put_tag.as_str()));

    let spc = sp.read("/ServiceProviderConfig").await;
    assert_eq!(spc["etag"]["supported"], json!(true));
}

#[tokio::test]
async fn if_none_match_answers_304_while_current() {
    let sp = Sp::new();
    let uid = sp.user("n").await;
    let path = format!("/Users/{uid}");
    let tag = version(&sp.read(&path).await);
    for given in [tag.clone(), tag.trim_start_matches("W/").to_owned(), format!("W/\"zz\", {tag}"), "*".to_owned()] {
        let r = sp.send(Method::GET, &path, &[("if-none-match", &given)], None).await.expect(304);
        assert!(r.body.is_empty(), "304 carries no body");
        assert_eq!(r.header("etag"), Some(tag.as_str()));
    }
    sp.send(Method::GET, &path, &[("if-none-match", "W/\"not-it\"")], None).await.expect_json(200);
    sp.patch_ops(&path, json!([{"op": "add", "path": "nickName", "value": "nn"}])).await.expect(200);
    let fresh = sp.send(Method::GET, &path, &[("if-none-match", &tag)], None).await.expect_json(200);
    assert_eq!(fresh["nickName"], "nn");
}

#[tokio::test]
async fn if_match_mismatch_is_412_and_changes_nothing() {
    let sp = Sp::new();
    let uid = sp.user("m").await;
    let gid = sp.group("mg", &[&uid]).await;
    let path = format!("/Users/{uid}");
    let old = version(&sp.read(&path).await);
    sp.patch_ops(&path, json!([{"op": "add", "path": "nickName", "value": "v2"}])).await.expect(200);
    let current = version(&sp.read(&path).await);
    let stale = [("if-match", old.as_str()), ("content-type", "application/scim+json")];

    let put = serde_json::to_vec(&json!({"schemas": [USER_URN], "userName": "m", "title": "lost"})).expect("json");
    sp.send(Method::PUT, &path, &stale, Some(put.clone())).await.expect_error(412, None);
    let patch = serde_json::to_vec(
        &json!({"schemas": [super::PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "lost"}]}),
    )
    .expect("json");
    sp.send(Method::PATCH, &path, &stale, Some(patch.clone())).await.expect_error(412, None);
    sp.send(Method::DELETE, &path, &stale, None).await.expect_error(412, None);
    let after = sp.read(&path).await;
    assert_eq!(version(&after), current);
    assert!(after.get("title").is_none());

    // The current version, or `*`, lets the write through.
    let ok = [("if-match", current.as_str()), ("content-type", "application/scim+json")];
    let patched = sp.send(Method::PATCH, &path, &ok, Some(patch)).await.expect_json(200);
    assert_eq!(patched["title"], "lost");
    let any = [("if-match", "*"), ("content-type", "application/scim+json")];
    sp.send(Method::PUT, &path, &any, Some(put)).await.expect(200);

    // Groups too.
    let gpath = format!("/Groups/{gid}");
    let gv = version(&sp.read(&gpath).await);
    let rename = serde_json::to_vec(
        &json!({"schemas": [super::PATCH_URN], "Operations": [{"op": "replace", "path": "displayName", "value": "x"}]}),
    )
    .expect("json");
    sp.send(Method::PATCH, &gpath, &[("if-match", "W/\"0\"")], Some(rename.clone())).await.expect_error(412, None);
    sp.send(Method::PATCH, &gpath, &[("if-match", &gv)], Some(rename)).await.expect(200);
    let g = sp.read(&gpath).await;
    assert_eq!(g["displayName"], "x");
    let gv = version(&g);
    sp.send(Method::DELETE, &gpath, &[("if-match", &gv)], None).await.expect(204);
    sp.get(&gpath).await.expect_error(404, None);
}
