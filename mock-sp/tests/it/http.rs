//! General endpoint behaviour of the mock SP, driven in-process through [`scimlab_mock_sp::router`] with
//! `tower::ServiceExt::oneshot`: the things a conformance harness checks (RFC 7644 sections 3.1 to 3.14), one
//! submodule per area. [`Sp`] and [`Reply`] are shared with the `idp_wire` tests.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

mod compression;
mod errors;
mod etag;
mod query;
mod write;

/// The bearer token every [`Sp`] expects.
pub(crate) const TOKEN: &str = "it-secret-token";
/// Where the SCIM API is mounted.
pub(crate) const BASE: &str = "/scim/v2";
pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const ENT_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(crate) const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub(crate) const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub(crate) const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// The SCIM media type with the charset parameter real IdPs add.
pub(crate) const SCIM_CT: &str = "application/scim+json; charset=utf-8";

/// One mock SP over a fresh memory store, called without a socket.
pub(crate) struct Sp {
    app: Router,
}

impl Sp {
    /// The default configuration with bearer authentication.
    pub(crate) fn new() -> Sp {
        Sp::with(|_| {})
    }

    /// The default configuration with bearer authentication, then `adjust`ed.
    pub(crate) fn with(adjust: impl FnOnce(&mut ServerConfig)) -> Sp {
        let mut config = ServerConfig {
            auth: Auth::Bearer(TOKEN.to_owned()),
            public_url: Some(format!("http://sp.test{BASE}")),
            ..ServerConfig::default()
        };
        adjust(&mut config);
        Sp { app: scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config)) }
    }

    /// Sends one request. `path` is relative to [`BASE`] unless it starts with `//` (then it is the whole path
    /// after one slash is dropped). `headers` go out as given, in order; `Authorization: Bearer TOKEN` is added
    /// unless they carry an Authorization header (an empty value means "send none").
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let uri = match path.strip_prefix("//") {
            Some(raw) => format!("/{raw}"),
            None => format!("{BASE}{path}"),
        };
        let mut req = Request::builder().method(method.clone()).uri(&uri).header(header::HOST, "sp.test");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        for (k, v) in headers {
            if !(k.eq_ignore_ascii_case("authorization") && v.is_empty()) {
                req = req.header(*k, *v);
            }
        }
        let req = req.body(body.map(Body::from).unwrap_or_else(Body::empty)).expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("the router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("response body").to_bytes();
        let body = decoded(&headers, body);
        Reply { status, headers, body, what: format!("{method} {uri}") }
    }

    /// GET with the bearer token only.
    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, &[], None).await
    }

    /// A request with a JSON body sent as `application/scim+json; charset=utf-8`.
    pub(crate) async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).expect("serialise");
        self.send(method, path, &[("content-type", SCIM_CT)], Some(bytes)).await
    }

    /// POST a JSON body.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::POST, path, body).await
    }

    /// PUT a JSON body.
    pub(crate) async fn put(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::PUT, path, body).await
    }

    /// PATCH with a PatchOp body holding `ops`.
    pub(crate) async fn patch_ops(&self, path: &str, ops: Value) -> Reply {
        self.json(Method::PATCH, path, &json!({"schemas": [PATCH_URN], "Operations": ops})).await
    }

    /// DELETE.
    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, &[], None).await
    }

    /// Creates a User from `body` (201 asserted) and returns it.
    pub(crate) async fn create(&self, endpoint: &str, body: &Value) -> Value {
        self.post(endpoint, body).await.expect_json(201)
    }

    /// Creates a minimal User and returns its id.
    pub(crate) async fn user(&self, user_name: &str) -> String {
        let u = self.create("/Users", &json!({"schemas": [USER_URN], "userName": user_name})).await;
        id_of(&u)
    }

    /// Creates a Group with these member ids and returns its id.
    pub(crate) async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let g = self.create("/Groups", &json!({"schemas": [GROUP_URN], "displayName": name, "members": members})).await;
        id_of(&g)
    }

    /// GET that must answer 200 with SCIM JSON.
    pub(crate) async fn read(&self, path: &str) -> Value {
        self.get(path).await.expect_json(200)
    }
}

/// The body as the client reads it: a compressed answer (to a request carrying Okta's `Accept-Encoding:
/// gzip,deflate`) decoded, as the IdP decodes it. The `Content-Encoding` header stays in the reply.
fn decoded(headers: &HeaderMap, body: Bytes) -> Bytes {
    use std::io::Read;
    let mut out = Vec::new();
    match headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()) {
        Some("gzip") => flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out).expect("gzip body"),
        Some("deflate") => flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out).expect("deflate body"),
        _ => return body,
    };
    Bytes::from(out)
}

/// A response, with what was asked for to make assertion messages useful.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    what: String,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status.
    #[track_caller]
    pub(crate) fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status.as_u16(), status, "{} answered {}: {}", self.what, self.status, self.text());
        self
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the response is `application/scim+json` (RFC 7644 section 8.1).
    #[track_caller]
    pub(crate) fn assert_scim_json(&self) {
        let ct = self.header("content-type").unwrap_or("");
        assert!(
            ct.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case("application/scim+json")),
            "{}: Content-Type {ct:?}",
            self.what
        );
    }

    /// The body as JSON.
    #[track_caller]
    pub(crate) fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {}", self.what, self.text()))
    }

    /// Asserts the status and the SCIM media type, and returns the JSON body.
    #[track_caller]
    pub(crate) fn expect_json(self, status: u16) -> Value {
        let r = self.expect(status);
        r.assert_scim_json();
        r.body_json()
    }

    /// Asserts a SCIM Error (RFC 7644 section 3.12) with this status and scimType (`None`: no scimType), and
    /// returns its `detail`.
    #[track_caller]
    pub(crate) fn expect_error(self, status: u16, scim_type: Option<&str>) -> String {
        let what = self.what.clone();
        let e = self.expect_json(status);
        assert_eq!(e["schemas"], json!([ERROR_URN]), "{what}: {e}");
        assert_eq!(e["status"], json!(status.to_string()), "{what}: status is a string repeating the HTTP status");
        assert_eq!(e.get("scimType").and_then(Value::as_str), scim_type, "{what}: {e}");
        let detail = e["detail"].as_str().unwrap_or_default().to_owned();
        assert!(!detail.is_empty(), "{what}: the error has no detail: {e}");
        detail
    }
}

/// The `id` of a resource.
#[track_caller]
pub(crate) fn id_of(resource: &Value) -> String {
    resource["id"].as_str().unwrap_or_else(|| panic!("no id in {resource}")).to_owned()
}

/// The ids of a ListResponse's `Resources`, in order.
#[track_caller]
pub(crate) fn ids(list: &Value) -> Vec<String> {
    list["Resources"].as_array().unwrap_or_else(|| panic!("no Resources in {list}")).iter().map(id_of).collect()
}

/// The `value`s of a Group's `members` (none when absent).
pub(crate) fn member_values(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["value"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The group ids in a User's readOnly `groups` (none when absent).
pub(crate) fn group_values(user: &Value) -> Vec<String> {
    member_values(&json!({"members": user["groups"]}))
}

/// Asserts a ListResponse's shape (RFC 7644 section 3.4.2): the schema, integer counters, `Resources` always an
/// array, `itemsPerPage` equal to its length. Returns `totalResults`.
#[track_caller]
pub(crate) fn assert_list(list: &Value) -> u64 {
    assert_eq!(list["schemas"], json!([LIST_URN]), "{list}");
    let total = list["totalResults"].as_u64().unwrap_or_else(|| panic!("totalResults is not an integer: {list}"));
    assert!(list["startIndex"].is_u64(), "startIndex is not an integer: {list}");
    let n = list["Resources"].as_array().unwrap_or_else(|| panic!("Resources is not an array: {list}")).len();
    assert_eq!(list["itemsPerPage"].as_u64(), Some(n as u64), "itemsPerPage: {list}");
    total
}

/// A filter for a URL query: spaces as `%20`, quotes as `%22`.
pub(crate) fn enc(filter: &str) -> String {
    let mut out = String::new();
    for b in filter.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
