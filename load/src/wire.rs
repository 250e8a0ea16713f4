//! The generator's HTTP client: one hyper HTTP/1.1 connection per worker, kept alive and driven in the worker's
//! own task, with the persona's headers prepared once. It is the cheapest client measured on this kind of machine (reference/DEPENDENCIES.md): no
//! pool, no lock, no per-request allocation beyond the request head and the response body.
//!
//! Only `http://` targets: TLS would need tokio-rustls, which the workspace does not carry (a TLS-terminating
//! proxy in front of an https server works).

use crate::LoadError;
use crate::persona::Headers;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

/// Where the SCIM server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The socket address the host resolved to.
    pub addr: SocketAddr,
    /// `host[:port]` as the URL gave it, for the Host header.
    pub authority: String,
    /// The base path (`/scim/v2`), without a trailing `/`.
    pub base_path: String,
    /// The URL as given, for reports (without credentials: userinfo is refused).
    pub url: String,
}

/// Splits `http://host[:port][/path]` into (authority, host, port, path).
pub fn parse_url(url: &str) -> Result<(String, String, u16, String), LoadError> {
    let bad = |why: &str| LoadError::Usage(format!("--url {url:?}: {why}"));
    let rest = if let Some(r) = url.strip_prefix("http://") {
        r
    } else if url.starts_with("https://") {
        return Err(bad("https is not supported by the load generator (its client has no TLS); \
             run it against an http:// listener or a TLS-terminating proxy"));
    } else {
        return Err(bad("expected http://host[:port]/base-path"));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(bad("there is no host"));
    }
    if authority.contains('@') {
        return Err(bad("credentials in the URL are not accepted; pass --token"));
    }
    if path.contains('?') || path.contains('#') {
        return Err(bad("the base URL cannot carry a query or fragment"));
    }
    let (host, port) = match authority.rsplit_once(':').filter(|(h, p)| !p.contains(']') && !h.is_empty()) {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("the port is not a number from 1 to 65535"))?),
        None => (authority, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((authority.to_owned(), host.to_owned(), port, path.trim_end_matches('/').to_owned()))
}

impl Endpoint {
    /// Parses `url` and resolves its host.
    pub async fn resolve(url: &str) -> Result<Endpoint, LoadError> {
        let (authority, host, port, base_path) = parse_url(url)?;
        let addr = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| LoadError::Unreachable(format!("cannot resolve {host}: {e}")))?
            .next()
            .ok_or_else(|| LoadError::Unreachable(format!("{host} resolves to no address")))?;
        Ok(Endpoint { addr, authority, base_path, url: url.trim_end_matches('/').to_owned() })
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

/// The headers every request of a run carries, ready to copy.
#[derive(Debug)]
pub struct Fixed {
    host: HeaderValue,
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
        Ok(Fixed {
            host: value(&endpoint.authority, "the host")?,
            others,
            content_type: HeaderValue::from_static(h.content_type),
        })
    }
}

/// The hyper connection future: the socket's reads and writes happen when it is polled.
type Driver = Pin<Box<Connection<TokioIo<tokio::net::TcpStream>, Full<Bytes>>>>;

/// One kept-alive connection. It connects on first use and again after a failure. The connection is driven
/// inside the worker's own task (polled beside the request), not spawned: a request costs no cross-task wake-up.
pub struct Conn {
    endpoint: Arc<Endpoint>,
    fixed: Arc<Fixed>,
    link: Option<(SendRequest<Full<Bytes>>, Driver)>,
    /// Connections opened so far (1 when keep-alive held throughout).
    pub connects: u64,
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
    /// A connection to `endpoint` sending `fixed` headers; nothing is opened yet.
    pub fn new(endpoint: Arc<Endpoint>, fixed: Arc<Fixed>) -> Conn {
        Conn { endpoint, fixed, link: None, connects: 0 }
    }

    /// Drops the connection (after a timeout left it mid-exchange); the next send opens another.
    pub fn reset(&mut self) {
        self.link = None;
    }

    async fn open(&mut self) -> Result<(SendRequest<Full<Bytes>>, Driver), String> {
        let tcp = tokio::net::TcpStream::connect(self.endpoint.addr)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.endpoint.addr))?;
        let _ = tcp.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| format!("HTTP handshake with {} failed: {e}", self.endpoint.addr))?;
        self.connects += 1;
        Ok((sender, Box::pin(conn)))
    }

    /// Sends `req` and reads the whole answer. A failure closes the connection (the next send opens another).
    pub async fn send(&mut self, req: &Req) -> Result<Reply, String> {
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
        if req.body.is_some() {
            h.insert(header::CONTENT_TYPE, self.fixed.content_type.clone());
        }
        let resp = drive(&mut driver, sender.send_request(r)).await?.map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get(header::RETRY_AFTER).map(|v| retry_after(v.as_bytes()));
        let body = drive(&mut driver, resp.into_body().collect())
            .await?
            .map_err(|e| format!("response body failed: {e}"))?
            .to_bytes();
        self.link = Some((sender, driver));
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
        let (a, h, p, b) = parse_url("http://127.0.0.1:8080/scim/v2/").expect("url");
        assert_eq!((a.as_str(), h.as_str(), p, b.as_str()), ("127.0.0.1:8080", "127.0.0.1", 8080, "/scim/v2"));
        let (_, h, p, b) = parse_url("http://scim.example").expect("url");
        assert_eq!((h.as_str(), p, b.as_str()), ("scim.example", 80, ""));
        let (_, h, p, _) = parse_url("http://[::1]:9/x").expect("url");
        assert_eq!((h.as_str(), p), ("::1", 9));
        assert!(parse_url("https://x/").expect_err("an error").to_string().contains("https is not supported"));
        assert!(parse_url("http://u:p@x/").expect_err("an error").to_string().contains("--token"));
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://x:99999/").is_err());
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
