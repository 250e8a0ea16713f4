//! What a mock SP instance is told at start: credentials, limits, leniency, variation, faults.

use scimlab_protocol::patch::PatchOptions;
use std::time::Duration;

/// How clients must authenticate (RFC 7644 section 2: the protocol relies on HTTP authentication).
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// No authentication at all (only when asked for with `--no-auth`).
    None,
    /// `Authorization: Bearer TOKEN`. A raw token without the `Bearer` word is accepted too (Okta's HTTP Header
    /// mode can send one) and recorded as a client deviation by `recordings verify`.
    Bearer(String),
    /// `Authorization: Basic base64(user:pass)` (Okta's Basic mode).
    Basic {
        /// User name.
        user: String,
        /// Password.
        pass: String,
    },
}

impl std::fmt::Debug for Auth {
    // Never print a credential, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer([redacted])"),
            Auth::Basic { user, .. } => write!(f, "Auth::Basic({user}:[redacted])"),
        }
    }
}

/// Configuration of one mock SP.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Credentials clients must present.
    pub auth: Auth,
    /// Bearer JWTs accepted beside `auth` (Entra's tokens when the secret-token field is blank): `--jwt-issuer`,
    /// `--jwt-audience`, `--jwks`.
    pub jwt: Option<std::sync::Arc<crate::jwt::JwtValidator>>,
    /// The OAuth 2.0 token endpoint (`--oauth`), whose access tokens are accepted beside `auth`.
    pub oauth: Option<std::sync::Arc<crate::oauth::OAuthIssuer>>,
    /// Largest request body accepted, in bytes; larger bodies get 413. Published as `bulk.maxPayloadSize`.
    pub max_payload_bytes: usize,
    /// Most operations accepted in one /Bulk request; published as `bulk.maxOperations`.
    pub max_bulk_operations: usize,
    /// Most resources returned in one page; published as `filter.maxResults`.
    pub max_results: usize,
    /// PATCH leniencies accepted (all on by default: the mock SP accepts what real IdPs send, and
    /// `recordings verify` says where that broke the RFC).
    pub patch: PatchOptions,
    /// Where the RFC allows a choice, pick at random (PATCH 200 or 204, UUID or numeric ids, short pages, weak or
    /// strong ETags).
    pub vary: bool,
    /// Faults to inject (`--fault`): latency, 429 / 5xx, dropped connections, named deviations.
    pub faults: Vec<crate::faults::Fault>,
    /// Seed of the server's random draws (faults and `vary`); `None` picks one at random.
    pub seed: Option<u64>,
    /// Record every exchange in the store.
    pub record: bool,
    /// Path prefix of the SCIM API.
    pub base_path: String,
    /// The SCIM base URL clients are told (`meta.location`, `Location`, `$ref`), such as
    /// `http://127.0.0.1:8080/scim/v2`. `scimlab serve` always sets it (`--public-url`, default the listen address).
    /// `None` is for embedders that build the app before they bind a port: then a Host naming the loopback
    /// interface (`127.0.0.1:PORT`, `[::1]:PORT`, `localhost:PORT`) is used and any other Host is ignored, so no
    /// client can plant a host name in what the server tells others.
    pub public_url: Option<String>,
    /// Most operations in one PATCH request; more is 413 before the body is read into operations (RFC 7644
    /// section 3.5.2 sets no limit; the ServiceProviderConfig has no field to announce one).
    pub max_patch_operations: usize,
    /// Most work one PATCH may cost, in element visits as [`scimlab_protocol::patch::work_bound`] counts them
    /// (operations times the elements of the multi-valued attributes they scan); beyond it, 400 tooMany before
    /// anything is applied.
    pub max_patch_work: u64,
    /// Longest request target (path and query) accepted, in bytes; 414 with a SCIM Error beyond it.
    pub max_uri_bytes: usize,
    /// Most header bytes (names and values) accepted in one request; 431 beyond.
    pub max_header_bytes: usize,
    /// Most header lines accepted in one request; 431 beyond.
    pub max_headers: usize,
    /// A client must send a request's complete head within this long of the server starting to wait for it (on a
    /// new connection, or after the previous response on a kept-alive one, which also bounds how long such a
    /// connection may sit idle). Used by [`crate::serve::serve`].
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed (a stalled body, a client that
    /// stops reading its response). Used by [`crate::serve::serve`].
    pub idle_timeout: Duration,
}

/// Default of [`ServerConfig::max_patch_operations`].
pub const DEFAULT_MAX_PATCH_OPERATIONS: usize = 1000;
/// Default of [`ServerConfig::max_patch_work`]: a million element visits. The hostile request of issue 10
/// (1,000 filtered operations on 2,000 emails) counts 7.5 million and, allowed, runs in about 200 ms of one core
/// (release build), so the bound is some 25 ms; an Okta-style add of 100 members to a group of 5,000 counts half
/// a million.
pub const DEFAULT_MAX_PATCH_WORK: u64 = 1_000_000;
/// Default of [`ServerConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`ServerConfig::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            auth: Auth::None,
            jwt: None,
            oauth: None,
            max_payload_bytes: 1024 * 1024,
            max_bulk_operations: 1000,
            max_results: 1000,
            patch: PatchOptions::lenient(),
            vary: false,
            faults: Vec::new(),
            seed: None,
            record: true,
            base_path: "/scim/v2".to_owned(),
            public_url: None,
            max_patch_operations: DEFAULT_MAX_PATCH_OPERATIONS,
            max_patch_work: DEFAULT_MAX_PATCH_WORK,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}
