//! The control API: what `scimlab recordings` reads from a running mock SP, mounted at `/_scimlab/` beside the
//! SCIM API.
//!
//! It asks for the same credentials as the SCIM API (a recording holds what clients sent), answers JSON, and is
//! not itself recorded: reading the recordings must not add to them. Two routes, paged alike:
//!
//! `GET /_scimlab/recordings?after=N&limit=M` returns `{"recordings": [{"seq": n, "exchange": {...}}, ...]}`:
//! the recorded exchanges with sequence numbers above `N` (default 0), oldest first, at most `M` of them
//! (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]). Each exchange's `id` is its sequence number. A client
//! pages by passing the last `seq` it got as the next `after`, until a page comes back shorter than `limit`.
//!
//! `GET /_scimlab/audit?after=N&limit=M` returns `{"audit": [entry, ...]}`: the audit trail's entries
//! ([`crate::audit::AuditEntry`], each with its `seq`) above `N`, the same way.

use crate::audit::AuditEntry;
use crate::http::{error_response, method_not_allowed, query_pairs};
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use scimlab_protocol::ScimError;
use scimlab_protocol::exchange::Exchange;
use serde::Serialize;

/// Where the control API is mounted.
pub const PREFIX: &str = "/_scimlab";

/// Recordings per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 1000;

/// The largest page served; a larger `limit` is lowered to it.
pub const MAX_LIMIT: usize = 10_000;

/// The control routes, authenticated like the SCIM API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(&format!("{PREFIX}/recordings"), any(recordings))
        .route(&format!("{PREFIX}/audit"), any(audit))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
}

async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match st.shared().auth.check(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(resp) => *resp,
    }
}

#[derive(Serialize)]
struct Page {
    recordings: Vec<Item>,
}

#[derive(Serialize)]
struct Item {
    seq: u64,
    exchange: Exchange,
}

#[derive(Serialize)]
struct AuditPage {
    audit: Vec<AuditEntry>,
}

/// `GET /_scimlab/audit?after=N&limit=M`.
async fn audit(State(st): State<AppState>, req: Request) -> Response {
    page(&req, |after, limit| {
        let audit = st.shared().store.audit(after, limit)?;
        serde_json::to_vec(&AuditPage { audit })
            .map_err(|e| ScimError::new(500, format!("could not serialise the audit trail: {e}")))
    })
}

/// `GET /_scimlab/recordings?after=N&limit=M`.
async fn recordings(State(st): State<AppState>, req: Request) -> Response {
    page(&req, |after, limit| {
        let found = st.shared().store.recordings(after, limit)?;
        let recordings = found
            .into_iter()
            .map(|(seq, mut exchange)| {
                exchange.id = seq;
                Item { seq, exchange }
            })
            .collect();
        serde_json::to_vec(&Page { recordings })
            .map_err(|e| ScimError::new(500, format!("could not serialise the recordings: {e}")))
    })
}

/// A GET of one page: `after` and `limit` read from the query (`limit` lowered to [`MAX_LIMIT`]), `read` makes
/// the JSON body.
fn page(req: &Request, read: impl FnOnce(u64, usize) -> Result<Vec<u8>, ScimError>) -> Response {
    if req.method() != Method::GET {
        return method_not_allowed("GET");
    }
    let pairs = query_pairs(req.uri().query());
    let result = (|| {
        let after = number(&pairs, "after")?.unwrap_or(0);
        let limit = number(&pairs, "limit")?.map_or(DEFAULT_LIMIT, |n| usize::try_from(n).unwrap_or(MAX_LIMIT));
        read(after, limit.min(MAX_LIMIT))
    })();
    match result {
        Ok(bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            *resp.status_mut() = StatusCode::OK;
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Err(e) => error_response(&e),
    }
}

/// The query parameter `name` as a non-negative integer; 400 naming it when it is something else.
fn number(pairs: &[(String, String)], name: &str) -> Result<Option<u64>, ScimError> {
    match pairs.iter().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            ScimError::new(400, format!("query parameter {name} must be a non-negative integer, got {v:?}"))
        }),
    }
}
