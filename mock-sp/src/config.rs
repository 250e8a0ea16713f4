//! What a mock SP instance is told at start: credentials, limits, leniency, variation, faults.

use scimlab_protocol::patch::PatchOptions;

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            auth: Auth::None,
            max_payload_bytes: 1024 * 1024,
            max_bulk_operations: 1000,
            max_results: 1000,
            patch: PatchOptions::lenient(),
            vary: false,
            faults: Vec::new(),
            seed: None,
            record: true,
            base_path: "/scim/v2".to_owned(),
        }
    }
}
