//! Obtained credentials against the mock SP's token endpoint: OAuth client credentials fetched, renewed when
//! `expires_in` runs out and after a 401, and kept out of everything the client returns.

use scimlab_mock_idp::client::jwt::{DEFAULT_TENANT, EntraSigner};
use scimlab_mock_idp::{ClientOptions, Credential, OAuthClient, ScimClient, ScimRequest, TokenError, TokenSource};
use scimlab_mock_sp::oauth::OAuthIssuer;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "client-secret-7d1e";

/// A mock SP with a token endpoint whose tokens live `ttl` and serve `uses` requests; its base URL and the
/// token endpoint's URL.
async fn sp(ttl: Duration, uses: Option<u32>) -> (String, String) {
    let issuer = Arc::new(OAuthIssuer::new("ping".into(), SECRET.into(), ttl, uses));
    let base = crate::start_mock_sp_with("static-token-unused", |c| c.oauth = Some(issuer)).await;
    let token_url = base.replace("/scim/v2", scimlab_mock_sp::oauth::TOKEN_PATH);
    (base, token_url)
}

fn source(token_url: &str, secret: &str) -> TokenSource {
    TokenSource::oauth(OAuthClient {
        token_url: token_url.to_owned(),
        client_id: "ping".into(),
        client_secret: secret.into(),
        scope: Some("scim".into()),
        insecure: false,
        ca_cert: None,
        timeout: Duration::from_secs(10),
    })
    .expect("source")
}

#[tokio::test]
async fn a_token_is_kept_while_it_lives_and_renewed_when_expires_in_runs_out() {
    let (_, url) = sp(Duration::from_secs(3600), None).await;
    let s = source(&url, SECRET);
    let first = s.token().await.expect("token");
    assert_eq!(s.token().await.expect("token"), first, "a live token is reused");
    assert_eq!(s.fetched(), 1);
    s.refused(&first).await;
    assert_ne!(s.token().await.expect("token"), first, "a refused token is replaced");
    assert_eq!(s.fetched(), 2);

    // expires_in 0: every token is due for renewal at once, with no clock to wait for.
    let (_, url) = sp(Duration::ZERO, None).await;
    let s = source(&url, SECRET);
    let a = s.token().await.expect("token");
    let b = s.token().await.expect("token");
    assert_ne!(a, b);
    assert_eq!(s.fetched(), 2);

    // An expires_in beyond what the clock counts is kept until refused, not a panic.
    let (_, url) = sp(Duration::from_secs(u64::MAX), None).await;
    let s = source(&url, SECRET);
    assert_eq!(s.token().await.expect("token"), s.token().await.expect("token"));
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_request_sent_again() {
    // Each token serves one request: every second request meets a 401 with the old token.
    let (base, url) = sp(Duration::from_secs(3600), Some(1)).await;
    let s = source(&url, SECRET);
    let client = ScimClient::new(&base, Credential::Fetched(s.clone()), ClientOptions::default()).expect("client");
    for _ in 0..3 {
        let r = client.send(ScimRequest::get("/Users")).await.expect("sent");
        assert_eq!(r.status, 200);
        let evidence = serde_json::to_string(&r.exchange).expect("json")
            + &r.retried.iter().map(|e| serde_json::to_string(e).expect("json")).collect::<String>();
        let current = s.token().await.expect("token");
        assert!(!evidence.contains(&current) && !evidence.contains(SECRET), "{evidence}");
    }
    assert!(s.fetched() >= 3, "a token per request, got {}", s.fetched());
}

#[tokio::test]
async fn a_wrong_secret_is_the_endpoints_invalid_client_and_never_echoed() {
    let (_, url) = sp(Duration::from_secs(60), None).await;
    let e = source(&url, "not-the-secret-9").token().await.expect_err("refused");
    assert!(matches!(&e, TokenError::Refused { status: 401, error, .. } if error == "invalid_client"), "{e:?}");
    let text = e.to_string();
    assert!(text.contains(&url) && text.contains("invalid_client"), "{text}");
    assert!(!text.contains("not-the-secret-9"), "{text}");
}

#[tokio::test]
async fn entra_jwts_get_through_to_a_server_that_validates_them() {
    let jwks = include_str!("../../../tests/fixtures/jwt/test-only-jwks.json");
    let pem = include_str!("../../../tests/fixtures/jwt/test-only-rsa-key.pem");
    let signer = EntraSigner::from_pem(pem, DEFAULT_TENANT).expect("key");
    let validator =
        scimlab_mock_sp::jwt::JwtValidator::new(&signer.issuer(), scimlab_mock_sp::jwt::ENTRA_AUDIENCE, jwks)
            .expect("validator");
    let base = crate::start_mock_sp_with("unused", |c| c.jwt = Some(Arc::new(validator))).await;
    let client = ScimClient::new(&base, Credential::Fetched(TokenSource::entra(signer)), ClientOptions::default())
        .expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("sent");
    assert_eq!(r.status, 200, "{:?}", r.exchange);
}
