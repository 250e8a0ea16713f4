//! scimlab-mock-sp: a complete RFC 7644 service provider that records and judges what SCIM clients send.
//!
//! `scimlab serve` runs it for IdP and connector developers, and `scimlab test` certifies it when no `--url` is
//! given. [`router`] builds the axum application over an [`AppState`], so tests drive it in-process. It imports
//! `scimlab-protocol` and never `scimlab-mock-idp` or `scimlab-harness`: the two sides of the wire meet only over
//! HTTP.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod compress;
pub mod config;
pub mod control;
pub mod dice;
pub mod discovery;
pub mod faults;
pub mod guard;
pub mod http;
pub mod jwt;
pub mod list;
pub mod oauth;
pub mod prefilter;
pub mod recorder;
pub mod render;
pub mod resources;
pub mod serve;
pub mod state;
pub mod store;
pub mod tls;
pub mod verify;

pub use config::{Auth, ServerConfig};
pub use state::AppState;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use scimlab_protocol::ScimError;

/// The SCIM application, mounted under `config.base_path` (`/scim/v2` by default).
pub fn router(state: AppState) -> Router {
    let base = state.shared().config.base_path.clone();
    let outer = state.clone();
    let api = Router::new()
        .route("/ServiceProviderConfig", any(discovery::spc))
        .route("/ResourceTypes", any(discovery::resource_types))
        .route("/ResourceTypes/{name}", any(discovery::resource_type))
        .route("/Schemas", any(discovery::schemas))
        .route("/Schemas/{urn}", any(discovery::schema))
        .route("/.search", any(list::search_root))
        .route("/Bulk", any(bulk::bulk))
        .route("/Me", any(me))
        .route("/{endpoint}", any(resources::collection))
        .route("/{endpoint}/.search", any(list::search_endpoint))
        .route("/{endpoint}/{id}", any(resources::item))
        .fallback(not_found)
        .layer(middleware::from_fn(guard::scim_errors))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), faults::inject))
        .with_state(state);
    // The recorder goes on last, outside authentication; the control API is merged after it, so not recorded.
    // Compression sits inside the recorder, which records the Content-Encoding sent and the body before it.
    let scim = Router::new()
        .nest(&base, api)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(outer.clone(), compress::compress));
    let app = recorder::wrap(scim, &outer).layer(middleware::from_fn_with_state(outer.clone(), faults::transport));
    // The bounds go outermost: a request beyond them reaches nothing else, and is not recorded.
    // The token endpoint, like the control API, is neither authenticated by the SCIM credential nor recorded.
    let app = match outer.shared().config.oauth {
        Some(_) => app.merge(oauth::router(outer.clone())),
        None => app,
    };
    app.merge(control::router(outer.clone())).layer(middleware::from_fn_with_state(outer, guard::bounds))
}

/// Every request must carry the configured credential (RFC 7644 section 2); 401 with a SCIM Error otherwise.
async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if faults::http::auth_ignored(st.shared()) {
        return next.run(req).await;
    }
    match st.shared().auth.check(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(resp) => faults::http::unchallenged(st.shared(), *resp),
    }
}

/// RFC 7644 section 3.11: `/Me` aliases the authenticated subject's own resource. A token or Basic credential
/// here maps to no User, so the server answers 501 as the RFC allows.
async fn me() -> Response {
    http::error_response(&ScimError::new(
        501,
        "/Me is not implemented: the authenticated client is not mapped to a User resource",
    ))
}

async fn not_found(req: Request) -> impl IntoResponse {
    http::error_response(&ScimError::not_found(format!("no SCIM endpoint at {}", req.uri().path())))
}
