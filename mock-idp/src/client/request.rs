//! What a request is before it is sent ([`ScimRequest`]), the credential it carries ([`Credential`]), what comes
//! back ([`ScimResponse`]), and the RFC 3986 query encoding.

use scimlab_protocol::exchange::Exchange;
use serde_json::Value;

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
    /// `Authorization: Bearer TOKEN` with a token obtained and renewed by a [`TokenSource`](super::TokenSource)
    /// (OAuth client credentials, an Entra JWT).
    Fetched(super::TokenSource),
}

impl std::fmt::Debug for Credential {
    // A credential must never reach a log, even through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::None => f.write_str("None"),
            Credential::Bearer(_) => f.write_str("Bearer([redacted])"),
            Credential::Basic { user, .. } => write!(f, "Basic({user}:[redacted])"),
            Credential::Header { name, .. } => write!(f, "Header({name}: [redacted])"),
            Credential::Fetched(source) => write!(f, "Fetched({})", source.describe()),
        }
    }
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

/// Percent-encodes everything but RFC 3986 unreserved characters ([`scimlab_protocol::uri`]).
pub fn percent_encode_into(out: &mut String, s: &str) {
    out.extend(percent_encoding::utf8_percent_encode(s, scimlab_protocol::uri::NOT_UNRESERVED));
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
}
