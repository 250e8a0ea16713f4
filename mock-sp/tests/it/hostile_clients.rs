//! The mock SP under hostile clients (issue 10): one PATCH cannot keep the server busy, PATCH cannot store
//! foreign `schemas`, a client's Host never reaches what others read, every HTTP-layer refusal is a SCIM Error,
//! and a client that sends half a request (or stops mid-body) has its connection closed.

use super::http::{BASE, ERROR_URN, PATCH_URN, SCIM_CT, Sp, USER_URN};
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const ENT_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A user with `n` emails; returns its id.
async fn user_with_emails(sp: &Sp, n: usize) -> String {
    let emails: Vec<Value> = (0..n).map(|i| json!({"value": format!("e{i}@x.example"), "type": "work"})).collect();
    let u = sp.create("/Users", &json!({"schemas": [USER_URN], "userName": "victim", "emails": emails})).await;
    u["id"].as_str().expect("id").to_owned()
}

fn filtered_ops(n: usize) -> Value {
    let op = json!({"op": "replace", "path": "emails[value sw \"e\"].type", "value": "home"});
    Value::Array(vec![op; n])
}

/// The request of issue 10 (1,000 `emails[value sw "e"].type` operations on a user with 2,000 emails held the
/// store for 13 s) is refused with 400 tooMany before anything is applied, and the user is unchanged.
#[tokio::test]
async fn the_hostile_patch_is_refused_before_any_work() {
    let sp = Sp::new();
    let id = user_with_emails(&sp, 2000).await;
    let before = sp.read(&format!("/Users/{id}")).await;
    let detail = sp.patch_ops(&format!("/Users/{id}"), filtered_ops(1000)).await.expect_error(400, Some("tooMany"));
    assert!(detail.contains("limit of 1000000"), "{detail}");
    assert_eq!(sp.read(&format!("/Users/{id}")).await["meta"]["version"], before["meta"]["version"]);
    // The same operation once is well within the bound, and another client is answered meanwhile.
    sp.patch_ops(&format!("/Users/{id}"), filtered_ops(1)).await.expect(200);
    sp.read("/Users?count=1").await;
}

/// More operations than `max_patch_operations` is 413, counted before the operations are read.
#[tokio::test]
async fn too_many_operations_is_413() {
    let sp = Sp::with(|c| c.max_patch_operations = 10);
    let id = sp.user("u1").await;
    let ops = Value::Array(vec![json!({"op": "replace", "path": "displayName", "value": "x"}); 11]);
    let detail = sp.patch_ops(&format!("/Users/{id}"), ops).await.expect_error(413, None);
    assert!(detail.contains("11 operations") && detail.contains("at most 10"), "{detail}");
    let ops = Value::Array(vec![json!({"op": "replace", "path": "displayName", "value": "x"}); 10]);
    sp.patch_ops(&format!("/Users/{id}"), ops).await.expect(200);
}

/// A raised work bound lets the hostile request through, and it is applied in full (the undo log no longer
/// makes it quadratic; the result is what one operation gives).
#[tokio::test]
async fn a_raised_bound_applies_the_request_in_full() {
    let sp = Sp::with(|c| c.max_patch_work = u64::MAX);
    let id = user_with_emails(&sp, 300).await;
    let u = sp.patch_ops(&format!("/Users/{id}"), filtered_ops(200)).await.expect_json(200);
    let emails = u["emails"].as_array().expect("emails");
    assert_eq!(emails.len(), 300);
    assert!(emails.iter().all(|e| e["type"] == "home"), "every email was edited");
}

/// RFC 7643 section 3: `schemas` after a PATCH must list the core schema and only schemas the resource type
/// carries, as POST and PUT require.
#[tokio::test]
async fn patch_of_schemas_is_validated() {
    let sp = Sp::new();
    let id = sp.user("s1").await;
    let path = format!("/Users/{id}");
    for ops in [
        json!([{"op": "replace", "path": "schemas", "value": ["urn:x"]}]),
        json!([{"op": "replace", "path": "schemas", "value": [ENT_URN]}]),
        json!([{"op": "add", "path": "schemas", "value": ["urn:x"]}]),
        json!([{"op": "remove", "path": "schemas"}]),
        json!([{"op": "replace", "value": {"schemas": ["urn:x"]}}]),
    ] {
        let reply = sp.patch_ops(&path, ops.clone()).await;
        assert!(reply.status.is_client_error(), "{ops} answered {}", reply.status);
        assert_eq!(reply.body_json()["schemas"], json!([ERROR_URN]), "{ops}");
        assert_eq!(sp.read(&path).await["schemas"], json!([USER_URN]), "{ops} changed schemas");
    }
    let both = json!([{"op": "replace", "path": "schemas", "value": [USER_URN, ENT_URN]}]);
    sp.patch_ops(&path, both).await.expect(200);
}

/// One router over a fresh store with `config`, and a raw request sender (no Host added).
fn app(config: ServerConfig) -> axum::Router {
    scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config))
}

async fn raw(app: &axum::Router, method: Method, uri: &str, host: &str, body: Option<Value>) -> (u16, Value) {
    let req = Request::builder().method(method).uri(uri).header("host", host).header("content-type", SCIM_CT);
    let body = body.map_or_else(Body::empty, |b| Body::from(serde_json::to_vec(&b).expect("serialise")));
    let resp = app.clone().oneshot(req.body(body).expect("request")).await.expect("infallible");
    let status = resp.status().as_u16();
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let (Some(l), Some(o)) = (location, v.as_object_mut()) {
        o.insert("__location_header".into(), l.into());
    }
    (status, v)
}

/// A request with `Host: evil.example` puts evil.example nowhere: not in the create's Location or
/// `meta.location`, not in what later clients read, not in discovery. With a public URL configured that URL is
/// used; without one (an embedder) only a loopback Host is believed.
#[tokio::test]
async fn the_host_header_is_never_stored_or_echoed() {
    for public in [Some("https://scim.example.com/scim/v2/"), None] {
        let config = ServerConfig { auth: Auth::None, public_url: public.map(str::to_owned), ..Default::default() };
        let app = app(config);
        let body = json!({"schemas": [USER_URN], "userName": "h1"});
        let (status, created) = raw(&app, Method::POST, &format!("{BASE}/Users"), "evil.example", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().expect("id");
        let (_, later) = raw(&app, Method::GET, &format!("{BASE}/Users/{id}"), "127.0.0.1:9", None).await;
        let (_, list) = raw(&app, Method::GET, &format!("{BASE}/Users"), "127.0.0.1:9", None).await;
        let mut seen = vec![created.to_string(), later.to_string(), list.to_string()];
        for d in ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/ResourceTypes/User"] {
            seen.push(raw(&app, Method::GET, &format!("{BASE}{d}"), "evil.example", None).await.1.to_string());
        }
        for text in &seen {
            assert!(!text.contains("evil.example"), "{public:?}: {text}");
        }
        let expected = match public {
            Some(_) => format!("https://scim.example.com/scim/v2/Users/{id}"),
            None => format!("http://localhost{BASE}/Users/{id}"),
        };
        assert_eq!(created["meta"]["location"], json!(expected));
        assert_eq!(created["__location_header"], json!(expected));
        if public.is_none() {
            let (_, local) = raw(&app, Method::GET, &format!("{BASE}/ResourceTypes/User"), "127.0.0.1:9", None).await;
            assert!(local.to_string().contains("http://127.0.0.1:9/scim/v2"), "a loopback Host is used: {local}");
        }
    }
}

/// Refusals of the HTTP layer carry SCIM Error bodies: an overlong target (414), too many or too large headers
/// (431), a path segment that is not UTF-8 (the framework's 400), malformed JSON (400), an unknown path (404).
#[tokio::test]
async fn http_layer_refusals_are_scim_errors() {
    let sp = Sp::new();
    let long = format!("/Users?filter=userName%20eq%20%22{}%22", "a".repeat(9000));
    let detail = sp.get(&long).await.expect_error(414, None);
    assert!(detail.contains("at most 8192"), "{detail}");
    let big = "b".repeat(40 * 1024);
    sp.send(Method::GET, "/Users", &[("x-big", big.as_str())], None).await.expect_error(431, None);
    let names: Vec<String> = (0..120).map(|i| format!("x-h{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    sp.send(Method::GET, "/Users", &many, None).await.expect_error(431, None);
    sp.get("/Users/%FF%FE").await.expect_error(400, None);
    let bad = b"{\"schemas\": [".to_vec();
    sp.send(Method::POST, "/Users", &[("content-type", SCIM_CT)], Some(bad))
        .await
        .expect_error(400, Some("invalidSyntax"));
    sp.get("//nowhere").await.expect_error(404, None);
    let patch = json!({"schemas": [PATCH_URN], "Operations": "nope"});
    sp.json(Method::PATCH, "/Users/x", &patch).await.expect_error(400, Some("invalidSyntax"));
}

/// A server on 127.0.0.1 port 0 through [`scimlab_mock_sp::serve::serve`] with short timeouts; its address.
async fn socket_server(header: Duration, idle: Duration) -> std::net::SocketAddr {
    let config =
        ServerConfig { auth: Auth::None, header_read_timeout: header, idle_timeout: idle, ..Default::default() };
    let state = AppState::new(Arc::new(MemoryStore::default()), config);
    let app = scimlab_mock_sp::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { scimlab_mock_sp::serve::serve(listener, &state, app, std::future::pending()).await });
    addr
}

/// Connects (a blocking socket, run off the runtime), sends `bytes`, and reads until the server closes the
/// connection; returns what it sent. The read timeout only keeps a broken server from hanging the suite: it is
/// far beyond the configured timeouts, and nothing is asserted about time.
async fn send_and_read_to_close(addr: std::net::SocketAddr, bytes: &'static [u8]) -> String {
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).expect("read timeout");
        s.write_all(bytes).expect("write");
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        assert!(read.is_ok(), "the server kept the connection open: {read:?}");
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("the client thread")
}

/// Slowloris: half a request line, then nothing. The server closes the connection (hyper's header-read timeout).
#[tokio::test]
async fn a_slowloris_connection_is_closed() {
    let addr = socket_server(Duration::from_millis(200), Duration::from_secs(30)).await;
    let answered = send_and_read_to_close(addr, b"GET /scim/v2/Us").await;
    assert!(answered.is_empty() || answered.starts_with("HTTP/1.1 408"), "{answered}");
    // The server still serves everyone else, over a real socket.
    let ok = b"GET /scim/v2/Users?count=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    let reply = send_and_read_to_close(addr, ok).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// A body that stops arriving: the idle timeout closes the connection.
#[tokio::test]
async fn a_stalled_body_is_cut_off() {
    let addr = socket_server(Duration::from_secs(30), Duration::from_millis(300)).await;
    let head = b"POST /scim/v2/Users HTTP/1.1\r\nHost: a\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{";
    let answered = send_and_read_to_close(addr, head).await;
    assert!(!answered.starts_with("HTTP/1.1 201"), "{answered}");
}
