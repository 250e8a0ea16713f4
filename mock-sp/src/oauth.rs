//! An OAuth 2.0 token endpoint for the client-credentials grant (RFC 6749 section 4.4), as Ping's SCIM
//! provisioner uses it: `scimlab serve --oauth` mounts it at [`TOKEN_PATH`], beside the SCIM base, and the SCIM
//! endpoints then accept the opaque access tokens it issued until they expire.
//!
//! The endpoint takes only POST with a form body (section 4.4.2: `grant_type=client_credentials`, optional
//! `scope`); the client authenticates with HTTP Basic (section 2.3.1, the id and secret each form-urlencoded
//! first), or with `client_id` / `client_secret` in the body, which the RFC allows but discourages; using both at
//! once is refused (section 2.3). A success is section 5.1's JSON (`access_token`, `token_type` `Bearer`,
//! `expires_in`) with `Cache-Control: no-store`; a failure is section 5.2's JSON `error` (`invalid_request`,
//! `invalid_client` with 401 and a Basic challenge, `unsupported_grant_type`). The endpoint is not recorded and
//! never logs what it receives: its requests carry the client secret and its answers the tokens.
//!
//! Expiry: a token lives `ttl` seconds; `uses`, a testing knob, also limits how many SCIM requests one token
//! may authenticate, so a client's refresh after a 401 can be proven without waiting for a clock.

use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::any;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the token endpoint is mounted (at the server's root, beside the SCIM base).
pub const TOKEN_PATH: &str = "/oauth/token";

/// Largest token request body read, in bytes: a client-credentials request is a few dozen.
const MAX_BODY: usize = 16 * 1024;

/// Most live tokens kept; beyond it the one closest to expiry is forgotten.
const MAX_TOKENS: usize = 10_000;

/// The client the endpoint knows, and how long its tokens live.
pub struct OAuthIssuer {
    client_id: String,
    client_secret: String,
    ttl: Duration,
    uses: Option<u32>,
    tokens: Mutex<HashMap<String, Issued>>,
}

struct Issued {
    /// `None`: a lifetime beyond what the clock can count (a huge `--oauth-token-ttl`), so never.
    expires: Option<Instant>,
    uses_left: Option<u32>,
}

impl std::fmt::Debug for OAuthIssuer {
    // Neither the secret nor any token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthIssuer")
            .field("client_id", &self.client_id)
            .field("ttl", &self.ttl)
            .field("uses", &self.uses)
            .finish_non_exhaustive()
    }
}

/// What the SCIM endpoints make of a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// Issued here and still good.
    Valid,
    /// Issued here, and its lifetime (or its uses) ran out.
    Expired,
    /// Not issued here.
    Unknown,
}

impl OAuthIssuer {
    /// An issuer for one client whose tokens live `ttl` and, with `uses`, authenticate at most that many requests.
    pub fn new(client_id: String, client_secret: String, ttl: Duration, uses: Option<u32>) -> OAuthIssuer {
        OAuthIssuer { client_id, client_secret, ttl, uses, tokens: Mutex::new(HashMap::new()) }
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Seconds a token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// What `token` is; with `consume`, a valid token spends one of its uses (and one with none left is expired).
    pub fn check(&self, token: &str, consume: bool) -> TokenState {
        let mut tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(t) = tokens.get_mut(token) else { return TokenState::Unknown };
        if t.expires.is_some_and(|e| Instant::now() >= e) {
            return TokenState::Expired;
        }
        // Only a request spends a use; a look (the audit trail labelling the request that spent the last one)
        // still sees the token it was.
        match &mut t.uses_left {
            Some(0) if consume => TokenState::Expired,
            Some(n) if consume => {
                *n -= 1;
                TokenState::Valid
            }
            _ => TokenState::Valid,
        }
    }

    /// A new opaque access token: 256 random bits from the operating system, hex-encoded.
    pub(crate) fn issue(&self) -> Result<String, ()> {
        let mut bytes = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).map_err(|_| ())?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens.retain(|_, t| t.expires.is_none_or(|e| e > now));
        if tokens.len() >= MAX_TOKENS
            && let Some(oldest) = tokens.iter().min_by_key(|(_, t)| t.expires).map(|(k, _)| k.clone())
        {
            tokens.remove(&oldest);
        }
        tokens.insert(token.clone(), Issued { expires: now.checked_add(self.ttl), uses_left: self.uses });
        Ok(token)
    }

    /// Whether `id` and `secret` are this client's, compared in constant time.
    fn authentic(&self, id: &str, secret: &str) -> bool {
        let id_ok = crate::auth::constant_time_eq(id.as_bytes(), self.client_id.as_bytes());
        let secret_ok = crate::auth::constant_time_eq(secret.as_bytes(), self.client_secret.as_bytes());
        id_ok & secret_ok
    }
}

/// The token endpoint's route, when the server has an issuer.
pub fn router(state: AppState) -> Router {
    Router::new().route(TOKEN_PATH, any(token)).with_state(state)
}

async fn token(State(st): State<AppState>, req: Request) -> Response {
    let Some(issuer) = st.shared().config.oauth.clone() else {
        return error(StatusCode::NOT_FOUND, "invalid_request", "this server has no token endpoint (serve --oauth)");
    };
    if req.method() != Method::POST {
        let mut r = error(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "the token endpoint takes POST only");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let (parts, body) = req.into_parts();
    let form_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !form_type {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded (RFC 6749 section 4.4.2)",
        );
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "the body is unreadable or too large");
    };
    answer(&issuer, &parts.headers, &body)
}

/// The endpoint's answer to a POST with `headers` and form `body`.
fn answer(issuer: &OAuthIssuer, headers: &HeaderMap, body: &[u8]) -> Response {
    let mut form: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        // Section 3.2: a parameter sent more than once is an invalid request.
        if form.insert(k.clone().into_owned(), v.into_owned()).is_some() {
            let why = format!("the parameter {} is given more than once", printable(&k));
            return error(StatusCode::BAD_REQUEST, "invalid_request", &why);
        }
    }
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => match basic_credentials(v.as_bytes()) {
            Some(pair) => Some(pair),
            None => return invalid_client("the Authorization header is not HTTP Basic with client_id:client_secret"),
        },
    };
    let in_body = (form.get("client_id").cloned(), form.get("client_secret").cloned());
    let (id, secret) = match (basic, in_body) {
        (Some(_), (Some(_), _) | (_, Some(_))) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the client authenticated twice (Basic and the body); use one method (RFC 6749 section 2.3)",
            );
        }
        (Some(pair), _) => pair,
        (None, (Some(id), Some(secret))) => (id, secret),
        (None, _) => return invalid_client("no client authentication: send client_id:client_secret with HTTP Basic"),
    };
    match form.get("grant_type").map(String::as_str) {
        None => {
            return error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing");
        }
        Some("client_credentials") => {}
        Some(other) => {
            let why = format!("grant_type {} is not supported; use client_credentials", printable(other));
            return error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &why);
        }
    }
    if !issuer.authentic(&id, &secret) {
        return invalid_client("unknown client id, or the client secret does not match");
    }
    let Ok(token) = issuer.issue() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "no randomness for a token");
    };
    let mut body = serde_json::json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": issuer.ttl.as_secs(),
    });
    if let Some(scope) = form.get("scope") {
        body["scope"] = serde_json::Value::String(scope.clone());
    }
    json(StatusCode::OK, &body)
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 section 2.3.1), decoded.
fn basic_credentials(value: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(value).ok()?;
    let (scheme, rest) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(scimlab_protocol::base64::decode(rest.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape =
        |s: &str| url::form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}

/// Section 5.2: `invalid_client` is a 401 with a challenge for the scheme the client should use.
fn invalid_client(why: &str) -> Response {
    let mut r = error(StatusCode::UNAUTHORIZED, "invalid_client", why);
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"scimlab oauth\""));
    r
}

fn error(status: StatusCode, code: &str, why: &str) -> Response {
    json(status, &serde_json::json!({ "error": code, "error_description": why }))
}

/// Section 5.1: token responses are JSON and must not be cached.
fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// At most 64 printable ASCII characters of a client's input, for an error description.
fn printable(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(uses: Option<u32>) -> OAuthIssuer {
        OAuthIssuer::new("ping".into(), "s3cret-pw".into(), Duration::from_secs(60), uses)
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", scimlab_protocol::base64::encode(format!("{id}:{secret}").as_bytes()));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&v).expect("header"));
        h
    }

    async fn body_of(r: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn a_good_client_gets_a_bearer_token_that_the_scim_side_accepts() {
        let i = issuer(None);
        let r = answer(&i, &basic("ping", "s3cret-pw"), b"grant_type=client_credentials&scope=scim");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers().get(header::CACHE_CONTROL).map(HeaderValue::as_bytes), Some(&b"no-store"[..]));
        let b = body_of(r).await;
        assert_eq!(
            (b["token_type"].as_str(), b["expires_in"].as_u64(), b["scope"].as_str()),
            (Some("Bearer"), Some(60), Some("scim"))
        );
        let token = b["access_token"].as_str().expect("token");
        assert_eq!(i.check(token, true), TokenState::Valid);
        assert_eq!(i.check("made-up", true), TokenState::Unknown);
    }

    #[tokio::test]
    async fn errors_follow_section_5_2() {
        let i = issuer(None);
        let cases: [(HeaderMap, &[u8], StatusCode, &str); 6] = [
            (basic("ping", "wrong"), b"grant_type=client_credentials", StatusCode::UNAUTHORIZED, "invalid_client"),
            (basic("other", "s3cret-pw"), b"grant_type=client_credentials", StatusCode::UNAUTHORIZED, "invalid_client"),
            (HeaderMap::new(), b"grant_type=client_credentials", StatusCode::UNAUTHORIZED, "invalid_client"),
            (basic("ping", "s3cret-pw"), b"grant_type=password", StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            (basic("ping", "s3cret-pw"), b"scope=x", StatusCode::BAD_REQUEST, "invalid_request"),
            (
                basic("ping", "s3cret-pw"),
                b"grant_type=client_credentials&client_id=ping&client_secret=s3cret-pw",
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
        ];
        for (headers, body, status, code) in cases {
            let r = answer(&i, &headers, body);
            assert_eq!(r.status(), status, "{code}");
            if status == StatusCode::UNAUTHORIZED {
                assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
            }
            let b = body_of(r).await;
            assert_eq!(b["error"], code);
            assert!(!b.to_string().contains("s3cret-pw"), "{b}");
        }
        // The body method alone is accepted (section 2.3.1 allows it).
        let r = answer(&i, &HeaderMap::new(), b"grant_type=client_credentials&client_id=ping&client_secret=s3cret-pw");
        assert_eq!(r.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_token_with_limited_uses_expires_after_them() {
        let i = issuer(Some(2));
        let b = body_of(answer(&i, &basic("ping", "s3cret-pw"), b"grant_type=client_credentials")).await;
        let token = b["access_token"].as_str().expect("token");
        assert_eq!(i.check(token, false), TokenState::Valid, "a look does not spend a use");
        assert_eq!(i.check(token, true), TokenState::Valid);
        assert_eq!(i.check(token, true), TokenState::Valid);
        assert_eq!(i.check(token, true), TokenState::Expired);
        let zero = OAuthIssuer::new("ping".into(), "s3cret-pw".into(), Duration::ZERO, None);
        let b = body_of(answer(&zero, &basic("ping", "s3cret-pw"), b"grant_type=client_credentials")).await;
        assert_eq!(zero.check(b["access_token"].as_str().expect("token"), true), TokenState::Expired);
        // A lifetime the clock cannot count is no panic: the token never expires.
        let huge = OAuthIssuer::new("ping".into(), "s3cret-pw".into(), Duration::from_secs(u64::MAX), None);
        let token = huge.issue().expect("token");
        assert_eq!(huge.check(&token, true), TokenState::Valid);
    }
}
