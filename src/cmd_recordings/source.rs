//! Where `scimlab recordings` reads from: a SQLite data file written by `scimlab serve --data FILE`, or the
//! control API (`/_scimlab/recordings`) of a running `scimlab serve`.
//!
//! The control API is reached with one plain HTTP/1.1 GET per page over a `TcpStream` (`Connection: close`): the
//! server is a local `scimlab serve`, so no TLS, no proxy and no connection reuse are needed, and the binary
//! carries no HTTP client for it. Every failure is a usage error naming the file or URL and what went wrong.

use crate::exit::Failure;
use anyhow::anyhow;
use scimlab_mock_sp::store::{SqliteStore, Store};
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Recordings fetched per page.
const PAGE: usize = 1000;

/// How long to wait for the server to accept a connection, and then for each read.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A place recordings are read from.
pub enum Source {
    /// A SQLite data file.
    Data(SqliteStore, PathBuf),
    /// A running server's control API.
    Server(Server),
}

/// A running `scimlab serve`, by address.
pub struct Server {
    /// `host:port`, for the socket and the Host header.
    authority: String,
    /// The URL as given, for messages.
    url: String,
    /// The Authorization header value, if any.
    authorization: Option<String>,
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

    /// A running server at `url` (`http://host:port`; any path is ignored, the control API sits at the root),
    /// with the Authorization header value to send.
    pub fn server(url: &str, authorization: Option<String>) -> Result<Source, Failure> {
        let usage = |why: &str| Failure::Usage(anyhow!("--server {url}: {why}"));
        let rest = if url.len() > 7 && url[..7].eq_ignore_ascii_case("http://") {
            &url[7..]
        } else if url.len() > 8 && url[..8].eq_ignore_ascii_case("https://") {
            return Err(usage("https is not supported; give the http:// address of a local scimlab serve"));
        } else {
            return Err(usage("expected an http:// URL such as http://127.0.0.1:8080"));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() || authority.contains('@') {
            return Err(usage("expected host:port after http://, without user information"));
        }
        let authority =
            if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) && !authority.ends_with(']') {
                authority.to_owned()
            } else {
                format!("{authority}:80")
            };
        Ok(Source::Server(Server { authority, url: url.to_owned(), authorization }))
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
    fn page(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, Failure> {
        let path = format!("/_scimlab/recordings?after={after}&limit={limit}");
        let (status, body) = self.get(&path)?;
        let fail = |why: String| Failure::Usage(anyhow!("server {}: {why}", self.url));
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
        let items = v
            .get("recordings")
            .and_then(Value::as_array)
            .ok_or_else(|| fail(format!("GET {path} answered JSON without a recordings array")))?;
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

    /// One GET; returns the status and the (de-chunked) body.
    fn get(&self, path: &str) -> Result<(u16, Vec<u8>), Failure> {
        let unreachable = |e: std::io::Error| Failure::Usage(anyhow!("cannot reach server {}: {e}", self.url));
        let addr =
            self.authority.to_socket_addrs().map_err(unreachable)?.next().ok_or_else(|| {
                Failure::Usage(anyhow!("cannot reach server {}: the name resolves to nothing", self.url))
            })?;
        let mut stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(unreachable)?;
        stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(unreachable)?;
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nUser-Agent: scimlab/{}\r\n\
             Connection: close\r\n",
            self.authority,
            env!("CARGO_PKG_VERSION")
        );
        if let Some(a) = &self.authorization {
            request.push_str(&format!("Authorization: {a}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).map_err(unreachable)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(unreachable)?;
        parse_response(&raw).map_err(|why| Failure::Usage(anyhow!("server {}: {why}", self.url)))
    }
}

/// Splits an HTTP/1.1 response read to the end of the connection into its status and body, undoing chunked
/// transfer coding and honouring Content-Length.
pub fn parse_response(raw: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("the response ended before its headers did")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP response: {status_line:?}"))?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("transfer-encoding") && value.to_ascii_lowercase().contains("chunked") {
            chunked = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        }
    }
    let body = &raw[end + 4..];
    if chunked {
        return dechunk(body).map(|b| (status, b));
    }
    match length {
        Some(n) if body.len() < n => Err(format!("the body ended after {} of {n} bytes", body.len())),
        Some(n) => Ok((status, body[..n].to_vec())),
        None => Ok((status, body.to_vec())),
    }
}

/// RFC 9112 section 7.1: a chunked body is hex sizes, each followed by that many bytes, ending at size 0.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let eol = body.windows(2).position(|w| w == b"\r\n").ok_or("a chunk size line is not terminated")?;
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {size_text:?}"))?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("the body ended inside a chunk".to_owned());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_with_length_chunks_or_neither() {
        let fixed = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_response(fixed), Ok((200, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked), Ok((401, b"abcde".to_vec())));
        let open = b"HTTP/1.0 500 Oops\r\n\r\nbody";
        assert_eq!(parse_response(open), Ok((500, b"body".to_vec())));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab").is_err());
        assert!(parse_response(b"garbage").is_err());
    }

    #[test]
    fn server_urls_need_http_and_get_a_default_port() {
        let Ok(Source::Server(s)) = Source::server("http://127.0.0.1:8080/scim/v2", None) else { panic!("parses") };
        assert_eq!(s.authority, "127.0.0.1:8080");
        let Ok(Source::Server(s)) = Source::server("http://localhost", None) else { panic!("parses") };
        assert_eq!(s.authority, "localhost:80");
        let Ok(Source::Server(s)) = Source::server("http://[::1]:9000", None) else { panic!("parses") };
        assert_eq!(s.authority, "[::1]:9000");
        assert!(Source::server("https://127.0.0.1:8080", None).is_err());
        assert!(Source::server("127.0.0.1:8080", None).is_err());
    }
}
