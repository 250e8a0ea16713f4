//! How the client holds its connections: TLS setup (the platform's roots plus a private CA), the shared pool for
//! requests that may be resent, and the one-connection slots that keep a POST or PATCH off connections a server
//! may have closed (see the module documentation of [`super`]).

use super::{ClientError, ClientOptions};
use std::sync::{Mutex, Once, PoisonError};
use std::time::Duration;

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

pub(super) fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another component may have installed one already; either way a provider is in place afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Whether a connection may carry another POST or PATCH after this answer. Not after a 5xx: the server hit an
/// error path, and some close the connection a few milliseconds after answering, without a `Connection: close`
/// (Express's final handler destroys the socket of an error that arrives after the answer was sent, which SCIMMY
/// Routers do with every 5xx; seen in interop/scimmy-test.sh as resets of the next request on that connection).
/// Not after 408, 413 or 431, which servers send before reading the whole request and then often close with
/// bytes unread (a reset). Not after `Connection: close`, which says so (RFC 9112 section 9.6).
pub(super) fn leaves_open(status: u16, headers: &reqwest::header::HeaderMap) -> bool {
    let closes = headers
        .get_all(reqwest::header::CONNECTION)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))));
    !closes && status < 500 && !matches!(status, 408 | 413 | 431)
}

/// How a [`reqwest::Client`] keeps connections.
#[derive(Clone, Copy)]
pub(super) enum Pool {
    /// Kept alive and shared by the requests that may be resent.
    Shared,
    /// At most one, kept alive for [`SLOT_IDLE`] at most: a [`Slots`] client.
    Slot,
}

/// The certificates of `--ca-cert` (`path`), as reqwest takes them; `None` without one.
pub(super) fn trusted_certs(path: Option<&std::path::Path>) -> Result<Option<Vec<reqwest::Certificate>>, String> {
    let Some(path) = path else { return Ok(None) };
    let certs = read_ca_certs(path)?;
    let certs = certs.iter().map(|c| reqwest::Certificate::from_der(c)).collect::<Result<Vec<_>, _>>();
    Ok(Some(certs.map_err(|e| format!("--ca-cert: {e}"))?))
}

/// What every HTTP client of scimlab's has: a timeout per request, `--insecure`, the `--ca-cert` roots besides
/// the system's, and no redirect followed (a redirect could carry the credential to another origin).
pub(super) fn http_builder(
    timeout: Duration,
    insecure: bool,
    certs: Option<&[reqwest::Certificate]>,
) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .danger_accept_invalid_certs(insecure)
        .redirect(reqwest::redirect::Policy::none());
    match certs {
        Some(certs) => builder.tls_certs_merge(certs.to_vec()),
        None => builder,
    }
}

pub(super) fn build_http(
    options: &ClientOptions,
    certs: Option<&[reqwest::Certificate]>,
    pool: Pool,
) -> Result<reqwest::Client, ClientError> {
    let mut builder = http_builder(options.timeout, options.insecure, certs);
    builder = match pool {
        Pool::Shared => builder,
        Pool::Slot => builder.pool_max_idle_per_host(1).pool_idle_timeout(SLOT_IDLE),
    };
    builder.build().map_err(|e| ClientError::Build(e.to_string()))
}

/// How long a slot's connection may sit idle and still carry a POST or PATCH: under the shortest keep-alive
/// timeouts servers commonly ship (5 s in Node and Apache httpd), so a POST never races the server closing an
/// idle connection.
pub(super) const SLOT_IDLE: Duration = Duration::from_secs(2);

/// Idle slots kept at most; more are built when more POST / PATCH requests are in flight, and dropped after.
pub(super) const MAX_IDLE_SLOTS: usize = 64;

/// Clients for the requests that cannot be resent, each with at most one kept-alive connection, so the client
/// knows which answer a connection carried last. A request takes a slot (the most recently used, or a new one),
/// sends on it, reads the answer whole, and gives the slot back only when [`leaves_open`] says the server will
/// not close that connection; otherwise the slot, and its connection with it, is dropped. A request cancelled
/// half-way drops its slot too. Keep-alive is kept for every server that answers without closing.
pub(super) struct Slots {
    pub(super) idle: Mutex<Vec<reqwest::Client>>,
    pub(super) options: ClientOptions,
    pub(super) certs: Option<Vec<reqwest::Certificate>>,
}

impl Slots {
    pub(super) fn take(&self) -> Result<reqwest::Client, ClientError> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match idle {
            Some(slot) => Ok(slot),
            None => build_http(&self.options, self.certs.as_deref(), Pool::Slot),
        }
    }

    pub(super) fn give_back(&self, slot: reqwest::Client) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SLOTS {
            idle.push(slot);
        }
    }
}

/// Bodies this large may be refused before the server reads them, and a server that answers early often resets
/// the connection (the unread bytes make its close a reset): such a request asks for its connection to close, so
/// the reset cannot land on the next request.
pub(super) const CLOSE_AFTER_BODY: usize = 64 * 1024;
