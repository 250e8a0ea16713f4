//! The recording client: requests reach the server, exchanges are recorded and never hold the credential.

use crate::start_mock_sp;
use scimlab_mock_idp::{ClientError, ClientOptions, Credential, ScimClient, ScimRequest};
use serde_json::json;

#[tokio::test]
async fn create_and_lookup_record_redacted_exchanges() {
    let base = start_mock_sp("tok-123").await;
    let client =
        ScimClient::new(&base, Credential::Bearer("tok-123".into()), ClientOptions::default()).expect("client");
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@example.com"});
    let created = client.send(ScimRequest::json(reqwest::Method::POST, "/Users", &user)).await.expect("create");
    assert_eq!(created.status, 201);
    assert!(created.header("location").is_some());
    let found = client
        .send(ScimRequest::get("/Users").query("filter", r#"userName eq "A@example.com""#))
        .await
        .expect("lookup");
    assert_eq!(found.body_json()["totalResults"], 1);
    for ex in [&created.exchange, &found.exchange] {
        let text = serde_json::to_string(ex).expect("serialise");
        assert!(!text.contains("tok-123"), "credential leaked into {text}");
        assert!(text.contains("Bearer"), "the scheme word is kept");
    }
    assert!(found.exchange.request.url.contains("filter=userName%20eq%20%22A%40example.com%22"));
}

#[tokio::test]
async fn a_wrong_token_is_a_response_not_an_error() {
    let base = start_mock_sp("right").await;
    let client = ScimClient::new(&base, Credential::Bearer("wrong".into()), ClientOptions::default()).expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("a 401 is a response");
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["status"], "401");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_with_the_request_recorded() {
    // Bind then drop a listener to find a loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let client =
        ScimClient::new(&format!("http://127.0.0.1:{port}/scim/v2"), Credential::None, ClientOptions::default())
            .expect("client");
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Transport { exchange, reason, .. }) => {
            assert!(reason.contains("connect"), "{reason}");
            assert!(exchange.response.is_none());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}
