//! A SCIM client that records every exchange.
//!
//! Every request goes out through [`ScimClient::send`] and comes back as a [`ScimResponse`] carrying the
//! [`Exchange`] that proves it, already redacted: the credential is sent on the wire and never stored, printed or
//! returned. Requests are addressed relative to the service provider's base URL (`/Users`, `/Users/{id}`), and
//! their query string can be given as pairs (encoded the RFC 3986 way) or, for personas that must reproduce an
//! IdP's exact encoding (`+` for spaces, a trailing `&`), as raw text.
//!
//! The client is where scimlab's promises to the server under test are kept, because every request of every job
//! passes here: a request goes only to the origin of the base URL (a Location or `$ref` elsewhere is never
//! followed, and no other host name is looked up); a mutating request must pass the run's [`Ledger`] on the URL
//! as parsed for the wire; the credential values in use are replaced wherever they appear in what the client
//! returns (headers of any name, URLs, bodies, errors), so a server echoing the token cannot put it in a report;
//! and the evidence keeps a bounded excerpt of each body.
//!
//! It is also where a request that cannot be resent (POST, PATCH) is kept off connections the server may have
//! closed. A server may drop a keep-alive connection right after an answer without saying so: Express destroys the
//! socket when an error reaches its final handler after the answer went out (SCIMMY Routers pass every 5xx on),
//! and servers that refuse a request before reading it (408, 413, 431) often close with bytes unread. A request
//! written on such a connection meets a reset, and a POST that met a reset cannot be resent, since it may have
//! been applied. So the idempotent requests share one pool (a reset is retried), while each POST or PATCH borrows
//! a `Slots` client of its own with at most one kept-alive connection, which goes back for reuse only after an
//! answer that leaves it open (`leaves_open`).

use crate::gate::Gate;
use crate::ledger::Ledger;
use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Secrets, Timings};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

/// How the client authenticates (RFC 7644 section 2).
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nothing.
    None,
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// `Authorization: Basic base64(user:pass)`.
    Basic {
        /// User name.
        user: String,
        /// Password.
        pass: String,
    },
    /// A header sent verbatim, e.g. `Authorization: SSWS abc` or Okta's raw token header.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
}

impl std::fmt::Debug for Credential {
    // A credential must never reach a log, even through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::None => f.write_str("None"),
            Credential::Bearer(_) => f.write_str("Bearer([redacted])"),
            Credential::Basic { user, .. } => write!(f, "Basic({user}:[redacted])"),
            Credential::Header { name, .. } => write!(f, "Header({name}: [redacted])"),
        }
    }
}

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
}

/// How transient faults are retried: a 429 (RFC 6585 section 4) or 503 (RFC 9110 section 15.6.4), with or
/// without `Retry-After` (RFC 9110 section 10.2.3); a connection refused before the request left, for any method;
/// a connection reset or dropped after it left, only for the idempotent methods (GET, HEAD, PUT, DELETE: RFC 9110
/// section 9.2.2), because a POST or PATCH may have been applied. Retries are bounded per request and by one
/// budget for the whole run (clones of a client share it); an exhausted budget is [`ClientError::Unstable`],
/// never the server's answer to what a check tests.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries of one request at most.
    pub per_request: u32,
    /// Retries left for the whole run, shared by every clone of the client.
    pub budget: Arc<AtomicU32>,
    /// The longest `Retry-After` honoured; longer ones wait this long.
    pub max_wait: Duration,
    /// The first wait when the server names none; it doubles with each retry.
    pub backoff: Duration,
}

impl RetryPolicy {
    /// A policy with `budget` retries for the whole run.
    pub fn with_budget(budget: u32) -> RetryPolicy {
        RetryPolicy { budget: Arc::new(AtomicU32::new(budget)), ..RetryPolicy::default() }
    }

    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy { per_request: 0, ..RetryPolicy::with_budget(0) }
    }

    fn take(&self) -> bool {
        self.budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1)).is_ok()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // Sized for a server that throttles a fifth of its answers: nine 429s in a row then happen about once in
        // two million requests, and a full run's ~1,200 requests use ~300 retries of the 1,000.
        RetryPolicy {
            per_request: 8,
            budget: Arc::new(AtomicU32::new(1000)),
            max_wait: Duration::from_secs(10),
            backoff: Duration::from_millis(100),
        }
    }
}

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

/// One request, before it is sent.
#[derive(Debug, Clone)]
pub struct ScimRequest {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path relative to the base URL (`/Users/abc`), or an absolute `http(s)://` URL.
    pub path: String,
    /// Query pairs, percent-encoded on send.
    pub query: Vec<(String, String)>,
    /// Raw query text used verbatim instead of `query` (without the leading `?`).
    pub raw_query: Option<String>,
    /// Extra headers; a header named here replaces the client's default of the same name. An empty value for
    /// `User-Agent` sends the header empty; use `omit_headers` to leave a default out.
    pub headers: Vec<(String, String)>,
    /// Default headers to leave out (e.g. `Content-Type` on a GET, `Authorization` for an auth-negative check).
    pub omit_headers: Vec<String>,
    /// Body bytes.
    pub body: Option<Vec<u8>>,
}

impl ScimRequest {
    /// A request with no query, headers or body.
    pub fn new(method: reqwest::Method, path: impl Into<String>) -> Self {
        ScimRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            raw_query: None,
            headers: Vec::new(),
            omit_headers: Vec::new(),
            body: None,
        }
    }

    /// GET `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, path)
    }

    /// DELETE `path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(reqwest::Method::DELETE, path)
    }

    /// `method path` with a JSON body and `Content-Type: application/scim+json`.
    pub fn json(method: reqwest::Method, path: impl Into<String>, body: &Value) -> Self {
        let mut r = Self::new(method, path);
        r.body = Some(body.to_string().into_bytes());
        r.headers.push(("Content-Type".into(), "application/scim+json".into()));
        r
    }

    /// Adds a query pair.
    pub fn query(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.query.push((k.into(), v.into()));
        self
    }

    /// Adds or replaces a header.
    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        let k = k.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
        self.headers.push((k, v.into()));
        self
    }

    /// Leaves out a default header (or one added earlier).
    pub fn without(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.omit_headers.push(name);
        self
    }
}

/// A response, with the exchange that proves it.
#[derive(Debug, Clone)]
pub struct ScimResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// The whole exchange, redacted.
    pub exchange: Exchange,
    /// Earlier attempts of the same request that met a transient fault and were retried, in order.
    pub retried: Vec<Exchange>,
}

impl ScimResponse {
    /// The first header called `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The JSON body, or `Null`.
    pub fn body_json(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.json.as_ref().unwrap_or(&NULL)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A recording SCIM client bound to one service provider.
#[derive(Clone)]
pub struct ScimClient {
    http: reqwest::Client,
    /// Never reuses a connection: for POST and PATCH once the server has reset a connection.
    fresh: reqwest::Client,
    /// Keep-alive connections for POST and PATCH, each borrowed by one request at a time.
    slots: Arc<Slots>,
    /// Set when the server reset or dropped a connection: from then on a request that cannot be resent (POST,
    /// PATCH) goes on a connection of its own, so it never lands on one the server has already dropped.
    fragile: Arc<AtomicBool>,
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

/// The certificates of a PEM file given as `--ca-cert` (a private CA's, trusted beside the platform's roots).
/// The error names the file and says what is wrong with it.
pub fn read_ca_certs(path: &std::path::Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let bad = |why: String| format!("--ca-cert {}: {why}", path.display());
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate (BEGIN CERTIFICATE)".into()));
    }
    Ok(certs)
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another component may have installed one already; either way a provider is in place afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
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
        let certs = match &options.ca_cert {
            Some(path) => {
                let certs = read_ca_certs(path).map_err(ClientError::Build)?;
                let certs = certs.iter().map(|c| reqwest::Certificate::from_der(c)).collect::<Result<Vec<_>, _>>();
                Some(certs.map_err(|e| ClientError::Build(format!("--ca-cert: {e}")))?)
            }
            None => None,
        };
        let http = build_http(&options, certs.as_deref(), Pool::Shared)?;
        // A second client that never reuses a connection, for requests that cannot be resent once a server is
        // known to drop connections (see `fragile`).
        let fresh = build_http(&options, certs.as_deref(), Pool::None)?;
        let slots = Arc::new(Slots { idle: Mutex::new(Vec::new()), options: options.clone(), certs });
        let secrets = Arc::new(secrets_of(&credential, &Secrets::new()));
        Ok(ScimClient {
            http,
            fresh,
            slots,
            fragile: Arc::new(AtomicBool::new(false)),
            base,
            base_url: parsed,
            credential,
            options,
            secrets,
            ledger: None,
            gate: None,
        })
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

    /// The same client, keeping at most `max` requests in flight across all its clones and adapting that number
    /// down when the server refuses or resets connections ([`Gate`]).
    pub fn with_max_in_flight(&self, max: usize) -> ScimClient {
        ScimClient { gate: Some(Arc::new(Gate::new(max))), ..self.clone() }
    }

    /// The gate on requests in flight, if the client has one.
    pub fn gate(&self) -> Option<&Arc<Gate>> {
        self.gate.as_ref()
    }

    /// The ledger of what this run created, if the client has one.
    pub fn ledger(&self) -> Option<&Arc<Ledger>> {
        self.ledger.as_ref()
    }

    /// The credential values this client must never reveal (for sinks that print text the client did not
    /// produce, such as error messages).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
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

    fn default_headers(&self, req: &ScimRequest) -> Vec<(String, String)> {
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
        loop {
            let permit = match &self.gate {
                Some(g) => Some(g.enter().await),
                None => None,
            };
            let result = self.send_once(req.clone()).await;
            drop(permit);
            if matches!(&result, Err(ClientError::Transport { reason, .. }) if !reason.starts_with("could not connect"))
            {
                self.fragile.store(true, Ordering::Relaxed);
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

    async fn send_once(&self, req: ScimRequest) -> Result<ScimResponse, ClientError> {
        let mut url = self.url_for(&req.path);
        let query = match &req.raw_query {
            Some(raw) => raw.clone(),
            None => encode_query(&req.query),
        };
        if !query.is_empty() || req.raw_query.is_some() {
            url.push('?');
            url.push_str(&query);
        }
        let headers = self.default_headers(&req);
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
        exchange.scrub(&self.secrets);
        exchange.limit_bodies(self.options.max_evidence_body);
        let url = self.secrets.scrub(&url);
        let wire = match wire {
            Ok(w) => w,
            Err(why) => {
                let why = self.secrets.scrub(&why);
                return Err(if why.starts_with("not a valid URL") {
                    ClientError::InvalidUrl { url, reason: why }
                } else {
                    ClientError::Refused(why)
                });
            }
        };
        // The lane is chosen before anything is sent; a slot is given back only after its answer was read whole.
        let slot =
            if idempotent(&req) || self.fragile.load(Ordering::Relaxed) { None } else { Some(self.slots.take()?) };
        let http = match &slot {
            Some(borrowed) => borrowed,
            None if idempotent(&req) => &self.http,
            None => &self.fresh,
        };
        let mut builder = http.request(req.method.clone(), wire);
        if req.body.as_ref().is_some_and(|b| b.len() > CLOSE_AFTER_BODY) {
            builder = builder.header("Connection", "close");
        }
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(b) = req.body {
            builder = builder.body(b);
        }
        let started = Instant::now();
        let secrets = self.secrets.clone();
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
        // What the server sends is scrubbed before anything reads it: a server echoing the credential must not
        // get it into a verdict, a report or a terminal.
        let resp_headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), self.secrets.scrub(&String::from_utf8_lossy(v.as_bytes()))))
            .collect();
        let open = leaves_open(status, resp.headers());
        let body = match read_limited(resp, self.options.max_body).await {
            Ok(b) => self.secrets.scrub_bytes(b),
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

/// Whether a request may be resent after a connection failed mid-request: the idempotent methods (RFC 9110
/// section 9.2.2), and a POST to a `.search` endpoint, which only queries (RFC 7644 section 3.4.3).
fn idempotent(req: &ScimRequest) -> bool {
    let search = req.method == reqwest::Method::POST && req.path.split('?').next().unwrap_or("").ends_with("/.search");
    search
        || matches!(
            req.method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::PUT | reqwest::Method::DELETE
        )
}

/// Whether a connection may carry another POST or PATCH after this answer. Not after a 5xx: the server hit an
/// error path, and some close the connection a few milliseconds after answering, without a `Connection: close`
/// (Express's final handler destroys the socket of an error that arrives after the answer was sent, which SCIMMY
/// Routers do with every 5xx; seen in interop/scimmy-test.sh as resets of the next request on that connection).
/// Not after 408, 413 or 431, which servers send before reading the whole request and then often close with
/// bytes unread (a reset). Not after `Connection: close`, which says so (RFC 9112 section 9.6).
fn leaves_open(status: u16, headers: &reqwest::header::HeaderMap) -> bool {
    let closes = headers
        .get_all(reqwest::header::CONNECTION)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))));
    !closes && status < 500 && !matches!(status, 408 | 413 | 431)
}

/// How a [`reqwest::Client`] keeps connections.
#[derive(Clone, Copy)]
enum Pool {
    /// Kept alive and shared by the requests that may be resent.
    Shared,
    /// Never kept: one connection per request.
    None,
    /// At most one, kept alive for [`SLOT_IDLE`] at most: a [`Slots`] client.
    Slot,
}

fn build_http(
    options: &ClientOptions,
    certs: Option<&[reqwest::Certificate]>,
    pool: Pool,
) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .timeout(options.timeout)
        .danger_accept_invalid_certs(options.insecure)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(certs) = certs {
        builder = builder.tls_certs_merge(certs.to_vec());
    }
    builder = match pool {
        Pool::Shared => builder,
        Pool::None => builder.pool_max_idle_per_host(0),
        Pool::Slot => builder.pool_max_idle_per_host(1).pool_idle_timeout(SLOT_IDLE),
    };
    builder.build().map_err(|e| ClientError::Build(e.to_string()))
}

/// How long a slot's connection may sit idle and still carry a POST or PATCH: under the shortest keep-alive
/// timeouts servers commonly ship (5 s in Node and Apache httpd), so a POST never races the server closing an
/// idle connection.
const SLOT_IDLE: Duration = Duration::from_secs(2);

/// Idle slots kept at most; more are built when more POST / PATCH requests are in flight, and dropped after.
const MAX_IDLE_SLOTS: usize = 64;

/// Clients for the requests that cannot be resent, each with at most one kept-alive connection, so the client
/// knows which answer a connection carried last. A request takes a slot (the most recently used, or a new one),
/// sends on it, reads the answer whole, and gives the slot back only when [`leaves_open`] says the server will
/// not close that connection; otherwise the slot, and its connection with it, is dropped. A request cancelled
/// half-way drops its slot too. Keep-alive is kept for every server that answers without closing.
struct Slots {
    idle: Mutex<Vec<reqwest::Client>>,
    options: ClientOptions,
    certs: Option<Vec<reqwest::Certificate>>,
}

impl Slots {
    fn take(&self) -> Result<reqwest::Client, ClientError> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match idle {
            Some(slot) => Ok(slot),
            None => build_http(&self.options, self.certs.as_deref(), Pool::Slot),
        }
    }

    fn give_back(&self, slot: reqwest::Client) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SLOTS {
            idle.push(slot);
        }
    }
}

/// Bodies this large may be refused before the server reads them, and a server that answers early often resets
/// the connection (the unread bytes make its close a reset): such a request asks for its connection to close, so
/// the reset cannot land on the next request.
const CLOSE_AFTER_BODY: usize = 64 * 1024;

/// The wait before retry `attempt` (0-based) when the server names none: the policy's backoff, doubled each
/// time up to sixteen times, with up to a quarter of jitter so parallel requests do not retry in lockstep.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    // Doubling stops at 16 times the first wait (1.6 s by default).
    let base = policy.backoff.saturating_mul(1u32 << attempt.min(4));
    base + base.mul_f64(fastrand::f64() / 4.0)
}

/// The wait a 429 / 503 asks for: `Retry-After` as seconds or as an HTTP date (RFC 9110 section 10.2.3).
fn retry_after(r: &ScimResponse) -> Option<Duration> {
    let v = r.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    Some(Duration::try_from(when.duration_since(now)).unwrap_or(Duration::ZERO))
}

fn describe_status(r: &ScimResponse) -> String {
    match r.header("retry-after") {
        Some(ra) => format!("{} with Retry-After {ra}", r.status),
        None => format!("{} without Retry-After", r.status),
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
        Credential::Header { value, .. } => {
            s.add(value);
            // `SSWS abc`: the part after the scheme word is the secret on its own too.
            if let Some((_, rest)) = value.split_once(char::is_whitespace) {
                s.add(rest);
            }
        }
    }
    s
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
    msg
}

/// RFC 3986 query encoding: unreserved characters stay, everything else is `%XX` (spaces as `%20`).
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding_is_rfc3986() {
        let q = encode_query(&[("filter".into(), "userName eq \"a+b@c.d\"".into()), ("count".into(), "10".into())]);
        assert_eq!(q, "filter=userName%20eq%20%22a%2Bb%40c.d%22&count=10");
    }

    #[test]
    fn credentials_do_not_leak_through_debug() {
        let c = Credential::Bearer("s3cret".into());
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(ScimClient::new("ftp://x", Credential::None, ClientOptions::default()).is_err());
        assert!(ScimClient::new("not a url", Credential::None, ClientOptions::default()).is_err());
    }
}
