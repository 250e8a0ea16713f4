//! The HTTP deviations (`--fault wrong-content-type`, `error-plain-text`, `no-scim-type`, `if-match-ignored`,
//! `auth-ignored`, `401-no-body`, `patch-501`, `delete-405`, ...): how the server bends RFC 7644 sections 2 (authentication),
//! 3.1 (media type), 3.12 (error bodies) and 3.14 (preconditions) for every endpoint at once, so that the harness
//! can show each check of those sections failing.
//!
//! Most act in the [`super::inject`] middleware, on the request before it is routed (`bend_request`) and on
//! every response, injected errors included (`bend_response`); `auth-ignored` and `no-www-authenticate` act in
//! the authentication layer; `compress-unasked` (RFC 9110 section 12.5.3) in the compression layer.

use super::{DeviationSet, Faults};
use crate::http::SCIM_JSON;
use crate::state::Shared;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use scimlab_protocol::ScimError;
use serde_json::{Map, Value};

family! {
    /// The deviations that bend every exchange alike: authentication, media types, error bodies, preconditions.
    pub enum Http {
        /// Responses are labelled text/plain.
        WrongContentType = "wrong-content-type": "SCIM JSON responses are labelled Content-Type: text/plain",
        /// Errors are plain text.
        ErrorPlainText = "error-plain-text": "errors are text/plain sentences, not SCIM Error resources",
        /// Errors lack scimType.
        NoScimType = "no-scim-type": "error bodies lack scimType",
        /// If-Match is ignored.
        IfMatchIgnored = "if-match-ignored": "If-Match is ignored: a stale version never gets 412",
        /// No authentication.
        AuthIgnored = "auth-ignored": "missing or wrong credentials are accepted (no 401)",
        /// 401 has no body.
        Unauthorized401NoBody = "401-no-body": "401 answers carry no body",
        /// If-Match never matches.
        IfMatchRefused = "if-match-refused": "If-Match never matches: PUT, PATCH and DELETE naming the current version get 412",
        /// No WWW-Authenticate.
        NoWwwAuthenticate = "no-www-authenticate": "401 answers carry no WWW-Authenticate header",
        /// Error status as a number.
        ErrorStatusNumber = "error-status-number": "the status of SCIM Error bodies is a JSON number (404), not a string (\"404\")",
        /// PATCH answers 501.
        Patch501 = "patch-501": "every PATCH is answered 501 Not Implemented while the ServiceProviderConfig announces patch.supported true",
        /// Compresses without being asked.
        CompressUnasked = "compress-unasked": "every response body is gzip-compressed, also when the request sends no Accept-Encoding or Accept-Encoding: identity",
        /// DELETE answers 405.
        Delete405 = "delete-405": "every DELETE is answered 405 Method Not Allowed: the server keeps what it is asked to delete",
    }
}

/// The deviations the [`super::inject`] middleware applies (`auth-ignored` and `no-www-authenticate` act in the
/// authentication layer instead, `compress-unasked` in [`crate::compress`]).
const IN_MIDDLEWARE: &[Http] = &[
    Http::WrongContentType,
    Http::ErrorPlainText,
    Http::NoScimType,
    Http::IfMatchIgnored,
    Http::IfMatchRefused,
    Http::Unauthorized401NoBody,
    Http::ErrorStatusNumber,
    Http::Patch501,
    Http::Delete405,
];

/// Whether any deviation of `on` needs the [`super::inject`] middleware.
pub(super) fn bends_in_middleware(on: &DeviationSet) -> bool {
    IN_MIDDLEWARE.iter().any(|&d| on.contains(d.into()))
}

/// The request as the deviations see it before it is routed: `patch-501` answers every PATCH with 501 (before
/// authentication, as a server without the method routes it nowhere); `if-match-ignored` removes `If-Match`, and
/// `if-match-refused` replaces it with a version that never matches. `Some` is the answer in place of routing.
pub(super) fn bend_request(f: &Faults, req: &mut Request) -> Option<Response> {
    if f.has(Http::Patch501) && req.method() == Method::PATCH {
        return Some(crate::http::error_response(&ScimError::new(
            501,
            "PATCH is not implemented by this server (scimlab --fault patch-501)",
        )));
    }
    // RFC 7644 section 3.6: a client deletes a resource with DELETE; this server refuses the method outright.
    if f.has(Http::Delete405) && req.method() == Method::DELETE {
        return Some(crate::http::error_response(&ScimError::new(
            405,
            "DELETE is not allowed on this server (scimlab --fault delete-405)",
        )));
    }
    if f.has(Http::IfMatchIgnored) {
        req.headers_mut().remove(header::IF_MATCH);
    }
    if f.has(Http::IfMatchRefused) && req.headers().contains_key(header::IF_MATCH) {
        req.headers_mut().insert(header::IF_MATCH, HeaderValue::from_static("\"scimlab-never-matches\""));
    }
    None
}

fn is_scim_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(SCIM_JSON))
}

fn text_plain() -> HeaderValue {
    HeaderValue::from_static("text/plain; charset=utf-8")
}

/// The response rewritten for `error-plain-text`, `no-scim-type`, `error-status-number`, `401-no-body` (SCIM
/// Error bodies) and `wrong-content-type` (every SCIM JSON response).
pub(super) async fn bend_response(f: &Faults, resp: Response) -> Response {
    let status = resp.status();
    let scim = is_scim_json(&resp);
    let error = status.is_client_error() || status.is_server_error();
    let no_body = status == StatusCode::UNAUTHORIZED && f.has(Http::Unauthorized401NoBody);
    let bend = f.has(Http::ErrorPlainText) || f.has(Http::NoScimType) || f.has(Http::ErrorStatusNumber);
    let resp = if error && scim && (no_body || bend) {
        let (mut parts, body) = resp.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
        let mut json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let body = if no_body {
            parts.headers.remove(header::CONTENT_TYPE);
            Body::empty()
        } else if f.has(Http::ErrorPlainText) {
            parts.headers.insert(header::CONTENT_TYPE, text_plain());
            let detail = json.get("detail").and_then(Value::as_str).unwrap_or("");
            let reason = status.canonical_reason().unwrap_or("error");
            Body::from(format!("{} {reason}: {detail}\n", status.as_u16()))
        } else {
            if let Some(o) = json.as_object_mut().filter(|_| f.has(Http::NoScimType)) {
                scimlab_protocol::json::remove_ci(o, "scimType");
            }
            if let Some(o) = json.as_object_mut() {
                bend_error_status(f, o);
            }
            Body::from(serde_json::to_vec(&json).unwrap_or_else(|_| bytes.to_vec()))
        };
        Response::from_parts(parts, body)
    } else {
        resp
    };
    if f.has(Http::WrongContentType) && is_scim_json(&resp) {
        let mut resp = resp;
        resp.headers_mut().insert(header::CONTENT_TYPE, text_plain());
        return resp;
    }
    resp
}

/// `error-status-number`: the `status` of a SCIM Error body as a JSON number (RFC 7644 section 3.12 makes it a
/// string). Applied by the fault middleware to every error body.
pub fn bend_error_status(f: &Faults, error: &mut Map<String, Value>) {
    if !f.has(Http::ErrorStatusNumber) {
        return;
    }
    if let Some(n) = error.get("status").and_then(Value::as_str).and_then(|s| s.trim().parse::<u64>().ok()) {
        error.insert("status".into(), Value::from(n));
    }
}

/// `auth-ignored`: whether requests are served whatever credentials they carry (RFC 7644 section 2 relies on
/// HTTP authentication).
pub fn auth_ignored(st: &Shared) -> bool {
    st.faults.has(Http::AuthIgnored)
}

/// `no-www-authenticate`: strips the challenge from a 401 (RFC 7644 section 2 says the server names its schemes
/// in WWW-Authenticate).
pub fn unchallenged(st: &Shared, mut resp: Response) -> Response {
    if st.faults.has(Http::NoWwwAuthenticate) {
        resp.headers_mut().remove(header::WWW_AUTHENTICATE);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Fault;

    #[test]
    fn only_the_middleware_deviations_switch_the_middleware_on() {
        let middleware = |d: Http| Faults::new(&[Fault::Deviation(d.into())]).middleware;
        assert!(middleware(Http::NoScimType) && middleware(Http::Patch501));
        assert!(!middleware(Http::AuthIgnored) && !middleware(Http::NoWwwAuthenticate));
    }
}
