//! Compressed answers end to end: a request carrying Okta's `Accept-Encoding: gzip,deflate` gets a gzip answer
//! from the mock SP, which the client decodes and whose evidence keeps the `Content-Encoding`; a request without
//! the header gets the body as it is; and a gzip bomb stops at the client's body limit.

use scimlab_mock_idp::{ClientError, ClientOptions, Credential, ScimClient, ScimRequest};
use scimlab_mock_sp::store::{MemoryStore, Store};
use std::sync::Arc;

/// The mock SP on a loopback port, and its store (to read the recordings).
async fn start() -> (String, Arc<MemoryStore>) {
    crate::start_mock_sp_with_store("gz", |_| {}).await
}

#[tokio::test]
async fn okta_accept_encoding_gets_gzip_which_the_client_decodes() {
    let (base, store) = start().await;
    let client = ScimClient::new(&base, Credential::Bearer("gz".into()), ClientOptions::default()).expect("client");
    let r =
        client.send(ScimRequest::get("/Schemas").header("Accept-Encoding", "gzip,deflate")).await.expect("an answer");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.header("vary").is_some_and(|v| v.eq_ignore_ascii_case("accept-encoding")), "{:?}", r.headers);
    assert!(r.json.is_some(), "the decoded body is JSON");
    assert!(r.body_json()["totalResults"].as_u64().is_some_and(|n| n >= 2));
    // The evidence says the answer came gzip-compressed and shows the JSON.
    let evidence = r.exchange.response.as_ref().expect("response");
    assert!(evidence.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip"));
    assert!(evidence.body.as_deref().is_some_and(|b| b.contains("ListResponse")));
    // So does the server's recording.
    let recs = store.recordings(0, 10).expect("recordings");
    let rec = recs.iter().map(|(_, e)| e).find(|e| e.request.url.ends_with("/Schemas")).expect("recorded");
    let recorded = rec.response.as_ref().expect("response");
    assert!(recorded.headers.iter().any(|(k, v)| k == "content-encoding" && v == "gzip"), "{recorded:?}");
    assert!(recorded.body.as_deref().is_some_and(|b| b.contains("ListResponse")), "recorded as JSON");

    let plain = client.send(ScimRequest::get("/Schemas")).await.expect("an answer");
    assert_eq!(plain.header("content-encoding"), None, "no Accept-Encoding, no coding");
    assert_eq!(plain.body_json(), r.body_json());
    let identity = client.send(ScimRequest::get("/Schemas").header("Accept-Encoding", "identity")).await.expect("ok");
    assert_eq!(identity.header("content-encoding"), None);
    let deflate = client.send(ScimRequest::get("/Schemas").header("Accept-Encoding", "deflate")).await.expect("ok");
    assert_eq!((deflate.header("content-encoding"), deflate.body_json()), (Some("deflate"), r.body_json()));
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_body_limit() {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&vec![b' '; 8 * 1024 * 1024]).expect("write");
    let bomb = e.finish().expect("gzip");
    let route = axum::routing::get(move || {
        let bomb = bomb.clone();
        async move { ([("content-encoding", "gzip"), ("content-type", "application/scim+json")], bomb) }
    });
    let app = axum::Router::new().route("/scim/v2/Users", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let options = ClientOptions {
        max_body: 1024 * 1024,
        retry: scimlab_mock_idp::client::RetryPolicy::none(),
        ..ClientOptions::default()
    };
    let client = ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::None, options).expect("client");
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Transport { reason, .. }) => {
            assert!(reason.contains("decompresses to more than 1048576 bytes"), "{reason}");
        }
        other => panic!("expected the body limit, got {other:?}"),
    }
}
