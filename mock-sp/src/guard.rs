//! The HTTP layer's own answers as SCIM Errors (RFC 7644 section 3.12: every error a SCIM service answers carries
//! a SCIM Error body with the status repeated in it).
//!
//! [`bounds`] refuses a request target longer than `max_uri_bytes` (414) and a head with more header bytes or
//! lines than allowed (431) before any handler runs. [`scim_errors`] turns whatever the framework answers on its
//! own (an extractor's plain-text rejection, a 405, a body-limit 413) into a SCIM Error with the same status and
//! the framework's message as detail. What hyper answers before the request reaches the router (a malformed
//! request line, a head larger than its buffer) stays a bare status: see [`crate::serve`].

use crate::http::{SCIM_JSON, error_response};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use scimlab_protocol::ScimError;

/// 414 and 431 with SCIM bodies for requests beyond the configured bounds.
pub async fn bounds(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let config = &st.shared().config;
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > config.max_uri_bytes {
        return error_response(&ScimError::new(
            414,
            format!(
                "the request target is {target} bytes long; this server accepts at most {} (send long filters \
                 with POST .search, RFC 7644 section 3.4.3)",
                config.max_uri_bytes
            ),
        ));
    }
    let lines = req.headers().len();
    let bytes: usize = req.headers().iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
    if lines > config.max_headers || bytes > config.max_header_bytes {
        return error_response(&ScimError::new(
            431,
            format!(
                "the request has {lines} header lines of {bytes} bytes; this server accepts at most {} lines and \
                 {} bytes",
                config.max_headers, config.max_header_bytes
            ),
        ));
    }
    next.run(req).await
}

/// Rewrites an error response that is not already a SCIM (or JSON) body into a SCIM Error with the same status
/// and headers, its text as the detail.
pub async fn scim_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(SCIM_JSON) || ct.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json || status.as_u16() == 401 {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let text = text.trim();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let detail = if text.is_empty() { reason } else { format!("{reason}: {text}") };
    let mut out = error_response(&ScimError::new(status.as_u16(), detail));
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
