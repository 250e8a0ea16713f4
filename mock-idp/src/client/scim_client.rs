//! The [`ScimClient`]: one service provider's client, where every rule of the module documentation of [`super`]
//! is applied to every request.

use super::connections::{
    CLOSE_AFTER_BODY, Pool, Slots, build_http, install_crypto_provider, leaves_open, trusted_certs,
};
use super::retry::{RetryPolicy, backoff, describe_status, idempotent, retry_after};
use super::{Credential, ScimRequest, ScimResponse, encode_query};
use crate::gate::Gate;
use crate::ledger::Ledger;
use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Secrets, Timings};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Accept any TLS certificate (for test servers with self-signed certificates).
    pub insecure: bool,
    /// A PEM file of certificates trusted beside the platform's roots (a private CA): `--ca-cert`.
    pub ca_cert: Option<std::path::PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Default `User-Agent` (a request may override it, or send none).
    pub user_agent: Option<String>,
    /// Largest response body read, in bytes; larger bodies are an error that says so.
    pub max_body: usize,
    /// Largest excerpt of a body kept in the evidence ([`Exchange`]), in bytes; the full size is noted.
    pub max_evidence_body: usize,
    /// How transient faults (429, 503, refused or reset connections) are retried.
    pub retry: RetryPolicy,
    /// Headers sent on every request (`--header 'K: V'`), after the client's defaults (which they replace) and
    /// before a request's own headers (which replace them). One never sets `Authorization` or the credential's
    /// header, nor `Host`, `Content-Length` or `Transfer-Encoding`, which the client sets itself
    /// ([`RESERVED_HEADERS`]).
    /// Their values are treated as secrets: never stored, printed or returned.
    pub extra_headers: Vec<(String, String)>,
}

/// Headers an [`ClientOptions::extra_headers`] entry may not set: the client frames each request itself.
pub const RESERVED_HEADERS: [&str; 3] = ["Host", "Content-Length", "Transfer-Encoding"];

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            ca_cert: None,
            timeout: Duration::from_secs(30),
            user_agent: Some(format!("scimlab/{}", env!("CARGO_PKG_VERSION"))),
            max_body: 64 * 1024 * 1024,
            max_evidence_body: 64 * 1024,
            retry: RetryPolicy::default(),
            extra_headers: Vec::new(),
        }
    }
}

/// Why a request produced no HTTP response. HTTP error statuses are not errors: they are responses.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL or a path could not form a URL.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL text.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The client could not be built (TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
    /// The request broke a safety rule (another origin, a resource this run did not create) and was not sent.
    #[error("{0}")]
    Refused(String),
    /// The server kept answering 429 / 503 or dropping connections until the retries ran out: the server is
    /// throttling or unstable, which says nothing about what the request was testing.
    #[error("{method} {url}: the server is throttling or unstable ({reason}) and the retries ran out")]
    Unstable {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// What the last attempt got.
        reason: String,
        /// Every attempt, in order.
        attempts: Vec<Exchange>,
    },
    /// No token could be obtained for the request (the OAuth token endpoint refused or failed).
    #[error("{0}")]
    Credential(#[from] super::TokenError),
    /// Connection refused, reset, timed out, TLS failure...; the exchange records the request.
    #[error("{method} {url}: {reason}")]
    Transport {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// What failed.
        reason: String,
        /// The request as sent, with the error.
        exchange: Box<Exchange>,
    },
}

/// A recording SCIM client bound to one service provider.
#[derive(Clone)]
pub struct ScimClient {
    http: reqwest::Client,
    /// Keep-alive connections for POST and PATCH, each borrowed by one request at a time.
    slots: Arc<Slots>,
    base: String,
    base_url: reqwest::Url,
    credential: Credential,
    options: ClientOptions,
    secrets: Arc<Secrets>,
    ledger: Option<Arc<Ledger>>,
    gate: Option<Arc<Gate>>,
}

impl std::fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimClient").field("base", &self.base).field("credential", &self.credential).finish()
    }
}

impl ScimClient {
    /// A client for the service provider at `base_url` (e.g. `https://app.example.com/scim/v2`).
    pub fn new(base_url: &str, credential: Credential, options: ClientOptions) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let shown = scimlab_protocol::exchange::redact_url(&base);
        let parsed = reqwest::Url::parse(&base)
            .map_err(|e| ClientError::InvalidUrl { url: shown.clone(), reason: e.to_string() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ClientError::InvalidUrl { url: shown, reason: "the scheme must be http or https".into() });
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(ClientError::InvalidUrl {
                url: shown,
                reason: "the URL carries credentials (user:password@); pass them with --basic USER:PASS, or a \
                         token with --token"
                    .into(),
            });
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(ClientError::InvalidUrl {
                url: shown,
                reason: "a SCIM base URL has no query string or fragment (RFC 7644 section 1.3); pass a token with \
                         --token or --header 'Name: value'"
                    .into(),
            });
        }
        install_crypto_provider();
        let certs = trusted_certs(options.ca_cert.as_deref()).map_err(ClientError::Build)?;
        let http = build_http(&options, certs.as_deref(), Pool::Shared)?;
        let slots = Arc::new(Slots { idle: Mutex::new(Vec::new()), options: options.clone(), certs });
        let mut secrets = secrets_of(&credential, &Secrets::new());
        for (_, value) in &options.extra_headers {
            add_header_value(&mut secrets, value);
        }
        let secrets = Arc::new(secrets);
        Ok(ScimClient { http, slots, base, base_url: parsed, credential, options, secrets, ledger: None, gate: None })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The full URL for a path relative to the base.
    pub fn url_for(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        }
    }

    /// The same client with another credential (auth-negative checks). The values of both stay secret.
    pub fn with_credential(&self, credential: Credential) -> ScimClient {
        let secrets = Arc::new(secrets_of(&credential, &self.secrets));
        ScimClient { credential, secrets, ..self.clone() }
    }

    /// The same client, with every mutating request checked against `ledger` as it goes on the wire.
    pub fn with_ledger(&self, ledger: Arc<Ledger>) -> ScimClient {
        ScimClient { ledger: Some(ledger), ..self.clone() }
    }

    /// The same client, sending through `gate` (shared by all its clones).
    pub fn with_gate(&self, gate: Arc<Gate>) -> ScimClient {
        ScimClient { gate: Some(gate), ..self.clone() }
    }

    /// The gate on requests in flight, if the client has one.
    pub fn gate(&self) -> Option<&Arc<Gate>> {
        self.gate.as_ref()
    }

    /// The ledger of what this run created, if the client has one.
    pub fn ledger(&self) -> Option<&Arc<Ledger>> {
        self.ledger.as_ref()
    }

    /// Whether `url` (absolute) is on the origin of the base URL: the only origin this client talks to.
    pub fn same_origin(&self, url: &str) -> bool {
        reqwest::Url::parse(url).is_ok_and(|u| u.origin() == self.base_url.origin())
    }

    /// The URL a request goes to, parsed as it goes on the wire, after the origin and ledger rules.
    fn wire_url(&self, req: &ScimRequest, text: &str) -> Result<reqwest::Url, String> {
        let url = reqwest::Url::parse(text).map_err(|e| format!("not a valid URL: {e}"))?;
        if url.origin() != self.base_url.origin() {
            return Err(format!(
                "refused to send {} to {}: scimlab only talks to the origin of the base URL ({}), so credentials \
                 never reach another host",
                req.method,
                scimlab_protocol::exchange::redact_url(text),
                self.base_url.origin().ascii_serialization()
            ));
        }
        if let Some(ledger) = &self.ledger {
            ledger
                .permit(req.method.as_str(), self.base_url.path(), url.path(), req.body.as_deref())
                .map_err(|r| r.to_string())?;
        }
        Ok(url)
    }

    fn default_headers(&self, req: &ScimRequest, fetched: Option<&str>) -> Vec<(String, String)> {
        let mut h = vec![("Accept".to_owned(), "application/scim+json".to_owned())];
        if let Some(ua) = &self.options.user_agent {
            h.push(("User-Agent".to_owned(), ua.clone()));
        }
        match &self.credential {
            Credential::None => {}
            Credential::Bearer(t) => h.push(("Authorization".into(), format!("Bearer {t}"))),
            Credential::Basic { user, pass } => h.push((
                "Authorization".into(),
                format!("Basic {}", scimlab_protocol::base64::encode(format!("{user}:{pass}").as_bytes())),
            )),
            Credential::Header { name, value } => h.push((name.clone(), value.clone())),
            Credential::Fetched(_) => {
                if let Some(t) = fetched {
                    h.push(("Authorization".into(), format!("Bearer {t}")));
                }
            }
        }
        // Authorization is always the credential's, even on a request sent without one.
        let credential_header = match &self.credential {
            Credential::Header { name, .. } => name.as_str(),
            Credential::None | Credential::Bearer(_) | Credential::Basic { .. } | Credential::Fetched(_) => {
                "Authorization"
            }
        };
        for (name, value) in &self.options.extra_headers {
            let reserved = RESERVED_HEADERS
                .iter()
                .chain(["Authorization", credential_header].iter())
                .any(|r| r.eq_ignore_ascii_case(name));
            if reserved {
                continue;
            }
            h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            h.push((name.clone(), value.clone()));
        }
        h.retain(|(k, _)| {
            !req.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(k))
                && !req.omit_headers.iter().any(|n| n.eq_ignore_ascii_case(k))
        });
        h.extend(req.headers.iter().cloned());
        h
    }

    /// Sends one request and records the exchange, retrying transient faults as [`RetryPolicy`] says.
    pub async fn send(&self, req: ScimRequest) -> Result<ScimResponse, ClientError> {
        let policy = &self.options.retry;
        let mut retried: Vec<Exchange> = Vec::new();
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            let source = match &self.credential {
                Credential::Fetched(source)
                    if !req.omit_headers.iter().any(|h| h.eq_ignore_ascii_case("authorization")) =>
                {
                    Some(source)
                }
                _ => None,
            };
            let token = match source {
                Some(s) => Some(s.token().await?),
                None => None,
            };
            let permit = match &self.gate {
                Some(g) => Some(g.enter().await),
                None => None,
            };
            let result = self.send_once(req.clone(), token.as_deref()).await;
            drop(permit);
            // RFC 6750 section 3.1: a 401 may mean the token expired early or was revoked; the token is dropped
            // and the request sent once more with a new one.
            if let (Some(source), Some(used), Ok(r)) = (source, &token, &result)
                && r.status == 401
                && !renewed
            {
                source.refused(used).await;
                renewed = true;
                retried.push(r.exchange.clone());
                continue;
            }
            if let Some(g) = &self.gate {
                match &result {
                    Err(ClientError::Transport { .. }) => g.failed(),
                    Ok(_) => g.succeeded(),
                    Err(_) => {}
                }
            }
            let transient = match &result {
                Ok(r) if r.status == 429 || r.status == 503 => Some((
                    retry_after(r).unwrap_or_else(|| backoff(policy, attempt)),
                    r.exchange.clone(),
                    describe_status(r),
                )),
                Err(ClientError::Transport { exchange, reason, .. })
                    if reason.starts_with("could not connect") || idempotent(&req) =>
                {
                    Some((backoff(policy, attempt), exchange.as_ref().clone(), reason.clone()))
                }
                _ => None,
            };
            let Some((wait, exchange, reason)) = transient else {
                return result.map(|mut r| {
                    r.retried = retried;
                    r
                });
            };
            if attempt >= policy.per_request || !policy.take() {
                // A connection that keeps failing is the transport error it is (an unreachable server reads
                // better as that); a server that keeps answering 429 / 503 is throttling or unstable.
                let result = result?;
                retried.push(exchange);
                let url = self.secrets.scrub(&self.url_for(&req.path));
                return Err(ClientError::Unstable {
                    method: req.method.to_string(),
                    url,
                    reason: format!("{reason} after {} attempts (last: {})", attempt + 1, result.status),
                    attempts: retried,
                });
            }
            retried.push(exchange);
            attempt += 1;
            tokio::time::sleep(wait.min(policy.max_wait)).await;
        }
    }

    async fn send_once(&self, req: ScimRequest, fetched: Option<&str>) -> Result<ScimResponse, ClientError> {
        // A fetched credential's tokens change: the secrets are this client's and every token handed out so far.
        let secrets = match &self.credential {
            Credential::Fetched(source) => {
                let mut all = (*self.secrets).clone();
                all.merge(&source.secrets());
                Arc::new(all)
            }
            _ => self.secrets.clone(),
        };
        let mut url = self.url_for(&req.path);
        let query = match &req.raw_query {
            Some(raw) => raw.clone(),
            None => encode_query(&req.query),
        };
        if !query.is_empty() || req.raw_query.is_some() {
            url.push('?');
            url.push_str(&query);
        }
        let headers = self.default_headers(&req, fetched);
        let wire = self.wire_url(&req, &url);
        let mut exchange = Exchange {
            id: 0,
            started_at: jiff::Timestamp::now(),
            request: HttpRequest {
                method: req.method.to_string(),
                url: url.clone(),
                headers: headers.clone(),
                body: req.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()),
            },
            response: None,
            timings: Timings::default(),
            client: None,
            error: None,
        };
        exchange.redact();
        exchange.scrub(&secrets);
        exchange.limit_bodies(self.options.max_evidence_body);
        let url = secrets.scrub(&url);
        let wire = match wire {
            Ok(w) => w,
            Err(why) => {
                let why = secrets.scrub(&why);
                return Err(if why.starts_with("not a valid URL") {
                    ClientError::InvalidUrl { url, reason: why }
                } else {
                    ClientError::Refused(why)
                });
            }
        };
        // The lane is chosen before anything is sent; a slot is given back only after its answer was read whole.
        let slot = if idempotent(&req) { None } else { Some(self.slots.take()?) };
        let http = slot.as_ref().unwrap_or(&self.http);
        let mut builder = http.request(req.method.clone(), wire);
        let asked_to_close = req.body.as_ref().is_some_and(|b| b.len() > CLOSE_AFTER_BODY);
        if asked_to_close {
            builder = builder.header("Connection", "close");
        }
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(b) = req.body {
            builder = builder.body(b);
        }
        let started = Instant::now();
        let transport = |exchange: &mut Exchange, reason: String| {
            let reason = secrets.scrub(&reason);
            exchange.error = Some(reason.clone());
            exchange.timings.total_us = started.elapsed().as_micros() as u64;
            ClientError::Transport {
                method: req.method.to_string(),
                url: url.clone(),
                reason,
                exchange: Box::new(exchange.clone()),
            }
        };
        let resp = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport(&mut exchange, describe(&e))),
        };
        let ttfb = started.elapsed();
        let status = resp.status().as_u16();
        if let Some(gate) = &self.gate
            && (resp.version() <= reqwest::Version::HTTP_10
                || ((200..300).contains(&status) && !asked_to_close && !leaves_open(200, resp.headers())))
        {
            // A connection per request: every request in flight is a connection waiting in the server's listen
            // queue, which simple servers keep short (Python's socketserver: 5). Beyond it connections are dropped
            // silently and cost a resent SYN each. Only a success the client did not ask to close says so: servers
            // close after an error (413, 431...) or when asked to, and keep every other connection.
            gate.cap(crate::gate::NO_KEEP_ALIVE_MAX);
        }
        // What the server sends is scrubbed before anything reads it: a server echoing the credential must not
        // get it into a verdict, a report or a terminal.
        let resp_headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), secrets.scrub(&String::from_utf8_lossy(v.as_bytes()))))
            .collect();
        let open = leaves_open(status, resp.headers());
        // Several Content-Encoding fields are one list (RFC 9110 section 5.3).
        let encodings: Vec<String> = resp
            .headers()
            .get_all(reqwest::header::CONTENT_ENCODING)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let body = match read_limited(resp, self.options.max_body).await {
            Ok(b) => b,
            Err(reason) => return Err(transport(&mut exchange, reason)),
        };
        let encoding = (!encodings.is_empty()).then(|| encodings.join(","));
        let body = match super::decode::decode(encoding.as_deref(), &body, self.options.max_body) {
            Ok(decoded) => secrets.scrub_bytes(decoded.unwrap_or(body)),
            Err(reason) => return Err(transport(&mut exchange, reason)),
        };
        if let Some(borrowed) = slot.filter(|_| open) {
            self.slots.give_back(borrowed);
        }
        exchange.timings =
            Timings { total_us: started.elapsed().as_micros() as u64, ttfb_us: Some(ttfb.as_micros() as u64) };
        let json = if body.is_empty() { None } else { serde_json::from_slice(&body).ok() };
        exchange.response = Some(HttpResponse {
            status,
            headers: resp_headers.clone(),
            body: (!body.is_empty()).then(|| excerpt(&body, self.options.max_evidence_body)),
        });
        exchange.redact();
        Ok(ScimResponse { status, headers: resp_headers, body, json, exchange, retried: Vec::new() })
    }
}

/// At most `max` bytes of `body` as text, with the full size noted when it is cut. The bytes are cut first, so a
/// 20 MB body is never copied whole into the evidence.
fn excerpt(body: &[u8], max: usize) -> String {
    if body.len() <= max {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut text = String::from_utf8_lossy(&body[..max]).into_owned();
    text.push_str(&scimlab_protocol::exchange::truncation_note(max, body.len()));
    text
}

/// The secrets of `credential`, added to `known`.
fn secrets_of(credential: &Credential, known: &Secrets) -> Secrets {
    let mut s = known.clone();
    match credential {
        Credential::None => {}
        Credential::Bearer(t) => s.add(t),
        Credential::Basic { user, pass } => {
            s.add(pass);
            s.add(&scimlab_protocol::base64::encode(format!("{user}:{pass}").as_bytes()));
        }
        Credential::Header { value, .. } => add_header_value(&mut s, value),
        // Added as they are handed out, request by request.
        Credential::Fetched(_) => {}
    }
    s
}

/// A header's value as a secret, and, for `SSWS abc`, the part after the scheme word on its own too.
fn add_header_value(s: &mut Secrets, value: &str) {
    s.add(value);
    if let Some((_, rest)) = value.split_once(char::is_whitespace) {
        s.add(rest);
    }
}

async fn read_limited(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > max {
                    return Err(format!("the response body exceeds {max} bytes"));
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(describe(&e)),
        }
    }
}

/// A transport error with its causes, without the URL reqwest repeats.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    if msg.contains("invalid peer certificate") {
        msg.push_str(
            " (the server's TLS certificate is not trusted: pass --ca-cert FILE with it or its CA, such as the PEM \
             `scimlab serve --tls-self-signed` writes, or --insecure)",
        );
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        h.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    #[test]
    fn extra_headers_go_on_every_request_but_never_replace_the_credential_or_framing() {
        let extra = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        let options = ClientOptions {
            extra_headers: vec![
                extra("X-Tenant", "acme-tenant"),
                extra("authorization", "Bearer stolen"),
                extra("Host", "evil.example"),
                extra("content-length", "0"),
                extra("User-Agent", "ci/1"),
            ],
            ..ClientOptions::default()
        };
        let client = ScimClient::new("http://127.0.0.1:9/scim/v2", Credential::Bearer("tok-abc".into()), options)
            .expect("client");
        let h = client.default_headers(&ScimRequest::get("/Users"), None);
        assert_eq!(header(&h, "X-Tenant"), ["acme-tenant"]);
        assert_eq!(header(&h, "Authorization"), ["Bearer tok-abc"]);
        assert!(header(&h, "Host").is_empty() && header(&h, "Content-Length").is_empty(), "{h:?}");
        assert_eq!(header(&h, "User-Agent"), ["ci/1"], "an extra header replaces a default");
        // A request's own header still wins, and a request without the credential (an auth-negative check) gets
        // no Authorization from the extras, whatever the client's credential.
        let mut own = ScimRequest::get("/Users");
        own.headers.push(extra("X-Tenant", "other"));
        own.omit_headers.push("Authorization".into());
        let h = client.default_headers(&own, None);
        assert_eq!(header(&h, "X-Tenant"), ["other"]);
        assert!(header(&h, "Authorization").is_empty(), "{h:?}");
        let h = client.with_credential(Credential::None).default_headers(&ScimRequest::get("/Users"), None);
        assert!(header(&h, "Authorization").is_empty(), "{h:?}");
        assert_eq!(header(&h, "X-Tenant"), ["acme-tenant"]);
        assert!(!client.secrets.scrub("id acme-tenant").contains("acme-tenant"), "extra header values are secrets");
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(ScimClient::new("ftp://x", Credential::None, ClientOptions::default()).is_err());
        assert!(ScimClient::new("not a url", Credential::None, ClientOptions::default()).is_err());
    }
}
