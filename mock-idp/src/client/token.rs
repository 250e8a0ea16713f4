//! Bearer tokens that are obtained rather than given: OAuth 2.0 client credentials (RFC 6749 section 4.4, as
//! Ping offers) and Entra's self-signed JWT ([`super::jwt`]). A [`TokenSource`] hands out the current token,
//! gets a new one shortly before the old one's lifetime ends, and drops one the server refused (the client asks
//! once more after a 401).
//!
//! Where secrets go: the client secret only to the token endpoint (its URL is fixed at start, must be https
//! unless it is loopback, and redirects are never followed), the access token only to the SCIM server (the
//! [`ScimClient`](super::ScimClient) sends nothing off the base URL's origin). Neither is printed: errors quote
//! the endpoint's `error` and `error_description` with every secret replaced, and [`TokenSource::secrets`]
//! gives the client the values to scrub from its evidence.
//!
//! The token request is a hand-written form POST through reqwest (already the client's HTTP stack), since the
//! `oauth2` crate brings far more than one grant needs.

use super::jwt::EntraSigner;
use scimlab_protocol::exchange::Secrets;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest token response read, in bytes.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// The client-credentials client: where to ask and as whom.
#[derive(Clone)]
pub struct OAuthClient {
    /// The token endpoint (RFC 6749 section 3.2).
    pub token_url: String,
    /// The client id (section 2.2).
    pub client_id: String,
    /// The client secret: never printed.
    pub client_secret: String,
    /// The `scope` asked for (section 3.3), if any.
    pub scope: Option<String>,
    /// Accept any TLS certificate at the token endpoint (as `--insecure` does for the SCIM server).
    pub insecure: bool,
    /// Extra trusted roots (as `--ca-cert`).
    pub ca_cert: Option<std::path::PathBuf>,
    /// Timeout of one token request.
    pub timeout: Duration,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Why no token could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The token endpoint answered with an error (RFC 6749 section 5.2).
    #[error("the token endpoint {url} refused the request: {status} {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The `error` code (`invalid_client`, ...), or what the body was when it had none.
        error: String,
        /// `error_description`, scrubbed of secrets.
        description: Option<String>,
    },
    /// The endpoint could not be reached or answered something that is not a token response.
    #[error("the token endpoint {url}: {reason}")]
    Failed {
        /// The endpoint.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The settings are wrong (a token URL that is not https, ...).
    #[error("{0}")]
    Config(String),
}

enum Kind {
    OAuth { client: OAuthClient, http: reqwest::Client },
    Entra(Arc<EntraSigner>),
}

struct Current {
    token: String,
    /// When to get a new one; `None` for a token with no announced lifetime, or one too long for the clock to
    /// count (kept until refused).
    refresh_at: Option<Instant>,
}

struct Inner {
    kind: Kind,
    current: tokio::sync::Mutex<Option<Current>>,
    secrets: Mutex<Secrets>,
    fetched: std::sync::atomic::AtomicU64,
}

/// A source of bearer tokens, shared by every clone.
#[derive(Clone)]
pub struct TokenSource(Arc<Inner>);

/// Two sources are equal when they are the same source (clones of one another).
impl PartialEq for TokenSource {
    fn eq(&self, other: &TokenSource) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for TokenSource {}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenSource({})", self.describe())
    }
}

impl TokenSource {
    /// Tokens from the client-credentials grant of `client`. The token URL must be https, or http on a loopback
    /// host (127.0.0.0/8, ::1, localhost), and carry no user, query or fragment.
    pub fn oauth(client: OAuthClient) -> Result<TokenSource, TokenError> {
        check_token_url(&client.token_url)?;
        if client.client_id.is_empty() || client.client_secret.is_empty() {
            return Err(TokenError::Config("the OAuth client id and secret must not be empty".to_owned()));
        }
        super::connections::install_crypto_provider();
        let certs = super::connections::trusted_certs(client.ca_cert.as_deref()).map_err(TokenError::Config)?;
        let http = super::connections::http_builder(client.timeout, client.insecure, certs.as_deref())
            .build()
            .map_err(|e| TokenError::Config(format!("cannot build the HTTP client: {e}")))?;
        let mut secrets = Secrets::new();
        secrets.add(&client.client_secret);
        secrets.add(&basic_value(&client.client_id, &client.client_secret));
        Ok(TokenSource::with(Kind::OAuth { client, http }, secrets))
    }

    /// Entra-style JWTs signed by `signer`, a new one when the last is within a minute of its `exp`.
    pub fn entra(signer: EntraSigner) -> TokenSource {
        TokenSource::with(Kind::Entra(Arc::new(signer)), Secrets::new())
    }

    fn with(kind: Kind, secrets: Secrets) -> TokenSource {
        TokenSource(Arc::new(Inner {
            kind,
            current: tokio::sync::Mutex::new(None),
            secrets: Mutex::new(secrets),
            fetched: std::sync::atomic::AtomicU64::new(0),
        }))
    }

    /// What the tokens are, for messages: never a secret.
    pub fn describe(&self) -> String {
        match &self.0.kind {
            Kind::OAuth { client, .. } => {
                format!("OAuth client credentials (client {} at {})", client.client_id, client.token_url)
            }
            Kind::Entra(s) => format!("Entra JWT ({}, tenant {}, kid {})", s.algorithm(), s.tenant(), s.kid()),
        }
    }

    /// How many tokens were obtained so far.
    pub fn fetched(&self) -> u64 {
        self.0.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The current token, getting a new one first when there is none or it is due for renewal.
    pub async fn token(&self) -> Result<String, TokenError> {
        let mut current = self.0.current.lock().await;
        if let Some(c) = current.as_ref()
            && c.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(c.token.clone());
        }
        let (token, lifetime) = self.obtain().await?;
        self.0.fetched.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.secrets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).add(&token);
        *current = Some(Current {
            token: token.clone(),
            refresh_at: lifetime.and_then(|l| Instant::now().checked_add(renew_after(l))),
        });
        Ok(token)
    }

    /// Forgets `used` if it is still the current token (the server refused it), so the next
    /// [`token`](Self::token) gets a new one; a token another request already replaced stays replaced.
    pub async fn refused(&self, used: &str) {
        let mut current = self.0.current.lock().await;
        if current.as_ref().is_some_and(|c| c.token == used) {
            *current = None;
        }
    }

    /// Every secret this source has held: the client secret and every token it handed out.
    pub fn secrets(&self) -> Secrets {
        self.0.secrets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// A token and its lifetime.
    async fn obtain(&self) -> Result<(String, Option<Duration>), TokenError> {
        match &self.0.kind {
            Kind::Entra(signer) => {
                let token = signer.token().map_err(TokenError::Config)?;
                Ok((token, Some(Duration::from_secs(super::jwt::LIFETIME_SECS.unsigned_abs()))))
            }
            Kind::OAuth { client, http } => fetch(client, http, &self.secrets()).await,
        }
    }
}

/// When to renew a token that lives `lifetime`: a tenth of it early, at most a minute early, so a request never
/// carries a token that expires in flight; a token with no lifetime left is renewed at once.
fn renew_after(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 10).min(Duration::from_secs(60)))
}

/// RFC 6749 section 4.4.2: POST `grant_type=client_credentials` (and `scope`) as a form, the client
/// authenticated with HTTP Basic (section 2.3.1); section 5.1's answer, or section 5.2's error.
async fn fetch(
    client: &OAuthClient,
    http: &reqwest::Client,
    secrets: &Secrets,
) -> Result<(String, Option<Duration>), TokenError> {
    let url = client.token_url.clone();
    let failed = |reason: String| TokenError::Failed { url: url.clone(), reason: secrets.scrub(&reason) };
    let mut form = String::from("grant_type=client_credentials");
    if let Some(scope) = &client.scope {
        form.push_str("&scope=");
        form.push_str(&form_encode(scope));
    }
    let resp = http
        .post(&client.token_url)
        .header("Authorization", basic_value(&client.client_id, &client.client_secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(form)
        .send()
        .await
        .map_err(|e| failed(chain(&e)))?;
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    let mut resp = resp;
    while let Some(chunk) = resp.chunk().await.map_err(|e| failed(chain(&e)))? {
        if body.len() + chunk.len() > MAX_TOKEN_RESPONSE {
            return Err(failed(format!("the answer is larger than {MAX_TOKEN_RESPONSE} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    if status != 200 {
        let text = |k: &str| json.as_ref().and_then(|j| j.get(k)).and_then(|v| v.as_str()).map(|s| secrets.scrub(s));
        return Err(TokenError::Refused {
            url,
            status,
            error: text("error").unwrap_or_else(|| "(no OAuth error code in the answer)".to_owned()),
            description: text("error_description").map(|d| d.chars().take(300).collect()),
        });
    }
    let Some(json) = json else {
        return Err(failed("the 200 answer is not JSON (RFC 6749 section 5.1)".to_owned()));
    };
    let Some(token) = json.get("access_token").and_then(|v| v.as_str()).filter(|t| !t.is_empty()) else {
        return Err(failed("the answer has no access_token (RFC 6749 section 5.1)".to_owned()));
    };
    // Section 7.1: the client must understand the token type; only bearer tokens (RFC 6750) are sent here.
    match json.get("token_type").and_then(|v| v.as_str()) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        other => {
            let shown = other.map(|t| t.chars().take(32).collect::<String>());
            return Err(failed(format!("the token_type is {shown:?}, and scimlab only sends Bearer tokens")));
        }
    }
    if token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(failed("the access_token holds spaces or control characters".to_owned()));
    }
    // Section 5.1: expires_in is recommended, in seconds; without it the token is kept until refused.
    let lifetime = json.get("expires_in").and_then(serde_json::Value::as_u64).map(Duration::from_secs);
    Ok((token.to_owned(), lifetime))
}

/// `Basic base64(id:secret)`, each form-urlencoded first (RFC 6749 section 2.3.1).
fn basic_value(id: &str, secret: &str) -> String {
    let pair = format!("{}:{}", form_encode(id), form_encode(secret));
    format!("Basic {}", scimlab_protocol::base64::encode(pair.as_bytes()))
}

/// `application/x-www-form-urlencoded` encoding of one value (HTML's urlencoded serializer).
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The token URL must keep the secret safe on the wire: https, or http only to this machine.
fn check_token_url(text: &str) -> Result<(), TokenError> {
    let bad = |why: &str| {
        TokenError::Config(format!("--oauth-token-url {}: {why}", scimlab_protocol::exchange::redact_url(text)))
    };
    let url = reqwest::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("the URL carries credentials; the client secret comes from the environment"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a token endpoint URL has no query or fragment here"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(bad("must be https (RFC 6749 section 3.2 requires TLS); plain http is allowed to loopback only")),
        _ => Err(bad("must be an https URL")),
    }
}

fn chain(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() { "timed out".to_owned() } else { "request failed".to_owned() };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_must_be_https_unless_loopback() {
        for ok in
            ["https://idp.example.com/oauth/token", "http://127.0.0.1:9/t", "http://[::1]:9/t", "http://localhost/t"]
        {
            assert!(check_token_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://idp.example.com/t", "ftp://x/t", "https://u:p@x/t", "https://x/t?secret=1", "nope"] {
            assert!(check_token_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn renewal_comes_before_the_end_of_the_lifetime() {
        assert_eq!(renew_after(Duration::from_secs(3600)), Duration::from_secs(3540));
        assert_eq!(renew_after(Duration::from_secs(100)), Duration::from_secs(90));
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn basic_client_authentication_form_encodes_first() {
        let v = basic_value("a b", "p:w&");
        let decoded = scimlab_protocol::base64::decode(v.trim_start_matches("Basic ")).expect("base64");
        assert_eq!(String::from_utf8(decoded).expect("utf8"), "a+b:p%3Aw%26");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = OAuthClient {
            token_url: "https://x/t".into(),
            client_id: "id".into(),
            client_secret: "s3cret-value".into(),
            scope: None,
            insecure: false,
            ca_cert: None,
            timeout: Duration::from_secs(5),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        let s = TokenSource::oauth(c).expect("source");
        assert!(!format!("{s:?}").contains("s3cret"));
        assert!(
            s.secrets().scrub("x s3cret-value y").contains("[redacted]")
                || !s.secrets().scrub("s3cret-value").contains("s3cret")
        );
    }
}
