//! The generator's HTTP client: one hyper HTTP/1.1 connection per worker, kept alive and driven in the worker's
//! own task, with the persona's headers prepared once. It is the cheapest client measured on this kind of machine
//! (reference/DEPENDENCIES.md): no pool, no lock, no per-request allocation beyond the request head and the
//! response body.
//!
//! `https://` targets go through rustls (the ring provider, as the rest of scimlab) with tokio-rustls, both
//! already in the build through reqwest. Certificates are checked against the platform's roots
//! (rustls-platform-verifier, as the conformance client does), with a private CA's certificates added
//! (`--ca-cert`), or not at all (`--insecure`): see [`TlsTrust`].
//!
//! Response bodies are read up to a cap ([`DEFAULT_MAX_RESPONSE_BYTES`], `--max-response-bytes`): a server that
//! answers with an endless chunked body would otherwise be buffered whole (4 GiB was seen before the cap). A body
//! beyond the cap is [`SendError::TooLarge`], its own error class, and its connection is closed.

use crate::LoadError;
use crate::persona::Headers;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Where the SCIM server is.
#[derive(Clone)]
pub struct Endpoint {
    /// The socket address the host resolved to.
    pub addr: SocketAddr,
    /// `host[:port]` as the URL gave it, for the Host header.
    pub authority: String,
    /// The base path (`/scim/v2`), without a trailing `/`.
    pub base_path: String,
    /// The URL as given, for reports (without credentials: userinfo is refused).
    pub url: String,
    /// For an `https://` URL: the TLS client and the name the server's certificate must carry.
    tls: Option<(TlsConnector, ServerName<'static>)>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("addr", &self.addr)
            .field("url", &self.url)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// A parsed base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Whether the scheme is `https`.
    pub https: bool,
    /// `host[:port]` as the URL gave it.
    pub authority: String,
    /// The host, without brackets around an IPv6 address.
    pub host: String,
    /// The port given, or the scheme's (80, 443).
    pub port: u16,
    /// The base path, without a trailing `/`.
    pub base_path: String,
}

/// Reads `http[s]://host[:port][/path]` with the `url` crate (WHATWG URL parsing: the host lower-cased and
/// IDNA-encoded, a default port dropped, the path normalised), then applies the load generator's rules: http or
/// https only, no credentials, no query or fragment.
pub fn parse_url(url: &str) -> Result<Target, LoadError> {
    let bad = |why: &str| LoadError::Usage(format!("--url {url:?}: {why}"));
    let parsed = url::Url::parse(url).map_err(|e| bad(&format!("{e}; expected http[s]://host[:port]/base-path")))?;
    let https = match parsed.scheme() {
        "http" => false,
        "https" => true,
        _ => return Err(bad("expected http[s]://host[:port]/base-path")),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials in the URL are not accepted; pass --token"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("the base URL cannot carry a query or fragment"));
    }
    let (Some(host), Some(port)) = (parsed.host(), parsed.port_or_known_default()) else {
        return Err(bad("there is no host"));
    };
    let authority = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let host = match host {
        url::Host::Ipv6(addr) => addr.to_string(),
        other => other.to_string(),
    };
    Ok(Target { https, authority, host, port, base_path: parsed.path().trim_end_matches('/').to_owned() })
}

/// Accepts any certificate: `--insecure`, for test servers with self-signed certificates. The handshake
/// signatures are still checked, with the provider's algorithms.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// How a run checks the server's certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TlsTrust {
    /// Against the platform's roots.
    #[default]
    Platform,
    /// Against the platform's roots and the certificates of this PEM file (a private CA).
    ExtraRoots(std::path::PathBuf),
    /// Not at all (`--insecure`).
    Insecure,
}

/// The TLS client of a run: HTTP/1.1 only (ALPN), certificates checked as `trust` says.
fn tls_connector(trust: &TlsTrust) -> Result<TlsConnector, LoadError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| LoadError::Usage(format!("TLS cannot be set up: {e}")))?;
    let unreadable = |e: rustls::Error| LoadError::Usage(format!("the platform's TLS roots cannot be read: {e}"));
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = match trust {
        TlsTrust::Insecure => Arc::new(AnyCertificate(provider)),
        TlsTrust::Platform => Arc::new(rustls_platform_verifier::Verifier::new(provider).map_err(unreadable)?),
        TlsTrust::ExtraRoots(path) => Arc::new(
            rustls_platform_verifier::Verifier::new_with_extra_roots(
                scimlab_mock_idp::client::read_ca_certs(path).map_err(LoadError::Usage)?,
                provider,
            )
            .map_err(unreadable)?,
        ),
    };
    let mut config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

impl Endpoint {
    /// Parses `url` and resolves its host. For `https://`, the server's certificate is checked as `trust` says.
    pub async fn resolve(url: &str, trust: &TlsTrust) -> Result<Endpoint, LoadError> {
        let Target { https, authority, host, port, base_path } = parse_url(url)?;
        let tls = match https {
            true => {
                let name = ServerName::try_from(host.clone())
                    .map_err(|e| LoadError::Usage(format!("--url {url:?}: {host:?} is not a TLS server name: {e}")))?;
                Some((tls_connector(trust)?, name))
            }
            false => None,
        };
        let addr = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| LoadError::Unreachable(format!("cannot resolve {host}: {e}")))?
            .next()
            .ok_or_else(|| LoadError::Unreachable(format!("{host} resolves to no address")))?;
        Ok(Endpoint { addr, authority, base_path, url: url.trim_end_matches('/').to_owned(), tls })
    }
}

/// A connection's byte stream: plain TCP, or TLS over it.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A request, relative to the endpoint's base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    /// The method.
    pub method: Method,
    /// Path and query after the base path (`/Users/{id}`, `/Users?filter=...`).
    pub target: String,
    /// The body, if any.
    pub body: Option<Bytes>,
}

impl Req {
    /// A request without a body.
    pub fn new(method: Method, target: String) -> Req {
        Req { method, target, body: None }
    }

    /// A request with a JSON body.
    pub fn with_body(method: Method, target: String, body: impl Into<Bytes>) -> Req {
        Req { method, target, body: Some(body.into()) }
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Retry-After, in seconds or as an HTTP date (read as 1 s), when present.
    pub retry_after: Option<Duration>,
    /// The whole body.
    pub body: Bytes,
}

/// The response body cap unless told otherwise: 1 MiB, far above a SCIM page of users yet small enough that a
/// thousand workers each holding one stay well within memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// No HTTP response: refused or dropped connection, malformed answer.
    #[error("{0}")]
    Transport(String),
    /// The response body went beyond the cap; the rest was not read and the connection was closed.
    #[error("response body too large: more than {limit} bytes (--max-response-bytes)")]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
}

impl From<String> for SendError {
    fn from(e: String) -> SendError {
        SendError::Transport(e)
    }
}

/// The headers every request of a run carries, ready to copy.
#[derive(Debug)]
pub struct Fixed {
    host: HeaderValue,
    /// `Bearer TOKEN` of a token that is renewed during the run ([`Fixed::set_token`]).
    renewed: std::sync::RwLock<Option<HeaderValue>>,
    others: Vec<(HeaderName, HeaderValue)>,
    content_type: HeaderValue,
}

impl Fixed {
    /// Host, the credential (`Bearer TOKEN`) and the persona's headers.
    pub fn new(endpoint: &Endpoint, token: Option<&str>, h: Headers) -> Result<Fixed, LoadError> {
        let value = |v: &str, what: &str| {
            HeaderValue::from_str(v).map_err(|_| LoadError::Usage(format!("{what} cannot go in an HTTP header")))
        };
        let mut others = Vec::new();
        if let Some(t) = token {
            let mut v = value(&format!("Bearer {t}"), "the token")?;
            v.set_sensitive(true);
            others.push((header::AUTHORIZATION, v));
        }
        for (name, v) in [(header::USER_AGENT, h.user_agent), (header::ACCEPT, h.accept)] {
            if let Some(v) = v {
                others.push((name, HeaderValue::from_static(v)));
            }
        }
        if let Some(c) = h.accept_charset {
            others.push((HeaderName::from_static("accept-charset"), HeaderValue::from_static(c)));
        }
        if let Some(e) = h.accept_encoding {
            others.push((header::ACCEPT_ENCODING, HeaderValue::from_static(e)));
        }
        Ok(Fixed {
            host: value(&endpoint.authority, "the host")?,
            renewed: std::sync::RwLock::new(None),
            others,
            content_type: HeaderValue::from_static(h.content_type),
        })
    }
}

impl Fixed {
    /// Sends `Bearer token` from now on (a token obtained or renewed during the run).
    pub fn set_token(&self, token: &str) -> Result<(), LoadError> {
        let mut v = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| LoadError::Usage("the access token cannot go in an HTTP header".to_owned()))?;
        v.set_sensitive(true);
        *self.renewed.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(v);
        Ok(())
    }
}

/// The hyper connection future: the socket's reads and writes happen when it is polled.
type Driver = Pin<Box<Connection<TokioIo<Stream>, Full<Bytes>>>>;

/// One kept-alive connection. It connects on first use and again after a failure. The connection is driven
/// inside the worker's own task (polled beside the request), not spawned: a request costs no cross-task wake-up.
pub struct Conn {
    endpoint: Arc<Endpoint>,
    fixed: Arc<Fixed>,
    link: Option<(SendRequest<Full<Bytes>>, Driver)>,
    /// Connections opened so far (1 when keep-alive held throughout).
    pub connects: u64,
    /// The most bytes of one response body that are read.
    max_body: usize,
}

/// Polls `fut` to completion while driving the connection. An error when the connection ends first.
async fn drive<F: Future>(driver: &mut Driver, fut: F) -> Result<F::Output, String> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match driver.as_mut().poll(cx) {
            Poll::Pending => match fut.as_mut().poll(cx) {
                Poll::Ready(v) => Poll::Ready(Ok(v)),
                Poll::Pending => Poll::Pending,
            },
            Poll::Ready(done) => match fut.as_mut().poll(cx) {
                Poll::Ready(v) => Poll::Ready(Ok(v)),
                Poll::Pending => Poll::Ready(Err(match done {
                    Ok(()) => "the server closed the connection".to_owned(),
                    Err(e) => format!("connection failed: {e}"),
                })),
            },
        }
    })
    .await
}

impl Conn {
    /// A connection to `endpoint` sending `fixed` headers, reading bodies up to
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]; nothing is opened yet.
    pub fn new(endpoint: Arc<Endpoint>, fixed: Arc<Fixed>) -> Conn {
        Conn { endpoint, fixed, link: None, connects: 0, max_body: DEFAULT_MAX_RESPONSE_BYTES }
    }

    /// The same connection reading at most `bytes` of each response body.
    pub fn with_max_body(mut self, bytes: usize) -> Conn {
        self.max_body = bytes;
        self
    }

    /// Drops the connection (after a timeout left it mid-exchange); the next send opens another.
    pub fn reset(&mut self) {
        self.link = None;
    }

    async fn open(&mut self) -> Result<(SendRequest<Full<Bytes>>, Driver), String> {
        let tcp = TcpStream::connect(self.endpoint.addr)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.endpoint.addr))?;
        let _ = tcp.set_nodelay(true);
        let stream = match &self.endpoint.tls {
            None => Stream::Plain(tcp),
            Some((connector, name)) => {
                Stream::Tls(Box::new(connector.connect(name.clone(), tcp).await.map_err(|e| {
                    let hint = match e.to_string().contains("certificate") {
                        true => " (--ca-cert FILE trusts a private CA; --insecure accepts any certificate)",
                        false => "",
                    };
                    format!("TLS handshake with {} failed: {e}{hint}", self.endpoint.authority)
                })?))
            }
        };
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {} failed: {e}", self.endpoint.addr))?;
        self.connects += 1;
        Ok((sender, Box::pin(conn)))
    }

    /// Sends `req` and reads the whole answer, up to the body cap. A failure (a body beyond the cap included)
    /// closes the connection (the next send opens another).
    pub async fn send(&mut self, req: &Req) -> Result<Reply, SendError> {
        let (mut sender, mut driver) = match self.link.take() {
            Some((s, d)) if !s.is_closed() => (s, d),
            _ => self.open().await?,
        };
        if drive(&mut driver, sender.ready()).await.and_then(|r| r.map_err(|e| e.to_string())).is_err() {
            (sender, driver) = self.open().await?;
            drive(&mut driver, sender.ready()).await?.map_err(|e| format!("connection not ready: {e}"))?;
        }
        let mut path = String::with_capacity(self.endpoint.base_path.len() + req.target.len());
        path.push_str(&self.endpoint.base_path);
        path.push_str(&req.target);
        let uri = Uri::try_from(path).map_err(|e| format!("invalid request target {:?}: {e}", req.target))?;
        let mut r = Request::new(Full::new(req.body.clone().unwrap_or_default()));
        *r.method_mut() = req.method.clone();
        *r.uri_mut() = uri;
        let h = r.headers_mut();
        h.insert(header::HOST, self.fixed.host.clone());
        for (n, v) in &self.fixed.others {
            h.insert(n.clone(), v.clone());
        }
        if let Some(v) = self.fixed.renewed.read().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            h.insert(header::AUTHORIZATION, v.clone());
        }
        if req.body.is_some() {
            h.insert(header::CONTENT_TYPE, self.fixed.content_type.clone());
        }
        let resp = drive(&mut driver, sender.send_request(r)).await?.map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get(header::RETRY_AFTER).map(|v| retry_after(v.as_bytes()));
        // A compressed answer (asked for by a persona's Accept-Encoding, or sent unasked) is decoded within the
        // same cap, so ids and counts are read from the JSON; most answers have no Content-Encoding at all.
        let coding =
            resp.headers().get(header::CONTENT_ENCODING).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let limit = self.max_body;
        // `Limited` refuses a Content-Length beyond the cap at once and stops reading a chunked body at the cap.
        let body = drive(&mut driver, Limited::new(resp.into_body(), limit).collect())
            .await?
            .map_err(|e| match e.downcast_ref::<LengthLimitError>() {
                Some(_) => SendError::TooLarge { limit },
                None => SendError::Transport(format!("response body failed: {e}")),
            })?
            .to_bytes();
        self.link = Some((sender, driver));
        let body = match scimlab_mock_idp::client::decode_body(coding.as_deref(), &body, limit) {
            Ok(None) => body,
            Ok(Some(decoded)) => decoded.into(),
            Err(reason) => return Err(SendError::Transport(reason)),
        };
        Ok(Reply { status, retry_after, body })
    }
}

/// RFC 9110 section 10.2.3: Retry-After is delay-seconds or an HTTP-date. Seconds are honoured as given; a date
/// (or anything unreadable) is read as one second rather than parsed, which keeps the client honest without a
/// date parser on the hot path.
pub fn retry_after(v: &[u8]) -> Duration {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_secs)
}

/// The `scimType` of a SCIM error body, if it has one (RFC 7644 section 3.12).
pub fn scim_type(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        #[serde(rename = "scimType")]
        scim_type: Option<String>,
    }
    serde_json::from_slice::<ErrorBody>(body).ok().and_then(|e| e.scim_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_authority_host_port_and_base() {
        let t = parse_url("http://127.0.0.1:8080/scim/v2/").expect("url");
        assert_eq!(
            (t.https, t.authority.as_str(), t.host.as_str(), t.port, t.base_path.as_str()),
            (false, "127.0.0.1:8080", "127.0.0.1", 8080, "/scim/v2")
        );
        let t = parse_url("http://scim.example").expect("url");
        assert_eq!((t.host.as_str(), t.port, t.base_path.as_str()), ("scim.example", 80, ""));
        let t = parse_url("http://[::1]:9/x").expect("url");
        assert_eq!((t.host.as_str(), t.port), ("::1", 9));
        let t = parse_url("https://app.example.com/scim/v2").expect("url");
        assert_eq!((t.https, t.host.as_str(), t.port), (true, "app.example.com", 443));
        assert_eq!(parse_url("https://app.example.com:8443").expect("url").port, 8443);
        assert!(parse_url("http://u:p@x/").expect_err("an error").to_string().contains("--token"));
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://x:99999/").is_err());
        assert!(parse_url("http://x/scim?a=1").is_err());
        assert!(parse_url("http://").is_err());
        // The url crate's normalisation: host case, a default port, dot segments, IDNA.
        let t = parse_url("HTTPS://App.Example.COM:443/a/../scim/v2").expect("url");
        assert_eq!((t.authority.as_str(), t.port, t.base_path.as_str()), ("app.example.com", 443, "/scim/v2"));
        assert_eq!(parse_url("http://[::1]:9/x").expect("url").authority, "[::1]:9");
        assert_eq!(parse_url("http://bücher.example/").expect("url").host, "xn--bcher-kva.example");
    }

    #[test]
    fn retry_after_reads_seconds_and_falls_back_to_one() {
        assert_eq!(retry_after(b"3"), Duration::from_secs(3));
        assert_eq!(retry_after(b" 0 "), Duration::ZERO);
        assert_eq!(retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT"), Duration::from_secs(1));
    }

    #[test]
    fn scim_types_come_from_error_bodies() {
        assert_eq!(scim_type(br#"{"status":"409","scimType":"uniqueness"}"#).as_deref(), Some("uniqueness"));
        assert_eq!(scim_type(br#"{"status":"404"}"#), None);
        assert_eq!(scim_type(b"not json"), None);
    }
}
