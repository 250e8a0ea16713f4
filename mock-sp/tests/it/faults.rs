//! Fault injection and `--vary`: every deviation changes the behaviour it names (shown against a plain server
//! doing the right thing), transport faults answer or drop as asked and in the shares asked, and a varying
//! server still lets a careful client page through everything. In-process through `router(...)`, except for
//! the dropped connection, which needs a real socket to be seen.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request};
use http_body_util::BodyExt;
use scimlab_mock_sp::faults::{Deviation, parse_faults};
use scimlab_mock_sp::store::{Kind, MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

pub(crate) const TOKEN: &str = "faults-it-token";
pub(crate) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A mock SP over a fresh memory store, with bearer authentication and a fixed seed, driven in-process.
pub(crate) struct Mock {
    app: Router,
    pub(crate) store: Arc<MemoryStore>,
}

/// One answer.
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The body failed while being read (a dropped connection, seen in-process).
    pub(crate) failed: bool,
}

impl Resp {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    #[track_caller]
    pub(crate) fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "body: {}", String::from_utf8_lossy(&self.body));
        self
    }
}

impl Mock {
    /// A server with these `--fault` specs.
    pub(crate) fn new(faults: &[&str]) -> Mock {
        Mock::with(faults, |_| {})
    }

    /// A server with these `--fault` specs and a configuration adjusted by `adjust`.
    pub(crate) fn with(faults: &[&str], adjust: impl FnOnce(&mut ServerConfig)) -> Mock {
        let mut config = ServerConfig {
            auth: Auth::Bearer(TOKEN.into()),
            faults: parse_faults(faults).expect("valid faults"),
            seed: Some(7),
            ..ServerConfig::default()
        };
        adjust(&mut config);
        let store = Arc::new(MemoryStore::default());
        let app = scimlab_mock_sp::router(AppState::new(store.clone(), config));
        Mock { app, store }
    }

    /// Sends a request to `path` under `/scim/v2`, with the token unless `headers` carry an Authorization (an
    /// empty one means none at all).
    pub(crate) async fn call(&self, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> Resp {
        let mut req = Request::builder().method(method).uri(format!("/scim/v2{path}")).header("host", "sp.test");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
            req = req.header("authorization", format!("Bearer {TOKEN}"));
        }
        for (k, v) in headers.iter().filter(|(_, v)| !v.is_empty()) {
            req = req.header(*k, *v);
        }
        if body.is_some() {
            req = req.header("content-type", "application/scim+json");
        }
        let req = req.body(body.map(Body::from).unwrap_or_else(Body::empty)).expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let (body, failed) = match resp.into_body().collect().await {
            Ok(b) => (b.to_bytes(), false),
            Err(_) => (Bytes::new(), true),
        };
        Resp { status, headers, body, failed }
    }

    /// A GET of the control API (`/_scimlab/...`), with the token.
    pub(crate) async fn control(&self, path_and_query: &str) -> Resp {
        let req = Request::get(path_and_query)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let body = resp.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        Resp { status, headers, body, failed: false }
    }

    pub(crate) async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None, &[]).await
    }

    pub(crate) async fn send(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.call(method, path, Some(serde_json::to_vec(body).expect("json")), &[]).await
    }

    pub(crate) async fn patch(&self, path: impl AsRef<str>, ops: Value) -> Resp {
        self.send("PATCH", path.as_ref(), &json!({"schemas": [PATCH], "Operations": ops})).await
    }

    /// Creates a User (201 or 200 accepted) and returns its id.
    pub(crate) async fn user(&self, user_name: &str) -> String {
        let body = json!({"schemas": [USER], "userName": user_name, "displayName": format!("{user_name} D")});
        let r = self.send("POST", "/Users", &body).await;
        assert!(r.status == 201 || r.status == 200, "create {user_name}: {}", r.status);
        r.json()["id"].as_str().expect("id").to_owned()
    }

    pub(crate) fn users(&self) -> usize {
        self.store.count(Kind::User).expect("count")
    }
}

fn user_names(list: &Value) -> Vec<String> {
    let rs = list["Resources"].as_array().cloned().unwrap_or_default();
    rs.iter().map(|r| r["userName"].as_str().unwrap_or("").to_owned()).collect()
}

/// `plain` on a plain server, `deviant` on one with the deviation.
fn pick<T>(on: bool, plain: T, deviant: T) -> T {
    if on { deviant } else { plain }
}

/// Shows the deviation `name` at work: `on` says whether the server runs with it. Every arm asserts what a plain server does and
/// what the deviating one does instead. The query-layer deviations (filter, sort, paging and discovery shapes)
/// are shown by the unit tests beside their hooks in `faults/query.rs`.
async fn check(name: &str, sp: &Mock, on: bool) {
    match name {
        "patch-noop" => {
            let id = sp.user("pat").await;
            let r = sp.patch(format!("/Users/{id}"), json!([{"op": "replace", "path": "displayName", "value": "New"}]));
            let r = r.await.expect(200);
            assert_eq!(r.json()["displayName"], json!(pick(on, "New", "pat D")));
            let now = sp.get(&format!("/Users/{id}")).await.json();
            assert_eq!(now["displayName"], json!(pick(on, "New", "pat D")));
        }
        "filter-ignored" => {
            sp.user("a").await;
            sp.user("b").await;
            let r = sp.get("/Users?filter=userName+eq+%22a%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(pick(on, 1, 2)));
        }
        "sort-ignored" => {
            for n in ["b", "c", "a"] {
                sp.user(n).await;
            }
            let r = sp.get("/Users?sortBy=userName").await.expect(200).json();
            assert_eq!(user_names(&r), pick(on, ["a", "b", "c"], ["b", "c", "a"]));
        }
        "wrong-content-type" => {
            let r = sp.get("/Users").await.expect(200);
            assert_eq!(r.header("content-type"), Some(pick(on, "application/scim+json", "text/plain; charset=utf-8")));
        }
        "no-etag" => {
            let id = sp.user("e").await;
            let r = sp.get(&format!("/Users/{id}")).await.expect(200);
            assert_eq!(r.header("etag").is_some(), !on);
            assert_eq!(r.json()["meta"].get("version").is_some(), !on);
        }
        "startindex-zero-based" => {
            for n in ["a", "b", "c"] {
                sp.user(n).await;
            }
            let r = sp.get("/Users?startIndex=1&count=1").await.expect(200).json();
            assert_eq!(user_names(&r), [pick(on, "a", "b")]);
            assert_eq!(r["startIndex"], json!(1));
        }
        "no-location" => {
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "loc"})).await.expect(201);
            let meta_location = r.json()["meta"]["location"].as_str().map(str::to_owned);
            assert_eq!(r.header("location").map(str::to_owned), if on { None } else { meta_location });
        }
        "create-200" => {
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "c"})).await;
            assert_eq!(r.status, pick(on, 201, 200));
            assert_eq!(r.json()["userName"], "c");
        }
        "create-empty-body" => {
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "c"})).await.expect(201);
            assert_eq!(r.body.is_empty(), on);
            assert_eq!(sp.users(), 1);
        }
        "no-uniqueness" => {
            let first = sp.user("dup").await;
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "dup"})).await;
            assert_eq!(r.status, pick(on, 409, 201));
            if on {
                assert_ne!(r.json()["id"].as_str(), Some(first.as_str()), "a fresh id, as for a new resource");
            } else {
                assert_eq!(r.json()["scimType"], "uniqueness");
            }
        }
        "delete-200" => {
            let id = sp.user("del").await;
            let r = sp.call("DELETE", &format!("/Users/{id}"), None, &[]).await;
            assert_eq!(r.status, pick(on, 204, 200));
            assert_eq!(r.body.is_empty(), !on);
            if on {
                assert_eq!(r.json()["id"], json!(id));
            }
            sp.get(&format!("/Users/{id}")).await.expect(404);
        }
        "not-found-200" => {
            let r = sp.get("/Users/no-such-id").await;
            assert_eq!(r.status, pick(on, 404, 200));
            assert_eq!(r.json().get("detail").is_some(), !on);
            if on {
                assert_eq!(r.json(), json!({}));
            }
        }
        "error-plain-text" => {
            let r = sp.get("/Users/no-such-id").await.expect(404);
            let ct = r.header("content-type").unwrap_or("").to_owned();
            assert_eq!(ct.starts_with("text/plain"), on, "{ct}");
            let text = String::from_utf8_lossy(&r.body).into_owned();
            assert_eq!(serde_json::from_str::<Value>(&text).is_ok(), !on, "{text}");
            assert!(text.contains("no-such-id"), "{text}");
        }
        "no-scim-type" => {
            sp.user("dup").await;
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "dup"})).await.expect(409);
            assert_eq!(r.json().get("scimType").is_some(), !on, "{}", r.json());
            assert_eq!(r.json()["status"], "409");
        }
        "if-match-ignored" => {
            let id = sp.user("im").await;
            let ops = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "T"}]});
            let body = serde_json::to_vec(&ops).expect("json");
            let r = sp.call("PATCH", &format!("/Users/{id}"), Some(body), &[("if-match", "W/\"stale\"")]).await;
            assert_eq!(r.status, pick(on, 412, 200));
        }
        "password-returned" => {
            let body = json!({"schemas": [USER], "userName": "pw", "password": "t0ps3cret"});
            let r = sp.send("POST", "/Users", &body).await.expect(201);
            let id = r.json()["id"].as_str().expect("id").to_owned();
            assert_eq!(r.json().get("password").is_some(), on);
            let got = sp.get(&format!("/Users/{id}")).await.json();
            assert_eq!(got.get("password").cloned(), on.then(|| json!("t0ps3cret")));
            let listed = sp.get("/Users").await.json();
            assert_eq!(listed["Resources"][0].get("password").is_some(), on);
        }
        "case-sensitive-username" => {
            sp.user("alice").await;
            let r = sp.get("/Users?filter=userName+eq+%22ALICE%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(pick(on, 1, 0)));
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "Alice"})).await;
            assert_eq!(r.status, pick(on, 409, 201));
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "alice"})).await;
            assert_eq!(r.status, 409, "an exact duplicate is refused either way");
        }
        "ops-case-sensitive" => {
            let id = sp.user("ops").await;
            let r = sp.patch(format!("/Users/{id}"), json!([{"op": "Replace", "path": "title", "value": "T"}])).await;
            assert_eq!(r.status, pick(on, 200, 400));
        }
        "string-booleans-refused" => {
            let id = sp.user("sb").await;
            let r = sp.patch(format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": "False"}]));
            assert_eq!(r.await.status, pick(on, 200, 400));
        }
        "dotted-keys-refused" => {
            let id = sp.user("dk").await;
            let r = sp.patch(format!("/Users/{id}"), json!([{"op": "replace", "value": {"name.givenName": "G"}}]));
            assert_eq!(r.await.status, pick(on, 200, 400));
        }
        "members-filter-remove-unsupported" | "members-value-remove-unsupported" => {
            let u = sp.user("member").await;
            let g = json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": u}]});
            let gid = sp.send("POST", "/Groups", &g).await.expect(201).json()["id"].as_str().expect("id").to_owned();
            let op = if name == "members-filter-remove-unsupported" {
                json!({"op": "remove", "path": format!("members[value eq \"{u}\"]")})
            } else {
                json!({"op": "Remove", "path": "members", "value": [{"value": u}]})
            };
            let r = sp.patch(format!("/Groups/{gid}"), json!([op])).await;
            assert_eq!(r.status, pick(on, 200, 400));
            let group = sp.get(&format!("/Groups/{gid}")).await.json();
            assert_eq!(group.get("members").is_some(), on, "{group}");
        }
        "empty-list-404" => {
            let r = sp.get("/Users?filter=userName+eq+%22nobody%22").await;
            assert_eq!(r.status, pick(on, 200, 404));
            assert_eq!(sp.get("/Users").await.status, 200, "an unfiltered empty list is still a list");
        }
        "put-ignores-omitted" => {
            let id = sp.user("put").await;
            let r = sp.send("PUT", &format!("/Users/{id}"), &json!({"schemas": [USER], "userName": "put"})).await;
            assert_eq!(r.expect(200).json().get("displayName").is_some(), on);
        }
        "count-ignored" => {
            for n in ["a", "b", "c"] {
                sp.user(n).await;
            }
            let r = sp.get("/Users?count=1").await.expect(200).json();
            assert_eq!(r["Resources"].as_array().map(Vec::len), Some(pick(on, 1, 3)));
        }
        "attributes-ignored" => {
            let id = sp.user("attr").await;
            let r = sp.get("/Users?attributes=userName").await.expect(200).json();
            assert_eq!(r["Resources"][0].get("displayName").is_some(), on);
            let r = sp.get(&format!("/Users/{id}?excludedAttributes=displayName")).await.expect(200).json();
            assert_eq!(r.get("displayName").is_some(), on);
        }
        "bulk-ignores-bulkid" => {
            let bulk = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "b"}},
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"schemas": [GROUP], "displayName": "G", "members": [{"value": "bulkId:u"}]}}
            ]});
            let r = sp.send("POST", "/Bulk", &bulk).await.expect(200).json();
            assert_eq!(r["Operations"][1]["status"], pick(on, "201", "400"), "{r}");
        }
        "spc-lies" => {
            let spc = sp.get("/ServiceProviderConfig").await.expect(200).json();
            let announced = spc["bulk"]["maxOperations"].as_u64().expect("maxOperations");
            assert_eq!(announced, pick(on, 2, 20));
            let op = |i: u64| json!({"method": "DELETE", "path": format!("/Users/{i}")});
            let bulk = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                              "Operations": (0..announced).map(op).collect::<Vec<_>>()});
            let r = sp.send("POST", "/Bulk", &bulk).await;
            assert_eq!(r.status, pick(on, 200, 413), "a request within the announced limit");
        }
        "auth-ignored" => {
            assert_eq!(sp.call("GET", "/Users", None, &[("authorization", "")]).await.status, pick(on, 401, 200));
            assert_eq!(
                sp.call("GET", "/Users", None, &[("authorization", "Bearer wrong")]).await.status,
                pick(on, 401, 200)
            );
        }
        "401-no-body" => {
            let r = sp.call("GET", "/Users", None, &[("authorization", "")]).await.expect(401);
            assert_eq!(r.body.is_empty(), on);
            assert!(r.header("www-authenticate").is_some());
        }
        "endpoint-absolute-url" | "endpoint-absolute-path" => {
            let list = sp.get("/ResourceTypes").await.expect(200).json();
            let one = sp.get("/ResourceTypes/User").await.expect(200).json();
            for rt in list["Resources"].as_array().into_iter().flatten().chain([&one]) {
                let relative = match rt["name"].as_str() {
                    Some("User") => "/Users",
                    Some("Group") => "/Groups",
                    other => panic!("unexpected resource type {other:?}"),
                };
                // The base URL the server builds its locations from (`http://host/scim/v2`).
                let location = rt["meta"]["location"].as_str().expect("meta.location");
                let base = location.split("/ResourceTypes/").next().expect("a base before /ResourceTypes/");
                let deviant = match name {
                    "endpoint-absolute-url" => format!("{base}{relative}"),
                    _ => format!("/scim/v2{relative}"),
                };
                assert_eq!(rt["endpoint"], json!(pick(on, relative.to_owned(), deviant)));
            }
        }
        "filter-unsupported-working" => {
            let spc = sp.get("/ServiceProviderConfig").await.expect(200).json();
            assert_eq!(spc["filter"]["supported"], json!(!on));
            sp.user("a").await;
            sp.user("b").await;
            let r = sp.get("/Users?filter=userName+eq+%22a%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(1), "filters work either way");
        }
        "filter-partial" => {
            let body = json!({"schemas": [USER], "userName": "a", "displayName": "Ada", "externalId": "ext-a"});
            sp.send("POST", "/Users", &body).await.expect(201);
            sp.user("b").await;
            let r = sp.get("/Users?filter=externalId+eq+%22ext-a%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(pick(on, 1, 0)));
            let r = sp.get("/Users?filter=displayName+co+%22Ad%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(pick(on, 1, 0)));
            let r = sp.get("/Users?filter=userName+eq+%22a%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(1), "userName still filters");
        }
        "patch-501" => {
            let spc = sp.get("/ServiceProviderConfig").await.expect(200).json();
            assert_eq!(spc["patch"]["supported"], json!(true), "PATCH is announced either way");
            let id = sp.user("p").await;
            let r = sp.patch(format!("/Users/{id}"), json!([{"op": "replace", "path": "displayName", "value": "New"}]));
            let r = r.await;
            assert_eq!(r.status, pick(on, 200, 501));
            if on {
                assert_eq!(r.json()["status"], "501");
            }
            let now = sp.get(&format!("/Users/{id}")).await.json();
            assert_eq!(now["displayName"], json!(pick(on, "New", "p D")));
        }
        "delete-405" => {
            let id = sp.user("gone-soon").await;
            let r = sp.call("DELETE", &format!("/Users/{id}"), None, &[]).await;
            assert_eq!(r.status, pick(on, 204, 405));
            let now = sp.get(&format!("/Users/{id}")).await;
            assert_eq!(now.status, pick(on, 404, 200));
        }
        "lookup-case-sensitive" => {
            sp.user("alice").await;
            let r = sp.get("/Users?filter=userName+eq+%22ALICE%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(pick(on, 1, 0)), "the bare lookup");
            let r = sp.get("/Users?filter=userName+eq+%22alice%22").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(1), "the exact name is found either way");
            let r = sp.get("/Users?filter=userName+eq+%22ALICE%22+and+userName+pr").await.expect(200).json();
            assert_eq!(r["totalResults"], json!(1), "compound filters ignore case either way");
            let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "Alice"})).await;
            assert_eq!(r.status, 409, "uniqueness ignores case either way");
        }
        other => panic!("no end-to-end check of {other} in this module"),
    }
}

macro_rules! deviation_tests {
    ($($test:ident: $name:literal,)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                assert!(Deviation::from_name($name).is_some(), "no deviation {}", $name);
                check($name, &Mock::with(&[], |c| c.max_bulk_operations = 2), false).await;
                check($name, &Mock::with(&[$name], |c| c.max_bulk_operations = 2), true).await;
            }
        )*

        #[test]
        fn the_tested_deviations_are_distinct() {
            let tested: BTreeSet<&str> = [$($name,)*].into_iter().collect();
            assert_eq!(tested.len(), [$($name,)*].len());
        }
    };
}

deviation_tests! {
    patch_noop: "patch-noop",
    filter_ignored: "filter-ignored",
    sort_ignored: "sort-ignored",
    wrong_content_type: "wrong-content-type",
    no_etag: "no-etag",
    startindex_zero_based: "startindex-zero-based",
    no_location: "no-location",
    create_200: "create-200",
    create_empty_body: "create-empty-body",
    no_uniqueness: "no-uniqueness",
    delete_200: "delete-200",
    not_found_200: "not-found-200",
    error_plain_text: "error-plain-text",
    no_scim_type: "no-scim-type",
    if_match_ignored: "if-match-ignored",
    password_returned: "password-returned",
    case_sensitive_username: "case-sensitive-username",
    ops_case_sensitive: "ops-case-sensitive",
    string_booleans_refused: "string-booleans-refused",
    dotted_keys_refused: "dotted-keys-refused",
    members_filter_remove_unsupported: "members-filter-remove-unsupported",
    members_value_remove_unsupported: "members-value-remove-unsupported",
    empty_list_404: "empty-list-404",
    put_ignores_omitted: "put-ignores-omitted",
    count_ignored: "count-ignored",
    attributes_ignored: "attributes-ignored",
    bulk_ignores_bulkid: "bulk-ignores-bulkid",
    spc_lies: "spc-lies",
    auth_ignored: "auth-ignored",
    unauthorized_401_no_body: "401-no-body",
    endpoint_absolute_url: "endpoint-absolute-url",
    endpoint_absolute_path: "endpoint-absolute-path",
    filter_unsupported_working: "filter-unsupported-working",
    filter_partial: "filter-partial",
    patch_501: "patch-501",
    delete_405: "delete-405",
    lookup_case_sensitive: "lookup-case-sensitive",
}

/// `data-loss=3`: the fourth request finds the store empty, once; a plain server keeps everything.
#[tokio::test]
async fn data_loss_forgets_every_resource_once_after_n_requests() {
    for on in [false, true] {
        let sp = Mock::new(if on { &["data-loss=3"] } else { &[] });
        let id = sp.user("a").await;
        sp.get(&format!("/Users/{id}")).await.expect(200);
        assert_eq!(sp.get("/Users").await.expect(200).json()["totalResults"], json!(1));
        sp.get(&format!("/Users/{id}")).await.expect(pick(on, 200, 404));
        assert_eq!(sp.users(), pick(on, 1, 0));
        let again = sp.user("b").await;
        for _ in 0..5 {
            sp.get(&format!("/Users/{again}")).await.expect(200);
        }
        assert_eq!(sp.users(), pick(on, 2, 1), "forgotten once, not every N requests");
    }
}

/// `reset-under-load=1`: of two requests in flight at once, exactly one has its connection dropped; one at a
/// time, nothing is dropped. The latency keeps the first in flight while the second arrives (both are polled
/// by one task, so the order of arrival does not matter, only that they overlap).
#[tokio::test]
async fn reset_under_load_drops_requests_beyond_k_in_flight() {
    for on in [false, true] {
        let faults: &[&str] = if on { &["reset-under-load=1", "latency=50ms"] } else { &["latency=50ms"] };
        let sp = Mock::new(faults);
        let (a, b) = tokio::join!(sp.get("/Users"), sp.get("/ServiceProviderConfig"));
        let dropped = [a.failed, b.failed].iter().filter(|f| **f).count();
        assert_eq!(dropped, pick(on, 0, 1));
        let alone = sp.get("/Users").await;
        assert!(!alone.failed && alone.status == 200, "a request alone is served");
    }
}

#[tokio::test]
async fn injected_429_carries_retry_after_and_a_scim_error_and_is_not_processed() {
    let sp = Mock::new(&["429=100%"]);
    let r = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "x"})).await.expect(429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    let e = r.json();
    assert_eq!(e["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
    assert_eq!(e["status"], "429");
    assert_eq!(sp.users(), 0, "a 429 means the request was not processed");
    let r = Mock::new(&["429=100%:retry-after=5"]).get("/Users").await.expect(429);
    assert_eq!(r.header("retry-after"), Some("5"));
}

#[tokio::test]
async fn injected_5xx_is_a_scim_error_with_its_status() {
    for (spec, status) in [("500=100%", 500), ("503=100%", 503)] {
        let r = Mock::new(&[spec]).get("/Users").await.expect(status);
        assert_eq!(r.json()["status"], json!(status.to_string()));
        assert!(r.json()["detail"].as_str().is_some_and(|d| d.contains(spec)), "{}", r.json());
        assert_eq!(r.header("retry-after"), None);
    }
    let r = Mock::new(&["503=100%:retry-after=30"]).get("/Users").await.expect(503);
    assert_eq!(r.header("retry-after"), Some("30"));
}

#[tokio::test]
async fn injected_errors_are_rewritten_by_the_cross_cutting_deviations() {
    let r = Mock::new(&["429=100%", "error-plain-text"]).get("/Users").await.expect(429);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/plain")));
    assert_eq!(r.header("retry-after"), Some("1"));
}

/// Statuses seen for 1,000 GETs: (200, 429, 500, dropped).
async fn tally(seed: u64) -> ([u32; 4], Vec<u16>) {
    let sp = Mock::with(&["429=10%", "500=5%", "drop=2%"], |c| c.seed = Some(seed));
    let mut counts = [0; 4];
    let mut sequence = Vec::new();
    for _ in 0..1000 {
        let r = sp.get("/Users").await;
        let slot = match (r.failed, r.status) {
            (true, _) => 3,
            (false, 200) => 0,
            (false, 429) => 1,
            (false, 500) => 2,
            (false, s) => panic!("unexpected status {s}"),
        };
        counts[slot] += 1;
        sequence.push(if r.failed { 0 } else { r.status });
    }
    (counts, sequence)
}

#[tokio::test]
async fn shares_are_honoured_over_1000_requests_and_repeat_with_the_seed() {
    let (counts, first) = tally(2024).await;
    let [ok, too_many, failed, dropped] = counts;
    // Binomial spreads: 100 +- 30, 50 +- 22, 20 +- 14 are beyond four standard deviations.
    assert!((70..=130).contains(&too_many), "{counts:?}");
    assert!((28..=72).contains(&failed), "{counts:?}");
    assert!((6..=34).contains(&dropped), "{counts:?}");
    assert_eq!(ok + too_many + failed + dropped, 1000);
    let (_, again) = tally(2024).await;
    assert_eq!(first, again, "the same seed gives the same faults in the same order");
    let (_, other) = tally(2025).await;
    assert_ne!(first, other);
}

#[tokio::test]
async fn latency_delays_every_response() {
    let sp = Mock::new(&["latency=120ms"]);
    let t = Instant::now();
    sp.get("/Users").await.expect(200);
    assert!(t.elapsed() >= Duration::from_millis(120), "{:?}", t.elapsed());
    let sp = Mock::new(&["latency=30ms..60ms"]);
    for _ in 0..3 {
        let t = Instant::now();
        sp.get("/ServiceProviderConfig").await.expect(200);
        assert!(t.elapsed() >= Duration::from_millis(30), "{:?}", t.elapsed());
    }
}

/// Sends one raw HTTP/1.1 request over a real socket and returns every byte that came back until the server
/// closed, or the error that ended the read. Blocking std I/O on a blocking thread, so the server keeps running.
async fn raw_exchange(app: Router) -> Result<Vec<u8>, std::io::Error> {
    use std::io::{Read, Write};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let read = tokio::task::spawn_blocking(move || {
        let mut sock = std::net::TcpStream::connect(addr)?;
        sock.set_read_timeout(Some(Duration::from_secs(10)))?;
        let req = format!(
            "GET /scim/v2/Users HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
        );
        sock.write_all(req.as_bytes())?;
        let mut got = Vec::new();
        sock.read_to_end(&mut got).map(|_| got)
    })
    .await
    .expect("client thread");
    server.abort();
    read
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_closes_the_connection_without_any_response() {
    let plain = raw_exchange(Mock::new(&[]).app).await.expect("read");
    assert!(plain.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&plain));
    match raw_exchange(Mock::new(&["drop=100%"]).app).await {
        Ok(bytes) => assert!(bytes.is_empty(), "a dropped connection sent {}", String::from_utf8_lossy(&bytes)),
        Err(e) => assert!(
            matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted),
            "{e}"
        ),
    }
}

#[tokio::test]
async fn varying_pages_still_yield_every_resource_exactly_once() {
    let sp = Mock::with(&[], |c| {
        c.vary = true;
        c.seed = Some(99);
    });
    let mut ids = BTreeSet::new();
    for i in 0..57 {
        ids.insert(sp.user(&format!("u{i:02}")).await);
    }
    let mut seen = Vec::new();
    let mut sizes = BTreeSet::new();
    let mut start = 1;
    loop {
        let page = sp.get(&format!("/Users?startIndex={start}&count=10")).await.expect(200).json();
        let rs = page["Resources"].as_array().cloned().unwrap_or_default();
        assert_eq!(page["totalResults"], 57);
        assert_eq!(page["itemsPerPage"], json!(rs.len()));
        assert_eq!(page["startIndex"], json!(start));
        if rs.is_empty() {
            break;
        }
        sizes.insert(rs.len());
        seen.extend(rs.iter().map(|r| r["id"].as_str().expect("id").to_owned()));
        start += rs.len();
    }
    assert_eq!(seen.len(), 57, "no resource twice");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), ids);
    assert!(sizes.len() > 1 && sizes.iter().all(|&s| s <= 10), "short pages happened: {sizes:?}");
    assert!(ids.iter().any(|id| id.parse::<u64>().is_ok()) && ids.iter().any(|id| id.contains('-')), "{ids:?}");
}

#[tokio::test]
async fn varying_etags_are_weak_or_strong_consistently_per_version() {
    let sp = Mock::with(&[], |c| c.vary = true);
    let mut forms = BTreeSet::new();
    for i in 0..16 {
        let id = sp.user(&format!("e{i}")).await;
        let r = sp.get(&format!("/Users/{id}")).await.expect(200);
        let tag = r.header("etag").expect("etag").to_owned();
        assert_eq!(r.json()["meta"]["version"], json!(tag), "header and meta.version agree");
        assert_eq!(sp.get(&format!("/Users/{id}")).await.header("etag"), Some(tag.as_str()), "stable per version");
        let r = sp.call("GET", &format!("/Users/{id}"), None, &[("if-none-match", &tag)]).await;
        assert_eq!(r.status, 304);
        forms.insert(tag.starts_with("W/"));
    }
    assert_eq!(forms.len(), 2, "both weak and strong tags appear");
}

#[tokio::test]
async fn varying_patch_answers_200_or_204_and_seeds_repeat() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let sp = Mock::with(&[], |c| {
            c.vary = true;
            c.seed = Some(seed);
        });
        let id = sp.user("p").await;
        let mut out = Vec::new();
        for i in 0..20 {
            let r =
                sp.patch(format!("/Users/{id}"), json!([{"op": "replace", "path": "title", "value": format!("t{i}")}]));
            out.push(r.await.status);
        }
        out
    }
    let a = statuses(5).await;
    assert!(a.contains(&200) && a.contains(&204), "{a:?}");
    assert_eq!(a, statuses(5).await);
}
