//! The evidence record both sides of scimlab keep: one HTTP request, its response (or the error that prevented
//! one), and how long it took.
//!
//! An [`Exchange`] serialises to stable camelCase JSON (the mock SP stores it, the harness attaches it to
//! verdicts, reports render it). Before an exchange leaves the process it is [`Exchange::redact`]ed: credentials
//! in headers and in the URL are replaced by `[redacted]`, keeping the authentication scheme (`Bearer
//! [redacted]`) because which scheme a client used is itself evidence. [`Exchange::curl`] renders the request as
//! a shell command that replays it, with `$SCIM_TOKEN` where the credential goes, so the real one is never
//! printed. Bodies are kept as they are: SCIM bodies are the evidence, and the only secret they may hold is a
//! test user's `password`, which the harness makes up.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;

/// What a redacted credential is replaced with.
pub const REDACTED: &str = "[redacted]";

/// One HTTP request and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// Sequence number, unique within a recording.
    pub id: u64,
    /// When the request started, serialised as RFC 3339 text.
    #[serde(with = "rfc3339")]
    pub started_at: Timestamp,
    /// The request as sent.
    pub request: HttpRequest,
    /// The response, unless the exchange failed before one arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponse>,
    /// How long it took.
    pub timings: Timings,
    /// The peer's address (the client, for a server's recording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// What went wrong at the transport level (connection refused, timeout...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Headers in the order sent, names as sent.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers in the order received.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// How long an exchange took, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// From the start of the request to the end of the response.
    pub total_us: u64,
    /// To the first byte of the response, where it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttfb_us: Option<u64>,
}

mod rfc3339 {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn body_json(body: &Option<String>) -> Option<Value> {
    body.as_deref().and_then(|b| serde_json::from_str(b).ok())
}

impl HttpRequest {
    /// The first header called `name` (case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        body_json(&self.body)
    }
}

impl HttpResponse {
    /// The first header called `name` (case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        body_json(&self.body)
    }
}

/// Whether a header carries a credential: `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`,
/// `X-Api-Key`, and any header whose name contains `token`, `secret`, `password`, `api-key` or `apikey`.
pub fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key")
        || ["token", "secret", "password", "api-key", "apikey", "api_key"].iter().any(|w| n.contains(w))
}

/// Authentication schemes worth keeping when they open the value of a credential header other than
/// `Authorization` (where the first word is the scheme by definition, RFC 9110 section 11.4).
const KNOWN_SCHEMES: [&str; 9] = ["Bearer", "Basic", "Digest", "Token", "Negotiate", "SSWS", "ApiKey", "NTLM", "DPoP"];

/// The scheme word to keep from a credential header's value, if any.
fn scheme_of<'v>(name: &str, value: &'v str) -> Option<&'v str> {
    let (first, rest) = value.trim().split_once(char::is_whitespace)?;
    if rest.trim().is_empty() || first.is_empty() || first.len() > 32 {
        return None;
    }
    let token = first.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let authz = name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization");
    (token && (authz || KNOWN_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(first)))).then_some(first)
}

/// A credential header's value with the credential replaced: `Bearer [redacted]`, or `[redacted]`.
fn redact_value(name: &str, value: &str) -> String {
    match scheme_of(name, value) {
        Some(scheme) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_owned(),
    }
}

fn redact_headers(headers: &mut [(String, String)]) {
    for (name, value) in headers.iter_mut() {
        if is_credential_header(name) {
            *value = redact_value(name, value);
        }
    }
}

/// Query parameter names (lowercased) that carry credentials.
fn is_credential_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["token", "secret", "password", "apikey", "api_key", "api-key"].iter().any(|w| n.contains(w))
}

/// `url` with the password of its user info and the values of credential query parameters redacted (for
/// messages that must name a URL a user gave).
pub fn redact_url(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (before_query, query) = match base.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (base, None),
    };
    let mut out = String::with_capacity(url.len());
    // scheme://user:password@host/...: the user info ends at the first '@' before the path.
    match before_query.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            out.push_str(scheme);
            out.push_str("://");
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    match userinfo.split_once(':') {
                        Some((user, _)) => {
                            let _ = write!(out, "{user}:{REDACTED}");
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push('@');
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(before_query),
    }
    if let Some(q) = query {
        out.push('?');
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_credential_param(k) => format!("{k}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Quotes `s` as one word for a POSIX shell, with the `shlex` crate: as is when no shell treats any of its
/// characters specially, otherwise in single or double quotes. A shell word cannot hold a NUL byte, so NULs (which
/// curl could not send from its command line either) are left out.
pub fn shell_quote(s: &str) -> String {
    let without_nul;
    let s = if s.contains('\0') {
        without_nul = s.replace('\0', "");
        &without_nul
    } else {
        s
    };
    // NUL is the one input shlex refuses, and there is none left.
    shlex::try_quote(s).map(std::borrow::Cow::into_owned).unwrap_or_default()
}

/// Headers curl computes itself, left out of [`Exchange::curl`].
const CURL_SKIPS: [&str; 4] = ["host", "content-length", "connection", "transfer-encoding"];

/// Whether a request's `Accept-Encoding` value allows a coding other than identity (RFC 9110 section 12.5.3),
/// so that the server may compress: its curl reproducer then adds `--compressed`, which decodes the answer while
/// sending the recorded header as it was.
pub fn asks_for_coding(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|element| {
        let mut parts = element.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f64>().is_ok_and(|q| q <= 0.0)
            })
        });
        !coding.is_empty() && !coding.eq_ignore_ascii_case("identity") && !refused
    })
}

impl Exchange {
    /// Replaces credentials with [`REDACTED`]: the values of credential headers ([`is_credential_header`]) in the
    /// request and the response, keeping the scheme word of an `Authorization` value (`Bearer [redacted]`); the
    /// password in the URL's user info; and the values of query parameters named like a credential (`token`,
    /// `secret`, `password`, `apikey`). Redacting twice changes nothing more.
    pub fn redact(&mut self) {
        redact_headers(&mut self.request.headers);
        if let Some(r) = &mut self.response {
            redact_headers(&mut r.headers);
        }
        self.request.url = redact_url(&self.request.url);
    }

    /// The request as a curl command, one option per line. Credential headers carry `$SCIM_TOKEN` in place of
    /// the credential (after the scheme word, if any), in double quotes so the shell expands it; everything else
    /// is quoted by [`shell_quote`], so the shell expands nothing in it. `--globoff` stops curl from reading the brackets of a SCIM value filter as a URL pattern.
    /// Headers curl sets itself (`Host`, `Content-Length`...) are left out. A recorded `Accept-Encoding` that
    /// allows compression is sent as it was, with `--compressed` so that curl decodes the answer.
    pub fn curl(&self) -> String {
        let req = &self.request;
        let mut parts: Vec<String> = vec!["curl --globoff".to_owned()];
        if !req.method.eq_ignore_ascii_case("GET") || req.body.is_some() {
            parts.push(format!("-X {}", shell_quote(&req.method)));
        }
        parts.push(shell_quote(&req.url));
        for (name, value) in &req.headers {
            if CURL_SKIPS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            if is_credential_header(name) {
                let prefix = match scheme_of(name, value) {
                    Some(scheme) => format!("{name}: {scheme} "),
                    None => format!("{name}: "),
                };
                parts.push(format!("-H {}\"$SCIM_TOKEN\"", shell_quote(&prefix)));
            } else {
                parts.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
            }
        }
        let compressed =
            req.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("accept-encoding") && asks_for_coding(v));
        if compressed {
            parts.push("--compressed".to_owned());
        }
        if let Some(body) = &req.body {
            parts.push(format!("--data-binary {}", shell_quote(body)));
        }
        parts.join(" \\\n  ")
    }
}

/// The credential values a client is using, so that they can be replaced wherever they turn up: in headers of
/// any name, in URLs and in bodies, of requests and of responses alike. A server under test may echo the
/// `Authorization` header into a body or another header; name-based redaction ([`Exchange::redact`]) cannot see
/// that, this can. Each value is also matched in its percent-encoded and JSON-escaped forms.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} redacted)", self.values.len())
    }
}

/// Values shorter than this are not treated as secrets: replacing every `ab` in the evidence would destroy it,
/// and no credential that short is worth protecting.
const MIN_SECRET_LEN: usize = 3;

impl Secrets {
    /// No secrets.
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Adds a credential value (a token, a password, a header value, the base64 of `user:pass`).
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() < MIN_SECRET_LEN {
            return;
        }
        let mut forms = vec![value.to_owned(), crate::uri::percent_encode(value)];
        let escaped = serde_json::to_string(value).unwrap_or_default();
        forms.push(escaped.trim_matches('"').to_owned());
        for f in forms {
            if !self.values.contains(&f) {
                self.values.push(f);
            }
        }
        // Longest first, so that a value containing another is replaced whole.
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Secrets) {
        for v in &other.values {
            if !self.values.contains(v) {
                self.values.push(v.clone());
            }
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Whether there is nothing to replace.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        self.scrub_in_place(&mut out);
        out
    }

    /// Replaces every secret in `text` by [`REDACTED`].
    pub fn scrub_in_place(&self, text: &mut String) {
        for v in &self.values {
            if text.contains(v.as_str()) {
                *text = text.replace(v.as_str(), REDACTED);
            }
        }
    }

    /// `bytes` with every secret replaced (bytes that are not UTF-8 are searched as they are).
    pub fn scrub_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        if self.values.is_empty() {
            return bytes;
        }
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                self.scrub_in_place(&mut text);
                text.into_bytes()
            }
            Err(e) => {
                let mut bytes = e.into_bytes();
                for v in &self.values {
                    bytes = replace_bytes(&bytes, v.as_bytes(), REDACTED.as_bytes());
                }
                bytes
            }
        }
    }
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Cuts `body` to at most `max` bytes (on a character boundary) and says how much there was, so evidence stays
/// bounded whatever a server sends. Returns whether it cut.
pub fn limit_body(body: &mut String, max: usize) -> bool {
    if body.len() <= max {
        return false;
    }
    let total = body.len();
    let mut cut = max;
    while cut > 0 && !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body.truncate(cut);
    body.push_str(&truncation_note(cut, total));
    true
}

/// What a cut body ends with: how much of how much was kept.
pub fn truncation_note(kept: usize, total: usize) -> String {
    format!("\n... [scimlab kept the first {kept} of {total} bytes of this body]")
}

impl Exchange {
    /// Replaces every value of `secrets` wherever it appears: the URL, every header value, both bodies and the
    /// transport error.
    pub fn scrub(&mut self, secrets: &Secrets) {
        if secrets.is_empty() {
            return;
        }
        secrets.scrub_in_place(&mut self.request.url);
        for (_, v) in &mut self.request.headers {
            secrets.scrub_in_place(v);
        }
        if let Some(b) = &mut self.request.body {
            secrets.scrub_in_place(b);
        }
        if let Some(r) = &mut self.response {
            for (_, v) in &mut r.headers {
                secrets.scrub_in_place(v);
            }
            if let Some(b) = &mut r.body {
                secrets.scrub_in_place(b);
            }
        }
        if let Some(e) = &mut self.error {
            secrets.scrub_in_place(e);
        }
    }

    /// Keeps at most `max` bytes of each body ([`limit_body`]).
    pub fn limit_bodies(&mut self, max: usize) {
        if let Some(b) = &mut self.request.body {
            limit_body(b, max);
        }
        if let Some(b) = self.response.as_mut().and_then(|r| r.body.as_mut()) {
            limit_body(b, max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_kept_only_where_they_are_schemes() {
        assert_eq!(redact_value("Authorization", "Bearer abc.def"), "Bearer [redacted]");
        assert_eq!(redact_value("Authorization", "Basic dXNlcjpwYXNz"), "Basic [redacted]");
        assert_eq!(redact_value("Authorization", "abc"), "[redacted]");
        assert_eq!(redact_value("X-Api-Key", "abc def"), "[redacted]");
        assert_eq!(redact_value("X-Okta-Token", "SSWS 00abc"), "SSWS [redacted]");
        assert_eq!(redact_value("Cookie", "session=abc; theme=dark"), "[redacted]");
    }

    #[test]
    fn urls_lose_passwords_and_credential_parameters() {
        assert_eq!(
            redact_url("https://u:p@h.example/scim/Users?filter=x&access_token=abc#f"),
            "https://u:[redacted]@h.example/scim/Users?filter=x&access_token=[redacted]#f"
        );
        assert_eq!(
            redact_url("https://h/Users?filter=userName%20eq%20%22a%22"),
            "https://h/Users?filter=userName%20eq%20%22a%22"
        );
        assert_eq!(redact_url("/Users?apiKey=1"), "/Users?apiKey=[redacted]");
    }

    #[test]
    fn secrets_are_replaced_wherever_they_appear() {
        let mut secrets = Secrets::new();
        secrets.add("s3cr3t-t0ken");
        secrets.add("p@ss word");
        secrets.add("ab");
        let mut x = sample();
        x.request.url.push_str("&t=p%40ss%20word");
        x.response = Some(HttpResponse {
            status: 200,
            headers: vec![("X-Debug".into(), "Bearer s3cr3t-t0ken".into())],
            body: Some(r#"{"echo":"Bearer s3cr3t-t0ken","ab":"ab"}"#.into()),
        });
        x.scrub(&secrets);
        let text = serde_json::to_string(&x).expect("json");
        assert!(!text.contains("s3cr3t-t0ken") && !text.contains("p%40ss%20word"), "{text}");
        assert!(text.contains(r#"\"ab\":\"ab\""#), "short values are not secrets: {text}");
        assert_eq!(secrets.scrub_bytes(b"x s3cr3t-t0ken \xff".to_vec()), b"x [redacted] \xff".to_vec());
        assert!(!format!("{secrets:?}").contains("s3cr3t"));
    }

    #[test]
    fn bodies_are_cut_on_a_character_boundary() {
        let mut body = "aé".repeat(10);
        assert!(limit_body(&mut body, 4));
        assert!(body.starts_with("a\u{e9}a\n"), "{body}");
        assert!(body.ends_with("[scimlab kept the first 4 of 30 bytes of this body]"));
        let mut short = "abc".to_owned();
        assert!(!limit_body(&mut short, 4));
        assert_eq!(short, "abc");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("https://h/Users"), "https://h/Users");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        // Each quoted word reads back, through a POSIX shell's word splitting, as exactly the text it quotes.
        for text in [
            "it's",
            "a b",
            "$HOME `id` $(id)",
            "{\"a\":\"O'Brien\", \"b\": \"\\\"\"}",
            "emails[type eq \"work\"]",
            "line\nbreak\ttab",
            "!history ~tilde *glob ?x #hash;semi|pipe&amp<>",
            "caf\u{e9} \u{1b}[31m",
        ] {
            assert_eq!(shlex::split(&shell_quote(text)), Some(vec![text.to_owned()]), "{text}");
        }
        assert_eq!(shell_quote("a\0b c"), shell_quote("ab c"));
    }

    fn sample() -> Exchange {
        Exchange {
            id: 7,
            started_at: "2024-05-01T12:00:00.5Z".parse().expect("timestamp"),
            request: HttpRequest {
                method: "PATCH".into(),
                url: "https://scim.example.com/v2/Users/1?filter=emails[type eq \"work\"]".into(),
                headers: vec![
                    ("Host".into(), "scim.example.com".into()),
                    ("Authorization".into(), "Bearer s3cr3t-t0ken".into()),
                    ("Content-Type".into(), "application/scim+json".into()),
                    ("X-Refresh-Token".into(), "r3fr3sh".into()),
                    ("Cookie".into(), "sid=abc".into()),
                ],
                body: Some(r#"{"Operations":[{"op":"replace","value":{"displayName":"O'Brien"}}]}"#.into()),
            },
            response: Some(HttpResponse {
                status: 200,
                headers: vec![("Set-Cookie".into(), "sid=def; HttpOnly".into()), ("ETag".into(), "W/\"2\"".into())],
                body: None,
            }),
            timings: Timings { total_us: 1500, ttfb_us: Some(1200) },
            client: Some("127.0.0.1:50000".into()),
            error: None,
        }
    }

    #[test]
    fn redaction_covers_request_and_response_and_is_idempotent() {
        let mut x = sample();
        x.redact();
        assert_eq!(x.request.header("authorization"), Some("Bearer [redacted]"));
        assert_eq!(x.request.header("x-refresh-token"), Some("[redacted]"));
        assert_eq!(x.request.header("cookie"), Some("[redacted]"));
        assert_eq!(x.request.header("content-type"), Some("application/scim+json"));
        let resp = x.response.as_ref().expect("response");
        assert_eq!(resp.header("set-cookie"), Some("[redacted]"));
        assert_eq!(resp.header("etag"), Some("W/\"2\""));
        let once = x.clone();
        x.redact();
        assert_eq!(x, once);
        let json = serde_json::to_string(&x).expect("serialises");
        for secret in ["s3cr3t", "r3fr3sh", "sid=abc", "sid=def"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
    }

    #[test]
    fn curl_replays_the_request_without_the_credential() {
        let x = sample();
        let expected = [
            "curl --globoff",
            "-X PATCH",
            "'https://scim.example.com/v2/Users/1?filter=emails[type eq \"work\"]'",
            "-H 'Authorization: Bearer '\"$SCIM_TOKEN\"",
            "-H 'Content-Type: application/scim+json'",
            "-H 'X-Refresh-Token: '\"$SCIM_TOKEN\"",
            "-H 'Cookie: '\"$SCIM_TOKEN\"",
            // A body holding `'` goes in double quotes, its `"` escaped: shlex's choice.
            r#"--data-binary "{\"Operations\":[{\"op\":\"replace\",\"value\":{\"displayName\":\"O'Brien\"}}]}""#,
        ]
        .join(" \\\n  ");
        assert_eq!(x.curl(), expected);
        assert!(!x.curl().contains("s3cr3t"));
        let mut redacted = x.clone();
        redacted.redact();
        assert_eq!(redacted.curl(), expected);
        let get = Exchange {
            request: HttpRequest { method: "GET".into(), url: "https://h/Users".into(), headers: vec![], body: None },
            ..x
        };
        assert_eq!(get.curl(), "curl --globoff \\\n  https://h/Users");
    }

    #[test]
    fn a_recorded_accept_encoding_is_replayed_and_decoded_when_it_allows_compression() {
        let with = |value: &str| Exchange {
            request: HttpRequest {
                method: "GET".into(),
                url: "https://h/Users".into(),
                headers: vec![("Accept-Encoding".into(), value.into())],
                body: None,
            },
            ..sample()
        };
        assert_eq!(
            with("gzip,deflate").curl(),
            "curl --globoff \\\n  https://h/Users \\\n  -H 'Accept-Encoding: gzip,deflate' \\\n  --compressed"
        );
        assert_eq!(
            with("identity").curl(),
            "curl --globoff \\\n  https://h/Users \\\n  -H 'Accept-Encoding: identity'"
        );
        assert!(asks_for_coding("gzip;q=0.5, identity") && asks_for_coding("*"));
        assert!(!asks_for_coding("identity") && !asks_for_coding("gzip;q=0, identity;q=1") && !asks_for_coding(""));
    }

    #[test]
    fn serde_uses_stable_camel_case_names() {
        let x = sample();
        let v = serde_json::to_value(&x).expect("serialises");
        assert_eq!(v["startedAt"], "2024-05-01T12:00:00.5Z");
        assert_eq!(v["timings"], serde_json::json!({"totalUs": 1500, "ttfbUs": 1200}));
        assert_eq!(v["request"]["headers"][0], serde_json::json!(["Host", "scim.example.com"]));
        assert!(v.get("error").is_none());
        let back: Exchange = serde_json::from_value(v).expect("deserialises");
        assert_eq!(back, x);
        let bad = serde_json::json!({"id": 1, "startedAt": "yesterday", "request": {"method": "GET", "url": "/"},
            "timings": {"totalUs": 1}});
        assert!(serde_json::from_value::<Exchange>(bad).is_err());
    }
}
