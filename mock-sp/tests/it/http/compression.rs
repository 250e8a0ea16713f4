//! Compression (RFC 9110 section 12.5.3): what is compressed, what is not, and the `compress-unasked`
//! deviation. [`super::Reply`] decodes bodies, so each test reads the JSON whatever the coding.

use super::{Sp, USER_URN};
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn small_bodies_no_content_and_head_go_out_uncoded() {
    let sp = Sp::new();
    let gzip = &[("Accept-Encoding", "gzip")][..];
    // A SCIM Error of a hundred-odd bytes: under the threshold, so no coding and no Vary either.
    let missing = sp.send(Method::GET, "/Users/none", gzip, None).await;
    assert_eq!((missing.status.as_u16(), missing.header("content-encoding")), (404, None));
    assert_eq!(missing.header("vary"), None);
    let body = json!({"schemas": [USER_URN], "userName": "gz@example.com"});
    let created = sp.post("/Users", &body).await.expect_json(201);
    let path = format!("/Users/{}", created["id"].as_str().expect("id"));
    let head = sp.send(Method::HEAD, &path, gzip, None).await;
    assert_eq!(head.header("content-encoding"), None);
    let deleted = sp.send(Method::DELETE, &path, gzip, None).await;
    assert_eq!((deleted.status.as_u16(), deleted.header("content-encoding")), (204, None));
    // A large body asked for without a coding still says that it varies.
    let plain = sp.get("/Schemas").await;
    assert_eq!((plain.header("content-encoding"), plain.header("vary")), (None, Some("accept-encoding")));
}

#[tokio::test]
async fn compress_unasked_gzips_every_body_even_against_identity() {
    let sp = Sp::with(|c| {
        c.faults = scimlab_mock_sp::faults::parse_faults(&["compress-unasked".to_owned()]).expect("a fault");
    });
    for headers in [&[][..], &[("Accept-Encoding", "identity")][..], &[("Accept-Encoding", "*;q=0")][..]] {
        let r = sp.send(Method::GET, "/Users/none", headers, None).await;
        assert_eq!(r.header("content-encoding"), Some("gzip"), "{headers:?}");
        r.expect_error(404, None);
    }
}
