//! The discovery endpoints of RFC 7644 section 4: `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.
//!
//! They are read-only (405 for any other method), and the configuration they publish is true: every limit and
//! capability announced here is the one the handlers enforce. Section 4 also says a `filter` on these endpoints
//! SHOULD be answered with 403, which we do.

use crate::config::Auth;
use crate::faults::discovery::{Discovery, announced, published_endpoint};
use crate::faults::resource::Resource;
use crate::http::{error_response, method_not_allowed, query_pairs, scim_json};
use crate::resources::base_url;
use crate::state::{AppState, Shared};
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use scimlab_protocol::ScimError;
use scimlab_protocol::schema::{LIST_RESPONSE_URN, ResourceType};
use scimlab_protocol::spc::{AuthenticationScheme, BulkConfig, FilterConfig, ServiceProviderConfig, Supported};
use serde_json::{Value, json};

/// Refuses non-GET methods and `filter` (403, RFC 7644 section 4), unless `discovery-writable` /
/// `discovery-filter-accepted`; answers 404 when the endpoint's `missing` deviation is on.
fn guard(st: &Shared, req: &Request, missing: Option<Discovery>) -> Result<(), Box<Response>> {
    if missing.is_some_and(|d| st.faults.has(d)) {
        return Err(Box::new(error_response(&ScimError::not_found(format!("no endpoint {}", req.uri().path())))));
    }
    if req.method() != Method::GET && !st.faults.has(Discovery::DiscoveryWritable) {
        return Err(Box::new(method_not_allowed("GET")));
    }
    let filtered = query_pairs(req.uri().query()).iter().any(|(k, _)| k.eq_ignore_ascii_case("filter"));
    if filtered && !st.faults.has(Discovery::DiscoveryFilterAccepted) {
        return Err(Box::new(error_response(&ScimError::new(
            403,
            "filtering is not supported on discovery endpoints",
        ))));
    }
    Ok(())
}

/// The ServiceProviderConfig this server tells the truth with (RFC 7643 section 5), unless a deviation makes it
/// lie ([`announced`]).
pub fn service_provider_config(st: &Shared) -> ServiceProviderConfig {
    let mut schemes = match &st.config.auth {
        Auth::None => Vec::new(),
        Auth::Bearer(_) => vec![AuthenticationScheme {
            kind: "oauthbearertoken".into(),
            name: "OAuth Bearer Token".into(),
            description: "Authentication with a bearer token in the Authorization header".into(),
            spec_uri: Some("https://www.rfc-editor.org/info/rfc6750".into()),
            documentation_uri: None,
            primary: Some(true),
        }],
        Auth::Basic { .. } => vec![AuthenticationScheme {
            kind: "httpbasic".into(),
            name: "HTTP Basic".into(),
            description: "Authentication with HTTP Basic user name and password".into(),
            spec_uri: Some("https://www.rfc-editor.org/info/rfc7617".into()),
            documentation_uri: None,
            primary: Some(true),
        }],
    };
    // RFC 7643 section 5: every way the server authenticates is announced; JWTs and the token endpoint's
    // tokens are bearer tokens (`oauthbearertoken`).
    if let Some(jwt) = &st.config.jwt {
        schemes.push(AuthenticationScheme {
            kind: "oauthbearertoken".into(),
            name: "OAuth Bearer Token (JWT)".into(),
            description: format!(
                "A signed JWT bearer token from issuer {} for audience {}",
                jwt.issuer(),
                jwt.audience()
            ),
            spec_uri: Some("https://www.rfc-editor.org/info/rfc7519".into()),
            documentation_uri: None,
            primary: Some(schemes.is_empty()),
        });
    }
    if st.config.oauth.is_some() {
        schemes.push(AuthenticationScheme {
            kind: "oauthbearertoken".into(),
            name: "OAuth 2.0 client credentials".into(),
            description: format!(
                "A bearer access token from the client-credentials grant at {}",
                crate::oauth::TOKEN_PATH
            ),
            spec_uri: Some("https://www.rfc-editor.org/info/rfc6749".into()),
            documentation_uri: None,
            primary: Some(schemes.is_empty()),
        });
    }
    let truth = ServiceProviderConfig {
        documentation_uri: Some("https://example.invalid/scimlab/mock-sp".into()),
        patch: Supported { supported: true },
        bulk: BulkConfig {
            supported: true,
            max_operations: st.config.max_bulk_operations as u64,
            max_payload_size: st.config.max_payload_bytes as u64,
        },
        filter: FilterConfig { supported: true, max_results: st.config.max_results as u64 },
        change_password: Supported { supported: true },
        sort: Supported { supported: true },
        etag: Supported { supported: true },
        authentication_schemes: schemes,
        ..ServiceProviderConfig::default()
    };
    announced(&st.faults, truth)
}

/// `GET /ServiceProviderConfig`.
pub async fn spc(State(st): State<AppState>, req: Request) -> Response {
    let st = st.shared();
    if let Err(r) = guard(st, &req, Some(Discovery::SpcMissing)) {
        return *r;
    }
    let mut body = service_provider_config(st).to_resource_json(&base_url(st, req.headers()));
    if let Some(o) = body.as_object_mut().filter(|_| st.faults.has(Discovery::SpcIncomplete)) {
        o.remove("etag");
    }
    scim_json(StatusCode::OK, &body)
}

fn list_response(resources: Vec<Value>) -> Value {
    let n = resources.len();
    json!({
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": n,
        "itemsPerPage": n,
        "startIndex": 1,
        "Resources": resources,
    })
}

/// `GET /ResourceTypes`.
pub async fn resource_types(State(st): State<AppState>, req: Request) -> Response {
    let st = st.shared();
    if let Err(r) = guard(st, &req, Some(Discovery::ResourceTypesMissing)) {
        return *r;
    }
    let b = base_url(st, req.headers());
    let all = st.registry.resource_types().iter().map(|rt| resource_type_json(st, rt, &b)).collect();
    scim_json(StatusCode::OK, &list_response(all))
}

/// A ResourceType as served. RFC 7643 section 6 makes `endpoint` relative to the base URL (`/Users`); the
/// `endpoint-absolute-url` and `endpoint-absolute-path` deviations publish the forms some servers use instead
/// ([`published_endpoint`]).
fn resource_type_json(st: &Shared, rt: &ResourceType, base: &str) -> Value {
    let mut json = rt.to_resource_json(base);
    let relative = format!("/{}", rt.endpoint.trim_start_matches('/'));
    let published = published_endpoint(&st.faults, base, &st.config.base_path, &relative);
    if let (Some(p), Some(o)) = (published, json.as_object_mut()) {
        o.insert("endpoint".to_owned(), Value::String(p));
    }
    json
}

/// `GET /ResourceTypes/{name}`: 404 for an unknown type.
pub async fn resource_type(State(st): State<AppState>, Path(name): Path<String>, req: Request) -> Response {
    let st = st.shared();
    if let Err(r) = guard(st, &req, Some(Discovery::ResourceTypesMissing)) {
        return *r;
    }
    let found = st.registry.resource_types().iter().find(|rt| {
        rt.name.eq_ignore_ascii_case(&name) || rt.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&name))
    });
    match found {
        Some(rt) => scim_json(StatusCode::OK, &resource_type_json(st, rt, &base_url(st, req.headers()))),
        None if st.faults.has(Resource::NotFound200) => scim_json(StatusCode::OK, &json!({})),
        None => error_response(&ScimError::not_found(format!("no resource type {name:?}"))),
    }
}

/// `GET /Schemas`.
pub async fn schemas(State(st): State<AppState>, req: Request) -> Response {
    let st = st.shared();
    if let Err(r) = guard(st, &req, Some(Discovery::SchemasMissing)) {
        return *r;
    }
    let b = base_url(st, req.headers());
    let all = st.registry.schemas().iter().map(|s| s.to_resource_json(&b)).collect();
    scim_json(StatusCode::OK, &list_response(all))
}

/// `GET /Schemas/{urn}`: 404 for an unknown schema.
pub async fn schema(State(st): State<AppState>, Path(urn): Path<String>, req: Request) -> Response {
    let st = st.shared();
    if let Err(r) = guard(st, &req, Some(Discovery::SchemasMissing)) {
        return *r;
    }
    match st.registry.schema(&urn) {
        Some(s) => scim_json(StatusCode::OK, &s.to_resource_json(&base_url(st, req.headers()))),
        None if st.faults.has(Resource::NotFound200) => scim_json(StatusCode::OK, &json!({})),
        None => error_response(&ScimError::not_found(format!("no schema {urn:?}"))),
    }
}
