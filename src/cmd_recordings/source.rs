//! Where `scimlab recordings` reads from: a SQLite data file written by `scimlab serve --data FILE`, or the
//! control API (`/_scimlab/recordings`, `/_scimlab/audit`) of a running `scimlab serve`.
//!
//! The control API is read with the conformance client ([`ScimClient`], reqwest with rustls), so `https://` works
//! with the same `--ca-cert` / `--insecure` rules as `scimlab test`, and the client's promises hold here too: the
//! credential goes only to the origin of `--server` (redirects are not followed), and a server echoing it cannot
//! get it printed. Every failure is a usage error naming the file or URL and what went wrong.

use crate::exit::Failure;
use crate::tls_args::TlsArgs;
use anyhow::anyhow;
use scimlab_mock_idp::client::{ClientError, ClientOptions, Credential, RetryPolicy, ScimClient, ScimRequest};
use scimlab_mock_sp::audit::AuditEntry;
use scimlab_mock_sp::store::{SqliteStore, Store};
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Recordings fetched per page.
const PAGE: usize = 1000;

/// How long one page may take, from connecting to the last byte.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The largest page read: a thousand exchanges of a server that records large bodies.
const MAX_PAGE_BYTES: usize = 512 * 1024 * 1024;

/// A place recordings are read from.
pub enum Source {
    /// A SQLite data file.
    Data(SqliteStore, PathBuf),
    /// A running server's control API (boxed: a client and a runtime are far larger than a store handle).
    Server(Box<Server>),
}

/// A running `scimlab serve`, by address.
pub struct Server {
    /// A client for the origin of the URL given (`scheme://host:port`), where the control API sits.
    client: ScimClient,
    /// Runs the client's requests: `recordings` is otherwise synchronous.
    runtime: tokio::runtime::Runtime,
    /// The URL as given, for messages.
    url: String,
}

impl Source {
    /// Opens a data file. The file must exist and be a SQLite database: opening a missing or empty path would
    /// otherwise create a new, empty store there.
    pub fn data(path: &Path) -> Result<Source, Failure> {
        let usage = |why: String| Failure::Usage(anyhow!("cannot read data file {}: {why}", path.display()));
        let mut head = [0u8; 16];
        let mut file = std::fs::File::open(path).map_err(|e| usage(e.to_string()))?;
        file.read_exact(&mut head).map_err(|_| usage("it is not a SQLite database (too short)".to_owned()))?;
        if &head != b"SQLite format 3\0" {
            return Err(usage("it is not a SQLite database".to_owned()));
        }
        let store = SqliteStore::open(path).map_err(|e| usage(e.detail))?;
        Ok(Source::Data(store, path.to_owned()))
    }

    /// A running server at `url` (`http[s]://host:port`; any path is ignored, the control API sits at the root),
    /// reached with `credential`, its certificate checked as `tls` says.
    pub fn server(url: &str, credential: Credential, tls: &TlsArgs) -> Result<Source, Failure> {
        // A URL with user information carries a password: it is refused, and never shown as given.
        let url = &scimlab_protocol::exchange::redact_url(url);
        let origin = server_origin(url).map_err(|why| Failure::Usage(anyhow!("--server {url}: {why}")))?;
        let options = ClientOptions {
            max_body: MAX_PAGE_BYTES,
            max_evidence_body: 1024,
            retry: RetryPolicy::none(),
            ..tls.client_options(TIMEOUT)
        };
        let client = ScimClient::new(&origin, credential, options)
            .map_err(|e| Failure::Usage(anyhow!("--server {url}: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Internal(anyhow!("cannot start the HTTP client's runtime: {e}")))?;
        Ok(Source::Server(Box::new(Server { client, runtime, url: url.to_owned() })))
    }

    /// Names the source in messages.
    pub fn describe(&self) -> String {
        match self {
            Source::Data(_, path) => format!("data file {}", path.display()),
            Source::Server(s) => format!("server {}", s.url),
        }
    }

    /// Every recording, oldest first, each exchange's `id` set to its sequence number.
    pub fn all(&self) -> Result<Vec<(u64, Exchange)>, Failure> {
        let mut out: Vec<(u64, Exchange)> = Vec::new();
        loop {
            let after = out.last().map_or(0, |(seq, _)| *seq);
            let page = self.page(after, PAGE)?;
            let done = page.len() < PAGE;
            out.extend(page);
            if done {
                if let Some((first, _)) = out.first().filter(|(first, _)| *first > 1) {
                    eprintln!(
                        "note: exchanges 1 to {} are no longer held: a server without --data keeps the newest {} \
                         exchanges and at most {} MiB of them; serve with --data FILE to keep every exchange",
                        first - 1,
                        scimlab_mock_sp::store::DEFAULT_RECORDING_CAPACITY,
                        scimlab_mock_sp::store::DEFAULT_RECORDING_BYTES >> 20
                    );
                }
                return Ok(out);
            }
        }
    }

    /// Every audit entry, oldest first.
    pub fn audit_all(&self) -> Result<Vec<AuditEntry>, Failure> {
        let mut out: Vec<AuditEntry> = Vec::new();
        loop {
            let after = out.last().map_or(0, |e| e.seq);
            let page = match self {
                Source::Data(store, path) => store.audit(after, PAGE).map_err(|e| {
                    Failure::Usage(anyhow!(
                        "cannot read the audit trail from data file {}: {}",
                        path.display(),
                        e.detail
                    ))
                })?,
                Source::Server(s) => s
                    .items("/_scimlab/audit", "audit", after, PAGE)?
                    .into_iter()
                    .map(|item| {
                        serde_json::from_value(item)
                            .map_err(|e| s.fail(format!("an audit entry does not read as one: {e}")))
                    })
                    .collect::<Result<Vec<AuditEntry>, Failure>>()?,
            };
            let done = page.len() < PAGE;
            out.extend(page);
            if done {
                if let Some(first) = out.first().filter(|e| e.seq > 1) {
                    eprintln!(
                        "note: audit entries 1 to {} are no longer held: a server without --data keeps the newest {} \
                         entries and at most {} MiB of them; serve with --data FILE to keep every entry",
                        first.seq - 1,
                        scimlab_mock_sp::store::DEFAULT_RECORDING_CAPACITY,
                        scimlab_mock_sp::store::DEFAULT_RECORDING_BYTES >> 20
                    );
                }
                return Ok(out);
            }
        }
    }

    /// The recording with sequence number `seq`, if there is one.
    pub fn one(&self, seq: u64) -> Result<Option<Exchange>, Failure> {
        let page = self.page(seq.saturating_sub(1), 1)?;
        Ok(page.into_iter().find(|(n, _)| *n == seq).map(|(_, e)| e))
    }

    fn page(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, Failure> {
        let mut page = match self {
            Source::Data(store, path) => store.recordings(after, limit).map_err(|e| {
                Failure::Usage(anyhow!("cannot read recordings from data file {}: {}", path.display(), e.detail))
            })?,
            Source::Server(s) => s.page(after, limit)?,
        };
        for (seq, exchange) in &mut page {
            exchange.id = *seq;
        }
        Ok(page)
    }
}

impl Server {
    /// A usage failure naming the server.
    fn fail(&self, why: String) -> Failure {
        Failure::Usage(anyhow!("server {}: {why}", self.url))
    }

    fn page(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, Failure> {
        let fail = |why: String| self.fail(why);
        let items = self.items("/_scimlab/recordings", "recordings", after, limit)?;
        items
            .iter()
            .map(|item| {
                let seq = item.get("seq").and_then(Value::as_u64);
                let exchange = item.get("exchange").cloned().map(serde_json::from_value::<Exchange>);
                match (seq, exchange) {
                    (Some(seq), Some(Ok(e))) => Ok((seq, e)),
                    (_, Some(Err(e))) => Err(fail(format!("a recording does not read as an exchange: {e}"))),
                    _ => Err(fail("a recording lacks seq or exchange".to_owned())),
                }
            })
            .collect()
    }

    /// One page of a control API route: the array under `key` of the JSON it answers.
    fn items(&self, route: &str, key: &str, after: u64, limit: usize) -> Result<Vec<Value>, Failure> {
        let path = format!("{route}?after={after}&limit={limit}");
        let (status, body) = self.get(route, &[("after", after.to_string()), ("limit", limit.to_string())])?;
        let fail = |why: String| self.fail(why);
        match status {
            200 => {}
            401 => {
                return Err(fail(
                    "the server refused the credentials (401); pass --token (or set SCIM_TOKEN) or --basic as \
                     given to scimlab serve"
                        .to_owned(),
                ));
            }
            404 => return Err(fail(format!("no control API at {path} (404); is this a scimlab serve?"))),
            _ => {
                let detail = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
                return Err(fail(format!("GET {path} answered {status}: {detail}")));
            }
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("GET {path} answered a body that is not JSON: {e}")))?;
        match v {
            Value::Object(mut o) => match o.remove(key) {
                Some(Value::Array(items)) => Ok(items),
                _ => Err(fail(format!("GET {path} answered JSON without a {key} array"))),
            },
            _ => Err(fail(format!("GET {path} answered JSON without a {key} array"))),
        }
    }

    /// One GET of `path` at the origin; returns the status and the body.
    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<(u16, Vec<u8>), Failure> {
        let mut request = ScimRequest::get(path).header("Accept", "application/json");
        for (k, v) in query {
            request = request.query(*k, v.clone());
        }
        match self.runtime.block_on(self.client.send(request)) {
            Ok(r) => Ok((r.status, r.body)),
            Err(ClientError::Transport { reason, .. }) => {
                // The client's own hint names --ca-cert already when the certificate is not trusted.
                let hint = if reason.contains("certificate") && !reason.contains("--ca-cert") {
                    "; trust the CA that signed it with --ca-cert FILE, or pass --insecure for a test server"
                } else {
                    ""
                };
                Err(Failure::Usage(anyhow!("cannot reach server {}: {reason}{hint}", self.url)))
            }
            Err(e) => Err(Failure::Usage(anyhow!("server {}: {e}", self.url))),
        }
    }
}

/// `scheme://host[:port]` of a `--server` URL: http or https, no user information (credentials go in
/// `--token` / `--basic`, which are never sent anywhere but this origin).
fn server_origin(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{e}; expected a URL such as http://127.0.0.1:8080"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("the scheme is {:?}; expected http:// or https://", parsed.scheme()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("credentials in the URL are not accepted; pass --token (or set SCIM_TOKEN) or --basic".to_owned());
    }
    if parsed.host().is_none() {
        return Err("there is no host; expected a URL such as http://127.0.0.1:8080".to_owned());
    }
    Ok(parsed.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_keep_their_origin_only() {
        assert_eq!(server_origin("http://127.0.0.1:8080/scim/v2").as_deref(), Ok("http://127.0.0.1:8080"));
        assert_eq!(server_origin("HTTP://LocalHost").as_deref(), Ok("http://localhost"));
        assert_eq!(server_origin("http://[::1]:9000/").as_deref(), Ok("http://[::1]:9000"));
        assert_eq!(server_origin("https://scim.example:443/x?y#z").as_deref(), Ok("https://scim.example"));
        assert_eq!(server_origin("https://127.0.0.1:8443").as_deref(), Ok("https://127.0.0.1:8443"));
        for (bad, why) in [
            ("127.0.0.1:8080", "expected a URL such as http://"),
            ("localhost:8080", "expected http:// or https://"),
            ("ftp://h", "scheme"),
            ("http://user:pw@h", "--token"),
            ("http://", "empty host"),
            ("not a url", "relative URL"),
        ] {
            let e = server_origin(bad).expect_err(bad);
            assert!(e.contains(why), "{bad}: {e}");
            assert!(!e.contains("pw"), "{e}");
        }
    }
}
