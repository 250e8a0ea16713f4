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

fn faulty(spec: &str) -> impl FnOnce(&mut scimlab_mock_sp::ServerConfig) {
    let faults = scimlab_mock_sp::faults::parse_faults(&[spec.to_owned()]).expect("a fault spec");
    move |c| {
        c.faults = faults;
        c.seed = Some(7);
    }
}

#[tokio::test]
async fn throttled_requests_are_retried_and_the_attempts_kept() {
    let base = crate::start_mock_sp_with("t0k", faulty("429=50%:retry-after=0")).await;
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), ClientOptions::default()).expect("client");
    let mut retried = 0;
    for _ in 0..20 {
        let r = client.send(ScimRequest::get("/Users")).await.expect("retried until answered");
        assert_eq!(r.status, 200);
        assert!(r.retried.iter().all(|x| x.response.as_ref().is_some_and(|p| p.status == 429)));
        retried += r.retried.len();
    }
    assert!(retried > 0, "half of the answers were 429: some requests must have been retried");
}

#[tokio::test]
async fn a_server_that_only_throttles_exhausts_the_budget_as_unstable() {
    let base = crate::start_mock_sp_with("t0k", faulty("429=100%:retry-after=0")).await;
    let options = ClientOptions {
        retry: scimlab_mock_idp::client::RetryPolicy {
            per_request: 4,
            backoff: std::time::Duration::from_millis(1),
            ..scimlab_mock_idp::client::RetryPolicy::with_budget(5)
        },
        ..ClientOptions::default()
    };
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), options).expect("client");
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Unstable { attempts, reason, .. }) => {
            assert_eq!(attempts.len(), 5, "four retries after the first attempt");
            assert!(reason.contains("429"), "{reason}");
        }
        other => panic!("expected the retries to run out, got {other:?}"),
    }
    // The run-wide budget (5) has one retry left: the next request gets one retry, then gives up.
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Unstable { attempts, .. }) => assert_eq!(attempts.len(), 2),
        other => panic!("expected the budget to run out, got {other:?}"),
    }
}

#[tokio::test]
async fn other_origins_are_never_contacted() {
    let base = start_mock_sp("t0k").await;
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), ClientOptions::default()).expect("client");
    let port = base.split(':').nth(2).and_then(|p| p.split('/').next()).expect("a port");
    for url in [
        "http://example.invalid/scim/v2/Users/1".to_owned(),
        format!("http://127.0.0.2:{port}/scim/v2/Users"),
        format!("https://127.0.0.1:{port}/scim/v2/Users"),
        "http://127.0.0.1:9/scim/v2/Users".to_owned(),
    ] {
        match client.send(ScimRequest::get(&url)).await {
            Err(ClientError::Refused(why)) => assert!(why.contains("origin"), "{why}"),
            other => panic!("{url} must be refused before any lookup or connection, got {other:?}"),
        }
    }
    assert!(client.send(ScimRequest::get(format!("{base}/Users"))).await.is_ok(), "the base origin is fine");
}

#[tokio::test]
async fn echoed_credentials_are_scrubbed_from_everything_returned() {
    use axum::routing::get;
    let secret = "s3cret-T0KEN.with+odd/chars";
    let app = axum::Router::new().route(
        "/scim/v2/Users",
        get(|headers: axum::http::HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            ([("x-debug-auth", auth.clone())], format!(r#"{{"echo":"{auth}","detail":"{auth}"}}"#))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::Bearer(secret.into()), ClientOptions::default())
            .expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("answered");
    let everything = format!("{} {:?} {}", r.text(), r.headers, serde_json::to_string(&r.exchange).expect("json"));
    assert!(!everything.contains(secret), "{everything}");
    assert!(r.body_json()["echo"].as_str().is_some_and(|e| e.contains("[redacted]")));
}

#[test]
fn credentials_and_queries_in_the_base_url_are_refused_without_echoing_them() {
    for url in ["http://user:hunter22@127.0.0.1:1/scim/v2", "http://127.0.0.1:1/scim/v2?token=hunter22"] {
        let e = ScimClient::new(url, Credential::None, ClientOptions::default()).expect_err("refused");
        let msg = e.to_string();
        assert!(!msg.contains("hunter22"), "{msg}");
        assert!(msg.contains("--basic") || msg.contains("--token"), "{msg}");
    }
}

#[tokio::test]
async fn evidence_keeps_a_bounded_excerpt_of_large_bodies() {
    use axum::routing::get;
    let app = axum::Router::new().route("/scim/v2/Users", get(|| async { "x".repeat(1_000_000) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::None, ClientOptions::default()).expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("answered");
    assert_eq!(r.body.len(), 1_000_000, "the check sees the whole body");
    let kept = r.exchange.response.and_then(|x| x.body).expect("an excerpt");
    assert!(kept.len() < 70 * 1024, "{}", kept.len());
    assert!(kept.ends_with("of 1000000 bytes of this body]"));
}
